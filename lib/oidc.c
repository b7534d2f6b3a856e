/* OpenID Connect sign-in: the authorization-code flow with PKCE, the ID
 * token verified with libcjose, the verified identity linked through
 * identity.c (oidc.h says the whole flow).
 *
 * What the front end cannot get wrong because it never decides it: the
 * random values come from libsodium; the pending sign-in lives in the store
 * keyed by the SHA-256 of its state (a stolen table row does not give the
 * state) and is deleted by the first callback that names it, before any
 * other check, so a state works once whatever happens next; the token
 * request is written here; the token response and the ID token go through
 * the strict JSON reader; only RS256 and ES256 are accepted, decided from
 * the header before libcjose sees the token, so "none" and an HMAC keyed
 * with a public key never reach a verifier; every claim check has its own
 * error code and path.
 *
 * Without libcjose (meson -Doidc=disabled, or not found) the module is built
 * all the same, so that the ABI does not depend on the build: starting a
 * sign-in and reading the callback work, and the two calls that need
 * libcjose (keys, token verification) answer DVC_EINVAL saying so. */
#include "dvc/identity.h"
#include "dvc/oidc.h"
#include "oidc_internal.h"
#include "text.h"
#include "throttle_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#ifdef DVC_HAVE_CJOSE
#include <cjose/cjose.h>
#endif

/* base64url of 32 bytes, without padding, and its NUL */
#define RANDOM_BYTES 32
#define RANDOM_SIZE (DVC_OIDC_RANDOM_LEN + 1)
/* Hex SHA-256 and BLAKE2b-128 with their NUL. */
#define HASH_HEX_SIZE (crypto_hash_sha256_BYTES * 2 + 1)
#define CLIENT_HASH_BYTES 16
#define CLIENT_HEX_SIZE (CLIENT_HASH_BYTES * 2 + 1)
/* A JOSE header, decoded. */
#define JOSE_HEADER_MAX 2048
/* Members of a token response or a claims set. */
#define MEMBERS_MAX 256

enum { KEY_RSA = 1, KEY_EC = 2 };

#ifdef DVC_HAVE_CJOSE
typedef struct oidc_key {
	char *kid; /* NULL when the JWK has none */
	int kty;
	cjose_jwk_t *jwk;
} oidc_key;
#endif

struct dvc_oidc_client {
	char *issuer, *authz, *token, *userinfo, *client_id, *secret, *redirect, *scope;
	char *discovery, *jwks_uri; /* the discovery document's URL; its jwks_uri once read */
	char *acr_values, *acr1, *acr2;
	int min_assurance;
#ifdef DVC_HAVE_CJOSE
	oidc_key keys[DVC_OIDC_JWKS_KEYS_MAX];
	size_t nkeys;
#endif
};

/* Where a login is in the flow: each call moves it one step or refuses it
 * for good. */
enum { LOGIN_CALLBACK = 1, LOGIN_VERIFIED, LOGIN_DONE, LOGIN_REFUSED };

struct dvc_oidc_login {
	int stage;
	char *issuer, *client_id; /* of the client that read the callback */
	char *token_url, *token_body;
	char *nonce, *link_username;
	char *access_token;
	char *claims;  /* the ID token's claims, JSON */
	char *subject; /* its `sub` */
	char *acr;     /* its `acr`, or NULL */
};

/* ---- configuration ---- */

/* dvc__check_text, and no control characters: the values go into the
 * provider's HTTP requests */

static int check_text(const char *s, const char *field, size_t max, bool required)
{
	int rc = dvc__check_text(s, field, max, required);
	if (rc != DVC_OK || !s)
		return rc;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)

		if (*p < 0x20 || *p == 0x7F)
			return dvc__err(DVC_EINVAL, field, "%s has a control character", field);
	return DVC_OK;
}

/* https://host..., or http:// on a loopback host; no fragment, no white
 * space; `issuer`: no query and no trailing slash either. */
static int check_url(const char *s, const char *field, bool required, bool issuer)
{
	static const char *const loopback[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};
	const char *host = NULL;
	int rc;
	if ((rc = check_text(s, field, DVC_OIDC_URL_MAX, required)) != DVC_OK || !s || !*s)
		return rc;
	if (strncmp(s, "https://", 8) == 0 && s[8] && s[8] != '/' && s[8] != ':')
		host = s + 8;
	for (size_t i = 0; !host && i < DVC_ARRAY_LEN(loopback); i++) {
		size_t n = strlen(loopback[i]);
		if (strncmp(s, loopback[i], n) == 0 && (s[n] == '\0' || s[n] == ':' || s[n] == '/'))
			host = s + 7;
	}
	if (!host)
		return dvc__err(DVC_EINVAL, field, "%s must be an https:// URL (http:// only on a "
				"loopback host)", field);
	if (strpbrk(s, " #\\"))
		return dvc__err(DVC_EINVAL, field, "%s has a space, a backslash or a fragment", field);
	if (issuer && (strchr(s, '?') || s[strlen(s) - 1] == '/'))
		return dvc__err(DVC_EINVAL, field, "%s must have no query and no trailing slash", field);
	return DVC_OK;
}

/* `set` when given, else `issuer` + `path` (NULL path: no default). */
static char *url_or_default(const char *set, const char *issuer, const char *path)
{
	dvc_buf b = DVC_BUF_INIT;
	if (set && *set)
		return dvc__strdup(set);
	dvc_buf_puts(&b, issuer);
	dvc_buf_puts(&b, path);
	return dvc_buf_detach(&b);
}

void dvc_oidc_client_free(dvc_oidc_client *c)
{
	if (!c)
		return;
	char *s[] = {c->issuer, c->authz, c->token, c->userinfo, c->client_id, c->redirect,
		     c->scope, c->acr_values, c->acr1, c->acr2, c->discovery, c->jwks_uri};
	for (size_t i = 0; i < DVC_ARRAY_LEN(s); i++)
		dvc__free(s[i]);
	if (c->secret) {
		sodium_memzero(c->secret, strlen(c->secret));
		dvc__free(c->secret);
	}
#ifdef DVC_HAVE_CJOSE
	for (size_t i = 0; i < c->nkeys; i++) {
		dvc__free(c->keys[i].kid);
		cjose_jwk_release(c->keys[i].jwk);
	}
#endif
	dvc__free(c);
}

