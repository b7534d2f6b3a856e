/* Dossier tables: the live row, codes, the journal, and the per-version
 * rows of a procedure version that the lifecycle needs (proc_rt.c caches
 * and completes them). */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- procedure runtime data ---- */

static const char SQL_RT_VERSION[] =
	"SELECT pv.id, p.code, pv.version, pv.online_level, pv.online_mode, pv.deadline_value,"
	" pv.deadline_unit, pv.agency, (SELECT schema FROM procedure_form f WHERE f.version_id = pv.id),"
	" pv.name, pv.served_level, pv.served_kind"
	" FROM procedure_version pv JOIN procedure p ON p.id = pv.procedure_id WHERE pv.id = ?1";
/* Start dates rise strictly with version numbers (the catalog import
 * enforces it), so the latest start is the newest version: ordering by it
 * alone reads the index backwards instead of sorting in a temporary b-tree. */
static const char SQL_RT_BY_CODE[] =
	"SELECT pv.id FROM procedure p JOIN procedure_version pv ON pv.procedure_id = p.id"
	" WHERE p.code = ?1 AND pv.valid_from <= ?2 ORDER BY pv.valid_from DESC LIMIT 1";
static const char SQL_RT_FEES[] =
	"SELECT kind, amount FROM procedure_fee WHERE version_id = ?1 ORDER BY seq";
static const char SQL_RT_ROUTE[] =
	"SELECT unit, role, share FROM procedure_route_step WHERE version_id = ?1 ORDER BY seq";
/* The nearest committee at or above the agency, else, in data without
 * agency kinds, the root of its parent chain (proc_rt.c's default route). */
static const char SQL_ROOT_AGENCY[] =
	"WITH RECURSIVE up(code, parent, kind, depth) AS ("
	"  SELECT code, parent, kind, 0 FROM agency WHERE code = ?1"
	"  UNION ALL SELECT a.code, a.parent, a.kind, up.depth + 1 FROM agency a"
	"  JOIN up ON a.code = up.parent WHERE up.depth < 16)"
	" SELECT code FROM up"
	" ORDER BY CASE WHEN kind = 'committee' THEN depth ELSE 100 - depth END LIMIT 1";

/* Freed here only on a load that failed: the form is not compiled yet. */
static void rt_unload(dvc__proc_rt *rt)
{
	if (!rt)
		return;
	dvc__free(rt->form_schema);
	dvc__free(rt->name);
	dvc__free(rt);
}

/* A version's rows of fees or route are read into rt; an error (set) when
 * they do not fit. */
struct rt_load {
	dvc_db *db;
	dvc__proc_rt *rt;
};

static int rt_fee(dvc__sql_stmt *st, void *ctx)
{
	dvc__proc_rt *rt = ((const struct rt_load *)ctx)->rt;
	if (rt->n_fees == DVC_ARRAY_LEN(rt->fees))
		return dvc__err(DVC_ECORRUPT, NULL, "procedure version %lld has more than %u fees",
				(long long)rt->version_id, DVC_CATALOG_MAX_FEES);
	rt->fees[rt->n_fees].kind = (dvc_fee_kind)dvc__sql_column_int(st, 0);
	rt->fees[rt->n_fees].amount = dvc__sql_column_int64(st, 1);
	rt->n_fees++;
	return DVC_OK;
}

static int rt_step(dvc__sql_stmt *st, void *ctx)
{
	const struct rt_load *l = ctx;
	dvc__proc_rt *rt = l->rt;
	int rc;
	if (rt->n_steps == DVC_ARRAY_LEN(rt->steps))
		return dvc__err(DVC_ECORRUPT, NULL, "procedure version %lld has more than %u route steps",
				(long long)rt->version_id, DVC_CATALOG_MAX_ROUTE);
	if ((rc = dvc__col_copy(l->db, st, 0, rt->steps[rt->n_steps].unit, sizeof rt->steps[0].unit,
				"route unit")) != DVC_OK)
		return rc;
	rt->steps[rt->n_steps].role = (dvc_role)dvc__sql_column_int(st, 1);
	rt->steps[rt->n_steps].share = dvc__sql_column_int(st, 2);
	rt->n_steps++;
	return DVC_OK;
}

/* Every row of `sql` for rt's version, each read by `row`. */
static int rt_rows(dvc_db *db, const char *sql, dvc__proc_rt *rt, dvc__row_fn row, const char *what)
{
	struct rt_load l = {db, rt};
	return dvc__rows(db, DVC__STMT(db, sql, DVC__INT(rt->version_id)), row, &l, what);
}

