/* The JSON API of the example server and the page it serves.
 *
 *   GET  /                                   the web page (embedded www/index.html)
 *   GET  /static/NAME                        its script and style sheet
 *   GET  /api/health                         {"status":"ok","version":...}
 *   GET  /api/session                        CSRF token and who is signed in (starts a session)
 *   GET  /api/catalog/stats                  procedures in force by sector, level, online level
 *   GET  /api/procedures?q=&sector=&level=&online=&agency=&limit=   search
 *   GET  /api/procedures/CODE                a procedure: documents, fees, route, e-form schema
 *   GET  /api/procedures/CODE/forms/N        printable blank form of document N (levels 1-2)
 *   POST /api/accounts                       register a citizen account
 *   POST /api/login | /api/logout            citizen session (dvc_account_login)
 *   POST /api/officer/login                  officer session from a desk token (example only)
 *   GET  /api/officer/inbox[?state=S&all=1]  dossiers at the officer's unit, with allowed actions
 *   GET  /api/officer/register               tracking register of the unit (form 06, HTML)
 *   POST /api/dossiers                       submit (account session, or anonymous with applicant)
 *   GET  /api/dossiers/CODE                  track (X-Tracking-Secret header or ?secret=, or session)
 *   POST /api/dossiers/CODE/actions          act: {"action":"receive", "note":..., ...}
 *   GET  /api/dossiers/CODE/files            the dossier's documents (and result files)
 *   POST /api/dossiers/CODE/files?component=N&name=NAME[&form=&mode=&replaces=&size=]
 *                                            upload one file (raw body) into component N
 *                                            (or component=result: the signing leader)
 *   POST /api/dossiers/CODE/reuse            attach a file of the account's data store:
 *                                            {"component":N,"file":ID[,"name","form"]}
 *   GET  /api/dossiers/CODE/files/ID         download one (the signed result too)
 *   GET  /api/dossiers/CODE/missing          required components still without a file
 *   GET  /api/dossiers/CODE/proof            its proof bundle (proof.h), to verify offline
 *   POST /api/dossiers/CODE/sign             the signing leader signs the attached result
 *   GET  /api/account                        the signed-in account's profile (fills the form)
 *   GET  /api/account/files[/ID]             the signed-in account's data store, a file of it
 *   GET  /api/rating/criteria                the rating form (criteria, labels, range)
 *   GET  /api/dossiers/CODE/rating           the dossier's rating
 *   POST /api/dossiers/CODE/rating           rate it (applicant only, once): {"scores":{...}}
 *   POST /api/dossiers/CODE/counter-payment  fee paid at the desk (officer):
 *                                            {"receipt_no","amount","method","note"}
 *   GET  /api/dossiers/CODE/slips/KIND       slip of the dossier as HTML (receipt, refusal...)
 *   POST /api/dossiers/CODE/payment          ask for online payment (level 4)
 *   GET  /api/payments/callback?vnp_...      the gateway's signed callback
 *   GET  /auth/vneid[?link=1]                sign in with VNeID (oidc.c): 302 to the provider;
 *                                            link=1 from a password session links the identity
 *   GET  /auth/vneid/callback?code=&state=   the provider's answer: a citizen session, or an
 *                                            error page (only with --oidc-* and when built
 *                                            with libcurl and libcjose; 404 otherwise)
 *
 * Every POST but the gateway callback needs the session cookie and its CSRF
 * token in X-CSRF-Token; JSON bodies need Content-Type: application/json. */
#include "httpd.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STR(o, k) cjson_str((o), (k))

/* A string member, or NULL when absent or not a string. */
static const char *cjson_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static enum MHD_Result bad_request(httpd_req *r, int code, const char *msg, const char *path)
{
	return reply_error(r, httpd_status_for(code), code, msg, path);
}

/* ---- static assets ---- */