int dvc_oidc_client_new(dvc_oidc_client **out, const dvc_oidc_config *cfg)
{
	dvc_oidc_client *c;
	int rc;
	if (!out || !cfg)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_client_new needs an out pointer and a configuration");
	*out = NULL;
	if (cfg->version != DVC_OIDC_CONFIG_VERSION)
		return dvc__version_err("dvc_oidc_config", cfg->version, DVC_OIDC_CONFIG_VERSION);
	if ((rc = check_url(cfg->issuer, "issuer", true, true)) != DVC_OK ||
	    (rc = check_url(cfg->authorization_endpoint, "authorization_endpoint", false, false)) != DVC_OK ||
	    (rc = check_url(cfg->token_endpoint, "token_endpoint", false, false)) != DVC_OK ||
	    (rc = check_url(cfg->userinfo_endpoint, "userinfo_endpoint", false, false)) != DVC_OK ||
	    (rc = check_url(cfg->redirect_uri, "redirect_uri", true, false)) != DVC_OK ||
	    (rc = check_text(cfg->client_id, "client_id", DVC_OIDC_CLIENT_ID_MAX, true)) != DVC_OK ||
	    (rc = check_text(cfg->client_secret, "client_secret", DVC_OIDC_SECRET_MAX, true)) != DVC_OK ||
	    (rc = check_text(cfg->scope, "scope", DVC_OIDC_ACR_MAX, false)) != DVC_OK ||
	    (rc = check_text(cfg->acr_values, "acr_values", DVC_OIDC_ACR_MAX, false)) != DVC_OK ||
	    (rc = check_text(cfg->acr_level1, "acr_level1", DVC_OIDC_ACR_MAX, false)) != DVC_OK ||
	    (rc = check_text(cfg->acr_level2, "acr_level2", DVC_OIDC_ACR_MAX, false)) != DVC_OK)
		return rc;
	if (cfg->scope && *cfg->scope && !strstr(cfg->scope, "openid"))
		return dvc__err(DVC_EINVAL, "scope", "scope must include openid");
	if (cfg->min_assurance < 0 || cfg->min_assurance > DVC_ASSURANCE_MAX)
		return dvc__err(DVC_EINVAL, "min_assurance", "min_assurance must be 0..%d", DVC_ASSURANCE_MAX);
	if (!(c = dvc__calloc(1, sizeof *c)))
		return dvc__oom();
	c->issuer = dvc__strdup(cfg->issuer);
	/* the portal's paths, from public implementations (unconfirmed) */
	c->authz = url_or_default(cfg->authorization_endpoint, cfg->issuer, "/oauth2/authorize");
	c->token = url_or_default(cfg->token_endpoint, cfg->issuer, "/oauth2/token");
	c->userinfo = url_or_default(cfg->userinfo_endpoint, cfg->issuer, "/oauth2/userinfo");
	c->client_id = dvc__strdup(cfg->client_id);
	c->secret = dvc__strdup(cfg->client_secret);
	c->redirect = dvc__strdup(cfg->redirect_uri);
	c->scope = dvc__strdup(cfg->scope && *cfg->scope ? cfg->scope : "openid");
	c->acr_values = cfg->acr_values && *cfg->acr_values ? dvc__strdup(cfg->acr_values) : NULL;
	c->acr1 = dvc__strdup(cfg->acr_level1 && *cfg->acr_level1 ? cfg->acr_level1 : "1");
	c->acr2 = dvc__strdup(cfg->acr_level2 && *cfg->acr_level2 ? cfg->acr_level2 : "2");
	c->min_assurance = cfg->min_assurance;
	c->discovery = url_or_default(NULL, cfg->issuer, "/.well-known/openid-configuration");
	if (!c->issuer || !c->authz || !c->token || !c->userinfo || !c->client_id || !c->secret ||
	    !c->discovery ||
	    !c->redirect || !c->scope || (cfg->acr_values && *cfg->acr_values && !c->acr_values) ||
	    !c->acr1 || !c->acr2) {
		dvc_oidc_client_free(c);
		return dvc__oom();
	}
	if (strcmp(c->acr1, c->acr2) == 0) {
		dvc_oidc_client_free(c);
		return dvc__err(DVC_EINVAL, "acr_level2", "acr_level1 and acr_level2 must differ");
	}
	*out = c;
	return DVC_OK;
}

const char *dvc_oidc_client_issuer(const dvc_oidc_client *c) { return c ? c->issuer : NULL; }
const char *dvc_oidc_client_userinfo_url(const dvc_oidc_client *c) { return c ? c->userinfo : NULL; }
const char *dvc_oidc_client_discovery_url(const dvc_oidc_client *c) { return c ? c->discovery : NULL; }
const char *dvc_oidc_client_jwks_url(const dvc_oidc_client *c) { return c ? c->jwks_uri : NULL; }

int dvc_oidc_url_check(const char *url)
{
	return check_url(url, "url", true, false);
}

/* ---- JSON helpers ---- */

/* A member that must be a string when present: *out NULL when absent or
 * null. DVC_ESCHEMA for another type, DVC_EINVAL when required and absent
 * or empty, DVC_ETOOBIG past max. */
static int member_str(const cJSON *o, const char *name, bool required, size_t max, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return required ? dvc__err(DVC_EINVAL, name, "%s is missing", name) : DVC_OK;
	if (!cJSON_IsString(v))
		return dvc__err(DVC_ESCHEMA, name, "%s is not a string", name);
	if (required && !*v->valuestring)
		return dvc__err(DVC_EINVAL, name, "%s is empty", name);
	if (strlen(v->valuestring) > max)
		return dvc__err(DVC_ETOOBIG, name, "%s is longer than %zu bytes", name, max);
	*out = v->valuestring;
	return DVC_OK;
}

/* An object with at most MEMBERS_MAX members, none twice: a claim given
 * twice could be read one way here and another way elsewhere. */
