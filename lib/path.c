/* Field paths for error messages ("procedures[3].versions[0].name"). */
#include "internal.h"

#include <stdio.h>

static size_t append(dvc_path *p, int n)
{
	size_t old = p->len;
	if (n > 0)
		p->len = old + (size_t)n < sizeof p->s ? old + (size_t)n : sizeof p->s - 1;
	return old;
}

size_t dvc_path_key(dvc_path *p, const char *key)
{
	size_t old = p->len;
	return append(p, snprintf(p->s + old, sizeof p->s - old, "%s%s", old ? "." : "", key));
}

size_t dvc_path_index(dvc_path *p, size_t i)
{
	size_t old = p->len;
	return append(p, snprintf(p->s + old, sizeof p->s - old, "[%zu]", i));
}

void dvc_path_pop(dvc_path *p, size_t old)
{
	p->len = old;
	p->s[old] = '\0';
}
