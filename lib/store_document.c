/* Blobs, dossier files, per-procedure policies and the account data store. */
#include "dossier_internal.h"

#include <stdio.h>
#include <string.h>

static const char SQL_BLOB_STAGE[] = "INSERT INTO blob(sha256, size, media_type) VALUES (NULL, 0, '')";
static const char SQL_BLOB_CHUNK[] = "INSERT INTO blob_chunk(blob_id, seq, data) VALUES (?1, ?2, ?3)";
static const char SQL_BLOB_FIND[] = "SELECT id FROM blob WHERE sha256 = ?1";
static const char SQL_BLOB_DROP_CHUNKS[] = "DELETE FROM blob_chunk WHERE blob_id = ?1";
static const char SQL_BLOB_DROP[] = "DELETE FROM blob WHERE id = ?1";
static const char SQL_BLOB_SEAL[] = "UPDATE blob SET sha256 = ?2, size = ?3, media_type = ?4 WHERE id = ?1";
static const char SQL_BLOB_GET[] = "SELECT id, sha256, size, media_type FROM blob WHERE id = ?1 AND sha256 IS NOT NULL";
static const char SQL_BLOB_CHUNKS[] = "SELECT seq, data FROM blob_chunk WHERE blob_id = ?1 ORDER BY seq";
/* The same a few chunks at a time, for a backend that holds a whole result
 * in memory (a 200 MB file would be 400 MB of hex there). */
#define CHUNK_BATCH 8
static const char SQL_BLOB_CHUNKS_FROM[] =
	"SELECT seq, data FROM blob_chunk WHERE blob_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT 8";
_Static_assert(CHUNK_BATCH == 8, "the LIMIT above");
static const char SQL_FILE_INSERT[] =
	"INSERT INTO dossier_file(dossier_id, component, blob_id, name, form, mode, added_by, added_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_FILE_REPLACE[] =
	"UPDATE dossier_file SET replaced_by = ?2 WHERE id = ?1 AND replaced_by IS NULL";
static const char SQL_FILE_EACH[] =
	"SELECT f.id, f.dossier_id, f.component, f.blob_id, f.name, f.form, f.mode, f.added_by,"
	" f.added_at, coalesce(f.replaced_by, 0), d.code, b.sha256, b.size, b.media_type"
	" FROM dossier_file f JOIN dossier d ON d.id = f.dossier_id JOIN blob b ON b.id = f.blob_id"
	" WHERE f.dossier_id = ?1 AND (?2 = 0 OR f.id = ?2) ORDER BY f.id";
static const char SQL_FILE_COMPONENTS[] =
	"SELECT DISTINCT component FROM dossier_file"
	" WHERE dossier_id = ?1 AND replaced_by IS NULL AND component >= 0";
static const char SQL_POLICY_PUT[] =
	"INSERT INTO procedure_policy(procedure, max_file_bytes, media_types, require_files,"
	" pay_before_return) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(procedure) DO UPDATE SET"
	" max_file_bytes = ?2, media_types = ?3, require_files = ?4, pay_before_return = ?5";
static const char SQL_POLICY_GET[] =
	"SELECT max_file_bytes, media_types, require_files, pay_before_return FROM procedure_policy"
	" WHERE procedure = ?1";
static const char SQL_PROC_EXISTS[] = "SELECT 1 FROM procedure WHERE code = ?1";
static const char SQL_AFILE_FIND[] =
	"SELECT id FROM account_file WHERE account_id = ?1 AND blob_id = ?2 AND kind = ?3";
static const char SQL_AFILE_INSERT[] =
	"INSERT INTO account_file(account_id, blob_id, name, form, kind, dossier_id, added_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* the columns of SQL_FILE_EACH, so that one reader serves both */
