/* Portal sessions (session.h): signed-in sessions are rows keyed by the
 * hash of their token; visitors are stateless, their CSRF token derived
 * from their token with the store's key. */
#include "session_internal.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <string.h>

struct dvc_session {
	dvc_session_kind kind;
	char token[DVC_SESSION_TOKEN_LEN + 1];
	char csrf[DVC_SESSION_TOKEN_LEN + 1];
	char username[DVC_USERNAME_MAX + 1];
	char unit[DVC__CODE_SIZE];
	dvc_role role;
	int national;
	dvc_time expires;
};

/* A renewal is a write: made at most once a minute per session (or half
 * its lifetime, when shorter), not on every request. */
#define RENEW_EVERY 60

static int token_ok(const char *t)
{
	size_t i;
	if (!t)
		return 0;
	for (i = 0; i < DVC_SESSION_TOKEN_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return 0;
	return t[i] == '\0';
}

static void token_hash(const char *token, char out[DVC__SESSION_HASH_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, DVC_SESSION_TOKEN_LEN);
	sodium_bin2hex(out, DVC__SESSION_HASH_SIZE, h, sizeof h);
}

static int load_key(dvc_db *db, char key[DVC__SESSION_KEY_HEX])
{
	unsigned char r[32];
	char fresh[DVC__SESSION_KEY_HEX];
	int rc;
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(fresh, sizeof fresh, r, sizeof r);
	sodium_memzero(r, sizeof r);
	rc = dvc__store_key_get(db, "csrf", fresh, key);
	sodium_memzero(fresh, sizeof fresh);
	return rc;
}

/* The CSRF token of `token`: keyed BLAKE2b with the store's key, read once
 * per handle (made by the first process that needed it). */
static int derive_csrf(dvc_db *db, const char *token, char out[DVC_SESSION_TOKEN_LEN + 1])
{
	unsigned char h[32], key[32];
	int rc;
	if (!db->session_key_set) {
		char hex[DVC__SESSION_KEY_HEX];
		DVC__WRITE(db, rc, load_key(db, hex));
		if (rc == DVC_OK && sodium_hex2bin(db->session_key, sizeof db->session_key, hex,
						   strlen(hex), NULL, NULL, NULL) != 0)
			rc = dvc__err(DVC_ECORRUPT, NULL, "the store's CSRF key is not 32 bytes of hex");
		sodium_memzero(hex, sizeof hex);
		if (rc != DVC_OK)
			return rc;
		db->session_key_set = 1;
	}
	memcpy(key, db->session_key, sizeof key);
	crypto_generichash(h, sizeof h, (const unsigned char *)token, DVC_SESSION_TOKEN_LEN, key,
			   sizeof key);
	sodium_memzero(key, sizeof key);
	sodium_bin2hex(out, DVC_SESSION_TOKEN_LEN + 1, h, sizeof h);
	return DVC_OK;
}

/* An officer's unit and role, as the officer table has them. */
static int officer_fill(dvc_db *db, dvc_session *s)
{
	dvc__officer_row o;
	int rc = dvc__store_officer_get(db, s->username, &o, NULL, NULL);
	if (rc != DVC_OK)
		return rc;
	memcpy(s->unit, o.unit, sizeof s->unit);
	s->role = o.role;
	return DVC_OK;
}

static int start_write(dvc_db *db, const dvc_session_req *req, const char *hash,
		       const dvc__session_row *row)
{
	int rc = DVC_OK;
	if (req->replaces && *req->replaces) {
		char old[DVC__SESSION_HASH_SIZE];
		token_hash(req->replaces, old);
		if ((rc = dvc__store_session_delete(db, old)) != DVC_OK)
			return rc;
	}
	if (req->kind == DVC_SESSION_VISITOR)
		return DVC_OK;
	if ((rc = dvc__store_session_purge(db, row->created_at - DVC_SESSION_GRACE_SECONDS)) != DVC_OK ||
	    (rc = dvc__store_session_trim(db, row->kind, row->username,
					  DVC_SESSION_MAX_PER_USER - 1)) != DVC_OK)
		return rc;
	return dvc__store_session_put(db, hash, row);
}

static int start_check(const dvc_session_req *req)
{
	if (req->version != DVC_SESSION_REQ_VERSION)
		return dvc__version_err("dvc_session_req", req->version, DVC_SESSION_REQ_VERSION);
	if (req->kind != DVC_SESSION_VISITOR && req->kind != DVC_SESSION_ACCOUNT &&
	    req->kind != DVC_SESSION_OFFICER)
		return dvc__err(DVC_EINVAL, "kind", "unknown session kind %d", (int)req->kind);
	if ((req->kind == DVC_SESSION_VISITOR) != (req->username == NULL))
		return dvc__err(DVC_EINVAL, "username", req->username ? "a visitor has no username"
								      : "a signed-in session needs a username");
	if (req->username && (strlen(req->username) > DVC_USERNAME_MAX || !*req->username))
		return dvc__err(DVC_EINVAL, "username", "a username is 1 to %d bytes", DVC_USERNAME_MAX);
	if (req->ttl < 0 || req->ttl > DVC_SESSION_TTL_MAX)
		return dvc__err(DVC_EINVAL, "ttl", "a session lasts 1 to %d seconds idle (0: %d)",
				DVC_SESSION_TTL_MAX, DVC_SESSION_TTL_DEFAULT);
	if (req->replaces && *req->replaces && !token_ok(req->replaces))
		return dvc__err(DVC_EINVAL, "replaces", "a session token is %d lower-case hex characters",
				DVC_SESSION_TOKEN_LEN);
	return DVC_OK;
}

int dvc_session_start(dvc_db *db, const dvc_session_req *req, dvc_session **out)
{
	unsigned char r[32];
	char hash[DVC__SESSION_HASH_SIZE];
	dvc__session_row row;
	dvc_session *s;
	dvc_time now;
	int rc;

	if (!db || !req || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_session_start needs a store, a request and an out pointer");
	*out = NULL;
	if ((rc = start_check(req)) != DVC_OK || (rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	if (!(s = dvc__calloc(1, sizeof *s)))
		return dvc__oom();
	s->kind = req->kind;
	s->role = DVC_ROLE_APPLICANT;
	if (req->username)
		memcpy(s->username, req->username, strlen(req->username) + 1);
	if (req->kind == DVC_SESSION_ACCOUNT) {
		dvc_account *a;
		if ((rc = dvc_account_get(db, req->username, &a)) == DVC_OK)
			dvc_account_free(a);
	} else if (req->kind == DVC_SESSION_OFFICER) {
		rc = officer_fill(db, s);
	}
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(s->token, sizeof s->token, r, sizeof r);
	sodium_memzero(r, sizeof r);
	if (rc == DVC_OK)
		rc = derive_csrf(db, s->token, s->csrf);
	if (rc == DVC_OK) {
		memset(&row, 0, sizeof row);
		row.kind = (int)req->kind;
		memcpy(row.username, s->username, sizeof row.username);
		row.national = s->national = req->kind == DVC_SESSION_ACCOUNT && req->national;
		row.ttl = req->ttl ? req->ttl : DVC_SESSION_TTL_DEFAULT;
		row.created_at = now;
		row.expires_at = s->expires = req->kind == DVC_SESSION_VISITOR ? 0 : now + row.ttl;
		token_hash(s->token, hash);
		if (req->kind != DVC_SESSION_VISITOR || (req->replaces && *req->replaces))
			DVC__WRITE(db, rc, start_write(db, req, hash, &row));
	}
	if (rc != DVC_OK) {
		dvc_session_free(s);
		return rc;
	}
	*out = s;
	return DVC_OK;
}

static int renew(dvc_db *db, const char *hash, dvc_time until)
{
	return dvc__store_session_touch(db, hash, until);
}

int dvc_session_find(dvc_db *db, const char *token, dvc_session **out)
{
	char hash[DVC__SESSION_HASH_SIZE];
	dvc__session_row row;
	dvc_session *s;
	dvc_time now;
	int rc, found;

	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_session_find needs a store and an out pointer");
	*out = NULL;
	if (!token_ok(token))
		return dvc__err(DVC_EINVAL, "token", "a session token is %d lower-case hex characters",
				DVC_SESSION_TOKEN_LEN);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	token_hash(token, hash);
	if ((found = dvc__store_session_get(db, hash, &row)) < 0)
		return found;
	if (found && row.expires_at <= now)
		return dvc__err(DVC_EEXPIRED, NULL, "the session has expired: sign in again");
	if (!(s = dvc__calloc(1, sizeof *s)))
		return dvc__oom();
	memcpy(s->token, token, DVC_SESSION_TOKEN_LEN); /* token_ok: exactly that long */
	s->kind = DVC_SESSION_VISITOR;
	s->role = DVC_ROLE_APPLICANT;
	if (found) {
		s->kind = (dvc_session_kind)row.kind;
		s->national = row.national;
		s->expires = row.expires_at;
		memcpy(s->username, row.username, sizeof s->username);
		if (s->kind == DVC_SESSION_OFFICER && (rc = officer_fill(db, s)) == DVC_ENOTFOUND)
			rc = dvc__err(DVC_EAUTH, NULL, "officer %s no longer exists", s->username);
		if (rc == DVC_OK &&
		    row.expires_at - now < row.ttl - (row.ttl / 2 < RENEW_EVERY ? row.ttl / 2 : RENEW_EVERY)) {
			s->expires = now + row.ttl;
			DVC__WRITE(db, rc, renew(db, hash, s->expires));
		}
	}
	if (rc == DVC_OK)
		rc = derive_csrf(db, token, s->csrf);
	if (rc != DVC_OK) {
		dvc_session_free(s);
		return rc;
	}
	*out = s;
	return DVC_OK;
}

static int end_write(dvc_db *db, const char *hash)
{
	return dvc__store_session_delete(db, hash);
}

int dvc_session_end(dvc_db *db, const char *token)
{
	char hash[DVC__SESSION_HASH_SIZE];
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (!token_ok(token))
		return dvc__err(DVC_EINVAL, "token", "a session token is %d lower-case hex characters",
				DVC_SESSION_TOKEN_LEN);
	token_hash(token, hash);
	DVC__WRITE(db, rc, end_write(db, hash));
	return rc;
}

int dvc_session_csrf_check(const dvc_session *s, const char *csrf)
{
	if (!s || !csrf || strlen(csrf) != DVC_SESSION_TOKEN_LEN ||
	    sodium_memcmp(csrf, s->csrf, DVC_SESSION_TOKEN_LEN) != 0)
		return dvc__err(DVC_EPERM, "csrf", "missing or wrong CSRF token");
	return DVC_OK;
}

const char *dvc_session_token(const dvc_session *s) { return s ? s->token : NULL; }
const char *dvc_session_csrf(const dvc_session *s) { return s ? s->csrf : NULL; }
dvc_session_kind dvc_session_kind_of(const dvc_session *s)
{
	return s ? s->kind : DVC_SESSION_VISITOR;
}
const char *dvc_session_username(const dvc_session *s)
{
	return s && s->kind != DVC_SESSION_VISITOR ? s->username : NULL;
}
const char *dvc_session_unit(const dvc_session *s)
{
	return s && s->kind == DVC_SESSION_OFFICER ? s->unit : NULL;
}
dvc_role dvc_session_role(const dvc_session *s)
{
	return s && s->kind == DVC_SESSION_OFFICER ? s->role : DVC_ROLE_APPLICANT;
}
int dvc_session_national(const dvc_session *s) { return s ? s->national : 0; }
dvc_time dvc_session_expires(const dvc_session *s) { return s ? s->expires : 0; }

dvc_actor dvc_session_actor(const dvc_session *s)
{
	dvc_actor a = {DVC_ACTOR_ANONYMOUS, NULL, NULL};
	if (s && s->kind != DVC_SESSION_VISITOR) {
		a.kind = s->kind == DVC_SESSION_OFFICER ? DVC_ACTOR_OFFICER : DVC_ACTOR_ACCOUNT;
		a.name = s->username;
	}
	return a;
}

int dvc_session_json(const dvc_session *s, char **out)
{
	unsigned long failures = dvc__alloc_failures();
	cJSON *o, *a;
	if (!s || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_session_json needs a session and an out pointer");
	*out = NULL;
	o = cJSON_CreateObject();
	dvc__json_put_str(o, "csrf", s->csrf);
	if (s->kind == DVC_SESSION_VISITOR) {
		dvc__json_put(o, "actor", cJSON_CreateNull());
	} else {
		a = dvc__json_put(o, "actor", cJSON_CreateObject());
		dvc__json_put_str(a, "kind", s->kind == DVC_SESSION_OFFICER ? "officer" : "account");
		dvc__json_put_str(a, "username", s->username);
		if (s->kind == DVC_SESSION_OFFICER) {
			dvc__json_put_str(a, "unit", s->unit);
			dvc__json_put_str(a, "role", dvc_role_name(s->role));
			dvc__json_put_str(a, "role_label", dvc_role_label_vi(s->role));
		}
	}
	return dvc__json_print(o, failures, out);
}

void dvc_session_free(dvc_session *s)
{
	if (!s)
		return;
	sodium_memzero(s, sizeof *s);
	dvc__free(s);
}
