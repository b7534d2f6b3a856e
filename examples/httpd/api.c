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
 *   GET  /api/dossiers/CODE/attachments/SHA256   download an attachment
 *   GET  /api/dossiers/CODE/slips/KIND       slip of the dossier as HTML (receipt, refusal...)
 *   POST /api/dossiers/CODE/payment          ask for online payment (level 4)
 *   GET  /api/payments/callback?vnp_...      the gateway's signed callback
 *
 * Every POST but the gateway callback needs the session cookie and its CSRF
 * token in X-CSRF-Token; JSON bodies need Content-Type: application/json. */
#include "httpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STR(o, k) cjson_str((o), (k))

/* A string member, or NULL when absent or not a string. */
static const char *cjson_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 when member `key` is present but not a string (the caller replies 400). */
static int bad_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v && !cJSON_IsString(v) && !cJSON_IsNull(v);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_time(cJSON *o, const char *key, dvc_time t)
{
	char buf[DVC_TIME_FORMAT_SIZE];
	if (t && dvc_time_format(t, buf, sizeof buf) == DVC_OK)
		cJSON_AddStringToObject(o, key, buf);
	else
		cJSON_AddNullToObject(o, key);
}

static void add_date(cJSON *o, const char *key, dvc_date d)
{
	char buf[16];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
	cJSON_AddStringToObject(o, key, buf);
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

static cJSON *actor_json(const httpd_req *r)
{
	cJSON *a;
	if (!r->has_session || r->sess.kind == SESS_ANONYMOUS)
		return cJSON_CreateNull();
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "kind", r->sess.kind == SESS_OFFICER ? "officer" : "account");
	cJSON_AddStringToObject(a, "username", r->sess.name);
	if (r->sess.kind == SESS_OFFICER) {
		cJSON_AddStringToObject(a, "unit", r->sess.unit);
		cJSON_AddStringToObject(a, "role", dvc_role_name(r->sess.role));
	}
	return a;
}

static enum MHD_Result reply_session(httpd_req *r, unsigned int status)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "csrf", r->sess.csrf);
	cJSON_AddItemToObject(o, "actor", actor_json(r));
	return reply_json(r, status, o);
}

static enum MHD_Result h_session(httpd_req *r)
{
	if (!r->has_session) {
		httpd_session anon = {0};
		anon.kind = SESS_ANONYMOUS;
		httpd_start_session(r, &anon);
	}
	return reply_session(r, 200);
}

/* ---- catalog ---- */

static enum MHD_Result h_stats(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_catalog_stats *s;
	cJSON *o, *rows;
	if (!db || dvc_catalog_stats_get(db, NULL, &s) != DVC_OK)
		return reply_lib(r);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)dvc_catalog_stats_total(s));
	rows = cJSON_AddArrayToObject(o, "rows");
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
		const dvc_stat_row *x = dvc_catalog_stats_row(s, i);
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "dimension", x->dimension);
		cJSON_AddStringToObject(it, "key", x->key);
		add_str(it, "label", x->label);
		cJSON_AddNumberToObject(it, "count", (double)x->count);
		cJSON_AddItemToArray(rows, it);
	}
	dvc_catalog_stats_free(s);
	return reply_json(r, 200, o);
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
	cJSON *out, *hits;

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
	out = cJSON_CreateObject();
	add_str(out, "query", q);
	cJSON_AddNumberToObject(out, "count", (double)dvc_search_result_count(res));
	hits = cJSON_AddArrayToObject(out, "procedures");
	for (size_t i = 0; i < dvc_search_result_count(res); i++) {
		const dvc_search_hit *h = dvc_search_result_get(res, i);
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "code", h->code);
		cJSON_AddNumberToObject(it, "version", h->version);
		cJSON_AddStringToObject(it, "name", h->name);
		add_str(it, "sector", h->sector);
		add_str(it, "agency", h->agency);
		cJSON_AddNumberToObject(it, "online_level", h->online_level);
		cJSON_AddStringToObject(it, "online_mode", dvc_online_mode_name(h->online_mode));
		cJSON_AddStringToObject(it, "match", dvc_match_name(h->match));
		cJSON_AddItemToArray(hits, it);
	}
	dvc_search_result_free(res);
	return reply_json(r, 200, out);
}

