/* The PostgreSQL backend of the statement layer (sql_internal.h), over
 * libpq; built when libpq is found (meson option `postgresql`).
 *
 * Statements: the store's SQL is written with `?`/`?N` placeholders; they
 * become `$N` here. A statement is prepared on the server at its first
 * execution, when the bound values tell the parameter types (integers as
 * int8, blobs as bytea, text left for the server to infer), and then kept
 * by name for the handle's life. Parameters travel as text except blobs
 * (binary); results come as text and are converted on read (bytea decoded
 * from hex once per row and column).
 *
 * Schema: the SQLite migrations are translated (INTEGER to BIGINT, an
 * `id INTEGER PRIMARY KEY` to BIGSERIAL, BLOB to BYTEA, no WITHOUT ROWID,
 * the FTS5 tables to a plain table), after a first script of functions
 * that give PostgreSQL the few SQLite idioms the store uses (two-argument
 * max/min, sum over booleans). The version is the row of dvc_schema, and a
 * migration is one transaction under pg_advisory_xact_lock, so processes
 * opening a new database at once migrate it once.
 *
 * Errors: SQLSTATE classes map to the layer's codes: 23505 unique
 * violation, 23503 foreign key, other 23xxx constraints, 40001 and 40P01
 * (serialization failure, deadlock) DVC__SQL_BUSY_RETRY, 08xxx and a lost
 * connection DVC__SQL_IOERR (the server rolls back what was open, so
 * nothing is half done).
 *
 * Memory: libc's, like libpq's own (statements live in the handle's cache,
 * not in the call that first ran them). */
#include "store_internal.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_INT8OID 20
#define PG_TEXTOID 25
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_FLOAT4OID 700
#define PG_FLOAT8OID 701
#define PG_NUMERICOID 1700

typedef struct pg_conn {
	PGconn *c;
	int64_t changes, total_changes;
	int64_t next_name;
	int last_rc;
	char msg[512];
	/* A BEGIN not sent yet: it goes out in one pipeline with the
	 * transaction's first statement, which saves a round trip on every
	 * transaction (an empty one costs none). "": none pending. */
	char begin[64];
} pg_conn;

typedef struct pg_param {
	const char *val; /* NULL: SQL NULL */
	int len;
	int fmt;     /* 0 text, 1 binary */
	unsigned int type;
	char *owned; /* val, when it is our copy */
	char num[24]; /* integers and doubles are printed here */
} pg_param;

typedef struct pg_stmt {
	dvc__sql_stmt base;
	pg_conn *conn;
	char *sql;        /* translated */
	char name[24];
	int prepared;     /* on the server */
	int kind;         /* STMT_BEGIN, STMT_END or STMT_OTHER */
	int nparams;
	pg_param *params;
	PGresult *res;
	int row, nrows;
	/* decoded bytea of the current row, per column */
	unsigned char **blob;
	size_t *blob_len;
	int nblob;
} pg_stmt;

enum { STMT_OTHER, STMT_BEGIN, STMT_END };

/* BEGIN ... (one statement, which can wait for the next), COMMIT or
 * ROLLBACK (which ends a pending BEGIN's empty transaction at no cost). */
static int stmt_kind(const char *sql)
{
	if (!strncmp(sql, "BEGIN", 5) && (!sql[5] || sql[5] == ' ') && !strchr(sql, ';'))
		return STMT_BEGIN;
	if (!strcmp(sql, "COMMIT") || !strcmp(sql, "ROLLBACK"))
		return STMT_END;
	return STMT_OTHER;
}

#define CONN(db) ((pg_conn *)(db)->sql)
#define P(st) ((pg_stmt *)(st))

/* libpq's messages run over several lines ("...failed: ...\n\tIs the
 * server running...?\n"); libdvc's errors are one line. */
