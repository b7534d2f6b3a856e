#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef DVC_TEST_LIBPQ
#include <libpq-fe.h>
#endif

const char *src_path(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("DVC_SOURCE_ROOT");
	snprintf(buf, sizeof buf, "%s/%s", root ? root : ".", rel);
	return buf;
}

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

const char *test_db_uri(void)
{
	const char *uri = getenv("DVC_TEST_DB_URI");
	return uri && *uri ? uri : NULL;
}

#ifdef DVC_TEST_LIBPQ
#define PG_BYTEA_OID 17 /* pg_type.oid of bytea */

static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}
#endif

const char *fresh_store(void)
{
#ifdef DVC_TEST_LIBPQ
	static char out[4096];
	static unsigned n;
	const char *uri = test_db_uri();
	char sql[256], schema[64];
	PGconn *c;
	PGresult *r;
	if (!uri)
		return ":memory:";
	/* one schema per store: as empty as a new database, and cheap */
	snprintf(schema, sizeof schema, "t%ld_%u", (long)getpid(), ++n);
	c = PQconnectdb(uri);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot connect to %s: %s", uri, PQerrorMessage(c));
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(out, sizeof out, "%s%soptions=-csearch_path%%3D%s", uri, strchr(uri, '?') ? "&" : "?",
		 schema);
	return out;
#else
	ck_assert_msg(test_db_uri() == NULL, "DVC_TEST_DB_URI is set but the tests were built without libpq");
	return ":memory:";
#endif
}

#ifdef DVC_TEST_LIBPQ
static PGresult *pg_run(const char *target, const char *sql, ExecStatusType want)
{
	PGconn *c = PQconnectdb(target);
	PGresult *r;
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot connect to %s: %s", target, PQerrorMessage(c));
	PQsetNoticeProcessor(c, pg_quiet, NULL);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == want, "%s: %s", sql, PQerrorMessage(c));
	PQfinish(c);
	return r;
}

void pg_exec(const char *target, const char *sql)
{
	PQclear(pg_run(target, sql, PGRES_COMMAND_OK));
}

long long pg_value(const char *target, const char *sql)
{
	ck_assert_msg(store_is_pg(target), "not a PostgreSQL store: %s", target);
	return store_value(target, sql);
}
#endif

int store_is_pg(const char *store)
{
	return strncmp(store, "postgresql://", 13) == 0 || strncmp(store, "postgres://", 11) == 0;
}

static char *dup_text(const char *s)
{
	char *d = malloc(strlen(s) + 1);
	ck_assert_ptr_nonnull(d);
	return strcpy(d, s);
}

static char *dup_hex(const unsigned char *p, int n)
{
	char *d = malloc(2 * (size_t)n + 1);
	ck_assert_ptr_nonnull(d);
	for (int i = 0; i < n; i++)
		sprintf(d + 2 * i, "%02x", p[i]);
	d[2 * n] = '\0';
	return d;
}

static store_rows *rows_new(int n_cols)
{
	store_rows *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	r->n_cols = n_cols;
	return r;
}

/* Room for one more row; its values start NULL. */
static char **rows_add(store_rows *r)
{
	size_t n = (size_t)r->n_cols;
	r->v = realloc(r->v, ((size_t)r->n_rows + 1) * n * sizeof *r->v + 1); /* + 1: never 0 */
	ck_assert_ptr_nonnull(r->v);
	memset(r->v + (size_t)r->n_rows * n, 0, n * sizeof *r->v);
	return r->v + (size_t)r->n_rows++ * n;
}

void store_rows_free(store_rows *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n_rows * r->n_cols; i++)
		free(r->v[i]);
	free(r->v);
	free(r);
}

