/* National sync: a message exists if and only if the change does (same
 * transaction), the status comes from the data mapping, a missing national
 * code blocks the message and never the dossier, one message per dossier is
 * due at a time and in order, failures back off and die, replay brings dead
 * and blocked messages back, and the report lists what is unacknowledged. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P3 "T.000003"

static dvc_db *db;
static char db_path[64]; /* a file, so that a second handle can open it */
static char where[4096];  /* db_path, or on PostgreSQL the store's URI */

static int act(const char *code, dvc_action a, const char *officer, const char *note)
{
	return officer_act(db, code, a, officer, note, 0);
}

static void setup(void)
{
	temp_store(db_path, sizeof db_path, "/tmp/dvc-national-XXXXXX", where, sizeof where);
	ck_ok(dvc_open(&db, where, NULL));
	dvc_set_clock(db, test_clock, NULL);
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", DESK, DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "tran.chuyen.vien", "Trần Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST));
}

static void teardown(void)
{
	dvc_close(db);
	temp_store_remove(db_path);
}

static size_t count(const char *code, dvc_sync_state state)
{
	dvc_sync_batch *b;
	size_t n = 0;
	ck_ok(dvc_sync_list(db, code, &b));
	for (size_t i = 0; i < dvc_sync_batch_count(b); i++)
		n += (int)state < 0 || dvc_sync_batch_at(b, i)->state == state;
	dvc_sync_batch_free(b);
	return n;
}

START_TEST(off_by_default_then_one_message_per_change)
{
	dvc_receipt r = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	dvc_sync_batch *b;
	ck_assert_int_eq(dvc_national_sync_enabled(db), 0);
	ck_assert_uint_eq(count(NULL, -1), 0);
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	/* a refused action queues nothing: the message lives in its transaction */
	ck_dvc(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL), DVC_ETRANSITION);
	ck_dvc(act(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien", NULL), DVC_EPERM);
	ck_ok(act(r.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_ok(dvc_sync_list(db, r.code, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 2);
	ck_assert_int_eq(dvc_sync_batch_at(b, 0)->status, 2);
	ck_assert_int_eq(dvc_sync_batch_at(b, 1)->status, 4);
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 0)->payload, "\"MaTTHC\":\"1.001193\""));
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 0)->payload, "\"TrangThaiHoSo\":\"2\""));
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 0)->payload, "\"NgayTiepNhan\":\"20260302090000\""));
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 0)->payload, "\"NguoiXuLy\":\"Lê Tiếp Nhận\""));
	ck_assert_str_eq(dvc_sync_batch_at(b, 1)->idempotency_key,
			 strcat(strcpy((char[128]){0}, r.code), "/3/dvcqg"));
	dvc_sync_batch_free(b);
	/* switched off, nothing more */
	ck_ok(dvc_national_sync_enable(db, 0));
	ck_ok(act(r.code, DVC_ACT_FORWARD, "tran.chuyen.vien", NULL));
	ck_assert_uint_eq(count(r.code, -1), 2);
}
END_TEST

/* An action reads the switch once per transaction, with the dossier's
 * row: a switch made inside the transaction counts for its next action,
 * and one made by another handle counts from this handle's next
 * transaction, also in a batch that read the switch before. */
