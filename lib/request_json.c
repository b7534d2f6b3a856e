/* Requests in the portal's JSON wire form (view.h): a submission with its
 * small files inline, an action, a registration, a rating, a payment at
 * the desk and a document reused from the account's data store. The parsing, type checks, limits and
 * the all-or-nothing transaction a JSON front end would otherwise
 * re-decide. */
#include "dvc/account.h"
#include "dvc/document.h"
#include "dvc/dossier.h"
#include "dvc/payment.h"
#include "dvc/rating.h"
#include "dvc/eform.h"
#include "dvc/store.h"
#include "dvc/view.h"
#include "internal.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PATH_SIZE 64

/* Member `key` of o as a string: NULL when absent or null; DVC_ESCHEMA
 * (path `where`.key) when it is something else. */
static int member_str(const cJSON *o, const char *where, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char path[PATH_SIZE];
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return DVC_OK;
	if (!cJSON_IsString(v)) {
		snprintf(path, sizeof path, "%s%s%s", where ? where : "", where ? "." : "", key);
		return dvc__err(DVC_ESCHEMA, path, "must be a string");
	}
	*out = v->valuestring;
	return DVC_OK;
}

/* The last error again, naming the request's member it came from. */
static int at_member(const char *path)
{
	const dvc_error *e = dvc_error_last();
	char msg[512];
	snprintf(msg, sizeof msg, "%s", e->message);
	return dvc__err(e->code, path, "%s", msg);
}

static const char *const applicant_keys[] = {"full_name", "citizen_id", "birth_date",
					     "address",   "phone",      "email"};

/* An applicant object (member `where` of the request). */
static int read_applicant(const cJSON *o, const char *where, dvc_applicant *a)
{
	const char **f[] = {&a->full_name, &a->citizen_id, &a->birth_date,
			    &a->address,   &a->phone,      &a->email};
	int rc;
	memset(a, 0, sizeof *a);
	if (!cJSON_IsObject(o))
		return dvc__err(DVC_ESCHEMA, where, "an object with the applicant's fields is required");
	for (size_t i = 0; i < DVC_ARRAY_LEN(applicant_keys); i++) {
		if ((rc = member_str(o, where, applicant_keys[i], f[i])) != DVC_OK)
			return rc;
		if (*f[i] && !**f[i])
			*f[i] = NULL; /* an empty optional field is an absent one */
	}
	return DVC_OK;
}

/* Member `key` as a whole number in lo..hi: DVC_ESCHEMA (path key, the
 * message `what`) when absent or anything else. */
static int member_int(const cJSON *o, const char *key, double lo, double hi, const char *what,
		      int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return dvc__err(DVC_ESCHEMA, key, "%s", what);
	*out = (int64_t)v->valuedouble;
	return DVC_OK;
}

/* Read a request that must be a JSON object of small members. */
static int read_object(const char *json, size_t len, const char *what, cJSON **j)
{
	const dvc__json_limits lim = {0, DVC_EFORM_MAX_DEPTH + 1, DVC_EFORM_MAX_VALUES + 1024};
	int rc = dvc__json_read(json, len, &lim, what, j);
	if (rc == DVC_OK && !cJSON_IsObject(*j)) {
		cJSON_Delete(*j);
		*j = NULL;
		rc = dvc__err(DVC_ESCHEMA, NULL, "%s must be a JSON object", what);
	}
	return rc;
}

/* The actor a request speaks for: its "secret" (the anonymous applicant
 * holding it), else `who`; DVC_EAUTH with neither. */
static int request_actor(const char *secret, const dvc_actor *who, dvc_actor *out)
{
	if (secret && *secret)
		*out = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, secret};
	else if (who)
		*out = *who;
	else
		return dvc__err(DVC_EAUTH, NULL, "the dossier's tracking secret is required, or a signed-in actor");
	return DVC_OK;
}

/* The component an attachment names: "component" (the index; the library
 * says whether it exists) or "document" (the catalog's name of it). */
static int component_of(dvc_db *db, const char *procedure, const cJSON *it, int *out)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "component");
	const char *doc;
	dvc_procedure *p;
	int rc;
	*out = -1;
	if (cJSON_IsNumber(c)) {
		if (c->valuedouble < 0 || c->valuedouble > 10000 || c->valuedouble != (int)c->valuedouble)
			return dvc__err(DVC_EINVAL, "component",
					"component must be the index of one of the procedure's documents");
		*out = (int)c->valuedouble;
		return DVC_OK;
	}
	if ((rc = member_str(it, NULL, "document", &doc)) != DVC_OK)
		return rc;
	if (!doc)
		return dvc__err(DVC_ESCHEMA, NULL,
				"an attachment names its component (index) or its document (name)");
	if ((rc = dvc_procedure_get(db, procedure, NULL, &p)) != DVC_OK)
		return rc;
	for (size_t i = 0; i < p->n_documents && *out < 0; i++)
		if (strcmp(p->documents[i].name, doc) == 0)
			*out = (int)i;
	dvc_procedure_free(p);
	return *out >= 0 ? DVC_OK
			 : dvc__err(DVC_EINVAL, "document", "document is not one of the procedure's documents");
}

