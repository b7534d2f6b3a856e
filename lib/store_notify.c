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
static const char SQL_OUT_MARK[] =
	"UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
	" sent_at = ?6 WHERE id = ?1";
static const char SQL_TPL_EACH[] = "SELECT event, field, text FROM notify_template";
static const char SQL_TPL_PUT[] =
	"INSERT INTO notify_template(event, field, text) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(event, field) DO UPDATE SET text = excluded.text";

int dvc__store_outbox_insert(dvc_db *db, int64_t dossier_id, const char *idem, const char *event,
			     int channel, const char *recipient, const char *subject,
			     const char *body, int ascii, int segments, dvc_time now)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_OUT_INSERT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_text(st, 2, idem, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 3, event, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, channel);
	dvc__sql_bind_text(st, 5, recipient, -1, DVC__SQL_STATIC);
	dvc__bind_text(db, st, 6, subject);
	dvc__sql_bind_text(st, 7, body, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 8, ascii);
	dvc__sql_bind_int(st, 9, segments);
	dvc__sql_bind_int64(st, 10, now);
	return dvc__exec_step(db, st, "queueing a notification");
}

static int emit_row(dvc__sql_stmt *st, dvc__outbox_cb cb, void *ctx)
{
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
	return cb(ctx, &r);
}

struct outbox_sink {
	dvc__outbox_cb cb;
	void *ctx;
};

static int emit_leased(dvc__sql_stmt *st, void *ctx)
{
	struct outbox_sink *k = ctx;
	return emit_row(st, k->cb, k->ctx);
}

int dvc__store_outbox_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			    dvc__outbox_cb cb, void *ctx)
{
	static const dvc__lease_sql plain = {SQL_OUT_DUE, SQL_OUT_LEASE, SQL_OUT_GET,
					     "reading the outbox", "leasing a message", "reading a message"};
	/* the same queue, its due rows locked against other senders */
	static const dvc__lease_sql locked = {SQL_OUT_DUE_LOCKED, SQL_OUT_LEASE, SQL_OUT_GET,
					      "reading the outbox", "leasing a message", "reading a message"};
	struct outbox_sink k = {cb, ctx};
	return dvc__store_lease(db, db->be->row_locks ? &locked : &plain, now, lease_until, max,
				emit_leased, &k);
}

int dvc__store_outbox_list(dvc_db *db, const char *code, dvc__outbox_cb cb, void *ctx)
{
	dvc__sql_stmt *st;
	int rc = dvc__sql_prepare(db, SQL_OUT_LIST, &st);
	if (rc != DVC__SQL_OK)
		return dvc__store_err(db, rc, "reading the outbox");
	if (code)
		dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = emit_row(st, cb, ctx);
		if (crc != DVC_OK) {
			dvc__sql_finalize(st);
			return crc;
		}
	}
	dvc__sql_finalize(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading the outbox");
}

int dvc__store_outbox_get_attempts(dvc_db *db, int64_t id, int *state, int *attempts)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_OUT_ATTEMPTS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		*state = dvc__sql_column_int(st, 0);
		*attempts = dvc__sql_column_int(st, 1);
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return dvc__err(DVC_ENOTFOUND, "id", "no message %lld in the outbox", (long long)id);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "reading a message");
}

int dvc__store_outbox_mark(dvc_db *db, int64_t id, int state, int attempts,
			   dvc_time next_attempt_at, const char *error, dvc_time sent_at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_OUT_MARK);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	dvc__sql_bind_int(st, 2, state);
	dvc__sql_bind_int(st, 3, attempts);
	dvc__sql_bind_int64(st, 4, next_attempt_at);
	dvc__bind_text(db, st, 5, error);
	if (sent_at)
		dvc__sql_bind_int64(st, 6, sent_at);
	return dvc__exec_step(db, st, "updating a message");
}

int dvc__store_templates_each(dvc_db *db, dvc__template_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_TPL_EACH);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = cb(ctx, (const char *)dvc__sql_column_text(st, 0),
			     (const char *)dvc__sql_column_text(st, 1),
			     (const char *)dvc__sql_column_text(st, 2));
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading templates");
}

int dvc__store_template_put(dvc_db *db, const char *event, const char *field, const char *text)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_TPL_PUT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, event, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, field, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 3, text, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "storing a template");
}
