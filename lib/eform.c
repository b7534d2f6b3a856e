/* E-form schemas: a strict JSON-Schema subset compiled into an immutable tree,
 * and validation of submitted form data against it.
 *
 * Both documents go through the library's JSON reader (json.c) before cJSON
 * sees them: size limit, UTF-8 validity, nesting depth, value count and
 * \u0000 escapes are checked on the raw text, so cJSON never recurses deeper
 * than our limit and no string reaches us silently truncated at an embedded
 * NUL.
 *
 * The compiled tree lives in one arena owned by the dvc_eform; the only other
 * resources are the compiled regexes, chained through their nodes so that
 * dvc_eform_free() can regfree() them. Nothing in the tree changes after
 * dvc_eform_compile() returns, which is what makes concurrent validation safe
 * (glibc's regexec() locks internally for a shared regex_t). */
#include "dvc/eform.h"
#include "dvc/validate.h"
#include "internal.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the compiled form ----------------------------------------------------- */

typedef enum jtype { T_STRING, T_INTEGER, T_NUMBER, T_BOOLEAN, T_OBJECT, T_ARRAY, T_COUNT } jtype;

static const char *const type_names[T_COUNT] = {
	"string", "integer", "number", "boolean", "object", "array",
};

static const char *const type_errors[T_COUNT] = {
	"must be a string", "must be an integer", "must be a number",
	"must be true or false", "must be an object", "must be an array",
};

typedef enum fmt_kind { F_NONE, F_DATE, F_CITIZEN_ID, F_PHONE, F_EMAIL, F_COUNT } fmt_kind;

static const char *const format_names[F_COUNT] = {
	"", "date", "citizen_id", "phone", "email",
};

static const char *const format_labels[F_COUNT] = {
	"", "a valid date (YYYY-MM-DD)", "a valid citizen ID", "a valid phone number",
	"a valid e-mail address",
};

#define TM(t) (1u << (t))
#define T_ANY (TM(T_COUNT) - 1u)
#define T_NUMERIC (TM(T_INTEGER) | TM(T_NUMBER))

/* Every keyword of the subset and the types it applies to. A keyword outside
 * this table, or used with a type it does not apply to, is a schema error. */
static const struct {
	const char *name;
	unsigned types;
} keywords[] = {
	{"type", T_ANY},
	{"title", T_ANY},
	{"description", T_ANY},
	{"properties", TM(T_OBJECT)},
	{"required", TM(T_OBJECT)},
	{"additionalProperties", TM(T_OBJECT)},
	{"items", TM(T_ARRAY)},
	{"minItems", TM(T_ARRAY)},
	{"maxItems", TM(T_ARRAY)},
	{"minLength", TM(T_STRING)},
	{"maxLength", TM(T_STRING)},
	{"pattern", TM(T_STRING)},
	{"format", TM(T_STRING)},
	{"enum", TM(T_STRING) | T_NUMERIC},
	{"minimum", T_NUMERIC},
	{"maximum", T_NUMERIC},
};

#define MAX_ENUM 1024         /* values per enum */
#define MAX_PATTERN 1024      /* bytes per pattern */
#define ENUM_TEXT_MAX 200     /* bytes of "Nam, Nữ" kept for messages */
#define MAX_SAFE_INT 9007199254740992.0 /* 2^53 */
/* The schema document nests two JSON levels per form level ("properties",
 * then the field), plus the enum arrays. */
#define SCHEMA_RAW_DEPTH (2 * DVC_EFORM_MAX_DEPTH + 2)

typedef struct node node;

typedef struct prop {
	const char *name;
	node *schema;
	bool required;
} prop;

struct node {
	jtype type;
	fmt_kind format;
	bool has_min_len, has_max_len, has_min_items, has_max_items, has_min, has_max;
	bool additional; /* objects: undeclared fields allowed */
	size_t min_len, max_len, min_items, max_items;
	double min, max;
	const char *pattern; /* as written, for messages */
	regex_t *re;
	node *next_re;       /* chain of the nodes owning a regex */
	size_t n_enum;
	const char **enum_str; /* strings: n_enum values */
	double *enum_num;      /* numbers: n_enum values */
	const char *enum_text; /* "Nam, Nữ" */
	prop *props;           /* sorted by name */
	size_t n_props;
	node *items;
};

struct dvc_eform {
	dvc_arena arena;
	node *root;
	node *regexes;
};

