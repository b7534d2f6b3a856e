/*
 * Working-time calendar: proves the shipped 2018-2026 schedules (Tết and
 * National Day breaks, swapped Saturdays), the statutory rules with
 * compensatory days for years without a schedule, deadline and hour
 * arithmetic around lunch, closing time, weekends and holiday breaks,
 * end-of-day rounding, instant parsing, and that every kind of bad input
 * gets its own error code and leaves the calendar unchanged.
 */
#include "testutil.h"

#include "dvc/calendar.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Local (UTC+7) instant. */
static dvc_time at(int y, int mo, int d, int h, int mi)
{
	dvc_time t;
	ck_assert_int_eq(dvc_time_from_local((dvc_date){y, mo, d}, h, mi, 0, &t), DVC_OK);
	return t;
}

static dvc_day_info day(int y, int m, int d)
{
	dvc_day_info info = DVC_DAY_INFO_INIT;
	ck_assert_int_eq(dvc_calendar_day(test_cal, (dvc_date){y, m, d}, &info), DVC_OK);
	return info;
}

static int working(int y, int m, int d)
{
	return day(y, m, d).working;
}

static void assert_time(dvc_time got, dvc_time want)
{
	char g[DVC_TIME_FORMAT_SIZE], w[DVC_TIME_FORMAT_SIZE];
	dvc_time_format(got, g, sizeof g);
	dvc_time_format(want, w, sizeof w);
	ck_assert_msg(got == want, "got %s, want %s", g, w);
}

/* One move of an instant on a calendar: `n` working days, hours or minutes
 * added to `from`, or (NEXT, n unused) the next working instant from it,
 * is `want` (year, month, day, hour, minute local). */
typedef enum move_kind { DAYS, HOURS, MINUTES, NEXT } move_kind;
typedef struct move {
	move_kind kind;
	int from[5], n, want[5];
} move;

/* Each of `moves` (ending with {0, {0}}: a zero year) on calendar `c`; a
 * failure names the move's row. */
static void ck_moves(const dvc_calendar *c, const move *m)
{
	for (int row = 0; m->from[0]; m++, row++) {
		dvc_time from = at(m->from[0], m->from[1], m->from[2], m->from[3], m->from[4]), out;
		dvc_time want = at(m->want[0], m->want[1], m->want[2], m->want[3], m->want[4]);
		char g[DVC_TIME_FORMAT_SIZE], w[DVC_TIME_FORMAT_SIZE];
		int rc = m->kind == DAYS      ? dvc_calendar_add_days(c, from, m->n, &out)
			 : m->kind == HOURS   ? dvc_calendar_add_hours(c, from, m->n, &out)
			 : m->kind == MINUTES ? dvc_calendar_add_minutes(c, from, m->n, &out)
					      : dvc_calendar_next_working(c, from, &out);
		ck_assert_msg(rc == DVC_OK, "row %d: %s", row, dvc_status_name(rc));
		dvc_time_format(out, g, sizeof g);
		dvc_time_format(want, w, sizeof w);
		ck_assert_msg(out == want, "row %d: got %s, want %s", row, g, w);
	}
}

/* Every day of [from, to] is off, and the working days around it are not. */
static void assert_break(int y, int m1, int d1, int m2, int d2, int before_m, int before_d,
			 int after_m, int after_d)
{
	dvc_date a = {y, m1, d1}, b = {y, m2, d2};
	for (dvc_date d = a;;) {
		ck_assert_msg(!working(d.year, d.month, d.day), "%04d-%02d-%02d should be off",
			      d.year, d.month, d.day);
		if (d.month == b.month && d.day == b.day)
			break;
		d.day++;
		if (d.day > 31 || (d.day > 28 && dvc_calendar_day(test_cal, d, &(dvc_day_info)DVC_DAY_INFO_INIT) != DVC_OK)) {
			d.day = 1;
			d.month++;
		}
	}
	ck_assert_msg(working(y, before_m, before_d), "%d-%02d-%02d should be working", y, before_m, before_d);
	ck_assert_msg(working(y, after_m, after_d), "%d-%02d-%02d should be working", y, after_m, after_d);
}

