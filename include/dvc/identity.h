/*
 * libdvc — national identities (VNeID through the National Public Service
 * Portal's sign-in) linked to applicant accounts.
 *
 * A front end signs the citizen in with OpenID Connect (the portal's
 * authentication service) and hands the library the userinfo claims. The
 * library checks them strictly and links them to an account: the subject
 * (`sub`), the 12-digit personal identification number (`SoDinhDanh`), the
 * assurance level (1 or 2, Decree 69/2024/NĐ-CP on electronic identification),
 * when it was verified and by which issuer. The profile fields that the claims
 * vouch for (full name, personal ID, birth date) are marked verified; they
 * fill submissions of that account and a submission that types a different
 * value for one of them is refused. A claim that contradicts the stored
 * profile is reported (DVC_EMISMATCH naming the fields) and links nothing:
 * the library never merges identities silently. Linking and unlinking are
 * explicit and each is written to the account's identity audit log.
 *
 * Claim names come from public implementations of the portal's sign-in, not
 * from its specification, which was not found: see docs/national.md.
 */
#ifndef DVC_IDENTITY_H
#define DVC_IDENTITY_H

#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Limits, in bytes (longer input is DVC_ETOOBIG, never cut). */
#define DVC_NATIONAL_SUBJECT_MAX 128
#define DVC_NATIONAL_ISSUER_MAX 256
#define DVC_NATIONAL_TECHID_MAX 128
#define DVC_NATIONAL_IDP_MAX 64
/** A userinfo document larger than this is DVC_ETOOBIG. */
#define DVC_NATIONAL_CLAIMS_MAX 65536

/** Profile fields vouched for by a national identity (bits). */
enum {
	DVC_VERIFIED_FULL_NAME = 1u << 0,
	DVC_VERIFIED_CITIZEN_ID = 1u << 1,
	DVC_VERIFIED_BIRTH_DATE = 1u << 2
};

/** Assurance levels of an electronic identification account (Decree
 * 69/2024/NĐ-CP, art. 12: level 1 and level 2). */
#define DVC_ASSURANCE_MIN 1
#define DVC_ASSURANCE_MAX 2

/**
 * A national identity. As input (dvc_identity_link) the caller fills issuer,
 * subject, personal_id, assurance and, when the claims carry them,
 * full_name and birth_date; verified_at 0 means now. As output
 * (dvc_identity_get) every field is set, strings owned by the record.
 * Initialise with DVC_NATIONAL_IDENTITY_INIT.
 */
typedef struct dvc_national_identity {
	unsigned int version;
	const char *issuer;      /**< the OpenID provider's issuer URL */
	const char *subject;     /**< `sub`: the provider's stable subject */
	const char *personal_id; /**< `SoDinhDanh`: 12-digit personal identification number */
	int assurance;           /**< 1 or 2 (Decree 69/2024/NĐ-CP) */
	dvc_time verified_at;    /**< when the provider verified it; 0 = now */
	const char *full_name;   /**< `HoVaTen`, or NULL when not claimed */
	const char *birth_date;  /**< from `NgayThangNamSinh`, as YYYY-MM-DD, or NULL */
	const char *tech_id;     /**< `TechID`, or NULL */
	const char *login_idp;   /**< `loginIdp`, or NULL */
	int account_type;        /**< `LoaiTaiKhoan`: 1 citizen (the only kind linked) */
	/* output only */
	unsigned int verified_fields; /**< DVC_VERIFIED_* of the linked profile */
	dvc_time linked_at;
	const char *username;    /**< the account it is linked to */
} dvc_national_identity;

#define DVC_NATIONAL_IDENTITY_VERSION 1
#define DVC_NATIONAL_IDENTITY_INIT \
	{DVC_NATIONAL_IDENTITY_VERSION, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 1, 0, 0, NULL}

