/*
 * libdvc — applicant accounts and officers.
 *
 * Applicants may register an account (username + password, hashed with
 * Argon2id through libsodium's crypto_pwhash) whose profile fills the
 * applicant part of new dossiers; or submit without one and track with the
 * dossier code and a secret. Officers belong to one unit (an agency code of
 * the catalog) with one role; the dossier module checks both on every action.
 */
#ifndef DVC_ACCOUNT_H
#define DVC_ACCOUNT_H

#include "dvc/common.h"
#include "dvc/lifecycle.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An applicant's identity and contact details (profile or typed in). */
typedef struct dvc_applicant {
	const char *full_name;  /**< required */
	const char *citizen_id; /**< 12-digit citizen ID (CCCD), required */
	const char *birth_date; /**< YYYY-MM-DD, required */
	const char *address;    /**< required */
	const char *phone;      /**< Vietnamese number; stored as +84... */
	const char *email;      /**< optional */
} dvc_applicant;

/** Failed logins allowed before an account is locked for DVC_LOGIN_LOCK_SECONDS. */
#define DVC_LOGIN_MAX_FAILURES 5
#define DVC_LOGIN_LOCK_SECONDS 900
#define DVC_PASSWORD_MIN 8
/** Limits on account and applicant fields, in bytes (DVC_EINVAL for a
 * username outside 3..DVC_USERNAME_MAX, DVC_ETOOBIG for longer texts). */
#define DVC_USERNAME_MAX 64
#define DVC_FULL_NAME_MAX 200
#define DVC_ADDRESS_MAX 500

/**
 * Register an applicant account.
 * @return DVC_OK; DVC_EEXISTS (username taken); DVC_EINVAL (a field fails
 *   validation: path names it, e.g. "citizen_id"; password shorter than
 *   DVC_PASSWORD_MIN); DVC_EUTF8; DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_account_register(dvc_db *db, const char *username, const char *password,
				 const dvc_applicant *profile);

/**
 * Check a password. DVC_EAUTH when the username is unknown or the password
 * wrong (the same answer for both); after DVC_LOGIN_MAX_FAILURES failures in
 * a row the account answers DVC_ETHROTTLED until the lock expires.
 */
DVC_API int dvc_account_login(dvc_db *db, const char *username, const char *password);

/** A stored profile. Free with dvc_account_free(). */
typedef struct dvc_account {
	const char *username;
	dvc_applicant profile;
	dvc_time created_at;
} dvc_account;

DVC_API int dvc_account_get(dvc_db *db, const char *username, dvc_account **out);
DVC_API void dvc_account_free(dvc_account *a);

/**
 * Add an officer attached to `unit` (an agency code of the catalog) with
 * `role` (not DVC_ROLE_APPLICANT).
 * @return DVC_OK; DVC_EEXISTS; DVC_EREF (unknown unit); DVC_EINVAL.
 */
DVC_API int dvc_officer_add(dvc_db *db, const char *username, const char *full_name,
			    const char *unit, dvc_role role);

typedef struct dvc_officer {
	const char *username, *full_name, *unit;
	dvc_role role;
} dvc_officer;

DVC_API int dvc_officer_get(dvc_db *db, const char *username, dvc_officer **out);
DVC_API void dvc_officer_free(dvc_officer *o);

#ifdef __cplusplus
}
#endif
#endif