START_TEST(shipped_schedules_tet_and_national_day)
{
	/* year, Tết break, last working day before, first after; then 2 September */
	static const int cases[][17] = {
		{2018, 2, 14, 2, 20, 2, 13, 2, 21, 9, 1, 9, 3, 8, 31, 9, 4},
		{2019, 2, 2, 2, 10, 2, 1, 2, 11, 8, 31, 9, 2, 8, 30, 9, 3},
		{2020, 1, 23, 1, 29, 1, 22, 1, 30, 9, 2, 9, 2, 9, 1, 9, 3},
		{2021, 2, 10, 2, 16, 2, 9, 2, 17, 9, 2, 9, 5, 9, 1, 9, 6},
		{2022, 1, 29, 2, 6, 1, 28, 2, 7, 9, 1, 9, 4, 8, 31, 9, 5},
		{2023, 1, 20, 1, 26, 1, 19, 1, 27, 9, 1, 9, 4, 8, 31, 9, 5},
		{2024, 2, 8, 2, 14, 2, 7, 2, 15, 8, 31, 9, 3, 8, 30, 9, 4},
		{2025, 1, 25, 2, 2, 1, 24, 2, 3, 8, 30, 9, 2, 8, 29, 9, 3},
		{2026, 2, 14, 2, 22, 2, 13, 2, 23, 8, 29, 9, 2, 8, 28, 9, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const int *c = cases[i];
		const char *src = NULL;
		assert_break(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
		assert_break(c[0], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[16]);
		ck_assert_int_eq(dvc_calendar_schedule_source(test_cal, c[0], &src), DVC_OK);
		ck_assert_ptr_nonnull(src);
	}
	/* names and kinds */
	ck_assert_int_eq(day(2026, 2, 17).kind, DVC_DAY_HOLIDAY);
	ck_assert_str_eq(day(2026, 2, 17).name, "Tết Nguyên đán");
	ck_assert_str_eq(day(2025, 9, 2).name, "Quốc khánh");
	ck_assert_int_eq(day(2025, 5, 2).kind, DVC_DAY_OFF);
	ck_assert_int_eq(day(2023, 1, 2).kind, DVC_DAY_COMPENSATORY);
	/* swapped working Saturdays */
	static const int sat[][3] = {{2019, 1, 5}, {2019, 5, 4}, {2024, 5, 4}, {2025, 4, 26},
				     {2026, 1, 10}, {2026, 8, 22}};
	for (size_t i = 0; i < sizeof sat / sizeof sat[0]; i++) {
		dvc_day_info d = day(sat[i][0], sat[i][1], sat[i][2]);
		ck_assert_int_eq(d.kind, DVC_DAY_SWAPPED_WORKING);
		ck_assert(d.working);
		ck_assert_ptr_nonnull(d.name);
	}
	/* 30/4-1/5 breaks */
	assert_break(2024, 4, 27, 5, 1, 4, 26, 5, 2);
	assert_break(2025, 4, 30, 5, 4, 4, 29, 5, 5);
	assert_break(2023, 4, 29, 5, 3, 4, 28, 5, 4);
	/* an ordinary weekend and working day */
	ck_assert_int_eq(day(2026, 3, 7).kind, DVC_DAY_WEEKEND);
	ck_assert_str_eq(day(2026, 3, 7).name, "Thứ Bảy");
	ck_assert_int_eq(day(2026, 3, 9).kind, DVC_DAY_WORKING);
	ck_assert_ptr_null(day(2026, 3, 9).name);
}
END_TEST

START_TEST(rules_apply_without_a_schedule)
{
	const char *src = (const char *)1;
	ck_assert_int_eq(dvc_calendar_schedule_source(test_cal, 2033, &src), DVC_OK);
	ck_assert_ptr_null(src);
	/* 2033: 30 April is a Saturday, 1 May a Sunday: Monday and Tuesday are off */
	ck_assert_int_eq(day(2033, 4, 30).kind, DVC_DAY_HOLIDAY);
	ck_assert_int_eq(day(2033, 5, 2).kind, DVC_DAY_COMPENSATORY);
	ck_assert_str_eq(day(2033, 5, 2).name, "Nghỉ bù Ngày Chiến thắng");
	ck_assert_int_eq(day(2033, 5, 3).kind, DVC_DAY_COMPENSATORY);
	ck_assert_str_eq(day(2033, 5, 3).name, "Nghỉ bù Quốc tế Lao động");
	ck_assert(working(2033, 5, 4));
	/* 2027: Tết Saturday 6 Feb: 5 Feb + 6-9 Feb, the weekend compensated on 10-11 Feb */
	assert_break(2027, 2, 5, 2, 11, 2, 4, 2, 12);
	ck_assert_int_eq(day(2027, 2, 10).kind, DVC_DAY_COMPENSATORY);
	/* 2027: 2 September is a Thursday; the adjacent day is Friday 3 September */
	ck_assert_int_eq(day(2027, 9, 3).kind, DVC_DAY_HOLIDAY);
	ck_assert(working(2027, 9, 1));
	/* before 2021 National Day is one day; Hùng Kings' day only from 2007 */
	ck_assert(working(2015, 9, 1) && working(2015, 9, 3));
	ck_assert_int_eq(day(2015, 9, 2).kind, DVC_DAY_HOLIDAY);
	{
		dvc_lunar_date hung = {2006, 3, 10, 0};
		dvc_date d;
		ck_assert_int_eq(dvc_lunar_to_solar(hung, &d), DVC_OK);
		ck_assert_int_eq(day(d.year, d.month, d.day).kind == DVC_DAY_HOLIDAY, 0);
		hung.year = 2030;
		ck_assert_int_eq(dvc_lunar_to_solar(hung, &d), DVC_OK);
		ck_assert_str_eq(day(d.year, d.month, d.day).name, "Giỗ Tổ Hùng Vương");
	}
}
END_TEST

START_TEST(deadlines_in_days)
{
	static const move moves[] = {
		/* 10:15 + 3 working days = 10:15 three working days later */
		{DAYS, {2026, 3, 2, 10, 15}, 3, {2026, 3, 5, 10, 15}},
		/* over a weekend */
		{DAYS, {2026, 3, 5, 10, 15}, 2, {2026, 3, 9, 10, 15}},
		/* straddling Tết 2026 (14-22 Feb off) */
		{DAYS, {2026, 2, 12, 10, 0}, 3, {2026, 2, 24, 10, 0}},
		/* straddling 30/4-1/5 2025 (30 Apr-4 May off), and the working Saturday before it */
		{DAYS, {2025, 4, 29, 9, 0}, 2, {2025, 5, 6, 9, 0}},
		{DAYS, {2025, 4, 25, 9, 0}, 1, {2025, 4, 26, 9, 0}},
		/* straddling 2/9 2025 (30 Aug-2 Sep off) */
		{DAYS, {2025, 8, 29, 14, 0}, 1, {2025, 9, 3, 14, 0}},
		/* received after closing: counting starts next morning, due at closing time */
		{DAYS, {2026, 3, 2, 18, 0}, 1, {2026, 3, 3, 17, 0}},
		/* received on a holiday */
		{DAYS, {2026, 2, 17, 9, 0}, 1, {2026, 2, 23, 17, 0}},
		/* zero and negative */
		{DAYS, {2026, 3, 2, 10, 15}, 0, {2026, 3, 2, 10, 15}},
		{DAYS, {2026, 3, 9, 10, 15}, -1, {2026, 3, 6, 10, 15}},
		{0, {0}, 0, {0}},
	};
	ck_moves(test_cal, moves);
}
END_TEST

START_TEST(deadline_rounded_to_end_of_day)
{
	static const move moves[] = {
		{DAYS, {2026, 3, 2, 10, 15}, 3, {2026, 3, 5, 17, 0}},
		{DAYS, {2026, 2, 12, 8, 0}, 2, {2026, 2, 23, 17, 0}},
		{DAYS, {2026, 3, 2, 18, 0}, 1, {2026, 3, 3, 17, 0}},
		{0, {0}, 0, {0}},
	};
	dvc_calendar_opts o = DVC_CALENDAR_OPTS_INIT;
	dvc_calendar *c;
	o.round_to_end_of_day = 1;
	ck_assert_int_eq(dvc_calendar_new(&c, &o), DVC_OK);
	ck_moves(c, moves);
	dvc_calendar_free(c);
}
END_TEST

START_TEST(hours_around_lunch_and_closing)
{
	static const move moves[] = {
		{HOURS, {2026, 3, 2, 11, 0}, 1, {2026, 3, 2, 14, 0}},
		{HOURS, {2026, 3, 2, 16, 30}, 1, {2026, 3, 3, 8, 0}},
		{HOURS, {2026, 3, 2, 16, 0}, 1, {2026, 3, 2, 17, 0}},
		{HOURS, {2026, 3, 6, 16, 30}, 1, {2026, 3, 9, 8, 0}}, /* Friday -> Monday */
		{HOURS, {2026, 3, 2, 18, 0}, 1, {2026, 3, 3, 8, 30}},
		{MINUTES, {2026, 3, 2, 12, 0}, 30, {2026, 3, 2, 14, 0}},
		{HOURS, {2026, 3, 3, 8, 0}, -1, {2026, 3, 2, 16, 30}},
		{HOURS, {2026, 3, 2, 14, 0}, -1, {2026, 3, 2, 11, 0}},
		/* next working instant */
		{NEXT, {2026, 3, 2, 18, 0}, 0, {2026, 3, 3, 7, 30}},
		{NEXT, {2026, 3, 2, 12, 0}, 0, {2026, 3, 2, 13, 30}},
		{NEXT, {2026, 3, 2, 10, 0}, 0, {2026, 3, 2, 10, 0}},
		{NEXT, {2026, 2, 13, 17, 0}, 0, {2026, 2, 23, 7, 30}},
		{0, {0}, 0, {0}},
	};
	int64_t secs;
	ck_moves(test_cal, moves);
	/* working time between */
	ck_assert_int_eq(dvc_calendar_between(test_cal, at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0), &secs), DVC_OK);
	ck_assert_int_eq(secs, 3600);
	ck_assert_int_eq(dvc_calendar_between(test_cal, at(2026, 3, 2, 10, 15), at(2026, 3, 5, 10, 15), &secs), DVC_OK);
	ck_assert_int_eq(secs, 3 * dvc_calendar_day_seconds(test_cal));
	ck_assert_int_eq(dvc_calendar_between(test_cal, at(2026, 3, 5, 10, 15), at(2026, 3, 2, 10, 15), &secs), DVC_OK);
	ck_assert_int_eq(secs, -3 * 27000);
	ck_assert_int_eq(dvc_calendar_between(test_cal, at(2026, 2, 13, 17, 0), at(2026, 2, 23, 7, 30), &secs), DVC_OK);
	ck_assert_int_eq(secs, 0);
}
END_TEST

START_TEST(instants_parse_and_format)
{
	dvc_time t;
	char buf[DVC_TIME_FORMAT_SIZE];
	ck_assert_int_eq(dvc_time_parse("2026-03-02T10:15:00+07:00", &t), DVC_OK);
	assert_time(t, at(2026, 3, 2, 10, 15));
	ck_assert_int_eq(dvc_time_parse("2026-03-02T03:15Z", &t), DVC_OK);
	assert_time(t, at(2026, 3, 2, 10, 15));
	ck_assert_int_eq(dvc_time_parse("2026-03-02T05:15:00.250+0200", &t), DVC_OK);
	assert_time(t, at(2026, 3, 2, 10, 15));
	ck_assert_int_eq(dvc_time_format(t, buf, sizeof buf), DVC_OK);
	ck_assert_str_eq(buf, "2026-03-02T10:15:00+07:00");
	ck_assert_int_eq(dvc_time_format(t, buf, 10), DVC_EINVAL);
	ck_assert_int_eq(dvc_time_parse("2026-03-02T10:15:00", &t), DVC_EDATE);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "no UTC offset"));
	ck_assert_int_eq(dvc_time_parse("2026-02-30T10:15:00+07:00", &t), DVC_EDATE);
	ck_assert_int_eq(dvc_time_parse("2026-03-02T24:00:00Z", &t), DVC_EDATE);
	ck_assert_int_eq(dvc_time_parse("yesterday", &t), DVC_EDATE);
	ck_assert_int_eq(dvc_time_parse("2026-03-02T10:15:00+07:00junk", &t), DVC_EDATE);
}
END_TEST

