/* Read-side views: one JSON serializer per record, shared by the CLI's
 * --json output, the HTTP example's bodies and the binding. Field names are
 * part of the API (view.h lists them). Trees are built with cJSON through
 * put(), which frees what it cannot attach, so a failed allocation anywhere
 * leaks nothing and is found once, at print time, from the allocation
 * failure counter. */
#include "dvc/view.h"
#include "dvc/identity.h"
#include "catalog_internal.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Attach `item` to `parent` (under `key` for an object, appended to an
 * array when key is NULL); on any failure it is freed. Returns the item. */
/* the shared cJSON builders (internal.h), under short names */
static cJSON *put(cJSON *p, const char *key, cJSON *item) { return dvc__json_put(p, key, item); }

static void put_str(cJSON *o, const char *key, const char *v) { dvc__json_put_str(o, key, v); }

static void put_num(cJSON *o, const char *key, double v) { put(o, key, cJSON_CreateNumber(v)); }
static void put_bool(cJSON *o, const char *key, int v) { put(o, key, cJSON_CreateBool(v)); }

/* An instant, or null when unset (0). */
static void put_time(cJSON *o, const char *key, dvc_time t)
{
	char buf[DVC_TIME_FORMAT_SIZE];
	put_str(o, key, t && dvc_time_format(t, buf, sizeof buf) == DVC_OK ? buf : NULL);
}

static void put_date(cJSON *o, const char *key, const dvc_date *d)
{
	char buf[11];
	dvc__date_format(d, buf);
	put_str(o, key, buf);
}

/* A record's member written under its own name, as text or a number: the
 * member's type picks which. An enum does not compile; an instant (a
 * dvc_time is an int64_t) or a flag (an int) would pass for a number, so
 * records with those write them by hand. */

typedef struct field {
	const char *key;
	enum { F_STR, F_INT, F_I64, F_DBL } kind;
	size_t off;
} field;
#define FIELD(T, f)                                                                          \
	{                                                                                    \
		#f,                                                                          \
		    _Generic(((T *)0)->f, const char *: F_STR, int: F_INT, int64_t: F_I64, \
			     double: F_DBL),                                                 \
		    offsetof(T, f)                                                           \
	}

static void put_fields(cJSON *o, const void *rec, const field *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const void *v = (const char *)rec + fs[i].off;
		switch (fs[i].kind) {
		case F_STR:
			put_str(o, fs[i].key, *(const char *const *)v);
			break;
		case F_INT:
			put_num(o, fs[i].key, *(const int *)v);
			break;
		case F_I64:
			put_num(o, fs[i].key, (double)*(const int64_t *)v);
			break;
		case F_DBL:
			put_num(o, fs[i].key, *(const double *)v);
			break;
		}
	}
}

/* A new object of `rec`'s fields. */
static cJSON *fields_tree(const void *rec, const field *fs, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	put_fields(o, rec, fs, n);
	return o;
}

#define VIEW_BEGIN(out, ...)                                                                 \
	do {                                                                                 \
		if (!(out) || !(__VA_ARGS__))                                                \
			return dvc__err(DVC_EINVAL, NULL, "%s needs its record and an out pointer", \
					__func__);                                           \
		*(out) = NULL;                                                               \
	} while (0)

/* The body of a view of one record, `tree` its tree (built after the
 * checks, its allocation failures counted from before). */
#define TREE_VIEW(out, rec, tree)                                                            \
	do {                                                                                 \
		unsigned long failures_ = dvc__alloc_failures();                             \
		VIEW_BEGIN(out, rec);                                                        \
		return dvc__json_print(tree, failures_, out);                               \
	} while (0)

/* The body of a list view: an array of the list's rows, each as `tree`. */
#define LIST_VIEW(out, l, count, at, tree)                                                   \
	do {                                                                                 \
		unsigned long failures_ = dvc__alloc_failures();                             \
		cJSON *arr_;                                                                 \
		VIEW_BEGIN(out, l);                                                          \
		arr_ = cJSON_CreateArray();                                                  \
		for (size_t i_ = 0; i_ < count(l); i_++)                                     \
			put(arr_, NULL, tree(at(l, i_)));                                    \
		return dvc__json_print(arr_, failures_, out);                              \
	} while (0)

/* ---- dossiers ---- */

