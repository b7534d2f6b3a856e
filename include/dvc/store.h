/*
 * libdvc — the store: one handle is one connection to the embedded SQLite
 * database (a file in WAL mode, or ":memory:").
 *
 * The schema is versioned (PRAGMA user_version) and migrated forward when a
 * store is opened; a file written by a newer libdvc is refused with
 * DVC_EVERSION rather than misread. Every public write is one transaction;
 * wrap many calls in dvc_begin()/dvc_commit() for bulk work. Several handles
 * (threads, processes) may open the same file; one handle must be used by one
 * thread at a time.
 */
#ifndef DVC_STORE_H
#define DVC_STORE_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open store. Opaque. */
typedef struct dvc_db dvc_db;

/** The schema version this library writes. */
#define DVC_SCHEMA_VERSION 16

enum {
	DVC_OPEN_CREATE = 1 << 0,   /**< create the file if missing (default on) */
	DVC_OPEN_READONLY = 1 << 1, /**< open read-only; no migration is attempted */
	/** The journal must be signed: a writable handle without
	 * journal_key_file is refused, and verification refuses a dossier
	 * whose journal no signed checkpoint covers (proof.h). */
	DVC_OPEN_REQUIRE_SIGNED = 1 << 2,
	/** `path` is a libpq connection string: a URI or a `key=value`
	 * conninfo ("host=/run/postgresql dbname=dvc"). Without this flag
	 * only "postgresql://" and "postgres://" select PostgreSQL and
	 * anything else is an SQLite file name. */
	DVC_OPEN_POSTGRESQL = 1 << 3,
};

/** Options for dvc_open(). Initialise with DVC_OPEN_OPTS_INIT. */
typedef struct dvc_open_opts {
	unsigned int version;   /**< DVC_OPEN_OPTS_VERSION */
	unsigned int flags;     /**< DVC_OPEN_* */
	/** Wait this long for another writer (SQLite's busy timeout;
	 * PostgreSQL's lock_timeout); default 5000; 0: SQLite does not wait,
	 * PostgreSQL waits without limit. */
	int busy_timeout_ms;
	/* version 2 */
	/** Secret key file that signs journal entries and checkpoints (proof.h);
	 * NULL: entries are written unsigned. Read once at open, never stored. */
	const char *journal_key_file;
	/** Public keys verification trusts besides the handle's own (proof.h);
	 * NULL: only the handle's own key, or, without one, any key. */
	const char *journal_trust_file;
} dvc_open_opts;

#define DVC_OPEN_OPTS_VERSION 2
#define DVC_OPEN_OPTS_INIT {DVC_OPEN_OPTS_VERSION, DVC_OPEN_CREATE, 5000, NULL, NULL}

/**
 * Open (and if needed create and migrate) the store at `path`.
 *
 * @param out   receives the handle; free with dvc_close()
 * @param path  a file path, or ":memory:" for a private in-memory store
 *              (SQLite); or a PostgreSQL URI, "postgresql://..." or
 *              "postgres://..." (libpq's connection URI, e.g.
 *              "postgresql:///dvc?host=/run/postgresql"), or any libpq
 *              connection string with DVC_OPEN_POSTGRESQL, when libdvc was
 *              built with libpq (docs/postgresql.md)
 * @param opts  options, or NULL for the defaults
 * @return DVC_OK; DVC_EIO if the file cannot be opened or is not a database,
 *         or the PostgreSQL server cannot be reached;
 *         DVC_EINVAL for a PostgreSQL URI or DVC_OPEN_POSTGRESQL in a
 *         build without libpq;
 *         or a journal key or trust file cannot be read; DVC_EPERM for a
 *         journal key file others can read; DVC_EPARSE for a key or trust
 *         file that is not one; DVC_EINVAL for DVC_OPEN_REQUIRE_SIGNED
 *         without a key on a writable handle; DVC_EVERSION if it was
 *         written by a newer schema; DVC_ENOMEM.
 */
DVC_API int dvc_open(dvc_db **out, const char *path, const dvc_open_opts *opts);

/** Close the store, rolling back an open dvc_begin() transaction. NULL is a no-op. */
DVC_API void dvc_close(dvc_db *db);

/** The schema version of the open store (== DVC_SCHEMA_VERSION after migration). */
DVC_API int dvc_schema_version(dvc_db *db, int *out);

/**
 * Start an explicit transaction: the following calls on this handle commit
 * together at dvc_commit() or not at all at dvc_rollback().
 *
 * A call refused inside it (bad input, wrong actor, illegal transition,
 * stale version, not found...) changes nothing and leaves the transaction
 * usable. A call that fails in storage after it began writing (I/O error,
 * disk full, out of memory) aborts the transaction instead: its partial work
 * cannot be kept, so every later write and dvc_commit() answer DVC_ETXN, and
 * dvc_commit() or dvc_rollback() ends it having written nothing. (Dossier
 * submissions and actions work this way to skip a per-call savepoint; other
 * calls still undo their own partial work, unless SQLite itself rolled the
 * transaction back, which aborts it too.)
 *
 * On PostgreSQL a write the server rolls back for a serialization failure
 * or a deadlock (SQLSTATE 40001, 40P01) runs again inside the library, a
 * few times, when it is a call of its own; inside an explicit transaction
 * it answers DVC_EBUSY, the transaction is aborted and the caller runs the
 * whole transaction again. (An upload through a read callback runs again
 * only before the callback was called: dvc_dossier_attach.)
 * @return DVC_OK, DVC_ETXN if one is already open, DVC_EBUSY.
 */
DVC_API int dvc_begin(dvc_db *db);

/**
 * Commit the explicit transaction. DVC_ETXN without dvc_begin(), or when it
 * was aborted (then it is rolled back and over). Another error (DVC_EBUSY)
 * leaves it open, to retry or roll back.
 */
DVC_API int dvc_commit(dvc_db *db);

/** Roll back the explicit transaction (aborted or not). DVC_ETXN without dvc_begin(). */
DVC_API int dvc_rollback(dvc_db *db);

/** Non-zero while an explicit transaction is open. */
DVC_API int dvc_in_transaction(const dvc_db *db);

/** The engine behind the handle: "sqlite" or "postgresql" (static
 * strings); NULL for NULL. A front end that keeps files beside an SQLite
 * store asks this before taking the store's path for a directory. */
DVC_API const char *dvc_backend_name(const dvc_db *db);

#ifdef __cplusplus
}
#endif
#endif
