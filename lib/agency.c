/* The administrative map as history: agencies, successor links, and the
 * questions routing asks of them (who carries on a ceased unit, which unit
 * is competent at a place, where its desk is). */
#include "agency_internal.h"
#include "store_internal.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

#define CODE_SIZE 65

struct dvc_agency_list {
	DVC__LIST_MEMBERS(dvc_agency, rows);
};

typedef struct agency_rec {
	dvc_agency pub;
	dvc_arena arena;
} agency_rec;

static int check_code(const char *code, const char *field)
{
	if (!code || !*code)
		return dvc__err(DVC_EINVAL, field, "an agency code is needed");
	if (strlen(code) >= CODE_SIZE)
		return dvc__err(DVC_ETOOBIG, field, "agency code longer than %d bytes", CODE_SIZE - 1);
	return DVC_OK;
}

int dvc_agency_get(dvc_db *db, const char *code, dvc_agency **out)
{
	agency_rec *r;
	dvc_succession *links;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_get needs a store and an output");
	*out = NULL;
	if ((rc = check_code(code, "code")) != DVC_OK)
		return rc;
	if (!(r = dvc__calloc(1, sizeof *r)))
		return dvc__oom();
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		goto fail;
	rc = dvc__store_agency_row(db, code, &r->arena, &r->pub);
	if (rc == DVC_OK &&
	    (rc = dvc__store_agency_links(db, code, false, &r->arena, &links,
					  &r->pub.n_predecessors)) == DVC_OK) {
		r->pub.predecessors = links;
		if ((rc = dvc__store_agency_links(db, code, true, &r->arena, &links,
						  &r->pub.n_successors)) == DVC_OK)
			r->pub.successors = links;
	}
	rc = dvc__write_end(db, rc);
	if (rc != DVC_OK)
		goto fail;
	*out = &r->pub;
	return DVC_OK;
fail:
	dvc_arena_free(&r->arena);
	dvc__free(r);
	return rc;
}

void dvc_agency_free(dvc_agency *a)
{
	if (a) {
		agency_rec *r = (agency_rec *)a;
		dvc_arena_free(&r->arena);
		dvc__free(r);
	}
}

int dvc_agency_in_force(const dvc_agency *a, dvc_date day)
{
	if (!a || dvc__date_cmp(&day, &a->valid_from) < 0)
		return 0;
	return !a->has_valid_to || dvc__date_cmp(&day, &a->valid_to) <= 0;
}

static int list_add(void *ctx, const dvc_agency *row)
{
	dvc_agency_list *l = ctx;
	dvc_agency *slot = DVC__LIST_NEXT(l, rows);
	if (!slot)
		return dvc__oom();
	*slot = *row;
	l->n++;
	return DVC_OK;

}

int dvc_agency_find(dvc_db *db, const dvc_date *asof, const char *level, dvc_agency_list **out)
{
	dvc_agency_list *l;
	char day[11];
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_find needs a store and an output");
	*out = NULL;
	if (asof && !dvc__date_valid(asof->year, asof->month, asof->day))
		return dvc__err(DVC_EDATE, "asof", "not a valid date");
	if (level && (rc = check_code(level, "level")) != DVC_OK)
		return rc;
	if (!(l = dvc__calloc(1, sizeof *l)))
		return dvc__oom();
	if (asof)
		dvc__date_format(asof, day);
	if ((rc = dvc__read_begin(db)) == DVC_OK)
		rc = dvc__write_end(db, dvc__store_agency_each(db, asof ? day : NULL, level, &l->arena,
								 list_add, l));
	if (rc != DVC_OK) {
		dvc_agency_list_free(l);
		return rc;
	}
	*out = l;
	return DVC_OK;
}

DVC__LIST_ACCESSORS(agency_list, dvc_agency_list, dvc_agency, rows)

/* ---- places ---- */

/* The folded area a People's Committee governs: its name without the
 * "Ủy ban nhân dân" prefix ("xa kien thuy"). */
