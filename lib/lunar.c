/*
 * The Vietnamese lunar calendar, computed astronomically.
 *
 * Method (Ho Ngoc Duc, "Computing the Vietnamese lunar calendar"):
 *  - a lunar month starts on the local day of a new moon (Meeus' formula,
 *    accurate to minutes over 1900-2199);
 *  - month 11 is the month containing the winter solstice (sun longitude
 *    270°, i.e. the 9th 30° sector counting from 0°);
 *  - when 13 new moons separate two months 11, the first month after the
 *    first month 11 that contains no major solar term (the sun stays in
 *    one 30° sector for the whole month) is the leap month and repeats the
 *    number of the month before it.
 * Everything depends on the local date of astronomical events, so the
 * meridian matters: Vietnam uses UTC+7 (since 1968), China UTC+8, and the
 * two calendars differ when a new moon or solar term falls between 16:00
 * and 17:00 UTC (e.g. Tết 1985: 21 January in Vietnam, 20 February in China).
 *
 * Day numbers here are Julian Day Numbers (JDN) internally; the interface
 * speaks days since 1970-01-01 (JDN 2440588).
 */
#include "calendar_internal.h"

#include <math.h>
#include <string.h>

#define JDN_EPOCH 2440588 /* JDN of 1970-01-01 */
#define PI 3.14159265358979323846
#define SYNODIC 29.530588853
#define NM_EPOCH 2415021.076998695 /* a new moon near 1900-01-01 */

/* Julian day of the k-th new moon after NM_EPOCH, in UT (Meeus, ch. 49, short form). */
static double new_moon(int k)
{
	const double dr = PI / 180;
	double T = k / 1236.85, T2 = T * T, T3 = T2 * T;
	double jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
	double M, Mpr, F, C1, deltat;

	jd1 += 0.00033 * sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
	M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;   /* sun's mean anomaly */
	Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3; /* moon's mean anomaly */
	F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;   /* moon's argument of latitude */
	C1 = (0.1734 - 0.000393 * T) * sin(M * dr) + 0.0021 * sin(2 * dr * M);
	C1 = C1 - 0.4068 * sin(Mpr * dr) + 0.0161 * sin(dr * 2 * Mpr);
	C1 = C1 - 0.0004 * sin(dr * 3 * Mpr);
	C1 = C1 + 0.0104 * sin(dr * 2 * F) - 0.0051 * sin(dr * (M + Mpr));
	C1 = C1 - 0.0074 * sin(dr * (M - Mpr)) + 0.0004 * sin(dr * (2 * F + M));
	C1 = C1 - 0.0004 * sin(dr * (2 * F - M)) - 0.0006 * sin(dr * (2 * F + Mpr));
	C1 = C1 + 0.0010 * sin(dr * (2 * F - Mpr)) + 0.0005 * sin(dr * (2 * Mpr + M));
	/* ΔT, terrestrial minus universal time, in days */
	if (T < -11)
		deltat = 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3;
	else
		deltat = -0.000278 + 0.000265 * T + 0.000262 * T2;
	return jd1 + C1 - deltat;
}

/* Local JDN of the day of the k-th new moon. */
static int64_t new_moon_day(int k, double tz)
{
	return (int64_t)floor(new_moon(k) + 0.5 + tz / 24);
}

/* Apparent solar longitude in radians [0, 2π) at Julian day jd (UT). */
static double sun_longitude(double jd)
{
	const double dr = PI / 180;
	double T = (jd - 2451545.0) / 36525, T2 = T * T;
	double M = 357.52910 + 35999.05030 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
	double L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
	double DL = (1.914600 - 0.004817 * T - 0.000014 * T2) * sin(dr * M)
		    + (0.019993 - 0.000101 * T) * sin(dr * 2 * M) + 0.000290 * sin(dr * 3 * M);
	double L = (L0 + DL) * dr;
	return L - 2 * PI * floor(L / (2 * PI));
}

/* The 30° sector (0..11) the sun is in at the start of local day `jdn`. */
static int sun_sector(int64_t jdn, double tz)
{
	return (int)floor(sun_longitude((double)jdn - 0.5 - tz / 24) / PI * 6);
}

static int64_t jdn_of(int y, int m, int d)
{
	return dvc__days_from_civil(y, m, d) + JDN_EPOCH;
}

/* Local JDN of the first day of month 11 of lunar year `yy` (the month of
 * the winter solstice of solar year yy). */
