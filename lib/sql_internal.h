/* The statement layer under the store: one small API over the database
 * engines libdvc runs on (SQLite, embedded and the default; PostgreSQL
 * through libpq when built with it). The store files speak only this API
 * and write their SQL in the subset both engines accept: `?` and `?N`
 * placeholders (the PostgreSQL backend numbers them `$N` when it prepares),
 * `INSERT ... ON CONFLICT`, `RETURNING`. What only one engine has (PRAGMAs,
 * FTS5, SQL functions written in C, the file itself) stays behind the
 * backend's table of operations (struct dvc__sql_backend).
 *
 * Result codes are SQLite's numbers (DVC__SQL_*; sql_sqlite.c asserts they
 * agree), so the SQLite backend passes its codes through untouched and
 * another backend maps its own errors into them (PostgreSQL: SQLSTATE 23505
 * is DVC__SQL_CONSTRAINT_UNIQUE, 40001 and 40P01 DVC__SQL_BUSY, ...). */
#ifndef DVC_SQL_INTERNAL_H
#define DVC_SQL_INTERNAL_H

#include <stdint.h>

#include "dvc/store.h"

enum {
	DVC__SQL_OK = 0,
	DVC__SQL_ERROR = 1,
	DVC__SQL_PERM = 3,
	DVC__SQL_BUSY = 5,
	DVC__SQL_LOCKED = 6,
	DVC__SQL_NOMEM = 7,
	DVC__SQL_READONLY = 8,
	DVC__SQL_IOERR = 10,
	DVC__SQL_CORRUPT = 11,
	DVC__SQL_FULL = 13,
	DVC__SQL_CANTOPEN = 14,
	DVC__SQL_CONSTRAINT = 19,
	DVC__SQL_NOTADB = 26,
	DVC__SQL_ROW = 100,
	DVC__SQL_DONE = 101,
	DVC__SQL_CONSTRAINT_FOREIGNKEY = DVC__SQL_CONSTRAINT | (3 << 8),
	DVC__SQL_CONSTRAINT_PRIMARYKEY = DVC__SQL_CONSTRAINT | (6 << 8),
	DVC__SQL_CONSTRAINT_UNIQUE = DVC__SQL_CONSTRAINT | (8 << 8),
	/* a serialization failure or deadlock: the transaction may be retried */
	DVC__SQL_BUSY_RETRY = DVC__SQL_BUSY | (32 << 8),
};

/* Column types (dvc__sql_column_type). */
enum { DVC__SQL_INTEGER = 1, DVC__SQL_FLOAT = 2, DVC__SQL_TEXT = 3, DVC__SQL_BLOB = 4, DVC__SQL_NULL = 5 };

/* Bound text and blobs: the caller keeps them alive until the statement is
 * reset (STATIC), or the backend copies them (TRANSIENT). */
enum { DVC__SQL_STATIC = 0, DVC__SQL_TRANSIENT = 1 };

struct dvc__sql_backend;

/* Every backend's statement starts with this header. */
typedef struct dvc__sql_stmt {
	const struct dvc__sql_backend *be;
} dvc__sql_stmt;

/* One database engine. Functions returning int return DVC__SQL_* codes
 * unless said otherwise. */
struct dvc__sql_backend {
	const char *name; /* "sqlite", "postgresql" */
	/* Connect `db->sql` to `target` (a path, a URI); DVC status, error
	 * recorded; nothing stays open on failure. */
	int (*open)(dvc_db *db, const char *target, const dvc_open_opts *o);
	void (*close)(dvc_db *db);
	/* `persistent`: the statement is cached for the handle's life. */
	int (*prepare)(dvc_db *db, const char *sql, int persistent, dvc__sql_stmt **out);
	int (*step)(dvc__sql_stmt *st);
	void (*reset)(dvc__sql_stmt *st);
	void (*clear_bindings)(dvc__sql_stmt *st);
	void (*finalize)(dvc__sql_stmt *st);
	int (*bind_int64)(dvc__sql_stmt *st, int i, int64_t v);
	int (*bind_double)(dvc__sql_stmt *st, int i, double v);
	int (*bind_text)(dvc__sql_stmt *st, int i, const char *s, int n, int copy);
	int (*bind_blob)(dvc__sql_stmt *st, int i, const void *p, int n, int copy);
	int (*bind_null)(dvc__sql_stmt *st, int i);
	int (*column_type)(dvc__sql_stmt *st, int i);
	int64_t (*column_int64)(dvc__sql_stmt *st, int i);
	double (*column_double)(dvc__sql_stmt *st, int i);
	const unsigned char *(*column_text)(dvc__sql_stmt *st, int i);
	const void *(*column_blob)(dvc__sql_stmt *st, int i);
	int (*column_bytes)(dvc__sql_stmt *st, int i);
	/* Run SQL without parameters or rows (several statements allowed). */
	int (*exec)(dvc_db *db, const char *sql);
	int64_t (*last_insert_id)(dvc_db *db);
	/* Rows changed by the last statement, and by the connection so far. */
	int64_t (*changes)(dvc_db *db);
	int64_t (*total_changes)(dvc_db *db);
	/* 1 while a transaction is open and can still commit, 2 when it is
	 * open but can only roll back (PostgreSQL after a failed statement) */
	int (*in_txn)(dvc_db *db);
	/* The last error's message (rc: the code it returned), and its code. */
	const char *(*errmsg)(dvc_db *db, int rc);
	int (*errcode)(dvc_db *db);
	/* Stored schema version; set it inside the migration's transaction. */
	int (*schema_version)(dvc_db *db, int *out);
	const char *set_schema_version; /* SQL that the version number completes */
	/* Start the migration's transaction, exclusive against other
	 * processes migrating the same store. */
	const char *migrate_begin;
	/* Transaction control, as SQL run through the statement cache. */
	const char *begin_write, *begin_read;
	/* A write whose reads of several statements must see one snapshot (an
	 * officer's recorded read: the record, then the dossier and its
	 * journal). SQLite's write lock gives that; PostgreSQL's default READ
	 * COMMITTED takes a new snapshot per statement. */
	const char *begin_write_snapshot;
	/* Run migration script `sql` (store.c's, in SQLite's dialect) that
	 * brings the schema from version v to v + 1; the backend translates. */
	int (*migrate_exec)(dvc_db *db, int v, const char *sql);
	/* Readers lock rows (SELECT ... FOR UPDATE SKIP LOCKED): the store
	 * picks its locking statements when set. SQLite needs none: its
	 * writers are serialised by the file lock. */
	int row_locks;
	/* RETURNING costs no more than the statement (PostgreSQL: it saves the
	 * round trip of a second read); SQLite materialises its rows in an
	 * ephemeral table on every call, so there the store reads back instead */
	int returning;
	/* INSERT, UPDATE and DELETE may stand in WITH (PostgreSQL): the store
	 * writes a journal entry and its dossier update in one statement */
	int dml_with;
	/* A statement's whole result is in memory before its first row
	 * (PostgreSQL: PQexecPrepared); SQLite steps through its rows. Reads
	 * whose size has no bound (a file's chunks) then go in batches. */
	int whole_results;
	/* The catalog's full-text index is SQLite's FTS5 (MATCH, bm25,
	 * fts5vocab). Without it procedure_fts is a plain table of folded
	 * names that the store searches with plain SQL (strpos on the words,
	 * which folding reduces to [a-z0-9]). */
	int fts5;
	/* Register the report SQL functions (dvc_working, dvc_pct); NULL: the
	 * backend has none and store_report.c computes those columns in C. */
	int (*report_functions)(dvc_db *db);
};

