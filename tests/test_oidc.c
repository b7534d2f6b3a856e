/* OpenID Connect sign-in (oidc.h): a sign-in starts with a percent-encoded
 * authorization URL whose PKCE challenge is the verifier's SHA-256, its
 * state works once and for ten minutes only, the token request is the
 * library's, and an ID token is accepted only when a provider key signed it
 * with RS256 or ES256 for this issuer, client and nonce and it has not
 * expired: forged, foreign-key, unsigned, HMAC, wrong-issuer,
 * wrong-audience, expired, wrong-nonce, malformed and oversized tokens are
 * each refused with their own error and link nothing.
 *
 * Keys and tokens are made at test time by tests/oidc_jwt.py with authlib
 * (Debian python3-authlib), another implementation than the verifier's;
 * $OIDC_PYTHON is the interpreter that has it. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ISS "https://xacthuc.example.vn"
#define CLIENT_ID "dvc-tinh-thai-binh"
#define REDIRECT "https://dvc.example.vn/auth/oidc/callback?ui=vi"

static dvc_db *db;
static dvc_oidc_client *client;
static char keydir[256];

static const dvc_applicant an = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương", "0912345678", NULL};

static void remove_keys(void)
{
	char cmd[512];
	if (*keydir) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", keydir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", keydir);
	}
}

static const char *python(void)
{
	const char *p = getenv("OIDC_PYTHON");
	return p && *p ? p : "/usr/bin/python3";
}

/* Keys once per process. */
static void make_keys(void)
{
	char cmd[1024];
	if (*keydir)
		return;
	snprintf(keydir, sizeof keydir, "/tmp/dvc-oidc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keydir));
	atexit(remove_keys);
	snprintf(cmd, sizeof cmd, "'%s' '%s' keys '%s'", python(), src_path("tests/oidc_jwt.py"), keydir);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

static dvc_oidc_config config(void)
{
	dvc_oidc_config cfg = DVC_OIDC_CONFIG_INIT;
	cfg.issuer = ISS;
	cfg.client_id = CLIENT_ID;
	cfg.client_secret = "bí mật & khoá";
	cfg.redirect_uri = REDIRECT;
	cfg.acr_values = "2";
	return cfg;
}

static void setup(void)
{
	dvc_oidc_config cfg = config();
	char path[512], *jwks;
	size_t len;
	make_keys();
	db = mem_db();
	dvc_set_clock(db, test_clock, NULL);
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_account_register(db, "an.nv", "mat-khau-dai", &an));
	ck_ok(dvc_oidc_client_new(&client, &cfg));
	snprintf(path, sizeof path, "%s/jwks.json", keydir);
	jwks = slurp(path, &len);
	ck_ok(dvc_oidc_client_set_jwks(client, jwks, len));
	free(jwks);
}

static void teardown(void)
{
	dvc_oidc_client_free(client);
	dvc_close(db);
}

/* The value of query parameter `name` in `url` (not decoded: the values
 * checked here are unreserved characters or compared encoded). */
static char *param(const char *url, const char *name)
{
	static char out[4][4096];
	static int k;
	char key[64];
	const char *p = strchr(url, '?');
	size_t n;
	snprintf(key, sizeof key, "%s=", name);
	for (; p; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, key, strlen(key)) == 0) {
			p += 1 + strlen(key);
			n = strcspn(p, "&");
			k = (k + 1) % 4;
			ck_assert_uint_lt(n, sizeof out[k]);
			memcpy(out[k], p, n);
			out[k][n] = '\0';
			return out[k];
		}
	return NULL;
}

static char state[64], nonce[64];

/* Start a sign-in; its state and nonce go to `state` and `nonce`. */
static void start(const char *link_username)
{
	dvc_caller from = DVC_CALLER_INIT;
	char *url;
	from.client = "203.0.113.7";
	ck_ok(dvc_oidc_begin(db, client, &from, link_username, &url));
	snprintf(state, sizeof state, "%s", param(url, "state"));
	snprintf(nonce, sizeof nonce, "%s", param(url, "nonce"));
	ck_assert_uint_eq(strlen(state), DVC_OIDC_RANDOM_LEN);
	dvc_free(url);
}

static dvc_oidc_login *callback(void)
{
	dvc_oidc_login *l = NULL;
	char q[256];
	snprintf(q, sizeof q, "code=SplxlOBeZQQYbYS6WxSbIA&state=%s&session_state=x", state);
	ck_ok(dvc_oidc_callback(db, client, q, strlen(q), &l));
	return l;
}

