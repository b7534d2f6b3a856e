/* The store layer: the only code that speaks SQL. Other modules call the
 * dvc__store_* functions declared here (and in the store_<module>.c files),
 * so that a second backend (PostgreSQL) replaces these files alone. */
#ifndef DVC_STORE_INTERNAL_H
#define DVC_STORE_INTERNAL_H


#include "catalog_internal.h"
#include "dvc/account.h"
#include "dvc/dossier.h"
#include "dvc/payment.h"
#include "dvc/store.h"
#include "internal.h"
#include "sql_internal.h"

#define DVC_STMT_CACHE 256 /* power of two; more than the statements we have */
#define DVC_RT_CACHE 64    /* procedure versions whose routes stay loaded */
#define DVC_OFFICER_CACHE 64 /* officers by username; rows are never changed once added */
/* A buffer for a catalog code (procedure, agency or unit), NUL included. */
#define DVC__CODE_SIZE (DVC_CATALOG_CODE_MAX + 1)

struct dvc_db {
	const struct dvc__sql_backend *be; /* the database engine (sql_internal.h) */
	void *sql;                         /* its connection */
	int explicit_txn;   /* dvc_begin() is open */
	/* The explicit transaction can no longer commit: a call failed after
	 * it had written (see dvc__write_begin_lean), or SQLite rolled it back
	 * itself. Writes and dvc_commit() answer DVC_ETXN until it ends. */
	int txn_aborted;
	char txn_abort_why[160];
	int lean;                 /* the running write has no savepoint */
	int64_t lean_mark;        /* dvc__sql_total_changes() when it began */
	int readonly;
	/* The engine rolled the running write back for a serialization
	 * failure or a deadlock (PostgreSQL 40001, 40P01): it may run again
	 * (dvc__write_again). Cleared when a write begins. */
	int sql_retry;
	/* Transactions begun through this handle, counted: what may be read
	 * once per transaction is keyed by it (dvc__store_txn). */
	uint64_t txn_serial;
	/* the national sync switch as read in transaction `txn`
	 * (dvc__store_sync_switch) */
	struct {
		uint64_t txn;
		int on;
	} sync_switch;
	/* The compiled catalog XSD, built on the first XML import through this
	 * handle (catalog_xml.c) and released by dvc_close(). */
	void *xsd;
	void (*xsd_free)(void *);
	/* time and calendar for deadlines (dossier.c) */
	dvc_clock_fn clock;
	void *clock_ctx;
	const struct dvc_calendar *calendar; /* borrowed, or owned_calendar */
	struct dvc_calendar *owned_calendar;
	/* payment gateway: in memory only, wiped on close */
	char gateway_name[DVC_PAYMENT_GATEWAY_MAX + 1];
	char *gateway_secret;
	int64_t payment_expiry;
	int retention_days; /* personal data kept after closing (privacy.c); 0: the default */
	int report_functions; /* SQL functions of store_report.c registered */
	/* journal signing and trusted keys (proof_key.c); NULL: none */
	struct dvc__proof_keys *proof;
	/* rendered notification templates, loaded on first use */
	struct dvc__templates *templates;
	/* officers acting through this handle (store_account.c) */
	struct dvc__officer_row *officer_cache;
	/* the store's CSRF key (session.c), read once */
	unsigned char session_key[32];
	int session_key_set;
	/* per-version routing data, cached (proc_rt.c) */
	struct dvc__rt_cache *rt;
	struct {
		const char *key; /* the SQL text's address identifies the statement */
		dvc__sql_stmt *stmt;
	} cache[DVC_STMT_CACHE];
};

/* Connect `db` to the store at `path` (an SQLite file, or a PostgreSQL
 * URI: sql_internal.h) and bring its schema up to date (handle.c's
 * dvc_open); on failure nothing stays open. */
int dvc__store_open(dvc_db *db, const char *path, const dvc_open_opts *o);
/* Run SQL without rows (COMMIT, ...); DVC_OK or the mapped error. */
int dvc__store_exec(dvc_db *db, const char *sql, const char *what);
/* Open the caller's transaction (dvc_begin), holding the write lock. */
int dvc__store_begin(dvc_db *db);
/* The running transaction's number (never 0), 0 outside one: a value
 * read under the same number was read in this transaction. */
uint64_t dvc__store_txn(dvc_db *db);
/* The national sync switch (1 on, 0 off, or an error), read once per
 * transaction: every action asks, and a dossier's load reads it along
 * with the row (dvc__store_sync_switch_seen), saving a round trip per
 * action on PostgreSQL. Writing the setting forgets what was read
 * (store_national.c). */
int dvc__store_sync_switch(dvc_db *db);
void dvc__store_sync_switch_seen(dvc_db *db, const char *value);
/* Roll back whatever transaction SQLite still has open, ignoring errors. */
void dvc__store_rollback_quiet(dvc_db *db);
/* Finalize the statements, roll back an open transaction, disconnect. */
void dvc__store_close(dvc_db *db);