/* ---- paths ----------------------------------------------------------------- */

typedef dvc_path path;

/* ---- reading a document ---------------------------------------------------- */

/* Parse through the library's one JSON reader (json.c): size, UTF-8, NUL,
 * nesting and value-count limits on the raw text before cJSON builds
 * anything. `what` names the document in messages. */
static int read_doc(const char *text, size_t len, int max_depth, const char *what, cJSON **out)
{
	const dvc__json_limits lim = {DVC_EFORM_MAX_INPUT, max_depth, DVC_EFORM_MAX_VALUES};
	return dvc__json_read(text, len, &lim, what, out);
}

static bool is_int_value(double v)
{
	return isfinite(v) && v == floor(v) && fabs(v) <= MAX_SAFE_INT;
}

/* ---- compiling the schema -------------------------------------------------- */

typedef struct cctx {
	dvc_eform *f;
	path p;
} cctx;

/* Record a schema error at the current path plus `key` (may be NULL). */
static int serr(cctx *c, int code, const char *key, const char *fmt, ...) DVC_PRINTF(4, 5);
static int serr(cctx *c, int code, const char *key, const char *fmt, ...)
{
	char msg[384];
	size_t old = key ? dvc_path_key(&c->p, key) : c->p.len;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	dvc__err(code, c->p.len ? c->p.s : NULL, "form schema: %s%s%s", c->p.s,
		 c->p.len ? " " : "", msg);
	dvc_path_pop(&c->p, old);
	return code;
}

static int keyword_types(const char *name, unsigned *types)
{
	for (size_t i = 0; i < DVC_ARRAY_LEN(keywords); i++)
		if (strcmp(keywords[i].name, name) == 0) {
			*types = keywords[i].types;
			return 0;
		}
	return -1;
}

/* A non-negative integer keyword (minLength...). */
static int get_count(cctx *c, const cJSON *v, const char *key, size_t *out, bool *has)
{
	if (!cJSON_IsNumber(v) || !is_int_value(v->valuedouble) || v->valuedouble < 0)
		return serr(c, DVC_ESCHEMA, key, "must be a non-negative integer");
	if (v->valuedouble > 4294967295.0)
		return serr(c, DVC_ESCHEMA, key, "is too large");
	*out = (size_t)v->valuedouble;
	*has = true;
	return DVC_OK;
}

static int cmp_prop(const void *a, const void *b)
{
	return strcmp(((const prop *)a)->name, ((const prop *)b)->name);
}

/* Index of field `name` in n->props, or -1. */
static ptrdiff_t find_prop(const node *n, const char *name)
{
	prop key = {name, NULL, false};
	const prop *hit;
	if (!n->n_props)
		return -1;
	hit = bsearch(&key, n->props, n->n_props, sizeof *n->props, cmp_prop);
	return hit ? hit - n->props : -1;
}

/* Describe what is wrong with a POSIX ERE that regcomp() might still accept:
 * a ')' closing the ^( )$ wrapper early would unanchor the match, and
 * backslash-letter escapes (\d, \w) are not POSIX and mean different things
 * on different C libraries. Returns 0 when the pattern is acceptable. */
