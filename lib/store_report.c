/* Report queries. The grouped report is one pass over the period's
 * dossiers; how it counts depends on where the rows are:
 *
 * - SQLite streams rows into this process: one narrow SELECT, the counts
 *   and the working time to settle computed here per row (report_scan),
 *   groups put together at the end;
 * - PostgreSQL holds a statement's whole result in client memory
 *   (whole_results), so the server counts and groups (REPORT_SQL), and a
 *   second pass streams only the settled dossiers' instants, ordered by
 *   group, for the working time computed here with the same calendar.
 *
 * Bottlenecks use two SQL functions SQLite gets from sql_sqlite.c (working
 * time, and a percentile over a fixed-size histogram, dvc__pct); on
 * PostgreSQL those columns come NULL and are computed here the same way.
 *
 * Both give the same figures to the last bit: the average is the exact
 * integer sum of working seconds over the count, divided once (a sum of
 * doubles depends on the order rows come in, which differs between the
 * two), and the histogram does not depend on the order. */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int functions(dvc_db *db)
{
	int rc;
	if (db->report_functions || !db->be->report_functions)
		return DVC_OK;
	if ((rc = db->be->report_functions(db)) != DVC_OK)
		return rc;
	db->report_functions = 1;
	return DVC_OK;
}

/* ---- working-time figures computed in C (backends without functions) ---- */

typedef struct wt_stat {
	const char *key;
	double avg, pct, max;
} wt_stat;

typedef struct wt_table {
	dvc_arena arena;
	wt_stat *v;
	size_t n, cap;
} wt_table;

static int wt_cmp(const void *a, const void *b)
{
	return strcmp(((const wt_stat *)a)->key, ((const wt_stat *)b)->key);
}

/* The average of n working times summing to secs seconds, in units of
 * `unit` seconds: computed the same way on every backend. */
static double wt_avg(int64_t secs, int64_t n, int64_t unit)
{
	return n ? (double)secs / (double)n / (double)unit : 0.0;
}

static int wt_flush(wt_table *t, const char *key, int64_t sum, int64_t unit, const dvc__pct *h)
{
	wt_stat *d;
	if (h->n == 0)
		return DVC_OK;
	if (!(t->v = dvc_arena_grow(&t->arena, t->v, t->n, &t->cap, sizeof *t->v)))
		return dvc__oom();
	d = &t->v[t->n];
	d->key = dvc_arena_strdup(&t->arena, key);
	if (!d->key)
		return dvc__oom();
	d->avg = wt_avg(sum, h->n, unit);
	dvc__pct_value(h, &d->pct);
	d->max = h->max;
	t->n++;
	return DVC_OK;
}

/* Rows (key TEXT, from, to), rows of one key adjacent: per key the average,
 * the p-quantile (to within width) and the maximum of the working time from
 * `from` to `to`, in days (days != 0) or hours; sorted by key for wt_find. */
static int wt_collect(dvc_db *db, dvc__sql_stmt *st, int days, double p, double width,
		      wt_table *t)
{
	const dvc_calendar *cal;
	dvc__pct *h = NULL;
	char *cur = NULL;
	int64_t sum = 0, unit;
	int rc;
	if ((rc = dvc__calendar(db, &cal)) != DVC_OK)
		goto out;
	unit = days ? dvc_calendar_day_seconds(cal) : 3600;
	if (!(h = dvc__calloc(1, sizeof *h))) {
		rc = dvc__oom();
		goto out;
	}
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		const char *key = (const char *)dvc__sql_column_text(st, 0);
		int64_t secs;
		double x;
		if (!cur || strcmp(cur, key ? key : "") != 0) {
			if ((rc = wt_flush(t, cur, sum, unit, h)) != DVC_OK)
				goto out;
			dvc__free(cur);
			if (!(cur = dvc__strdup(key ? key : ""))) {
				rc = dvc__oom();
				goto out;
			}
			memset(h, 0, sizeof *h);
			sum = 0;
		}
		if ((rc = dvc_calendar_between(cal, dvc__sql_column_int64(st, 1),
					       dvc__sql_column_int64(st, 2), &secs)) != DVC_OK)
			goto out;
		x = (double)secs / (double)unit;
		dvc__pct_add(h, x, p, width);
		sum += secs;
	}
	if (rc != DVC__SQL_DONE) {
		rc = dvc__store_err(db, rc, "computing working time");
		goto out;
	}
	if (cur && (rc = wt_flush(t, cur, sum, unit, h)) != DVC_OK)
		goto out;
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, wt_cmp);
	rc = DVC_OK;
out:
	dvc__sql_reset(st);
	dvc__free(cur);
	dvc__free(h);
	return rc;
}

