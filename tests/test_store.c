/* The store: opening, schema versioning, transactions, bad files. */
#include "testutil.h"
#include "store_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tmp_file(const char *name)
{
	static char buf[512];
	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/dvc-test-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	temp_dir_remove(tmpdir);
}

START_TEST(memory_store_has_current_schema)
{
	dvc_db *db = mem_db();
	int v = 0;
	ck_ok(dvc_schema_version(db, &v));
	ck_assert_int_eq(v, DVC_SCHEMA_VERSION);
	dvc_close(db);
}
END_TEST

START_TEST(file_store_uses_wal_and_foreign_keys)
{
	dvc_db *db;
	sqlite3 *raw;
	sqlite3_stmt *st;
	const char *path = tmp_file("a.db");
	ck_ok(dvc_open(&db, path, NULL));
	dvc_close(db);
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(raw);
	/* reopening keeps the version and does not migrate twice */
	ck_ok(dvc_open(&db, path, NULL));
	int v;
	ck_ok(dvc_schema_version(db, &v));
	ck_assert_int_eq(v, DVC_SCHEMA_VERSION);
	dvc_close(db);
}
END_TEST

/* Issue 16: the store holds personal data and password hashes; it was
 * created 0644. Now 0600 whatever the umask, and its -wal and -shm too. */
START_TEST(new_store_files_are_private_whatever_the_umask)
{
	static const mode_t masks[] = {0, 022, 077};
	for (size_t i = 0; i < 3; i++) {
		char path[512], side[600];
		struct stat st;
		dvc_db *db;
		mode_t old;
		snprintf(path, sizeof path, "%s", tmp_file(i == 0 ? "p0.db" : i == 1 ? "p1.db" : "p2.db"));
		old = umask(masks[i]);
		ck_ok(dvc_open(&db, path, NULL));
		ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"),
					      DVC_FORMAT_AUTO, NULL));
		umask(old);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg((st.st_mode & 0777) == 0600, "umask %03o: store mode %03o", (unsigned)masks[i],
			      (unsigned)(st.st_mode & 0777));
		for (int k = 0; k < 2; k++) {
			snprintf(side, sizeof side, "%s%s", path, k ? "-shm" : "-wal");
			ck_assert_int_eq(stat(side, &st), 0);
			ck_assert_msg((st.st_mode & 0777) == 0600, "umask %03o: %s mode %03o",
				      (unsigned)masks[i], side, (unsigned)(st.st_mode & 0777));
		}
		dvc_close(db);
	}
}
END_TEST

START_TEST(newer_schema_is_refused_and_left_alone)
{
	sqlite3 *raw;
	dvc_db *db = NULL;
	const char *path = tmp_file("future.db");
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE x(y); PRAGMA user_version = 99;", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	ck_dvc(dvc_open(&db, path, NULL), DVC_EVERSION);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "99"));
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 99);
	sqlite3_finalize(st);
	sqlite3_close(raw);
}
END_TEST

START_TEST(old_stores_are_migrated_forward_keeping_their_data)
{
	sqlite3 *raw;
	dvc_db *db;
	dvc_procedure *p;
	dvc_date d = {2020, 1, 1};
	const char *path = tmp_file("v1.db");
	char *err = NULL;
	/* a store as schema version 1 left it, with one procedure */
	ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, dvc__store_migration(0), NULL, NULL, &err), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw,
		"PRAGMA user_version = 1;"
		"INSERT INTO level VALUES ('district', 'Cấp huyện', 2);"
		"INSERT INTO sector VALUES ('TP', 'Tư pháp');"
		"INSERT INTO agency VALUES ('A1', 'UBND', 'district', NULL, '2018-07-01', NULL);"
		"INSERT INTO procedure(id, code) VALUES (1, '1.000001');"
		"INSERT INTO procedure_version VALUES (1, 1, 1, '2018-07-01', 'Chứng thực', 'TP', 'A1',"
		" 3, 0, 1, 0, 'Bản sao', '');"
		"INSERT INTO procedure_level VALUES (1, 0, 'district');",
		NULL, NULL, &err), SQLITE_OK);
	sqlite3_close(raw);
	ck_ok(dvc_open(&db, path, NULL));
	int v;
	ck_ok(dvc_schema_version(db, &v));
	ck_assert_int_eq(v, DVC_SCHEMA_VERSION);
	ck_ok(dvc_procedure_get(db, "1.000001", &d, &p));
	ck_assert_str_eq(p->name, "Chứng thực");
	dvc_procedure_free(p);
	dvc_close(db);
	ck_assert_ptr_null(dvc__store_migration(DVC_SCHEMA_VERSION));
}
END_TEST

START_TEST(non_database_file_is_an_io_error)
{
	dvc_db *db = NULL;
	const char *path = tmp_file("junk.db");
	FILE *f = fopen(path, "wb");
	for (int i = 0; i < 4096; i++)
		fputc('x', f);
	fclose(f);
	ck_dvc(dvc_open(&db, path, NULL), DVC_EIO);
	ck_assert_ptr_null(db);
	ck_dvc(dvc_open(&db, "/nonexistent-dir/x.db", NULL), DVC_EIO);
}
END_TEST

START_TEST(bad_arguments_are_rejected)
{
	dvc_db *db = NULL;
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	ck_dvc(dvc_open(NULL, ":memory:", NULL), DVC_EINVAL);
	ck_dvc(dvc_open(&db, NULL, NULL), DVC_EINVAL);
	o.version = 42;
	ck_dvc(dvc_open(&db, ":memory:", &o), DVC_EINVAL);
	dvc_close(NULL); /* no-op */
}
END_TEST

