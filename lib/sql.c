/* The statement layer's common part (sql_internal.h): the calls that go
 * through the handle's backend, the mapping of result codes to DVC
 * statuses, and the bounded percentile both backends' reports use. */
#include "store_internal.h"

#include <math.h>

int dvc__sql_prepare(dvc_db *db, const char *sql, dvc__sql_stmt **out)
{
	return db->be->prepare(db, sql, 0, out);
}

int dvc__sql_exec(dvc_db *db, const char *sql) { return db->be->exec(db, sql); }
int64_t dvc__sql_last_insert_id(dvc_db *db) { return db->be->last_insert_id(db); }
int64_t dvc__sql_changes(dvc_db *db) { return db->be->changes(db); }
int64_t dvc__sql_total_changes(dvc_db *db) { return db->be->total_changes(db); }
int dvc__sql_in_txn(dvc_db *db) { return db->be->in_txn(db); }
const char *dvc__sql_errmsg(dvc_db *db, int rc) { return db->be->errmsg(db, rc); }
int dvc__sql_errcode(dvc_db *db) { return db->be->errcode(db); }

int dvc__store_err(dvc_db *db, int rc, const char *what)
{
	const char *msg = db && db->sql ? dvc__sql_errmsg(db, rc) : "no connection";
	int code;
	if (db && rc == DVC__SQL_BUSY_RETRY)
		db->sql_retry = 1;
	switch (rc & 0xFF) {
	case DVC__SQL_NOMEM: return dvc__oom();
	case DVC__SQL_BUSY:
	case DVC__SQL_LOCKED: code = DVC_EBUSY; break;
	case DVC__SQL_CORRUPT:
	case DVC__SQL_NOTADB: code = DVC_ECORRUPT; break;
	case DVC__SQL_CONSTRAINT: code = DVC_ESCHEMA; break;
	case DVC__SQL_IOERR:
	case DVC__SQL_CANTOPEN:
	case DVC__SQL_FULL:
	case DVC__SQL_READONLY:
	case DVC__SQL_PERM: code = DVC_EIO; break;
	default: code = DVC_ERROR; break;
	}
	return dvc__err(code, NULL, "%s: %s", what, msg);
}

size_t dvc__pct_bucket(double x, double width)
{
	if (x < 0)
		x = 0;
	return x / width >= DVC__PCT_BUCKETS - 1 ? DVC__PCT_BUCKETS - 1 : (size_t)(x / width);
}

void dvc__pct_add(dvc__pct *h, double x, double p, double width)
{
	if (h->width == 0) {
		h->p = p;
		h->width = width > 0 ? width : 1;
	}
	if (x < 0)
		x = 0;
	h->bucket[dvc__pct_bucket(x, h->width)]++;
	if (h->n == 0 || x > h->max)
		h->max = x;
	h->n++;
}

int dvc__pct_value(const dvc__pct *h, double *out)
{
	int64_t rank, seen = 0;
	if (h->n == 0)
		return 0;
	/* nearest-rank definition: the smallest value with at least p*n at or below it */
	rank = (int64_t)ceil(h->p * (double)h->n);
	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < DVC__PCT_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			double upper = (double)(i + 1) * h->width;
			*out = i == DVC__PCT_BUCKETS - 1 || upper > h->max ? h->max : upper;
			return 1;
		}
	}
	*out = h->max;
	return 1;
}
