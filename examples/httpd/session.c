/* Sessions of the example server: random tokens in memory, idle expiry.
 *
 * Every visitor gets a session (anonymous at first) whose token travels in
 * the cookie `dvc_session` (HttpOnly, SameSite=Strict, Path=/) and whose
 * CSRF token the page reads from GET /api/session and sends back as the
 * X-CSRF-Token header on every POST. Signing in replaces the session with a
 * new one (new token, new CSRF token), so a token planted before sign-in is
 * useless after it.
 *
 * Two bounded pools: anonymous sessions and signed-in ones. Anyone can make
 * anonymous sessions by the thousand, so when their pool is full the
 * oldest anonymous one goes; they never take a signed-in session's place
 * (10,100 anonymous requests used to evict every signed-in officer). The
 * signed-in pool fills only through logins, which the library throttles;
 * when it is full, expired entries go first, then the one closest to
 * expiry. Lost on restart, by design of the example; a portal keeps
 * sessions wherever its own SSO does. */
#include "httpd.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool {
	httpd_session *v;
	size_t n, max;
} pool;

struct httpd_sessions {
	pthread_mutex_t lock;
	pool anon, signed_in;
	int ttl;
};

int tokens_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

void random_hex(char *out, size_t n)
{
	unsigned char buf[64];
	if (n > sizeof buf)
		n = sizeof buf;
	randombytes_buf(buf, n);
	sodium_bin2hex(out, 2 * n + 1, buf, n);
	sodium_memzero(buf, sizeof buf);
}

int sessions_new(httpd_sessions **out, size_t max_anonymous, size_t max_signed_in,
		 int ttl_seconds)
{
	httpd_sessions *s = calloc(1, sizeof *s);
	if (!s || !(s->anon.v = calloc(max_anonymous, sizeof *s->anon.v)) ||
	    !(s->signed_in.v = calloc(max_signed_in, sizeof *s->signed_in.v))) {
		if (s)
			free(s->anon.v);
		free(s);
		return DVC_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->anon.max = max_anonymous;
	s->signed_in.max = max_signed_in;
	s->ttl = ttl_seconds;
	*out = s;
	return DVC_OK;
}

void sessions_free(httpd_sessions *s)
{
	if (!s)
		return;
	sodium_memzero(s->anon.v, s->anon.max * sizeof *s->anon.v);
	sodium_memzero(s->signed_in.v, s->signed_in.max * sizeof *s->signed_in.v);
	free(s->anon.v);
	free(s->signed_in.v);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int64_t now_s(void) { return (int64_t)time(NULL); }

/* Index of a free slot, making one when the pool is full. Under the lock. */
static size_t free_slot(pool *s)
{
	int64_t now = now_s();
	size_t oldest = 0;
	if (s->n < s->max)
		return s->n++;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].expires <= now)
			return i;
		if (s->v[i].expires < s->v[oldest].expires)
			oldest = i;
	}
	return oldest;
}

int sessions_create(httpd_sessions *s, const httpd_session *proto, httpd_session *out)
{
	httpd_session x = *proto;
	random_hex(x.token, HTTPD_TOKEN_HEX / 2);
	random_hex(x.csrf, HTTPD_TOKEN_HEX / 2);
	x.expires = now_s() + s->ttl;
	pool *p = x.kind == SESS_ANONYMOUS ? &s->anon : &s->signed_in;
	pthread_mutex_lock(&s->lock);
	p->v[free_slot(p)] = x;
	pthread_mutex_unlock(&s->lock);
	*out = x;
	return DVC_OK;
}

static int find(pool *s, const char *token)
{
	if (!token || strlen(token) != HTTPD_TOKEN_HEX)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (tokens_equal(s->v[i].token, token))
			return (int)i;
	return -1;
}

httpd_sess_lookup sessions_lookup(httpd_sessions *s, const char *token, httpd_session *out)
{
	httpd_sess_lookup res = SESS_MISSING;
	pool *pools[2] = {&s->signed_in, &s->anon};
	int i;
	pthread_mutex_lock(&s->lock);
	for (int k = 0; k < 2 && res == SESS_MISSING; k++) {
		pool *p = pools[k];
		if ((i = find(p, token)) >= 0) {
			int64_t now = now_s();
			if (p->v[i].expires <= now) {
				res = SESS_EXPIRED;
			} else {
				p->v[i].expires = now + s->ttl;
				*out = p->v[i];
				res = SESS_FOUND;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return res;
}

void sessions_drop(httpd_sessions *s, const char *token)
{
	pool *pools[2] = {&s->signed_in, &s->anon};
	int i;
	pthread_mutex_lock(&s->lock);
	for (int k = 0; k < 2; k++) {
		pool *p = pools[k];
		if ((i = find(p, token)) >= 0) {
			p->v[i] = p->v[--p->n];
			sodium_memzero(&p->v[p->n], sizeof p->v[p->n]);
		}
	}
	pthread_mutex_unlock(&s->lock);
}
