/* The PostgreSQL backend's own behaviour (issue 17): serialization failures
 * and deadlocks run the write again inside the library, a bounded number of
 * times; key=value connection strings; the busy timeout as lock_timeout.
 * Failures are injected with a trigger that raises SQLSTATE 40P01 while a
 * sequence (which no rollback undoes) is below a limit. On SQLite only the
 * option checks run. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef DVC_TEST_LIBPQ
#include <libpq-fe.h>
#include <pthread.h>
#endif

#define P3 "T.000003"
/* Its form: a certified copy, two copies. */
#define FORM3 "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"

static dvc_db *db;
static const char *target;
static char target_copy[4096];

static void setup(void)
{
	clock_now = instant("2026-03-02T09:00:00+07:00");
	target = fresh_store();
	snprintf(target_copy, sizeof target_copy, "%s", target);
	target = target_copy;
	ck_ok(dvc_open(&db, target, NULL));
	dossier_store_init(db, test_clock);
}

static void teardown(void) { dvc_close(db); }

START_TEST(unknown_open_options_are_refused)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *h = NULL;
	o.flags |= 1u << 12;
	ck_dvc(dvc_open(&h, ":memory:", &o), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "flags");
	ck_assert_ptr_null(h);
	o.flags = DVC_OPEN_CREATE;
	o.busy_timeout_ms = -1;
	ck_dvc(dvc_open(&h, ":memory:", &o), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "busy_timeout_ms");
	ck_assert_ptr_null(h);
}
END_TEST

#ifdef DVC_TEST_LIBPQ

/* Make every `event` (INSERT, UPDATE) of a row of `table` fail with a
 * deadlock while fewer than `fails` have been tried; `inject` counts the
 * tries. `at_commit`: the check waits for the commit (a deferred constraint
 * trigger), after everything the call did. */
static void inject_when(const char *event, const char *table, int fails, int at_commit)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "DROP TRIGGER IF EXISTS inject ON %s; DROP SEQUENCE IF EXISTS inject;"
		 "CREATE SEQUENCE inject;"
		 "CREATE OR REPLACE FUNCTION inject_deadlock() RETURNS trigger LANGUAGE plpgsql AS $$"
		 "BEGIN IF nextval('inject') <= %d THEN"
		 "  RAISE EXCEPTION 'injected deadlock' USING ERRCODE = '40P01'; END IF;"
		 " RETURN NEW; END $$;"
		 "CREATE %sTRIGGER inject %s %s ON %s %sFOR EACH ROW EXECUTE FUNCTION inject_deadlock()",
		 table, fails, at_commit ? "CONSTRAINT " : "", at_commit ? "AFTER" : "BEFORE", event,
		 table, at_commit ? "DEFERRABLE INITIALLY DEFERRED " : "");
	pg_exec(target, sql);
}

static void inject_on(const char *event, const char *table, int fails)
{
	inject_when(event, table, fails, 0);
}

static void inject_deadlocks(const char *table, int fails) { inject_on("INSERT", table, fails); }

/* How many inserts the trigger saw. */
static long long tries(void)
{
	return pg_value(target, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM inject");
}

static void journal_verifies(const char *code)
{
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	ck_ok(dvc_journal_verify(db, code, &rep));
	ck_assert_uint_eq(rep.dossiers, 1);
}

START_TEST(a_deadlock_runs_the_submission_again)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	inject_deadlocks("dossier", 2);
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_int_eq(tries(), 3);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM dossier"), 1);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM journal"), 1);
	journal_verifies(r.code);
}
END_TEST

START_TEST(a_lasting_deadlock_gives_up_and_writes_nothing)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT, r2 = DVC_RECEIPT_INIT, first = DVC_RECEIPT_INIT;
	dvc_db *other;
	inject_deadlocks("dossier", 1000);
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EBUSY);
	ck_assert_msg(strstr(dvc_error_last()->message, "rolled back 5 times"), "%s",
		      dvc_error_last()->message);
	ck_assert_str_eq(r.code, ""); /* the receipt is cleared */
	ck_assert_int_eq(tries(), 5);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM dossier"), 0);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM journal"), 0);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM outbox"), 0);

	/* no code was used up: the next dossier gets the code a fresh store gives first */
	pg_exec(target, "DROP TRIGGER inject ON dossier");
	ck_ok(dvc_dossier_submit(db, &s, &r2));
	ck_assert_ptr_nonnull(target = fresh_store());
	snprintf(target_copy, sizeof target_copy, "%s", target);
	ck_ok(dvc_open(&other, target_copy, NULL));
	dossier_store_init(other, test_clock);
	ck_ok(dvc_dossier_submit(other, &s, &first));
	ck_assert_str_eq(r2.code, first.code);
	dvc_close(other);
}
END_TEST

