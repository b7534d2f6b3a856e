/* Shared helpers for the Check suites. */
#ifndef DVC_TESTUTIL_H
#define DVC_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include "dvc/dvc.h"

/* Path of a file in the source tree (data/catalog/...), static buffer. */
const char *src_path(const char *rel);
/* Read a whole file; abort the test on failure. Free with free(). */
char *slurp(const char *path, size_t *len);
/* A fresh empty store: in memory, or on the PostgreSQL server named by
 * DVC_TEST_DB_URI when set (a schema of its own); the test fails if it
 * cannot be opened. */
dvc_db *mem_db(void);
/* DVC_TEST_DB_URI, or NULL when the suites run on SQLite. */
const char *test_db_uri(void);
/* What dvc_open takes for a fresh empty store (":memory:" on SQLite), in a
 * static buffer. */
const char *fresh_store(void);
/* `file` on SQLite; on PostgreSQL a fresh store's URI (fresh_store), so
 * that a suite opening one store several times opens the same one. */
const char *store_at(const char *file);
#ifdef DVC_TEST_LIBPQ
/* Run `sql` on the PostgreSQL store `target` (a fresh_store() URI: inside
 * its schema) over a connection of its own; the test fails on an error.
 * For what only raw SQL can arrange (injected failures, held locks). */
void pg_exec(const char *target, const char *sql);
/* The same, returning the first column of the first row as an integer. */
long long pg_value(const char *target, const char *sql);
#endif
/* Behind the library's back, on either backend: `store` is what the test
 * gave dvc_open (a SQLite file, or a fresh_store() URI on PostgreSQL), and
 * each call runs its SQL over a connection of its own; the test fails on an
 * error. For the tamper cases (an edited journal, a damaged chunk) and for
 * counts the API does not give. */
/* 1 when `store` names a PostgreSQL database (as dvc_open decides). */
int store_is_pg(const char *store);
/* Run `sql` (several statements allowed). */
void store_exec(const char *store, const char *sql);
/* The first column of the only row of `sql`, as an integer. */
long long store_value(const char *store, const char *sql);
/* The rows of `sql`, every value as text: NULL for SQL NULL, a blob in
 * lowercase hex. Free with store_rows_free(). */
typedef struct store_rows {
	int n_rows, n_cols;
	char **v; /* n_rows * n_cols values, row by row */
} store_rows;
store_rows *store_query(const char *store, const char *sql);
static inline const char *store_cell(const store_rows *r, int row, int col)
{
	return r->v[row * r->n_cols + col];
}
void store_rows_free(store_rows *r);
/* A fresh SQLite file name from `tmpl` (a mkstemp template, "/tmp/dvc-x-XXXXXX")
 * written to `path`, which does not exist yet (dvc_open makes it), and copied
 * to `store` as what dvc_open takes: `path`, or on PostgreSQL a fresh store's
 * URI (store_at). */
void temp_store(char *path, size_t path_cap, const char *tmpl, char *store, size_t store_cap);
/* Remove the SQLite file `path` and its -wal and -shm files. */
void temp_store_remove(const char *path);
/* A fresh directory from the mkdtemp template `tmpl` written to `dir`, and
 * in `path` what dvc_open takes for the store `file` inside it: that file,
 * or on PostgreSQL a fresh store's URI (store_at). */
void temp_dir_store(char *dir, size_t dir_cap, const char *tmpl, char *path, size_t path_cap,
		    const char *file);
/* Remove the directory `dir` and all it holds; the test fails if it cannot. */
void temp_dir_remove(const char *dir);
/* Run a suite and return the process exit status. */
int run_suite(Suite *s);
/* One test case of a suite: `tests` (NULL-terminated) in their order, a
 * checked and an unchecked fixture (any function may be NULL), a timeout in
 * seconds (0 keeps Check's default), and which of the tests are loop tests
 * (`loops`, ending with {NULL}; may be NULL). */
typedef struct test_loop {
	const TTest *test;
	int start, end;
} test_loop;
typedef struct test_case {
	const char *name;
	const TTest *const *tests;
	void (*setup)(void), (*teardown)(void);
	void (*unchecked_setup)(void), (*unchecked_teardown)(void);
	int timeout;
	const test_loop *loops;
} test_case;
/* Run suite `name` made of `cases` (ending with {NULL}); the process exit
 * status. */
