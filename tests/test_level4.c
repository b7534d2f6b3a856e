/* Level 4: fees, signed payment callbacks, online result delivery, the
 * notification outbox and its templates. */
#include "testutil.h"

#include <cjson/cJSON.h>

#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESK "000.00.30.H24"
#define P4 "T.000004"
#define P3 "T.000003"
#define SECRET "bi-mat-cong-thanh-toan"

static dvc_db *db;

static void setup(void)
{
	db = dossier_db();
	ck_ok(dvc_officer_add(db, "tnmt.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_payment_set_gateway(db, "vnpay", SECRET));
}

static void teardown(void) { dvc_close(db); }

static int act(const char *code, dvc_action a, const char *officer, const char *note)
{
	return officer_act(db, code, a, officer, note, 0);
}

static dvc_receipt received(const char *proc)
{
	dvc_submission s = citizen_submission(proc, NULL);
	dvc_receipt r = DVC_RECEIPT_INIT;
	if (strcmp(proc, P3) == 0)
		s.form_data = "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	return r;
}

/* What the gateway would send back for a request. */
static char *gateway_callback(const dvc_payment_request_info *req, int64_t amount_vnd,
			      const char *response, const char *secret)
{
	char q[512], *signed_q;
	snprintf(q, sizeof q,
		 "vnp_Amount=%lld&vnp_BankCode=NCB&vnp_OrderInfo=Thanh+toan+ho+so&vnp_ResponseCode=%s"
		 "&vnp_TmnCode=KIENTHUY&vnp_TransactionNo=14012345&vnp_TransactionStatus=%s"
		 "&vnp_TxnRef=%s",
		 (long long)amount_vnd * 100, response, response, req->reference);
	ck_ok(dvc_payment_sign(q, secret, &signed_q));
	return signed_q;
}

/* That callback delivered once, its result in `res`; the status. */
static int gateway_calls(const dvc_payment_request_info *req, int64_t amount_vnd,
			 const char *response, const char *secret, dvc_payment_result *res)
{
	char *cb = gateway_callback(req, amount_vnd, response, secret);
	int rc = dvc_payment_callback(db, cb, res);
	free(cb);
	return rc;
}

static dvc_tracking *tracking(const char *code)
{
	dvc_tracking *t;
	dvc_actor who = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	ck_ok(dvc_dossier_track(db, code, &who, &t));
	return t;
}

static const dvc_message *find(const dvc_message_batch *b, const char *event, dvc_notify_channel ch)
{
	for (size_t i = 0; i < dvc_message_batch_count(b); i++) {
		const dvc_message *m = dvc_message_batch_at(b, i);
		if (strcmp(m->event, event) == 0 && m->channel == ch)
			return m;
	}
	return NULL;
}

START_TEST(level4_story_pay_online_and_deliver_online)
{
	dvc_receipt r = received(P4);
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *t;
	dvc_message_batch *b;
	const dvc_message *m;
	char *cb;

	t = tracking(r.code);
	ck_assert_int_eq(t->fee_due, 50000);
	ck_assert_int_eq(t->fee_paid, 0);
	dvc_tracking_free(t);

	ck_ok(dvc_payment_request(db, r.code, &req));
	ck_assert_int_eq(req.amount, 50000);
	clock_now += 120;
	cb = gateway_callback(&req, 50000, "00", SECRET);
	ck_ok(dvc_payment_callback(db, cb, &res));
	ck_assert_int_eq(res.outcome, DVC_PAYMENT_PAID);
	ck_assert_str_eq(res.dossier, r.code);
	/* the gateway retries: answered again, nothing paid twice */
	ck_ok(dvc_payment_callback(db, cb, &res));
	ck_assert_int_eq(res.outcome, DVC_PAYMENT_DUPLICATE);
	free(cb);
	t = tracking(r.code);
	ck_assert_int_eq(t->fee_paid, 50000);
	ck_assert_int_eq(t->history[t->n_history - 1].action, DVC_ACT_PAY);
	ck_assert_str_eq(t->history[t->n_history - 1].actor, "gateway:vnpay");
	dvc_tracking_free(t);
	ck_dvc(dvc_payment_request(db, r.code, &req), DVC_ETRANSITION); /* nothing left due */

	ck_ok(act(r.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_ok(act(r.code, DVC_ACT_FORWARD, "tnmt.chuyen.vien", NULL));
	ck_ok(act(r.code, DVC_ACT_FORWARD, "hoang.lanh.dao", NULL));
	dvc_action_req q = DVC_ACTION_INIT;
	q.action = DVC_ACT_RETURN;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.delivery = DVC_DELIVERY_ONLINE;
	q.payload = "%PDF-1.7 Văn bản điện tử có chữ ký số";
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));

	/* every notification, in the outbox with the right text */
	ck_ok(dvc_outbox_list(db, r.code, &b));
	ck_assert_uint_eq(dvc_message_batch_count(b), 6); /* accepted, payment, result: SMS + e-mail */
	m = find(b, "accepted", DVC_NOTIFY_SMS);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->recipient, "+84912345678");
	ck_assert_ptr_nonnull(strstr(m->body, r.code));
	/* 8 working hours from 09:00 Monday: 09:30 Tuesday */
	ck_assert_ptr_nonnull(strstr(m->body, "Hẹn trả kết quả: 09:30 ngày 03/03/2026"));
	ck_assert_int_le(m->segments, 2);
	m = find(b, "accepted", DVC_NOTIFY_EMAIL);
	ck_assert_str_eq(m->recipient, "an.nguyen@example.vn");
	ck_assert_ptr_nonnull(strstr(m->subject, "đã được tiếp nhận"));
	ck_assert_ptr_nonnull(strstr(m->body, "Kính gửi ông/bà Nguyễn Văn An"));
	ck_assert_ptr_nonnull(strstr(m->body, "Thủ tục toàn trình mức độ 4"));
	m = find(b, "payment", DVC_NOTIFY_SMS);
	ck_assert_ptr_nonnull(strstr(m->body, "50.000 đồng"));
	ck_assert_ptr_nonnull(find(b, "result_ready", DVC_NOTIFY_EMAIL));
	ck_assert_ptr_nonnull(strstr(find(b, "result_ready", DVC_NOTIFY_SMS)->body, "đã có kết quả"));
	dvc_message_batch_free(b);
	size_t n;
	ck_ok(dvc_dossier_verify(db, r.code, &n));
}
END_TEST

START_TEST(bad_callbacks_are_refused_and_pay_nothing)
{
	dvc_receipt r = received(P4), r3 = received(P3);
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT, fake3 = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *t;
	char *cb, *forged;
	ck_ok(dvc_payment_request(db, r.code, &req));

	/* forged: signed with another secret, or tampered after signing */
	ck_dvc(gateway_calls(&req, 50000, "00", "not-the-secret", &res), DVC_ESIGNATURE);
	cb = gateway_callback(&req, 50000, "00", SECRET);
	forged = strdup(cb);
	memcpy(strstr(forged, "vnp_BankCode=NCB"), "vnp_BankCode=XYZ", 16);
	ck_dvc(dvc_payment_callback(db, forged, &res), DVC_ESIGNATURE);
	free(forged);
	ck_dvc(dvc_payment_callback(db, "vnp_Amount=5000000&vnp_TxnRef=x", &res), DVC_ESIGNATURE);
	ck_dvc(dvc_payment_callback(db, "vnp_Amount=%zz", &res), DVC_EINVAL);
	/* wrong amount (signed correctly) */
	free(cb);
	ck_dvc(gateway_calls(&req, 5000, "00", SECRET, &res), DVC_EAMOUNT);
	/* unknown reference */
	snprintf(fake3.reference, sizeof fake3.reference, "DVC999T1");
	ck_dvc(gateway_calls(&fake3, 50000, "00", SECRET, &res), DVC_ENOTFOUND);
	/* a callback for a level-3 dossier */
	snprintf(fake3.reference, sizeof fake3.reference, "%.39s", r3.code);
	ck_dvc(gateway_calls(&fake3, 50000, "00", SECRET, &res), DVC_ESERVICELEVEL);
	ck_dvc(dvc_payment_request(db, r3.code, &fake3), DVC_ESERVICELEVEL);
	/* declined by the bank: recorded, not paid */
	ck_ok(gateway_calls(&req, 50000, "24", SECRET, &res));
	ck_assert_int_eq(res.outcome, DVC_PAYMENT_DECLINED);
	/* expired */
	ck_ok(dvc_payment_request(db, r.code, &req));
	clock_now += 901;
	ck_dvc(gateway_calls(&req, 50000, "00", SECRET, &res), DVC_EEXPIRED);
	t = tracking(r.code);
	ck_assert_int_eq(t->fee_paid, 0);
	dvc_tracking_free(t);
	dvc_message_batch *b;
	ck_ok(dvc_outbox_list(db, r.code, &b));
	ck_assert_ptr_null(find(b, "payment", DVC_NOTIFY_SMS));
	dvc_message_batch_free(b);
}
END_TEST

/* The gateway's transaction number is journaled whole up to
 * DVC_PAYMENT_TXN_MAX bytes; a longer one is refused and pays nothing. */
START_TEST(transaction_number_limit)
{
	dvc_receipt r = received(P4);
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *t;
	char q[1024], txn[DVC_PAYMENT_TXN_MAX + 2], *cb;
	ck_ok(dvc_payment_request(db, r.code, &req));
	memset(txn, '7', sizeof txn - 1);
	txn[sizeof txn - 1] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			txn[DVC_PAYMENT_TXN_MAX] = '\0';
		snprintf(q, sizeof q, "vnp_Amount=%lld&vnp_ResponseCode=00&vnp_TransactionNo=%s"
			 "&vnp_TransactionStatus=00&vnp_TxnRef=%s", 50000LL * 100, txn, req.reference);
		ck_ok(dvc_payment_sign(q, SECRET, &cb));
		ck_dvc(dvc_payment_callback(db, cb, &res), pass == 0 ? DVC_ETOOBIG : DVC_OK);
		free(cb);
		t = tracking(r.code);
		ck_assert_int_eq(t->fee_paid, pass == 0 ? 0 : 50000);
		if (pass == 1)
			ck_assert_ptr_nonnull(strstr(t->history[t->n_history - 1].note, txn));
		dvc_tracking_free(t);
	}
}
END_TEST

