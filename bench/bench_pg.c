/* PostgreSQL benchmark (issue 17): dossier lifecycles (submit, receive,
 * three route steps, result, return: 7 journaled actions) through libdvc
 * on PostgreSQL with 1, 4 and 16 concurrent clients, next to a floor: bare
 * libpq doing only the row writes of each action in the same run, on the
 * same server, schema and SQL shapes (submit: INSERT dossier + INSERT
 * journal; every other action: one guarded UPDATE ... WHERE id AND rev +
 * one INSERT journal), with prepared statements.
 *
 *  - pg_durable: each action its own transaction, as a portal serving
 *    requests commits them (the floor: BEGIN, its two statements, COMMIT).
 *    Actions per second over all clients, per-action p50 and p99.
 *  - pg_batched: one client, ~1,000 actions per transaction (dvc_begin /
 *    dvc_commit; the floor likewise), the "plain libpq loop".
 *
 * Each client is a thread with its own connection (a dvc_db handle, or a
 * PGconn for the floor); all lodge at the same desk, so the library's
 * gap-free per-desk-and-day code (one counter row) is shared as it is in a
 * real centre; the floor has no such counter. Notifications are off (empty
 * templates), as the floor writes no outbox rows. Each run gets a fresh
 * schema. Prints JSON lines; asserts nothing about time (exits non-zero
 * only if an action fails).
 * Usage: bench_pg [--catalog PATH] [--rounds N] [URI] [LIFECYCLES_PER_CLIENT]
 * Each figure is the median of N rounds (3) in which library and floor
 * alternate; ratio_min and ratio_max show the spread.
 * URI defaults to $DVC_BENCH_PG_URI, then $DVC_TEST_DB_URI; without one
 * the benchmark says so and exits 77 (skipped). */
#include "bench_util.h"
#include "dvc/dvc.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DESK "000.00.30.H24"
#define JUSTICE "000.01.30.H24"
#define PROC "T.000003"
#define FORM "{\"purpose\":\"Xin cấp bản sao\",\"copies\":2}"
#define ACTIONS 7
#define BATCH_LIFECYCLES (1000 / ACTIONS)
#define SIM_START 1530493200 /* 2018-07-02T08:00:00+07:00 */

static const char *catalog = "tests/data/dossier_catalog.json";
static const char *base_uri;
static unsigned schemas;

/* A fresh schema on the server; its URI in `out`. */
static int fresh_schema(char *out, size_t size)
{
	char sql[256], schema[64];
	PGconn *c = PQconnectdb(base_uri);
	PGresult *r;
	int ok;
	snprintf(schema, sizeof schema, "bench%ld_%u", (long)getpid(), ++schemas);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench_pg: cannot connect to %s: %s", base_uri, PQerrorMessage(c));
		PQfinish(c);
		return 1;
	}
	snprintf(sql, sizeof sql, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE; "
		 "CREATE SCHEMA %s", schema, schema);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "bench_pg: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	snprintf(out, size, "%s%soptions=-csearch_path%%3D%s", base_uri, strchr(base_uri, '?') ? "&" : "?",
		 schema);
	return !ok;
}

static int fail(const char *what)
{
	const dvc_error *e = dvc_error_last();
	fprintf(stderr, "bench_pg: %s: %s (%s)\n", what, e->message, dvc_status_name(e->code));
	return 1;
}

/* ---- the library ---- */

typedef struct client {
	pthread_t thread;
	const char *uri;
	int lifecycles, batched, index;
	dvc_time t; /* the simulated clock */
	double *lat; /* per action */
	size_t n_lat;
	int failed;
	/* floor */
	int64_t version_id;
} client;

static int sim_now(void *ctx, dvc_time *out)
{
	*out = ((client *)ctx)->t;
	return 0;
}

static const struct {
	dvc_action action;
	const char *officer;
} route[ACTIONS - 1] = {
	{DVC_ACT_RECEIVE, "le.tiep.nhan"},      {DVC_ACT_FORWARD, "le.tiep.nhan"},
	{DVC_ACT_FORWARD, "tran.chuyen.vien"},  {DVC_ACT_FORWARD, "nguyen.truong.phong"},
	{DVC_ACT_FORWARD, "hoang.lanh.dao"},    {DVC_ACT_RETURN, "le.tiep.nhan"},
};

