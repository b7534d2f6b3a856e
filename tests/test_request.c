/* Requests in the portal's JSON wire form beyond submissions and actions
 * (view.h): a registration, a rating, a payment at the desk and a stored
 * document reused. Each refuses malformed JSON, a non-object, a member of
 * the wrong type and a missing one with its own code and the member's name
 * as the path, and stores nothing then; a good registration stores the
 * account its JSON names. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static dvc_db *db;
static char file[64], store_buf[512];
static const char *store = store_buf;

static void setup(void)
{
	temp_store(file, sizeof file, "/tmp/dvc-request-XXXXXX", store_buf, sizeof store_buf);
	ck_ok(dvc_open(&db, store, NULL));
	clock_now = instant("2026-03-02T09:00:00+07:00");
	dossier_store_init(db, test_clock);
}

static void teardown(void)
{
	dvc_close(db);
	temp_store_remove(file);
}

#define PROFILE "{\"full_name\":\"Nguyễn Văn An\",\"citizen_id\":\"031099001234\",\"birth_date\":" \
		"\"1999-05-12\",\"address\":\"Thôn 3, xã Thụy Hương\",\"phone\":\"0912345678\"}"

static long long accounts(void)
{
	return store_value(store, "SELECT COUNT(*) FROM account");
}

/* A JSON text and its length. */
#define J(text) text, strlen(text)

/* A refusal: its code, and the member it names when `path` is given. */
#define refused(call_, want_, path_)                                                                  \
	do {                                                                                       \
		const char *p_ = (path_);                                                           \
		ck_assert_int_eq((call_), (want_));                                                  \
		if (p_)                                                                            \
			ck_assert_str_eq(dvc_error_last()->path ? dvc_error_last()->path : "(null)", p_); \
	} while (0)

START_TEST(registration_from_json)
{
	dvc_caller from = DVC_CALLER_INIT;
	const char *ok = "{\"username\":\"an.nv\",\"password\":\"mat-khau-dai\",\"profile\":" PROFILE "}";
	char *out = (char *)"x";
	from.client = "198.51.100.7";
	refused(dvc_account_register_json(db, J("{\"username\":"), &from, &out), DVC_EPARSE, NULL);
	ck_assert_ptr_null(out);
	refused(dvc_account_register_json(db, J("[1]"), &from, &out), DVC_ESCHEMA, NULL);
	refused(dvc_account_register_json(db, J("{\"username\":\"an.nv\"}"), &from, &out), DVC_ESCHEMA,
		"password");
	refused(dvc_account_register_json(db, J("{\"username\":7,\"password\":\"mat-khau-dai\"}"), &from,
					  &out), DVC_ESCHEMA, "username");
	{
		const char *no_profile = "{\"username\":\"an.nv\",\"password\":\"mat-khau-dai\"}";
		const char *bad_phone = "{\"username\":\"an.nv\",\"password\":\"mat-khau-dai\",\"profile\":"
					"{\"full_name\":\"A\",\"phone\":5}}";
		const char *nul = "{\"username\":\"an\\u0000nv\",\"password\":\"mat-khau-dai\",\"profile\":" PROFILE "}";
		refused(dvc_account_register_json(db, no_profile, strlen(no_profile), &from, &out),
			DVC_ESCHEMA, "profile");
		refused(dvc_account_register_json(db, bad_phone, strlen(bad_phone), &from, &out),
			DVC_ESCHEMA, "profile.phone");
		ck_assert_int_ne(dvc_account_register_json(db, nul, strlen(nul), &from, &out), DVC_OK);
	}
	ck_assert_int_eq(accounts(), 0);
	ck_ok(dvc_account_register_json(db, ok, strlen(ok), &from, &out));
	ck_assert_str_eq(out, "{\"username\":\"an.nv\"}");
	dvc_free(out);
	ck_ok(dvc_account_login(db, "an.nv", "mat-khau-dai"));
	refused(dvc_account_register_json(db, ok, strlen(ok), &from, &out), DVC_EEXISTS, NULL);
	ck_assert_int_eq(accounts(), 1);
}
END_TEST

