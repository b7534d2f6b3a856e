/* Dossier benchmark: full lifecycles (submit, receive, three route steps,
 * result, return: 7 journaled actions) on a file store in WAL mode.
 *
 *  - dossier_batched: lifecycles grouped into transactions of ~1,000 actions
 *    (dvc_begin/dvc_commit), reported as actions per second next to a "floor":
 *    a bare SQLite loop in the same run, on a second file with the same
 *    PRAGMAs, doing only the row writes of each action with prepared
 *    statements (submit: INSERT dossier + INSERT journal; every other action:
 *    one UPDATE ... WHERE id = ? AND rev = ? + one INSERT journal). The floor
 *    uses the library's own SQL text, tables and indexes, so the ratio is the
 *    share of time the library spends on the writes themselves.
 *    With notifications on (the default) the library also writes an outbox
 *    row at intake and at the result (the applicant's SMS, in the same
 *    transaction); a second floor adds those rows too ("floor_outbox"), so
 *    that configuration is compared with the same row writes as well.
 *  - dossier_batched_split: mean time per call of each kind of action.
 *  - dossier_durable: each action its own transaction (no dvc_begin); median,
 *    p99 and max latency per action, and the same for the floor with
 *    BEGIN IMMEDIATE/COMMIT per action (with the outbox rows when
 *    notifications are on).
 *
 * "Durable" here means committed, as a libdvc store commits: WAL with
 * synchronous=NORMAL. A commit appends to the WAL without fsync; the WAL is
 * synced at checkpoints. A committed action survives a crash of the process
 * but may be lost on power failure until the next checkpoint (SQLite's
 * documented trade-off for WAL + NORMAL; the database never corrupts).
 *
 * Prints JSON lines; asserts nothing about time (it exits non-zero only if an
 * action fails). Usage:
 *   bench_dossier [--catalog PATH] [LIFECYCLES] [DURABLE_LIFECYCLES]
 * The catalog defaults to tests/data/dossier_catalog.json relative to the
 * working directory, then to $DVC_SOURCE_ROOT. */
#include "bench_util.h"
#include "dvc/dvc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define JUSTICE "000.01.30.H24"
#define PROC "T.000003"
#define FORM "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"
#define ACTIONS_PER_LIFECYCLE 7
/* Whole lifecycles per batch: 142 * 7 = 994 actions per transaction. */
#define BATCH_LIFECYCLES (1000 / ACTIONS_PER_LIFECYCLE)

/* ---- the simulated clock ----
 * Starts on Monday 2018-07-02 08:00 (Vietnam), the first working day after
 * the catalog's procedures come into force, and moves a few minutes per
 * action, through nights, weekends and holidays: the deadlines computed at
 * intake are real working-time deadlines. The step shrinks if a huge run would
 * leave the years the embedded calendar knows (2018-2026). */
#define SIM_START 1530493200 /* 2018-07-02T08:00:00+07:00 */
#define SIM_END 1795971600   /* 2026-12-01T00:00:00+07:00 */

typedef struct sim_clock {
	dvc_time t;
	dvc_time step;
} sim_clock;

static int sim_now(void *ctx, dvc_time *out)
{
	*out = ((sim_clock *)ctx)->t;
	return 0;
}

static void sim_init(sim_clock *c, long actions)
{
	c->t = SIM_START;
	c->step = 180;
	if (actions > 0 && (SIM_END - SIM_START) / actions < c->step)
		c->step = (SIM_END - SIM_START) / actions;
	if (c->step < 1)
		c->step = 1;
}

/* ---- the library side ---- */

/* Who does each of the six actions after submission. */
static const struct {
	dvc_action action;
	const char *officer;
	const char *label;
} route[ACTIONS_PER_LIFECYCLE - 1] = {
	{DVC_ACT_RECEIVE, "le.tiep.nhan", "receive"},
	{DVC_ACT_FORWARD, "le.tiep.nhan", "forward_desk"},
	{DVC_ACT_FORWARD, "tran.chuyen.vien", "forward_specialist"},
	{DVC_ACT_FORWARD, "nguyen.truong.phong", "forward_unit_leader"},
	{DVC_ACT_FORWARD, "hoang.lanh.dao", "forward_signing"},
	{DVC_ACT_RETURN, "le.tiep.nhan", "return"},
};