static void one_line(char *m)
{
	char *w = m;
	for (const char *r = m; *r;) {
		if (*r == '\n' || *r == '\r' || *r == '\t') {
			while (*r == '\n' || *r == '\r' || *r == '\t' || *r == ' ')
				r++;
			if (*r && w > m && w[-1] != ' ')
				*w++ = ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static int set_error(pg_conn *pc, const PGresult *r, const char *fallback)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *m = r ? PQresultErrorMessage(r) : NULL;
	int rc = DVC__SQL_ERROR;
	size_t n;
	if (!m || !*m)
		m = PQerrorMessage(pc->c);
	if (!m || !*m)
		m = fallback;
	snprintf(pc->msg, sizeof pc->msg, "%s", m);
	one_line(pc->msg);
	n = strlen(pc->msg);
	while (n && (pc->msg[n - 1] == '\n' || pc->msg[n - 1] == ' '))
		pc->msg[--n] = '\0';
	if (PQstatus(pc->c) == CONNECTION_BAD)
		rc = DVC__SQL_IOERR;
	else if (!state)
		rc = r && PQresultStatus(r) == PGRES_FATAL_ERROR ? DVC__SQL_ERROR : DVC__SQL_IOERR;
	else if (!strcmp(state, "23505"))
		rc = DVC__SQL_CONSTRAINT_UNIQUE;
	else if (!strcmp(state, "23503"))
		rc = DVC__SQL_CONSTRAINT_FOREIGNKEY;
	else if (!strncmp(state, "23", 2))
		rc = DVC__SQL_CONSTRAINT;
	else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		rc = DVC__SQL_BUSY_RETRY;
	else if (!strcmp(state, "55P03") || !strcmp(state, "57014"))
		rc = DVC__SQL_BUSY;
	else if (!strcmp(state, "53200"))
		rc = DVC__SQL_NOMEM;
	else if (!strcmp(state, "53100"))
		rc = DVC__SQL_FULL;
	else if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) || !strncmp(state, "58", 2))
		rc = DVC__SQL_IOERR;
	else if (!strcmp(state, "25006") || !strcmp(state, "42501"))
		rc = DVC__SQL_READONLY;
	else if (!strncmp(state, "XX", 2))
		rc = DVC__SQL_CORRUPT;
	pc->last_rc = rc;
	if (getenv("DVC_PG_DEBUG"))
		fprintf(stderr, "PG ERROR %s: %s\n", state ? state : "-", pc->msg);
	return rc;
}

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- SQL translation ---- */