int dvc__store_rt_load(dvc_db *db, int64_t vid, dvc__proc_rt **out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_RT_VERSION);
	dvc__proc_rt *rt = NULL;
	int rc;
	*out = NULL;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, vid);
	if ((rc = dvc__sql_step(st)) != DVC__SQL_ROW) {
		dvc__sql_reset(st);
		return rc == DVC__SQL_DONE ? dvc__err(DVC_ENOTFOUND, NULL, "no procedure version %lld",
						    (long long)vid)
					 : dvc__store_err(db, rc, "loading a procedure");
	}
	if (!(rt = dvc__calloc(1, sizeof *rt))) {
		dvc__sql_reset(st);
		return dvc__oom();
	}
	rt->version_id = vid;
	rt->version = dvc__sql_column_int(st, 2);
	rt->online_level = dvc__sql_column_int(st, 3);
	rt->online_mode = (dvc_online_mode)dvc__sql_column_int(st, 4);
	rt->deadline_value = dvc__sql_column_int(st, 5);
	rt->deadline_unit = (dvc_deadline_unit)dvc__sql_column_int(st, 6);
	if (dvc__col_copy(db, st, 1, rt->code, sizeof rt->code, "procedure code") ||
	    dvc__col_copy(db, st, 7, rt->agency, sizeof rt->agency, "agency code") ||
	    (dvc__sql_column_type(st, 10) != DVC__SQL_NULL &&
	     dvc__col_copy(db, st, 10, rt->served_level, sizeof rt->served_level, "level code")) ||
	    (dvc__sql_column_type(st, 11) != DVC__SQL_NULL &&
	     dvc__col_copy(db, st, 11, rt->served_kind, sizeof rt->served_kind, "agency kind"))) {
		dvc__sql_reset(st);
		rt_unload(rt);
		return dvc_error_last()->code;
	}
	if (!(rt->name = dvc__strdup(dvc__sql_column_text(st, 9) ? (const char *)dvc__sql_column_text(st, 9) : "")) ||
	    (dvc__sql_column_type(st, 8) != DVC__SQL_NULL &&
	     !(rt->form_schema = dvc__strdup((const char *)dvc__sql_column_text(st, 8))))) {
		dvc__sql_reset(st);
		rt_unload(rt);
		return dvc__oom();
	}
	dvc__sql_reset(st);

	if ((rc = rt_rows(db, SQL_RT_FEES, rt, rt_fee, "loading fees")) != DVC_OK ||
	    (rc = rt_rows(db, SQL_RT_ROUTE, rt, rt_step, "loading a route")) != DVC_OK) {
		rt_unload(rt);
		return rc;
	}
	*out = rt;
	return DVC_OK;
}

struct code_out {
	dvc_db *db;
	char *code;
};

static int code_row(dvc__sql_stmt *st, void *ctx)
{
	const struct code_out *o = ctx;
	return dvc__col_copy(o->db, st, 0, o->code, DVC__CODE_SIZE, "agency code");
}

int dvc__store_root_agency(dvc_db *db, const char *agency, char root[DVC__CODE_SIZE])
{
	struct code_out o = {db, root};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_ROOT_AGENCY, DVC__TEXT(agency)), code_row, &o,
			      "finding the root agency");
	if (rc == 0) /* a root itself */
		snprintf(root, DVC__CODE_SIZE, "%s", agency);
	return rc < 0 ? rc : DVC_OK;
}

int dvc__store_version_at(dvc_db *db, const char *code, const char *asof, int64_t *vid)
{
	int rc;
	*vid = 0;
	rc = dvc__row_one(db, DVC__STMT(db, SQL_RT_BY_CODE, DVC__TEXT(code), DVC__TEXT(asof)),
			  dvc__col_int64, vid, "looking up a procedure");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "procedure", "no procedure %.64s in force on %s", code, asof);
	return rc < 0 ? rc : DVC_OK;
}

/* ---- codes ---- */

/* RETURNING where it is cheap (sql_internal.h); on SQLite, which
 * materialises RETURNING rows in an ephemeral table (a temporary b-tree
 * with its own page cache) on every call, the number is read back. */
#define SQL_NEXT_SEQ_HEAD \
	"INSERT INTO dossier_seq(agency, day, last) VALUES (?1, ?2, 1)" \
	" ON CONFLICT(agency, day) DO UPDATE SET last = dossier_seq.last + 1"
static const char SQL_NEXT_SEQ[] = SQL_NEXT_SEQ_HEAD;
static const char SQL_NEXT_SEQ_RETURNING[] = SQL_NEXT_SEQ_HEAD " RETURNING last";
static const char SQL_SEQ_READ[] = "SELECT last FROM dossier_seq WHERE agency = ?1 AND day = ?2";

int dvc__store_next_seq(dvc_db *db, const char *agency, const char *day, int64_t *out)
{
	int returning = db->be->returning;
	dvc__sql_stmt *st = dvc__stmt(db, returning ? SQL_NEXT_SEQ_RETURNING : SQL_NEXT_SEQ);
	int rc;
	for (int pass = returning; pass < 2; pass++) {
		if (!st)
			return dvc_error_last()->code;
		dvc__sql_bind_text(st, 1, agency, -1, DVC__SQL_STATIC);
		dvc__sql_bind_text(st, 2, day, -1, DVC__SQL_STATIC);
		if (pass == 0) {
			if ((rc = dvc__exec_step(db, st, "numbering a dossier")) != DVC_OK)
				return rc;
			st = dvc__stmt(db, SQL_SEQ_READ);
		}
	}
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		*out = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "numbering a dossier");
}

