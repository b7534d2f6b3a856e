/* Pending OpenID Connect sign-ins (schema 15): one row from dvc_oidc_begin
 * to its callback, which deletes it, so that a state is used once. */
#include "oidc_internal.h"

static const char SQL_OIDC_PURGE[] = "DELETE FROM oidc_pending WHERE expires_at <= ?1";
static const char SQL_OIDC_COUNT_CLIENT[] =
	"SELECT COUNT(*) FROM oidc_pending WHERE client = ?1 AND expires_at > ?2";
static const char SQL_OIDC_COUNT_ALL[] = "SELECT COUNT(*) FROM oidc_pending WHERE expires_at > ?1";
static const char SQL_OIDC_PUT[] =
	"INSERT INTO oidc_pending(state_hash, client, issuer, client_id, redirect_uri, nonce, verifier,"
	" link_username, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_OIDC_TAKE[] =
	"DELETE FROM oidc_pending WHERE state_hash = ?1 AND issuer = ?2"
	" RETURNING client, client_id, redirect_uri, nonce, verifier, link_username, created_at,"
	" expires_at";

int dvc__store_oidc_purge(dvc_db *db, dvc_time now)
{
	return DVC__EXEC(db, SQL_OIDC_PURGE, "removing expired sign-ins", DVC__INT(now));
}

int dvc__store_oidc_count(dvc_db *db, const char *client, dvc_time now, int64_t *n)
{
	dvc__sql_stmt *st = client ? DVC__STMT(db, SQL_OIDC_COUNT_CLIENT, DVC__TEXT(client), DVC__INT(now))
				   : DVC__STMT(db, SQL_OIDC_COUNT_ALL, DVC__INT(now));
	return dvc__count(db, st, n, "counting pending sign-ins");

}

int dvc__store_oidc_put(dvc_db *db, const dvc__oidc_pending *p)
{
	return DVC__EXEC(db, SQL_OIDC_PUT, "storing a pending sign-in", DVC__TEXT(p->state_hash),
			 DVC__TEXT(p->client), DVC__TEXT(p->issuer), DVC__TEXT(p->client_id),
			 DVC__TEXT(p->redirect_uri), DVC__TEXT(p->nonce), DVC__TEXT(p->verifier),
			 DVC__TEXT(p->link_username), DVC__INT(p->created_at), DVC__INT(p->expires_at));

}

int dvc__store_oidc_take(dvc_db *db, const char *state_hash, const char *issuer, dvc_arena *a,
			 dvc__oidc_pending *out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_OIDC_TAKE);
	int rc, found = 0;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, state_hash, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, issuer, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		int has_link = dvc__sql_column_type(st, 5) != DVC__SQL_NULL;
		found = 1;
		out->state_hash = state_hash;
		out->issuer = issuer;
		out->client = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 0));
		out->client_id = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 1));
		out->redirect_uri = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 2));
		out->nonce = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 3));
		out->verifier = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 4));
		out->link_username = has_link ? dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 5))
					      : NULL;
		out->created_at = dvc__sql_column_int64(st, 6);
		out->expires_at = dvc__sql_column_int64(st, 7);
		/* a RETURNING statement has deleted once stepped to its end */
		rc = dvc__sql_step(st);
		if (rc == DVC__SQL_DONE && (!out->client || !out->client_id || !out->redirect_uri ||
					    !out->nonce || !out->verifier || (has_link && !out->link_username)))
			rc = DVC__SQL_NOMEM;
	} else if (rc == DVC__SQL_DONE) {
		found = 0;
	}
	dvc__sql_reset(st);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "taking a pending sign-in");
	return found;
}
