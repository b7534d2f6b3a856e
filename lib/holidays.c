/*
 * Statutory public holidays (ngày nghỉ lễ, tết) as data: which holidays are
 * in force in which years, and the compensatory-day rule.
 *
 * These rules answer for years without an official schedule (see
 * data/calendar/): the yearly announcements, which move days around Tết and
 * swap Saturdays, always take precedence.
 *
 * Legal basis by period:
 *  - 2021-      Labour Code 2019, Art. 112: 1 Jan; Tết 5 days; Hùng Kings
 *               (10/3 lunar); 30 Apr; 1 May; 2 Sep plus the day before or after.
 *  - 2013-2020  Labour Code 2012, Art. 115: as above but 2 Sep alone.
 *  - 2007-2012  Labour Code 1994 as amended in 2007: Tết 4 days; Hùng Kings added.
 *  - 1995-2006  Labour Code 1994, Art. 73: 1 Jan; Tết 4 days; 30 Apr; 1 May; 2 Sep.
 *  - 1900-1994  APPROXIMATION: the 1995 rules applied backwards (30 April only
 *               from 1976). Historical holiday law differed; use a schedule
 *               file where those years matter.
 * Which days make up Tết is decided each year by the Prime Minister; the rules
 * take the last day of the old lunar year plus the first 3 (4-day rule) or
 * 4 (5-day rule) days of the new one. The extra National Day is the day before
 * or after 2 September as chosen in 2021-2026 for each weekday (table below).
 * A holiday falling on a weekly rest day — or on another holiday — gives a
 * compensatory day on the next working day (Labour Code 2019, Art. 111(3)).
 */
#include "calendar_internal.h"

typedef enum rule_type {
	R_SOLAR,       /* fixed solar date month/day */
	R_LUNAR,       /* lunar date month/day of the lunar year named like the solar year */
	R_TET,         /* Tết: `month` days before lunar new year, `day` days from it */
	R_NATIONAL_ADJ /* the day adjacent to 2 September, by weekday */
} rule_type;

typedef struct holiday_rule {
	int from, to; /* years in force, inclusive */
	rule_type type;
	int month, day;
	const char *name;
	const char *comp_name; /* name of the compensatory day it may cause */
} holiday_rule;

static const holiday_rule RULES[] = {
	{1900, 9999, R_SOLAR, 1, 1, "Tết Dương lịch", "Nghỉ bù Tết Dương lịch"},
	{1900, 2012, R_TET, 1, 3, "Tết Nguyên đán", "Nghỉ bù Tết Nguyên đán"},
	{2013, 9999, R_TET, 1, 4, "Tết Nguyên đán", "Nghỉ bù Tết Nguyên đán"},
	{2007, 9999, R_LUNAR, 3, 10, "Giỗ Tổ Hùng Vương", "Nghỉ bù Giỗ Tổ Hùng Vương"},
	{1976, 9999, R_SOLAR, 4, 30, "Ngày Chiến thắng", "Nghỉ bù Ngày Chiến thắng"},
	{1900, 9999, R_SOLAR, 5, 1, "Quốc tế Lao động", "Nghỉ bù Quốc tế Lao động"},
	{1900, 9999, R_SOLAR, 9, 2, "Quốc khánh", "Nghỉ bù Quốc khánh"},
	{2021, 9999, R_NATIONAL_ADJ, 9, 2, "Quốc khánh", "Nghỉ bù Quốc khánh"},
};

/* Offset (-1 or +1) of the extra National Day from 2 September, indexed by
 * the weekday of 2 September (0 = Sunday): the choices announced for
 * 2024 (Mon, +1), 2025 (Tue, -1), 2026 (Wed, -1), 2021 (Thu, +1),
 * 2022 (Fri, -1), 2023 (Sat, -1); Sunday: +1 (either gives the same days off). */
static const int NATIONAL_ADJ_BY_WEEKDAY[7] = {+1, +1, -1, -1, +1, -1, -1};

