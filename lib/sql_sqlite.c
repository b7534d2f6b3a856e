/* The SQLite backend of the statement layer (sql_internal.h): the embedded
 * default. Its result codes are the layer's own numbers, so statements pass
 * them through; what only SQLite has lives here: the file created 0600, the
 * PRAGMAs (WAL, foreign keys), user_version as the schema version, and the
 * report functions written in C (working time and a bounded percentile). */
#include "store_internal.h"

#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(DVC__SQL_OK == SQLITE_OK && DVC__SQL_ERROR == SQLITE_ERROR && DVC__SQL_PERM == SQLITE_PERM &&
		       DVC__SQL_BUSY == SQLITE_BUSY && DVC__SQL_LOCKED == SQLITE_LOCKED &&
		       DVC__SQL_NOMEM == SQLITE_NOMEM && DVC__SQL_READONLY == SQLITE_READONLY &&
		       DVC__SQL_IOERR == SQLITE_IOERR && DVC__SQL_CORRUPT == SQLITE_CORRUPT &&
		       DVC__SQL_FULL == SQLITE_FULL && DVC__SQL_CANTOPEN == SQLITE_CANTOPEN &&
		       DVC__SQL_CONSTRAINT == SQLITE_CONSTRAINT && DVC__SQL_NOTADB == SQLITE_NOTADB &&
		       DVC__SQL_ROW == SQLITE_ROW && DVC__SQL_DONE == SQLITE_DONE &&
		       DVC__SQL_CONSTRAINT_FOREIGNKEY == SQLITE_CONSTRAINT_FOREIGNKEY &&
		       DVC__SQL_CONSTRAINT_PRIMARYKEY == SQLITE_CONSTRAINT_PRIMARYKEY &&
		       DVC__SQL_CONSTRAINT_UNIQUE == SQLITE_CONSTRAINT_UNIQUE,
	       "the statement layer's result codes are SQLite's");
_Static_assert(DVC__SQL_INTEGER == SQLITE_INTEGER && DVC__SQL_FLOAT == SQLITE_FLOAT &&
		       DVC__SQL_TEXT == SQLITE_TEXT && DVC__SQL_BLOB == SQLITE_BLOB && DVC__SQL_NULL == SQLITE_NULL,
	       "the statement layer's column types are SQLite's");

typedef struct lite_stmt {
	dvc__sql_stmt base;
	sqlite3_stmt *st;
} lite_stmt;

#define S(st) (((lite_stmt *)(st))->st)
#define CONN(db) ((sqlite3 *)(db)->sql)

static int lite_exec(dvc_db *db, const char *sql) { return sqlite3_exec(CONN(db), sql, NULL, NULL, NULL); }

static int lite_migrate_exec(dvc_db *db, int v, const char *sql)
{
	(void)v;
	return lite_exec(db, sql);
}