/* `?` and `?N` to `$N` outside quotes; the highest number is the count. */
static char *translate(const char *sql, int *nparams)
{
	size_t n = strlen(sql);
	char *out = malloc(n * 3 + 1), *o = out;
	int max = 0;
	char q = 0;
	if (!out)
		return NULL;
	for (const char *s = sql; *s; s++) {
		if (q) {
			if (*s == q)
				q = 0;
			*o++ = *s;
		} else if (*s == '\'' || *s == '"') {
			q = *s;
			*o++ = *s;
		} else if (*s == '?') {
			int k = 0;
			while (s[1] >= '0' && s[1] <= '9')
				k = k * 10 + (*++s - '0');
			if (!k)
				k = max + 1;
			if (k > max)
				max = k;
			o += sprintf(o, "$%d", k);
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	*nparams = max;
	return out;
}

/* One SQLite migration script in PostgreSQL's types (see the top). */
static char *translate_ddl(const char *sql)
{
	static const struct {
		const char *from, *to;
	} rules[] = {
		{"id INTEGER PRIMARY KEY,", "id BIGSERIAL PRIMARY KEY,"},
		{" WITHOUT ROWID", ""},
		{"INTEGER", "BIGINT"},
		{"BLOB", "BYTEA"},
		{"CREATE VIRTUAL TABLE procedure_fts USING fts5("
		 "  body, content='', tokenize='unicode61 remove_diacritics 0');",
		 "CREATE TABLE procedure_fts (rowid BIGINT PRIMARY KEY, body TEXT NOT NULL);"},
		{"CREATE VIRTUAL TABLE procedure_fts_vocab USING fts5vocab(procedure_fts, 'row');", ""},
	};
	size_t cap = strlen(sql) * 2 + 256, len = 0;
	char *out = malloc(cap);
	const char *s = sql;
	if (!out)
		return NULL;
	while (*s) {
		size_t i;
		for (i = 0; i < DVC_ARRAY_LEN(rules); i++) {
			size_t fl = strlen(rules[i].from), tl = strlen(rules[i].to);
			if (!strncmp(s, rules[i].from, fl)) {
				memcpy(out + len, rules[i].to, tl);
				len += tl;
				s += fl;
				break;
			}
		}
		if (i == DVC_ARRAY_LEN(rules))
			out[len++] = *s++;
	}
	out[len] = '\0';
	return out;
}

/* ---- connection ---- */

static int simple_exec(pg_conn *pc, const char *sql)
{
	PGresult *r = PQexec(pc->c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? DVC__SQL_OK : set_error(pc, r, "no result");
	PQclear(r);
	return rc;
}

/* Send a pending BEGIN on its own, before SQL that cannot share its
 * pipeline (the simple protocol's multi-statement strings). */
static int flush_begin(pg_conn *pc)
{
	char begin[sizeof pc->begin];
	if (!pc->begin[0])
		return DVC__SQL_OK;
	memcpy(begin, pc->begin, sizeof begin);
	pc->begin[0] = '\0';
	return simple_exec(pc, begin);
}

/* Whether `kind` of statement needs no round trip: a BEGIN waits for the
 * next statement, and COMMIT or ROLLBACK right after it ends nothing. */
static int deferred(pg_conn *pc, int kind, const char *sql)
{
	if (kind == STMT_BEGIN && !pc->begin[0] && strlen(sql) < sizeof pc->begin &&
	    PQtransactionStatus(pc->c) == PQTRANS_IDLE) {
		strcpy(pc->begin, sql);
		return 1;
	}
	if (kind == STMT_END && pc->begin[0]) {
		pc->begin[0] = '\0';
		return 1;
	}
	return 0;
}

static int pg_exec(dvc_db *db, const char *sql)
{
	pg_conn *pc = CONN(db);
	int rc;
	if (deferred(pc, stmt_kind(sql), sql))
		return DVC__SQL_OK;
	if ((rc = flush_begin(pc)) != DVC__SQL_OK)
		return rc;
	return simple_exec(pc, sql);
}

static int pg_open(dvc_db *db, const char *target, const dvc_open_opts *o)
{
	pg_conn *pc = calloc(1, sizeof *pc);
	char set[96];
	int rc;
	if (!pc)
		return dvc__oom();
	pc->c = PQconnectdb(target);
	db->sql = pc;
	if (!pc->c || PQstatus(pc->c) != CONNECTION_OK) {
		if (pc->c) {
			snprintf(pc->msg, sizeof pc->msg, "%s", PQerrorMessage(pc->c));
			one_line(pc->msg);
			rc = dvc__err(DVC_EIO, NULL, "cannot connect to PostgreSQL: %s", pc->msg);
		} else {
			rc = dvc__oom();
		}
		PQfinish(pc->c);
		free(pc);
		db->sql = NULL;
		return rc;
	}
	PQsetNoticeProcessor(pc->c, quiet_notice, NULL);
	/* busy_timeout_ms: how long a write waits for another's row lock
	 * before DVC_EBUSY (55P03), as SQLite's busy timeout does */
	snprintf(set, sizeof set, "SET lock_timeout = %d%s", o->busy_timeout_ms,
		 db->readonly ? "; SET default_transaction_read_only = on" : "");
	if ((rc = pg_exec(db, set)) != DVC__SQL_OK) {
		rc = dvc__store_err(db, rc, "opening the store");
		PQfinish(pc->c);
		free(pc);
		db->sql = NULL;
		return rc;
	}
	return DVC_OK;
}

static void pg_close(dvc_db *db)
{
	pg_conn *pc = CONN(db);
	if (!pc)
		return;
	PQfinish(pc->c);
	free(pc);
	db->sql = NULL;
}

static int pg_schema_version(dvc_db *db, int *out)
{
	pg_conn *pc = CONN(db);
	PGresult *r = PQexec(pc->c, "SELECT CASE WHEN to_regclass('dvc_schema') IS NULL THEN -1 ELSE 0 END");
	int rc;
	*out = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = set_error(pc, r, "no result");
		PQclear(r);
		return dvc__store_err(db, rc, "reading the schema version");
	}
	rc = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (rc < 0)
		return DVC_OK; /* a new database */
	r = PQexec(pc->c, "SELECT version FROM dvc_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = set_error(pc, r, "no result");
		PQclear(r);
		return dvc__store_err(db, rc, "reading the schema version");
	}
	if (PQntuples(r) == 1)
		*out = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return DVC_OK;
}

/* What PostgreSQL lacks of the SQLite the store writes; created with the
 * first migration. */
static const char PG_COMPAT[] =
	"CREATE TABLE dvc_schema (version INTEGER NOT NULL);"
	"INSERT INTO dvc_schema VALUES (0);"
	"CREATE FUNCTION max(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE"
	"  AS 'SELECT greatest($1, $2)';"
	"CREATE FUNCTION min(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE"
	"  AS 'SELECT least($1, $2)';"
	"CREATE FUNCTION dvc_bool_add(bigint, boolean) RETURNS bigint LANGUAGE sql IMMUTABLE"
	"  AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + $2::int END';"
	"CREATE AGGREGATE sum(boolean) (SFUNC = dvc_bool_add, STYPE = bigint);"
	/* date('YYYY-MM-DD', '-1 day'): dates are stored as ISO text */
	"CREATE FUNCTION date(text, text) RETURNS text LANGUAGE sql IMMUTABLE"
	"  AS $$SELECT to_char($1::date + $2::interval, 'YYYY-MM-DD')$$;"
	/* strftime(format, seconds, 'unixepoch') for '%Y-%m' and '%m/%Y' */
	"CREATE FUNCTION strftime(text, bigint, text) RETURNS text LANGUAGE sql IMMUTABLE"
	"  AS $$SELECT to_char(to_timestamp($2) AT TIME ZONE 'UTC',"
	"  replace(replace(replace($1, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'))$$;";

static int pg_migrate_exec(dvc_db *db, int v, const char *sql)
{
	char *ddl;
	int rc;
	if (v == 0 && (rc = pg_exec(db, PG_COMPAT)) != DVC__SQL_OK)
		return rc;
	if (!(ddl = translate_ddl(sql)))
		return DVC__SQL_NOMEM;
	rc = pg_exec(db, ddl);
	free(ddl);
	return rc;
}

/* ---- statements ---- */

static void clear_blobs(pg_stmt *s)
{
	for (int i = 0; i < s->nblob; i++) {
		PQfreemem(s->blob[i]);
		s->blob[i] = NULL;
	}
}

static int pg_prepare(dvc_db *db, const char *sql, int persistent, dvc__sql_stmt **out)
{
	pg_conn *pc = CONN(db);
	pg_stmt *s = calloc(1, sizeof *s);
	(void)persistent;
	*out = NULL;
	if (!s)
		return DVC__SQL_NOMEM;
	s->base.be = &dvc__sql_pg;
	s->conn = pc;
	if (!(s->sql = translate(sql, &s->nparams)) ||
	    (s->nparams && !(s->params = calloc((size_t)s->nparams, sizeof *s->params)))) {
		free(s->sql);
		free(s);
		return DVC__SQL_NOMEM;
	}
	snprintf(s->name, sizeof s->name, "dvc%lld", (long long)++pc->next_name);
	s->kind = stmt_kind(s->sql);
	*out = &s->base;
	return DVC__SQL_OK;
}

static void param_clear(pg_param *p)
{
	free(p->owned);
	p->val = NULL;
	p->owned = NULL;
	p->len = 0;
	p->fmt = 0;
}

static void pg_reset(dvc__sql_stmt *st)
{
	pg_stmt *s = P(st);
	clear_blobs(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = 0;
}

static void pg_clear_bindings(dvc__sql_stmt *st)
{
	pg_stmt *s = P(st);
	for (int i = 0; i < s->nparams; i++) {
		param_clear(&s->params[i]);
		s->params[i].type = 0;
	}
}

static void pg_finalize(dvc__sql_stmt *st)
{
	pg_stmt *s = P(st);
	pg_reset(st);
	pg_clear_bindings(st);
	if (s->prepared && PQstatus(s->conn->c) == CONNECTION_OK) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->conn->c, sql));
	}
	free(s->blob);
	free(s->blob_len);
	free(s->params);
	free(s->sql);
	free(s);
}