START_TEST(rejection_after_payment_records_a_refund)
{
	dvc_receipt r = received(P4);
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *t;
	dvc_message_batch *b;
	ck_ok(dvc_payment_request(db, r.code, &req));
	ck_ok(gateway_calls(&req, 50000, "00", SECRET, &res));
	ck_ok(act(r.code, DVC_ACT_REJECT, "le.tiep.nhan", "Hồ sơ không thuộc thẩm quyền giải quyết"));
	t = tracking(r.code);
	ck_assert_int_eq(t->fee_refunded, 50000);
	dvc_tracking_free(t);
	ck_ok(dvc_outbox_list(db, r.code, &b));
	ck_assert_ptr_nonnull(strstr(find(b, "rejected", DVC_NOTIFY_EMAIL)->body,
				     "Lý do: Hồ sơ không thuộc thẩm quyền giải quyết"));
	dvc_message_batch_free(b);
}
END_TEST

START_TEST(fee_exemption_and_per_copy_fees)
{
	dvc_submission s = citizen_submission(P4, NULL);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_tracking *t;
	s.fee_exemption = "Người có công với cách mạng (Điều 5 Thông tư 85/2019/TT-BTC)";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	t = tracking(r.code);
	ck_assert_int_eq(t->fee_due, 0);
	ck_assert_str_eq(t->fee_exemption, s.fee_exemption);
	dvc_tracking_free(t);
	ck_dvc(dvc_payment_request(db, r.code, &req), DVC_ETRANSITION);
	s.fee_exemption = "";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
}
END_TEST

