/*
 * dvc-httpd — an example portal front end over libdvc: an HTTP/JSON server
 * on libmicrohttpd and a small web page, to show how an existing portal
 * links the library in. Thin on purpose: every rule of the domain (who may
 * act, what a state allows, deadlines, validation of applicant fields and
 * e-forms, tracking secrets and their throttling) stays in the library; the
 * server translates HTTP to calls and library errors to HTTP statuses.
 *
 * What belongs to the example and not to the library, and is marked so:
 * officer sign-in with desk tokens read from a file (a real portal has its
 * own SSO). Sessions and their CSRF tokens are the library's (session.h),
 * kept in the store, so that any number of server processes share them. Dossier documents are
 * the library's (document.h); files.c only spools them between HTTP and
 * the library's streaming calls.
 *
 * Threading: libmicrohttpd runs an internal thread pool. Each pool thread
 * opens its own dvc_db handle on first use (a handle is used by one thread
 * at a time, see store.h): reads run in parallel on SQLite's WAL, and
 * writers serialise inside SQLite (its busy timeout; DVC_EBUSY maps to
 * 503).
 */
#ifndef DVC_HTTPD_H
#define DVC_HTTPD_H

#include "dvc/dvc.h"
#include "dvc/sign.h"
#include "dvc/slip.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Size limits of request bodies. Submissions may carry small attachments as
 * base64 inside JSON (4/3 of the decoded size plus the form); uploads of one
 * file each go to POST /api/dossiers/CODE/files as raw bytes, up to
 * --max-upload (default the library's default per-file limit); everything
 * else is small. */
#define HTTPD_MAX_BODY_SUBMIT (3u * 1024u * 1024u)
#define HTTPD_MAX_BODY_SMALL (64u * 1024u)
#define HTTPD_MAX_UPLOAD_DEFAULT ((int64_t)DVC_FILE_DEFAULT_MAX_BYTES)

/* ---- registration slots (guard.c) ---- */

/* Constant-time comparison of two NUL-terminated tokens. */
int tokens_equal(const char *a, const char *b);
typedef struct httpd_guard httpd_guard;
int guard_new(httpd_guard **out);
void guard_free(httpd_guard *g);
/* Seconds the client must wait before registering again (0: may try), and
 * the library's registration limit refused it. */
int64_t guard_register_wait(httpd_guard *g, const char *client);
void guard_register_refused(httpd_guard *g, const char *client);

/* The client's address as the library's throttle key (dvc_caller): an IPv4
 * address, or the /64 prefix of an IPv6 one (one subscriber holds a whole
 * /64, so counting single addresses would count nothing). */
#define HTTPD_CLIENT_MAX 48
void httpd_client_key(struct MHD_Connection *conn, char out[HTTPD_CLIENT_MAX]);

/* ---- the server ---- */

/* Account registration costs an Argon2id hash (64 MiB, about 0.1 s of a
 * core). Bots registering from a few addresses each stay within the
 * library's per-address limit yet, all at once, took every worker thread
 * and both cores (issue 16: /api/health from 0.6 ms to about 1 s). At most
 * `register_slots` registrations hash at once; one past that is refused at
 * once (503, DVC_EBUSY, Retry-After: 1) without counting against its
 * address, so nobody is locked out and the other workers stay free. An
 * address the library's limit refused is answered 429 for
 * HTTPD_REGISTER_REFUSED_SECONDS before it takes a slot, so that its bots
 * cannot keep the slot busy for others. */
#define HTTPD_REGISTER_SLOTS_DEFAULT 1
#define HTTPD_REGISTER_REFUSED_SECONDS 60

typedef struct httpd {
	const char *db_path;
	const char *files_dir; /* where uploads and downloads are spooled (anonymous files) */
	int64_t max_upload;    /* --max-upload: largest upload body */
	dvc_sign_opts sign;    /* --sign-key, --sign-cert: the agency's key for results */
	const char *gateway_name, *gateway_secret; /* from DVC_GATEWAY, DVC_GATEWAY_SECRET */
	int secure_cookies;
	/* --clock-start: the stores' clock runs this many seconds off the wall's */
	int clock_shifted;
	dvc_time clock_shift;
	int session_ttl;               /* --session-ttl */
	httpd_guard *guard;            /* addresses refused a registration */
	atomic_int registering;        /* registrations hashing now */
	int register_slots;            /* --register-slots */
	/* every per-thread store handle, closed at shutdown */
	pthread_mutex_t db_lock;
	dvc_db **dbs;
	size_t n_dbs, cap_dbs;
	pthread_mutex_t log_lock;
	/* sign-in with VNeID (oidc.c): the provider and its keys, NULL when
	 * not configured or not built (HTTPD_HAVE_OIDC) */
	dvc_oidc_client *oidc;
	int curl_started;
} httpd;

/* A registration may hash now (1, give it back after) or not (0). */
int register_slot_take(httpd *srv);
void register_slot_give(httpd *srv);

/* One request. Created by the URI log callback, freed when it completes. */
typedef struct httpd_req {
	httpd *srv;
	struct MHD_Connection *conn;
	char client[HTTPD_CLIENT_MAX]; /* throttle key of the client's address */
	dvc_caller from;      /* .client = client, for the library's throttles */
	char *uri;            /* as sent, with the query string */
	char *method;
	char *path;           /* decoded path, without the query */
	const struct httpd_route *route;
	char *seg[8];         /* path segments (copies) */
	int nseg;
	char *body;
	size_t body_len, body_cap, body_limit;
	int spool_fd;         /* ROUTE_UPLOAD: the body spooled here (open when spool_open) */
	int spool_open;
	int64_t spool_len;
	int body_too_big;
	int started;
	dvc_session *sess;      /* the cookie's session (the library's), or NULL */
	int sess_expired;       /* the cookie named a signed-in session that expired */
	const char *set_cookie; /* Set-Cookie header to add to the response, or NULL */
	char cookie_buf[200];
	const char *csp;        /* Content-Security-Policy of an HTML reply, or NULL: the page's */
	const char *extra_name, *extra_value; /* one more header (Location, Allow), or NULL */
	char retry_after[24];   /* a Retry-After value extra_value may point to */
	unsigned int status;
	size_t resp_len;
	enum MHD_Result result; /* what queueing the reply returned */
	struct timespec t0;
} httpd_req;

/* The calling thread's store handle (opened on first use); NULL on failure
 * (dvc_error_last() says why). */
dvc_db *httpd_db(httpd_req *r);

/* Replies. Each queues exactly one response; handlers return after one. */
enum MHD_Result reply_json(httpd_req *r, unsigned int status, cJSON *body); /* frees body */
/* A library view (dvc_*_json) made with status `rc` into *json, or the
 * library's error; reads *json after the call that filled it. */
enum MHD_Result reply_view(httpd_req *r, unsigned int status, int rc, char **json);
enum MHD_Result reply_bytes(httpd_req *r, unsigned int status, const char *type, void *data,
			    size_t len, void (*free_fn)(void *), const char *disposition);
/* {"error":{"code":"DVC_...","message":"...","path":...}} with the given status. */
enum MHD_Result reply_error(httpd_req *r, unsigned int status, int code, const char *message,
			    const char *path);
/* Return the reply of a handler that shows one object: `call` (a library
 * call making `obj`, or DVC_ERROR without a store), then the object's view
 * `view(obj, &json)` with status 200, and `release(obj)`; the library's
 * error when a step fails. */
#define REPLY_VIEW_OF(r, obj, call, view, release)                                         \
	do {                                                                               \
		char *json_;                                                               \
		int rc_;                                                                   \
		if ((call) != DVC_OK)                                                      \
			return reply_lib(r);                                               \
		rc_ = view((obj), &json_);                                                 \
		release(obj);                                                              \
		return reply_view((r), 200, rc_, &json_);                                  \
	} while (0)
/* The library's last error, with the status its code maps to. */
enum MHD_Result reply_lib(httpd_req *r);
unsigned int httpd_status_for(int code);

/* The body as a JSON object; NULL after replying 400 (r->result holds the
 * queueing result to return). */
cJSON *req_json(httpd_req *r);

/* A request header or query parameter (decoded), or NULL. */
const char *req_header(httpd_req *r, const char *name);
const char *req_query(httpd_req *r, const char *name);

/* Route handlers (api.c). */
typedef enum MHD_Result (*httpd_handler)(httpd_req *r);
typedef struct httpd_route {
	const char *method;
	const char *pattern; /* path; a "*" segment matches any one segment */
	httpd_handler fn;
	unsigned int flags;
} httpd_route;

enum {
	ROUTE_JSON = 1u << 0,  /* body must be application/json */
	ROUTE_CSRF = 1u << 1,  /* state-changing: session cookie + X-CSRF-Token */
	ROUTE_LARGE = 1u << 2, /* body up to HTTPD_MAX_BODY_SUBMIT */
	ROUTE_UPLOAD = 1u << 3 /* raw body spooled to a file (r->spool_fd), up to --max-upload */
};

const httpd_route *api_routes(size_t *n);

/* The MHD access handler and request lifecycle callbacks (http.c). */
enum MHD_Result httpd_access(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls);
void *httpd_uri_log(void *cls, const char *uri, struct MHD_Connection *conn);
void httpd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		     enum MHD_RequestTerminationCode toe);