static bool area_of(const char *name, dvc_buf *out)
{
	static const char prefix[] = "uy ban nhan dan ";
	dvc_buf f = DVC_BUF_INIT;
	dvc__fold(name, strlen(name), &f);
	dvc_buf_putc(&f, '\0');
	if (f.oom) {
		dvc_buf_free(&f);
		return false;
	}
	out->len = 0;
	dvc_buf_puts(out, strncmp(f.ptr, prefix, sizeof prefix - 1) == 0 ? f.ptr + sizeof prefix - 1
									   : f.ptr);
	dvc_buf_putc(out, '\0');
	dvc_buf_free(&f);
	return !out->oom;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* `needle` occurs in `hay` as whole words. */
static bool has_words(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return false;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		if ((p == hay || !is_word(p[-1])) && !is_word(p[n]))
			return true;
	return false;
}

typedef struct code_set {
	char (*codes)[CODE_SIZE];
	size_t n, cap;
	bool overflow;
} code_set;

static bool set_has(const code_set *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->codes[i], code) == 0)
			return true;
	return false;
}

static void set_add(code_set *s, const char *code)
{
	if (set_has(s, code))
		return;
	if (s->n == s->cap) {
		s->overflow = true;
		return;
	}
	snprintf(s->codes[s->n++], CODE_SIZE, "%.64s", code);
}

/* Follow `code` to the units in force on `day`. `trail` holds the folded
 * areas of the units passed through, so that a split keeps the successors
 * whose link note names one of them ("khu vực xã Thụy Hương cũ"). */
static int resolve_rec(dvc_db *db, const char *code, const char *day, const dvc_date *dday,
		       const char *place, dvc_buf *trail, code_set *out, int depth)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc_agency row;
	dvc_succession *links;
	size_t n, kept = 0;
	size_t trail_len = trail->len;
	dvc_buf area = DVC_BUF_INIT, note = DVC_BUF_INIT;
	bool keep[DVC_AGENCY_MAX_RESOLVED];
	int rc;

	(void)day;
	if (depth > 16)
		return dvc__err(DVC_ECORRUPT, "agency", "successor links of %.64s form a cycle", code);
	if ((rc = dvc__store_agency_row(db, code, &a, &row)) != DVC_OK)
		goto out;
	if (dvc_agency_in_force(&row, *dday)) {
		set_add(out, code);
		goto out;
	}
	if ((rc = dvc__store_agency_links(db, code, true, &a, &links, &n)) != DVC_OK)
		goto out;
	if (n > DVC_AGENCY_MAX_RESOLVED) {
		rc = dvc__err(DVC_ETOOBIG, "agency", "%.64s has more than %d successors", code,
			      DVC_AGENCY_MAX_RESOLVED);
		goto out;
	}
	/* a split: keep the successors whose link names an area on the trail,
	 * or whose own area the place text names */
	for (size_t i = 0; i < n; i++) {
		keep[i] = false;
		if (n == 1)
			continue;
		if (links[i].note) {
			note.len = 0;
			dvc__fold(links[i].note, strlen(links[i].note), &note);
			dvc_buf_putc(&note, '\0');
			dvc_buf_putc(trail, '\0');
			trail->len--;
			if (note.oom || trail->oom) {
				rc = dvc__oom();
				goto out;
			}
			for (const char *t = trail->ptr; t && *t;) {
				const char *nl = strchr(t, '\n');
				char one[256];
				size_t len = nl ? (size_t)(nl - t) : strlen(t);
				if (len < sizeof one) {
					memcpy(one, t, len);
					one[len] = '\0';
					if (has_words(note.ptr, one))
						keep[i] = true;
				}
				t = nl ? nl + 1 : NULL;
			}
		}
		if (!keep[i] && place) {
			dvc_agency s;
			if ((rc = dvc__store_agency_row(db, links[i].successor, &a, &s)) != DVC_OK)
				goto out;
			if (s.kind && strcmp(s.kind, DVC_KIND_COMMITTEE) == 0 && area_of(s.name, &area) &&
			    has_words(place, area.ptr))
				keep[i] = true;
		}
		kept += keep[i];
	}
	/* the units after this one are chosen by this unit's area too */
	if (row.kind && strcmp(row.kind, DVC_KIND_COMMITTEE) == 0) {
		if (!area_of(row.name, &area)) {
			rc = dvc__oom();
			goto out;
		}
		dvc_buf_puts(trail, area.ptr);
		dvc_buf_putc(trail, '\n');
	}
	for (size_t i = 0; i < n; i++)
		if ((kept == 0 || keep[i]) &&
		    (rc = resolve_rec(db, links[i].successor, day, dday, place, trail, out, depth + 1)) != DVC_OK)
			goto out;
out:
	trail->len = trail_len;
	dvc_buf_free(&area);
	dvc_buf_free(&note);
	dvc_arena_free(&a);
	return rc;
}