static cJSON *applicant_json(const dvc_applicant *a)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "full_name", a->full_name);
	put_str(o, "citizen_id", a->citizen_id);
	put_str(o, "birth_date", a->birth_date);
	put_str(o, "address", a->address);
	put_str(o, "phone", a->phone);
	put_str(o, "email", a->email);
	return o;
}

static cJSON *account_tree(const dvc_account *a)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "username", a->username);
	put_time(o, "created_at", a->created_at);
	put(o, "profile", applicant_json(&a->profile));
	return o;
}

int dvc_account_json(const dvc_account *a, char **out)
{
	TREE_VIEW(out, a, account_tree(a));
}

static cJSON *history_json(const dvc_tracking *t)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < t->n_history; i++) {
		const dvc_journal_entry *e = &t->history[i];
		cJSON *x = put(arr, NULL, cJSON_CreateObject());
		put_num(x, "seq", (double)e->seq);
		put_time(x, "at", e->at);
		put_str(x, "actor", e->actor);
		put_str(x, "unit", e->unit);
		put_str(x, "action", dvc_action_name(e->action));
		put_str(x, "action_label", dvc_action_label_vi(e->action));
		put_str(x, "from", dvc_state_name(e->from));
		put_str(x, "to", dvc_state_name(e->to));
		put_str(x, "to_label", dvc_state_label_vi(e->to));
		put_str(x, "note", e->note);
		put_str(x, "payload_digest", e->payload_digest[0] ? e->payload_digest : NULL);
		put_str(x, "hash", e->hash);
	}
	return arr;
}

/* The slips the journal supports (each needs one kind of entry). */
static cJSON *slips_json(const dvc_tracking *t)
{
	cJSON *arr = cJSON_CreateArray();
	for (int k = 0; k < DVC_SLIP_KIND_COUNT; k++)
		if (dvc_slip_available(t, (dvc_slip_kind)k))
			put_str(arr, NULL, dvc_slip_kind_name((dvc_slip_kind)k));
	return arr;
}

/* The attachments listed in the form data ({document, name, type, size,
 * sha256} each, as a portal records them), or []. */
static cJSON *attachments_json(const dvc_tracking *t)
{
	cJSON *form = t->form_data ? cJSON_Parse(t->form_data) : NULL, *arr = cJSON_CreateArray(), *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(form, "attachments"))
	{
		if (cJSON_IsObject(it))
			put(arr, NULL, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(form);
	return arr;
}

static cJSON *needs_json(unsigned int needs)
{
	static const char *const names[] = {"note", "target", "new_due", "delivery"};
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < DVC_ARRAY_LEN(names); i++)
		if (needs & (1u << i))
			put_str(arr, NULL, names[i]);
	return arr;
}

/* The allowed actions (refused ones too when `refused` is not NULL). */
static cJSON *actions_json(const dvc_allowed_actions *l, cJSON *refused)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < dvc_allowed_actions_count(l); i++) {
		const dvc_allowed_action *a = dvc_allowed_actions_at(l, i);
		cJSON *x;
		if (!a->allowed) {
			x = put(refused, NULL, refused ? cJSON_CreateObject() : NULL);
			put_str(x, "action", dvc_action_name(a->action));
			put_str(x, "error", dvc_status_name(a->error));
			put_str(x, "message", a->message);
			continue;
		}
		x = put(arr, NULL, cJSON_CreateObject());
		put_str(x, "action", dvc_action_name(a->action));
		put_str(x, "label", dvc_action_label_vi(a->action));
		put(x, "needs", needs_json(a->needs));
		if (a->deliveries) {
			cJSON *d = put(x, "deliveries", cJSON_CreateArray());
			for (int m = 0; m <= DVC_DELIVERY_ONLINE; m++)
				if (a->deliveries & (1u << m))
					put_str(d, NULL, dvc_delivery_name((dvc_delivery)m));
		}
	}
	return arr;
}