/* ---- the live row ---- */

#define DOSSIER_COLUMNS \
	"id, code, version_id, channel, state, rev, account_id, secret_hash, submitted_at," \
	" received_at, due_at, rescheduled_due_at, result_at, finished_at, step, unit, handler_id," \
	" step_since, step_due_at, stopped_at, remaining, step_remaining, flags, delivery," \
	" track_failures, track_locked_until, journal_seq, journal_head, fee_due, fee_paid," \
	" fee_refunded, fee_exemption IS NOT NULL, copies, pages, desk, competent"
#define DOSSIER_NCOLUMNS 36 /* what a query adds after them starts here */

#define SQL_DOSSIER_INSERT_HEAD \
	"INSERT INTO dossier(code, version_id, channel, state, rev, account_id, secret_hash," \
	" applicant_name, applicant_citizen_id, applicant_birth_date, applicant_address," \
	" applicant_phone, applicant_email, form_data, submitted_at, step, unit, step_since, flags," \
	" fee_exemption, copies, pages, journal_seq, journal_head, desk, competent)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19," \
	" ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
static const char SQL_DOSSIER_INSERT[] = SQL_DOSSIER_INSERT_HEAD;
static const char SQL_DOSSIER_INSERT_RETURNING[] = SQL_DOSSIER_INSERT_HEAD " RETURNING id";
/* with the national sync switch, which the action about to run asks for */
static const char SQL_DOSSIER_LOAD[] =
	"SELECT " DOSSIER_COLUMNS ", (SELECT value FROM national_setting WHERE key = 'sync')"
	" FROM dossier WHERE code = ?1";
/* The update assigns only the indexed and foreign-key columns that changed:
 * SQLite rewrites an index entry for every indexed column assigned, changed
 * or not, and assigning handler_id makes it check the officer foreign key,
 * which first loads the whole old row (a sixth of an action). Not
 * submitted_at at all: it changes once, with its own statement. */
#define UPD_HEAD \
	"UPDATE dossier SET rev = ?3, received_at = ?4, rescheduled_due_at = ?6, result_at = ?7," \
	" finished_at = ?8, step = ?9, step_since = ?12, step_due_at = ?13, stopped_at = ?14," \
	" remaining = ?15, step_remaining = ?16, flags = ?17, delivery = ?18, journal_seq = ?19," \
	" journal_head = ?20, fee_due = ?25, fee_paid = ?26, fee_refunded = ?27"
#define UPD_WHERE " WHERE id = ?1 AND rev = ?24"
#define UPD_STATE ", state = ?2, unit = ?10, due_at = ?5" /* both indexes */
#define UPD_UNIT ", unit = ?10"                           /* dossier_unit_state */
#define UPD_DUE ", due_at = ?5"                           /* dossier_state_due */
#define UPD_HANDLER ", handler_id = ?11"
/* [indexes: 0 none, 1 unit, 2 due, 3 all][handler changed] */
static const char *const SQL_DOSSIER_UPDATE[4][2] = {
	{UPD_HEAD UPD_WHERE, UPD_HEAD UPD_HANDLER UPD_WHERE},
	{UPD_HEAD UPD_UNIT UPD_WHERE, UPD_HEAD UPD_UNIT UPD_HANDLER UPD_WHERE},
	{UPD_HEAD UPD_DUE UPD_WHERE, UPD_HEAD UPD_DUE UPD_HANDLER UPD_WHERE},
	{UPD_HEAD UPD_STATE UPD_WHERE, UPD_HEAD UPD_STATE UPD_HANDLER UPD_WHERE},
};

/* The journal entry and the update in one statement where the backend has
 * data-modifying WITH (PostgreSQL): one round trip instead of two. The
 * entry's parameters follow the update's 27. */
#define UPD_JOURNAL \
	"WITH j AS (INSERT INTO journal(dossier_id, seq, at, actor, unit, action, from_state," \
	" to_state, note, payload_digest, hash, format, rev, fee_due, fee_paid, fee_refunded, pubkey," \
	" sig) VALUES (?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43," \
	" ?44, ?45)) "
static const char *const SQL_DOSSIER_UPDATE_JOURNALED[4][2] = {
	{UPD_JOURNAL UPD_HEAD UPD_WHERE, UPD_JOURNAL UPD_HEAD UPD_HANDLER UPD_WHERE},
	{UPD_JOURNAL UPD_HEAD UPD_UNIT UPD_WHERE, UPD_JOURNAL UPD_HEAD UPD_UNIT UPD_HANDLER UPD_WHERE},
	{UPD_JOURNAL UPD_HEAD UPD_DUE UPD_WHERE, UPD_JOURNAL UPD_HEAD UPD_DUE UPD_HANDLER UPD_WHERE},
	{UPD_JOURNAL UPD_HEAD UPD_STATE UPD_WHERE, UPD_JOURNAL UPD_HEAD UPD_STATE UPD_HANDLER UPD_WHERE},
};