static const char SQL_AFILE_EACH[] =
	"SELECT f.id, coalesce(f.dossier_id, 0), f.kind, f.blob_id, f.name, f.form, 0, '', f.added_at,"
	" 0, d.code, b.sha256, b.size, b.media_type"
	" FROM account_file f JOIN blob b ON b.id = f.blob_id LEFT JOIN dossier d ON d.id = f.dossier_id"
	" WHERE f.account_id = ?1 AND (?2 = 0 OR f.id = ?2) ORDER BY f.id";

int dvc__store_blob_stage(dvc_db *db, int64_t *id)
{
	dvc__sql_stmt *st = dvc__stmt(db, SQL_BLOB_STAGE);
	int rc;
	if (!st)
		return dvc_error_last()->code;
	if ((rc = dvc__exec_step(db, st, "storing a file")) != DVC_OK)
		return rc;
	*id = dvc__sql_last_insert_id(db);
	return DVC_OK;
}

int dvc__store_blob_chunk(dvc_db *db, int64_t blob_id, int64_t seq, const void *data, size_t n)
{
	return DVC__EXEC(db, SQL_BLOB_CHUNK, "storing a file chunk", DVC__INT(blob_id), DVC__INT(seq),
			 DVC__BLOB(data, n));
}

static int blob_find(dvc_db *db, const unsigned char sha[32], int64_t *id)
{
	return dvc__row_one(db, DVC__STMT(db, SQL_BLOB_FIND, DVC__BLOB(sha, 32)), dvc__col_int64, id,
			    "looking a file up");
}

int dvc__store_blob_seal(dvc_db *db, int64_t staged, const unsigned char sha[32], int64_t size,
			 const char *media_type, int64_t *id)
{
	static const char drop[] = "dropping a duplicate file";
	int rc, found = blob_find(db, sha, id);
	if (found < 0)
		return found;
	if (found) { /* the same content is stored already: keep one copy */
		if ((rc = DVC__EXEC(db, SQL_BLOB_DROP_CHUNKS, drop, DVC__INT(staged))) != DVC_OK)
			return rc;
		return DVC__EXEC(db, SQL_BLOB_DROP, drop, DVC__INT(staged));
	}
	*id = staged;
	return DVC__EXEC(db, SQL_BLOB_SEAL, "storing a file", DVC__INT(staged), DVC__BLOB(sha, 32),
			 DVC__INT(size), DVC__TEXT(media_type));
}

static void blob_row(dvc__sql_stmt *st, int col, dvc__blob_row *b)
{
	const void *sha = dvc__sql_column_blob(st, col);
	memset(b->sha, 0, sizeof b->sha);
	if (sha && dvc__sql_column_bytes(st, col) == 32)
		memcpy(b->sha, sha, 32);
	b->size = dvc__sql_column_int64(st, col + 1);
	snprintf(b->media_type, sizeof b->media_type, "%s",
		 (const char *)dvc__sql_column_text(st, col + 2) ? (const char *)dvc__sql_column_text(st, col + 2) : "");
}

static int blob_get_row(dvc__sql_stmt *st, void *ctx)
{
	dvc__blob_row *out = ctx;
	out->id = dvc__sql_column_int64(st, 0);
	blob_row(st, 1, out);
	return DVC_OK;
}

int dvc__store_blob_get(dvc_db *db, int64_t id, dvc__blob_row *out)
{
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_BLOB_GET, DVC__INT(id)), blob_get_row, out,
			      "reading a file");
	return rc == 1 ? DVC_OK : rc == 0 ? DVC_ENOTFOUND : rc;
}

