/*
 * Working-time calendar: day kinds, working-time arithmetic, yearly schedules.
 *
 * Design. For every local day of 1900-01-01 .. 2199-12-31 (109,573 days) the
 * handle stores its kind (working, weekend, holiday...), cum[i] = the number
 * of working days before day i, and widx[k] = the day index of the k-th
 * working day. Working time then has a closed form: the "position" of an
 * instant t on day i is
 *
 *     F(t) = cum[i] * W + (day i working ? office seconds elapsed that day : 0)
 *
 * with W the office seconds of one day. F is continuous and non-decreasing;
 * adding working time is F⁻¹(F(t) + x) (via widx, O(1)), the working time
 * between two instants is F(b) - F(a). A deadline in days is the same with
 * x = days * W, which keeps the time of day (10:15 + 3 days = 10:15).
 *
 * Per year the handle keeps the list of special days that produced the kinds:
 * either the statutory rules (holidays.c) or a loaded schedule, which
 * replaces the rules for that year. Loading a schedule validates everything
 * into a fresh block first, then swaps it in and recomputes the tables, which
 * cannot fail: a bad file changes nothing.
 */
#include "calendar_internal.h"
#include "embedded.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define NYEARS (DVC_CALENDAR_MAX_YEAR - DVC_CALENDAR_MIN_YEAR + 1)
#define SCHEDULE_MAX_BYTES (1u << 20)
#define SCHEDULE_FORMAT "dvc-calendar-schedule"

typedef struct cal_year {
	dvc__special_day *days; /* sorted by day */
	size_t n;
	const char *source; /* NULL: statutory rules */
	const char *note;
	void *block;        /* owns days and strings */
} cal_year;

struct dvc_calendar {
	dvc_calendar_opts opts;
	int64_t day0;   /* days since epoch of 1900-01-01 */
	int32_t ndays;
	uint8_t *kind;  /* [ndays] dvc_day_kind */
	int32_t *cum;   /* [ndays + 1] working days before day i */
	int32_t *widx;  /* [nworking] day index of the k-th working day */
	int32_t nworking;
	int64_t am_len, pm_len, w; /* office seconds: morning, afternoon, day */
	cal_year years[NYEARS];
	dvc__lunar_table lunar;
};

static bool kind_working(int kind)
{
	return kind == DVC_DAY_WORKING || kind == DVC_DAY_SWAPPED_WORKING;
}

static const char *const day_kind_names[] = {"working", "weekend", "holiday", "compensatory",
					     "off", "swapped_working"};

DVC__ENUM_NAMES(day_kind, dvc_day_kind, day_kind_names, "day kind")

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int year_check(int year)
{
	if (year < DVC_CALENDAR_MIN_YEAR || year > DVC_CALENDAR_MAX_YEAR)
		return dvc__err(DVC_ERANGE, NULL, "year %d is outside %d-%d", year,
				DVC_CALENDAR_MIN_YEAR, DVC_CALENDAR_MAX_YEAR);
	return DVC_OK;
}

/* ---- per-year tables ---- */

static void year_release(cal_year *y)
{
	dvc__free(y->block);
	memset(y, 0, sizeof *y);
}

static void apply_year(dvc_calendar *c, int year)
{
	const cal_year *y = &c->years[year - DVC_CALENDAR_MIN_YEAR];
	int64_t a = dvc__days_from_civil(year, 1, 1), b = dvc__days_from_civil(year + 1, 1, 1);
	for (int64_t d = a; d < b; d++)
		c->kind[d - c->day0] = ((c->opts.rest_days >> dvc__weekday(d)) & 1u)
					       ? DVC_DAY_WEEKEND : DVC_DAY_WORKING;
	for (size_t i = 0; i < y->n; i++)
		if (y->days[i].day >= a && y->days[i].day < b)
			c->kind[y->days[i].day - c->day0] = y->days[i].kind;
}

static void rebuild_prefix(dvc_calendar *c)
{
	int32_t k = 0;
	for (int32_t i = 0; i < c->ndays; i++) {
		c->cum[i] = k;
		if (kind_working(c->kind[i]))
			c->widx[k++] = i;
	}
	c->cum[c->ndays] = k;
	c->nworking = k;
}

