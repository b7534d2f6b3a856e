/* HTTP plumbing of the example server: request contexts, routing, body
 * limits, CSRF and content-type checks, replies, the library-error to
 * HTTP-status table, per-thread store handles and the one-line request log.
 *
 * A request goes through the checks that need no body on libmicrohttpd's
 * first call (route, method, Content-Type, Content-Length, session and
 * CSRF token), so a refused upload is answered before it is read; then the
 * body is collected up to the route's limit; then the handler runs once. */
#include "httpd.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Library status -> HTTP status. One table, read whole. Codes not listed
 * are server-side failures (500). */
static const struct {
	int code;
	unsigned int status;
} status_map[] = {
	{DVC_OK, 200},
	{DVC_EINVAL, 400},        {DVC_EPARSE, 400},      {DVC_EUTF8, 400},
	{DVC_EDUPLICATE, 400},    {DVC_EDATE, 400},       {DVC_ERANGE, 400},
	{DVC_ETRUNCATED, 400},
	{DVC_ESCHEMA, 422},       {DVC_EREF, 422},        {DVC_EAMOUNT, 422},
	{DVC_ESERVICELEVEL, 422}, {DVC_EINCOMPLETE, 422}, {DVC_EMISMATCH, 409},
	{DVC_EMEDIATYPE, 415},
	{DVC_EAUTH, 401},
	{DVC_EPERM, 403},         {DVC_ESIGNATURE, 403},
	{DVC_ENOTFOUND, 404},
	{DVC_EEXISTS, 409},       {DVC_ECONFLICT, 409},   {DVC_ETRANSITION, 409},
	{DVC_ERETAINED, 409},
	{DVC_EEXPIRED, 410},
	{DVC_ETOOBIG, 413},
	{DVC_ETHROTTLED, 429},
	{DVC_EBUSY, 503},         {DVC_ENOMEM, 503},
};

unsigned int httpd_status_for(int code)
{
	for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++)
		if (status_map[i].code == code)
			return status_map[i].status;
	return 500;
}

/* The page may load its own script and style and nothing else. Slips set
 * their own (they carry inline CSS). */
static const char page_csp[] =
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
	"connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/* ---- store handles ---- */

static _Thread_local dvc_db *tl_db;

static int shifted_clock(void *ctx, dvc_time *out)
{
	const httpd *srv = ctx;
	*out = (dvc_time)time(NULL) + srv->clock_shift;
	return 0;
}

dvc_db *httpd_db(httpd_req *r)
{
	httpd *srv = r->srv;
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *db;

	if (tl_db)
		return tl_db;
	/* the journal key and trust list from the environment, as main() checked */
	if (dvc_open_opts_from_env(&o) != DVC_OK)
		return NULL;
	o.flags &= ~(unsigned)DVC_OPEN_CREATE; /* the store must exist: main() opened it once */
	if (dvc_open(&db, srv->db_path, &o) != DVC_OK)
		return NULL;
	if (srv->gateway_secret &&
	    dvc_payment_set_gateway(db, srv->gateway_name, srv->gateway_secret) != DVC_OK) {
		dvc_close(db);
		return NULL;
	}
	if (srv->clock_shifted)
		dvc_set_clock(db, shifted_clock, srv);
	pthread_mutex_lock(&srv->db_lock);
	if (srv->n_dbs == srv->cap_dbs) {
		size_t cap = srv->cap_dbs ? 2 * srv->cap_dbs : 8;
		dvc_db **v = realloc(srv->dbs, cap * sizeof *v);
		if (!v) {
			pthread_mutex_unlock(&srv->db_lock);
			dvc_close(db);
			return NULL;
		}
		srv->dbs = v;
		srv->cap_dbs = cap;
	}
	srv->dbs[srv->n_dbs++] = db;
	pthread_mutex_unlock(&srv->db_lock);
	return tl_db = db;
}

/* ---- replies ---- */

void httpd_common_headers(httpd_req *r, struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (strncmp(type, "text/html", 9) == 0)
		MHD_add_response_header(resp, "Content-Security-Policy", r->csp ? r->csp : page_csp);
	if (r->set_cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	if (r->extra_name)
		MHD_add_response_header(resp, r->extra_name, r->extra_value);
}

enum MHD_Result reply_bytes(httpd_req *r, unsigned int status, const char *type, void *data,
			    size_t len, void (*free_fn)(void *), const char *disposition)
{
	struct MHD_Response *resp;

	if (free_fn)
		resp = MHD_create_response_from_buffer_with_free_callback(len, data, free_fn);
	else
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (free_fn)
			free_fn(data);
		return r->result = MHD_NO;
	}
	httpd_common_headers(r, resp, type);
	if (disposition)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	r->status = status;
	r->resp_len = len;
	r->result = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return r->result;
}

