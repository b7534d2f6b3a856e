/* Growable string buffer with sticky out-of-memory state. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static bool buf_grow(dvc_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;
	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = dvc__realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

void dvc_buf_put(dvc_buf *b, const char *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void dvc_buf_puts(dvc_buf *b, const char *s) { dvc_buf_put(b, s, strlen(s)); }
void dvc_buf_putc(dvc_buf *b, char c) { dvc_buf_put(b, &c, 1); }

void dvc_buf_printf(dvc_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && buf_grow(b, (size_t)n)) {
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	} else if (n < 0) {
		b->oom = true;
	}
	va_end(ap2);
}

int dvc_buf_finish(dvc_buf *b, int rc, char **out, size_t *len)
{
	const size_t n = b->len;
	if (rc != DVC_OK) {
		dvc_buf_free(b);
		return rc;
	}
	if (!(*out = dvc_buf_detach(b)))
		return dvc__oom();
	if (len)
		*len = n;
	return DVC_OK;
}

char *dvc_buf_detach(dvc_buf *b)

{
	char *p;
	if (b->oom) {
		dvc_buf_free(b);
		return NULL;
	}
	if (!b->ptr && !buf_grow(b, 0))
		return NULL;
	p = b->ptr;
	*b = (dvc_buf)DVC_BUF_INIT;
	return p;
}

void dvc_buf_free(dvc_buf *b)
{
	dvc__free(b->ptr);
	*b = (dvc_buf)DVC_BUF_INIT;
}