static void bind_journal(dvc_db *db, dvc__sql_stmt *st, int off, int64_t dossier_id,
			 const dvc__journal_row *j);
static int journal_failed(dvc_db *db, int rc, const dvc__journal_row *j);

static void bind_time(dvc__sql_stmt *st, int i, dvc_time t)
{
	if (t)
		dvc__sql_bind_int64(st, i, t);
	else
		dvc__sql_bind_null(st, i);
}

static void bind_insert(dvc_db *db, dvc__sql_stmt *st, const dvc__dossier *d, const dvc_applicant *a,
			const char *form_data, const char *fee_exemption)
{
	dvc__sql_bind_text(st, 1, d->code, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 2, d->version_id);
	dvc__sql_bind_int(st, 3, d->channel);
	dvc__sql_bind_int(st, 4, (int)d->state);
	dvc__sql_bind_int64(st, 5, d->rev);
	if (d->account_id)
		dvc__sql_bind_int64(st, 6, d->account_id);
	if (d->has_secret)
		dvc__sql_bind_blob(st, 7, d->secret_hash, 32, DVC__SQL_STATIC);
	dvc__store_bind_applicant(db, st, 8, a);
	dvc__bind_text(db, st, 14, form_data);
	dvc__sql_bind_int64(st, 15, d->submitted_at);
	dvc__sql_bind_int(st, 16, d->step);
	dvc__sql_bind_text(st, 17, d->unit, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 18, d->step_since);
	dvc__sql_bind_int(st, 19, d->flags);
	dvc__bind_text(db, st, 20, fee_exemption);
	dvc__sql_bind_int(st, 21, d->copies);
	dvc__sql_bind_int(st, 22, d->pages);
	dvc__sql_bind_int64(st, 23, d->journal_seq);
	if (d->journal_seq)
		dvc__sql_bind_blob(st, 24, d->journal_head, 32, DVC__SQL_STATIC);
	dvc__bind_text(db, st, 25, d->desk[0] ? d->desk : NULL);
	dvc__bind_text(db, st, 26, d->competent[0] ? d->competent : NULL);
}

int dvc__store_dossier_insert(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
			      const char *form_data, const char *fee_exemption)
{
	int returning = db->be->returning;
	dvc__sql_stmt *st = dvc__stmt(db, returning ? SQL_DOSSIER_INSERT_RETURNING : SQL_DOSSIER_INSERT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	bind_insert(db, st, d, a, form_data, fee_exemption);
	if (returning) {
		rc = dvc__sql_step(st);
		if (rc == DVC__SQL_ROW)
			d->id = dvc__sql_column_int64(st, 0);
		dvc__sql_reset(st);
		return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "storing a dossier");
	}
	if ((rc = dvc__exec_step(db, st, "storing a dossier")) != DVC_OK)
		return rc;
	d->id = dvc__sql_last_insert_id(db);
	return DVC_OK;
}

/* The new dossier and its first journal entry in one statement where the
 * backend has data-modifying WITH: from the desk's code number to the
 * commit, other submissions at the desk wait, so a round trip less there
 * counts twice. The entry's parameters follow the insert's 26; the first,
 * ?27 (its dossier id), goes unused: the new row's id stands there. */
static const char SQL_DOSSIER_INSERT_JOURNALED[] =
	"WITH d AS (" SQL_DOSSIER_INSERT_HEAD " RETURNING id)"
	" INSERT INTO journal(dossier_id, seq, at, actor, unit, action, from_state, to_state, note,"
	" payload_digest, hash, format, rev, fee_due, fee_paid, fee_refunded, pubkey, sig)"
	" SELECT d.id, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41,"
	" ?42, ?43, ?44 FROM d RETURNING dossier_id";

int dvc__store_dossier_insert_journaled(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
					const char *form_data, const char *fee_exemption,
					const dvc__journal_row *j)
{
	dvc__sql_stmt *st;
	int rc;
	if (!db->be->dml_with) {
		if ((rc = dvc__store_dossier_insert(db, d, a, form_data, fee_exemption)) != DVC_OK)
			return rc;
		return dvc__store_journal_insert(db, d->id, j);
	}
	if (!(st = dvc__stmt(db, SQL_DOSSIER_INSERT_JOURNALED)))
		return dvc_error_last()->code;
	bind_insert(db, st, d, a, form_data, fee_exemption);
	bind_journal(db, st, 26, 0, j);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		d->id = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "storing a dossier");
}

/* NULL reads as 0, which is what a time field holds for "not reached". */
static dvc_time col_time(dvc__sql_stmt *st, int i) { return dvc__sql_column_int64(st, i); }