/**
 * Link `username`'s account to a national identity (or refresh the link to
 * the same subject: assurance and verification time). `actor` names who
 * links it for the audit log ("account:an.nv", "officer:hoa.lt").
 * @return DVC_OK; DVC_EINVAL (a field fails validation; path names it:
 *   a personal ID that is not 12 digits or names no province, an assurance
 *   outside 1..2, a birth date that the personal ID contradicts, an account
 *   type other than 1); DVC_ETOOBIG; DVC_EUTF8; DVC_ENOTFOUND (no account);
 *   DVC_EEXISTS (the subject or personal ID is linked to another account,
 *   or this account to another subject: unlink first); DVC_EMISMATCH (the
 *   identity contradicts the stored profile: path lists the fields, e.g.
 *   "full_name,birth_date"). Nothing changes on error.
 */
DVC_API int dvc_identity_link(dvc_db *db, const char *username, const dvc_national_identity *id,
			      const char *actor);

/**
 * Remove the link (the profile keeps its values, no longer marked
 * verified). `reason` is required and audited.
 * @return DVC_OK; DVC_ENOTFOUND (no account, or not linked); DVC_EINVAL.
 */
DVC_API int dvc_identity_unlink(dvc_db *db, const char *username, const char *actor,
				const char *reason);

/** The account's linked identity. DVC_ENOTFOUND when not linked. Free
 * with dvc_identity_free(). */
DVC_API int dvc_identity_get(dvc_db *db, const char *username, dvc_national_identity **out);
/** The identity linked to (issuer, subject): who signs in. DVC_ENOTFOUND
 * when none. */
DVC_API int dvc_identity_find(dvc_db *db, const char *issuer, const char *subject,
			      dvc_national_identity **out);
DVC_API void dvc_identity_free(dvc_national_identity *id);

/** How userinfo claims are read (dvc_identity_parse_claims). */
typedef struct dvc_claims_opts {
	unsigned int version;
	const char *issuer;   /**< required: the issuer the ID token was checked against */
	int assurance;        /**< required: 1 or 2, from the checked ID token's `acr` */
	dvc_time verified_at; /**< 0 = now (of the store, for the link) */
} dvc_claims_opts;

#define DVC_CLAIMS_OPTS_VERSION 1
#define DVC_CLAIMS_OPTS_INIT {DVC_CLAIMS_OPTS_VERSION, NULL, 0, 0}

/**
 * Read userinfo claims strictly: a JSON object with `sub` (non-empty
 * string), `SoDinhDanh` (12 digits, a valid personal ID), `HoVaTen`
 * (non-empty UTF-8), `NgayThangNamSinh` (yyyyMMdd, a real date, agreeing
 * with the birth century and year that the personal ID encodes),
 * `LoaiTaiKhoan` ("1" or 1: citizen; 2 and 3, business and organisation
 * accounts, are DVC_EINVAL), optional `TechID` and `loginIdp` (strings).
 * Other members are ignored. The document goes through the strict JSON
 * reader (dvc/json.h). Free the result with dvc_identity_free().
 * @return DVC_OK; DVC_EPARSE; DVC_EUTF8; DVC_ETOOBIG (past
 *   DVC_NATIONAL_CLAIMS_MAX or a field's limit); DVC_EINVAL (path names the
 *   claim: "SoDinhDanh", "NgayThangNamSinh", ...); DVC_ESCHEMA (not an
 *   object, a claim of the wrong JSON type).
 */
DVC_API int dvc_identity_parse_claims(const char *json, size_t len, const dvc_claims_opts *o,
				      dvc_national_identity **out);

/** dvc_identity_parse_claims() then dvc_identity_link(): the sign-in path. */
DVC_API int dvc_identity_link_claims(dvc_db *db, const char *username, const char *json,
				     size_t len, const dvc_claims_opts *o, const char *actor);

/**
 * Whether dossier `code`'s applicant submitted it signed in with a linked
 * national identity (dvc_submission.national_signin): *assurance is its
 * level (1 or 2), or 0 when not. DVC_ENOTFOUND for an unknown code.
 */
DVC_API int dvc_dossier_national_signin(dvc_db *db, const char *code, int *assurance);

/**
 * The account's identity as JSON: {"username","linked":bool,"identity":{...}
 * or null,"profile":{field:{"value","verified":bool}},"audit":[{"at","event",
 * "actor","issuer","subject","detail"}]}. Free with dvc_free().
 */
DVC_API int dvc_identity_json(dvc_db *db, const char *username, char **out);

#ifdef __cplusplus
}
#endif
#endif
