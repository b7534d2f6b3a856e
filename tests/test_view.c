/* Read-side views: the JSON every front end prints comes from the library,
 * with the fields view.h promises, what each caller may see, and the same
 * date parse everywhere. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define DESK "000.00.30.H24"
#define P3 "T.000003"

static dvc_db *db;

static void setup(void)
{
	db = dossier_db();
}

static void teardown(void) { dvc_close(db); }

/* Parse a view and free its text (read through the pointer: after the call). */
static cJSON *parsed(int rc, char **text)
{
	cJSON *j;
	ck_assert_msg(rc == DVC_OK, "%s", dvc_error_last()->message);
	ck_assert_ptr_nonnull(*text);
	j = cJSON_Parse(*text);
	ck_assert_msg(j != NULL, "not JSON: %s", *text);
	dvc_free(*text);
	return j;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(cJSON_IsString(v), "%s is not a string", k);
	return v->valuestring;
}

static const cJSON *item(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	ck_assert_msg(v != NULL, "no member %s", k);
	return v;
}

static dvc_receipt submit(void) { return submit_as_citizen(db, P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"); }

START_TEST(dossier_view_shows_each_caller_what_it_may_see)
{
	dvc_receipt r = submit();
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_actor me = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	dvc_action_req q = DVC_ACTION_INIT;
	char *text = NULL;
	cJSON *v, *a;

	v = parsed(dvc_dossier_view_json(db, r.code, &desk, NULL, &text), &text);
	ck_assert_str_eq(str(v, "state"), "submitted");
	ck_assert_str_eq(str(v, "state_label"), "Chờ tiếp nhận");
	ck_assert(cJSON_IsFalse(item(v, "final")));
	ck_assert_str_eq(str(item(v, "applicant"), "citizen_id"), "031099001234");
	ck_assert_int_eq(item(item(v, "form_data"), "copies")->valueint, 2);
	ck_assert(cJSON_IsNull(item(v, "due_at")));                      /* not received yet */
	ck_assert_str_eq(str(v, "submitted_at"), "2026-03-02T09:00:00+07:00");
	ck_assert_int_eq(item(v, "step")->valueint, 1);                  /* 1-based */
	ck_assert_int_eq(cJSON_GetArraySize(item(v, "attachments")), 0);
	ck_assert_int_eq(cJSON_GetArraySize(item(v, "slips")), 0);
	a = cJSON_GetObjectItemCaseSensitive(v, "actions");                                 /* the desk's allowed ones */
	ck_assert_int_eq(cJSON_GetArraySize(a), 3);
	ck_assert_str_eq(str(cJSON_GetArrayItem(a, 0), "action"), "receive");
	ck_assert_str_eq(str(cJSON_GetArrayItem(a, 2), "action"), "reject");
	ck_assert_str_eq(cJSON_GetArrayItem(item(cJSON_GetArrayItem(a, 2), "needs"), 0)->valuestring, "note");
	cJSON_Delete(v);

	/* the anonymous applicant: no applicant fields, and only withdrawing */
	v = parsed(dvc_dossier_view_json(db, r.code, &me, NULL, &text), &text);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(v, "applicant"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(v, "form_data"));
	ck_assert_str_eq(str(v, "applicant_name"), "Nguyễn Văn An");
	a = cJSON_GetObjectItemCaseSensitive(v, "actions");
	ck_assert_int_eq(cJSON_GetArraySize(a), 1);
	ck_assert_str_eq(str(cJSON_GetArrayItem(a, 0), "action"), "withdraw");
	cJSON_Delete(v);

	/* after intake: a due date, the receipt and control slips, a history entry */
	q.action = DVC_ACT_RECEIVE;
	q.actor = desk;
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	v = parsed(dvc_dossier_view_json(db, r.code, &desk, NULL, &text), &text);
	ck_assert_str_eq(str(v, "due_at"), "2026-03-05T09:00:00+07:00"); /* 3 working days */
	ck_assert_int_eq(cJSON_GetArraySize(item(v, "slips")), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(item(v, "slips"), 0)->valuestring, "receipt");
	ck_assert_str_eq(cJSON_GetArrayItem(item(v, "slips"), 1)->valuestring, "control");
	ck_assert_str_eq(str(cJSON_GetArrayItem(item(v, "history"), 1), "actor"), "officer:le.tiep.nhan");
	ck_assert_int_eq((int)strlen(str(cJSON_GetArrayItem(item(v, "history"), 1), "hash")), 64);
	ck_assert(cJSON_IsNull(item(v, "delivery")));
	cJSON_Delete(v);

	/* refusals, with their reasons, in the allowed-actions view */
	{
		dvc_allowed_actions *l;
		const cJSON *x;
		ck_ok(dvc_dossier_allowed_actions(db, r.code, &me, NULL, &l));
		v = parsed(dvc_allowed_actions_json(l, &text), &text);
		dvc_allowed_actions_free(l);
		ck_assert_str_eq(str(v, "state"), "received");
		ck_assert_int_eq(item(v, "version")->valueint, 2);
		ck_assert_int_eq(cJSON_GetArraySize(item(v, "actions")), 1); /* withdraw */
		x = cJSON_GetArrayItem(item(v, "refused"), 0);
		ck_assert_str_eq(str(x, "action"), "submit");
		ck_assert_str_eq(str(x, "error"), "DVC_ETRANSITION");
		ck_assert_ptr_nonnull(strstr(str(x, "message"), "received"));
		cJSON_Delete(v);
	}

	/* the attachments a portal recorded in the form data */
	{
		dvc_receipt r4 = submit_as_citizen(db, "T.000004", "{\"attachments\":[{\"name\":\"a.pdf\",\"sha256\":\"00\","
						    "\"size\":3},\"not an object\"]}");
		v = parsed(dvc_dossier_view_json(db, r4.code, &desk, NULL, &text), &text);
		ck_assert_int_eq(cJSON_GetArraySize(item(v, "attachments")), 1);
		ck_assert_str_eq(str(cJSON_GetArrayItem(item(v, "attachments"), 0), "name"), "a.pdf");
		cJSON_Delete(v);
	}

	/* who may not see it gets the tracking error, and no text */
	me.secret = "WRONG";
	text = (char *)"untouched";
	ck_dvc(dvc_dossier_view_json(db, r.code, &me, NULL, &text), DVC_EAUTH);
	ck_assert_ptr_null(text);
	ck_dvc(dvc_dossier_view_json(db, r.code, NULL, NULL, &text), DVC_EINVAL);
}
END_TEST

START_TEST(lists_and_receipts_have_one_shape)
{
	dvc_receipt r = submit(), r2 = submit();
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	char *text;
	cJSON *v;

	q.action = DVC_ACT_REJECT;
	q.actor = desk;
	q.note = "Hồ sơ không thuộc thẩm quyền";
	ck_ok(dvc_dossier_act(db, r2.code, &q, NULL));
	v = parsed(dvc_dossier_list_json(db, NULL, NULL, 0, &text), &text);
	ck_assert_int_eq(cJSON_GetArraySize(v), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(v, 0), "code"), r2.code); /* newest first */
	ck_assert_str_eq(str(cJSON_GetArrayItem(v, 0), "state"), "rejected");
	cJSON_Delete(v);
	/* an officer's inbox: open dossiers only, each as the officer sees it */
	f.unit = DESK;
	v = parsed(dvc_dossier_list_json(db, &f, &desk, DVC_VIEW_OPEN, &text), &text);
	ck_assert_int_eq(cJSON_GetArraySize(v), 1);
	ck_assert_str_eq(str(cJSON_GetArrayItem(v, 0), "code"), r.code);
	ck_assert_int_eq(cJSON_GetArraySize(item(cJSON_GetArrayItem(v, 0), "actions")), 3);
	cJSON_Delete(v);

	v = parsed(dvc_receipt_json(&r, 0, &text), &text);
	ck_assert_str_eq(str(v, "code"), r.code);
	ck_assert_str_eq(str(v, "secret"), r.secret);
	ck_assert_str_eq(str(v, "state"), "submitted");
	cJSON_Delete(v);
	ck_dvc(dvc_receipt_json(NULL, 0, &text), DVC_EINVAL);
}
END_TEST

START_TEST(the_account_profile_fills_the_form)
{
	const dvc_applicant me = {"Phạm Thị Cúc", "031185004321", "1985-02-03",
				  "Thôn 1, xã Đại Hà, huyện Kiến Thụy", "0912345678", NULL};
	dvc_account *a;
	char *text = NULL;
	cJSON *v, *p;

	ck_ok(dvc_account_register(db, "cuc.pt", "Kien-Thuy-2026", &me));
	ck_ok(dvc_account_get(db, "cuc.pt", &a));
	v = parsed(dvc_account_json(a, &text), &text);
	dvc_account_free(a);
	ck_assert_str_eq(str(v, "username"), "cuc.pt");
	ck_assert_str_eq(str(v, "created_at"), "2026-03-02T09:00:00+07:00");
	p = cJSON_GetObjectItemCaseSensitive(v, "profile");
	ck_assert_str_eq(str(p, "full_name"), "Phạm Thị Cúc");
	ck_assert_str_eq(str(p, "citizen_id"), "031185004321");
	ck_assert_str_eq(str(p, "birth_date"), "1985-02-03");
	ck_assert_str_eq(str(p, "phone"), "+84912345678"); /* as stored */
	ck_assert(cJSON_IsNull(item(p, "email")));
	cJSON_Delete(v);
	ck_dvc(dvc_account_json(NULL, &text), DVC_EINVAL);
}
END_TEST

START_TEST(payment_views_serve_the_cli_and_the_gateway)
{
	dvc_payment_request_info q = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result r = DVC_PAYMENT_RESULT_INIT;
	char *text = NULL;
	cJSON *v;

	snprintf(q.reference, sizeof q.reference, "DVC12T345");
	q.amount = 1250000;
	q.expires_at = instant("2026-03-02T09:15:00+07:00");
	v = parsed(dvc_payment_request_json("000.00.30.H24-260302-0001", &q, &text), &text);
	ck_assert_str_eq(str(v, "dossier"), "000.00.30.H24-260302-0001");
	ck_assert_str_eq(str(v, "reference"), "DVC12T345");
	ck_assert_int_eq((int64_t)item(v, "amount")->valuedouble, 1250000);
	ck_assert_str_eq(str(v, "amount_text"), "1.250.000 đồng");
	ck_assert_str_eq(str(v, "expires_at"), "2026-03-02T09:15:00+07:00");
	cJSON_Delete(v);
	v = parsed(dvc_payment_request_json(NULL, &q, &text), &text);
	ck_assert(cJSON_IsNull(item(v, "dossier")));
	cJSON_Delete(v);

	r.outcome = DVC_PAYMENT_DUPLICATE;
	snprintf(r.reference, sizeof r.reference, "DVC12T345");
	snprintf(r.dossier, sizeof r.dossier, "000.00.30.H24-260302-0001");
	r.amount = 8000;
	v = parsed(dvc_payment_result_json(&r, &text), &text);
	ck_assert_str_eq(str(v, "RspCode"), "00");
	ck_assert_str_eq(str(v, "outcome"), "duplicate");
	ck_assert_str_eq(str(v, "dossier"), "000.00.30.H24-260302-0001");
	ck_assert_str_eq(str(v, "amount_text"), "8.000 đồng");
	cJSON_Delete(v);
	ck_dvc(dvc_payment_result_json(NULL, &text), DVC_EINVAL);
	ck_dvc(dvc_payment_request_json("x", NULL, &text), DVC_EINVAL);
}
END_TEST

START_TEST(catalog_views_carry_the_interchange_names)
{
	dvc_procedure *p;
	dvc_search_result *res;
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	dvc_catalog_stats *s;
	char *text;
	cJSON *v, *d;

	ck_ok(dvc_procedure_get(db, P3, NULL, &p));
	v = parsed(dvc_procedure_json(p, &text), &text);
	dvc_procedure_free(p);
	ck_assert_str_eq(str(v, "code"), P3);
	ck_assert_str_eq(str(item(v, "deadline"), "unit"), "days");
	d = cJSON_GetArrayItem(item(v, "documents"), 0);
	ck_assert_int_eq(item(d, "n")->valueint, 1);
	ck_assert_ptr_nonnull(strstr("original copy original_or_copy", str(d, "form")));
	ck_assert_int_eq(cJSON_GetArraySize(item(v, "route")), 4);
	ck_assert_str_eq(str(cJSON_GetArrayItem(item(v, "route"), 1), "role"), "specialist");
	ck_assert(cJSON_IsObject(item(v, "form_schema")));
	cJSON_Delete(v);

	ck_ok(dvc_catalog_search(db, NULL, &o, &res));
	v = parsed(dvc_search_result_json(res, "bản sao", &text), &text);
	ck_assert_str_eq(str(v, "query"), "bản sao");
	ck_assert_int_eq(item(v, "count")->valueint, (int)dvc_search_result_count(res));
	ck_assert_int_eq(cJSON_GetArraySize(item(v, "procedures")), (int)dvc_search_result_count(res));
	dvc_search_result_free(res);
	cJSON_Delete(v);

	ck_ok(dvc_catalog_stats_compute(db, NULL, &s));
	v = parsed(dvc_catalog_stats_json(s, &text), &text);
	ck_assert_int_eq(item(v, "total")->valueint, (int)dvc_catalog_stats_total(s));
	ck_assert_str_eq(str(cJSON_GetArrayItem(item(v, "rows"), 0), "dimension"),
			 dvc_catalog_stats_at(s, 0)->dimension);
	dvc_catalog_stats_free(s);
	cJSON_Delete(v);
}
END_TEST

START_TEST(a_plain_day_is_accepted_wherever_an_instant_is)
{
	dvc_time t;
	dvc_date d;
	ck_ok(dvc_time_parse_day("2019-11-01", &t));
	ck_assert_int_eq(t, instant("2019-11-01T00:00:00+07:00"));
	ck_ok(dvc_time_parse_day("2019-11-01T08:30:00Z", &t));
	ck_assert_int_eq(t, instant("2019-11-01T15:30:00+07:00"));
	ck_dvc(dvc_time_parse_day("2019-02-30", &t), DVC_EDATE);
	ck_dvc(dvc_time_parse_day("2019-11-1", &t), DVC_EDATE);
	ck_dvc(dvc_time_parse_day("2019-11-01T08:30", &t), DVC_EDATE); /* no offset */
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "offset"));
	ck_dvc(dvc_time_parse_day("", &t), DVC_EDATE);
	ck_dvc(dvc_time_parse_day(NULL, &t), DVC_EINVAL);
	ck_ok(dvc_date_parse("2024-02-29", &d));
	ck_assert_int_eq(d.day, 29);
	ck_dvc(dvc_date_parse("2023-02-29", &d), DVC_EDATE);
	ck_dvc(dvc_date_parse("2023-02-28x", &d), DVC_EDATE);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {dossier_view_shows_each_caller_what_it_may_see,
		lists_and_receipts_have_one_shape, the_account_profile_fills_the_form,
		payment_views_serve_the_cli_and_the_gateway,
		catalog_views_carry_the_interchange_names,
		a_plain_day_is_accepted_wherever_an_instant_is, NULL};
	return run_tests("view", setup, teardown, 0, tests);
}