static int read_row(dvc_db *db, dvc__sql_stmt *st, dvc__dossier *d)
{
	const void *blob;
	memset(d, 0, sizeof *d);
	if (dvc__col_copy(db, st, 1, d->code, sizeof d->code, "dossier code") ||
	    dvc__col_copy(db, st, 15, d->unit, sizeof d->unit, "unit code"))
		return dvc_error_last()->code;
	d->id = dvc__sql_column_int64(st, 0);
	d->version_id = dvc__sql_column_int64(st, 2);
	d->channel = dvc__sql_column_int(st, 3);
	d->state = (dvc_state)dvc__sql_column_int(st, 4);
	d->rev = dvc__sql_column_int64(st, 5);
	d->account_id = col_time(st, 6);
	if ((blob = dvc__sql_column_blob(st, 7)) && dvc__sql_column_bytes(st, 7) == 32) {
		memcpy(d->secret_hash, blob, 32);
		d->has_secret = 1;
	}
	d->submitted_at = col_time(st, 8);
	d->received_at = col_time(st, 9);
	d->due_at = col_time(st, 10);
	d->rescheduled_due_at = col_time(st, 11);
	d->result_at = col_time(st, 12);
	d->finished_at = col_time(st, 13);
	d->step = dvc__sql_column_int(st, 14);
	d->handler_id = col_time(st, 16);
	d->step_since = col_time(st, 17);
	d->step_due_at = col_time(st, 18);
	d->stopped_at = col_time(st, 19);
	d->remaining = col_time(st, 20);
	d->step_remaining = col_time(st, 21);
	d->flags = dvc__sql_column_int(st, 22);
	d->delivery = dvc__sql_column_type(st, 23) == DVC__SQL_NULL ? -1 : dvc__sql_column_int(st, 23);
	d->track_failures = dvc__sql_column_int(st, 24);
	d->track_locked_until = col_time(st, 25);
	d->journal_seq = dvc__sql_column_int64(st, 26);
	if ((blob = dvc__sql_column_blob(st, 27)) && dvc__sql_column_bytes(st, 27) == 32)
		memcpy(d->journal_head, blob, 32);
	d->fee_due = dvc__sql_column_int64(st, 28);
	d->fee_paid = dvc__sql_column_int64(st, 29);
	d->fee_refunded = dvc__sql_column_int64(st, 30);
	d->fee_exempt = dvc__sql_column_int(st, 31);
	d->copies = dvc__sql_column_int(st, 32);
	d->pages = dvc__sql_column_int(st, 33);
	if ((dvc__sql_column_type(st, 34) != DVC__SQL_NULL &&
	     dvc__col_copy(db, st, 34, d->desk, sizeof d->desk, "desk code")) ||
	    (dvc__sql_column_type(st, 35) != DVC__SQL_NULL &&
	     dvc__col_copy(db, st, 35, d->competent, sizeof d->competent, "agency code")))
		return dvc_error_last()->code;
	d->stored.state = d->state;
	d->stored.due_at = d->due_at;
	d->stored.handler_id = d->handler_id;
	memcpy(d->stored.unit, d->unit, sizeof d->unit);
	return DVC_OK;
}

int dvc__store_dossier_load(dvc_db *db, const char *code, dvc__dossier *d)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_DOSSIER_LOAD);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW && read_row(db, st, d) != DVC_OK) {
		dvc__sql_reset(st);
		return dvc_error_last()->code;
	}
	if (rc == DVC__SQL_ROW)
		dvc__store_sync_switch_seen(db, (const char *)dvc__sql_column_text(st, DOSSIER_NCOLUMNS));
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return dvc__err(DVC_ENOTFOUND, "code", "no dossier %.*s", DVC_CODE_MAX, code);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "loading a dossier");
}

static const char SQL_DOSSIER_SUBMITTED[] = "UPDATE dossier SET submitted_at = ?2 WHERE id = ?1";

int dvc__store_dossier_set_submitted(dvc_db *db, int64_t id, dvc_time at)
{
	return DVC__EXEC(db, SQL_DOSSIER_SUBMITTED, "submitting a draft", DVC__INT(id),
			 DVC__INT(at));
}

/* The update's statement for what changed: [indexes][handler]. */
static void update_variant(const dvc__dossier *d, int *idx, int *new_handler)
{
	int unit = strcmp(d->unit, d->stored.unit) != 0, due = d->due_at != d->stored.due_at;
	*idx = d->state != d->stored.state || (unit && due) ? 3 : unit ? 1 : due ? 2 : 0;
	*new_handler = d->handler_id != d->stored.handler_id;
}

static void bind_update(dvc__sql_stmt *st, const dvc__dossier *d, int64_t expected_rev, int new_handler)
{
	dvc__sql_bind_int64(st, 1, d->id);
	dvc__sql_bind_int(st, 2, (int)d->state);
	dvc__sql_bind_int64(st, 3, d->rev);
	bind_time(st, 4, d->received_at);
	bind_time(st, 5, d->due_at);
	bind_time(st, 6, d->rescheduled_due_at);
	bind_time(st, 7, d->result_at);
	bind_time(st, 8, d->finished_at);
	dvc__sql_bind_int(st, 9, d->step);
	dvc__sql_bind_text(st, 10, d->unit, -1, DVC__SQL_STATIC);
	if (new_handler)
		bind_time(st, 11, d->handler_id);
	dvc__sql_bind_int64(st, 12, d->step_since);
	bind_time(st, 13, d->step_due_at);
	bind_time(st, 14, d->stopped_at);
	if (d->flags & DVC__F_STOPPED) {
		dvc__sql_bind_int64(st, 15, d->remaining);
		dvc__sql_bind_int64(st, 16, d->step_remaining);
	}
	dvc__sql_bind_int(st, 17, d->flags);
	if (d->delivery >= 0)
		dvc__sql_bind_int(st, 18, d->delivery);
	dvc__sql_bind_int64(st, 19, d->journal_seq);
	dvc__sql_bind_blob(st, 20, d->journal_head, 32, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 24, expected_rev);
	dvc__sql_bind_int64(st, 25, d->fee_due);
	dvc__sql_bind_int64(st, 26, d->fee_paid);
	dvc__sql_bind_int64(st, 27, d->fee_refunded);
}