int dvc__agency_resolve(dvc_db *db, const char *code, const dvc_date *day, const char *place,
			char (*out)[CODE_SIZE], size_t cap, size_t *n)
{
	code_set s = {out, 0, cap, false};
	dvc_buf trail = DVC_BUF_INIT, fplace = DVC_BUF_INIT;
	char iso[11];
	int rc;
	dvc__date_format(day, iso);
	if (place) {
		dvc__fold(place, strlen(place), &fplace);
		dvc_buf_putc(&fplace, '\0');
		if (fplace.oom) {
			dvc_buf_free(&fplace);
			return dvc__oom();
		}
	}
	rc = resolve_rec(db, code, iso, day, place ? fplace.ptr : NULL, &trail, &s, 0);
	dvc_buf_free(&trail);
	dvc_buf_free(&fplace);
	if (rc == DVC_OK && s.overflow)
		rc = dvc__err(DVC_ETOOBIG, "agency", "%.64s resolves to more than %zu units", code, cap);
	*n = rc == DVC_OK ? s.n : 0;
	return rc;
}

int dvc_agency_resolve(dvc_db *db, const char *code, dvc_date day, const char *place,
		       char (*out)[65], size_t cap, size_t *n)
{
	int rc;
	if (!db || !out || !n)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_resolve needs a store and outputs");
	*n = 0;
	if ((rc = check_code(code, "code")) != DVC_OK)
		return rc;
	if (!dvc__date_valid(day.year, day.month, day.day))
		return dvc__err(DVC_EDATE, "day", "not a valid date");
	if (place && !dvc__utf8_valid(place, strlen(place)))
		return dvc__err(DVC_EUTF8, "place", "place is not valid UTF-8");
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	return dvc__write_end(db, dvc__agency_resolve(db, code, &day, place, out, cap, n));
}

typedef struct match_ctx {
	const char *text; /* folded address */
	dvc_buf area;
	code_set *hits;
	char level[CODE_SIZE]; /* the level of the first (lowest) match */
	int rc;
} match_ctx;

static int match_one(void *ctx, const dvc_agency *row)
{
	match_ctx *m = ctx;
	if (m->level[0] && strcmp(m->level, row->level) != 0)
		return DVC_OK; /* only the lowest level that matches at all */
	if (!area_of(row->name, &m->area))
		return dvc__oom();
	if (has_words(m->text, m->area.ptr)) {
		if (!m->level[0])
			snprintf(m->level, sizeof m->level, "%s", row->level);
		set_add(m->hits, row->code);
	}
	return DVC_OK;
}

/* The units in force on `day` at `place`: an agency code, or an address
 * naming a People's Committee's area (lowest level first), each followed
 * to its successors. */
int dvc__agency_place(dvc_db *db, const char *place, const dvc_date *day,
		      char (*out)[CODE_SIZE], size_t cap, size_t *n)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc_agency row;
	char named[16][CODE_SIZE];
	code_set hits = {named, 0, 16, false}, all = {out, 0, cap, false};
	dvc_buf f = DVC_BUF_INIT;
	int rc;
	*n = 0;
	if (strlen(place) < CODE_SIZE && dvc__store_agency_row(db, place, &a, &row) == DVC_OK) {
		dvc_arena_free(&a);
		return dvc__agency_resolve(db, place, day, NULL, out, cap, n);
	}
	dvc_arena_free(&a);
	dvc__fold(place, strlen(place), &f);
	dvc_buf_putc(&f, '\0');
	if (f.oom)
		return dvc__oom();
	{
		match_ctx m = {f.ptr, DVC_BUF_INIT, &hits, "", DVC_OK};
		rc = dvc__store_committees(db, &a, match_one, &m);
		dvc_buf_free(&m.area);
		dvc_arena_free(&a);
	}
	for (size_t i = 0; rc == DVC_OK && i < hits.n; i++) {
		char got[DVC_AGENCY_MAX_RESOLVED][CODE_SIZE];
		size_t k;
		if ((rc = dvc__agency_resolve(db, named[i], day, place, got, DVC_AGENCY_MAX_RESOLVED,
					      &k)) != DVC_OK)
			break;
		for (size_t j = 0; j < k; j++)
			set_add(&all, got[j]);
	}
	dvc_buf_free(&f);
	if (rc == DVC_OK && all.overflow)
		rc = dvc__err(DVC_ETOOBIG, "place", "the place names more than %zu units", cap);
	*n = rc == DVC_OK ? all.n : 0;
	return rc;
}