enum MHD_Result reply_json(httpd_req *r, unsigned int status, cJSON *body)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	if (!text) {
		static char oom[] = "{\"error\":{\"code\":\"DVC_ENOMEM\",\"message\":\"out of memory\",\"path\":null}}";
		return reply_bytes(r, 503, "application/json", oom, sizeof oom - 1, NULL, NULL);
	}
	return reply_bytes(r, status, "application/json; charset=utf-8", text, strlen(text), free,
			   NULL);
}

enum MHD_Result reply_view(httpd_req *r, unsigned int status, int rc, char **json)
{
	if (rc != DVC_OK)
		return reply_lib(r);
	return reply_bytes(r, status, "application/json; charset=utf-8", *json, strlen(*json),
			   dvc_free, NULL);
}

enum MHD_Result reply_error(httpd_req *r, unsigned int status, int code, const char *message,
			    const char *path)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", dvc_status_name(code));
	cJSON_AddStringToObject(e, "message", message ? message : "error");
	cJSON_AddStringToObject(e, "text", dvc_status_text_vi(code)); /* what the page shows */
	if (path)
		cJSON_AddStringToObject(e, "path", path);
	else
		cJSON_AddNullToObject(e, "path");
	if (status == 429 && !r->extra_name) {
		r->extra_name = "Retry-After";
		r->extra_value = "900";
	}
	return reply_json(r, status, o);
}

enum MHD_Result reply_lib(httpd_req *r)
{
	const dvc_error *e = dvc_error_last();
	int code = e->code == DVC_OK ? DVC_ERROR : e->code;
	return reply_error(r, httpd_status_for(code), code, e->message, e->path);
}

/* ---- request data ---- */

