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

/* The parameters ?1 and ?2 of a row's key. */
#define KEY(k) DVC__INT((k)->scope), DVC__BLOB((k)->key, sizeof (k)->key)

struct counter {
	int *failures;
	dvc_time *window_start, *locked_until;
};

static int counter_row(dvc__sql_stmt *st, void *ctx)
{
	const struct counter *c = ctx;
	*c->failures = dvc__sql_column_int(st, 0);
	*c->window_start = dvc__sql_column_int64(st, 1);
	*c->locked_until = dvc__sql_column_int64(st, 2);
	return DVC_OK;
}

int dvc__store_throttle_get(dvc_db *db, const dvc__throttle_key *k, int *failures,
			    dvc_time *window_start, dvc_time *locked_until)
{
	struct counter c = {failures, window_start, locked_until};
	int rc;
	*failures = 0;
	*window_start = *locked_until = 0;
	rc = dvc__row_one(db, DVC__STMT(db, SQL_GET, KEY(k)), counter_row, &c, "reading the throttle");
	return rc < 0 ? rc : DVC_OK;
}

int dvc__store_throttle_count(dvc_db *db, const dvc__throttle_key *k, dvc_time now, int max,
			      int window, int lock, int *counted)
{
	static const char what[] = "counting a failed attempt";
	int rc;
	*counted = 0;
	if ((rc = DVC__EXEC(db, SQL_PRUNE, "pruning the throttle", DVC__INT(now))) != DVC_OK ||
	    (rc = DVC__EXEC(db, SQL_SEED, what, KEY(k), DVC__INT(now), DVC__INT(window))) != DVC_OK)
		return rc;
	/* a new row: keep the table bounded */
	if (dvc__sql_changes(db) == 1 &&
	    (rc = DVC__EXEC(db, SQL_EVICT, "bounding the throttle", DVC__INT(DVC__THROTTLE_MAX_ROWS))) != DVC_OK)
		return rc;
	rc = DVC__EXEC(db, SQL_COUNT, what, KEY(k), DVC__INT(now), DVC__INT(window), DVC__INT(max),
		       DVC__INT(lock));
	if (rc != DVC_OK)
		return rc;
	*counted = dvc__sql_changes(db) == 1;
	return DVC_OK;
}

int dvc__store_throttle_uncount(dvc_db *db, const dvc__throttle_key *k)
{
	return DVC__EXEC(db, SQL_UNCOUNT, "updating the throttle", KEY(k));
}

int dvc__store_throttle_clear(dvc_db *db, const dvc__throttle_key *k)
{
	return DVC__EXEC(db, SQL_CLEAR, "clearing the throttle", KEY(k));
}