static const char *GOOD_2027 =
	"{\"format\":\"dvc-calendar-schedule\",\"format_version\":1,\"year\":2027,"
	"\"source\":\"test\",\"days_off\":[{\"date\":\"2027-03-08\",\"name\":\"Nghỉ thử\",\"kind\":\"off\"}],"
	"\"working_days\":[{\"date\":\"2027-03-13\",\"name\":\"Làm bù\"}]}";

static void assert_2027_override(void)
{
	ck_assert_int_eq(day(2027, 3, 8).kind, DVC_DAY_OFF);
	ck_assert_str_eq(day(2027, 3, 8).name, "Nghỉ thử");
	ck_assert_int_eq(day(2027, 3, 13).kind, DVC_DAY_SWAPPED_WORKING);
	ck_assert(working(2027, 2, 9)); /* the schedule replaced the Tết rules */
	ck_assert_int_eq(day(2024, 5, 4).kind, DVC_DAY_SWAPPED_WORKING);
}

static void bad(const char *json, int code, const char *path)
{
	ck_assert_int_eq(dvc_calendar_load_schedule(test_cal, json, strlen(json)), code);
	if (path) {
		ck_assert_ptr_nonnull(dvc_error_last()->path);
		ck_assert_str_eq(dvc_error_last()->path, path);
	}
	assert_2027_override();
}