static const wt_stat *wt_find(const wt_table *t, const char *key)
{
	wt_stat k = {key ? key : "", 0, 0, 0};
	return t->n ? bsearch(&k, t->v, t->n, sizeof *t->v, wt_cmp) : NULL;
}

/* ---- the grouped report ---- */

/* Everything is seen as it stood at ?3 (asof): a result or a closure after
 * that instant has not happened yet. */
#define RESULT "(d.result_at IS NOT NULL AND d.result_at <= ?3)"
#define CLOSED "(d.finished_at IS NOT NULL AND d.finished_at <= ?3)"
#define PENDING "(NOT " RESULT " AND NOT " CLOSED ")"
#define OVERDUE "(d.due_at IS NOT NULL AND CASE WHEN (d.flags & 16) <> 0 AND d.stopped_at <= ?3" \
	" THEN d.remaining < 0 ELSE ?3 > d.due_at END)"
/* the rows with a working time from intake to result (days to settle) */
#define SETTLED RESULT " AND d.received_at IS NOT NULL AND d.result_at >= d.received_at"
/* The rows of a group where condition c holds: a sum of integers, the
 * built-in aggregate on both backends. PostgreSQL's sum(boolean) of
 * sql_pg.c runs an SQL-language function per row and condition: on the
 * 1,000,000-dossier year it made the month's report by sector 3.5 s
 * instead of 0.5 s there, the year's 48 s instead of 4.4 s. */
#define COUNT_IF(c) "sum(CAST((" c ") AS INTEGER))"
#define REPORT_SQL(key, label, joins) \
	"SELECT " key ", " label ", count(*), " \
	COUNT_IF("d.channel = 0") ", " COUNT_IF("d.channel = 1") ", " COUNT_IF("d.channel = 2") ", " \
	COUNT_IF(RESULT " AND d.result_at <= d.due_at") ", " \
	COUNT_IF(RESULT " AND d.result_at > d.due_at") ", " \
	COUNT_IF(PENDING " AND NOT " OVERDUE) ", " COUNT_IF(PENDING " AND " OVERDUE) ", " \
	COUNT_IF("d.state = 9 AND " CLOSED) ", " COUNT_IF("d.state = 8 AND " CLOSED) ", " \
	COUNT_IF("d.state = 10 AND " CLOSED) ", " COUNT_IF("d.state = 7 AND " CLOSED) ", " \
	COUNT_IF("d.state = 7 AND " CLOSED " AND d.delivery = 2") ", " \
	COUNT_IF("d.fee_due > 0") ", " COUNT_IF("d.fee_due > 0 AND d.fee_paid >= d.fee_due") \
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id " joins \
	" WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0" \
	" GROUP BY 1 ORDER BY 1"
/* The instants of the days to settle. */
#define SETTLE_SQL(key, label, joins) \
	"SELECT " key ", d.received_at, d.result_at" \
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id " joins \
	" WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0 AND " SETTLED \
	" ORDER BY 1"

/* One statement per grouping: the key expression is code, never user data.
 * A label that is an expression over the grouped columns goes through max()
 * (one value per group all the same): PostgreSQL accepts in a grouped query
 * only what GROUP BY names or an aggregate computes. */
#define GROUPINGS(M) \
	M("''", "'Tất cả'", ""), \
	M("pv.sector", "(SELECT name FROM sector WHERE code = pv.sector)", ""), \
	M("pv.agency", "(SELECT name FROM agency WHERE code = pv.agency)", ""), \
	M("p.code", "max(pv.name)", "JOIN procedure p ON p.id = pv.procedure_id"), \
	M("CASE d.channel WHEN 0 THEN 'online' WHEN 1 THEN 'counter' ELSE 'post' END", \
	  "max(CASE d.channel WHEN 0 THEN 'Trực tuyến' WHEN 1 THEN 'Trực tiếp' ELSE 'Bưu chính' END)", ""), \
	M("CAST(pv.online_level AS TEXT)", "max('Mức độ ' || pv.online_level)", ""), \
	M("strftime('%Y-%m', d.submitted_at + 25200, 'unixepoch')", \
	  "max('Tháng ' || strftime('%m/%Y', d.submitted_at + 25200, 'unixepoch'))", "")
static const char *const report_sql[] = {GROUPINGS(REPORT_SQL)};
static const char *const settle_sql[] = {GROUPINGS(SETTLE_SQL)};

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }

static void bind_range(dvc__sql_stmt *st, const dvc_report_opts *o)
{
	dvc__sql_bind_int64(st, 1, o->from);
	dvc__sql_bind_int64(st, 2, o->to);
	dvc__sql_bind_int64(st, 3, o->asof);
}