static int pattern_problem(const char *p, char *msg, size_t size)
{
	int depth = 0, after_quant = 0;
	double copies = 1; /* what counted repetitions multiply out to */
	for (size_t i = 0; p[i]; i++) {
		char c = p[i];
		/* Regex bombs: glibc's regcomp() copies the subtree once per count and
		 * per stacked quantifier, so "x++++..." or "((x{99}){99}){99}" take
		 * gigabytes to compile. A schema never needs either. */
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			if (after_quant) {
				snprintf(msg, size, "stacks quantifiers (like a++), which is meaningless "
					 "and costly to compile");
				return -1;
			}
			after_quant = 1;
			if (c == '{') {
				unsigned long lo = 0, hi;
				size_t j = i + 1;
				while (p[j] >= '0' && p[j] <= '9' && lo < 100000)
					lo = lo * 10 + (unsigned long)(p[j++] - '0');
				hi = lo;
				if (p[j] == ',') {
					j++;
					if (p[j] >= '0' && p[j] <= '9')
						for (hi = 0; p[j] >= '0' && p[j] <= '9' && hi < 100000; j++)
							hi = hi * 10 + (unsigned long)(p[j] - '0');
				}
				if (p[j] != '}') {
					snprintf(msg, size, "has a malformed {m,n} repetition");
					return -1;
				}
				copies *= (double)(hi > 0 ? hi : 1);
				if (hi > 255 || copies > 10000) {
					snprintf(msg, size, "repeats too much ({m,n} counts above 255, or "
						 "multiplying out past 10000)");
					return -1;
				}
				i = j;
			}
			continue;
		}
		after_quant = 0;
		if (c == '\\') {
			char e = p[i + 1];
			if (e == '\0') {
				snprintf(msg, size, "ends with a lone backslash");
				return -1;
			}
			if ((e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
				snprintf(msg, size,
					 "uses \\%c, which is not a POSIX extended regular expression "
					 "escape (write [0-9] for \\d)",
					 e);
				return -1;
			}
			i++;
		} else if (c == '[') {
			size_t j = i + 1;
			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			while (p[j] && p[j] != ']') {
				if (p[j] == '[' && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
					char d = p[j + 1];
					j += 2;
					while (p[j] && !(p[j] == d && p[j + 1] == ']'))
						j++;
					if (!p[j])
						break;
					j += 2;
				} else {
					j++;
				}
			}
			if (!p[j]) {
				snprintf(msg, size, "has an unterminated bracket expression");
				return -1;
			}
			i = j;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (depth == 0) {
				snprintf(msg, size, "has an unmatched )");
				return -1;
			}
			depth--;
		}
	}
	if (depth) {
		snprintf(msg, size, "has an unmatched (");
		return -1;
	}
	return 0;
}

static int compile_pattern(cctx *c, node *n, const cJSON *v)
{
	char msg[160];
	dvc_buf b = DVC_BUF_INIT;
	int rc;
	if (!cJSON_IsString(v))
		return serr(c, DVC_ESCHEMA, "pattern", "must be a string");
	if (strlen(v->valuestring) > MAX_PATTERN)
		return serr(c, DVC_ETOOBIG, "pattern", "is longer than %d bytes", MAX_PATTERN);
	if (pattern_problem(v->valuestring, msg, sizeof msg))
		return serr(c, DVC_ESCHEMA, "pattern", "%s", msg);
	n->pattern = dvc_arena_strdup(&c->f->arena, v->valuestring);
	n->re = dvc_arena_alloc(&c->f->arena, sizeof *n->re);
	dvc_buf_puts(&b, "^(");
	dvc_buf_puts(&b, v->valuestring);
	dvc_buf_puts(&b, ")$");
	if (!n->pattern || !n->re || b.oom) {
		dvc_buf_free(&b);
		n->re = NULL;
		return dvc__oom();
	}
	rc = regcomp(n->re, b.ptr, REG_EXTENDED | REG_NOSUB);
	dvc_buf_free(&b);
	if (rc != 0) {
		regerror(rc, n->re, msg, sizeof msg);
		n->re = NULL;
		if (rc == REG_ESPACE)
			return dvc__oom();
		return serr(c, DVC_ESCHEMA, "pattern", "does not compile: %s", msg);
	}
	n->next_re = c->f->regexes;
	c->f->regexes = n;
	return DVC_OK;
}

/* Append `value` to the enum's message text, whole values only (so UTF-8 is
 * never cut), ending with "..." once ENUM_TEXT_MAX would be passed. */
static void enum_text_add(dvc_buf *text, bool *full, bool first, const char *value)
{
	if (*full)
		return;
	if (text->len + strlen(value) + 2 <= ENUM_TEXT_MAX) {
		if (!first)
			dvc_buf_puts(text, ", ");
		dvc_buf_puts(text, value);
	} else {
		dvc_buf_puts(text, first ? "..." : ", ...");
		*full = true;
	}
}