static cJSON *tracking_tree(const dvc_tracking *t, const dvc_allowed_actions *actions,
			    unsigned int flags)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "code", t->code);
	put_str(o, "procedure", t->procedure);
	put_num(o, "procedure_version", t->procedure_version);
	put_str(o, "procedure_name", t->procedure_name);
	put_str(o, "channel", dvc_channel_name(t->channel));
	put_str(o, "state", dvc_state_name(t->state));
	put_str(o, "state_label", dvc_state_label_vi(t->state));
	put_bool(o, "final", dvc_state_is_final(t->state));
	put_num(o, "version", (double)t->version);
	put_str(o, "applicant_name", t->applicant_name);
	if (flags & DVC_VIEW_APPLICANT) {
		cJSON *form = t->form_data ? cJSON_Parse(t->form_data) : NULL;
		put(o, "applicant", applicant_json(&t->applicant));
		put(o, "form_data", form ? form : cJSON_CreateNull());
	}
	put_num(o, "step", t->step + 1);
	put_num(o, "steps", t->n_steps);
	put_str(o, "unit", t->unit);
	put_str(o, "unit_name", t->unit_name);
	put_str(o, "desk", t->desk);
	put_str(o, "competent", t->competent);
	put_str(o, "step_role", dvc_role_name(t->step_role));
	put_str(o, "step_role_label", dvc_role_label_vi(t->step_role));
	put_str(o, "handler", t->handler);
	put_time(o, "submitted_at", t->submitted_at);
	put_time(o, "received_at", t->received_at);
	put_time(o, "due_at", t->due_at);
	put_time(o, "rescheduled_due_at", t->rescheduled_due_at);
	put_time(o, "step_since", t->step_since);
	put_time(o, "step_due_at", t->step_due_at);
	put_num(o, "seconds_in_step", (double)t->seconds_in_step);
	put_time(o, "result_at", t->result_at);
	put_time(o, "finished_at", t->finished_at);
	put_bool(o, "overdue", t->overdue);
	put_bool(o, "step_overdue", t->step_overdue);
	put_bool(o, "clock_stopped", t->clock_stopped);
	put_str(o, "delivery", t->state == DVC_STATE_RETURNED ? dvc_delivery_name(t->delivery) : NULL);
	put_num(o, "fee_due", (double)t->fee_due);
	put_num(o, "fee_paid", (double)t->fee_paid);
	put_num(o, "fee_refunded", (double)t->fee_refunded);
	put_str(o, "fee_exemption", t->fee_exemption);
	put(o, "history", history_json(t));
	put(o, "slips", slips_json(t));
	put(o, "attachments", attachments_json(t));
	if (actions)
		put(o, "actions", actions_json(actions, NULL));
	return o;
}

int dvc_tracking_json(const dvc_tracking *t, const dvc_allowed_actions *actions,
		      unsigned int flags, char **out)
{
	TREE_VIEW(out, t, tracking_tree(t, actions, flags));
}

int dvc_history_json(const dvc_tracking *t, char **out)
{
	TREE_VIEW(out, t, history_json(t));
}

static cJSON *allowed_actions_tree(const dvc_allowed_actions *l)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "code", dvc_allowed_actions_code(l));
	put_str(o, "state", dvc_state_name(dvc_allowed_actions_state(l)));
	put_num(o, "version", (double)dvc_allowed_actions_version(l));
	put(o, "actions", actions_json(l, put(o, "refused", cJSON_CreateArray())));
	return o;
}

int dvc_allowed_actions_json(const dvc_allowed_actions *l, char **out)
{
	TREE_VIEW(out, l, allowed_actions_tree(l));
}

/* Track as `who` with the actions `who` may take; the applicant's own
 * fields only for an officer or the dossier's account. */
static int view_tree(dvc_db *db, const char *code, const dvc_actor *who,
		     const dvc_caller *from, cJSON **out)
{
	dvc_tracking *t;
	dvc_allowed_actions *l;
	int rc;
	if ((rc = dvc_dossier_track_from(db, code, who, from, &t)) != DVC_OK)
		return rc;
	if ((rc = dvc_dossier_allowed_actions(db, code, who, from, &l)) != DVC_OK) {
		dvc_tracking_free(t);
		return rc;
	}
	if (who->kind == DVC_ACTOR_ANONYMOUS) {
		*out = tracking_tree(t, l, 0);
	} else {
		int level = 0;
		if ((rc = dvc_dossier_national_signin(db, code, &level)) != DVC_OK) {
			dvc_allowed_actions_free(l);
			dvc_tracking_free(t);
			return rc;
		}
		*out = tracking_tree(t, l, DVC_VIEW_APPLICANT);
		put_num(*out, "national_signin", level);
	}
	dvc_allowed_actions_free(l);
	dvc_tracking_free(t);
	return DVC_OK;
}