START_TEST(inside_an_explicit_transaction_the_caller_retries)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	inject_deadlocks("dossier", 1);
	ck_ok(dvc_begin(db));
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EBUSY);
	ck_assert_int_eq(tries(), 1); /* not run again: the transaction is the caller's */
	ck_dvc(dvc_commit(db), DVC_ETXN);
	ck_assert_int_eq(dvc_in_transaction(db), 0);
	/* the caller's retry of the whole transaction goes through */
	ck_ok(dvc_begin(db));
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_ok(dvc_commit(db));
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM dossier"), 1);
}
END_TEST

START_TEST(a_deadlock_runs_the_action_again)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	int64_t v = 0;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	inject_deadlocks("journal", 1);
	q.action = DVC_ACT_RECEIVE;
	q.actor = desk;
	ck_ok(dvc_dossier_act(db, r.code, &q, &v));
	ck_assert_int_eq(tries(), 2);
	ck_assert_int_eq(v, 2); /* one version step, not two */
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM journal"), 2);
	journal_verifies(r.code);
}
END_TEST

START_TEST(a_deadlock_runs_the_outbox_lease_and_ack_again)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_message_batch *b;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	long long rows;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.action = DVC_ACT_RECEIVE; /* the applicant's SMS and e-mail at intake */
	q.actor = desk;
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	rows = pg_value(target, "SELECT count(*) FROM outbox");
	ck_assert_int_gt(rows, 0);
	/* the first row's lease update deadlocks once: the lease runs again whole */
	inject_on("UPDATE", "outbox", 1);
	ck_ok(dvc_outbox_fetch(db, 100, &b));
	ck_assert_int_eq((long long)dvc_message_batch_count(b), rows); /* nothing twice, nothing lost */
	ck_assert_int_eq(tries(), 1 + rows);
	inject_on("UPDATE", "outbox", 1);
	ck_ok(dvc_outbox_mark_sent(db, dvc_message_batch_at(b, 0)->id));
	ck_assert_int_eq(tries(), 2);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM outbox WHERE state = 2"), 1);
	dvc_message_batch_free(b);
}
END_TEST

static const char tiny_pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

/* `who` attaches `name` to component `component` of `code`, read by `read`. */
static int upload(const char *code, dvc_actor who, int component, const char *name,
		  dvc_file_read_fn read, void *ctx, dvc_file_info *out)
{
	/* DVC_ATTACH_INIT's fields, these filled in */
	dvc_attach_req q = {DVC_ATTACH_VERSION, who, component, name, DVC_FILE_ORIGINAL, DVC_ATTACH_ADD, 0,
			    -1, read, ctx, 0};
	return dvc_dossier_attach(db, code, &q, out);
}

static long long count(const char *table)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return pg_value(target, sql);
}

/* An upload from memory runs again whole: one file, one blob, one entry. */
START_TEST(a_deadlock_runs_an_upload_from_memory_again)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_mem_reader src = {tiny_pdf, sizeof tiny_pdf - 1, 0};
	dvc_file_info fi;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	inject_deadlocks("dossier_file", 1);
	ck_ok(upload(r.code, (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret}, 0, "to-khai.pdf",
		     dvc_mem_read, &src, &fi));
	ck_assert_int_eq(tries(), 2);
	ck_assert_uint_eq(src.offset, sizeof tiny_pdf - 1); /* rewound, read once more */
	ck_assert_int_eq(fi.size, (int64_t)(sizeof tiny_pdf - 1));
	ck_assert_int_eq(count("dossier_file"), 1);
	ck_assert_int_eq(pg_value(target, "SELECT max(id) FROM dossier_file"), fi.id);
	ck_assert_int_eq(count("blob"), 1);
	ck_assert_int_eq(count("blob_chunk"), 1);
	ck_assert_int_eq(count("journal"), 2);
	journal_verifies(r.code);

	/* a lasting one: nothing stored */
	src.offset = 0;
	inject_deadlocks("dossier_file", 1000);
	ck_dvc(upload(r.code, (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret}, 0, "ban-sao.pdf",
		      dvc_mem_read, &src, NULL), DVC_EBUSY);
	ck_assert_msg(strstr(dvc_error_last()->message, "rolled back 5 times"), "%s",
		      dvc_error_last()->message);
	ck_assert_int_eq(tries(), 5);
	ck_assert_int_eq(count("dossier_file"), 1);
	ck_assert_int_eq(count("blob"), 1);
	ck_assert_int_eq(count("blob_chunk"), 1);
	ck_assert_int_eq(count("journal"), 2);
}
END_TEST

