/*
 * libdvc — the working-time calendar (lịch làm việc).
 *
 * Answers "is this a working day, and if not why", "when is a dossier due"
 * and "how much working time passed" for Vietnamese civil-service offices:
 *
 *  - the Vietnamese lunar calendar, computed astronomically for the UTC+7
 *    meridian (Ho Ngoc Duc's method: Meeus new moons, solar longitude, the
 *    month-11 winter-solstice rule, leap month = first month without a major
 *    solar term), for solar dates 1900-01-01 .. 2199-12-31;
 *  - statutory holidays as rule sets with effective years (Labour Code 2019
 *    from 2021, 2012 Code for 2013-2020, earlier rules approximated), with
 *    compensatory days when a holiday falls on a weekly rest day;
 *  - the official yearly schedules for civil servants (exact days off and
 *    swapped working Saturdays) as JSON data: 2018-2026 are compiled in, the
 *    application can load more or override them. A year with a schedule uses
 *    it as the whole truth for its holidays; other years use the rules;
 *  - office hours (default 07:30-11:30 and 13:30-17:00) and weekly rest days
 *    (default Saturday and Sunday).
 *
 * Instants are dvc_time (UTC seconds); every rule is applied in Vietnam's
 * local time, UTC+7 (no daylight saving). Working-time arithmetic is O(1):
 * the handle precomputes, for every day of the supported range, its kind and
 * a prefix count of working days.
 *
 * A dvc_calendar is immutable between loads: const functions may be called
 * from several threads at once; loading a schedule needs exclusive access.
 */
#ifndef DVC_CALENDAR_H
#define DVC_CALENDAR_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** First and last solar years the calendar and the lunar conversion cover. */
#define DVC_CALENDAR_MIN_YEAR 1900
#define DVC_CALENDAR_MAX_YEAR 2199

typedef struct dvc_calendar dvc_calendar;

/** Calendar options. Initialise with DVC_CALENDAR_OPTS_INIT, then change fields. */
typedef struct dvc_calendar_opts {
	unsigned int version;   /**< DVC_CALENDAR_OPTS_VERSION */
	int am_start, am_end;   /**< morning office hours, minutes after local midnight */
	int pm_start, pm_end;   /**< afternoon office hours; am_start <= am_end <= pm_start <= pm_end <= 1440 */
	unsigned int rest_days; /**< weekly rest days: bit 0 = Sunday .. bit 6 = Saturday */
	int round_to_end_of_day;/**< dvc_calendar_add_days() returns the end of the due day's office hours */
	int builtin_schedules;  /**< load the compiled-in 2018-2026 schedules at creation */
} dvc_calendar_opts;

#define DVC_CALENDAR_OPTS_VERSION 1
#define DVC_CALENDAR_OPTS_INIT {DVC_CALENDAR_OPTS_VERSION, 450, 690, 810, 1020, (1u << 0) | (1u << 6), 0, 1}

/**
 * Create a calendar.
 * @param out   receives the new handle; free it with dvc_calendar_free()
 * @param opts  options, or NULL for DVC_CALENDAR_OPTS_INIT
 * @return DVC_OK; DVC_EINVAL for a NULL out, an unknown opts version,
 *         disordered or empty office hours, or every weekday a rest day;
 *         DVC_ENOMEM. Takes a few milliseconds (it precomputes 300 years).
 */
DVC_API int dvc_calendar_new(dvc_calendar **out, const dvc_calendar_opts *opts);

/** Free a calendar and every name it lent out. NULL is a no-op. */
DVC_API void dvc_calendar_free(dvc_calendar *cal);

