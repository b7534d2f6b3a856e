/* National sync tables: settings, procedure codes, the sync outbox. */
#include "national_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_SET_GET[] = "SELECT value FROM national_setting WHERE key = ?1";
static const char SQL_SET_PUT[] =
	"INSERT INTO national_setting(key, value) VALUES (?1, ?2)"
	" ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_VERSION_EXISTS[] =
	"SELECT 1 FROM procedure p LEFT JOIN procedure_version pv ON pv.procedure_id = p.id"
	" WHERE p.code = ?1 AND (?2 = 0 OR pv.version = ?2) LIMIT 1";
static const char SQL_CODE_PUT[] =
	"INSERT INTO procedure_national(procedure, version, national_code) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(procedure, version) DO UPDATE SET national_code = excluded.national_code";
static const char SQL_CODE_DEL[] =
	"DELETE FROM procedure_national WHERE procedure = ?1 AND version = ?2";
static const char SQL_CODE_GET[] =
	"SELECT national_code FROM procedure_national WHERE procedure = ?1 AND version IN (?2, 0)"
	" ORDER BY version DESC LIMIT 1";
static const char SQL_FACTS[] =
	"SELECT d.applicant_name, d.applicant_citizen_id, p.code, pv.name, pv.sector, pv.version,"
	" (SELECT a.name FROM agency a WHERE a.code = COALESCE(d.competent, pv.agency)),"
	" (SELECT i.assurance FROM dossier_identity i WHERE i.dossier_id = d.id)"
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id"
	" JOIN procedure p ON p.id = pv.procedure_id WHERE d.id = ?1";
static const char SQL_FILES[] =
	"SELECT component, name FROM dossier_file WHERE dossier_id = ?1 AND replaced_by IS NULL"
	" ORDER BY id";
static const char SQL_SYNC_INSERT[] =
	"INSERT INTO national_sync(dossier_id, seq, idem_key, status, procedure, version, payload,"
	" state, last_error, next_attempt_at, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT(idem_key) DO NOTHING";
#define SYNC_COLUMNS \
	"s.id, s.dossier_id, s.seq, s.idem_key, d.code, s.procedure, s.payload, s.last_error," \
	" s.version, s.status, s.state, s.attempts, s.created_at, s.next_attempt_at"
/* Due: pending, failed or leased past its lease, and no earlier message of
 * its dossier unsent (so one per dossier, in order). */
static const char SQL_SYNC_DUE[] =
	"SELECT s.id FROM national_sync s WHERE s.state IN (0, 1, 3) AND s.next_attempt_at <= ?1"
	" AND NOT EXISTS (SELECT 1 FROM national_sync p WHERE p.dossier_id = s.dossier_id"
	" AND p.id < s.id AND p.state <> 2) ORDER BY s.id LIMIT ?2";
static const char SQL_SYNC_LEASE[] =
	"UPDATE national_sync SET state = 1, next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_SYNC_GET[] =
	"SELECT " SYNC_COLUMNS " FROM national_sync s JOIN dossier d ON d.id = s.dossier_id"
	" WHERE s.id = ?1";
static const char SQL_SYNC_EACH[] =
	"SELECT " SYNC_COLUMNS " FROM national_sync s JOIN dossier d ON d.id = s.dossier_id"
	" WHERE (?1 IS NULL OR d.code = ?1) AND (?2 = 0 OR s.state <> 2) ORDER BY s.id";
static const char SQL_SYNC_PAYLOAD[] = "UPDATE national_sync SET payload = ?2 WHERE id = ?1";

/* Column 0 of the first row copied into buf ("" when there is none). */
struct text_out {
	dvc_db *db;
	char *buf;
	size_t size;
	const char *what;
};

static int text_row(dvc__sql_stmt *st, void *ctx)
{
	const struct text_out *t = ctx;
	return dvc__col_copy(t->db, st, 0, t->buf, t->size, t->what);
}