START_TEST(outbox_drains_at_least_once_with_backoff)
{
	dvc_receipt r = received(P4);
	dvc_message_batch *b, *again;
	const dvc_message *m;
	int64_t id;
	(void)r;
	ck_ok(dvc_outbox_fetch(db, 10, &b));
	ck_assert_uint_eq(dvc_message_batch_count(b), 2);
	m = dvc_message_batch_at(b, 0);
	id = m->id;
	ck_assert_ptr_nonnull(strstr(m->idempotency_key, "/accepted/"));
	/* leased: a second sender gets nothing */
	ck_ok(dvc_outbox_fetch(db, 10, &again));
	ck_assert_uint_eq(dvc_message_batch_count(again), 0);
	dvc_message_batch_free(again);
	ck_ok(dvc_outbox_mark_sent(db, dvc_message_batch_at(b, 1)->id));
	ck_ok(dvc_outbox_mark_sent(db, dvc_message_batch_at(b, 1)->id)); /* idempotent */
	/* failures back off 60, 120, 240... then dead */
	ck_ok(dvc_outbox_mark_failed(db, id, "SMTP 451 thử lại sau"));
	ck_ok(dvc_outbox_fetch(db, 10, &again));
	ck_assert_uint_eq(dvc_message_batch_count(again), 0);
	dvc_message_batch_free(again);
	for (int i = 1; i < DVC_OUTBOX_MAX_ATTEMPTS; i++) {
		clock_now += (int64_t)DVC_OUTBOX_BACKOFF_SECONDS << (i - 1);
		ck_ok(dvc_outbox_fetch(db, 10, &again));
		ck_assert_uint_eq(dvc_message_batch_count(again), 1);
		ck_assert_int_eq(dvc_message_batch_at(again, 0)->id, id);
		dvc_message_batch_free(again);
		ck_ok(dvc_outbox_mark_failed(db, id, "still failing"));
	}
	clock_now += 100000;
	ck_ok(dvc_outbox_fetch(db, 10, &again));
	ck_assert_uint_eq(dvc_message_batch_count(again), 0); /* dead */
	dvc_message_batch_free(again);
	ck_ok(dvc_outbox_list(db, NULL, &again));
	for (size_t i = 0; i < dvc_message_batch_count(again); i++)
		if (dvc_message_batch_at(again, i)->id == id)
			ck_assert_int_eq(dvc_message_batch_at(again, i)->state, DVC_MSG_DEAD);
	dvc_message_batch_free(again);
	ck_dvc(dvc_outbox_mark_failed(db, dvc_message_batch_at(b, 1)->id, "x"), DVC_ETRANSITION);
	ck_dvc(dvc_outbox_mark_sent(db, 999999), DVC_ENOTFOUND);
	dvc_message_batch_free(b);
}
END_TEST