static const char *mini_catalog(const char *code)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
		 "{\"format\":\"dvc-catalog\",\"format_version\":1,"
		 "\"levels\":[{\"code\":\"district\",\"name\":\"Cấp huyện\",\"rank\":2}],"
		 "\"sectors\":[{\"code\":\"TP\",\"name\":\"Tư pháp\"}],"
		 "\"agencies\":[{\"code\":\"A1\",\"name\":\"UBND\",\"level\":\"district\","
		 "\"parent\":null,\"valid_from\":\"2018-07-01\",\"valid_to\":null}],"
		 "\"procedures\":[{\"code\":\"%s\",\"versions\":[{\"version\":1,"
		 "\"valid_from\":\"2018-07-01\",\"name\":\"Chứng thực chữ ký\",\"sector\":\"TP\","
		 "\"levels\":[\"district\"],\"agency\":\"A1\",\"online_level\":3,"
		 "\"online_mode\":\"none\",\"deadline\":{\"value\":1,\"unit\":\"days\"},"
		 "\"result_type\":\"Giấy tờ được chứng thực\",\"legal_basis\":[\"NĐ 23/2015\"],"
		 "\"documents\":[],\"fees\":[],\"unconfirmed\":[]}]}]}",
		 code);
	return buf;
}

static size_t count_procedures(dvc_db *db)
{
	dvc_catalog_stats *s;
	dvc_date d = {2020, 1, 1};
	size_t n;
	ck_ok(dvc_catalog_stats_compute(db, &d, &s));
	n = (size_t)dvc_catalog_stats_total(s);
	dvc_catalog_stats_free(s);
	return n;
}

START_TEST(explicit_transactions_commit_and_roll_back)
{
	dvc_db *db = mem_db();
	const char *c;
	ck_dvc(dvc_commit(db), DVC_ETXN);
	ck_dvc(dvc_rollback(db), DVC_ETXN);
	ck_ok(dvc_begin(db));
	ck_assert(dvc_in_transaction(db));
	ck_dvc(dvc_begin(db), DVC_ETXN);
	c = mini_catalog("1.000001");
	ck_ok(dvc_catalog_import(db, c, strlen(c), DVC_FORMAT_JSON, NULL));
	ck_ok(dvc_rollback(db));
	ck_assert_uint_eq(count_procedures(db), 0);

	ck_ok(dvc_begin(db));
	c = mini_catalog("1.000001");
	ck_ok(dvc_catalog_import(db, c, strlen(c), DVC_FORMAT_JSON, NULL));
	/* a failing call inside the transaction undoes only itself */
	ck_dvc(dvc_catalog_import(db, "{", 1, DVC_FORMAT_JSON, NULL), DVC_EPARSE);
	c = mini_catalog("1.000002");
	ck_ok(dvc_catalog_import(db, c, strlen(c), DVC_FORMAT_JSON, NULL));
	ck_ok(dvc_commit(db));
	ck_assert(!dvc_in_transaction(db));
	ck_assert_uint_eq(count_procedures(db), 2);
	dvc_close(db);
}
END_TEST

START_TEST(two_handles_share_a_file)
{
	dvc_db *a, *b;
	const char *path = tmp_file("shared.db");
	const char *c = mini_catalog("1.000003");
	ck_ok(dvc_open(&a, path, NULL));
	ck_ok(dvc_open(&b, path, NULL));
	ck_ok(dvc_catalog_import(a, c, strlen(c), DVC_FORMAT_JSON, NULL));
	ck_assert_uint_eq(count_procedures(b), 1);
	/* a writer holding the lock makes the other fail with BUSY, not corrupt */
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *c2;
	o.busy_timeout_ms = 10;
	ck_ok(dvc_open(&c2, path, &o));
	ck_ok(dvc_begin(a));
	ck_dvc(dvc_begin(c2), DVC_EBUSY);
	ck_ok(dvc_commit(a));
	dvc_close(c2);
	dvc_close(a);
	dvc_close(b);
}
END_TEST

START_TEST(read_only_open_refuses_writes)
{
	dvc_db *db;
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	const char *path = tmp_file("ro.db");
	const char *c = mini_catalog("1.000004");
	ck_ok(dvc_open(&db, path, NULL));
	dvc_close(db);
	o.flags = DVC_OPEN_READONLY;
	ck_ok(dvc_open(&db, path, &o));
	ck_dvc(dvc_catalog_import(db, c, strlen(c), DVC_FORMAT_JSON, NULL), DVC_EIO);
	dvc_close(db);
}
END_TEST

START_TEST(errors_are_thread_local_records_with_names)
{
	dvc_error_clear();
	ck_assert_int_eq(dvc_error_last()->code, DVC_OK);
	ck_assert_str_eq(dvc_error_last()->message, "no error");
	ck_assert_str_eq(dvc_status_name(DVC_ECONFLICT), "DVC_ECONFLICT");
	ck_assert_str_eq(dvc_status_name(-999), "DVC_UNKNOWN");
	ck_assert_str_eq(dvc_version(), DVC_VERSION);
	ck_assert_int_eq(dvc_version_number(), DVC_VERSION_NUMBER);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		memory_store_has_current_schema, file_store_uses_wal_and_foreign_keys,
		new_store_files_are_private_whatever_the_umask,
		newer_schema_is_refused_and_left_alone, non_database_file_is_an_io_error,
		old_stores_are_migrated_forward_keeping_their_data, bad_arguments_are_rejected,
		explicit_transactions_commit_and_roll_back, two_handles_share_a_file,
		read_only_open_refuses_writes, errors_are_thread_local_records_with_names, NULL};
	return run_tests("store", setup, teardown, 0, tests);
}