static int rules_year(dvc_calendar *c, int year, cal_year *out)
{
	dvc__special_day tmp[DVC_RULE_DAYS_MAX];
	size_t n = dvc__holidays_for_year(&c->lunar, year, c->opts.rest_days, tmp);
	memset(out, 0, sizeof *out);
	out->days = dvc__malloc(n * sizeof *tmp);
	if (!out->days)
		return dvc__oom();
	memcpy(out->days, tmp, n * sizeof *tmp);
	out->n = n;
	out->block = out->days;
	return DVC_OK;
}

/* ---- creation ---- */

static int opts_check(const dvc_calendar_opts *o)
{
	if (o->version != DVC_CALENDAR_OPTS_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unknown dvc_calendar_opts version %u", o->version);
	if (o->am_start < 0 || o->am_start > o->am_end || o->am_end > o->pm_start ||
	    o->pm_start > o->pm_end || o->pm_end > 1440)
		return dvc__err(DVC_EINVAL, NULL, "office hours must satisfy 0 <= am_start <= am_end "
				"<= pm_start <= pm_end <= 1440 (minutes)");
	if (o->am_end - o->am_start + o->pm_end - o->pm_start <= 0)
		return dvc__err(DVC_EINVAL, NULL, "office hours are empty");
	if ((o->rest_days & 0x7fu) == 0x7fu || (o->rest_days & ~0x7fu))
		return dvc__err(DVC_EINVAL, NULL, "rest_days must leave at least one working weekday "
				"and use bits 0-6 only");
	return DVC_OK;
}

int dvc_calendar_new(dvc_calendar **out, const dvc_calendar_opts *opts)
{
	static const dvc_calendar_opts defaults = DVC_CALENDAR_OPTS_INIT;
	dvc_calendar *c;
	int rc;

	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "NULL output");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = opts_check(opts)) != DVC_OK)
		return rc;
	c = dvc__calloc(1, sizeof *c);
	if (!c)
		return dvc__oom();
	c->opts = *opts;
	c->am_len = (int64_t)(opts->am_end - opts->am_start) * 60;
	c->pm_len = (int64_t)(opts->pm_end - opts->pm_start) * 60;
	c->w = c->am_len + c->pm_len;
	c->day0 = dvc__days_from_civil(DVC_CALENDAR_MIN_YEAR, 1, 1);
	c->ndays = (int32_t)(dvc__days_from_civil(DVC_CALENDAR_MAX_YEAR + 1, 1, 1) - c->day0);
	c->kind = dvc__malloc((size_t)c->ndays);
	c->cum = dvc__malloc(((size_t)c->ndays + 1) * sizeof *c->cum);
	c->widx = dvc__malloc((size_t)c->ndays * sizeof *c->widx);
	if (!c->kind || !c->cum || !c->widx) {
		dvc_calendar_free(c);
		return dvc__oom();
	}
	if ((rc = dvc__lunar_table_build(&c->lunar, DVC_VN_TZ_HOURS)) != DVC_OK) {
		dvc_calendar_free(c);
		return rc;
	}
	for (int y = DVC_CALENDAR_MIN_YEAR; y <= DVC_CALENDAR_MAX_YEAR; y++) {
		if ((rc = rules_year(c, y, &c->years[y - DVC_CALENDAR_MIN_YEAR])) != DVC_OK) {
			dvc_calendar_free(c);
			return rc;
		}
		apply_year(c, y);
	}
	rebuild_prefix(c);
	if (opts->builtin_schedules) {
		for (const dvc_embedded_file *f = dvc__calendar_files; f->name; f++) {
			rc = dvc_calendar_load_schedule(c, f->data, f->size);
			if (rc != DVC_OK) {
				char where[64];
				snprintf(where, sizeof where, "%s", f->name);
				dvc__err_prefix_path(where);
				dvc_calendar_free(c);
				return rc;
			}
		}
	}
	*out = c;
	return DVC_OK;
}

void dvc_calendar_free(dvc_calendar *c)
{
	if (!c)
		return;
	for (int i = 0; i < NYEARS; i++)
		year_release(&c->years[i]);
	dvc__lunar_table_free(&c->lunar);
	dvc__free(c->kind);
	dvc__free(c->cum);
	dvc__free(c->widx);
	dvc__free(c);
}

/* ---- schedule files ---- */

typedef struct sched_entry {
	int64_t day;
	uint8_t kind;
	const char *name; /* inside the cJSON tree until copied */
	const char *list; /* "days_off" or "working_days", for error paths */
	int index;
} sched_entry;