int dvc__store_blob_each_chunk(dvc_db *db, int64_t blob_id, dvc__chunk_cb cb, void *ctx)
{
	int batched = db->be->whole_results;
	dvc__sql_stmt *st = dvc__stmt(db, batched ? SQL_BLOB_CHUNKS_FROM : SQL_BLOB_CHUNKS);
	int64_t expect = 0;
	int rc, cbrc = DVC_OK, batch_rows = 0;
	if (!st)
		return dvc_error_last()->code;
	dvc__sql_bind_int64(st, 1, blob_id);
	if (batched)
		dvc__sql_bind_int64(st, 2, 0);
	for (;;) {
		const void *p;
		size_t n;
		rc = dvc__sql_step(st);
		if (rc == DVC__SQL_DONE && batched && batch_rows == CHUNK_BATCH) {
			/* a full batch: more may follow, from the next seq (the
			 * caller's read transaction keeps the batches one snapshot) */
			dvc__sql_reset(st);
			batch_rows = 0;
			dvc__sql_bind_int64(st, 1, blob_id);
			dvc__sql_bind_int64(st, 2, expect);
			continue;
		}
		if (rc != DVC__SQL_ROW)
			break;
		batch_rows++;
		p = dvc__sql_column_blob(st, 1);
		n = (size_t)dvc__sql_column_bytes(st, 1);
		if (dvc__sql_column_int64(st, 0) != expect++) {
			dvc__sql_reset(st);
			return dvc__err(DVC_ECORRUPT, NULL, "file %lld has a missing chunk",
					(long long)blob_id);
		}
		if (!p && n) {
			dvc__sql_reset(st);
			return dvc__oom();
		}
		if ((cbrc = cb(ctx, p, n)) != DVC_OK) {
			dvc__sql_reset(st);
			return cbrc;
		}
	}
	dvc__sql_reset(st);
	return rc == DVC__SQL_DONE ? DVC_OK : dvc__store_err(db, rc, "reading a file");
}

int dvc__store_file_insert(dvc_db *db, const dvc__file_row *f, int64_t *id)
{
	int rc = DVC__EXEC(db, SQL_FILE_INSERT, "storing a dossier file", DVC__INT(f->dossier_id),
			   DVC__INT(f->component), DVC__INT(f->blob_id), DVC__TEXT(f->name),
			   DVC__INT(f->form), DVC__INT(f->mode), DVC__TEXT(f->added_by),
			   DVC__INT(f->added_at));
	if (rc != DVC_OK)
		return rc;
	*id = dvc__sql_last_insert_id(db);
	return DVC_OK;
}

int dvc__store_file_replace(dvc_db *db, int64_t old_id, int64_t new_id)
{
	return DVC__EXEC(db, SQL_FILE_REPLACE, "replacing a dossier file", DVC__INT(old_id),
			 DVC__INT(new_id));
}

struct file_sink {
	int64_t account_id; /* the data store's account; 0 for a dossier's files */
	dvc__file_cb cb;
	void *ctx;
};

/* A row of SQL_FILE_EACH or SQL_AFILE_EACH. */
static int file_row(dvc__sql_stmt *st, void *ctx)
{
	const struct file_sink *k = ctx;
	dvc__file_row f;
	memset(&f, 0, sizeof f);
	f.id = dvc__sql_column_int64(st, 0);
	f.dossier_id = dvc__sql_column_int64(st, 1);
	f.component = dvc__sql_column_int(st, 2);
	f.blob_id = dvc__sql_column_int64(st, 3);
	f.name = (const char *)dvc__sql_column_text(st, 4);
	f.form = dvc__sql_column_int(st, 5);
	f.mode = dvc__sql_column_int(st, 6);
	f.added_by = (const char *)dvc__sql_column_text(st, 7);
	f.added_at = dvc__sql_column_int64(st, 8);
	f.replaced_by = dvc__sql_column_int64(st, 9);
	f.dossier_code = (const char *)dvc__sql_column_text(st, 10);
	f.account_id = k->account_id;
	f.blob.id = f.blob_id;
	blob_row(st, 11, &f.blob);
	/* a kept file need not come from a dossier */
	if (!f.name || !f.added_by || (!f.dossier_code && dvc__sql_column_type(st, 10) != DVC__SQL_NULL))
		return dvc__oom();
	return k->cb(k->ctx, &f);
}

