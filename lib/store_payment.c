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
	return dvc__count(db, DVC__STMT(db, SQL_PAY_COUNT, DVC__INT(dossier_id)), n, "counting payments");
}

int dvc__store_payment_insert(dvc_db *db, int64_t dossier_id, const char *reference, int kind,
			      int64_t amount, int state, const char *gateway, dvc_time created_at,
			      dvc_time expires_at)
{
	return DVC__EXEC(db, SQL_PAY_INSERT, "storing a payment", DVC__INT(dossier_id), DVC__TEXT(reference),
			 DVC__INT(kind), DVC__INT(amount), DVC__INT(state), DVC__TEXT(gateway),
			 DVC__INT(created_at), DVC__NONZERO(expires_at));
}

static int payment_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__into *o = ctx;
	dvc__payment_row *out = o->out;
	memset(out, 0, sizeof *out);
	out->id = dvc__sql_column_int64(st, 0);
	out->dossier_id = dvc__sql_column_int64(st, 1);
	out->kind = dvc__sql_column_int(st, 4);
	out->state = dvc__sql_column_int(st, 5);
	out->amount = dvc__sql_column_int64(st, 6);
	out->expires_at = dvc__sql_column_int64(st, 7);
	if (dvc__col_copy(o->db, st, 2, out->reference, sizeof out->reference, "payment reference") ||
	    dvc__col_copy(o->db, st, 3, out->dossier_code, sizeof out->dossier_code, "dossier code"))
		return dvc_error_last()->code;
	return DVC_OK;
}

int dvc__store_payment_get(dvc_db *db, const char *reference, dvc__payment_row *out)
{
	dvc__into o = {db, NULL, out};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_PAY_GET, DVC__TEXT(reference)), payment_row, &o,
			      "reading a payment");
	if (rc == 0)
		return DVC_ENOTFOUND; /* the caller words the error */
	return rc < 0 ? rc : DVC_OK;
}

int dvc__store_payment_update(dvc_db *db, int64_t id, int state, const char *gateway_txn,
			      dvc_time confirmed_at)
{
	return DVC__EXEC(db, SQL_PAY_UPDATE, "updating a payment", DVC__INT(id), DVC__INT(state),
			 DVC__TEXT(gateway_txn), DVC__INT(confirmed_at));
}

int dvc__store_payment_supersede(dvc_db *db, int64_t dossier_id)
{
	return DVC__EXEC(db, SQL_PAY_SUPERSEDE, "closing earlier payment requests", DVC__INT(dossier_id));
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
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_PAY_REF_EXISTS, DVC__TEXT(reference)), NULL, NULL,
			      "looking a payment up");
	if (rc == 1)
		return dvc__err(DVC_EEXISTS, "receipt_no", "receipt number %s is already recorded", receipt_no);
	if (rc < 0)
		return rc;
	return DVC__EXEC(db, SQL_PAY_COUNTER, "storing a counter payment", DVC__INT(dossier_id),
			 DVC__TEXT(reference), DVC__INT(kind), DVC__INT(amount), DVC__TEXT(receipt_no),
			 DVC__INT(at), DVC__TEXT(method), DVC__TEXT(officer));
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
	return DVC__EXEC(db, SQL_PAY_UNMATCHED, "keeping an unmatched gateway payment", DVC__TEXT(reference),
			 DVC__TEXT(gateway), DVC__TEXT(gateway_txn ? gateway_txn : ""),
			 DVC__INT(amount), DVC__INT(at));
}

static int review_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__payment_review_fn row = (dvc__payment_review_fn)k->fn;
	return row(k->ctx, (const char *)dvc__sql_column_text(st, 0),
		   (const char *)dvc__sql_column_text(st, 1), dvc__sql_column_int(st, 2),
		   dvc__sql_column_int64(st, 3), (const char *)dvc__sql_column_text(st, 4),
		   dvc__sql_column_int64(st, 5));
}

int dvc__store_payment_reviews(dvc_db *db, dvc__payment_review_fn row, void *ctx)
{

	dvc__sink k = DVC__SINK(row, ctx);
	return dvc__rows(db, dvc__stmt(db, SQL_PAY_REVIEWS), review_row, &k, "listing payments to review");
}
