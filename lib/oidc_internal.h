/* OpenID Connect sign-ins waiting for their callback: the store's rows
 * (store_oidc.c) for oidc.c. */
#ifndef DVC_OIDC_INTERNAL_H
#define DVC_OIDC_INTERNAL_H

#include "store_internal.h"

/* One pending sign-in. `state_hash` is the hex SHA-256 of the state (the
 * state itself is never stored); `client` the hex BLAKE2b of the client
 * key, so that no address is kept either. */
typedef struct dvc__oidc_pending {
	const char *state_hash, *client, *issuer, *client_id, *redirect_uri, *nonce, *verifier;
	const char *link_username; /* NULL: nobody signed in started it */
	dvc_time created_at, expires_at;
} dvc__oidc_pending;

/* Remove the rows expired at `now`. */
int dvc__store_oidc_purge(dvc_db *db, dvc_time now);
/* Rows of `client` (NULL: of everyone) not expired at `now`. */
int dvc__store_oidc_count(dvc_db *db, const char *client, dvc_time now, int64_t *n);
int dvc__store_oidc_put(dvc_db *db, const dvc__oidc_pending *p);
/* Delete the row of `state_hash` and `issuer` and give it (strings in `a`):
 * 1 found, 0 none, negative on error. */
int dvc__store_oidc_take(dvc_db *db, const char *state_hash, const char *issuer, dvc_arena *a,
			 dvc__oidc_pending *out);

#endif