static int first_text(dvc_db *db, dvc__sql_stmt *st, char *buf, size_t size, const char *what,
		      const char *what_read)
{
	struct text_out t = {db, buf, size, what};
	int rc;
	buf[0] = '\0';
	rc = dvc__row_one(db, st, text_row, &t, what_read);
	return rc < 0 ? rc : DVC_OK;
}

int dvc__store_national_setting(dvc_db *db, const char *key, char *buf, size_t size)
{
	return first_text(db, DVC__STMT(db, SQL_SET_GET, DVC__TEXT(key)), buf, size,
			  "a national setting", "reading a national setting");
}

int dvc__store_sync_switch(dvc_db *db)
{
	char v[4];
	int rc;
	uint64_t txn = dvc__store_txn(db);
	if (txn && db->sync_switch.txn == txn)
		return db->sync_switch.on;
	if ((rc = dvc__store_national_setting(db, "sync", v, sizeof v)) != DVC_OK)
		return rc;
	dvc__store_sync_switch_seen(db, v);
	return db->sync_switch.on;
}

int dvc__store_national_setting_put(dvc_db *db, const char *key, const char *value)
{
	db->sync_switch.txn = 0; /* what this transaction read of it before */
	return DVC__EXEC(db, SQL_SET_PUT, "storing a national setting", DVC__TEXT(key), DVC__TEXT(value));
}

int dvc__store_national_version_exists(dvc_db *db, const char *procedure, int version)
{
	return dvc__row_one(db, DVC__STMT(db, SQL_VERSION_EXISTS, DVC__TEXT(procedure), DVC__INT(version)),
			    NULL, NULL, "looking up a procedure");
}

int dvc__store_national_code_put(dvc_db *db, const char *procedure, int version, const char *code)
{
	static const char what[] = "storing a national procedure code";
	if (!code)
		return DVC__EXEC(db, SQL_CODE_DEL, what, DVC__TEXT(procedure), DVC__INT(version));
	return DVC__EXEC(db, SQL_CODE_PUT, what, DVC__TEXT(procedure), DVC__INT(version), DVC__TEXT(code));
}

int dvc__store_national_code_get(dvc_db *db, const char *procedure, int version,
				 char buf[DVC_NATIONAL_CODE_MAX + 1])
{
	return first_text(db, DVC__STMT(db, SQL_CODE_GET, DVC__TEXT(procedure), DVC__INT(version)), buf,
			  DVC_NATIONAL_CODE_MAX + 1, "a national procedure code",
			  "reading a national procedure code");
}

static int facts_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *o = ctx;
	dvc__national_facts *f = o->out;
	bool oom = false;
	f->applicant_name = dvc__col_arena(o->a, st, 0, &oom);
	f->citizen_id = dvc__col_arena(o->a, st, 1, &oom);
	f->procedure = dvc__col_arena(o->a, st, 2, &oom);
	f->procedure_name = dvc__col_arena(o->a, st, 3, &oom);
	f->sector = dvc__col_arena(o->a, st, 4, &oom);
	f->version = dvc__sql_column_int(st, 5);
	f->agency_name = dvc__col_arena(o->a, st, 6, &oom);
	f->assurance = dvc__sql_column_int(st, 7);
	return oom ? dvc__oom() : DVC_OK;
}

int dvc__store_national_facts(dvc_db *db, int64_t dossier_id, dvc_arena *a, dvc__national_facts *f)
{
	dvc__into o = {db, a, f};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_FACTS, DVC__INT(dossier_id)), facts_row, &o,
			      "reading a dossier for the national portal");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "dossier", "no dossier %lld", (long long)dossier_id);
	return rc < 0 ? rc : DVC_OK;
}

static int file_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	return ((dvc__national_file_cb)k->fn)(k->ctx, dvc__sql_column_int(st, 0),
					      (const char *)dvc__sql_column_text(st, 1));
}

int dvc__store_national_files_each(dvc_db *db, int64_t dossier_id, dvc__national_file_cb cb, void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__rows(db, DVC__STMT(db, SQL_FILES, DVC__INT(dossier_id)), file_row, &k,
			 "reading a dossier's files");
}

