/* Private declarations shared by calendar.c, lunar.c and holidays.c. */
#ifndef DVC_CALENDAR_INTERNAL_H
#define DVC_CALENDAR_INTERNAL_H

#include "dvc/calendar.h"
#include "internal.h"

#include <stdint.h>

/* Vietnam's legal time, and the meridian of its lunar calendar. */
#define DVC_VN_OFFSET_SECONDS (7 * 3600)
#define DVC_VN_TZ_HOURS 7.0

/* ---- lunar.c ---- */

/* Direct astronomical conversion for any time zone (hours east of UTC):
 * 7 gives Vietnam's calendar, 8 China's. `days` counts days since
 * 1970-01-01. No range check beyond sanity; callers check. */
void dvc__lunar_from_days_tz(int64_t days, double tz, dvc_lunar_date *out);
/* Returns DVC_OK, or DVC_EDATE (no such lunar date) without setting an error. */
int dvc__lunar_to_days_tz(const dvc_lunar_date *lunar, double tz, int64_t *days);

/* One lunar month of the precomputed table. */
typedef struct dvc__lunar_month {
	int32_t start; /* days since 1970-01-01 of its first day */
	int16_t year;
	uint8_t month;
	uint8_t leap;
} dvc__lunar_month;

/* Every lunar month overlapping the supported solar range, in order, plus a
 * sentinel whose `start` ends the last month. */
typedef struct dvc__lunar_table {
	dvc__lunar_month *months;
	int n;            /* months, sentinel excluded */
	int first_year;   /* lunar year of months[year_first[0]] */
	int nyears;
	int32_t *year_first; /* index of month 1 of lunar year first_year + i */
} dvc__lunar_table;

int dvc__lunar_table_build(dvc__lunar_table *t, double tz);
void dvc__lunar_table_free(dvc__lunar_table *t);
/* Table lookups; days must lie inside the table (callers check the range). */
void dvc__lunar_table_from_days(const dvc__lunar_table *t, int64_t days, dvc_lunar_date *out);
int dvc__lunar_table_to_days(const dvc__lunar_table *t, const dvc_lunar_date *lunar, int64_t *days);
/* The public conversions' argument checks and errors, over the table. */
int dvc__lunar_checked_from_table(const dvc__lunar_table *t, dvc_date date, dvc_lunar_date *out);
int dvc__lunar_checked_to_table(const dvc__lunar_table *t, dvc_lunar_date lunar, dvc_date *out);

/* ---- holidays.c ---- */

/* A day that differs from the weekly pattern. */
typedef struct dvc__special_day {
	int32_t day;       /* days since 1970-01-01 */
	uint8_t kind;      /* dvc_day_kind */
	const char *name;
} dvc__special_day;

/* Largest number of rule-derived special days in one year. */
#define DVC_RULE_DAYS_MAX 32

/* The statutory holidays and compensatory days of `year` under the rule set
 * in force that year, sorted by day; returns the count. */
size_t dvc__holidays_for_year(const dvc__lunar_table *lt, int year, unsigned rest_days,
			      dvc__special_day out[DVC_RULE_DAYS_MAX]);

/* Name of the rule set (legal basis) in force in `year`. */
const char *dvc__holiday_basis(int year);

/* 0 = Sunday .. 6 = Saturday */
static inline int dvc__weekday(int64_t days)
{
	int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

#endif