/* Catalog, officers, notifications off: once per schema. */
static int seed(const char *uri)
{
	static const char off[] =
		"{\"format\":\"dvc-notify-templates\",\"format_version\":1,\"templates\":{"
		"\"accepted\":{\"sms\":\"\",\"email_body\":\"\"},"
		"\"result_ready\":{\"sms\":\"\",\"email_body\":\"\"}}}";
	dvc_db *db;
	int rc = 0;
	if (dvc_open(&db, uri, NULL) != DVC_OK)
		return fail("opening the store");
	if (dvc_catalog_import_file(db, catalog, DVC_FORMAT_AUTO, NULL) != DVC_OK)
		rc = fail("importing the catalog");
	if (!rc && add_officers(db) != DVC_OK)
		rc = fail("adding an officer");
	if (!rc && dvc_notify_set_templates(db, off, sizeof off - 1) != DVC_OK)
		rc = fail("switching notifications off");
	dvc_close(db);
	return rc;
}

static void *lib_client(void *arg)
{
	client *c = arg;
	dvc_db *db;
	int in_batch = 0;
	if (dvc_open(&db, c->uri, NULL) != DVC_OK) {
		c->failed = fail("opening a client");
		return NULL;
	}
	dvc_set_clock(db, sim_now, c);
	for (int n = 0; n < c->lifecycles && !c->failed; n++) {
		dvc_submission s = DVC_SUBMISSION_INIT;
		dvc_receipt r = DVC_RECEIPT_INIT;
		int64_t ver = 1;
		double t0, t1;
		if (c->batched && !in_batch) {
			if (dvc_begin(db) != DVC_OK) {
				c->failed = fail("begin");
				break;
			}
			in_batch = 1;
		}
		s.procedure = PROC;
		s.applicant = &applicant;
		s.form_data = FORM;
		c->t += 60;
		t0 = now_s();
		if (dvc_dossier_submit(db, &s, &r) != DVC_OK) {
			c->failed = fail("submit");
			break;
		}
		t1 = now_s();
		c->lat[c->n_lat++] = t1 - t0;
		for (int i = 0; i < ACTIONS - 1; i++) {
			dvc_action_req a = DVC_ACTION_INIT;
			a.action = route[i].action;
			a.actor.kind = DVC_ACTOR_OFFICER;
			a.actor.name = route[i].officer;
			a.expected_version = ver;
			c->t += 60;
			t0 = t1;
			if (dvc_dossier_act(db, r.code, &a, &ver) != DVC_OK) {
				c->failed = fail(dvc_action_name(route[i].action));
				break;
			}
			t1 = now_s();
			c->lat[c->n_lat++] = t1 - t0;
		}
		if (c->batched && (n + 1) % BATCH_LIFECYCLES == 0) {
			if (dvc_commit(db) != DVC_OK)
				c->failed = fail("commit");
			in_batch = 0;
		}
	}
	if (in_batch && !c->failed && dvc_commit(db) != DVC_OK)
		c->failed = fail("commit");
	dvc_close(db);
	return NULL;
}

/* ---- the floor: bare libpq, the same row writes ---- */

static const char FLOOR_INSERT[] =
	"INSERT INTO dossier(code, version_id, channel, state, rev, account_id, secret_hash,"
	" applicant_name, applicant_citizen_id, applicant_birth_date, applicant_address,"
	" applicant_phone, applicant_email, form_data, submitted_at, step, unit, step_since, flags,"
	" desk, competent)"
	" VALUES ($1, $2, 1, 1, 1, NULL, $3, $4, $5, $6, $7, $8, NULL, $9, $10, 0, $11, $10, 0, $11, $11)"
	" RETURNING id";