static int object_members(const cJSON *o, const char *what)
{
	size_t n = 0;
	if (!cJSON_IsObject(o))
		return dvc__err(DVC_ESCHEMA, NULL, "%s is not a JSON object", what);
	for (const cJSON *a = o->child; a; a = a->next, n++) {
		if (n == MEMBERS_MAX)
			return dvc__err(DVC_ETOOBIG, NULL, "%s has more than %d members", what, MEMBERS_MAX);
		for (const cJSON *b = o->child; b != a; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return dvc__err(DVC_EDUPLICATE, a->string, "%s has %s twice", what, a->string);
	}
	return DVC_OK;
}

/* ---- discovery (OpenID Connect Discovery 1.0) ---- */

int dvc_oidc_client_set_discovery(dvc_oidc_client *c, const char *json, size_t len)
{
	static const dvc__json_limits lim = {DVC_OIDC_DISCOVERY_MAX, 8, 4096};
	static const char *const names[] = {"issuer", "authorization_endpoint", "token_endpoint",
					    "jwks_uri", "userinfo_endpoint"};
	const char *v[DVC_ARRAY_LEN(names)];
	char *copy[DVC_ARRAY_LEN(names)] = {NULL};
	cJSON *root;
	int rc = DVC_OK;
	if (!c || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_client_set_discovery needs a client and a document");
	if ((rc = dvc__json_read(json, len, &lim, "the discovery document", &root)) != DVC_OK)
		return rc;
	if (!cJSON_IsObject(root))
		rc = dvc__err(DVC_ESCHEMA, NULL, "the discovery document is not a JSON object");
	for (size_t i = 0; rc == DVC_OK && i < DVC_ARRAY_LEN(names); i++)
		if ((rc = member_str(root, names[i], i < 4, DVC_OIDC_URL_MAX, &v[i])) == DVC_OK)
			rc = check_url(v[i], names[i], i < 4, i == 0);
	/* §4.3: the issuer it names must be the one it was fetched for */
	if (rc == DVC_OK && strcmp(v[0], c->issuer) != 0)
		rc = dvc__err(DVC_EINVAL, "issuer", "the discovery document is of issuer %s, not %s", v[0],
			      c->issuer);
	for (size_t i = 1; rc == DVC_OK && i < DVC_ARRAY_LEN(names); i++)
		if (v[i] && !(copy[i] = dvc__strdup(v[i])))
			rc = dvc__oom();
	cJSON_Delete(root);
	if (rc != DVC_OK) {
		for (size_t i = 0; i < DVC_ARRAY_LEN(copy); i++)
			dvc__free(copy[i]);
		return rc;
	}
	/* all or nothing: the client changes only now */
	dvc__free(c->authz);
	dvc__free(c->token);
	dvc__free(c->jwks_uri);
	c->authz = copy[1];
	c->token = copy[2];
	c->jwks_uri = copy[3];
	if (copy[4]) {
		dvc__free(c->userinfo);
		c->userinfo = copy[4];
	}
	return DVC_OK;
}

/* ---- random values and hashes ---- */

static void b64url(const unsigned char *bin, size_t n, char *out, size_t out_size)
{
	sodium_bin2base64(out, out_size, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void random_b64url(char out[RANDOM_SIZE])
{
	unsigned char r[RANDOM_BYTES];
	randombytes_buf(r, sizeof r);
	b64url(r, sizeof r, out, RANDOM_SIZE);
	sodium_memzero(r, sizeof r);
}

static void sha256_hex(const char *s, char out[HASH_HEX_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, HASH_HEX_SIZE, h, sizeof h);
}

/* The client key as stored: its BLAKE2b, so no address is kept. */
static void client_hex(const char *client, char out[CLIENT_HEX_SIZE])
{
	unsigned char h[CLIENT_HASH_BYTES];
	const char *s = client ? client : "";
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s),
			   (const unsigned char *)"dvc-oidc-client", 15);
	sodium_bin2hex(out, CLIENT_HEX_SIZE, h, sizeof h);
}

/* ---- URLs and forms ---- */

/* Percent-encode everything but RFC 3986's unreserved characters. */
static void put_pct(dvc_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			dvc_buf_putc(b, (char)*p);
		} else {
			dvc_buf_putc(b, '%');
			dvc_buf_putc(b, hex[*p >> 4]);
			dvc_buf_putc(b, hex[*p & 15]);
		}
	}
}

static void put_param(dvc_buf *b, const char *name, const char *value)
{
	if (b->len && b->ptr[b->len - 1] != '?')
		dvc_buf_putc(b, '&');
	dvc_buf_puts(b, name);
	dvc_buf_putc(b, '=');
	put_pct(b, value);
}

/* ---- starting a sign-in ---- */

static int begin(dvc_db *db, const dvc__oidc_pending *p, dvc_time now)
{
	int64_t n;
	int rc;
	if ((rc = dvc__store_oidc_purge(db, now)) != DVC_OK ||
	    (rc = dvc__store_oidc_count(db, p->client, now, &n)) != DVC_OK)
		return rc;
	if (n >= DVC_OIDC_PENDING_PER_CLIENT)
		return dvc__err(DVC_ETHROTTLED, NULL, "this client already has %d sign-ins waiting: "
				"finish one or wait %d minutes", DVC_OIDC_PENDING_PER_CLIENT,
				DVC_OIDC_PENDING_SECONDS / 60);
	if ((rc = dvc__store_oidc_count(db, NULL, now, &n)) != DVC_OK)
		return rc;
	if (n >= DVC_OIDC_PENDING_MAX)
		return dvc__err(DVC_ETHROTTLED, NULL, "%d sign-ins are waiting: try again in a few minutes",
				DVC_OIDC_PENDING_MAX);
	return dvc__store_oidc_put(db, p);
}

int dvc_oidc_begin(dvc_db *db, const dvc_oidc_client *c, const dvc_caller *from,
		   const char *link_username, char **url)
{
	char state[RANDOM_SIZE], nonce[RANDOM_SIZE], verifier[RANDOM_SIZE], challenge[RANDOM_SIZE];
	char state_hash[HASH_HEX_SIZE], client[CLIENT_HEX_SIZE];
	unsigned char h[crypto_hash_sha256_BYTES];
	dvc__oidc_pending p;
	dvc_buf b = DVC_BUF_INIT;
	dvc_time now;
	int rc;
	if (!db || !c || !url)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_begin needs a store, a client and an out pointer");
	*url = NULL;
	if (from && from->version != DVC_CALLER_VERSION)
		return dvc__version_err("dvc_caller", from->version, DVC_CALLER_VERSION);
	if ((rc = dvc__client_check(from ? from->client : NULL)) != DVC_OK)
		return rc;
	if (link_username) {
		dvc_account *acc;
		if ((rc = check_text(link_username, "link_username", DVC_USERNAME_MAX, true)) != DVC_OK ||
		    (rc = dvc_account_get(db, link_username, &acc)) != DVC_OK)
			return rc;
		dvc_account_free(acc);
	}
	if (sodium_init() < 0)
		return dvc__err(DVC_ERROR, NULL, "libsodium failed to initialise");
	random_b64url(state);
	random_b64url(nonce);
	random_b64url(verifier);
	/* PKCE S256 (RFC 7636): BASE64URL(SHA256(ASCII(code_verifier))) */
	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	b64url(h, sizeof h, challenge, sizeof challenge);
	sha256_hex(state, state_hash);
	client_hex(from ? from->client : NULL, client);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		return rc;
	memset(&p, 0, sizeof p);
	p.state_hash = state_hash;
	p.client = client;
	p.issuer = c->issuer;
	p.client_id = c->client_id;
	p.redirect_uri = c->redirect;
	p.nonce = nonce;
	p.verifier = verifier;
	p.link_username = link_username;
	p.created_at = now;
	p.expires_at = now + DVC_OIDC_PENDING_SECONDS;

	dvc_buf_puts(&b, c->authz);
	dvc_buf_putc(&b, strchr(c->authz, '?') ? '&' : '?');
	put_param(&b, "response_type", "code");
	put_param(&b, "client_id", c->client_id);
	put_param(&b, "redirect_uri", c->redirect);
	put_param(&b, "scope", c->scope);
	put_param(&b, "state", state);
	put_param(&b, "nonce", nonce);
	put_param(&b, "code_challenge", challenge);
	put_param(&b, "code_challenge_method", "S256");
	if (c->acr_values)
		put_param(&b, "acr_values", c->acr_values);
	if (b.oom) {
		dvc_buf_free(&b);
		return dvc__oom();
	}
	DVC__WRITE(db, rc, begin(db, &p, now));
	sodium_memzero(verifier, sizeof verifier);
	if (rc != DVC_OK) {
		dvc_buf_free(&b);
		return rc;
	}
	*url = dvc_buf_detach(&b);
	return DVC_OK;
}

