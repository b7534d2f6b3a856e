/* Desk-token sign-in throttle of the example server. The desk tokens live
 * here, not in the library, so their guessing is counted here too, with
 * the library's rule (throttle the guesser, not the target): one client
 * may give HTTPD_DESK_MAX_FAILURES wrong tokens for one username and
 * HTTPD_DESK_CLIENT_MAX_FAILURES for all, per HTTPD_DESK_LOCK_SECONDS; then
 * that client is refused (429) without a comparison until the lock ends.
 * An attempt is counted before its token is compared, under the mutex, so
 * parallel guesses cannot pass the limit; a success gives it back.
 *
 * Fixed memory: HTTPD_GUARD_SLOTS entries of a 16-byte key digest; when
 * full, the entry closest to expiry goes. */
#include "httpd.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HTTPD_GUARD_SLOTS 4096

typedef struct slot {
	unsigned char key[16];
	int used, failures;
	int64_t window_start, locked_until;
} slot;

struct httpd_guard {
	pthread_mutex_t lock;
	slot v[HTTPD_GUARD_SLOTS];
};

int tokens_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int guard_new(httpd_guard **out)
{
	httpd_guard *g = calloc(1, sizeof *g);
	if (!g)
		return DVC_ENOMEM;
	pthread_mutex_init(&g->lock, NULL);
	*out = g;
	return DVC_OK;
}

void guard_free(httpd_guard *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void make_key(unsigned char out[16], char kind, const char *client, const char *user)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 16);
	crypto_generichash_update(&h, (const unsigned char *)&kind, 1);
	crypto_generichash_update(&h, (const unsigned char *)client, strlen(client) + 1);
	crypto_generichash_update(&h, (const unsigned char *)user, strlen(user));
	crypto_generichash_final(&h, out, 16);
}

/* The entry of `key`, made when missing. Under the lock. */
static slot *lookup(httpd_guard *g, const unsigned char key[16], int64_t now)
{
	slot *victim = &g->v[0];
	for (size_t i = 0; i < HTTPD_GUARD_SLOTS; i++) {
		slot *s = &g->v[i];
		int64_t exp = s->locked_until > s->window_start + HTTPD_DESK_LOCK_SECONDS
				      ? s->locked_until : s->window_start + HTTPD_DESK_LOCK_SECONDS;
		if (s->used && memcmp(s->key, key, 16) == 0)
			return s;
		if (!s->used || exp <= now) {
			victim = s;
			if (!s->used)
				break;
		} else if (victim->used) {
			int64_t vexp = victim->locked_until > victim->window_start + HTTPD_DESK_LOCK_SECONDS
					       ? victim->locked_until
					       : victim->window_start + HTTPD_DESK_LOCK_SECONDS;
			if (exp < vexp)
				victim = s;
		}
	}
	memset(victim, 0, sizeof *victim);
	memcpy(victim->key, key, 16);
	victim->used = 1;
	victim->window_start = now;
	return victim;
}

int64_t guard_reserve(httpd_guard *g, const char *client, const char *user)
{
	unsigned char keys[2][16];
	const int max[2] = {HTTPD_DESK_MAX_FAILURES, HTTPD_DESK_CLIENT_MAX_FAILURES};
	slot *s[2];
	int64_t now = (int64_t)time(NULL), wait = 0;
	make_key(keys[0], 'p', client, user);
	make_key(keys[1], 'c', client, "");
	pthread_mutex_lock(&g->lock);
	for (int k = 0; k < 2; k++) {
		s[k] = lookup(g, keys[k], now);
		if (s[k]->window_start + HTTPD_DESK_LOCK_SECONDS <= now && s[k]->locked_until <= now) {
			s[k]->window_start = now;
			s[k]->failures = 0;
		}
		if (s[k]->locked_until > now && s[k]->locked_until - now > wait)
			wait = s[k]->locked_until - now;
		else if (s[k]->failures >= max[k] && wait == 0)
			wait = 1;
	}
	if (!wait)
		for (int k = 0; k < 2; k++)
			if (++s[k]->failures >= max[k])
				s[k]->locked_until = now + HTTPD_DESK_LOCK_SECONDS;
	pthread_mutex_unlock(&g->lock);
	return wait;
}

void guard_success(httpd_guard *g, const char *client, const char *user)
{
	unsigned char keys[2][16];
	int64_t now = (int64_t)time(NULL);
	make_key(keys[0], 'p', client, user);
	make_key(keys[1], 'c', client, "");
	pthread_mutex_lock(&g->lock);
	for (int k = 0; k < 2; k++) {
		slot *s = lookup(g, keys[k], now);
		if (k == 0)
			memset(s, 0, sizeof *s);
		else if (s->failures > 0 && --s->failures < HTTPD_DESK_CLIENT_MAX_FAILURES)
			s->locked_until = 0; /* the attempt that set the lock succeeded */
	}
	pthread_mutex_unlock(&g->lock);
}

/* ---- registrations (httpd.h) ---- */

int64_t guard_register_wait(httpd_guard *g, const char *client)
{
	unsigned char key[16];
	int64_t now = (int64_t)time(NULL), wait = 0;
	make_key(key, 'r', client, "");
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < HTTPD_GUARD_SLOTS; i++)
		if (g->v[i].used && memcmp(g->v[i].key, key, 16) == 0) {
			if (g->v[i].locked_until > now)
				wait = g->v[i].locked_until - now;
			break;
		}
	pthread_mutex_unlock(&g->lock);
	return wait;
}

void guard_register_refused(httpd_guard *g, const char *client)
{
	unsigned char key[16];
	int64_t now = (int64_t)time(NULL);
	make_key(key, 'r', client, "");
	pthread_mutex_lock(&g->lock);
	lookup(g, key, now)->locked_until = now + HTTPD_REGISTER_REFUSED_SECONDS;
	pthread_mutex_unlock(&g->lock);
}

int register_slot_take(httpd *srv)
{
	if (atomic_fetch_add(&srv->registering, 1) < srv->register_slots)
		return 1;
	atomic_fetch_sub(&srv->registering, 1);
	return 0;
}

void register_slot_give(httpd *srv)
{
	atomic_fetch_sub(&srv->registering, 1);
}