static int fail(const char *what)
{
	const dvc_error *e = dvc_error_last();
	fprintf(stderr, "bench_dossier: %s: %s (%s)%s%s\n", what, e->message,
		dvc_status_name(e->code), e->path ? " at " : "", e->path ? e->path : "");
	return 1;
}

/* --no-notify: the outbox switched off (see open_store) */
static int no_notify;
/* --journal-key FILE: every entry and checkpoint signed (proof.h) */
static const char *journal_key;

static int open_store(const char *dir, const char *name, const char *catalog, sim_clock *clk,
		      dvc_db **out)
{
	char path[4200];
	dvc_db *db;
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	o.journal_key_file = journal_key;
	if (dvc_open(&db, path, &o) != DVC_OK)
		return fail("opening the store");
	dvc_set_clock(db, sim_now, clk);
	if (dvc_catalog_import_file(db, catalog, DVC_FORMAT_AUTO, NULL) != DVC_OK) {
		dvc_close(db);
		return fail("importing the catalog");
	}
	if (add_officers(db) != DVC_OK) {
		dvc_close(db);
		return fail("adding an officer");
	}
	if (no_notify) {
		/* empty templates switch the outbox off: the figure the floor
		 * (dossier row + journal, no notification rows) compares with */
		static const char off[] =
			"{\"format\":\"dvc-notify-templates\",\"format_version\":1,\"templates\":{"
			"\"accepted\":{\"sms\":\"\",\"email_body\":\"\"},"
			"\"result_ready\":{\"sms\":\"\",\"email_body\":\"\"}}}";
		if (dvc_notify_set_templates(db, off, sizeof off - 1) != DVC_OK) {
			dvc_close(db);
			return fail("switching notifications off");
		}
	}
	*out = db;
	return 0;
}

/* One lifecycle; lat (7 slots, or NULL) receives each call's seconds. */
static int lifecycle(dvc_db *db, sim_clock *clk, double *lat)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	int64_t ver = 1;
	double t0, t1;
	s.procedure = PROC;
	s.applicant = &applicant;
	s.form_data = FORM;
	clk->t += clk->step;
	t0 = now_s();
	if (dvc_dossier_submit(db, &s, &r) != DVC_OK)
		return fail("submit");
	t1 = now_s();
	if (lat)
		lat[0] = t1 - t0;
	for (int i = 0; i < ACTIONS_PER_LIFECYCLE - 1; i++) {
		dvc_action_req a = DVC_ACTION_INIT;
		a.action = route[i].action;
		a.actor.kind = DVC_ACTOR_OFFICER;
		a.actor.name = route[i].officer;
		a.expected_version = ver; /* what the officer's screen showed */
		clk->t += clk->step;
		t0 = t1;
		if (dvc_dossier_act(db, r.code, &a, &ver) != DVC_OK)
			return fail(route[i].label);
		t1 = now_s();
		if (lat)
			lat[i + 1] = t1 - t0;
	}
	return 0;
}