START_TEST(the_switch_counts_at_once_in_and_across_transactions)
{
	dvc_receipt a = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	dvc_receipt b = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	dvc_db *other;
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	ck_ok(dvc_begin(db));
	ck_ok(act(a.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL)); /* read: off */
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_assert_int_eq(dvc_national_sync_enabled(db), 1);
	ck_ok(act(b.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(dvc_commit(db));
	ck_assert_uint_eq(count(a.code, -1), 0);
	ck_assert_uint_eq(count(b.code, -1), 1);
	/* another portal process switches it off: the next action here sees it */
	ck_ok(dvc_open(&other, where, NULL));
	ck_ok(dvc_national_sync_enable(other, 0));
	ck_ok(act(b.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_assert_uint_eq(count(b.code, -1), 1);
	ck_ok(dvc_national_sync_enable(other, 1));
	ck_ok(dvc_begin(db));
	ck_ok(act(a.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_ok(dvc_commit(db));
	ck_assert_uint_eq(count(a.code, -1), 1);
	ck_assert_int_eq(dvc_national_sync_enabled(db), 1);
	/* a submission reads the switch without a row to load */
	ck_ok(dvc_national_sync_enable(other, 0));
	a = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_assert_uint_eq(count(a.code, -1), 0);
	ck_ok(dvc_national_sync_enable(other, 1));
	a = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_assert_uint_eq(count(a.code, -1), 1);
	dvc_close(other);
}
END_TEST

/* A long note goes to the portal whole: the payload's NoiDungXuLy once
 * cut it at 500 bytes, which could split a character. */
START_TEST(a_long_note_is_sent_whole)
{
	dvc_receipt r = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	char note[2000] = "", *at;
	dvc_sync_batch *b;
	for (int i = 0; i < 400; i++)
		strcat(note, "ệ"); /* 1,200 bytes, three to a character */
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", note));
	ck_ok(dvc_sync_list(db, r.code, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 1);
	ck_assert_ptr_nonnull(at = strstr(dvc_sync_batch_at(b, 0)->payload, "\"NoiDungXuLy\":\""));
	ck_assert_ptr_nonnull(strstr(at, note));
	dvc_sync_batch_free(b);
}
END_TEST

START_TEST(missing_code_blocks_the_message_not_the_dossier)
{
	dvc_receipt r;
	size_t n;
	char *json;
	ck_ok(dvc_national_sync_enable(db, 1));
	r = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_ok(act(r.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_assert_uint_eq(count(r.code, DVC_SYNC_BLOCKED), 2);
	ck_ok(dvc_sync_report_json(db, &json));
	ck_assert_ptr_nonnull(strstr(json, "\"blocked\":2"));
	ck_assert_ptr_nonnull(strstr(json, "has no national procedure code"));
	dvc_free(json);
	/* nothing due: a blocked message is never leased */
	dvc_sync_batch *b;
	ck_ok(dvc_sync_fetch(db, 10, 0, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 0);
	dvc_sync_batch_free(b);
	/* replay without a code changes nothing; bad codes are refused */
	ck_ok(dvc_sync_replay(db, 0, NULL, &n));
	ck_assert_uint_eq(n, 0);
	ck_dvc(dvc_national_code_set(db, P3, 0, "1.00119"), DVC_EINVAL);
	ck_dvc(dvc_national_code_set(db, P3, 0, "1.001193.000.00.00.h24"), DVC_EINVAL);
	ck_dvc(dvc_national_code_set(db, "X.999999", 0, "1.001193"), DVC_ENOTFOUND);
	ck_dvc(dvc_national_code_set(db, P3, 7, "1.001193"), DVC_ENOTFOUND);
	ck_ok(dvc_national_code_set(db, P3, 1, "1.001193.000.00.00.H24"));
	ck_ok(dvc_sync_replay(db, 0, r.code, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(count(r.code, DVC_SYNC_PENDING), 2);
	ck_ok(dvc_sync_list(db, r.code, &b));
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 1)->payload, "\"MaTTHC\":\"1.001193.000.00.00.H24\""));
	dvc_sync_batch_free(b);
}
END_TEST

START_TEST(ordered_per_dossier_backoff_dead_replay)
{
	dvc_receipt r1, r2;
	dvc_sync_batch *b;
	size_t n;
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	r1 = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	r2 = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_ok(act(r1.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(act(r1.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	/* one per dossier: r1's first and r2's first */
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 2);
	int64_t first = dvc_sync_batch_at(b, 0)->id, other = dvc_sync_batch_at(b, 1)->id;
	ck_assert_str_eq(dvc_sync_batch_at(b, 0)->dossier, r1.code);
	ck_assert_int_eq(dvc_sync_batch_at(b, 0)->status, 1);
	dvc_sync_batch_free(b);
	/* leased: nothing more due until the lease runs out */
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 0);
	dvc_sync_batch_free(b);
	clock_now += 6; /* a dead sender's lease ran out: at least once */
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 2);
	dvc_sync_batch_free(b);
	ck_ok(dvc_sync_mark_sent(db, other));
	ck_ok(dvc_sync_mark_sent(db, other)); /* idempotent */
	ck_ok(dvc_sync_mark_failed(db, first, "HTTP 503", 0));
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 0); /* backing off; r1's later ones wait */
	dvc_sync_batch_free(b);
	clock_now += DVC_SYNC_BACKOFF_SECONDS;
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 1);
	ck_assert_int_eq(dvc_sync_batch_at(b, 0)->id, first);
	ck_assert_int_eq(dvc_sync_batch_at(b, 0)->attempts, 1);
	dvc_sync_batch_free(b);
	/* refused content: dead at once, and it holds r1's others back */
	ck_ok(dvc_sync_mark_failed(db, first, "HTTP 400 MaTTHC không hợp lệ", 1));
	ck_dvc(dvc_sync_mark_sent(db, 999), DVC_ENOTFOUND);
	clock_now += 86400;
	ck_ok(dvc_sync_fetch(db, 10, 5, &b));
	ck_assert_uint_eq(dvc_sync_batch_count(b), 0);
	dvc_sync_batch_free(b);
	ck_dvc(dvc_sync_replay(db, other, NULL, NULL), DVC_ETRANSITION);
	ck_ok(dvc_sync_replay(db, first, NULL, &n));
	ck_assert_uint_eq(n, 1);
	/* then in order: 1, 2, 4 */
	for (int want = 0; want < 3; want++) {
		static const int statuses[] = {1, 2, 4};
		ck_ok(dvc_sync_fetch(db, 10, 5, &b));
		ck_assert_uint_eq(dvc_sync_batch_count(b), 1);
		ck_assert_int_eq(dvc_sync_batch_at(b, 0)->status, statuses[want]);
		ck_ok(dvc_sync_mark_sent(db, dvc_sync_batch_at(b, 0)->id));
		dvc_sync_batch_free(b);
	}
	ck_dvc(dvc_sync_mark_failed(db, first, "late", 0), DVC_ETRANSITION);
	/* back-off to death: DVC_SYNC_MAX_ATTEMPTS transient failures */
	ck_ok(act(r2.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	for (int i = 0; i < DVC_SYNC_MAX_ATTEMPTS; i++) {
		clock_now += (int64_t)DVC_SYNC_BACKOFF_SECONDS << i;
		ck_ok(dvc_sync_fetch(db, 10, 5, &b));
		ck_assert_uint_eq(dvc_sync_batch_count(b), 1);
		ck_ok(dvc_sync_mark_failed(db, dvc_sync_batch_at(b, 0)->id, NULL, 0));
		dvc_sync_batch_free(b);
	}
	ck_assert_uint_eq(count(r2.code, DVC_SYNC_DEAD), 1);
	char *json;
	ck_ok(dvc_sync_report_json(db, &json));
	ck_assert_ptr_nonnull(strstr(json, "\"dead\":1"));
	ck_assert_ptr_nonnull(strstr(json, "\"state\":\"dead\",\"attempts\":8"));
	dvc_free(json);
	ck_dvc(dvc_sync_fetch(db, 10, -1, &b), DVC_ERANGE);
}
END_TEST

/* Two senders: the first's lease runs out mid-batch and the second (another
 * handle) fetches the message; the first must learn it before sending. */
START_TEST(a_sync_sender_whose_lease_ran_out_may_not_send)
{
	dvc_sync_batch *first, *second;
	dvc_db *other;
	dvc_time lease, renewed = 0, renewed2 = 0;
	int64_t id;
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_ok(dvc_open(&other, where, NULL));
	dvc_set_clock(other, test_clock, NULL);
	ck_ok(dvc_sync_fetch(db, 10, 20, &first));
	ck_assert_uint_eq(dvc_sync_batch_count(first), 1);
	id = dvc_sync_batch_at(first, 0)->id;
	lease = dvc_sync_batch_at(first, 0)->next_attempt_at;
	ck_assert_int_eq(lease, clock_now + 20);
	/* within the lease: held, and renewed from now for the length asked */
	clock_now += 10;
	ck_ok(dvc_sync_hold(db, id, lease, 20, &renewed));
	ck_assert_int_eq(renewed, clock_now + 20);
	ck_ok(dvc_sync_hold(db, id, renewed, 0, &renewed));
	ck_assert_int_eq(renewed, clock_now + DVC_SYNC_LEASE_SECONDS);
	/* the old end no longer names the lease */
	ck_dvc(dvc_sync_hold(db, id, lease, 20, NULL), DVC_ECONFLICT);
	ck_assert_str_eq(dvc_error_last()->path, "id");
	/* past the renewed lease the second sender fetches the message ... */
	clock_now = renewed + 1;
	ck_ok(dvc_sync_fetch(other, 10, 20, &second));
	ck_assert_uint_eq(dvc_sync_batch_count(second), 1);
	ck_assert_int_eq(dvc_sync_batch_at(second, 0)->id, id);
	/* ... and the first, holding before its send, is told not to send */
	renewed2 = 1;
	ck_dvc(dvc_sync_hold(db, id, renewed, 20, &renewed2), DVC_ECONFLICT);
	ck_assert_int_eq(renewed2, 0);
	ck_ok(dvc_sync_hold(other, id, dvc_sync_batch_at(second, 0)->next_attempt_at, 20, NULL));
	/* once sent, no lease is held any more; an unknown id never was */
	ck_ok(dvc_sync_mark_sent(other, id));
	ck_dvc(dvc_sync_hold(db, id, clock_now + 20, 20, NULL), DVC_ECONFLICT);
	ck_dvc(dvc_sync_hold(db, 999999, lease, 20, NULL), DVC_ECONFLICT);
	ck_dvc(dvc_sync_hold(NULL, id, lease, 20, NULL), DVC_EINVAL);
	ck_dvc(dvc_sync_hold(db, id, lease, -1, NULL), DVC_ERANGE);
	dvc_sync_batch_free(first);
	dvc_sync_batch_free(second);
	dvc_close(other);
}
END_TEST

START_TEST(statuses_of_refusal_and_supplement_from_data)
{
	dvc_receipt r;
	dvc_sync_batch *b;
	ck_ok(dvc_national_sync_enable(db, 1));
	ck_ok(dvc_national_code_set(db, P3, 0, "1.001193"));
	r = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_ok(act(r.code, DVC_ACT_REJECT, "le.tiep.nhan", "Không thuộc thẩm quyền"));
	ck_ok(dvc_sync_list(db, r.code, &b));
	ck_assert_int_eq(dvc_sync_batch_at(b, 1)->status, 3);
	ck_assert_ptr_nonnull(strstr(dvc_sync_batch_at(b, 1)->payload,
				     "\"NoiDungXuLy\":\"Từ chối hồ sơ: Không thuộc thẩm quyền\""));
	dvc_sync_batch_free(b);
	r = submit_as_citizen(db, P3, "{\"purpose\":\"Thống kê\",\"copies\":1}");
	ck_ok(act(r.code, DVC_ACT_REQUEST_SUPPLEMENT, "le.tiep.nhan", "Thiếu tờ khai"));
	ck_ok(dvc_sync_list(db, r.code, &b));
	ck_assert_int_eq(dvc_sync_batch_at(b, 1)->status, 5);
	dvc_sync_batch_free(b);
}
END_TEST

/* Known answers for the national payment platform's check value, computed
 * independently with Python's hashlib.sha256 over the '|'-joined text. */
START_TEST(national_payment_check_known_answers)
{
	static const char *const init[] = {"INIT", "1.0.6", "KIENTHUY", "DVC1T1", "50000", "PAY", "1", "1",
		"vi-VN", "VND", "PAYMENT", "THANH TOAN HO SO X", "20260302090000", "203.0.113.7"};
	static const char *const confirm[] = {"CONFIRM", "00", "KIENTHUY", "DVC1T1", "50000", "VND", "GD0001",
		"NCB", "20260302091500", "Thanh toán hồ sơ"};
	static const char *const bad[] = {"a|b"};
	char out[DVC_PAYMENT_CHECK_SIZE];
	ck_ok(dvc_payment_national_check(init, 14, "khoa-bi-mat", out));
	ck_assert_str_eq(out, "a36114c0d9d630fc66c4aed9e80583b8d42822d0b779c8b0ec678e77fda476db");
	ck_ok(dvc_payment_national_check(confirm, 10, "khoa-bi-mat", out));
	ck_assert_str_eq(out, "519cef5725eec254ce12d141010daf53cd7c58340eef3c323dd91be47f3b03f8");
	ck_dvc(dvc_payment_national_check(bad, 1, "khoa-bi-mat", out), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		off_by_default_then_one_message_per_change, the_switch_counts_at_once_in_and_across_transactions,
		a_long_note_is_sent_whole, missing_code_blocks_the_message_not_the_dossier,
		ordered_per_dossier_backoff_dead_replay, a_sync_sender_whose_lease_ran_out_may_not_send,
		statuses_of_refusal_and_supplement_from_data,
		national_payment_check_known_answers, NULL};
	return run_tests("national", setup, teardown, 0, tests);
}
