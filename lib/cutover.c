/* The reform cutover: dossiers still held by a unit that has ceased move to
 * its successor (the two-tier local government of 1 July 2025 abolished
 * the districts while their dossiers were open). An explicit operation,
 * never a side effect of a read: each dossier moves in its own transaction
 * with one journal entry by "system" naming the legal act, so an
 * interrupted run leaves whole moves only, and a second run finds nothing
 * left to move. Appointment, deadlines and stopped clocks are not touched. */
#include "agency_internal.h"
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#define CODE_SIZE 65
#define CUTOVER_ACTOR "system"

struct dvc_cutover_report {
	dvc_arena arena;
	dvc_cutover_move *rows;
	size_t n, cap, moved;
	dvc_date asof;
};

typedef struct codes {
	char (*v)[DVC_CODE_MAX];
	size_t n, cap;
} codes;

static int collect(void *ctx, const char *code)
{
	codes *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		void *p = dvc__realloc(c->v, cap * sizeof *c->v);
		if (!p)
			return dvc__oom();
		c->v = p;
		c->cap = cap;
	}
	snprintf(c->v[c->n++], DVC_CODE_MAX, "%s", code);
	return DVC_OK;
}

static int ceased(dvc_db *db, const char *unit, const char *day, int *out)
{
	char from[11], to[11];
	int rc = dvc__store_agency_validity(db, unit, from, to);
	if (rc < 0)
		return rc;
	*out = to[0] && strcmp(to, day) < 0;
	return DVC_OK;
}

static int add_row(dvc_cutover_report *r, const char *dossier, const char *from, const char *to,
		   const char *desk, const char *act, const char *reason)
{
	dvc_cutover_move *m;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		void *p = dvc__realloc(r->rows, cap * sizeof *r->rows);
		if (!p)
			return dvc__oom();
		r->rows = p;
		r->cap = cap;
	}
	m = &r->rows[r->n];
	memset(m, 0, sizeof *m);
	m->dossier = dvc_arena_strdup(&r->arena, dossier);
	m->from = dvc_arena_strdup(&r->arena, from);
	m->to = dvc_arena_strdup(&r->arena, to);
	m->desk = dvc_arena_strdup(&r->arena, desk);
	m->act = dvc_arena_strdup(&r->arena, act);
	m->reason = dvc_arena_strdup(&r->arena, reason);
	if (!m->dossier || !m->from || (to && !m->to) || (desk && !m->desk) || (act && !m->act) ||
	    (reason && !m->reason))
		return dvc__oom();
	r->n++;
	r->moved += to != NULL;
	return DVC_OK;
}

/* The act of the link from `from` to `to` (the first link's act when `to`
 * is reached over several hops). */
static int link_act(dvc_db *db, const char *from, const char *to, dvc_arena *a, const char **act)
{
	dvc_succession *links;
	size_t n;
	int rc;
	*act = NULL;
	if ((rc = dvc__store_agency_links(db, from, true, a, &links, &n)) != DVC_OK)
		return rc;
	for (size_t i = 0; i < n && !*act; i++)
		if (strcmp(links[i].successor, to) == 0)
			*act = links[i].act;
	if (!*act && n)
		*act = links[0].act;
	return DVC_OK;
}

/* Move one dossier if a unit it depends on has ceased by `day`; inside a
 * write transaction. Appends a row to the report when it moved or could
 * not be moved. */