static int64_t lunar_month11(int yy, double tz)
{
	double off = (double)(jdn_of(yy, 12, 31) - 2415021);
	int k = (int)floor(off / SYNODIC);
	int64_t nm = new_moon_day(k, tz);
	if (sun_sector(nm, tz) >= 9) /* solstice not yet reached: take the month before */
		nm = new_moon_day(k - 1, tz);
	return nm;
}

static int lunation_of(int64_t jdn)
{
	return (int)floor(((double)jdn - NM_EPOCH) / SYNODIC + 0.5);
}

/* Offset, counted in months after month 11 starting at a11, of the leap month
 * of a 13-month year: the first month during which the sun's sector does not
 * change (no major term). */
static int leap_month_offset(int64_t a11, double tz)
{
	int k = lunation_of(a11);
	int i = 1, last, arc = sun_sector(new_moon_day(k + 1, tz), tz);
	do {
		last = arc;
		i++;
		arc = sun_sector(new_moon_day(k + i, tz), tz);
	} while (arc != last && i < 14);
	return i - 1;
}

void dvc__lunar_from_days_tz(int64_t days, double tz, dvc_lunar_date *out)
{
	int64_t jd = days + JDN_EPOCH, month_start, a11, b11;
	int y, m, d, k, diff, lyear, lmonth, leap = 0;

	dvc__civil_from_days(days, &y, &m, &d);
	k = (int)floor(((double)jd - NM_EPOCH) / SYNODIC);
	/* k is a mean-lunation estimate; true new moons wander by hours */
	month_start = new_moon_day(k + 1, tz);
	while (month_start > jd)
		month_start = new_moon_day(k--, tz);
	a11 = lunar_month11(y, tz);
	b11 = a11;
	if (a11 >= month_start) {
		lyear = y;
		a11 = lunar_month11(y - 1, tz);
	} else {
		lyear = y + 1;
		b11 = lunar_month11(y + 1, tz);
	}
	diff = (int)floor((double)(month_start - a11) / 29);
	lmonth = diff + 11;
	if (b11 - a11 > 365) {
		int leap_diff = leap_month_offset(a11, tz);
		if (diff >= leap_diff) {
			lmonth = diff + 10;
			leap = diff == leap_diff;
		}
	}
	if (lmonth > 12)
		lmonth -= 12;
	if (lmonth >= 11 && diff < 4)
		lyear -= 1;
	out->year = lyear;
	out->month = lmonth;
	out->day = (int)(jd - month_start + 1);
	out->leap = leap;
}

int dvc__lunar_to_days_tz(const dvc_lunar_date *l, double tz, int64_t *days)
{
	int64_t a11, b11, start, next;
	int k, off, leap_off;

	if (l->month < 1 || l->month > 12 || l->day < 1 || l->day > 30 ||
	    (l->leap != 0 && l->leap != 1))
		return DVC_EDATE;
	if (l->month < 11) {
		a11 = lunar_month11(l->year - 1, tz);
		b11 = lunar_month11(l->year, tz);
	} else {
		a11 = lunar_month11(l->year, tz);
		b11 = lunar_month11(l->year + 1, tz);
	}
	k = lunation_of(a11);
	off = l->month - 11;
	if (off < 0)
		off += 12;
	if (b11 - a11 > 365) {
		int leap_month;
		leap_off = leap_month_offset(a11, tz);
		leap_month = leap_off - 2;
		if (leap_month <= 0)
			leap_month += 12;
		if (l->leap && l->month != leap_month)
			return DVC_EDATE;
		if (l->leap || off >= leap_off)
			off += 1;
	} else if (l->leap) {
		return DVC_EDATE;
	}
	start = new_moon_day(k + off, tz);
	next = new_moon_day(k + off + 1, tz);
	if (l->day > next - start)
		return DVC_EDATE; /* day 30 of a short month */
	*days = start + l->day - 1 - JDN_EPOCH;
	return DVC_OK;
}

/* ---- the precomputed table ---- */