/* ---- the grouped report counted in C (backends that stream rows) ---- */

/* SQLite hands rows over one at a time in this process, so reading the few
 * columns the report needs and counting them here is cheaper than having
 * it evaluate fifteen conditional sums per row and sort the rows by group:
 * on the 1,000,000-dossier year that sort and those expressions were most
 * of the time (docs/performance.md). The conditions are REPORT_SQL's,
 * with SQL's NULL rules: a comparison with NULL counts in neither sum. */
static const char SQL_SCAN[] =
	"SELECT d.version_id, d.channel, d.state, d.submitted_at, d.received_at, d.due_at,"
	" d.result_at, d.finished_at, d.flags, d.stopped_at, d.remaining, d.delivery, d.fee_due,"
	" d.fee_paid FROM dossier d WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0";

/* Each version's key and label for the groupings that depend on the version
 * alone (a version missing here has no row in the report: REPORT_SQL
 * joins it); the label of a group is the greatest of its versions' labels,
 * as max() gives it in REPORT_SQL. */
#define VERSION_SQL(key, label, joins) "SELECT pv.id, " key ", " label " FROM procedure_version pv " joins
static const char *const version_sql[] = {
	VERSION_SQL("''", "'Tất cả'", ""),
	VERSION_SQL("pv.sector", "(SELECT name FROM sector WHERE code = pv.sector)", ""),
	VERSION_SQL("pv.agency", "(SELECT name FROM agency WHERE code = pv.agency)", ""),
	VERSION_SQL("p.code", "pv.name", "JOIN procedure p ON p.id = pv.procedure_id"),
	VERSION_SQL("NULL", "NULL", ""), /* channel: from the row */
	VERSION_SQL("CAST(pv.online_level AS TEXT)", "'Mức độ ' || pv.online_level", ""),
	VERSION_SQL("NULL", "NULL", ""), /* month: from the row */
};

enum {
	N_RECEIVED, N_ONLINE, N_COUNTER, N_POST, N_ON_TIME, N_LATE, N_PENDING, N_OVERDUE,
	N_WITHDRAWN, N_REJECTED, N_CANCELLED, N_RETURNED, N_RETURNED_ONLINE, N_FEE_DUE,
	N_PAID_ONLINE, N_SETTLED, N_COUNTS
};

/* The days to settle, as dvc_pct(x, 0.9, 0.05) counts them */
#define SETTLE_P 0.9
#define SETTLE_WIDTH 0.05

/* The dossiers of one group's part: a version, a channel or a month. Parts
 * with the same key are added up at the end, bucket by bucket: the
 * histogram adding their values one by one would give. A part keeps the
 * buckets up to the highest it used (a few hundred where the histogram has
 * 4,096), so a catalog of thousands of versions costs little memory. */
typedef struct part {
	int64_t id;
	int64_t n[N_COUNTS];
	int64_t secs;     /* working seconds, intake to result, of the settled ones */
	uint32_t *bucket; /* their days, counted in dvc__pct's buckets */
	size_t nbucket;
	double max;       /* the greatest of those days */
	const char *key, *label;
} part;

/* int64 -> index, open addressing; small (versions, parts) */
typedef struct idmap {
	int64_t *ids;
	size_t *at;
	size_t cap, n;
} idmap;

static size_t id_hash(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15u) >> 32) & (cap - 1);
}

/* The index of `id`, or (size_t)-1 */
static size_t idmap_get(const idmap *m, int64_t id)
{
	if (!m->cap)
		return (size_t)-1;
	for (size_t i = id_hash(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->at[i] == (size_t)-1)
			return (size_t)-1;
		if (m->ids[i] == id)
			return m->at[i];
	}
}

static int idmap_put(idmap *m, int64_t id, size_t at)
{
	if (2 * (m->n + 1) > m->cap) {
		idmap g = {NULL, NULL, m->cap ? 2 * m->cap : 64, 0};
		if (!(g.ids = dvc__malloc(g.cap * sizeof *g.ids)) ||
		    !(g.at = dvc__malloc(g.cap * sizeof *g.at))) {
			dvc__free(g.ids);
			return dvc__oom();
		}
		memset(g.at, 0xff, g.cap * sizeof *g.at);
		for (size_t i = 0; i < m->cap; i++)
			if (m->at[i] != (size_t)-1)
				idmap_put(&g, m->ids[i], m->at[i]); /* room enough: no allocation */
		dvc__free(m->ids);
		dvc__free(m->at);
		*m = g;
	}
	for (size_t i = id_hash(id, m->cap);; i = (i + 1) & (m->cap - 1))
		if (m->at[i] == (size_t)-1 || m->ids[i] == id) {
			m->n += m->at[i] == (size_t)-1;
			m->ids[i] = id;
			m->at[i] = at;
			return DVC_OK;
		}
}

