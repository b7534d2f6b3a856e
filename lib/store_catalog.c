/* Catalog tables: SQL for levels, sectors, agencies and procedure versions. */
#include "store_internal.h"
#include "text.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char SQL_LEVEL_PUT[] =
	"INSERT INTO level(code, name, rank) VALUES (?1, ?2, ?3) "
	"ON CONFLICT(code) DO UPDATE SET name = excluded.name, rank = excluded.rank";
static const char SQL_SECTOR_PUT[] =
	"INSERT INTO sector(code, name) VALUES (?1, ?2) "
	"ON CONFLICT(code) DO UPDATE SET name = excluded.name";
static const char SQL_AGENCY_PUT[] =
	"INSERT INTO agency(code, name, level, parent, valid_from, valid_to, kind) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(code) DO UPDATE SET "
	"name = excluded.name, level = excluded.level, parent = excluded.parent, "
	"valid_from = excluded.valid_from, valid_to = excluded.valid_to, kind = excluded.kind";
static const char SQL_SUCCESSION_PUT[] =
	"INSERT INTO agency_successor(predecessor, successor, date, act, note) "
	"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(predecessor, successor) DO UPDATE SET "
	"date = excluded.date, act = excluded.act, note = excluded.note";
static const char SQL_ALL_SUCCESSIONS[] =
	"SELECT predecessor, successor, date, act, note FROM agency_successor"
	" ORDER BY predecessor, successor";
static const char SQL_LEVEL_EXISTS[] = "SELECT 1 FROM level WHERE code = ?1";
static const char SQL_SECTOR_EXISTS[] = "SELECT 1 FROM sector WHERE code = ?1";
static const char SQL_AGENCY_EXISTS[] = "SELECT 1 FROM agency WHERE code = ?1";
static const char SQL_PROC_ID[] = "SELECT id FROM procedure WHERE code = ?1";
static const char SQL_PROC_INSERT[] = "INSERT INTO procedure(code) VALUES (?1)";
static const char SQL_VERSION_EXISTS[] =
	"SELECT 1 FROM procedure_version WHERE procedure_id = ?1 AND version = ?2";
static const char SQL_VERSION_INSERT[] =
	"INSERT INTO procedure_version(procedure_id, version, valid_from, name, sector, agency,"
	" online_level, online_mode, deadline_value, deadline_unit, result_type, unconfirmed,"
	" served_level, served_kind)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_LEVEL_LINK[] =
	"INSERT INTO procedure_level(version_id, seq, level) VALUES (?1, ?2, ?3)";
static const char SQL_DOC_INSERT[] =
	"INSERT INTO procedure_document(version_id, seq, name, form, count, submission)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_FEE_INSERT[] =
	"INSERT INTO procedure_fee(version_id, seq, name, kind, amount, note)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_LEGAL_INSERT[] =
	"INSERT INTO procedure_legal(version_id, seq, text) VALUES (?1, ?2, ?3)";
static const char SQL_ROUTE_INSERT[] =
	"INSERT INTO procedure_route_step(version_id, seq, unit, role, share) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_FORM_INSERT[] = "INSERT INTO procedure_form(version_id, schema) VALUES (?1, ?2)";
static const char SQL_VERSION_ROUTE[] =
	"SELECT unit, role, share FROM procedure_route_step WHERE version_id = ?1 ORDER BY seq";
static const char SQL_VERSION_FORM[] = "SELECT schema FROM procedure_form WHERE version_id = ?1";
static const char SQL_FTS_INSERT[] = "INSERT INTO procedure_fts(rowid, body) VALUES (?1, ?2)";

/* A version's valid_to is derived: the day before the next version starts. */
#define VERSION_COLUMNS \
	"pv.id, p.code, pv.version, pv.valid_from, pv.name, pv.sector, pv.agency," \
	" pv.online_level, pv.online_mode, pv.deadline_value, pv.deadline_unit," \
	" pv.result_type, pv.unconfirmed," \
	" (SELECT date(min(n.valid_from), '-1 day') FROM procedure_version n" \
	"   WHERE n.procedure_id = pv.procedure_id AND n.version > pv.version)," \
	" pv.served_level, pv.served_kind"
static const char SQL_VERSION_BY_NUMBER[] =
	"SELECT " VERSION_COLUMNS " FROM procedure p JOIN procedure_version pv"
	" ON pv.procedure_id = p.id WHERE p.code = ?1 AND pv.version = ?2";
/* Start dates rise strictly with version numbers (enforced at import): the
 * latest start is the newest version, read backwards off the index. */
static const char SQL_VERSION_ASOF[] =
	"SELECT " VERSION_COLUMNS " FROM procedure p JOIN procedure_version pv"
	" ON pv.procedure_id = p.id WHERE p.code = ?1 AND pv.valid_from <= ?2"
	" ORDER BY pv.valid_from DESC LIMIT 1";
static const char SQL_VERSION_LEVELS[] =
	"SELECT level FROM procedure_level WHERE version_id = ?1 ORDER BY seq";
static const char SQL_VERSION_DOCS[] =
	"SELECT name, form, count, submission FROM procedure_document"
	" WHERE version_id = ?1 ORDER BY seq";