int dvc__lunar_table_build(dvc__lunar_table *t, double tz)
{
	/* Spans from month 11 of lunar year Y-1 to month 11 of Y, for
	 * Y = 1900..2200: that covers every solar day of 1900-2199. */
	enum { FIRST = DVC_CALENDAR_MIN_YEAR, LAST = DVC_CALENDAR_MAX_YEAR + 1 };
	int64_t a11_prev, a11;
	int cap = (LAST - FIRST + 1) * 13 + 1, n = 0;

	memset(t, 0, sizeof *t);
	t->months = dvc__calloc((size_t)cap, sizeof *t->months);
	t->first_year = FIRST;
	t->nyears = LAST - FIRST + 1;
	t->year_first = dvc__calloc((size_t)t->nyears, sizeof *t->year_first);
	if (!t->months || !t->year_first) {
		dvc__lunar_table_free(t);
		return dvc__oom();
	}
	a11_prev = lunar_month11(FIRST - 1, tz);
	for (int y = FIRST; y <= LAST; y++) {
		int k0 = lunation_of(a11_prev), count, leap_off = 99;
		a11 = lunar_month11(y, tz);
		count = a11 - a11_prev > 365 ? 13 : 12;
		if (count == 13)
			leap_off = leap_month_offset(a11_prev, tz);
		for (int j = 0; j < count; j++) {
			dvc__lunar_month *lm = &t->months[n];
			int num = (j >= leap_off) ? j + 10 : j + 11;
			if (num > 12)
				num -= 12;
			lm->start = (int32_t)(new_moon_day(k0 + j, tz) - JDN_EPOCH);
			lm->month = (uint8_t)num;
			lm->leap = j == leap_off;
			lm->year = (int16_t)((num >= 11 && j < 4) ? y - 1 : y);
			if (num == 1 && !lm->leap)
				t->year_first[y - FIRST] = n;
			n++;
		}
		a11_prev = a11;
	}
	t->months[n].start = (int32_t)(a11_prev - JDN_EPOCH); /* sentinel */
	t->n = n;
	return DVC_OK;
}

void dvc__lunar_table_free(dvc__lunar_table *t)
{
	dvc__free(t->months);
	dvc__free(t->year_first);
	memset(t, 0, sizeof *t);
}

void dvc__lunar_table_from_days(const dvc__lunar_table *t, int64_t days, dvc_lunar_date *out)
{
	/* Months are 29 or 30 days: the index estimate is off by at most a few. */
	int i = (int)((double)(days - t->months[0].start) / SYNODIC);
	if (i < 0)
		i = 0;
	if (i >= t->n)
		i = t->n - 1;
	while (i > 0 && t->months[i].start > days)
		i--;
	while (i + 1 < t->n && t->months[i + 1].start <= days)
		i++;
	out->year = t->months[i].year;
	out->month = t->months[i].month;
	out->leap = t->months[i].leap;
	out->day = (int)(days - t->months[i].start + 1);
}

int dvc__lunar_table_to_days(const dvc__lunar_table *t, const dvc_lunar_date *l, int64_t *days)
{
	int i;
	if (l->month < 1 || l->month > 12 || l->day < 1 || l->day > 30 ||
	    (l->leap != 0 && l->leap != 1))
		return DVC_EDATE;
	if (l->year < t->first_year - 1 || l->year >= t->first_year + t->nyears)
		return DVC_ERANGE;
	i = l->year >= t->first_year ? t->year_first[l->year - t->first_year] : 0;
	for (; i < t->n && t->months[i].year <= l->year; i++) {
		const dvc__lunar_month *m = &t->months[i];
		if (m->year == l->year && m->month == l->month && m->leap == l->leap) {
			if (l->day > t->months[i + 1].start - m->start)
				return DVC_EDATE;
			*days = m->start + l->day - 1;
			return DVC_OK;
		}
	}
	return DVC_EDATE;
}

/* ---- public, direct computation ---- */

static int solar_days_checked(dvc_date date, int64_t *days)
{
	if (!dvc__date_valid(date.year, date.month, date.day))
		return dvc__err(DVC_EDATE, NULL, "%04d-%02d-%02d is not a valid date",
				date.year, date.month, date.day);
	if (date.year < DVC_CALENDAR_MIN_YEAR || date.year > DVC_CALENDAR_MAX_YEAR)
		return dvc__err(DVC_ERANGE, NULL, "year %d is outside %d-%d", date.year,
				DVC_CALENDAR_MIN_YEAR, DVC_CALENDAR_MAX_YEAR);
	*days = dvc__days_from_civil(date.year, date.month, date.day);
	return DVC_OK;
}