static const char FLOOR_UPDATE[] =
	"UPDATE dossier SET state = $2, rev = $3, received_at = $4, due_at = $5,"
	" rescheduled_due_at = NULL, result_at = $6, finished_at = $7, step = $8, unit = $9,"
	" handler_id = NULL, step_since = $4, step_due_at = $5, stopped_at = NULL, remaining = NULL,"
	" step_remaining = NULL, flags = 0, delivery = $10, journal_seq = $3, journal_head = $11,"
	" track_failures = 0, track_locked_until = 0"
	" WHERE id = $1 AND rev = $12";
static const char FLOOR_JOURNAL[] =
	"INSERT INTO journal(dossier_id, seq, at, actor, unit, action, from_state, to_state, note,"
	" payload_digest, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)";

static int pq_ok(PGconn *pc, PGresult *r, const char *what)
{
	ExecStatusType s = PQresultStatus(r);
	int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "bench_pg: floor: %s: %s", what, PQerrorMessage(pc));
	return ok;
}

static int pq_cmd(PGconn *pc, const char *sql)
{
	PGresult *r = PQexec(pc, sql);
	int ok = pq_ok(pc, r, sql);
	PQclear(r);
	return ok;
}

/* The floor's journal row of a step (v: FLOOR_JOURNAL's ten values), then
 * its commit unless the client batches. */
static void journal_commit(client *c, PGconn *pc, const char *const *v, int *in_batch)
{
	PGresult *r = PQexecPrepared(pc, "jnl", 10, v, NULL, NULL, 0);
	c->failed |= !pq_ok(pc, r, "journal");
	PQclear(r);
	if (!c->batched) {
		c->failed |= !pq_cmd(pc, "COMMIT");
		*in_batch = 0;
	}
}

static void *floor_client(void *arg)
{
	client *c = arg;
	PGconn *pc = PQconnectdb(c->uri);
	PGresult *r;
	char code[64], ver[24], at[24], id[24], seq[24], rev[24], prev[24], st[8], step[8];
	static const char hash[] = "\\x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	int in_batch = 0;
	snprintf(ver, sizeof ver, "%lld", (long long)c->version_id);
	if (PQstatus(pc) != CONNECTION_OK || !pq_cmd(pc, "SET client_min_messages = warning")) {
		fprintf(stderr, "bench_pg: floor: connect: %s", PQerrorMessage(pc));
		c->failed = 1;
		PQfinish(pc);
		return NULL;
	}
#define PREP(name, sql)                                                   \
	do {                                                              \
		r = PQprepare(pc, name, sql, 0, NULL);                    \
		if (!pq_ok(pc, r, name))                                  \
			c->failed = 1;                                    \
		PQclear(r);                                               \
	} while (0)
	PREP("ins", FLOOR_INSERT);
	PREP("upd", FLOOR_UPDATE);
	PREP("jnl", FLOOR_JOURNAL);
	for (int n = 0; n < c->lifecycles && !c->failed; n++) {
		double t0 = now_s(), t1;
		if (!in_batch && !pq_cmd(pc, "BEGIN")) {
			c->failed = 1;
			break;
		}
		in_batch = 1;
		c->t += 60;
		snprintf(code, sizeof code, "F%d-%d", c->index, n);
		snprintf(at, sizeof at, "%lld", (long long)c->t);
		{
			const char *v[] = {code, ver, hash, applicant.full_name, applicant.citizen_id,
					   applicant.birth_date, applicant.address, applicant.phone, FORM, at, DESK};
			r = PQexecPrepared(pc, "ins", 11, v, NULL, NULL, 0);
			if (!pq_ok(pc, r, "insert")) {
				PQclear(r);
				c->failed = 1;
				break;
			}
			snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
			PQclear(r);
		}
		{
			const char *v[] = {id, "1", at, "citizen", DESK, "0", "0", "1", hash, hash};
			journal_commit(c, pc, v, &in_batch);
		}
		t1 = now_s();
		c->lat[c->n_lat++] = t1 - t0;
		for (int i = 0; i < ACTIONS - 1 && !c->failed; i++) {
			t0 = t1;
			if (!in_batch && !pq_cmd(pc, "BEGIN")) {
				c->failed = 1;
				break;
			}
			in_batch = 1;
			c->t += 60;
			snprintf(at, sizeof at, "%lld", (long long)c->t);
			snprintf(prev, sizeof prev, "%d", i + 1);
			snprintf(rev, sizeof rev, "%d", i + 2);
			snprintf(seq, sizeof seq, "%d", i + 2);
			snprintf(st, sizeof st, "%d", i == ACTIONS - 2 ? 9 : i == 0 ? 2 : 3);
			snprintf(step, sizeof step, "%d", i < 4 ? i : 4);
			{
				const char *v[] = {id, st, rev, at, at, i >= 4 ? at : NULL, i == 5 ? at : NULL,
						   step, DESK, i == 5 ? "1" : NULL, hash, prev};
				r = PQexecPrepared(pc, "upd", 12, v, NULL, NULL, 0);
				if (!pq_ok(pc, r, "update") || strcmp(PQcmdTuples(r), "1") != 0) {
					fprintf(stderr, "bench_pg: floor: the guarded update missed\n");
					c->failed = 1;
				}
				PQclear(r);
			}
			{
				const char *v[] = {id, seq, at, route[i].officer, DESK, "1", prev, st, hash, hash};
				journal_commit(c, pc, v, &in_batch);
			}
			t1 = now_s();
			c->lat[c->n_lat++] = t1 - t0;
		}
		if (c->batched && (n + 1) % BATCH_LIFECYCLES == 0) {
			c->failed |= !pq_cmd(pc, "COMMIT");
			in_batch = 0;
		}
	}
	if (in_batch && !c->failed)
		c->failed |= !pq_cmd(pc, "COMMIT");
	PQfinish(pc);
	return NULL;
}

