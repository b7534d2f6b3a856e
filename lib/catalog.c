/* Catalog: import orchestration against the store, procedure reads,
 * statistics. The records themselves, their checks and names are the
 * model's (catalog_model.c). */
#include "catalog_internal.h"
#include "dvc/eform.h"
#include "store_internal.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- import ---- */

/* A code must be defined in the document or already in the store. The
 * error names the field at the path printed from `path_fmt`. */
static int ref_check(dvc_db *db, const dvc__catalog *c, const char *kind, const char *code,
		     const char *record, const char *path_fmt, ...) DVC_PRINTF(6, 7);
static int ref_check(dvc_db *db, const dvc__catalog *c, const char *kind, const char *code,
		     const char *record, const char *path_fmt, ...)
{
	char path[128];
	va_list ap;
	int found = 0;
	if (strcmp(kind, "level") == 0) {
		for (size_t i = 0; i < c->n_levels && !found; i++)
			found = strcmp(c->levels[i].code, code) == 0;
		if (!found)
			found = dvc__store_level_exists(db, code);
	} else if (strcmp(kind, "sector") == 0) {
		for (size_t i = 0; i < c->n_sectors && !found; i++)
			found = strcmp(c->sectors[i].code, code) == 0;
		if (!found)
			found = dvc__store_sector_exists(db, code);
	} else {
		for (size_t i = 0; i < c->n_agencies && !found; i++)
			found = strcmp(c->agencies[i].code, code) == 0;
		if (!found)
			found = dvc__store_agency_exists(db, code);
	}
	if (found < 0)
		return found;
	if (found)
		return DVC_OK;
	va_start(ap, path_fmt);
	vsnprintf(path, sizeof path, path_fmt, ap);
	va_end(ap);
	return dvc__err(DVC_EREF, path, "%s: unknown %s code '%s'", record, kind, code);
}

/* A code a record refers to: its kind, the code (NULL when the field is
 * absent, which is not checked) and the field's name. */
typedef struct ref {
	const char *kind, *code, *field;
} ref;

