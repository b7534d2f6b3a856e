/* The store handle: dvc_open() lets the store connect and migrate, and
 * dvc_close() lets every module release what it keeps on the handle. This
 * file sits above them all, so that no module has to call another's free. */
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
	dvc__free(db);
}