static cJSON *procedure_json(const dvc_procedure *p)
{
	cJSON *o = cJSON_CreateObject(), *a, *d;
	cJSON_AddStringToObject(o, "code", p->code);
	cJSON_AddNumberToObject(o, "version", p->version);
	add_date(o, "valid_from", p->valid_from);
	if (p->has_valid_to)
		add_date(o, "valid_to", p->valid_to);
	cJSON_AddStringToObject(o, "name", p->name);
	add_str(o, "sector", p->sector);
	add_str(o, "agency", p->agency);
	a = cJSON_AddArrayToObject(o, "levels");
	for (size_t i = 0; i < p->n_levels; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->levels[i]));
	cJSON_AddNumberToObject(o, "online_level", p->online_level);
	cJSON_AddStringToObject(o, "online_mode", dvc_online_mode_name(p->online_mode));
	d = cJSON_AddObjectToObject(o, "deadline");
	cJSON_AddNumberToObject(d, "value", p->deadline_value);
	cJSON_AddStringToObject(d, "unit", p->deadline_unit == DVC_DEADLINE_HOURS ? "hours" : "days");
	add_str(o, "result_type", p->result_type);
	a = cJSON_AddArrayToObject(o, "legal_basis");
	for (size_t i = 0; i < p->n_legal_basis; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->legal_basis[i]));
	a = cJSON_AddArrayToObject(o, "documents");
	for (size_t i = 0; i < p->n_documents; i++) {
		const dvc_document *x = &p->documents[i];
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "n", (double)(i + 1));
		cJSON_AddStringToObject(it, "name", x->name);
		cJSON_AddStringToObject(it, "form", dvc_doc_form_name(x->form));
		cJSON_AddNumberToObject(it, "count", x->count);
		cJSON_AddStringToObject(it, "submission", dvc_doc_submission_name(x->submission));
		cJSON_AddItemToArray(a, it);
	}
	a = cJSON_AddArrayToObject(o, "fees");
	for (size_t i = 0; i < p->n_fees; i++) {
		const dvc_fee *x = &p->fees[i];
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "name", x->name);
		cJSON_AddStringToObject(it, "kind", dvc_fee_kind_name(x->kind));
		cJSON_AddNumberToObject(it, "amount", (double)x->amount);
		add_str(it, "note", x->note);
		cJSON_AddItemToArray(a, it);
	}
	a = cJSON_AddArrayToObject(o, "route");
	for (size_t i = 0; i < p->n_route; i++) {
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "unit", p->route[i].unit);
		cJSON_AddStringToObject(it, "role", dvc_role_name(p->route[i].role));
		cJSON_AddNumberToObject(it, "share", p->route[i].share);
		cJSON_AddItemToArray(a, it);
	}
	if (p->form_schema) {
		cJSON *schema = cJSON_Parse(p->form_schema);
		cJSON_AddItemToObject(o, "form_schema", schema ? schema : cJSON_CreateNull());
	} else {
		cJSON_AddNullToObject(o, "form_schema");
	}
	a = cJSON_AddArrayToObject(o, "unconfirmed");
	for (size_t i = 0; i < p->n_unconfirmed; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->unconfirmed[i]));
	return o;
}

static enum MHD_Result h_procedure(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_procedure *p;
	enum MHD_Result res;
	if (!db || dvc_procedure_get(db, r->seg[2], NULL, &p) != DVC_OK)
		return reply_lib(r);
	res = reply_json(r, 200, procedure_json(p));
	dvc_procedure_free(p);
	return res;
}

/* ---- a growing text buffer for generated HTML ---- */

typedef struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *q;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_esc(sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '&': sb_puts(b, "&amp;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		case '\'': sb_puts(b, "&#39;"); break;
		default: sb_add(b, s, 1);
		}
	}
}

/* Level 2: a printable blank form for an e-form document of the procedure,
 * built from the catalog (document name, applicant fields, the e-form's
 * field titles). The client names the document by its number only. */
static enum MHD_Result h_form(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_procedure *p;
	const char *n_str = r->seg[4];
	char *end, disp[128];
	long n = strtol(n_str, &end, 10);
	sbuf b = {0};
	static const char *const applicant_fields[] = {
		"Họ, chữ đệm, tên", "Số định danh cá nhân", "Ngày, tháng, năm sinh",
		"Nơi cư trú", "Số điện thoại", "Thư điện tử"};

	if (end == n_str || (*end && strcmp(end, ".html") != 0) || n < 1 || n > 1000)
		return bad_request(r, DVC_EINVAL,
				   "a form is named by the document's number (1, 2, ...)", "n");
	if (!db || dvc_procedure_get(db, r->seg[2], NULL, &p) != DVC_OK)
		return reply_lib(r);
	if ((size_t)n > p->n_documents || p->documents[n - 1].submission != DVC_SUBMIT_EFORM) {
		dvc_procedure_free(p);
		return reply_error(r, 404, DVC_ENOTFOUND, "that document has no form to download",
				   NULL);
	}
	sb_puts(&b, "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>");
	sb_esc(&b, p->documents[n - 1].name);
	sb_puts(&b, "</title><style>body{font-family:serif;max-width:40em;margin:2em auto;"
		    "line-height:1.6}h1,h2,.c{text-align:center}h1{font-size:1.1em}"
		    "h2{font-size:1.2em;margin-top:1.5em}.f{border-bottom:1px dotted #000;"
		    "min-height:1.6em;margin:.3em 0}.s{margin-top:3em;text-align:right}"
		    "</style></head><body><h1>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>"
		    "Độc lập - Tự do - Hạnh phúc</h1><h2>");
	sb_esc(&b, p->documents[n - 1].name);
	sb_puts(&b, "</h2><p class=\"c\">Thủ tục: ");
	sb_esc(&b, p->name);
	sb_puts(&b, " (mã ");
	sb_esc(&b, p->code);
	sb_puts(&b, ")</p>");
	for (size_t i = 0; i < sizeof applicant_fields / sizeof applicant_fields[0]; i++) {
		sb_puts(&b, "<div class=\"f\">");
		sb_esc(&b, applicant_fields[i]);
		sb_puts(&b, ":</div>");
	}
	if (p->form_schema) {
		cJSON *s = cJSON_Parse(p->form_schema), *f;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(s, "properties"))
		{
			const char *title = STR(f, "title");
			sb_puts(&b, "<div class=\"f\">");
			sb_esc(&b, title ? title : f->string);
			sb_puts(&b, ":</div>");
		}
		cJSON_Delete(s);
	}
	sb_puts(&b, "<p>Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu "
		    "trách nhiệm trước pháp luật về lời khai của mình.</p><p class=\"s\">"
		    "......, ngày ..... tháng ..... năm ........<br>Người yêu cầu<br>"
		    "<i>(Ký, ghi rõ họ, chữ đệm, tên)</i></p></body></html>");
	dvc_procedure_free(p);
	if (b.oom) {
		free(b.p);
		return reply_error(r, 503, DVC_ENOMEM, "out of memory", NULL);
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"mau-%s-%ld.html\"", r->seg[2], n);
	r->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
	return reply_bytes(r, 200, "text/html; charset=utf-8", b.p, b.len, free,
			   files_safe_code(r->seg[2]) ? disp : "attachment");
}