START_TEST(expired_lease_is_fetched_again)
{
	dvc_message_batch *b;
	received(P4);
	ck_ok(dvc_outbox_fetch(db, 1, &b));
	ck_assert_uint_eq(dvc_message_batch_count(b), 1);
	int64_t id = dvc_message_batch_at(b, 0)->id;
	dvc_message_batch_free(b);
	/* the sender died; after the lease the message comes back */
	clock_now += DVC_OUTBOX_LEASE_SECONDS + 1;
	ck_ok(dvc_outbox_fetch(db, 5, &b));
	ck_assert_uint_eq(dvc_message_batch_count(b), 2);
	ck_assert(dvc_message_batch_at(b, 0)->id == id || dvc_message_batch_at(b, 1)->id == id);
	dvc_message_batch_free(b);
}
END_TEST

/* Two senders: the first's lease runs out mid-batch and the second fetches
 * the message; the first must learn it before sending, not after. */
START_TEST(a_sender_whose_lease_ran_out_may_not_send)
{
	dvc_message_batch *first, *second;
	const dvc_message *m;
	dvc_time lease, renewed = 0, renewed2 = 0;
	int64_t id;
	received(P4);
	ck_ok(dvc_outbox_fetch(db, 1, &first));
	ck_assert_uint_eq(dvc_message_batch_count(first), 1);
	m = dvc_message_batch_at(first, 0);
	id = m->id;
	lease = m->next_attempt_at;
	ck_assert_int_eq(lease, clock_now + DVC_OUTBOX_LEASE_SECONDS);
	/* within the lease: held, and renewed from now */
	clock_now += 30;
	ck_ok(dvc_outbox_hold(db, id, lease, &renewed));
	ck_assert_int_eq(renewed, clock_now + DVC_OUTBOX_LEASE_SECONDS);
	/* the old end no longer names the lease */
	ck_dvc(dvc_outbox_hold(db, id, lease, NULL), DVC_ECONFLICT);
	ck_assert_str_eq(dvc_error_last()->path, "id");
	/* past the renewed lease another sender fetches the message ... */
	clock_now = renewed + 1;
	ck_ok(dvc_outbox_fetch(db, 5, &second));
	ck_assert_uint_eq(dvc_message_batch_count(second), 2);
	/* ... and the first, holding before its send, is told not to send */
	ck_dvc(dvc_outbox_hold(db, id, renewed, &renewed2), DVC_ECONFLICT);
	ck_assert_int_eq(renewed2, 0);
	for (size_t i = 0; i < 2; i++) {
		m = dvc_message_batch_at(second, i);
		if (m->id == id)
			ck_ok(dvc_outbox_hold(db, id, m->next_attempt_at, NULL));
	}
	/* once sent, no lease is held any more; an unknown id never was */
	ck_ok(dvc_outbox_mark_sent(db, id));
	ck_dvc(dvc_outbox_hold(db, id, clock_now + DVC_OUTBOX_LEASE_SECONDS, NULL), DVC_ECONFLICT);
	ck_dvc(dvc_outbox_hold(db, 999999, lease, NULL), DVC_ECONFLICT);
	ck_dvc(dvc_outbox_hold(NULL, id, lease, NULL), DVC_EINVAL);
	dvc_message_batch_free(first);
	dvc_message_batch_free(second);
}
END_TEST

