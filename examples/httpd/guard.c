/* Registration slots of the example server (issue 16): at most
 * --register-slots registrations hash a password at once, and an address
 * the library's registration limit refused is answered 429 for
 * HTTPD_REGISTER_REFUSED_SECONDS before it may take a slot again, so that
 * its bots cannot keep the slots busy for others. The library counts the
 * registrations themselves (dvc_account_register_from); this only guards
 * the server's threads.
 *
 * Fixed memory: HTTPD_GUARD_SLOTS refused addresses by a 16-byte digest;
 * when full, the one closest to the end of its wait goes. */
#include "httpd.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HTTPD_GUARD_SLOTS 4096

struct httpd_guard {
	pthread_mutex_t lock;
	struct {
		unsigned char key[16];
		int64_t until;
	} v[HTTPD_GUARD_SLOTS];
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

/* The slot of `client`, or (make = 1) the one to reuse for it. Under the lock. */
static size_t slot_of(httpd_guard *g, const char *client, int make)
{
	unsigned char key[16];
	size_t victim = 0;
	crypto_generichash(key, sizeof key, (const unsigned char *)client, strlen(client), NULL, 0);
	for (size_t i = 0; i < HTTPD_GUARD_SLOTS; i++) {
		if (memcmp(g->v[i].key, key, sizeof key) == 0 && g->v[i].until)
			return i;
		if (g->v[i].until < g->v[victim].until)
			victim = i;
	}
	if (!make)
		return HTTPD_GUARD_SLOTS;
	memcpy(g->v[victim].key, key, sizeof key);
	return victim;
}

int64_t guard_register_wait(httpd_guard *g, const char *client)
{
	int64_t now = (int64_t)time(NULL), wait = 0;
	size_t i;
	pthread_mutex_lock(&g->lock);
	if ((i = slot_of(g, client, 0)) < HTTPD_GUARD_SLOTS && g->v[i].until > now)
		wait = g->v[i].until - now;
	pthread_mutex_unlock(&g->lock);
	return wait;
}

void guard_register_refused(httpd_guard *g, const char *client)
{
	pthread_mutex_lock(&g->lock);
	g->v[slot_of(g, client, 1)].until = (int64_t)time(NULL) + HTTPD_REGISTER_REFUSED_SECONDS;
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