static int update_done(dvc_db *db, const dvc__dossier *d, int64_t expected_rev)
{
	if (dvc__sql_changes(db) != 1)
		return dvc__err(DVC_ECONFLICT, "expected_version",
				"dossier %s changed meanwhile (version %lld is stale)", d->code,
				(long long)expected_rev);
	return DVC_OK;
}

int dvc__store_dossier_update(dvc_db *db, const dvc__dossier *d, int64_t expected_rev)
{
	int idx, new_handler, rc;
	dvc__sql_stmt *st;
	update_variant(d, &idx, &new_handler);
	if (!(st = dvc__stmt(db, SQL_DOSSIER_UPDATE[idx][new_handler])))
		return dvc_error_last()->code;
	bind_update(st, d, expected_rev, new_handler);
	if ((rc = dvc__exec_step(db, st, "updating a dossier")) != DVC_OK)
		return rc;
	return update_done(db, d, expected_rev);
}

int dvc__store_dossier_update_journaled(dvc_db *db, const dvc__dossier *d, int64_t expected_rev,
					const dvc__journal_row *j)
{
	int idx, new_handler, rc;
	dvc__sql_stmt *st;
	if (!db->be->dml_with) {
		if ((rc = dvc__store_journal_insert(db, d->id, j)) != DVC_OK)
			return rc;
		return dvc__store_dossier_update(db, d, expected_rev);
	}
	update_variant(d, &idx, &new_handler);
	if (!(st = dvc__stmt(db, SQL_DOSSIER_UPDATE_JOURNALED[idx][new_handler])))
		return dvc_error_last()->code;
	bind_update(st, d, expected_rev, new_handler);
	bind_journal(db, st, 27, d->id, j);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc != DVC__SQL_DONE && rc != DVC__SQL_ROW)
		return journal_failed(db, rc, j);
	return update_done(db, d, expected_rev);
}

/* ---- journal ---- */

static const char SQL_JOURNAL_INSERT[] =
	"INSERT INTO journal(dossier_id, seq, at, actor, unit, action, from_state, to_state, note,"
	" payload_digest, hash, format, rev, fee_due, fee_paid, fee_refunded, pubkey, sig)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
static const char SQL_JOURNAL_EACH[] =
	"SELECT seq, at, actor, unit, action, from_state, to_state, note, payload_digest, hash,"
	" format, rev, fee_due, fee_paid, fee_refunded, pubkey, sig"
	" FROM journal WHERE dossier_id = ?1 ORDER BY seq";

/* Bind a journal entry's 18 values from parameter off + 1 on. */
static void bind_journal(dvc_db *db, dvc__sql_stmt *st, int off, int64_t dossier_id,
			 const dvc__journal_row *j)
{
	dvc__sql_bind_int64(st, off + 1, dossier_id);
	dvc__sql_bind_int64(st, off + 2, j->seq);
	dvc__sql_bind_int64(st, off + 3, j->at);
	dvc__sql_bind_text(st, off + 4, j->actor, -1, DVC__SQL_STATIC);
	dvc__bind_text(db, st, off + 5, j->unit);
	dvc__sql_bind_int(st, off + 6, (int)j->action);
	dvc__sql_bind_int(st, off + 7, (int)j->from);
	dvc__sql_bind_int(st, off + 8, (int)j->to);
	dvc__bind_text(db, st, off + 9, j->note);
	if (j->payload_digest)
		dvc__sql_bind_blob(st, off + 10, j->payload_digest, 32, DVC__SQL_STATIC);
	dvc__sql_bind_blob(st, off + 11, j->hash, 32, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, off + 12, j->format);
	if (j->format >= 2) {
		dvc__sql_bind_int64(st, off + 13, j->rev);
		dvc__sql_bind_int64(st, off + 14, j->fee_due);
		dvc__sql_bind_int64(st, off + 15, j->fee_paid);
		dvc__sql_bind_int64(st, off + 16, j->fee_refunded);
	}
	if (j->pubkey && j->sig) {
		dvc__sql_bind_blob(st, off + 17, j->pubkey, 32, DVC__SQL_STATIC);
		dvc__sql_bind_blob(st, off + 18, j->sig, 64, DVC__SQL_STATIC);
	}
}

