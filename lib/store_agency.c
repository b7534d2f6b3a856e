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

static const char *col(dvc_arena *a, dvc__sql_stmt *st, int i, bool *oom)
{
	const unsigned char *s = dvc__sql_column_text(st, i);
	char *r;
	if (!s)
		return NULL;
	if (!(r = dvc_arena_strndup(a, (const char *)s, (size_t)dvc__sql_column_bytes(st, i))))
		*oom = true;
	return r;
}

static void coldate(dvc__sql_stmt *st, int i, dvc_date *d)
{
	const char *s = (const char *)dvc__sql_column_text(st, i);
	if (!s || dvc__date_parse(s, d) != DVC_OK)
		*d = (dvc_date){0, 0, 0};
}

static bool read_row(dvc_arena *a, dvc__sql_stmt *st, dvc_agency *out)
{
	bool oom = false;
	memset(out, 0, sizeof *out);
	out->code = col(a, st, 0, &oom);
	out->name = col(a, st, 1, &oom);
	out->level = col(a, st, 2, &oom);
	out->kind = col(a, st, 3, &oom);
	out->parent = col(a, st, 4, &oom);
	coldate(st, 5, &out->valid_from);
	if ((out->has_valid_to = dvc__sql_column_type(st, 6) != DVC__SQL_NULL))
		coldate(st, 6, &out->valid_to);
	return !oom;
}

int dvc__store_agency_row(dvc_db *db, const char *code, dvc_arena *a, dvc_agency *out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_AGENCY_ROW);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		rc = read_row(a, st, out) ? DVC_OK : dvc__oom();
	} else if (rc == DVC__SQL_DONE) {
		rc = dvc__err(DVC_ENOTFOUND, "agency", "no agency %.64s", code);
	} else {
		rc = dvc__store_err(db, rc, "reading an agency");
	}
	dvc__sql_reset(st);
	return rc;
}

static int each_row(dvc_db *db, dvc__sql_stmt *st, dvc_arena *a, dvc__agency_cb cb, void *ctx,
		    const char *what)
{
	int rc;
	dvc_agency row;
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		if (!read_row(a, st, &row)) {
			dvc__sql_reset(st);
			return dvc__oom();
		}
		if ((rc = cb(ctx, &row)) != DVC_OK) {
			dvc__sql_reset(st);
			return rc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, what);
}

int dvc__store_agency_each(dvc_db *db, const char *day, const char *level, dvc_arena *a,
			   dvc__agency_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_AGENCY_LIST);
	if (!st)
		return dvc_error_last()->code;
	dvc__bind_text(db, st, 1, day);
	dvc__bind_text(db, st, 2, level);
	return each_row(db, st, a, cb, ctx, "listing agencies");
}

int dvc__store_agency_descendants(dvc_db *db, const char *parent, const char *day,
				  const char *level, const char *kind, int depth, dvc_arena *a,
				  dvc__agency_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_DESCENDANTS);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, parent, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, day, -1, DVC__SQL_STATIC);
	dvc__bind_text(db, st, 3, level);
	dvc__bind_text(db, st, 4, kind);
	dvc__sql_bind_int(st, 5, depth);
	return each_row(db, st, a, cb, ctx, "reading agencies under a unit");
}

int dvc__store_committees(dvc_db *db, dvc_arena *a, dvc__agency_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_COMMITTEES);
	if (!st)
		return dvc_error_last()->code;
	return each_row(db, st, a, cb, ctx, "reading People's Committees");
}

int dvc__store_agency_links(dvc_db *db, const char *code, bool successors, dvc_arena *a,
			    dvc_succession **out, size_t *n)
{
	dvc__sql_stmt *st = dvc__stmt(db, successors ? SQL_SUCCESSORS_OF : SQL_PREDECESSORS_OF);
	size_t cap = 0, len = 0;
	dvc_succession *arr = NULL;
	bool oom = false;
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		if (len == cap) {
			dvc_succession *na = dvc_arena_alloc(a, (cap = cap ? cap * 2 : 8) * sizeof *na);
			if (!na) {
				oom = true;
				break;
			}
			if (len)
				memcpy(na, arr, len * sizeof *na);
			arr = na;
		}
		arr[len].predecessor = col(a, st, 0, &oom);
		arr[len].successor = col(a, st, 1, &oom);
		coldate(st, 2, &arr[len].date);
		arr[len].act = col(a, st, 3, &oom);
		arr[len].note = col(a, st, 4, &oom);
		len++;
	}
	dvc__sql_reset(st);
	if (oom)
		return dvc__oom();
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "reading successor links");
	*out = arr;
	*n = len;
	return DVC_OK;
}