/* ---- accounts and sign-in ---- */

static const char *const applicant_keys[] = {"full_name", "citizen_id", "birth_date",
					     "address", "phone", "email"};

/* Read an applicant object; 0, or replies 400 and returns 1. */
static int read_applicant(httpd_req *r, const cJSON *o, const char *where, dvc_applicant *a)
{
	const char **f[] = {&a->full_name, &a->citizen_id, &a->birth_date,
			    &a->address,   &a->phone,      &a->email};
	char path[64];
	memset(a, 0, sizeof *a);
	if (!cJSON_IsObject(o)) {
		bad_request(r, DVC_ESCHEMA, "an object with the applicant's fields is required", where);
		return 1;
	}
	for (size_t i = 0; i < sizeof applicant_keys / sizeof applicant_keys[0]; i++) {
		if (bad_str(o, applicant_keys[i])) {
			snprintf(path, sizeof path, "%s.%s", where, applicant_keys[i]);
			bad_request(r, DVC_ESCHEMA, "must be a string", path);
			return 1;
		}
		*f[i] = STR(o, applicant_keys[i]);
		if (*f[i] && !**f[i])
			*f[i] = NULL; /* an empty optional field is an absent one */
	}
	return 0;
}

static enum MHD_Result h_register(httpd_req *r)
{
	cJSON *j = req_json(r);
	dvc_db *db;
	dvc_applicant a;
	const char *user, *pass;
	enum MHD_Result res;
	cJSON *o;

	if (!j)
		return r->result;
	user = STR(j, "username");
	pass = STR(j, "password");
	if (!user || !pass) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "username and password are required",
				   user ? "password" : "username");
	}
	if (read_applicant(r, cJSON_GetObjectItemCaseSensitive(j, "profile"), "profile", &a)) {
		cJSON_Delete(j);
		return r->result;
	}
	if (!(db = httpd_db(r)) || dvc_account_register(db, user, pass, &a) != DVC_OK) {
		cJSON_Delete(j);
		return reply_lib(r);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", user);
	cJSON_Delete(j);
	res = reply_json(r, 201, o);
	return res;
}

static enum MHD_Result h_login(httpd_req *r)
{
	cJSON *j = req_json(r);
	dvc_db *db;
	httpd_session s = {0};
	const char *user, *pass;

	if (!j)
		return r->result;
	user = STR(j, "username");
	pass = STR(j, "password");
	if (!user || !pass || strlen(user) >= sizeof s.name) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "username and password are required", NULL);
	}
	if (!(db = httpd_db(r)) || dvc_account_login(db, user, pass) != DVC_OK) {
		cJSON_Delete(j);
		return reply_lib(r);
	}
	s.kind = SESS_ACCOUNT;
	snprintf(s.name, sizeof s.name, "%s", user);
	cJSON_Delete(j);
	httpd_start_session(r, &s);
	return reply_session(r, 200);
}

static enum MHD_Result h_logout(httpd_req *r)
{
	httpd_session anon = {0};
	anon.kind = SESS_ANONYMOUS;
	httpd_start_session(r, &anon); /* drops the old one */
	return reply_session(r, 200);
}

/* Officers: the example's own sign-in. A portal authenticates its officers
 * with its SSO; here a desk token from --officer-tokens stands in for it.
 * Unknown names and wrong tokens get the same answer. */
static enum MHD_Result h_officer_login(httpd_req *r)
{
	cJSON *j = req_json(r);
	dvc_db *db;
	dvc_officer *off;
	httpd_session s = {0};
	const char *user, *token;
	int ok = 0;