void store_exec(const char *store, const char *sql)
{
	sqlite3 *raw;
	char *err = NULL;
#ifdef DVC_TEST_LIBPQ
	if (store_is_pg(store)) {
		pg_exec(store, sql);
		return;
	}
#endif
	ck_assert_int_eq(sqlite3_open(store, &raw), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(raw, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
	sqlite3_close(raw);
}

store_rows *store_query(const char *store, const char *sql)
{
	store_rows *r;
	sqlite3 *raw;
	sqlite3_stmt *st;
	int rc;
#ifdef DVC_TEST_LIBPQ
	if (store_is_pg(store)) {
		PGresult *res = pg_run(store, sql, PGRES_TUPLES_OK);
		r = rows_new(PQnfields(res));
		for (int i = 0; i < PQntuples(res); i++) {
			char **row = rows_add(r);
			for (int c = 0; c < r->n_cols; c++) {
				const char *v = PQgetvalue(res, i, c);
				if (PQgetisnull(res, i, c))
					continue;
				/* bytea comes as \x and hex: the hex, as from SQLite */
				row[c] = dup_text(PQftype(res, c) == PG_BYTEA_OID && strncmp(v, "\\x", 2) == 0 ? v + 2 : v);
			}
		}
		PQclear(res);
		return r;
	}
#endif
	ck_assert_int_eq(sqlite3_open(store, &raw), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(raw));
	r = rows_new(sqlite3_column_count(st));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **row = rows_add(r);
		for (int c = 0; c < r->n_cols; c++) {
			int type = sqlite3_column_type(st, c);
			if (type == SQLITE_BLOB)
				row[c] = dup_hex(sqlite3_column_blob(st, c), sqlite3_column_bytes(st, c));
			else if (type != SQLITE_NULL)
				row[c] = dup_text((const char *)sqlite3_column_text(st, c));
		}
	}
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(raw));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return r;
}

long long store_value(const char *store, const char *sql)
{
	store_rows *r = store_query(store, sql);
	long long v;
	ck_assert_msg(r->n_rows == 1 && r->n_cols >= 1, "%s: %d rows", sql, r->n_rows);
	ck_assert_msg(store_cell(r, 0, 0) != NULL, "%s: NULL", sql);
	v = strtoll(store_cell(r, 0, 0), NULL, 10);
	store_rows_free(r);
	return v;
}

const char *store_at(const char *file)
{
	return test_db_uri() ? fresh_store() : file;
}

