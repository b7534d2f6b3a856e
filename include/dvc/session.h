/*
 * libdvc — portal sessions: who a browser is signed in as, kept in the store
 * so that every portal process on it knows (a province runs many, behind a
 * load balancer that need not be sticky).
 *
 * A session is named by a token: 32 random bytes as 64 lower-case hex
 * characters, which the front end keeps in a cookie. The store keeps only
 * the token's hash, so a copy of the database signs nobody in.
 *
 * Two kinds:
 *   - a visitor (not signed in) costs the store nothing: its token is random
 *     and its CSRF token is derived from it with a key of the store's, so
 *     anyone may have as many as they like without filling a table, and
 *     none of them can push anyone else's session out;
 *   - a signed-in session (an account after dvc_account_login or a national
 *     sign-in, or an officer after the portal's own authentication) is a
 *     row with an idle expiry. Each user keeps at most
 *     DVC_SESSION_MAX_PER_USER; starting one more ends that user's oldest,
 *     never anyone else's.
 *
 * Every session has a CSRF token (64 hex characters, derived from the
 * session token with the store's key): the page reads it once and sends it
 * back with every state-changing request; dvc_session_csrf_check compares
 * in constant time. Signing in or out starts a new session with a new
 * token, so a token planted before sign-in is useless after it.
 */
#ifndef DVC_SESSION_H
#define DVC_SESSION_H

#include "dvc/account.h"
#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/lifecycle.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Length of a session token and of a CSRF token (hex of 32 bytes). */
#define DVC_SESSION_TOKEN_LEN 64
/** Default idle lifetime of a signed-in session, in seconds. */
#define DVC_SESSION_TTL_DEFAULT 1800
/** Longest idle lifetime accepted (30 days). */
#define DVC_SESSION_TTL_MAX (30 * 86400)
/** Signed-in sessions one username keeps at once. */
#define DVC_SESSION_MAX_PER_USER 16
/** An expired session still answers DVC_EEXPIRED (not "no session") for
 * this long after its expiry; then its row is removed. */
#define DVC_SESSION_GRACE_SECONDS 86400

typedef enum dvc_session_kind {
	DVC_SESSION_VISITOR = 0, /**< not signed in: holds a CSRF token only */
	DVC_SESSION_ACCOUNT = 1, /**< an applicant's account */
	DVC_SESSION_OFFICER = 2  /**< an officer (dvc_officer_add) */
} dvc_session_kind;

/** What to start. Initialise with DVC_SESSION_REQ_INIT. */
typedef struct dvc_session_req {
	unsigned int version;
	dvc_session_kind kind;
	/** ACCOUNT: an account's username; OFFICER: an officer's. NULL for
	 * a visitor. The account or officer must exist. */
	const char *username;
	/** An account signed in with the national identity (oidc.h): its
	 * submissions say so (dvc_submission.national_signin). */
	int national;
	/** Idle lifetime in seconds, 1..DVC_SESSION_TTL_MAX; 0: the default. */
	int ttl;
	/** The session this one replaces (its token), ended in the same
	 * write; NULL or "" for none. An unknown token is no error. */
	const char *replaces;
} dvc_session_req;

#define DVC_SESSION_REQ_VERSION 1
#define DVC_SESSION_REQ_INIT {DVC_SESSION_REQ_VERSION, DVC_SESSION_VISITOR, NULL, 0, 0, NULL}

/** A session as found or started. Free with dvc_session_free(). */
typedef struct dvc_session dvc_session;

/**
 * Start a session. A visitor writes nothing (unless `replaces` names a
 * signed-in session, which is ended); a signed-in session is stored, and
 * the username's oldest sessions beyond DVC_SESSION_MAX_PER_USER - 1 are
 * ended first.
 * @return DVC_OK; DVC_EINVAL (unknown kind, a visitor with a username, a
 *   signed-in kind without one, ttl out of range: path names the field);
 *   DVC_ENOTFOUND (no such account or officer); DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_session_start(dvc_db *db, const dvc_session_req *req, dvc_session **out);

/**
 * The session a token names. A well-formed token that names no stored
 * session is a visitor's (as dvc_session_start made it). A signed-in
 * session's idle expiry is moved on, at most once a minute (a write).
 * @return DVC_OK; DVC_EEXPIRED (a signed-in session idle past its
 *   lifetime: sign in again); DVC_EINVAL (not 64 lower-case hex
 *   characters); DVC_EIO.
 */
DVC_API int dvc_session_find(dvc_db *db, const char *token, dvc_session **out);

/** End a signed-in session (sign-out). A visitor's or unknown token: DVC_OK. */
DVC_API int dvc_session_end(dvc_db *db, const char *token);

/**
 * Compare a CSRF token the client sent with the session's, in constant
 * time. @return DVC_OK; DVC_EPERM (missing or wrong).
 */
DVC_API int dvc_session_csrf_check(const dvc_session *s, const char *csrf);

DVC_API const char *dvc_session_token(const dvc_session *s);
DVC_API const char *dvc_session_csrf(const dvc_session *s);
DVC_API dvc_session_kind dvc_session_kind_of(const dvc_session *s);
/** The account's or officer's username; NULL for a visitor. */
DVC_API const char *dvc_session_username(const dvc_session *s);
/** An officer's unit and role as the officer table has them now; NULL
 * and DVC_ROLE_APPLICANT for other kinds. */
DVC_API const char *dvc_session_unit(const dvc_session *s);
DVC_API dvc_role dvc_session_role(const dvc_session *s);
DVC_API int dvc_session_national(const dvc_session *s);
/** When a signed-in session expires if idle; 0 for a visitor. */
DVC_API dvc_time dvc_session_expires(const dvc_session *s);
/** The actor the session acts as (for dossier calls); a visitor is
 * DVC_ACTOR_ANONYMOUS. Strings point into the session. */
DVC_API dvc_actor dvc_session_actor(const dvc_session *s);

/**
 * The session as a page sees it:
 *   {"csrf": "...", "actor": null | {"kind": "account"|"officer",
 *    "username": "...", "unit": "...", "role": "...", "role_label": "..."}}
 * (unit and role for officers only; role_label is dvc_role_label_vi). The token is not in it: it travels
 * in the cookie only. Free *out with dvc_free().
 */
DVC_API int dvc_session_json(const dvc_session *s, char **out);

DVC_API void dvc_session_free(dvc_session *s);

#ifdef __cplusplus
}
#endif
#endif