START_TEST(templates_are_overridable_and_checked)
{
	const char *bad = "{\"format\":\"dvc-notify-templates\",\"format_version\":1,"
			  "\"templates\":{\"accepted\":{\"sms\":\"Hồ sơ {code} hẹn {ngay_hen}\"}}}";
	const char *good = "{\"format\":\"dvc-notify-templates\",\"format_version\":1,"
			   "\"templates\":{\"accepted\":{\"sms\":\"UBND huyện Kiến Thụy: hồ sơ {code} đã tiếp nhận, hẹn {appointment}\"}}}";
	dvc_message_batch *b;
	ck_dvc(dvc_notify_set_templates(db, bad, strlen(bad)), DVC_ETEMPLATE);
	ck_assert_str_eq(dvc_error_last()->path, "templates.accepted.sms");
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "{ngay_hen}"));
	const char *unknown_event = "{\"format\":\"dvc-notify-templates\",\"templates\":{\"x\":{}}}";
	const char *unclosed = "{\"format\":\"dvc-notify-templates\",\"templates\":{\"accepted\":{\"sms\":\"{code\"}}}";
	ck_dvc(dvc_notify_set_templates(db, unknown_event, strlen(unknown_event)), DVC_ESCHEMA);
	ck_dvc(dvc_notify_set_templates(db, "{", 1), DVC_EPARSE);
	ck_dvc(dvc_notify_set_templates(db, unclosed, strlen(unclosed)), DVC_ETEMPLATE);
	/* nothing changed: the built-in text is used */
	dvc_receipt r1 = received(P4);
	ck_ok(dvc_outbox_list(db, r1.code, &b));
	ck_assert_ptr_nonnull(strstr(find(b, "accepted", DVC_NOTIFY_SMS)->body, "đã được tiếp nhận"));
	dvc_message_batch_free(b);
	ck_ok(dvc_notify_set_templates(db, good, strlen(good)));
	dvc_receipt r2 = received(P4);
	ck_ok(dvc_outbox_list(db, r2.code, &b));
	ck_assert_ptr_nonnull(strstr(find(b, "accepted", DVC_NOTIFY_SMS)->body, "UBND huyện Kiến Thụy: hồ sơ"));
	/* other events keep the built-in text */
	dvc_message_batch_free(b);
	/* an empty text switches that channel off for the event */
	const char *off = "{\"format\":\"dvc-notify-templates\",\"format_version\":1,"
			  "\"templates\":{\"accepted\":{\"sms\":\"\"}}}";
	ck_ok(dvc_notify_set_templates(db, off, strlen(off)));
	dvc_receipt r3 = received(P4);
	ck_ok(dvc_outbox_list(db, r3.code, &b));
	ck_assert_ptr_null(find(b, "accepted", DVC_NOTIFY_SMS));
	ck_assert_ptr_nonnull(find(b, "accepted", DVC_NOTIFY_EMAIL));
	dvc_message_batch_free(b);
}
END_TEST