dvc_db *mem_db(void)
{
	dvc_db *db = NULL;
	ck_ok(dvc_open(&db, fresh_store(), NULL));
	return db;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void temp_store(char *path, size_t path_cap, const char *tmpl, char *store, size_t store_cap)
{
	int fd;
	snprintf(path, path_cap, "%s", tmpl);
	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	unlink(path); /* only the unique name is wanted: dvc_open makes the file */
	snprintf(store, store_cap, "%s", store_at(path));
}

void temp_store_remove(const char *path)
{
	char p[4096];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

void temp_dir_store(char *dir, size_t dir_cap, const char *tmpl, char *path, size_t path_cap,
		    const char *file)
{
	char f[4096];
	snprintf(dir, dir_cap, "%s", tmpl);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(f, sizeof f, "%s/%s", dir, file);
	snprintf(path, path_cap, "%s", store_at(f));
}

void temp_dir_remove(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void add_tests(TCase *tc, const test_case *c)
{
	for (const TTest *const *t = c->tests; *t; t++) {
		const test_loop *l = c->loops;
		while (l && l->test && l->test != *t)
			l++;
		if (l && l->test)
			tcase_add_loop_test(tc, *t, l->start, l->end);
		else
			tcase_add_test(tc, *t);
	}
}

int run_cases(const char *name, const test_case *cases)
{
	Suite *s = suite_create(name);
	for (const test_case *c = cases; c->name; c++) {
		TCase *tc = tcase_create(c->name);
		if (c->setup || c->teardown)
			tcase_add_checked_fixture(tc, c->setup, c->teardown);
		if (c->unchecked_setup || c->unchecked_teardown)
			tcase_add_unchecked_fixture(tc, c->unchecked_setup, c->unchecked_teardown);
		if (c->timeout)
			tcase_set_timeout(tc, c->timeout);
		add_tests(tc, c);
		suite_add_tcase(s, tc);
	}
	return run_suite(s);
}

int run_tests(const char *name, void (*setup)(void), void (*teardown)(void), int timeout,
	      const TTest *const *tests)
{
	const test_case cases[] = {{name, tests, setup, teardown, NULL, NULL, timeout, NULL}, {NULL}};
	return run_cases(name, cases);
}

dvc_time clock_now;

int test_clock(void *ctx, dvc_time *out)
{
	(void)ctx;
	*out = clock_now;
	return 0;
}

dvc_calendar *test_cal;

void calendar_setup(void)
{
	ck_assert_int_eq(dvc_calendar_new(&test_cal, NULL), DVC_OK);
}

void calendar_teardown(void)
{
	dvc_calendar_free(test_cal);
	test_cal = NULL;
}

dvc_time instant(const char *iso)
{
	dvc_time t;
	ck_ok(dvc_time_parse(iso, &t));
	return t;
}

const dvc_applicant an_nguyen = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
	"0912 345 678", "an.nguyen@example.vn"};

const dvc_applicant tran_thi_binh = {
	"Trần Thị Bình", "031190005678", "1990-01-02", "Thôn 1, xã Kiến Quốc, huyện Kiến Thụy",
	"0912000111", NULL};

dvc_submission citizen_submission(const char *procedure, const char *form)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	s.procedure = procedure;
	s.applicant = &an_nguyen;
	s.form_data = form;
	return s;
}

int citizen_submit(dvc_db *db, const char *procedure, const char *form, dvc_receipt *r)
{
	dvc_submission s = citizen_submission(procedure, form);
	return dvc_dossier_submit(db, &s, r);
}

dvc_receipt submit_as_citizen(dvc_db *db, const char *procedure, const char *form)
{
	dvc_receipt r = DVC_RECEIPT_INIT;
	ck_ok(citizen_submit(db, procedure, form, &r));
	return r;
}

dvc_db *dossier_db(void)
{
	dvc_db *db;
	clock_now = instant("2026-03-02T09:00:00+07:00");
	db = mem_db();
	dossier_store_init(db, test_clock);
	return db;
}

void dossier_store_init(dvc_db *db, dvc_clock_fn clock)
{
	dvc_set_clock(db, clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO,
				      NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", DVC_ROLE_RECEPTION));
}

dvc_action_req officer_req(dvc_action a, const char *officer, const char *note)
{
	dvc_action_req r = DVC_ACTION_INIT;
	r.action = a;
	r.actor = (dvc_actor){DVC_ACTOR_OFFICER, officer, NULL};
	r.note = note;
	return r;
}

int officer_act(dvc_db *db, const char *code, dvc_action a, const char *officer, const char *note,
		dvc_delivery delivery)
{
	dvc_action_req r = officer_req(a, officer, note);
	r.delivery = delivery;
	return dvc_dossier_act(db, code, &r, NULL);
}

size_t file_count(dvc_db *db, const char *code)
{
	dvc_file_list *l;
	dvc_actor o = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	size_t n;
	ck_ok(dvc_dossier_files(db, code, &o, &l));
	n = dvc_file_list_count(l);
	dvc_file_list_free(l);
	return n;
}

size_t history_count(dvc_db *db, const char *code)
{
	dvc_tracking *t;
	dvc_actor o = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	size_t n;
	ck_ok(dvc_dossier_track(db, code, &o, &t));
	n = t->n_history;
	dvc_tracking_free(t);
	return n;
}

unsigned char *pdf(size_t n, unsigned char fill)
{
	static const char head[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
	unsigned char *b = malloc(n);
	ck_assert_ptr_nonnull(b);
	memset(b, fill, n);
	memcpy(b, head, n < sizeof head - 1 ? n : sizeof head - 1);
	return b;
}

int mem_write(void *ctx, const void *buf, size_t n)
{
	mem_sink *s = ctx;
	if (s->n + n + 1 > s->cap) {
		s->cap = (s->n + n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		ck_assert_ptr_nonnull(s->p);
	}
	memcpy(s->p + s->n, buf, n);
	s->n += n;
	s->p[s->n] = '\0';
	return 0;
}

void document_store_init(dvc_db *db, const dvc_applicant *citizen)
{
	dvc_procedure_policy pol = DVC_PROCEDURE_POLICY_INIT;
	dvc_set_clock(db, test_clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/document_catalog.json"), DVC_FORMAT_AUTO,
				      NULL));
	ck_ok(dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", DVC_ROLE_RECEPTION));
	ck_ok(dvc_officer_add(db, "do.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", "000.00.30.H24",
			      DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_account_register(db, "an.nguyen", "mat-khau-du-dai-1", citizen));
	pol.require_files = 1;
	pol.pay_before_return = 1;
	ck_ok(dvc_procedure_policy_set(db, "T.000005", &pol));
}

void route_officers_add(dvc_db *db)
{
	ck_ok(dvc_officer_add(db, "tran.chuyen.vien", "Trần Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "nguyen.truong.phong", "Nguyễn Trưởng Phòng", "000.01.30.H24",
			      DVC_ROLE_UNIT_LEADER));
	ck_ok(dvc_officer_add(db, "hoang.lanh.dao", "Hoàng Lãnh Đạo", "000.00.30.H24", DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_officer_add(db, "tnmt.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", DVC_ROLE_SPECIALIST));
}