const char *req_header(httpd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(httpd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

cJSON *req_json(httpd_req *r)
{
	cJSON *j;
	if (!r->body_len) {
		reply_error(r, 400, DVC_EPARSE, "the request body is empty; a JSON object is expected",
			    NULL);
		return NULL;
	}
	/* The library's own check first, so that the server refuses what the
	 * library would (a NUL in a string, text after the value, invalid
	 * UTF-8) instead of letting cJSON cut or skip it; its limits are those
	 * of form data one level down, plus room for the applicant. */
	if (dvc_json_check(r->body, r->body_len, DVC_EFORM_MAX_DEPTH + 1,
			   DVC_EFORM_MAX_VALUES + 1024) != DVC_OK) {
		reply_lib(r);
		return NULL;
	}
	if (!(j = cJSON_ParseWithLength(r->body, r->body_len))) {
		reply_error(r, 503, DVC_ENOMEM, "out of memory reading the request body", NULL);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		reply_error(r, 422, DVC_ESCHEMA, "the request body must be a JSON object", NULL);
		return NULL;
	}
	return j;
}

/* ---- sessions on requests ---- */

int httpd_start_session(httpd_req *r, dvc_session_kind kind, const char *username, int national)
{
	dvc_session_req q = DVC_SESSION_REQ_INIT;
	dvc_session *s;
	dvc_db *db = httpd_db(r);
	int rc;
	q.kind = kind;
	q.username = username;
	q.national = national;
	q.ttl = r->srv->session_ttl;
	q.replaces = r->sess ? dvc_session_token(r->sess) : NULL;
	if (!db || (rc = dvc_session_start(db, &q, &s)) != DVC_OK)
		return db ? rc : DVC_ERROR;
	dvc_session_free(r->sess);
	r->sess = s;
	snprintf(r->cookie_buf, sizeof r->cookie_buf,
		 "dvc_session=%s; HttpOnly; SameSite=Strict; Path=/%s", dvc_session_token(s),
		 r->srv->secure_cookies ? "; Secure" : "");
	r->set_cookie = r->cookie_buf;
	return DVC_OK;
}

const char *req_user(const httpd_req *r, dvc_session_kind kind)
{
	return r->sess && dvc_session_kind_of(r->sess) == kind ? dvc_session_username(r->sess) : NULL;
}

/* ---- routing ---- */

static int split_path(httpd_req *r, const char *url)
{
	const char *p = url;
	if (*p != '/')
		return -1;
	p++;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (r->nseg == (int)(sizeof r->seg / sizeof r->seg[0]))
			return -1;
		if (!(r->seg[r->nseg] = strndup(p, n)))
			return -1;
		r->nseg++;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* A segment a handler may use as a key or a file name: no traversal, no
 * separators, no control bytes. */
static int segment_ok(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '/')
			return 0;
	return 1;
}

static int pattern_match(const httpd_req *r, const char *pattern)
{
	const char *p = pattern + 1;
	int i = 0;
	if (strcmp(pattern, "/") == 0)
		return r->nseg == 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (i >= r->nseg)
			return 0;
		if (!(n == 1 && *p == '*') && (strlen(r->seg[i]) != n || strncmp(r->seg[i], p, n) != 0))
			return 0;
		i++;
		p += n;
		if (*p == '/')
			p++;
	}
	return i == r->nseg;
}

/* Find the route; on failure reply 400/404/405 and return NULL. */
static const httpd_route *route_find(httpd_req *r, const char *url, const char *method)
{
	size_t n;
	const httpd_route *routes = api_routes(&n);
	int path_known = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	/* a %00 in the path would end the decoded URL early: refuse it */
	const char *nul = r->uri ? strstr(r->uri, "%00") : NULL;
	if (nul && (size_t)(nul - r->uri) < strcspn(r->uri, "?")) {
		reply_error(r, 400, DVC_EINVAL, "invalid path segment (a NUL byte)", NULL);
		return NULL;
	}
	if (split_path(r, url) != 0) {
		reply_error(r, 404, DVC_ENOTFOUND, "no such resource", NULL);
		return NULL;
	}
	for (int i = 0; i < r->nseg; i++)
		if (!segment_ok(r->seg[i])) {
			reply_error(r, 400, DVC_EINVAL,
				    "invalid path segment (empty, '.', '..', a separator or a control "
				    "character)", NULL);
			return NULL;
		}
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(r, routes[i].pattern))
			continue;
		if (strcmp(routes[i].method, m) == 0)
			return &routes[i];
		path_known = 1;
		r->extra_name = "Allow";
		r->extra_value = routes[i].method;
	}
	if (path_known)
		reply_error(r, 405, DVC_EINVAL, "method not allowed on this resource", NULL);
	else
		reply_error(r, 404, DVC_ENOTFOUND, "no such resource", NULL);
	return NULL;
}

static int is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct || strncasecmp(ct, want, sizeof want - 1) != 0)
		return 0;
	ct += sizeof want - 1;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* The checks made before any body is read. 0 to go on, else the reply is queued. */
static int precheck(httpd_req *r)
{
	const httpd_route *rt = r->route;
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "dvc_session");
	const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	dvc_db *db;

	/* a malformed cookie is no session; a store that cannot be read is */
	if (cookie && (db = httpd_db(r)) && dvc_session_find(db, cookie, &r->sess) != DVC_OK) {
		if (dvc_error_last()->code != DVC_EINVAL && dvc_error_last()->code != DVC_EEXPIRED) {
			reply_lib(r);
			return 1;
		}
		r->sess_expired = dvc_error_last()->code == DVC_EEXPIRED;
	}

	r->body_limit = rt->flags & ROUTE_UPLOAD  ? (size_t)r->srv->max_upload
			: rt->flags & ROUTE_LARGE ? HTTPD_MAX_BODY_SUBMIT
						  : HTTPD_MAX_BODY_SMALL;
	if (cl) { /* refused before a byte of the body is read */
		char *end;
		unsigned long long v = strtoull(cl, &end, 10);
		if (*end == '\0' && v > r->body_limit) {
			reply_error(r, 413, DVC_ETOOBIG, "the request body is too large", NULL);
			return 1;
		}
	}
	if (rt->flags & ROUTE_CSRF) {
		const char *csrf = req_header(r, "X-CSRF-Token");
		if (r->sess_expired) {
			reply_error(r, 401, DVC_EEXPIRED,
				    "the session has expired; sign in again (GET /api/session gives a new one)",
				    NULL);
			return 1;
		}
		if (!r->sess) {
			reply_error(r, 403, DVC_EPERM,
				    "no session: GET /api/session first and send its cookie", NULL);
			return 1;
		}
		if (dvc_session_csrf_check(r->sess, csrf) != DVC_OK) {
			reply_error(r, 403, DVC_EPERM, "missing or wrong X-CSRF-Token header", NULL);
			return 1;
		}
	}
	if ((rt->flags & ROUTE_JSON) && !is_json_type(req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		reply_error(r, 415, DVC_EINVAL, "Content-Type must be application/json", NULL);
		return 1;
	}
	return 0;
}