static const char SQL_VERSION_FEES[] =
	"SELECT name, kind, amount, note FROM procedure_fee WHERE version_id = ?1 ORDER BY seq";
static const char SQL_VERSION_LEGAL[] =
	"SELECT text FROM procedure_legal WHERE version_id = ?1 ORDER BY seq";
static const char SQL_ALL_LEVELS[] = "SELECT code, name, rank FROM level ORDER BY rank, code";
static const char SQL_ALL_SECTORS[] = "SELECT code, name FROM sector ORDER BY code";
static const char SQL_ALL_AGENCIES[] =
	"SELECT code, name, level, parent, valid_from, valid_to, kind FROM agency ORDER BY code";
static const char SQL_ALL_PROCS[] = "SELECT code FROM procedure ORDER BY code";
static const char SQL_COUNT_PROCS[] = "SELECT count(*) FROM procedure";
static const char SQL_VERSIONS_OF[] =
	"SELECT pv.version FROM procedure p JOIN procedure_version pv ON pv.procedure_id = p.id"
	" WHERE p.code = ?1 ORDER BY pv.version";

static int exists(dvc_db *db, const char *sql, const char *code)
{
	return dvc__row_one(db, DVC__STMT(db, sql, DVC__TEXT(code)), NULL, NULL, "looking up a code");
}

int dvc__store_level_exists(dvc_db *db, const char *c) { return exists(db, SQL_LEVEL_EXISTS, c); }
int dvc__store_sector_exists(dvc_db *db, const char *c) { return exists(db, SQL_SECTOR_EXISTS, c); }
int dvc__store_agency_exists(dvc_db *db, const char *c) { return exists(db, SQL_AGENCY_EXISTS, c); }

static const char SQL_AGENCY_VALIDITY[] = "SELECT valid_from, valid_to FROM agency WHERE code = ?1";

struct validity {
	dvc_db *db;
	char *from, *to;
};

static int validity_row(dvc__sql_stmt *st, void *ctx)
{
	const struct validity *v = ctx;
	if (dvc__col_copy(v->db, st, 0, v->from, DVC__DATE_SIZE, "agency start date") ||
	    dvc__col_copy(v->db, st, 1, v->to, DVC__DATE_SIZE, "agency end date"))
		return dvc_error_last()->code;
	return DVC_OK;
}

int dvc__store_agency_validity(dvc_db *db, const char *code, char valid_from[11], char valid_to[11])
{
	struct validity v = {db, valid_from, valid_to};
	return dvc__row_one(db, DVC__STMT(db, SQL_AGENCY_VALIDITY, DVC__TEXT(code)), validity_row, &v,
			    "reading an agency");
}

int dvc__store_level_put(dvc_db *db, const dvc__level *l)
{
	return DVC__EXEC(db, SQL_LEVEL_PUT, "storing a level", DVC__TEXT(l->code),
			 DVC__TEXT(l->name), DVC__INT(l->rank));
}

int dvc__store_sector_put(dvc_db *db, const dvc__sector *s)
{
	return DVC__EXEC(db, SQL_SECTOR_PUT, "storing a sector", DVC__TEXT(s->code),
			 DVC__TEXT(s->name));
}

int dvc__store_agency_put(dvc_db *db, const dvc__agency *a)
{
	char from[DVC__DATE_SIZE], to[DVC__DATE_SIZE];
	dvc__date_format(&a->valid_from, from);
	if (a->has_valid_to)
		dvc__date_format(&a->valid_to, to);
	return DVC__EXEC(db, SQL_AGENCY_PUT, "storing an agency", DVC__TEXT(a->code), DVC__TEXT(a->name),
			 DVC__TEXT(a->level), DVC__TEXT(a->parent), DVC__TEXT(from),
			 DVC__TEXT(a->has_valid_to ? to : NULL), DVC__TEXT(a->kind));
}

int dvc__store_succession_put(dvc_db *db, const dvc_succession *s)
{
	char day[DVC__DATE_SIZE];
	dvc__date_format(&s->date, day);
	return DVC__EXEC(db, SQL_SUCCESSION_PUT, "storing a successor link", DVC__TEXT(s->predecessor),
			 DVC__TEXT(s->successor), DVC__TEXT(day), DVC__TEXT(s->act), DVC__TEXT(s->note));
}

static int64_t procedure_id(dvc_db *db, const char *code, bool create)
{
	int64_t id;
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_PROC_ID, DVC__TEXT(code)), dvc__col_int64, &id,
			      "looking up a procedure");
	if (rc != 0)
		return rc < 0 ? rc : id;
	if (!create)
		return 0;
	if ((rc = DVC__EXEC(db, SQL_PROC_INSERT, "storing a procedure", DVC__TEXT(code))) != DVC_OK)
		return rc;
	return dvc__sql_last_insert_id(db);
}

/* Binds ?3 and on of row `i` of one of a version's child lists. */
typedef void (*bind_fn)(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i);

static void bind_level(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i)
{
	(void)db;
	dvc__sql_bind_text(st, 3, p->levels[i], -1, DVC__SQL_STATIC);
}