struct stream {
	dvc_mem_reader mem;
	int calls;
};

static int64_t stream_read(void *ctx, void *buf, size_t cap)
{
	struct stream *st = ctx;
	st->calls++;
	return dvc_mem_read(&st->mem, buf, cap);
}

/* The caller's stream cannot be read twice: a deadlock after it was read is
 * the caller's DVC_EBUSY, with nothing stored. */
START_TEST(a_deadlock_after_a_stream_was_read_is_not_run_again)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	struct stream st = {{tiny_pdf, sizeof tiny_pdf - 1, 0}, 0};
	dvc_actor me;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	me = (dvc_actor){DVC_ACTOR_ANONYMOUS, NULL, r.secret};
	inject_deadlocks("dossier_file", 1);
	ck_dvc(upload(r.code, me, 0, "to-khai.pdf", stream_read, &st, NULL), DVC_EBUSY);
	ck_assert_int_eq(tries(), 1);
	ck_assert_int_eq(st.calls, 2); /* the content, then its end: once */
	ck_assert_int_eq(count("dossier_file"), 0);
	ck_assert_int_eq(count("blob"), 0);
	/* the caller uploads again */
	st.mem.offset = 0;
	ck_ok(upload(r.code, me, 0, "to-khai.pdf", stream_read, &st, NULL));
	ck_assert_int_eq(count("dossier_file"), 1);
	ck_assert_int_eq(count("journal"), 2);
}
END_TEST

/* The dossier at its signing step, with a result attached by the leader. */
static dvc_receipt with_result_to_sign(void)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_mem_reader src = {tiny_pdf, sizeof tiny_pdf - 1, 0};
	static const char *const by[] = {"le.tiep.nhan", "le.tiep.nhan", "chuyen.vien", "truong.phong"};
	ck_ok(dvc_officer_add(db, "chuyen.vien", "Chuyên Viên", "000.01.30.H24", DVC_ROLE_SPECIALIST));
	ck_ok(dvc_officer_add(db, "truong.phong", "Trưởng Phòng", "000.01.30.H24", DVC_ROLE_UNIT_LEADER));
	ck_ok(dvc_officer_add(db, "lanh.dao", "Lãnh Đạo", "000.00.30.H24", DVC_ROLE_SIGNING_LEADER));
	ck_ok(dvc_dossier_submit(db, &s, &r));
	for (size_t i = 0; i < 4; i++) {
		q.action = i ? DVC_ACT_FORWARD : DVC_ACT_RECEIVE;
		q.actor = (dvc_actor){DVC_ACTOR_OFFICER, by[i], NULL};
		ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	}
	ck_ok(upload(r.code, (dvc_actor){DVC_ACTOR_OFFICER, "lanh.dao", NULL}, DVC_FILE_RESULT,
		     "quyet-dinh.pdf", dvc_mem_read, &src, NULL));
	return r;
}