/* The claims a good ID token of this sign-in carries. */
static cJSON *claims(void)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "iss", ISS);
	cJSON_AddStringToObject(c, "aud", CLIENT_ID);
	cJSON_AddStringToObject(c, "sub", "vneid-7f3a");
	cJSON_AddNumberToObject(c, "iat", (double)clock_now);
	cJSON_AddNumberToObject(c, "exp", (double)clock_now + 300);
	cJSON_AddStringToObject(c, "nonce", nonce);
	cJSON_AddStringToObject(c, "acr", "2");
	cJSON_AddStringToObject(c, "SoDinhDanh", "031099001234");
	cJSON_AddStringToObject(c, "HoVaTen", "NGUYỄN VĂN AN");
	cJSON_AddStringToObject(c, "NgayThangNamSinh", "19990512");
	cJSON_AddStringToObject(c, "LoaiTaiKhoan", "1");
	return c;
}

static void set(cJSON *c, const char *name, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(c, name))
		cJSON_ReplaceItemInObjectCaseSensitive(c, name, v);
	else
		cJSON_AddItemToObject(c, name, v);
}

/* Sign `c` (consumed) with key `key` and `alg` through authlib. */
static char *sign(cJSON *c, const char *key, const char *alg)
{
	char file[512], cmd[1536], *text = cJSON_PrintUnformatted(c), *tok = malloc(65536);
	FILE *f;
	size_t n;
	snprintf(file, sizeof file, "%s/claims.json", keydir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(text);
	cJSON_Delete(c);
	snprintf(cmd, sizeof cmd, "'%s' '%s' sign '%s' %s %s < '%s'", python(),
		 src_path("tests/oidc_jwt.py"), keydir, key, alg, file);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(tok, 1, 65535, f);
	tok[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_uint_gt(n, 20);
	return tok;
}

static char *response_for(const char *id_token)
{
	size_t n = strlen(id_token) + 128;
	char *r = malloc(n);
	snprintf(r, n, "{\"access_token\":\"at-9f2c\",\"token_type\":\"Bearer\",\"expires_in\":300,"
		 "\"id_token\":\"%s\"}", id_token);
	return r;
}

/* A token response carrying a freshly signed `c` (consumed). */
static char *signed_response(cJSON *c, const char *key, const char *alg)
{
	char *tok = sign(c, key, alg), *r = response_for(tok);
	free(tok);
	return r;
}

/* The sign-in last start()ed, answered through client `cl` with `tok`
 * (freed): the token response's status; the login in `out`, or freed when
 * `out` is NULL. Tokens are signed after start(), with its nonce. */
static int answer_to(dvc_oidc_client *cl, char *tok, dvc_oidc_login **out)
{
	dvc_oidc_login *l = callback();
	char *r = response_for(tok);
	int rc = dvc_oidc_token_response(db, cl, l, r, strlen(r));
	free(r);
	free(tok);
	if (out)
		*out = l;
	else
		dvc_oidc_login_free(l);
	return rc;
}

/* The same through the suite's client. */
static int answer_started(char *tok, dvc_oidc_login **out)
{
	return answer_to(client, tok, out);
}

#define refused_started(edit, key, alg, code, path_)                                           \
	do {                                                                                 \
		cJSON *c_;                                                                   \
		dvc_national_identity *id_;                                                  \
		start(NULL);                                                                 \
		c_ = claims();                                                               \
		edit;                                                                        \
		ck_dvc(answer_started(sign(c_, (key), (alg)), NULL), (code));                 \
		ck_assert_str_eq(dvc_error_last()->path ? dvc_error_last()->path : "", (path_)); \
		ck_dvc(dvc_identity_get(db, "an.nv", &id_), DVC_ENOTFOUND);                   \
	} while (0)

START_TEST(authorization_url_and_pkce)
{
	dvc_caller from = DVC_CALLER_INIT;
	unsigned char h[crypto_hash_sha256_BYTES];
	char *url, want[64], verifier[64];
	dvc_oidc_login *l;
	from.client = "203.0.113.7";
	ck_ok(dvc_oidc_begin(db, client, &from, NULL, &url));
	ck_assert_msg(strncmp(url, ISS "/oauth2/authorize?", strlen(ISS "/oauth2/authorize?")) == 0, "%s", url);
	ck_assert_str_eq(param(url, "response_type"), "code");
	ck_assert_str_eq(param(url, "client_id"), CLIENT_ID);
	ck_assert_str_eq(param(url, "redirect_uri"),
			 "https%3A%2F%2Fdvc.example.vn%2Fauth%2Foidc%2Fcallback%3Fui%3Dvi");
	ck_assert_str_eq(param(url, "scope"), "openid");
	ck_assert_str_eq(param(url, "code_challenge_method"), "S256");
	ck_assert_str_eq(param(url, "acr_values"), "2");
	ck_assert_uint_eq(strlen(param(url, "nonce")), DVC_OIDC_RANDOM_LEN);
	snprintf(state, sizeof state, "%s", param(url, "state"));
	snprintf(want, sizeof want, "%s", param(url, "code_challenge"));
	dvc_free(url);
	/* a second start has other random values */
	ck_ok(dvc_oidc_begin(db, client, &from, NULL, &url));
	ck_assert_str_ne(param(url, "state"), state);
	dvc_free(url);

	l = callback();
	ck_assert_str_eq(dvc_oidc_login_token_url(l), ISS "/oauth2/token");
	ck_assert_ptr_null(dvc_oidc_login_claims(l));
	ck_assert_ptr_null(dvc_oidc_login_access_token(l));
	{
		/* the body: every field, percent-encoded, the secret in it */
		char body[1024];
		snprintf(body, sizeof body, "?%s", dvc_oidc_login_token_body(l));
		ck_assert_str_eq(param(body, "grant_type"), "authorization_code");
		ck_assert_str_eq(param(body, "code"), "SplxlOBeZQQYbYS6WxSbIA");
		ck_assert_str_eq(param(body, "redirect_uri"),
				 "https%3A%2F%2Fdvc.example.vn%2Fauth%2Foidc%2Fcallback%3Fui%3Dvi");
		ck_assert_str_eq(param(body, "client_id"), CLIENT_ID);
		ck_assert_str_eq(param(body, "client_secret"), "b%C3%AD%20m%E1%BA%ADt%20%26%20kho%C3%A1");
		snprintf(verifier, sizeof verifier, "%s", param(body, "code_verifier"));
	}
	/* RFC 7636: challenge = BASE64URL(SHA256(verifier)) */
	ck_assert_uint_eq(strlen(verifier), DVC_OIDC_RANDOM_LEN);
	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	{
		char got[64];
		sodium_bin2base64(got, sizeof got, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		ck_assert_str_eq(got, want);
	}
	dvc_oidc_login_free(l);
}
END_TEST

START_TEST(good_token_links_then_signs_in)
{
	dvc_oidc_signin_result *r;
	dvc_national_identity *id;
	dvc_oidc_login *l;
	/* an.nv, signed in with the password, starts the sign-in: it links */
	start("an.nv");
	ck_ok(answer_started(sign(claims(), "rsa", "RS256"), &l));
	ck_assert_str_eq(dvc_oidc_login_access_token(l), "at-9f2c");
	ck_assert_ptr_nonnull(strstr(dvc_oidc_login_claims(l), "\"sub\":\"vneid-7f3a\""));
	ck_ok(dvc_oidc_signin(db, client, l, NULL, 0, &r));
	ck_assert_str_eq(r->username, "an.nv");
	ck_assert_str_eq(r->issuer, ISS);
	ck_assert_str_eq(r->subject, "vneid-7f3a");
	ck_assert_int_eq(r->assurance, 2);
	ck_assert_int_eq(r->linked_now, 1);
	dvc_oidc_signin_free(r);
	/* a login signs in once */
	ck_dvc(dvc_oidc_signin(db, client, l, NULL, 0, &r), DVC_ETXN);
	dvc_oidc_login_free(l);
	ck_ok(dvc_identity_get(db, "an.nv", &id));
	ck_assert_int_eq(id->assurance, 2);
	ck_assert_uint_eq(id->verified_fields,
			  DVC_VERIFIED_FULL_NAME | DVC_VERIFIED_CITIZEN_ID | DVC_VERIFIED_BIRTH_DATE);
	dvc_identity_free(id);

	/* later, anonymously, with ES256 and level 1: the link signs in */
	clock_now += 3600;
	{
		cJSON *c;
		start(NULL);
		c = claims();
		set(c, "acr", cJSON_CreateString("1"));
		ck_ok(answer_started(sign(c, "ec", "ES256"), &l));
	}
	/* the userinfo document, about the same subject, gives the claims */
	{
		const char *ui = "{\"sub\":\"vneid-7f3a\",\"SoDinhDanh\":\"031099001234\","
				 "\"HoVaTen\":\"Nguyễn Văn An\",\"NgayThangNamSinh\":\"19990512\","
				 "\"LoaiTaiKhoan\":1,\"loginIdp\":\"VNeID\"}";
		const char *other = "{\"sub\":\"vneid-0000\",\"SoDinhDanh\":\"031099001234\","
				    "\"HoVaTen\":\"Nguyễn Văn An\",\"NgayThangNamSinh\":\"19990512\","
				    "\"LoaiTaiKhoan\":1}";
		ck_dvc(dvc_oidc_signin(db, client, l, other, strlen(other), &r), DVC_EAUTH);
		ck_assert_str_eq(dvc_error_last()->path, "sub");
		ck_ok(dvc_oidc_signin(db, client, l, ui, strlen(ui), &r));
	}
	ck_assert_str_eq(r->username, "an.nv");
	ck_assert_int_eq(r->assurance, 1);
	ck_assert_int_eq(r->linked_now, 0);
	dvc_oidc_signin_free(r);
	dvc_oidc_login_free(l);
	ck_ok(dvc_identity_get(db, "an.nv", &id));
	ck_assert_int_eq(id->assurance, 1);
	ck_assert_str_eq(id->login_idp, "VNeID");
	dvc_identity_free(id);
}
END_TEST

START_TEST(unlinked_identity_needs_an_account)
{
	dvc_oidc_signin_result *r;
	dvc_oidc_login *l;
	cJSON *c;
	start(NULL);
	ck_ok(answer_started(sign(claims(), "rsa", "RS256"), &l));
	ck_dvc(dvc_oidc_signin(db, client, l, NULL, 0, &r), DVC_ENOTFOUND);
	ck_assert_str_eq(dvc_error_last()->path, "sub");
	dvc_oidc_login_free(l);
	/* claims contradicting the profile link nothing */
	start("an.nv");
	c = claims();
	set(c, "NgayThangNamSinh", cJSON_CreateString("19990513"));
	ck_ok(answer_started(sign(c, "rsa", "RS256"), &l));
	ck_dvc(dvc_oidc_signin(db, client, l, NULL, 0, &r), DVC_EMISMATCH);
	ck_assert_str_eq(dvc_error_last()->path, "birth_date");
	dvc_oidc_login_free(l);
	{
		dvc_national_identity *id;
		ck_dvc(dvc_identity_get(db, "an.nv", &id), DVC_ENOTFOUND);
	}
	/* an assurance the portal does not accept */
	{
		dvc_oidc_config cfg = config();
		dvc_oidc_client *strict;
		char path[512], *jwks;
		size_t len;
		cfg.min_assurance = 2;
		ck_ok(dvc_oidc_client_new(&strict, &cfg));
		snprintf(path, sizeof path, "%s/jwks.json", keydir);
		jwks = slurp(path, &len);
		ck_ok(dvc_oidc_client_set_jwks(strict, jwks, len));
		free(jwks);
		start("an.nv");
		c = claims();
		set(c, "acr", cJSON_CreateString("1"));
		ck_ok(answer_to(strict, sign(c, "rsa", "RS256"), &l));
		ck_dvc(dvc_oidc_signin(db, strict, l, NULL, 0, &r), DVC_EPERM);
		ck_assert_str_eq(dvc_error_last()->path, "acr");
		dvc_oidc_login_free(l);
		dvc_oidc_client_free(strict);
	}
	/* an acr that is neither level */
	start("an.nv");
	c = claims();
	set(c, "acr", cJSON_CreateString("urn:unknown"));
	ck_ok(answer_started(sign(c, "rsa", "RS256"), &l));
	ck_dvc(dvc_oidc_signin(db, client, l, NULL, 0, &r), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "acr");
	dvc_oidc_login_free(l);
}
END_TEST

START_TEST(forged_and_foreign_signatures_refused)
{
	char *forged, *dot;
	{
		dvc_oidc_login *l;
		char *good, *payload_forged, *r;
		cJSON *c;
		start(NULL);
		good = sign(claims(), "rsa", "RS256");
		/* a signature byte changed */
		forged = strdup(good);
		dot = strrchr(forged, '.');
		dot[10] = dot[10] == 'A' ? 'B' : 'A';
		l = callback();
		r = response_for(forged);
		ck_dvc(dvc_oidc_token_response(db, client, l, r, strlen(r)), DVC_ESIGNATURE);
		ck_assert_str_eq(dvc_error_last()->path, "signature");
		free(r);
		/* refused stays refused, even with the good token */
		r = response_for(good);
		ck_dvc(dvc_oidc_token_response(db, client, l, r, strlen(r)), DVC_ETXN);
		ck_assert_ptr_null(dvc_oidc_login_claims(l));
		free(r);
		dvc_oidc_login_free(l);
		free(forged);
		/* another payload under the good signature */
		start(NULL);
		c = claims();
		set(c, "sub", cJSON_CreateString("vneid-other"));
		{
			char *other = sign(c, "rsa", "RS256");
			char *p1 = strchr(good, '.'), *p2 = strrchr(good, '.');
			char *o1 = strchr(other, '.'), *o2 = strrchr(other, '.');
			size_t n = strlen(good) + strlen(other);
			payload_forged = malloc(n);
			snprintf(payload_forged, n, "%.*s%.*s%s", (int)(p1 - good), good, (int)(o2 - o1),
				 o1, p2);
			free(other);
		}
		l = callback();
		r = response_for(payload_forged);
		ck_dvc(dvc_oidc_token_response(db, client, l, r, strlen(r)), DVC_ESIGNATURE);
		ck_assert_str_eq(dvc_error_last()->path, "signature");
		free(r);
		free(payload_forged);
		free(good);
		dvc_oidc_login_free(l);
	}
	/* keys the provider does not publish, under its own kid */
	refused_started((void)c_, "rsa-other", "RS256", DVC_ESIGNATURE, "signature");
	refused_started((void)c_, "ec-other", "ES256", DVC_ESIGNATURE, "signature");
}
END_TEST

START_TEST(claims_checked_each_with_its_error)
{
	cJSON *aud;
	/* the good token, to show the others fail for their own reason */
	start(NULL);
	ck_ok(answer_started(sign(claims(), "rsa", "RS256"), NULL));
	refused_started(set(c_, "iss", cJSON_CreateString("https://evil.example.vn")), "rsa", "RS256",
			DVC_EAUTH, "iss");
	refused_started(set(c_, "aud", cJSON_CreateString("other-client")), "rsa", "RS256", DVC_EAUTH, "aud");
	/* several audiences: azp must name us */
	aud = NULL;
	refused_started((aud = cJSON_CreateArray(), cJSON_AddItemToArray(aud, cJSON_CreateString(CLIENT_ID)),
			 cJSON_AddItemToArray(aud, cJSON_CreateString("other")), set(c_, "aud", aud)),
			"rsa", "RS256", DVC_EINVAL, "azp");
	refused_started((aud = cJSON_CreateArray(), cJSON_AddItemToArray(aud, cJSON_CreateString(CLIENT_ID)),
			 cJSON_AddItemToArray(aud, cJSON_CreateString("other")), set(c_, "aud", aud),
			 set(c_, "azp", cJSON_CreateString("other"))),
			"rsa", "RS256", DVC_EAUTH, "azp");
	start(NULL);
	{
		cJSON *c = claims();
		aud = cJSON_CreateArray();
		cJSON_AddItemToArray(aud, cJSON_CreateString("other"));
		cJSON_AddItemToArray(aud, cJSON_CreateString(CLIENT_ID));
		set(c, "aud", aud);
		set(c, "azp", cJSON_CreateString(CLIENT_ID));
		ck_ok(answer_started(sign(c, "rsa", "RS256"), NULL));
	}
	/* expired (past the skew), and within the skew */
	refused_started(set(c_, "exp", cJSON_CreateNumber((double)clock_now - DVC_OIDC_SKEW_SECONDS)),
			"rsa", "RS256", DVC_EEXPIRED, "exp");
	start(NULL);
	{
		cJSON *c = claims();
		set(c, "exp", cJSON_CreateNumber((double)clock_now - DVC_OIDC_SKEW_SECONDS + 1));
		ck_ok(answer_started(sign(c, "rsa", "RS256"), NULL));
	}
	refused_started(set(c_, "iat", cJSON_CreateNumber((double)clock_now + DVC_OIDC_SKEW_SECONDS + 1)),
			"rsa", "RS256", DVC_EDATE, "iat");
	refused_started(set(c_, "iat", cJSON_CreateNumber((double)clock_now - 3600)), "rsa", "RS256",
			DVC_EDATE, "iat");
	refused_started(set(c_, "nbf", cJSON_CreateNumber((double)clock_now + 3600)), "rsa", "RS256",
			DVC_EDATE, "nbf");
	refused_started(set(c_, "nonce", cJSON_CreateString("n-0S6_WzA2Mj")), "rsa", "RS256", DVC_EAUTH,
			"nonce");
	refused_started(cJSON_DeleteItemFromObjectCaseSensitive(c_, "nonce"), "rsa", "RS256", DVC_EINVAL,
			"nonce");
	refused_started(cJSON_DeleteItemFromObjectCaseSensitive(c_, "exp"), "rsa", "RS256", DVC_EINVAL, "exp");
	refused_started(set(c_, "exp", cJSON_CreateString("tomorrow")), "rsa", "RS256", DVC_ESCHEMA, "exp");
	refused_started(set(c_, "sub", cJSON_CreateString("")), "rsa", "RS256", DVC_EINVAL, "sub");
	refused_started(set(c_, "aud", cJSON_CreateNumber(1)), "rsa", "RS256", DVC_ESCHEMA, "aud");
}
END_TEST

START_TEST(unsigned_and_hmac_tokens_refused)
{
	refused_started((void)c_, "rsa", "none", DVC_ESIGNATURE, "alg");
	refused_started((void)c_, "rsa", "HS256", DVC_ESIGNATURE, "alg");
	refused_started((void)c_, "ec", "HS256", DVC_ESIGNATURE, "alg");
	{
		dvc_national_identity *id;
		ck_dvc(dvc_identity_get(db, "an.nv", &id), DVC_ENOTFOUND);
	}
}
END_TEST

START_TEST(state_used_once_and_for_ten_minutes)
{
	dvc_oidc_login *l;
	char q[256];
	start(NULL);
	l = callback();
	dvc_oidc_login_free(l);
	/* replayed */
	snprintf(q, sizeof q, "code=another&state=%s", state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_ENOTFOUND);
	ck_assert_str_eq(dvc_error_last()->path, "state");
	ck_assert_ptr_null(l);
	/* unknown, and none */
	ck_dvc(dvc_oidc_callback(db, client, "code=x&state=Zm9v", 17, &l), DVC_ENOTFOUND);
	ck_dvc(dvc_oidc_callback(db, client, "code=x", 6, &l), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "state");
	/* expired pending sign-in: refused and spent */
	start(NULL);
	clock_now += DVC_OIDC_PENDING_SECONDS;
	snprintf(q, sizeof q, "code=x&state=%s", state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_EEXPIRED);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_ENOTFOUND);
	/* the provider's refusal, named; the state is spent */
	start(NULL);
	snprintf(q, sizeof q, "error=access_denied&error_description=User+cancelled&state=%s", state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_EAUTH);
	ck_assert_str_eq(dvc_error_last()->path, "error");
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "access_denied (User cancelled)"));
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_ENOTFOUND);
	/* a response from another issuer (RFC 9207) */
	start(NULL);
	snprintf(q, sizeof q, "code=x&state=%s&iss=https%%3A%%2F%%2Fevil.example.vn", state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_EAUTH);
	ck_assert_str_eq(dvc_error_last()->path, "iss");
	/* the same issuer, percent-encoded, is fine */
	start(NULL);
	snprintf(q, sizeof q, "code=x&state=%s&iss=https%%3A%%2F%%2Fxacthuc.example.vn", state);
	ck_ok(dvc_oidc_callback(db, client, q, strlen(q), &l));
	dvc_oidc_login_free(l);
	/* a state of one client's sign-in is not another issuer's */
	{
		dvc_oidc_config cfg = config();
		dvc_oidc_client *other;
		cfg.issuer = "https://other.example.vn";
		ck_ok(dvc_oidc_client_new(&other, &cfg));
		start(NULL);
		snprintf(q, sizeof q, "code=x&state=%s", state);
		ck_dvc(dvc_oidc_callback(db, other, q, strlen(q), &l), DVC_ENOTFOUND);
		dvc_oidc_client_free(other);
		/* and it is still there for its own issuer */
		ck_ok(dvc_oidc_callback(db, client, q, strlen(q), &l));
		dvc_oidc_login_free(l);
	}
}
END_TEST

