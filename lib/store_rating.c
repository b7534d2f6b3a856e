/* Rating tables (schema 7): one row per rated dossier, one per scored criterion. */
#include "dossier_internal.h"

#include <string.h>

static const char SQL_RATING_EXISTS[] = "SELECT 1 FROM rating WHERE dossier_id = ?1";
static const char SQL_RATING_INSERT[] =
	"INSERT INTO rating(dossier_id, at, comment) VALUES (?1, ?2, ?3)";
static const char SQL_SCORE_INSERT[] =
	"INSERT INTO rating_score(dossier_id, criterion, score) VALUES (?1, ?2, ?3)";
static const char SQL_RATING_GET[] = "SELECT at, coalesce(comment, '') FROM rating WHERE dossier_id = ?1";
static const char SQL_SCORE_GET[] =
	"SELECT criterion, score FROM rating_score WHERE dossier_id = ?1 ORDER BY criterion";

int dvc__store_rating_exists(dvc_db *db, int64_t dossier_id)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_RATING_EXISTS);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	dvc__sql_reset(st);
	if (rc == DVC__SQL_ROW)
		return 1;
	return rc == DVC__SQL_DONE ? 0 : dvc__store_err(db, rc, "reading a rating");
}

int dvc__store_rating_insert(dvc_db *db, int64_t dossier_id, dvc_time at, const int *scores,
			     int n, const char *comment)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_RATING_INSERT);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_int64(st, 2, at);
	if ((rc = dvc__bind_text(db, st, 3, comment && *comment ? comment : NULL)) != DVC_OK) {
		dvc__sql_reset(st);
		return rc;
	}
	if ((rc = dvc__exec_step(db, st, "storing a rating")) != DVC_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if (!scores[i])
			continue;
		if (!(st = dvc__stmt(db, SQL_SCORE_INSERT)))
			return dvc_error_last()->code;
		dvc__sql_bind_int64(st, 1, dossier_id);
		dvc__sql_bind_int(st, 2, i);
		dvc__sql_bind_int(st, 3, scores[i]);
		if ((rc = dvc__exec_step(db, st, "storing a rating")) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

int dvc__store_rating_get(dvc_db *db, int64_t dossier_id, dvc_time *at, int *scores, int n,
			  dvc_buf *comment)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_RATING_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_ROW) {
		*at = dvc__sql_column_int64(st, 0);
		dvc_buf_puts(comment, (const char *)dvc__sql_column_text(st, 1));
	}
	dvc__sql_reset(st);
	if (rc == DVC__SQL_DONE)
		return 0;
	if (rc != DVC__SQL_ROW)
		return dvc__store_err(db, rc, "reading a rating");
	if (comment->oom)
		return dvc__oom();
	if (!(st = dvc__stmt(db, SQL_SCORE_GET)))
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	memset(scores, 0, (size_t)n * sizeof *scores);
	while ((rc = dvc__sql_step(st)) == DVC__SQL_ROW) {
		int c = dvc__sql_column_int(st, 0);
		if (c >= 0 && c < n)
			scores[c] = dvc__sql_column_int(st, 1);
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? 1 : dvc__store_err(db, rc, "reading a rating");
}