/* SQL of migration i (from schema i to i+1), for tests; NULL past the last. */
const char *dvc__store_migration(int i);

/* Map a statement-layer result code (sql_internal.h) to a DVC status,
 * record the error, return it (sql.c). */
int dvc__store_err(dvc_db *db, int rc, const char *what);

/* A cached prepared statement for `sql` (a static string), reset and with
 * bindings cleared. NULL on failure (error recorded). */
dvc__sql_stmt *dvc__stmt(dvc_db *db, const char *sql);

/* Run a statement that returns no rows; DVC_OK or the mapped error. */
int dvc__exec_step(dvc_db *db, dvc__sql_stmt *st, const char *what);

/* One parameter of a statement: an integer, or text or a blob that stays
 * the caller's until the statement is reset (NULL binds SQL NULL). Most store
 * functions bind a few values and step once, so they name the values and
 * the statements below do the binding, stepping and error mapping. */
typedef struct dvc__arg {
	enum { DVC__ARG_INT, DVC__ARG_TEXT, DVC__ARG_BLOB } kind;
	int64_t i;     /* the integer; a blob's length */
	const void *p; /* the text or blob */
} dvc__arg;
#define DVC__INT(v) ((dvc__arg){DVC__ARG_INT, (int64_t)(v), NULL})
/* a function, so that only text passes */
static inline dvc__arg dvc__arg_text(const char *s) { return (dvc__arg){DVC__ARG_TEXT, 0, s}; }
#define DVC__TEXT(v) dvc__arg_text(v)
#define DVC__BLOB(v, n) ((dvc__arg){DVC__ARG_BLOB, (int64_t)(n), (v)})
/* An integer, SQL NULL when 0 (an unset instant, no row); v is read twice. */
#define DVC__NONZERO(v) ((v) ? DVC__INT(v) : DVC__TEXT(NULL))

/* A non-empty list of dvc__args, as the array and count the functions take. */
#define DVC__ARGS(...)                                                               \
	(const dvc__arg[]){__VA_ARGS__},                                             \
		sizeof((const dvc__arg[]){__VA_ARGS__}) / sizeof(dvc__arg)

/* dvc__stmt with args[i] bound to ?i+1; NULL on failure (error recorded). */
dvc__sql_stmt *dvc__stmt_args(dvc_db *db, const char *sql, const dvc__arg *args, size_t n);
#define DVC__STMT(db, sql, ...) dvc__stmt_args((db), (sql), DVC__ARGS(__VA_ARGS__))
/* Run a statement without rows with its args: dvc__exec_step's result. */
int dvc__exec_args(dvc_db *db, const char *sql, const char *what, const dvc__arg *args, size_t n);
#define DVC__EXEC(db, sql, what, ...) dvc__exec_args((db), (sql), (what), DVC__ARGS(__VA_ARGS__))

/* Reads one result row (columns of st) into ctx; a DVC status. */
typedef int (*dvc__row_fn)(dvc__sql_stmt *st, void *ctx);
/* A caller's callback and its context, as a row reader's ctx: the reader
 * knows the callback's type and casts fn back to it before the call. */
typedef struct dvc__sink {
	void (*fn)(void);
	void *ctx;
} dvc__sink;
#define DVC__SINK(cb, c) ((dvc__sink){(void (*)(void))(cb), (c)})

/* Step `st` (bound; NULL: the failure recorded when it was made) through
 * its rows, handing each to `row`, then reset it. DVC_OK after the last
 * row; the first status other than DVC_OK that `row` returns (no further
 * rows are read); or the mapped error of a step, named by `what`. */
int dvc__rows(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what);
/* The same for at most one row (`row` may be NULL: only whether there is
 * one): 1 when there was a row and `row` took it, 0 when there was none,
 * else the error. */
int dvc__row_one(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what);
/* Row readers of one value: column 0 into *(int64_t *)ctx, *(int *)ctx. */
int dvc__col_int64(dvc__sql_stmt *st, void *ctx);
int dvc__col_int(dvc__sql_stmt *st, void *ctx);
/* dvc__row_one for an aggregate, which always has its row: DVC_OK once
 * `row` took it; none is the engine's failure. */
int dvc__aggregate(dvc_db *db, dvc__sql_stmt *st, dvc__row_fn row, void *ctx, const char *what);
/* A count (column 0 of an aggregate) into *n (0 on failure). */
int dvc__count(dvc_db *db, dvc__sql_stmt *st, int64_t *n, const char *what);

/* A queue that senders lease from (the notification outbox, the national
 * sync queue): `due` selects the ids of what is due (?1 now, ?2 at most
 * that many), `lease` leases one (?1 id, ?2 lease end) and `get` reads it
 * back (?1 id) for `emit`; each `what_*` names its step in errors. */
typedef struct dvc__lease_sql {
	const char *due, *lease, *get;
	const char *what_due, *what_lease, *what_get;
} dvc__lease_sql;

