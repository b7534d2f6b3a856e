/* The store layer: the only code that speaks SQL. Other modules call the
 * dvc__store_* functions declared here (and in the store_<module>.c files),
 * so that a second backend (PostgreSQL) replaces these files alone. */
#ifndef DVC_STORE_INTERNAL_H
#define DVC_STORE_INTERNAL_H

#include <sqlite3.h>

#include "catalog_internal.h"
#include "dvc/store.h"
#include "internal.h"

#define DVC_STMT_CACHE 256 /* power of two; more than the statements we have */

struct dvc_db {
	sqlite3 *sql;
	int explicit_txn;   /* dvc_begin() is open */
	int readonly;
	/* The compiled catalog XSD, built on the first XML import through this
	 * handle (catalog_xml.c) and released by dvc_close(). */
	void *xsd;
	void (*xsd_free)(void *);
	struct {
		const char *key; /* the SQL text's address identifies the statement */
		sqlite3_stmt *stmt;
	} cache[DVC_STMT_CACHE];
};

/* Map an SQLite result code to a DVC status, record the error, return it. */
int dvc__store_err(dvc_db *db, int rc, const char *what);

/* A cached prepared statement for `sql` (a static string), reset and with
 * bindings cleared. NULL on failure (error recorded). */
sqlite3_stmt *dvc__stmt(dvc_db *db, const char *sql);

/* Run a statement that returns no rows; DVC_OK or the mapped error. */
int dvc__exec_step(dvc_db *db, sqlite3_stmt *st, const char *what);

/* Bind helpers: NULL text binds SQL NULL. Return DVC status. */
int dvc__bind_text(dvc_db *db, sqlite3_stmt *st, int i, const char *s);

/* Every public write runs inside dvc__write_begin / dvc__write_end: a
 * savepoint, so it nests inside an explicit dvc_begin() and a failure undoes
 * only its own work. dvc__write_end releases on rc == DVC_OK, rolls back
 * otherwise, and returns rc (or the commit's error). */
int dvc__write_begin(dvc_db *db);
int dvc__write_end(dvc_db *db, int rc);

/* ---- catalog (store_catalog.c) ---- */
int dvc__store_level_put(dvc_db *db, const dvc__level *l);
int dvc__store_sector_put(dvc_db *db, const dvc__sector *s);
int dvc__store_agency_put(dvc_db *db, const dvc__agency *a);
/* 1 when present, 0 when not, negative on error */
int dvc__store_level_exists(dvc_db *db, const char *code);
int dvc__store_sector_exists(dvc_db *db, const char *code);
int dvc__store_agency_exists(dvc_db *db, const char *code);
/* Insert a version; DVC_EEXISTS when (code, version) is already stored. */
int dvc__store_version_put(dvc_db *db, const dvc_procedure *p);
/* Read one version; `version` 0 means "in force on asof". The record and
 * its strings are allocated in one arena whose first object is the record. */
int dvc__store_version_get(dvc_db *db, const char *code, int version,
			   const dvc_date *asof, dvc_procedure **out);
/* Load everything for export, in a stable order. */
int dvc__store_catalog_load(dvc_db *db, dvc__catalog *out);
/* Search building blocks (catalog_search.c decides what to ask). */
typedef struct dvc__search_query {
	const char *fts;       /* FTS5 MATCH expression, or NULL for filters only */
	const char *sector, *level, *agency;
	int online_level;
	char asof[11];
	size_t limit;
} dvc__search_query;
typedef int (*dvc__hit_cb)(void *ctx, const dvc_search_hit *hit);
int dvc__store_search(dvc_db *db, const dvc__search_query *q, dvc__hit_cb cb, void *ctx);
/* Documents (rows) in which a folded term occurs; -1 on error. */
int64_t dvc__store_term_docs(dvc_db *db, const char *term);
/* Terms of the index within one edit of `term`, by descending frequency. */
typedef int (*dvc__term_cb)(void *ctx, const char *term, int64_t docs);
int dvc__store_terms_near(dvc_db *db, const char *term, dvc__term_cb cb, void *ctx);
typedef int (*dvc__stat_cb)(void *ctx, const char *dim, const char *key, const char *label,
			    int64_t count);
int dvc__store_catalog_stats(dvc_db *db, const char *asof, dvc__stat_cb cb, void *ctx);

#endif