/**
 * Load one year's official schedule (JSON, format "dvc-calendar-schedule",
 * format_version 1; see data/calendar/2024.json), replacing any schedule or
 * rule-derived holidays that year had. All-or-nothing: on error nothing
 * already loaded changes.
 *
 * The file lists "days_off" (each {"date","name"[,"kind"]}, kind one of
 * "holiday", "compensatory", "off"; default "holiday") and "working_days"
 * (rest days made working, each {"date","name"}), plus "source" and an
 * optional "note". Weekly rest days still apply unless listed in working_days.
 *
 * The text goes through the library's strict JSON reader (dvc/json.h).
 *
 * @return DVC_OK; DVC_EINVAL (NULL args); DVC_EPARSE malformed JSON or text
 *         after the value; DVC_EUTF8 invalid UTF-8 or a NUL character;
 *         DVC_ETOOBIG above 1 MiB, deeper than 16 levels or more than
 *         100,000 values; DVC_EVERSION format_version newer than 1; DVC_ESCHEMA well-formed
 *         but wrong content (unknown key, missing field, invalid date, date
 *         outside the year, duplicate date), with dvc_error_last()->path
 *         naming the field ("days_off[3].date"); DVC_ERANGE year outside
 *         1900-2199; DVC_ENOMEM.
 */
DVC_API int dvc_calendar_load_schedule(dvc_calendar *cal, const char *json, size_t len);

/**
 * dvc_calendar_load_schedule() on a file's contents.
 * @return as dvc_calendar_load_schedule(), plus DVC_EIO when the file cannot
 *         be read and DVC_ETOOBIG above 1 MiB.
 */
DVC_API int dvc_calendar_load_schedule_file(dvc_calendar *cal, const char *path);

/**
 * Forget the schedule of `year`, so that the holiday rules apply again.
 * @return DVC_OK (also when the year had none); DVC_ERANGE; DVC_EINVAL.
 */
DVC_API int dvc_calendar_clear_schedule(dvc_calendar *cal, int year);

/**
 * Where a year's days off come from.
 * @param source  receives the schedule's "source" text (borrowed, valid until
 *                the year's schedule is replaced or the calendar freed), or
 *                NULL when the year follows the statutory rules
 * @return DVC_OK; DVC_ERANGE; DVC_EINVAL.
 */
DVC_API int dvc_calendar_schedule_source(const dvc_calendar *cal, int year, const char **source);

/** Why a day is, or is not, a working day. */
typedef enum dvc_day_kind {
	DVC_DAY_WORKING = 0,        /**< an ordinary working day */
	DVC_DAY_WEEKEND = 1,        /**< a weekly rest day */
	DVC_DAY_HOLIDAY = 2,        /**< a public holiday (or a day of its announced break) */
	DVC_DAY_COMPENSATORY = 3,   /**< nghỉ bù: a holiday fell on a rest day */
	DVC_DAY_OFF = 4,            /**< an announced extra day off (swapped with a Saturday) */
	DVC_DAY_SWAPPED_WORKING = 5 /**< làm bù: a rest day made a working day */
} dvc_day_kind;

/** A static English name for a kind ("holiday"), as used in schedule files; "?" out of range. */
DVC_API const char *dvc_day_kind_name(dvc_day_kind kind);
DVC_API int dvc_day_kind_parse(const char *name, dvc_day_kind *out);

/** Caller-allocated: initialise with DVC_DAY_INFO_INIT. */
typedef struct dvc_day_info {
	unsigned int version;
	dvc_date date;
	dvc_day_kind kind;
	int working;      /**< 1 for DVC_DAY_WORKING and DVC_DAY_SWAPPED_WORKING */
	const char *name; /**< Vietnamese reason ("Tết Nguyên đán", "Chủ nhật"), NULL
	                       for ordinary working days; borrowed, valid until that
	                       year's schedule changes or the calendar is freed */
} dvc_day_info;

#define DVC_DAY_INFO_VERSION 1
#define DVC_DAY_INFO_INIT {DVC_DAY_INFO_VERSION, {0, 0, 0}, DVC_DAY_WORKING, 0, NULL}

/**
 * Describe one day.
 * @return DVC_OK; DVC_EDATE invalid date; DVC_ERANGE outside 1900-2199;
 *   DVC_EINVAL (NULL argument, `out` not initialised with DVC_DAY_INFO_INIT).
 */