int dvc_dossier_view_json(dvc_db *db, const char *code, const dvc_actor *who,
			  const dvc_caller *from, char **out)
{
	unsigned long failures = dvc__alloc_failures();
	cJSON *o = NULL;
	int rc;
	VIEW_BEGIN(out, db && code && who);
	if ((rc = view_tree(db, code, who, from, &o)) != DVC_OK)
		return rc;
	return dvc__json_print(o, failures, out);
}

int dvc_dossier_list_json(dvc_db *db, const dvc_dossier_filter *f, const dvc_actor *who,
			  unsigned int flags, char **out)
{
	unsigned long failures = dvc__alloc_failures();
	dvc_dossier_list *l;
	cJSON *arr;
	int rc = DVC_OK;
	VIEW_BEGIN(out, db);
	if ((rc = dvc_dossier_find(db, f, &l)) != DVC_OK)
		return rc;
	arr = cJSON_CreateArray();
	for (size_t i = 0; rc == DVC_OK && i < dvc_dossier_list_count(l); i++) {
		const dvc_dossier_row *r = dvc_dossier_list_at(l, i);
		cJSON *x;
		if ((flags & DVC_VIEW_OPEN) && dvc_state_is_final(r->state))
			continue;
		if (who) {
			/* what `who` sees of it; a dossier `who` may not see is left out */
			rc = view_tree(db, r->code, who, NULL, &x);
			if (rc == DVC_EPERM || rc == DVC_EAUTH || rc == DVC_ENOTFOUND)
				rc = DVC_OK;
			else if (rc == DVC_OK)
				put(arr, NULL, x);
			continue;
		}
		x = put(arr, NULL, cJSON_CreateObject());
		put_str(x, "code", r->code);
		put_str(x, "procedure", r->procedure);
		put_str(x, "state", dvc_state_name(r->state));
		put_str(x, "state_label", dvc_state_label_vi(r->state));
		put_str(x, "unit", r->unit);
		put_str(x, "handler", r->handler);
		put_time(x, "due_at", r->due_at);
		put_time(x, "step_due_at", r->step_due_at);
		put_time(x, "step_since", r->step_since);
		put_bool(x, "overdue", r->overdue);
		put_bool(x, "step_overdue", r->step_overdue);
	}
	dvc_dossier_list_free(l);
	if (rc != DVC_OK) {
		cJSON_Delete(arr);
		return rc;
	}
	return dvc__json_print(arr, failures, out);
}

static cJSON *receipt_tree(const dvc_receipt *r, int draft)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "code", r->code);
	put_str(o, "secret", r->secret[0] ? r->secret : NULL);
	put_str(o, "state", dvc_state_name(draft ? DVC_STATE_DRAFT : DVC_STATE_SUBMITTED));
	return o;
}

int dvc_receipt_json(const dvc_receipt *r, int draft, char **out)
{
	TREE_VIEW(out, r, receipt_tree(r, draft));
}

/* ---- catalog ---- */

static cJSON *procedure_tree(const dvc_procedure *p)
{
	cJSON *o, *docs, *it;
	int n = 0;
	/* the interchange format's version record, with what a reader of one
	 * procedure also needs: its code, the end of validity, numbered documents */
	o = dvc__procedure_version_json(p);
	put_str(o, "code", p->code);
	if (p->has_valid_to)
		put_date(o, "valid_to", &p->valid_to);
	docs = cJSON_GetObjectItemCaseSensitive(o, "documents");
	cJSON_ArrayForEach(it, docs)
	{
		put_num(it, "n", ++n);
	}
	if (!cJSON_HasObjectItem(o, "route"))
		put(o, "route", cJSON_CreateArray());
	if (!cJSON_HasObjectItem(o, "form_schema"))
		put(o, "form_schema", cJSON_CreateNull());
	return o;
}

int dvc_procedure_json(const dvc_procedure *p, char **out)
{
	TREE_VIEW(out, p, procedure_tree(p));
}

static cJSON *hit_json(const dvc_search_hit *h)
{
#define F(f) FIELD(dvc_search_hit, f)
	static const field fs[] = {F(code), F(version), F(name), F(sector), F(agency), F(online_level)};
#undef F
	cJSON *x = fields_tree(h, fs, DVC_ARRAY_LEN(fs));
	put_str(x, "online_mode", dvc_online_mode_name(h->online_mode));
	put_str(x, "match", dvc_match_name(h->match));
	return x;
}