static void idmap_free(idmap *m)
{
	dvc__free(m->ids);
	dvc__free(m->at);
}

typedef struct version_key {
	const char *key, *label;
} version_key;

typedef struct scan {
	dvc_arena arena;
	version_key *v;
	size_t nv, vcap;
	idmap versions, ids;
	part *p;
	size_t np, pcap;
} scan;

static void scan_free(scan *s)
{
	for (size_t i = 0; i < s->np; i++)
		dvc__free(s->p[i].bucket);
	dvc__free(s->p);
	idmap_free(&s->versions);
	idmap_free(&s->ids);
	dvc_arena_free(&s->arena);
}

static int load_versions(dvc_db *db, dvc_report_group g, scan *s)
{
	dvc__sql_stmt *st = dvc__stmt(db, version_sql[g]);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		const char *key = (const char *)dvc__sql_column_text(st, 1);
		const char *label = (const char *)dvc__sql_column_text(st, 2);
		if (!(s->v = dvc_arena_grow(&s->arena, s->v, s->nv, &s->vcap, sizeof *s->v)))
			goto oom;
		s->v[s->nv].key = key ? dvc_arena_strdup(&s->arena, key) : NULL;
		s->v[s->nv].label = label ? dvc_arena_strdup(&s->arena, label) : NULL;
		if ((key && !s->v[s->nv].key) || (label && !s->v[s->nv].label))
			goto oom;
		if ((rc = idmap_put(&s->versions, dvc__sql_column_int64(st, 0), s->nv)) != DVC_OK) {
			dvc__sql_reset(st);
			return rc;
		}
		s->nv++;
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "computing a report");
oom:
	dvc__sql_reset(st);
	return dvc__oom();
}

/* The part with id `id`, made on first use with the key and label given. */
static part *part_get(scan *s, int64_t id, const char *key, const char *label)
{
	size_t i = idmap_get(&s->ids, id);
	part *p;
	if (i != (size_t)-1)
		return &s->p[i];
	if (s->np == s->pcap) {
		size_t cap = s->pcap ? 2 * s->pcap : 16;
		part *np = dvc__realloc(s->p, cap * sizeof *np);
		if (!np)
			return dvc__oom(), NULL;
		s->p = np;
		s->pcap = cap;
	}
	if (idmap_put(&s->ids, id, s->np) != DVC_OK)
		return NULL;
	p = &s->p[s->np++];
	memset(p, 0, sizeof *p);
	p->id = id;
	p->key = key;
	p->label = label;
	return p;
}

static const char *const channel_key[] = {"online", "counter", "post"};
static const char *const channel_label[] = {"Trực tuyến", "Trực tiếp", "Bưu chính"};

/* The month of submission as a part id and its key and label (Vietnam time,
 * as strftime gives them: years 0000-9999, else NULL). */
static int month_part(scan *s, dvc_time submitted, int64_t *id, const char **key,
		      const char **label)
{
	int64_t lt = submitted + 25200; /* UTC+7, as GROUPINGS's month key */
	int64_t day = lt / 86400 - (lt % 86400 < 0);
	int y, m, d;
	dvc__civil_from_days(day, &y, &m, &d);
	*id = (int64_t)y * 12 + (m - 1);
	*key = *label = NULL;
	if (idmap_get(&s->ids, *id) != (size_t)-1 || y < 0 || y > 9999)
		return DVC_OK; /* known already, or no key */
	{
		char k[8], l[24];
		snprintf(k, sizeof k, "%04d-%02d", y, m);
		snprintf(l, sizeof l, "Tháng %02d/%04d", m, y);
		if (!(*key = dvc_arena_strdup(&s->arena, k)) || !(*label = dvc_arena_strdup(&s->arena, l)))
			return dvc__oom();
	}
	return DVC_OK;
}

static int nullable(dvc__sql_stmt *st, int i, int64_t *v)
{
	if (dvc__sql_column_type(st, i) == DVC__SQL_NULL)
		return 0;
	*v = dvc__sql_column_int64(st, i);
	return 1;
}