/* ---- the callback ---- */

void dvc_oidc_login_free(dvc_oidc_login *l)
{
	if (!l)
		return;
	if (l->token_body) {
		sodium_memzero(l->token_body, strlen(l->token_body));
		dvc__free(l->token_body);
	}
	if (l->access_token) {
		sodium_memzero(l->access_token, strlen(l->access_token));
		dvc__free(l->access_token);
	}
	char *s[] = {l->issuer, l->client_id, l->token_url, l->nonce, l->link_username, l->claims,
		     l->subject, l->acr};
	for (size_t i = 0; i < DVC_ARRAY_LEN(s); i++)
		dvc__free(s[i]);
	dvc__free(l);
}

const char *dvc_oidc_login_token_url(const dvc_oidc_login *l) { return l ? l->token_url : NULL; }
const char *dvc_oidc_login_token_body(const dvc_oidc_login *l) { return l ? l->token_body : NULL; }
const char *dvc_oidc_login_access_token(const dvc_oidc_login *l)
{
	return l && (l->stage == LOGIN_VERIFIED || l->stage == LOGIN_DONE) ? l->access_token : NULL;
}
const char *dvc_oidc_login_claims(const dvc_oidc_login *l)
{
	return l && (l->stage == LOGIN_VERIFIED || l->stage == LOGIN_DONE) ? l->claims : NULL;
}

/* The callback's parameters that mean something here; others are read
 * (they must be well formed) and ignored. */
enum { Q_STATE, Q_CODE, Q_ERROR, Q_ERROR_DESC, Q_ISS, Q_COUNT };
static const char *const query_names[Q_COUNT] = {"state", "code", "error", "error_description", "iss"};

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Decode one application/x-www-form-urlencoded component into `a`. */
static int pct_decode(const char *s, size_t n, dvc_arena *a, const char *name, char **out)
{
	char *d = dvc_arena_alloc(a, n + 1);
	size_t k = 0;
	if (!d)
		return dvc__oom();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return dvc__err(DVC_EPARSE, name, "parameter %s has a bad percent-escape", name);
			d[k++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[k++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	d[k] = '\0';
	if (strlen(d) != k || !dvc__utf8_valid(d, k))
		return dvc__err(DVC_EUTF8, name, "parameter %s is not valid UTF-8 text", name);
	*out = d;
	return DVC_OK;
}

static int parse_query(const char *q, size_t len, dvc_arena *a, char *v[Q_COUNT])
{
	size_t i = 0;
	int rc;
	if (len > DVC_OIDC_QUERY_MAX)
		return dvc__err(DVC_ETOOBIG, NULL, "the callback query is longer than %d bytes",
				DVC_OIDC_QUERY_MAX);
	while (i < len) {
		size_t end = i, eq;
		char *name;
		while (end < len && q[end] != '&')
			end++;
		for (eq = i; eq < end && q[eq] != '='; eq++)
			;
		if (end == i) { /* an empty pair ("a=1&&b=2") */
			i = end + 1;
			continue;
		}
		if (eq == end)
			return dvc__err(DVC_EPARSE, NULL, "a callback parameter has no '='");
		if ((rc = pct_decode(q + i, eq - i, a, "query", &name)) != DVC_OK)
			return rc;
		for (int k = 0; k < Q_COUNT; k++) {
			if (strcmp(name, query_names[k]) != 0)
				continue;
			if (v[k])
				return dvc__err(DVC_EDUPLICATE, query_names[k], "parameter %s is given twice",
						query_names[k]);
			if ((rc = pct_decode(q + eq + 1, end - eq - 1, a, query_names[k], &v[k])) != DVC_OK)
				return rc;
		}
		i = end + 1;
	}
	return DVC_OK;
}

/* An OAuth error code (RFC 6749 §4.1.2.1: %x20-21 / %x23-5B / %x5D-7E),
 * fit to quote in a message. */
static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7E || *p == '"' || *p == '\\')
			return false;
	return true;
}

static char *token_request(const dvc_oidc_client *c, const char *code, const dvc__oidc_pending *p)
{
	dvc_buf b = DVC_BUF_INIT;
	put_param(&b, "grant_type", "authorization_code");
	put_param(&b, "code", code);
	put_param(&b, "redirect_uri", p->redirect_uri);
	put_param(&b, "client_id", c->client_id);
	put_param(&b, "client_secret", c->secret);
	put_param(&b, "code_verifier", p->verifier);
	if (b.oom) {
		if (b.ptr)
			sodium_memzero(b.ptr, b.len);
		dvc_buf_free(&b);
		return NULL;
	}
	return dvc_buf_detach(&b);
}

/* Take the pending sign-in: *found 1 or 0. A run again after a deadlock
 * starts from an empty `p` (a rolled-back run's strings stay in `a`, which
 * the caller frees). */
static int take(dvc_db *db, const char *state_hash, const char *issuer, dvc_arena *a,
		dvc__oidc_pending *p, int *found)
{
	memset(p, 0, sizeof *p);
	*found = dvc__store_oidc_take(db, state_hash, issuer, a, p);
	return *found < 0 ? *found : DVC_OK;
}

