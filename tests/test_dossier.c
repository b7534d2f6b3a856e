/* Dossier lifecycle: routes, deadlines with a stopped clock, actors,
 * service-level rules, tracking, the journal chain, codes, accounts. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define JUSTICE "000.01.30.H24"
#define CITY "000.00.00.H24"
#define P3 "T.000003"
#define P2 "T.000002"
#define P4 "T.000004"
#define DVC_ARRAY_LEN_T(a) (sizeof(a) / sizeof((a)[0]))

static void setup_db(dvc_db *db)
{
	dossier_store_init(db, test_clock);
	ck_ok(dvc_officer_add(db, "tran.chuyen.vien", "Trần Chuyên Viên", JUSTICE, DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "pham.chuyen.vien", "Phạm Chuyên Viên", JUSTICE, DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "nguyen.truong.phong", "Nguyễn Trưởng Phòng", JUSTICE, DVC_ROLE_UNIT_LEADER));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_officer_add(db, "vu.so.tu.phap", "Vũ Sở Tư Pháp", CITY, DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "tnmt.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "quan.tri", "Quản Trị", DESK, DVC_ROLE_ADMIN));
}

static dvc_db *db;

static void setup(void)
{
	clock_now = instant("2026-03-02T09:00:00+07:00"); /* a Monday */
	db = mem_db();
	setup_db(db);
}

static void teardown(void) { dvc_close(db); }

static dvc_receipt submit_p(const char *proc, const char *form)
{
	return submit_as_citizen(db, proc, form);
}

static dvc_receipt submit3(void) { return submit_p(P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"); }

static int act_full(const char *code, dvc_action a, const char *officer, const char *note,
		    const char *target)
{
	dvc_action_req r = officer_req(a, officer, note);
	r.target = target;
	return dvc_dossier_act(db, code, &r, NULL);
}

static int act_o(const char *code, dvc_action a, const char *officer)
{
	return act_full(code, a, officer, NULL, NULL);
}

static int act_applicant(const char *code, dvc_action a, const char *secret)
{
	dvc_action_req r = DVC_ACTION_INIT;
	r.action = a;
	r.actor.kind = DVC_ACTOR_ANONYMOUS;
	r.actor.secret = secret;
	return dvc_dossier_act(db, code, &r, NULL);
}

static dvc_tracking *track_officer(const char *code)
{
	dvc_tracking *t;
	dvc_actor who = {DVC_ACTOR_OFFICER, "quan.tri", NULL};
	ck_ok(dvc_dossier_track(db, code, &who, &t));
	return t;
}

static dvc_state state_of(const char *code)
{
	dvc_tracking *t = track_officer(code);
	dvc_state s = t->state;
	dvc_tracking_free(t);
	return s;
}

START_TEST(full_route_through_two_units_with_appointment)
{
	dvc_receipt r = submit3();
	dvc_tracking *t;
	ck_assert_str_eq(r.code, DESK "-260302-0001");
	ck_assert_uint_eq(strlen(r.secret), 20);

	clock_now = instant("2026-03-02T10:15:00+07:00");
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	t = track_officer(r.code);
	/* 3 working days: due at 10:15 on Thursday */
	ck_assert_int_eq(t->due_at, instant("2026-03-05T10:15:00+07:00"));
	ck_assert_int_eq(t->state, DVC_STATE_RECEIVED);
	dvc_tracking_free(t);

	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	t = track_officer(r.code);
	ck_assert_int_eq(t->state, DVC_STATE_IN_PROGRESS);
	ck_assert_str_eq(t->unit, JUSTICE);
	ck_assert_int_eq(t->step_role, DVC_ROLE_SPECIALIST);
	ck_assert_int_ne(t->step_due_at, 0);
	dvc_tracking_free(t);

	clock_now += 3600;
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "nguyen.truong.phong"));
	t = track_officer(r.code);
	ck_assert_str_eq(t->unit, DESK);
	ck_assert_int_eq(t->step_role, DVC_ROLE_SIGNING_LEADER);
	dvc_tracking_free(t);
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
	ck_assert_int_eq(state_of(r.code), DVC_STATE_RESULT_READY);
	ck_ok(act_o(r.code, DVC_ACT_RETURN, "le.tiep.nhan"));

	/* the applicant tracks with code + secret and sees every step */
	dvc_actor me = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	ck_ok(dvc_dossier_track(db, r.code, &me, &t));
	ck_assert_int_eq(t->state, DVC_STATE_RETURNED);
	ck_assert_uint_eq(t->n_history, 7);
	ck_assert_int_eq(t->history[0].action, DVC_ACT_SUBMIT);
	ck_assert_int_eq(t->history[1].action, DVC_ACT_RECEIVE);
	ck_assert_str_eq(t->history[1].actor, "officer:le.tiep.nhan");
	ck_assert_int_eq(t->history[6].to, DVC_STATE_RETURNED);
	ck_assert(!t->overdue);
	ck_assert_str_eq(t->applicant_name, "Nguyễn Văn An");
	ck_assert_str_eq(t->form_data, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}");
	dvc_tracking_free(t);
	dvc_delivery dl;
	ck_ok(dvc_delivery_parse("post", &dl));
	ck_assert_str_eq(dvc_delivery_name(dl), "post");
	ck_dvc(dvc_delivery_parse("pigeon", &dl), DVC_EINVAL);
	size_t n;
	ck_ok(dvc_dossier_verify(db, NULL, &n));
	ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(account_profile_fills_the_applicant)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_tracking *t;
	dvc_actor me = {DVC_ACTOR_ACCOUNT, "nguyenvanan", NULL};
	dvc_actor other = {DVC_ACTOR_ACCOUNT, "tranthib", NULL};
	dvc_applicant b = an_nguyen;
	b.full_name = "Trần Thị Bình";
	b.citizen_id = "031199001235";
	b.birth_date = "1999-01-01";
	ck_ok(dvc_account_register(db, "nguyenvanan", "mật-khẩu-dài", &an_nguyen));
	ck_ok(dvc_account_register(db, "tranthib", "mat-khau-khac", &b));
	s.procedure = P3;
	s.account = "nguyenvanan";
	s.form_data = "{\"purpose\":\"Xin cấp bản sao\",\"copies\":1}";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.secret, ""); /* account holders track by logging in */
	ck_ok(dvc_dossier_track(db, r.code, &me, &t));
	ck_assert_str_eq(t->applicant_name, "Nguyễn Văn An");
	dvc_tracking_free(t);
	ck_dvc(dvc_dossier_track(db, r.code, &other, &t), DVC_EPERM);
	/* only the owner may withdraw */
	dvc_action_req w = DVC_ACTION_INIT;
	w.action = DVC_ACT_WITHDRAW;
	w.actor = other;
	ck_dvc(dvc_dossier_act(db, r.code, &w, NULL), DVC_EPERM);
	w.actor = me;
	ck_ok(dvc_dossier_act(db, r.code, &w, NULL));
	ck_assert_int_eq(state_of(r.code), DVC_STATE_WITHDRAWN);
	ck_dvc(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"), DVC_ETRANSITION);
}
END_TEST