static const dvc_embedded_file *asset(const char *name)
{
	for (const dvc_embedded_file *f = httpd_www_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static const char *asset_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (dot && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (dot && strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	return "application/octet-stream";
}

static enum MHD_Result serve_asset(httpd_req *r, const char *name)
{
	const dvc_embedded_file *f = asset(name);
	if (!f || (strcmp(name, "index.html") == 0 && r->nseg != 0))
		return reply_error(r, 404, DVC_ENOTFOUND, "no such file", NULL);
	return reply_bytes(r, 200, asset_type(name), (void *)(uintptr_t)f->data, f->size, NULL,
			   NULL);
}

static enum MHD_Result h_index(httpd_req *r) { return serve_asset(r, "index.html"); }
static enum MHD_Result h_static(httpd_req *r) { return serve_asset(r, r->seg[1]); }

static enum MHD_Result h_health(httpd_req *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", "ok");
	cJSON_AddStringToObject(o, "version", dvc_version());
	return reply_json(r, 200, o);
}

/* ---- sessions ---- */

/* The library's view of the session, and whether the page may offer
 * "Đăng nhập bằng VNeID" (only when this server can). */
static cJSON *session_json(const httpd_req *r)
{
	char *j;
	cJSON *o;
	if (dvc_session_json(r->sess, &j) != DVC_OK)
		return NULL;
	o = cJSON_Parse(j);
	dvc_free(j);
	if (o)
		cJSON_AddBoolToObject(o, "vneid", r->srv->oidc != NULL);
	return o;
}

static enum MHD_Result reply_session(httpd_req *r, int rc)
{
	cJSON *o = rc == DVC_OK ? session_json(r) : NULL;
	return o ? reply_json(r, 200, o) : reply_lib(r);
}

static enum MHD_Result h_session(httpd_req *r)
{
	return reply_session(r, r->sess ? DVC_OK : httpd_start_session(r, DVC_SESSION_VISITOR, NULL, 0));
}

/* ---- catalog ---- */

static enum MHD_Result h_stats(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_catalog_stats *s;
	REPLY_VIEW_OF(r, s, db ? dvc_catalog_stats_compute(db, NULL, &s) : DVC_ERROR,
		      dvc_catalog_stats_json, dvc_catalog_stats_free);
}

/* A small non-negative integer query parameter; -1 when malformed. */
static long int_param(const char *s, long lo, long hi)
{
	char *end;
	long v;
	if (!s || !*s)
		return 0;
	v = strtol(s, &end, 10);
	return *end || v < lo || v > hi ? -1 : v;
}

static enum MHD_Result h_search(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	dvc_search_result *res;
	const char *q = req_query(r, "q");
	long online = int_param(req_query(r, "online"), 1, 4);
	long limit = int_param(req_query(r, "limit"), 1, 100);
	char *j;
	int rc;

	if (online < 0)
		return bad_request(r, DVC_EINVAL, "online must be a level from 1 to 4", "online");
	if (limit < 0)
		return bad_request(r, DVC_EINVAL, "limit must be from 1 to 100", "limit");
	o.sector = req_query(r, "sector");
	o.level = req_query(r, "level");
	o.agency = req_query(r, "agency");
	o.online_level = (int)online;
	o.limit = limit ? (size_t)limit : 20;
	if (!db || dvc_catalog_search(db, q, &o, &res) != DVC_OK)
		return reply_lib(r);
	rc = dvc_search_result_json(res, q, &j);
	dvc_search_result_free(res);
	return reply_view(r, 200, rc, &j);
}

static enum MHD_Result h_procedure(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_procedure *p;
	REPLY_VIEW_OF(r, p, db ? dvc_procedure_get(db, r->seg[2], NULL, &p) : DVC_ERROR,
		      dvc_procedure_json, dvc_procedure_free);
}

/* Level 2: a printable blank form of e-form document N (the library
 * renders it from the catalog). The client names the document by number. */
static enum MHD_Result h_form(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_procedure *p;
	const char *n_str = r->seg[4];
	char *end, disp[128], *html;
	size_t len;
	long n = strtol(n_str, &end, 10);
	int rc;

	if (end == n_str || (*end && strcmp(end, ".html") != 0) || n < 1 || n > 1000)
		return bad_request(r, DVC_EINVAL,
				   "a form is named by the document's number (1, 2, ...)", "n");
	if (!db || dvc_procedure_get(db, r->seg[2], NULL, &p) != DVC_OK)
		return reply_lib(r);
	rc = dvc_form_render(p, (size_t)n, &html, &len);
	dvc_procedure_free(p);
	if (rc != DVC_OK)
		return reply_lib(r);
	snprintf(disp, sizeof disp, "attachment; filename=\"mau-%s-%ld.html\"", r->seg[2], n);
	r->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
	return reply_bytes(r, 200, "text/html; charset=utf-8", html, len, dvc_free,
			   files_safe_code(r->seg[2]) ? disp : "attachment");
}

/* ---- accounts and sign-in ---- */

/* {username, password, profile} (dvc_account_register_json), at most
 * --register-slots at once (guard.c). */
static enum MHD_Result h_register(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	int64_t wait;
	char *view;
	int rc;

	if ((wait = guard_register_wait(r->srv->guard, r->client)) > 0) {
		snprintf(r->retry_after, sizeof r->retry_after, "%lld", (long long)wait);
		r->extra_name = "Retry-After";
		r->extra_value = r->retry_after;
		return reply_error(r, 429, DVC_ETHROTTLED, "too many registrations from this address; "
				   "try again later", NULL);
	}
	if (!register_slot_take(r->srv)) {
		r->extra_name = "Retry-After";
		r->extra_value = "1";
		return reply_error(r, 503, DVC_EBUSY, "the server is busy registering other accounts: "
				   "retry in a second", NULL);
	}
	rc = db ? dvc_account_register_json(db, r->body ? r->body : "", r->body_len, &r->from, &view)
		: DVC_ERROR;
	register_slot_give(r->srv);
	if (rc == DVC_ETHROTTLED)
		guard_register_refused(r->srv->guard, r->client);
	return reply_view(r, 201, rc, &view);
}

static enum MHD_Result h_login(httpd_req *r)
{
	cJSON *j = req_json(r);
	dvc_db *db;
	const char *user, *pass;
	int rc;

	if (!j)
		return r->result;
	user = STR(j, "username");
	pass = STR(j, "password");
	if (!user || !pass) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "username and password are required", NULL);
	}
	if (!(db = httpd_db(r)) || dvc_account_login_from(db, user, pass, &r->from) != DVC_OK) {
		cJSON_Delete(j);
		return reply_lib(r);
	}
	rc = httpd_start_session(r, DVC_SESSION_ACCOUNT, user, 0);
	cJSON_Delete(j);
	return reply_session(r, rc);
}

static enum MHD_Result h_logout(httpd_req *r)
{
	/* the new visitor's session ends the signed-in one */
	return reply_session(r, httpd_start_session(r, DVC_SESSION_VISITOR, NULL, 0));
}

/* Officers sign in with the credential --officer-tokens gave them (the
 * library keeps it hashed and throttles guessing as for citizens); a
 * portal with an SSO starts the officer's session itself. */
static enum MHD_Result h_officer_login(httpd_req *r)
{
	cJSON *j = req_json(r);
	const char *user, *token;
	dvc_db *db;
	int rc;

	if (!j)
		return r->result;
	user = STR(j, "username");
	token = STR(j, "token");
	if (!user || !token) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "username and token are required", NULL);
	}
	rc = (db = httpd_db(r)) ? dvc_officer_login_from(db, user, token, &r->from) : DVC_ERROR;
	if (rc == DVC_OK)
		rc = httpd_start_session(r, DVC_SESSION_OFFICER, user, 0);
	cJSON_Delete(j);
	return reply_session(r, rc);
}