	if (!j)
		return r->result;
	user = STR(j, "username");
	token = STR(j, "token");
	if (!user || !token) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "username and token are required", NULL);
	}
	for (size_t i = 0; i < r->srv->n_officers; i++)
		ok |= strcmp(r->srv->officers[i].username, user) == 0 &&
		      tokens_equal(r->srv->officers[i].token, token);
	if (!ok || strlen(user) >= sizeof s.name) {
		cJSON_Delete(j);
		return reply_error(r, 401, DVC_EAUTH, "unknown officer or wrong desk token", NULL);
	}
	if (!(db = httpd_db(r)) || dvc_officer_get(db, user, &off) != DVC_OK) {
		cJSON_Delete(j);
		return reply_error(r, 401, DVC_EAUTH, "unknown officer or wrong desk token", NULL);
	}
	s.kind = SESS_OFFICER;
	snprintf(s.name, sizeof s.name, "%s", off->username);
	snprintf(s.unit, sizeof s.unit, "%s", off->unit);
	s.role = off->role;
	dvc_officer_free(off);
	cJSON_Delete(j);
	httpd_start_session(r, &s);
	return reply_session(r, 200);
}

/* ---- dossiers ---- */

/* What the lifecycle table lets `roles` do in state `st`, with the inputs
 * each action needs (read from the table, so the page asks for a note
 * exactly when the library will want one). */
static cJSON *allowed_actions(dvc_state st, unsigned int roles)
{
	size_t n;
	const dvc_transition *t = dvc_lifecycle_table(&n);
	unsigned int needs[DVC_ACTION_COUNT] = {0};
	int seen[DVC_ACTION_COUNT] = {0};
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		if (t[i].from == st && (t[i].roles & roles) && t[i].action != DVC_ACT_PAY &&
		    t[i].action != DVC_ACT_REFUND) {
			seen[t[i].action] = 1;
			needs[t[i].action] |= t[i].requires;
		}
	for (int a = 0; a < DVC_ACTION_COUNT; a++) {
		cJSON *it, *nd;
		if (!seen[a])
			continue;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "action", dvc_action_name((dvc_action)a));
		nd = cJSON_AddArrayToObject(it, "needs");
		if (needs[a] & DVC_REQ_NOTE)
			cJSON_AddItemToArray(nd, cJSON_CreateString("note"));
		if (needs[a] & DVC_REQ_TARGET)
			cJSON_AddItemToArray(nd, cJSON_CreateString("target"));
		if (needs[a] & DVC_REQ_NEW_DUE)
			cJSON_AddItemToArray(nd, cJSON_CreateString("new_due"));
		if (a == DVC_ACT_RETURN)
			cJSON_AddItemToArray(nd, cJSON_CreateString("delivery"));
		cJSON_AddItemToArray(arr, it);
	}
	return arr;
}

static cJSON *applicant_json(const dvc_applicant *a)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "full_name", a->full_name);
	add_str(o, "citizen_id", a->citizen_id);
	add_str(o, "birth_date", a->birth_date);
	add_str(o, "address", a->address);
	add_str(o, "phone", a->phone);
	add_str(o, "email", a->email);
	return o;
}

static cJSON *manifest_json(httpd *srv, const char *code)
{
	char path[4096];
	FILE *f;
	char buf[64 * 1024];
	size_t n;
	cJSON *m;
	if (!files_safe_code(code))
		return cJSON_CreateArray();
	snprintf(path, sizeof path, "%s/%s.json", srv->files_dir, code);
	if (!(f = fopen(path, "rb")))
		return cJSON_CreateArray();
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	m = cJSON_ParseWithLength(buf, n);
	return cJSON_IsArray(m) ? m : (cJSON_Delete(m), cJSON_CreateArray());
}