extern const struct dvc__sql_backend dvc__sql_sqlite;
#ifdef DVC_HAVE_LIBPQ
extern const struct dvc__sql_backend dvc__sql_pg;
#endif

/* The backend that serves `target`: PostgreSQL for a postgresql:// or
 * postgres:// URI when built with libpq, SQLite otherwise. DVC_ENOTSUP
 * (error recorded) for a PostgreSQL URI in a build without libpq. */
int dvc__sql_backend_for(const char *target, unsigned int flags, const struct dvc__sql_backend **out);

/* A statement prepared once, to finalize after use (the statement cache,
 * dvc__stmt, serves the statements that run again and again). */
int dvc__sql_prepare(dvc_db *db, const char *sql, dvc__sql_stmt **out);

static inline int dvc__sql_step(dvc__sql_stmt *st) { return st->be->step(st); }
static inline void dvc__sql_reset(dvc__sql_stmt *st) { st->be->reset(st); }
static inline void dvc__sql_finalize(dvc__sql_stmt *st)
{
	if (st)
		st->be->finalize(st);
}
static inline int dvc__sql_bind_int64(dvc__sql_stmt *st, int i, int64_t v) { return st->be->bind_int64(st, i, v); }
static inline int dvc__sql_bind_int(dvc__sql_stmt *st, int i, int v) { return st->be->bind_int64(st, i, v); }
static inline int dvc__sql_bind_double(dvc__sql_stmt *st, int i, double v) { return st->be->bind_double(st, i, v); }
static inline int dvc__sql_bind_text(dvc__sql_stmt *st, int i, const char *s, int n, int copy)
{
	return st->be->bind_text(st, i, s, n, copy);
}
static inline int dvc__sql_bind_blob(dvc__sql_stmt *st, int i, const void *p, int n, int copy)
{
	return st->be->bind_blob(st, i, p, n, copy);
}
static inline int dvc__sql_bind_null(dvc__sql_stmt *st, int i) { return st->be->bind_null(st, i); }
static inline int dvc__sql_column_type(dvc__sql_stmt *st, int i) { return st->be->column_type(st, i); }
static inline int64_t dvc__sql_column_int64(dvc__sql_stmt *st, int i) { return st->be->column_int64(st, i); }
static inline int dvc__sql_column_int(dvc__sql_stmt *st, int i) { return (int)st->be->column_int64(st, i); }
static inline double dvc__sql_column_double(dvc__sql_stmt *st, int i) { return st->be->column_double(st, i); }
static inline const unsigned char *dvc__sql_column_text(dvc__sql_stmt *st, int i)
{
	return st->be->column_text(st, i);
}
static inline const void *dvc__sql_column_blob(dvc__sql_stmt *st, int i) { return st->be->column_blob(st, i); }
static inline int dvc__sql_column_bytes(dvc__sql_stmt *st, int i) { return st->be->column_bytes(st, i); }

int dvc__sql_exec(dvc_db *db, const char *sql);
int64_t dvc__sql_last_insert_id(dvc_db *db);
int64_t dvc__sql_changes(dvc_db *db);
int64_t dvc__sql_total_changes(dvc_db *db);
int dvc__sql_in_txn(dvc_db *db);
const char *dvc__sql_errmsg(dvc_db *db, int rc);
int dvc__sql_errcode(dvc_db *db);

#endif