/* ---- dossiers ---- */

/* Who acts on a dossier: an applicant holding the tracking secret
 * (`body_secret`, else header X-Tracking-Secret, else query ?secret=),
 * else the signed-in officer or account. 0, or 1 when none. */
static int req_actor_quiet(httpd_req *r, const char *body_secret, dvc_actor *a)
{
	const char *secret = body_secret;
	if (!secret)
		secret = req_header(r, "X-Tracking-Secret");
	if (!secret)
		secret = req_query(r, "secret");
	memset(a, 0, sizeof *a);
	if (secret && *secret) {
		a->kind = DVC_ACTOR_ANONYMOUS;
		a->secret = secret;
		return 0;
	}
	*a = dvc_session_actor(r->sess);
	return a->kind == DVC_ACTOR_ANONYMOUS;
}

/* req_actor_quiet, or a 401 reply (returns 1). */
static int req_actor(httpd_req *r, const char *body_secret, dvc_actor *a)
{
	if (!req_actor_quiet(r, body_secret, a))
		return 0;
	reply_error(r, 401, DVC_EAUTH,
		    "the dossier's tracking secret is required (X-Tracking-Secret header or "
		    "?secret=), or sign in", NULL);
	return 1;
}

static enum MHD_Result h_track(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	char *j;
	if (req_actor(r, NULL, &who))
		return r->result;
	if (!db)
		return reply_lib(r);
	return reply_view(r, 200, dvc_dossier_view_json(db, r->seg[2], &who, &r->from, &j), &j);
}