START_TEST(malformed_queries_responses_and_tokens)
{
	dvc_oidc_login *l;
	char q[256], *r;
	/* queries */
	start(NULL);
	snprintf(q, sizeof q, "code=x&state=%s&state=%s", state, state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_EDUPLICATE);
	ck_dvc(dvc_oidc_callback(db, client, "code=x&state=%zz", 16, &l), DVC_EPARSE);
	ck_dvc(dvc_oidc_callback(db, client, "code=x&state=%4", 15, &l), DVC_EPARSE);
	ck_dvc(dvc_oidc_callback(db, client, "code=x&state=%00", 16, &l), DVC_EUTF8);
	ck_dvc(dvc_oidc_callback(db, client, "code&state=a", 12, &l), DVC_EPARSE);
	/* the duplicate did not consume the state */
	snprintf(q, sizeof q, "state=%s", state);
	ck_dvc(dvc_oidc_callback(db, client, q, strlen(q), &l), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "code");

	/* token responses */
	{
		static const struct {
			const char *body;
			int code;
			const char *path;
		} bad[] = {
			{"not json", DVC_EPARSE, NULL},
			{"[1]", DVC_ESCHEMA, NULL},
			{"{\"error\":\"invalid_grant\"}", DVC_EAUTH, "error"},
			{"{\"access_token\":\"a\",\"token_type\":\"mac\",\"id_token\":\"a.b.c\"}", DVC_EAUTH, "token_type"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\"}", DVC_EINVAL, "id_token"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":5}", DVC_ESCHEMA, "id_token"},
			{"{\"access_token\":\"a\",\"access_token\":\"b\",\"token_type\":\"Bearer\",\"id_token\":\"a.b.c\"}",
			 DVC_EDUPLICATE, "access_token"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"abc\"}", DVC_EPARSE, "id_token"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"a.b.c.d\"}", DVC_EPARSE, "id_token"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"a..c\"}", DVC_EPARSE, "id_token"},
			/* {"alg":"RS256"} with no signature */
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"eyJhbGciOiJSUzI1NiJ9.e30.\"}",
			 DVC_ESIGNATURE, "signature"},
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"a+b.c.d\"}", DVC_EPARSE, "id_token"},
			/* a header that is not JSON ("hello") */
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"aGVsbG8.e30.c2ln\"}", DVC_EPARSE, NULL},
			/* {"alg":"RS256","crit":["x"]} */
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":"
			 "\"eyJhbGciOiJSUzI1NiIsImNyaXQiOlsieCJdfQ.e30.c2ln\"}", DVC_ESIGNATURE, "crit"},
			/* {"alg":"RS256","kid":"nope"} */
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":"
			 "\"eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.e30.c2ln\"}", DVC_ESIGNATURE, "kid"},
			/* {"alg":"PS256"} */
			{"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"eyJhbGciOiJQUzI1NiJ9.e30.c2ln\"}",
			 DVC_ESIGNATURE, "alg"},
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			start(NULL);
			l = callback();
			ck_dvc(dvc_oidc_token_response(db, client, l, bad[i].body, strlen(bad[i].body)), bad[i].code);
			if (bad[i].path)
				ck_assert_msg(dvc_error_last()->path && strcmp(dvc_error_last()->path, bad[i].path) == 0,
					      "case %zu: path %s, want %s", i,
					      dvc_error_last()->path ? dvc_error_last()->path : "(none)", bad[i].path);
			dvc_oidc_login_free(l);
		}
	}
	/* a token response before any keys */
	{
		dvc_oidc_config cfg = config();
		dvc_oidc_client *bare;
		ck_ok(dvc_oidc_client_new(&bare, &cfg));
		start(NULL);
		snprintf(q, sizeof q, "code=x&state=%s", state);
		ck_ok(dvc_oidc_callback(db, bare, q, strlen(q), &l));
		r = signed_response(claims(), "rsa", "RS256");
		ck_dvc(dvc_oidc_token_response(db, bare, l, r, strlen(r)), DVC_EINVAL);
		free(r);
		dvc_oidc_login_free(l);
		dvc_oidc_client_free(bare);
	}
}
END_TEST