START_TEST(sms_fits_two_segments_with_unaccented_fallback)
{
	int gsm;
	ck_assert_int_eq(dvc_sms_segments("Ho so da tiep nhan", &gsm), 1);
	ck_assert(gsm);
	ck_assert_int_eq(dvc_sms_segments("Hồ sơ đã tiếp nhận", &gsm), 1);
	ck_assert(!gsm);
	/* a long supplement list: too long accented, sent unaccented */
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_submission s = citizen_submission(P4, NULL);
	dvc_message_batch *b;
	const dvc_message *m;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_ok(act(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan",
		  "Bản sao giấy chứng nhận quyền sử dụng đất; sơ đồ vị trí thửa đất; "
		  "văn bản ủy quyền có chứng thực; bản sao căn cước của người được ủy quyền"));
	ck_ok(dvc_outbox_list(db, r.code, &b));
	m = find(b, "supplement", DVC_NOTIFY_SMS);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->ascii);
	ck_assert_int_le(m->segments, 2);
	ck_assert_ptr_nonnull(strstr(m->body, "Ho so"));
	ck_assert_ptr_nonnull(strstr(m->body, "Ban sao giay chung nhan quyen su dung dat"));
	dvc_message_batch_free(b);
}
END_TEST

/* The names and the amount format the CLI, the HTTP example and the Python
 * binding print (no copies of their own). */
START_TEST(amounts_and_enum_names_for_display)
{
	char b[DVC_VND_SIZE];
	dvc_vnd_format(0, b);
	ck_assert_str_eq(b, "0");
	dvc_vnd_format(999, b);
	ck_assert_str_eq(b, "999");
	dvc_vnd_format(1000, b);
	ck_assert_str_eq(b, "1.000");
	dvc_vnd_format(-1250000, b);
	ck_assert_str_eq(b, "-1.250.000");
	dvc_vnd_format(INT64_MIN, b);
	ck_assert_str_eq(b, "-9.223.372.036.854.775.808");
	ck_assert_str_eq(dvc_payment_outcome_name(DVC_PAYMENT_DUPLICATE), "duplicate");
	ck_assert_str_eq(dvc_payment_outcome_name((dvc_payment_outcome)7), "?");
	ck_assert_str_eq(dvc_notify_channel_name(DVC_NOTIFY_EMAIL), "email");
	ck_assert_str_eq(dvc_notify_channel_name((dvc_notify_channel)-1), "?");
	ck_assert_str_eq(dvc_message_state_name(DVC_MSG_DEAD), "dead");
	ck_assert_str_eq(dvc_message_state_name((dvc_message_state)5), "?");
}
END_TEST