START_TEST(rating_payment_and_reuse_requests_checked)
{
	dvc_receipt r = submit_as_citizen(db, "T.000003", "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}");
	dvc_actor who = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	char *out = NULL;
	struct {
		const char *json;
		int want;
		const char *path;
	} rate[] = {
		{"{\"scores\":", DVC_EPARSE, NULL},
		{"{\"comment\":\"tốt\"}", DVC_ESCHEMA, "scores"},
		{"{\"scores\":[5]}", DVC_ESCHEMA, "scores"},
		{"{\"scores\":{\"overall\":\"5\"}}", DVC_ESCHEMA, "scores.overall"},
		{"{\"scores\":{\"overall\":4.5}}", DVC_ESCHEMA, "scores.overall"},
		{"{\"scores\":{\"khong-co\":5}}", DVC_EINVAL, "scores.khong-co"},
		{"{\"scores\":{\"overall\":5},\"comment\":3}", DVC_ESCHEMA, "comment"},
		/* not returned yet: the library's own refusal */
		{"{\"scores\":{\"overall\":5}}", DVC_ETRANSITION, NULL},
	}, pay[] = {
		{"{\"amount\":1000}", DVC_ESCHEMA, "receipt_no"},
		{"{\"receipt_no\":\"BL-1\"}", DVC_ESCHEMA, "amount"},
		{"{\"receipt_no\":\"BL-1\",\"amount\":10.5}", DVC_ESCHEMA, "amount"},
		{"{\"receipt_no\":\"BL-1\",\"amount\":1e300}", DVC_ESCHEMA, "amount"},
		{"{\"receipt_no\":\"BL-1\",\"amount\":1000,\"method\":\"vang\"}", DVC_EINVAL, "method"},
		{"{\"receipt_no\":\"BL-1\",\"amount\":1000,\"note\":[]}", DVC_ESCHEMA, "note"},
	}, reuse[] = {
		{"{\"file\":1}", DVC_ESCHEMA, "component"},
		{"{\"component\":0}", DVC_ESCHEMA, "file"},
		{"{\"component\":-1,\"file\":1}", DVC_ESCHEMA, "component"},
		{"{\"component\":0,\"file\":0}", DVC_ESCHEMA, "file"},
		{"{\"component\":0,\"file\":1,\"form\":\"giay\"}", DVC_EINVAL, "form"},
		{"{\"component\":0,\"file\":1,\"name\":false}", DVC_ESCHEMA, "name"},
	};
	long long journal = store_value(store, "SELECT COUNT(*) FROM journal");
	for (size_t i = 0; i < sizeof rate / sizeof rate[0]; i++) {
		refused(dvc_dossier_rate_json(db, r.code, rate[i].json, strlen(rate[i].json), &who, NULL, &out),
			rate[i].want, rate[i].path);
		ck_assert_ptr_null(out);
	}
	/* neither a secret nor an actor */
	refused(dvc_dossier_rate_json(db, r.code, J("{\"scores\":{\"overall\":5}}"), NULL, NULL, &out),
		DVC_EAUTH, NULL);
	for (size_t i = 0; i < sizeof pay / sizeof pay[0]; i++)
		refused(dvc_payment_counter_json(db, r.code, pay[i].json, strlen(pay[i].json), "le.tiep.nhan",
						 NULL, &out), pay[i].want, pay[i].path);
	for (size_t i = 0; i < sizeof reuse / sizeof reuse[0]; i++)
		refused(dvc_dossier_reuse_json(db, r.code, reuse[i].json, strlen(reuse[i].json), "an.nv", &out),
			reuse[i].want, reuse[i].path);
	refused(dvc_payment_counter_json(db, r.code, J("{}"), NULL, NULL, &out), DVC_EINVAL, NULL);
	ck_assert_int_eq(store_value(store, "SELECT COUNT(*) FROM journal"), journal);
	ck_assert_int_eq(store_value(store, "SELECT COUNT(*) FROM rating"), 0);
	ck_assert_int_eq(store_value(store, "SELECT COUNT(*) FROM payment"), 0);
}
END_TEST