static int compile_enum(cctx *c, node *n, const cJSON *v)
{
	dvc_arena *a = &c->f->arena;
	dvc_buf text = DVC_BUF_INIT;
	bool full = false;
	size_t i = 0, count, old;
	const cJSON *it;
	int rc = DVC_OK;
	if (!cJSON_IsArray(v) || !v->child)
		return serr(c, DVC_ESCHEMA, "enum", "must be a non-empty array");
	count = (size_t)cJSON_GetArraySize(v);
	if (count > MAX_ENUM)
		return serr(c, DVC_ETOOBIG, "enum", "has more than %d values", MAX_ENUM);
	if (n->type == T_STRING)
		n->enum_str = dvc_arena_alloc(a, count * sizeof *n->enum_str);
	else
		n->enum_num = dvc_arena_alloc(a, count * sizeof *n->enum_num);
	if (!n->enum_str && !n->enum_num)
		return dvc__oom();
	old = dvc_path_key(&c->p, "enum");
	cJSON_ArrayForEach(it, v) {
		char num[32];
		size_t o2 = dvc_path_index(&c->p, i);
		if (n->type == T_STRING) {
			if (!cJSON_IsString(it)) {
				rc = serr(c, DVC_ESCHEMA, NULL, "must be a string, as the type says");
			} else if (!(n->enum_str[i] = dvc_arena_strdup(a, it->valuestring))) {
				rc = dvc__oom();
			} else {
				for (size_t k = 0; k < i && rc == DVC_OK; k++)
					if (strcmp(n->enum_str[k], it->valuestring) == 0)
						rc = serr(c, DVC_EDUPLICATE, NULL, "repeats \"%.64s\"",
							  it->valuestring);
				enum_text_add(&text, &full, i == 0, it->valuestring);
			}
		} else {
			if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
			    (n->type == T_INTEGER && !is_int_value(it->valuedouble))) {
				rc = serr(c, DVC_ESCHEMA, NULL, "must be %s, as the type says",
					  n->type == T_INTEGER ? "an integer" : "a number");
			} else {
				n->enum_num[i] = it->valuedouble;
				for (size_t k = 0; k < i && rc == DVC_OK; k++)
					if (n->enum_num[k] == it->valuedouble)
						rc = serr(c, DVC_EDUPLICATE, NULL, "repeats %.17g",
							  it->valuedouble);
				snprintf(num, sizeof num, "%.17g", it->valuedouble);
				enum_text_add(&text, &full, i == 0, num);
			}
		}
		dvc_path_pop(&c->p, o2);
		if (rc != DVC_OK)
			break;
		i++;
	}
	dvc_path_pop(&c->p, old);
	if (rc == DVC_OK) {
		n->n_enum = count;
		if (text.oom || !(n->enum_text = dvc_arena_strdup(a, text.ptr ? text.ptr : "")))
			rc = dvc__oom();
	}
	dvc_buf_free(&text);
	return rc;
}

static int compile_node(cctx *c, const cJSON *js, int depth, node **out);

static int compile_properties(cctx *c, node *n, const cJSON *v, int depth)
{
	size_t i = 0, old;
	const cJSON *it;
	int rc = DVC_OK;
	if (!cJSON_IsObject(v))
		return serr(c, DVC_ESCHEMA, "properties", "must be an object");
	n->n_props = (size_t)cJSON_GetArraySize(v);
	if (!n->n_props)
		return DVC_OK;
	n->props = dvc_arena_alloc(&c->f->arena, n->n_props * sizeof *n->props);
	if (!n->props)
		return dvc__oom();
	old = dvc_path_key(&c->p, "properties");
	cJSON_ArrayForEach(it, v) {
		size_t o2 = dvc_path_key(&c->p, it->string);
		if (strlen(it->string) > DVC_EFORM_MAX_STRING)
			rc = serr(c, DVC_ETOOBIG, NULL, "field name is longer than %u bytes",
				  DVC_EFORM_MAX_STRING);
		else if (!(n->props[i].name = dvc_arena_strdup(&c->f->arena, it->string)))
			rc = dvc__oom();
		else
			rc = compile_node(c, it, depth + 1, &n->props[i].schema);
		dvc_path_pop(&c->p, o2);
		if (rc != DVC_OK)
			break;
		i++;
	}
	if (rc == DVC_OK) {
		qsort(n->props, n->n_props, sizeof *n->props, cmp_prop);
		for (i = 1; i < n->n_props && rc == DVC_OK; i++)
			if (strcmp(n->props[i - 1].name, n->props[i].name) == 0)
				rc = serr(c, DVC_EDUPLICATE, n->props[i].name,
					  "is declared twice");
	}
	dvc_path_pop(&c->p, old);
	return rc;
}

