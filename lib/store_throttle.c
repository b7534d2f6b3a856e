/* Failure counters of the throttles (throttle.c decides what is counted).
 *
 * One fixed-size row per (scope, 16-byte key): the key is a digest of the
 * client address and the code or username, so a 30 KB made-up code costs
 * the same ~60 bytes as a real one. Rows expire with their window or lock
 * (minutes), are pruned by the next failure, and the table never holds more
 * than DVC__THROTTLE_MAX_ROWS: past that, the rows closest to expiry go. */
#include "store_internal.h"
#include "throttle_internal.h"

static const char SQL_GET[] =
	"SELECT failures, window_start, locked_until FROM throttle WHERE scope = ?1 AND key = ?2";
static const char SQL_PRUNE[] = "DELETE FROM throttle WHERE expires_at <= ?1";
static const char SQL_SEED[] =
	"INSERT INTO throttle(scope, key, failures, window_start, locked_until, expires_at)"
	" VALUES (?1, ?2, 0, ?3, 0, ?3 + ?4) ON CONFLICT DO NOTHING";
/* The guard makes counting and checking one step: of any number of
 * parallel callers, at most `max` see a change (one row changed). A
 * window that has passed starts again at 1. */
static const char SQL_COUNT[] =
	"UPDATE throttle SET"
	"  failures = CASE WHEN window_start + ?4 <= ?3 THEN 1 ELSE failures + 1 END,"
	"  window_start = CASE WHEN window_start + ?4 <= ?3 THEN ?3 ELSE window_start END,"
	"  locked_until = CASE WHEN (CASE WHEN window_start + ?4 <= ?3 THEN 1 ELSE failures + 1 END) >= ?5"
	"                 THEN ?3 + ?6 ELSE locked_until END,"
	"  expires_at = max(?3 + ?4, ?3 + ?6)"
	" WHERE scope = ?1 AND key = ?2 AND locked_until <= ?3"
	"   AND (failures < ?5 OR window_start + ?4 <= ?3)";
static const char SQL_UNCOUNT[] =
	"UPDATE throttle SET failures = max(failures - 1, 0) WHERE scope = ?1 AND key = ?2";
static const char SQL_CLEAR[] = "DELETE FROM throttle WHERE scope = ?1 AND key = ?2";
static const char SQL_EVICT[] =
	"DELETE FROM throttle WHERE (scope, key) IN (SELECT scope, key FROM throttle"
	" ORDER BY expires_at LIMIT max((SELECT count(*) FROM throttle) - ?1, 0))";

static void bind_key(dvc__sql_stmt *st, const dvc__throttle_key *k)
{
	dvc__sql_bind_int(st, 1, k->scope);
	dvc__sql_bind_blob(st, 2, k->key, (int)sizeof k->key, DVC__SQL_STATIC);
}

int dvc__store_throttle_get(dvc_db *db, const dvc__throttle_key *k, int *failures,
			    dvc_time *window_start, dvc_time *locked_until)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_GET);
	int rc;
	*failures = 0;
	*window_start = *locked_until = 0;
	if (!st)
		return dvc_error_last()->code;
	bind_key(st, k);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		*failures = dvc__sql_column_int(st, 0);
		*window_start = dvc__sql_column_int64(st, 1);
		*locked_until = dvc__sql_column_int64(st, 2);
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_ROW || rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading the throttle");
}

int dvc__store_throttle_count(dvc_db *db, const dvc__throttle_key *k, dvc_time now, int max,
			      int window, int lock, int *counted)
{
	dvc__sql_stmt *st;
	int rc;
	*counted = 0;
	if (!(st = dvc__stmt(db, SQL_PRUNE)))
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, now);
	if ((rc = dvc__exec_step(db, st, "pruning the throttle")) != DVC_OK)
		return rc;
	if (!(st = dvc__stmt(db, SQL_SEED)))
		return dvc_error_last()->code;
	bind_key(st, k);
	dvc__sql_bind_int64(st, 3, now);
	dvc__sql_bind_int(st, 4, window);
	if ((rc = dvc__exec_step(db, st, "counting a failed attempt")) != DVC_OK)
		return rc;
	if (dvc__sql_changes(db) == 1) { /* a new row: keep the table bounded */
		if (!(st = dvc__stmt(db, SQL_EVICT)))
			return dvc_error_last()->code;
		dvc__sql_bind_int(st, 1, DVC__THROTTLE_MAX_ROWS);
		if ((rc = dvc__exec_step(db, st, "bounding the throttle")) != DVC_OK)
			return rc;
	}
	if (!(st = dvc__stmt(db, SQL_COUNT)))
		return dvc_error_last()->code;
	bind_key(st, k);
	dvc__sql_bind_int64(st, 3, now);
	dvc__sql_bind_int(st, 4, window);
	dvc__sql_bind_int(st, 5, max);
	dvc__sql_bind_int(st, 6, lock);
	if ((rc = dvc__exec_step(db, st, "counting a failed attempt")) != DVC_OK)
		return rc;
	*counted = dvc__sql_changes(db) == 1;
	return DVC_OK;
}

int dvc__store_throttle_uncount(dvc_db *db, const dvc__throttle_key *k)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_UNCOUNT);
	if (!st)
		return dvc_error_last()->code;
	bind_key(st, k);
	return dvc__exec_step(db, st, "updating the throttle");
}

int dvc__store_throttle_clear(dvc_db *db, const dvc__throttle_key *k)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_CLEAR);
	if (!st)
		return dvc_error_last()->code;
	bind_key(st, k);
	return dvc__exec_step(db, st, "clearing the throttle");
}
