/* National identity, identity audit and dossier sign-in tables. */
#include "identity_internal.h"

#include <string.h>

static const char SQL_ID_PUT[] =
	"INSERT INTO national_identity(account_id, issuer, subject, personal_id, assurance,"
	" verified_at, full_name, birth_date, tech_id, login_idp, account_type, verified_fields,"
	" linked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
	" ON CONFLICT(account_id) DO UPDATE SET issuer = excluded.issuer, subject = excluded.subject,"
	" personal_id = excluded.personal_id, assurance = excluded.assurance,"
	" verified_at = excluded.verified_at, full_name = excluded.full_name,"
	" birth_date = excluded.birth_date, tech_id = excluded.tech_id,"
	" login_idp = excluded.login_idp, account_type = excluded.account_type,"
	" verified_fields = excluded.verified_fields";
static const char SQL_ID_OF_ACCOUNT[] =
	"SELECT issuer, subject, personal_id, assurance, verified_at, full_name, birth_date, tech_id,"
	" login_idp, account_type, verified_fields, linked_at FROM national_identity"
	" WHERE account_id = ?1";
static const char SQL_ID_ACCOUNT_OF[] =
	"SELECT account_id FROM national_identity WHERE issuer = ?1 AND subject = ?2";
static const char SQL_ID_ACCOUNT_OF_PID[] =
	"SELECT account_id FROM national_identity WHERE personal_id = ?1";
static const char SQL_ID_DELETE[] = "DELETE FROM national_identity WHERE account_id = ?1";
static const char SQL_AUDIT_ADD[] =
	"INSERT INTO identity_audit(account_id, at, event, actor, issuer, subject, detail)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_AUDIT_EACH[] =
	"SELECT at, event, actor, issuer, subject, detail FROM identity_audit"
	" WHERE account_id = ?1 ORDER BY id";
static const char SQL_DOSSIER_ID_PUT[] =
	"INSERT INTO dossier_identity(dossier_id, assurance, issuer, subject) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_DOSSIER_ID_GET[] =
	"SELECT assurance FROM dossier_identity WHERE dossier_id = ?1";

int dvc__store_identity_put(dvc_db *db, int64_t account_id, const dvc_national_identity *id)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_ID_PUT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, account_id);
	dvc__sql_bind_text(st, 2, id->issuer, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 3, id->subject, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 4, id->personal_id, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 5, id->assurance);
	dvc__sql_bind_int64(st, 6, id->verified_at);
	dvc__bind_text(db, st, 7, id->full_name);
	dvc__bind_text(db, st, 8, id->birth_date);
	dvc__bind_text(db, st, 9, id->tech_id);
	dvc__bind_text(db, st, 10, id->login_idp);
	dvc__sql_bind_int(st, 11, id->account_type);
	dvc__sql_bind_int(st, 12, (int)id->verified_fields);
	dvc__sql_bind_int64(st, 13, id->linked_at);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if ((rc & 0xFF) == DVC__SQL_CONSTRAINT)
		return DVC_EEXISTS;
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "storing a national identity");
}

int dvc__store_identity_of_account(dvc_db *db, int64_t account_id, dvc_arena *a,
				   dvc_national_identity *out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_ID_OF_ACCOUNT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, account_id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		out->issuer = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 0));
		out->subject = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 1));
		out->personal_id = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 2));
		out->assurance = dvc__sql_column_int(st, 3);
		out->verified_at = dvc__sql_column_int64(st, 4);
		out->full_name = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 5));
		out->birth_date = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 6));
		out->tech_id = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 7));
		out->login_idp = dvc_arena_strdup(a, (const char *)dvc__sql_column_text(st, 8));
		out->account_type = dvc__sql_column_int(st, 9);
		out->verified_fields = (unsigned)dvc__sql_column_int(st, 10);
		out->linked_at = dvc__sql_column_int64(st, 11);
		if (!out->issuer || !out->subject || !out->personal_id ||
		    (!out->full_name && dvc__sql_column_type(st, 5) != DVC__SQL_NULL) ||
		    (!out->birth_date && dvc__sql_column_type(st, 6) != DVC__SQL_NULL) ||
		    (!out->tech_id && dvc__sql_column_type(st, 7) != DVC__SQL_NULL) ||
		    (!out->login_idp && dvc__sql_column_type(st, 8) != DVC__SQL_NULL)) {
			dvc__sql_reset(st);
			return dvc__oom();
		}
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return 0;
	return rc == DVC__SQL_ROW ? 1 : dvc__store_err(db, rc, "reading a national identity");
}

static int account_of(dvc_db *db, const char *sql, const char *k1, const char *k2, int64_t *id)
{
	dvc__sql_stmt *st = dvc__stmt(db, sql);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, k1, -1, DVC__SQL_STATIC);
	if (k2)
		dvc__sql_bind_text(st, 2, k2, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		*id = dvc__sql_column_int64(st, 0);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return 0;
	return rc == DVC__SQL_ROW ? 1 : dvc__store_err(db, rc, "looking up a national identity");
}

int dvc__store_identity_account_of(dvc_db *db, const char *issuer, const char *subject,
				   int64_t *account_id)
{
	return account_of(db, SQL_ID_ACCOUNT_OF, issuer, subject, account_id);
}

int dvc__store_identity_account_of_pid(dvc_db *db, const char *personal_id, int64_t *account_id)
{
	return account_of(db, SQL_ID_ACCOUNT_OF_PID, personal_id, NULL, account_id);
}

int dvc__store_identity_delete(dvc_db *db, int64_t account_id)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_ID_DELETE);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, account_id);
	return dvc__exec_step(db, st, "removing a national identity");
}

int dvc__store_identity_audit_add(dvc_db *db, int64_t account_id, dvc_time at, const char *event,
				  const char *actor, const char *issuer, const char *subject,
				  const char *detail)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_AUDIT_ADD);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, account_id);
	dvc__sql_bind_int64(st, 2, at);
	dvc__sql_bind_text(st, 3, event, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 4, actor, -1, DVC__SQL_STATIC);
	dvc__bind_text(db, st, 5, issuer);
	dvc__bind_text(db, st, 6, subject);
	dvc__bind_text(db, st, 7, detail);
	return dvc__exec_step(db, st, "auditing a national identity");
}

int dvc__store_identity_audit_each(dvc_db *db, int64_t account_id, dvc__identity_audit_cb cb,
				   void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_AUDIT_EACH);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, account_id);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		dvc__identity_audit_row r;
		r.at = dvc__sql_column_int64(st, 0);
		r.event = (const char *)dvc__sql_column_text(st, 1);
		r.actor = (const char *)dvc__sql_column_text(st, 2);
		r.issuer = (const char *)dvc__sql_column_text(st, 3);
		r.subject = (const char *)dvc__sql_column_text(st, 4);
		r.detail = (const char *)dvc__sql_column_text(st, 5);
		int crc = cb(ctx, &r);
		if (crc != DVC_OK) {
			dvc__sql_reset(st);
			return crc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading the identity audit");
}

int dvc__store_dossier_identity_put(dvc_db *db, int64_t dossier_id, int assurance,
				    const char *issuer, const char *subject)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_DOSSIER_ID_PUT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_int(st, 2, assurance);
	dvc__sql_bind_text(st, 3, issuer, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 4, subject, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "recording a national sign-in");
}

int dvc__store_dossier_identity_get(dvc_db *db, int64_t dossier_id, int *assurance)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_DOSSIER_ID_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW)
		*assurance = dvc__sql_column_int(st, 0);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return 0;
	return rc == DVC__SQL_ROW ? 1 : dvc__store_err(db, rc, "reading a national sign-in");
}
