/* Account and officer tables. */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_ACCOUNT_INSERT[] =
	"INSERT INTO account(username, pwhash, full_name, citizen_id, birth_date, address, phone,"
	" email, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
#define ACCOUNT_COLUMNS \
	"id, username, pwhash, full_name, citizen_id, birth_date, address, phone, email," \
	" created_at, failed_logins, locked_until"
static const char SQL_ACCOUNT_GET[] = "SELECT " ACCOUNT_COLUMNS " FROM account WHERE username = ?1";
static const char SQL_ACCOUNT_BY_ID[] = "SELECT " ACCOUNT_COLUMNS " FROM account WHERE id = ?1";
static const char SQL_OFFICER_INSERT[] =
	"INSERT INTO officer(username, full_name, unit, role) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_OFFICER_GET[] =
	"SELECT id, username, unit, role, full_name FROM officer WHERE username = ?1";
static const char SQL_OFFICER_BY_ID[] =
	"SELECT id, username, unit, role, full_name FROM officer WHERE id = ?1";

/* The one-row lookup `sql` of a `what` by `key` (NULL: by `id`), its row
 * read by `row`: DVC_OK, DVC_ENOTFOUND or the error. */
static int lookup(dvc_db *db, const char *sql, const char *what, const char *key, int64_t id,
		  dvc__row_fn row, void *ctx)
{
	char doing[32];
	int rc;
	snprintf(doing, sizeof doing, "reading an %s", what);
	rc = dvc__row_one(db, key ? DVC__STMT(db, sql, DVC__TEXT(key)) : DVC__STMT(db, sql, DVC__INT(id)),
			  row, ctx, doing);
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, what, "no %s %.64s", what, key ? key : "(by id)");
	return rc < 0 ? rc : DVC_OK;
}

void dvc__store_bind_applicant(dvc_db *db, dvc__sql_stmt *st, int first, const dvc_applicant *p)
{
	dvc__sql_bind_text(st, first, p->full_name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, first + 1, p->citizen_id, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, first + 2, p->birth_date, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, first + 3, p->address, -1, DVC__SQL_STATIC);
	/* phone and email are optional */
	dvc__bind_text(db, st, first + 4, p->phone);
	dvc__bind_text(db, st, first + 5, p->email);
}

int dvc__store_account_insert(dvc_db *db, const char *username, const char *pwhash,
			      const dvc_applicant *p, dvc_time now)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_ACCOUNT_INSERT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, username, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, pwhash, -1, DVC__SQL_STATIC);
	dvc__store_bind_applicant(db, st, 3, p);
	dvc__sql_bind_int64(st, 9, now);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if ((rc & 0xFF) == DVC__SQL_CONSTRAINT)
		return dvc__err(DVC_EEXISTS, "username", "username '%.64s' is taken", username);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "storing an account");
}

static int account_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *o = ctx;
	dvc__account_row *out = o->out;
	const char *v[8];
	bool oom = false;
	for (int i = 0; i < 8; i++)
		v[i] = dvc__col_arena(o->a, st, i + 1, &oom);
	out->id = dvc__sql_column_int64(st, 0);
	out->username = v[0];
	out->pwhash = v[1];
	out->profile.full_name = v[2];
	out->profile.citizen_id = v[3];
	out->profile.birth_date = v[4];
	out->profile.address = v[5];
	out->profile.phone = v[6];
	out->profile.email = v[7];
	out->created_at = dvc__sql_column_int64(st, 9);
	out->failed_logins = dvc__sql_column_int(st, 10);
	out->locked_until = dvc__sql_column_int64(st, 11);
	return oom ? dvc__oom() : DVC_OK;
}

static int read_account(dvc_db *db, const char *sql, const char *key, int64_t id, dvc_arena *a,
			dvc__account_row *out)
{
	dvc__into o = {db, a, out};
	return lookup(db, sql, "account", key, id, account_row, &o);
}

int dvc__store_account_get(dvc_db *db, const char *username, dvc_arena *a, dvc__account_row *out)
{
	return read_account(db, SQL_ACCOUNT_GET, username, 0, a, out);
}

int dvc__store_account_by_id(dvc_db *db, int64_t id, dvc_arena *a, dvc__account_row *out)
{
	return read_account(db, SQL_ACCOUNT_BY_ID, NULL, id, a, out);
}

