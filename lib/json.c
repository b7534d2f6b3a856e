/* The one JSON reader of the library (include/dvc/json.h).
 *
 * cJSON alone quietly alters some input: an escaped \u0000 ends the C string
 * it builds ("ab\u0000cd" reads as "ab"), it accepts raw control characters,
 * stops after the first value (so "{...} {}" parses), and builds its whole
 * tree before anyone can count it (31 million zeros under an unknown key took
 * 2.5 GB before the catalog reader refused the key). So every document is
 * first checked here by a strict lexer that allocates nothing: it counts
 * values and nesting as it goes and refuses at the first excess, and only a
 * document it accepts is handed to cJSON, which then can fail only for lack
 * of memory. The lexer accepts a subset of what cJSON accepts (stricter
 * white space, numbers of at most DVC_JSON_MAX_NUMBER bytes that strtod()
 * reads whole), so the two never disagree about a document. */
#include "dvc/json.h"
#include "internal.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void dvc__line_col(const char *data, size_t pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (data[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			++*col;
		}
	}
}

/* The lexer's state. Per open container it keeps the kind, and the current
 * key (raw, between its quotes) or array index, so that an error names the
 * place as the readers do ("procedures[3].versions[0].name"). */
typedef struct lexer {
	const char *s;
	size_t len, pos;
	const dvc__json_limits *lim;
	const char *what;
	int depth;
	bool obj[DVC_JSON_MAX_DEPTH];
	const char *key[DVC_JSON_MAX_DEPTH]; /* NULL before the first key */
	size_t n[DVC_JSON_MAX_DEPTH];        /* key length, or array index */
} lexer;

/* Set the error for the byte at `at`: "<what> <problem> at line L, column C",
 * with the path of the value being read. */