DVC_API int dvc_calendar_day(const dvc_calendar *cal, dvc_date date, dvc_day_info *out);

/**
 * Every day of `year` that differs from the plain weekly pattern (holidays,
 * compensatory days, announced days off, swapped working days, and rest days
 * that belong to an announced break), in date order.
 * @param out  receives an array owned by the caller (free with dvc_free());
 *             NULL when *n is 0. Names are borrowed from the calendar.
 * @return DVC_OK; DVC_ERANGE; DVC_EINVAL; DVC_ENOMEM.
 */
DVC_API int dvc_calendar_special_days(const dvc_calendar *cal, int year,
				      dvc_day_info **out, size_t *n);

/**
 * Add working time to an instant: the smallest instant at or after `start`
 * by which `seconds` of office time have elapsed. Time outside office hours
 * does not count, so 11:00 + 1 h = 14:00 and 16:30 + 1 h = 08:00 on the next
 * working day; counting from an instant outside office hours starts at the
 * next working instant. A result that lands exactly on a closing time is that
 * closing time (16:00 + 1 h = 17:00). Negative values go back in time (the
 * result is then the latest such instant: 08:00 - 1 h = 16:30 the previous
 * working day). Zero returns `start`.
 * @return DVC_OK; DVC_ERANGE when start or the result is outside 1900-2199
 *         (local time) or the amount is absurd; DVC_EINVAL.
 */
DVC_API int dvc_calendar_add_seconds(const dvc_calendar *cal, dvc_time start,
				     int64_t seconds, dvc_time *out);
/** dvc_calendar_add_seconds() with minutes. */
DVC_API int dvc_calendar_add_minutes(const dvc_calendar *cal, dvc_time start,
				     int64_t minutes, dvc_time *out);
/** dvc_calendar_add_seconds() with hours. */
DVC_API int dvc_calendar_add_hours(const dvc_calendar *cal, dvc_time start,
				   int64_t hours, dvc_time *out);

/**
 * A deadline of `days` working days from `start`. A day is one day's office
 * time (7.5 h by default), so a dossier received at 10:15 with 3 days is due
 * at 10:15 three working days later; one received after closing time is due
 * at closing time of the last day. With opts.round_to_end_of_day (and days > 0)
 * the result moves to the closing time of that due day. days <= 0 counts
 * back (no rounding); 0 returns start.
 * @return as dvc_calendar_add_seconds().
 */
DVC_API int dvc_calendar_add_days(const dvc_calendar *cal, dvc_time start, int days,
				  dvc_time *out);

/**
 * Office time between two instants, in seconds: negative when b < a.
 * @return DVC_OK; DVC_ERANGE; DVC_EINVAL.
 */
DVC_API int dvc_calendar_between(const dvc_calendar *cal, dvc_time a, dvc_time b,
				 int64_t *working_seconds);

/**
 * The first instant at or after t that lies inside office hours of a
 * working day (t itself when it does).
 * @return DVC_OK; DVC_ERANGE; DVC_EINVAL.
 */
DVC_API int dvc_calendar_next_working(const dvc_calendar *cal, dvc_time t, dvc_time *out);

/** Seconds of office time in one working day (27000 by default). */
DVC_API int64_t dvc_calendar_day_seconds(const dvc_calendar *cal);

/* ---- Vietnamese lunar calendar (âm lịch) ---- */

typedef struct dvc_lunar_date {
	int year;  /**< the lunar year, named after the solar year it mostly overlaps */
	int month; /**< 1..12 */
	int day;   /**< 1..30 */
	int leap;  /**< 1 in a leap month (tháng nhuận) */
} dvc_lunar_date;