static int move_one(dvc_db *db, const char *code, const dvc_date *asof, const char *day,
		    dvc_cutover_report *r)
{
	dvc__dossier d;
	const dvc__proc_rt *rt;
	dvc_arena a = DVC_ARENA_INIT;
	dvc_applicant app;
	const char *handler, *unit_name, *exemption, *form, *act = NULL;
	char old_comp[CODE_SIZE], old_desk[CODE_SIZE], new_comp[CODE_SIZE], new_desk[CODE_SIZE];
	char found[8][CODE_SIZE], note[600], why[200];
	int comp_gone = 0, desk_gone = 0, unit_gone = 0, any = 0, rc;
	size_t n = 0;

	if ((rc = dvc__store_dossier_load(db, code, &d)) != DVC_OK)
		return rc;
	if (dvc_state_is_final(d.state))
		return DVC_OK; /* finished meanwhile */
	if ((rc = dvc__dossier_rt(db, &d, &rt)) != DVC_OK)
		return rc;
	snprintf(old_comp, sizeof old_comp, "%s", d.competent[0] ? d.competent : rt->agency);
	snprintf(old_desk, sizeof old_desk, "%s", rt->steps[0].unit);
	if ((rc = ceased(db, old_comp, day, &comp_gone)) != DVC_OK ||
	    (rc = ceased(db, old_desk, day, &desk_gone)) != DVC_OK ||
	    (rc = ceased(db, d.unit, day, &unit_gone)) != DVC_OK)
		return rc;
	for (size_t i = 0; i < rt->n_steps && !any; i++)
		if ((rc = ceased(db, rt->steps[i].unit, day, &any)) != DVC_OK)
			return rc;
	if (!comp_gone && !desk_gone && !unit_gone && !any)
		return DVC_OK;

	/* the applicant's address chooses among the parts of a split unit */
	if ((rc = dvc__store_dossier_details(db, d.id, &a, &app, &handler, &unit_name, &exemption,
					     &form)) != DVC_OK)
		goto out;
	snprintf(new_comp, sizeof new_comp, "%s", old_comp);
	if (comp_gone || any) {
		const char *gone = comp_gone ? old_comp : old_desk;
		rc = dvc__agency_resolve(db, gone, asof, app.address, found, 8, &n);
		if (rc == DVC_ETOOBIG)
			n = 9;
		else if (rc != DVC_OK)
			goto out;
		if (n > 1 && n <= 8 && app.address) {
			/* a district spread over its communes: the commune in force at
			 * the applicant's address, when it is one of them */
			char at[8][CODE_SIZE];
			size_t nat = 0, keep = 0;
			rc = dvc__agency_place(db, app.address, asof, at, 8, &nat);
			if (rc != DVC_OK && rc != DVC_ENOTFOUND && rc != DVC_ETOOBIG && rc != DVC_EINVAL)
				goto out;
			rc = DVC_OK;
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < nat; j++)
					if (strcmp(found[i], at[j]) == 0) {
						if (keep != i)
							memcpy(found[keep], found[i], CODE_SIZE);
						keep++;
						break;
					}
			if (keep == 1)
				n = 1;
		}
		if (n != 1) {
			snprintf(why, sizeof why, n == 0 ? "%s ceased without a successor in force on %s"
					      : "%s has several successors on %s and the applicant's "
						"address names none of them",
				 gone, day);
			rc = add_row(r, d.code, gone, NULL, NULL, NULL, why);
			goto out;
		}
		snprintf(new_comp, sizeof new_comp, "%s", found[0]);
		if ((rc = link_act(db, gone, new_comp, &a, &act)) != DVC_OK)
			goto out;
	}
	snprintf(new_desk, sizeof new_desk, "%s", old_desk);
	if (desk_gone && (rc = dvc__agency_desk(db, new_comp, asof, new_desk)) != DVC_OK)
		goto out;
	if (!act && (rc = link_act(db, desk_gone ? old_desk : d.unit, new_comp, &a, &act)) != DVC_OK)
		goto out;

	/* the holder: the desk's part stays at the (new) desk, the rest goes to
	 * the new competent agency */
	if (strcmp(d.unit, old_desk) == 0 && d.step == 0)
		snprintf(d.unit, sizeof d.unit, "%s", new_desk);
	else if (strcmp(d.unit, old_desk) == 0 && desk_gone)
		snprintf(d.unit, sizeof d.unit, "%s", new_desk);
	else if (unit_gone || strcmp(d.unit, old_comp) == 0 || any)
		snprintf(d.unit, sizeof d.unit, "%s", new_comp);
	if (strcmp(d.unit, d.stored.unit) != 0)
		d.handler_id = 0; /* the former unit's officer no longer works on it */
	snprintf(d.competent, sizeof d.competent, "%s", new_comp);
	snprintf(d.desk, sizeof d.desk, "%s", new_desk);
	snprintf(note, sizeof note,
		 "%s: %s thôi hoạt động trước ngày %s; hồ sơ chuyển đến %s (nơi tiếp nhận, trả kết quả: %s)",
		 act ? act : "(không rõ văn bản)", comp_gone ? old_comp : old_desk, day, new_comp,
		 new_desk);
	if ((rc = dvc__store_dossier_set_route(db, d.id, d.desk, d.competent)) != DVC_OK ||
	    (rc = dvc__dossier_record(db, &d, CUTOVER_ACTOR, DVC_ACT_TRANSFER, note, NULL)) != DVC_OK)
		goto out;
	rc = add_row(r, d.code, comp_gone ? old_comp : old_desk, new_comp, new_desk, act, NULL);