int dvc_oidc_callback(dvc_db *db, const dvc_oidc_client *c, const char *query, size_t len,
		      dvc_oidc_login **out)
{
	char *v[Q_COUNT] = {NULL};
	char state_hash[HASH_HEX_SIZE];
	dvc_arena a = DVC_ARENA_INIT;
	dvc__oidc_pending p;
	dvc_oidc_login *l = NULL;
	dvc_time now;
	int rc, found;
	if (!db || !c || !query || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_callback needs a store, a client, a query and an out pointer");
	*out = NULL;
	memset(&p, 0, sizeof p);
	if ((rc = parse_query(query, len, &a, v)) != DVC_OK)
		goto out;
	if (!v[Q_STATE] || !*v[Q_STATE]) {
		rc = dvc__err(DVC_EINVAL, "state", "the callback has no state");
		goto out;
	}
	/* consume the state first: whatever is wrong below, it is spent */
	sha256_hex(v[Q_STATE], state_hash);
	if ((rc = dvc__now(db, &now)) != DVC_OK)
		goto out;
	DVC__WRITE(db, rc, take(db, state_hash, c->issuer, &a, &p, &found));
	if (rc != DVC_OK)
		goto out;
	if (!found) {
		rc = dvc__err(DVC_ENOTFOUND, "state", "no sign-in is waiting for this state: unknown, "
			      "already used, or started at another provider");
		goto out;
	}
	if (p.expires_at <= now) {
		rc = dvc__err(DVC_EEXPIRED, "state", "this sign-in was started more than %d minutes ago: "
			      "start again", DVC_OIDC_PENDING_SECONDS / 60);
		goto out;
	}
	if (strcmp(p.client_id, c->client_id) != 0) {
		rc = dvc__err(DVC_ENOTFOUND, "state", "this sign-in was started for another client");
		goto out;
	}
	/* RFC 9207: a response naming its issuer must name ours (mix-up) */
	if (v[Q_ISS] && strcmp(v[Q_ISS], c->issuer) != 0) {
		rc = dvc__err(DVC_EAUTH, "iss", "the callback comes from another issuer");
		goto out;
	}
	if (v[Q_ERROR]) {
		const char *e = printable(v[Q_ERROR], 64) ? v[Q_ERROR] : "(unreadable)";
		const char *d = v[Q_ERROR_DESC] && printable(v[Q_ERROR_DESC], 200) ? v[Q_ERROR_DESC] : NULL;
		rc = dvc__err(DVC_EAUTH, "error", "the provider refused the sign-in: %s%s%s%s", e,
			      d ? " (" : "", d ? d : "", d ? ")" : "");
		goto out;
	}
	if (!v[Q_CODE] || !*v[Q_CODE]) {
		rc = dvc__err(DVC_EINVAL, "code", "the callback has neither a code nor an error");
		goto out;
	}
	if (!printable(v[Q_CODE], 2048)) {
		rc = dvc__err(DVC_EINVAL, "code", "the authorization code has characters a code cannot have");
		goto out;
	}
	if (!(l = dvc__calloc(1, sizeof *l))) {
		rc = dvc__oom();
		goto out;
	}
	l->stage = LOGIN_CALLBACK;
	l->issuer = dvc__strdup(c->issuer);
	l->client_id = dvc__strdup(c->client_id);
	l->token_url = dvc__strdup(c->token);
	l->token_body = token_request(c, v[Q_CODE], &p);
	l->nonce = dvc__strdup(p.nonce);
	l->link_username = p.link_username ? dvc__strdup(p.link_username) : NULL;
	if (!l->issuer || !l->client_id || !l->token_url || !l->token_body || !l->nonce ||
	    (p.link_username && !l->link_username)) {
		dvc_oidc_login_free(l);
		l = NULL;
		rc = dvc__oom();
		goto out;
	}
	*out = l;
	rc = DVC_OK;
out:
	dvc_arena_free(&a);
	return rc;
}

/* ---- the ID token ---- */

#ifdef DVC_HAVE_CJOSE

static void keys_free(oidc_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dvc__free(k[i].kid);
		cjose_jwk_release(k[i].jwk);
	}
}

/* One JWK of the set: 1 kept, 0 skipped, negative on error. */
static int import_key(const cJSON *k, size_t i, oidc_key *out)
{
	const char *kty, *use, *kid;
	char path[32], *text;
	cjose_err err;
	int rc;
	snprintf(path, sizeof path, "keys[%zu]", i);
	if (!cJSON_IsObject(k))
		return dvc__err(DVC_ESCHEMA, path, "%s is not an object", path);
	if ((rc = member_str(k, "kty", true, 16, &kty)) != DVC_OK ||
	    (rc = member_str(k, "use", false, 16, &use)) != DVC_OK ||
	    (rc = member_str(k, "kid", false, 256, &kid)) != DVC_OK) {
		dvc__err_prefix_path(path);
		return rc;
	}
	if (use && strcmp(use, "sig") != 0)
		return 0;
	if (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0)
		return 0; /* "oct" above all: a shared secret is no provider key */
	if (!(text = cJSON_PrintUnformatted(k)))
		return dvc__oom();
	out->jwk = cjose_jwk_import(text, strlen(text), &err);
	cJSON_free(text);
	if (!out->jwk)
		return dvc__err(DVC_EINVAL, path, "%s cannot be imported: %s", path, err.message);
	out->kty = strcmp(kty, "RSA") == 0 ? KEY_RSA : KEY_EC;
	if (out->kty == KEY_RSA ? cjose_jwk_get_keysize(out->jwk, &err) < 2048
				: cjose_jwk_EC_get_curve(out->jwk, &err) != CJOSE_JWK_EC_P_256) {
		cjose_jwk_release(out->jwk);
		out->jwk = NULL;
		return 0; /* RS256 with a short key, or a curve ES256 does not use */
	}
	out->kid = NULL;
	if (kid && !(out->kid = dvc__strdup(kid))) {
		cjose_jwk_release(out->jwk);
		return dvc__oom();
	}
	return 1;
}

int dvc_oidc_client_set_jwks(dvc_oidc_client *c, const char *json, size_t len)
{
	static const dvc__json_limits lim = {DVC_OIDC_JWKS_MAX, 8, 4096};
	oidc_key keys[DVC_OIDC_JWKS_KEYS_MAX];
	size_t n = 0, i = 0;
	const cJSON *arr, *k;
	cJSON *root;
	int rc;
	if (!c || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_client_set_jwks needs a client and a document");
	if ((rc = dvc__json_read(json, len, &lim, "the JWKS document", &root)) != DVC_OK)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(root, "keys");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(arr)) {
		cJSON_Delete(root);
		return dvc__err(DVC_ESCHEMA, "keys", "a JWKS document is an object with a keys array");
	}
	cJSON_ArrayForEach(k, arr) {
		if (n == DVC_OIDC_JWKS_KEYS_MAX) {
			rc = dvc__err(DVC_ETOOBIG, "keys", "the JWKS has more than %d signing keys",
				      DVC_OIDC_JWKS_KEYS_MAX);
			break;
		}
		if ((rc = import_key(k, i++, &keys[n])) < 0)
			break;
		n += (size_t)rc;
		rc = DVC_OK;
	}
	cJSON_Delete(root);
	if (rc == DVC_OK && n == 0)
		rc = dvc__err(DVC_EINVAL, "keys", "the JWKS has no RSA (2048 bits or more) or P-256 "
			      "signing key");
	if (rc != DVC_OK) {
		keys_free(keys, n);
		return rc;
	}
	keys_free(c->keys, c->nkeys);
	memcpy(c->keys, keys, n * sizeof keys[0]);
	c->nkeys = n;
	return DVC_OK;
}

