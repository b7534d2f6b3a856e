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

/**
 * Where a request comes from, for the throttles: the front end passes the
 * client's network address (or another stable key of whoever guesses), so
 * that failures are counted against the guesser, never against the account
 * or dossier guessed at. Initialise with DVC_CALLER_INIT. A NULL caller or
 * client is the one shared "unknown client": fine for a CLI, wrong for a
 * server, where one guesser would then lock everyone else out.
 */
typedef struct dvc_caller {
	unsigned int version;
	const char *client; /**< e.g. "203.0.113.7" or an IPv6 /64 prefix; at most 256 bytes */
} dvc_caller;

#define DVC_CALLER_VERSION 1
#define DVC_CALLER_INIT {DVC_CALLER_VERSION, NULL}

/**
 * Login throttles (all windows and locks DVC_LOGIN_LOCK_SECONDS): one client
 * may try DVC_LOGIN_MAX_FAILURES wrong passwords for one username and
 * DVC_LOGIN_CLIENT_MAX_FAILURES for all usernames; one username takes
 * DVC_LOGIN_ACCOUNT_MAX_FAILURES from everyone together (a backstop against
 * guessing from many addresses). Each attempt is counted before its
 * password is checked, in one guarded update, so parallel attempts cannot
 * exceed the limits; a success gives its count back.
 */
#define DVC_LOGIN_MAX_FAILURES 5
#define DVC_LOGIN_CLIENT_MAX_FAILURES 20
#define DVC_LOGIN_ACCOUNT_MAX_FAILURES 100
#define DVC_LOGIN_LOCK_SECONDS 900
/** Registrations (each an Argon2id hash) one client may make per window. */
#define DVC_REGISTER_MAX_PER_CLIENT 10
#define DVC_REGISTER_WINDOW_SECONDS 3600
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
 * dvc_account_register() for a known client: a client that has registered
 * DVC_REGISTER_MAX_PER_CLIENT accounts (or tried to) within
 * DVC_REGISTER_WINDOW_SECONDS answers DVC_ETHROTTLED before anything is
 * hashed. `from` may be NULL (no limit: administrative tools).
 */
DVC_API int dvc_account_register_from(dvc_db *db, const char *username, const char *password,
				      const dvc_applicant *profile, const dvc_caller *from);

/**
 * Check a password: dvc_account_login_from() with the unknown client.
 */
DVC_API int dvc_account_login(dvc_db *db, const char *username, const char *password);
/**
 * Check a password. DVC_EAUTH when the username is unknown or the password
 * wrong (the same answer, and about the same time: an unknown username
 * still costs one Argon2id verification); DVC_ETHROTTLED (nothing checked)
 * when a login throttle above is at its limit for this client or username.
 * A malformed username or a password over 1024 bytes answers DVC_EAUTH
 * without counting or writing anything.
 */
DVC_API int dvc_account_login_from(dvc_db *db, const char *username, const char *password,
				   const dvc_caller *from);

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

/**
 * Give an officer a credential (a password or a desk token; stored as an
 * Argon2id hash, replacing any earlier one), for portals that sign their
 * officers in themselves rather than through an SSO.
 * @return DVC_OK; DVC_ENOTFOUND (no such officer); DVC_EINVAL (a secret
 *   outside DVC_PASSWORD_MIN..1024 bytes: path "secret"); DVC_ENOMEM.
 */
DVC_API int dvc_officer_set_secret(dvc_db *db, const char *username, const char *secret);
/**
 * Check an officer's credential, as dvc_account_login_from() checks a
 * password: the same throttles (counted apart from accounts'), the same
 * DVC_EAUTH for an unknown officer, one without a credential, and a wrong
 * one; DVC_ETHROTTLED when a throttle is at its limit.
 */
DVC_API int dvc_officer_login_from(dvc_db *db, const char *username, const char *secret,
				   const dvc_caller *from);
DVC_API void dvc_officer_free(dvc_officer *o);

#ifdef __cplusplus
}
#endif
#endif