typedef struct collect_ctx {
	code_set *set;
} collect_ctx;

static int collect(void *ctx, const dvc_agency *row)
{
	collect_ctx *c = ctx;
	set_add(c->set, row->code);
	return DVC_OK;
}

/* The agency of `level`/`kind` at or above `code` in force on `day` whose
 * parent chain passes `top`; "" when there is none. */
static int served_unit(dvc_db *db, const char *code, const char *top, const char *level,
		       const char *kind, const dvc_date *day, char out[CODE_SIZE])
{
	char cur[CODE_SIZE];
	bool below_top = false;
	out[0] = '\0';
	snprintf(cur, sizeof cur, "%.64s", code);
	for (int depth = 0; depth < 16 && cur[0]; depth++) {
		dvc_arena a = DVC_ARENA_INIT;
		dvc_agency row;
		int rc;
		if (strcmp(cur, top) == 0) {
			below_top = true;
			break;
		}
		if ((rc = dvc__store_agency_row(db, cur, &a, &row)) != DVC_OK) {
			dvc_arena_free(&a);
			return rc;
		}
		if (!out[0] && strcmp(row.level, level) == 0 &&
		    (!kind || (row.kind && strcmp(row.kind, kind) == 0)) && dvc_agency_in_force(&row, *day))
			snprintf(out, CODE_SIZE, "%.64s", row.code);
		snprintf(cur, sizeof cur, "%.64s", row.parent ? row.parent : "");
		dvc_arena_free(&a);
	}
	if (!below_top)
		out[0] = '\0';
	return DVC_OK;
}

int dvc__agency_served(dvc_db *db, const char *agency, const char *level, const char *kind,
		       const char *place, const dvc_date *day, char out[CODE_SIZE])
{
	char found[DVC_AGENCY_MAX_RESOLVED][CODE_SIZE], places[DVC_AGENCY_MAX_RESOLVED][CODE_SIZE];
	code_set fs = {found, 0, DVC_AGENCY_MAX_RESOLVED, false};
	char iso[11], list[256] = "";
	size_t np, l = 0;
	int rc;
	dvc__date_format(day, iso);
	if (!place || !*place)
		return dvc__err(DVC_EINVAL, "place",
				"the procedure is served by every %s agency: name the applicant's place", level);
	if ((rc = dvc__agency_place(db, place, day, places, DVC_AGENCY_MAX_RESOLVED, &np)) != DVC_OK)
		return rc;
	if (np == 0)
		return dvc__err(DVC_ENOTFOUND, "place", "the place '%.80s' names no unit in force on %s",
				place, iso);
	for (size_t i = 0; i < np; i++) {
		char u[CODE_SIZE];
		if ((rc = served_unit(db, places[i], agency, level, kind, day, u)) != DVC_OK)
			return rc;
		if (u[0])
			set_add(&fs, u);
	}
	for (size_t i = 0; i < (fs.n ? fs.n : np); i++) {
		snprintf(list + l, sizeof list - l, "%s%.64s", i ? ", " : "", fs.n ? found[i] : places[i]);
		l = strlen(list);
	}
	if (fs.n == 1) {
		snprintf(out, CODE_SIZE, "%.64s", found[0]);
		return DVC_OK;
	}
	if (fs.n == 0)
		return dvc__err(DVC_ENOTFOUND, "place",
				"no %s agency under %s serves the place '%.80s' (units there on %s: %s)",
				level, agency, place, iso, list);
	return dvc__err(DVC_EINVAL, "place",
			"the place '%.80s' names several competent agencies on %s: %s; name one", place,
			iso, list);
}

int dvc__agency_root(dvc_db *db, const char *code, char out[CODE_SIZE])
{
	char cur[CODE_SIZE];
	snprintf(cur, sizeof cur, "%.64s", code);
	for (int depth = 0; depth < 16; depth++) {
		dvc_arena a = DVC_ARENA_INIT;
		dvc_agency row;
		int rc;
		if ((rc = dvc__store_agency_row(db, cur, &a, &row)) != DVC_OK) {
			dvc_arena_free(&a);
			return rc;
		}
		if (!row.parent) {
			dvc_arena_free(&a);
			break;
		}
		snprintf(cur, sizeof cur, "%.64s", row.parent);
		dvc_arena_free(&a);
	}
	snprintf(out, CODE_SIZE, "%.64s", cur);
	return DVC_OK;
}

