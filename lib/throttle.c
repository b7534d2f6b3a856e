/* Throttle rules: which failures count where, and for how long. */
#include "dvc/account.h"
#include "dvc/dossier.h"
#include "text.h"
#include "throttle_internal.h"

#include <sodium.h>
#include <string.h>

/* The whole policy: failures allowed per window, and the lock after them. */
static const struct {
	int max, window, lock;
} rules[DVC__THR_COUNT] = {
	[DVC__THR_TRACK_CODE] = {DVC_TRACK_MAX_FAILURES, DVC_TRACK_LOCK_SECONDS, DVC_TRACK_LOCK_SECONDS},
	[DVC__THR_TRACK_CLIENT] = {DVC_TRACK_CLIENT_MAX_FAILURES, DVC_TRACK_LOCK_SECONDS,
				   DVC_TRACK_LOCK_SECONDS},
	[DVC__THR_LOGIN_USER] = {DVC_LOGIN_MAX_FAILURES, DVC_LOGIN_LOCK_SECONDS, DVC_LOGIN_LOCK_SECONDS},
	[DVC__THR_LOGIN_CLIENT] = {DVC_LOGIN_CLIENT_MAX_FAILURES, DVC_LOGIN_LOCK_SECONDS,
				   DVC_LOGIN_LOCK_SECONDS},
	[DVC__THR_LOGIN_ACCOUNT] = {DVC_LOGIN_ACCOUNT_MAX_FAILURES, DVC_LOGIN_LOCK_SECONDS,
				    DVC_LOGIN_LOCK_SECONDS},
	[DVC__THR_REGISTER_CLIENT] = {DVC_REGISTER_MAX_PER_CLIENT, DVC_REGISTER_WINDOW_SECONDS,
				      DVC_REGISTER_WINDOW_SECONDS},
};

void dvc__throttle_key_make(dvc__throttle_key *k, dvc__throttle_scope scope, const char *client,
			    const char *name)
{
	crypto_generichash_state h;
	unsigned char s = (unsigned char)scope;
	client = client ? client : "";
	name = name ? name : "";
	k->scope = (int)scope;
	crypto_generichash_init(&h, NULL, 0, sizeof k->key);
	crypto_generichash_update(&h, &s, 1);
	crypto_generichash_update(&h, (const unsigned char *)client, strlen(client) + 1);
	crypto_generichash_update(&h, (const unsigned char *)name, strlen(name));
	crypto_generichash_final(&h, k->key, sizeof k->key);
}

int dvc__client_check(const char *client)
{
	size_t n;
	if (!client)
		return DVC_OK;
	n = strlen(client);
	if (n > DVC__CLIENT_MAX)
		return dvc__err(DVC_EINVAL, "client", "client key longer than %d bytes", DVC__CLIENT_MAX);
	if (!dvc__utf8_valid(client, n))
		return dvc__err(DVC_EUTF8, "client", "client key is not valid UTF-8");
	return DVC_OK;
}

int dvc__throttle_check(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now,
			int *failures)
{
	dvc_time locked = 0;
	*failures = 0;
	for (size_t i = 0; i < n; i++) {
		int f, rc;
		dvc_time start, until;
		if ((rc = dvc__store_throttle_get(db, &keys[i], &f, &start, &until)) != DVC_OK)
			return rc;
		if (start + rules[keys[i].scope].window > now)
			*failures += f;
		if (until > locked)
			locked = until;
	}
	if (locked > now)
		return dvc__err(DVC_ETHROTTLED, NULL, "too many failed attempts; try again in %lld s",
				(long long)(locked - now));
	return DVC_OK;
}

int dvc__throttle_fail(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now)
{
	for (size_t i = 0; i < n; i++) {
		int rc, counted, s = keys[i].scope;
		if ((rc = dvc__store_throttle_count(db, &keys[i], now, rules[s].max, rules[s].window,
						    rules[s].lock, &counted)) != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

int dvc__throttle_reserve(dvc_db *db, const dvc__throttle_key *keys, size_t n, dvc_time now)
{
	for (size_t i = 0; i < n; i++) {
		int rc, counted, f, s = keys[i].scope;
		dvc_time start, until;
		if ((rc = dvc__store_throttle_count(db, &keys[i], now, rules[s].max, rules[s].window,
						    rules[s].lock, &counted)) != DVC_OK)
			return rc;
		if (counted)
			continue;
		if ((rc = dvc__store_throttle_get(db, &keys[i], &f, &start, &until)) != DVC_OK)
			return rc;
		return dvc__err(DVC_ETHROTTLED, NULL, "too many failed attempts; try again in %lld s",
				(long long)(until > now ? until - now : 1));
	}
	return DVC_OK;
}