static pg_param *param(pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams)
		return NULL;
	param_clear(&s->params[i - 1]);
	return &s->params[i - 1];
}

static int pg_bind_int64(dvc__sql_stmt *st, int i, int64_t v)
{
	pg_param *p = param(P(st), i);
	if (!p)
		return DVC__SQL_ERROR;
	snprintf(p->num, sizeof p->num, "%lld", (long long)v);
	p->val = p->num;
	p->type = PG_INT8OID;
	return DVC__SQL_OK;
}

static int pg_bind_double(dvc__sql_stmt *st, int i, double v)
{
	pg_param *p = param(P(st), i);
	if (!p)
		return DVC__SQL_ERROR;
	snprintf(p->num, sizeof p->num, "%.17g", v);
	p->val = p->num;
	p->type = PG_FLOAT8OID;
	return DVC__SQL_OK;
}

static int bind_bytes(dvc__sql_stmt *st, int i, const void *v, int n, int copy, int fmt, unsigned int type)
{
	pg_param *p = param(P(st), i);
	if (!p)
		return DVC__SQL_ERROR;
	if (!v)
		return DVC__SQL_OK; /* NULL */
	if (n < 0)
		n = (int)strlen(v);
	if (copy || fmt == 0) {
		/* text must end in NUL for libpq; blobs are copied when asked */
		char *c = malloc((size_t)n + 1);
		if (!c)
			return DVC__SQL_NOMEM;
		memcpy(c, v, (size_t)n);
		c[n] = '\0';
		p->val = p->owned = c;
	} else {
		p->val = v;
	}
	p->len = n;
	p->fmt = fmt;
	p->type = type;
	return DVC__SQL_OK;
}

