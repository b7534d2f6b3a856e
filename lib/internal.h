/* Private helpers shared by every libdvc module. Not installed. */
#ifndef DVC_INTERNAL_H
#define DVC_INTERNAL_H

#include "dvc/common.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define DVC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define DVC_UNUSED __attribute__((unused))
#else
#define DVC_PRINTF(a, b)
#define DVC_UNUSED
#endif


#define DVC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* allocation (alloc.c) */
void *dvc__malloc(size_t n);
void *dvc__calloc(size_t count, size_t n);
void *dvc__realloc(void *p, size_t n);
void dvc__free(void *p);
char *dvc__strdup(const char *s);
char *dvc__strndup(const char *s, size_t n);

/* errors (error.c): record the error and return `code` so callers can write
 * `return dvc__err(DVC_EINVAL, NULL, "...")`. */
int dvc__err(int code, const char *path, const char *fmt, ...) DVC_PRINTF(3, 4);
int dvc__verr(int code, const char *path, const char *fmt, va_list ap);
int dvc__oom(void);
/* A caller-allocated struct whose version is not `want`: DVC_EINVAL naming
 * the type and its _INIT macro. */
int dvc__version_err(const char *type, unsigned int got, unsigned int want);
/* Clear an output struct, keeping its version field. */
#define DVC__CLEAR_OUT(out, ver)                 \
	do {                                     \
		memset((out), 0, sizeof *(out)); \
		(out)->version = (ver);          \
	} while (0)
/* Prefix the current error path with `prefix` (e.g. "procedures[3]."). */
void dvc__err_prefix_path(const char *prefix);

/* growable byte buffer (buf.c); on allocation failure `oom` sticks and later
 * appends are no-ops, so callers check once at the end. */
typedef struct dvc_buf {
	char *ptr;
	size_t len;
	size_t cap;
	bool oom;
} dvc_buf;

#define DVC_BUF_INIT {NULL, 0, 0, false}
void dvc_buf_put(dvc_buf *b, const char *s, size_t n);
void dvc_buf_puts(dvc_buf *b, const char *s);
void dvc_buf_putc(dvc_buf *b, char c);
void dvc_buf_printf(dvc_buf *b, const char *fmt, ...) DVC_PRINTF(2, 3);
/* Returns the NUL-terminated string (ownership to caller) or NULL on OOM. */
char *dvc_buf_detach(dvc_buf *b);
/* A call's text handed over: when rc is DVC_OK, *out (caller frees) takes
 * it and *len (may be NULL) its length; otherwise, or when it ran out of
 * memory, it is freed. Returns rc, or DVC_ENOMEM (recorded). */
int dvc_buf_finish(dvc_buf *b, int rc, char **out, size_t *len);

void dvc_buf_free(dvc_buf *b);

/* A field path under construction, for error messages (path.c): key appends
 * ".key" (no dot at the start), index appends "[i]", both return the old
 * length for dvc_path_pop. Too long a path is cut, never overrun. */
typedef struct dvc_path {
	char s[256];
	size_t len;
} dvc_path;

size_t dvc_path_key(dvc_path *p, const char *key);
size_t dvc_path_index(dvc_path *p, size_t i);
void dvc_path_pop(dvc_path *p, size_t old);

/* enumeration names (enums.c): `names` indexed by value. _name gives "?"
 * out of range; _index gives -1 for an unknown name; _parse fails with
 * DVC_EINVAL listing the valid names. */
const char *dvc__enum_name(const char *const *names, size_t n, int v);
int dvc__enum_index(const char *const *names, size_t n, const char *s);
int dvc__enum_parse(const char *const *names, size_t n, const char *what, const char *s, int *out);

/* Define the public pair dvc_<fn>_name / dvc_<fn>_parse of enum `type` over
 * `table`; `what` names it in errors. */
#define DVC__ENUM_NAMES(fn, type, table, what)                                             \
	const char *dvc_##fn##_name(type v)                                                  \
	{                                                                                  \
		return dvc__enum_name(table, DVC_ARRAY_LEN(table), (int)v);                  \
	}                                                                                  \
	int dvc_##fn##_parse(const char *name, type *out)                                    \
	{                                                                                  \
		int v = 0, rc = dvc__enum_parse(table, DVC_ARRAY_LEN(table), what, name,      \
						out ? &v : NULL);                              \
		if (rc == DVC_OK)                                                          \
			*out = (type)v;                                                    \
		return rc;                                                                 \
	}

/* The members of such a list: n rows of `row` in `items`, allocated with
 * room for cap in its `arena`. */
#define DVC__LIST_MEMBERS(row, items)                                                      \
	dvc_arena arena;                                                                   \
	row *items;                                                                        \
	size_t n, cap
/* The slot of one more row of list l, its room grown in the arena: the
 * caller fills it and counts it (l->n++). NULL when out of memory; the
 * caller then drops the whole list. */
#define DVC__LIST_NEXT(l, items)                                                           \
	(((l)->items = dvc_arena_grow(&(l)->arena, (l)->items, (l)->n, &(l)->cap,            \
				      sizeof *(l)->items))                                 \
		 ? &(l)->items[(l)->n]                                                       \
		 : NULL)

/* Define the public dvc_<fn>_count / _at / _free of a list `type` that keeps
 * its n rows of `row` in `items`, allocated in its `arena`: count and at
 * take NULL, at gives NULL past the end, free releases the arena and the list. */
