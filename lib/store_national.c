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
static const char SQL_SYNC_MARK[] =
	"UPDATE national_sync SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
	" sent_at = ?6 WHERE id = ?1";
static const char SQL_SYNC_PAYLOAD[] = "UPDATE national_sync SET payload = ?2 WHERE id = ?1";

int dvc__store_national_setting(dvc_db *db, const char *key, char *buf, size_t size)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SET_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, key, -1, DVC__SQL_STATIC);
	buf[0] = '\0';
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		int crc = dvc__col_copy(db, st, 0, buf, size, "a national setting");
		dvc__sql_reset(st);
		return crc;
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading a national setting");
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
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SET_PUT);
	db->sync_switch.txn = 0; /* what this transaction read of it before */
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, key, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, value, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "storing a national setting");
}

int dvc__store_national_version_exists(dvc_db *db, const char *procedure, int version)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_VERSION_EXISTS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, procedure, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 2, version);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_ROW || rc == DVC__SQL_DONE)
		return rc == DVC__SQL_ROW;
	return dvc__store_err(db, rc, "looking up a procedure");
}

int dvc__store_national_code_put(dvc_db *db, const char *procedure, int version, const char *code)
{
	dvc__sql_stmt *st = dvc__stmt(db, code ? SQL_CODE_PUT : SQL_CODE_DEL);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, procedure, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 2, version);
	if (code)
		dvc__sql_bind_text(st, 3, code, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "storing a national procedure code");
}

int dvc__store_national_code_get(dvc_db *db, const char *procedure, int version,
				 char buf[DVC_NATIONAL_CODE_MAX + 1])
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_CODE_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, procedure, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 2, version);
	buf[0] = '\0';
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		int crc = dvc__col_copy(db, st, 0, buf, DVC_NATIONAL_CODE_MAX + 1, "a national procedure code");
		dvc__sql_reset(st);
		return crc;
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading a national procedure code");
}

int dvc__store_national_facts(dvc_db *db, int64_t dossier_id, dvc_arena *a, dvc__national_facts *f)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_FACTS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		f->applicant_name = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 0));
		f->citizen_id = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 1));
		f->procedure = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 2));
		f->procedure_name = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 3));
		f->sector = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 4));
		f->version = dvc__sql_column_int(st, 5);
		f->agency_name = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 6));
		f->assurance = dvc__sql_column_int(st, 7);
		if (!f->applicant_name || !f->citizen_id || !f->procedure || !f->procedure_name ||
		    !f->sector || (!f->agency_name && dvc__sql_column_type(st, 6) != DVC__SQL_NULL)) {
			dvc__sql_reset(st);
			return dvc__oom();
		}
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return dvc__err(DVC_ENOTFOUND, "dossier", "no dossier %lld", (long long)dossier_id);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "reading a dossier for the national portal");
}

int dvc__store_national_files_each(dvc_db *db, int64_t dossier_id, dvc__national_file_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_FILES);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = cb(ctx, dvc__sql_column_int(st, 0), (const char *)dvc__sql_column_text(st, 1));
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading a dossier's files");
}

int dvc__store_sync_insert(dvc_db *db, const dvc__sync_row *r)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SYNC_INSERT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, r->dossier_id);
	dvc__sql_bind_int64(st, 2, r->seq);
	dvc__sql_bind_text(st, 3, r->idem, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, r->status);
	dvc__sql_bind_text(st, 5, r->procedure, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 6, r->version);
	dvc__sql_bind_text(st, 7, r->payload, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 8, r->state);
	dvc__bind_text(db, st, 9, r->last_error);
	dvc__sql_bind_int64(st, 10, r->created_at);
	return dvc__exec_step(db, st, "queueing a national sync message");
}

static int emit(dvc__sql_stmt *st, dvc__sync_cb cb, void *ctx)
{
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
	return cb(ctx, &r);
}

struct sync_sink {
	dvc__sync_cb cb;
	void *ctx;
};

static int emit_leased(dvc__sql_stmt *st, void *ctx)
{
	struct sync_sink *k = ctx;
	return emit(st, k->cb, k->ctx);
}

int dvc__store_sync_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			  dvc__sync_cb cb, void *ctx)
{
	static const dvc__lease_sql q = {SQL_SYNC_DUE, SQL_SYNC_LEASE, SQL_SYNC_GET,
					 "reading the national sync queue", "leasing a sync message",
					 "reading a sync message"};
	struct sync_sink k = {cb, ctx};
	return dvc__store_lease(db, &q, now, lease_until, max, emit_leased, &k);
}

int dvc__store_sync_each(dvc_db *db, const char *code, int unsent_only, dvc__sync_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SYNC_EACH);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	if (code)
		dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 2, unsent_only);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = emit(st, cb, ctx);
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading the national sync queue");
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
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SYNC_GET);
	struct copy_ctx c = {a, out};
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		int crc = emit(st, copy_row, &c);
		dvc__sql_reset(st);
		return crc;
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return dvc__err(DVC_ENOTFOUND, "id", "no sync message %lld", (long long)id);
	return dvc__store_err(db, rc, "reading a sync message");
}

int dvc__store_sync_mark(dvc_db *db, int64_t id, int state, int attempts, dvc_time next_attempt_at,
			 const char *error, dvc_time sent_at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SYNC_MARK);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	dvc__sql_bind_int(st, 2, state);
	dvc__sql_bind_int(st, 3, attempts);
	dvc__sql_bind_int64(st, 4, next_attempt_at);
	dvc__bind_text(db, st, 5, error);
	if (sent_at)
		dvc__sql_bind_int64(st, 6, sent_at);
	return dvc__exec_step(db, st, "updating a sync message");
}

int dvc__store_sync_set_payload(dvc_db *db, int64_t id, const char *payload)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SYNC_PAYLOAD);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	dvc__sql_bind_text(st, 2, payload, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "updating a sync message");
}
