/* Crash consistency: a writer process runs whole dossier lifecycles (intake,
 * supplements, pauses, transfers, online payment, rejection, return) on a
 * store file and is killed with SIGKILL at a random moment, again and again.
 * After every kill the store is reopened and must show:
 *
 *   - an intact database (on SQLite: PRAGMA integrity_check,
 *     foreign_key_check; a PostgreSQL server checks its pages and enforces
 *     foreign keys itself);
 *   - every journal chain verifying (dvc_dossier_verify);
 *   - no dossier lost: every action the writer saw succeed is there;
 *   - no dossier half-moved: version == journal length, the state is the
 *     last entry's target, fees paid == confirmed payments;
 *   - dossier codes unique and gap-free per desk and day, the sequence
 *     counter equal to the highest code;
 *   - the outbox consistent with the journal: exactly one SMS and one e-mail
 *     per notifying journal entry, and nothing else;
 *   - every document a dossier lists downloads whole and matches its SHA-256
 *     (its chunks were written with its row and journal entry, or not at all),
 *     one journal entry (attach) per file.
 *
 * On PostgreSQL (DVC_TEST_DB_URI) the store is a schema of its own and the
 * kill ends the writer's connection mid-transaction: the server must roll
 * back whatever it had not committed.
 *
 * DVC_CRASH_KILLS sets the number of kills (default 40), DVC_CRASH_SEED the
 * random seed (printed, to replay a run). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define JUSTICE "000.01.30.H24"
#define TNMT "000.08.30.H24"
#define CITY "000.00.00.H24"
#define GATEWAY "bi-mat-cong-thanh-toan"
#define OWNER "chu.ho.so"

static char dir[64], logpath[128];
/* the store: a file under dir on SQLite, a schema's URI on PostgreSQL
 * (store_at, taken once and opened by every writer) */
static char path[4096];

static const struct {
	const char *tag, *code;
} units[] = {{"desk", DESK}, {"justice", JUSTICE}, {"tnmt", TNMT}, {"city", CITY}};

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void officer_for(dvc_role role, const char *unit, char out[64])
{
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		if (!strcmp(units[u].code, unit))
			snprintf(out, 64, "%s.%s", dvc_role_name(role), units[u].tag);
}

static void prepare_store(void)
{
	dvc_db *db;
	char name[64];
	ck_ok(dvc_open(&db, path, NULL));
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
		for (int r = DVC_ROLE_RECEPTION; r <= DVC_ROLE_ADMIN; r++) {
			snprintf(name, sizeof name, "%s.%s", dvc_role_name((dvc_role)r), units[u].tag);
			ck_ok(dvc_officer_add(db, name, "Cán bộ", units[u].code, (dvc_role)r));
		}
	ck_ok(dvc_account_register(db, OWNER, "mat-khau-chu-ho-so", &an_nguyen));
	dvc_close(db);
}

/* ---- the writer (child process) ---- */

static int logfd = -1;
/* the writer says here when its store is open (PostgreSQL, see below) */
static int openedfd = -1;

/* The writer saw this succeed: one line, one write(2), so a kill cannot tear it. */
static void logged(const char *code, int64_t version)
{
	char line[160];
	int n = snprintf(line, sizeof line, "%s %lld\n", code, (long long)version);
	if (write(logfd, line, (size_t)n) != n)
		_exit(3);
}

static int act(dvc_db *db, const dvc_tracking *t, dvc_action a, const char *officer,
	       const char *target)
{
	dvc_action_req r = DVC_ACTION_INIT;
	int64_t v;
	int rc;
	r.action = a;
	r.expected_version = t->version;
	if (officer)
		r.actor = (dvc_actor){DVC_ACTOR_OFFICER, officer, NULL};
	else
		r.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, OWNER, NULL};
	r.note = "Ghi chú của người xử lý";
	r.target = target;
	if ((rc = dvc_dossier_act(db, t->code, &r, &v)) == DVC_OK)
		logged(t->code, v);
	return rc;
}

static int pay(dvc_db *db, const dvc_tracking *t)
{
	dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	dvc_tracking *after;
	dvc_actor admin = {DVC_ACTOR_OFFICER, "admin.desk", NULL};
	char q[300], *signed_q;
	int rc;
	if ((rc = dvc_payment_request(db, t->code, &req)) != DVC_OK)
		return rc;
	snprintf(q, sizeof q, "vnp_Amount=%lld&vnp_ResponseCode=00&vnp_TransactionNo=%u"
		 "&vnp_TransactionStatus=00&vnp_TxnRef=%s", (long long)req.amount * 100, rnd(1000000),
		 req.reference);
	if ((rc = dvc_payment_sign(q, GATEWAY, &signed_q)) != DVC_OK)
		return rc;
	rc = dvc_payment_callback(db, signed_q, &res);
	dvc_free(signed_q);
	if (rc == DVC_OK && dvc_dossier_track(db, t->code, &admin, &after) == DVC_OK) {
		logged(t->code, after->version);
		dvc_tracking_free(after);
	}
	return rc;
}