/* One inline file, stored under the dossier just submitted; its
 * dvc_file_info_json() appended to `files`. */
static int attach_one(dvc_db *db, const dvc_submission *s, const dvc_receipt *rc, const cJSON *it,
		      size_t *total, size_t max_total, cJSON *files)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	dvc_mem_reader src;
	const char *data, *name, *form, *end;
	unsigned char *bin;
	size_t b64, bin_len;
	char *fj;
	int st;
	if (!cJSON_IsObject(it))
		return dvc__err(DVC_ESCHEMA, NULL,
				"an attachment is {component or document, name, data (base64), form}");
	if ((st = member_str(it, NULL, "data", &data)) != DVC_OK ||
	    (st = member_str(it, NULL, "name", &name)) != DVC_OK ||
	    (st = member_str(it, NULL, "form", &form)) != DVC_OK)
		return st;
	if (!data || !name)
		return dvc__err(DVC_ESCHEMA, data ? "name" : "data",
				"an attachment is {component or document, name, data (base64), form}");
	if ((st = component_of(db, s->procedure, it, &q.component)) != DVC_OK)
		return st;
	if (form && (st = dvc_file_form_parse(form, &q.form)) != DVC_OK)
		return st;
	/* refused before decoding: the limit bounds what is allocated */
	b64 = strlen(data);
	if (*total + b64 / 4 * 3 > max_total + 2)
		return dvc__err(DVC_ETOOBIG, NULL,
				"attachments in a submission exceed %zu bytes in all: upload them one by "
				"one", max_total);
	if (!(bin = dvc__malloc(b64 / 4 * 3 + 3)))
		return dvc__oom();
	if (sodium_base642bin(bin, b64 / 4 * 3 + 3, data, b64, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || end != data + b64) {
		dvc__free(bin);
		return dvc__err(DVC_EINVAL, "data", "data is not valid base64");
	}
	*total += bin_len;
	src = (dvc_mem_reader){bin, bin_len, 0};
	q.actor = s->account ? (dvc_actor){DVC_ACTOR_ACCOUNT, s->account, NULL}
			     : (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, rc->secret};
	q.name = name;
	q.declared_size = (int64_t)bin_len;
	q.read = dvc_mem_read;
	q.read_ctx = &src;
	st = dvc_dossier_attach(db, rc->code, &q, &fi);
	dvc__free(bin);
	if (st != DVC_OK || (st = dvc_file_info_json(&fi, &fj)) != DVC_OK)
		return st;
	st = dvc__json_put(files, NULL, cJSON_Parse(fj)) ? DVC_OK : dvc__oom();
	dvc_free(fj);
	return st;
}

/* The submission's fields out of the request; `form_text` is the form
 * data printed back for dvc_dossier_submit (dvc_free it). */