/* Issue 16: a signed success the dossier cannot take is refused, yet the
 * gateway's transaction number, amount and time are kept and the request is
 * listed for refund or review; a replay adds nothing. */
static cJSON *reviews(void)
{
	char *json;
	cJSON *a;
	ck_ok(dvc_payment_review_json(db, &json));
	a = cJSON_Parse(json);
	dvc_free(json);
	ck_assert_ptr_nonnull(a);
	return a;
}

START_TEST(unapplied_gateway_successes_keep_their_trace)
{
	dvc_receipt r = received(P4);
	dvc_payment_request_info first = DVC_PAYMENT_REQUEST_INFO_INIT, second = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *t;
	cJSON *a, *o;
	char *cb;
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 0);
	cJSON_Delete(a);
	ck_ok(dvc_payment_request(db, r.code, &first));
	ck_ok(dvc_payment_request(db, r.code, &second)); /* supersedes the first */
	/* a decline of the superseded request is no money: not listed */
	ck_dvc(gateway_calls(&first, 50000, "24", SECRET, &res), DVC_ETRANSITION);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 0);
	cJSON_Delete(a);
	clock_now += 60;
	cb = gateway_callback(&first, 50000, "00", SECRET);
	for (int replay = 0; replay < 2; replay++) {
		ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ETRANSITION);
		ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "refund or review"));
	}
	free(cb);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 1);
	o = cJSON_GetArrayItem(a, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "reference")->valuestring, first.reference);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "dossier")->valuestring, r.code);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "reason")->valuestring, "superseded");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "gateway_txn")->valuestring, "14012345");
	ck_assert_int_eq((int64_t)cJSON_GetObjectItem(o, "amount")->valuedouble, 50000);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "received_at")->valuestring, "2026-03-02T09:01:00+07:00");
	cJSON_Delete(a);
	/* the open request expires; its late success is kept too */
	clock_now += 901;
	ck_dvc(gateway_calls(&second, 50000, "00", SECRET, &res), DVC_EEXPIRED);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 1), "reason")->valuestring, "expired");
	cJSON_Delete(a);
	t = tracking(r.code);
	ck_assert_int_eq(t->fee_paid, 0); /* the dossier took none of it */
	dvc_tracking_free(t);
}
END_TEST

/* Issue 16: a signed success naming a reference this store never issued
 * was refused without a trace. It is kept for review now (reason
 * unknown_reference, dossier null), once however often it is replayed; a
 * forged or declined one adds nothing. */
START_TEST(an_unknown_reference_paid_at_the_gateway_keeps_its_trace)
{
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	char *cb;
	cJSON *a, *o;
	static const char q[] = "vnp_Amount=5000000&vnp_ResponseCode=00&vnp_TransactionNo=99887766"
				"&vnp_TxnRef=DVC999R1";
	ck_ok(dvc_payment_sign("vnp_Amount=5000000&vnp_ResponseCode=00&vnp_TransactionNo=1"
			       "&vnp_TxnRef=DVC999R1", "not the secret", &cb));
	ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ESIGNATURE);
	free(cb);
	ck_ok(dvc_payment_sign("vnp_Amount=5000000&vnp_ResponseCode=24&vnp_TransactionNo=2"
			       "&vnp_TxnRef=DVC999R1", SECRET, &cb));
	ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ENOTFOUND);
	free(cb);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 0);
	cJSON_Delete(a);
	ck_ok(dvc_payment_sign(q, SECRET, &cb));
	for (int replay = 0; replay < 3; replay++) {
		ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ENOTFOUND);
		ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "kept for review"));
	}
	free(cb);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 1);
	o = cJSON_GetArrayItem(a, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "reference")->valuestring, "DVC999R1");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "dossier")));
	ck_assert_str_eq(cJSON_GetObjectItem(o, "reason")->valuestring, "unknown_reference");
	ck_assert_str_eq(cJSON_GetObjectItem(o, "gateway_txn")->valuestring, "99887766");
	ck_assert_int_eq((int64_t)cJSON_GetObjectItem(o, "amount")->valuedouble, 50000);
	cJSON_Delete(a);
	/* an amount out of range is refused, not kept */
	ck_ok(dvc_payment_sign("vnp_Amount=99999999999999999999999&vnp_ResponseCode=00"
			       "&vnp_TransactionNo=3&vnp_TxnRef=DVC999R2", SECRET, &cb));
	ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ERANGE);
	free(cb);
	a = reviews();
	ck_assert_int_eq(cJSON_GetArraySize(a), 1);
	cJSON_Delete(a);
}
END_TEST