/* A document streamed in by the owner (document.h): content, metadata and
 * journal entry in one transaction. Sizes vary so that some span chunks. */
typedef struct doc_src {
	size_t n, off;
	unsigned char fill;
} doc_src;

static int64_t doc_read(void *ctx, void *buf, size_t cap)
{
	static const char head[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
	doc_src *d = ctx;
	size_t k = d->n - d->off < cap ? d->n - d->off : cap;
	unsigned char *b = buf;
	for (size_t i = 0; i < k; i++)
		b[i] = d->off + i < sizeof head - 1 ? (unsigned char)head[d->off + i] : d->fill;
	d->off += k;
	return (int64_t)k;
}

static int attach(dvc_db *db, const dvc_tracking *t)
{
	dvc_attach_req q = DVC_ATTACH_INIT;
	doc_src d = {1000 + rnd(3) * 70000, 0, (unsigned char)('a' + rnd(26))};
	dvc_actor admin = {DVC_ACTOR_OFFICER, "admin.desk", NULL};
	dvc_tracking *after;
	int rc;
	q.actor = (dvc_actor){DVC_ACTOR_ACCOUNT, OWNER, NULL};
	q.component = 0;
	q.name = "tờ khai.pdf";
	q.declared_size = (int64_t)d.n;
	q.read = doc_read;
	q.read_ctx = &d;
	rc = dvc_dossier_attach(db, t->code, &q, NULL);
	if (rc == DVC_OK && dvc_dossier_track(db, t->code, &admin, &after) == DVC_OK) {
		logged(t->code, after->version);
		dvc_tracking_free(after);
	}
	return rc;
}

static int has_file(const dvc_tracking *t)
{
	for (size_t i = 0; i < t->n_history; i++)
		if (t->history[i].action == DVC_ACT_ATTACH)
			return 1;
	return 0;
}

/* One step forward along a plausible path; DVC_ETRANSITION is a precondition
 * that did not hold (a second supplement request...): pick again. */
static int advance(dvc_db *db, const char *code)
{
	dvc_actor admin = {DVC_ACTOR_OFFICER, "admin.desk", NULL};
	dvc_tracking *t;
	char who[64];
	int rc;
	if ((rc = dvc_dossier_track(db, code, &admin, &t)) != DVC_OK)
		return rc;
	officer_for(t->step_role, t->unit, who);
	unsigned dice = rnd(100);
	switch (t->state) {
	case DVC_STATE_DRAFT:
		rc = act(db, t, dice < 90 ? DVC_ACT_SUBMIT : DVC_ACT_WITHDRAW, NULL, NULL);
		break;
	case DVC_STATE_SUBMITTED:
		rc = !strcmp(t->procedure, "T.000003") && (!has_file(t) || rnd(4) == 0) ? attach(db, t)
		     : dice < 10 ? act(db, t, DVC_ACT_REQUEST_SUPPLEMENT, "reception.desk", NULL)
		     : dice < 14 ? act(db, t, DVC_ACT_REJECT, "reception.desk", NULL)
		     : dice < 17 ? act(db, t, DVC_ACT_WITHDRAW, NULL, NULL)
		     : dice < 19 ? act(db, t, DVC_ACT_CANCEL, "admin.desk", NULL)
				 : act(db, t, DVC_ACT_RECEIVE, "reception.desk", NULL);
		break;
	case DVC_STATE_SUPPLEMENT_REQUESTED:
		rc = act(db, t, DVC_ACT_SUPPLY, dice < 50 ? NULL : "reception.desk", NULL);
		break;
	case DVC_STATE_RECEIVED:
		if (t->fee_due > t->fee_paid && dice < 80)
			rc = pay(db, t);
		else
			rc = dice < 5 ? act(db, t, DVC_ACT_REJECT, "reception.desk", NULL)
					: act(db, t, DVC_ACT_FORWARD, "reception.desk", NULL);
		break;
	case DVC_STATE_IN_PROGRESS:
		rc = dice < 6    ? act(db, t, DVC_ACT_PAUSE, who, NULL)
		     : dice < 11 ? act(db, t, DVC_ACT_SEND_BACK, who, NULL)
		     : dice < 15 ? act(db, t, DVC_ACT_REQUEST_SUPPLEMENT, who, NULL)
		     : dice < 18 ? act(db, t, DVC_ACT_TRANSFER, who, strcmp(t->unit, CITY) ? CITY : JUSTICE)
		     : dice < 20 ? act(db, t, DVC_ACT_REJECT, who, NULL)
				 : act(db, t, DVC_ACT_FORWARD, who, NULL);
		break;
	case DVC_STATE_PAUSED:
		rc = act(db, t, DVC_ACT_RESUME, who, NULL);
		break;
	case DVC_STATE_RESULT_READY:
		rc = act(db, t, DVC_ACT_RETURN, "reception.desk", NULL);
		break;
	default:
		rc = DVC_ETRANSITION;
		break;
	}
	dvc_tracking_free(t);
	return rc == DVC_ETRANSITION || rc == DVC_EINVAL ? DVC_OK : rc;
}

static int is_final_code(dvc_db *db, const char *code)
{
	dvc_actor admin = {DVC_ACTOR_OFFICER, "admin.desk", NULL};
	dvc_tracking *t;
	int final;
	if (dvc_dossier_track(db, code, &admin, &t) != DVC_OK)
		_exit(4);
	final = dvc_state_is_final(t->state);
	dvc_tracking_free(t);
	return final;
}

static void finish(dvc_db *db, const char *code)
{
	for (int guard = 0; guard < 200 && !is_final_code(db, code); guard++)
		if (advance(db, code) != DVC_OK)
			_exit(5);
}

static void writer(void)
{
	dvc_db *db;
	dvc_dossier_list *l;
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	alarm(20); /* never outlive a dead parent for long */
	if ((logfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
		_exit(2);
	if (dvc_open(&db, path, NULL) != DVC_OK || dvc_payment_set_gateway(db, "vnpay", GATEWAY) != DVC_OK)
		_exit(2);
	if (write(openedfd, "o", 1) != 1)
		_exit(2);
	/* first finish what the previous writer left half-way */
	f.limit = 100000;
	if (dvc_dossier_find(db, &f, &l) != DVC_OK)
		_exit(2);
	for (size_t i = 0; i < dvc_dossier_list_count(l); i++)
		if (!dvc_state_is_final(dvc_dossier_list_at(l, i)->state))
			finish(db, dvc_dossier_list_at(l, i)->code);
	dvc_dossier_list_free(l);
	for (;;) {
		dvc_submission s = DVC_SUBMISSION_INIT;
		dvc_receipt r = DVC_RECEIPT_INIT;
		unsigned dice = rnd(100);
		s.procedure = dice < 50 ? "T.000004" : "T.000003";
		if (dice >= 50)
			s.form_data = "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}";
		s.account = OWNER;
		s.draft = rnd(10) == 0;
		if (dvc_dossier_submit(db, &s, &r) != DVC_OK)
			_exit(6);
		logged(r.code, 1);
		finish(db, r.code);
	}
}

/* ---- the checks (parent) ---- */

typedef struct seen {
	char code[DVC_CODE_MAX];
	long long version;
} seen;

static const char *event_of(const dvc_journal_entry *e)
{
	switch (e->action) {
	case DVC_ACT_RECEIVE: return "accepted";
	case DVC_ACT_REQUEST_SUPPLEMENT: return "supplement";
	case DVC_ACT_REJECT: return "rejected";
	case DVC_ACT_FORWARD: return e->to == DVC_STATE_RESULT_READY ? "result_ready" : NULL;
	case DVC_ACT_RESCHEDULE: return "apology";
	case DVC_ACT_PAY: return "payment";
	default: return NULL;
	}
}

/* The store's dossiers by code, with their versions, to look up what the
 * writer logged. */
typedef struct stored {
	const char *code;
	long long rev;
} stored;

static int by_code(const void *a, const void *b)
{
	return strcmp(((const stored *)a)->code, ((const stored *)b)->code);
}

static int discard(void *ctx, const void *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0;
}

static long files_total;

static size_t check_store(long *outbox_total)
{
	store_rows *rows;
	stored *revs;
	dvc_db *db;
	size_t checked = 0, n = 0;
	int version;
	dvc_actor admin = {DVC_ACTOR_OFFICER, "admin.desk", NULL};

	/* the SQLite file itself: recovery happens at open (WAL replay). A
	 * PostgreSQL server recovers and checks its own pages and enforces
	 * foreign keys on every write: nothing of the kind to ask it. */
	if (!store_is_pg(path)) {
		rows = store_query(path, "PRAGMA integrity_check");
		ck_assert_int_eq(rows->n_rows, 1);
		ck_assert_str_eq(store_cell(rows, 0, 0), "ok");
		store_rows_free(rows);
		rows = store_query(path, "PRAGMA foreign_key_check");
		ck_assert_int_eq(rows->n_rows, 0);
		store_rows_free(rows);
	}

	ck_ok(dvc_open(&db, path, NULL));
	ck_ok(dvc_schema_version(db, &version));
	ck_assert_int_eq(version, DVC_SCHEMA_VERSION);
	ck_ok(dvc_dossier_verify(db, NULL, &checked));

	/* codes: unique, gap-free per (desk, day), the counter at the top */
	/* (SQL both backends speak: no negative substr start, a named subquery) */
	ck_assert_int_eq(store_value(path, "SELECT count(*) - count(DISTINCT code) FROM dossier"), 0);
	ck_assert_int_eq(store_value(path,
		"SELECT count(*) FROM (SELECT substr(code, 1, length(code) - 5) AS k,"
		" max(CAST(substr(code, length(code) - 3) AS INTEGER)) AS top, count(*) AS n"
		" FROM dossier GROUP BY substr(code, 1, length(code) - 5)) AS per_day"
		" WHERE top <> n"), 0);
	ck_assert_int_eq(store_value(path,
		"SELECT count(*) FROM dossier_seq s WHERE s.last <> (SELECT count(*) FROM dossier d"
		" WHERE d.code LIKE s.agency || '-' || s.day || '-%')"), 0);
	/* fees paid are the confirmed payments, refunds the refund records */
	ck_assert_int_eq(store_value(path,
		"SELECT count(*) FROM dossier d WHERE d.fee_paid <> (SELECT coalesce(sum(amount), 0)"
		" FROM payment p WHERE p.dossier_id = d.id AND p.kind = 0 AND p.state = 1)"
		" OR d.fee_refunded <> (SELECT coalesce(sum(amount), 0) FROM payment p"
		" WHERE p.dossier_id = d.id AND p.kind = 1)"), 0);

	/* every dossier: not half-moved, and its outbox matches its journal */
	rows = store_query(path, "SELECT code, rev FROM dossier ORDER BY id");
	revs = calloc((size_t)rows->n_rows + 1, sizeof *revs);
	ck_assert_ptr_nonnull(revs);
	for (int row = 0; row < rows->n_rows; row++) {
		const char *code = store_cell(rows, row, 0);
		revs[row] = (stored){code, strtoll(store_cell(rows, row, 1), NULL, 10)};
		dvc_tracking *t;
		dvc_message_batch *b;
		size_t want = 0;
		ck_ok(dvc_dossier_track(db, code, &admin, &t));
		ck_assert_msg((int64_t)t->n_history == t->version, "%s: version %lld, %zu journal entries",
			      code, (long long)t->version, t->n_history);
		ck_assert_msg(t->history[t->n_history - 1].to == t->state, "%s: state %s, journal says %s",
			      code, dvc_state_name(t->state),
			      dvc_state_name(t->history[t->n_history - 1].to));
		ck_ok(dvc_outbox_list(db, code, &b));
		for (size_t i = 0; i < t->n_history; i++) {
			const char *ev = event_of(&t->history[i]);
			if (!ev)
				continue;
			for (int ch = 0; ch < 2; ch++) {
				char key[200];
				int found = 0;
				snprintf(key, sizeof key, "%s/%lld/%s/%s", code, (long long)t->history[i].seq,
					 ev, ch ? "email" : "sms");
				for (size_t k = 0; k < dvc_message_batch_count(b); k++)
					found += !strcmp(dvc_message_batch_at(b, k)->idempotency_key, key);
				ck_assert_msg(found == 1, "%s: message %s is there %d times", code, key, found);
				want++;
			}
		}
		ck_assert_msg(dvc_message_batch_count(b) == want, "%s: %zu messages, the journal explains %zu",
			      code, dvc_message_batch_count(b), want);
		{
			dvc_file_list *fl;
			size_t attaches = 0;
			ck_ok(dvc_dossier_files(db, code, &admin, &fl));
			for (size_t i = 0; i < dvc_file_list_count(fl); i++)
				ck_assert_msg(dvc_dossier_download(db, code, &admin, dvc_file_list_at(fl, i)->id,
								   discard, NULL) == DVC_OK,
					      "%s: file %lld does not download whole: %s", code,
					      (long long)dvc_file_list_at(fl, i)->id, dvc_error_last()->message);
			for (size_t i = 0; i < t->n_history; i++)
				attaches += t->history[i].action == DVC_ACT_ATTACH;
			ck_assert_msg(attaches == dvc_file_list_count(fl), "%s: %zu files, %zu attach entries",
				      code, dvc_file_list_count(fl), attaches);
			/* a writer's first step on a submitted T.000003 is an upload: one that
			 * left the submitted state has a document */
			for (size_t i = 0; i < t->n_history; i++)
				if (!strcmp(t->procedure, "T.000003") && t->history[i].from == DVC_STATE_SUBMITTED &&
				    t->history[i].to != DVC_STATE_SUBMITTED)
					ck_assert_msg(attaches > 0, "%s left the submitted state without its upload", code);
			files_total += dvc_file_list_count(fl);
			dvc_file_list_free(fl);
		}
		*outbox_total += (long)want;
		dvc_message_batch_free(b);
		dvc_tracking_free(t);
		n++;
	}
	ck_assert_uint_eq(n, checked);
	qsort(revs, n, sizeof *revs, by_code);

	/* nothing the writer saw succeed is lost */
	FILE *lf = fopen(logpath, "r");
	if (lf) {
		char code[DVC_CODE_MAX + 8];
		long long v;
		while (fscanf(lf, "%100s %lld", code, &v) == 2) {
			stored key = {code, 0};
			const stored *s = bsearch(&key, revs, n, sizeof *revs, by_code);
			ck_assert_msg(s != NULL, "%s: the writer saw it submitted, the store has not got it",
				      code);
			ck_assert_msg(s->rev >= v, "%s: the writer saw version %lld, the store has %lld",
				      code, v, s->rev);
		}
		fclose(lf);
	}
	free(revs);
	store_rows_free(rows);
	dvc_close(db);
	return n;
}

START_TEST(killed_writers_never_lose_or_corrupt_a_dossier)
{
	const char *e = getenv("DVC_CRASH_KILLS");
	long kills = e ? atol(e) : 40, survived = 0, early = 0, outbox = 0;
	size_t dossiers = 0;
	e = getenv("DVC_CRASH_SEED");
	rng = e ? strtoull(e, NULL, 10) : (unsigned long long)time(NULL) * 2654435761ull + (unsigned)getpid();
	if (!rng)
		rng = 88172645463325252ull;
	printf("crash: seed %llu (DVC_CRASH_SEED to replay), %ld kills\n", rng, kills);
	snprintf(dir, sizeof dir, "/tmp/dvc-crash-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof logpath, "%s/crash.db", dir);
	snprintf(path, sizeof path, "%s", store_at(logpath));
	snprintf(logpath, sizeof logpath, "%s/writer.log", dir);
	if (store_is_pg(path))
		printf("crash: on PostgreSQL (a schema of its own); PRAGMA integrity_check and "
		       "foreign_key_check are SQLite's and not run\n");
	prepare_store();

	for (long k = 0; k < kills; k++) {
		int status, opened[2];
		/* SQLite: counted from the fork; the first milliseconds are the open
		 * (WAL recovery included), most kills land in lifecycles. PostgreSQL:
		 * the open (connecting, the schema check) takes longer than SQLite's
		 * whole window, so the delay is counted from the writer's word that
		 * its store is open, and is longer (0-400 ms): a new connection
		 * prepares each statement on the server at its first run, and every
		 * statement is a round trip (about 14 lifecycles a second here). */
		int pg = store_is_pg(path);
		long delay_us = pg ? (long)rnd(400000) : 2000 + (long)rnd(40000);
		struct timespec delay = {delay_us / 1000000, delay_us % 1000000 * 1000};
		char word;
		ck_assert_int_eq(pipe(opened), 0);
		fflush(stdout);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(opened[0]);
			openedfd = opened[1];
			writer();
		}
		close(opened[1]);
		if (pg) /* the writer's alarm bounds this wait */
			ck_assert_msg(read(opened[0], &word, 1) == 1, "the writer could not open %s", path);
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		close(opened[0]); /* after: a writer killed before its word gets no SIGPIPE */
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
			/* the writer stopped by itself: that is a failure of its own */
			ck_assert_msg(0, "writer exited with status %d before the kill",
				      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			early++;
		}
		outbox = 0;
		files_total = 0;
		dossiers = check_store(&outbox);
		survived++;
	}
	printf("crash: %ld kills survived, %zu dossiers, %ld outbox messages and %ld documents checked "
	       "in the last round, store intact\n", survived, dossiers, outbox, files_total);
	temp_dir_remove(dir);
	(void)early;
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {killed_writers_never_lose_or_corrupt_a_dossier, NULL};
	return run_tests("crash", NULL, NULL, 3600, tests);
}