static const struct {
	int from;
	const char *basis;
} BASES[] = {
	{1900, "approximation: Labour Code 1994 rules applied to years before 1995"},
	{1995, "Labour Code 1994, Art. 73"},
	{2007, "Labour Code 1994 as amended in 2007, Art. 73"},
	{2013, "Labour Code 2012, Art. 115"},
	{2021, "Labour Code 2019, Art. 112"},
};

const char *dvc__holiday_basis(int year)
{
	const char *b = BASES[0].basis;
	for (size_t i = 0; i < DVC_ARRAY_LEN(BASES); i++)
		if (year >= BASES[i].from)
			b = BASES[i].basis;
	return b;
}

typedef struct hday {
	int64_t day;
	const holiday_rule *rule;
} hday;

static bool is_rest(int64_t day, unsigned rest_days)
{
	return (rest_days >> dvc__weekday(day)) & 1u;
}

static bool listed(const dvc__special_day *s, size_t n, int64_t day)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].day == day)
			return true;
	return false;
}

static void sort_days(dvc__special_day *s, size_t n)
{
	for (size_t i = 1; i < n; i++) { /* insertion sort: n <= 32 */
		dvc__special_day v = s[i];
		size_t j = i;
		for (; j > 0 && s[j - 1].day > v.day; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
}

size_t dvc__holidays_for_year(const dvc__lunar_table *lt, int year, unsigned rest_days,
			      dvc__special_day out[DVC_RULE_DAYS_MAX])
{
	hday h[DVC_RULE_DAYS_MAX];
	size_t nh = 0, n = 0;

	for (size_t r = 0; r < DVC_ARRAY_LEN(RULES); r++) {
		const holiday_rule *rule = &RULES[r];
		int64_t d;
		dvc_lunar_date l = {year, 1, 1, 0};
		if (year < rule->from || year > rule->to)
			continue;
		switch (rule->type) {
		case R_SOLAR:
			h[nh++] = (hday){dvc__days_from_civil(year, rule->month, rule->day), rule};
			break;
		case R_LUNAR:
			l.month = rule->month;
			l.day = rule->day;
			if (dvc__lunar_table_to_days(lt, &l, &d) == DVC_OK)
				h[nh++] = (hday){d, rule};
			break;
		case R_TET:
			if (dvc__lunar_table_to_days(lt, &l, &d) != DVC_OK)
				break;
			for (int i = -rule->month; i < rule->day; i++)
				h[nh++] = (hday){d + i, rule};
			break;
		case R_NATIONAL_ADJ:
			d = dvc__days_from_civil(year, rule->month, rule->day);
			h[nh++] = (hday){d + NATIONAL_ADJ_BY_WEEKDAY[dvc__weekday(d)], rule};
			break;
		}
	}
	/* Holidays first (the earlier rule keeps a shared day), then compensation
	 * in date order so that consecutive holidays on a weekend take
	 * consecutive working days. */
	for (size_t i = 0; i < nh; i++)
		if (!listed(out, n, h[i].day))
			out[n++] = (dvc__special_day){(int32_t)h[i].day, DVC_DAY_HOLIDAY, h[i].rule->name};
	for (size_t i = 1; i < nh; i++) { /* sort h by day, stable */
		hday v = h[i];
		size_t j = i;
		for (; j > 0 && h[j - 1].day > v.day; j--)
			h[j] = h[j - 1];
		h[j] = v;
	}
	for (size_t i = 0; i < nh; i++) {
		bool shared = i > 0 && h[i - 1].day == h[i].day;
		int64_t d = h[i].day;
		if (!shared && !is_rest(d, rest_days))
			continue;
		do
			d++;
		while (is_rest(d, rest_days) || listed(out, n, d));
		if (n < DVC_RULE_DAYS_MAX)
			out[n++] = (dvc__special_day){(int32_t)d, DVC_DAY_COMPENSATORY, h[i].rule->comp_name};
	}
	sort_days(out, n);
	return n;
}