static void bind_document(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i)
{
	const dvc_document *d = &p->documents[i];
	(void)db;
	dvc__sql_bind_text(st, 3, d->name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, (int)d->form);
	dvc__sql_bind_int(st, 5, d->count);
	dvc__sql_bind_int(st, 6, (int)d->submission);
}

static void bind_fee(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i)
{
	const dvc_fee *f = &p->fees[i];
	dvc__sql_bind_text(st, 3, f->name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, (int)f->kind);
	dvc__sql_bind_int64(st, 5, f->amount);
	dvc__bind_text(db, st, 6, f->note);
}

static void bind_legal(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i)
{
	(void)db;
	dvc__sql_bind_text(st, 3, p->legal_basis[i], -1, DVC__SQL_STATIC);
}

static void bind_step(dvc_db *db, dvc__sql_stmt *st, const dvc_procedure *p, size_t i)
{
	(void)db;
	dvc__sql_bind_text(st, 3, p->route[i].unit, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, (int)p->route[i].role);
	dvc__sql_bind_int(st, 5, p->route[i].share);
}

/* Stores the `n` rows of one child list of version `vid`: ?1 the version,
 * ?2 the row's place in the list, the rest from `bind`. */
static int put_rows(dvc_db *db, int64_t vid, const dvc_procedure *p, size_t n, const char *sql,
		    bind_fn bind, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		dvc__sql_stmt *st = dvc__stmt(db, sql);
		int rc;
		if (!st)
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, vid);
		dvc__sql_bind_int64(st, 2, (int64_t)i);
		bind(db, st, p, i);
		if ((rc = dvc__exec_step(db, st, what)) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

static int put_children(dvc_db *db, int64_t vid, const dvc_procedure *p)
{
	dvc__sql_stmt *st;
	int rc;
	if ((rc = put_rows(db, vid, p, p->n_levels, SQL_LEVEL_LINK, bind_level,
			   "storing a procedure level")) != DVC_OK ||
	    (rc = put_rows(db, vid, p, p->n_documents, SQL_DOC_INSERT, bind_document,
			   "storing a document")) != DVC_OK ||
	    (rc = put_rows(db, vid, p, p->n_fees, SQL_FEE_INSERT, bind_fee, "storing a fee")) != DVC_OK ||
	    (rc = put_rows(db, vid, p, p->n_legal_basis, SQL_LEGAL_INSERT, bind_legal,
			   "storing a legal basis")) != DVC_OK ||
	    (rc = put_rows(db, vid, p, p->n_route, SQL_ROUTE_INSERT, bind_step,
			   "storing a route step")) != DVC_OK)
		return rc;
	if (p->form_schema) {
		if (!(st = dvc__stmt(db, SQL_FORM_INSERT)))
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, vid);
		dvc__sql_bind_text(st, 2, p->form_schema, -1, DVC__SQL_STATIC);
		if ((rc = dvc__exec_step(db, st, "storing a form schema")) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

int dvc__store_version_put(dvc_db *db, const dvc_procedure *p)
{
	dvc__sql_stmt *st;
	int64_t pid, vid;
	int rc;
	char from[11];
	dvc_buf unconf = DVC_BUF_INIT, body = DVC_BUF_INIT;

	if ((pid = procedure_id(db, p->code, true)) < 0)
		return (int)pid;
	if (!(st = dvc__stmt(db, SQL_VERSION_EXISTS)))
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, pid);
	dvc__sql_bind_int(st, 2, p->version);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_ROW)
		return DVC_EEXISTS; /* caller decides; no error message needed */
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "looking up a version");

	/* unconfirmed field names: stored as one comma-separated column */
	for (size_t i = 0; i < p->n_unconfirmed; i++) {
		if (i)
			dvc_buf_putc(&unconf, ',');
		dvc_buf_puts(&unconf, p->unconfirmed[i]);
	}
	dvc_buf_puts(&unconf, "");
	/* the searchable body: folded name and code (folded as FTS5's
	 * tokenizer would split it, so the plain-SQL search sees the same words) */
	dvc__fold(p->name, strlen(p->name), &body);
	dvc_buf_putc(&body, ' ');
	dvc__fold(p->code, strlen(p->code), &body);
	if (unconf.oom || body.oom) {
		rc = dvc__oom();
		goto out;
	}
	if (!(st = dvc__stmt(db, SQL_VERSION_INSERT))) {
		rc = dvc_error_last()->code;
		goto out;
	}
	dvc__date_format(&p->valid_from, from);
	dvc__sql_bind_int64(st, 1, pid);
	dvc__sql_bind_int(st, 2, p->version);
	dvc__sql_bind_text(st, 3, from, -1, DVC__SQL_TRANSIENT);
	dvc__sql_bind_text(st, 4, p->name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 5, p->sector, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 6, p->agency, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 7, p->online_level);
	dvc__sql_bind_int(st, 8, (int)p->online_mode);
	dvc__sql_bind_int(st, 9, p->deadline_value);
	dvc__sql_bind_int(st, 10, (int)p->deadline_unit);
	dvc__sql_bind_text(st, 11, p->result_type, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 12, unconf.ptr, -1, DVC__SQL_STATIC);
	dvc__bind_text(db, st, 13, p->served_level);
	dvc__bind_text(db, st, 14, p->served_kind);
	if ((rc = dvc__exec_step(db, st, "storing a procedure version")) != DVC_OK)
		goto out;
	vid = dvc__sql_last_insert_id(db);
	if ((rc = put_children(db, vid, p)) != DVC_OK)
		goto out;
	if (!(st = dvc__stmt(db, SQL_FTS_INSERT))) {
		rc = dvc_error_last()->code;
		goto out;
	}
	dvc__sql_bind_int64(st, 1, vid);
	dvc__sql_bind_text(st, 2, body.ptr, -1, DVC__SQL_STATIC);
	rc = dvc__exec_step(db, st, "indexing a procedure");
out:
	dvc_buf_free(&unconf);
	dvc_buf_free(&body);
	return rc;
}

