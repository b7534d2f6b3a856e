/* Payment table. */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_PAY_COUNT[] = "SELECT count(*) FROM payment WHERE dossier_id = ?1";
static const char SQL_PAY_INSERT[] =
	"INSERT INTO payment(dossier_id, reference, kind, amount, state, gateway, created_at, expires_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_PAY_GET[] =
	"SELECT p.id, p.dossier_id, p.reference, d.code, p.kind, p.state, p.amount,"
	" p.expires_at FROM payment p JOIN dossier d ON d.id = p.dossier_id WHERE p.reference = ?1";
static const char SQL_PAY_SUPERSEDE[] =
	"UPDATE payment SET state = 4 WHERE dossier_id = ?1 AND kind = 0 AND state = 0";
static const char SQL_PAY_UPDATE[] =
	"UPDATE payment SET state = ?2, gateway_txn = ?3, confirmed_at = ?4 WHERE id = ?1";

int dvc__store_payment_count(dvc_db *db, int64_t dossier_id, int64_t *n)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_COUNT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	*n = rc == DVC__SQL_ROW ? dvc__sql_column_int64(st, 0) : 0;
	dvc__sql_reset(st);
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "counting payments");
}

int dvc__store_payment_insert(dvc_db *db, int64_t dossier_id, const char *reference, int kind,
			      int64_t amount, int state, const char *gateway, dvc_time created_at,
			      dvc_time expires_at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_INSERT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_text(st, 2, reference, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 3, kind);
	dvc__sql_bind_int64(st, 4, amount);
	dvc__sql_bind_int(st, 5, state);
	dvc__bind_text(db, st, 6, gateway);
	dvc__sql_bind_int64(st, 7, created_at);
	if (expires_at)
		dvc__sql_bind_int64(st, 8, expires_at);
	return dvc__exec_step(db, st, "storing a payment");
}

int dvc__store_payment_get(dvc_db *db, const char *reference, dvc__payment_row *out)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, reference, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		memset(out, 0, sizeof *out);
		out->id = dvc__sql_column_int64(st, 0);
		out->dossier_id = dvc__sql_column_int64(st, 1);
		out->kind = dvc__sql_column_int(st, 4);
		out->state = dvc__sql_column_int(st, 5);
		out->amount = dvc__sql_column_int64(st, 6);
		out->expires_at = dvc__sql_column_int64(st, 7);
		if (dvc__col_copy(db, st, 2, out->reference, sizeof out->reference, "payment reference") ||
		    dvc__col_copy(db, st, 3, out->dossier_code, sizeof out->dossier_code, "dossier code")) {
			dvc__sql_reset(st);
			return dvc_error_last()->code;
		}
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return DVC_ENOTFOUND; /* the caller words the error */
	return rc == DVC__SQL_ROW ? DVC_OK : dvc__store_err(db, rc, "reading a payment");
}

int dvc__store_payment_update(dvc_db *db, int64_t id, int state, const char *gateway_txn,
			      dvc_time confirmed_at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_UPDATE);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, id);
	dvc__sql_bind_int(st, 2, state);
	dvc__bind_text(db, st, 3, gateway_txn);
	dvc__sql_bind_int64(st, 4, confirmed_at);
	return dvc__exec_step(db, st, "updating a payment");
}

int dvc__store_payment_supersede(dvc_db *db, int64_t dossier_id)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_SUPERSEDE);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	return dvc__exec_step(db, st, "closing earlier payment requests");
}

static const char SQL_PAY_COUNTER[] =
	"INSERT INTO payment(dossier_id, reference, kind, amount, state, gateway, gateway_txn,"
	" created_at, confirmed_at, method, officer) VALUES (?1, ?2, ?3, ?4, 1, 'counter', ?5, ?6, ?6,"
	" ?7, ?8)";
static const char SQL_PAY_REF_EXISTS[] = "SELECT 1 FROM payment WHERE reference = ?1";

int dvc__store_payment_counter(dvc_db *db, int64_t dossier_id, const char *reference, int kind,
			       int64_t amount, const char *receipt_no, dvc_time at,
			       const char *method, const char *officer)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_REF_EXISTS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, reference, -1, DVC__SQL_STATIC);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_ROW)
		return dvc__err(DVC_EEXISTS, "receipt_no", "receipt number %s is already recorded", receipt_no);
	if (rc != DVC__SQL_DONE)
		return dvc__store_err(db, rc, "looking a payment up");
	if (!(st = dvc__stmt(db, SQL_PAY_COUNTER)))
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_text(st, 2, reference, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int(st, 3, kind);
	dvc__sql_bind_int64(st, 4, amount);
	dvc__sql_bind_text(st, 5, receipt_no, -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 6, at);
	dvc__sql_bind_text(st, 7, method, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 8, officer, -1, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "storing a counter payment");
}

static const char SQL_PAY_REVIEWS[] =
	"SELECT p.reference, d.code, p.state, p.amount, p.gateway_txn, p.confirmed_at, 0, p.id"
	" FROM payment p JOIN dossier d ON d.id = p.dossier_id"
	" WHERE p.kind = 0 AND p.state BETWEEN 5 AND 9"
	" UNION ALL SELECT reference, NULL, 10, amount, NULLIF(gateway_txn, ''), received_at, 1, id"
	" FROM payment_unmatched ORDER BY 6, 7, 8";
static const char SQL_PAY_UNMATCHED[] =
	"INSERT INTO payment_unmatched(reference, gateway, gateway_txn, amount, received_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";

int dvc__store_payment_unmatched(dvc_db *db, const char *reference, const char *gateway,
				 const char *gateway_txn, int64_t amount, dvc_time at)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_UNMATCHED);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_text(st, 1, reference, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 2, gateway, -1, DVC__SQL_STATIC);
	dvc__sql_bind_text(st, 3, gateway_txn ? gateway_txn : "", -1, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 4, amount);
	dvc__sql_bind_int64(st, 5, at);
	return dvc__exec_step(db, st, "keeping an unmatched gateway payment");
}

int dvc__store_payment_reviews(dvc_db *db, dvc__payment_review_fn row, void *ctx)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_PAY_REVIEWS);
	int rc, r = 0;
	if (!st)
		return dvc_error_last()->code;
	while (r == 0 && (rc = dvc__sql_step(st)) == DVC__SQL_ROW)
		r = row(ctx, (const char *)dvc__sql_column_text(st, 0),
			(const char *)dvc__sql_column_text(st, 1), dvc__sql_column_int(st, 2),
			dvc__sql_column_int64(st, 3), (const char *)dvc__sql_column_text(st, 4),
			dvc__sql_column_int64(st, 5));
	dvc__sql_reset(st);
	if (r != 0)
		return r;
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "listing payments to review");
}