/* ---- libmicrohttpd callbacks ---- */

void httpd_client_key(struct MHD_Connection *conn, char out[HTTPD_CLIENT_MAX])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, HTTPD_CLIENT_MAX, "unknown");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		const unsigned char *a = (const unsigned char *)&sin->sin_addr;
		snprintf(out, HTTPD_CLIENT_MAX, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
		const unsigned char *a = s6->sin6_addr.s6_addr;
		snprintf(out, HTTPD_CLIENT_MAX, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", a[0], a[1],
			 a[2], a[3], a[4], a[5], a[6], a[7]);
	}
}

void *httpd_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	httpd_req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->srv = cls;
	r->conn = conn;
	httpd_client_key(conn, r->client);
	r->from.version = DVC_CALLER_VERSION;
	r->from.client = r->client;
	r->uri = strdup(uri ? uri : "");
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	return r;
}

enum MHD_Result httpd_access(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls)
{
	httpd_req *r = *con_cls;
	(void)cls;
	(void)version;

	if (!r)
		return MHD_NO;
	if (!r->started) {
		r->started = 1;
		r->method = strdup(method);
		r->path = strdup(url);
		if (!r->method || !r->path)
			return MHD_NO;
		if (!(r->route = route_find(r, url, method)))
			return r->result;
		if (precheck(r))
			return r->result;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->body_too_big || r->status)
			return MHD_YES; /* discard what follows a refusal */
		if (r->route->flags & ROUTE_UPLOAD) {
			if ((uint64_t)r->spool_len + n > r->body_limit) {
				r->body_too_big = 1;
				return MHD_YES;
			}
			if (!r->spool_open) {
				if ((r->spool_fd = spool_open(r->srv)) < 0)
					return MHD_NO;
				r->spool_open = 1;
			}
			if (spool_write(r->spool_fd, upload_data, n) != 0)
				return MHD_NO;
			r->spool_len += (int64_t)n;
			return MHD_YES;
		}
		if (r->body_len + n > r->body_limit) {
			r->body_too_big = 1;
			free(r->body);
			r->body = NULL;
			r->body_len = 0;
			return MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 4096;
			char *b;
			while (cap < r->body_len + n + 1)
				cap *= 2;
			if (!(b = realloc(r->body, cap)))
				return MHD_NO;
			r->body = b;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	(void)conn;
	if (r->status)
		return MHD_YES; /* already answered */
	if (r->body_too_big)
		return reply_error(r, 413, DVC_ETOOBIG, "the request body is too large", NULL);
	return r->route->fn(r);
}

/* Printable copy of a request path for the log (no control bytes, bounded). */
static void log_path(char *out, size_t n, const char *path)
{
	size_t i = 0;
	for (const unsigned char *p = (const unsigned char *)(path ? path : "-"); *p && i + 1 < n;
	     p++)
		out[i++] = (*p < 0x20 || *p == 0x7f || *p == ' ') ? '?' : (char)*p;
	out[i] = '\0';
}

void httpd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe)
{
	httpd *srv = cls;
	httpd_req *r = *con_cls;
	struct timespec t1;
	char when[32], path[256], ip[64] = "-";
	const union MHD_ConnectionInfo *ci;
	time_t now = time(NULL);
	struct tm tm;
	double ms;

	(void)toe;
	if (!r)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
		const unsigned char *a = (const unsigned char *)&sin->sin_addr;
		snprintf(ip, sizeof ip, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	}
	/* the path only: query strings carry tracking secrets */
	log_path(path, sizeof path, r->path);
	pthread_mutex_lock(&srv->log_lock);
	fprintf(stderr, "%s %s %s %s %u %zu %.1fms\n", when, ip, r->method ? r->method : "-", path,
		r->status, r->resp_len, ms);
	pthread_mutex_unlock(&srv->log_lock);

	for (int i = 0; i < r->nseg; i++)
		free(r->seg[i]);
	if (r->spool_open)
		close(r->spool_fd);
	dvc_session_free(r->sess);
	free(r->body);
	free(r->uri);
	free(r->method);
	free(r->path);
	free(r);
	*con_cls = NULL;
}