static cJSON *tracking_json(httpd_req *r, const dvc_tracking *t, const dvc_actor *who)
{
	cJSON *o = cJSON_CreateObject(), *h, *slips;
	int has[DVC_ACTION_COUNT] = {0};
	unsigned int roles;

	cJSON_AddStringToObject(o, "code", t->code);
	cJSON_AddStringToObject(o, "procedure", t->procedure);
	cJSON_AddNumberToObject(o, "procedure_version", t->procedure_version);
	add_str(o, "procedure_name", t->procedure_name);
	cJSON_AddStringToObject(o, "channel", dvc_channel_name(t->channel));
	cJSON_AddStringToObject(o, "state", dvc_state_name(t->state));
	cJSON_AddStringToObject(o, "state_label", dvc_state_label_vi(t->state));
	cJSON_AddBoolToObject(o, "final", dvc_state_is_final(t->state));
	cJSON_AddNumberToObject(o, "version", (double)t->version);
	add_str(o, "applicant_name", t->applicant_name);
	if (who->kind != DVC_ACTOR_ANONYMOUS)
		cJSON_AddItemToObject(o, "applicant", applicant_json(&t->applicant));
	cJSON_AddNumberToObject(o, "step", t->step + 1);
	cJSON_AddNumberToObject(o, "steps", t->n_steps);
	add_str(o, "unit", t->unit);
	add_str(o, "unit_name", t->unit_name);
	cJSON_AddStringToObject(o, "step_role", dvc_role_name(t->step_role));
	add_str(o, "handler", t->handler);
	add_time(o, "submitted_at", t->submitted_at);
	add_time(o, "received_at", t->received_at);
	add_time(o, "due_at", t->due_at);
	add_time(o, "rescheduled_due_at", t->rescheduled_due_at);
	add_time(o, "result_at", t->result_at);
	add_time(o, "finished_at", t->finished_at);
	cJSON_AddBoolToObject(o, "overdue", t->overdue);
	cJSON_AddBoolToObject(o, "clock_stopped", t->clock_stopped);
	cJSON_AddStringToObject(o, "delivery", dvc_delivery_name(t->delivery));
	cJSON_AddNumberToObject(o, "fee_due", (double)t->fee_due);
	cJSON_AddNumberToObject(o, "fee_paid", (double)t->fee_paid);
	add_str(o, "fee_exemption", t->fee_exemption);
	h = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < t->n_history; i++) {
		const dvc_journal_entry *e = &t->history[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "seq", (double)e->seq);
		add_time(x, "at", e->at);
		add_str(x, "actor", e->actor);
		add_str(x, "unit", e->unit);
		cJSON_AddStringToObject(x, "action", dvc_action_name(e->action));
		cJSON_AddStringToObject(x, "from", dvc_state_name(e->from));
		cJSON_AddStringToObject(x, "to", dvc_state_name(e->to));
		cJSON_AddStringToObject(x, "to_label", dvc_state_label_vi(e->to));
		add_str(x, "note", e->note);
		cJSON_AddItemToArray(h, x);
		if ((unsigned)e->action < DVC_ACTION_COUNT)
			has[e->action] = 1;
	}
	/* which slips the journal supports (slip.h says which entry each needs) */
	slips = cJSON_AddArrayToObject(o, "slips");
	if (has[DVC_ACT_RECEIVE]) {
		cJSON_AddItemToArray(slips, cJSON_CreateString("receipt"));
		cJSON_AddItemToArray(slips, cJSON_CreateString("control"));
	}
	if (has[DVC_ACT_REQUEST_SUPPLEMENT])
		cJSON_AddItemToArray(slips, cJSON_CreateString("supplement"));
	if (has[DVC_ACT_REJECT])
		cJSON_AddItemToArray(slips, cJSON_CreateString("refusal"));
	if (has[DVC_ACT_RESCHEDULE])
		cJSON_AddItemToArray(slips, cJSON_CreateString("apology"));
	cJSON_AddItemToObject(o, "attachments", manifest_json(r->srv, t->code));
	roles = who->kind == DVC_ACTOR_OFFICER ? DVC_ROLE_BIT(r->sess.role)
					       : DVC_ROLE_BIT(DVC_ROLE_APPLICANT);
	cJSON_AddItemToObject(o, "actions", allowed_actions(t->state, roles));
	return o;
}

/* Who acts on a dossier: an applicant holding the tracking secret (header
 * X-Tracking-Secret, query ?secret=, or `body_secret`), else the signed-in
 * officer or account. 0, or replies 401 and returns 1. */
static int req_actor(httpd_req *r, const char *body_secret, dvc_actor *a)
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
	if (r->has_session && r->sess.kind == SESS_OFFICER) {
		a->kind = DVC_ACTOR_OFFICER;
		a->name = r->sess.name;
		return 0;
	}
	if (r->has_session && r->sess.kind == SESS_ACCOUNT) {
		a->kind = DVC_ACTOR_ACCOUNT;
		a->name = r->sess.name;
		return 0;
	}
	reply_error(r, 401, DVC_EAUTH,
		    "the dossier's tracking secret is required (X-Tracking-Secret header or "
		    "?secret=), or sign in", NULL);
	return 1;
}

static enum MHD_Result h_track(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_actor who;
	dvc_tracking *t;
	enum MHD_Result res;
	if (req_actor(r, NULL, &who))
		return r->result;
	if (!db || dvc_dossier_track(db, r->seg[2], &who, &t) != DVC_OK)
		return reply_lib(r);
	res = reply_json(r, 200, tracking_json(r, t, &who));
	dvc_tracking_free(t);
	return res;
}

static enum MHD_Result h_submit(httpd_req *r)
{
	cJSON *j = req_json(r), *form = NULL, *fd, *att;
	dvc_db *db;
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_applicant a;
	dvc_receipt rc;
	httpd_attachments files = {0};
	const cJSON *app, *draft;
	char *form_text = NULL, msg[160], path[64], location[DVC_CODE_MAX + 16];
	unsigned int status;
	enum MHD_Result res;
	cJSON *o, *arr;