START_TEST(a_deadlock_runs_the_signature_again)
{
	dvc_receipt r = with_result_to_sign();
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	dvc_actor leader = {DVC_ACTOR_OFFICER, "lanh.dao", NULL};
	dvc_file_info fi;
	long long entries = count("journal"), blobs = count("blob");
	char key[512], cert[512];
	snprintf(key, sizeof key, "%s", src_path("data/demo-keys/demo-signing-key.pem"));
	snprintf(cert, sizeof cert, "%s", src_path("data/demo-keys/demo-signing-cert.pem"));
	o.key_file = key;
	o.cert_file = cert;
	/* a lasting one first: nothing signed, nothing stored */
	inject_deadlocks("journal", 1000);
	ck_dvc(dvc_dossier_sign_result(db, r.code, &leader, &o, NULL), DVC_EBUSY);
	ck_assert_int_eq(tries(), 5);
	ck_assert_int_eq(count("dossier_file"), 1);
	ck_assert_int_eq(count("blob"), blobs);
	ck_assert_int_eq(count("journal"), entries);
	/* once: signed once */
	inject_deadlocks("journal", 1);
	ck_ok(dvc_dossier_sign_result(db, r.code, &leader, &o, &fi));
	ck_assert_int_eq(tries(), 2);
	ck_assert_int_eq(fi.form, DVC_FILE_ECOPY);
	ck_assert_int_eq(count("dossier_file"), 2);
	ck_assert_int_eq(pg_value(target, "SELECT max(id) FROM dossier_file"), fi.id);
	ck_assert_int_eq(count("blob"), blobs + 1);
	ck_assert_int_eq(count("journal"), entries + 1);
	journal_verifies(r.code);
}
END_TEST

/* Cutover moves each dossier in a write of its own; a run again reports
 * the move once. On a store of the shipped catalogs (a district that
 * ceased on 1 July 2025). */
