/* Personal data in the store: the officers' access log (schema 14), one row
 * per officer read of a dossier's personal data, apart from the journal so
 * that a read costs one INSERT and no signature; and erasure. */
#include "store_internal.h"

#include <string.h>

static const char SQL_ACCESS_INSERT[] =
	"INSERT INTO access_log(dossier_id, officer_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
/* One statement per key, so that each uses its index. */
#define SQL_ACCESS_ROWS                                                                  \
	"SELECT d.code, o.username, o.full_name, o.unit, a.at, a.kind, a.detail"           \
	" FROM access_log a JOIN dossier d ON d.id = a.dossier_id"                           \
	" JOIN officer o ON o.id = a.officer_id "
static const char SQL_ACCESS_BY_DOSSIER[] = SQL_ACCESS_ROWS
	"WHERE a.dossier_id = ?1 AND a.at >= ?2 AND a.at < ?3 ORDER BY a.at, a.id LIMIT ?4";
static const char SQL_ACCESS_BY_OFFICER[] = SQL_ACCESS_ROWS
	"WHERE a.officer_id = ?1 AND a.at >= ?2 AND a.at < ?3 ORDER BY a.at, a.id LIMIT ?4";
static const char SQL_ACCESS_BY_BOTH[] = SQL_ACCESS_ROWS
	"WHERE a.dossier_id = ?1 AND a.officer_id = ?5 AND a.at >= ?2 AND a.at < ?3"
	" ORDER BY a.at, a.id LIMIT ?4";

int dvc__store_access_insert(dvc_db *db, int64_t dossier_id, int64_t officer_id, dvc_time at,
			     int kind, const char *detail)
{
	return DVC__EXEC(db, SQL_ACCESS_INSERT, "recording an access", DVC__INT(dossier_id),
			 DVC__INT(officer_id), DVC__INT(at), DVC__INT(kind), DVC__TEXT(detail));
}

static int access_row(dvc__sql_stmt *st, void *ctx)
{
	const dvc__sink *k = ctx;
	dvc__access_fn row = (dvc__access_fn)k->fn;
	return row(k->ctx, (const char *)dvc__sql_column_text(st, 0),
		   (const char *)dvc__sql_column_text(st, 1), (const char *)dvc__sql_column_text(st, 2),
		   (const char *)dvc__sql_column_text(st, 3), dvc__sql_column_int64(st, 4),
		   dvc__sql_column_int(st, 5), (const char *)dvc__sql_column_text(st, 6));
}

int dvc__store_access_each(dvc_db *db, int64_t dossier_id, int64_t officer_id, dvc_time from,
			   dvc_time to, int64_t limit, dvc__access_fn row, void *ctx)
{
	const char *sql = dossier_id && officer_id ? SQL_ACCESS_BY_BOTH
			  : dossier_id ? SQL_ACCESS_BY_DOSSIER : SQL_ACCESS_BY_OFFICER;

	dvc__sink k = DVC__SINK(row, ctx);
	dvc__sql_stmt *st = DVC__STMT(db, sql, DVC__INT(dossier_id ? dossier_id : officer_id),
				      DVC__INT(from), DVC__INT(to), DVC__INT(limit));
	if (st && dossier_id && officer_id)
		dvc__sql_bind_int64(st, 5, officer_id);
	return dvc__rows(db, st, access_row, &k, "reading the access log");
}

/* `names`: the statement binds the files' new name as ?2 */
static const struct {
	const char *sql;
	int names;
} SQL_ERASE[] = {
	{"UPDATE dossier SET applicant_name = '', applicant_citizen_id = '', applicant_birth_date = '',"
	 " applicant_address = '', applicant_phone = NULL, applicant_email = NULL, form_data = NULL"
	 " WHERE id = ?1", 0},
	/* content first, while the files still name their blobs */
	{"DELETE FROM blob_chunk WHERE blob_id IN (SELECT blob_id FROM dossier_file WHERE dossier_id = ?1)"
	 " AND blob_id NOT IN (SELECT blob_id FROM dossier_file WHERE dossier_id <> ?1)"
	 " AND blob_id NOT IN (SELECT blob_id FROM account_file)", 0},
	{"UPDATE dossier_file SET name = ?2 WHERE dossier_id = ?1", 1},
	{"UPDATE outbox SET recipient = '', subject = NULL, body = '' WHERE dossier_id = ?1", 0},
	{"UPDATE rating SET comment = NULL WHERE dossier_id = ?1", 0},
};

int dvc__store_dossier_erase(dvc_db *db, int64_t dossier_id, const char *file_name)
{
	for (size_t i = 0; i < DVC_ARRAY_LEN(SQL_ERASE); i++) {
		dvc__sql_stmt *st = dvc__stmt(db, SQL_ERASE[i].sql);
		int rc;
		if (!st)
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, dossier_id);
		if (SQL_ERASE[i].names)
			dvc__sql_bind_text(st, 2, file_name, -1, DVC__SQL_STATIC);
		if ((rc = dvc__exec_step(db, st, "erasing personal data")) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}