/* The actor may see the dossier (tracking succeeds), or a reply is queued. */
static int authorize(httpd_req *r, dvc_db *db, const char *code, const char *body_secret)
{
	dvc_actor who;
	dvc_tracking *t;
	if (req_actor(r, body_secret, &who))
		return 1;
	if (dvc_dossier_track_from(db, code, &who, &r->from, &t) != DVC_OK) {
		reply_lib(r);
		return 1;
	}
	dvc_tracking_free(t);
	return 0;
}

/* ---- documents ---- */

/* A submission, inline files and all, in the library's JSON wire form
 * (dvc_dossier_submit_json); the session says who submits. */
static enum MHD_Result h_submit(httpd_req *r)
{
	dvc_submit_json_opts o = DVC_SUBMIT_JSON_INIT;
	dvc_receipt rc = DVC_RECEIPT_INIT;
	char *out, location[DVC_CODE_MAX + 16];
	dvc_db *db;
	/* signed in with VNeID: the dossier records it */
	o.account = req_user(r, DVC_SESSION_ACCOUNT);
	o.national_signin = o.account && dvc_session_national(r->sess);
	if (!(db = httpd_db(r)) || dvc_dossier_submit_json(db, r->body ? r->body : "", r->body_len, &o, &rc, &out) != DVC_OK)
		return reply_lib(r);
	snprintf(location, sizeof location, "/api/dossiers/%s", rc.code);
	r->extra_name = "Location";
	r->extra_value = location;
	return reply_view(r, 201, DVC_OK, &out);
}

/* The dossier's stored files as `who` may see them. */
static enum MHD_Result h_files(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	dvc_file_list *l;
	if (req_actor(r, NULL, &who))
		return r->result;
	REPLY_VIEW_OF(r, l, db ? dvc_dossier_files_from(db, r->seg[2], &who, &r->from, &l) : DVC_ERROR,
		      dvc_file_list_json, dvc_file_list_free);
}


static enum MHD_Result h_download(httpd_req *r)
{
	dvc_actor who;
	if (req_actor(r, NULL, &who))
		return r->result;
	return reply_file(r, r->seg[2], &who, NULL, r->seg[4]);
}

/* One file per request, its bytes as the body: streamed from the spool into
 * the library, which names, sizes, types and journals it. */
static enum MHD_Result h_upload(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	static const char *const fields[] = {"component", "name", "form", "mode", "replaces", "size"};
	dvc_mem_reader empty = {NULL, 0, 0};
	char *j;

	if (!req_query(r, "component"))
		return bad_request(r, DVC_EINVAL, "component (the document's index, or result) is required",
				   "component");
	/* the size the client announced (the file's, as it read it); without
	 * one, what arrived is what was meant */
	q.declared_size = r->spool_len;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = req_query(r, fields[i]);
		if (v && dvc_attach_req_set(&q, fields[i], v) != DVC_OK)
			return reply_lib(r);
	}
	if (req_actor(r, NULL, &q.actor))
		return r->result;
	if (r->spool_open && lseek(r->spool_fd, 0, SEEK_SET) != 0)
		return reply_error(r, 500, DVC_EIO, "cannot read the spooled upload", NULL);
	q.read = spool_read;
	q.read_ctx = &r->spool_fd;
	if (!r->spool_open) { /* an empty body: the library refuses a zero-byte file */
		q.read = dvc_mem_read;
		q.read_ctx = &empty;
	}
	if (!db || dvc_dossier_attach(db, r->seg[2], &q, &fi) != DVC_OK)
		return reply_lib(r);
	return reply_view(r, 201, dvc_file_info_json(&fi, &j), &j);
}

/* A file of the signed-in account's data store attached by reference. */
static enum MHD_Result h_reuse(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	const char *me = req_user(r, DVC_SESSION_ACCOUNT);
	char *view;
	if (!me)
		return reply_error(r, 401, DVC_EAUTH, "sign in: only the owner reuses stored documents",
				   NULL);
	if (!db)
		return reply_lib(r);
	return reply_view(r, 201, dvc_dossier_reuse_json(db, r->seg[2], r->body ? r->body : "",
							 r->body_len, me, &view), &view);
}