	if (!j)
		return r->result;
	if (!(s.procedure = STR(j, "procedure"))) {
		cJSON_Delete(j);
		return bad_request(r, DVC_ESCHEMA, "procedure (its code) is required", "procedure");
	}
	app = cJSON_GetObjectItemCaseSensitive(j, "applicant");
	if (r->has_session && r->sess.kind == SESS_ACCOUNT) {
		s.account = r->sess.name; /* the profile fills the applicant unless one is given */
		if (app && !cJSON_IsNull(app)) {
			if (read_applicant(r, app, "applicant", &a))
				goto out_replied;
			s.applicant = &a;
		}
	} else {
		if (read_applicant(r, app, "applicant", &a))
			goto out_replied;
		s.applicant = &a;
	}
	draft = cJSON_GetObjectItemCaseSensitive(j, "draft");
	s.draft = cJSON_IsTrue(draft);
	fd = cJSON_GetObjectItemCaseSensitive(j, "form_data");
	if (fd && !cJSON_IsNull(fd)) {
		if (!cJSON_IsObject(fd)) {
			bad_request(r, DVC_ESCHEMA, "form_data must be an object", "form_data");
			goto out_replied;
		}
		if (cJSON_GetObjectItemCaseSensitive(fd, "attachments")) {
			bad_request(r, DVC_ESCHEMA,
				    "form_data.attachments is filled by the server from \"attachments\"",
				    "form_data.attachments");
			goto out_replied;
		}
		form = cJSON_Duplicate(fd, 1);
	}
	if (files_prepare(r->srv, cJSON_GetObjectItemCaseSensitive(j, "attachments"), &files, &status,
			  msg, sizeof msg, path, sizeof path) != DVC_OK) {
		int code = status == 413 ? DVC_ETOOBIG : status >= 500 ? DVC_EIO : DVC_EINVAL;
		reply_error(r, status, code, msg, path[0] ? path : NULL);
		goto out_replied;
	}
	if (files.n) {
		if (!form)
			form = cJSON_CreateObject();
		att = cJSON_AddArrayToObject(form, "attachments");
		for (size_t i = 0; i < files.n; i++) {
			cJSON *it = cJSON_CreateObject();
			if (files.v[i].document)
				cJSON_AddStringToObject(it, "document", files.v[i].document);
			cJSON_AddStringToObject(it, "name", files.v[i].name);
			cJSON_AddStringToObject(it, "type", files.v[i].type);
			cJSON_AddNumberToObject(it, "size", (double)files.v[i].size);
			cJSON_AddStringToObject(it, "sha256", files.v[i].sha256);
			cJSON_AddItemToArray(att, it);
		}
	}
	if (form && !(form_text = cJSON_PrintUnformatted(form))) {
		reply_error(r, 503, DVC_ENOMEM, "out of memory", NULL);
		goto out_replied;
	}
	s.form_data = form_text;
	if (!(db = httpd_db(r)) || dvc_dossier_submit(db, &s, &rc) != DVC_OK) {
		reply_lib(r);
		goto out_replied;
	}
	if (files_commit(r->srv, rc.code, &files) != DVC_OK) {
		char m[200];
		snprintf(m, sizeof m, "dossier %s was submitted but its attachments could not be stored",
			 rc.code);
		reply_error(r, 500, DVC_EIO, m, "attachments");
		goto out_replied;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", rc.code);
	add_str(o, "secret", rc.secret[0] ? rc.secret : NULL);
	cJSON_AddStringToObject(o, "state", s.draft ? "draft" : "submitted");
	arr = cJSON_AddArrayToObject(o, "attachments");
	for (size_t i = 0; i < files.n; i++) {
		cJSON *it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "name", files.v[i].name);
		cJSON_AddStringToObject(it, "sha256", files.v[i].sha256);
		cJSON_AddNumberToObject(it, "size", (double)files.v[i].size);
		cJSON_AddItemToArray(arr, it);
	}
	snprintf(location, sizeof location, "/api/dossiers/%s", rc.code);
	r->extra_name = "Location";
	r->extra_value = location;
	res = reply_json(r, 201, o);
	files_release(&files);
	free(form_text);
	cJSON_Delete(form);
	cJSON_Delete(j);
	return res;
out_replied:
	files_release(&files);
	free(form_text);
	cJSON_Delete(form);
	cJSON_Delete(j);
	return r->result;
}

static enum MHD_Result h_act(httpd_req *r)
{
	cJSON *j = req_json(r), *o;
	dvc_db *db;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t;
	const cJSON *ev;
	const char *action, *delivery, *new_due;
	static const char *const str_keys[] = {"action", "note", "target", "new_due", "delivery",
					       "payload", "secret"};
	int64_t version;
	enum MHD_Result res;

