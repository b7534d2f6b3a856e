/* Throttles of guessing (tracking secrets, passwords) and of registration.
 *
 * The guesser is throttled, not the target: failures are counted per client
 * (the address the front end passes, see dvc_caller) and per client and
 * code or username, so that a stranger's wrong secrets never lock the owner
 * out. Callers without a client key share one client (""), which for them
 * is the per-code lock of earlier versions. Rules per scope are one table
 * in throttle.c; rows live in store_throttle.c. */
#ifndef DVC_THROTTLE_INTERNAL_H
#define DVC_THROTTLE_INTERNAL_H

#include "internal.h"
#include "dvc/store.h"

/* Bound on the throttle table: about 60 bytes a row, so under 1 MiB. */
#define DVC__THROTTLE_MAX_ROWS 12000
/* Longest client key accepted (an IPv6 address with zone is far shorter). */
#define DVC__CLIENT_MAX 256

typedef enum dvc__throttle_scope {
	DVC__THR_TRACK_CODE = 1,  /* one client's wrong secrets for one code */
	DVC__THR_TRACK_CLIENT,    /* one client's wrong secrets, every code */
	DVC__THR_LOGIN_USER,      /* one client's wrong passwords for one username */
	DVC__THR_LOGIN_CLIENT,    /* one client's wrong passwords, every username */
	DVC__THR_LOGIN_ACCOUNT,   /* everyone's wrong passwords for one username */
	DVC__THR_REGISTER_CLIENT, /* one client's registrations */
	DVC__THR_COUNT
} dvc__throttle_scope;

typedef struct dvc__throttle_key {
	int scope;
	unsigned char key[16]; /* BLAKE2b of client and name: fixed size */
} dvc__throttle_key;

/* Fill `k`; client NULL or "" is the shared unknown client. */
void dvc__throttle_key_make(dvc__throttle_key *k, dvc__throttle_scope scope, const char *client,
			    const char *name);
/* DVC_EINVAL when a client key is too long or not text. */
int dvc__client_check(const char *client);

/* Read only: DVC_ETHROTTLED (with the seconds left) when one of the keys is
 * locked; *failures receives the sum of their counts. */
int dvc__throttle_check(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now,
			int *failures);
/* Count one failure on each key. Inside a write. */
int dvc__throttle_fail(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now);
/* Count an attempt before it is checked, guarded: DVC_ETHROTTLED when a key
 * is at its limit (then the caller's write is rolled back). Inside a write. */
int dvc__throttle_reserve(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now);

/* store_throttle.c */
int dvc__store_throttle_get(dvc_db *db, const dvc__throttle_key *k, int *failures,
			    dvc_time *window_start, dvc_time *locked_until);
/* Count a failure unless the key is locked or at `max` within `window`;
 * *counted = 1 when it was counted. At `max` the key locks for `lock` s. */
int dvc__store_throttle_count(dvc_db *db, const dvc__throttle_key *k, dvc_time now, int max,
			      int window, int lock, int *counted);
int dvc__store_throttle_uncount(dvc_db *db, const dvc__throttle_key *k);
int dvc__store_throttle_clear(dvc_db *db, const dvc__throttle_key *k);

#endif
