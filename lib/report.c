/* Reports: the public API over store_report.c's queries. */
#include "dvc/report.h"
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const group_names[] = {"none", "sector", "agency", "procedure", "channel",
					  "level", "month"};

DVC__ENUM_NAMES(report_group, dvc_report_group, group_names, "group")

/* Fill defaults: [0, now) and asof = now. */
static int resolve(dvc_db *db, const dvc_report_opts *in, dvc_report_opts *o)
{
	dvc_report_opts def = DVC_REPORT_OPTS_INIT;
	*o = in ? *in : def;
	if (o->version != DVC_REPORT_OPTS_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_report_opts version %u", o->version);
	if (!o->to || !o->asof) {
		dvc_time now;
		int rc = dvc__now(db, &now);
		if (rc != DVC_OK)
			return rc;
		if (!o->to)
			o->to = now + 1;
		if (!o->asof)
			o->asof = now;
	}
	if (o->to <= o->from)
		return dvc__err(DVC_EINVAL, "to", "the period ends before it starts");
	return DVC_OK;
}

struct dvc_report {
	DVC__LIST_MEMBERS(dvc_report_row, rows);
};

static int on_row(void *ctx, const dvc_report_row *row)
{
	dvc_report *r = ctx;
	dvc_report_row *w = DVC__LIST_NEXT(r, rows);
	if (!w)
		return dvc__oom();
	*w = *row;
	w->key = dvc_arena_strdup(&r->arena, row->key ? row->key : "");
	w->label = dvc_arena_strdup(&r->arena, row->label ? row->label : "");
	if (!w->key || !w->label)
		return dvc__oom();
	r->n++;
	return DVC_OK;
}

int dvc_report_compute(dvc_db *db, const dvc_report_opts *opts, dvc_report **out)
{
	dvc_report_opts o;
	dvc_report *r;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_report_compute needs a store and an out pointer");
	if ((rc = resolve(db, opts, &o)) != DVC_OK)
		return rc;
	if (!(r = dvc__calloc(1, sizeof *r)))
		return dvc__oom();
	if ((rc = dvc__store_report(db, &o, on_row, r)) != DVC_OK) {
		dvc_report_free(r);
		return rc;
	}
	*out = r;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(report, dvc_report, dvc_report_row, rows)

/* ---- bottlenecks ---- */

struct dvc_bottlenecks {
	DVC__LIST_MEMBERS(dvc_bottleneck_row, rows);
	dvc_db *db;
};

static int on_bottleneck(void *ctx, int64_t version_id, const char *procedure, int step,
			 const char *unit, const char *unit_name, int64_t waiting,
			 double median_hours, double max_hours)
{
	dvc_bottlenecks *b = ctx;
	const dvc__proc_rt *rt;
	dvc_bottleneck_row *row;
	int rc;
	if ((rc = dvc__rt_get(b->db, version_id, &rt)) != DVC_OK)
		return rc;
	row = DVC__LIST_NEXT(b, rows);
	if (!row)
		return dvc__oom();
	row->procedure = dvc_arena_strdup(&b->arena, procedure);
	row->step = step;
	row->unit = dvc_arena_strdup(&b->arena, unit);
	row->unit_name = dvc_arena_strdup(&b->arena, unit_name ? unit_name : unit);
	row->role = dvc_role_name(step >= 0 && (size_t)step < rt->n_steps ? rt->steps[step].role
									     : DVC_ROLE_RECEPTION);
	row->waiting = waiting;
	row->median_dwell_hours = median_hours;
	row->max_dwell_hours = max_hours;
	if (!row->procedure || !row->unit || !row->unit_name)
		return dvc__oom();
	b->n++;
	return DVC_OK;
}

int dvc_report_bottlenecks(dvc_db *db, dvc_time asof, dvc_bottlenecks **out)
{
	dvc_bottlenecks *b;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_report_bottlenecks needs a store and an out pointer");
	if (!asof && (rc = dvc__now(db, &asof)) != DVC_OK)
		return rc;
	if (!(b = dvc__calloc(1, sizeof *b)))
		return dvc__oom();
	b->db = db;
	if ((rc = dvc__store_bottlenecks(db, asof, on_bottleneck, b)) != DVC_OK) {
		dvc_bottlenecks_free(b);
		return rc;
	}
	*out = b;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(bottlenecks, dvc_bottlenecks, dvc_bottleneck_row, rows)

/* ---- citizen-service index (Decision 766/QĐ-TTg) ---- */

#include "dvc/rating.h"

static const struct {
	const char *code, *name;
	double points;
} groups[DVC_INDEX_GROUPS] = {
	{"publicity", "Công khai, minh bạch", 18},
	{"progress", "Tiến độ, kết quả giải quyết", 20},
	{"digitization", "Số hóa hồ sơ", 22},
	{"online", "Cung cấp dịch vụ trực tuyến", 22},
	{"satisfaction", "Mức độ hài lòng", 18},
};

/* The indicators, in group order. Shares of a group's points marked 0 in
 * `confirmed` are libdvc's even split of what the sources did not itemise
 * (docs/report.md). */
enum { IX_PUBLISHED, IX_PUBLICITY_REST, IX_PROGRESS, IX_DIGITIZED_DOSSIER, IX_DIGITIZED_RESULT,
       IX_ONLINE, IX_ONLINE_PAYMENT, IX_SATISFACTION, IX_SATISFACTION_REST, IX_COUNT };
static const struct {
	const char *code, *name, *formula;
	dvc_index_group group;
	double points;
	int confirmed, computable;
} indicators[IX_COUNT] = {
	{"published_on_time", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn",
	 "not computable: the catalog records no publication deadline or publication date",
	 DVC_INDEX_PUBLICITY, 4, 1, 0},
	{"publicity_other", "Các chỉ số còn lại của nhóm Công khai, minh bạch",
	 "not computable: the indicators making up the other 14 points are unconfirmed",
	 DVC_INDEX_PUBLICITY, 14, 0, 0},
	{"progress", "Tỷ lệ hồ sơ giải quyết đúng hạn",
	 "dossiers whose result was ready by the appointment / dossiers with a result",
	 DVC_INDEX_PROGRESS, 20, 1, 1},
	{"digitized_dossier", "Tỷ lệ số hóa hồ sơ",
	 "dossiers received with at least one component file / dossiers received",
	 DVC_INDEX_DIGITIZATION, 11, 0, 1},
	{"digitized_result", "Tỷ lệ cấp kết quả giải quyết điện tử",
	 "results delivered online (electronic result) / results handed over",
	 DVC_INDEX_DIGITIZATION, 11, 0, 1},
	{"online", "Tỷ lệ hồ sơ trực tuyến",
	 "dossiers submitted online / dossiers submitted", DVC_INDEX_ONLINE, 11, 0, 1},
	{"online_payment", "Tỷ lệ hồ sơ thanh toán trực tuyến",
	 "dossiers with a fee paid in full online / dossiers with a fee due", DVC_INDEX_ONLINE, 11, 0, 1},
	{"satisfaction", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
	 "rated dossiers with an overall score of 4 or 5 / rated dossiers",
	 DVC_INDEX_SATISFACTION, 6, 1, 1},
	{"satisfaction_other", "Các chỉ số còn lại của nhóm Mức độ hài lòng",
	 "not computable: the indicators making up the other 12 points are unconfirmed",
	 DVC_INDEX_SATISFACTION, 12, 0, 0},
};

typedef struct fraction {
	int64_t num, den;
} fraction;

int dvc_report_index(dvc_db *db, const dvc_report_opts *opts, dvc_index_row **rows, size_t *n)
{
	static const dvc_report_row none = {0};
	dvc_report_opts o;
	dvc_report *r;
	const dvc_report_row *all;
	dvc_index_row *ix;
	int64_t extra[4];
	int rc;
	if (!db || !rows || !n)
		return dvc__err(DVC_EINVAL, NULL, "dvc_report_index needs a store and out pointers");
	if ((rc = resolve(db, opts, &o)) != DVC_OK)
		return rc;
	o.group = DVC_GROUP_NONE;
	if ((rc = dvc__store_index_extra(db, &o, DVC_RATING_SATISFIED, extra)) != DVC_OK ||
	    (rc = dvc_report_compute(db, &o, &r)) != DVC_OK)
		return rc;
	all = dvc_report_count(r) ? dvc_report_at(r, 0) : &none;
	/* numerator and denominator of each computable indicator, as its formula says */
	const fraction f[IX_COUNT] = {
		[IX_PROGRESS] = {all->settled_on_time, all->settled_on_time + all->settled_late},
		[IX_DIGITIZED_DOSSIER] = {extra[1], extra[0]},
		[IX_DIGITIZED_RESULT] = {all->returned_online, all->returned},
		[IX_ONLINE] = {all->received_online, all->received},
		[IX_ONLINE_PAYMENT] = {all->paid_online_count, all->fee_due_count},
		[IX_SATISFACTION] = {extra[3], extra[2]},
	};
	dvc_report_free(r);
	if (!(ix = dvc__calloc(IX_COUNT, sizeof *ix)))
		return dvc__oom();
	/* Static strings only: the rows are one block freed with dvc_free(). */
	for (int i = 0; i < IX_COUNT; i++) {
		dvc_index_row *x = &ix[i];
		x->code = indicators[i].code;
		x->name = indicators[i].name;
		x->formula = indicators[i].formula;
		x->group = indicators[i].group;
		x->computable = indicators[i].computable;
		x->max_points = indicators[i].points;
		x->max_points_confirmed = indicators[i].confirmed;
		x->numerator = f[i].num;
		x->denominator = f[i].den;
		x->value = f[i].den ? (double)f[i].num / (double)f[i].den : 0.0;
		x->points = x->computable ? x->value * x->max_points : 0.0;
	}
	*rows = ix;
	*n = IX_COUNT;
	return DVC_OK;
}

int dvc_index_totals(const dvc_index_row *rows, size_t n, dvc_index_group_total *out)
{
	if ((!rows && n) || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_index_totals needs the rows and an out array");
	for (int g = 0; g < DVC_INDEX_GROUPS; g++)
		out[g] = (dvc_index_group_total){(dvc_index_group)g, groups[g].code, groups[g].name,
						 groups[g].points, 0, 0};
	for (size_t i = 0; i < n; i++) {
		if ((unsigned)rows[i].group >= DVC_INDEX_GROUPS)
			return dvc__err(DVC_EINVAL, "group", "row %zu has no index group", i);
		if (rows[i].computable) {
			out[rows[i].group].computable_points += rows[i].max_points;
			out[rows[i].group].points += rows[i].points;
		}
	}
	return DVC_OK;
}

/* ---- the register as CSV ---- */

static void csv_time(dvc_buf *b, dvc_time t)
{
	char s[DVC_TIME_FORMAT_SIZE];
	if (t && dvc_time_format(t, s, sizeof s) == DVC_OK)
		dvc_buf_puts(b, s);
}

typedef struct csv_sink {
	dvc_buf b;
	dvc_write_fn write;
	void *ctx;
	int stopped;
} csv_sink;

#define CSV_FLUSH 8192

static int flush(csv_sink *k)
{
	int rc;
	if (k->b.oom)
		return dvc__oom();
	if (!k->b.len)
		return DVC_OK;
	rc = k->write(k->ctx, k->b.ptr, k->b.len);
	k->b.len = 0;
	if (rc != 0) {
		k->stopped = rc;
		return dvc__err(DVC_EUSER, NULL, "the register writer stopped (it returned %d)", rc);
	}
	return DVC_OK;
}

/* Codes are ASCII [0-9A-Za-z.-_] (catalog rule), so no field needs quoting. */
static int on_register(void *ctx, const char *code, const char *procedure, int channel,
		       dvc_time submitted, dvc_time received, dvc_time due, dvc_time forwarded,
		       dvc_time result, dvc_time returned, int state)
{
	static const char *const channels[] = {"online", "counter", "post"};
	csv_sink *k = ctx;
	dvc_buf *b = &k->b;
	dvc_buf_printf(b, "%s,%s,%s,", code, procedure, channels[channel >= 0 && channel < 3 ? channel : 0]);
	csv_time(b, submitted);
	dvc_buf_putc(b, ',');
	csv_time(b, received);
	dvc_buf_putc(b, ',');
	csv_time(b, due);
	dvc_buf_putc(b, ',');
	csv_time(b, forwarded);
	dvc_buf_putc(b, ',');
	csv_time(b, result);
	dvc_buf_putc(b, ',');
	csv_time(b, returned);
	dvc_buf_printf(b, ",%s,%s\r\n", dvc_state_name((dvc_state)state),
		       !result || !due ? "" : result <= due ? "yes" : "no");
	if (b->oom)
		return dvc__oom();
	return b->len >= CSV_FLUSH ? flush(k) : DVC_OK;
}

int dvc_report_register_write(dvc_db *db, const dvc_report_opts *opts, dvc_write_fn write, void *ctx)
{
	dvc_report_opts o;
	csv_sink k = {DVC_BUF_INIT, write, ctx, 0};
	int rc;
	if (!db || !write)
		return dvc__err(DVC_EINVAL, NULL, "dvc_report_register_write needs a store and a writer");
	if ((rc = resolve(db, opts, &o)) != DVC_OK)
		return rc;
	dvc_buf_puts(&k.b, "code,procedure,channel,submitted,received,due,forwarded,result,returned,state,on_time\r\n");
	rc = dvc__store_register(db, o.from, o.to, on_register, &k);
	if (rc == DVC_OK)
		rc = flush(&k);
	dvc_buf_free(&k.b);
	return rc;
}

static int append(void *ctx, const char *data, size_t len)
{
	dvc_buf *b = ctx;
	dvc_buf_put(b, data, len);
	return b->oom ? dvc__oom() : 0;
}

int dvc_report_register_csv(dvc_db *db, const dvc_report_opts *opts, char **out, size_t *len)
{
	dvc_buf b = DVC_BUF_INIT;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_report_register_csv needs a store and an out pointer");
	if ((rc = dvc_report_register_write(db, opts, append, &b)) != DVC_OK)
		rc = b.oom ? dvc__oom() : rc; /* our own writer stops only when out of memory */
	return dvc_buf_finish(&b, rc, out, len);

}