/* One dossier into its part: REPORT_SQL's conditions, as of `asof`. */
static int count_row(dvc__sql_stmt *st, part *p, dvc_time asof, const dvc_calendar *cal,
		     int64_t day)
{
	int64_t channel = dvc__sql_column_int64(st, 1), state = dvc__sql_column_int64(st, 2);
	int64_t received = 0, due = 0, result = 0, finished = 0, stopped = 0, remaining = 0;
	int64_t delivery = 0, flags = dvc__sql_column_int64(st, 8);
	int64_t fee_due = dvc__sql_column_int64(st, 12), fee_paid = dvc__sql_column_int64(st, 13);
	const int has_received = nullable(st, 4, &received), has_due = nullable(st, 5, &due);
	const int has_result = nullable(st, 6, &result), has_finished = nullable(st, 7, &finished);
	const int has_stopped = nullable(st, 9, &stopped), has_remaining = nullable(st, 10, &remaining);
	const int has_delivery = nullable(st, 11, &delivery);
	const int resulted = has_result && result <= asof, closed = has_finished && finished <= asof;
	int64_t *n = p->n;
	n[N_RECEIVED]++;
	n[N_ONLINE] += channel == 0;
	n[N_COUNTER] += channel == 1;
	n[N_POST] += channel == 2;
	if (resulted && has_due) {
		n[N_ON_TIME] += result <= due;
		n[N_LATE] += result > due;
	}
	if (!resulted && !closed && has_due) {
		/* OVERDUE: while the clock stands still, by the working time left
		 * (unknown: neither pending sum counts the dossier) */
		if ((flags & 16) && has_stopped && stopped <= asof) {
			if (has_remaining)
				n[remaining < 0 ? N_OVERDUE : N_PENDING]++;
		} else {
			n[asof > due ? N_OVERDUE : N_PENDING]++;
		}
	} else if (!resulted && !closed) {
		n[N_PENDING]++; /* no due instant: never overdue */
	}
	if (closed) {
		n[N_WITHDRAWN] += state == 9;
		n[N_REJECTED] += state == 8;
		n[N_CANCELLED] += state == 10;
		n[N_RETURNED] += state == 7;
		n[N_RETURNED_ONLINE] += state == 7 && has_delivery && delivery == 2;
	}
	n[N_FEE_DUE] += fee_due > 0;
	n[N_PAID_ONLINE] += fee_due > 0 && fee_paid >= fee_due;
	if (resulted && has_received && result >= received) {
		int64_t secs;
		int rc;
		if ((rc = dvc_calendar_between(cal, received, result, &secs)) != DVC_OK)
			return rc;
		double x = (double)secs / (double)day;
		size_t b = dvc__pct_bucket(x, SETTLE_WIDTH);
		if (b >= p->nbucket) {
			size_t nb = b + 1 > 2 * p->nbucket ? b + 1 : 2 * p->nbucket;
			uint32_t *g;
			if (nb > DVC__PCT_BUCKETS) /* emit adds them into a dvc__pct */
				nb = DVC__PCT_BUCKETS;
			g = dvc__realloc(p->bucket, nb * sizeof *g);
			if (!g)
				return dvc__oom();
			memset(g + p->nbucket, 0, (nb - p->nbucket) * sizeof *g);
			p->bucket = g;
			p->nbucket = nb;
		}
		p->bucket[b]++;
		if (x < 0)
			x = 0;
		if (n[N_SETTLED] == 0 || x > p->max)
			p->max = x;
		p->secs += secs;
		n[N_SETTLED]++;
	}
	return DVC_OK;
}

/* NULL first, then byte order: ORDER BY of a text key */
static int key_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int part_cmp(const void *a, const void *b)
{
	return key_cmp(((const part *)a)->key, ((const part *)b)->key);
}

/* Parts [i, j) have one key: their row. */
static int emit(const part *p, size_t i, size_t j, int64_t day, dvc__pct *h, dvc__report_cb cb,
		void *ctx)
{
	dvc_report_row r;
	int64_t n[N_COUNTS] = {0}, secs = 0;
	memset(&r, 0, sizeof r);
	memset(h, 0, sizeof *h);
	h->p = SETTLE_P;
	h->width = SETTLE_WIDTH;
	r.key = p[i].key;
	for (size_t k = i; k < j; k++) {
		for (int c = 0; c < N_COUNTS; c++)
			n[c] += p[k].n[c];
		secs += p[k].secs;
		for (size_t b = 0; b < p[k].nbucket; b++)
			h->bucket[b] += p[k].bucket[b];
		if (p[k].n[N_SETTLED] && (h->n == 0 || p[k].max > h->max))
			h->max = p[k].max;
		h->n += p[k].n[N_SETTLED];
		if (p[k].label && (!r.label || strcmp(p[k].label, r.label) > 0))
			r.label = p[k].label;
	}
	r.received = n[N_RECEIVED];
	r.received_online = n[N_ONLINE];
	r.received_counter = n[N_COUNTER];
	r.received_post = n[N_POST];
	r.settled_on_time = n[N_ON_TIME];
	r.settled_late = n[N_LATE];
	r.pending_on_time = n[N_PENDING];
	r.pending_overdue = n[N_OVERDUE];
	r.withdrawn = n[N_WITHDRAWN];
	r.rejected = n[N_REJECTED];
	r.cancelled = n[N_CANCELLED];
	r.returned = n[N_RETURNED];
	r.returned_online = n[N_RETURNED_ONLINE];
	r.fee_due_count = n[N_FEE_DUE];
	r.paid_online_count = n[N_PAID_ONLINE];
	r.avg_days_to_settle = wt_avg(secs, n[N_SETTLED], day);
	if (!dvc__pct_value(h, &r.p90_days_to_settle))
		r.p90_days_to_settle = 0;
	r.online_rate = ratio(r.received_online, r.received);
	r.online_payment_rate = ratio(r.paid_online_count, r.fee_due_count);
	r.on_time_rate = ratio(r.settled_on_time, r.settled_on_time + r.settled_late);
	return cb(ctx, &r);
}