START_TEST(supplement_is_requested_once_per_phase)
{
	dvc_receipt r = submit3();
	ck_dvc(act_full(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan", NULL, NULL), DVC_EINVAL);
	ck_ok(act_full(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan",
		       "Bổ sung: bản sao giấy khai sinh; tờ khai có chữ ký", NULL));
	ck_assert_int_eq(state_of(r.code), DVC_STATE_SUPPLEMENT_REQUESTED);
	ck_dvc(act_applicant(r.code, DVC_ACT_SUPPLY, "WRONGSECRET"), DVC_EAUTH);
	ck_ok(act_applicant(r.code, DVC_ACT_SUPPLY, r.secret));
	ck_assert_int_eq(state_of(r.code), DVC_STATE_SUBMITTED);
	/* guided once, completely: a second request at intake is refused */
	ck_dvc(act_full(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan", "thêm nữa", NULL),
	       DVC_ETRANSITION);
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
}
END_TEST

START_TEST(clock_stops_while_waiting_for_the_applicant)
{
	dvc_receipt r = submit3();
	dvc_tracking *t;
	const dvc_calendar *cal;
	dvc_calendar *c;
	dvc_time due0, stop, resume;
	int64_t left, moved, paused;
	ck_ok(dvc_calendar_new(&c, NULL));
	cal = c;
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	t = track_officer(r.code);
	due0 = t->due_at;
	dvc_tracking_free(t);

	stop = clock_now = instant("2026-03-02T14:00:00+07:00");
	ck_ok(act_full(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "tran.chuyen.vien", "Thiếu bản sao", NULL));
	t = track_officer(r.code);
	ck_assert(t->clock_stopped);
	dvc_tracking_free(t);
	/* two days later, past the original due date, the applicant supplies */
	resume = clock_now = instant("2026-03-06T09:00:00+07:00");
	ck_ok(act_applicant(r.code, DVC_ACT_SUPPLY, r.secret));
	t = track_officer(r.code);
	ck_assert_int_eq(t->state, DVC_STATE_IN_PROGRESS);
	ck_assert(!t->clock_stopped);
	ck_assert(!t->overdue);
	/* the working time left at the stop is left again at the resume */
	ck_ok(dvc_calendar_between(cal, stop, due0, &left));
	ck_ok(dvc_calendar_between(cal, resume, t->due_at, &moved));
	ck_assert_int_eq(left, moved);
	ck_ok(dvc_calendar_between(cal, stop, resume, &paused));
	ck_ok(dvc_calendar_between(cal, due0, t->due_at, &moved));
	ck_assert_int_eq(paused, moved);
	dvc_tracking_free(t);
	dvc_calendar_free(c);
}
END_TEST

START_TEST(wrong_actor_stale_version_and_illegal_moves_change_nothing)
{
	dvc_receipt r = submit3();
	dvc_tracking *before, *after;
	dvc_action_req q = DVC_ACTION_INIT;
	int64_t v;
	before = track_officer(r.code);
	/* a specialist cannot receive; the desk's reception can */
	ck_dvc(act_o(r.code, DVC_ACT_RECEIVE, "tran.chuyen.vien"), DVC_EPERM);
	ck_dvc(act_o(r.code, DVC_ACT_RECEIVE, "vu.so.tu.phap"), DVC_EPERM);
	ck_dvc(act_o(r.code, DVC_ACT_RETURN, "le.tiep.nhan"), DVC_ETRANSITION);
	ck_dvc(act_applicant(r.code, DVC_ACT_RECEIVE, r.secret), DVC_EPERM);
	ck_dvc(act_o(r.code, DVC_ACT_RECEIVE, "no.such.officer"), DVC_ENOTFOUND);
	ck_dvc(act_o("000.00.30.H24-260302-9999", DVC_ACT_RECEIVE, "le.tiep.nhan"), DVC_ENOTFOUND);
	ck_dvc(act_o(r.code, DVC_ACT_REJECT, "le.tiep.nhan"), DVC_EINVAL); /* reasons required */
	q.action = (dvc_action)99;
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_EINVAL);
	/* optimistic concurrency */
	q = (dvc_action_req)DVC_ACTION_INIT;
	q.action = DVC_ACT_RECEIVE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.expected_version = before->version + 1;
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_ECONFLICT);
	after = track_officer(r.code);
	ck_assert_int_eq(after->version, before->version);
	ck_assert_int_eq(after->state, before->state);
	ck_assert_uint_eq(after->n_history, before->n_history);
	dvc_tracking_free(after);
	q.expected_version = before->version;
	ck_ok(dvc_dossier_act(db, r.code, &q, &v));
	ck_assert_int_eq(v, before->version + 1);
	/* the same stale version again now conflicts */
	q.action = DVC_ACT_FORWARD;
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_ECONFLICT);
	dvc_tracking_free(before);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
}
END_TEST

START_TEST(service_level_rules_are_enforced_by_the_library)
{
	dvc_submission s = citizen_submission(P2, NULL);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ESERVICELEVEL);
	/* the same procedure at the counter, entered by reception */
	s.channel = DVC_CHANNEL_COUNTER;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EPERM);
	s.officer = "tran.chuyen.vien";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EPERM);
	s.officer = "le.tiep.nhan";
	ck_ok(dvc_dossier_submit(db, &s, &r));

	/* a level-3 procedure cannot deliver its result online */
	dvc_receipt r3 = submit3();
	ck_ok(act_o(r3.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r3.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	ck_ok(act_o(r3.code, DVC_ACT_FORWARD, "tran.chuyen.vien"));
	ck_ok(act_o(r3.code, DVC_ACT_FORWARD, "nguyen.truong.phong"));
	ck_ok(act_o(r3.code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
	q.action = DVC_ACT_RETURN;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.delivery = DVC_DELIVERY_ONLINE;
	ck_dvc(dvc_dossier_act(db, r3.code, &q, NULL), DVC_ESERVICELEVEL);
	q.delivery = DVC_DELIVERY_POST;
	ck_ok(dvc_dossier_act(db, r3.code, &q, NULL));

	/* a full-online procedure can (default route: desk, specialist, signing leader) */
	dvc_receipt r4 = submit_p(P4, NULL);
	ck_ok(act_o(r4.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r4.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	ck_ok(act_o(r4.code, DVC_ACT_FORWARD, "tnmt.chuyen.vien"));
	ck_ok(act_o(r4.code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
	q.delivery = DVC_DELIVERY_ONLINE;
	q.payload = "%PDF-1.7 kết quả điện tử";
	/* not before the fee is paid: nobody is at the counter to take it */
	ck_dvc(dvc_dossier_act(db, r4.code, &q, NULL), DVC_ETRANSITION);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "50.000 đồng"));
	{
		dvc_counter_payment cp = DVC_COUNTER_PAYMENT_INIT;
		cp.officer = "le.tiep.nhan";
		cp.receipt_no = "0000123";
		cp.amount = 50000;
		ck_ok(dvc_payment_counter(db, r4.code, &cp));
	}
	ck_ok(dvc_dossier_act(db, r4.code, &q, NULL));
	dvc_tracking *t = track_officer(r4.code);
	ck_assert_int_eq(t->delivery, DVC_DELIVERY_ONLINE);
	ck_assert_uint_eq(strlen(t->history[t->n_history - 1].payload_digest), 64);
	dvc_tracking_free(t);
}
END_TEST

START_TEST(form_data_and_applicant_fields_are_validated)
{
	dvc_submission s = citizen_submission(P3, "{\"purpose\":\"Xin cấp bản sao\"}");
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_applicant bad = an_nguyen;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "form_data.copies");
	s.form_data = "{\"purpose\":\"Xin\",\"copies\":11}";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ESCHEMA);
	ck_assert_str_eq(dvc_error_last()->path, "form_data.copies");
	s.form_data = "{\"purpose\":";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EPARSE);
	s.form_data = "{\"purpose\":\"Xin cấp\",\"copies\":1}";
	s.applicant = &bad;
	bad.citizen_id = "03109900123";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "citizen_id");
	bad.citizen_id = "031088001234"; /* born 1988, not 1999 */
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	bad = an_nguyen;
	bad.phone = "01689123456"; /* pre-2018 11-digit mobile */
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "phone");
	bad = an_nguyen;
	bad.email = "an@@example";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	s.applicant = NULL;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	s.applicant = &an_nguyen;
	s.procedure = "9.999999";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ENOTFOUND);
	/* none of the refusals used up a dossier number */
	s.procedure = P3;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, DESK "-260302-0001");
}
END_TEST