static int compile_required(cctx *c, node *n, const cJSON *v)
{
	size_t i = 0, old;
	const cJSON *it;
	int rc = DVC_OK;
	if (!cJSON_IsArray(v))
		return serr(c, DVC_ESCHEMA, "required", "must be an array of field names");
	old = dvc_path_key(&c->p, "required");
	cJSON_ArrayForEach(it, v) {
		ptrdiff_t k = -1;
		size_t o2 = dvc_path_index(&c->p, i++);
		if (!cJSON_IsString(it))
			rc = serr(c, DVC_ESCHEMA, NULL, "must be a field name (a string)");
		else if ((k = find_prop(n, it->valuestring)) < 0)
			rc = serr(c, DVC_ESCHEMA, NULL, "names \"%.64s\", which is not in properties",
				  it->valuestring);
		else if (n->props[k].required)
			rc = serr(c, DVC_EDUPLICATE, NULL, "repeats \"%.64s\"", it->valuestring);
		else
			n->props[k].required = true;
		dvc_path_pop(&c->p, o2);
		if (rc != DVC_OK)
			break;
	}
	dvc_path_pop(&c->p, old);
	return rc;
}

static int compile_node(cctx *c, const cJSON *js, int depth, node **out)
{
	const cJSON *v, *it;
	node *n;
	unsigned types = 0;
	int rc = DVC_OK, t;
	*out = NULL;
	if (depth > DVC_EFORM_MAX_DEPTH)
		return serr(c, DVC_ETOOBIG, NULL, "nests deeper than %d levels", DVC_EFORM_MAX_DEPTH);
	if (!cJSON_IsObject(js))
		return serr(c, DVC_ESCHEMA, NULL, "must be an object (a schema)");
	/* Keys: known, applicable, once. The duplicate scan stays short because
	 * every key before `it` is a distinct known keyword. */
	for (it = js->child; it; it = it->next) {
		if (keyword_types(it->string, &types) < 0)
			return serr(c, DVC_ESCHEMA, it->string, "is not a known keyword");
		for (const cJSON *q = js->child; q != it; q = q->next)
			if (strcmp(q->string, it->string) == 0)
				return serr(c, DVC_EDUPLICATE, it->string, "keyword appears twice");
	}
	n = dvc_arena_alloc(&c->f->arena, sizeof *n);
	if (!n)
		return dvc__oom();
	n->additional = true;
	v = cJSON_GetObjectItemCaseSensitive(js, "type");
	if (!v)
		return serr(c, DVC_ESCHEMA, "type", "is missing");
	for (t = 0; t < T_COUNT; t++)
		if (cJSON_IsString(v) && strcmp(v->valuestring, type_names[t]) == 0)
			break;
	n->type = (jtype)t;
	if (t == T_COUNT)
		return serr(c, DVC_ESCHEMA, "type",
			    "must be one of \"string\", \"integer\", \"number\", \"boolean\", "
			    "\"object\", \"array\"");
	for (it = js->child; it; it = it->next) {
		keyword_types(it->string, &types);
		if (!(types & TM(n->type)))
			return serr(c, DVC_ESCHEMA, it->string, "does not apply to type %s",
				    type_names[n->type]);
	}
	*out = n;

	/* Order matters only for "required", which needs "properties". */
	for (it = js->child; it && rc == DVC_OK; it = it->next) {
		const char *k = it->string;
		if (strcmp(k, "title") == 0 || strcmp(k, "description") == 0) {
			if (!cJSON_IsString(it))
				rc = serr(c, DVC_ESCHEMA, k, "must be a string");
		} else if (strcmp(k, "properties") == 0) {
			rc = compile_properties(c, n, it, depth);
		} else if (strcmp(k, "additionalProperties") == 0) {
			if (!cJSON_IsBool(it))
				rc = serr(c, DVC_ESCHEMA, k, "must be true or false");
			else
				n->additional = cJSON_IsTrue(it);
		} else if (strcmp(k, "items") == 0) {
			size_t old = dvc_path_key(&c->p, k);
			rc = compile_node(c, it, depth + 1, &n->items);
			dvc_path_pop(&c->p, old);
		} else if (strcmp(k, "minItems") == 0) {
			rc = get_count(c, it, k, &n->min_items, &n->has_min_items);
		} else if (strcmp(k, "maxItems") == 0) {
			rc = get_count(c, it, k, &n->max_items, &n->has_max_items);
		} else if (strcmp(k, "minLength") == 0) {
			rc = get_count(c, it, k, &n->min_len, &n->has_min_len);
		} else if (strcmp(k, "maxLength") == 0) {
			rc = get_count(c, it, k, &n->max_len, &n->has_max_len);
		} else if (strcmp(k, "pattern") == 0) {
			rc = compile_pattern(c, n, it);
		} else if (strcmp(k, "format") == 0) {
			for (t = F_DATE; t < F_COUNT; t++)
				if (cJSON_IsString(it) && strcmp(it->valuestring, format_names[t]) == 0)
					break;
			n->format = (fmt_kind)t;
			if (t == F_COUNT)
				rc = serr(c, DVC_ESCHEMA, k,
					  "must be one of \"date\", \"citizen_id\", \"phone\", \"email\"");
		} else if (strcmp(k, "enum") == 0) {
			rc = compile_enum(c, n, it);
		} else if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0) {
			bool is_min = k[1] == 'i';
			if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
				rc = serr(c, DVC_ESCHEMA, k, "must be a number");
			} else if (is_min) {
				n->min = it->valuedouble;
				n->has_min = true;
			} else {
				n->max = it->valuedouble;
				n->has_max = true;
			}
		}
	}
	if (rc != DVC_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(js, "required")) != NULL &&
	    (rc = compile_required(c, n, v)) != DVC_OK)
		return rc;

	/* Contradictions that no data could satisfy. */
	if (n->type == T_ARRAY && !n->items)
		return serr(c, DVC_ESCHEMA, "items", "is missing (the schema of the elements)");
	if (n->has_min_len && n->has_max_len && n->min_len > n->max_len)
		return serr(c, DVC_ESCHEMA, "maxLength", "is less than minLength");
	if (n->has_max_len && n->max_len > DVC_EFORM_MAX_STRING)
		return serr(c, DVC_ESCHEMA, "maxLength", "exceeds the %u-byte string limit",
			    DVC_EFORM_MAX_STRING);
	if (n->has_min_items && n->has_max_items && n->min_items > n->max_items)
		return serr(c, DVC_ESCHEMA, "maxItems", "is less than minItems");
	if (n->has_min && n->has_max && n->min > n->max)
		return serr(c, DVC_ESCHEMA, "maximum", "is less than minimum");
	return DVC_OK;
}

