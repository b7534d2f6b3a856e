/* The store handle: dvc_open() lets the store connect and migrate,
 * dvc_close() lets every module release what it keeps on the handle, and
 * the caller's transactions (dvc_begin/commit/rollback) end with the
 * journal's deferred checkpoints flushed or discarded. This file sits above
 * every module, so that none has to call another's hooks. */
#include "dvc/calendar.h"
#include "notify_internal.h"
#include "proof_internal.h"
#include "store_internal.h"

#include <sodium.h>
#include <string.h>

int dvc_open(dvc_db **out, const char *path, const dvc_open_opts *opts)
{
	dvc_open_opts o = DVC_OPEN_OPTS_INIT;
	dvc_db *db;
	int rc;
	if (!out || !path)
		return dvc__err(DVC_EINVAL, NULL, "dvc_open needs an out pointer and a path");
	*out = NULL;
	if (opts) {
		if (opts->version < 1 || opts->version > DVC_OPEN_OPTS_VERSION)
			return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_open_opts version %u",
					opts->version);
		o.flags = opts->flags;
		o.busy_timeout_ms = opts->busy_timeout_ms;
		if (o.flags & ~(unsigned)(DVC_OPEN_CREATE | DVC_OPEN_READONLY | DVC_OPEN_REQUIRE_SIGNED |
					  DVC_OPEN_POSTGRESQL))
			return dvc__err(DVC_EINVAL, "flags", "unknown dvc_open flags 0x%x", o.flags);
		if (o.busy_timeout_ms < 0)
			return dvc__err(DVC_EINVAL, "busy_timeout_ms", "a negative busy timeout (%d ms)",
					o.busy_timeout_ms);
		if (opts->version >= 2) {
			o.journal_key_file = opts->journal_key_file;
			o.journal_trust_file = opts->journal_trust_file;
		}
	}
	if (!(db = dvc__calloc(1, sizeof *db)))
		return dvc__oom();
	/* the keys first: a misconfigured deployment opens nothing */
	if ((rc = dvc__proof_keys_load(&db->proof, o.journal_key_file, o.journal_trust_file,
				       (o.flags & DVC_OPEN_REQUIRE_SIGNED) != 0,
				       (o.flags & DVC_OPEN_READONLY) != 0)) != DVC_OK ||
	    (rc = dvc__store_open(db, path, &o)) != DVC_OK) {
		dvc__proof_keys_free(db->proof);
		dvc__free(db);
		return rc;
	}
	*out = db;
	return DVC_OK;
}

void dvc_close(dvc_db *db)
{
	if (!db)
		return;
	dvc__store_close(db);
	if (db->xsd)
		db->xsd_free(db->xsd);
	dvc__rt_cache_free(db);
	dvc__templates_free(db->templates);
	dvc__free(db->officer_cache);
	if (db->gateway_secret) {
		sodium_memzero(db->gateway_secret, strlen(db->gateway_secret));
		dvc__free(db->gateway_secret);
	}
	dvc_calendar_free(db->owned_calendar);
	dvc__proof_keys_free(db->proof);
	sodium_memzero(db->session_key, sizeof db->session_key);
	dvc__free(db);
}

/* ---- the caller's transactions ---- */

int dvc_begin(dvc_db *db)
{
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (db->explicit_txn)
		return dvc__err(DVC_ETXN, NULL, "a transaction is already open on this handle");
	if ((rc = dvc__store_begin(db)) != DVC_OK)
		return rc;
	db->explicit_txn = 1;
	db->txn_aborted = 0;
	return DVC_OK;
}

/* Roll back what is left of an explicit transaction; SQLite may already
 * have done it, so the error of a ROLLBACK without a transaction is moot. */
static void end_aborted(dvc_db *db)
{
	dvc__proof_discard(db);
	dvc__store_rollback_quiet(db);
	db->explicit_txn = 0;
	db->txn_aborted = 0;
}

int dvc_commit(dvc_db *db)
{
	int rc;
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (!db->explicit_txn)
		return dvc__err(DVC_ETXN, NULL, "commit without dvc_begin()");
	if (db->txn_aborted) {
		/* committing the rest would keep half of the failed call */
		char why[sizeof db->txn_abort_why];
		memcpy(why, db->txn_abort_why, sizeof why);
		end_aborted(db);
		return dvc__err(DVC_ETXN, NULL, "nothing committed: the transaction was rolled back "
				"because %s", why);
	}
	/* the journal checkpoints deferred in the transaction (proof.c) */
	if ((rc = dvc__proof_flush(db)) != DVC_OK)
		return rc; /* still open: the caller may retry or roll back */
	if ((rc = dvc__store_exec(db, "COMMIT", "committing")) != DVC_OK)
		return rc; /* still open (e.g. busy): the caller may retry or roll back */
	db->explicit_txn = 0;
	return DVC_OK;
}

int dvc_rollback(dvc_db *db)
{
	if (!db)
		return dvc__err(DVC_EINVAL, NULL, "no store");
	if (!db->explicit_txn)
		return dvc__err(DVC_ETXN, NULL, "rollback without dvc_begin()");
	if (db->txn_aborted) {
		end_aborted(db);
		return DVC_OK;
	}
	db->explicit_txn = 0;
	dvc__proof_discard(db);
	return dvc__store_exec(db, "ROLLBACK", "rolling back");
}

int dvc_in_transaction(const dvc_db *db) { return db && db->explicit_txn; }

const char *dvc_backend_name(const dvc_db *db) { return db ? db->be->name : NULL; }