/* ---- reading ---- */

/* Run a child query of version `vid` into an arena array. */
static int load_rows(dvc_db *db, dvc_arena *a, const char *sql, int64_t vid, size_t size,
		     dvc__elem_fn fn, void **out, size_t *n)
{
	dvc__sql_stmt *st = dvc__stmt(db, sql);
	if (st)
		dvc__sql_bind_int64(st, 1, vid);
	return dvc__rows_array(db, a, st, size, fn, "reading a procedure", out, n);
}

static bool row_string(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	bool oom = false;
	*(const char **)elem = dvc__col_arena(a, st, 0, &oom);
	return !oom;
}

static bool row_doc(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc_document *d = elem;
	bool oom = false;
	d->name = dvc__col_arena(a, st, 0, &oom);
	d->form = (dvc_doc_form)dvc__sql_column_int(st, 1);
	d->count = dvc__sql_column_int(st, 2);
	d->submission = (dvc_doc_submission)dvc__sql_column_int(st, 3);
	return !oom;
}

static bool row_step(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc_route_step *r = elem;
	bool oom = false;
	r->unit = dvc__col_arena(a, st, 0, &oom);
	r->role = (dvc_role)dvc__sql_column_int(st, 1);
	r->share = dvc__sql_column_int(st, 2);
	return !oom;
}

static bool row_fee(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc_fee *f = elem;
	bool oom = false;
	f->name = dvc__col_arena(a, st, 0, &oom);
	f->kind = (dvc_fee_kind)dvc__sql_column_int(st, 1);
	f->amount = dvc__sql_column_int64(st, 2);
	f->note = dvc__col_arena(a, st, 3, &oom);
	return !oom;
}

static bool row_level(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc__level *l = elem;
	bool oom = false;
	l->code = dvc__col_arena(a, st, 0, &oom);
	l->name = dvc__col_arena(a, st, 1, &oom);
	l->rank = dvc__sql_column_int(st, 2);
	return !oom;
}

static bool row_sector(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc__sector *sc = elem;
	bool oom = false;
	sc->code = dvc__col_arena(a, st, 0, &oom);
	sc->name = dvc__col_arena(a, st, 1, &oom);
	return !oom;
}

static bool row_agency(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc__agency *ag = elem;
	bool oom = false;
	ag->code = dvc__col_arena(a, st, 0, &oom);
	ag->name = dvc__col_arena(a, st, 1, &oom);
	ag->level = dvc__col_arena(a, st, 2, &oom);
	ag->parent = dvc__col_arena(a, st, 3, &oom);
	dvc__col_date(st, 4, &ag->valid_from);
	ag->has_valid_to = dvc__sql_column_type(st, 5) != DVC__SQL_NULL;
	if (ag->has_valid_to)
		dvc__col_date(st, 5, &ag->valid_to);
	ag->kind = dvc__col_arena(a, st, 6, &oom);
	return !oom;
}

bool dvc__succession_row(dvc_arena *a, dvc__sql_stmt *st, void *elem)
{
	dvc_succession *sc = elem;
	bool oom = false;
	sc->predecessor = dvc__col_arena(a, st, 0, &oom);
	sc->successor = dvc__col_arena(a, st, 1, &oom);
	dvc__col_date(st, 2, &sc->date);
	sc->act = dvc__col_arena(a, st, 3, &oom);
	sc->note = dvc__col_arena(a, st, 4, &oom);
	return !oom;
}

/* Split the comma-separated unconfirmed column into an arena array. */
static int split_list(dvc_arena *a, const char *s, const char *const **out, size_t *n)
{
	size_t count = 0, k = 0;
	const char **arr;
	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return DVC_OK;
	for (const char *p = s; *p; p++)
		count += *p == ',';
	count++;
	if (!(arr = dvc_arena_alloc(a, count * sizeof *arr)))
		return dvc__oom();
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (!(arr[k++] = dvc_arena_strndup(a, s, len)))
			return dvc__oom();
		s += len + (e != NULL);
	}
	*out = arr;
	*n = k;
	return DVC_OK;
}