static int pg_bind_text(dvc__sql_stmt *st, int i, const char *s, int n, int copy)
{
	if (s && n < 0 && !copy) {
		/* already NUL-terminated and kept alive by the caller */
		pg_param *p = param(P(st), i);
		if (!p)
			return DVC__SQL_ERROR;
		p->val = s;
		p->len = (int)strlen(s);
		p->type = 0;
		return DVC__SQL_OK;
	}
	return bind_bytes(st, i, s, n, copy, 0, 0);
}

static int pg_bind_blob(dvc__sql_stmt *st, int i, const void *v, int n, int copy)
{
	static const char empty[1];
	/* a zero-length blob is not NULL */
	return bind_bytes(st, i, v ? v : (n == 0 ? empty : NULL), n, copy, 1, PG_BYTEAOID);
}

static int pg_bind_null(dvc__sql_stmt *st, int i) { return param(P(st), i) ? DVC__SQL_OK : DVC__SQL_ERROR; }

/* The pending BEGIN and statement s in one pipeline: one round trip.
 * Returns s's result, or BEGIN's when that failed (s is then aborted
 * unrun); NULL when the connection failed (PQerrorMessage says why). */
static PGresult *after_begin(pg_conn *pc, pg_stmt *s, const char *const *vals, const int *lens,
			     const int *fmts)
{
	PGresult *got[2] = {NULL, NULL}, *r;
	char begin[sizeof pc->begin];
	memcpy(begin, pc->begin, sizeof begin);
	pc->begin[0] = '\0';
	if (!PQenterPipelineMode(pc->c))
		return NULL;
	if (PQsendQueryParams(pc->c, begin, 0, NULL, NULL, NULL, NULL, 0) &&
	    PQsendQueryPrepared(pc->c, s->name, s->nparams, vals, lens, fmts, 0) && PQpipelineSync(pc->c)) {
		/* each query's results end with a NULL, the pipeline with SYNC */
		for (int q = 0; q < 2; q++)
			while ((r = PQgetResult(pc->c))) {
				if (got[q])
					PQclear(r);
				else
					got[q] = r;
			}
		while ((r = PQgetResult(pc->c))) {
			int sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
			PQclear(r);
			if (sync)
				break;
		}
	}
	if (!PQexitPipelineMode(pc->c)) {
		/* results were left unread: the connection is out of step */
		PQclear(got[0]);
		PQclear(got[1]);
		return NULL;
	}
	if (PQresultStatus(got[0]) != PGRES_COMMAND_OK) {
		PQclear(got[1]);
		return got[0];
	}
	PQclear(got[0]);
	return got[1];
}