void dvc_eform_free(dvc_eform *f)
{
	if (!f)
		return;
	for (node *n = f->regexes; n; n = n->next_re)
		regfree(n->re);
	dvc_arena_free(&f->arena);
	dvc__free(f);
}

int dvc_eform_compile(dvc_eform **out, const char *schema_json, size_t len)
{
	cJSON *root;
	dvc_eform *f;
	cctx c;
	int rc;
	if (!out)
		return dvc__err(DVC_EINVAL, NULL, "no output for the compiled form");
	*out = NULL;
	rc = read_doc(schema_json, len, SCHEMA_RAW_DEPTH, "form schema", &root);
	if (rc != DVC_OK)
		return rc;
	f = dvc__calloc(1, sizeof *f);
	if (!f) {
		cJSON_Delete(root);
		return dvc__oom();
	}
	memset(&c, 0, sizeof c);
	c.f = f;
	rc = compile_node(&c, root, 1, &f->root);
	if (rc == DVC_OK && f->root->type != T_OBJECT)
		rc = serr(&c, DVC_ESCHEMA, "type", "must be \"object\" at the root of a form");
	cJSON_Delete(root);
	if (rc != DVC_OK) {
		dvc_eform_free(f);
		return rc;
	}
	*out = f;
	return DVC_OK;
}

/* ---- validating data ------------------------------------------------------- */

/* Record a data error: the message begins with the field's path. */
static int verr(path *p, int code, const char *fmt, ...) DVC_PRINTF(3, 4);
static int verr(path *p, int code, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return dvc__err(code, p->len ? p->s : NULL, "%s %s", p->len ? p->s : "form data", msg);
}

/* Limits on every value, also those no schema describes. Depth is already
 * bounded by read_doc(), so the recursion is too. */
