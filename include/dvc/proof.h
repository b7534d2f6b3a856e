/*
 * libdvc — a journal that proves itself: signed journal entries, signed
 * checkpoints, verification against the dossier row, and proof bundles.
 *
 * Every journal entry is chained to the previous one by SHA-256 and, when
 * the store was opened with a journal key (dvc_open_opts.journal_key_file),
 * signed with Ed25519. The public key is recorded with the entry; the secret
 * key lives in a file the store never copies. After each entry the dossier's
 * checkpoint (length and chain head) is signed too, so that a journal cut
 * short consistently, entries and row together, no longer matches it.
 *
 * Verification (dvc_journal_verify, and offline dvc_proof_verify) checks
 * the chain, every signature, the checkpoint, and replays the entries: the
 * state through the lifecycle table, the version and the fees recorded in
 * each entry, against the dossier row. It needs public keys only; the keys
 * it accepts are the trust list (dvc_open_opts.journal_trust_file, or the
 * verify options) plus the handle's own key. With no key at all a store
 * keeps working and writes unsigned entries, which verification counts and
 * reports; DVC_OPEN_REQUIRE_SIGNED makes a deployment refuse that.
 *
 * Key files are text: a secret key file holds the 32-byte Ed25519 seed as
 * 64 hexadecimal digits (mode 0600: a file others can read is refused); a
 * trust file lists public keys, 64 hexadecimal digits each, one per line,
 * with anything after the key and lines starting with '#' ignored.
 * docs/journal.md explains key management and rotation.
 */
#ifndef DVC_PROOF_H
#define DVC_PROOF_H

#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An Ed25519 public key in hexadecimal, with its NUL. */
#define DVC_PROOF_KEY_HEX_SIZE 65
/** A key id (the first 8 bytes of SHA-256 of the public key, in hex), with its NUL. */
#define DVC_PROOF_KEY_ID_SIZE 17
/** Key ids listed in a dvc_journal_report (n_keys counts them all). */
#define DVC_PROOF_REPORT_KEYS 8
/** Largest proof bundle dvc_proof_verify() reads. */
#define DVC_PROOF_BUNDLE_MAX (64 * 1024 * 1024)

/** What a verification found. Initialise with DVC_JOURNAL_REPORT_INIT. */
typedef struct dvc_journal_report {
	unsigned int version;     /**< DVC_JOURNAL_REPORT_VERSION */
	size_t dossiers;          /**< dossiers whose journal verified */
	size_t entries;           /**< entries checked */
	size_t signed_entries;    /**< entries whose signature verified */
	size_t legacy_entries;    /**< written before signing existed (schema < 10): chained only */
	size_t unsigned_entries;  /**< written by a handle without a journal key */
	size_t checkpoints;       /**< dossiers whose signed checkpoint covers the whole journal */
	size_t uncheckpointed;    /**< dossiers without one (legacy, or last written unsigned) */
	/** 1 when a trust list was given and every signature is by one of its
	 * keys; 0 when none was given: the signatures are then only consistent
	 * with the keys they carry, and the key ids below must be compared with
	 * the agency's published ones. */
	int anchored;
	size_t n_keys;            /**< distinct keys that signed */
	char keys[DVC_PROOF_REPORT_KEYS][DVC_PROOF_KEY_ID_SIZE]; /**< the first of them */
} dvc_journal_report;

#define DVC_JOURNAL_REPORT_VERSION 1
#define DVC_JOURNAL_REPORT_INIT {DVC_JOURNAL_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, {""}}

/**
 * Verify the journal of one dossier (code) or of every dossier (NULL) in
 * the store, and each dossier row against its journal.
 *
 * Trusted keys are the handle's journal key and its trust file; when it has
 * neither, any key is accepted and the report says so (anchored = 0).
 * With DVC_OPEN_REQUIRE_SIGNED, a dossier whose journal no signed
 * checkpoint covers is refused: every entry is then vouched for by a
 * trusted signature, its own or the checkpoint's through the chain
 * (unsigned and legacy entries only by the latter; dvc_journal_seal).
 *
 * @param out  may be NULL; filled as far as verification went
 * @return DVC_OK;
 *   DVC_ECORRUPT: an entry altered (hash mismatch), missing or out of order,
 *     or the dossier row (state, version, fees) not what its journal says;
 *   DVC_ESIGNATURE: an entry or checkpoint whose signature fails (a chain
 *     recomputed without the key), signed by an untrusted key, or unsigned
 *     when signing is required;
 *   DVC_ETRUNCATED: the journal is shorter than its signed checkpoint or
 *     than the row says;
 *   the message names the dossier and the entry.
 */
DVC_API int dvc_journal_verify(dvc_db *db, const char *code, dvc_journal_report *out);

