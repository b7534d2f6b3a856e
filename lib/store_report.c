/* Report queries: one GROUP BY pass over the dossier table per report, with
 * two SQL functions the backend provides (sql_sqlite.c): working time from
 * the handle's calendar, and a percentile aggregate over a fixed-size
 * histogram (bounded memory, dvc__pct).
 *
 * A backend that cannot call back into C (PostgreSQL) runs the same SQL
 * with those columns NULL; a second pass streams the instants of each
 * group, ordered by group, and the working-time figures are computed here
 * with the same calendar and the same histogram.
 *
 * Both give the same figures to the last bit: the average is the exact
 * integer sum of working seconds over the count, divided once (a sum of
 * doubles depends on the order rows come in, which differs between the
 * two), and the histogram does not depend on the order. */
#include "store_internal.h"

#include <math.h>
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
#define SETTLE_AT "CASE WHEN " RESULT " THEN d.result_at END"
#define SETTLE_DAYS "dvc_working(d.received_at, " SETTLE_AT ", 1)"
#define SETTLE_SECS "dvc_working(d.received_at, " SETTLE_AT ", 2)"
/* the rows where SETTLE_DAYS is not NULL */
#define SETTLED RESULT " AND d.received_at IS NOT NULL AND d.result_at >= d.received_at"
/* The rows of a group where condition c holds: a sum of integers, the
 * built-in aggregate on both backends. PostgreSQL's sum(boolean) of
 * sql_pg.c runs an SQL-language function per row and condition: on the
 * 1,000,000-dossier year it made the month's report by sector 3.5 s
 * instead of 0.5 s there, the year's 48 s instead of 4.4 s. */
#define COUNT_IF(c) "sum(CAST((" c ") AS INTEGER))"
#define REPORT_COLUMNS(key, label, joins, settle) \
	"SELECT " key ", " label ", count(*), " \
	COUNT_IF("d.channel = 0") ", " COUNT_IF("d.channel = 1") ", " COUNT_IF("d.channel = 2") ", " \
	COUNT_IF(RESULT " AND d.result_at <= d.due_at") ", " \
	COUNT_IF(RESULT " AND d.result_at > d.due_at") ", " \
	COUNT_IF(PENDING " AND NOT " OVERDUE) ", " COUNT_IF(PENDING " AND " OVERDUE) ", " \
	COUNT_IF("d.state = 9 AND " CLOSED) ", " COUNT_IF("d.state = 8 AND " CLOSED) ", " \
	COUNT_IF("d.state = 10 AND " CLOSED) ", " COUNT_IF("d.state = 7 AND " CLOSED) ", " \
	COUNT_IF("d.state = 7 AND " CLOSED " AND d.delivery = 2") ", " \
	COUNT_IF("d.fee_due > 0") ", " COUNT_IF("d.fee_due > 0 AND d.fee_paid >= d.fee_due") "," \
	settle \
	" FROM dossier d JOIN procedure_version pv ON pv.id = d.version_id " joins \
	" WHERE d.submitted_at >= ?1 AND d.submitted_at < ?2 AND d.state <> 0" \
	" GROUP BY 1 ORDER BY 1"
#define REPORT_SQL(key, label, joins) \
	REPORT_COLUMNS(key, label, joins, \
		       " sum(" SETTLE_SECS "), dvc_pct(" SETTLE_DAYS ", 0.9, 0.05)," \
		       " " COUNT_IF(SETTLED))
#define REPORT_SQL_PLAIN(key, label, joins) \
	REPORT_COLUMNS(key, label, joins, \
		       " CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS BIGINT)")
/* The instants behind SETTLE_DAYS, where it is not NULL. */
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
static const char *const report_sql_plain[] = {GROUPINGS(REPORT_SQL_PLAIN)};
static const char *const settle_sql[] = {GROUPINGS(SETTLE_SQL)};

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }

static void bind_range(dvc__sql_stmt *st, const dvc_report_opts *o)
{
	dvc__sql_bind_int64(st, 1, o->from);
	dvc__sql_bind_int64(st, 2, o->to);
	dvc__sql_bind_int64(st, 3, o->asof);
}

/* What a report or bottleneck row needs besides its columns: the
 * durations computed in C (wt_collect) when the engine has no report
 * functions, the working day's length, and the caller's callback. */
struct report_read {
	const wt_table *wt; /* NULL: the row's own columns */
	int64_t day;
	dvc__sink k;
};

static int report_row(dvc__sql_stmt *st, void *ctx)
{
	const struct report_read *rd = ctx;
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
	r.avg_days_to_settle = wt_avg(dvc__sql_column_int64(st, 17),
				      dvc__sql_column_int64(st, 19), rd->day);
	r.p90_days_to_settle = dvc__sql_column_double(st, 18);
	if (rd->wt) {
		const wt_stat *w = wt_find(rd->wt, r.key);
		r.avg_days_to_settle = w ? w->avg : 0;
		r.p90_days_to_settle = w ? w->pct : 0;
	}
	r.online_rate = ratio(r.received_online, r.received);
	r.online_payment_rate = ratio(r.paid_online_count, r.fee_due_count);
	r.on_time_rate = ratio(r.settled_on_time, r.settled_on_time + r.settled_late);
	return ((dvc__report_cb)rd->k.fn)(rd->k.ctx, &r);
}

int dvc__store_report(dvc_db *db, const dvc_report_opts *o, dvc__report_cb cb, void *ctx)
{
	const int plain = !db->be->report_functions;
	wt_table wt = {DVC_ARENA_INIT, NULL, 0, 0};
	const dvc_calendar *cal;
	dvc__sql_stmt *st;
	struct report_read rd = {plain ? &wt : NULL, 0, DVC__SINK(cb, ctx)};
	int rc;
	if ((unsigned)o->group >= DVC_ARRAY_LEN(report_sql))
		return dvc__err(DVC_EINVAL, "group", "unknown grouping %d", (int)o->group);
	if ((rc = functions(db)) != DVC_OK || (rc = dvc__calendar(db, &cal)) != DVC_OK)
		return rc;
	if (plain) {
		if (!(st = dvc__stmt(db, settle_sql[o->group])))
			return dvc_error_last()->code;
		bind_range(st, o);
		if ((rc = wt_collect(db, st, 1, 0.9, 0.05, &wt)) != DVC_OK)
			goto out;
	}
	if ((st = dvc__stmt(db, (plain ? report_sql_plain : report_sql)[o->group])))
		bind_range(st, o);
	rd.day = dvc_calendar_day_seconds(cal);
	rc = dvc__rows(db, st, report_row, &rd, "computing a report");
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
	struct report_read rd = {plain ? &wt : NULL, 0, DVC__SINK(cb, ctx)};
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