int dvc__store_file_each(dvc_db *db, int64_t dossier_id, int64_t file_id, dvc__file_cb cb,
			 void *ctx)
{
	struct file_sink k = {0, cb, ctx};
	return dvc__rows(db, DVC__STMT(db, SQL_FILE_EACH, DVC__INT(dossier_id), DVC__INT(file_id)),
			 file_row, &k, "listing dossier files");
}

static int component_row(dvc__sql_stmt *st, void *ctx)
{
	uint64_t *have = ctx;
	int c = dvc__sql_column_int(st, 0);
	if (c >= 0 && c < 64)
		*have |= (uint64_t)1 << c;
	return DVC_OK;
}

int dvc__store_file_components(dvc_db *db, int64_t dossier_id, uint64_t *have)
{
	*have = 0;
	return dvc__rows(db, DVC__STMT(db, SQL_FILE_COMPONENTS, DVC__INT(dossier_id)), component_row,
			 have, "listing dossier files");
}

int dvc__store_policy_put(dvc_db *db, const char *procedure, const dvc_procedure_policy *p)
{
	return DVC__EXEC(db, SQL_POLICY_PUT, "storing a procedure policy", DVC__TEXT(procedure),
			 DVC__INT(p->max_file_bytes), DVC__TEXT(p->media_types),
			 DVC__INT(p->require_files != 0), DVC__INT(p->pay_before_return != 0));
}

struct policy_out {
	dvc_procedure_policy *p;
	char *types;
	size_t types_size;
};

static int policy_row(dvc__sql_stmt *st, void *ctx)
{
	const struct policy_out *o = ctx;
	const char *t = (const char *)dvc__sql_column_text(st, 1);
	o->p->max_file_bytes = dvc__sql_column_int64(st, 0);
	snprintf(o->types, o->types_size, "%s", t ? t : "");
	o->p->media_types = o->types;
	o->p->require_files = dvc__sql_column_int(st, 2);
	o->p->pay_before_return = dvc__sql_column_int(st, 3);
	return DVC_OK;
}

int dvc__store_policy_get(dvc_db *db, const char *procedure, dvc_procedure_policy *p,
			  char *types, size_t types_size)
{
	struct policy_out o = {p, types, types_size};
	return dvc__row_one(db, DVC__STMT(db, SQL_POLICY_GET, DVC__TEXT(procedure)), policy_row, &o,
			    "reading a procedure policy");
}

int dvc__store_procedure_exists(dvc_db *db, const char *code)
{
	return dvc__row_one(db, DVC__STMT(db, SQL_PROC_EXISTS, DVC__TEXT(code)), NULL, NULL,
			    "looking a procedure up");
}

int dvc__store_account_file_insert(dvc_db *db, int64_t account_id, int64_t blob_id,
				   const char *name, int form, int kind, int64_t dossier_id,
				   dvc_time at, int64_t *id)
{
	int64_t found;
	int rc = dvc__row_one(db, DVC__STMT(db, SQL_AFILE_FIND, DVC__INT(account_id), DVC__INT(blob_id),
					    DVC__INT(kind)),
			      dvc__col_int64, &found, "reading the data store");
	if (rc < 0)
		return rc;
	if (rc == 0) {
		rc = DVC__EXEC(db, SQL_AFILE_INSERT, "keeping a file in the data store", DVC__INT(account_id),
			       DVC__INT(blob_id), DVC__TEXT(name), DVC__INT(form), DVC__INT(kind),
			       DVC__NONZERO(dossier_id), DVC__INT(at));
		if (rc != DVC_OK)
			return rc;
		found = dvc__sql_last_insert_id(db);
	} /* else kept already: one entry per content */
	if (id)
		*id = found;
	return DVC_OK;
}

int dvc__store_account_file_each(dvc_db *db, int64_t account_id, int64_t file_id,
				 dvc__file_cb cb, void *ctx)
{
	struct file_sink k = {account_id, cb, ctx};
	return dvc__rows(db, DVC__STMT(db, SQL_AFILE_EACH, DVC__INT(account_id), DVC__INT(file_id)),
			 file_row, &k, "listing the data store");
}