static int check_sizes(path *p, const cJSON *d)
{
	const cJSON *it;
	size_t i = 0;
	if (cJSON_IsString(d) && strlen(d->valuestring) > DVC_EFORM_MAX_STRING)
		return verr(p, DVC_ETOOBIG, "is longer than %u bytes", DVC_EFORM_MAX_STRING);
	cJSON_ArrayForEach(it, d) {
		size_t old;
		int rc;
		if (cJSON_IsObject(d) && strlen(it->string) > DVC_EFORM_MAX_STRING)
			return verr(p, DVC_ETOOBIG, "has a field name longer than %u bytes",
				    DVC_EFORM_MAX_STRING);
		old = cJSON_IsObject(d) ? dvc_path_key(p, it->string) : dvc_path_index(p, i);
		rc = check_sizes(p, it);
		dvc_path_pop(p, old);
		if (rc != DVC_OK)
			return rc;
		i++;
	}
	return DVC_OK;
}

static size_t code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int check_format(path *p, fmt_kind format, const char *s)
{
	char why[256];
	dvc_date d;
	int rc;
	switch (format) {
	case F_DATE:
		rc = dvc__date_parse(s, &d);
		break;
	case F_CITIZEN_ID:
		rc = dvc_validate_citizen_id(s);
		break;
	case F_PHONE:
		rc = dvc_validate_phone(s, NULL);
		break;
	case F_EMAIL:
		rc = dvc_validate_email(s);
		break;
	case F_NONE:
	case F_COUNT:
	default:
		return DVC_OK;
	}
	if (rc == DVC_OK)
		return DVC_OK;
	/* The validator's message lives in the error record we are about to
	 * overwrite: copy it first. */
	snprintf(why, sizeof why, "%s", dvc_error_last()->message);
	return verr(p, DVC_ESCHEMA, "is not %s: %s", format_labels[format], why);
}