int dvc__agency_desk(dvc_db *db, const char *agency, const dvc_date *day, char out[CODE_SIZE])
{
	char cur[CODE_SIZE], iso[11], centres[4][CODE_SIZE];
	code_set cs = {centres, 0, 4, false};
	collect_ctx cc = {&cs};
	int rc;
	dvc__date_format(day, iso);
	snprintf(cur, sizeof cur, "%.64s", agency);
	/* the nearest People's Committee at or above the agency (an agency
	 * without kinds anywhere falls back to the root of its chain) */
	for (int depth = 0; depth < 16; depth++) {
		dvc_arena a = DVC_ARENA_INIT;
		dvc_agency row;
		bool committee, root;
		if ((rc = dvc__store_agency_row(db, cur, &a, &row)) != DVC_OK) {
			dvc_arena_free(&a);
			return rc;
		}
		committee = row.kind && strcmp(row.kind, DVC_KIND_COMMITTEE) == 0;
		root = !row.parent;
		if (!committee && !root)
			snprintf(cur, sizeof cur, "%.64s", row.parent);
		dvc_arena_free(&a);
		if (committee || root)
			break;
	}
	{
		dvc_arena a = DVC_ARENA_INIT;
		rc = dvc__store_agency_descendants(db, cur, iso, NULL, DVC_KIND_CENTRE, 1, &a, collect, &cc);
		dvc_arena_free(&a);
	}
	if (rc != DVC_OK)
		return rc;
	snprintf(out, CODE_SIZE, "%.64s", cs.n ? centres[0] : cur);
	return DVC_OK;
}

int dvc_agency_desk(dvc_db *db, const char *agency, dvc_date day, char out[65])
{
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_desk needs a store and an output");
	out[0] = '\0';
	if ((rc = check_code(agency, "agency")) != DVC_OK)
		return rc;
	if (!dvc__date_valid(day.year, day.month, day.day))
		return dvc__err(DVC_EDATE, "day", "not a valid date");
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	return dvc__write_end(db, dvc__agency_desk(db, agency, &day, out));
}

int dvc__agency_competent(dvc_db *db, const dvc_procedure *p, const char *place,
			  const dvc_date *day, char out[CODE_SIZE])
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc_agency row;
	int rc;
	if (p->served_level)
		return dvc__agency_served(db, p->agency, p->served_level, p->served_kind, place, day, out);
	if ((rc = dvc__store_agency_row(db, p->agency, &a, &row)) == DVC_OK &&
	    !dvc_agency_in_force(&row, *day)) {
		char succ[8][CODE_SIZE], list[200] = "";
		size_t n = 0, l = 0;
		if (dvc__agency_resolve(db, p->agency, day, place, succ, 8, &n) == DVC_OK)
			for (size_t i = 0; i < n; i++) {
				snprintf(list + l, sizeof list - l, "%s%.64s", i ? ", " : "", succ[i]);
				l = strlen(list);
			}
		rc = dvc__err(DVC_EEXPIRED, "procedure", "agency %s of procedure %s is not in force on "
			      "that day%s%s", p->agency, p->code, n ? "; its successor: " : "", list);
	}
	dvc_arena_free(&a);
	if (rc == DVC_OK)
		snprintf(out, CODE_SIZE, "%.64s", p->agency);
	return rc;
}

int dvc_agency_competent(dvc_db *db, const char *procedure, const char *place, dvc_date day,
			 char out[65])
{
	dvc_procedure *p;
	int rc;
	if (!db || !out || !procedure)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_competent needs a store, a procedure and an output");
	out[0] = '\0';
	if (!dvc__date_valid(day.year, day.month, day.day))
		return dvc__err(DVC_EDATE, "day", "not a valid date");
	if (place && !dvc__utf8_valid(place, strlen(place)))
		return dvc__err(DVC_EUTF8, "place", "place is not valid UTF-8");
	if ((rc = dvc_procedure_get(db, procedure, &day, &p)) != DVC_OK)
		return rc;
	if ((rc = dvc__read_begin(db)) == DVC_OK)
		rc = dvc__write_end(db, dvc__agency_competent(db, p, place, &day, out));
	dvc_procedure_free(p);
	return rc;
}