static cJSON *search_result_tree(const dvc_search_result *r, const char *query)
{
	cJSON *o, *hits;
	o = cJSON_CreateObject();
	put_str(o, "query", query);
	put_num(o, "count", (double)dvc_search_result_count(r));
	hits = put(o, "procedures", cJSON_CreateArray());
	for (size_t i = 0; i < dvc_search_result_count(r); i++)
		put(hits, NULL, hit_json(dvc_search_result_at(r, i)));
	return o;
}

int dvc_search_result_json(const dvc_search_result *r, const char *query, char **out)
{
	TREE_VIEW(out, r, search_result_tree(r, query));
}

static cJSON *catalog_stats_tree(const dvc_catalog_stats *s)
{
	cJSON *o, *rows;
	o = cJSON_CreateObject();
	put_num(o, "total", (double)dvc_catalog_stats_total(s));
	rows = put(o, "rows", cJSON_CreateArray());
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
#define F(f) FIELD(dvc_stat_row, f)
		static const field fs[] = {F(dimension), F(key), F(label), F(count)};
#undef F
		put(rows, NULL, fields_tree(dvc_catalog_stats_at(s, i), fs, DVC_ARRAY_LEN(fs)));
	}
	return o;
}

int dvc_catalog_stats_json(const dvc_catalog_stats *s, char **out)
{
	TREE_VIEW(out, s, catalog_stats_tree(s));
}

/* ---- reports ---- */

static cJSON *report_row_tree(const dvc_report_row *w)
{
#define F(f) FIELD(dvc_report_row, f)
	static const field fs[] = {
		F(key), F(label), F(received), F(received_online), F(received_counter),
		F(received_post), F(settled_on_time), F(settled_late), F(pending_on_time),
		F(pending_overdue), F(withdrawn), F(rejected), F(cancelled), F(returned),
		F(returned_online), F(fee_due_count), F(paid_online_count), F(online_rate),
		F(online_payment_rate), F(on_time_rate), F(avg_days_to_settle), F(p90_days_to_settle)};
#undef F
	return fields_tree(w, fs, DVC_ARRAY_LEN(fs));
}

int dvc_report_json(const dvc_report *r, char **out)
{
	LIST_VIEW(out, r, dvc_report_count, dvc_report_at, report_row_tree);
}

static cJSON *bottleneck_tree(const dvc_bottleneck_row *w)
{
#define F(f) FIELD(dvc_bottleneck_row, f)
	static const field fs[] = {F(procedure), F(step), F(unit), F(unit_name), F(role), F(waiting),
				   F(median_dwell_hours), F(max_dwell_hours)};
#undef F
	return fields_tree(w, fs, DVC_ARRAY_LEN(fs));
}

int dvc_bottlenecks_json(const dvc_bottlenecks *b, char **out)
{
	LIST_VIEW(out, b, dvc_bottlenecks_count, dvc_bottlenecks_at, bottleneck_tree);
}

int dvc_index_json(const dvc_index_row *rows, size_t n, char **out)
{
	unsigned long failures = dvc__alloc_failures();
	dvc_index_group_total t[DVC_INDEX_GROUPS];
	double total = 0, computable = 0, max = 0;
	cJSON *o, *gs, *ns;
	VIEW_BEGIN(out, rows || n == 0);
	if (dvc_index_totals(rows, n, t) != DVC_OK)
		return dvc_error_last()->code;
	o = cJSON_CreateObject();
	gs = put(o, "groups", cJSON_CreateArray());
	for (int g = 0; g < DVC_INDEX_GROUPS; g++) {
		cJSON *go = put(gs, NULL, cJSON_CreateObject()), *is;
		put_str(go, "code", t[g].code);
		put_str(go, "name", t[g].name);
		put_num(go, "max_points", t[g].max_points);
		put_num(go, "computable_points", t[g].computable_points);
		put_num(go, "points", t[g].points);
		is = put(go, "indicators", cJSON_CreateArray());
		for (size_t i = 0; i < n; i++) {
			if (rows[i].group != t[g].group || !rows[i].computable)
				continue;
			cJSON *x = put(is, NULL, cJSON_CreateObject());
			put_str(x, "code", rows[i].code);
			put_str(x, "name", rows[i].name);
			put_str(x, "formula", rows[i].formula);
			put_num(x, "numerator", (double)rows[i].numerator);
			put_num(x, "denominator", (double)rows[i].denominator);
			put_num(x, "value", rows[i].value);
			put_num(x, "max_points", rows[i].max_points);
			put(x, "max_points_confirmed", cJSON_CreateBool(rows[i].max_points_confirmed));
			put_num(x, "points", rows[i].points);
		}
		total += t[g].points;
		computable += t[g].computable_points;
		max += t[g].max_points;
	}
	ns = put(o, "not_computable", cJSON_CreateArray());
	for (size_t i = 0; i < n; i++) {
		if (rows[i].computable)
			continue;
		cJSON *x = put(ns, NULL, cJSON_CreateObject());
		put_str(x, "code", rows[i].code);
		put_str(x, "group", t[rows[i].group].code);
		put_str(x, "name", rows[i].name);
		put_num(x, "max_points", rows[i].max_points);
		put(x, "max_points_confirmed", cJSON_CreateBool(rows[i].max_points_confirmed));
		put_str(x, "reason", rows[i].formula);
	}
	put_num(o, "points", total);
	put_num(o, "computable_points", computable);
	put_num(o, "max_points", max);
	return dvc__json_print(o, failures, out);
}