/* Duplicate keys: cJSON keeps both, and two consumers picking different
 * ones would see different data. Sorting a copy of the keys keeps large
 * objects O(m log m). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_duplicates(path *p, const cJSON *d)
{
	const char *small[16], **keys = small;
	size_t m = (size_t)cJSON_GetArraySize(d), i = 0;
	const cJSON *it;
	int rc = DVC_OK;
	if (m < 2)
		return DVC_OK;
	if (m > DVC_ARRAY_LEN(small) && !(keys = dvc__malloc(m * sizeof *keys)))
		return dvc__oom();
	cJSON_ArrayForEach(it, d)
		keys[i++] = it->string;
	qsort(keys, m, sizeof *keys, cmp_str);
	for (i = 1; i < m; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			size_t old = dvc_path_key(p, keys[i]);
			rc = verr(p, DVC_EDUPLICATE, "appears twice");
			dvc_path_pop(p, old);
			break;
		}
	if (keys != small)
		dvc__free(keys);
	return rc;
}

static int validate_node(path *p, const node *n, const cJSON *d);

static int validate_object(path *p, const node *n, const cJSON *d)
{
	bool small[64], *seen = small;
	const cJSON *it;
	int rc = check_duplicates(p, d);
	if (rc != DVC_OK)
		return rc;
	if (n->n_props > DVC_ARRAY_LEN(small) && !(seen = dvc__calloc(n->n_props, sizeof *seen)))
		return dvc__oom();
	if (seen == small)
		memset(small, 0, sizeof small);
	cJSON_ArrayForEach(it, d) {
		ptrdiff_t k = find_prop(n, it->string);
		size_t old = dvc_path_key(p, it->string);
		if (k >= 0) {
			seen[k] = true;
			rc = validate_node(p, n->props[k].schema, it);
		} else if (!n->additional) {
			rc = verr(p, DVC_ESCHEMA, "is not a field of this form");
		}
		dvc_path_pop(p, old);
		if (rc != DVC_OK)
			break;
	}
	for (size_t i = 0; i < n->n_props && rc == DVC_OK; i++)
		if (n->props[i].required && !seen[i]) {
			size_t old = dvc_path_key(p, n->props[i].name);
			rc = verr(p, DVC_ESCHEMA, "is required");
			dvc_path_pop(p, old);
		}
	if (seen != small)
		dvc__free(seen);
	return rc;
}

static int validate_array(path *p, const node *n, const cJSON *d)
{
	size_t count = (size_t)cJSON_GetArraySize(d), i = 0;
	const cJSON *it;
	if (n->has_min_items && count < n->min_items)
		return verr(p, DVC_ESCHEMA, "must have at least %zu item%s", n->min_items,
			    n->min_items == 1 ? "" : "s");
	if (n->has_max_items && count > n->max_items)
		return verr(p, DVC_ESCHEMA, "must have at most %zu item%s", n->max_items,
			    n->max_items == 1 ? "" : "s");
	cJSON_ArrayForEach(it, d) {
		size_t old = dvc_path_index(p, i++);
		int rc = validate_node(p, n->items, it);
		dvc_path_pop(p, old);
		if (rc != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

static int validate_string(path *p, const node *n, const char *s)
{
	if (n->has_min_len || n->has_max_len) {
		size_t len = code_points(s);
		if (n->has_min_len && len < n->min_len)
			return verr(p, DVC_ESCHEMA, "must have at least %zu character%s", n->min_len,
				    n->min_len == 1 ? "" : "s");
		if (n->has_max_len && len > n->max_len)
			return verr(p, DVC_ESCHEMA, "must have at most %zu character%s", n->max_len,
				    n->max_len == 1 ? "" : "s");
	}
	if (n->n_enum) {
		size_t i = 0;
		while (i < n->n_enum && strcmp(n->enum_str[i], s) != 0)
			i++;
		if (i == n->n_enum)
			return verr(p, DVC_ESCHEMA, "must be one of %s", n->enum_text);
	}
	if (n->re) {
		int rc = regexec(n->re, s, 0, NULL, 0);
		if (rc == REG_ESPACE)
			return dvc__oom();
		if (rc != 0)
			return verr(p, DVC_ESCHEMA, "must match pattern %.200s", n->pattern);
	}
	return check_format(p, n->format, s);
}

static int validate_number(path *p, const node *n, double v)
{
	if (n->has_min && v < n->min)
		return verr(p, DVC_ESCHEMA, "must be at least %.17g", n->min);
	if (n->has_max && v > n->max)
		return verr(p, DVC_ESCHEMA, "must be at most %.17g", n->max);
	if (n->n_enum) {
		size_t i = 0;
		while (i < n->n_enum && n->enum_num[i] != v)
			i++;
		if (i == n->n_enum)
			return verr(p, DVC_ESCHEMA, "must be one of %s", n->enum_text);
	}
	return DVC_OK;
}

static int validate_node(path *p, const node *n, const cJSON *d)
{
	bool ok;
	switch (n->type) {
	case T_STRING:
		ok = cJSON_IsString(d);
		break;
	case T_INTEGER:
		ok = cJSON_IsNumber(d) && is_int_value(d->valuedouble);
		break;
	case T_NUMBER:
		ok = cJSON_IsNumber(d) && isfinite(d->valuedouble);
		break;
	case T_BOOLEAN:
		ok = cJSON_IsBool(d);
		break;
	case T_OBJECT:
		ok = cJSON_IsObject(d);
		break;
	case T_ARRAY:
		ok = cJSON_IsArray(d);
		break;
	case T_COUNT:
	default:
		ok = false;
		break;
	}
	if (!ok)
		return verr(p, DVC_ESCHEMA, "%s", type_errors[n->type < T_COUNT ? n->type : 0]);
	switch (n->type) {
	case T_STRING:
		return validate_string(p, n, d->valuestring);
	case T_INTEGER:
	case T_NUMBER:
		return validate_number(p, n, d->valuedouble);
	case T_OBJECT:
		return validate_object(p, n, d);
	case T_ARRAY:
		return validate_array(p, n, d);
	case T_BOOLEAN:
	case T_COUNT:
	default:
		return DVC_OK;
	}
}

int dvc_eform_validate(const dvc_eform *f, const char *data_json, size_t len)
{
	cJSON *root;
	path p;
	int rc;
	if (!f)
		return dvc__err(DVC_EINVAL, NULL, "no form to validate against");
	rc = read_doc(data_json, len, DVC_EFORM_MAX_DEPTH, "form data", &root);
	if (rc != DVC_OK)
		return rc;
	p.len = 0;
	p.s[0] = '\0';
	rc = check_sizes(&p, root);
	if (rc == DVC_OK)
		rc = validate_node(&p, f->root, root);
	cJSON_Delete(root);
	return rc;
}

int dvc_eform_check(const char *schema_json, size_t slen, const char *data_json, size_t dlen)
{
	dvc_eform *f;
	int rc = dvc_eform_compile(&f, schema_json, slen);
	if (rc != DVC_OK)
		return rc;
	rc = dvc_eform_validate(f, data_json, dlen);
	dvc_eform_free(f);
	return rc;
}