/* A base64url segment of a compact JWS, decoded into `out` (NUL added). */
static int segment(const char *s, size_t n, char *out, size_t cap, size_t *out_len, const char *what)
{
	if (n == 0 || n > (cap - 1) / 3 * 4 + 3)
		return dvc__err(n ? DVC_ETOOBIG : DVC_EPARSE, "id_token", "the ID token's %s is %s", what,
				n ? "too large" : "empty");
	if (sodium_base642bin((unsigned char *)out, cap - 1, s, n, NULL, out_len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return dvc__err(DVC_EPARSE, "id_token", "the ID token's %s is not base64url", what);
	out[*out_len] = '\0';
	return DVC_OK;
}

/* A NumericDate claim (RFC 7519 §2). *present 0 when absent. */
static int numeric_date(const cJSON *o, const char *name, bool required, double *out, int *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	*present = 0;
	if (!v)
		return required ? dvc__err(DVC_EINVAL, name, "claim %s is missing", name) : DVC_OK;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 253402300799.0)
		return dvc__err(DVC_ESCHEMA, name, "claim %s is not a date in seconds", name);
	*out = v->valuedouble;
	*present = 1;
	return DVC_OK;
}

static bool same_secret(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* Check the JOSE header, then the signature with each candidate key. */
static int verify_signature(const dvc_oidc_client *c, const char *tok, size_t len)
{
	static const dvc__json_limits lim = {JOSE_HEADER_MAX, 4, 64};
	const char *dot = memchr(tok, '.', len), *alg, *kid;
	char hdr[JOSE_HEADER_MAX + 1];
	size_t hlen;
	cJSON *h = NULL;
	cjose_jws_t *jws = NULL;
	cjose_err err;
	int rc, want, tried = 0;
	if ((rc = segment(tok, (size_t)(dot - tok), hdr, sizeof hdr, &hlen, "header")) != DVC_OK)
		return rc;
	if ((rc = dvc__json_read(hdr, hlen, &lim, "the ID token's header", &h)) != DVC_OK ||
	    (rc = object_members(h, "the ID token's header")) != DVC_OK ||
	    (rc = member_str(h, "alg", true, 16, &alg)) != DVC_OK ||
	    (rc = member_str(h, "kid", false, 256, &kid)) != DVC_OK)
		goto out;
	if (strcmp(alg, "RS256") == 0) {
		want = KEY_RSA;
	} else if (strcmp(alg, "ES256") == 0) {
		want = KEY_EC;
	} else {
		rc = dvc__err(DVC_ESIGNATURE, "alg", strcmp(alg, "none") == 0
			      ? "the ID token is not signed (alg none): refused"
			      : strncmp(alg, "HS", 2) == 0
			      ? "the ID token is signed with a shared secret (%s): only the provider's "
				"keys (RS256, ES256) are accepted"
			      : "the ID token's algorithm %s is not accepted (RS256, ES256)", alg);
		goto out;
	}
	if (tok[len - 1] == '.') {
		rc = dvc__err(DVC_ESIGNATURE, "signature", "the ID token has an empty signature");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(h, "crit")) {
		rc = dvc__err(DVC_ESIGNATURE, "crit", "the ID token's header has critical extensions "
			      "this library does not understand");
		goto out;
	}
	if (!(jws = cjose_jws_import(tok, len, &err))) {
		rc = dvc__err(DVC_EPARSE, "id_token", "the ID token is not a compact JWS: %s", err.message);
		goto out;
	}
	rc = DVC_ESIGNATURE;
	for (size_t i = 0; i < c->nkeys && rc != DVC_OK; i++) {
		const oidc_key *k = &c->keys[i];
		if (k->kty != want || (kid && (!k->kid || strcmp(k->kid, kid) != 0)))
			continue;
		tried++;
		if (cjose_jws_verify(jws, k->jwk, &err))
			rc = DVC_OK;
	}
	if (rc != DVC_OK)
		rc = tried ? dvc__err(DVC_ESIGNATURE, "signature", "no key of the provider verifies the "
				      "ID token's signature")
			   : dvc__err(DVC_ESIGNATURE, "kid", "the provider has no %s key%s%s", alg,
				      kid ? " with kid " : "", kid && printable(kid, 64) ? kid : "");
out:
	cjose_jws_release(jws);
	cJSON_Delete(h);
	return rc;
}

/* Every claim check, in the order a reader expects their errors. */
static int check_claims(const dvc_oidc_client *c, const dvc_oidc_login *l, const cJSON *t,
			dvc_time now)
{
	const cJSON *aud = cJSON_GetObjectItemCaseSensitive(t, "aud");
	const char *iss, *azp, *nonce, *sub, *acr;
	double exp, iat, nbf;
	int rc, has, n_aud = 0, ours = 0;
	if ((rc = object_members(t, "the ID token's claims")) != DVC_OK ||
	    (rc = member_str(t, "iss", true, DVC_OIDC_URL_MAX, &iss)) != DVC_OK)
		return rc;
	if (strcmp(iss, c->issuer) != 0)
		return dvc__err(DVC_EAUTH, "iss", "the ID token was issued by another issuer");
	if (cJSON_IsString(aud)) {
		n_aud = 1;
		ours = strcmp(aud->valuestring, c->client_id) == 0;
	} else if (cJSON_IsArray(aud)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, aud) {
			if (!cJSON_IsString(e))
				return dvc__err(DVC_ESCHEMA, "aud", "claim aud has a member that is not a string");
			n_aud++;
			ours |= strcmp(e->valuestring, c->client_id) == 0;
		}
	} else {
		return dvc__err(aud ? DVC_ESCHEMA : DVC_EINVAL, "aud",
				aud ? "claim aud is not a string or an array" : "claim aud is missing");
	}
	if (!ours)
		return dvc__err(DVC_EAUTH, "aud", "the ID token was issued to another client");
	if ((rc = member_str(t, "azp", n_aud > 1, DVC_OIDC_CLIENT_ID_MAX, &azp)) != DVC_OK)
		return rc;
	if (azp && strcmp(azp, c->client_id) != 0)
		return dvc__err(DVC_EAUTH, "azp", "the ID token was issued for another party (azp)");
	if ((rc = numeric_date(t, "exp", true, &exp, &has)) != DVC_OK)
		return rc;
	if ((double)now >= exp + DVC_OIDC_SKEW_SECONDS)
		return dvc__err(DVC_EEXPIRED, "exp", "the ID token has expired");
	if ((rc = numeric_date(t, "iat", true, &iat, &has)) != DVC_OK)
		return rc;
	if (iat > (double)now + DVC_OIDC_SKEW_SECONDS)
		return dvc__err(DVC_EDATE, "iat", "the ID token was issued in the future");
	if (iat < (double)now - DVC_OIDC_IAT_MAX_AGE - DVC_OIDC_SKEW_SECONDS)
		return dvc__err(DVC_EDATE, "iat", "the ID token was issued more than %d minutes ago",
				DVC_OIDC_IAT_MAX_AGE / 60);
	if ((rc = numeric_date(t, "nbf", false, &nbf, &has)) != DVC_OK)
		return rc;
	if (has && nbf > (double)now + DVC_OIDC_SKEW_SECONDS)
		return dvc__err(DVC_EDATE, "nbf", "the ID token is not valid yet");
	if ((rc = member_str(t, "nonce", true, 256, &nonce)) != DVC_OK)
		return rc;
	if (!same_secret(nonce, l->nonce))
		return dvc__err(DVC_EAUTH, "nonce", "the ID token's nonce is not this sign-in's");
	if ((rc = member_str(t, "sub", true, DVC_NATIONAL_SUBJECT_MAX, &sub)) != DVC_OK ||
	    (rc = member_str(t, "acr", false, DVC_OIDC_ACR_MAX, &acr)) != DVC_OK)
		return rc;
	return DVC_OK;
}

static int verify_id_token(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l, const char *tok)
{
	static const dvc__json_limits lim = {DVC_OIDC_ID_TOKEN_MAX, 16, 2048};
	size_t len = strlen(tok), dots = 0, plen;
	const char *p1, *p2;
	char *payload = NULL;
	cJSON *t = NULL;
	dvc_time now;
	int rc;
	if (len > DVC_OIDC_ID_TOKEN_MAX)
		return dvc__err(DVC_ETOOBIG, "id_token", "the ID token is longer than %d bytes",
				DVC_OIDC_ID_TOKEN_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)tok[i];
		if (ch == '.')
			dots++;
		else if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			   ch == '-' || ch == '_'))
			return dvc__err(DVC_EPARSE, "id_token", "the ID token has a character outside base64url");
	}
	p1 = strchr(tok, '.');
	p2 = p1 ? strchr(p1 + 1, '.') : NULL;
	if (dots != 2 || !p1 || !p2 || p1 == tok || p2 == p1 + 1)
		return dvc__err(DVC_EPARSE, "id_token", "the ID token is not three base64url parts "
				"(header and payload not empty: a JWT)");
	if ((rc = verify_signature(c, tok, len)) != DVC_OK)
		return rc;
	/* the payload is read by the strict reader, not by libcjose's */
	if (!(payload = dvc__malloc(DVC_OIDC_ID_TOKEN_MAX + 1)))
		return dvc__oom();
	if ((rc = segment(p1 + 1, (size_t)(p2 - p1 - 1), payload, DVC_OIDC_ID_TOKEN_MAX + 1, &plen,
			  "payload")) != DVC_OK ||
	    (rc = dvc__json_read(payload, plen, &lim, "the ID token's claims", &t)) != DVC_OK ||
	    (rc = dvc__now(db, &now)) != DVC_OK || (rc = check_claims(c, l, t, now)) != DVC_OK)
		goto out;
	{
		const cJSON *acr = cJSON_GetObjectItemCaseSensitive(t, "acr");
		l->claims = dvc__strndup(payload, plen);
		l->subject = dvc__strdup(cJSON_GetObjectItemCaseSensitive(t, "sub")->valuestring);
		l->acr = cJSON_IsString(acr) ? dvc__strdup(acr->valuestring) : NULL;
		if (!l->claims || !l->subject || (cJSON_IsString(acr) && !l->acr))
			rc = dvc__oom();
	}