static int cmp_entry(const void *a, const void *b)
{
	const sched_entry *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	/* keep file order among duplicates, so the error names the later one */
	return (x->list != y->list) ? strcmp(x->list, y->list) : x->index - y->index;
}

/* Every member of `obj` must be named in `keys`, once. */
static int check_keys(const cJSON *obj, const char *const *keys, size_t nkeys, const char *prefix)
{
	char path[128];
	for (const cJSON *m = obj->child; m; m = m->next) {
		bool known = false;
		for (size_t i = 0; i < nkeys; i++)
			known = known || strcmp(m->string, keys[i]) == 0;
		snprintf(path, sizeof path, "%s%s", prefix, m->string);
		if (!known)
			return dvc__err(DVC_ESCHEMA, path, "unknown key '%.40s'", m->string);
		for (const cJSON *p = obj->child; p != m; p = p->next)
			if (strcmp(p->string, m->string) == 0)
				return dvc__err(DVC_ESCHEMA, path, "key '%.40s' appears twice", m->string);
	}
	return DVC_OK;
}

static int get_string(const cJSON *obj, const char *key, bool required, const char *prefix,
		      const char **out)
{
	char path[128];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	snprintf(path, sizeof path, "%s%s", prefix, key);
	*out = NULL;
	if (!v) {
		if (required)
			return dvc__err(DVC_ESCHEMA, path, "missing '%s'", key);
		return DVC_OK;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return dvc__err(DVC_ESCHEMA, path, "'%s' must be a non-empty string", key);
	if (!dvc__utf8_valid(v->valuestring, strlen(v->valuestring)))
		return dvc__err(DVC_EUTF8, path, "'%s' is not valid UTF-8", key);
	*out = v->valuestring;
	return DVC_OK;
}

static int get_int(const cJSON *obj, const char *key, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		return dvc__err(DVC_ESCHEMA, key, "missing '%s'", key);
	/* range first: converting an out-of-range double to int is undefined */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -1e9 && v->valuedouble <= 1e9) ||
	    v->valuedouble != floor(v->valuedouble))
		return dvc__err(DVC_ESCHEMA, key, "'%s' must be an integer", key);
	*out = (int)v->valuedouble;
	return DVC_OK;
}

static int parse_entries(const cJSON *root, const char *list, int year, bool days_off,
			 sched_entry *out, size_t *n)
{
	static const char *const off_keys[] = {"date", "name", "kind"};
	static const char *const work_keys[] = {"date", "name"};
	static const char *const kinds[] = {"holiday", "compensatory", "off"};
	static const uint8_t kind_vals[] = {DVC_DAY_HOLIDAY, DVC_DAY_COMPENSATORY, DVC_DAY_OFF};
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, list);
	char prefix[64], path[96];
	int i = 0, rc;

	if (!arr)
		return dvc__err(DVC_ESCHEMA, list, "missing '%s'", list);
	if (!cJSON_IsArray(arr))
		return dvc__err(DVC_ESCHEMA, list, "'%s' must be an array", list);
	for (const cJSON *e = arr->child; e; e = e->next, i++) {
		const char *date, *name, *kind;
		dvc_date d;
		sched_entry *se = &out[*n];
		snprintf(prefix, sizeof prefix, "%s[%d].", list, i);
		if (!cJSON_IsObject(e)) {
			snprintf(path, sizeof path, "%s[%d]", list, i);
			return dvc__err(DVC_ESCHEMA, path, "entry must be an object");
		}
		if ((rc = check_keys(e, days_off ? off_keys : work_keys,
				     days_off ? 3 : 2, prefix)) != DVC_OK ||
		    (rc = get_string(e, "date", true, prefix, &date)) != DVC_OK ||
		    (rc = get_string(e, "name", true, prefix, &name)) != DVC_OK ||
		    (rc = get_string(e, "kind", false, prefix, &kind)) != DVC_OK)
			return rc;
		snprintf(path, sizeof path, "%sdate", prefix);
		if (dvc__date_parse(date, &d) != DVC_OK)
			return dvc__err(DVC_ESCHEMA, path, "'%.20s' is not a valid YYYY-MM-DD date", date);
		if (d.year != year)
			return dvc__err(DVC_ESCHEMA, path, "%s is outside the schedule's year %d", date, year);
		se->kind = days_off ? DVC_DAY_HOLIDAY : DVC_DAY_SWAPPED_WORKING;
		if (kind) {
			size_t k = 0;
			while (k < DVC_ARRAY_LEN(kinds) && strcmp(kind, kinds[k]) != 0)
				k++;
			if (k == DVC_ARRAY_LEN(kinds)) {
				snprintf(path, sizeof path, "%skind", prefix);
				return dvc__err(DVC_ESCHEMA, path, "kind must be holiday, compensatory or off");
			}
			se->kind = kind_vals[k];
		}
		se->day = dvc__days_from_civil(d.year, d.month, d.day);
		se->name = name;
		se->list = list;
		se->index = i;
		(*n)++;
	}
	return DVC_OK;
}