static int report_scan(dvc_db *db, const dvc_report_opts *o, const dvc_calendar *cal,
		       dvc__report_cb cb, void *ctx)
{
	const int64_t day = dvc_calendar_day_seconds(cal);
	scan s = {DVC_ARENA_INIT, NULL, 0, 0, {NULL, NULL, 0, 0}, {NULL, NULL, 0, 0}, NULL, 0, 0};
	int64_t last_version = 0, last_id = 0;
	size_t vi = (size_t)-1;
	part *p = NULL;
	dvc__pct *h = NULL;
	dvc__sql_stmt *st;
	int rc, err = DVC_OK;
	if ((rc = load_versions(db, o->group, &s)) != DVC_OK)
		goto out;
	if (!(st = dvc__stmt(db, SQL_SCAN))) {
		rc = dvc_error_last()->code;
		goto out;
	}
	bind_range(st, o);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int64_t version = dvc__sql_column_int64(st, 0), id;
		const char *key = NULL, *label = NULL;
		/* rows come in runs of one version and one month: look up on change */
		if (version != last_version || vi == (size_t)-1) {
			vi = idmap_get(&s.versions, version);
			last_version = version;
			p = NULL;
		}
		if (vi == (size_t)-1)
			continue; /* no such version: the join leaves it out */
		if (o->group == DVC_GROUP_CHANNEL) {
			int64_t c = dvc__sql_column_int64(st, 1);
			id = c == 0 ? 0 : c == 1 ? 1 : 2;
			key = channel_key[id];
			label = channel_label[id];
		} else if (o->group == DVC_GROUP_MONTH) {
			if ((err = month_part(&s, dvc__sql_column_int64(st, 3), &id, &key, &label)) != DVC_OK)
				break;
		} else {
			id = (int64_t)vi;
			key = s.v[vi].key;
			label = s.v[vi].label;
		}
		if (!p || id != last_id) {
			/* p stays valid until the next part_get */
			if (!(p = part_get(&s, id, key, label))) {
				err = dvc_error_last()->code;
				break;
			}
			last_id = id;
		}
		if ((err = count_row(st, p, o->asof, cal, day)) != DVC_OK)
			break;
	}
	dvc__sql_reset(st);
	if (err != DVC_OK || rc != DVC__SQL_DONE) {
		rc = err != DVC_OK ? err : dvc__store_err(db, rc, "computing a report");
		goto out;
	}
	if (!(h = dvc__malloc(sizeof *h))) {
		rc = dvc__oom();
		goto out;
	}
	if (s.np)
		qsort(s.p, s.np, sizeof *s.p, part_cmp);
	rc = DVC_OK;
	for (size_t i = 0, j; i < s.np && rc == DVC_OK; i = j) {
		for (j = i + 1; j < s.np && key_cmp(s.p[i].key, s.p[j].key) == 0; j++)
			;
		rc = emit(s.p, i, j, day, h, cb, ctx);
	}
out:
	dvc__free(h);
	scan_free(&s);
	return rc;
}

