/* Sign-in with the national identity (VNeID) through the National Public
 * Service Portal's OpenID Connect provider: the HTTP side of
 * include/dvc/oidc.h. Built only when meson found libcurl and libcjose
 * (HTTPD_HAVE_OIDC); active only when --oidc-issuer, --oidc-client-id and
 * --oidc-secret-file are given (main.c).
 *
 *   GET /auth/vneid[?link=1]      302 to the provider (dvc_oidc_begin); with
 *                                 link=1 from a password session, the
 *                                 identity gets linked to that account
 *   GET /auth/vneid/callback?...  the provider sends the browser back here:
 *                                 dvc_oidc_callback, the token request with
 *                                 libcurl, dvc_oidc_token_response,
 *                                 dvc_oidc_signin, then a citizen session
 *
 * The library decides everything about the sign-in (state, nonce, PKCE,
 * the ID token's signature and claims, which account signs in). This file
 * owns only what is HTTP: the outgoing requests (libcurl, one easy handle
 * per request, no lock held), the session cookie, and a second cookie that
 * binds a sign-in to the browser that started it. The library's state lives
 * in the store and is not tied to a browser, so without that cookie
 * somebody could start a sign-in (or a ?link=1 from their own account),
 * send the provider's link to a victim and have the victim's VNeID sign
 * them in or get linked to their account (RFC 6749 §10.12, login CSRF).
 * That cookie is SameSite=Lax (it must come back on the provider's
 * cross-site redirect) and only sent to the callback path.
 *
 * The callback answers with a small same-origin page that moves on to "/"
 * (meta refresh) rather than a 303: the session cookie is SameSite=Strict,
 * and a browser may leave it off a redirect that is still part of the
 * cross-site navigation from the provider; a navigation started by our own
 * page is same-site.
 *
 * The provider's keys are read at start (--oidc-jwks-file, --oidc-jwks-uri
 * or the discovery document's jwks_uri) and kept: a provider that rotates
 * its keys needs a restart (not handled here). */
#include "httpd.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIND_COOKIE "dvc_oidc"
#define FETCH_CONNECT_TIMEOUT 5L
#define FETCH_TIMEOUT 15L

/* ---- outgoing requests ---- */

typedef struct fetch_buf {
	char *data;
	size_t len, cap;
	int too_big;
} fetch_buf;

static size_t fetch_write(char *p, size_t sz, size_t n, void *ctx)
{
	fetch_buf *b = ctx;
	size_t k = sz * n;
	if (k > b->cap - b->len) {
		b->too_big = 1;
		return 0; /* libcurl stops the transfer */
	}
	memcpy(b->data + b->len, p, k);
	b->len += k;
	b->data[b->len] = '\0';
	return k;
}

/* GET `url` (form NULL) or POST `form` to it as
 * application/x-www-form-urlencoded. On 0, *out holds at most `cap` bytes
 * and a NUL (free it), *status the HTTP status. No redirects followed, TLS
 * verified, http and https only; whether plain http is allowed is decided
 * before (the library checks its URLs, url_allowed the others). */