static enum MHD_Result h_missing(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_missing *m;
	if (!db)
		return reply_lib(r);
	if (authorize(r, db, r->seg[2], NULL))
		return r->result;
	REPLY_VIEW_OF(r, m, dvc_dossier_missing(db, r->seg[2], &m), dvc_missing_json, dvc_missing_free);
}

static int account_only(httpd_req *r)
{
	if (req_user(r, DVC_SESSION_ACCOUNT))
		return 0;
	reply_error(r, 401, DVC_EAUTH, "sign in with a citizen account", NULL);
	return 1;
}

/* The profile the submission form is filled in with (dvc_account_json). */
static enum MHD_Result h_account(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_account *a;
	if (account_only(r))
		return r->result;
	REPLY_VIEW_OF(r, a, db ? dvc_account_get(db, req_user(r, DVC_SESSION_ACCOUNT), &a) : DVC_ERROR,
		      dvc_account_json, dvc_account_free);
}

static enum MHD_Result h_account_files(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_file_list *l;
	if (account_only(r))
		return r->result;
	REPLY_VIEW_OF(r, l, db ? dvc_account_files(db, req_user(r, DVC_SESSION_ACCOUNT), &l) : DVC_ERROR,
		      dvc_file_list_json, dvc_file_list_free);
}

static enum MHD_Result h_account_download(httpd_req *r)
{
	return account_only(r) ? r->result : reply_file(r, NULL, NULL, req_user(r, DVC_SESSION_ACCOUNT), r->seg[3]);
}

/* The signing leader signs the attached result with the agency's key
 * (--sign-key, --sign-cert); without one the library refuses (a result is
 * never issued unsigned). */
static enum MHD_Result h_sign(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor me;
	dvc_file_info fi;
	char *j;
	if (!req_user(r, DVC_SESSION_OFFICER))
		return reply_error(r, 401, DVC_EAUTH, "sign in as the signing leader", NULL);
	me = dvc_session_actor(r->sess);
	if (!db || dvc_dossier_sign_result(db, r->seg[2], &me, &r->srv->sign, &fi) != DVC_OK)
		return reply_lib(r);
	return reply_view(r, 201, dvc_file_info_json(&fi, &j), &j);
}

/* ---- ratings ---- */

static enum MHD_Result h_rating_criteria(httpd_req *r)
{
	char *j;
	return reply_view(r, 200, dvc_rating_criteria_json(&j), &j);
}

static enum MHD_Result h_rating(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	dvc_rating *x;
	if (req_actor(r, NULL, &who))
		return r->result;
	REPLY_VIEW_OF(r, x, db ? dvc_dossier_rating_get_from(db, r->seg[2], &who, &r->from, &x) : DVC_ERROR,
		      dvc_rating_json, dvc_rating_free);
}

/* {"scores": {"overall": 5, ...}, "comment": "...", "secret": "..."}: the
 * library decides who may rate (the applicant, once, after return). */
static enum MHD_Result h_rate(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	char *view;
	int signed_in = !req_actor_quiet(r, NULL, &who);
	if (!db)
		return reply_lib(r);
	return reply_view(r, 201, dvc_dossier_rate_json(db, r->seg[2], r->body ? r->body : "", r->body_len,
							signed_in ? &who : NULL, &r->from, &view), &view);
}

/* An action in the library's JSON wire form (dvc_dossier_act_json): a
 * "secret" in the body speaks for the applicant; else the header's or
 * query's secret, else the session. */
static enum MHD_Result h_act(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	char *view;
	int signed_in = !req_actor_quiet(r, NULL, &who);
	if (!db)
		return reply_lib(r);
	return reply_view(r, 200,
			  dvc_dossier_act_json(db, r->seg[2], r->body ? r->body : "", r->body_len,
					       signed_in ? &who : NULL, &r->from, &view),
			  &view);
}

/* The dossier's proof bundle (proof.h), for whoever may track it: the
 * applicant (secret or account) or an officer. The library writes it; the
 * citizen or an inspector checks it offline (dvc proof verify FILE). */