int dvc__store_report(dvc_db *db, const dvc_report_opts *o, dvc__report_cb cb, void *ctx)
{
	wt_table wt = {DVC_ARENA_INIT, NULL, 0, 0};
	const dvc_calendar *cal;
	dvc__sql_stmt *st;
	int rc;
	if ((unsigned)o->group >= DVC_ARRAY_LEN(report_sql))
		return dvc__err(DVC_EINVAL, "group", "unknown grouping %d", (int)o->group);
	if ((rc = dvc__calendar(db, &cal)) != DVC_OK)
		return rc;
	if (!db->be->whole_results)
		return report_scan(db, o, cal, cb, ctx);
	/* A server (PostgreSQL) counts and groups; only the settled dossiers'
	 * instants come over, for the working time computed here. */
	if (!(st = dvc__stmt(db, settle_sql[o->group])))
		return dvc_error_last()->code;
	bind_range(st, o);
	if ((rc = wt_collect(db, st, 1, SETTLE_P, SETTLE_WIDTH, &wt)) != DVC_OK)
		goto out;
	if (!(st = dvc__stmt(db, report_sql[o->group]))) {
		rc = dvc_error_last()->code;
		goto out;
	}
	bind_range(st, o);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		dvc_report_row r;
		int64_t v[15];
		for (int i = 0; i < 15; i++)
			v[i] = dvc__sql_column_int64(st, 2 + i);
		memset(&r, 0, sizeof r);
		r.key = (const char *)dvc__sql_column_text(st, 0);
		r.label = (const char *)dvc__sql_column_text(st, 1);
		r.received = v[0];
		r.received_online = v[1];
		r.received_counter = v[2];
		r.received_post = v[3];
		r.settled_on_time = v[4];
		r.settled_late = v[5];
		r.pending_on_time = v[6];
		r.pending_overdue = v[7];
		r.withdrawn = v[8];
		r.rejected = v[9];
		r.cancelled = v[10];
		r.returned = v[11];
		r.returned_online = v[12];
		r.fee_due_count = v[13];
		r.paid_online_count = v[14];
		{
			const wt_stat *w = wt_find(&wt, r.key);
			r.avg_days_to_settle = w ? w->avg : 0;
			r.p90_days_to_settle = w ? w->pct : 0;
		}
		r.online_rate = ratio(r.received_online, r.received);
		r.online_payment_rate = ratio(r.paid_online_count, r.fee_due_count);
		r.on_time_rate = ratio(r.settled_on_time, r.settled_on_time + r.settled_late);
		if ((rc = cb(ctx, &r)) != DVC_OK) {
			dvc__sql_reset(st);
			goto out;
		}
	}
	dvc__sql_reset(st);
	rc = rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "computing a report");
out:
	dvc_arena_free(&wt.arena);
	return rc;
}

/* Dossiers waiting now, by route step; dwell measured to now, or to the
 * moment the clock stopped. */
static const char SQL_BOTTLENECKS[] =
	"SELECT d.version_id, p.code, d.step, d.unit, (SELECT name FROM agency WHERE code = d.unit),"
	" count(*),"
	" dvc_pct(dvc_working(d.step_since, CASE WHEN (d.flags & 16) <> 0 THEN d.stopped_at ELSE ?1 END, 0), 0.5, 0.1),"
	" max(dvc_working(d.step_since, CASE WHEN (d.flags & 16) <> 0 THEN d.stopped_at ELSE ?1 END, 0))"
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id"
	" JOIN procedure p ON p.id = pv.procedure_id"
	" WHERE d.state IN (2, 3, 4, 5)"
	" GROUP BY d.version_id, p.code, d.step, d.unit ORDER BY count(*) DESC, p.code, d.step";
#define DWELL_KEY "CAST(d.version_id AS TEXT) || '/' || CAST(d.step AS TEXT) || '/' || coalesce(d.unit, '')"
static const char SQL_BOTTLENECKS_PLAIN[] =
	"SELECT d.version_id, p.code, d.step, d.unit, (SELECT name FROM agency WHERE code = d.unit),"
	" count(*), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION), " DWELL_KEY
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id"
	" JOIN procedure p ON p.id = pv.procedure_id"
	" WHERE d.state IN (2, 3, 4, 5)"
	" GROUP BY d.version_id, p.code, d.step, d.unit ORDER BY count(*) DESC, p.code, d.step";
static const char SQL_DWELL[] =
	"SELECT " DWELL_KEY ", d.step_since, CASE WHEN (d.flags & 16) <> 0 THEN d.stopped_at ELSE ?1 END"
	" FROM dossier d WHERE d.state IN (2, 3, 4, 5) AND d.step_since IS NOT NULL"
	" AND CASE WHEN (d.flags & 16) <> 0 THEN d.stopped_at ELSE ?1 END >= d.step_since ORDER BY 1";

/* What a bottleneck row needs besides its columns: the dwell times
 * computed in C (wt_collect) when the engine has no report functions, and
 * the caller's callback. */
struct report_read {
	const wt_table *wt; /* NULL: the row's own columns */
	dvc__sink k;
};

