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
	return dvc__row_one(db, DVC__STMT(db, SQL_RATING_EXISTS, DVC__INT(dossier_id)), NULL, NULL,
			    "reading a rating");
}

int dvc__store_rating_insert(dvc_db *db, int64_t dossier_id, dvc_time at, const int *scores,
			     int n, const char *comment)
{
	static const char what[] = "storing a rating";
	int rc = DVC__EXEC(db, SQL_RATING_INSERT, what, DVC__INT(dossier_id), DVC__INT(at),
			   DVC__TEXT(comment && *comment ? comment : NULL));
	for (int i = 0; rc == DVC_OK && i < n; i++)
		if (scores[i])
			rc = DVC__EXEC(db, SQL_SCORE_INSERT, what, DVC__INT(dossier_id), DVC__INT(i),
				       DVC__INT(scores[i]));
	return rc;
}

struct rating_out {
	dvc_time *at;
	dvc_buf *comment;
	int *scores;
	int n;
};

static int rating_row(dvc__sql_stmt *st, void *ctx)
{
	const struct rating_out *o = ctx;
	*o->at = dvc__sql_column_int64(st, 0);
	dvc_buf_puts(o->comment, (const char *)dvc__sql_column_text(st, 1));
	return o->comment->oom ? dvc__oom() : DVC_OK;
}

static int score_row(dvc__sql_stmt *st, void *ctx)
{
	const struct rating_out *o = ctx;
	int c = dvc__sql_column_int(st, 0);
	if (c >= 0 && c < o->n)
		o->scores[c] = dvc__sql_column_int(st, 1);
	return DVC_OK;
}

int dvc__store_rating_get(dvc_db *db, int64_t dossier_id, dvc_time *at, int *scores, int n,
			  dvc_buf *comment)
{
	struct rating_out o = {at, comment, scores, n};
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_RATING_GET, DVC__INT(dossier_id)), rating_row, &o,
			      "reading a rating");
	if (rc != 1)
		return rc;
	memset(scores, 0, (size_t)n * sizeof *scores);
	rc = dvc__rows(db, DVC__STMT(db, SQL_SCORE_GET, DVC__INT(dossier_id)), score_row, &o,
		       "reading a rating");
	return rc == DVC_OK ? 1 : rc;
}
