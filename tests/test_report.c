/* Reports: counts and rates agree with the dossiers' history and with a
 * hand-written SQL cross-check; no personal data leaks into them. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define P3 "T.000003"
#define P4 "T.000004"

static dvc_db *db;
static char dir[64], path[4096];

static const dvc_applicant citizen = {
	"Nguyễn Văn Bí Mật", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương", "0912345678", NULL};

static int act(const char *code, dvc_action a, const char *officer, const char *note)
{
	return officer_act(db, code, a, officer, note, 0);
}

static dvc_receipt submit(const char *proc, dvc_channel ch)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	s.procedure = proc;
	s.applicant = &citizen;
	s.channel = ch;
	if (ch != DVC_CHANNEL_ONLINE)
		s.officer = "le.tiep.nhan";
	if (strcmp(proc, P3) == 0)
		s.form_data = "{\"purpose\":\"Thống kê\",\"copies\":1}";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	return r;
}

/* through every step of T.000003 to the result */
static void settle3(const char *code)
{
	ck_ok(act(code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_ok(act(code, DVC_ACT_FORWARD, "tran.chuyen.vien", NULL));
	ck_ok(act(code, DVC_ACT_FORWARD, "nguyen.truong.phong", NULL));
	ck_ok(act(code, DVC_ACT_FORWARD, "hoang.lanh.dao", NULL));
}

static dvc_receipt on_time, late, pending_ok, pending_late, withdrawn, rejected, paid;

static void setup(void)
{
	temp_dir_store(dir, sizeof dir, "/tmp/dvc-report-XXXXXX", path, sizeof path, "r.db");
	ck_ok(dvc_open(&db, path, NULL));
	dossier_store_init(db, test_clock);
	route_officers_add(db);
	ck_ok(dvc_payment_set_gateway(db, "vnpay", "s3cret"));

	/* Monday 2 March 2026, 09:00: T.000003 has 3 working days */
	clock_now = instant("2026-03-02T09:00:00+07:00");
	on_time = submit(P3, DVC_CHANNEL_ONLINE);
	late = submit(P3, DVC_CHANNEL_ONLINE);
	pending_ok = submit(P3, DVC_CHANNEL_COUNTER);
	pending_late = submit(P3, DVC_CHANNEL_POST);
	withdrawn = submit(P3, DVC_CHANNEL_ONLINE);
	rejected = submit(P3, DVC_CHANNEL_COUNTER);
	paid = submit(P4, DVC_CHANNEL_ONLINE);
	ck_ok(act(on_time.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(act(late.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(act(pending_late.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(act(rejected.code, DVC_ACT_REJECT, "le.tiep.nhan", "Không thuộc thẩm quyền"));
	ck_ok(act(paid.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	{
		dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
		dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
		char q[256], *signed_q;
		ck_ok(dvc_payment_request(db, paid.code, &req));
		snprintf(q, sizeof q, "vnp_Amount=%lld&vnp_ResponseCode=00&vnp_TxnRef=%s",
			 (long long)req.amount * 100, req.reference);
		ck_ok(dvc_payment_sign(q, "s3cret", &signed_q));
		ck_ok(dvc_payment_callback(db, signed_q, &res));
		dvc_free(signed_q);
	}
	dvc_action_req w = DVC_ACTION_INIT;
	w.action = DVC_ACT_WITHDRAW;
	w.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, withdrawn.secret};
	ck_ok(dvc_dossier_act(db, withdrawn.code, &w, NULL));

	/* Wednesday 09:00: exactly two working days after intake */
	clock_now = instant("2026-03-04T09:00:00+07:00");
	settle3(on_time.code);
	ck_ok(act(pending_ok.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	/* Friday 10:00: past the Thursday appointment */
	clock_now = instant("2026-03-06T10:00:00+07:00");
	settle3(late.code);
	ck_ok(act(on_time.code, DVC_ACT_RETURN, "le.tiep.nhan", NULL));
	{
		dvc_action_req r = DVC_ACTION_INIT;
		r.action = DVC_ACT_FORWARD;
		r.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
		ck_ok(dvc_dossier_act(db, paid.code, &r, NULL));
	}
	/* pending_ok was received Wednesday: due the next Monday 09:00 */
	clock_now = instant("2026-03-09T08:00:00+07:00");
}

static void teardown(void)
{
	dvc_close(db);
	temp_dir_remove(dir);
}

static dvc_report *report(dvc_report_group g)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	o.from = instant("2026-03-01T00:00:00+07:00");
	o.to = instant("2026-04-01T00:00:00+07:00");
	o.group = g;
	ck_ok(dvc_report_compute(db, &o, &r));
	return r;
}

static const dvc_report_row *row(const dvc_report *r, const char *key)
{
	for (size_t i = 0; i < dvc_report_count(r); i++)
		if (strcmp(dvc_report_at(r, i)->key, key) == 0)
			return dvc_report_at(r, i);
	ck_abort_msg("no row %s", key);
	return NULL;
}

START_TEST(totals_split_by_outcome)
{
	dvc_report *r = report(DVC_GROUP_NONE);
	const dvc_report_row *a;
	ck_assert_uint_eq(dvc_report_count(r), 1);
	a = dvc_report_at(r, 0);
	ck_assert_int_eq(a->received, 7);
	ck_assert_int_eq(a->received_online, 4);
	ck_assert_int_eq(a->received_counter, 2);
	ck_assert_int_eq(a->received_post, 1);
	ck_assert_int_eq(a->settled_on_time, 1);
	ck_assert_int_eq(a->settled_late, 1);
	ck_assert_int_eq(a->withdrawn, 1);
	ck_assert_int_eq(a->rejected, 1);
	/* pending: pending_ok (due Monday 09:00, now 08:00), pending_late (due Thursday), paid (8 h) */
	ck_assert_int_eq(a->pending_on_time, 1);
	ck_assert_int_eq(a->pending_overdue, 2);
	ck_assert_int_eq(a->returned, 1);
	ck_assert_int_eq(a->fee_due_count, 1);
	ck_assert_int_eq(a->paid_online_count, 1);
	ck_assert(a->on_time_rate > 0.49 && a->on_time_rate < 0.51);
	ck_assert(a->online_rate > 0.57 && a->online_rate < 0.58);
	/* on_time settled in 2 working days, late one in 4 days and 1 hour (4.133) */
	ck_assert_msg(a->avg_days_to_settle > 3.06 && a->avg_days_to_settle < 3.07, "avg %f p90 %f",
		      a->avg_days_to_settle, a->p90_days_to_settle);
	ck_assert(a->p90_days_to_settle > 4.13 && a->p90_days_to_settle < 4.14);
	dvc_report_free(r);
}
END_TEST

START_TEST(groupings_partition_the_total)
{
	static const dvc_report_group groups[] = {DVC_GROUP_SECTOR, DVC_GROUP_AGENCY,
		DVC_GROUP_PROCEDURE, DVC_GROUP_CHANNEL, DVC_GROUP_LEVEL, DVC_GROUP_MONTH};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		dvc_report *r = report(groups[g]);
		int64_t sum = 0;
		for (size_t i = 0; i < dvc_report_count(r); i++)
			sum += dvc_report_at(r, i)->received;
		ck_assert_int_eq(sum, 7);
		dvc_report_free(r);
	}
	dvc_report *r = report(DVC_GROUP_CHANNEL);
	ck_assert_int_eq(row(r, "online")->received, 4);
	ck_assert_str_eq(row(r, "counter")->label, "Trực tiếp");
	dvc_report_free(r);
	r = report(DVC_GROUP_SECTOR);
	ck_assert_int_eq(row(r, "TP")->received, 6);
	ck_assert_str_eq(row(r, "TNMT")->label, "Tài nguyên và Môi trường");
	dvc_report_free(r);
	r = report(DVC_GROUP_MONTH);
	ck_assert_int_eq(row(r, "2026-03")->received, 7);
	dvc_report_free(r);
}
END_TEST

static int64_t sql_count(const char *sql) { return store_value(path, sql); }

START_TEST(numbers_agree_with_hand_written_sql)
{
	dvc_report *r = report(DVC_GROUP_NONE);
	const dvc_report_row *a = dvc_report_at(r, 0);
	ck_assert_int_eq(a->received, sql_count("SELECT count(*) FROM dossier WHERE state <> 0"));
	ck_assert_int_eq(a->received_post, sql_count("SELECT count(*) FROM dossier WHERE channel = 2"));
	ck_assert_int_eq(a->settled_late,
			 sql_count("SELECT count(*) FROM dossier WHERE result_at > due_at"));
	ck_assert_int_eq(a->rejected, sql_count("SELECT count(*) FROM dossier WHERE state = 8"));
	dvc_report_free(r);
}
END_TEST

START_TEST(bottlenecks_show_who_holds_the_backlog)
{
	dvc_bottlenecks *b;
	int found = 0;
	ck_ok(dvc_report_bottlenecks(db, 0, &b));
	for (size_t i = 0; i < dvc_bottlenecks_count(b); i++) {
		const dvc_bottleneck_row *x = dvc_bottlenecks_at(b, i);
		if (strcmp(x->procedure, P3) == 0 && x->step == 0) {
			/* pending_ok (since Wed 09:00) and pending_late (since Mon 09:00) at the desk */
			ck_assert_int_eq(x->waiting, 2);
			ck_assert_str_eq(x->role, "reception");
			ck_assert_str_eq(x->unit_name, "Ủy ban nhân dân huyện Kiến Thụy");
			/* Mon 09:00 to the next Mon 08:00: 6 h + 4 x 7.5 h + 0.5 h */
			ck_assert_msg(x->max_dwell_hours > 36.49 && x->max_dwell_hours < 36.51,
				      "max %f", x->max_dwell_hours);
			/* median of 36.5 h and (Wed 09:00 .. Mon 08:00) 21.5 h, to 0.1 h */
			ck_assert_msg(x->median_dwell_hours > 21.49 && x->median_dwell_hours < 21.61,
				      "median %f", x->median_dwell_hours);
			found = 1;
		}
	}
	ck_assert(found);
	dvc_bottlenecks_free(b);
}
END_TEST

START_TEST(service_index_and_register_carry_no_personal_data)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_index_row *ix;
	size_t n;
	char *csv;
	size_t len, lines = 0;
	dvc_rating_req q = DVC_RATING_REQ_INIT;
	dvc_index_group_total t[DVC_INDEX_GROUPS];
	double total = 0;
	char *j;
	/* the one returned dossier is rated 5: satisfied */
	q.actor = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, on_time.secret};
	q.scores[DVC_CRIT_OVERALL] = 5;
	ck_ok(dvc_dossier_rate(db, on_time.code, &q));
	ck_ok(dvc_report_index(db, &o, &ix, &n));
	ck_assert_uint_eq(n, 9);
#define IX(i, c, g, num, den, comp, maxp, pts)                                               \
	do {                                                                                 \
		ck_assert_str_eq(ix[i].code, c);                                             \
		ck_assert_int_eq(ix[i].group, g);                                            \
		ck_assert_int_eq(ix[i].numerator, num);                                      \
		ck_assert_int_eq(ix[i].denominator, den);                                    \
		ck_assert_int_eq(ix[i].computable, comp);                                    \
		ck_assert_double_eq_tol(ix[i].max_points, maxp, 1e-9);                       \
		ck_assert_double_eq_tol(ix[i].points, pts, 1e-9);                            \
	} while (0)
	/* 7 dossiers: 2 settled (1 on time); 5 received, none with files; 1 returned,
	 * at the counter; 4 of 7 online; the one fee due paid online; 1 rating, satisfied */
	IX(0, "published_on_time", DVC_INDEX_PUBLICITY, 0, 0, 0, 4, 0);
	IX(1, "publicity_other", DVC_INDEX_PUBLICITY, 0, 0, 0, 14, 0);
	IX(2, "progress", DVC_INDEX_PROGRESS, 1, 2, 1, 20, 10);
	IX(3, "digitized_dossier", DVC_INDEX_DIGITIZATION, 0, 5, 1, 11, 0);
	IX(4, "digitized_result", DVC_INDEX_DIGITIZATION, 0, 1, 1, 11, 0);
	IX(5, "online", DVC_INDEX_ONLINE, 4, 7, 1, 11, 11.0 * 4 / 7);
	IX(6, "online_payment", DVC_INDEX_ONLINE, 1, 1, 1, 11, 11);
	IX(7, "satisfaction", DVC_INDEX_SATISFACTION, 1, 1, 1, 6, 6);
	IX(8, "satisfaction_other", DVC_INDEX_SATISFACTION, 0, 0, 0, 12, 0);
#undef IX
	ck_assert_int_eq(ix[2].max_points_confirmed, 1);
	ck_assert_int_eq(ix[3].max_points_confirmed, 0);
	ck_assert_ptr_nonnull(strstr(ix[0].formula, "not computable"));
	ck_ok(dvc_index_totals(ix, n, t));
	for (int g = 0; g < DVC_INDEX_GROUPS; g++)
		total += t[g].max_points;
	ck_assert_double_eq_tol(total, 100, 1e-9);
	ck_assert_str_eq(t[DVC_INDEX_ONLINE].code, "online");
	ck_assert_double_eq_tol(t[DVC_INDEX_ONLINE].points, 11 + 11.0 * 4 / 7, 1e-9);
	ck_assert_double_eq_tol(t[DVC_INDEX_ONLINE].computable_points, 22, 1e-9);
	ck_assert_double_eq_tol(t[DVC_INDEX_PUBLICITY].computable_points, 0, 1e-9);
	ck_assert_double_eq_tol(t[DVC_INDEX_SATISFACTION].computable_points, 6, 1e-9);
	ck_ok(dvc_index_json(ix, n, &j));
	ck_assert_ptr_nonnull(strstr(j, "\"not_computable\":[{\"code\":\"published_on_time\""));
	ck_assert_ptr_nonnull(strstr(j, "\"computable_points\":70"));
	dvc_free(j);
	dvc_free(ix);
	/* a rating made after "as of" is not counted */
	o.asof = instant("2026-03-09T07:00:00+07:00");
	ck_ok(dvc_report_index(db, &o, &ix, &n));
	ck_assert_int_eq(ix[7].denominator, 0);
	dvc_free(ix);
	o.asof = 0;
	ck_ok(dvc_report_register_csv(db, &o, &csv, &len));
	for (size_t i = 0; i < len; i++)
		lines += csv[i] == '\n';
	ck_assert_uint_eq(lines, 8); /* header + 7 dossiers */
	ck_assert_ptr_nonnull(strstr(csv, on_time.code));
	ck_assert_ptr_null(strstr(csv, "Bí Mật"));
	ck_assert_ptr_null(strstr(csv, "031099001234"));
	ck_assert_ptr_nonnull(strstr(csv, ",returned,yes"));
	dvc_free(csv);
}
END_TEST

START_TEST(reports_see_the_past_as_it_stood)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	const dvc_report_row *a;
	/* Thursday noon: on_time settled, late not yet (its result came Friday) */
	o.asof = instant("2026-03-05T12:00:00+07:00");
	ck_ok(dvc_report_compute(db, &o, &r));
	a = dvc_report_at(r, 0);
	ck_assert_int_eq(a->settled_on_time, 1);
	ck_assert_int_eq(a->settled_late, 0);
	ck_assert_int_eq(a->returned, 0);          /* returned on Friday */
	ck_assert_int_eq(a->pending_overdue, 3);   /* late, pending_late, paid */
	dvc_report_free(r);
}
END_TEST

/* The report counts a stopped clock by the working time it had left, not by
 * its appointment, from the moment it stopped: the rule both backends and
 * the in-process count of SQLite must keep. */
START_TEST(a_stopped_clock_counts_by_the_time_left)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	const dvc_report_row *a;
	/* pending_ok, due Monday 09:00: at 08:00 the specialist asks for a document */
	ck_ok(act(pending_ok.code, DVC_ACT_FORWARD, "le.tiep.nhan", NULL));
	ck_ok(act(pending_ok.code, DVC_ACT_REQUEST_SUPPLEMENT, "tran.chuyen.vien", "Bản sao giấy khai sinh"));
	o.from = instant("2026-03-01T00:00:00+07:00");
	o.to = instant("2026-04-01T00:00:00+07:00");
	/* a week on, its appointment is past, but its clock stands an hour short of it */
	o.asof = instant("2026-03-16T10:00:00+07:00");
	o.group = DVC_GROUP_CHANNEL;
	ck_ok(dvc_report_compute(db, &o, &r));
	a = row(r, "counter");
	ck_assert_int_eq(a->pending_on_time, 1);
	ck_assert_int_eq(a->pending_overdue, 0);
	a = row(r, "post"); /* pending_late: running, past its Thursday appointment */
	ck_assert_int_eq(a->pending_on_time, 0);
	ck_assert_int_eq(a->pending_overdue, 1);
	dvc_report_free(r);
	/* as of before the stop it is judged by its appointment: Monday 07:00, on time */
	o.asof = instant("2026-03-09T07:00:00+07:00");
	o.group = DVC_GROUP_NONE;
	ck_ok(dvc_report_compute(db, &o, &r));
	a = dvc_report_at(r, 0);
	ck_assert_int_eq(a->pending_on_time, 1);
	ck_assert_int_eq(a->pending_overdue, 2);
	dvc_report_free(r);
}
END_TEST

/* Dossiers settled after more than a hundred working days, each later
 * than the one before: the in-process count's buckets grow past half of
 * dvc__pct's 4,096 (at 0.05 days each) and must stop at its size (the
 * sanitizer build catches an overrun); the 90th percentile is the longest. */
START_TEST(long_settlements_keep_the_percentile)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	const dvc_report_row *a;
	dvc_receipt x = submit(P3, DVC_CHANNEL_ONLINE), y = submit(P3, DVC_CHANNEL_ONLINE);
	ck_ok(act(x.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	ck_ok(act(y.code, DVC_ACT_RECEIVE, "le.tiep.nhan", NULL));
	clock_now = instant("2026-08-24T09:00:00+07:00");
	settle3(x.code);
	clock_now = instant("2026-08-26T15:00:00+07:00");
	settle3(y.code);
	o.from = instant("2026-03-01T00:00:00+07:00");
	o.to = instant("2026-04-01T00:00:00+07:00");
	o.asof = clock_now;
	o.group = DVC_GROUP_SECTOR;
	ck_ok(dvc_report_compute(db, &o, &r));
	a = row(r, "TP");
	ck_assert_int_eq(a->settled_on_time + a->settled_late, 4);
	/* 2 and 4.13 days, and two of more than 102.4 (bucket 2,048), the second longer */
	ck_assert_msg(a->p90_days_to_settle > 102.4 && a->p90_days_to_settle < 204.8, "p90 %f",
		      a->p90_days_to_settle);
	ck_assert_msg(a->avg_days_to_settle > (2 + 4.13 + 2 * 102.4) / 4 &&
			      a->avg_days_to_settle < a->p90_days_to_settle,
		      "avg %f", a->avg_days_to_settle);
	dvc_report_free(r);
}
END_TEST

static int count_lines(void *ctx, const char *data, size_t len)
{
	size_t *lines = ctx;
	for (size_t i = 0; i < len; i++)
		*lines += data[i] == '\n';
	return 0;
}

static int stop_early(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 42;
}

START_TEST(register_streams_through_a_callback)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	size_t lines = 0;
	ck_ok(dvc_report_register_write(db, &o, count_lines, &lines));
	ck_assert_uint_eq(lines, 8);
	ck_dvc(dvc_report_register_write(db, &o, stop_early, NULL), DVC_EUSER); /* never the callback's 42 */
	ck_dvc(dvc_report_register_write(db, &o, NULL, NULL), DVC_EINVAL);
}
END_TEST

START_TEST(bad_report_options_are_refused)
{
	dvc_report_opts o = DVC_REPORT_OPTS_INIT;
	dvc_report *r;
	dvc_report_group g;
	o.version = 7;
	ck_dvc(dvc_report_compute(db, &o, &r), DVC_EINVAL);
	o = (dvc_report_opts)DVC_REPORT_OPTS_INIT;
	o.from = 100;
	o.to = 50;
	ck_dvc(dvc_report_compute(db, &o, &r), DVC_EINVAL);
	o = (dvc_report_opts)DVC_REPORT_OPTS_INIT;
	o.group = (dvc_report_group)42;
	ck_dvc(dvc_report_compute(db, &o, &r), DVC_EINVAL);
	ck_dvc(dvc_report_group_parse("weekday", &g), DVC_EINVAL);
	ck_ok(dvc_report_group_parse("sector", &g));
	ck_assert_int_eq(g, DVC_GROUP_SECTOR);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		totals_split_by_outcome, groupings_partition_the_total,
		numbers_agree_with_hand_written_sql, bottlenecks_show_who_holds_the_backlog,
		service_index_and_register_carry_no_personal_data, bad_report_options_are_refused,
		reports_see_the_past_as_it_stood, register_streams_through_a_callback,
		a_stopped_clock_counts_by_the_time_left, long_settlements_keep_the_percentile, NULL};
	return run_tests("report", setup, teardown, 120, tests);
}
