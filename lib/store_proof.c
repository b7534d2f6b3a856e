/* The journal's signed checkpoints (proof.h): one row per dossier. */
#include "proof_internal.h"

#include <string.h>

static const char SQL_CHECKPOINT_PUT[] =
	"INSERT INTO journal_checkpoint(dossier_id, seq, head, at, pubkey, sig)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(dossier_id) DO UPDATE SET"
	" seq = excluded.seq, head = excluded.head, at = excluded.at, pubkey = excluded.pubkey,"
	" sig = excluded.sig";
static const char SQL_CHECKPOINT_GET[] =
	"SELECT seq, head, at, pubkey, sig FROM journal_checkpoint WHERE dossier_id = ?1";

int dvc__store_checkpoint_put(dvc_db *db, int64_t dossier_id, const dvc__checkpoint_row *c)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_CHECKPOINT_PUT);
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, dossier_id);
	dvc__sql_bind_int64(st, 2, c->seq);
	dvc__sql_bind_blob(st, 3, c->head, 32, DVC__SQL_STATIC);
	dvc__sql_bind_int64(st, 4, c->at);
	dvc__sql_bind_blob(st, 5, c->pubkey, sizeof c->pubkey, DVC__SQL_STATIC);
	dvc__sql_bind_blob(st, 6, c->sig, sizeof c->sig, DVC__SQL_STATIC);
	return dvc__exec_step(db, st, "writing the journal checkpoint");
}

/* A blob column into a fixed buffer; 0 when it has another size. */
static int blob_copy(dvc__sql_stmt *st, int col, unsigned char *dst, int n)
{
	if (dvc__sql_column_bytes(st, col) != n)
		return 0;
	memcpy(dst, dvc__sql_column_blob(st, col), (size_t)n);
	return 1;
}

int dvc__store_checkpoint_get(dvc_db *db, int64_t dossier_id, dvc__checkpoint_row *c)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_CHECKPOINT_GET);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	memset(c, 0, sizeof *c);
	dvc__sql_bind_int64(st, 1, dossier_id);
	rc = dvc__sql_step(st);
	if (rc == DVC__SQL_DONE) {
		dvc__sql_reset(st);
		return 0;
	}
	if (rc != DVC__SQL_ROW) {
		rc = dvc__store_err(db, rc, "reading the journal checkpoint");
		dvc__sql_reset(st);
		return rc;
	}
	c->seq = dvc__sql_column_int64(st, 0);
	c->at = dvc__sql_column_int64(st, 2);
	c->malformed = !blob_copy(st, 1, c->head, 32) ||
		       !blob_copy(st, 3, c->pubkey, (int)sizeof c->pubkey) ||
		       !blob_copy(st, 4, c->sig, (int)sizeof c->sig);
	dvc__sql_reset(st);
	return 1;
}