/* Lease up to max (at most 256) due rows in one pass: the ids first, so
 * that `due` is done before the lease updates run, then lease and emit
 * each in order. Stops at the first error, emit's included. */
int dvc__store_lease(dvc_db *db, const dvc__lease_sql *q, dvc_time now, dvc_time lease_until,
		     size_t max, int (*emit)(dvc__sql_stmt *st, void *ctx), void *ctx);
/* The queues a sender holds a lease in; the table is chosen here, never
 * from caller text. */
typedef enum dvc__lease_queue { DVC__LEASE_OUTBOX, DVC__LEASE_SYNC } dvc__lease_queue;
/* Just before a send: move row id's running lease (state 1, sending) that
 * ends at lease_until (> now) to until and set *renewed (may be NULL) to
 * it; DVC_ECONFLICT (path "id") when there is no such lease: it ran out
 * and another sender may have the row, or the row was sent or failed. */
int dvc__store_lease_hold(dvc_db *db, dvc__lease_queue q, int64_t id, dvc_time lease_until,
			  dvc_time now, dvc_time until, dvc_time *renewed);
/* After a send: set row id's state, attempts, next attempt and last error,
 * and when it was sent (0: not). */
int dvc__store_lease_mark(dvc_db *db, dvc__lease_queue q, int64_t id, int state, int attempts,
			  dvc_time next_attempt_at, const char *error, dvc_time sent_at);

/* Copy text column `col` into a buffer of n bytes; a longer value (the
 * store was edited past a validator's limit) is DVC_ECORRUPT, never cut. */
int dvc__col_copy(dvc_db *db, dvc__sql_stmt *st, int col, char *dst, size_t n, const char *what);

/* Where a row reader puts a record: the handle (dvc__col_copy's errors),
 * the arena its strings go to, and the record. */
typedef struct dvc__into {
	dvc_db *db;
	dvc_arena *a;
	void *out;
} dvc__into;
/* Text column i copied into the arena (NULL for SQL NULL; *oom set when
 * the copy or the engine fails), and a "YYYY-MM-DD" column as a date
 * ({0, 0, 0} when NULL or not a date). */
const char *dvc__col_arena(dvc_arena *a, dvc__sql_stmt *st, int i, bool *oom);
void dvc__col_date(dvc__sql_stmt *st, int i, dvc_date *d);
/* Reads one row into an element; false when out of memory. */
typedef bool (*dvc__elem_fn)(dvc_arena *a, dvc__sql_stmt *st, void *elem);
/* Every row of the statement `st` (NULL: it could not be prepared, the error
 * is set) into an arena array of `size`-byte elements; `what` names the
 * reading in a store error. */
int dvc__rows_array(dvc_db *db, dvc_arena *a, dvc__sql_stmt *st, size_t size, dvc__elem_fn fn,
		    const char *what, void **out, size_t *n);
/* One agency_successor row (predecessor, successor, date, act, note). */
bool dvc__succession_row(dvc_arena *a, dvc__sql_stmt *st, void *elem);

/* Bind helpers: NULL text binds SQL NULL. Return DVC status. */
int dvc__bind_text(dvc_db *db, dvc__sql_stmt *st, int i, const char *s);

/* Every public write runs inside dvc__write_begin / dvc__write_end: a
 * savepoint, so it nests inside an explicit dvc_begin() and a failure undoes
 * only its own work. dvc__write_end releases on rc == DVC_OK, rolls back
 * otherwise, and returns rc (or the commit's error). */
int dvc__write_begin(dvc_db *db);
/* The same for a call that makes every check before its first write (the
 * dossier hot path), minus the savepoint inside an explicit transaction: a
 * savepoint copies every page the call touches into a sub-journal, which
 * cost a tenth of a batched action. A refusal still changes nothing; a
 * failure after the first write (I/O, disk full, out of memory) cannot be
 * undone alone and aborts the explicit transaction instead. Outside one it
 * is exactly dvc__write_begin. */
int dvc__write_begin_lean(dvc_db *db);
/* dvc__write_begin for a write whose later reads must agree with each other
 * (an officer's read, recorded before it is made): on PostgreSQL the
 * transaction is REPEATABLE READ, one snapshot for all its statements, as
 * SQLite's write lock gives. Only for writes that insert (a REPEATABLE READ
 * update of a row changed meanwhile fails with 40001). */
int dvc__write_begin_snapshot(dvc_db *db);
/* Several reads that must agree (tracking): one snapshot between these. */
int dvc__read_begin(dvc_db *db);
void dvc__read_end(dvc_db *db);
int dvc__write_end(dvc_db *db, int rc);
/* After dvc__write_end: should the whole write run again? Yes when it
 * failed with DVC_EBUSY because the engine rolled it back for a
 * serialization failure or a deadlock, outside an explicit transaction
 * (inside one the caller's dvc_begin() owns the retry: the transaction is
 * aborted), and `attempt` (0 for the first run) leaves another of
 * DVC__WRITE_ATTEMPTS; it then waits a short randomised back-off. The
 * last refusal's message says how many runs were made. Use as
 *   int attempt = 0;
 *   do { begin; rc = dvc__write_end(db, body(...)); } while (dvc__write_again(db, rc, attempt++));
 * with a body that can run again from the start (its outputs reset). */
