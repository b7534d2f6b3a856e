/* Signed-in portal sessions: the store's rows (store_session.c) for
 * session.c. */
#ifndef DVC_SESSION_INTERNAL_H
#define DVC_SESSION_INTERNAL_H

#include "dvc/session.h"
#include "store_internal.h"

/* Hex SHA-256 of a token, NUL included: the row's key. */
#define DVC__SESSION_HASH_SIZE 65
/* The store's CSRF key, hex of 32 bytes, NUL included. */
#define DVC__SESSION_KEY_HEX 65

typedef struct dvc__session_row {
	int kind;
	char username[DVC_USERNAME_MAX + 1];
	int national, ttl;
	dvc_time created_at, expires_at;
} dvc__session_row;

/* Store `r` under `hash`. */
int dvc__store_session_put(dvc_db *db, const char *hash, const dvc__session_row *r);
/* 1 found (into *out), 0 none, negative on error. */
int dvc__store_session_get(dvc_db *db, const char *hash, dvc__session_row *out);
int dvc__store_session_touch(dvc_db *db, const char *hash, dvc_time expires_at);
int dvc__store_session_delete(dvc_db *db, const char *hash);
/* End the sessions of (kind, username) but the newest `keep` ones. */
int dvc__store_session_trim(dvc_db *db, int kind, const char *username, int keep);
/* Remove rows expired before `before`. */
int dvc__store_session_purge(dvc_db *db, dvc_time before);
/* The store's key named `name` into out (hex); made from `fresh` when the
 * store has none yet, so that every process ends up with the first one
 * written. */
int dvc__store_key_get(dvc_db *db, const char *name, const char *fresh,
		       char out[DVC__SESSION_KEY_HEX]);

#endif