out:
	cJSON_Delete(t);
	dvc__free(payload);
	return rc;
}

static int token_response(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l, const char *json,
			  size_t len)
{
	static const dvc__json_limits lim = {DVC_OIDC_TOKEN_RESPONSE_MAX, 8, 1024};
	const char *err, *access, *type, *id_token;
	cJSON *r;
	int rc;
	if ((rc = dvc__json_read(json, len, &lim, "the token response", &r)) != DVC_OK)
		return rc;
	if ((rc = object_members(r, "the token response")) != DVC_OK ||
	    (rc = member_str(r, "error", false, 256, &err)) != DVC_OK)
		goto out;
	if (err) {
		rc = dvc__err(DVC_EAUTH, "error", "the token endpoint refused the code: %s",
			      printable(err, 64) ? err : "(unreadable)");
		goto out;
	}
	if ((rc = member_str(r, "access_token", true, DVC_OIDC_ACCESS_TOKEN_MAX, &access)) != DVC_OK ||
	    (rc = member_str(r, "token_type", true, 32, &type)) != DVC_OK ||
	    (rc = member_str(r, "id_token", true, DVC_OIDC_ID_TOKEN_MAX, &id_token)) != DVC_OK)
		goto out;
	if (strlen(type) != 6 || strncasecmp(type, "bearer", 6) != 0) {
		rc = dvc__err(DVC_EAUTH, "token_type", "the token type is not Bearer");
		goto out;
	}
	if (!printable(access, DVC_OIDC_ACCESS_TOKEN_MAX)) {
		rc = dvc__err(DVC_EINVAL, "access_token", "the access token has characters a token cannot have");
		goto out;
	}
	if ((rc = verify_id_token(db, c, l, id_token)) != DVC_OK)
		goto out;
	if (!(l->access_token = dvc__strdup(access)))
		rc = dvc__oom();
out:
	cJSON_Delete(r);
	return rc;
}

#endif /* DVC_HAVE_CJOSE */

#ifndef DVC_HAVE_CJOSE
static int no_cjose(void)
{
	return dvc__err(DVC_EINVAL, NULL, "this libdvc was built without OpenID Connect token "
			"verification (libcjose): rebuild with -Doidc=enabled");
}

int dvc_oidc_client_set_jwks(dvc_oidc_client *c, const char *json, size_t len)
{
	(void)c;
	(void)json;
	(void)len;
	return no_cjose();
}
#endif

int dvc_oidc_token_response(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l,
			    const char *json, size_t len)
{
	int rc;
	if (!db || !c || !l || !json)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_token_response needs a store, a client, a login "
				"and the response");
	if (l->stage != LOGIN_CALLBACK)
		return dvc__err(DVC_ETXN, NULL, "this sign-in's token response was already read");
	if (strcmp(l->issuer, c->issuer) != 0 || strcmp(l->client_id, c->client_id) != 0)
		return dvc__err(DVC_EINVAL, NULL, "this sign-in belongs to another client");
#ifdef DVC_HAVE_CJOSE
	if (c->nkeys == 0)
		return dvc__err(DVC_EINVAL, NULL, "the client has no provider keys (dvc_oidc_client_set_jwks)");
	rc = token_response(db, c, l, json, len);
#else
	(void)len;
	rc = no_cjose();
#endif
	l->stage = rc == DVC_OK ? LOGIN_VERIFIED : LOGIN_REFUSED;
	return rc;
}

/* ---- signing in ---- */

void dvc_oidc_signin_free(dvc_oidc_signin_result *r)
{
	if (r) {
		dvc_arena a = *(dvc_arena *)(r + 1);
		dvc_arena_free(&a);
	}
}

/* The assurance level the ID token's `acr` means (the mapping is the
 * client's configuration; its defaults are unconfirmed). */