int dvc__store_officer_insert(dvc_db *db, const char *username, const char *full_name,
			      const char *unit, dvc_role role)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_OFFICER_INSERT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, username, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, full_name, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 3, unit, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 4, (int)role);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_CONSTRAINT_UNIQUE)
		return dvc__err(DVC_EEXISTS, "username", "officer '%.64s' exists", username);
	if (rc == DVC__SQL_CONSTRAINT_FOREIGNKEY)
		return dvc__err(DVC_EREF, "unit", "unknown unit '%.64s'", unit);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "storing an officer");
}

struct officer_out {
	dvc_db *db;
	dvc__officer_row *out;
	dvc_arena *a; /* NULL: the name is not wanted */
	const char **full_name;
};

static int officer_row(dvc__sql_stmt *st, void *ctx)
{
	const struct officer_out *o = ctx;
	o->out->id = dvc__sql_column_int64(st, 0);
	if (dvc__col_copy(o->db, st, 1, o->out->username, sizeof o->out->username, "username") ||
	    dvc__col_copy(o->db, st, 2, o->out->unit, sizeof o->out->unit, "unit code"))
		return dvc_error_last()->code;
	o->out->role = (dvc_role)dvc__sql_column_int(st, 3);
	if (o->a && !(*o->full_name = dvc_arena_strdup(o->a, (const char *)dvc__sql_column_text(st, 4))))
		return dvc__oom();
	return DVC_OK;
}

static int read_officer(dvc_db *db, const char *sql, const char *key, int64_t id,
			dvc__officer_row *out, dvc_arena *a, const char **full_name)
{
	struct officer_out o = {db, out, a, full_name};
	return lookup(db, sql, "officer", key, id, officer_row, &o);
}

int dvc__store_officer_get(dvc_db *db, const char *username, dvc__officer_row *out,
			   dvc_arena *a, const char **full_name)
{
	/* Officers are only ever added, never changed, so a row read once stays
	 * true: every action looks its actor up, and this saves that query. */
	size_t h = 5381, slot;
	int rc;
	for (const char *p = username; *p; p++)
		h = h * 33 + (unsigned char)*p;
	slot = h % DVC_OFFICER_CACHE;
	if (!a && db->officer_cache && db->officer_cache[slot].id &&
	    strcmp(db->officer_cache[slot].username, username) == 0) {
		*out = db->officer_cache[slot];
		return DVC_OK;
	}
	rc = read_officer(db, SQL_OFFICER_GET, username, 0, out, a, full_name);
	if (rc == DVC_OK && strlen(username) < sizeof out->username) {
		if (!db->officer_cache)
			db->officer_cache = dvc__calloc(DVC_OFFICER_CACHE, sizeof *db->officer_cache);
		if (db->officer_cache) /* no cache on OOM: only slower */
			db->officer_cache[slot] = *out;
	}
	return rc;
}

int dvc__store_officer_by_id(dvc_db *db, int64_t id, dvc__officer_row *out)
{
	return read_officer(db, SQL_OFFICER_BY_ID, NULL, id, out, NULL, NULL);
}

static const char SQL_OFFICER_SECRET_SET[] = "UPDATE officer SET secret_hash = ?2 WHERE username = ?1";
static const char SQL_OFFICER_SECRET_GET[] = "SELECT secret_hash FROM officer WHERE username = ?1";

int dvc__store_officer_secret_set(dvc_db *db, const char *username, const char *hash)
{
	int rc = DVC__EXEC(db, SQL_OFFICER_SECRET_SET, "storing an officer's credential", DVC__TEXT(username),
			   DVC__TEXT(hash));
	if (rc == DVC_OK && dvc__sql_changes(db) != 1)
		rc = dvc__err(DVC_ENOTFOUND, "username", "no officer %s", username);
	return rc;
}

/* The credential column into a buffer of n bytes, NULL (none set) as an
 * empty string. */
typedef struct secret_into {
	dvc_db *db;
	char *out;
	size_t n;
} secret_into;

static int secret_row(dvc__sql_stmt *st, void *ctx)
{
	const secret_into *in = ctx;
	return dvc__col_copy(in->db, st, 0, in->out, in->n, "officer credential");
}

int dvc__store_officer_secret_get(dvc_db *db, const char *username, char *out, size_t n)
{
	secret_into in = {db, out, n};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_OFFICER_SECRET_GET, DVC__TEXT(username)), secret_row,
			      &in, "reading an officer's credential");
	return rc == 1 ? out[0] != '\0' : rc;
}