static int pg_step(dvc__sql_stmt *st)
{
	pg_stmt *s = P(st);
	pg_conn *pc = s->conn;
	ExecStatusType status;
	if (s->res) {
		clear_blobs(s);
		return ++s->row < s->nrows ? DVC__SQL_ROW : DVC__SQL_DONE;
	}
	if (deferred(pc, s->kind, s->sql)) {
		s->nrows = 0;
		return DVC__SQL_DONE;
	}
	const char **vals = NULL;
	int *lens = NULL, *fmts = NULL;
	if (s->nparams) {
		vals = malloc((size_t)s->nparams * sizeof *vals);
		lens = malloc((size_t)s->nparams * sizeof *lens);
		fmts = malloc((size_t)s->nparams * sizeof *fmts);
		if (!vals || !lens || !fmts) {
			free(vals);
			free(lens);
			free(fmts);
			return DVC__SQL_NOMEM;
		}
		for (int i = 0; i < s->nparams; i++) {
			vals[i] = s->params[i].val;
			lens[i] = s->params[i].len;
			fmts[i] = s->params[i].fmt;
		}
	}
	if (!s->prepared) {
		unsigned int *types = NULL;
		PGresult *r;
		if (s->nparams && !(types = malloc((size_t)s->nparams * sizeof *types))) {
			free(vals);
			free(lens);
			free(fmts);
			return DVC__SQL_NOMEM;
		}
		for (int i = 0; i < s->nparams; i++)
			types[i] = s->params[i].type;
		/* A failed prepare would abort an open transaction: inside one,
		 * it runs under a savepoint (once per statement and connection). */
		int guard = PQtransactionStatus(pc->c) == PQTRANS_INTRANS;
		if (guard)
			PQclear(PQexec(pc->c, "SAVEPOINT dvc_prepare"));
		r = PQprepare(pc->c, s->name, s->sql, s->nparams, types);
		/* A parameter whose type nothing in the statement tells ("?1 IS
		 * NULL OR level = ?1"): the one the server names is text. */
		for (int tries = 0; tries < s->nparams && PQresultStatus(r) != PGRES_COMMAND_OK; tries++) {
			const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			const char *dollar = m ? strrchr(m, '$') : NULL;
			int k = dollar ? atoi(dollar + 1) : 0;
			if (!code || (strcmp(code, "42P18") && strcmp(code, "42P08")) || k < 1 || k > s->nparams ||
			    types[k - 1])
				break;
			types[k - 1] = PG_TEXTOID;
			PQclear(r);
			if (guard)
				PQclear(PQexec(pc->c, "ROLLBACK TO SAVEPOINT dvc_prepare"));
			r = PQprepare(pc->c, s->name, s->sql, s->nparams, types);
		}
		if (guard) {
			if (PQresultStatus(r) != PGRES_COMMAND_OK)
				PQclear(PQexec(pc->c, "ROLLBACK TO SAVEPOINT dvc_prepare"));
			PQclear(PQexec(pc->c, "RELEASE SAVEPOINT dvc_prepare"));
		}
		free(types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			int rc = set_error(pc, r, "cannot prepare");
			PQclear(r);
			free(vals);
			free(lens);
			free(fmts);
			return rc;
		}
		PQclear(r);
		s->prepared = 1;
	}
	s->res = pc->begin[0] ? after_begin(pc, s, vals, lens, fmts)
			      : PQexecPrepared(pc->c, s->name, s->nparams, vals, lens, fmts, 0);
	free(vals);
	free(lens);
	free(fmts);
	status = PQresultStatus(s->res);
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
		const char *cmd = PQcmdStatus(s->res);
		if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6)) {
			pc->changes = atoll(PQcmdTuples(s->res));
			pc->total_changes += pc->changes;
		}
		s->nrows = PQntuples(s->res);
		s->row = 0;
		if (s->nblob < PQnfields(s->res)) {
			int n = PQnfields(s->res);
			unsigned char **b = realloc(s->blob, (size_t)n * sizeof *b);
			size_t *bl;
			if (b)
				s->blob = b;
			bl = b ? realloc(s->blob_len, (size_t)n * sizeof *bl) : NULL;
			if (!b || !bl) {
				pg_reset(st);
				return DVC__SQL_NOMEM;
			}
			s->blob_len = bl;
			for (int i = s->nblob; i < n; i++)
				s->blob[i] = NULL;
			s->nblob = n;
		}
		return s->nrows > 0 ? DVC__SQL_ROW : DVC__SQL_DONE;
	}
	{
		int rc = set_error(pc, s->res, "no result");
		PQclear(s->res);
		s->res = NULL;
		return rc;
	}
}

static int valid(pg_stmt *s, int i)
{
	return s->res && s->row < s->nrows && i >= 0 && i < PQnfields(s->res) &&
	       !PQgetisnull(s->res, s->row, i);
}

static int pg_column_type(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	if (!valid(s, i))
		return DVC__SQL_NULL;
	switch (PQftype(s->res, i)) {
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
	case PG_BOOLOID: return DVC__SQL_INTEGER;
	case PG_FLOAT4OID:
	case PG_FLOAT8OID:
	case PG_NUMERICOID: return DVC__SQL_FLOAT;
	case PG_BYTEAOID: return DVC__SQL_BLOB;
	default: return DVC__SQL_TEXT;
	}
}

