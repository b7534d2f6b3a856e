/* Outbox and template tables. */
#include "store_internal.h"

#include <string.h>

static const char SQL_OUT_INSERT[] =
	"INSERT INTO outbox(dossier_id, idem_key, event, channel, recipient, subject, body, ascii,"
	" segments, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
	" ON CONFLICT(idem_key) DO NOTHING";
#define OUT_COLUMNS \
	"o.id, o.idem_key, d.code, o.event, o.channel, o.recipient, o.subject, o.body, o.ascii," \
	" o.segments, o.state, o.attempts, o.next_attempt_at, o.last_error"
/* Due: pending or failed whose time has come, or leased ones whose lease ran
 * out (a sender that died): at least once. */
#define OUT_DUE \
	"SELECT o.id FROM outbox o WHERE o.state IN (0, 1, 3) AND o.next_attempt_at <= ?1" \
	" ORDER BY o.next_attempt_at, o.id LIMIT ?2"
static const char SQL_OUT_DUE[] = OUT_DUE;
/* With row locks (PostgreSQL), senders draining at once each take rows
 * the others have not locked, and no message is leased twice. */
static const char SQL_OUT_DUE_LOCKED[] = OUT_DUE " FOR UPDATE OF o SKIP LOCKED";
static const char SQL_OUT_LEASE[] =
	"UPDATE outbox SET state = 1, next_attempt_at = ?2 WHERE id = ?1";
static const char SQL_OUT_GET[] =
	"SELECT " OUT_COLUMNS " FROM outbox o LEFT JOIN dossier d ON d.id = o.dossier_id WHERE o.id = ?1";
static const char SQL_OUT_LIST[] =
	"SELECT " OUT_COLUMNS " FROM outbox o LEFT JOIN dossier d ON d.id = o.dossier_id"
	" WHERE ?1 IS NULL OR d.code = ?1 ORDER BY o.id";
static const char SQL_OUT_ATTEMPTS[] = "SELECT state, attempts FROM outbox WHERE id = ?1";
static const char SQL_TPL_EACH[] = "SELECT event, field, text FROM notify_template";
static const char SQL_TPL_PUT[] =
	"INSERT INTO notify_template(event, field, text) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(event, field) DO UPDATE SET text = excluded.text";

int dvc__store_outbox_insert(dvc_db *db, int64_t dossier_id, const char *idem, const char *event,
			     int channel, const char *recipient, const char *subject,
			     const char *body, int ascii, int segments, dvc_time now)
{
	return DVC__EXEC(db, SQL_OUT_INSERT, "queueing a notification", DVC__INT(dossier_id),
			 DVC__TEXT(idem), DVC__TEXT(event), DVC__INT(channel), DVC__TEXT(recipient),
			 DVC__TEXT(subject), DVC__TEXT(body), DVC__INT(ascii), DVC__INT(segments),
			 DVC__INT(now));
}

static int outbox_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__outbox_row r;
	r.id = dvc__sql_column_int64(st, 0);
	r.idem = (const char *)dvc__sql_column_text(st, 1);
	r.dossier = (const char *)dvc__sql_column_text(st, 2);
	r.event = (const char *)dvc__sql_column_text(st, 3);
	r.channel = dvc__sql_column_int(st, 4);
	r.recipient = (const char *)dvc__sql_column_text(st, 5);
	r.subject = (const char *)dvc__sql_column_text(st, 6);
	r.body = (const char *)dvc__sql_column_text(st, 7);
	r.ascii = dvc__sql_column_int(st, 8);
	r.segments = dvc__sql_column_int(st, 9);
	r.state = dvc__sql_column_int(st, 10);
	r.attempts = dvc__sql_column_int(st, 11);
	r.next_attempt_at = dvc__sql_column_int64(st, 12);
	r.last_error = (const char *)dvc__sql_column_text(st, 13);
	return ((dvc__outbox_cb)k->fn)(k->ctx, &r);
}

int dvc__store_outbox_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			    dvc__outbox_cb cb, void *ctx)
{
	static const dvc__lease_sql plain = {SQL_OUT_DUE, SQL_OUT_LEASE, SQL_OUT_GET,
					     "reading the outbox", "leasing a message", "reading a message"};
	/* the same queue, its due rows locked against other senders */
	static const dvc__lease_sql locked = {SQL_OUT_DUE_LOCKED, SQL_OUT_LEASE, SQL_OUT_GET,
					      "reading the outbox", "leasing a message", "reading a message"};
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__store_lease(db, db->be->row_locks ? &locked : &plain, now, lease_until, max,
				outbox_row, &k);
}

int dvc__store_outbox_list(dvc_db *db, const char *code, dvc__outbox_cb cb, void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	dvc__sql_stmt *st;
	int rc = dvc__sql_prepare(db, SQL_OUT_LIST, &st);
	if (rc != DVC__SQL_OK)
		return dvc__store_err(db, rc, "reading the outbox");
	if (code)
		dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	rc = dvc__rows(db, st, outbox_row, &k, "reading the outbox");
	dvc__sql_finalize(st);
	return rc;
}

static int attempts_row(dvc__sql_stmt *st, void *ctx)
{
	int *v = ctx;
	v[0] = dvc__sql_column_int(st, 0);
	v[1] = dvc__sql_column_int(st, 1);
	return DVC_OK;
}

int dvc__store_outbox_get_attempts(dvc_db *db, int64_t id, int *state, int *attempts)
{
	int v[2];
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_OUT_ATTEMPTS, DVC__INT(id)), attempts_row, v,
			      "reading a message");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "id", "no message %lld in the outbox", (long long)id);
	if (rc < 0)
		return rc;
	*state = v[0];
	*attempts = v[1];
	return DVC_OK;
}

int dvc__store_outbox_mark(dvc_db *db, int64_t id, int state, int attempts,
			   dvc_time next_attempt_at, const char *error, dvc_time sent_at)
{
	return dvc__store_lease_mark(db, DVC__LEASE_OUTBOX, id, state, attempts, next_attempt_at, error,
				     sent_at);
}

static int template_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__template_cb cb = (dvc__template_cb)k->fn;
	return cb(k->ctx, (const char *)dvc__sql_column_text(st, 0),
		  (const char *)dvc__sql_column_text(st, 1), (const char *)dvc__sql_column_text(st, 2));
}

int dvc__store_templates_each(dvc_db *db, dvc__template_cb cb, void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__rows(db, dvc__stmt(db, SQL_TPL_EACH), template_row, &k, "reading templates");
}

int dvc__store_template_put(dvc_db *db, const char *event, const char *field, const char *text)
{
	return DVC__EXEC(db, SQL_TPL_PUT, "storing a template", DVC__TEXT(event), DVC__TEXT(field),
			 DVC__TEXT(text));
}