/* Inside dvc_begin() dossier calls run without a savepoint of their own:
 * every refusal must come before their first write, so the transaction
 * stays usable and commits exactly the calls that succeeded. */
START_TEST(refusals_inside_a_transaction_leave_it_usable)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r1 = DVC_RECEIPT_INIT, r2 = DVC_RECEIPT_INIT, bad = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t;
	ck_ok(dvc_begin(db));
	r1 = submit3();
	ck_ok(act_o(r1.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_dvc(act_o(r1.code, DVC_ACT_RECEIVE, "le.tiep.nhan"), DVC_ETRANSITION);
	ck_dvc(act_o(r1.code, DVC_ACT_FORWARD, "tran.chuyen.vien"), DVC_EPERM);
	ck_dvc(act_full(r1.code, DVC_ACT_REJECT, "le.tiep.nhan", NULL, NULL), DVC_EINVAL);
	q.action = DVC_ACT_FORWARD;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.expected_version = 1;
	ck_dvc(dvc_dossier_act(db, r1.code, &q, NULL), DVC_ECONFLICT);
	/* refused submissions: checked before a dossier number is drawn */
	s = citizen_submission(P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}");
	s.fee_exemption = "";
	ck_dvc(dvc_dossier_submit(db, &s, &bad), DVC_EINVAL);
	s.fee_exemption = NULL;
	s.form_data = "{\"purpose\":\"Xin\",\"copies\":11}";
	ck_dvc(dvc_dossier_submit(db, &s, &bad), DVC_ESCHEMA);
	r2 = submit3();
	ck_assert(dvc_in_transaction(db));
	ck_ok(dvc_commit(db));
	ck_assert_str_eq(r1.code, DESK "-260302-0001");
	ck_assert_str_eq(r2.code, DESK "-260302-0002");
	t = track_officer(r1.code);
	ck_assert_int_eq(t->state, DVC_STATE_RECEIVED);
	ck_assert_uint_eq(t->n_history, 2);
	ck_assert_int_eq(t->version, 2);
	dvc_tracking_free(t);
	ck_assert_int_eq(state_of(r2.code), DVC_STATE_SUBMITTED);
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
}
END_TEST

/* Administrative units are merged and abolished (the districts on 1 July
 * 2025): an agency out of force cannot receive a new dossier, nor one
 * transferred to it. */
static const char ceased_catalog[] =
	"{\"format\":\"dvc-catalog\",\"format_version\":1,\"levels\":[{\"code\":\"district\",\"name\":\"Cấp huyện\",\"rank\":2}],"
	"\"sectors\":[{\"code\":\"TP\",\"name\":\"Tư pháp\"}],"
	"\"agencies\":["
	"{\"code\":\"001.99.30.H24\",\"name\":\"Ủy ban nhân dân xã Đã Sáp Nhập\",\"level\":\"district\","
	"\"parent\":null,\"valid_from\":\"2018-07-01\",\"valid_to\":\"2025-06-30\"},"
	"{\"code\":\"001.98.30.H24\",\"name\":\"Ủy ban nhân dân xã Mới Thành Lập\",\"level\":\"district\","
	"\"parent\":null,\"valid_from\":\"2027-01-01\",\"valid_to\":null}],"
	"\"procedures\":[{\"code\":\"T.000009\",\"versions\":[{\"version\":1,\"valid_from\":\"2018-07-01\","
	"\"name\":\"Thủ tục tại đơn vị đã sáp nhập\",\"sector\":\"TP\",\"levels\":[\"district\"],"
	"\"agency\":\"001.99.30.H24\",\"online_level\":3,\"online_mode\":\"none\","
	"\"deadline\":{\"value\":3,\"unit\":\"days\"},\"result_type\":\"Văn bản\","
	"\"legal_basis\":[\"Nghị quyết số 202/2025/QH15\"],\"documents\":[],\"fees\":[],\"unconfirmed\":[]}]}]}";

START_TEST(agencies_out_of_force_receive_nothing)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT, bad = DVC_RECEIPT_INIT;
	dvc_tracking *before, *after;
	ck_ok(dvc_catalog_import(db, ceased_catalog, sizeof ceased_catalog - 1, DVC_FORMAT_JSON, NULL));
	s = citizen_submission("T.000009", NULL);
	/* in force until 30 June 2025 */
	clock_now = instant("2025-06-30T16:00:00+07:00");
	ck_ok(dvc_dossier_submit(db, &s, &r));
	clock_now = instant("2025-07-01T08:00:00+07:00");
	ck_dvc(dvc_dossier_submit(db, &s, &bad), DVC_EEXPIRED);
	ck_assert_str_eq(dvc_error_last()->path, "procedure");
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "2025-06-30"));
	/* the dossier it already holds is still worked on */
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "quan.tri"));

	/* transfers: neither to the ceased commune nor to one not yet founded */
	clock_now = instant("2026-03-02T09:00:00+07:00");
	r = submit3();
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	before = track_officer(r.code);
	ck_dvc(act_full(r.code, DVC_ACT_TRANSFER, "tran.chuyen.vien", "Chuyển xã", "001.99.30.H24"),
	       DVC_EEXPIRED);
	ck_assert_str_eq(dvc_error_last()->path, "target");
	ck_dvc(act_full(r.code, DVC_ACT_TRANSFER, "tran.chuyen.vien", "Chuyển xã", "001.98.30.H24"),
	       DVC_EEXPIRED);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "2027-01-01"));
	after = track_officer(r.code);
	ck_assert_str_eq(after->unit, before->unit);
	ck_assert_int_eq(after->version, before->version);
	ck_assert_uint_eq(after->n_history, before->n_history);
	dvc_tracking_free(before);
	dvc_tracking_free(after);
	ck_ok(act_full(r.code, DVC_ACT_TRANSFER, "tran.chuyen.vien", "Đề nghị Sở xác minh", CITY));
}
END_TEST

