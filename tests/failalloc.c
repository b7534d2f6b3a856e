#include "failalloc.h"
#include "internal.h"

#include <stdbool.h>
#include <stdlib.h>

counter cnt;

static bool should_fail(counter *c)
{
	return c->fail_at && !dvc__alloc_fragile() && ++c->count == c->fail_at;
}

static void *c_malloc(size_t n, void *ctx)
{
	counter *c = ctx;
	if (should_fail(c))
		return NULL;
	void *p = malloc(n);
	if (p)
		c->live++;
	return p;
}

static void *c_realloc(void *p, size_t n, void *ctx)
{
	counter *c = ctx;
	if (should_fail(c))
		return NULL;
	void *q = realloc(p, n);
	if (q && !p)
		c->live++;
	return q;
}

static void c_free(void *p, void *ctx)
{
	counter *c = ctx;
	if (p)
		c->live--;
	free(p);
}

const dvc_allocator counting = {c_malloc, c_realloc, c_free, &cnt};