/* The last dossier must be returned with a sound 7-entry journal. */
static int check_last(dvc_db *db)
{
	dvc_dossier_filter f = DVC_DOSSIER_FILTER_INIT;
	dvc_dossier_list *l;
	dvc_tracking *t;
	dvc_actor who = {DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	int bad;
	f.limit = 1;
	if (dvc_dossier_find(db, &f, &l) != DVC_OK || dvc_dossier_list_count(l) != 1)
		return fail("listing");
	if (dvc_dossier_track(db, dvc_dossier_list_at(l, 0)->code, &who, &t) != DVC_OK ||
	    dvc_dossier_verify(db, t->code, NULL) != DVC_OK) {
		dvc_dossier_list_free(l);
		return fail("checking the last dossier");
	}
	bad = t->state != DVC_STATE_RETURNED || t->n_history != ACTIONS_PER_LIFECYCLE ||
	      t->due_at == 0 || t->overdue;
	if (bad)
		fprintf(stderr, "bench_dossier: last dossier %s is %s with %zu journal entries\n",
			t->code, dvc_state_name(t->state), t->n_history);
	dvc_tracking_free(t);
	dvc_dossier_list_free(l);
	return bad;
}

/* ---- the floor: bare SQLite doing the same row writes ---- */

/* The library's dossier and journal tables and indexes, without the
 * references to catalog tables the floor does not have. */
static const char FLOOR_SCHEMA[] =
	"CREATE TABLE dossier ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, version_id INTEGER NOT NULL,"
	"  channel INTEGER NOT NULL, state INTEGER NOT NULL, rev INTEGER NOT NULL,"
	"  account_id INTEGER, secret_hash BLOB,"
	"  applicant_name TEXT NOT NULL, applicant_citizen_id TEXT NOT NULL,"
	"  applicant_birth_date TEXT NOT NULL, applicant_address TEXT NOT NULL,"
	"  applicant_phone TEXT, applicant_email TEXT, form_data TEXT,"
	"  submitted_at INTEGER NOT NULL, received_at INTEGER, due_at INTEGER,"
	"  rescheduled_due_at INTEGER, result_at INTEGER, finished_at INTEGER,"
	"  step INTEGER NOT NULL, unit TEXT NOT NULL, handler_id INTEGER,"
	"  step_since INTEGER NOT NULL, step_due_at INTEGER,"
	"  stopped_at INTEGER, remaining INTEGER, step_remaining INTEGER,"
	"  flags INTEGER NOT NULL DEFAULT 0, delivery INTEGER,"
	"  track_failures INTEGER NOT NULL DEFAULT 0, track_locked_until INTEGER NOT NULL DEFAULT 0,"
	"  journal_seq INTEGER NOT NULL DEFAULT 0, journal_head BLOB);"
	"CREATE INDEX dossier_unit_state ON dossier(unit, state);"
	"CREATE INDEX dossier_state_due ON dossier(state, due_at);"
	"CREATE INDEX dossier_account ON dossier(account_id);"
	"CREATE TABLE journal ("
	"  dossier_id INTEGER NOT NULL REFERENCES dossier(id), seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, unit TEXT, action INTEGER NOT NULL,"
	"  from_state INTEGER NOT NULL, to_state INTEGER NOT NULL, note TEXT,"
	"  payload_digest BLOB, hash BLOB NOT NULL,"
	"  PRIMARY KEY (dossier_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY, dossier_id INTEGER REFERENCES dossier(id),"
	"  idem_key TEXT NOT NULL UNIQUE, event TEXT NOT NULL, channel INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL, subject TEXT, body TEXT NOT NULL,"
	"  ascii INTEGER NOT NULL DEFAULT 0, segments INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
	"CREATE INDEX outbox_dossier ON outbox(dossier_id);";

static const char FLOOR_INSERT[] =
	"INSERT INTO dossier(code, version_id, channel, state, rev, account_id, secret_hash,"
	" applicant_name, applicant_citizen_id, applicant_birth_date, applicant_address,"
	" applicant_phone, applicant_email, form_data, submitted_at, step, unit, step_since, flags)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
static const char FLOOR_UPDATE[] =
	"UPDATE dossier SET state = ?2, rev = ?3, received_at = ?4, due_at = ?5,"
	" rescheduled_due_at = ?6, result_at = ?7, finished_at = ?8, step = ?9, unit = ?10,"
	" handler_id = ?11, step_since = ?12, step_due_at = ?13, stopped_at = ?14, remaining = ?15,"
	" step_remaining = ?16, flags = ?17, delivery = ?18, journal_seq = ?19, journal_head = ?20,"
	" submitted_at = ?21, track_failures = ?22, track_locked_until = ?23"
	" WHERE id = ?1 AND rev = ?24";
static const char FLOOR_JOURNAL[] =
	"INSERT INTO journal(dossier_id, seq, at, actor, unit, action, from_state, to_state, note,"
	" payload_digest, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

static const char FLOOR_OUTBOX[] =
	"INSERT INTO outbox(dossier_id, idem_key, event, channel, recipient, subject, body, ascii,"
	" segments, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
	" ON CONFLICT(idem_key) DO NOTHING";

typedef struct floor_db {
	sqlite3 *sql;
	sqlite3_stmt *ins, *upd, *jnl, *out, *begin, *commit;
	int64_t next_id;
	int outbox; /* also write the outbox rows the library writes */
} floor_db;

static int floor_fail(floor_db *f, const char *what)
{
	fprintf(stderr, "bench_dossier: floor: %s: %s\n", what, f->sql ? sqlite3_errmsg(f->sql) : "?");
	return 1;
}

static int floor_open(const char *dir, floor_db *f, int outbox)
{
	char path[4200];
	memset(f, 0, sizeof *f);
	f->outbox = outbox;
	snprintf(path, sizeof path, "%s/floor.db", dir);
	if (sqlite3_open_v2(path, &f->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		return floor_fail(f, "open");
	/* the store's PRAGMAs (lib/store.c) */
	if (sqlite3_exec(f->sql, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
			 " PRAGMA synchronous = NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(f->sql, FLOOR_SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
		return floor_fail(f, "schema");
	if (sqlite3_prepare_v3(f->sql, FLOOR_INSERT, -1, SQLITE_PREPARE_PERSISTENT, &f->ins, NULL) ||
	    sqlite3_prepare_v3(f->sql, FLOOR_UPDATE, -1, SQLITE_PREPARE_PERSISTENT, &f->upd, NULL) ||
	    sqlite3_prepare_v3(f->sql, FLOOR_JOURNAL, -1, SQLITE_PREPARE_PERSISTENT, &f->jnl, NULL) ||
	    sqlite3_prepare_v3(f->sql, FLOOR_OUTBOX, -1, SQLITE_PREPARE_PERSISTENT, &f->out, NULL) ||
	    sqlite3_prepare_v3(f->sql, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &f->begin, NULL) ||
	    sqlite3_prepare_v3(f->sql, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &f->commit, NULL))
		return floor_fail(f, "prepare");
	return 0;
}

static void floor_close(floor_db *f)
{
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->upd);
	sqlite3_finalize(f->jnl);
	sqlite3_finalize(f->out);
	sqlite3_finalize(f->begin);
	sqlite3_finalize(f->commit);
	sqlite3_close(f->sql);
}

static int floor_run(floor_db *f, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : floor_fail(f, "step");
}

/* The live row as the floor keeps it between actions. */
typedef struct floor_row {
	int64_t id, rev, seq;
	int state, step;
	const char *unit;
	dvc_time received_at, due_at, result_at, finished_at, step_since, step_due_at;
	int delivery;
	unsigned char head[32];
	char code[64];
} floor_row;

static int floor_journal(floor_db *f, floor_row *d, dvc_time at, const char *actor, int action,
			 int from)
{
	sqlite3_stmt *st = f->jnl;
	/* a stand-in for the chained hash: changes every entry, costs nothing */
	d->head[d->seq % 32] ^= (unsigned char)(d->seq * 31 + 7);
	d->seq++;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_int64(st, 2, d->seq);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, action);
	sqlite3_bind_int(st, 7, from);
	sqlite3_bind_int(st, 8, d->state);
	sqlite3_bind_null(st, 9);
	sqlite3_bind_null(st, 10);
	sqlite3_bind_blob(st, 11, d->head, 32, SQLITE_STATIC);
	return floor_run(f, st);
}

/* The applicant's SMS as the library renders it from the built-in templates
 * (same text, so the same row size). */
static int floor_outbox(floor_db *f, const floor_row *d, const char *code, dvc_time now,
			const char *event)
{
	sqlite3_stmt *st = f->out;
	char idem[160], body[256];
	if (strcmp(event, "accepted") == 0)
		snprintf(body, sizeof body, "Hồ sơ %s đã được tiếp nhận. Hẹn trả kết quả: "
			 "16:05 ngày 05/07/2018.", code);
	else
		snprintf(body, sizeof body, "Hồ sơ %s đã có kết quả. Mời ông/bà nhận kết quả theo "
			 "hình thức đã đăng ký.", code);
	snprintf(idem, sizeof idem, "%s/%lld/%s/sms", code, (long long)d->seq, event);
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_text(st, 2, idem, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, event, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, DVC_NOTIFY_SMS);
	sqlite3_bind_text(st, 5, "+84912345678", -1, SQLITE_STATIC);
	sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, body, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, 0);
	sqlite3_bind_int(st, 9, 1);
	sqlite3_bind_int64(st, 10, now);
	return floor_run(f, st);
}

static void bind_time(sqlite3_stmt *st, int i, dvc_time t)
{
	if (t)
		sqlite3_bind_int64(st, i, t);
	else
		sqlite3_bind_null(st, i);
}

static int floor_update(floor_db *f, floor_row *d, dvc_time now)
{
	sqlite3_stmt *st = f->upd;
	int64_t rev = d->rev++;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_int(st, 2, d->state);
	sqlite3_bind_int64(st, 3, d->rev);
	bind_time(st, 4, d->received_at);
	bind_time(st, 5, d->due_at);
	sqlite3_bind_null(st, 6);
	bind_time(st, 7, d->result_at);
	bind_time(st, 8, d->finished_at);
	sqlite3_bind_int(st, 9, d->step);
	sqlite3_bind_text(st, 10, d->unit, -1, SQLITE_STATIC);
	sqlite3_bind_null(st, 11);
	sqlite3_bind_int64(st, 12, d->step_since);
	bind_time(st, 13, d->step_due_at);
	sqlite3_bind_null(st, 14);
	sqlite3_bind_null(st, 15);
	sqlite3_bind_null(st, 16);
	sqlite3_bind_int(st, 17, 0);
	if (d->delivery >= 0)
		sqlite3_bind_int(st, 18, d->delivery);
	else
		sqlite3_bind_null(st, 18);
	sqlite3_bind_int64(st, 19, d->seq);
	sqlite3_bind_blob(st, 20, d->head, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 21, now);
	sqlite3_bind_int(st, 22, 0);
	sqlite3_bind_int64(st, 23, 0);
	sqlite3_bind_int64(st, 24, rev);
	if (floor_run(f, st))
		return 1;
	if (sqlite3_changes(f->sql) != 1) {
		fprintf(stderr, "bench_dossier: floor: guarded update missed\n");
		return 1;
	}
	return 0;
}

/* One floor action: 0 = submit, 1..6 = the route's actions. Per-action
 * transactions when `own_txn`. */
static int floor_action(floor_db *f, floor_row *d, int k, dvc_time now, int own_txn)
{
	static const char *const actors[ACTIONS_PER_LIFECYCLE] = {
		"applicant", "officer:le.tiep.nhan", "officer:le.tiep.nhan", "officer:tran.chuyen.vien",
		"officer:nguyen.truong.phong", "officer:hoang.lanh.dao", "officer:le.tiep.nhan"};
	static const char *const units[ACTIONS_PER_LIFECYCLE] = {DESK, DESK, JUSTICE, JUSTICE,
								  DESK, DESK, DESK};
	static const int to[ACTIONS_PER_LIFECYCLE] = {
		DVC_STATE_SUBMITTED, DVC_STATE_RECEIVED, DVC_STATE_IN_PROGRESS, DVC_STATE_IN_PROGRESS,
		DVC_STATE_IN_PROGRESS, DVC_STATE_RESULT_READY, DVC_STATE_RETURNED};
	static const int action[ACTIONS_PER_LIFECYCLE] = {
		DVC_ACT_SUBMIT, DVC_ACT_RECEIVE, DVC_ACT_FORWARD, DVC_ACT_FORWARD,
		DVC_ACT_FORWARD, DVC_ACT_FORWARD, DVC_ACT_RETURN};
	int from = k ? d->state : DVC_STATE_DRAFT, rc;
	if (own_txn && floor_run(f, f->begin))
		return 1;
	d->state = to[k];
	d->unit = units[k];
	d->step = k >= 2 && k <= 4 ? k - 1 : 0;
	d->step_since = now;
	d->step_due_at = k >= 1 && k <= 4 ? now + 3600 * (k + 1) : 0;
	if (k == 0) {
		sqlite3_stmt *st = f->ins;
		unsigned char secret[32];
		memset(d, 0, sizeof *d);
		d->id = ++f->next_id;
		d->rev = 1;
		d->state = DVC_STATE_SUBMITTED;
		d->unit = DESK;
		d->step_since = now;
		d->delivery = -1;
		memset(secret, (int)(d->id & 0xFF), sizeof secret);
		snprintf(d->code, sizeof d->code, DESK "-%06lld-%04lld", (long long)(d->id / 10000),
			 (long long)(d->id % 10000));
		sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, 1);
		sqlite3_bind_int(st, 3, DVC_CHANNEL_ONLINE);
		sqlite3_bind_int(st, 4, d->state);
		sqlite3_bind_int64(st, 5, d->rev);
		sqlite3_bind_null(st, 6);
		sqlite3_bind_blob(st, 7, secret, 32, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, applicant.full_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, applicant.citizen_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, applicant.birth_date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, applicant.address, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, "+84912345678", -1, SQLITE_STATIC);
		sqlite3_bind_null(st, 13);
		sqlite3_bind_text(st, 14, FORM, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 15, now);
		sqlite3_bind_int(st, 16, 0);
		sqlite3_bind_text(st, 17, DESK, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 18, now);
		sqlite3_bind_int(st, 19, 0);
		rc = floor_run(f, st) || floor_journal(f, d, now, actors[k], action[k], from);
	} else {
		if (k == 1) {
			d->received_at = now;
			d->due_at = now + 3 * 86400;
		}
		if (k == 5)
			d->result_at = now;
		if (k == 6) {
			d->finished_at = now;
			d->delivery = DVC_DELIVERY_COUNTER;
		}
		rc = floor_journal(f, d, now, actors[k], action[k], from) || floor_update(f, d, now);
		if (!rc && f->outbox && (k == 1 || k == 5))
			rc = floor_outbox(f, d, d->code, now, k == 1 ? "accepted" : "result_ready");
	}
	if (rc)
		return 1;
	return own_txn ? floor_run(f, f->commit) : 0;
}

/* ---- the runs ---- */

typedef struct batched_result {
	double seconds;
	double per_kind[ACTIONS_PER_LIFECYCLE]; /* summed seconds per action kind */
} batched_result;

static int lib_batched(const char *dir, const char *catalog, long n, batched_result *out)
{
	sim_clock clk;
	dvc_db *db;
	double lat[ACTIONS_PER_LIFECYCLE] = {0}, t0;
	int rc = 0;
	sim_init(&clk, n * ACTIONS_PER_LIFECYCLE);
	if (open_store(dir, "batched.db", catalog, &clk, &db))
		return 1;
	memset(out, 0, sizeof *out);
	t0 = now_s();
	for (long i = 0; i < n && !rc; i += BATCH_LIFECYCLES) {
		if (dvc_begin(db) != DVC_OK) {
			rc = fail("begin");
			break;
		}
		for (long j = i; j < n && j < i + BATCH_LIFECYCLES && !rc; j++) {
			rc = lifecycle(db, &clk, lat);
			for (int k = 0; k < ACTIONS_PER_LIFECYCLE; k++)
				out->per_kind[k] += lat[k];
		}
		if (!rc && dvc_commit(db) != DVC_OK)
			rc = fail("commit");
	}
	out->seconds = now_s() - t0;
	if (!rc)
		rc = check_last(db);
	dvc_close(db);
	return rc;
}

static int floor_batched(const char *dir, long n, int outbox, double *seconds)
{
	floor_db f;
	floor_row d;
	sim_clock clk;
	double t0;
	int rc;
	sim_init(&clk, n * ACTIONS_PER_LIFECYCLE);
	if ((rc = floor_open(dir, &f, outbox)) != 0) {
		floor_close(&f);
		return rc;
	}
	t0 = now_s();
	for (long i = 0; i < n && !rc; i += BATCH_LIFECYCLES) {
		if ((rc = floor_run(&f, f.begin)) != 0)
			break;
		for (long j = i; j < n && j < i + BATCH_LIFECYCLES && !rc; j++)
			for (int k = 0; k < ACTIONS_PER_LIFECYCLE && !rc; k++) {
				clk.t += clk.step;
				rc = floor_action(&f, &d, k, clk.t, 0);
			}
		if (!rc)
			rc = floor_run(&f, f.commit);
	}
	*seconds = now_s() - t0;
	floor_close(&f);
	return rc;
}

static int lib_durable(const char *dir, const char *catalog, long n, double *lat)
{
	sim_clock clk;
	dvc_db *db;
	int rc = 0;
	sim_init(&clk, n * ACTIONS_PER_LIFECYCLE);
	if (open_store(dir, "durable.db", catalog, &clk, &db))
		return 1;
	for (long i = 0; i < n && !rc; i++)
		rc = lifecycle(db, &clk, lat + i * ACTIONS_PER_LIFECYCLE);
	if (!rc)
		rc = check_last(db);
	dvc_close(db);
	return rc;
}

static int floor_durable(const char *dir, long n, double *lat)
{
	floor_db f;
	floor_row d;
	sim_clock clk;
	int rc;
	sim_init(&clk, n * ACTIONS_PER_LIFECYCLE);
	if ((rc = floor_open(dir, &f, !no_notify)) != 0) {
		floor_close(&f);
		return rc;
	}
	for (long i = 0; i < n && !rc; i++)
		for (int k = 0; k < ACTIONS_PER_LIFECYCLE && !rc; k++) {
			double t0 = now_s();
			clk.t += clk.step;
			rc = floor_action(&f, &d, k, clk.t, 1);
			lat[i * ACTIONS_PER_LIFECYCLE + k] = now_s() - t0;
		}
	floor_close(&f);
	return rc;
}

static void remove_store(const char *dir, const char *name)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[4200];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix[i]);
		unlink(path);
	}
}

