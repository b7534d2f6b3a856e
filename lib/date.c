/* Civil-date arithmetic (proleptic Gregorian), after H. Hinnant's algorithms. */
#include "internal.h"

#include <stdio.h>


static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool dvc__date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

int64_t dvc__days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void dvc__civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int dvc__date_parse(const char *s, dvc_date *out)
{
	int y, m, d;
	if (!s)
		return dvc__err(DVC_EDATE, NULL, "missing date");
	y = digits(s, 4);
	if (y < 0 || s[4] != '-' || (m = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0 || s[10] != '\0')
		return dvc__err(DVC_EDATE, NULL, "'%.40s' is not a date of the form YYYY-MM-DD", s);
	if (!dvc__date_valid(y, m, d))
		return dvc__err(DVC_EDATE, NULL, "%.10s is not a valid calendar date", s);
	out->year = y;
	out->month = m;
	out->day = d;
	return DVC_OK;
}

void dvc__date_format(const dvc_date *d, char out[11])
{
	unsigned y = (unsigned)d->year % 10000u, m = (unsigned)d->month % 100u,
		 dd = (unsigned)d->day % 100u;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + dd / 10);
	out[9] = (char)('0' + dd % 10);
	out[10] = '\0';
}

int dvc__date_cmp(const dvc_date *a, const dvc_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

void dvc__format_local(dvc_time t, char out[DVC__LOCAL_TIME_SIZE])
{
	int y, m, d;
	int64_t local = t + 7 * 3600, day = local / 86400, sec = local % 86400;
	dvc__civil_from_days(day, &y, &m, &d);
	snprintf(out, DVC__LOCAL_TIME_SIZE, "%02d:%02d ngày %02d/%02d/%04d", (int)(sec / 3600) % 100,
		 (int)(sec % 3600 / 60) % 100, d % 100, m % 100, y % 10000);
}