int run_cases(const char *name, const test_case *cases);
/* Run `tests` (NULL-terminated) as one case of suite `name` with the given
 * checked fixture (either may be NULL) and timeout in seconds (0 keeps
 * Check's default); the process exit status. */
int run_tests(const char *name, void (*setup)(void), void (*teardown)(void), int timeout,
	      const TTest *const *tests);
/* Set `clock` (may be NULL) on `db`, import tests/data/dossier_catalog.json
 * and add its desk's reception officer le.tiep.nhan (000.00.30.H24). */
void dossier_store_init(dvc_db *db, dvc_clock_fn clock);
/* A fresh store (mem_db) so made, on test_clock set to Monday 2 March 2026,
 * 09:00 (+07:00). */
dvc_db *dossier_db(void);
/* Add the officers along that catalog's routes after the desk: the justice
 * office's specialist tran.chuyen.vien and unit leader nguyen.truong.phong,
 * the desk's signing leader hoang.lanh.dao and the environment office's
 * specialist tnmt.chuyen.vien. */
void route_officers_add(dvc_db *db);
/* The time a test sets: dvc_set_clock(db, test_clock, NULL) makes it the
 * store's "now". */
extern dvc_time clock_now;
int test_clock(void *ctx, dvc_time *out);
/* The calendar and lunar suites' fixture: a fresh dvc_calendar in test_cal
 * for each test. */
extern dvc_calendar *test_cal;
void calendar_setup(void);
void calendar_teardown(void);
/* An ISO 8601 instant with its offset; the test fails if it does not parse. */
dvc_time instant(const char *iso);
/* The applicant most suites use: Nguyễn Văn An, 031099001234. */
extern const dvc_applicant an_nguyen;
/* Another: Trần Thị Bình, 031190005678, who gives no e-mail address. */
extern const dvc_applicant tran_thi_binh;
/* An online submission of `procedure` for an_nguyen without an account
 * (`form` may be NULL), to be completed by the caller. */
dvc_submission citizen_submission(const char *procedure, const char *form);
/* Submit an online dossier of `procedure` for an_nguyen without an account
 * (`form` may be NULL); the status, without asserting (for child processes
 * and threads). */
int citizen_submit(dvc_db *db, const char *procedure, const char *form, dvc_receipt *r);
/* Submit an online dossier of `procedure` for Nguyễn Văn An without an
 * account (`form` may be NULL); the test fails if it is refused. */
dvc_receipt submit_as_citizen(dvc_db *db, const char *procedure, const char *form);

/* `officer` takes action `a` on dossier `code` with `note` (may be NULL) and
 * the result's `delivery` (for the return action); the status. */
int officer_act(dvc_db *db, const char *code, dvc_action a, const char *officer, const char *note,
		dvc_delivery delivery);
/* How many files, and how many journal entries, dossier `code` has, as
 * le.tiep.nhan sees it; the test fails if it cannot be read. */
size_t file_count(dvc_db *db, const char *code);
size_t history_count(dvc_db *db, const char *code);
/* A PDF of n bytes: a real header, then `fill`. Free with free(). */
unsigned char *pdf(size_t n, unsigned char fill);
/* A download sink (dvc_file_write_fn) that grows a buffer, kept NUL-terminated. */
typedef struct mem_sink {
	unsigned char *p;
	size_t n, cap;
} mem_sink;
int mem_write(void *ctx, const void *buf, size_t n);
/* For the document suites: set the clock on `db`, import
 * tests/data/document_catalog.json, add its desk's reception officer
 * le.tiep.nhan, the specialist do.chuyen.vien and the signing leader
 * hoang.lanh.dao, register the account an.nguyen for `citizen`, and have
 * T.000005 require its files and the fee before the result. */
void document_store_init(dvc_db *db, const dvc_applicant *citizen);

/* An officer's request for action `a` with `note` (may be NULL), to be
 * completed by the caller. */
dvc_action_req officer_req(dvc_action a, const char *officer, const char *note);
/* Assert a libdvc status, printing the last error on mismatch. */
#define ck_dvc(expr, want)                                                               \
	do {                                                                             \
		int rc_ = (expr);                                                        \
		ck_assert_msg(rc_ == (want), "%s = %s (%s), want %s", #expr,             \
			      dvc_status_name(rc_), dvc_error_last()->message,           \
			      dvc_status_name(want));                                    \
	} while (0)
#define ck_ok(expr) ck_dvc(expr, DVC_OK)

#endif
