/* What the journal's proof (proof.c, proof_bundle.c, store_proof.c) shares
 * with the store and the dossier module. */
#ifndef DVC_PROOF_INTERNAL_H
#define DVC_PROOF_INTERNAL_H

#include "dvc/proof.h"
#include "store_internal.h"

#include <sodium.h>

/* A handle's journal keys: the signing key (when configured) and the
 * public keys verification trusts (its own first). */
typedef struct dvc__proof_keys {
	int have_secret;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	int require;                 /* DVC_OPEN_REQUIRE_SIGNED */
	size_t n_trusted;
	unsigned char (*trusted)[crypto_sign_PUBLICKEYBYTES];
	/* Dossiers appended to inside dvc_begin(): their checkpoints are signed
	 * once each at dvc_commit() (dvc__proof_flush), not with every entry. */
	struct dvc__pending *pending;
	size_t n_pending, cap_pending;
	int64_t *pending_index; /* open addressing on dossier id, 0 = empty */
	size_t index_cap;
} dvc__proof_keys;

/* Sign and write the checkpoints deferred in the explicit transaction
 * (store.c, before COMMIT); on failure they stay pending. */
int dvc__proof_flush(struct dvc_db *db);
/* Forget them (rollback, an aborted transaction, close). */
void dvc__proof_discard(struct dvc_db *db);

/* Load the key and trust files (either may be NULL); *out stays NULL when
 * there is nothing to keep. */
int dvc__proof_keys_load(dvc__proof_keys **out, const char *key_file, const char *trust_file,
			 int require, int readonly);
void dvc__proof_keys_free(dvc__proof_keys *k);

/* The signed checkpoint of a dossier: its journal's length and head. */
typedef struct dvc__checkpoint_row {
	int64_t seq;
	dvc_time at;
	unsigned char head[32];
	unsigned char pubkey[crypto_sign_PUBLICKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
	int malformed; /* a column of the wrong size: fails verification */
} dvc__checkpoint_row;

/* store_proof.c */
int dvc__store_checkpoint_put(dvc_db *db, int64_t dossier_id, const dvc__checkpoint_row *c);
/* 1 found, 0 none, negative on error */
int dvc__store_checkpoint_get(dvc_db *db, int64_t dossier_id, dvc__checkpoint_row *c);

/* Room for a sealed entry's hash, key and signature (j points into it). */
typedef struct dvc__seal {
	unsigned char hash[32];
	unsigned char pubkey[crypto_sign_PUBLICKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
} dvc__seal;

/* Seal entry j (format 2, its row fields filled by the caller) of dossier
 * `code` after `prev`: hash it and, with a key, sign it. */
void dvc__journal_seal(const dvc__proof_keys *k, const char *code, dvc__journal_row *j,
		       const unsigned char prev[32], dvc__seal *s);
/* Store a sealed entry and, when it is signed, the dossier's new signed
 * checkpoint (its seq and hash), with the new dossier d stored in the same
 * write (dvc__store_dossier_insert_journaled; d->id is set). */
int dvc__journal_append_insert(dvc_db *db, dvc__dossier *d, const dvc_applicant *a,
			       const char *form_data, const char *fee_exemption, const dvc__journal_row *j);
/* The same with the dossier's row updated from d (expected at
 * expected_rev) in the same write (dvc__store_dossier_update_journaled). */
int dvc__journal_append_update(dvc_db *db, const dvc__dossier *d, int64_t expected_rev,
			       const dvc__journal_row *j);

/* The canonical bytes of an entry (format 1 or 2), whose SHA-256 is its
 * hash; into `canon` when not NULL. */
void dvc__journal_hash(const char *code, const dvc__journal_row *j, const unsigned char prev[32],
		       unsigned char out[32], dvc_buf *canon);

/* What a dossier row says, checked against its journal. */
typedef struct dvc__row_facts {
	dvc_state state;
	int64_t rev, fee_due, fee_paid, fee_refunded;
	int64_t journal_seq;
	unsigned char journal_head[32];
} dvc__row_facts;

/* The facts of a loaded dossier row (proof.c). */
void dvc__row_facts_of(const dvc__dossier *d, dvc__row_facts *out);

/* Verification of one dossier's journal, entry by entry (shared by the
 * store's and the bundle's verifiers). */
typedef struct dvc__walk {
	const char *code;
	const unsigned char (*trusted)[crypto_sign_PUBLICKEYBYTES];
	size_t n_trusted;
	int require;
	const dvc__checkpoint_row *cp; /* NULL: none */
	dvc_journal_report *rep;
	/* running state */
	unsigned char prev[32];
	int64_t seq;
	int seen_v2, seen_signed, cp_head_ok;
	dvc_state state;
	dvc_action last_action;
	int64_t rev, fee_due, fee_paid, fee_refunded; /* after the last format-2 entry */
	int last_v2;
} dvc__walk;

void dvc__walk_init(dvc__walk *w, const char *code, const dvc__proof_keys *k,
		    const dvc__checkpoint_row *cp, dvc_journal_report *rep);
int dvc__walk_entry(dvc__walk *w, const dvc__journal_row *j);
/* After the last entry: the row and the checkpoint against the journal. */
int dvc__walk_end(dvc__walk *w, const dvc__row_facts *row);

void dvc__key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char id[DVC_PROOF_KEY_ID_SIZE]);
/* Parse a trust list (text) into *keys (dvc__free), appending to n. */
int dvc__trust_parse(const char *text, size_t len, const char *what,
		     unsigned char (**keys)[crypto_sign_PUBLICKEYBYTES], size_t *n);
/* Read a whole small file (key or trust file) into a NUL-terminated buffer. */
int dvc__proof_read_file(const char *path, const char *what, int secret, char **out, size_t *len);

#endif
