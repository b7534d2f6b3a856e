/* dvc calendar: lunar conversion, holidays, working-time arithmetic.
 *
 *   dvc calendar lunar DATE                  solar -> lunar
 *   dvc calendar solar LUNAR-DATE [--leap]   lunar -> solar
 *   dvc calendar day DATE                    working day or why not
 *   dvc calendar holidays YEAR               a year's days off and swaps
 *   dvc calendar add INSTANT N(d|h|m) [--end-of-day]
 *   dvc calendar between INSTANT INSTANT
 * Every command takes --schedule FILE (load an override first). */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	return cli_fail("usage: dvc calendar lunar DATE | solar LUNAR-DATE [--leap] | day DATE | "
			"holidays YEAR | add INSTANT N(d|h|m) [--end-of-day] | between INSTANT INSTANT "
			"[--schedule FILE]");
}

/* The one DATE argument of lunar, solar and day: 0, or 1 after printing why. */
static int date_arg(int argc, char **argv, dvc_date *d)
{
	if (argc != 2)
		return usage();
	return dvc_date_parse(argv[1], d) == DVC_OK ? 0 : cli_fail_lib("date");
}

static void date_str(dvc_date d, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
}

/* {"lunar": {"year", "month", "day", "leap"}, "solar": "YYYY-MM-DD"}: both
 * conversions answer with the pair. */
static cJSON *pair_json(const dvc_lunar_date *l, const char *solar)
{
	cJSON *o = cJSON_CreateObject(), *lo = cJSON_AddObjectToObject(o, "lunar");
	cJSON_AddNumberToObject(lo, "year", l->year);
	cJSON_AddNumberToObject(lo, "month", l->month);
	cJSON_AddNumberToObject(lo, "day", l->day);
	cJSON_AddBoolToObject(lo, "leap", l->leap);
	cJSON_AddStringToObject(o, "solar", solar);
	return o;
}

static int cmd_lunar(int argc, char **argv, bool json)
{
	dvc_date d;
	dvc_lunar_date l;
	char ds[16];
	if (date_arg(argc, argv, &d))
		return 1;
	if (dvc_lunar_from_solar(d, &l) != DVC_OK)
		return cli_fail_lib("lunar");
	date_str(d, ds);
	if (json) {
		cJSON *o = pair_json(&l, ds);
		cJSON_AddStringToObject(o, "year_name", dvc_lunar_year_name(l.year));
		return cli_emit_json(o);
	}
	printf("%s = ngày %d tháng %d%s năm %s (%d) âm lịch\n", ds, l.day, l.month,
	       l.leap ? " nhuận" : "", dvc_lunar_year_name(l.year), l.year);
	return 0;
}

static int cmd_solar(int argc, char **argv, bool json)
{
	bool leap = cli_flag(&argc, argv, "--leap");
	dvc_date d, s;
	dvc_lunar_date l;
	char ds[16];
	if (date_arg(argc, argv, &d))
		return 1;
	l = (dvc_lunar_date){d.year, d.month, d.day, leap};
	if (dvc_lunar_to_solar(l, &s) != DVC_OK)
		return cli_fail_lib("solar");
	date_str(s, ds);
	if (json)
		return cli_emit_json(pair_json(&l, ds));
	printf("ngày %d tháng %d%s năm %s (%d) âm lịch = %s\n", l.day, l.month, leap ? " nhuận" : "",
	       dvc_lunar_year_name(l.year), l.year, ds);
	return 0;
}

static cJSON *day_json(const dvc_day_info *i)
{
	char ds[16];
	cJSON *o = cJSON_CreateObject();
	date_str(i->date, ds);
	cJSON_AddStringToObject(o, "date", ds);
	cJSON_AddStringToObject(o, "kind", dvc_day_kind_name(i->kind));
	cJSON_AddBoolToObject(o, "working", i->working);
	if (i->name)
		cJSON_AddStringToObject(o, "name", i->name);
	else
		cJSON_AddNullToObject(o, "name");
	return o;
}

static void day_line(const dvc_day_info *i)
{
	char ds[16];
	date_str(i->date, ds);
	printf("%s  %-15s %-11s %s\n", ds, dvc_day_kind_name(i->kind),
	       i->working ? "working" : "off", i->name ? i->name : "");
}

static int cmd_day(dvc_calendar *cal, int argc, char **argv, bool json)
{
	dvc_date d;
	dvc_day_info info = DVC_DAY_INFO_INIT;
	if (date_arg(argc, argv, &d))
		return 1;
	if (dvc_calendar_day(cal, d, &info) != DVC_OK)
		return cli_fail_lib("day");
	if (json)
		return cli_emit_json(day_json(&info));
	day_line(&info);
	return 0;
}

static int cmd_holidays(dvc_calendar *cal, int argc, char **argv, bool json)
{
	char *end;
	long year;
	dvc_day_info *days;
	const char *source = NULL;
	size_t n;
	if (argc != 2)
		return usage();
	errno = 0;
	year = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || year < -99999 || year > 99999)
		return cli_fail("'%s' is not a year", argv[1]);
	if (dvc_calendar_special_days(cal, (int)year, &days, &n) != DVC_OK ||
	    dvc_calendar_schedule_source(cal, (int)year, &source) != DVC_OK)
		return cli_fail_lib("holidays");
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		cJSON_AddNumberToObject(o, "year", (double)year);
		if (source)
			cJSON_AddStringToObject(o, "source", source);
		else
			cJSON_AddStringToObject(o, "source", "statutory rules");
		arr = cJSON_AddArrayToObject(o, "days");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, day_json(&days[i]));
		dvc_free(days);
		return cli_emit_json(o);
	}
	printf("%ld: %s\n", year, source ? source : "statutory rules (no official schedule loaded)");
	for (size_t i = 0; i < n; i++)
		day_line(&days[i]);
	dvc_free(days);
	return 0;
}