static int read_submission(const cJSON *j, const dvc_submit_json_opts *o, dvc_submission *s,
			   dvc_applicant *a, char **form_text, const cJSON **att, size_t max_files)
{
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(j, "applicant");
	const cJSON *fd = cJSON_GetObjectItemCaseSensitive(j, "form_data");
	const cJSON *draft = cJSON_GetObjectItemCaseSensitive(j, "draft");
	int rc;
	if ((rc = member_str(j, NULL, "procedure", &s->procedure)) != DVC_OK ||
	    (rc = member_str(j, NULL, "desk", &s->desk)) != DVC_OK || /* Decree 118/2025 */
	    (rc = member_str(j, NULL, "place", &s->place)) != DVC_OK)
		return rc;
	if (!s->procedure)
		return dvc__err(DVC_ESCHEMA, "procedure", "procedure (its code) is required");
	s->account = o->account;
	s->national_signin = o->national_signin;
	/* with an account the profile fills the applicant unless one is given */
	if (!o->account || (app && !cJSON_IsNull(app))) {
		if ((rc = read_applicant(app, "applicant", a)) != DVC_OK)
			return rc;
		s->applicant = a;
	}
	if (draft && !cJSON_IsBool(draft) && !cJSON_IsNull(draft))
		return dvc__err(DVC_ESCHEMA, "draft", "draft must be true or false");
	s->draft = cJSON_IsTrue(draft);
	if (fd && !cJSON_IsNull(fd)) {
		if (!cJSON_IsObject(fd))
			return dvc__err(DVC_ESCHEMA, "form_data", "form_data must be an object");
		/* the legacy place where portals listed files: a client must not
		 * make it look as if files were received */
		if (cJSON_GetObjectItemCaseSensitive(fd, "attachments"))
			return dvc__err(DVC_ESCHEMA, "form_data.attachments",
					"form_data.attachments is reserved; send files as \"attachments\" "
					"or upload them one by one");
		if (!(*form_text = cJSON_PrintUnformatted(fd)))
			return dvc__oom();
		s->form_data = *form_text;
	}
	*att = cJSON_GetObjectItemCaseSensitive(j, "attachments");
	if (*att && cJSON_IsNull(*att))
		*att = NULL;
	if (*att && (!cJSON_IsArray(*att) || (size_t)cJSON_GetArraySize(*att) > max_files))
		return dvc__err(DVC_ESCHEMA, "attachments", "attachments must be an array of at most %zu files",
				max_files);
	return DVC_OK;
}

int dvc_dossier_submit_json(dvc_db *db, const char *json, size_t len, const dvc_submit_json_opts *o,
			    dvc_receipt *receipt, char **out)
{
	static const dvc_submit_json_opts def = DVC_SUBMIT_JSON_INIT;
	const dvc__json_limits lim = {0, DVC_EFORM_MAX_DEPTH + 1, DVC_EFORM_MAX_VALUES + 1024};
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_applicant a;
	cJSON *j = NULL, *res = NULL, *files = NULL;
	const cJSON *att = NULL;
	char *form_text = NULL, *rj = NULL, path[PATH_SIZE];
	size_t total = 0, max_files, max_bytes;
	unsigned long failures = dvc__alloc_failures();
	int rc, began = 0;

	if (out)
		*out = NULL;
	if (!db || !json || !receipt || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_submit_json needs a store, JSON, a receipt "
				"and an out pointer");
	if (!o)
		o = &def;
	if (o->version != DVC_SUBMIT_JSON_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_submit_json_opts version %u", o->version);
	/* its own transaction: the dossier and its files, all or nothing */
	if (dvc_in_transaction(db))
		return dvc__err(DVC_ETXN, NULL, "dvc_dossier_submit_json runs its own transaction: "
				"call it outside dvc_begin()");
	max_files = o->max_attachments ? o->max_attachments : DVC_SUBMIT_JSON_MAX_FILES;
	max_bytes = o->max_attachment_bytes ? o->max_attachment_bytes : DVC_SUBMIT_JSON_MAX_BYTES;
	if ((rc = dvc__json_read(json, len, &lim, "the submission", &j)) != DVC_OK)
		goto out;
	if (!cJSON_IsObject(j)) {
		rc = dvc__err(DVC_ESCHEMA, NULL, "the submission must be a JSON object");
		goto out;
	}
	if ((rc = read_submission(j, o, &s, &a, &form_text, &att, max_files)) != DVC_OK)
		goto out;
	if (!(files = cJSON_CreateArray())) {
		rc = dvc__oom();
		goto out;
	}
	if ((rc = dvc_begin(db)) != DVC_OK)
		goto out;
	began = 1;
	if ((rc = dvc_dossier_submit(db, &s, receipt)) != DVC_OK)
		goto out;
	for (int i = 0; att && i < cJSON_GetArraySize(att); i++)
		if ((rc = attach_one(db, &s, receipt, cJSON_GetArrayItem(att, i), &total, max_bytes, files)) !=
		    DVC_OK) {
			snprintf(path, sizeof path, "attachments[%d]", i);
			dvc__err_prefix_path(path);
			goto out;
		}
	if ((rc = dvc_receipt_json(receipt, s.draft, &rj)) != DVC_OK)
		goto out;
	if (!(res = cJSON_Parse(rj))) {
		rc = dvc__oom();
		goto out;
	}
	dvc__json_put(res, "files", files);
	files = NULL;
	if ((rc = dvc__json_print(res, failures, out)) != DVC_OK)
		goto out;
	if ((rc = dvc_commit(db)) != DVC_OK) {
		dvc_free(*out);
		*out = NULL;
		goto out;
	}
	began = 0;
out:
	if (began) {
		/* keep the error that made us roll back, not the rollback's */
		const dvc_error *e = dvc_error_last();
		char msg[512], epath[256]; /* error.c keeps paths of 255 bytes */
		int code = e->code;
		snprintf(msg, sizeof msg, "%s", e->message);
		snprintf(epath, sizeof epath, "%s", e->path ? e->path : "");
		dvc_rollback(db);
		dvc__err(code, epath[0] ? epath : NULL, "%s", msg);
		*receipt = (dvc_receipt)DVC_RECEIPT_INIT;
	}
	dvc_free(rj);
	cJSON_Delete(files);
	cJSON_free(form_text);
	cJSON_Delete(j);
	return rc;
}

int dvc_dossier_act_json(dvc_db *db, const char *code, const char *json, size_t len, const dvc_actor *who,
			 const dvc_caller *from, char **out)
{
	static const char *const keys[] = {"action", "note", "target", "new_due", "delivery", "payload",
					   "secret"};
	const char *v[DVC_ARRAY_LEN(keys)];
	dvc_action_req q = DVC_ACTION_INIT;
	const cJSON *ev;
	cJSON *j = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!db || !code || !json || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_act_json needs a store, a code, JSON and an out "
				"pointer");
	if ((rc = read_object(json, len, "the action", &j)) != DVC_OK)
		return rc;
	for (size_t i = 0; i < DVC_ARRAY_LEN(keys); i++)
		if ((rc = member_str(j, NULL, keys[i], &v[i])) != DVC_OK)
			goto out;
	if (!v[0]) {
		rc = dvc__err(DVC_ESCHEMA, "action", "action is required");
		goto out;
	}
	if (dvc_action_parse(v[0], &q.action) != DVC_OK) {
		rc = at_member("action");
		goto out;
	}
	if (v[3] && dvc_time_parse(v[3], &q.new_due) != DVC_OK) {
		rc = at_member("new_due");
		goto out;
	}
	if (v[4] && dvc_delivery_parse(v[4], &q.delivery) != DVC_OK) {
		rc = at_member("delivery");
		goto out;
	}
	ev = cJSON_GetObjectItemCaseSensitive(j, "expected_version");
	if (ev && !cJSON_IsNull(ev) &&
	    (rc = member_int(j, "expected_version", 0, 9e15, "expected_version must be a dossier version",
			     &q.expected_version)) != DVC_OK)
		goto out;
	/* the tracking secret in the request speaks for the anonymous applicant */
	if ((rc = request_actor(v[6], who, &q.actor)) != DVC_OK)
		goto out;
	q.note = v[1];
	q.target = v[2];
	q.payload = v[5];
	q.client = from ? from->client : NULL;
	if ((rc = dvc_dossier_act(db, code, &q, NULL)) == DVC_OK)
		rc = dvc_dossier_view_json(db, code, &q.actor, from, out);
out:
	cJSON_Delete(j);
	return rc;
}