static int fetch(const char *url, const char *form, size_t cap, char **out, size_t *len,
		 long *status, char *err, size_t errlen)
{
	fetch_buf b = {0};
	struct curl_slist *h = NULL, *h2;
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;

	*out = NULL;
	*len = 0;
	*status = 0;
	if (!(b.data = malloc(cap + 1)) || !(c = curl_easy_init())) {
		free(b.data);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	b.cap = cap;
	b.data[0] = '\0';
	if ((h2 = curl_slist_append(h, "Accept: application/json")))
		h = h2;
	if (form && (h2 = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded")))
		h = h2;
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, FETCH_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, FETCH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dvc-httpd");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (rc != CURLE_OK || b.too_big) {
		snprintf(err, errlen, "%s", b.too_big || rc == CURLE_FILESIZE_EXCEEDED
				     ? "the answer is too large"
				     : ebuf[0] ? ebuf : curl_easy_strerror(rc));
		free(b.data);
		return b.too_big || rc == CURLE_FILESIZE_EXCEEDED ? -2 : -1;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}

/* ---- start-up ---- */

static int setup_fail(const char *what, const char *detail)
{
	fprintf(stderr, "dvc-httpd: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return 1;
}

/* Read a whole small file into *out (NUL-terminated; free it). */
static int slurp(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;
	if (!f)
		return setup_fail(path, strerror(errno));
	if (!(b = malloc(max + 2))) {
		fclose(f);
		return setup_fail("out of memory", NULL);
	}
	n = fread(b, 1, max + 1, f);
	if (ferror(f) || n > max) {
		fclose(f);
		sodium_memzero(b, max + 2);
		free(b);
		return setup_fail(path, n > max ? "too large" : "cannot be read");
	}
	fclose(f);
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}

static int make_client(httpd *srv, const dvc_oidc_config *cfg)
{
	dvc_oidc_client *c;
	if (dvc_oidc_client_new(&c, cfg) != DVC_OK) {
		const dvc_error *e = dvc_error_last();
		char what[96];
		snprintf(what, sizeof what, "OpenID Connect configuration (%s)", e->path ? e->path : "-");
		return setup_fail(what, e->message);
	}
	dvc_oidc_client_free(srv->oidc);
	srv->oidc = c;
	return 0;
}

/* GET `url` (at most `max` bytes, status 200) into *out; 0, or 1 after
 * saying why. */
static int fetch_doc(const char *url, size_t max, char **out, size_t *len)
{
	char err[CURL_ERROR_SIZE + 64];
	long status;
	if (fetch(url, NULL, max, out, len, &status, err, sizeof err) != 0)
		return setup_fail(url, err);
	if (status != 200) {
		snprintf(err, sizeof err, "HTTP status %ld", status);
		free(*out);
		*out = NULL;
		return setup_fail(url, err);
	}
	return 0;
}

int httpd_oidc_setup(httpd *srv, const httpd_oidc_opts *o)
{
	dvc_oidc_config cfg = DVC_OIDC_CONFIG_INIT;
	char *secret = NULL, *jwks = NULL, *doc = NULL;
	size_t len, jlen = 0, dlen;
	struct stat st;
	int rc = 1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return setup_fail("libcurl failed to initialise", NULL);
	srv->curl_started = 1;
	/* the secret: from a file, never the command line; one trailing newline
	 * (or CRLF) is the editor's, not the secret's */
	if (stat(o->secret_file, &st) == 0 && (st.st_mode & 077))
		fprintf(stderr, "dvc-httpd: warning: %s can be read by other users (chmod 600 it)\n",
			o->secret_file);
	if (slurp(o->secret_file, DVC_OIDC_SECRET_MAX + 2, &secret, &len))
		return 1;
	if (len && secret[len - 1] == '\n')
		secret[--len] = '\0';
	if (len && secret[len - 1] == '\r')
		secret[--len] = '\0';
	cfg.issuer = o->issuer;
	cfg.client_id = o->client_id;
	cfg.client_secret = secret;
	cfg.redirect_uri = o->redirect_uri;
	/* the configuration checked first (the issuer's URL before any fetch) */
	if (make_client(srv, &cfg))
		goto out;
	if (o->jwks_file) {
		if (slurp(o->jwks_file, DVC_OIDC_JWKS_MAX, &jwks, &jlen))
			goto out;
	} else {
		const char *uri = o->jwks_uri;
		/* without a JWKS URL: the provider's discovery document names it
		 * and the endpoints (the library reads and checks it) */
		if (!uri) {
			const char *durl = dvc_oidc_client_discovery_url(srv->oidc);
			if (fetch_doc(durl, DVC_OIDC_DISCOVERY_MAX, &doc, &dlen))
				goto out;
			if (dvc_oidc_client_set_discovery(srv->oidc, doc, dlen) != DVC_OK) {
				setup_fail(durl, dvc_error_last()->message);
				goto out;
			}
			uri = dvc_oidc_client_jwks_url(srv->oidc);
		}
		if (dvc_oidc_url_check(uri) != DVC_OK) {
			setup_fail(uri, "the JWKS URL must be https:// (http:// only on a loopback host)");
			goto out;
		}
		if (fetch_doc(uri, DVC_OIDC_JWKS_MAX, &jwks, &jlen))
			goto out;
	}
	if (dvc_oidc_client_set_jwks(srv->oidc, jwks, jlen) != DVC_OK) {
		setup_fail("the provider's keys (JWKS)", dvc_error_last()->message);
		goto out;
	}
	rc = 0;
out:
	if (rc) {
		dvc_oidc_client_free(srv->oidc);
		srv->oidc = NULL;
	}
	sodium_memzero(secret, DVC_OIDC_SECRET_MAX + 4);
	free(secret);
	free(jwks);
	free(doc);
	return rc;
}

void httpd_oidc_cleanup(httpd *srv)
{
	dvc_oidc_client_free(srv->oidc);
	srv->oidc = NULL;
	if (srv->curl_started)
		curl_global_cleanup();
	srv->curl_started = 0;
}

/* ---- pages ---- */

/* Append `s` HTML-escaped. */
static void esc(char *out, size_t cap, size_t *at, const char *s)
{
	for (; s && *s && *at + 7 < cap; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep) {
			size_t n = strlen(rep);
			memcpy(out + *at, rep, n);
			*at += n;
		} else {
			out[(*at)++] = *s;
		}
	}
	out[*at] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void put(char *out, size_t cap, size_t *at, const char *fmt, ...);
static void put(char *out, size_t cap, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (*at >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *at, cap - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = (size_t)n < cap - *at ? *at + (size_t)n : cap - 1;
}

#define PAGE_MAX 4096

static enum MHD_Result page(httpd_req *r, unsigned int status, const char *title,
			    const char *refresh, const char *body)
{
	char *p = malloc(PAGE_MAX);
	size_t at = 0;
	if (!p)
		return reply_error(r, 503, DVC_ENOMEM, "out of memory", NULL);
	put(p, PAGE_MAX, &at, "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">%s%s%s"
	    "<title>", refresh ? "<meta http-equiv=\"refresh\" content=\"0;url=" : "",
	    refresh ? refresh : "", refresh ? "\">" : "");
	esc(p, PAGE_MAX, &at, title);
	put(p, PAGE_MAX, &at, "</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
	    "<body><main class=\"oidc\"><h1>");
	esc(p, PAGE_MAX, &at, title);
	put(p, PAGE_MAX, &at, "</h1>%s<p><a href=\"/\">Về trang chủ</a></p></main></body></html>\n",
	    body);
	return reply_bytes(r, status, "text/html; charset=utf-8", p, at, free, NULL);
}

/* The error page: status from the shared table (http.c) unless given, the
 * library's code and path machine-readable in <code id=...>. */
static enum MHD_Result error_page(httpd_req *r, unsigned int status, int code,
				  const char *message, const char *path)
{
	char body[2048];
	size_t at = 0;
	put(body, sizeof body, &at, "<p class=\"error\">");
	esc(body, sizeof body, &at, dvc_oidc_error_text_vi(code, path));
	put(body, sizeof body, &at, "</p><p class=\"detail\">Mã lỗi: <code id=\"code\">%s</code>",
	    dvc_status_name(code));
	if (path) {
		put(body, sizeof body, &at, " (<code id=\"path\">");
		esc(body, sizeof body, &at, path);
		put(body, sizeof body, &at, "</code>)");
	}
	if (message) {
		put(body, sizeof body, &at, ": ");
		esc(body, sizeof body, &at, message);
	}
	put(body, sizeof body, &at, "</p>");
	if (status == 429 && !r->extra_name) {
		r->extra_name = "Retry-After";
		r->extra_value = "60";
	}
	return page(r, status ? status : httpd_status_for(code), "Đăng nhập bằng VNeID không thành công",
		    NULL, body);
}

static enum MHD_Result error_lib(httpd_req *r)
{
	const dvc_error *e = dvc_error_last();
	int code = e->code == DVC_OK ? DVC_ERROR : e->code;
	return error_page(r, 0, code, e->message, e->path);
}

/* ---- routes ---- */

/* The state parameter of the authorization URL the library made (base64url:
 * never percent-encoded), copied into out. */
static int url_state(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "?state=");
	size_t n;
	if (!p)
		p = strstr(url, "&state=");
	if (!p)
		return -1;
	p += 7;
	n = strcspn(p, "&#");
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

enum MHD_Result h_oidc_begin(httpd_req *r)
{
	static char moved[] = "<!doctype html><title>VNeID</title><p>Đang chuyển đến VNeID…</p>\n";
	const char *link = req_query(r, "link");
	const char *user = NULL;
	char state[DVC_OIDC_RANDOM_LEN + 1], *url = NULL;
	enum MHD_Result res;
	dvc_db *db;

	if (!r->srv->oidc)
		return reply_error(r, 404, DVC_ENOTFOUND, "no such resource", NULL);
	if (link) {
		if (strcmp(link, "1") != 0)
			return error_page(r, 400, DVC_EINVAL, "link must be 1", "link");
		if (!(user = req_user(r, DVC_SESSION_ACCOUNT)))
			return error_page(r, 401, DVC_EAUTH, "sign in with the account's password first "
					  "to link a national identity to it", "link");
	}
	if (!(db = httpd_db(r)) || dvc_oidc_begin(db, r->srv->oidc, &r->from, user, &url) != DVC_OK)
		return error_lib(r);
	if (url_state(url, state, sizeof state) != 0) {
		dvc_free(url);
		return error_page(r, 500, DVC_ERROR, "no state in the authorization URL", NULL);
	}
	snprintf(r->cookie_buf, sizeof r->cookie_buf,
		 BIND_COOKIE "=%s; HttpOnly; SameSite=Lax; Path=/auth/vneid/callback; Max-Age=%d%s", state,
		 DVC_OIDC_PENDING_SECONDS, r->srv->secure_cookies ? "; Secure" : "");
	r->set_cookie = r->cookie_buf;
	r->extra_name = MHD_HTTP_HEADER_LOCATION;
	r->extra_value = url;
	res = reply_bytes(r, 302, "text/html; charset=utf-8", moved, sizeof moved - 1, NULL, NULL);
	r->extra_name = r->extra_value = NULL;
	dvc_free(url); /* libmicrohttpd copied the header */
	return res;
}

enum MHD_Result h_oidc_callback(httpd_req *r)
{
	httpd *srv = r->srv;
	const char *q = r->uri ? strchr(r->uri, '?') : NULL;
	const char *bound = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, BIND_COOKIE);
	const char *state = req_query(r, "state");
	dvc_oidc_login *login = NULL;
	dvc_oidc_signin_result *res = NULL;
	char err[CURL_ERROR_SIZE + 64], *answer = NULL, body[1024];
	size_t len, at = 0;
	long status;
	enum MHD_Result out;
	dvc_db *db;
	int frc;

	if (!srv->oidc)
		return reply_error(r, 404, DVC_ENOTFOUND, "no such resource", NULL);
	if (!q || !q[1])
		return error_page(r, 400, DVC_EINVAL, "the provider's parameters are missing", NULL);
	/* this browser started this sign-in (see the top of the file); the
	 * library's checks follow */
	if (state && (!bound || !tokens_equal(bound, state)))
		return error_page(r, 403, DVC_EPERM, "this sign-in was not started in this browser",
				  "state");
	if (!(db = httpd_db(r)) || dvc_oidc_callback(db, srv->oidc, q + 1, strlen(q + 1), &login) != DVC_OK)
		return error_lib(r);
	frc = fetch(dvc_oidc_login_token_url(login), dvc_oidc_login_token_body(login),
		    DVC_OIDC_TOKEN_RESPONSE_MAX, &answer, &len, &status, err, sizeof err);
	if (frc != 0) {
		dvc_oidc_login_free(login);
		return error_page(r, 502, frc == -2 ? DVC_ETOOBIG : DVC_EIO, err, "token_endpoint");
	}
	/* a refusal comes as 400 or 401 with {"error":...}: the library reads it */
	if (status != 200 && status != 400 && status != 401) {
		snprintf(err, sizeof err, "the token endpoint answered HTTP status %ld", status);
		free(answer);
		dvc_oidc_login_free(login);
		return error_page(r, 502, DVC_EIO, err, "token_endpoint");
	}
	if (dvc_oidc_token_response(db, srv->oidc, login, answer, len) != DVC_OK ||
	    dvc_oidc_signin(db, srv->oidc, login, NULL, 0, &res) != DVC_OK) {
		free(answer);
		dvc_oidc_login_free(login);
		return error_lib(r);
	}
	free(answer);
	dvc_oidc_login_free(login);
	/* a citizen session, as POST /api/login starts one, marked national */
	if (httpd_start_session(r, DVC_SESSION_ACCOUNT, res->username, 1) != DVC_OK) {
		dvc_oidc_signin_free(res);
		return error_lib(r);
	}
	put(body, sizeof body, &at, "<p class=\"ok\">%s <strong id=\"username\">",
	    res->linked_now ? "Đã liên kết định danh VNeID và đăng nhập vào tài khoản"
			    : "Đã đăng nhập bằng VNeID vào tài khoản");
	esc(body, sizeof body, &at, res->username);
	put(body, sizeof body, &at, "</strong> (mức độ <span id=\"assurance\">%d</span>).</p>",
	    res->assurance);
	dvc_oidc_signin_free(res);
	out = page(r, 200, "Đăng nhập bằng VNeID", "/", body);
	return out;
}
