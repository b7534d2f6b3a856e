/* Dossier sync to the national portal: the store's rows (store_national.c)
 * and the hook the dossier module calls inside its transactions (national.c). */
#ifndef DVC_NATIONAL_INTERNAL_H
#define DVC_NATIONAL_INTERNAL_H

#include "dvc/national.h"
#include "store_internal.h"

/* ---- store_national.c ---- */
/* The value of a setting into buf ("" when unset); DVC_ETOOBIG past size. */
int dvc__store_national_setting(dvc_db *db, const char *key, char *buf, size_t size);
int dvc__store_national_setting_put(dvc_db *db, const char *key, const char *value);
/* 1 when the procedure (and version, unless 0) exists, 0 when not. */
int dvc__store_national_version_exists(dvc_db *db, const char *procedure, int version);
/* Set (code) or remove (NULL) a national code. */
int dvc__store_national_code_put(dvc_db *db, const char *procedure, int version, const char *code);
/* The code for a version (its own, else version 0's) into buf, "" if none. */
int dvc__store_national_code_get(dvc_db *db, const char *procedure, int version,
				 char buf[DVC_NATIONAL_CODE_MAX + 1]);

/* What the payload needs besides the dossier row; strings in `a`. */
typedef struct dvc__national_facts {
	const char *applicant_name, *citizen_id;
	const char *procedure, *procedure_name, *sector, *agency_name;
	int version;
	int assurance; /* national sign-in's level, 0 none */
} dvc__national_facts;
int dvc__store_national_facts(dvc_db *db, int64_t dossier_id, dvc_arena *a, dvc__national_facts *f);
typedef int (*dvc__national_file_cb)(void *ctx, int component, const char *name);
/* The dossier's current files (not replaced), oldest first. */
int dvc__store_national_files_each(dvc_db *db, int64_t dossier_id, dvc__national_file_cb cb, void *ctx);

typedef struct dvc__sync_row {
	int64_t id, dossier_id, seq;
	const char *idem, *dossier, *procedure, *payload, *last_error;
	int version, status, state, attempts;
	dvc_time created_at, next_attempt_at;
} dvc__sync_row;
typedef int (*dvc__sync_cb)(void *ctx, const dvc__sync_row *r);
int dvc__store_sync_insert(dvc_db *db, const dvc__sync_row *r);
/* Lease up to max due messages, the first unsent one of each dossier. */
int dvc__store_sync_lease(dvc_db *db, dvc_time now, dvc_time lease_until, size_t max,
			  dvc__sync_cb cb, void *ctx);
/* Messages of one dossier code (NULL: all), or only the unsent ones. */
int dvc__store_sync_each(dvc_db *db, const char *code, int unsent_only, dvc__sync_cb cb, void *ctx);
int dvc__store_sync_get(dvc_db *db, int64_t id, dvc_arena *a, dvc__sync_row *out);
int dvc__store_sync_mark(dvc_db *db, int64_t id, int state, int attempts, dvc_time next_attempt_at,
			 const char *error, dvc_time sent_at);
int dvc__store_sync_set_payload(dvc_db *db, int64_t id, const char *payload);

/* ---- national.c, for dossier.c ---- */
/* Queue the sync message of the change just journaled (d->journal_seq)
 * inside the caller's transaction; nothing when sync is off. */
int dvc__national_sync(dvc_db *db, const dvc__dossier *d, dvc_action action, const char *actor,
		       const char *note, dvc_time now);

#endif