/* ---- a run ---- */

typedef struct result {
	double per_s, p50, p99;
} result;

static int run(int floor, int clients, int lifecycles, int batched, result *out)
{
	char uri[4400];
	client *c = calloc((size_t)clients, sizeof *c);
	double *all, t0, t1;
	size_t n_all = 0;
	int failed = 0;
	int64_t version_id = 0;
	if (!c || fresh_schema(uri, sizeof uri) || seed(uri))
		return 1;
	if (floor) {
		/* the procedure version the floor's dossiers point at */
		PGconn *pc = PQconnectdb(uri);
		PGresult *r = PQexec(pc, "SELECT pv.id FROM procedure_version pv JOIN procedure p"
				     " ON p.id = pv.procedure_id WHERE p.code = '" PROC "' LIMIT 1");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			version_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(pc);
		if (!version_id) {
			fprintf(stderr, "bench_pg: no version of " PROC "\n");
			return 1;
		}
	}
	for (int i = 0; i < clients; i++) {
		c[i].uri = uri;
		c[i].lifecycles = lifecycles;
		c[i].batched = batched;
		c[i].index = i;
		c[i].t = SIM_START;
		c[i].version_id = version_id;
		c[i].lat = malloc(sizeof(double) * (size_t)lifecycles * ACTIONS);
		if (!c[i].lat)
			return 1;
	}
	t0 = now_s();
	for (int i = 0; i < clients; i++)
		pthread_create(&c[i].thread, NULL, floor ? floor_client : lib_client, &c[i]);
	for (int i = 0; i < clients; i++)
		pthread_join(c[i].thread, NULL);
	t1 = now_s();
	all = malloc(sizeof(double) * (size_t)clients * (size_t)lifecycles * ACTIONS);
	for (int i = 0; i < clients; i++) {
		failed |= c[i].failed;
		memcpy(all + n_all, c[i].lat, sizeof(double) * c[i].n_lat);
		n_all += c[i].n_lat;
		free(c[i].lat);
	}
	qsort(all, n_all, sizeof *all, cmp_double);
	out->per_s = (double)n_all / (t1 - t0);
	out->p50 = pct(all, n_all, 0.50) * 1e3;
	out->p99 = pct(all, n_all, 0.99) * 1e3;
	free(all);
	free(c);
	return failed;
}