/* Fill `p` from the current row of a VERSION_COLUMNS query. */
static int read_version(dvc_db *db, dvc_arena *a, dvc__sql_stmt *st, dvc_procedure *p)
{
	bool oom = false;
	int64_t vid = dvc__sql_column_int64(st, 0);
	const char *unconf;
	int rc;
	void *arr;
	p->code = dvc__col_arena(a, st, 1, &oom);
	p->version = dvc__sql_column_int(st, 2);
	dvc__col_date(st, 3, &p->valid_from);
	p->name = dvc__col_arena(a, st, 4, &oom);
	p->sector = dvc__col_arena(a, st, 5, &oom);
	p->agency = dvc__col_arena(a, st, 6, &oom);
	p->online_level = dvc__sql_column_int(st, 7);
	p->online_mode = (dvc_online_mode)dvc__sql_column_int(st, 8);
	p->deadline_value = dvc__sql_column_int(st, 9);
	p->deadline_unit = (dvc_deadline_unit)dvc__sql_column_int(st, 10);
	p->result_type = dvc__col_arena(a, st, 11, &oom);
	unconf = dvc__col_arena(a, st, 12, &oom);
	if (dvc__sql_column_type(st, 13) != DVC__SQL_NULL) {
		p->has_valid_to = 1;
		dvc__col_date(st, 13, &p->valid_to);
	}
	p->served_level = dvc__col_arena(a, st, 14, &oom);
	p->served_kind = dvc__col_arena(a, st, 15, &oom);
	if (oom)
		return dvc__oom();
	/* The row's statement is still positioned; children use other statements. */
	if ((rc = split_list(a, unconf, &p->unconfirmed, &p->n_unconfirmed)) != DVC_OK)
		return rc;
	if ((rc = load_rows(db, a, SQL_VERSION_LEVELS, vid, sizeof(char *), row_string, &arr,
			    &p->n_levels)) != DVC_OK)
		return rc;
	p->levels = arr;
	if ((rc = load_rows(db, a, SQL_VERSION_LEGAL, vid, sizeof(char *), row_string, &arr,
			    &p->n_legal_basis)) != DVC_OK)
		return rc;
	p->legal_basis = arr;
	if ((rc = load_rows(db, a, SQL_VERSION_DOCS, vid, sizeof(dvc_document), row_doc, &arr,
			    &p->n_documents)) != DVC_OK)
		return rc;
	p->documents = arr;
	if ((rc = load_rows(db, a, SQL_VERSION_FEES, vid, sizeof(dvc_fee), row_fee, &arr,
			    &p->n_fees)) != DVC_OK)
		return rc;
	p->fees = arr;
	if ((rc = load_rows(db, a, SQL_VERSION_ROUTE, vid, sizeof(dvc_route_step), row_step, &arr,
			    &p->n_route)) != DVC_OK)
		return rc;
	p->route = arr;
	{
		const char *const *forms;
		size_t nf;
		if ((rc = load_rows(db, a, SQL_VERSION_FORM, vid, sizeof(char *), row_string, &arr,
				    &nf)) != DVC_OK)
			return rc;
		forms = arr;
		p->form_schema = nf ? forms[0] : NULL;
	}
	return DVC_OK;
}

int dvc__store_version_get(dvc_db *db, const char *code, int version, const dvc_date *asof,
			   dvc_procedure **out)
{
	dvc_arena a = DVC_ARENA_INIT;
	dvc_procedure *p;
	dvc__sql_stmt *st = dvc__stmt(db, version ? SQL_VERSION_BY_NUMBER : SQL_VERSION_ASOF);
	char day[11];
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	if (version) {
		dvc__sql_bind_int(st, 2, version);
	} else {
		dvc__date_format(asof, day);
		dvc__sql_bind_text(st, 2, day, -1, DVC__SQL_TRANSIENT);
	}
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_DONE) {
		dvc__sql_reset(st);
		if (version)
			return dvc__err(DVC_ENOTFOUND, NULL, "procedure %s has no version %d",
					code, version);
		return dvc__err(DVC_ENOTFOUND, NULL, "no procedure %s in force on %s", code, day);
	}
	if (rc != DVC__SQL_ROW) {
		dvc__sql_reset(st);
		return dvc__store_err(db, rc, "reading a procedure");
	}
	/* The arena header lives inside its own first chunk, after the record. */
	p = dvc_arena_alloc(&a, sizeof *p + sizeof(dvc_arena));
	if (!p) {
		dvc__sql_reset(st);
		return dvc__oom();
	}
	rc = read_version(db, &a, st, p);
	dvc__sql_reset(st);
	if (rc != DVC_OK) {
		dvc_arena_free(&a);
		return rc;
	}
	*(dvc_arena *)(p + 1) = a;
	*out = p;
	return DVC_OK;
}