int dvc__store_sync_insert(dvc_db *db, const dvc__sync_row *r)
{
	return DVC__EXEC(db, SQL_SYNC_INSERT, "queueing a national sync message", DVC__INT(r->dossier_id),
			 DVC__INT(r->seq), DVC__TEXT(r->idem), DVC__INT(r->status),
			 DVC__TEXT(r->procedure), DVC__INT(r->version), DVC__TEXT(r->payload),
			 DVC__INT(r->state), DVC__TEXT(r->last_error), DVC__INT(r->created_at));
}

static int sync_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__sync_row r;
	r.id = dvc__sql_column_int64(st, 0);
	r.dossier_id = dvc__sql_column_int64(st, 1);
	r.seq = dvc__sql_column_int64(st, 2);
	r.idem = (const char *)dvc__sql_column_text(st, 3);
	r.dossier = (const char *)dvc__sql_column_text(st, 4);
	r.procedure = (const char *)dvc__sql_column_text(st, 5);
	r.payload = (const char *)dvc__sql_column_text(st, 6);
	r.last_error = (const char *)dvc__sql_column_text(st, 7);
	r.version = dvc__sql_column_int(st, 8);
	r.status = dvc__sql_column_int(st, 9);
	r.state = dvc__sql_column_int(st, 10);
	r.attempts = dvc__sql_column_int(st, 11);
	r.created_at = dvc__sql_column_int64(st, 12);
	r.next_attempt_at = dvc__sql_column_int64(st, 13);
	return ((dvc__sync_cb)k->fn)(k->ctx, &r);
}

int dvc__store_sync_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			  dvc__sync_cb cb, void *ctx)
{
	static const dvc__lease_sql q = {SQL_SYNC_DUE, SQL_SYNC_LEASE, SQL_SYNC_GET,
					 "reading the national sync queue", "leasing a sync message",
					 "reading a sync message"};
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__store_lease(db, &q, now, lease_until, max, sync_row, &k);
}

int dvc__store_sync_each(dvc_db *db, const char *code, int unsent_only, dvc__sync_cb cb, void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__rows(db, DVC__STMT(db, SQL_SYNC_EACH, DVC__TEXT(code), DVC__INT(unsent_only)),
			 sync_row, &k, "reading the national sync queue");
}

struct copy_ctx {
	dvc_arena *a;
	dvc__sync_row *out;
};

static int copy_row(void *ctx, const dvc__sync_row *r)
{
	struct copy_ctx *c = ctx;
	*c->out = *r;
	c->out->idem = dvc_arena_strdup(c->a, r->idem);
	c->out->dossier = dvc_arena_strdup(c->a, r->dossier);
	c->out->procedure = dvc_arena_strdup(c->a, r->procedure);
	c->out->payload = dvc_arena_strdup(c->a, r->payload);
	c->out->last_error = dvc_arena_strdup(c->a, r->last_error);
	if (!c->out->idem || !c->out->dossier || !c->out->procedure || !c->out->payload ||
	    (r->last_error && !c->out->last_error))
		return dvc__oom();
	return DVC_OK;
}

int dvc__store_sync_get(dvc_db *db, int64_t id, dvc_arena *a, dvc__sync_row *out)
{
	struct copy_ctx c = {a, out};
	dvc__sink k = DVC__SINK(copy_row, &c);
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_SYNC_GET, DVC__INT(id)), sync_row, &k,
			      "reading a sync message");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "id", "no sync message %lld", (long long)id);
	return rc < 0 ? rc : DVC_OK;
}

int dvc__store_sync_mark(dvc_db *db, int64_t id, int state, int attempts, dvc_time next_attempt_at,
			 const char *error, dvc_time sent_at)
{
	return dvc__store_lease_mark(db, DVC__LEASE_SYNC, id, state, attempts, next_attempt_at, error,
				     sent_at);
}

int dvc__store_sync_set_payload(dvc_db *db, int64_t id, const char *payload)
{
	return DVC__EXEC(db, SQL_SYNC_PAYLOAD, "updating a sync message", DVC__INT(id), DVC__TEXT(payload));
}