/* Attachment fields from text (a query string, a command line). */
START_TEST(attachment_fields_parse_alike)
{
	dvc_attach_req q = DVC_ATTACH_INIT, before;
	const char *bad[][2] = {{"component", ""},      {"component", "-1"},   {"component", "10001"},
				{"component", "1x"},    {"component", "Result"}, {"form", "giay"},
				{"mode", "append"},     {"replaces", "0"},     {"replaces", "abc"},
				{"reuse", "-3"},        {"size", "1e3"},       {"size", "99999999999999999999"},
				{"colour", "red"}};
	ck_ok(dvc_attach_req_set(&q, "component", "3"));
	ck_assert_int_eq(q.component, 3);
	ck_ok(dvc_attach_req_set(&q, "component", "result"));
	ck_assert_int_eq(q.component, DVC_FILE_RESULT);
	ck_ok(dvc_attach_req_set(&q, "form", "ecopy"));
	ck_assert_int_eq(q.form, DVC_FILE_ECOPY);
	ck_ok(dvc_attach_req_set(&q, "mode", "replace"));
	ck_assert_int_eq(q.mode, DVC_ATTACH_REPLACE);
	ck_ok(dvc_attach_req_set(&q, "replaces", "12"));
	ck_assert_int_eq(q.replaces, 12);
	ck_ok(dvc_attach_req_set(&q, "reuse", "7"));
	ck_assert_int_eq(q.reuse, 7);
	ck_ok(dvc_attach_req_set(&q, "size", "0"));
	ck_assert_int_eq(q.declared_size, 0);
	ck_ok(dvc_attach_req_set(&q, "name", "giay-khai-sinh.pdf"));
	ck_assert_str_eq(q.name, "giay-khai-sinh.pdf");
	before = q;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		refused(dvc_attach_req_set(&q, bad[i][0], bad[i][1]), DVC_EINVAL, bad[i][0]);
		ck_assert(memcmp(&q, &before, sizeof q) == 0);
	}
	refused(dvc_attach_req_set(&q, "name", NULL), DVC_EINVAL, "name");
}
END_TEST

/* The words people read, one source for every front end: every action,
 * role and status has a Vietnamese label, none empty; out of range is "?". */
START_TEST(labels_for_people)
{
	for (int a = 0; a < DVC_ACTION_COUNT; a++)
		ck_assert(strlen(dvc_action_label_vi((dvc_action)a)) > 2);
	for (int r = 0; r < DVC_ROLE_COUNT; r++)
		ck_assert(strlen(dvc_role_label_vi((dvc_role)r)) > 2);
	for (int c = DVC_OK; c >= DVC_ERETAINED; c--)
		ck_assert(strlen(dvc_status_text_vi(c)) > 2);
	ck_assert_str_eq(dvc_action_label_vi(DVC_ACT_RECEIVE), "Tiếp nhận hồ sơ");
	ck_assert_str_eq(dvc_role_label_vi(DVC_ROLE_SPECIALIST), "Chuyên viên");
	ck_assert_str_eq(dvc_status_text_vi(DVC_ENOTFOUND), "Không tìm thấy");
	ck_assert_str_eq(dvc_action_label_vi((dvc_action)DVC_ACTION_COUNT), "?");
	ck_assert_str_eq(dvc_role_label_vi((dvc_role)-1), "?");
	ck_assert_str_eq(dvc_status_text_vi(DVC_ERETAINED - 1), "Có lỗi xảy ra");
	ck_assert_str_eq(dvc_status_text_vi(1), "Có lỗi xảy ra");
	/* a failed VNeID sign-in, by what failed */
	ck_assert_ptr_nonnull(strstr(dvc_oidc_error_text_vi(DVC_ENOTFOUND, "sub"), "chưa được liên kết"));
	ck_assert_ptr_nonnull(strstr(dvc_oidc_error_text_vi(DVC_ENOTFOUND, "state"), "không còn hiệu lực"));
	ck_assert_str_eq(dvc_oidc_error_text_vi(DVC_ENOTFOUND, NULL), "Không tìm thấy tài khoản.");
	ck_assert_str_eq(dvc_oidc_error_text_vi(DVC_ERROR, NULL), "Không đăng nhập được bằng VNeID.");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {registration_from_json, rating_payment_and_reuse_requests_checked,
				      attachment_fields_parse_alike, labels_for_people, NULL};
	return run_tests("request", setup, teardown, 0, tests);
}