static const char *find_catalog(const char *given)
{
	static char buf[4096];
	const char *root = getenv("DVC_SOURCE_ROOT");
	if (given)
		return given;
	if (access("tests/data/dossier_catalog.json", R_OK) == 0 || !root)
		return "tests/data/dossier_catalog.json";
	snprintf(buf, sizeof buf, "%s/tests/data/dossier_catalog.json", root);
	return buf;
}

int main(int argc, char **argv)
{
	const char *catalog = NULL;
	long n = 50000, nd = 5000; /* lifecycles: batched, durable (~10 s in all) */
	int npos = 0, rc = 1;
	char dir[] = "/tmp/dvc-bench-dossier-XXXXXX";
	batched_result lib;
	double floor_s, floor_out_s = 0, *lat = NULL, *flat = NULL;
	size_t na;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc)
			catalog = argv[++i];
		else if (strcmp(argv[i], "--no-notify") == 0)
			no_notify = 1;
		else if (strcmp(argv[i], "--journal-key") == 0 && i + 1 < argc)
			journal_key = argv[++i];
		else if (argv[i][0] != '-' && npos == 0 && ++npos)
			n = atol(argv[i]);
		else if (argv[i][0] != '-' && npos == 1 && ++npos)
			nd = atol(argv[i]);
		else {
			fprintf(stderr, "usage: %s [--catalog PATH] [--no-notify] [--journal-key FILE] [LIFECYCLES] "
				"[DURABLE_LIFECYCLES]\n",
				argv[0]);
			return 2;
		}
	}
	if (n < 1 || nd < 1) {
		fprintf(stderr, "bench_dossier: lifecycle counts must be positive\n");
		return 2;
	}
	catalog = find_catalog(catalog);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}

	/* batched: floors first, then the library, each on its own fresh file */
	if (floor_batched(dir, n, 0, &floor_s))
		goto out;
	remove_store(dir, "floor.db");
	if (!no_notify && floor_batched(dir, n, 1, &floor_out_s))
		goto out;
	if (lib_batched(dir, catalog, n, &lib))
		goto out;
	{
		double actions = (double)n * ACTIONS_PER_LIFECYCLE;
		double aps = actions / lib.seconds, floor_aps = actions / floor_s;
		printf("{\"bench\":\"dossier_batched\",\"notifications\":%s,\"signed\":%s,\"lifecycles\":%ld,"
		       "\"actions\":%.0f,\"actions_per_txn\":%d,\"seconds\":%.3f,\"actions_per_sec\":%.0f,"
		       "\"floor_seconds\":%.3f,\"floor_actions_per_sec\":%.0f,\"ratio\":%.3f",
		       no_notify ? "false" : "true", journal_key ? "true" : "false", n, actions, BATCH_LIFECYCLES * ACTIONS_PER_LIFECYCLE,
		       lib.seconds, aps, floor_s, floor_aps, aps / floor_aps);
		if (!no_notify)
			printf(",\"floor_outbox_actions_per_sec\":%.0f,\"ratio_outbox\":%.3f",
			       actions / floor_out_s, aps / (actions / floor_out_s));
		printf("}\n");
		printf("{\"bench\":\"dossier_batched_split\",\"lifecycles\":%ld", n);
		printf(",\"submit_us\":%.2f", lib.per_kind[0] / (double)n * 1e6);
		for (int k = 0; k < ACTIONS_PER_LIFECYCLE - 1; k++)
			printf(",\"%s_us\":%.2f", route[k].label, lib.per_kind[k + 1] / (double)n * 1e6);
		printf("}\n");
		fflush(stdout);
	}
	remove_store(dir, "floor.db");
	remove_store(dir, "batched.db");

	/* durable: one transaction per action */
	na = (size_t)nd * ACTIONS_PER_LIFECYCLE;
	if (!(lat = malloc(na * sizeof *lat)) || !(flat = malloc(na * sizeof *flat))) {
		fprintf(stderr, "bench_dossier: out of memory\n");
		goto out;
	}
	if (floor_durable(dir, nd, flat) || lib_durable(dir, catalog, nd, lat))
		goto out;
	{
		double submit_sum = 0, sum = 0;
		for (size_t i = 0; i < na; i++) {
			sum += lat[i];
			if (i % ACTIONS_PER_LIFECYCLE == 0)
				submit_sum += lat[i];
		}
		qsort(lat, na, sizeof *lat, cmp_double);
		qsort(flat, na, sizeof *flat, cmp_double);
		printf("{\"bench\":\"dossier_durable\",\"signed\":%s,\"lifecycles\":%ld,\"actions\":%zu,"
		       "\"synchronous\":\"NORMAL\",\"mean_us\":%.1f,\"submit_mean_us\":%.1f,"
		       "\"median_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,"
		       "\"floor_median_us\":%.1f,\"floor_p99_us\":%.1f,\"floor_max_us\":%.1f}\n",
		       journal_key ? "true" : "false", nd, na, sum / (double)na * 1e6, submit_sum / (double)nd * 1e6,
		       pct(lat, na, 0.5) * 1e6, pct(lat, na, 0.99) * 1e6, lat[na - 1] * 1e6,
		       pct(flat, na, 0.5) * 1e6, pct(flat, na, 0.99) * 1e6, flat[na - 1] * 1e6);
	}
	rc = 0;
out:
	free(lat);
	free(flat);
	remove_store(dir, "floor.db");
	remove_store(dir, "batched.db");
	remove_store(dir, "durable.db");
	rmdir(dir);
	return rc;
}