static int fail(const lexer *x, int code, size_t at, const char *problem)
{
	char path[256];
	size_t o = 0;
	int line, col;
	path[0] = '\0';
	for (int d = 0; d < x->depth && o < sizeof path - 1; d++) {
		int w;
		if (x->obj[d] && x->key[d])
			w = snprintf(path + o, sizeof path - o, "%s%.*s", o ? "." : "",
				     (int)(x->n[d] > 64 ? 64 : x->n[d]), x->key[d]);
		else if (x->obj[d])
			break;
		else
			w = snprintf(path + o, sizeof path - o, "[%zu]", x->n[d]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	dvc__line_col(x->s, at, &line, &col);
	return dvc__err(code, path[0] ? path : NULL, "%s %s at line %d, column %d", x->what,
			problem, line, col);
}

static void skip_ws(lexer *x)
{
	while (x->pos < x->len) {
		char c = x->s[x->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		x->pos++;
	}
}

static int hex4(const lexer *x, size_t at, unsigned *out)
{
	unsigned v = 0;
	if (x->len - at < 4)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		char c = x->s[at + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string starting at the opening quote; leaves pos after the closing one. */
static int string(lexer *x)
{
	size_t start = x->pos++;
	while (x->pos < x->len) {
		unsigned char c = (unsigned char)x->s[x->pos];
		if (c == '"') {
			x->pos++;
			return DVC_OK;
		}
		if (c < 0x20)
			return fail(x, DVC_EPARSE, x->pos,
				    "has an unescaped control character in a string");
		if (c != '\\') {
			x->pos++;
			continue;
		}
		if (x->pos + 1 >= x->len)
			break;
		c = (unsigned char)x->s[x->pos + 1];
		if (c == 'u') {
			unsigned cp, lo;
			if (hex4(x, x->pos + 2, &cp) != 0)
				return fail(x, DVC_EPARSE, x->pos, "has a malformed \\u escape");
			if (cp == 0)
				return fail(x, DVC_EUTF8, x->pos, "has a NUL character (\\u0000)");
			/* a lone surrogate is no character: cJSON calls it malformed too */
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(x, DVC_EPARSE, x->pos, "has a lone surrogate escape");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (x->len - x->pos < 12 || x->s[x->pos + 6] != '\\' ||
				    x->s[x->pos + 7] != 'u' || hex4(x, x->pos + 8, &lo) != 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return fail(x, DVC_EPARSE, x->pos, "has a lone surrogate escape");
				x->pos += 6;
			}
			x->pos += 6;
		} else if (strchr("\"\\/bfnrt", (char)c) && c) {
			x->pos += 2;
		} else {
			return fail(x, DVC_EPARSE, x->pos, "has an unknown escape in a string");
		}
	}
	return fail(x, DVC_EPARSE, start, "has a string that never ends, starting");
}

static bool digit(const lexer *x)
{
	return x->pos < x->len && x->s[x->pos] >= '0' && x->s[x->pos] <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(lexer *x)
{
	size_t start = x->pos;
	if (x->s[x->pos] == '-')
		x->pos++;
	if (!digit(x))
		return fail(x, DVC_EPARSE, start, "is malformed JSON (a number without digits)");
	if (x->s[x->pos] == '0')
		x->pos++;
	else
		while (digit(x))
			x->pos++;
	if (x->pos < x->len && x->s[x->pos] == '.') {
		x->pos++;
		if (!digit(x))
			return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (no digit after a decimal point)");
		while (digit(x))
			x->pos++;
	}
	if (x->pos < x->len && (x->s[x->pos] == 'e' || x->s[x->pos] == 'E')) {
		x->pos++;
		if (x->pos < x->len && (x->s[x->pos] == '+' || x->s[x->pos] == '-'))
			x->pos++;
		if (!digit(x))
			return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (no digit in an exponent)");
		while (digit(x))
			x->pos++;
	}
	if (x->pos - start > DVC_JSON_MAX_NUMBER)
		return fail(x, DVC_ETOOBIG, start, "has a number longer than 63 characters");
	return DVC_OK;
}

static int literal(lexer *x)
{
	static const char *const words[] = {"true", "false", "null"};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if (x->len - x->pos >= n && memcmp(x->s + x->pos, words[i], n) == 0) {
			x->pos += n;
			return DVC_OK;
		}
	}
	return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (a value was expected)");
}

/* A key and its colon, pos at the key's opening quote (white space skipped). */
static int key(lexer *x)
{
	int rc;
	size_t start = x->pos;
	x->key[x->depth - 1] = NULL; /* an error in the key names its object */
	if (x->pos >= x->len || x->s[x->pos] != '"')
		return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (a quoted key was expected)");
	if ((rc = string(x)) != DVC_OK)
		return rc;
	x->key[x->depth - 1] = x->s + start + 1;
	x->n[x->depth - 1] = x->pos - start - 2;
	skip_ws(x);
	if (x->pos >= x->len || x->s[x->pos] != ':')
		return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (':' was expected after a key)");
	x->pos++;
	skip_ws(x);
	return DVC_OK;
}

static int scan(lexer *x)
{
	int rc;
	size_t values = 0;
	const int max_depth = x->lim->max_depth;
	const size_t max_values = x->lim->max_values;

	/* cJSON skips a leading byte-order mark; so do we */
	if (x->len >= 3 && memcmp(x->s, "\xEF\xBB\xBF", 3) == 0)
		x->pos = 3;
	skip_ws(x);
	for (;;) {
		/* a value starts at pos */
		if (x->pos >= x->len)
			return fail(x, DVC_EPARSE, x->pos, "is malformed JSON (a value was expected)");
		if (max_values && ++values > max_values) {
			char msg[96];
			snprintf(msg, sizeof msg, "has more than %zu values", max_values);
			return fail(x, DVC_ETOOBIG, x->pos, msg);
		}
		switch (x->s[x->pos]) {
		case '{':
		case '[': {
			bool obj = x->s[x->pos] == '{';
			if (x->depth >= max_depth) {
				char msg[64];
				snprintf(msg, sizeof msg, "nests deeper than %d levels", max_depth);
				return fail(x, DVC_ETOOBIG, x->pos, msg);
			}
			x->obj[x->depth] = obj;
			x->key[x->depth] = NULL;
			x->n[x->depth] = 0;
			x->depth++;
			x->pos++;
			skip_ws(x);
			if (x->pos < x->len && x->s[x->pos] == (obj ? '}' : ']')) {
				x->depth--;
				x->pos++;
				break;
			}
			if (obj && (rc = key(x)) != DVC_OK)
				return rc;
			continue;
		}
		case '"':
			if ((rc = string(x)) != DVC_OK)
				return rc;
			break;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			if ((rc = number(x)) != DVC_OK)
				return rc;
			break;
		default:
			if ((rc = literal(x)) != DVC_OK)
				return rc;
			break;
		}
		/* after a value: close containers, or a comma and the next value */
		for (;;) {
			bool obj;
			skip_ws(x);
			if (x->depth == 0) {
				if (x->pos < x->len)
					return fail(x, DVC_EPARSE, x->pos, "has text after the JSON value");
				return DVC_OK;
			}
			obj = x->obj[x->depth - 1];
			if (x->pos < x->len && x->s[x->pos] == (obj ? '}' : ']')) {
				x->depth--;
				x->pos++;
				continue;
			}
			if (x->pos < x->len && x->s[x->pos] == ',') {
				x->pos++;
				skip_ws(x);
				if (obj) {
					if ((rc = key(x)) != DVC_OK)
						return rc;
				} else {
					x->n[x->depth - 1]++;
				}
				break;
			}
			return fail(x, DVC_EPARSE, x->pos,
				    obj ? "is malformed JSON (',' or '}' was expected)"
					: "is malformed JSON (',' or ']' was expected)");
		}
	}
}

int dvc__json_check(const char *text, size_t len, const dvc__json_limits *lim, const char *what)
{
	lexer x;
	size_t bad;
	x.s = text;
	x.len = len;
	x.pos = 0;
	x.lim = lim;
	x.what = what;
	x.depth = 0;
	if (!text)
		return dvc__err(DVC_EINVAL, NULL, "%s is NULL", what);
	if (lim->max_depth < 1 || lim->max_depth > DVC_JSON_MAX_DEPTH)
		return dvc__err(DVC_EINVAL, NULL, "the nesting limit must be 1..%d",
				DVC_JSON_MAX_DEPTH);
	if (lim->max_len && len > lim->max_len)
		return dvc__err(DVC_ETOOBIG, NULL, "%s is larger than %zu bytes", what, lim->max_len);
	if ((bad = dvc__utf8_check(text, len)) != len) {
		/* Lex up to the bad byte to learn the path of the value it is in
		 * (the lexer stops there, whatever it says). */
		x.len = bad;
		(void)scan(&x);
		x.len = len;
		return fail(&x, DVC_EUTF8, bad, text[bad] ? "is not valid UTF-8"
							  : "has a NUL byte (not valid UTF-8 text)");
	}
	return scan(&x);
}

int dvc__json_read(const char *text, size_t len, const dvc__json_limits *lim, const char *what,
		   cJSON **out)
{
	int rc;
	*out = NULL;
	if ((rc = dvc__json_check(text, len, lim, what)) != DVC_OK)
		return rc;
	*out = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
	/* The lexer accepts only what cJSON accepts, so a failure here is
	 * memory, whether or not cJSON's allocations are routed through ours. */
	if (!*out)
		return dvc__oom();
	return DVC_OK;
}

int dvc_json_check(const char *text, size_t len, int max_depth, size_t max_values)
{
	const dvc__json_limits lim = {0, max_depth, max_values};
	return dvc__json_check(text, len, &lim, "the JSON document");
}

cJSON *dvc__json_put(cJSON *parent, const char *key, cJSON *item)
{
	if (!parent || !item ||
	    !(key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item))) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

void dvc__json_put_str(cJSON *o, const char *key, const char *v)
{
	dvc__json_put(o, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

int dvc__json_print(cJSON *root, unsigned long failures, char **out)
{
	char *s = NULL;
	if (root && dvc__alloc_failures() == failures)
		s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s || dvc__alloc_failures() != failures) {
		dvc__free(s);
		return dvc__oom();
	}
	*out = s;
	return DVC_OK;
}