/* The references of the record `record` at `base`, in order. */
static int refs_check(dvc_db *db, const dvc__catalog *c, const ref *refs, size_t n,
		      const char *base, const char *record)
{
	for (size_t k = 0; k < n; k++) {
		int rc;
		if (refs[k].code && (rc = ref_check(db, c, refs[k].kind, refs[k].code, record, "%s.%s",
						    base, refs[k].field)) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

/* Counts into *st from zero: a run again after a deadlock counts once. */
static int write_catalog(dvc_db *db, const dvc__catalog *c, dvc_import_stats *st)
{
	char path[128], base[80], rec[96];
	int rc;
	*st = (dvc_import_stats)DVC_IMPORT_STATS_INIT;
	for (size_t i = 0; i < c->n_levels; i++)
		if ((rc = dvc__store_level_put(db, &c->levels[i])) != DVC_OK)
			return rc;
	for (size_t i = 0; i < c->n_sectors; i++)
		if ((rc = dvc__store_sector_put(db, &c->sectors[i])) != DVC_OK)
			return rc;
	for (size_t i = 0; i < c->n_agencies; i++) {
		const dvc__agency *a = &c->agencies[i];
		const ref refs[] = {{"level", a->level, "level"}, {"agency", a->parent, "parent"}};
		snprintf(base, sizeof base, "agencies[%zu]", i);
		snprintf(rec, sizeof rec, "agency %s", a->code);
		if ((rc = refs_check(db, c, refs, DVC_ARRAY_LEN(refs), base, rec)) != DVC_OK ||
		    (rc = dvc__store_agency_put(db, a)) != DVC_OK)
			return rc;
	}
	st->levels = c->n_levels;
	st->sectors = c->n_sectors;
	for (size_t i = 0; i < c->n_successions; i++) {
		const dvc_succession *sc = &c->successions[i];
		const ref refs[] = {{"agency", sc->predecessor, "predecessor"},
				    {"agency", sc->successor, "successor"}};
		snprintf(base, sizeof base, "successions[%zu]", i);
		snprintf(rec, sizeof rec, "successor link %zu", i);
		if ((rc = refs_check(db, c, refs, DVC_ARRAY_LEN(refs), base, rec)) != DVC_OK ||
		    (rc = dvc__store_succession_put(db, sc)) != DVC_OK)
			return rc;
	}
	st->agencies = c->n_agencies;
	st->procedures = c->n_procs;
	for (size_t i = 0; i < c->n_procs; i++) {
		const dvc__proc *pr = &c->procs[i];
		for (size_t v = 0; v < pr->n_versions; v++) {
			const dvc_procedure *p = &pr->versions[v];
			const ref refs[] = {{"sector", p->sector, "sector"},
					    {"agency", p->agency, "agency"},
					    {"level", p->served_level, "served_by.level"}};
			snprintf(base, sizeof base, "procedures[%zu].versions[%zu]", i, v);
			snprintf(rec, sizeof rec, "procedure %s version %d", p->code, p->version);
			if ((rc = refs_check(db, c, refs, DVC_ARRAY_LEN(refs), base, rec)) != DVC_OK)
				return rc;
			if (p->served_level && p->n_route) {
				snprintf(path, sizeof path, "%s.route", base);
				return dvc__err(DVC_ESCHEMA, path, "%s: a procedure served by every %s agency "
						"takes the route relative to the competent agency; "
						"a route of fixed units cannot be given", rec, p->served_level);
			}
			for (size_t l = 0; l < p->n_levels; l++) {
				if ((rc = ref_check(db, c, "level", p->levels[l], rec,
						    "%s.levels[%zu]", base, l)) != DVC_OK)
					return rc;
			}
			for (size_t k = 0; k < p->n_route; k++) {
				if ((rc = ref_check(db, c, "agency", p->route[k].unit, rec,
						    "%s.route[%zu].unit", base, k)) != DVC_OK)
					return rc;
			}
			if (p->form_schema && (rc = dvc__form_schema_check(p->form_schema)) != DVC_OK) {
				snprintf(path, sizeof path, "%s.form_schema", base);
				dvc__err_prefix_path(path);
				return rc;
			}
			/* versions already stored: numbers and start dates rise together */
			if ((rc = dvc__store_version_order_ok(db, p)) != DVC_OK) {
				if (rc == DVC_ESCHEMA)
					return dvc__err(DVC_ESCHEMA, base, "%s: versions must start later as their "
							"numbers rise, also against the versions already stored", rec);
				return rc;
			}
			rc = dvc__store_version_put(db, p);
			if (rc == DVC_EEXISTS) {
				dvc_procedure *old;
				bool same;
				if ((rc = dvc__store_version_get(db, p->code, p->version, NULL, &old)) != DVC_OK)
					return rc;
				same = dvc__procedure_equal(old, p);
				dvc_procedure_free(old);
				if (!same)
					return dvc__err(DVC_ECONFLICT, base,
							"%s is already stored with different content; "
							"publish a new version instead", rec);
				st->versions_same++;
				continue;
			}
			if (rc != DVC_OK) {
				dvc__err_prefix_path(base);
				return rc;
			}
			st->versions_added++;
		}
	}
	return DVC_OK;
}

static dvc_format sniff(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)data[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		if (ch == 0xEF) /* UTF-8 byte order mark */
			continue;
		if (ch == 0xBB || ch == 0xBF)
			continue;
		return ch == '<' ? DVC_FORMAT_XML : DVC_FORMAT_JSON;
	}
	return DVC_FORMAT_JSON;
}

int dvc_catalog_import(dvc_db *db, const char *data, size_t len, dvc_format format,
		       dvc_import_stats *stats)
{
	dvc__catalog c;
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	int rc;
	if (!db || (!data && len))
		return dvc__err(DVC_EINVAL, NULL, "dvc_catalog_import needs a store and data");
	if (stats && stats->version != DVC_IMPORT_STATS_VERSION)
		return dvc__version_err("dvc_import_stats", stats->version, DVC_IMPORT_STATS_VERSION);
	if (len > DVC_CATALOG_MAX_INPUT)
		return dvc__err(DVC_ETOOBIG, NULL, "catalog input of %zu bytes exceeds the limit of %u",
				len, DVC_CATALOG_MAX_INPUT);
	if (format == DVC_FORMAT_AUTO)
		format = sniff(data, len);
	if (format == DVC_FORMAT_JSON)
		rc = dvc__catalog_from_json(data, len, &c);
	else if (format == DVC_FORMAT_XML)
		rc = dvc__catalog_from_xml(data, len, &db->xsd, &db->xsd_free, &c);
	else
		return dvc__err(DVC_EINVAL, NULL, "unknown catalog format %d", (int)format);
	if (rc != DVC_OK)
		return rc;
	if ((rc = dvc__catalog_check(&c)) == DVC_OK)
		DVC__WRITE(db, rc, write_catalog(db, &c, &st));
	dvc__catalog_free(&c);
	if (rc == DVC_OK && stats)
		*stats = st;
	return rc;
}

int dvc__read_file(const char *path, size_t limit, char **out, size_t *len)
{
	struct stat sb;
	FILE *f;
	char *buf;
	size_t n;
	if (!path)
		return dvc__err(DVC_EINVAL, NULL, "no file name");
	if (!(f = fopen(path, "rb")))
		return dvc__err(DVC_EIO, path, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return dvc__err(DVC_EIO, path, "'%s' is not a regular file", path);
	}
	/* Refuse before reading: a 100 MB file is not worth loading to reject. */
	if ((uint64_t)sb.st_size > limit) {
		fclose(f);
		return dvc__err(DVC_ETOOBIG, path, "'%s' is %lld bytes; the limit is %zu", path,
				(long long)sb.st_size, limit);
	}
	if (!(buf = dvc__malloc((size_t)sb.st_size + 1))) {
		fclose(f);
		return dvc__oom();
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		fclose(f);
		dvc__free(buf);
		return dvc__err(DVC_EIO, path, "cannot read '%s'", path);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return DVC_OK;
}

int dvc_catalog_import_file(dvc_db *db, const char *path, dvc_format format,
			    dvc_import_stats *stats)
{
	char *data;
	size_t len;
	int rc;
	if (!db || !path)
		return dvc__err(DVC_EINVAL, NULL, "dvc_catalog_import_file needs a store and a path");
	if (stats && stats->version != DVC_IMPORT_STATS_VERSION)
		return dvc__version_err("dvc_import_stats", stats->version, DVC_IMPORT_STATS_VERSION);
	if (format == DVC_FORMAT_AUTO) {
		const char *dot = strrchr(path, '.');
		if (dot && strcmp(dot, ".json") == 0)
			format = DVC_FORMAT_JSON;
		else if (dot && strcmp(dot, ".xml") == 0)
			format = DVC_FORMAT_XML;
	}
	if ((rc = dvc__read_file(path, DVC_CATALOG_MAX_INPUT, &data, &len)) != DVC_OK)
		return rc;
	rc = dvc_catalog_import(db, data, len, format, stats);
	dvc__free(data);
	return rc;
}

int dvc_catalog_export(dvc_db *db, dvc_format format, char **out, size_t *len)
{
	dvc__catalog c;
	dvc_buf b = DVC_BUF_INIT;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_catalog_export needs a store and an out pointer");
	if (format != DVC_FORMAT_JSON && format != DVC_FORMAT_XML)
		return dvc__err(DVC_EINVAL, NULL, "export format must be JSON or XML");
	memset(&c, 0, sizeof c);
	rc = dvc__store_catalog_load(db, &c);
	if (rc == DVC_OK)
		rc = format == DVC_FORMAT_JSON ? dvc__catalog_to_json(&c, &b)
					       : dvc__catalog_to_xml(&c, &b);
	dvc__catalog_free(&c);
	return dvc_buf_finish(&b, rc, out, len);

}

/* ---- reads ---- */

/* Today in Vietnam (UTC+7) on the handle's clock (dvc_set_clock), the
 * default "as of" date. */
static int today_vn(dvc_db *db, dvc_date *d)
{
	dvc_time now;
	int rc = dvc__now(db, &now);
	int64_t t = (int64_t)now + 7 * 3600;
	int64_t days = t / 86400 - (t % 86400 < 0);
	dvc__civil_from_days(days, &d->year, &d->month, &d->day);
	return rc;
}

int dvc__asof(dvc_db *db, const dvc_date *asof, char out[11])
{
	dvc_date d;
	int rc = DVC_OK;
	if (asof)
		d = *asof;
	else
		rc = today_vn(db, &d);
	dvc__date_format(&d, out);
	return rc;
}

int dvc_procedure_get(dvc_db *db, const char *code, const dvc_date *asof, dvc_procedure **out)
{
	dvc_date d;
	int rc;
	if (!db || !code || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_procedure_get needs a store, a code and an out pointer");
	if (asof && !dvc__date_valid(asof->year, asof->month, asof->day))
		return dvc__err(DVC_EDATE, NULL, "invalid 'as of' date");
	if (asof)
		d = *asof;
	else if ((rc = today_vn(db, &d)) != DVC_OK)
		return rc;
	return dvc__store_version_get(db, code, 0, &d, out);
}

int dvc_procedure_get_version(dvc_db *db, const char *code, int version, dvc_procedure **out)
{
	if (!db || !code || !out || version <= 0)
		return dvc__err(DVC_EINVAL, NULL,
				"dvc_procedure_get_version needs a store, a code, a version > 0 and an out pointer");
	return dvc__store_version_get(db, code, version, NULL, out);
}

void dvc_procedure_free(dvc_procedure *p)
{
	if (p) {
		dvc_arena a = *(dvc_arena *)(p + 1);
		dvc_arena_free(&a);
	}
}

/* ---- statistics ---- */

struct dvc_catalog_stats {
	DVC__LIST_MEMBERS(dvc_stat_row, rows);
	int64_t total;
};

static int stat_row(void *ctx, const char *dim, const char *key, const char *label, int64_t count)
{
	dvc_catalog_stats *s = ctx;
	dvc_stat_row *r = DVC__LIST_NEXT(s, rows);
	if (!r)
		return dvc__oom();
	r->dimension = dvc_arena_strdup(&s->arena, dim);
	r->key = dvc_arena_strdup(&s->arena, key);
	r->label = dvc_arena_strdup(&s->arena, label);
	r->count = count;
	if (!r->dimension || !r->key || !r->label)
		return dvc__oom();
	s->n++;
	if (strcmp(dim, "online_level") == 0)
		s->total += count; /* every version in force has exactly one online level */
	return DVC_OK;
}

int dvc_catalog_stats_compute(dvc_db *db, const dvc_date *asof, dvc_catalog_stats **out)
{
	dvc_catalog_stats *s;
	char day[11];
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_catalog_stats_compute needs a store and an out pointer");
	if (!(s = dvc__calloc(1, sizeof *s)))
		return dvc__oom();
	if ((rc = dvc__asof(db, asof, day)) != DVC_OK ||
	    (rc = dvc__store_catalog_stats(db, day, stat_row, s)) != DVC_OK) {
		dvc_catalog_stats_free(s);
		return rc;
	}
	*out = s;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(catalog_stats, dvc_catalog_stats, dvc_stat_row, rows)
int64_t dvc_catalog_stats_total(const dvc_catalog_stats *s) { return s ? s->total : 0; }
