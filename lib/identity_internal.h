/* National identities: the store's rows (store_identity.c) and what the
 * dossier module asks at submission (identity.c). */
#ifndef DVC_IDENTITY_INTERNAL_H
#define DVC_IDENTITY_INTERNAL_H

#include "dvc/account.h"
#include "dvc/identity.h"
#include "store_internal.h"

/* ---- store_identity.c; strings of rows read go into `a` ---- */
/* Insert or replace the account's link. DVC_EEXISTS (no message) when the
 * subject or the personal ID belongs to another account's link. */
int dvc__store_identity_put(dvc_db *db, int64_t account_id, const dvc_national_identity *id);
/* 1 found, 0 none, negative on error. `username` of the row is not set. */
int dvc__store_identity_of_account(dvc_db *db, int64_t account_id, dvc_arena *a,
				   dvc_national_identity *out);
/* The account linked to (issuer, subject) or to a personal ID: 1 found
 * (*account_id set), 0 none, negative on error. */
int dvc__store_identity_account_of(dvc_db *db, const char *issuer, const char *subject,
				   int64_t *account_id);
int dvc__store_identity_account_of_pid(dvc_db *db, const char *personal_id, int64_t *account_id);
int dvc__store_identity_delete(dvc_db *db, int64_t account_id);
int dvc__store_identity_audit_add(dvc_db *db, int64_t account_id, dvc_time at, const char *event,
				  const char *actor, const char *issuer, const char *subject,
				  const char *detail);
typedef struct dvc__identity_audit_row {
	dvc_time at;
	const char *event, *actor, *issuer, *subject, *detail;
} dvc__identity_audit_row;
typedef int (*dvc__identity_audit_cb)(void *ctx, const dvc__identity_audit_row *r);
int dvc__store_identity_audit_each(dvc_db *db, int64_t account_id, dvc__identity_audit_cb cb,
				   void *ctx);
/* The identity an applicant signed in with when submitting a dossier. */
int dvc__store_dossier_identity_put(dvc_db *db, int64_t dossier_id, int assurance,
				    const char *issuer, const char *subject);
/* 1 and *assurance set when the dossier records one, 0 when not. */
int dvc__store_dossier_identity_get(dvc_db *db, int64_t dossier_id, int *assurance);

/* ---- identity.c, for dossier.c's submission ---- */
typedef struct dvc__signin {
	int assurance; /* 0: not signed in with a national identity */
	char issuer[DVC_NATIONAL_ISSUER_MAX + 1];
	char subject[DVC_NATIONAL_SUBJECT_MAX + 1];
} dvc__signin;
/* The account's verified fields fill a typed-in applicant's empty fields
 * and must agree with its typed ones (DVC_EMISMATCH listing them); with
 * `national` set the account must be linked, and `out` says with what. */
int dvc__identity_for_submission(dvc_db *db, int64_t account_id, const dvc_applicant *profile,
				 dvc_applicant *app, int national, dvc_arena *a, dvc__signin *out);

#endif