static int assurance_of(const dvc_oidc_client *c, const char *acr, int *out)
{
	if (!acr)
		*out = 1;
	else if (strcmp(acr, c->acr1) == 0)
		*out = 1;
	else if (strcmp(acr, c->acr2) == 0)
		*out = 2;
	else
		return dvc__err(DVC_EINVAL, "acr", "the ID token's acr is neither assurance level's value");
	if (*out < c->min_assurance)
		return dvc__err(DVC_EPERM, "acr", "this portal needs assurance level %d; the sign-in has "
				"level %d", c->min_assurance, *out);
	return DVC_OK;
}

/* The userinfo document must be about the ID token's subject (OpenID
 * Connect Core §5.3.2: otherwise it must not be used). */
static int same_subject(const dvc_oidc_login *l, const char *json, size_t len)
{
	static const dvc__json_limits lim = {DVC_NATIONAL_CLAIMS_MAX, 16, 4096};
	const char *sub;
	cJSON *u;
	int rc;
	if ((rc = dvc__json_read(json, len, &lim, "the userinfo document", &u)) != DVC_OK)
		return rc;
	if ((rc = object_members(u, "the userinfo document")) == DVC_OK &&
	    (rc = member_str(u, "sub", true, DVC_NATIONAL_SUBJECT_MAX, &sub)) == DVC_OK &&
	    strcmp(sub, l->subject) != 0)
		rc = dvc__err(DVC_EAUTH, "sub", "the userinfo document is about another subject than the "
			      "ID token");
	cJSON_Delete(u);
	return rc;
}

int dvc_oidc_signin(dvc_db *db, const dvc_oidc_client *c, dvc_oidc_login *l, const char *userinfo,
		    size_t len, dvc_oidc_signin_result **out)
{
	dvc_claims_opts o = DVC_CLAIMS_OPTS_INIT;
	dvc_national_identity *id = NULL, *found = NULL;
	dvc_oidc_signin_result *r;
	dvc_arena a = DVC_ARENA_INIT;
	const char *username;
	char actor[DVC_USERNAME_MAX + 8];
	int rc, assurance = 0, linked_now = 0;
	if (!db || !c || !l || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_oidc_signin needs a store, a client, a login and an out pointer");
	*out = NULL;
	if (l->stage != LOGIN_VERIFIED)
		return dvc__err(DVC_ETXN, NULL, l->stage == LOGIN_DONE ? "this sign-in was already used"
				: "this sign-in has no verified ID token (dvc_oidc_token_response)");
	if (strcmp(l->issuer, c->issuer) != 0 || strcmp(l->client_id, c->client_id) != 0)
		return dvc__err(DVC_EINVAL, NULL, "this sign-in belongs to another client");
	if ((rc = assurance_of(c, l->acr, &assurance)) != DVC_OK)
		return rc;
	if (userinfo && (rc = same_subject(l, userinfo, len)) != DVC_OK)
		return rc;
	o.issuer = c->issuer;
	o.assurance = assurance;
	if ((rc = userinfo ? dvc_identity_parse_claims(userinfo, len, &o, &id)
			   : dvc_identity_parse_claims(l->claims, strlen(l->claims), &o, &id)) != DVC_OK)
		return rc;
	rc = dvc_identity_find(db, c->issuer, l->subject, &found);
	if (rc == DVC_OK) {
		username = found->username;
	} else if (rc == DVC_ENOTFOUND && l->link_username) {
		username = l->link_username;
		linked_now = 1;
	} else {
		if (rc == DVC_ENOTFOUND)
			rc = dvc__err(DVC_ENOTFOUND, "sub", "no account is linked to this national identity: "
				      "sign in with the account's password first, then with the national "
				      "identity, to link them");
		goto out;
	}
	/* a link, or the refresh of one (assurance, verification time): audited */
	snprintf(actor, sizeof actor, "oidc:%s", username);
	if ((rc = dvc_identity_link(db, username, id, actor)) != DVC_OK)
		goto out;
	if (!(r = dvc_arena_alloc(&a, sizeof *r + sizeof(dvc_arena)))) {
		rc = dvc__oom();
		goto out;
	}
	r->version = DVC_OIDC_SIGNIN_RESULT_VERSION;
	r->username = dvc_arena_strdup(&a, username);
	r->issuer = dvc_arena_strdup(&a, c->issuer);
	r->subject = dvc_arena_strdup(&a, l->subject);
	r->assurance = assurance;
	r->linked_now = linked_now;
	if (!r->username || !r->issuer || !r->subject) {
		dvc_arena_free(&a);
		rc = dvc__oom();
		goto out;
	}
	*(dvc_arena *)(r + 1) = a;
	*out = r;
	l->stage = LOGIN_DONE;
out:
	dvc_identity_free(found);
	dvc_identity_free(id);
	return rc;
}

/* Written for citizens at the portal, by the error and the member it names
 * (the callback's state, the identity's sub, the provider's error). */
const char *dvc_oidc_error_text_vi(int code, const char *path)
{
	int is_state = path && strcmp(path, "state") == 0;
	switch (code) {
	case DVC_ENOTFOUND:
		if (path && strcmp(path, "sub") == 0)
			return "Định danh VNeID này chưa được liên kết với tài khoản nào của cổng. Hãy đăng "
			       "nhập bằng mật khẩu rồi chọn “Liên kết VNeID” một lần.";
		if (is_state)
			return "Lượt đăng nhập này không còn hiệu lực (đã dùng hoặc không có). Vui lòng "
			       "đăng nhập lại.";
		return "Không tìm thấy tài khoản.";
	case DVC_EEXPIRED:
		return is_state ? "Lượt đăng nhập đã quá thời hạn. Vui lòng đăng nhập lại."
				: "Mã xác thực của VNeID đã hết hạn. Vui lòng đăng nhập lại.";
	case DVC_ESIGNATURE:
		return "Chữ ký của mã xác thực VNeID không hợp lệ.";
	case DVC_EAUTH:
		return path && strcmp(path, "error") == 0
			       ? "Hệ thống định danh VNeID đã từ chối yêu cầu đăng nhập."
			       : "Mã xác thực VNeID không dành cho cổng này hoặc không khớp với lượt đăng nhập.";
	case DVC_EPERM:
		return "Lượt đăng nhập này không được bắt đầu từ trình duyệt này hoặc không đủ mức độ "
		       "xác thực. Vui lòng đăng nhập lại.";
	case DVC_EDATE:
		return "Thời điểm cấp mã xác thực VNeID không hợp lệ.";
	case DVC_ETHROTTLED:
		return "Có quá nhiều lượt đăng nhập đang chờ. Vui lòng thử lại sau ít phút.";
	case DVC_EMISMATCH:
	case DVC_EEXISTS:
		return "Định danh VNeID không khớp với hồ sơ tài khoản hoặc đã liên kết với tài khoản khác.";
	case DVC_EIO:
		return "Không liên lạc được với hệ thống định danh VNeID. Vui lòng thử lại sau.";
	default:
		return "Không đăng nhập được bằng VNeID.";
	}
}