static int lite_schema_version(dvc_db *db, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(CONN(db), "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return dvc__store_err(db, rc, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? DVC_OK : dvc__store_err(db, rc, "reading the schema version");
}

static int lite_open(dvc_db *db, const char *path, const dvc_open_opts *o)
{
	int rc, flags;
	sqlite3 *conn = NULL;
	flags = db->readonly ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | ((o->flags & DVC_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* Full mutex off: a handle is used by one thread at a time (documented). */
	flags |= SQLITE_OPEN_NOMUTEX;
	/* The store holds personal data and password hashes: a new file is
	 * created 0600 whatever the umask (SQLite would make it 0644 & ~umask),
	 * and SQLite gives its -wal and -shm files the main file's mode. */
	if ((flags & SQLITE_OPEN_CREATE) && path[0] && strcmp(path, ":memory:") != 0 &&
	    strncmp(path, "file:", 5) != 0) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			int bad = fchmod(fd, 0600) != 0;
			close(fd);
			if (bad) {
				unlink(path);
				return dvc__err(DVC_EIO, NULL, "cannot create store '%s' with mode 0600", path);
			}
		}
	}
	rc = sqlite3_open_v2(path, &conn, flags, NULL);
	db->sql = conn;
	if (rc != SQLITE_OK) {
		rc = rc == SQLITE_NOMEM ? dvc__oom()
			: dvc__err(DVC_EIO, NULL, "cannot open store '%s': %s", path,
				   conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(conn, 1);
	sqlite3_busy_timeout(conn, o->busy_timeout_ms);
	/* journal_mode reads the header: a non-database file fails here. */
	if (!db->readonly && strcmp(path, ":memory:") != 0 &&
	    (rc = lite_exec(db, "PRAGMA journal_mode = WAL")) != SQLITE_OK) {
		rc = dvc__store_err(db, rc, "opening the store");
		if (rc == DVC_ECORRUPT)
			rc = dvc__err(DVC_EIO, NULL, "'%s' is not a libdvc store (not an SQLite database)", path);
		goto fail;
	}
	if ((rc = lite_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")) != SQLITE_OK) {
		rc = dvc__store_err(db, rc, "opening the store");
		goto fail;
	}
	return DVC_OK;
fail:
	/* keep the error across sqlite3_close, which cannot fail here */
	sqlite3_close(conn);
	db->sql = NULL;
	return rc;
}

static void lite_close(dvc_db *db)
{
	sqlite3_close(CONN(db));
	db->sql = NULL;
}

static int lite_prepare(dvc_db *db, const char *sql, int persistent, dvc__sql_stmt **out)
{
	lite_stmt *s;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v3(CONN(db), sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL);
	*out = NULL;
	if (rc != SQLITE_OK)
		return rc;
	/* SQLite's memory, like the statement it wraps (a statement cached
	 * during a call is not the call's allocation) */
	if (!(s = sqlite3_malloc(sizeof *s))) {
		sqlite3_finalize(st);
		return SQLITE_NOMEM;
	}
	s->base.be = &dvc__sql_sqlite;
	s->st = st;
	*out = &s->base;
	return SQLITE_OK;
}

static int lite_step(dvc__sql_stmt *st) { return sqlite3_step(S(st)); }
static void lite_reset(dvc__sql_stmt *st) { sqlite3_reset(S(st)); }
static void lite_clear_bindings(dvc__sql_stmt *st) { sqlite3_clear_bindings(S(st)); }
static void lite_finalize(dvc__sql_stmt *st)
{
	sqlite3_finalize(S(st));
	sqlite3_free(st);
}
static int lite_bind_int64(dvc__sql_stmt *st, int i, int64_t v) { return sqlite3_bind_int64(S(st), i, v); }
static int lite_bind_double(dvc__sql_stmt *st, int i, double v) { return sqlite3_bind_double(S(st), i, v); }
static int lite_bind_text(dvc__sql_stmt *st, int i, const char *s, int n, int copy)
{
	return sqlite3_bind_text(S(st), i, s, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}
static int lite_bind_blob(dvc__sql_stmt *st, int i, const void *p, int n, int copy)
{
	return sqlite3_bind_blob(S(st), i, p, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}
static int lite_bind_null(dvc__sql_stmt *st, int i) { return sqlite3_bind_null(S(st), i); }
static int lite_column_type(dvc__sql_stmt *st, int i) { return sqlite3_column_type(S(st), i); }
static int64_t lite_column_int64(dvc__sql_stmt *st, int i) { return sqlite3_column_int64(S(st), i); }
static double lite_column_double(dvc__sql_stmt *st, int i) { return sqlite3_column_double(S(st), i); }
static const unsigned char *lite_column_text(dvc__sql_stmt *st, int i) { return sqlite3_column_text(S(st), i); }
static const void *lite_column_blob(dvc__sql_stmt *st, int i) { return sqlite3_column_blob(S(st), i); }
static int lite_column_bytes(dvc__sql_stmt *st, int i) { return sqlite3_column_bytes(S(st), i); }
static int64_t lite_last_insert_id(dvc_db *db) { return sqlite3_last_insert_rowid(CONN(db)); }
static int64_t lite_changes(dvc_db *db) { return sqlite3_changes64(CONN(db)); }
static int64_t lite_total_changes(dvc_db *db) { return sqlite3_total_changes64(CONN(db)); }
static int lite_in_txn(dvc_db *db) { return !sqlite3_get_autocommit(CONN(db)); }
static const char *lite_errmsg(dvc_db *db, int rc)
{
	return db && db->sql ? sqlite3_errmsg(CONN(db)) : sqlite3_errstr(rc);
}
static int lite_errcode(dvc_db *db) { return sqlite3_extended_errcode(CONN(db)); }

/* ---- report functions ---- */

/* dvc_working(a, b, unit): working time between instants, in hours (unit
 * 0), days (1) or whole seconds as an integer (2: sums of those are exact,
 * in any order); NULL when either is NULL or b < a. */
static void fn_working(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dvc_db *db = sqlite3_user_data(ctx);
	const dvc_calendar *cal;
	int64_t secs;
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL ||
	    sqlite3_value_int64(argv[1]) < sqlite3_value_int64(argv[0]))
		return; /* NULL */
	if (dvc__calendar(db, &cal) != DVC_OK ||
	    dvc_calendar_between(cal, sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]), &secs) != DVC_OK) {
		sqlite3_result_error(ctx, "working-time computation failed", -1);
		return;
	}
	if (sqlite3_value_int(argv[2]) == 2)
		sqlite3_result_int64(ctx, secs);
	else if (sqlite3_value_int(argv[2]))
		sqlite3_result_double(ctx, (double)secs / (double)dvc_calendar_day_seconds(cal));
	else
		sqlite3_result_double(ctx, (double)secs / 3600.0);
}

/* dvc_pct(x, p, width): the p-quantile of x, to within `width`, from a
 * histogram of DVC__PCT_BUCKETS buckets (store_internal.h). */
static void pct_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dvc__pct *h = sqlite3_aggregate_context(ctx, sizeof *h);
	(void)argc;
	if (!h) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	dvc__pct_add(h, sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
		     sqlite3_value_double(argv[2]));
}

static void pct_final(sqlite3_context *ctx)
{
	dvc__pct *h = sqlite3_aggregate_context(ctx, 0);
	double v;
	if (h && dvc__pct_value(h, &v))
		sqlite3_result_double(ctx, v);
	/* else NULL */
}

static int lite_report_functions(dvc_db *db)
{
	int rc = sqlite3_create_function_v2(CONN(db), "dvc_working", 3, SQLITE_UTF8, db, fn_working, NULL,
					    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(CONN(db), "dvc_pct", 3, SQLITE_UTF8, NULL, NULL, pct_step,
						pct_final, NULL);
	return rc == SQLITE_OK ? DVC_OK : dvc__store_err(db, rc, "registering report functions");
}

const struct dvc__sql_backend dvc__sql_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.prepare = lite_prepare,
	.step = lite_step,
	.reset = lite_reset,
	.clear_bindings = lite_clear_bindings,
	.finalize = lite_finalize,
	.bind_int64 = lite_bind_int64,
	.bind_double = lite_bind_double,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.bind_null = lite_bind_null,
	.column_type = lite_column_type,
	.column_int64 = lite_column_int64,
	.column_double = lite_column_double,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.column_bytes = lite_column_bytes,
	.exec = lite_exec,
	.last_insert_id = lite_last_insert_id,
	.changes = lite_changes,
	.total_changes = lite_total_changes,
	.in_txn = lite_in_txn,
	.errmsg = lite_errmsg,
	.errcode = lite_errcode,
	.schema_version = lite_schema_version,
	.set_schema_version = "PRAGMA user_version = ",
	/* two processes opening a new file must not both migrate */
	.migrate_begin = "BEGIN IMMEDIATE",
	/* take the write lock up front (no deadlock-prone lock upgrade) */
	.begin_write = "BEGIN IMMEDIATE",
	.begin_read = "BEGIN DEFERRED",
	.begin_write_snapshot = "BEGIN IMMEDIATE",
	.migrate_exec = lite_migrate_exec,
	.fts5 = 1,
	.report_functions = lite_report_functions,
};
