/* Calendar throughput: working-day additions (O(1) table arithmetic) against
 * a naive day-by-day loop over dvc_calendar_day(), and lunar conversions
 * (direct astronomy and the handle's table). Prints JSON lines; never asserts.
 *
 *   bench_calendar [N]   N = additions per run (default 12,000,000, about 2 s) */
#include "bench_util.h"
#include "dvc/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Times `count` runs of the statements that follow (i is the run's index;
 * they add to sink, so that nothing is optimised away), reports them as
 * `name` and leaves the elapsed seconds in `secs`. */
#define TIMED(name, count, secs, ...)                      \
	do {                                               \
		double t0_ = now_s();                      \
		sink = 0;                                  \
		for (long i = 0; i < (count); i++) {       \
			__VA_ARGS__                        \
		}                                          \
		secs = now_s() - t0_;                      \
		report(name, count, secs, sink);           \
	} while (0)

static void report(const char *name, long n, double secs, long long sink)
{
	printf("{\"bench\":\"%s\",\"ops\":%ld,\"seconds\":%.4f,\"ops_per_sec\":%.0f,\"check\":%lld}\n",
	       name, n, secs, (double)n / secs, sink);
}

/* Naive baseline: step one day at a time, asking whether each is working. */
static dvc_time naive_add_days(const dvc_calendar *cal, dvc_time start, int days)
{
	dvc_date d;
	int sod;
	dvc_day_info info = DVC_DAY_INFO_INIT;
	dvc_time_to_local(start, &d, &sod);
	while (days > 0) {
		dvc_time t;
		dvc_time_from_local(d, 0, 0, 0, &t);
		t += 86400 + 7 * 3600; /* next local day */
		dvc_time_to_local(t, &d, NULL);
		dvc_calendar_day(cal, d, &info);
		days -= info.working;
	}
	{
		dvc_time t;
		dvc_time_from_local(d, sod / 3600, sod / 60 % 60, sod % 60, &t);
		return t;
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 12000000L;
	long naive_n = n / 20, lunar_direct_n = n / 40;
	dvc_calendar *cal;
	dvc_time base, out;
	long long sink = 0;
	double fast, slow, secs;

	if (n < 100)
		n = 100;
	if (dvc_calendar_new(&cal, NULL) != DVC_OK) {
		fprintf(stderr, "bench_calendar: %s\n", dvc_error_last()->message);
		return 1;
	}
	dvc_time_from_local((dvc_date){2020, 1, 6}, 10, 15, 0, &base);

	/* starts spread over ~10 years of office hours, 1..30 working days each */
	TIMED("add_days", n, fast, {
		dvc_calendar_add_days(cal, base + (i % 3650) * 86400 + (i % 97) * 60, (int)(i % 30) + 1, &out);
		sink += out & 0xff;
	});
	TIMED("add_days_naive_loop", naive_n, slow, {
		out = naive_add_days(cal, base + (i % 3650) * 86400 + (i % 97) * 60, (int)(i % 30) + 1);
		sink += out & 0xff;
	});
	printf("{\"bench\":\"add_days_speedup\",\"ratio\":%.1f}\n",
	       ((double)n / fast) / ((double)naive_n / slow));
	TIMED("between", n, secs, {
		int64_t w;
		dvc_calendar_between(cal, base + (i % 3650) * 86400, base + (i % 3653) * 86400 + 3600, &w);
		sink += w & 0xff;
	});
	TIMED("lunar_from_solar_table", n, secs, {
		dvc_lunar_date l;
		int y = 1900 + (int)(i % 300), m = 1 + (int)(i % 12), d = 1 + (int)(i % 28);
		dvc_calendar_lunar_from_solar(cal, (dvc_date){y, m, d}, &l);
		sink += l.day;
	});
	TIMED("lunar_to_solar_table", n, secs, {
		dvc_date s;
		dvc_lunar_date l = {1901 + (int)(i % 298), 1 + (int)(i % 12), 1 + (int)(i % 29), 0};
		dvc_calendar_lunar_to_solar(cal, l, &s);
		sink += s.day;
	});
	TIMED("lunar_from_solar_direct", lunar_direct_n, secs, {
		dvc_lunar_date l;
		int y = 1900 + (int)(i % 300), m = 1 + (int)(i % 12), d = 1 + (int)(i % 28);
		dvc_lunar_from_solar((dvc_date){y, m, d}, &l);
		sink += l.day;
	});

	dvc_calendar_free(cal);
	return 0;
}