/* Validate `root` and build the year's block. */
static int schedule_from_json(const cJSON *root, int *year_out, cal_year *out)
{
	static const char *const top_keys[] = {"format", "format_version", "year", "source",
					       "note", "days_off", "working_days"};
	const char *format, *source, *note;
	const cJSON *off, *work;
	sched_entry *entries = NULL;
	size_t n = 0, cap, bytes;
	int version = 0, year = 0, rc;
	char *p;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(root))
		return dvc__err(DVC_ESCHEMA, NULL, "a schedule must be a JSON object");
	if ((rc = check_keys(root, top_keys, DVC_ARRAY_LEN(top_keys), "")) != DVC_OK ||
	    (rc = get_string(root, "format", true, "", &format)) != DVC_OK)
		return rc;
	if (strcmp(format, SCHEDULE_FORMAT) != 0)
		return dvc__err(DVC_ESCHEMA, "format", "format must be \"" SCHEDULE_FORMAT "\"");
	if ((rc = get_int(root, "format_version", &version)) != DVC_OK)
		return rc;
	if (version > 1)
		return dvc__err(DVC_EVERSION, "format_version",
				"schedule format_version %d is newer than this library (1)", version);
	if (version != 1)
		return dvc__err(DVC_ESCHEMA, "format_version", "format_version must be 1");
	if ((rc = get_int(root, "year", &year)) != DVC_OK)
		return rc;
	if (year < DVC_CALENDAR_MIN_YEAR || year > DVC_CALENDAR_MAX_YEAR)
		return dvc__err(DVC_ERANGE, "year", "year %d is outside %d-%d", year,
				DVC_CALENDAR_MIN_YEAR, DVC_CALENDAR_MAX_YEAR);
	if ((rc = get_string(root, "source", true, "", &source)) != DVC_OK ||
	    (rc = get_string(root, "note", false, "", &note)) != DVC_OK)
		return rc;
	off = cJSON_GetObjectItemCaseSensitive(root, "days_off");
	work = cJSON_GetObjectItemCaseSensitive(root, "working_days");
	cap = (size_t)cJSON_GetArraySize(off) + (size_t)cJSON_GetArraySize(work);
	entries = dvc__calloc(cap ? cap : 1, sizeof *entries);
	if (!entries)
		return dvc__oom();
	if ((rc = parse_entries(root, "days_off", year, true, entries, &n)) != DVC_OK ||
	    (rc = parse_entries(root, "working_days", year, false, entries, &n)) != DVC_OK)
		goto done;
	qsort(entries, n, sizeof *entries, cmp_entry);
	for (size_t i = 1; i < n; i++) {
		if (entries[i].day == entries[i - 1].day) {
			char path[64];
			snprintf(path, sizeof path, "%s[%d].date", entries[i].list, entries[i].index);
			rc = dvc__err(DVC_ESCHEMA, path, "date listed twice in the schedule");
			goto done;
		}
	}
	/* One block: the day array, then the strings. */
	bytes = n * sizeof(dvc__special_day) + strlen(source) + 1 + (note ? strlen(note) + 1 : 0);
	for (size_t i = 0; i < n; i++)
		bytes += strlen(entries[i].name) + 1;
	out->block = dvc__malloc(bytes);
	if (!out->block) {
		rc = dvc__oom();
		goto done;
	}
	out->days = out->block;
	out->n = n;
	p = (char *)out->block + n * sizeof(dvc__special_day);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(entries[i].name) + 1;
		memcpy(p, entries[i].name, len);
		out->days[i] = (dvc__special_day){(int32_t)entries[i].day, entries[i].kind, p};
		p += len;
	}
	memcpy(p, source, strlen(source) + 1);
	out->source = p;
	p += strlen(source) + 1;
	if (note) {
		memcpy(p, note, strlen(note) + 1);
		out->note = p;
	}
	*year_out = year;
	rc = DVC_OK;
