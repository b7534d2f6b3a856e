/* What the dossier module shares with the modules that hang files,
 * signatures and ratings on a dossier (document.c, sign.c, rating.c). */
#ifndef DVC_DOSSIER_INTERNAL_H
#define DVC_DOSSIER_INTERNAL_H

#include "dvc/document.h"
#include "store_internal.h"
#include "throttle_internal.h"

/* Who is asking, resolved against one dossier. */
typedef struct dvc__who {
	dvc_role role;
	int is_officer;
	int owner;              /* the dossier's own applicant */
	int64_t account_id;     /* an account actor's id, else 0 */
	dvc__officer_row off;   /* officers */
	char label[sizeof "officer:" + DVC_USERNAME_MAX]; /* as journaled: "officer:le.van.b" */
} dvc__who;

/* Load a dossier and resolve the actor with tracking's rules: an officer or
 * the owning account or the anonymous applicant with the right secret.
 * DVC_EAUTH with *bad_secret set for a wrong secret or unknown code asked
 * anonymously (the caller counts it with dvc__anon_failed after its
 * transaction); DVC_EPERM for another account. */
int dvc__dossier_open(dvc_db *db, const char *code, const dvc_actor *a, dvc__dossier *d,
		      dvc__who *w, int *bad_secret);
/* Anonymous callers are throttled per guesser (see dossier.c): check
 * before the call (shapes, then locks), count a wrong secret after the
 * call's rollback (answers DVC_EAUTH), forget failures after a success. */
typedef struct dvc__guesser {
	dvc__throttle_key keys[2];
	size_t n;
	int failures;
} dvc__guesser;
int dvc__anon_check(dvc_db *db, dvc__guesser *g, const char *client, const char *code,
		    const char *secret);
int dvc__anon_failed(dvc_db *db, const dvc__guesser *g);
void dvc__anon_ok(dvc_db *db, const dvc__guesser *g);
/* What a read by code that `who` asks from `from` (may be NULL) starts
 * with: a known dvc_caller version, libsodium ready, and for an anonymous
 * caller dvc__anon_check. */
int dvc__caller_check(dvc_db *db, dvc__guesser *g, const char *code, const dvc_actor *who,
		      const dvc_caller *from);
/* And what it ends with, given its result: a wrong secret counted
 * (dvc__anon_failed), an anonymous success's failures forgotten; rc. */
int dvc__caller_done(dvc_db *db, const dvc__guesser *g, const dvc_actor *who, int rc, int bad_secret);

/* Record an officer's read of dossier `code` (privacy.h; kind a
 * dvc_access_kind) before it is made; DVC_OK at once for any other actor.
 * Errors as tracking's (DVC_ENOTFOUND for the dossier or the officer), or
 * the store's: the read must then not be made. */
int dvc__officer_read(dvc_db *db, const char *code, const dvc_actor *who, int kind,
		      const char *detail);

/* Start a read of dossier `code` for `who`: an officer's read (privacy.h)
 * is a write transaction whose first step records it, so that a read that
 * then fails takes its record with it (*writing set); anyone else's, a
 * read transaction. End it with dvc__read_close(db, writing, rc), which
 * answers rc, or the commit's error. */
int dvc__read_open(dvc_db *db, const char *code, const dvc_actor *who, int kind,
		   const char *detail, int *writing);
int dvc__read_close(dvc_db *db, int writing, int rc);

/* Journal a non-lifecycle event whose payload digest was computed by the
 * caller (a streamed file's SHA-256) and write the dossier row. */
int dvc__dossier_record_digest(dvc_db *db, dvc__dossier *d, const char *who, dvc_action action,
			       const char *note, const unsigned char digest[32]);

/* document.c: DVC_EINCOMPLETE naming the components of d that have no file
 * when its procedure requires files of online dossiers; DVC_OK otherwise. */
int dvc__documents_check_receipt(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt);
/* document.c: a dossier's files without an actor check (slips). */
int dvc__dossier_files_all(dvc_db *db, const char *code, dvc_file_list **out);
/* document.c: the policy in force for a procedure code. */
int dvc__policy(dvc_db *db, const char *procedure, dvc_procedure_policy *p, char *types,
		size_t types_size);

/* sign.c: the signed XML envelope of a result. */
#include "dvc/sign.h"
typedef struct dvc__sign_meta {
	const char *dossier, *procedure, *procedure_name, *agency;
	const char *file_name, *media_type, *sha256, *signed_at, *signer;
} dvc__sign_meta;
/* Who signed: the certificate's fingerprint and subject, for the journal. */
typedef struct dvc__signer {
	char fingerprint[DVC_CERT_FINGERPRINT_SIZE];
	char subject[256];
} dvc__signer;
int dvc__sign_result_xml(const dvc__sign_meta *m, const unsigned char *data, size_t n,
			 const dvc_sign_opts *opts, char **out, size_t *out_len, dvc__signer *who);