static int lunar_result(int rc, const dvc_lunar_date *l, int64_t days, dvc_date *out)
{
	int y, m, d;
	if (rc == DVC_EDATE)
		return dvc__err(DVC_EDATE, NULL, "lunar date %d-%02d-%02d%s does not exist",
				l->year, l->month, l->day, l->leap ? " (leap month)" : "");
	if (rc != DVC_OK)
		return dvc__err(rc, NULL, "lunar year %d is outside the supported range", l->year);
	dvc__civil_from_days(days, &y, &m, &d);
	if (y < DVC_CALENDAR_MIN_YEAR || y > DVC_CALENDAR_MAX_YEAR)
		return dvc__err(DVC_ERANGE, NULL, "lunar date %d-%02d-%02d falls outside %d-%d",
				l->year, l->month, l->day, DVC_CALENDAR_MIN_YEAR,
				DVC_CALENDAR_MAX_YEAR);
	out->year = y;
	out->month = m;
	out->day = d;
	return DVC_OK;
}

/* `date` in the lunar calendar from the table `t`, or when t is NULL by
 * direct computation in Vietnam's time zone. */
static int from_solar(const dvc__lunar_table *t, dvc_date date, dvc_lunar_date *out)
{
	int64_t days = 0;
	int rc;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "NULL output");
	if ((rc = solar_days_checked(date, &days)) != DVC_OK)
		return rc;
	if (t)
		dvc__lunar_table_from_days(t, days, out);
	else
		dvc__lunar_from_days_tz(days, DVC_VN_TZ_HOURS, out);
	return DVC_OK;
}

int dvc_lunar_from_solar(dvc_date date, dvc_lunar_date *out)
{
	return from_solar(NULL, date, out);
}

int dvc_lunar_to_solar(dvc_lunar_date lunar, dvc_date *out)
{
	int64_t days = 0;
	int rc;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "NULL output");
	if (lunar.year < DVC_CALENDAR_MIN_YEAR - 1 || lunar.year > DVC_CALENDAR_MAX_YEAR)
		rc = DVC_ERANGE;
	else
		rc = dvc__lunar_to_days_tz(&lunar, DVC_VN_TZ_HOURS, &days);
	return lunar_result(rc, &lunar, days, out);
}

int dvc__lunar_checked_from_table(const dvc__lunar_table *t, dvc_date date, dvc_lunar_date *out)
{
	return from_solar(t, date, out);
}

int dvc__lunar_checked_to_table(const dvc__lunar_table *t, dvc_lunar_date lunar, dvc_date *out)
{
	int64_t days = 0;
	int rc;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "NULL output");
	rc = dvc__lunar_table_to_days(t, &lunar, &days);
	return lunar_result(rc, &lunar, days, out);
}

const char *dvc_lunar_year_name(int lunar_year)
{
	static const char *const names[60] = {
		"Giáp Tý", "Ất Sửu", "Bính Dần", "Đinh Mão", "Mậu Thìn", "Kỷ Tỵ",
		"Canh Ngọ", "Tân Mùi", "Nhâm Thân", "Quý Dậu", "Giáp Tuất", "Ất Hợi",
		"Bính Tý", "Đinh Sửu", "Mậu Dần", "Kỷ Mão", "Canh Thìn", "Tân Tỵ",
		"Nhâm Ngọ", "Quý Mùi", "Giáp Thân", "Ất Dậu", "Bính Tuất", "Đinh Hợi",
		"Mậu Tý", "Kỷ Sửu", "Canh Dần", "Tân Mão", "Nhâm Thìn", "Quý Tỵ",
		"Giáp Ngọ", "Ất Mùi", "Bính Thân", "Đinh Dậu", "Mậu Tuất", "Kỷ Hợi",
		"Canh Tý", "Tân Sửu", "Nhâm Dần", "Quý Mão", "Giáp Thìn", "Ất Tỵ",
		"Bính Ngọ", "Đinh Mùi", "Mậu Thân", "Kỷ Dậu", "Canh Tuất", "Tân Hợi",
		"Nhâm Tý", "Quý Sửu", "Giáp Dần", "Ất Mão", "Bính Thìn", "Đinh Tỵ",
		"Mậu Ngọ", "Kỷ Mùi", "Canh Thân", "Tân Dậu", "Nhâm Tuất", "Quý Hợi",
	};
	if (lunar_year < 1)
		return NULL;
	return names[(lunar_year + 56) % 60]; /* 4 AD was Giáp Tý */
}
