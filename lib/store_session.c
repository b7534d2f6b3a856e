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
	return DVC__EXEC(db, SQL_SESSION_PUT, "storing a session", DVC__TEXT(hash), DVC__INT(r->kind),
			 DVC__TEXT(r->username), DVC__INT(r->national), DVC__INT(r->ttl),
			 DVC__INT(r->created_at), DVC__INT(r->expires_at));
}

static int session_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *in = ctx;
	dvc__session_row *out = in->out;
	out->kind = (int)dvc__sql_column_int64(st, 0);
	out->national = (int)dvc__sql_column_int64(st, 2);
	out->ttl = (int)dvc__sql_column_int64(st, 3);
	out->created_at = dvc__sql_column_int64(st, 4);
	out->expires_at = dvc__sql_column_int64(st, 5);
	return dvc__col_copy(in->db, st, 1, out->username, sizeof out->username, "a session's username");
}

int dvc__store_session_get(dvc_db *db, const char *hash, dvc__session_row *out)
{
	dvc__into in = {db, NULL, out};
	return dvc__row_one(db, DVC__STMT(db, SQL_SESSION_GET, DVC__TEXT(hash)), session_row, &in,
			    "reading a session");
}

int dvc__store_session_touch(dvc_db *db, const char *hash, dvc_time expires_at)
{
	return DVC__EXEC(db, SQL_SESSION_TOUCH, "renewing a session", DVC__TEXT(hash), DVC__INT(expires_at));
}

int dvc__store_session_delete(dvc_db *db, const char *hash)
{
	return DVC__EXEC(db, SQL_SESSION_DELETE, "ending a session", DVC__TEXT(hash));
}

int dvc__store_session_trim(dvc_db *db, int kind, const char *username, int keep)
{
	return DVC__EXEC(db, SQL_SESSION_TRIM, "ending a user's oldest sessions", DVC__INT(kind),
			 DVC__TEXT(username), DVC__INT(keep));
}

int dvc__store_session_purge(dvc_db *db, dvc_time before)
{
	return DVC__EXEC(db, SQL_SESSION_PURGE, "removing expired sessions", DVC__INT(before));
}

static int key_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *in = ctx;
	return dvc__col_copy(in->db, st, 0, in->out, DVC__SESSION_KEY_HEX, "the store's key");
}

int dvc__store_key_get(dvc_db *db, const char *name, const char *fresh,
		       char out[DVC__SESSION_KEY_HEX])
{
	dvc__into in = {db, NULL, out};
	int rc = DVC__EXEC(db, SQL_KEY_PUT, "storing a key", DVC__TEXT(name), DVC__TEXT(fresh));
	if (rc == DVC_OK && (rc = dvc__row_one(db, DVC__STMT(db, SQL_KEY_GET, DVC__TEXT(name)), key_row,
					       &in, "reading a key")) == 0)
		rc = dvc__err(DVC_ECORRUPT, NULL, "the store's key %s is missing", name);
	return rc < 0 ? rc : DVC_OK;
}