/* The entry's place is taken: another handle wrote to this dossier since
 * it was read. SQLite's write lock makes that impossible; on PostgreSQL two
 * desks on two servers acting at once both read the row, and the second
 * one's entry meets the first one's here, before its rev-checked update
 * does: the same stale-version answer. */
static int journal_failed(dvc_db *db, int rc, const dvc__journal_row *j)
{
	if (rc == DVC__SQL_CONSTRAINT_UNIQUE)
		return dvc__err(DVC_ECONFLICT, "expected_version",
				"the dossier changed meanwhile (its journal entry %lld was written by "
				"another action): reload it", (long long)j->seq);
	return dvc__store_err(db, rc, "journaling an action");
}

int dvc__store_journal_insert(dvc_db *db, int64_t dossier_id, const dvc__journal_row *j)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_JOURNAL_INSERT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	bind_journal(db, st, 0, dossier_id, j);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE || rc == DVC__SQL_ROW)
		return DVC_OK;
	return journal_failed(db, rc, j);
}

/* A blob column of exactly n bytes, or NULL (absent, or another size: the
 * verifier then reports the entry). */
static const unsigned char *blob_n(dvc__sql_stmt *st, int col, int n)
{
	return dvc__sql_column_bytes(st, col) == n ? dvc__sql_column_blob(st, col) : NULL;
}

static int journal_row(dvc__sql_stmt *st, void *ctx)
{
	static const unsigned char zero[32];
	const dvc__sink *k = ctx;
	dvc__journal_row j;
	j.seq = dvc__sql_column_int64(st, 0);
	j.at = dvc__sql_column_int64(st, 1);
	j.actor = (const char *)dvc__sql_column_text(st, 2);
	j.unit = (const char *)dvc__sql_column_text(st, 3);
	j.action = (dvc_action)dvc__sql_column_int(st, 4);
	j.from = (dvc_state)dvc__sql_column_int(st, 5);
	j.to = (dvc_state)dvc__sql_column_int(st, 6);
	j.note = (const char *)dvc__sql_column_text(st, 7);
	j.payload_digest = blob_n(st, 8, 32);
	j.hash = dvc__sql_column_bytes(st, 9) == 32 ? dvc__sql_column_blob(st, 9) : zero;
	j.format = dvc__sql_column_int(st, 10);
	j.rev = dvc__sql_column_int64(st, 11);
	j.fee_due = dvc__sql_column_int64(st, 12);
	j.fee_paid = dvc__sql_column_int64(st, 13);
	j.fee_refunded = dvc__sql_column_int64(st, 14);
	j.pubkey = blob_n(st, 15, 32);
	j.sig = blob_n(st, 16, 64);
	/* a key without its signature, or either of the wrong size: the
	 * verifier names the entry as malformed */
	if ((dvc__sql_column_type(st, 15) != DVC__SQL_NULL || dvc__sql_column_type(st, 16) != DVC__SQL_NULL) &&
	    (!j.pubkey || !j.sig))
		j.format = -1;
	return ((dvc__journal_cb)k->fn)(k->ctx, &j);
}

int dvc__store_journal_each(dvc_db *db, int64_t dossier_id, dvc__journal_cb cb, void *ctx)
{
	/* Not the cached statement: callbacks may run other cached statements. */
	dvc__sink k = DVC__SINK(cb, ctx);
	dvc__sql_stmt *st;
	int rc = dvc__sql_prepare(db, SQL_JOURNAL_EACH, &st);
	if (rc != DVC__SQL_OK)
		return dvc__store_err(db, rc, "reading the journal");
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__rows(db, st, journal_row, &k, "reading the journal");
	dvc__sql_finalize(st);
	return rc;
}

/* Text columns 0.. copied into the arena for the pointers in `out` (NULL:
 * that column is not wanted); a NULL column is a NULL string. */
struct texts_out {
	dvc_arena *a;
	const char **const *out;
	size_t n;
	bool oom;
};

static int texts_row(dvc__sql_stmt *st, void *ctx)
{
	struct texts_out *o = ctx;
	for (size_t i = 0; i < o->n; i++)
		if (o->out[i])
			*o->out[i] = dvc__col_arena(o->a, st, (int)i, &o->oom);
	return DVC_OK;
}

static const char SQL_DOSSIER_DETAILS[] =
	"SELECT d.applicant_name, o.full_name, a.name, d.applicant_citizen_id,"
	" d.applicant_birth_date, d.applicant_address, d.applicant_phone, d.applicant_email,"
	" d.fee_exemption, d.form_data FROM dossier d"
	" LEFT JOIN officer o ON o.id = d.handler_id LEFT JOIN agency a ON a.code = d.unit"
	" WHERE d.id = ?1";