START_TEST(wrong_tracking_secrets_are_counted_and_throttled)
{
	dvc_receipt r = submit3();
	dvc_tracking *t;
	dvc_actor bad = {DVC_ACTOR_ANONYMOUS, NULL, "AAAAAAAAAAAAAAAAAAAA"};
	dvc_actor good = {DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	for (int i = 0; i < DVC_TRACK_MAX_FAILURES; i++)
		ck_dvc(dvc_dossier_track(db, r.code, &bad, &t), DVC_EAUTH);
	ck_dvc(dvc_dossier_track(db, r.code, &good, &t), DVC_ETHROTTLED);
	clock_now += DVC_TRACK_LOCK_SECONDS + 1;
	ck_ok(dvc_dossier_track(db, r.code, &good, &t));
	ck_assert_str_eq(t->code, r.code);
	dvc_tracking_free(t);
}
END_TEST

START_TEST(late_dossier_is_rescheduled_once_and_stays_late)
{
	dvc_receipt r = submit3();
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t;
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	q.action = DVC_ACT_RESCHEDULE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "tran.chuyen.vien", NULL};
	q.note = "Xin lỗi ông/bà vì hồ sơ chậm do phải xác minh thêm";
	q.new_due = instant("2026-03-12T16:00:00+07:00");
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_ETRANSITION); /* not late yet */
	clock_now = instant("2026-03-09T08:00:00+07:00");
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_ETRANSITION); /* only once */
	t = track_officer(r.code);
	ck_assert(t->overdue);
	ck_assert_int_eq(t->rescheduled_due_at, q.new_due);
	ck_assert_str_eq(t->history[t->n_history - 1].note, q.note);
	dvc_tracking_free(t);
	/* finishing after the original due date is still late */
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "nguyen.truong.phong"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
	t = track_officer(r.code);
	ck_assert(t->overdue);
	dvc_tracking_free(t);
}
END_TEST