#define HEAD "{\"format\":\"dvc-calendar-schedule\",\"format_version\":1,\"year\":2027,\"source\":\"x\","

START_TEST(bad_schedules_change_nothing)
{
	dvc_time out;
	ck_assert_int_eq(dvc_calendar_load_schedule(test_cal, GOOD_2027, strlen(GOOD_2027)), DVC_OK);
	assert_2027_override();
	bad("{\"format\":", DVC_EPARSE, NULL);
	bad("[1,2]", DVC_ESCHEMA, NULL);
	bad(HEAD "\"days_off\":[],\"working_days\":[],\"bogus\":1}", DVC_ESCHEMA, "bogus");
	bad(HEAD "\"days_off\":[{\"date\":\"2027-01-01\",\"name\":\"a\"},{\"date\":\"2027-02-30\",\"name\":\"b\"}],"
		 "\"working_days\":[]}", DVC_ESCHEMA, "days_off[1].date");
	bad(HEAD "\"days_off\":[{\"date\":\"2026-12-31\",\"name\":\"a\"}],\"working_days\":[]}",
	    DVC_ESCHEMA, "days_off[0].date");
	bad(HEAD "\"days_off\":[{\"date\":\"2027-01-01\",\"name\":\"a\"},{\"date\":\"2027-01-01\",\"name\":\"b\"}],"
		 "\"working_days\":[]}", DVC_ESCHEMA, "days_off[1].date");
	bad(HEAD "\"days_off\":[{\"date\":\"2027-01-02\",\"name\":\"a\"}],"
		 "\"working_days\":[{\"date\":\"2027-01-02\",\"name\":\"b\"}]}", DVC_ESCHEMA, "working_days[0].date");
	bad(HEAD "\"days_off\":[{\"date\":\"2027-01-02\",\"name\":\"a\",\"kind\":\"party\"}],"
		 "\"working_days\":[]}", DVC_ESCHEMA, "days_off[0].kind");
	bad(HEAD "\"days_off\":[{\"date\":\"2027-01-02\"}],\"working_days\":[]}", DVC_ESCHEMA, "days_off[0].name");
	bad(HEAD "\"working_days\":[]}", DVC_ESCHEMA, "days_off");
	bad("{\"format\":\"dvc-calendar-schedule\",\"format_version\":2,\"year\":2027,\"source\":\"x\","
	    "\"days_off\":[],\"working_days\":[]}", DVC_EVERSION, "format_version");
	bad("{\"format\":\"dvc-calendar-schedule\",\"format_version\":1,\"year\":2300,\"source\":\"x\","
	    "\"days_off\":[],\"working_days\":[]}", DVC_ERANGE, "year");
	ck_assert_int_eq(dvc_calendar_load_schedule_file(test_cal, "/nonexistent/2027.json"), DVC_EIO);
	assert_2027_override();
	/* other bad input */
	{
		dvc_day_info info = DVC_DAY_INFO_INIT;
		ck_assert_int_eq(dvc_calendar_day(test_cal, (dvc_date){2026, 2, 30}, &info), DVC_EDATE);
		ck_assert_int_eq(dvc_calendar_day(test_cal, (dvc_date){2200, 1, 1}, &info), DVC_ERANGE);
		ck_assert_int_eq(dvc_calendar_add_days(test_cal, at(2300, 1, 1, 9, 0), 1, &out), DVC_ERANGE);
		ck_assert_int_eq(dvc_calendar_add_days(test_cal, at(2199, 12, 30, 9, 0), 10, &out), DVC_ERANGE);
	}
	/* clearing the override restores the rules */
	ck_assert_int_eq(dvc_calendar_clear_schedule(test_cal, 2027), DVC_OK);
	ck_assert(working(2027, 3, 8));
	ck_assert(!working(2027, 2, 9));
}
END_TEST