#define MAX_ROUNDS 15
static int rounds = 3;

/* The median round by its ratio; the round's own figures with it. */
static int by_ratio(const void *a, const void *b)
{
	const result *x = a, *y = b;
	double rx = x[0].per_s / x[1].per_s, ry = y[0].per_s / y[1].per_s;
	return rx < ry ? -1 : rx > ry;
}

/* Library and floor alternate, `rounds` times: a burst of load from
 * elsewhere on the machine then hits both sides alike, and the median
 * round (by ratio) is printed. */
static int report(const char *name, int clients, int lifecycles, int batched)
{
	result r[MAX_ROUNDS][2], *m;
	for (int k = 0; k < rounds; k++)
		if (run(0, clients, lifecycles, batched, &r[k][0]) || run(1, clients, lifecycles, batched, &r[k][1]))
			return 1;
	qsort(r, (size_t)rounds, sizeof r[0], by_ratio);
	m = r[rounds / 2];
	printf("{\"bench\":\"%s\",\"clients\":%d,\"actions\":%d,\"rounds\":%d,\"library_actions_per_s\":%.0f,"
	       "\"floor_actions_per_s\":%.0f,\"ratio\":%.3f,\"ratio_min\":%.3f,\"ratio_max\":%.3f,"
	       "\"library_p50_ms\":%.3f,\"library_p99_ms\":%.3f,\"floor_p50_ms\":%.3f,\"floor_p99_ms\":%.3f}\n",
	       name, clients, clients * lifecycles * ACTIONS, rounds, m[0].per_s, m[1].per_s,
	       m[0].per_s / m[1].per_s, r[0][0].per_s / r[0][1].per_s,
	       r[rounds - 1][0].per_s / r[rounds - 1][1].per_s, m[0].p50, m[0].p99, m[1].p50, m[1].p99);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int lifecycles = 300, i = 1;
	static const int counts[] = {1, 4, 16};
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2)
		if (strcmp(argv[i], "--catalog") == 0) {
			catalog = argv[i + 1];
		} else if (strcmp(argv[i], "--rounds") == 0) {
			rounds = atoi(argv[i + 1]);
			if (rounds < 1 || rounds > MAX_ROUNDS) {
				fprintf(stderr, "bench_pg: --rounds: 1 to %d\n", MAX_ROUNDS);
				return 2;
			}
		} else {
			break;
		}
	if (strcmp(catalog, "tests/data/dossier_catalog.json") == 0 && access(catalog, R_OK) != 0 &&
	    getenv("DVC_SOURCE_ROOT")) {
		static char path[4096];
		snprintf(path, sizeof path, "%s/%s", getenv("DVC_SOURCE_ROOT"), catalog);
		catalog = path;
	}
	base_uri = getenv("DVC_BENCH_PG_URI");
	if (!base_uri || !*base_uri)
		base_uri = getenv("DVC_TEST_DB_URI");
	if (i < argc && strchr(argv[i], ':'))
		base_uri = argv[i++];
	if (i < argc)
		lifecycles = atoi(argv[i]);
	if (!base_uri || !*base_uri) {
		fprintf(stderr, "bench_pg: no PostgreSQL server: give a URI, or set DVC_BENCH_PG_URI "
				"(e.g. eval \"$(scripts/pg-test-server.sh start DIR)\" sets DVC_TEST_DB_URI)\n");
		return 77;
	}
	if (lifecycles < 1 || lifecycles > 1000000) {
		fprintf(stderr, "bench_pg: lifecycles per client: 1 to 1000000\n");
		return 2;
	}
	/* the plain loop the issue measured: one client, ~1,000 actions a transaction */
	if (report("pg_batched", 1, lifecycles < BATCH_LIFECYCLES * 2 ? BATCH_LIFECYCLES * 2 : lifecycles, 1))
		return 1;
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		/* the same total work at every client count */
		int per = lifecycles / counts[k] > 10 ? lifecycles / counts[k] : 10;
		if (report("pg_durable", counts[k], per, 0))
			return 1;
	}
	return 0;
}