done:
	dvc__free(entries);
	return rc;
}

/* Put year y in place of the year's days (which it frees) and recount;
 * nothing here can fail, so a built year is never half installed. */
static void install_year(dvc_calendar *c, int year, const cal_year *y)
{
	year_release(&c->years[year - DVC_CALENDAR_MIN_YEAR]);
	c->years[year - DVC_CALENDAR_MIN_YEAR] = *y;
	apply_year(c, year);
	rebuild_prefix(c);
}

int dvc_calendar_load_schedule(dvc_calendar *c, const char *json, size_t len)
{
	/* a year's schedule nests 3 deep and has a few dozen values */
	static const dvc__json_limits lim = {SCHEDULE_MAX_BYTES, 16, 100000};
	cJSON *root;
	cal_year y;
	int year = 0, rc;

	if (!c || (!json && len))
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if (len > SCHEDULE_MAX_BYTES)
		return dvc__err(DVC_ETOOBIG, NULL, "schedule larger than %u bytes", SCHEDULE_MAX_BYTES);
	if ((rc = dvc__json_read(json ? json : "", len, &lim, "the schedule", &root)) != DVC_OK)
		return rc;
	rc = schedule_from_json(root, &year, &y);
	cJSON_Delete(root);
	if (rc != DVC_OK)
		return rc;
	install_year(c, year, &y);
	return DVC_OK;
}

int dvc_calendar_load_schedule_file(dvc_calendar *c, const char *path)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	if (!c || !path)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	f = fopen(path, "rb");
	if (!f)
		return dvc__err(DVC_EIO, NULL, "cannot open %s: %s", path, strerror(errno));
	buf = dvc__malloc(SCHEDULE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return dvc__oom();
	}
	n = fread(buf, 1, SCHEDULE_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = dvc__err(DVC_EIO, NULL, "cannot read %s", path);
	else if (n > SCHEDULE_MAX_BYTES)
		rc = dvc__err(DVC_ETOOBIG, NULL, "%s is larger than %u bytes", path, SCHEDULE_MAX_BYTES);
	else
		rc = dvc_calendar_load_schedule(c, buf, n);
	fclose(f);
	dvc__free(buf);
	return rc;
}

int dvc_calendar_clear_schedule(dvc_calendar *c, int year)
{
	cal_year y;
	int rc;
	if (!c)
		return dvc__err(DVC_EINVAL, NULL, "NULL calendar");
	if ((rc = year_check(year)) != DVC_OK)
		return rc;
	if (!c->years[year - DVC_CALENDAR_MIN_YEAR].source)
		return DVC_OK;
	if ((rc = rules_year(c, year, &y)) != DVC_OK)
		return rc;
	install_year(c, year, &y);
	return DVC_OK;
}

int dvc_calendar_schedule_source(const dvc_calendar *c, int year, const char **source)
{
	int rc;
	if (!c || !source)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if ((rc = year_check(year)) != DVC_OK)
		return rc;
	*source = c->years[year - DVC_CALENDAR_MIN_YEAR].source;
	return DVC_OK;
}

/* ---- days ---- */

static const char *weekday_name(int wd)
{
	static const char *const names[] = {"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư",
					    "Thứ Năm", "Thứ Sáu", "Thứ Bảy"};
	return names[wd];
}

static const char *special_name(const dvc_calendar *c, int64_t day, int year)
{
	const cal_year *y = &c->years[year - DVC_CALENDAR_MIN_YEAR];
	for (size_t i = 0; i < y->n; i++)
		if (y->days[i].day == day)
			return y->days[i].name;
	return NULL;
}

static void fill_info(const dvc_calendar *c, int64_t day, dvc_day_info *out)
{
	int kind = c->kind[day - c->day0];
	out->version = DVC_DAY_INFO_VERSION;
	dvc__civil_from_days(day, &out->date.year, &out->date.month, &out->date.day);
	out->kind = (dvc_day_kind)kind;
	out->working = kind_working(kind);
	if (kind == DVC_DAY_WORKING)
		out->name = NULL;
	else if (kind == DVC_DAY_WEEKEND)
		out->name = weekday_name(dvc__weekday(day));
	else
		out->name = special_name(c, day, out->date.year);
}