START_TEST(special_days_and_options)
{
	dvc_day_info *days;
	size_t n, swapped = 0, off = 0;
	dvc_calendar_opts o = DVC_CALENDAR_OPTS_INIT;
	dvc_calendar *c;
	ck_assert_int_eq(dvc_calendar_special_days(test_cal, 2025, &days, &n), DVC_OK);
	ck_assert_uint_gt(n, 10);
	for (size_t i = 0; i < n; i++) {
		swapped += days[i].kind == DVC_DAY_SWAPPED_WORKING;
		off += !days[i].working;
		if (i)
			ck_assert(days[i - 1].date.month < days[i].date.month ||
				  (days[i - 1].date.month == days[i].date.month &&
				   days[i - 1].date.day < days[i].date.day));
	}
	ck_assert_uint_eq(swapped, 1);
	ck_assert_uint_eq(off, n - 1);
	dvc_free(days);
	ck_assert_int_eq(dvc_calendar_special_days(test_cal, 1899, &days, &n), DVC_ERANGE);
	/* options */
	o.am_end = 400;
	ck_assert_int_eq(dvc_calendar_new(&c, &o), DVC_EINVAL);
	o = (dvc_calendar_opts)DVC_CALENDAR_OPTS_INIT;
	o.rest_days = 0x7f;
	ck_assert_int_eq(dvc_calendar_new(&c, &o), DVC_EINVAL);
	o = (dvc_calendar_opts)DVC_CALENDAR_OPTS_INIT;
	o.version = 99;
	ck_assert_int_eq(dvc_calendar_new(&c, &o), DVC_EINVAL);
	/* Sunday-only rest, no built-in schedules, 08:00-12:00 + 13:00-17:00 */
	o = (dvc_calendar_opts)DVC_CALENDAR_OPTS_INIT;
	o.rest_days = 1u << 0;
	o.builtin_schedules = 0;
	o.am_start = 480; o.am_end = 720; o.pm_start = 780; o.pm_end = 1020;
	ck_assert_int_eq(dvc_calendar_new(&c, &o), DVC_OK);
	{
		dvc_day_info info = DVC_DAY_INFO_INIT;
		dvc_time out;
		ck_assert_int_eq(dvc_calendar_day(c, (dvc_date){2026, 3, 7}, &info), DVC_OK);
		ck_assert(info.working);
		ck_assert_int_eq(dvc_calendar_day_seconds(c), 8 * 3600);
		ck_assert_int_eq(dvc_calendar_add_hours(c, at(2026, 3, 7, 16, 0), 2, &out), DVC_OK);
		assert_time(out, at(2026, 3, 9, 9, 0));
	}
	dvc_calendar_free(c);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		shipped_schedules_tet_and_national_day, rules_apply_without_a_schedule, deadlines_in_days,
		deadline_rounded_to_end_of_day, hours_around_lunch_and_closing, instants_parse_and_format,
		bad_schedules_change_nothing, special_days_and_options, NULL};
	return run_tests("calendar", calendar_setup, calendar_teardown, 0, tests);
}