	if (!j)
		return r->result;
	for (size_t i = 0; i < sizeof str_keys / sizeof str_keys[0]; i++)
		if (bad_str(j, str_keys[i])) {
			bad_request(r, DVC_ESCHEMA, "must be a string", str_keys[i]);
			goto out_replied;
		}
	if (!(action = STR(j, "action"))) {
		bad_request(r, DVC_ESCHEMA, "action is required", "action");
		goto out_replied;
	}
	if (dvc_action_parse(action, &q.action) != DVC_OK) {
		reply_error(r, 400, DVC_EINVAL, dvc_error_last()->message, "action");
		goto out_replied;
	}
	if (req_actor(r, STR(j, "secret"), &q.actor))
		goto out_replied;
	q.note = STR(j, "note");
	q.target = STR(j, "target");
	q.payload = STR(j, "payload");
	if ((new_due = STR(j, "new_due")) && dvc_time_parse(new_due, &q.new_due) != DVC_OK) {
		reply_error(r, 400, DVC_EDATE, dvc_error_last()->message, "new_due");
		goto out_replied;
	}
	if ((delivery = STR(j, "delivery")) && dvc_delivery_parse(delivery, &q.delivery) != DVC_OK) {
		reply_lib(r);
		goto out_replied;
	}
	ev = cJSON_GetObjectItemCaseSensitive(j, "expected_version");
	if (ev && !cJSON_IsNull(ev)) {
		if (!cJSON_IsNumber(ev) || ev->valuedouble < 0 || ev->valuedouble > 9e15 ||
		    ev->valuedouble != (double)(int64_t)ev->valuedouble) {
			bad_request(r, DVC_ESCHEMA, "expected_version must be a dossier version",
				    "expected_version");
			goto out_replied;
		}
		q.expected_version = (int64_t)ev->valuedouble;
	}
	if (!(db = httpd_db(r)) || dvc_dossier_act(db, r->seg[2], &q, &version) != DVC_OK) {
		reply_lib(r);
		goto out_replied;
	}
	if (dvc_dossier_track(db, r->seg[2], &q.actor, &t) != DVC_OK) {
		reply_lib(r);
		goto out_replied;
	}
	o = tracking_json(r, t, &q.actor);
	dvc_tracking_free(t);
	cJSON_AddStringToObject(o, "done", dvc_action_name(q.action));
	cJSON_Delete(j);
	res = reply_json(r, 200, o);
	return res;
out_replied:
	cJSON_Delete(j);
	return r->result;
}

/* The actor may see the dossier (tracking succeeds), or a reply is queued. */
static int authorize(httpd_req *r, dvc_db *db, const char *code, const char *body_secret)
{
	dvc_actor who;
	dvc_tracking *t;
	if (req_actor(r, body_secret, &who))
		return 1;
	if (dvc_dossier_track(db, code, &who, &t) != DVC_OK) {
		reply_lib(r);
		return 1;
	}
	dvc_tracking_free(t);
	return 0;
}

/* RFC 5987 filename* value of a UTF-8 name. */
static void disposition(char *out, size_t n, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = (size_t)snprintf(out, n, "attachment; filename=\"tep-dinh-kem\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p && i + 4 < n; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_') {
			out[i++] = (char)*p;
		} else {
			out[i++] = '%';
			out[i++] = hex[*p >> 4];
			out[i++] = hex[*p & 15];
		}
	}
	out[i < n ? i : n - 1] = '\0';
}

static enum MHD_Result h_attachment(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	char name[HTTPD_MAX_NAME + 1], type[64], file[4096], disp[1024];
	FILE *f;
	struct stat st;
	char *buf;
	int rc;

	if (!files_is_sha256(r->seg[4]))
		return bad_request(r, DVC_EINVAL,
				   "an attachment is named by its SHA-256 digest (64 hex digits)", NULL);
	if (!db)
		return reply_lib(r);
	if (authorize(r, db, r->seg[2], NULL))
		return r->result;
	rc = files_lookup(r->srv, r->seg[2], r->seg[4], name, sizeof name, type, sizeof type, file,
			  sizeof file);
	if (rc != DVC_OK)
		return reply_error(r, httpd_status_for(rc), rc, "no such attachment on this dossier",
				   NULL);
	if (!(f = fopen(file, "rb")) || fstat(fileno(f), &st) != 0 ||
	    (size_t)st.st_size > HTTPD_MAX_ATTACH_TOTAL) {
		if (f)
			fclose(f);
		return reply_error(r, 404, DVC_ENOTFOUND, "the attachment's file is missing", NULL);
	}
	if (!(buf = malloc((size_t)st.st_size + 1)) ||
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		fclose(f);
		return reply_error(r, 500, DVC_EIO, "cannot read the attachment", NULL);
	}
	fclose(f);
	disposition(disp, sizeof disp, name);
	return reply_bytes(r, 200, type, buf, (size_t)st.st_size, free, disp);
}

#ifdef HTTPD_HAVE_SLIP
static const char slip_csp[] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

static enum MHD_Result h_slip(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_slip_kind kind;
	char *html;
	size_t len;

	if (dvc_slip_kind_parse(r->seg[4], &kind) != DVC_OK)
		return reply_error(r, 404, DVC_ENOTFOUND, dvc_error_last()->message, NULL);
	if (!db)
		return reply_lib(r);
	if (authorize(r, db, r->seg[2], NULL))
		return r->result;
	if (dvc_slip_render(db, r->seg[2], kind, DVC_SLIP_HTML, &html, &len) != DVC_OK)
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
	if (!r->has_session || r->sess.kind != SESS_OFFICER)
		return reply_error(r, 401, DVC_EAUTH, "sign in as an officer", NULL);
	o.unit = r->sess.unit;
	if (!db || dvc_register_render(db, &o, DVC_SLIP_HTML, &html, &len) != DVC_OK)
		return reply_lib(r);
	r->csp = slip_csp;
	return reply_bytes(r, 200, "text/html; charset=utf-8", html, len, dvc_free, NULL);
}
#endif