START_TEST(a_deadlock_runs_a_cutover_move_again)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_cutover_report *rep = (dvc_cutover_report *)&rep;
	dvc_db *h;
	long long entries;
	ck_assert_ptr_nonnull(target = fresh_store());
	snprintf(target_copy, sizeof target_copy, "%s", target);
	target = target_copy;
	ck_ok(dvc_open(&h, target, NULL));
	ck_ok(dvc_catalog_import_file(h, src_path("data/catalog/kien-thuy-2018.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_catalog_import_file(h, src_path("data/catalog/hai-phong-2025.json"), DVC_FORMAT_AUTO, NULL));
	clock_now = instant("2025-06-16T09:00:00+07:00");
	dvc_set_clock(h, test_clock, NULL);
	ck_ok(dvc_officer_add(h, "tn.huyen", "Bộ phận một cửa huyện", "000.00.30.H24", DVC_ROLE_RECEPTION));
	s = citizen_submission("2.000815", "{\"purpose\":\"Chứng thực bản sao\",\"copies\":1}");
	ck_ok(dvc_dossier_submit(h, &s, &r));
	q.action = DVC_ACT_RECEIVE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "tn.huyen", NULL};
	ck_ok(dvc_dossier_act(h, r.code, &q, NULL));
	entries = count("journal");
	clock_now = instant("2025-07-01T08:00:00+07:00");
	/* a lasting one: the dossier stays, no report */
	inject_deadlocks("journal", 1000);
	ck_dvc(dvc_agency_cutover(h, NULL, &rep), DVC_EBUSY);
	ck_assert_ptr_null(rep);
	ck_assert_int_eq(tries(), 5);
	ck_assert_int_eq(count("journal"), entries);
	/* once, at the commit, after the move's report row was added: moved
	 * once, one row */
	inject_when("INSERT", "journal", 1, 1);
	ck_ok(dvc_agency_cutover(h, NULL, &rep));
	ck_assert_int_eq(tries(), 2);
	ck_assert_uint_eq(dvc_cutover_report_count(rep), 1);
	ck_assert_uint_eq(dvc_cutover_report_moved(rep), 1);
	ck_assert_str_eq(dvc_cutover_report_at(rep, 0)->dossier, r.code);
	ck_assert_int_eq(count("journal"), entries + 1);
	dvc_cutover_report_free(rep);
	dvc_close(h);
}
END_TEST

/* libpq's parse of the URI, written back as key='value' pairs */
static char *as_conninfo(const char *uri)
{
	char *err = NULL, *out = malloc(8192), *o = out;
	PQconninfoOption *opts = PQconninfoParse(uri, &err), *p;
	ck_assert_msg(opts != NULL, "%s", err ? err : "?");
	for (p = opts; p->keyword; p++) {
		if (!p->val)
			continue;
		o += sprintf(o, "%s%s='", o == out ? "" : " ", p->keyword);
		for (const char *c = p->val; *c; c++) {
			if (*c == '\'' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '\'';
		*o = '\0';
	}
	PQconninfoFree(opts);
	return out;
}

START_TEST(a_key_value_conninfo_opens_with_the_option)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	char *kv;
	dvc_db *h = NULL;
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	int v = 0;
	kv = as_conninfo(target);
	ck_assert_ptr_null(strstr(kv, "://"));
	o.flags |= DVC_OPEN_POSTGRESQL;
	ck_ok(dvc_open(&h, kv, &o));
	ck_assert_str_eq(dvc_backend_name(h), "postgresql");
	ck_ok(dvc_schema_version(h, &v));
	ck_assert_int_eq(v, DVC_SCHEMA_VERSION);
	/* the same store the URI opened: a dossier lodged through one is seen by the other */
	dvc_set_clock(h, test_clock, NULL);
	ck_ok(dvc_dossier_submit(h, &s, &r));
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM dossier"), 1);
	journal_verifies(r.code);
	dvc_close(h);
	free(kv);

	/* a conninfo that names no reachable server: DVC_EIO, no handle */
	ck_dvc(dvc_open(&h, "host=/nonexistent/socket/dir dbname=dvc connect_timeout=2", &o), DVC_EIO);
	ck_assert_ptr_null(h);
	ck_assert_msg(strstr(dvc_error_last()->message, "PostgreSQL"), "%s", dvc_error_last()->message);
}
END_TEST

START_TEST(the_busy_timeout_bounds_a_wait_for_a_row_lock)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	struct timespec t0, t1;
	double waited;
	dvc_db *b = NULL;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.action = DVC_ACT_RECEIVE;
	q.actor = desk;
	o.busy_timeout_ms = 300;
	ck_ok(dvc_open(&b, target, &o));
	dvc_set_clock(b, test_clock, NULL);

	/* one desk holds the dossier inside its transaction; the other waits 300 ms */
	ck_ok(dvc_begin(db));
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_dvc(dvc_dossier_act(b, r.code, &q, NULL), DVC_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(waited >= 0.25 && waited < 4.0, "waited %.3f s", waited);
	ck_ok(dvc_commit(db));

	/* once it let go, the second desk sees the intake and is refused for it */
	ck_dvc(dvc_dossier_act(b, r.code, &q, NULL), DVC_ETRANSITION);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM journal"), 2);
	dvc_close(b);
}
END_TEST

struct racer {
	dvc_db *db;
	const char *code;
	int rc;
	char message[256];
};

static void *race_receive(void *arg)
{
	struct racer *x = arg;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	q.action = DVC_ACT_RECEIVE;
	q.actor = desk;
	x->rc = dvc_dossier_act(x->db, x->code, &q, NULL);
	snprintf(x->message, sizeof x->message, "%s", dvc_error_last()->message);
	return NULL;
}

/* Two desks (two servers) receive one dossier at once: both read it before
 * either commits. The second's journal entry meets the first's: it is
 * refused as a stale version (409 at the portal), not as a schema error,
 * and the journal holds one receipt (tests/many_process_test.py found it). */
START_TEST(two_desks_acting_at_once_the_second_gets_a_conflict)
{
	dvc_submission s = citizen_submission(P3, FORM3);
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	dvc_actor desk = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	dvc_journal_report rep = DVC_JOURNAL_REPORT_INIT;
	struct racer x = {0};
	pthread_t t;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	q.action = DVC_ACT_RECEIVE;
	q.actor = desk;
	ck_ok(dvc_open(&x.db, target, NULL));
	dvc_set_clock(x.db, test_clock, NULL);
	x.code = r.code;

	/* the first desk has written its receipt, not yet committed; the second
	 * reads the dossier as it was and waits on the first's journal entry */
	ck_ok(dvc_begin(db));
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_assert_int_eq(pthread_create(&t, NULL, race_receive, &x), 0);
	nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
	ck_ok(dvc_commit(db));
	pthread_join(t, NULL);
	ck_assert_msg(x.rc == DVC_ECONFLICT, "%s: %s", dvc_status_name(x.rc), x.message);
	ck_assert_int_eq(pg_value(target, "SELECT count(*) FROM journal"), 2);
	ck_ok(dvc_journal_verify(db, r.code, &rep));
	ck_assert_int_eq(rep.entries, 2);
	/* reloaded, the second desk sees the intake */
	ck_dvc(dvc_dossier_act(x.db, r.code, &q, NULL), DVC_ETRANSITION);
	dvc_close(x.db);
}
END_TEST

/* The server ends the session (a restart, an administrator, a failover):
 * the call fails with DVC_EIO and a one-line message, nothing of it is
 * stored, the handle stays usable for dvc_close, and a new handle carries
 * on. Inside an explicit transaction nothing of it commits. */
static dvc_db *open_named(const char *name)
{
	char uri[4400];
	dvc_db *h;
	snprintf(uri, sizeof uri, "%s&application_name=%s", target, name);
	ck_ok(dvc_open(&h, uri, NULL));
	dvc_set_clock(h, test_clock, NULL);
	return h;
}

static void end_session(const char *name)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = '%s'",
		 name);
	ck_assert_int_eq(pg_value(target, sql), 1);
}