/**
 * Solar to lunar, computed astronomically for UTC+7 (Vietnam's calendar since
 * 1968; for earlier years Vietnam followed China's UTC+8 calendar, which
 * differs in some years — this function still answers for UTC+7).
 * A few microseconds per call; use dvc_calendar_lunar_from_solar() in loops.
 * @return DVC_OK; DVC_EDATE invalid date; DVC_ERANGE outside 1900-2199; DVC_EINVAL.
 */
DVC_API int dvc_lunar_from_solar(dvc_date date, dvc_lunar_date *out);

/**
 * Lunar to solar.
 * @return DVC_OK; DVC_EDATE when that lunar date does not exist (leap flag on
 *         a month that is not that year's leap month, day 30 of a 29-day
 *         month, out-of-range fields); DVC_ERANGE when the solar date would
 *         fall outside 1900-2199; DVC_EINVAL.
 */
DVC_API int dvc_lunar_to_solar(dvc_lunar_date lunar, dvc_date *out);

/** The same conversions through the calendar's precomputed table: O(1). */
DVC_API int dvc_calendar_lunar_from_solar(const dvc_calendar *cal, dvc_date date,
					  dvc_lunar_date *out);
DVC_API int dvc_calendar_lunar_to_solar(const dvc_calendar *cal, dvc_lunar_date lunar,
					dvc_date *out);

/**
 * The sexagenary (can chi) name of a lunar year, e.g. "Bính Ngọ" for 2026:
 * a static string. NULL for years before 1.
 */
DVC_API const char *dvc_lunar_year_name(int lunar_year);

/* ---- Instants ---- */

/** Buffer size dvc_time_format() needs: "2026-03-02T10:15:00+07:00" + NUL. */
#define DVC_TIME_FORMAT_SIZE 26

/**
 * Parse an ISO 8601 instant with an explicit UTC offset:
 * "2026-03-02T10:15:00+07:00", "2026-03-02T03:15:00Z", seconds optional,
 * fractional seconds ignored, offset as "+HH:MM" or "+HHMM".
 * @return DVC_OK; DVC_EDATE when malformed, when the date or time does not
 *         exist, or when the offset is missing (an instant without one is
 *         ambiguous); DVC_EINVAL.
 */
DVC_API int dvc_time_parse(const char *iso8601, dvc_time *out);

/**
 * Parse what a person types for a point in time, the same in every front
 * end: a full instant as dvc_time_parse() takes it, or a plain local date
 * "YYYY-MM-DD" meaning 00:00 that day in Vietnam (UTC+7), so that the range
 * from 2019-11-01 to 2019-12-01 is the month of November.
 * @return DVC_OK; DVC_EDATE (neither form, or no such date); DVC_EINVAL.
 */
DVC_API int dvc_time_parse_day(const char *text, dvc_time *out);

/**
 * Parse a calendar date written exactly "YYYY-MM-DD".
 * @return DVC_OK; DVC_EDATE (malformed or no such date); DVC_EINVAL.
 */
DVC_API int dvc_date_parse(const char *text, dvc_date *out);

/**
 * Format an instant in Vietnam's local time: "2026-03-02T10:15:00+07:00".
 * @param buf  at least DVC_TIME_FORMAT_SIZE bytes
 * @return DVC_OK; DVC_EINVAL (small buffer); DVC_ERANGE (year outside 1..9999).
 */
DVC_API int dvc_time_format(dvc_time t, char *buf, size_t n);

/**
 * The instant of a local (UTC+7) date and time of day.
 * @return DVC_OK; DVC_EDATE invalid date or time; DVC_EINVAL.
 */
DVC_API int dvc_time_from_local(dvc_date date, int hour, int minute, int second, dvc_time *out);

/**
 * The local (UTC+7) date of an instant, and optionally its seconds after
 * local midnight (NULL to skip).
 * @return DVC_OK; DVC_ERANGE (year outside 1..9999); DVC_EINVAL.
 */
DVC_API int dvc_time_to_local(dvc_time t, dvc_date *date, int *seconds_of_day);

#ifdef __cplusplus
}
#endif
#endif