#define DVC__WRITE_ATTEMPTS 5
int dvc__write_again(dvc_db *db, int rc, int attempt);
/* Set rc to the write `body` (an expression that can run again from the
 * start) run between `begin` (dvc__write_begin or dvc__write_begin_lean)
 * and dvc__write_end, run again as dvc__write_again says. */
#define DVC__WRITE_RETRYING(db, rc, begin, body) DVC__WRITE_RETRYING_IF(db, rc, begin, body, 1)
/* The same, but `again` (tested after each failed run) false stops the
 * runs: the body cannot run again from there (it consumed a stream). */
#define DVC__WRITE_RETRYING_IF(db, rc, begin, body, again)                           \
	do {                                                                         \
		int attempt_ = 0;                                                    \
		do {                                                                 \
			if (((rc) = begin(db)) != DVC_OK)                            \
				break;                                               \
			(rc) = dvc__write_end((db), (body));                         \
		} while ((again) && dvc__write_again((db), (rc), attempt_++));       \
	} while (0)
#define DVC__WRITE(db, rc, body) DVC__WRITE_RETRYING(db, rc, dvc__write_begin, body)
/* The thin public write: DVC_EINVAL without a store, else read the clock
 * into `now` (a dvc_time the body uses) and DVC__WRITE the body. */
#define DVC__WRITE_AT(db, rc, now, body)                                             \
	do {                                                                         \
		if (!(db))                                                           \
			(rc) = dvc__err(DVC_EINVAL, NULL, "no store");               \
		else if (((rc) = dvc__now((db), &(now))) == DVC_OK)                  \
			DVC__WRITE(db, rc, body);                                    \
	} while (0)

/* ---- catalog (store_catalog.c) ---- */
int dvc__store_level_put(dvc_db *db, const dvc__level *l);
int dvc__store_sector_put(dvc_db *db, const dvc__sector *s);
int dvc__store_agency_put(dvc_db *db, const dvc__agency *a);
/* 1 when present, 0 when not, negative on error */
int dvc__store_level_exists(dvc_db *db, const char *code);
int dvc__store_sector_exists(dvc_db *db, const char *code);
int dvc__store_agency_exists(dvc_db *db, const char *code);
/* An agency's validity ("YYYY-MM-DD"; valid_to "" when open-ended): 1 when
 * found, 0 when not, negative on error. */
int dvc__store_succession_put(dvc_db *db, const dvc_succession *s);
/* ---- the administrative map (store_agency.c); strings go into `a` ---- */
int dvc__store_agency_row(dvc_db *db, const char *code, dvc_arena *a, dvc_agency *out);
typedef int (*dvc__agency_cb)(void *ctx, const dvc_agency *row);
/* In force on `day` (NULL: all), of `level` (NULL: any), by code. */
int dvc__store_agency_each(dvc_db *db, const char *day, const char *level, dvc_arena *a,
			   dvc__agency_cb cb, void *ctx);
/* Under `parent` (at most `depth` parent steps down), in force on `day`. */
int dvc__store_agency_descendants(dvc_db *db, const char *parent, const char *day,
				  const char *level, const char *kind, int depth, dvc_arena *a,
				  dvc__agency_cb cb, void *ctx);
/* Every People's Committee ever stored, lowest level first. */
int dvc__store_committees(dvc_db *db, dvc_arena *a, dvc__agency_cb cb, void *ctx);
/* Links whose predecessor (successors = true) or successor is `code`. */
int dvc__store_agency_links(dvc_db *db, const char *code, bool successors, dvc_arena *a,
			    dvc_succession **out, size_t *n);
int dvc__store_agency_validity(dvc_db *db, const char *code, char valid_from[11], char valid_to[11]);
/* DVC_ESCHEMA (no message) when stored versions of p's procedure contradict
 * its number/start-date order. */
int dvc__store_version_order_ok(dvc_db *db, const dvc_procedure *p);
/* Insert a version; DVC_EEXISTS when (code, version) is already stored. */
int dvc__store_version_put(dvc_db *db, const dvc_procedure *p);
/* Read one version; `version` 0 means "in force on asof". The record and
 * its strings are allocated in one arena whose first object is the record. */
int dvc__store_version_get(dvc_db *db, const char *code, int version,
			   const dvc_date *asof, dvc_procedure **out);