int dvc_account_register_json(dvc_db *db, const char *json, size_t len, const dvc_caller *from,
			      char **out)
{
	const char *user, *pass;
	dvc_applicant a;
	cJSON *j = NULL, *o;
	unsigned long failures = dvc__alloc_failures();
	int rc;

	if (out)
		*out = NULL;
	if (!db || !json || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_account_register_json needs a store, JSON and an out pointer");
	if ((rc = read_object(json, len, "the registration", &j)) != DVC_OK)
		return rc;
	if ((rc = member_str(j, NULL, "username", &user)) == DVC_OK &&
	    (rc = member_str(j, NULL, "password", &pass)) == DVC_OK && (!user || !pass))
		rc = dvc__err(DVC_ESCHEMA, user ? "password" : "username", "username and password are required");
	if (rc == DVC_OK)
		rc = read_applicant(cJSON_GetObjectItemCaseSensitive(j, "profile"), "profile", &a);
	if (rc == DVC_OK && (rc = dvc_account_register_from(db, user, pass, &a, from)) == DVC_OK) {
		o = cJSON_CreateObject();
		dvc__json_put_str(o, "username", user);
		rc = dvc__json_print(o, failures, out);
	}
	cJSON_Delete(j);
	return rc;
}

int dvc_dossier_rate_json(dvc_db *db, const char *code, const char *json, size_t len,
			  const dvc_actor *who, const dvc_caller *from, char **out)
{
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	const char *secret;
	const cJSON *sc, *it;
	dvc_rating *x;
	cJSON *j = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!db || !code || !json || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_rate_json needs a store, a code, JSON and an out pointer");
	if ((rc = read_object(json, len, "the rating", &j)) != DVC_OK)
		return rc;
	sc = cJSON_GetObjectItemCaseSensitive(j, "scores");
	if ((rc = member_str(j, NULL, "comment", &q.comment)) != DVC_OK ||
	    (rc = member_str(j, NULL, "secret", &secret)) != DVC_OK)
		goto out;
	if (!cJSON_IsObject(sc)) {
		rc = dvc__err(DVC_ESCHEMA, "scores", "{\"scores\": {criterion: 1..5}} is required");
		goto out;
	}
	cJSON_ArrayForEach(it, sc)
	{
		dvc_rating_criterion c;
		char path[PATH_SIZE];
		snprintf(path, sizeof path, "scores.%s", it->string);
		if (dvc_rating_criterion_parse(it->string, &c) != DVC_OK) {
			rc = at_member(path);
			goto out;
		}
		if (!cJSON_IsNumber(it) || it->valuedouble != (int)it->valuedouble) {
			rc = dvc__err(DVC_ESCHEMA, path, "a score is a whole number");
			goto out;
		}
		/* out of range stays out of range (the library refuses it) */
		q.scores[c] = it->valuedouble < -1000 ? -1000 : it->valuedouble > 1000 ? 1000 : (int)it->valuedouble;
	}
	if ((rc = request_actor(secret, who, &q.actor)) != DVC_OK)
		goto out;
	q.client = from ? from->client : NULL;
	if ((rc = dvc_dossier_rate(db, code, &q)) == DVC_OK &&
	    (rc = dvc_dossier_rating_get_from(db, code, &q.actor, from, &x)) == DVC_OK) {
		rc = dvc_rating_json(x, out);
		dvc_rating_free(x);
	}
out:
	cJSON_Delete(j);
	return rc;
}

int dvc_payment_counter_json(dvc_db *db, const char *code, const char *json, size_t len,
			     const char *officer, const dvc_caller *from, char **out)
{
	dvc_counter_payment p = DVC_COUNTER_PAYMENT_INIT;
	const char *method;
	cJSON *j = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!db || !code || !json || !officer || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_payment_counter_json needs a store, a code, JSON, the "
				"officer and an out pointer");
	if ((rc = read_object(json, len, "the payment", &j)) != DVC_OK)
		return rc;
	if ((rc = member_str(j, NULL, "receipt_no", &p.receipt_no)) != DVC_OK ||
	    (rc = member_str(j, NULL, "method", &method)) != DVC_OK ||
	    (rc = member_str(j, NULL, "note", &p.note)) != DVC_OK ||
	    (rc = member_int(j, "amount", -9e15, 9e15, "amount is a whole number of đồng", &p.amount)) != DVC_OK)
		goto out;
	if (!p.receipt_no) {
		rc = dvc__err(DVC_ESCHEMA, "receipt_no", "receipt_no (the receipt's number) is required");
		goto out;
	}
	if (method && dvc_pay_method_parse(method, &p.method) != DVC_OK) {
		rc = at_member("method");
		goto out;
	}
	p.officer = officer;
	if ((rc = dvc_payment_counter(db, code, &p)) == DVC_OK) {
		dvc_actor me = {DVC_ACTOR_OFFICER, officer, NULL};
		rc = dvc_dossier_view_json(db, code, &me, from, out);
	}
out:
	cJSON_Delete(j);
	return rc;
}