/* set_payment_expiry(2**63-1) overflowed into a negative expires_at. */
START_TEST(expiries_and_amounts_are_range_checked)
{
	dvc_receipt r = received(P4);
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	char q[512], *cb;
	ck_dvc(dvc_payment_set_expiry(db, INT64_MAX), DVC_ERANGE);
	ck_dvc(dvc_payment_set_expiry(db, DVC_PAYMENT_EXPIRY_MAX + 1), DVC_ERANGE);
	ck_dvc(dvc_payment_set_expiry(db, 0), DVC_ERANGE);
	ck_dvc(dvc_payment_set_expiry(db, -1), DVC_ERANGE);
	ck_ok(dvc_payment_request(db, r.code, &req));
	ck_assert_int_eq(req.expires_at, clock_now + 900); /* unchanged by the refusals */
	ck_ok(dvc_payment_set_expiry(db, DVC_PAYMENT_EXPIRY_MAX));
	ck_ok(dvc_payment_request(db, r.code, &req));
	ck_assert_int_eq(req.expires_at, clock_now + DVC_PAYMENT_EXPIRY_MAX);
	/* an amount past int64 used to clamp silently */
	snprintf(q, sizeof q, "vnp_Amount=99999999999999999999999&vnp_ResponseCode=00"
		 "&vnp_TransactionNo=1&vnp_TxnRef=%s", req.reference);
	ck_ok(dvc_payment_sign(q, SECRET, &cb));
	ck_dvc(dvc_payment_callback(db, cb, &res), DVC_ERANGE);
	free(cb);
	snprintf(q, sizeof q, "vnp_Amount=-100&vnp_ResponseCode=00&vnp_TxnRef=%s", req.reference);
	ck_ok(dvc_payment_sign(q, SECRET, &cb));
	ck_dvc(dvc_payment_callback(db, cb, &res), DVC_EINVAL);
	free(cb);
}
END_TEST

START_TEST(gateway_must_be_configured)
{
	dvc_db *other = mem_db();
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	ck_dvc(dvc_payment_callback(other, "vnp_TxnRef=x", &res), DVC_EINVAL);
	ck_dvc(dvc_payment_set_gateway(other, "vnpay", ""), DVC_EINVAL);
	dvc_close(other);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		level4_story_pay_online_and_deliver_online,
		bad_callbacks_are_refused_and_pay_nothing, rejection_after_payment_records_a_refund,
		fee_exemption_and_per_copy_fees, outbox_drains_at_least_once_with_backoff,
		expired_lease_is_fetched_again, a_sender_whose_lease_ran_out_may_not_send,
		templates_are_overridable_and_checked,
		sms_fits_two_segments_with_unaccented_fallback, gateway_must_be_configured,
		amounts_and_enum_names_for_display, transaction_number_limit,
		unapplied_gateway_successes_keep_their_trace,
		expiries_and_amounts_are_range_checked,
		an_unknown_reference_paid_at_the_gateway_keeps_its_trace, NULL};
	return run_tests("level4", setup, teardown, 120, tests);
}