out:
	dvc_arena_free(&a);
	return rc;
}

/* move_one run (again) as the first time: a row a rolled-back run added
 * goes (its strings stay in the report's arena until it is freed). */
static int move_again(dvc_db *db, const char *code, const dvc_date *asof, const char *day,
		      dvc_cutover_report *r, size_t n, size_t moved)
{
	r->n = n;
	r->moved = moved;
	return move_one(db, code, asof, day, r);
}

int dvc_agency_cutover(dvc_db *db, const dvc_date *asof, dvc_cutover_report **out)
{
	dvc_cutover_report *r;
	codes c = {NULL, 0, 0};
	char day[11];
	dvc_date when;
	int rc;
	if (!db || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_agency_cutover needs a store and an output");
	*out = NULL;
	if (asof) {
		if (!dvc__date_valid(asof->year, asof->month, asof->day))
			return dvc__err(DVC_EDATE, "asof", "not a valid date");
		when = *asof;
	} else {
		dvc_time now;
		if ((rc = dvc__now(db, &now)) != DVC_OK)
			return rc;
		int y, m, d;
		dvc__civil_from_days((now + 7 * 3600) / 86400, &y, &m, &d); /* UTC+7 */
		when.year = y;
		when.month = m;
		when.day = d;
	}
	dvc__date_format(&when, day);
	if (!(r = dvc__calloc(1, sizeof *r)))
		return dvc__oom();
	r->asof = when;
	/* the open dossiers first, then one transaction per dossier */
	if ((rc = dvc__read_begin(db)) == DVC_OK)
		rc = dvc__write_end(db, dvc__store_open_dossier_codes(db, collect, &c));
	for (size_t i = 0; rc == DVC_OK && i < c.n; i++) {
		size_t before = r->n, moved = r->moved;
		DVC__WRITE(db, rc, move_again(db, c.v[i], &when, day, r, before, moved));
		if (rc != DVC_OK) {
			r->n = before; /* its row described a move that was rolled back */
			r->moved = moved;
		}
	}
	dvc__free(c.v);
	if (rc != DVC_OK) {
		dvc_cutover_report_free(r);
		return rc;
	}
	*out = r;
	return DVC_OK;
}

size_t dvc_cutover_report_count(const dvc_cutover_report *r) { return r ? r->n : 0; }

size_t dvc_cutover_report_moved(const dvc_cutover_report *r) { return r ? r->moved : 0; }

const dvc_cutover_move *dvc_cutover_report_at(const dvc_cutover_report *r, size_t i)
{
	return r && i < r->n ? &r->rows[i] : NULL;
}

dvc_date dvc_cutover_report_asof(const dvc_cutover_report *r)
{
	dvc_date none = {0, 0, 0};
	return r ? r->asof : none;
}

void dvc_cutover_report_free(dvc_cutover_report *r)
{
	if (!r)
		return;
	dvc_arena_free(&r->arena);
	dvc__free(r->rows);
	dvc__free(r);
}