int dvc__store_catalog_load(dvc_db *db, dvc__catalog *c)
{
	dvc_arena *a = &c->arena;
	dvc__sql_stmt *st;
	bool oom = false;
	size_t n, cap;
	void *arr;
	int rc;

	if ((rc = dvc__rows_array(db, a, dvc__stmt(db, SQL_ALL_LEVELS), sizeof *c->levels, row_level,
			    "reading levels", &arr, &c->n_levels)) != DVC_OK)
		return rc;
	c->levels = arr;
	if ((rc = dvc__rows_array(db, a, dvc__stmt(db, SQL_ALL_SECTORS), sizeof *c->sectors, row_sector,
			    "reading sectors", &arr, &c->n_sectors)) != DVC_OK)
		return rc;
	c->sectors = arr;
	if ((rc = dvc__rows_array(db, a, dvc__stmt(db, SQL_ALL_AGENCIES), sizeof *c->agencies, row_agency,
			    "reading agencies", &arr, &c->n_agencies)) != DVC_OK)
		return rc;
	c->agencies = arr;
	if ((rc = dvc__rows_array(db, a, dvc__stmt(db, SQL_ALL_SUCCESSIONS), sizeof *c->successions,
			    dvc__succession_row, "reading successor links", &arr, &c->n_successions)) != DVC_OK)
		return rc;
	c->successions = arr;

	/* procedures: count, then each code's versions */
	if (!(st = dvc__stmt(db, SQL_COUNT_PROCS)))
		return dvc_error_last()->code;
	if (dvc__sql_step(st) != DVC__SQL_ROW) {
		dvc__sql_reset(st);
		return dvc__store_err(db, dvc__sql_errcode(db), "counting procedures");
	}
	cap = (size_t)dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	if (cap && !(c->procs = dvc_arena_alloc(a, cap * sizeof *c->procs)))
		return dvc__oom();
	if (!(st = dvc__stmt(db, SQL_ALL_PROCS)))
		return dvc_error_last()->code;
	for (n = 0; n < cap && (rc = dvc__sql_step(st)) == DVC__SQL_ROW; n++)
		c->procs[n].code = dvc__col_arena(a, st, 0, &oom);
	dvc__sql_reset(st);
	if (oom) return dvc__oom();
	c->n_procs = n;
	for (size_t i = 0; i < c->n_procs; i++) {
		dvc__proc *pr = &c->procs[i];
		int *versions = NULL; /* every version number, however many */
		size_t nv = 0, vcap = 0;
		if (!(st = dvc__stmt(db, SQL_VERSIONS_OF)))
			return dvc_error_last()->code;
		dvc__sql_bind_text(st, 1, pr->code, -1, DVC__SQL_STATIC);
		while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
			if (!(versions = dvc_arena_grow(a, versions, nv, &vcap, sizeof *versions))) {
				dvc__sql_reset(st);
				return dvc__oom();
			}
			versions[nv++] = dvc__sql_column_int(st, 0);
		}
		dvc__sql_reset(st);
		if (rc != DVC__SQL_DONE)
			return dvc__store_err(db, rc, "listing procedure versions");
		if (!(pr->versions = dvc_arena_alloc(a, (nv ? nv : 1) * sizeof *pr->versions)))
			return dvc__oom();
		for (size_t v = 0; v < nv; v++) {
			if (!(st = dvc__stmt(db, SQL_VERSION_BY_NUMBER)))
				return dvc_error_last()->code;
			dvc__sql_bind_text(st, 1, pr->code, -1, DVC__SQL_STATIC);
			dvc__sql_bind_int(st, 2, versions[v]);
			if ((rc = dvc__sql_step(st)) != DVC__SQL_ROW) {
				dvc__sql_reset(st);
				return dvc__store_err(db, rc, "reading a procedure version");
			}
			rc = read_version(db, a, st, &pr->versions[v]);
			dvc__sql_reset(st);
			if (rc != DVC_OK)
				return rc;
		}
		pr->n_versions = nv;
	}
	return DVC_OK;
}

/* ---- search ---- */

/* One statement per filter shape would multiply; instead NULL parameters
 * disable their filter ("?2 IS NULL OR ..."), which SQLite plans well enough
 * at catalog sizes. */
#define SEARCH_FILTERS \
	" AND pv.valid_from = (SELECT max(x.valid_from) FROM procedure_version x" \
	"   WHERE x.procedure_id = pv.procedure_id AND x.valid_from <= ?6)" \
	" AND (?2 IS NULL OR pv.sector = ?2)" \
	" AND (?3 IS NULL OR EXISTS (SELECT 1 FROM procedure_level l" \
	"      WHERE l.version_id = pv.id AND l.level = ?3))" \
	" AND (?4 IS NULL OR pv.agency = ?4)" \
	" AND pv.online_level >= ?5"
static const char SQL_SEARCH_FTS[] =
	"SELECT p.code, pv.version, pv.name, pv.sector, pv.agency, pv.online_level,"
	" pv.online_mode, bm25(procedure_fts) AS score"
	" FROM procedure_fts JOIN procedure_version pv ON pv.id = procedure_fts.rowid"
	" JOIN procedure p ON p.id = pv.procedure_id"
	" WHERE procedure_fts MATCH ?1" SEARCH_FILTERS
	" ORDER BY score, p.code LIMIT ?7";
/* Without FTS5 (PostgreSQL): a phrase is ?1 = ' w1 w2 ' found in ' body ';
 * all words is ?1 = 'w1|alt w2', each space-separated group needing one of
 * its |-separated forms. The score is the folded name's length: like bm25
 * on one short field, the tighter name first. */