/* An agency's name into `a`; DVC_ENOTFOUND (no message) when unknown. */
int dvc__store_agency_name(dvc_db *db, const char *code, dvc_arena *a, const char **name);
/* Load everything for export, in a stable order. */
int dvc__store_catalog_load(dvc_db *db, dvc__catalog *out);
/* Search building blocks (catalog_search.c decides what to ask). */
#define DVC__SEARCH_MAX_FORMS 4
/* One query word: itself, or the corrections tried for it. */
typedef struct dvc__search_word {
	const char *forms[DVC__SEARCH_MAX_FORMS];
	size_t n_forms;
} dvc__search_word;
typedef struct dvc__search_query {
	/* Folded words ([a-z0-9]); none: filters only. `phrase`: the first
	 * form of each word, adjacent and in order; otherwise every word in
	 * any of its forms, anywhere in the name. */
	const dvc__search_word *words;
	size_t n_words;
	bool phrase;
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

/* ---- dossiers (store_dossier.c) ---- */

/* What the lifecycle needs of a procedure version, loaded once per handle. */
typedef struct dvc__proc_rt {
	int64_t version_id;
	char code[DVC__CODE_SIZE];
	int version;
	int online_level;
	dvc_online_mode online_mode;
	int deadline_value;
	dvc_deadline_unit deadline_unit;
	char agency[DVC__CODE_SIZE];
	/* served by every agency of this level (and kind) under `agency`; "" if not */
	char served_level[DVC__CODE_SIZE], served_kind[DVC__CODE_SIZE];
	size_t n_steps;
	struct {
		char unit[DVC__CODE_SIZE];
		dvc_role role;
		int share;
		char valid_from[11], valid_to[11]; /* the unit's; valid_to "" if open */
	} steps[DVC_CATALOG_MAX_ROUTE];
	char *form_schema; /* NULL when none */
	struct dvc_eform *form; /* form_schema compiled once, or NULL */
	char *name;        /* for notifications */
	size_t n_fees;
	struct {
		dvc_fee_kind kind;
		int64_t amount;
	} fees[DVC_CATALOG_MAX_FEES];
} dvc__proc_rt;

/* The version's rows (no form compiled, no default route; steps as the
 * catalog has them, possibly none), allocated; freed by the caller. */
int dvc__store_rt_load(dvc_db *db, int64_t version_id, dvc__proc_rt **out);
/* The nearest committee at or above `agency` (or its chain's root; or
 * `agency` itself when it is not in the store). */
int dvc__store_root_agency(dvc_db *db, const char *agency, char root[DVC__CODE_SIZE]);
/* The id of procedure `code`'s version in force on `asof` (DVC_ENOTFOUND). */
int dvc__store_version_at(dvc_db *db, const char *code, const char *asof, int64_t *version_id);

/* (proc_rt.c) Load, cached, by version id or by procedure code in force on
 * `asof`; the result stays valid until the handle closes. */
int dvc__rt_get(dvc_db *db, int64_t version_id, const dvc__proc_rt **out);
int dvc__rt_by_code(dvc_db *db, const char *code, const char *asof, const dvc__proc_rt **out);
void dvc__rt_cache_free(dvc_db *db);

/* Dossier flags (dossier.flags). */
enum {
	DVC__F_SUPP_INTAKE = 1,      /* supplement already requested at intake */
	DVC__F_SUPP_PROCESSING = 2,  /* ... during processing */
	DVC__F_SUPP_FROM_INTAKE = 4, /* the open supplement request came from intake */
	DVC__F_RESCHEDULED = 8,
	DVC__F_STOPPED = 16,         /* clock stopped: remaining/step_remaining hold the rest */
	DVC__F_ERASED = 32           /* the applicant's personal data erased (privacy.c) */
};

/* The live row of a dossier, without the applicant's personal data. 0 in a
 * time field means NULL (not reached). */
typedef struct dvc__dossier {
	int64_t id;
	char code[DVC_CODE_MAX];
	int64_t version_id;
	int channel;
	dvc_state state;
	int64_t rev;
	int64_t account_id;            /* 0: none */
	unsigned char secret_hash[32];
	int has_secret;
	dvc_time submitted_at, received_at, due_at, rescheduled_due_at, result_at, finished_at;
	int step;
	char unit[DVC__CODE_SIZE];
	int64_t handler_id;            /* 0: none */
	dvc_time step_since, step_due_at;
	dvc_time stopped_at;
	int64_t remaining, step_remaining;
	int flags;
	int delivery;                  /* -1: none */
	int track_failures;            /* unused since schema 5 (throttle since 6) */
	dvc_time track_locked_until;
	int64_t journal_seq;
	unsigned char journal_head[32];
	int64_t fee_due, fee_paid, fee_refunded;
	int fee_exempt;                /* fee_exemption is set (text read on demand) */
	int copies, pages;
	/* Where it was lodged and who is competent, when not the version's own
	 * route (a procedure served by many agencies, a desk elsewhere in the
	 * province, a cutover to a successor); "" otherwise. */
	char desk[65], competent[65];
	/* The indexed or foreign-key columns as read from the store: the update
	 * assigns only those that changed (see store_dossier.c). */
	struct {
		dvc_state state;
		dvc_time due_at;
		int64_t handler_id;
		char unit[DVC__CODE_SIZE];
	} stored;
} dvc__dossier;

/* Codes of the dossiers not finished (draft to result ready), oldest first. */
int dvc__store_open_dossier_codes(dvc_db *db, int (*cb)(void *ctx, const char *code), void *ctx);
/* Record where a dossier is received and who is competent (the cutover). */
int dvc__store_dossier_set_route(dvc_db *db, int64_t id, const char *desk, const char *competent);

/* The route of dossier `d`: the version's (cached) with the dossier's desk
 * in its reception steps and its competent agency in the others, when the
 * dossier names them. Valid until the next call on the handle. */
int dvc__dossier_rt(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt **out);

typedef struct dvc__journal_row {
	int64_t seq;
	dvc_time at;
	const char *actor, *unit, *note;
	dvc_action action;
	dvc_state from, to;
	const unsigned char *payload_digest; /* 32 bytes or NULL */
	const unsigned char *hash;           /* 32 bytes */
	/* format 2 (schema 10, proof.h): the row after the entry, and who signed */
	int format;                          /* 1: legacy (chained only), 2 */
	int64_t rev, fee_due, fee_paid, fee_refunded;
	const unsigned char *pubkey;         /* 32 bytes, or NULL: unsigned */
	const unsigned char *sig;            /* 64 bytes, or NULL */
} dvc__journal_row;

int dvc__store_next_seq(dvc_db *db, const char *agency, const char *day, int64_t *out);
int dvc__store_dossier_insert(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
			      const char *form_data, const char *fee_exemption);
/* DVC_ENOTFOUND when absent. */
/* dvc__store_dossier_insert and the dossier's first journal entry j as one
 * write (one statement where the backend allows). */
int dvc__store_dossier_insert_journaled(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
					const char *form_data, const char *fee_exemption,
					const struct dvc__journal_row *j);
int dvc__store_dossier_load(dvc_db *db, const char *code, dvc__dossier *d);
/* The submission time of a draft that is submitted (not part of the update). */
int dvc__store_dossier_set_submitted(dvc_db *db, int64_t id, dvc_time at);
/* Write the live row where rev == expected_rev; DVC_ECONFLICT when it moved. */
int dvc__store_dossier_update(dvc_db *db, const dvc__dossier *d, int64_t expected_rev);
/* Journal entry j and the update as one write (one statement where the
 * backend allows, else the insert then the update); the same answers as
 * the two calls. */
int dvc__store_dossier_update_journaled(dvc_db *db, const dvc__dossier *d, int64_t expected_rev,
					const dvc__journal_row *j);
int dvc__store_journal_insert(dvc_db *db, int64_t dossier_id, const dvc__journal_row *j);
typedef int (*dvc__journal_cb)(void *ctx, const dvc__journal_row *j);
int dvc__store_journal_each(dvc_db *db, int64_t dossier_id, dvc__journal_cb cb, void *ctx);
/* Applicant data and names for tracking (strings into the arena). */
int dvc__store_dossier_details(dvc_db *db, int64_t id, dvc_arena *a, dvc_applicant *app,
			       const char **handler, const char **unit_name, const char **exemption,
			       const char **form_data);
/* What a notification needs: the applicant's name and contacts and the name
 * of the unit holding the dossier (strings into the arena; phone, e-mail
 * and unit name may be NULL). */
int dvc__store_dossier_contact(dvc_db *db, int64_t id, dvc_arena *a, const char **name,
			       const char **phone, const char **email, const char **unit_name);
typedef int (*dvc__dossier_cb)(void *ctx, const dvc__dossier *d, const char *procedure,
			       const char *handler);
int dvc__store_dossier_each(dvc_db *db, int state, const char *unit, size_t limit,
			    dvc__dossier_cb cb, void *ctx);
int dvc__store_dossier_ids(dvc_db *db, int (*cb)(void *ctx, const char *code), void *ctx);

/* ---- reports (store_report.c) ---- */
/* dvc_pct(x, p, width), the report's percentile: the p-quantile of x to
 * within `width`, from a histogram of DVC__PCT_BUCKETS buckets; values past
 * the last bucket are counted there and the exact maximum is kept, so
 * memory is fixed per group (sql.c). */
#define DVC__PCT_BUCKETS 4096
typedef struct dvc__pct {
	double width, p, max;
	int64_t n;
	uint32_t bucket[DVC__PCT_BUCKETS];
} dvc__pct;
void dvc__pct_add(dvc__pct *h, double x, double p, double width);
/* 0 when no value was added (SQL NULL), else 1 and the quantile. */
int dvc__pct_value(const dvc__pct *h, double *out);
/* The bucket dvc__pct_add counts x in (x < 0 counts as 0), for width > 0. */
size_t dvc__pct_bucket(double x, double width);
#include "dvc/report.h"
typedef int (*dvc__report_cb)(void *ctx, const dvc_report_row *row);
int dvc__store_report(dvc_db *db, const dvc_report_opts *o, dvc__report_cb cb, void *ctx);
typedef int (*dvc__bottleneck_cb)(void *ctx, int64_t version_id, const char *procedure, int step,
				  const char *unit, const char *unit_name, int64_t waiting,
				  double median_hours, double max_hours);
int dvc__store_bottlenecks(dvc_db *db, dvc_time asof, dvc__bottleneck_cb cb, void *ctx);
typedef int (*dvc__register_cb)(void *ctx, const char *code, const char *procedure, int channel,
				dvc_time submitted, dvc_time received, dvc_time due, dvc_time forwarded,
				dvc_time result, dvc_time returned, int state);
int dvc__store_register(dvc_db *db, dvc_time from, dvc_time to, dvc__register_cb cb, void *ctx);
/* [received, received with a component file, rated, rated overall >= satisfied] (report period, as of). */
int dvc__store_index_extra(dvc_db *db, const dvc_report_opts *o, int satisfied, int64_t out[4]);

/* ---- payments (store_payment.c) ---- */
enum { DVC__PAY_REQUESTED = 0, DVC__PAY_PAID = 1, DVC__PAY_DECLINED = 2, DVC__PAY_REFUND_PENDING = 3,
       DVC__PAY_SUPERSEDED = 4,
       /* The gateway took the money but the dossier could not take it: kept
        * with the gateway's transaction number and time, for refund or
        * review, one state per reason (payment.c names them). */
       DVC__PAY_REVIEW_SUPERSEDED = 5, DVC__PAY_REVIEW_EXPIRED = 6, DVC__PAY_REVIEW_DECLINED = 7,
       DVC__PAY_REVIEW_CLOSED = 8, DVC__PAY_REVIEW_PAID = 9 };
enum { DVC__PAY_KIND_PAYMENT = 0, DVC__PAY_KIND_REFUND = 1 };
typedef struct dvc__payment_row {
	int64_t id, dossier_id;
	char reference[DVC_PAYMENT_REF_SIZE];
	char dossier_code[DVC_CODE_MAX];
	int kind, state;
	int64_t amount;
	dvc_time expires_at;
} dvc__payment_row;
int dvc__store_payment_count(dvc_db *db, int64_t dossier_id, int64_t *n);
int dvc__store_payment_insert(dvc_db *db, int64_t dossier_id, const char *reference, int kind,
			      int64_t amount, int state, const char *gateway, dvc_time created_at,
			      dvc_time expires_at);
int dvc__store_payment_get(dvc_db *db, const char *reference, dvc__payment_row *out);
/* Close the dossier's open requests (a new request supersedes them). */
int dvc__store_payment_supersede(dvc_db *db, int64_t dossier_id);
int dvc__store_payment_update(dvc_db *db, int64_t id, int state, const char *gateway_txn,
			      dvc_time confirmed_at);
/* Requests in a review state (payment rows 5..9) with their dossier code,
 * and the unmatched successes (state DVC__PAY_REVIEW_UNMATCHED, dossier
 * NULL), oldest first: each row's columns to `row` (reference, dossier code,
 * state, amount, gateway transaction or NULL, confirmed_at); stops at the
 * first non-zero return. */
typedef int (*dvc__payment_review_fn)(void *ctx, const char *reference, const char *dossier,
				      int state, int64_t amount, const char *txn, dvc_time at);
int dvc__store_payment_reviews(dvc_db *db, dvc__payment_review_fn row, void *ctx);
/* Not a payment row's state: what the review list says of a signed success
 * naming no request (dossier NULL). */
enum { DVC__PAY_REVIEW_UNMATCHED = 10 };
/* Keep a signed gateway success that names no request of this store (its
 * reference, the gateway's transaction number or "", the amount in VND, the
 * time); a replay of the same reference and transaction adds nothing. */
int dvc__store_payment_unmatched(dvc_db *db, const char *reference, const char *gateway,
				 const char *gateway_txn, int64_t amount, dvc_time at);
/* A payment or refund taken at the counter, confirmed at once; DVC_EEXISTS
 * when the reference (from the receipt number) is taken. */
int dvc__store_payment_counter(dvc_db *db, int64_t dossier_id, const char *reference, int kind,
			       int64_t amount, const char *receipt_no, dvc_time at,
			       const char *method, const char *officer);

/* ---- outbox and templates (store_notify.c) ---- */
typedef struct dvc__outbox_row {
	int64_t id;
	const char *idem, *dossier, *event, *recipient, *subject, *body, *last_error;
	int channel, ascii, segments, state, attempts;
	dvc_time next_attempt_at;
} dvc__outbox_row;
typedef int (*dvc__outbox_cb)(void *ctx, const dvc__outbox_row *r);
int dvc__store_outbox_insert(dvc_db *db, int64_t dossier_id, const char *idem, const char *event,
			     int channel, const char *recipient, const char *subject,
			     const char *body, int ascii, int segments, dvc_time now);
/* Lease up to max due messages (state -> sending until now + lease) and report them. */
int dvc__store_outbox_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			    dvc__outbox_cb cb, void *ctx);
int dvc__store_outbox_list(dvc_db *db, const char *code, dvc__outbox_cb cb, void *ctx);
int dvc__store_outbox_get_attempts(dvc_db *db, int64_t id, int *state, int *attempts);
int dvc__store_outbox_mark(dvc_db *db, int64_t id, int state, int attempts,
			   dvc_time next_attempt_at, const char *error, dvc_time sent_at);