int dvc_calendar_day(const dvc_calendar *c, dvc_date date, dvc_day_info *out)
{
	int rc;
	if (!c || !out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if (out->version != DVC_DAY_INFO_VERSION)
		return dvc__version_err("dvc_day_info", out->version, DVC_DAY_INFO_VERSION);
	if (!dvc__date_valid(date.year, date.month, date.day))
		return dvc__err(DVC_EDATE, NULL, "%04d-%02d-%02d is not a valid date",
				date.year, date.month, date.day);
	if ((rc = year_check(date.year)) != DVC_OK)
		return rc;
	fill_info(c, dvc__days_from_civil(date.year, date.month, date.day), out);
	return DVC_OK;
}

int dvc_calendar_special_days(const dvc_calendar *c, int year, dvc_day_info **out, size_t *n)
{
	const cal_year *y;
	size_t k = 0;
	int64_t a, b;
	int rc;

	if (!c || !out || !n)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	*out = NULL;
	*n = 0;
	if ((rc = year_check(year)) != DVC_OK)
		return rc;
	y = &c->years[year - DVC_CALENDAR_MIN_YEAR];
	if (y->n == 0)
		return DVC_OK;
	*out = dvc__calloc(y->n, sizeof **out);
	if (!*out)
		return dvc__oom();
	a = dvc__days_from_civil(year, 1, 1);
	b = dvc__days_from_civil(year + 1, 1, 1);
	for (size_t i = 0; i < y->n; i++) {
		if (y->days[i].day < a || y->days[i].day >= b)
			continue;
		fill_info(c, y->days[i].day, &(*out)[k]);
		k++;
	}
	*n = k;
	return DVC_OK;
}

/* ---- working-time arithmetic ---- */

int64_t dvc_calendar_day_seconds(const dvc_calendar *c)
{
	return c ? c->w : 0;
}

/* Local day index (from 1900-01-01) and seconds after local midnight. */
static int split(const dvc_calendar *c, dvc_time t, int32_t *idx, int64_t *sod)
{
	int64_t lt, day;
	if (t < INT64_MIN / 2 || t > INT64_MAX / 2)
		return dvc__err(DVC_ERANGE, NULL, "instant out of range");
	lt = t + DVC_VN_OFFSET_SECONDS;
	day = floor_div(lt, 86400);
	if (day < c->day0 || day >= c->day0 + c->ndays)
		return dvc__err(DVC_ERANGE, NULL, "instant outside %d-%d (local time)",
				DVC_CALENDAR_MIN_YEAR, DVC_CALENDAR_MAX_YEAR);
	*idx = (int32_t)(day - c->day0);
	*sod = lt - day * 86400;
	return DVC_OK;
}

/* Office seconds elapsed by second-of-day `s` on a working day. */
static int64_t elapsed(const dvc_calendar *c, int64_t s)
{
	int64_t am0 = c->opts.am_start * 60, am1 = c->opts.am_end * 60;
	int64_t pm0 = c->opts.pm_start * 60, pm1 = c->opts.pm_end * 60;
	if (s <= am0)
		return 0;
	if (s < am1)
		return s - am0;
	if (s <= pm0)
		return c->am_len;
	if (s < pm1)
		return c->am_len + s - pm0;
	return c->w;
}

static int position(const dvc_calendar *c, dvc_time t, int64_t *pos)
{
	int32_t idx = 0;
	int64_t sod = 0;
	int rc = split(c, t, &idx, &sod);
	if (rc != DVC_OK)
		return rc;
	*pos = (int64_t)c->cum[idx] * c->w + (kind_working(c->kind[idx]) ? elapsed(c, sod) : 0);
	return DVC_OK;
}

static dvc_time instant_of(const dvc_calendar *c, int32_t idx, int64_t sod)
{
	return (c->day0 + idx) * 86400 + sod - DVC_VN_OFFSET_SECONDS;
}

/* The instant at office position `target`. Positions are constant across
 * breaks and nights; `latest` picks the end of such a plateau (the next
 * opening time), otherwise its start (the closing time). */
static int from_position(const dvc_calendar *c, int64_t target, bool latest, dvc_time *out)
{
	int64_t q, r;
	if (target < 0)
		return dvc__err(DVC_ERANGE, NULL, "result before %d-01-01", DVC_CALENDAR_MIN_YEAR);
	q = target / c->w;
	r = target % c->w;
	if (!latest && r == 0) {
		if (q == 0 || q > c->nworking)
			return dvc__err(DVC_ERANGE, NULL, "result outside %d-%d",
					DVC_CALENDAR_MIN_YEAR, DVC_CALENDAR_MAX_YEAR);
		q -= 1;
		r = c->w;
	} else if (q >= c->nworking) {
		return dvc__err(DVC_ERANGE, NULL, "result after %d-12-31", DVC_CALENDAR_MAX_YEAR);
	}
	if (latest ? r < c->am_len : (r <= c->am_len && c->am_len > 0))
		*out = instant_of(c, c->widx[q], c->opts.am_start * 60 + r);
	else
		*out = instant_of(c, c->widx[q], c->opts.pm_start * 60 + (r - c->am_len));
	return DVC_OK;
}

/* About 300 years of office time: anything beyond cannot land in range. */
#define MAX_SECONDS ((int64_t)NYEARS * 366 * 86400)

int dvc_calendar_add_seconds(const dvc_calendar *c, dvc_time start, int64_t seconds, dvc_time *out)
{
	int64_t pos;
	int rc;
	if (!c || !out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if ((rc = position(c, start, &pos)) != DVC_OK)
		return rc;
	if (seconds > MAX_SECONDS || seconds < -MAX_SECONDS)
		return dvc__err(DVC_ERANGE, NULL, "working time to add is out of range");
	if (seconds == 0) {
		*out = start;
		return DVC_OK;
	}
	return from_position(c, pos + seconds, seconds < 0, out);
}

int dvc_calendar_add_minutes(const dvc_calendar *c, dvc_time start, int64_t minutes, dvc_time *out)
{
	if (minutes > MAX_SECONDS / 60 || minutes < -MAX_SECONDS / 60)
		return dvc__err(DVC_ERANGE, NULL, "working time to add is out of range");
	return dvc_calendar_add_seconds(c, start, minutes * 60, out);
}

int dvc_calendar_add_hours(const dvc_calendar *c, dvc_time start, int64_t hours, dvc_time *out)
{
	if (hours > MAX_SECONDS / 3600 || hours < -MAX_SECONDS / 3600)
		return dvc__err(DVC_ERANGE, NULL, "working time to add is out of range");
	return dvc_calendar_add_seconds(c, start, hours * 3600, out);
}

int dvc_calendar_add_days(const dvc_calendar *c, dvc_time start, int days, dvc_time *out)
{
	int32_t idx = 0;
	int64_t sod = 0;
	int rc;
	if (!c || !out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	rc = dvc_calendar_add_seconds(c, start, (int64_t)days * c->w, out);
	if (rc != DVC_OK || days <= 0 || !c->opts.round_to_end_of_day)
		return rc;
	split(c, *out, &idx, &sod); /* in range: from_position produced it */
	*out = instant_of(c, idx, (int64_t)(c->pm_len > 0 ? c->opts.pm_end : c->opts.am_end) * 60);
	return DVC_OK;
}

int dvc_calendar_between(const dvc_calendar *c, dvc_time a, dvc_time b, int64_t *working_seconds)
{
	int64_t pa, pb;
	int rc;
	if (!c || !working_seconds)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if ((rc = position(c, a, &pa)) != DVC_OK || (rc = position(c, b, &pb)) != DVC_OK)
		return rc;
	*working_seconds = pb - pa;
	return DVC_OK;
}

int dvc_calendar_next_working(const dvc_calendar *c, dvc_time t, dvc_time *out)
{
	int64_t pos;
	int rc;
	if (!c || !out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if ((rc = position(c, t, &pos)) != DVC_OK)
		return rc;
	return from_position(c, pos, true, out);
}

/* ---- lunar through the table ---- */

int dvc_calendar_lunar_from_solar(const dvc_calendar *c, dvc_date date, dvc_lunar_date *out)
{
	if (!c)
		return dvc__err(DVC_EINVAL, NULL, "NULL calendar");
	return dvc__lunar_checked_from_table(&c->lunar, date, out);
}

int dvc_calendar_lunar_to_solar(const dvc_calendar *c, dvc_lunar_date lunar, dvc_date *out)
{
	if (!c)
		return dvc__err(DVC_EINVAL, NULL, "NULL calendar");
	return dvc__lunar_checked_to_table(&c->lunar, lunar, out);
}

/* ---- instants ---- */

static int digits(const char **s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

int dvc_time_parse(const char *s, dvc_time *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, oh, om, sign;

	if (!s || !out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 0 || (*p != 'T' && *p != 't' && *p != ' ') || !*p++ ||
	    (h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
		goto malformed;
	if (*p == ':') {
		p++;
		if ((sec = digits(&p, 2)) < 0)
			goto malformed;
		if (*p == '.' || *p == ',') { /* fractions are dropped: instants are seconds */
			p++;
			if (*p < '0' || *p > '9')
				goto malformed;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (!dvc__date_valid(y, mo, d))
		return dvc__err(DVC_EDATE, NULL, "'%.40s': %04d-%02d-%02d is not a valid date", s, y, mo, d);
	if (h > 23 || mi > 59 || sec > 59)
		return dvc__err(DVC_EDATE, NULL, "'%.40s': %02d:%02d:%02d is not a valid time", s, h, mi, sec);
	if (*p == '\0')
		return dvc__err(DVC_EDATE, NULL, "'%.40s' has no UTC offset: add Z or +07:00 "
				"(an instant without one is ambiguous)", s);
	if (*p == 'Z' || *p == 'z') {
		p++;
		oh = om = 0;
		sign = 1;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, 2)) < 0)
			goto malformed;
		if (*p == ':')
			p++;
		if ((om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
			goto malformed;
	} else {
		goto malformed;
	}
	if (*p != '\0')
		goto malformed;
	*out = dvc__days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return DVC_OK;
malformed:
	return dvc__err(DVC_EDATE, NULL, "'%.40s' is not an ISO 8601 instant like "
			"2026-03-02T10:15:00+07:00", s);
}

int dvc_time_to_local(dvc_time t, dvc_date *date, int *seconds_of_day)
{
	int64_t lt, day;
	if (!date)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	/* 0001-01-01 .. 9999-12-31 */
	if (t < -62135596800LL || t > 253402300799LL)
		return dvc__err(DVC_ERANGE, NULL, "instant outside years 1-9999");
	lt = t + DVC_VN_OFFSET_SECONDS;
	day = floor_div(lt, 86400);
	dvc__civil_from_days(day, &date->year, &date->month, &date->day);
	if (date->year < 1 || date->year > 9999)
		return dvc__err(DVC_ERANGE, NULL, "instant outside years 1-9999");
	if (seconds_of_day)
		*seconds_of_day = (int)(lt - day * 86400);
	return DVC_OK;
}

int dvc_time_format(dvc_time t, char *buf, size_t n)
{
	dvc_date d;
	int sod, rc;
	if (!buf || n < DVC_TIME_FORMAT_SIZE)
		return dvc__err(DVC_EINVAL, NULL, "buffer smaller than DVC_TIME_FORMAT_SIZE");
	if ((rc = dvc_time_to_local(t, &d, &sod)) != DVC_OK)
		return rc;
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", d.year, d.month, d.day,
		 sod / 3600, sod / 60 % 60, sod % 60);
	return DVC_OK;
}

int dvc_date_parse(const char *s, dvc_date *out)
{
	if (!s || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_date_parse needs a text and an out pointer");
	return dvc__date_parse(s, out);
}

int dvc_time_parse_day(const char *s, dvc_time *out)
{
	dvc_date d;
	if (!s || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_time_parse_day needs a text and an out pointer");
	if (strlen(s) <= 10) /* too short for an instant: a date, or an error about dates */
		return dvc__date_parse(s, &d) == DVC_OK ? dvc_time_from_local(d, 0, 0, 0, out)
							: DVC_EDATE;
	return dvc_time_parse(s, out);
}

int dvc_time_from_local(dvc_date date, int hour, int minute, int second, dvc_time *out)
{
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "NULL argument");
	if (!dvc__date_valid(date.year, date.month, date.day))
		return dvc__err(DVC_EDATE, NULL, "%04d-%02d-%02d is not a valid date",
				date.year, date.month, date.day);
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
		return dvc__err(DVC_EDATE, NULL, "%02d:%02d:%02d is not a valid time", hour, minute, second);
	*out = dvc__days_from_civil(date.year, date.month, date.day) * 86400 + hour * 3600 +
	       minute * 60 + second - DVC_VN_OFFSET_SECONDS;
	return DVC_OK;
}
