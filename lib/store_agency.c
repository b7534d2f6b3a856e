/* The administrative map: SQL for agencies, their successor links and the
 * queries the routing asks (descendants in force, links of one agency). */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

#define AGENCY_COLUMNS "code, name, level, kind, parent, valid_from, valid_to"
static const char SQL_AGENCY_ROW[] = "SELECT " AGENCY_COLUMNS " FROM agency WHERE code = ?1";
/* Days compare as ISO text; NULL ?1 lists every agency. */
static const char SQL_AGENCY_LIST[] =
	"SELECT " AGENCY_COLUMNS " FROM agency"
	" WHERE (?1 IS NULL OR (valid_from <= ?1 AND (valid_to IS NULL OR valid_to >= ?1)))"
	" AND (?2 IS NULL OR level = ?2) ORDER BY code";
static const char SQL_SUCCESSORS_OF[] =
	"SELECT predecessor, successor, date, act, note FROM agency_successor"
	" WHERE predecessor = ?1 ORDER BY successor";
static const char SQL_PREDECESSORS_OF[] =
	"SELECT predecessor, successor, date, act, note FROM agency_successor"
	" WHERE successor = ?1 ORDER BY predecessor";
/* Agencies under `?1` (down to ?5 levels of parents) in force on ?2, of a
 * level and kind (NULL: any). */
static const char SQL_DESCENDANTS[] =
	"WITH RECURSIVE down(code, depth) AS ("
	"  SELECT code, 1 FROM agency WHERE parent = ?1"
	"  UNION ALL SELECT a.code, down.depth + 1 FROM agency a JOIN down ON a.parent = down.code"
	"  WHERE down.depth < ?5)"
	" SELECT " AGENCY_COLUMNS " FROM agency WHERE code IN (SELECT code FROM down)"
	" AND valid_from <= ?2 AND (valid_to IS NULL OR valid_to >= ?2)"
	" AND (?3 IS NULL OR level = ?3) AND (?4 IS NULL OR kind = ?4) ORDER BY code";
/* Every People's Committee ever stored, lowest level first (a commune
 * before its district), for matching an address against unit names. */
static const char SQL_COMMITTEES[] =
	"SELECT a.code, a.name, a.level, a.kind, a.parent, a.valid_from, a.valid_to"
	" FROM agency a JOIN level l ON l.code = a.level"
	" WHERE a.kind = 'committee' ORDER BY l.rank DESC, a.code";

static bool read_row(dvc_arena *a, dvc__sql_stmt *st, dvc_agency *out)
{
	bool oom = false;
	memset(out, 0, sizeof *out);
	out->code = dvc__col_arena(a, st, 0, &oom);
	out->name = dvc__col_arena(a, st, 1, &oom);
	out->level = dvc__col_arena(a, st, 2, &oom);
	out->kind = dvc__col_arena(a, st, 3, &oom);
	out->parent = dvc__col_arena(a, st, 4, &oom);
	dvc__col_date(st, 5, &out->valid_from);
	if ((out->has_valid_to = dvc__sql_column_type(st, 6) != DVC__SQL_NULL))
		dvc__col_date(st, 6, &out->valid_to);
	return !oom;
}

struct agency_read {
	dvc_arena *a;
	dvc_agency *out; /* the row, or NULL: into a local handed to cb */
	dvc__agency_cb cb;
	void *ctx;
};

static int agency_row(dvc__sql_stmt *st, void *ctx)
{
	const struct agency_read *r = ctx;
	dvc_agency row, *out = r->out ? r->out : &row;
	if (!read_row(r->a, st, out))
		return dvc__oom();
	return r->out ? DVC_OK : r->cb(r->ctx, &row);
}

int dvc__store_agency_row(dvc_db *db, const char *code, dvc_arena *a, dvc_agency *out)
{
	struct agency_read r = {a, out, NULL, NULL};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_AGENCY_ROW, DVC__TEXT(code)), agency_row, &r,
			      "reading an agency");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "agency", "no agency %.64s", code);
	return rc < 0 ? rc : DVC_OK;
}

static int each_row(dvc_db *db, dvc__sql_stmt *st, dvc_arena *a, dvc__agency_cb cb, void *ctx,
		    const char *what)
{
	struct agency_read r = {a, NULL, cb, ctx};
	return dvc__rows(db, st, agency_row, &r, what);
}

int dvc__store_agency_each(dvc_db *db, const char *day, const char *level, dvc_arena *a,
			   dvc__agency_cb cb, void *ctx)
{
	return each_row(db, DVC__STMT(db, SQL_AGENCY_LIST, DVC__TEXT(day), DVC__TEXT(level)), a, cb, ctx,
			"listing agencies");
}

int dvc__store_agency_descendants(dvc_db *db, const char *parent, const char *day,
				  const char *level, const char *kind, int depth, dvc_arena *a,
				  dvc__agency_cb cb, void *ctx)
{
	dvc__sql_stmt *st = DVC__STMT(db, SQL_DESCENDANTS, DVC__TEXT(parent), DVC__TEXT(day),
				      DVC__TEXT(level), DVC__TEXT(kind), DVC__INT(depth));
	return each_row(db, st, a, cb, ctx, "reading agencies under a unit");
}

int dvc__store_committees(dvc_db *db, dvc_arena *a, dvc__agency_cb cb, void *ctx)
{
	return each_row(db, dvc__stmt(db, SQL_COMMITTEES), a, cb, ctx, "reading People's Committees");
}

int dvc__store_agency_links(dvc_db *db, const char *code, bool successors, dvc_arena *a,
			    dvc_succession **out, size_t *n)
{
	void *arr;
	int rc = dvc__rows_array(db, a, DVC__STMT(db, successors ? SQL_SUCCESSORS_OF : SQL_PREDECESSORS_OF,
						  DVC__TEXT(code)),
				 sizeof **out, dvc__succession_row, "reading successor links", &arr, n);
	if (rc == DVC_OK)
		*out = arr;
	return rc;
}
