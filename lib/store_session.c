/* Signed-in portal sessions (schema 16) and the store's keys: SQL only. */
#include "session_internal.h"

static const char SQL_SESSION_PUT[] =
	"INSERT INTO session(token_hash, kind, username, national, ttl, created_at, expires_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_SESSION_GET[] =
	"SELECT kind, username, national, ttl, created_at, expires_at FROM session"
	" WHERE token_hash = ?1";
static const char SQL_SESSION_TOUCH[] = "UPDATE session SET expires_at = ?2 WHERE token_hash = ?1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM session WHERE token_hash = ?1";
/* created_at ties are broken by the hash: some order, the same everywhere */
static const char SQL_SESSION_TRIM[] =
	"DELETE FROM session WHERE kind = ?1 AND username = ?2 AND token_hash NOT IN ("
	" SELECT token_hash FROM session WHERE kind = ?1 AND username = ?2"
	" ORDER BY created_at DESC, token_hash DESC LIMIT ?3)";
static const char SQL_SESSION_PURGE[] = "DELETE FROM session WHERE expires_at < ?1";
static const char SQL_KEY_PUT[] =
	"INSERT INTO store_key(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING";
static const char SQL_KEY_GET[] = "SELECT value FROM store_key WHERE name = ?1";

int dvc__store_session_put(dvc_db *db, const char *hash, const dvc__session_row *r)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_PUT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, hash, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 2, r->kind);
	dvc__sql_bind_text(st, 3, r->username, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 4, r->national);
	dvc__sql_bind_int64(st, 5, r->ttl);
	dvc__sql_bind_int64(st, 6, r->created_at);
	dvc__sql_bind_int64(st, 7, r->expires_at);
	return dvc__exec_step(db, st, "storing a session");
}

int dvc__store_session_get(dvc_db *db, const char *hash, dvc__session_row *out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_GET);
	int rc, found = 0;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, hash, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		found = 1;
		out->kind = (int)dvc__sql_column_int64(st, 0);
		if (dvc__col_copy(db, st, 1, out->username, sizeof out->username, "a session's username") !=
		    DVC_OK) {
			dvc__sql_reset(st);
			return dvc_error_last()->code;
		}
		out->national = (int)dvc__sql_column_int64(st, 2);
		out->ttl = (int)dvc__sql_column_int64(st, 3);
		out->created_at = dvc__sql_column_int64(st, 4);
		out->expires_at = dvc__sql_column_int64(st, 5);
		rc = DVC__SQL_DONE;
	}
	dvc__sql_reset(st);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "reading a session");
	return found;
}

int dvc__store_session_touch(dvc_db *db, const char *hash, dvc_time expires_at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_TOUCH);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, hash, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 2, expires_at);
	return dvc__exec_step(db, st, "renewing a session");
}

int dvc__store_session_delete(dvc_db *db, const char *hash)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_DELETE);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, hash, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "ending a session");
}

int dvc__store_session_trim(dvc_db *db, int kind, const char *username, int keep)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_TRIM);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, kind);
	dvc__sql_bind_text(st, 2, username, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 3, keep);
	return dvc__exec_step(db, st, "ending a user's oldest sessions");
}

int dvc__store_session_purge(dvc_db *db, dvc_time before)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_SESSION_PURGE);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, before);
	return dvc__exec_step(db, st, "removing expired sessions");
}

int dvc__store_key_get(dvc_db *db, const char *name, const char *fresh,
		       char out[DVC__SESSION_KEY_HEX])
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_KEY_PUT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, fresh, -1, DVC__SQL_STATIC);
	if ((rc = dvc__exec_step(db, st, "storing a key")) != DVC_OK)
		return rc;
	if (!(st = dvc__stmt(db, SQL_KEY_GET)))
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, name, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		rc = dvc__col_copy(db, st, 0, out, DVC__SESSION_KEY_HEX, "the store's key");
		dvc__sql_reset(st);
		return rc;
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? dvc__err(DVC_ECORRUPT, NULL, "the store's key %s is missing", name)
				   : dvc__store_err(db, rc, "reading a key");
}