START_TEST(hostile_sizes_refused)
{
	dvc_oidc_login *l;
	size_t big = DVC_OIDC_TOKEN_RESPONSE_MAX + 10;
	char *s = malloc(big + 64);
	/* a query past the limit */
	memset(s, 'a', DVC_OIDC_QUERY_MAX + 1);
	memcpy(s, "state=", 6);
	ck_dvc(dvc_oidc_callback(db, client, s, DVC_OIDC_QUERY_MAX + 1, &l), DVC_ETOOBIG);
	/* a token response past its limit */
	start(NULL);
	l = callback();
	memset(s, ' ', big);
	s[0] = '{';
	s[big - 1] = '}';
	ck_dvc(dvc_oidc_token_response(db, client, l, s, big), DVC_ETOOBIG);
	dvc_oidc_login_free(l);
	/* an ID token past its limit */
	start(NULL);
	l = callback();
	{
		size_t n = 0;
		n += (size_t)sprintf(s, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"id_token\":\"");
		memset(s + n, 'A', DVC_OIDC_ID_TOKEN_MAX + 1);
		n += DVC_OIDC_ID_TOKEN_MAX + 1;
		n += (size_t)sprintf(s + n, "\"}");
		ck_dvc(dvc_oidc_token_response(db, client, l, s, n), DVC_ETOOBIG);
		ck_assert_str_eq(dvc_error_last()->path, "id_token");
	}
	dvc_oidc_login_free(l);
	/* a deep token response */
	start(NULL);
	l = callback();
	memset(s, '[', 5000);
	memset(s + 5000, ']', 5000);
	ck_dvc(dvc_oidc_token_response(db, client, l, s, 10000), DVC_ETOOBIG);
	dvc_oidc_login_free(l);
	/* claims with a huge subject, signed by the provider */
	memset(s, 'x', 5000);
	s[5000] = '\0';
	refused_started(set(c_, "sub", cJSON_CreateString(s)), "rsa", "RS256", DVC_ETOOBIG, "sub");
	/* a JWKS past its limit; the old keys stay */
	memset(s, ' ', DVC_OIDC_JWKS_MAX + 1);
	ck_dvc(dvc_oidc_client_set_jwks(client, s, DVC_OIDC_JWKS_MAX + 1), DVC_ETOOBIG);
	free(s);
	start(NULL);
	ck_ok(answer_started(sign(claims(), "rsa", "RS256"), NULL));
}
END_TEST