/* Start a session (dvc_session_start, replacing the request's) and attach
 * its cookie to the reply; DVC_OK, or the library's error. */
int httpd_start_session(httpd_req *r, dvc_session_kind kind, const char *username, int national);
/* The username of the request's session when it is of `kind`, else NULL. */
const char *req_user(const httpd_req *r, dvc_session_kind kind);

/* ---- uploads and downloads (files.c) ---- */

/* An anonymous read-write temporary file under --files-dir, or -1. */
int spool_open(const httpd *srv);
int spool_write(int fd, const void *data, size_t n);
/* dvc_file_read_fn over a file descriptor (ctx points at the int). */
int64_t spool_read(void *ctx, void *buf, size_t cap);
/* Stream file `id` (a path segment) of dossier `code` as `who` (or, code
 * NULL, of the data store of account `username`) out of the library and
 * send it as an attachment named after the file, with its detected media
 * type; 400 for a malformed id, 404 for one the list does not have. */
enum MHD_Result reply_file(httpd_req *r, const char *code, const dvc_actor *who,
			   const char *username, const char *id);
/* A positive file id from a path segment; 0 when malformed. */
int64_t file_id(const char *s);
/* Headers every reply carries (type, no-store, nosniff, CSP for HTML...). */
void httpd_common_headers(httpd_req *r, struct MHD_Response *resp, const char *type);
/* A dossier code safe to use in a file name. */
int files_safe_code(const char *s);

/* ---- sign-in with VNeID, OpenID Connect (oidc.c; HTTPD_HAVE_OIDC) ---- */

typedef struct httpd_oidc_opts {
	const char *issuer;       /* --oidc-issuer */
	const char *client_id;    /* --oidc-client-id */
	const char *secret_file;  /* --oidc-secret-file: the client secret, one line */
	const char *redirect_uri; /* --oidc-redirect-uri (main.c derives a default) */
	const char *jwks_file;    /* --oidc-jwks-file: the provider's keys, or NULL */
	const char *jwks_uri;     /* --oidc-jwks-uri: where to fetch them, or NULL: discovery */
} httpd_oidc_opts;

/* Read the secret, fetch the keys, make srv->oidc; 0, or 1 after saying
 * why on stderr. Before the worker threads start. */
int httpd_oidc_setup(httpd *srv, const httpd_oidc_opts *o);
void httpd_oidc_cleanup(httpd *srv);
enum MHD_Result h_oidc_begin(httpd_req *r);
enum MHD_Result h_oidc_callback(httpd_req *r);

/* ---- embedded web assets (www/, compiled in by tools/embed.py) ---- */
#include "embedded.h"
extern const dvc_embedded_file httpd_www_files[];

#endif