#define PLAIN_SEARCH(cond) \
	"SELECT p.code, pv.version, pv.name, pv.sector, pv.agency, pv.online_level," \
	" pv.online_mode, CAST(length(f.body) AS DOUBLE PRECISION) AS score" \
	" FROM procedure_fts f JOIN procedure_version pv ON pv.id = f.rowid" \
	" JOIN procedure p ON p.id = pv.procedure_id" \
	" WHERE " cond SEARCH_FILTERS " ORDER BY score, p.code LIMIT ?7"
static const char SQL_SEARCH_PHRASE_PLAIN[] =
	PLAIN_SEARCH("strpos(' ' || f.body || ' ', ?1) > 0");
static const char SQL_SEARCH_ALL_PLAIN[] = PLAIN_SEARCH(
	"NOT EXISTS (SELECT 1 FROM unnest(string_to_array(?1, ' ')) g(forms)"
	"  WHERE NOT EXISTS (SELECT 1 FROM unnest(string_to_array(g.forms, '|')) a(w)"
	"   WHERE strpos(' ' || f.body || ' ', ' ' || a.w || ' ') > 0))");
static const char SQL_SEARCH_ALL[] =
	"SELECT p.code, pv.version, pv.name, pv.sector, pv.agency, pv.online_level,"
	" pv.online_mode, 0.0"
	" FROM procedure_version pv JOIN procedure p ON p.id = pv.procedure_id"
	" WHERE ?1 IS NULL" SEARCH_FILTERS " ORDER BY p.code LIMIT ?7";

/* The query's words as the backend's match argument (see above). */
static void match_arg(const dvc_db *db, const dvc__search_query *q, dvc_buf *b)
{
	const bool fts5 = db->be->fts5;
	if (q->phrase) {
		dvc_buf_putc(b, fts5 ? '"' : ' ');
		for (size_t i = 0; i < q->n_words; i++)
			dvc_buf_printf(b, "%s%s", i ? " " : "", q->words[i].forms[0]);
		dvc_buf_putc(b, fts5 ? '"' : ' ');
		return;
	}
	for (size_t i = 0; i < q->n_words; i++) {
		const dvc__search_word *w = &q->words[i];
		if (i)
			dvc_buf_puts(b, fts5 ? " AND " : " ");
		if (fts5 && w->n_forms > 1)
			dvc_buf_putc(b, '(');
		for (size_t a = 0; a < w->n_forms; a++) {
			if (fts5)
				dvc_buf_printf(b, "%s\"%s\"", a ? " OR " : "", w->forms[a]);
			else
				dvc_buf_printf(b, "%s%s", a ? "|" : "", w->forms[a]);
		}
		if (fts5 && w->n_forms > 1)
			dvc_buf_putc(b, ')');
	}
}

int dvc__store_search(dvc_db *db, const dvc__search_query *q, dvc__hit_cb cb, void *ctx)
{
	dvc_buf arg = DVC_BUF_INIT;
	const char *sql = SQL_SEARCH_ALL;
	dvc__sql_stmt *st;
	int rc;
	if (q->n_words) {
		match_arg(db, q, &arg);
		if (arg.oom) {
			dvc_buf_free(&arg);
			return dvc__oom();
		}
		sql = db->be->fts5 ? SQL_SEARCH_FTS
				   : q->phrase ? SQL_SEARCH_PHRASE_PLAIN : SQL_SEARCH_ALL_PLAIN;
	}
	if (!(st = dvc__stmt(db, sql))) {
		dvc_buf_free(&arg);
		return dvc_error_last()->code;
	}
	dvc__bind_text(db, st, 1, q->n_words ? arg.ptr : NULL);
	dvc__bind_text(db, st, 2, q->sector);
	dvc__bind_text(db, st, 3, q->level);
	dvc__bind_text(db, st, 4, q->agency);
	dvc__sql_bind_int(st, 5, q->online_level);
	dvc__sql_bind_text(st, 6, q->asof, -1, DVC__SQL_TRANSIENT);
	dvc__sql_bind_int64(st, 7, (int64_t)q->limit);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		dvc_search_hit h = {
			(const char *)dvc__sql_column_text(st, 0), dvc__sql_column_int(st, 1),
			(const char *)dvc__sql_column_text(st, 2), (const char *)dvc__sql_column_text(st, 3),
			(const char *)dvc__sql_column_text(st, 4), dvc__sql_column_int(st, 5),
			(dvc_online_mode)dvc__sql_column_int(st, 6), DVC_MATCH_PHRASE,
			dvc__sql_column_double(st, 7)};
		int crc = cb(ctx, &h);
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			dvc_buf_free(&arg);
			return crc < 0 ? crc : DVC_OK;
		}
	}
	dvc__sql_reset(st);
	dvc_buf_free(&arg);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "searching the catalog");
	return DVC_OK;
}

/* fts5vocab's 'row' table: a term and the number of rows holding it. */
static const char SQL_TERM_DOCS[] = "SELECT doc FROM procedure_fts_vocab WHERE term = ?1";
static const char SQL_TERM_DOCS_PLAIN[] =
	"SELECT count(*) FROM procedure_fts WHERE strpos(' ' || body || ' ', ' ' || ?1 || ' ') > 0";