static enum MHD_Result h_proof(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	char *bundle, disp[DVC_CODE_MAX + 64];
	if (!db)
		return reply_lib(r);
	if (authorize(r, db, r->seg[2], NULL))
		return r->result;
	if (dvc_proof_export(db, r->seg[2], &bundle) != DVC_OK)
		return reply_lib(r);
	/* a code the library accepted: no quote or control character in it */
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-proof.json\"", r->seg[2]);
	return reply_bytes(r, 200, "application/json", bundle, strlen(bundle), dvc_free, disp);
}

#ifdef HTTPD_HAVE_SLIP
static const char slip_csp[] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

static enum MHD_Result h_slip(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_slip_kind kind;
	dvc_actor who;
	char *html;
	size_t len;

	if (dvc_slip_kind_parse(r->seg[4], &kind) != DVC_OK)
		return reply_error(r, 404, DVC_ENOTFOUND, dvc_error_last()->message, NULL);
	if (!db)
		return reply_lib(r);
	if (req_actor(r, NULL, &who))
		return r->result;
	/* the library checks who may see it, and logs an officer's read */
	if (dvc_slip_render_for(db, r->seg[2], &who, &r->from, kind, DVC_SLIP_HTML, &html, &len) != DVC_OK)
		return reply_lib(r);
	r->csp = slip_csp;
	return reply_bytes(r, 200, "text/html; charset=utf-8", html, len, dvc_free, NULL);
}

static enum MHD_Result h_register_sheet(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_register_opts o = DVC_REGISTER_OPTS_INIT;
	char *html;
	size_t len;
	if (!req_user(r, DVC_SESSION_OFFICER))
		return reply_error(r, 401, DVC_EAUTH, "sign in as an officer", NULL);
	o.unit = dvc_session_unit(r->sess);
	if (!db || dvc_register_render(db, &o, DVC_SLIP_HTML, &html, &len) != DVC_OK)
		return reply_lib(r);
	r->csp = slip_csp;
	return reply_bytes(r, 200, "text/html; charset=utf-8", html, len, dvc_free, NULL);
}
#endif

/* The officer's unit's dossiers, each as the officer sees it (with the
 * actions the officer may take); open ones unless ?state= or ?all=1. */
static enum MHD_Result h_inbox(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_actor me = dvc_session_actor(r->sess);
	const char *state = req_query(r, "state"), *all = req_query(r, "all");
	cJSON *o;
	char *j;

	if (!req_user(r, DVC_SESSION_OFFICER))
		return reply_error(r, 401, DVC_EAUTH, "sign in as an officer", NULL);
	if (state) {
		dvc_state st;
		if (dvc_state_parse(state, &st) != DVC_OK)
			return reply_lib(r);
		f.state = (int)st;
	}
	f.unit = dvc_session_unit(r->sess);
	f.limit = 200;
	if (!db || dvc_dossier_list_json(db, &f, &me,
					 state || (all && strcmp(all, "1") == 0) ? 0 : DVC_VIEW_OPEN,
					 &j) != DVC_OK)
		return reply_lib(r);
	if ((o = session_json(r))) { /* {"officer": the session's actor, "dossiers": [...]} */
		cJSON_AddItemToObject(o, "officer", cJSON_DetachItemFromObject(o, "actor"));
		cJSON_DeleteItemFromObject(o, "csrf");
		cJSON_DeleteItemFromObject(o, "vneid");
		cJSON_AddItemToObject(o, "dossiers", cJSON_Parse(j));
	}
	dvc_free(j);
	return o ? reply_json(r, 200, o) : reply_lib(r);
}

/* ---- payment ---- */

/* A fee paid at the desk: the signed-in officer records the receipt; the
 * library checks that the officer is the dossier's reception desk, the
 * amount against what is owed, and the receipt number. */
static enum MHD_Result h_counter_payment(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	const char *me = req_user(r, DVC_SESSION_OFFICER);
	char *view;
	if (!me)
		return reply_error(r, 401, DVC_EAUTH, "sign in as the desk officer", NULL);
	if (!db)
		return reply_lib(r);
	return reply_view(r, 200, dvc_payment_counter_json(db, r->seg[2], r->body ? r->body : "",
							   r->body_len, me, &r->from, &view), &view);
}

static enum MHD_Result h_pay_request(httpd_req *r)
{
	cJSON *j = r->body_len ? req_json(r) : cJSON_CreateObject();
	dvc_db *db = httpd_db(r);
	dvc_payment_request_info info = DVC_PAYMENT_REQUEST_INFO_INIT;
	char *view;
	int denied;