START_TEST(transfer_assign_and_send_back_move_the_holder)
{
	dvc_receipt r = submit3();
	dvc_tracking *t;
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	/* the unit leader assigns the specialist step to a named officer */
	ck_dvc(act_full(r.code, DVC_ACT_ASSIGN, "tran.chuyen.vien", NULL, "pham.chuyen.vien"), DVC_EPERM);
	ck_dvc(act_full(r.code, DVC_ACT_ASSIGN, "nguyen.truong.phong", NULL, "vu.so.tu.phap"), DVC_EINVAL);
	ck_ok(act_full(r.code, DVC_ACT_ASSIGN, "nguyen.truong.phong", NULL, "pham.chuyen.vien"));
	t = track_officer(r.code);
	ck_assert_str_eq(t->handler, "Phạm Chuyên Viên");
	dvc_tracking_free(t);
	ck_dvc(act_o(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien"), DVC_EPERM);
	/* liên thông: the assigned specialist hands the step to the city's department */
	ck_dvc(act_full(r.code, DVC_ACT_TRANSFER, "pham.chuyen.vien", NULL, CITY), DVC_EINVAL);
	ck_dvc(act_full(r.code, DVC_ACT_TRANSFER, "pham.chuyen.vien", "Xác minh", "000.99.99.H99"), DVC_ENOTFOUND);
	ck_ok(act_full(r.code, DVC_ACT_TRANSFER, "pham.chuyen.vien", "Đề nghị Sở xác minh", CITY));
	t = track_officer(r.code);
	ck_assert_str_eq(t->unit, CITY);
	ck_assert_str_eq(t->unit_name, "Sở Tư pháp thành phố Hải Phòng");
	ck_assert_ptr_null(t->handler);
	dvc_tracking_free(t);
	ck_dvc(act_o(r.code, DVC_ACT_FORWARD, "pham.chuyen.vien"), DVC_EPERM);
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "vu.so.tu.phap"));
	t = track_officer(r.code);
	ck_assert_str_eq(t->unit, JUSTICE);
	ck_assert_int_eq(t->step_role, DVC_ROLE_UNIT_LEADER);
	dvc_tracking_free(t);
	/* send back needs reasons, and not from the first processing step */
	ck_dvc(act_o(r.code, DVC_ACT_SEND_BACK, "nguyen.truong.phong"), DVC_EINVAL);
	ck_ok(act_full(r.code, DVC_ACT_SEND_BACK, "nguyen.truong.phong", "Sai số liệu", NULL));
	t = track_officer(r.code);
	ck_assert_int_eq(t->step, 1);
	dvc_tracking_free(t);
	ck_dvc(act_full(r.code, DVC_ACT_SEND_BACK, "tran.chuyen.vien", "lại", NULL), DVC_ETRANSITION);
	/* pause and resume */
	ck_ok(act_full(r.code, DVC_ACT_PAUSE, "tran.chuyen.vien", "Chờ kết quả giám định", NULL));
	ck_dvc(act_o(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien"), DVC_ETRANSITION);
	ck_ok(act_o(r.code, DVC_ACT_RESUME, "tran.chuyen.vien"));
}
END_TEST

/* ---- the dry run agrees with the act path ---- */

static const char *const officers[] = {"le.tiep.nhan", "tran.chuyen.vien", "pham.chuyen.vien",
				       "nguyen.truong.phong", "hoang.lanh.dao", "vu.so.tu.phap",
				       "tnmt.chuyen.vien", "quan.tri"};
static const char *const officer_units[] = {DESK, JUSTICE, JUSTICE, JUSTICE,
					    DESK, CITY,    "000.08.30.H24", DESK};

/* Try `a` for real inside a transaction that is rolled back, with every
 * input valid: a note, a target fitting the holder, a future date. */
static int try_act(const char *code, const dvc_actor *who, dvc_action a, dvc_delivery mode)
{
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t = track_officer(code);
	int rc;
	q.action = a;
	q.actor = *who;
	q.note = "Lý do ghi rõ";
	q.new_due = clock_now + 7 * 86400;
	q.delivery = mode;
	q.target = strcmp(t->unit, CITY) != 0 ? CITY : JUSTICE;
	if (a == DVC_ACT_ASSIGN)
		for (size_t i = 0; i < DVC_ARRAY_LEN_T(officers); i++)
			if (strcmp(officer_units[i], t->unit) == 0 && strcmp(officers[i], "quan.tri") != 0)
				q.target = officers[i];
	dvc_tracking_free(t);
	ck_ok(dvc_begin(db));
	rc = dvc_dossier_act(db, code, &q, NULL);
	ck_ok(dvc_rollback(db));
	return rc;
}

/* For every officer and the applicant: each action the view allows
 * succeeds, each it refuses fails with the code it gave. Returns how many
 * (actor, action) pairs were allowed. */
static size_t n_lifecycle_actions(void)
{
	size_t n = 0;
	for (int a = 0; a < DVC_ACTION_COUNT; a++)
		n += !dvc_action_is_record((dvc_action)a);
	return n;
}

static int dry_run_matches(const char *code, const char *secret)
{
	int allowed = 0;
	for (size_t k = 0; k <= DVC_ARRAY_LEN_T(officers); k++) {
		dvc_actor who = {DVC_ACTOR_OFFICER, NULL, NULL};
		dvc_allowed_actions *l;
		if (k < DVC_ARRAY_LEN_T(officers))
			who.name = officers[k];
		else
			who = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, secret};
		ck_ok(dvc_dossier_allowed_actions(db, code, &who, NULL, &l));
		ck_assert_uint_eq(dvc_allowed_actions_count(l), n_lifecycle_actions());
		ck_assert_str_eq(dvc_allowed_actions_code(l), code);
		ck_assert_int_eq(dvc_allowed_actions_state(l), state_of(code));
		for (size_t i = 0; i < dvc_allowed_actions_count(l); i++) {
			const dvc_allowed_action *x = dvc_allowed_actions_at(l, i);
			for (int m = 0; m <= DVC_DELIVERY_ONLINE; m++) {
				int want = x->allowed ? DVC_OK : x->error, rc;
				if (x->action != DVC_ACT_RETURN && m > 0)
					break;
				if (x->allowed && x->action == DVC_ACT_RETURN && !(x->deliveries & (1u << m)))
					want = DVC_ESERVICELEVEL;
				rc = try_act(code, &who, x->action, (dvc_delivery)m);
				ck_assert_msg(rc == want, "%s by %s in %s: view says %s (%s), act gives %s (%s)",
					      dvc_action_name(x->action), who.name ? who.name : "applicant",
					      dvc_state_name(state_of(code)), dvc_status_name(want),
					      x->message ? x->message : "", dvc_status_name(rc),
					      dvc_error_last()->message);
				if (x->allowed)
					ck_assert_int_eq(x->error, 0);
				else
					ck_assert(x->error != 0 && x->message && x->needs == 0);
			}
			allowed += x->allowed;
		}
		dvc_allowed_actions_free(l);
	}
	return allowed;
}

static unsigned int needs_of(const char *code, const char *officer, dvc_action a)
{
	dvc_actor who = {DVC_ACTOR_OFFICER, officer, NULL};
	dvc_allowed_actions *l;
	unsigned int needs;
	ck_ok(dvc_dossier_allowed_actions(db, code, &who, NULL, &l));
	ck_assert_int_eq(dvc_allowed_actions_find(l, a)->allowed, 1);
	needs = dvc_allowed_actions_find(l, a)->needs;
	dvc_allowed_actions_free(l);
	return needs;
}

START_TEST(allowed_actions_are_a_dry_run_of_the_real_checks)
{
	dvc_receipt r = submit3(), r4;
	dvc_allowed_actions *l;
	dvc_actor stranger = {DVC_ACTOR_ANONYMOUS, NULL, "ABCDEFGHJKMNPQRSTUVW"}; /* well-formed, wrong */
	dvc_caller guesser = {DVC_CALLER_VERSION, "203.0.113.7"}, owner = {DVC_CALLER_VERSION, "198.51.100.2"};
	const dvc_allowed_action *x;

	ck_assert_int_gt(dry_run_matches(r.code, r.secret), 0);
	ck_assert_uint_eq(needs_of(r.code, "le.tiep.nhan", DVC_ACT_REJECT), DVC_NEED_NOTE);
	ck_ok(act_full(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan", "Thiếu tờ khai", NULL));
	dry_run_matches(r.code, r.secret);
	ck_ok(act_applicant(r.code, DVC_ACT_SUPPLY, r.secret));
	/* once-only: the second supplement request is refused, with the reason */
	ck_ok(dvc_dossier_allowed_actions(db, r.code, &(dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL}, NULL, &l));
	x = dvc_allowed_actions_find(l, DVC_ACT_REQUEST_SUPPLEMENT);
	ck_assert(!x->allowed);
	ck_assert_int_eq(x->error, DVC_ETRANSITION);
	ck_assert_ptr_nonnull(strstr(x->message, "already requested"));
	ck_assert_ptr_null(dvc_allowed_actions_find(l, DVC_ACT_PAY));
	dvc_allowed_actions_free(l);
	dry_run_matches(r.code, r.secret);
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	dry_run_matches(r.code, r.secret);
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	dry_run_matches(r.code, r.secret);
	ck_assert_uint_eq(needs_of(r.code, "nguyen.truong.phong", DVC_ACT_ASSIGN), DVC_NEED_TARGET);
	ck_ok(act_full(r.code, DVC_ACT_ASSIGN, "nguyen.truong.phong", NULL, "pham.chuyen.vien"));
	dry_run_matches(r.code, r.secret); /* the step is now pham's, not tran's */
	ck_ok(act_full(r.code, DVC_ACT_PAUSE, "pham.chuyen.vien", "Chờ giám định", NULL));
	dry_run_matches(r.code, r.secret);
	ck_ok(act_o(r.code, DVC_ACT_RESUME, "pham.chuyen.vien"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "pham.chuyen.vien"));
	/* late: rescheduling opens, with a note and a new date to give */
	clock_now = instant("2026-03-09T08:00:00+07:00");
	dry_run_matches(r.code, r.secret);
	ck_assert_uint_eq(needs_of(r.code, "nguyen.truong.phong", DVC_ACT_RESCHEDULE),
			  DVC_NEED_NOTE | DVC_NEED_NEW_DUE);
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "nguyen.truong.phong"));
	dry_run_matches(r.code, r.secret);
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao"));
	dry_run_matches(r.code, r.secret);
	/* level 3: the result is handed over at the counter or by post, not online */
	ck_ok(dvc_dossier_allowed_actions(db, r.code, &(dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL}, NULL, &l));
	x = dvc_allowed_actions_find(l, DVC_ACT_RETURN);
	ck_assert(x->allowed);
	ck_assert_uint_eq(x->needs, DVC_NEED_DELIVERY);
	ck_assert_uint_eq(x->deliveries, (1u << DVC_DELIVERY_COUNTER) | (1u << DVC_DELIVERY_POST));
	dvc_allowed_actions_free(l);
	ck_ok(act_o(r.code, DVC_ACT_RETURN, "le.tiep.nhan"));
	ck_assert_int_eq(dry_run_matches(r.code, r.secret), 0); /* final */

	/* level 4 delivers online too */
	r4 = submit_p(P4, NULL);
	dry_run_matches(r4.code, r4.secret);

	/* who may not see the dossier learns nothing, and a wrong secret is
	 * counted against the guesser's client, as tracking counts it */
	ck_dvc(dvc_dossier_allowed_actions(db, r4.code, &stranger, &guesser, &l), DVC_EAUTH);
	ck_assert_ptr_null(l);
	ck_dvc(dvc_dossier_allowed_actions(db, "000.00.30.H24-990101-0001", &stranger, &guesser, &l),
	       DVC_EAUTH);
	for (int i = 0; i < DVC_TRACK_MAX_FAILURES; i++)
		dvc_dossier_allowed_actions(db, r4.code, &stranger, &guesser, &l);
	ck_dvc(dvc_dossier_allowed_actions(db, r4.code, &(dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r4.secret},
					   &guesser, &l),
	       DVC_ETHROTTLED);
	ck_ok(dvc_dossier_allowed_actions(db, r4.code, &(dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r4.secret},
					  &owner, &l));
	dvc_allowed_actions_free(l);
	ck_dvc(dvc_dossier_allowed_actions(db, "nope", &(dvc_actor){DVC_ACTOR_OFFICER, "quan.tri", NULL}, NULL, &l),
	       DVC_ENOTFOUND);
	ck_dvc(dvc_dossier_allowed_actions(db, r4.code, NULL, NULL, &l), DVC_EINVAL);
}
END_TEST

START_TEST(stuck_dossiers_are_listed_by_unit)
{
	dvc_receipt a = submit3(), b = submit3();
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	ck_ok(act_o(a.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(a.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	ck_ok(act_o(b.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	/* the specialist step has half of 3 days; two days later it is stuck */
	clock_now = instant("2026-03-04T16:00:00+07:00");
	f.step_overdue = 1;
	f.unit = JUSTICE;
	ck_ok(dvc_dossier_find(db, &f, &l));
	ck_assert_uint_eq(dvc_dossier_list_count(l), 1);
	ck_assert_str_eq(dvc_dossier_list_at(l, 0)->code, a.code);
	ck_assert(dvc_dossier_list_at(l, 0)->step_overdue);
	dvc_dossier_list_free(l);
	f = (dvc_dossier_filter)DVC_DOSSIER_FILTER_INIT;
	f.state = DVC_STATE_RECEIVED;
	ck_ok(dvc_dossier_find(db, &f, &l));
	ck_assert_uint_eq(dvc_dossier_list_count(l), 1);
	ck_assert_str_eq(dvc_dossier_list_at(l, 0)->code, b.code);
	/* the row names the procedure and the officer holding it (these once
	 * showed the desk and competent-agency codes) */
	ck_assert_str_eq(dvc_dossier_list_at(l, 0)->procedure, P3);
	ck_assert_ptr_null(dvc_dossier_list_at(l, 0)->handler);
	dvc_dossier_list_free(l);
	ck_ok(act_full(a.code, DVC_ACT_ASSIGN, "nguyen.truong.phong", NULL, "pham.chuyen.vien"));
	f.state = -1;
	f.unit = JUSTICE;
	ck_ok(dvc_dossier_find(db, &f, &l));
	ck_assert_uint_eq(dvc_dossier_list_count(l), 1);
	ck_assert_str_eq(dvc_dossier_list_at(l, 0)->handler, "pham.chuyen.vien");
	dvc_dossier_list_free(l);
	f.state = 42;
	ck_dvc(dvc_dossier_find(db, &f, &l), DVC_EINVAL);
}
END_TEST

/* An action in the JSON wire form: the request's members parsed and
 * checked by the library, the view afterwards, nothing changed on error. */
START_TEST(json_actions_parse_check_and_answer_with_the_view)
{
	dvc_receipt r = submit3();
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_caller from = DVC_CALLER_INIT;
	char *view = NULL, req[256];
	const char *bad[][3] = {
		/* body, the error's path; its code is checked below */
		{"{\"action\":\"fly\"}", "action"},
		{"{\"action\":\"receive\",\"note\":5}", "note"},
		{"{\"action\":\"reschedule\",\"new_due\":\"tomorrow\"}", "new_due"},
		{"{\"action\":\"receive\",\"expected_version\":-1}", "expected_version"},
		{"{\"action\":\"return\",\"delivery\":\"pigeon\"}", "delivery"},
		{"{\"note\":\"x\"}", "action"},
	};
	const int codes[] = {DVC_EINVAL, DVC_ESCHEMA, DVC_EDATE, DVC_ESCHEMA, DVC_EINVAL, DVC_ESCHEMA};
	from.client = "203.0.113.7";
	for (size_t i = 0; i < DVC_ARRAY_LEN_T(bad); i++) {
		ck_dvc(dvc_dossier_act_json(db, r.code, bad[i][0], strlen(bad[i][0]), &desk, &from, &view),
		       codes[i]);
		ck_assert_str_eq(dvc_error_last()->path, bad[i][1]);
		ck_assert_ptr_null(view);
	}
	ck_dvc(dvc_dossier_act_json(db, r.code, "{\"action\":", 10, &desk, &from, &view), DVC_EPARSE);
	ck_dvc(dvc_dossier_act_json(db, r.code, "{\"action\":\"receive\"}", 20, NULL, &from, &view), DVC_EAUTH);
	ck_dvc(dvc_dossier_act_json(db, r.code, "{\"action\":\"receive\",\"expected_version\":7}", 41, &desk,
				    &from, &view),
	       DVC_ECONFLICT);
	ck_assert_int_eq(state_of(r.code), DVC_STATE_SUBMITTED);
	ck_ok(dvc_dossier_act_json(db, r.code, "{\"action\":\"receive\",\"expected_version\":1}", 41, &desk,
				   &from, &view));
	ck_assert_ptr_nonnull(strstr(view, "\"state\":\"received\""));
	dvc_free(view);
	/* the secret in the request acts for the applicant, whoever else asks */
	snprintf(req, sizeof req, "{\"action\":\"withdraw\",\"secret\":\"%s\",\"note\":\"Không cần nữa\"}",
		 r.secret);
	ck_ok(dvc_dossier_act_json(db, r.code, req, strlen(req), NULL, NULL, &view));
	ck_assert_ptr_nonnull(strstr(view, "\"state\":\"withdrawn\""));
	dvc_free(view);
	ck_assert_int_eq(state_of(r.code), DVC_STATE_WITHDRAWN);
}
END_TEST

START_TEST(accounts_hash_passwords_and_lock_after_failures)
{
	dvc_applicant bad = an_nguyen;
	dvc_account *acc;
	ck_ok(dvc_account_register(db, "nguyenvanan", "mật-khẩu-dài", &an_nguyen));
	ck_dvc(dvc_account_register(db, "nguyenvanan", "mật-khẩu-dài", &an_nguyen), DVC_EEXISTS);
	ck_dvc(dvc_account_register(db, "ngắn", "mật-khẩu-dài", &an_nguyen), DVC_EINVAL);
	ck_dvc(dvc_account_register(db, "binh", "short", &an_nguyen), DVC_EINVAL);
	bad.citizen_id = "999099001234";
	ck_dvc(dvc_account_register(db, "binh", "mật-khẩu-dài", &bad), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "citizen_id");
	ck_ok(dvc_account_get(db, "nguyenvanan", &acc));
	ck_assert_str_eq(acc->profile.phone, "+84912345678"); /* normalised */
	dvc_account_free(acc);
	ck_ok(dvc_account_login(db, "nguyenvanan", "mật-khẩu-dài"));
	ck_dvc(dvc_account_login(db, "nobody", "x"), DVC_EAUTH);
	for (int i = 0; i < DVC_LOGIN_MAX_FAILURES; i++)
		ck_dvc(dvc_account_login(db, "nguyenvanan", "sai"), DVC_EAUTH);
	ck_dvc(dvc_account_login(db, "nguyenvanan", "mật-khẩu-dài"), DVC_ETHROTTLED);
	clock_now += DVC_LOGIN_LOCK_SECONDS + 1;
	ck_ok(dvc_account_login(db, "nguyenvanan", "mật-khẩu-dài"));
	/* the stored hash is Argon2id, not the password */
	ck_dvc(dvc_officer_add(db, "x.y", "X", "000.77.77.H77", DVC_ROLE_SPECIALIST), DVC_EREF);
	ck_dvc(dvc_officer_add(db, "x.y", "X", DESK, DVC_ROLE_APPLICANT), DVC_EINVAL);
}
END_TEST

/* ---- on a file: tampering, concurrency ---- */

static char dir[64];
static char path[4096];

static void file_setup(void)
{
	/* on PostgreSQL the same store for every open of this test */
	temp_dir_store(dir, sizeof dir, "/tmp/dvc-dossier-XXXXXX", path, sizeof path, "d.db");
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_open(&db, path, NULL));
	setup_db(db);
}

static void file_teardown(void)
{
	dvc_close(db);
	temp_dir_remove(dir);
}

/* Edit the store behind the library's back, on either backend. */
static void raw_exec(const char *sql) { store_exec(path, sql); }

START_TEST(journal_chain_detects_edits_and_deletions)
{
	dvc_receipt r = submit3();
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
	raw_exec("UPDATE journal SET note = 'đã sửa' WHERE seq = 2");
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "entry 2"));
	raw_exec("UPDATE journal SET note = NULL WHERE seq = 2");
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
	/* the last entry gone: the row still counts it (test_proof.c cuts both) */
	raw_exec("DELETE FROM journal WHERE seq = 3");
	ck_dvc(dvc_dossier_verify(db, NULL, NULL), DVC_ETRUNCATED);
}
END_TEST

START_TEST(journal_detects_a_deleted_middle_entry)
{
	dvc_receipt r = submit3();
	ck_ok(act_o(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan"));
	ck_ok(act_o(r.code, DVC_ACT_FORWARD, "le.tiep.nhan"));
	raw_exec("DELETE FROM journal WHERE seq = 2");
	ck_dvc(dvc_dossier_verify(db, r.code, NULL), DVC_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "missing"));
}
END_TEST

static void *submitter(void *arg)
{
	dvc_db *h;
	int *failures = arg;
	if (dvc_open(&h, path, NULL) != DVC_OK) {
		(*failures)++;
		return NULL;
	}
	dvc_set_clock(h, test_clock, NULL);
	for (int i = 0; i < 40; i++) {
		dvc_receipt r = DVC_RECEIPT_INIT;
		if (citizen_submit(h, P3, "{\"purpose\":\"Song song\",\"copies\":1}", &r) != DVC_OK)
			(*failures)++;
	}
	dvc_close(h);
	return NULL;
}

START_TEST(codes_are_unique_and_gap_free_with_concurrent_writers)
{
	pthread_t th[3];
	int failures[3] = {0, 0, 0};
	dvc_dossier_list *l;
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	char seen[121] = {0};
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, submitter, &failures[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(failures[0] + failures[1] + failures[2], 0);
	ck_ok(dvc_dossier_find(db, &f, &l));
	ck_assert_uint_eq(dvc_dossier_list_count(l), 120);
	for (size_t i = 0; i < 120; i++) {
		const char *code = dvc_dossier_list_at(l, i)->code;
		int n = atoi(code + strlen(DESK "-260302-"));
		ck_assert_int_ge(n, 1);
		ck_assert_int_le(n, 120);
		ck_assert(!seen[n]);
		seen[n] = 1;
	}
	dvc_dossier_list_free(l);
}
END_TEST

/* Every public enum has one name table in the library: each name parses
 * back to its value, and an unknown name is refused with the valid ones. */
#define ROUND_TRIP(fn, type, count)                                                        \
	do {                                                                               \
		for (int v_ = 0; v_ < (count); v_++) {                                     \
			type got_;                                                         \
			ck_assert_str_ne(dvc_##fn##_name((type)v_), "?");                  \
			ck_ok(dvc_##fn##_parse(dvc_##fn##_name((type)v_), &got_));         \
			ck_assert_int_eq((int)got_, v_);                                   \
		}                                                                          \
		type none_;                                                                \
		ck_assert_str_eq(dvc_##fn##_name((type)(count)), "?");                     \
		ck_dvc(dvc_##fn##_parse("no-such-name", &none_), DVC_EINVAL);              \
		ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, dvc_##fn##_name((type)0))); \
		ck_dvc(dvc_##fn##_parse(NULL, &none_), DVC_EINVAL);                        \
		ck_dvc(dvc_##fn##_parse(dvc_##fn##_name((type)0), NULL), DVC_EINVAL);      \
	} while (0)

START_TEST(every_enum_name_parses_back)
{
	ROUND_TRIP(state, dvc_state, DVC_STATE_COUNT);
	ROUND_TRIP(action, dvc_action, DVC_ACTION_COUNT);
	ROUND_TRIP(role, dvc_role, DVC_ROLE_COUNT);
	ROUND_TRIP(channel, dvc_channel, 3);
	ROUND_TRIP(delivery, dvc_delivery, 3);
	ROUND_TRIP(actor_kind, dvc_actor_kind, 3);
	ROUND_TRIP(format, dvc_format, 3);
	ROUND_TRIP(doc_form, dvc_doc_form, 3);
	ROUND_TRIP(doc_submission, dvc_doc_submission, 2);
	ROUND_TRIP(fee_kind, dvc_fee_kind, 3);
	ROUND_TRIP(online_mode, dvc_online_mode, 3);
	ROUND_TRIP(deadline_unit, dvc_deadline_unit, 2);
	ROUND_TRIP(match, dvc_match, 3);
	ROUND_TRIP(day_kind, dvc_day_kind, 6);
	ROUND_TRIP(notify_channel, dvc_notify_channel, 2);
	ROUND_TRIP(message_state, dvc_message_state, 5);
	ROUND_TRIP(payment_outcome, dvc_payment_outcome, 3);
	ROUND_TRIP(report_group, dvc_report_group, 7);
	ROUND_TRIP(slip_format, dvc_slip_format, 2);
	ck_assert_str_eq(dvc_delivery_name(DVC_DELIVERY_POST), "post");
	ck_assert_str_eq(dvc_fee_kind_name(DVC_FEE_PER_COPY), "per_copy");
	ck_assert_str_eq(dvc_state_label_vi(DVC_STATE_IN_PROGRESS), "Đang xử lý");
}
END_TEST

START_TEST(statemachine_table_is_whole_and_drawable)
{
	size_t n;
	const dvc_transition *t = dvc_lifecycle_table(&n);
	char *dot;
	ck_assert_uint_gt(n, 20);
	for (size_t i = 0; i < n; i++) {
		ck_assert(!dvc_state_is_final(t[i].from)); /* finals accept nothing */
		ck_assert_uint_ne(t[i].roles, 0);
	}
	ck_ok(dvc_lifecycle_dot(&dot));
	for (int s = 0; s < DVC_STATE_COUNT; s++)
		ck_assert_ptr_nonnull(strstr(dot, dvc_state_name((dvc_state)s)));
	dvc_free(dot);
	dvc_state s;
	ck_ok(dvc_state_parse("in_progress", &s));
	ck_assert_int_eq(s, DVC_STATE_IN_PROGRESS);
	ck_dvc(dvc_state_parse("stuck", &s), DVC_EINVAL);
}
END_TEST

/* A host clock that fails (issue 16: a Python callback that raised) fails
 * the call with DVC_EUSER, and nothing that call would have written is kept:
 * no dossier, no action, no outbox row — also inside an explicit
 * transaction, whose earlier work still commits. */
static int clock_fails;
static int flaky_clock(void *ctx, dvc_time *out)
{
	(void)ctx;
	*out = clock_now;
	return clock_fails ? 7 : 0;
}

static size_t count_dossiers(void)
{
	dvc_dossier_list *l;
	size_t n;
	ck_ok(dvc_dossier_find(db, NULL, &l));
	n = dvc_dossier_list_count(l);
	dvc_dossier_list_free(l);
	return n;
}

START_TEST(a_failing_clock_aborts_the_write)
{
	dvc_receipt r = submit3(), r2 = DVC_RECEIPT_INIT;
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_tracking *t;
	dvc_message_batch *b;
	dvc_actor admin = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_time now;
	size_t n = count_dossiers();
	int64_t version;
	ck_ok(dvc_dossier_track(db, r.code, &admin, &t));
	version = t->version;
	dvc_tracking_free(t);
	dvc_set_clock(db, flaky_clock, NULL);
	clock_fails = 1;
	s = citizen_submission(P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}");
	ck_dvc(dvc_dossier_submit(db, &s, &r2), DVC_EUSER);
	ck_assert_str_eq(r2.code, "");
	ck_dvc(dvc_now(db, &now), DVC_EUSER);
	q.actor = admin;
	q.action = DVC_ACT_RECEIVE;
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_EUSER);
	ck_dvc(dvc_outbox_fetch(db, 10, &b), DVC_EUSER);
	/* inside a transaction: the earlier submission commits, the failed one left nothing */
	clock_fails = 0;
	ck_ok(dvc_begin(db));
	ck_ok(dvc_dossier_submit(db, &s, &r2));
	clock_fails = 1;
	ck_dvc(dvc_dossier_submit(db, &s, &r2), DVC_EUSER);
	ck_dvc(dvc_dossier_act(db, r.code, &q, NULL), DVC_EUSER);
	clock_fails = 0;
	ck_ok(dvc_commit(db));
	ck_assert_uint_eq(count_dossiers(), n + 1);
	ck_ok(dvc_dossier_track(db, r.code, &admin, &t));
	ck_assert_int_eq(t->version, version);
	ck_assert_int_eq(t->state, DVC_STATE_SUBMITTED);
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL)); /* the clock works again: so does the action */
}
END_TEST

/* Circular 01/2018 art. 19: four digits of sequence per desk and day; the
 * 10,000th is refused, nothing is written and the count does not move. */
START_TEST(the_sequence_never_grows_a_fifth_digit)
{
	dvc_receipt r;
	size_t n;
	raw_exec("INSERT INTO dossier_seq(agency, day, last) VALUES ('" DESK "', '260302', 9998)");
	r = submit3();
	ck_assert_str_eq(r.code, DESK "-260302-9999");
	{
		dvc_submission s = citizen_submission(P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}");
		dvc_receipt bad = DVC_RECEIPT_INIT;
		ck_dvc(dvc_dossier_submit(db, &s, &bad), DVC_ERANGE);
		ck_assert_str_eq(bad.code, "");
	}
	ck_assert_str_eq(dvc_error_last()->path, "code");
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "01/2018"));
	ck_ok(dvc_dossier_verify(db, NULL, &n));
	ck_assert_uint_eq(n, 1);
	/* the next day starts again at 0001 */
	clock_now = instant("2026-03-03T09:00:00+07:00");
	r = submit3();
	ck_assert_str_eq(r.code, DESK "-260303-0001");
}
END_TEST

int main(void)
{
	const TTest *const memory_tests[] = {
		a_failing_clock_aborts_the_write, full_route_through_two_units_with_appointment,
		account_profile_fills_the_applicant, supplement_is_requested_once_per_phase,
		clock_stops_while_waiting_for_the_applicant,
		wrong_actor_stale_version_and_illegal_moves_change_nothing,
		service_level_rules_are_enforced_by_the_library,
		form_data_and_applicant_fields_are_validated,
		refusals_inside_a_transaction_leave_it_usable,
		agencies_out_of_force_receive_nothing,
		wrong_tracking_secrets_are_counted_and_throttled,
		late_dossier_is_rescheduled_once_and_stays_late,
		transfer_assign_and_send_back_move_the_holder,
		allowed_actions_are_a_dry_run_of_the_real_checks, stuck_dossiers_are_listed_by_unit,
		json_actions_parse_check_and_answer_with_the_view,
		accounts_hash_passwords_and_lock_after_failures,
		statemachine_table_is_whole_and_drawable, every_enum_name_parses_back, NULL};
	const TTest *const file_tests[] = {
		journal_chain_detects_edits_and_deletions, journal_detects_a_deleted_middle_entry,
		codes_are_unique_and_gap_free_with_concurrent_writers,
		the_sequence_never_grows_a_fifth_digit, NULL};
	const test_case cases[] = {
		{"memory", memory_tests, .setup = setup, .teardown = teardown, .timeout = 120},
		{"file", file_tests, .setup = file_setup, .teardown = file_teardown, .timeout = 120},
		{NULL}};
	return run_cases("dossier", cases);
}