static int parse_instant(const char *s, dvc_time *t)
{
	if (dvc_time_parse(s, t) != DVC_OK)
		return cli_fail_lib("instant");
	return 0;
}

static int cmd_add(dvc_calendar *cal, int argc, char **argv, bool json)
{
	dvc_time start, out;
	char *end, a[DVC_TIME_FORMAT_SIZE], b[DVC_TIME_FORMAT_SIZE];
	long n;
	int rc;
	const char *unit;
	if (argc != 3)
		return usage();
	if (parse_instant(argv[1], &start))
		return 1;
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || end == argv[2] || (strcmp(end, "d") && strcmp(end, "h") && strcmp(end, "m")) ||
	    n < -1000000 || n > 1000000)
		return cli_fail("'%s' is not an amount like 3d, 8h or 90m", argv[2]);
	if (*end == 'd') {
		rc = dvc_calendar_add_days(cal, start, (int)n, &out);
		unit = "days";
	} else if (*end == 'h') {
		rc = dvc_calendar_add_hours(cal, start, n, &out);
		unit = "hours";
	} else {
		rc = dvc_calendar_add_minutes(cal, start, n, &out);
		unit = "minutes";
	}
	if (rc != DVC_OK)
		return cli_fail_lib("add");
	dvc_time_format(start, a, sizeof a);
	dvc_time_format(out, b, sizeof b);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "start", a);
		cJSON_AddNumberToObject(o, "amount", (double)n);
		cJSON_AddStringToObject(o, "unit", unit);
		cJSON_AddStringToObject(o, "result", b);
		return cli_emit_json(o);
	}
	printf("%s + %ld working %s = %s\n", a, n, unit, b);
	return 0;
}

static int cmd_between(dvc_calendar *cal, int argc, char **argv, bool json)
{
	dvc_time t1, t2;
	int64_t secs, mag;
	char a[DVC_TIME_FORMAT_SIZE], b[DVC_TIME_FORMAT_SIZE];
	if (argc != 3)
		return usage();
	if (parse_instant(argv[1], &t1) || parse_instant(argv[2], &t2))
		return 1;
	if (dvc_calendar_between(cal, t1, t2, &secs) != DVC_OK)
		return cli_fail_lib("between");
	dvc_time_format(t1, a, sizeof a);
	dvc_time_format(t2, b, sizeof b);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "from", a);
		cJSON_AddStringToObject(o, "to", b);
		cJSON_AddNumberToObject(o, "working_seconds", (double)secs);
		cJSON_AddNumberToObject(o, "working_days",
					(double)secs / (double)dvc_calendar_day_seconds(cal));
		return cli_emit_json(o);
	}
	mag = secs < 0 ? -secs : secs;
	printf("%s .. %s: %s%lldh%02lldm working time (%.2f working days)\n", a, b, secs < 0 ? "-" : "",
	       (long long)(mag / 3600), (long long)(mag / 60 % 60),
	       (double)secs / (double)dvc_calendar_day_seconds(cal));
	return 0;
}

int cmd_calendar(dvc_cli *cli, int argc, char **argv)
{
	const char *schedule = cli_option(&argc, argv, "--schedule");
	bool eod = cli_flag(&argc, argv, "--end-of-day");
	dvc_calendar_opts opts = DVC_CALENDAR_OPTS_INIT;
	dvc_calendar *cal = NULL;
	const char *sub;
	int rc;

	if (argc < 2)
		return usage();
	sub = argv[1];
	argc--;
	argv++;
	if (eod && strcmp(sub, "add") != 0)
		return cli_fail("--end-of-day applies to 'calendar add' only");
	/* the lunar conversions need no calendar */
	if (schedule && (strcmp(sub, "lunar") == 0 || strcmp(sub, "solar") == 0))
		return cli_fail("--schedule does not apply to 'calendar %s' (no working days involved)", sub);
	if (strcmp(sub, "lunar") == 0)
		return cmd_lunar(argc, argv, cli->json);
	if (strcmp(sub, "solar") == 0)
		return cmd_solar(argc, argv, cli->json);
	opts.round_to_end_of_day = eod;
	if (dvc_calendar_new(&cal, &opts) != DVC_OK)
		return cli_fail_lib("calendar");
	if (schedule && dvc_calendar_load_schedule_file(cal, schedule) != DVC_OK) {
		rc = cli_fail_lib(schedule);
	} else if (strcmp(sub, "day") == 0) {
		rc = cmd_day(cal, argc, argv, cli->json);
	} else if (strcmp(sub, "holidays") == 0) {
		rc = cmd_holidays(cal, argc, argv, cli->json);
	} else if (strcmp(sub, "add") == 0) {
		rc = cmd_add(cal, argc, argv, cli->json);
	} else if (strcmp(sub, "between") == 0) {
		rc = cmd_between(cal, argc, argv, cli->json);
	} else {
		rc = usage();
	}
	dvc_calendar_free(cal);
	return rc;
}
