/* Replaceable allocation hooks. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <libxml/xmlmemory.h>
#include <stdlib.h>
#include <string.h>

static void *std_malloc(size_t n, void *ctx) { (void)ctx; return malloc(n); }
static void *std_realloc(void *p, size_t n, void *ctx) { (void)ctx; return realloc(p, n); }
static void std_free(void *p, void *ctx) { (void)ctx; free(p); }

/* The one piece of process-wide state, set like sqlite3_config(): before use. */
static dvc_allocator g_alloc = {std_malloc, std_realloc, std_free, NULL};

static _Thread_local unsigned long tls_failures;

unsigned long dvc__alloc_failures(void) { return tls_failures; }

static _Thread_local int tls_fragile;

void dvc__alloc_fragile_enter(void) { tls_fragile++; }
void dvc__alloc_fragile_leave(void) { tls_fragile--; }
int dvc__alloc_fragile(void) { return tls_fragile; }

void *dvc__malloc(size_t n)
{
	void *p = g_alloc.malloc(n ? n : 1, g_alloc.ctx);
	tls_failures += p == NULL;
	return p;
}

void *dvc__realloc(void *p, size_t n)
{
	void *q = g_alloc.realloc(p, n ? n : 1, g_alloc.ctx);
	tls_failures += q == NULL;
	return q;
}
void dvc__free(void *p) { if (p) g_alloc.free(p, g_alloc.ctx); }
void dvc_free(void *p) { dvc__free(p); }

void *dvc__calloc(size_t count, size_t n)
{
	void *p;
	if (n && count > SIZE_MAX / n)
		return NULL;
	p = dvc__malloc(count * n);
	if (p)
		memset(p, 0, count * n);
	return p;
}

char *dvc__strndup(const char *s, size_t n)
{
	char *p = dvc__malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *dvc__strdup(const char *s)
{
	return s ? dvc__strndup(s, strlen(s)) : NULL;
}

static void *hook_malloc(size_t n) { return dvc__malloc(n); }
static void hook_free(void *p) { dvc__free(p); }
static void *hook_realloc(void *p, size_t n) { return dvc__realloc(p, n); }
static char *hook_strdup(const char *s) { return dvc__strdup(s); }

static char *plain_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

int dvc_allocator_set(const dvc_allocator *alloc, int route_deps)
{
	if (alloc && (!alloc->malloc || !alloc->realloc || !alloc->free))
		return dvc__err(DVC_EINVAL, NULL, "allocator needs malloc, realloc and free");
	if (alloc)
		g_alloc = *alloc;
	else
		g_alloc = (dvc_allocator){std_malloc, std_realloc, std_free, NULL};
	if (route_deps) {
		cJSON_Hooks hooks = {hook_malloc, hook_free};
		cJSON_InitHooks(&hooks);
		xmlMemSetup(hook_free, hook_malloc, hook_realloc, hook_strdup);
	} else {
		cJSON_InitHooks(NULL);
		xmlMemSetup(free, malloc, realloc, plain_strdup);
	}
	return DVC_OK;
}