static enum MHD_Result h_inbox(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	dvc_actor me = {DVC_ACTOR_OFFICER, NULL, NULL};
	const char *state = req_query(r, "state"), *all = req_query(r, "all");
	cJSON *o, *rows, *off;

	if (!r->has_session || r->sess.kind != SESS_OFFICER)
		return reply_error(r, 401, DVC_EAUTH, "sign in as an officer", NULL);
	if (state) {
		dvc_state st;
		if (dvc_state_parse(state, &st) != DVC_OK)
			return reply_error(r, 400, DVC_EINVAL, dvc_error_last()->message, "state");
		f.state = (int)st;
	}
	f.unit = r->sess.unit;
	f.limit = 200;
	me.name = r->sess.name;
	if (!db || dvc_dossier_list_get(db, &f, &l) != DVC_OK)
		return reply_lib(r);
	o = cJSON_CreateObject();
	off = cJSON_AddObjectToObject(o, "officer");
	cJSON_AddStringToObject(off, "username", r->sess.name);
	cJSON_AddStringToObject(off, "unit", r->sess.unit);
	cJSON_AddStringToObject(off, "role", dvc_role_name(r->sess.role));
	rows = cJSON_AddArrayToObject(o, "dossiers");
	for (size_t i = 0; i < dvc_dossier_list_count(l); i++) {
		const dvc_dossier_row *x = dvc_dossier_list_row(l, i);
		dvc_tracking *t;
		cJSON *it;
		if (!(all && strcmp(all, "1") == 0) && !state && dvc_state_is_final(x->state))
			continue;
		if (dvc_dossier_track(db, x->code, &me, &t) != DVC_OK)
			continue;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "code", x->code);
		cJSON_AddStringToObject(it, "procedure", x->procedure);
		add_str(it, "procedure_name", t->procedure_name);
		add_str(it, "applicant_name", t->applicant_name);
		cJSON_AddStringToObject(it, "state", dvc_state_name(x->state));
		cJSON_AddStringToObject(it, "state_label", dvc_state_label_vi(x->state));
		cJSON_AddNumberToObject(it, "version", (double)t->version);
		cJSON_AddStringToObject(it, "step_role", dvc_role_name(t->step_role));
		add_str(it, "handler", x->handler);
		add_time(it, "submitted_at", t->submitted_at);
		add_time(it, "due_at", x->due_at);
		cJSON_AddBoolToObject(it, "overdue", x->overdue);
		cJSON_AddItemToObject(it, "actions",
				      allowed_actions(x->state, DVC_ROLE_BIT(r->sess.role)));
		cJSON_AddItemToArray(rows, it);
		dvc_tracking_free(t);
	}
	dvc_dossier_list_free(l);
	return reply_json(r, 200, o);
}

/* ---- payment ---- */

static enum MHD_Result h_pay_request(httpd_req *r)
{
	cJSON *j = r->body_len ? req_json(r) : cJSON_CreateObject(), *o;
	dvc_db *db = httpd_db(r);
	dvc_payment_request_info info;
	enum MHD_Result res;

	if (!j)
		return r->result;
	if (!db) {
		cJSON_Delete(j);
		return reply_lib(r);
	}
	if (authorize(r, db, r->seg[2], STR(j, "secret"))) {
		cJSON_Delete(j);
		return r->result;
	}
	cJSON_Delete(j);
	if (dvc_payment_request(db, r->seg[2], &info) != DVC_OK)
		return reply_lib(r);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "reference", info.reference);
	cJSON_AddNumberToObject(o, "amount", (double)info.amount);
	add_time(o, "expires_at", info.expires_at);
	res = reply_json(r, 201, o);
	return res;
}

/* The gateway calls back with its signed parameters; the library checks
 * the signature, reference, amount and expiry. No session, no CSRF: the
 * signature is the authentication. */
static enum MHD_Result h_pay_callback(httpd_req *r)
{
	dvc_db *db = httpd_db(r);
	const char *q = r->uri ? strchr(r->uri, '?') : NULL;
	dvc_payment_result res;
	cJSON *o;

	if (!q || !q[1])
		return bad_request(r, DVC_EINVAL, "the gateway's parameters are missing", NULL);
	if (!db || dvc_payment_callback(db, q + 1, &res) != DVC_OK)
		return reply_lib(r);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "RspCode", "00");
	cJSON_AddStringToObject(o, "outcome", dvc_payment_outcome_name(res.outcome));
	cJSON_AddStringToObject(o, "reference", res.reference);
	cJSON_AddStringToObject(o, "dossier", res.dossier);
	cJSON_AddNumberToObject(o, "amount", (double)res.amount);
	return reply_json(r, 200, o);
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
	{"GET", "/api/dossiers/*/attachments/*", h_attachment, 0},
	{"POST", "/api/dossiers/*/payment", h_pay_request, ROUTE_CSRF},
	{"GET", "/api/payments/callback", h_pay_callback, 0},
};

const httpd_route *api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}
