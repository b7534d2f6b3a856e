/* The handle's clock and working calendar: every module asks here for
 * "now" (a host clock callback may fail, and then the write it was for is
 * not made) and for the calendar that deadlines run in. */
#include "dvc/calendar.h"
#include "store_internal.h"

#include <time.h>

void dvc_set_clock(dvc_db *db, dvc_clock_fn fn, void *ctx)
{
	if (db) {
		db->clock = fn;
		db->clock_ctx = ctx;
	}
}

int dvc__now(dvc_db *db, dvc_time *out)
{
	int r;
	if (!db->clock) {
		*out = (dvc_time)time(NULL);
		return DVC_OK;
	}
	*out = 0;
	if ((r = db->clock(db->clock_ctx, out)) != 0)
		return dvc__err(DVC_EUSER, NULL, "the host clock callback failed (it returned %d)", r);
	return DVC_OK;
}

int dvc_now(dvc_db *db, dvc_time *out)
{
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_now needs an out pointer");
	if (!db) {
		*out = (dvc_time)time(NULL);
		return DVC_OK;
	}
	return dvc__now(db, out);
}

void dvc_set_calendar(dvc_db *db, const dvc_calendar *cal)
{
	if (db)
		db->calendar = cal;
}

int dvc__calendar(dvc_db *db, const dvc_calendar **out)
{
	int rc;
	if (!db->calendar) {
		if (!db->owned_calendar && (rc = dvc_calendar_new(&db->owned_calendar, NULL)) != DVC_OK)
			return rc;
		db->calendar = db->owned_calendar;
	}
	*out = db->calendar;
	return DVC_OK;
}