int dvc_dossier_reuse_json(dvc_db *db, const char *code, const char *json, size_t len,
			   const char *account, char **out)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	dvc_file_info fi;
	const char *form;
	int64_t component;
	cJSON *j = NULL;
	int rc;

	if (out)
		*out = NULL;
	if (!db || !code || !json || !account || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_reuse_json needs a store, a code, JSON, the "
				"account and an out pointer");
	if ((rc = read_object(json, len, "the request", &j)) != DVC_OK)
		return rc;
	if ((rc = member_int(j, "component", 0, 10000, "component is the document's index", &component)) !=
		    DVC_OK ||
	    (rc = member_int(j, "file", 1, 9e15, "file is the id of a file in the account's data store",
			     &q.reuse)) != DVC_OK ||
	    (rc = member_str(j, NULL, "name", &q.name)) != DVC_OK ||
	    (rc = member_str(j, NULL, "form", &form)) != DVC_OK)
		goto out;
	if (form && dvc_file_form_parse(form, &q.form) != DVC_OK) {
		rc = at_member("form");
		goto out;
	}
	q.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, account, NULL};
	q.component = (int)component;
	if ((rc = dvc_dossier_attach(db, code, &q, &fi)) == DVC_OK)
		rc = dvc_file_info_json(&fi, out);
out:
	cJSON_Delete(j);
	return rc;
}