#define DVC__LIST_ACCESSORS(fn, type, row, items)                                          \
	size_t dvc_##fn##_count(const type *l) { return l ? l->n : 0; }                      \
	const row *dvc_##fn##_at(const type *l, size_t i)                                    \
	{                                                                                  \
		return l && i < l->n ? &l->items[i] : NULL;                                  \
	}                                                                                  \
	void dvc_##fn##_free(type *l)                                                        \
	{                                                                                  \
		if (l) {                                                                   \
			dvc_arena_free(&l->arena);                                         \
			dvc__free(l);                                                      \
		}                                                                          \
	}

/* dates (date.c); "YYYY-MM-DD" and its NUL */
#define DVC__DATE_SIZE 11
bool dvc__date_valid(int y, int m, int d);
/* Parse exactly "YYYY-MM-DD". */
int dvc__date_parse(const char *s, dvc_date *out);
void dvc__date_format(const dvc_date *d, char out[11]);
/* days since 1970-01-01 */
int64_t dvc__days_from_civil(int y, int m, int d);
void dvc__civil_from_days(int64_t z, int *y, int *m, int *d);
/* Compare dates: <0, 0, >0 */
int dvc__date_cmp(const dvc_date *a, const dvc_date *b);
/* "10:15 ngày 05/03/2026" in Vietnam's time (UTC+7, no daylight saving). */
#define DVC__LOCAL_TIME_SIZE 32
void dvc__format_local(dvc_time t, char out[DVC__LOCAL_TIME_SIZE]);



/* Region allocator (arena.c): many small allocations freed at once; used for
 * records handed to the caller as one block (a procedure and all its strings). */
typedef struct dvc_arena_chunk dvc_arena_chunk;
typedef struct dvc_arena {
	dvc_arena_chunk *head;
} dvc_arena;

#define DVC_ARENA_INIT {NULL}
void *dvc_arena_alloc(dvc_arena *a, size_t n); /* zeroed, 16-byte aligned */
char *dvc_arena_strndup(dvc_arena *a, const char *s, size_t n);
char *dvc_arena_strdup(dvc_arena *a, const char *s); /* NULL -> NULL */
void dvc_arena_free(dvc_arena *a);
/* Room for one more element in an arena array `arr` of n elements and *cap
 * capacity: returns `arr` or a doubled copy (the old block stays in the
 * arena until it is freed), NULL on OOM. */
void *dvc_arena_grow(dvc_arena *a, void *arr, size_t n, size_t *cap, size_t elem);

/* Read a whole regular file (catalog.c); DVC_ETOOBIG past `limit` bytes
 * without reading it. The buffer is NUL-terminated; free with dvc__free. */
int dvc__read_file(const char *path, size_t limit, char **out, size_t *len);

/* "YYYY-MM-DD" of `asof`, or of today in Vietnam (UTC+7) on the handle's clock
 * when NULL (catalog.c). */
struct dvc_db;
int dvc__asof(struct dvc_db *db, const dvc_date *asof, char out[11]);

/* Number of allocations that failed on this thread so far (alloc.c): lets a
 * caller tell a dependency's out-of-memory from its parse error. */
unsigned long dvc__alloc_failures(void);

/* Regions where a dependency is known not to survive allocation failure
 * (libxml2 2.9's schema validator crashes on it). The library marks them;
 * fault-injection tests read dvc__alloc_fragile() and do not fail
 * allocations inside. Costs one thread-local increment in production. */
void dvc__alloc_fragile_enter(void);
void dvc__alloc_fragile_leave(void);
int dvc__alloc_fragile(void);

/* 1-based line and column of byte `pos` (json.c). */
void dvc__line_col(const char *data, size_t pos, int *line, int *col);

/* The one JSON reader (json.c; include/dvc/json.h says what it refuses).
 * Every JSON input goes through dvc__json_read(): the strict check first,
 * allocating nothing, then cJSON. `what` names the document in messages
 * ("the catalog document"); max_len 0 and max_values 0 are no limit. */
typedef struct dvc__json_limits {
	size_t max_len;    /* bytes, DVC_ETOOBIG past it */
	int max_depth;     /* 1..DVC_JSON_MAX_DEPTH */
	size_t max_values; /* values, keys not counted */
} dvc__json_limits;
int dvc__json_check(const char *text, size_t len, const dvc__json_limits *lim, const char *what);
struct cJSON;
int dvc__json_read(const char *text, size_t len, const dvc__json_limits *lim, const char *what,
		   struct cJSON **out);

/* Building JSON with cJSON (json.c), for the views and payloads the
 * library prints. dvc__json_put attaches `item` to `parent` (under `key`,
 * or appended to an array when key is NULL) and frees it on any failure,
 * so a failed allocation leaks nothing; it returns the item or NULL.
 * _put_str puts null for a NULL string. dvc__json_print prints and frees `root`: DVC_ENOMEM when any
 * allocation since `failures` (dvc__alloc_failures()) failed, since the
 * tree is then incomplete. */
struct cJSON *dvc__json_put(struct cJSON *parent, const char *key, struct cJSON *item);
void dvc__json_put_str(struct cJSON *o, const char *key, const char *v);
int dvc__json_print(struct cJSON *root, unsigned long failures, char **out);

#endif