static int64_t pg_column_int64(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	const char *v;
	if (!valid(s, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	if (PQftype(s->res, i) == PG_BOOLOID)
		return v[0] == 't';
	if (PQftype(s->res, i) == PG_NUMERICOID || PQftype(s->res, i) == PG_FLOAT8OID ||
	    PQftype(s->res, i) == PG_FLOAT4OID)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_column_double(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	if (!valid(s, i))
		return 0;
	if (PQftype(s->res, i) == PG_BOOLOID)
		return PQgetvalue(s->res, s->row, i)[0] == 't';
	return strtod(PQgetvalue(s->res, s->row, i), NULL);
}

static const unsigned char *pg_column_text(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	if (!valid(s, i))
		return NULL;
	if (PQftype(s->res, i) == PG_BOOLOID)
		return (const unsigned char *)(PQgetvalue(s->res, s->row, i)[0] == 't' ? "1" : "0");
	return (const unsigned char *)PQgetvalue(s->res, s->row, i);
}

static const void *pg_column_blob(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	if (!valid(s, i))
		return NULL;
	if (PQftype(s->res, i) != PG_BYTEAOID)
		return PQgetvalue(s->res, s->row, i);
	if (!s->blob[i]) {
		size_t n = 0;
		s->blob[i] = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), &n);
		if (!s->blob[i])
			return NULL;
		s->blob_len[i] = n;
	}
	/* SQLite gives NULL for an empty blob */
	return s->blob_len[i] ? s->blob[i] : NULL;
}

static int pg_column_bytes(dvc__sql_stmt *st, int i)
{
	pg_stmt *s = P(st);
	if (!valid(s, i))
		return 0;
	if (PQftype(s->res, i) == PG_BYTEAOID) {
		pg_column_blob(st, i);
		return s->blob[i] ? (int)s->blob_len[i] : 0;
	}
	if (PQftype(s->res, i) == PG_BOOLOID)
		return 1;
	return PQgetlength(s->res, s->row, i);
}

static int64_t pg_last_insert_id(dvc_db *db)
{
	pg_conn *pc = CONN(db);
	if (flush_begin(pc) != DVC__SQL_OK)
		return 0;
	PGresult *r = PQexec(pc->c, "SELECT lastval()");
	int64_t id = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		set_error(pc, r, "no id");
	PQclear(r);
	return id;
}

static int64_t pg_changes(dvc_db *db) { return CONN(db)->changes; }
static int64_t pg_total_changes(dvc_db *db) { return CONN(db)->total_changes; }

static int pg_in_txn(dvc_db *db)
{
	if (CONN(db)->begin[0])
		return 1; /* a BEGIN waits for its first statement */
	switch (PQtransactionStatus(CONN(db)->c)) {
	case PQTRANS_INTRANS:
	case PQTRANS_ACTIVE: return 1;
	case PQTRANS_INERROR: return 2; /* open, but it can only roll back */
	default: return 0;
	}
}

static const char *pg_errmsg(dvc_db *db, int rc)
{
	(void)rc;
	return CONN(db)->msg[0] ? CONN(db)->msg : "PostgreSQL error";
}

static int pg_errcode(dvc_db *db) { return CONN(db)->last_rc; }

const struct dvc__sql_backend dvc__sql_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.exec = pg_exec,
	.last_insert_id = pg_last_insert_id,
	.changes = pg_changes,
	.total_changes = pg_total_changes,
	.in_txn = pg_in_txn,
	.errmsg = pg_errmsg,
	.errcode = pg_errcode,
	.schema_version = pg_schema_version,
	.set_schema_version = "UPDATE dvc_schema SET version = ",
	/* any fixed number (0x64766301): the lock that serialises migrations */
	.migrate_begin = "BEGIN; SELECT pg_advisory_xact_lock(1685480193)",
	.migrate_exec = pg_migrate_exec,
	/* READ COMMITTED: every write the store makes is a guarded UPDATE, an
	 * INSERT under a unique key or an upsert, which PostgreSQL re-checks
	 * against the row's latest version */
	.begin_write = "BEGIN",
	.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	.begin_write_snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ",
	.row_locks = 1,
	.returning = 1,
	.dml_with = 1,
	.whole_results = 1,
	/* no report functions: store_report.c computes working time in C */
};