static int bottleneck_row(dvc__sql_stmt *st, void *ctx)
{
	const struct report_read *rd = ctx;
	double median = dvc__sql_column_double(st, 6), max = dvc__sql_column_double(st, 7);
	if (rd->wt) {
		const wt_stat *w = wt_find(rd->wt, (const char *)dvc__sql_column_text(st, 8));
		median = w ? w->pct : 0;
		max = w ? w->max : 0;
	}
	return ((dvc__bottleneck_cb)rd->k.fn)(rd->k.ctx, dvc__sql_column_int64(st, 0),
					      (const char *)dvc__sql_column_text(st, 1),
					      dvc__sql_column_int(st, 2),
					      (const char *)dvc__sql_column_text(st, 3),
					      (const char *)dvc__sql_column_text(st, 4),
					      dvc__sql_column_int64(st, 5), median, max);
}

int dvc__store_bottlenecks(dvc_db *db, dvc_time asof, dvc__bottleneck_cb cb, void *ctx)
{
	const int plain = !db->be->report_functions;
	wt_table wt = {DVC_ARENA_INIT, NULL, 0, 0};
	struct report_read rd = {plain ? &wt : NULL, DVC__SINK(cb, ctx)};
	dvc__sql_stmt *st;
	int rc;
	if ((rc = functions(db)) != DVC_OK)
		return rc;
	if (plain) {
		if (!(st = dvc__stmt(db, SQL_DWELL)))
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, asof);
		if ((rc = wt_collect(db, st, 0, 0.5, 0.1, &wt)) != DVC_OK)
			goto out;
	}
	/* the plain statement has its dwell from SQL_DWELL above, and no ?1 */
	st = plain ? dvc__stmt(db, SQL_BOTTLENECKS_PLAIN) : DVC__STMT(db, SQL_BOTTLENECKS, DVC__INT(asof));
	rc = dvc__rows(db, st, bottleneck_row, &rd, "computing bottlenecks");

out:
	dvc_arena_free(&wt.arena);
	return rc;
}

static const char SQL_REGISTER[] =
	"SELECT d.code, p.code, d.channel, d.submitted_at, d.received_at, d.due_at,"
	" (SELECT min(j.at) FROM journal j WHERE j.dossier_id = d.id AND j.action = 4),"
	" d.result_at, CASE WHEN d.state = 7 THEN d.finished_at END, d.state"
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id"
	" JOIN procedure p ON p.id = pv.procedure_id"
	" WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0 ORDER BY d.id";

static dvc_time col(dvc__sql_stmt *st, int i)
{
	return dvc__sql_column_type(st, i) == DVC__SQL_NULL ? 0 : dvc__sql_column_int64(st, i);
}

static int register_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__register_cb cb = (dvc__register_cb)k->fn;
	return cb(k->ctx, (const char *)dvc__sql_column_text(st, 0), (const char *)dvc__sql_column_text(st, 1),
		  dvc__sql_column_int(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), col(st, 7),
		  col(st, 8), dvc__sql_column_int(st, 9));
}

int dvc__store_register(dvc_db *db, dvc_time from, dvc_time to, dvc__register_cb cb, void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__rows(db, DVC__STMT(db, SQL_REGISTER, DVC__INT(from), DVC__INT(to)), register_row, &k,
			 "reading the register");
}

/* Figures the service index needs beyond the grouped report: dossiers
 * received by ?3 (of which with at least one component file added by ?3),
 * and dossiers rated by ?3 (of which overall score >= ?4). */
static const char SQL_INDEX_EXTRA[] =
	"SELECT coalesce(" COUNT_IF("d.received_at IS NOT NULL AND d.received_at <= ?3") ", 0),"
	" coalesce(" COUNT_IF("d.received_at IS NOT NULL AND d.received_at <= ?3 AND EXISTS (SELECT 1 FROM"
	" dossier_file f WHERE f.dossier_id = d.id AND f.component >= 0 AND f.added_at <= ?3)") ", 0),"
	" coalesce(" COUNT_IF("EXISTS (SELECT 1 FROM rating r WHERE r.dossier_id = d.id AND r.at <= ?3)") ", 0),"
	" coalesce(" COUNT_IF("EXISTS (SELECT 1 FROM rating r JOIN rating_score s ON s.dossier_id = r.dossier_id"
	" AND s.criterion = 0 WHERE r.dossier_id = d.id AND r.at <= ?3 AND s.score >= ?4)") ", 0)"
	" FROM dossier d WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0";

static int extra_row(dvc__sql_stmt *st, void *ctx)
{
	int64_t *out = ctx;
	for (int i = 0; i < 4; i++)
		out[i] = dvc__sql_column_int64(st, i);
	return DVC_OK;
}

int dvc__store_index_extra(dvc_db *db, const dvc_report_opts *o, int satisfied, int64_t out[4])
{
	return dvc__aggregate(db, DVC__STMT(db, SQL_INDEX_EXTRA, DVC__INT(o->from), DVC__INT(o->to),
					    DVC__INT(o->asof), DVC__INT(satisfied)),
			      extra_row, out, "computing the service index");
}
