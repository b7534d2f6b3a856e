/* Official schedule files, and instants: a bad file changes nothing, a good
 * one leaves a calendar whose arithmetic still holds. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_calendar *cal;
	dvc_calendar_opts o = DVC_CALENDAR_OPTS_INIT;
	char *s;
	dvc_time t, later;
	int64_t secs;
	int rc;
	o.builtin_schedules = 0; /* fast to rebuild; the schedules come from the corpus */
	if (!cal && dvc_calendar_new(&cal, &o) != DVC_OK)
		abort();
	rc = dvc_calendar_load_schedule(cal, (const char *)data, size);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	/* a working day later is a working instant, and exactly a day of office time */
	if (dvc_time_parse("2024-02-07T10:00:00+07:00", &t) != DVC_OK)
		abort();
	FUZZ_CHECK(dvc_calendar_add_days(cal, t, 3, &later) == DVC_OK);
	FUZZ_CHECK(dvc_calendar_between(cal, t, later, &secs) == DVC_OK);
	FUZZ_CHECK(secs == 3 * dvc_calendar_day_seconds(cal));
	/* the input as an instant */
	s = fuzz_cstr(data, size < 64 ? size : 64);
	if (dvc_time_parse(s, &t) == DVC_OK) {
		char buf[DVC_TIME_FORMAT_SIZE];
		dvc_time back;
		if (dvc_time_format(t, buf, sizeof buf) == DVC_OK) {
			FUZZ_CHECK(dvc_time_parse(buf, &back) == DVC_OK);
			FUZZ_CHECK(back == t);
		}
	}
	free(s);
	/* forget what was loaded: inputs stay independent */
	for (int y = DVC_CALENDAR_MIN_YEAR; rc == DVC_OK && y <= DVC_CALENDAR_MAX_YEAR; y++) {
		const char *src;
		if (dvc_calendar_schedule_source(cal, y, &src) == DVC_OK && src)
			FUZZ_CHECK(dvc_calendar_clear_schedule(cal, y) == DVC_OK);
	}
	return 0;
}