typedef int (*dvc__template_cb)(void *ctx, const char *event, const char *field, const char *text);
int dvc__store_templates_each(dvc_db *db, dvc__template_cb cb, void *ctx);
int dvc__store_template_put(dvc_db *db, const char *event, const char *field, const char *text);

/* The handle's clock and calendar (dossier.c). */
/* DVC_EUSER when the host clock fails: callers read it before they write. */
int dvc__now(dvc_db *db, dvc_time *out);
int dvc__calendar(dvc_db *db, const dvc_calendar **out);

/* Journal a non-lifecycle event (payment, refund) and write the row (dossier.c). */
int dvc__dossier_record(dvc_db *db, dvc__dossier *d, const char *who, dvc_action action,
			const char *note, const char *payload);

/* Tracking without an actor check, for the library's own readers (slips,
 * notifications); dossier.c. */
int dvc__dossier_track(dvc_db *db, const char *code, dvc_tracking **out);

/* ---- accounts and officers (store_account.c) ---- */
typedef struct dvc__account_row {
	int64_t id;
	const char *username, *pwhash;
	dvc_applicant profile;
	dvc_time created_at;
	int failed_logins;      /* unused since schema 6 (throttle table) */
	dvc_time locked_until;  /* unused since schema 6 */
} dvc__account_row;