/* Candidates for one-typo correction: same length ±1; the edit-distance
 * test itself is done by the caller's callback. */
static const char SQL_TERMS_NEAR[] =
	"SELECT term, doc FROM procedure_fts_vocab"
	" WHERE length(term) BETWEEN ?1 - 1 AND ?1 + 1 ORDER BY doc DESC, term";
static const char SQL_TERMS_NEAR_PLAIN[] =
	"SELECT t.term, count(DISTINCT f.rowid) AS doc"
	" FROM procedure_fts f, unnest(string_to_array(f.body, ' ')) t(term)"
	" WHERE length(t.term) BETWEEN ?1 - 1 AND ?1 + 1 GROUP BY t.term ORDER BY doc DESC, t.term";

int64_t dvc__store_term_docs(dvc_db *db, const char *term)
{
	dvc__sql_stmt *st = dvc__stmt(db, db->be->fts5 ? SQL_TERM_DOCS : SQL_TERM_DOCS_PLAIN);
	int64_t n = 0;
	int rc;
	if (!st)
		return -1;
	dvc__sql_bind_text(st, 1, term, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		n = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	if (rc != DVC__SQL_ROW && rc != DVC__SQL_DONE) {
		dvc__store_err(db, rc, "reading the search vocabulary");
		return -1;
	}
	return n;
}

int dvc__store_terms_near(dvc_db *db, const char *term, dvc__term_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, db->be->fts5 ? SQL_TERMS_NEAR : SQL_TERMS_NEAR_PLAIN);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, (int64_t)strlen(term));
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = cb(ctx, (const char *)dvc__sql_column_text(st, 0), dvc__sql_column_int64(st, 1));
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc < 0 ? crc : DVC_OK;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading the search vocabulary");
}

/* ---- statistics ---- */

#define IN_FORCE \
	" pv.valid_from = (SELECT max(x.valid_from) FROM procedure_version x" \
	"   WHERE x.procedure_id = pv.procedure_id AND x.valid_from <= ?1)"
/* Ordered explicitly: SQLite's GROUP BY happens to sort, PostgreSQL's
 * hash aggregate does not. Sectors and levels by code, online levels by
 * number. */
static const char SQL_STATS[] =
	"SELECT dim, k, name, n FROM ("
	"SELECT 1 AS o, 'sector' AS dim, s.code AS k, 0 AS num, s.name AS name, count(pv.id) AS n"
	" FROM sector s"
	" LEFT JOIN procedure_version pv ON pv.sector = s.code AND" IN_FORCE
	" GROUP BY s.code"
	" UNION ALL "
	"SELECT 2, 'level', l.code, 0, l.name, count(pv.id) FROM level l"
	" LEFT JOIN procedure_level pl ON pl.level = l.code"
	" LEFT JOIN procedure_version pv ON pv.id = pl.version_id AND" IN_FORCE
	" GROUP BY l.code"
	" UNION ALL "
	"SELECT 3, 'online_level', CAST(pv.online_level AS TEXT), pv.online_level,"
	" 'Mức độ ' || pv.online_level, count(*) FROM procedure_version pv WHERE" IN_FORCE
	" GROUP BY pv.online_level) AS stats ORDER BY o, num, k";

int dvc__store_catalog_stats(dvc_db *db, const char *asof, dvc__stat_cb cb, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_STATS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, asof, -1, DVC__SQL_TRANSIENT);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int crc = cb(ctx, (const char *)dvc__sql_column_text(st, 0),
			     (const char *)dvc__sql_column_text(st, 1),
			     (const char *)dvc__sql_column_text(st, 2), dvc__sql_column_int64(st, 3));
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "computing catalog statistics");
}

static const char SQL_AGENCY_NAME[] = "SELECT name FROM agency WHERE code = ?1";

int dvc__store_agency_name(dvc_db *db, const char *code, dvc_arena *a, const char **name)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_AGENCY_NAME);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, code, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW && !(*name = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 0))))
		rc = DVC__SQL_NOMEM;
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return DVC_ENOTFOUND; /* callers decide whether that is an error */
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "reading an agency");
}

/* Stored versions of the same procedure: lower numbers must start earlier,
 * higher ones later (the same version number is the caller's business). */
static const char SQL_VERSION_ORDER[] =
	"SELECT count(*) FROM procedure p JOIN procedure_version pv ON pv.procedure_id = p.id"
	" WHERE p.code = ?1 AND ((pv.version < ?2 AND pv.valid_from >= ?3)"
	" OR (pv.version > ?2 AND pv.valid_from <= ?3))";

int dvc__store_version_order_ok(dvc_db *db, const dvc_procedure *p)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_VERSION_ORDER);
	char from[11];
	int rc;
	int64_t bad = 0;
	if (!st)
		return dvc_error_last()->code;
	dvc__date_format(&p->valid_from, from);
	dvc__sql_bind_text(st, 1, p->code, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 2, p->version);
	dvc__sql_bind_text(st, 3, from, -1, DVC__SQL_TRANSIENT);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		bad = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	if (rc != DVC__SQL_ROW)
		return dvc__store_err(db, rc, "checking version order");
	return bad ? DVC_ESCHEMA : DVC_OK;
}