/**
 * Sign checkpoints for the journals that have none covering them: dossiers
 * whose entries are all legacy (a store migrated from schema 9) or whose
 * last entries were written without a key. Each journal is verified first
 * (as dvc_journal_verify, signing not required); a checkpoint then vouches
 * for it as it is now, so seal a store only when you trust its content (a
 * fresh migration, a checked backup). Needs the handle's journal key. One
 * transaction: a journal that fails verification leaves everything as it
 * was. Afterwards DVC_OPEN_REQUIRE_SIGNED accepts those dossiers.
 * @param code    one dossier, or NULL for all
 * @param sealed  may be NULL; receives the number of checkpoints written
 * @return DVC_OK; DVC_EINVAL without a journal key; the codes of
 *         dvc_journal_verify() naming the first journal that fails.
 */
DVC_API int dvc_journal_seal(dvc_db *db, const char *code, size_t *sealed);

/**
 * A report as JSON: {"verified": dossiers, "entries", "signed", "legacy",
 * "unsigned", "checkpoints", "uncheckpointed", "anchored": bool,
 * "keys": [key ids]} (the view the CLI and the HTTP example print).
 * @param out  receives the text; free with dvc_free()
 */
DVC_API int dvc_journal_report_json(const dvc_journal_report *r, char **out);

/**
 * Make a new journal key: write its secret to `path` (created, mode 0600;
 * an existing file is DVC_EEXISTS) and give its public key and key id.
 * @param pub  receives the public key in hex, or NULL
 * @param id   receives the key id, or NULL
 * @return DVC_OK, DVC_EEXISTS, DVC_EIO, DVC_EINVAL.
 */
DVC_API int dvc_proof_keygen(const char *path, char pub[DVC_PROOF_KEY_HEX_SIZE],
			     char id[DVC_PROOF_KEY_ID_SIZE]);

/**
 * The public key and key id of the secret key file at `path` (what to
 * publish, and to add to the trust list).
 * @return DVC_OK; DVC_EIO (unreadable), DVC_EPERM (readable by others),
 *         DVC_EPARSE (not a key file).
 */
DVC_API int dvc_proof_key_public(const char *path, char pub[DVC_PROOF_KEY_HEX_SIZE],
				 char id[DVC_PROOF_KEY_ID_SIZE]);

/**
 * Fill the journal fields of `opts` from the environment, as the CLI and
 * the HTTP example do: DVC_JOURNAL_KEY (secret key file),
 * DVC_JOURNAL_TRUST (trust file), DVC_JOURNAL_REQUIRE_SIGNED=1. Unset
 * variables leave the fields as they are; the strings are the
 * environment's (valid while it is not changed).
 * @return DVC_OK; DVC_EINVAL for a NULL or older opts, or
 *         DVC_JOURNAL_REQUIRE_SIGNED other than 0 or 1.
 */
DVC_API int dvc_open_opts_from_env(dvc_open_opts *opts);

/**
 * The proof bundle of one dossier: a JSON document with every journal
 * entry (fields, canonical bytes, hash, signature, public key), the signed
 * checkpoint and the dossier row's state, version and fees, which
 * dvc_proof_verify() checks with no store. The bundle carries the journal's
 * notes and actors (no applicant data, no files: their SHA-256 only). The
 * call checks no actor: a front end that hands bundles to citizens applies
 * tracking's rules first.
 * @param out  receives the JSON text; free with dvc_free()
 * @return DVC_OK, DVC_ENOTFOUND, DVC_ENOMEM, storage errors.
 */
DVC_API int dvc_proof_export(dvc_db *db, const char *code, char **out);

/** Options for dvc_proof_verify(). Initialise with DVC_PROOF_VERIFY_OPTS_INIT. */
typedef struct dvc_proof_verify_opts {
	unsigned int version;     /**< DVC_PROOF_VERIFY_OPTS_VERSION */
	const char *trust_file;   /**< a trust file, or NULL */
	const char *trusted_keys; /**< the text of one (keys, one per line), or NULL */
	int require_signed;       /**< refuse a journal no signed checkpoint covers */
} dvc_proof_verify_opts;

#define DVC_PROOF_VERIFY_OPTS_VERSION 1
#define DVC_PROOF_VERIFY_OPTS_INIT {DVC_PROOF_VERIFY_OPTS_VERSION, NULL, NULL, 0}

/**
 * Verify a proof bundle offline. The bundle must be exactly what
 * dvc_proof_export() writes (its serialization is canonical: one changed
 * byte anywhere fails), its chain, signatures and checkpoint must hold, and
 * its dossier row must be what the entries replay to.
 * @param bundle  the JSON text (len bytes; need not be NUL-terminated)
 * @param opts    NULL: no trust list, signing not required
 * @param out     may be NULL; its `dossiers` is 1 when it verified
 * @return DVC_OK; DVC_EPARSE (not a bundle, or not in canonical form);
 *   DVC_EUTF8 (not UTF-8 text); DVC_ETOOBIG (over DVC_PROOF_BUNDLE_MAX);
 *   DVC_EVERSION (a newer bundle format); and the codes of
 *   dvc_journal_verify().
 */
DVC_API int dvc_proof_verify(const char *bundle, size_t len, const dvc_proof_verify_opts *opts,
			     dvc_journal_report *out);

#ifdef __cplusplus
}
#endif
#endif