int dvc__store_account_insert(dvc_db *db, const char *username, const char *pwhash,
			      const dvc_applicant *p, dvc_time now);
/* Strings live in `a`. DVC_ENOTFOUND when absent. */
int dvc__store_account_get(dvc_db *db, const char *username, dvc_arena *a, dvc__account_row *out);
/* Binds an applicant's six fields (full name ... email, as accounts and
 * dossiers store them) to ?first and the five after it. */
void dvc__store_bind_applicant(dvc_db *db, dvc__sql_stmt *st, int first, const dvc_applicant *p);
int dvc__store_account_by_id(dvc_db *db, int64_t id, dvc_arena *a, dvc__account_row *out);
typedef struct dvc__officer_row {
	int64_t id;
	char username[DVC_USERNAME_MAX + 1];
	char unit[DVC__CODE_SIZE];
	dvc_role role;
} dvc__officer_row;
int dvc__store_officer_insert(dvc_db *db, const char *username, const char *full_name,
			      const char *unit, dvc_role role);
int dvc__store_officer_get(dvc_db *db, const char *username, dvc__officer_row *out,
			   dvc_arena *a, const char **full_name);
int dvc__store_officer_by_id(dvc_db *db, int64_t id, dvc__officer_row *out);
/* An officer's credential hash: set (DVC_ENOTFOUND without the officer);
 * read into out: 1 set, 0 none (or no such officer), negative on error. */