static cJSON *rating_tree(const dvc_rating *r)
{
	cJSON *o, *sc;
	o = cJSON_CreateObject();
	put_time(o, "at", r->at);
	sc = put(o, "scores", cJSON_CreateObject());
	for (int i = 0; i < DVC_RATING_CRITERIA; i++)
		if (r->scores[i])
			put_num(sc, dvc_rating_criterion_name((dvc_rating_criterion)i), r->scores[i]);
	put_str(o, "comment", r->comment);
	return o;
}

int dvc_rating_json(const dvc_rating *r, char **out)
{
	TREE_VIEW(out, r, rating_tree(r));
}

static cJSON *rating_criteria_tree(void)
{
	cJSON *o, *arr;
	o = cJSON_CreateObject();
	put_num(o, "min", DVC_RATING_SCORE_MIN);
	put_num(o, "max", DVC_RATING_SCORE_MAX);
	put_num(o, "satisfied", DVC_RATING_SATISFIED);
	put_num(o, "comment_max", DVC_RATING_COMMENT_MAX);
	arr = put(o, "criteria", cJSON_CreateArray());
	for (int i = 0; i < DVC_RATING_CRITERIA; i++) {
		cJSON *x = put(arr, NULL, cJSON_CreateObject());
		put_str(x, "name", dvc_rating_criterion_name((dvc_rating_criterion)i));
		put_str(x, "label", dvc_rating_criterion_label_vi((dvc_rating_criterion)i));
		put_bool(x, "required", i == DVC_CRIT_OVERALL);
	}
	return o;
}

int dvc_rating_criteria_json(char **out)
{
	TREE_VIEW(out, 1, rating_criteria_tree());
}

/* ---- payments ---- */

static void put_amount(cJSON *o, int64_t amount)
{
	char grouped[DVC_VND_SIZE], text[DVC_VND_SIZE + 8];
	dvc_vnd_format(amount, grouped);
	snprintf(text, sizeof text, "%s đồng", grouped);
	put_num(o, "amount", (double)amount);
	put_str(o, "amount_text", text);
}

static cJSON *payment_request_tree(const char *dossier, const dvc_payment_request_info *r)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "dossier", dossier);
	put_str(o, "reference", r->reference);
	put_amount(o, r->amount);
	put_time(o, "expires_at", r->expires_at);
	return o;
}

int dvc_payment_request_json(const char *dossier, const dvc_payment_request_info *r, char **out)
{
	TREE_VIEW(out, r, payment_request_tree(dossier, r));
}

static cJSON *payment_result_tree(const dvc_payment_result *r)
{
	cJSON *o = cJSON_CreateObject();
	put_str(o, "RspCode", "00");
	put_str(o, "outcome", dvc_payment_outcome_name(r->outcome));
	put_str(o, "reference", r->reference);
	put_str(o, "dossier", r->dossier);
	put_amount(o, r->amount);
	return o;
}

int dvc_payment_result_json(const dvc_payment_result *r, char **out)
{
	TREE_VIEW(out, r, payment_result_tree(r));
}

/* ---- documents ---- */

