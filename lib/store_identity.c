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
	dvc__sql_stmt *st = DVC__STMT(db, SQL_ID_PUT, DVC__INT(account_id), DVC__TEXT(id->issuer),
				      DVC__TEXT(id->subject), DVC__TEXT(id->personal_id),
				      DVC__INT(id->assurance), DVC__INT(id->verified_at),
				      DVC__TEXT(id->full_name), DVC__TEXT(id->birth_date),
				      DVC__TEXT(id->tech_id), DVC__TEXT(id->login_idp),
				      DVC__INT(id->account_type), DVC__INT((int)id->verified_fields),
				      DVC__INT(id->linked_at));
	int rc;
	if (!st)
		return dvc_error_last()->code;
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if ((rc & 0xFF) == DVC__SQL_CONSTRAINT)
		return DVC_EEXISTS;
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "storing a national identity");
}

static int identity_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *o = ctx;
	dvc_national_identity *out = o->out;
	bool oom = false;
	out->issuer = dvc__col_arena(o->a, st, 0, &oom);
	out->subject = dvc__col_arena(o->a, st, 1, &oom);
	out->personal_id = dvc__col_arena(o->a, st, 2, &oom);
	out->assurance = dvc__sql_column_int(st, 3);
	out->verified_at = dvc__sql_column_int64(st, 4);
	out->full_name = dvc__col_arena(o->a, st, 5, &oom);
	out->birth_date = dvc__col_arena(o->a, st, 6, &oom);
	out->tech_id = dvc__col_arena(o->a, st, 7, &oom);
	out->login_idp = dvc__col_arena(o->a, st, 8, &oom);
	out->account_type = dvc__sql_column_int(st, 9);
	out->verified_fields = (unsigned)dvc__sql_column_int(st, 10);
	out->linked_at = dvc__sql_column_int64(st, 11);
	return oom ? dvc__oom() : DVC_OK;
}

int dvc__store_identity_of_account(dvc_db *db, int64_t account_id, dvc_arena *a,
				   dvc_national_identity *out)
{
	dvc__into o = {db, a, out};
	return dvc__row_one(db, DVC__STMT(db, SQL_ID_OF_ACCOUNT, DVC__INT(account_id)), identity_row, &o,
			    "reading a national identity");
}

static int account_of(dvc_db *db, const char *sql, const char *k1, const char *k2, int64_t *id)
{
	dvc__sql_stmt *st = k2 ? DVC__STMT(db, sql, DVC__TEXT(k1), DVC__TEXT(k2))
			       : DVC__STMT(db, sql, DVC__TEXT(k1));

	return dvc__row_one(db, st, dvc__col_int64, id, "looking up a national identity");
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
	return DVC__EXEC(db, SQL_ID_DELETE, "removing a national identity", DVC__INT(account_id));
}

int dvc__store_identity_audit_add(dvc_db *db, int64_t account_id, dvc_time at, const char *event,
				  const char *actor, const char *issuer, const char *subject,
				  const char *detail)
{
	return DVC__EXEC(db, SQL_AUDIT_ADD, "auditing a national identity", DVC__INT(account_id),
			 DVC__INT(at), DVC__TEXT(event), DVC__TEXT(actor), DVC__TEXT(issuer),
			 DVC__TEXT(subject), DVC__TEXT(detail));
}

static int audit_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__identity_audit_row r;
	r.at = dvc__sql_column_int64(st, 0);
	r.event = (const char *)dvc__sql_column_text(st, 1);
	r.actor = (const char *)dvc__sql_column_text(st, 2);
	r.issuer = (const char *)dvc__sql_column_text(st, 3);
	r.subject = (const char *)dvc__sql_column_text(st, 4);
	r.detail = (const char *)dvc__sql_column_text(st, 5);
	return ((dvc__identity_audit_cb)k->fn)(k->ctx, &r);
}

int dvc__store_identity_audit_each(dvc_db *db, int64_t account_id, dvc__identity_audit_cb cb,
				   void *ctx)
{
	dvc__sink k = DVC__SINK(cb, ctx);
	return dvc__rows(db, DVC__STMT(db, SQL_AUDIT_EACH, DVC__INT(account_id)), audit_row, &k,
			 "reading the identity audit");
}

int dvc__store_dossier_identity_put(dvc_db *db, int64_t dossier_id, int assurance,
				    const char *issuer, const char *subject)
{
	return DVC__EXEC(db, SQL_DOSSIER_ID_PUT, "recording a national sign-in", DVC__INT(dossier_id),
			 DVC__INT(assurance), DVC__TEXT(issuer), DVC__TEXT(subject));
}

int dvc__store_dossier_identity_get(dvc_db *db, int64_t dossier_id, int *assurance)
{
	return dvc__row_one(db, DVC__STMT(db, SQL_DOSSIER_ID_GET, DVC__INT(dossier_id)), dvc__col_int,
			    assurance, "reading a national sign-in");
}