static dvc_state state_in(const char *code)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT state FROM dossier WHERE code = '%s'", code);
	return (dvc_state)pg_value(target, sql);
}

START_TEST(a_lost_connection_is_a_clear_error_and_writes_nothing)
{
	dvc_receipt r = submit_as_citizen(db, P3, "{\"purpose\":\"Xin cấp bản sao\",\"copies\":1}");
	dvc_action_req q = DVC_ACTION_INIT;
	char name[64];
	long long entries = count("journal");
	dvc_db *h;
	snprintf(name, sizeof name, "dvc_lost_%ld", (long)getpid());
	q.action = DVC_ACT_RECEIVE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	/* between calls */
	h = open_named(name);
	end_session(name);
	ck_dvc(dvc_dossier_act(h, r.code, &q, NULL), DVC_EIO);
	ck_assert_ptr_null(strchr(dvc_error_last()->message, '\n'));
	ck_assert_int_eq(state_in(r.code), DVC_STATE_SUBMITTED);
	ck_assert_int_eq(count("journal"), entries);
	dvc_close(h);
	/* inside the caller's transaction, after a write */
	h = open_named(name);
	ck_ok(dvc_begin(h));
	ck_ok(dvc_dossier_act(h, r.code, &q, NULL));
	end_session(name);
	ck_assert_int_ne(dvc_commit(h), DVC_OK);
	ck_assert_int_eq(dvc_error_last()->code, DVC_EIO);
	dvc_rollback(h);
	dvc_close(h);
	ck_assert_int_eq(state_in(r.code), DVC_STATE_SUBMITTED);
	ck_assert_int_eq(count("journal"), entries);
	/* a new handle carries on */
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_assert_int_eq(state_in(r.code), DVC_STATE_RECEIVED);
	journal_verifies(r.code);
}
END_TEST

#endif

int main(void)
{
	const TTest *const sqlite_tests[] = {unknown_open_options_are_refused, NULL};
#ifdef DVC_TEST_LIBPQ
	const TTest *const tests[] = {
		unknown_open_options_are_refused,
		a_deadlock_runs_the_submission_again,
		a_lasting_deadlock_gives_up_and_writes_nothing,
		inside_an_explicit_transaction_the_caller_retries,
		a_deadlock_runs_the_action_again,
		a_deadlock_runs_the_outbox_lease_and_ack_again,
		a_deadlock_runs_an_upload_from_memory_again,
		a_deadlock_after_a_stream_was_read_is_not_run_again,
		a_deadlock_runs_the_signature_again,
		a_deadlock_runs_a_cutover_move_again,
		a_key_value_conninfo_opens_with_the_option,
		the_busy_timeout_bounds_a_wait_for_a_row_lock,
		two_desks_acting_at_once_the_second_gets_a_conflict,
		a_lost_connection_is_a_clear_error_and_writes_nothing,
		NULL};
	if (test_db_uri())
		return run_tests("pg", setup, teardown, 0, tests);
#endif
	fprintf(stderr, "pg: DVC_TEST_DB_URI is not set: only the option checks run "
			"(scripts/test.sh runs this suite on PostgreSQL)\n");
	return run_tests("pg", setup, teardown, 0, sqlite_tests);
}