static cJSON *file_tree(const dvc_file_info *f)
{
	cJSON *o = cJSON_CreateObject();
	put_num(o, "id", (double)f->id);
	if (f->component == DVC_FILE_RESULT)
		put_str(o, "component", "result");
	else
		put_num(o, "component", f->component);
	put_str(o, "component_name", f->component_name);
	put_str(o, "name", f->name);
	put_num(o, "size", (double)f->size);
	put_str(o, "media_type", f->media_type);
	put_str(o, "sha256", f->sha256);
	put_str(o, "form", dvc_file_form_name(f->form));
	put_str(o, "mode", dvc_attach_mode_name(f->mode));
	if (f->added_by && *f->added_by)
		put_str(o, "added_by", f->added_by);
	put_time(o, "added_at", f->added_at);
	if (f->replaced_by)
		put_num(o, "replaced_by", (double)f->replaced_by);
	if (f->dossier)
		put_str(o, "dossier", f->dossier);
	return o;
}

int dvc_file_info_json(const dvc_file_info *f, char **out)
{
	TREE_VIEW(out, f, file_tree(f));
}

int dvc_file_list_json(const dvc_file_list *l, char **out)
{
	LIST_VIEW(out, l, dvc_file_list_count, dvc_file_list_at, file_tree);
}

static cJSON *missing_tree(const dvc_missing *m)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < m->n; i++) {
		cJSON *x = put(arr, NULL, cJSON_CreateObject());
		put_num(x, "component", m->components[i]);
		put_str(x, "name", m->names[i]);
	}
	return arr;
}

int dvc_missing_json(const dvc_missing *m, char **out)
{
	TREE_VIEW(out, m, missing_tree(m));
}

/* ---- the administrative map ---- */

static cJSON *agency_tree(const dvc_agency *a)
{
#define F(f) FIELD(dvc_agency, f)
	static const field fs[] = {F(code), F(name), F(level), F(kind), F(parent)};
#undef F
	cJSON *o = fields_tree(a, fs, DVC_ARRAY_LEN(fs));
	put_date(o, "valid_from", &a->valid_from);
	if (a->has_valid_to)
		put_date(o, "valid_to", &a->valid_to);
	else
		put_str(o, "valid_to", NULL);
	return o;
}

static cJSON *links_json(const dvc_succession *l, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *x = put(arr, NULL, cJSON_CreateObject());
		put_str(x, "predecessor", l[i].predecessor);
		put_str(x, "successor", l[i].successor);
		put_date(x, "date", &l[i].date);
		put_str(x, "act", l[i].act);
		put_str(x, "note", l[i].note);
	}
	return arr;
}

/* An agency with its links both ways. */
static cJSON *agency_links_tree(const dvc_agency *a)
{
	cJSON *o = agency_tree(a);
	put(o, "predecessors", links_json(a->predecessors, a->n_predecessors));
	put(o, "successors", links_json(a->successors, a->n_successors));
	return o;
}

int dvc_agency_json(const dvc_agency *a, char **out)
{
	TREE_VIEW(out, a, agency_links_tree(a));
}

int dvc_agency_list_json(const dvc_agency_list *l, char **out)
{
	LIST_VIEW(out, l, dvc_agency_list_count, dvc_agency_list_at, agency_tree);
}

static cJSON *cutover_report_tree(const dvc_cutover_report *r)
{
	const dvc_date asof = dvc_cutover_report_asof(r);
	const size_t n = dvc_cutover_report_count(r);
	cJSON *o = cJSON_CreateObject(), *arr;
	put_date
(o, "asof", &asof);
	put_num(o, "moved", (double)dvc_cutover_report_moved(r));
	put_num(o, "not_moved", (double)(n - dvc_cutover_report_moved(r)));
	arr = put(o, "dossiers", cJSON_CreateArray());
	for (size_t i = 0; i < n; i++) {
#define F(f) FIELD(dvc_cutover_move, f)
		static const field fs[] = {F(dossier), F(from), F(to), F(desk), F(act), F(reason)};
#undef F
		put(arr, NULL, fields_tree(dvc_cutover_report_at(r, i), fs, DVC_ARRAY_LEN(fs)));
	}
	return o;
}

int dvc_cutover_report_json(const dvc_cutover_report *r, char **out)
{
	TREE_VIEW(out, r, cutover_report_tree(r));
}