/* Refuse missing or malformed signing options (DVC_EINVAL: never unsigned)
 * and bring xmlsec up once per process. */
int dvc__sign_ready(const dvc_sign_opts *opts);
/* document.c: sign the dossier's current result and store the signed file. */
int dvc__dossier_sign(dvc_db *db, const char *code, const dvc_actor *who,
		      const dvc_sign_opts *opts, dvc_file_info *out);
/* document.c: does the dossier have a current signed result (1), none (0)? */
int dvc__dossier_has_signed_result(dvc_db *db, int64_t dossier_id);

/* ---- store_document.c ---- */
#define DVC__TYPES_MAX 1024
/* A new, empty blob row to stream chunks into (sha256 NULL until finished). */
int dvc__store_blob_stage(dvc_db *db, int64_t *id);
int dvc__store_blob_chunk(dvc_db *db, int64_t blob_id, int64_t seq, const void *data, size_t n);
/* Seal a staged blob: when the content is stored already, drop the staged
 * copy and answer the existing id. */
int dvc__store_blob_seal(dvc_db *db, int64_t staged, const unsigned char sha[32], int64_t size,
			 const char *media_type, int64_t *id);
typedef struct dvc__blob_row {
	int64_t id, size;
	unsigned char sha[32];
	char media_type[DVC_MEDIA_TYPE_SIZE];
} dvc__blob_row;
int dvc__store_blob_get(dvc_db *db, int64_t id, dvc__blob_row *out);
typedef int (*dvc__chunk_cb)(void *ctx, const void *data, size_t n);
/* Chunks in order; DVC_ECORRUPT when a sequence number is missing. */
int dvc__store_blob_each_chunk(dvc_db *db, int64_t blob_id, dvc__chunk_cb cb, void *ctx);

typedef struct dvc__file_row {
	int64_t id, dossier_id, blob_id, replaced_by, account_id;
	int component, form, mode;
	const char *name, *added_by, *dossier_code;
	dvc_time added_at;
	dvc__blob_row blob;
} dvc__file_row;
int dvc__store_file_insert(dvc_db *db, const dvc__file_row *f, int64_t *id);
int dvc__store_file_replace(dvc_db *db, int64_t old_id, int64_t new_id);
typedef int (*dvc__file_cb)(void *ctx, const dvc__file_row *f);
/* One dossier's files (file_id 0: all, oldest first). */
int dvc__store_file_each(dvc_db *db, int64_t dossier_id, int64_t file_id, dvc__file_cb cb,
			 void *ctx);
/* Components (>= 0) that have a current file, as a bit per index (< 64). */
int dvc__store_file_components(dvc_db *db, int64_t dossier_id, uint64_t *have);

int dvc__store_policy_put(dvc_db *db, const char *procedure, const dvc_procedure_policy *p);
/* 1 found, 0 none, negative on error; types into the caller's buffer. */
int dvc__store_policy_get(dvc_db *db, const char *procedure, dvc_procedure_policy *p,
			  char *types, size_t types_size);
int dvc__store_procedure_exists(dvc_db *db, const char *code);

/* The citizen's data store (Decree 45/2020/NĐ-CP): files kept per account. */
enum { DVC__AFILE_DOCUMENT = 0, DVC__AFILE_RESULT = 1 };
int dvc__store_account_file_insert(dvc_db *db, int64_t account_id, int64_t blob_id,
				   const char *name, int form, int kind, int64_t dossier_id,
				   dvc_time at, int64_t *id);
/* Account files (file_id 0: all, oldest first); row fields as dvc__file_row
 * with component = kind, dossier_code = the dossier it came from or NULL. */
int dvc__store_account_file_each(dvc_db *db, int64_t account_id, int64_t file_id,
				 dvc__file_cb cb, void *ctx);

/* ---- store_rating.c ---- */
/* 1 when the dossier was rated, 0 when not, negative on error. */
int dvc__store_rating_exists(dvc_db *db, int64_t dossier_id);
/* The rating row and a score row per non-zero scores[i] (criterion i). */
int dvc__store_rating_insert(dvc_db *db, int64_t dossier_id, dvc_time at, const int *scores,
			     int n, const char *comment);
/* 1 found (scores[criterion] filled, 0 where not rated; comment appended), 0 none. */
int dvc__store_rating_get(dvc_db *db, int64_t dossier_id, dvc_time *at, int *scores, int n,
			  dvc_buf *comment);

#endif