int dvc__store_officer_secret_set(dvc_db *db, const char *username, const char *hash);
int dvc__store_officer_secret_get(dvc_db *db, const char *username, char *out, size_t n);

/* ---- the officers' access log (store_access.c) ---- */
int dvc__store_access_insert(dvc_db *db, int64_t dossier_id, int64_t officer_id, dvc_time at,
			     int kind, const char *detail);
/* Rows of one dossier, one officer or both (an id 0 is no filter; one is
 * required), at in [from, to), oldest first, at most `limit`: (dossier code,
 * officer username, full name, unit, at, kind, detail or NULL); stops at
 * the first non-zero return. */
typedef int (*dvc__access_fn)(void *ctx, const char *dossier, const char *officer,
			      const char *full_name, const char *unit, dvc_time at, int kind,
			      const char *detail);
int dvc__store_access_each(dvc_db *db, int64_t dossier_id, int64_t officer_id, dvc_time from,
			   dvc_time to, int64_t limit, dvc__access_fn row, void *ctx);
/* Erase a dossier's personal data: the applicant's fields emptied (phone,
 * e-mail and form data NULL), its files renamed `file_name`, the content
 * of its files' blobs deleted unless another dossier or an account's data
 * store holds the same content, its notifications' recipients and texts
 * emptied, its rating's comment dropped. The row's flags are the caller's. */
int dvc__store_dossier_erase(dvc_db *db, int64_t dossier_id, const char *file_name);

#endif
