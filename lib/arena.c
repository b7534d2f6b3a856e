/* Region allocator: chunks of at least 4 KiB, freed together. */
#include "internal.h"

#include <string.h>

struct dvc_arena_chunk {
	dvc_arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *dvc_arena_alloc(dvc_arena *a, size_t n)
{
	dvc_arena_chunk *c = a->head;
	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 4096 - sizeof *c ? n : 4096 - sizeof *c;
		if (cap > SIZE_MAX - sizeof *c)
			return NULL;
		c = dvc__malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *dvc_arena_strndup(dvc_arena *a, const char *s, size_t n)
{
	char *p = dvc_arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *dvc_arena_strdup(dvc_arena *a, const char *s)
{
	return s ? dvc_arena_strndup(a, s, strlen(s)) : NULL;
}

void dvc_arena_free(dvc_arena *a)
{
	dvc_arena_chunk *c = a->head;
	while (c) {
		dvc_arena_chunk *n = c->next;
		dvc__free(c);
		c = n;
	}
	a->head = NULL;
}

void *dvc_arena_grow(dvc_arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *p;
	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / elem || !(p = dvc_arena_alloc(a, ncap * elem)))
		return NULL;
	if (n)
		memcpy(p, arr, n * elem);
	*cap = ncap;
	return p;
}