int dvc__store_dossier_details(dvc_db *db, int64_t id, dvc_arena *a, dvc_applicant *app,
			       const char **handler, const char **unit_name, const char **exemption,
			       const char **form_data)
{
	/* the pointers' targets are the row's, the strings the arena's */
	const char **out[] = {&app->full_name, handler, unit_name, &app->citizen_id,
			      &app->birth_date, &app->address, &app->phone, &app->email,
			      exemption, form_data};

	struct texts_out o = {a, out, DVC_ARRAY_LEN(out), false};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_DOSSIER_DETAILS, DVC__INT(id)), texts_row, &o,
			      "reading a dossier");
	if (rc == 0) /* the caller has the dossier's row: none is a failed read */
		return dvc__store_err(db, DVC__SQL_DONE, "reading a dossier");
	if (rc < 0)
		return rc;
	return o.oom || !app->full_name || !app->citizen_id || !app->birth_date || !app->address
		       ? dvc__oom()
		       : DVC_OK;
}

static const char SQL_DOSSIER_CONTACT[] =
	"SELECT d.applicant_name, d.applicant_phone, d.applicant_email, a.name FROM dossier d"
	" LEFT JOIN agency a ON a.code = d.unit WHERE d.id = ?1";

int dvc__store_dossier_contact(dvc_db *db, int64_t id, dvc_arena *a, const char **name,
			       const char **phone, const char **email, const char **unit_name)
{
	const char **out[] = {name, phone, email, unit_name};
	struct texts_out o = {a, out, DVC_ARRAY_LEN(out), false};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_DOSSIER_CONTACT, DVC__INT(id)), texts_row, &o,
			      "reading a dossier");
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, NULL, "no dossier %lld", (long long)id);
	if (rc < 0)
		return rc;
	return o.oom || !*name ? dvc__oom() : DVC_OK;
}

static const char SQL_DOSSIER_EACH[] =
	"SELECT " DOSSIER_COLUMNS ", (SELECT p.code FROM procedure_version pv JOIN procedure p"
	" ON p.id = pv.procedure_id WHERE pv.id = dossier.version_id),"
	" (SELECT username FROM officer WHERE officer.id = dossier.handler_id)"
	" FROM dossier WHERE (?1 < 0 OR state = ?1) AND (?2 IS NULL OR unit = ?2)"
	" ORDER BY id DESC LIMIT ?3";

int dvc__store_dossier_each(dvc_db *db, int state, const char *unit, size_t limit,
			    dvc__dossier_cb cb, void *ctx)
{
	dvc__sql_stmt *st;
	int rc = dvc__sql_prepare(db, SQL_DOSSIER_EACH, &st);
	if (rc != DVC__SQL_OK)
		return dvc__store_err(db, rc, "listing dossiers");
	dvc__sql_bind_int(st, 1, state);
	if (unit)
		dvc__sql_bind_text(st, 2, unit, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 3, (int64_t)limit);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		dvc__dossier d;
		if ((rc = read_row(db, st, &d)) != DVC_OK) {
			dvc__sql_finalize(st);
			return rc;
		}
		if ((rc = cb(ctx, &d, (const char *)dvc__sql_column_text(st, DOSSIER_NCOLUMNS),
			     (const char *)dvc__sql_column_text(st, DOSSIER_NCOLUMNS + 1))) != DVC_OK) {
			dvc__sql_finalize(st);
			return rc < 0 ? rc : DVC_OK;
		}
	}
	dvc__sql_finalize(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "listing dossiers");
}

static int code_each_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	int (*cb)(void *ctx, const char *code) = (int (*)(void *, const char *))k->fn;
	return cb(k->ctx, (const char *)dvc__sql_column_text(st, 0));
}

/* Hands the code of each row of `sql` to `cb`, which may stop the walk. */
static int each_code(dvc_db *db, const char *sql, const char *what,
		     int (*cb)(void *ctx, const char *code), void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	dvc__sql_stmt *st;
	int rc = dvc__sql_prepare(db, sql, &st);
	if (rc != DVC__SQL_OK)
		return dvc__store_err(db, rc, what);
	rc = dvc__rows(db, st, code_each_row, &k, what);
	dvc__sql_finalize(st);
	return rc;
}

int dvc__store_dossier_ids(dvc_db *db, int (*cb)(void *ctx, const char *code), void *ctx)
{
	return each_code(db, "SELECT code FROM dossier ORDER BY id", "listing dossiers", cb, ctx);
}

int dvc__store_open_dossier_codes(dvc_db *db, int (*cb)(void *ctx, const char *code), void *ctx)
{
	_Static_assert(DVC_STATE_RETURNED == 7 && DVC_STATE_REJECTED == 8 && DVC_STATE_WITHDRAWN == 9 &&
			       DVC_STATE_CANCELLED == 10,
		       "the final states");
	return each_code(db, "SELECT code FROM dossier WHERE state NOT IN (7, 8, 9, 10) ORDER BY id",
			 "listing open dossiers", cb, ctx);
}

int dvc__store_dossier_set_route(dvc_db *db, int64_t id, const char *desk, const char *competent)
{
	return DVC__EXEC(db, "UPDATE dossier SET desk = ?2, competent = ?3 WHERE id = ?1",
			 "moving a dossier to a successor", DVC__INT(id), DVC__TEXT(desk && *desk ? desk : NULL),
			 DVC__TEXT(competent && *competent ? competent : NULL));
}