START_TEST(pending_signins_bounded_per_client)
{
	dvc_caller a = DVC_CALLER_INIT, b = DVC_CALLER_INIT;
	char *url;
	a.client = "198.51.100.1";
	b.client = "198.51.100.2";
	for (int i = 0; i < DVC_OIDC_PENDING_PER_CLIENT; i++) {
		ck_ok(dvc_oidc_begin(db, client, &a, NULL, &url));
		dvc_free(url);
	}
	ck_dvc(dvc_oidc_begin(db, client, &a, NULL, &url), DVC_ETHROTTLED);
	ck_assert_ptr_null(url);
	ck_ok(dvc_oidc_begin(db, client, &b, NULL, &url));
	dvc_free(url);
	/* expired ones stop counting (and are removed) */
	clock_now += DVC_OIDC_PENDING_SECONDS;
	ck_ok(dvc_oidc_begin(db, client, &a, NULL, &url));
	dvc_free(url);
	/* a start for an account that does not exist */
	ck_dvc(dvc_oidc_begin(db, client, &a, "nobody", &url), DVC_ENOTFOUND);
}
END_TEST

START_TEST(configuration_checked)
{
	dvc_oidc_config cfg = config();
	dvc_oidc_client *c;
	cfg.issuer = "http://xacthuc.example.vn";
	ck_dvc(dvc_oidc_client_new(&c, &cfg), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "issuer");
	cfg.issuer = ISS "/";
	ck_dvc(dvc_oidc_client_new(&c, &cfg), DVC_EINVAL);
	cfg.issuer = "http://127.0.0.1:8080";
	ck_ok(dvc_oidc_client_new(&c, &cfg));
	ck_assert_str_eq(dvc_oidc_client_userinfo_url(c), "http://127.0.0.1:8080/oauth2/userinfo");
	/* keys: only symmetric ones, not JSON, not a key set */
	{
		const char *oct = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
		ck_dvc(dvc_oidc_client_set_jwks(c, oct, strlen(oct)), DVC_EINVAL);
	}
	ck_dvc(dvc_oidc_client_set_jwks(c, "{\"keys\":", 8), DVC_EPARSE);
	ck_dvc(dvc_oidc_client_set_jwks(c, "{\"k\":[]}", 8), DVC_ESCHEMA);
	dvc_oidc_client_free(c);
	cfg = config();
	cfg.client_id = NULL;
	ck_dvc(dvc_oidc_client_new(&c, &cfg), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "client_id");
	cfg = config();
	cfg.redirect_uri = "https://dvc.example.vn/cb#frag";
	ck_dvc(dvc_oidc_client_new(&c, &cfg), DVC_EINVAL);
	cfg = config();
	cfg.version = 99;
	ck_dvc(dvc_oidc_client_new(&c, &cfg), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		authorization_url_and_pkce, good_token_links_then_signs_in,
		unlinked_identity_needs_an_account, forged_and_foreign_signatures_refused,
		claims_checked_each_with_its_error, unsigned_and_hmac_tokens_refused,
		state_used_once_and_for_ten_minutes, malformed_queries_responses_and_tokens,
		hostile_sizes_refused, pending_signins_bounded_per_client, configuration_checked, NULL};
	return run_tests("oidc", setup, teardown, 0, tests);
}