	if (!j)
		return r->result;
	if (!db) {
		cJSON_Delete(j);
		return reply_lib(r);
	}
	denied = authorize(r, db, r->seg[2], STR(j, "secret"));
	cJSON_Delete(j);
	if (denied)
		return r->result;
	if (dvc_payment_request(db, r->seg[2], &info) != DVC_OK)
		return reply_lib(r);
	return reply_view(r, 201, dvc_payment_request_json(r->seg[2], &info, &view), &view);
}

/* The gateway calls back with its signed parameters; the library checks
 * the signature, reference, amount and expiry. No session, no CSRF: the
 * signature is the authentication. */
static enum MHD_Result h_pay_callback(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	const char *q = r->uri ? strchr(r->uri, '?') : NULL;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	char *j;

	if (!q || !q[1])
		return bad_request(r, DVC_EINVAL, "the gateway's parameters are missing", NULL);
	if (!db || dvc_payment_callback(db, q + 1, &res) != DVC_OK)
		return reply_lib(r);
	return reply_view(r, 200, dvc_payment_result_json(&res, &j), &j);
}

/* ---- the table ---- */

static const httpd_route routes[] = {
	{"GET", "/", h_index, 0},
	{"GET", "/static/*", h_static, 0},
	{"GET", "/api/health", h_health, 0},
	{"GET", "/api/session", h_session, 0},
	{"GET", "/api/catalog/stats", h_stats, 0},
	{"GET", "/api/procedures", h_search, 0},
	{"GET", "/api/procedures/*", h_procedure, 0},
	{"GET", "/api/procedures/*/forms/*", h_form, 0},
	{"POST", "/api/accounts", h_register, ROUTE_JSON | ROUTE_CSRF},
	{"POST", "/api/login", h_login, ROUTE_JSON | ROUTE_CSRF},
	{"POST", "/api/logout", h_logout, ROUTE_CSRF},
	{"POST", "/api/officer/login", h_officer_login, ROUTE_JSON | ROUTE_CSRF},
	{"GET", "/api/officer/inbox", h_inbox, 0},
#ifdef HTTPD_HAVE_SLIP
	{"GET", "/api/officer/register", h_register_sheet, 0},
	{"GET", "/api/dossiers/*/slips/*", h_slip, 0},
#endif
	{"POST", "/api/dossiers", h_submit, ROUTE_JSON | ROUTE_CSRF | ROUTE_LARGE},
	{"GET", "/api/dossiers/*", h_track, 0},
	{"POST", "/api/dossiers/*/actions", h_act, ROUTE_JSON | ROUTE_CSRF},
	{"GET", "/api/dossiers/*/files", h_files, 0},
	{"POST", "/api/dossiers/*/files", h_upload, ROUTE_CSRF | ROUTE_UPLOAD},
	{"GET", "/api/dossiers/*/files/*", h_download, 0},
	{"POST", "/api/dossiers/*/reuse", h_reuse, ROUTE_JSON | ROUTE_CSRF},
	{"GET", "/api/dossiers/*/missing", h_missing, 0},
	{"GET", "/api/dossiers/*/proof", h_proof, 0},
	{"POST", "/api/dossiers/*/sign", h_sign, ROUTE_CSRF},
	{"GET", "/api/account", h_account, 0},
	{"GET", "/api/account/files", h_account_files, 0},
	{"GET", "/api/account/files/*", h_account_download, 0},
	{"GET", "/api/rating/criteria", h_rating_criteria, 0},
	{"GET", "/api/dossiers/*/rating", h_rating, 0},
	{"POST", "/api/dossiers/*/rating", h_rate, ROUTE_JSON | ROUTE_CSRF},
	{"POST", "/api/dossiers/*/counter-payment", h_counter_payment, ROUTE_JSON | ROUTE_CSRF},
	{"POST", "/api/dossiers/*/payment", h_pay_request, ROUTE_CSRF},
	{"GET", "/api/payments/callback", h_pay_callback, 0},
#ifdef HTTPD_HAVE_OIDC
	{"GET", "/auth/vneid", h_oidc_begin, 0},
	{"GET", "/auth/vneid/callback", h_oidc_callback, 0},
#endif
};

const httpd_route *api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
