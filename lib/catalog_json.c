/* Catalog document <-> JSON (format "dvc-catalog", format_version 1).
 * Strict: unknown or duplicate keys, wrong types and out-of-range values are
 * errors naming the path, because a silently ignored typo in a catalog means
 * wrong deadlines or fees for citizens. */
#include "catalog_internal.h"
#include "dvc/eform.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FORMAT_NAME "dvc-catalog"
#define FORMAT_VERSION 1

typedef struct jctx {
	dvc__catalog *c;
	dvc_path p;
} jctx;


static int fail(jctx *j, int code, const char *msg)
{
	return dvc__err(code, j->p.s, "%s: %s", j->p.s, msg);
}

/* Every key of `obj` must be in `allowed` (NULL-terminated) and appear once. */
static int check_keys(jctx *j, const cJSON *obj, const char *const *allowed, const char *what)
{
	if (!cJSON_IsObject(obj))
		return dvc__err(DVC_ESCHEMA, j->p.s, "%s must be a JSON object", what);
	for (const cJSON *it = obj->child; it; it = it->next) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, it->string) == 0;
		if (!ok) {
			size_t old = dvc_path_key(&j->p, it->string);
			int rc = dvc__err(DVC_ESCHEMA, j->p.s, "unknown key '%.64s' in %s", it->string, what);
			dvc_path_pop(&j->p, old);
			return rc;
		}
		for (const cJSON *p = obj->child; p != it; p = p->next)
			if (strcmp(p->string, it->string) == 0) {
				size_t old = dvc_path_key(&j->p, it->string);
				int rc = dvc__err(DVC_EDUPLICATE, j->p.s, "key '%.64s' appears twice in %s",
						  it->string, what);
				dvc_path_pop(&j->p, old);
				return rc;
			}
	}
	return DVC_OK;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Text: required unless `optional` (then NULL/absent gives NULL). */
static int get_text(jctx *j, const cJSON *obj, const char *key, bool optional, const char **out)
{
	const cJSON *v = field(obj, key);
	size_t old = dvc_path_key(&j->p, key);
	int rc = DVC_OK;
	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (!optional)
			rc = fail(j, DVC_ESCHEMA, "missing required field");
	} else if (!cJSON_IsString(v)) {
		rc = fail(j, DVC_ESCHEMA, "must be a string");
	} else {
		rc = dvc__catalog_text(j->c, v->valuestring, strlen(v->valuestring), j->p.s, out);
		if (rc == DVC_OK && !optional && **out == '\0')
			rc = fail(j, DVC_ESCHEMA, "must not be empty");
	}
	dvc_path_pop(&j->p, old);
	return rc;
}

/* The same character set as the XSD's Code type, so both formats accept the
 * same documents (and a code can never hold the store's list separator). */
static bool is_code(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > DVC_CATALOG_CODE_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Codes: non-empty ASCII letters, digits, '.', '-', '_' up to
 * DVC_CATALOG_CODE_MAX bytes. */
static int get_code(jctx *j, const cJSON *obj, const char *key, bool optional, const char **out)
{
	int rc = get_text(j, obj, key, optional, out);
	size_t old;
	if (rc != DVC_OK || !*out)
		return rc;
	old = dvc_path_key(&j->p, key);
	if (strlen(*out) > DVC_CATALOG_CODE_MAX)
		rc = dvc__err(DVC_ETOOBIG, j->p.s, "code longer than %u bytes", DVC_CATALOG_CODE_MAX);
	for (const char *p = *out; rc == DVC_OK && *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '-' || *p == '_'))
			rc = dvc__err(DVC_ESCHEMA, j->p.s,
				      "code '%.*s' may hold only ASCII letters, digits, '.', '-' and '_'",
				      (int)DVC_CATALOG_CODE_MAX, *out);
	dvc_path_pop(&j->p, old);
	return rc;
}

static int get_int(jctx *j, const cJSON *obj, const char *key, double min, double max, double *out)
{
	const cJSON *v = field(obj, key);
	size_t old = dvc_path_key(&j->p, key);
	int rc = DVC_OK;
	if (!v)
		rc = fail(j, DVC_ESCHEMA, "missing required field");
	else if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
		rc = fail(j, DVC_ESCHEMA, "must be an integer");
	else if (v->valuedouble < min || v->valuedouble > max)
		rc = dvc__err(DVC_ERANGE, j->p.s, "%.0f is outside %.0f..%.0f", v->valuedouble, min, max);
	else
		*out = v->valuedouble;
	dvc_path_pop(&j->p, old);
	return rc;
}

static int get_date(jctx *j, const cJSON *obj, const char *key, bool optional, int *has,
		    dvc_date *out)
{
	const cJSON *v = field(obj, key);
	size_t old = dvc_path_key(&j->p, key);
	int rc = DVC_OK;
	if (has)
		*has = 0;
	if (!v || cJSON_IsNull(v)) {
		if (!optional)
			rc = fail(j, DVC_ESCHEMA, "missing required field");
	} else if (!cJSON_IsString(v)) {
		rc = fail(j, DVC_ESCHEMA, "must be a date string YYYY-MM-DD");
	} else if ((rc = dvc__date_parse(v->valuestring, out)) != DVC_OK) {
		dvc__err_prefix_path(j->p.s);
	} else if (has) {
		*has = 1;
	}
	dvc_path_pop(&j->p, old);
	return rc;
}

static int get_enum(jctx *j, const cJSON *obj, const char *key, int (*parse)(const char *),
		    int *out)
{
	const cJSON *v = field(obj, key);
	size_t old = dvc_path_key(&j->p, key);
	int rc = DVC_OK;
	if (!v)
		rc = fail(j, DVC_ESCHEMA, "missing required field");
	else if (!cJSON_IsString(v) || (*out = parse(v->valuestring)) < 0)
		rc = dvc__err(DVC_ESCHEMA, j->p.s, "unknown value '%.40s'",
			      cJSON_IsString(v) ? v->valuestring : "(not a string)");
	dvc_path_pop(&j->p, old);
	return rc;
}

/* An array field: returns its size, or a negative status. */
static int get_array(jctx *j, const cJSON *obj, const char *key, bool optional,
		     const cJSON **out, size_t *n)
{
	const cJSON *v = field(obj, key);
	*out = NULL;
	*n = 0;
	if (!v && optional)
		return DVC_OK;
	if (!v || !cJSON_IsArray(v)) {
		size_t old = dvc_path_key(&j->p, key);
		int rc = fail(j, DVC_ESCHEMA, v ? "must be an array" : "missing required field");
		dvc_path_pop(&j->p, old);
		return rc;
	}
	*out = v;
	*n = (size_t)cJSON_GetArraySize(v);
	return DVC_OK;
}

static void *arena_array(jctx *j, size_t n, size_t size)
{
	return dvc_arena_alloc(&j->c->arena, (n ? n : 1) * size);
}

static int read_strings(jctx *j, const cJSON *obj, const char *key, bool codes,
			const char *const **out, size_t *n, size_t min)
{
	const cJSON *arr, *it;
	const char **v;
	size_t i = 0, old;
	int rc = get_array(j, obj, key, false, &arr, n);
	if (rc != DVC_OK)
		return rc;
	old = dvc_path_key(&j->p, key);
	if (*n < min) {
		rc = dvc__err(DVC_ESCHEMA, j->p.s, "needs at least %zu entries", min);
		dvc_path_pop(&j->p, old);
		return rc;
	}
	if (!(v = arena_array(j, *n, sizeof *v))) {
		dvc_path_pop(&j->p, old);
		return dvc__oom();
	}
	cJSON_ArrayForEach(it, arr) {
		size_t o2 = dvc_path_index(&j->p, i);
		if (!cJSON_IsString(it)) {
			rc = dvc__err(DVC_ESCHEMA, j->p.s, "must be a string");
		} else {
			rc = dvc__catalog_text(j->c, it->valuestring, strlen(it->valuestring), j->p.s, &v[i]);
			if (rc == DVC_OK && (!*v[i] || (codes && !is_code(v[i]))))
				rc = codes ? dvc__err(DVC_ESCHEMA, j->p.s, "must be a non-empty code (at most %u"
						      " ASCII letters, digits, '.', '-', '_')", DVC_CATALOG_CODE_MAX)
					   : dvc__err(DVC_ESCHEMA, j->p.s, "must be a non-empty text");
		}
		dvc_path_pop(&j->p, o2);
		if (rc != DVC_OK)
			break;
		i++;
	}
	dvc_path_pop(&j->p, old);
	*out = v;
	return rc;
}

static const char *const version_keys[] = {
	"version", "valid_from", "name", "sector", "levels", "agency", "online_level",
	"online_mode", "deadline", "result_type", "legal_basis", "documents", "fees",
	"unconfirmed", "route", "form_schema", "served_by", NULL};
static const char *const served_keys[] = {"level", "kind", NULL};
static const char *const route_keys[] = {"unit", "role", "share", NULL};
static const char *const doc_keys[] = {"name", "form", "count", "submission", NULL};
static const char *const fee_keys[] = {"name", "kind", "amount", "note", NULL};
static const char *const deadline_keys[] = {"value", "unit", NULL};

/* One element of an array of objects, read into `out`. */
typedef int (*read_one_fn)(jctx *j, const cJSON *it, void *out);

/* The array of objects `key` (absent is fine when `optional`: *out NULL, *n
 * 0), each element of `size` bytes read by `one` under its index in the
 * path. */
static int read_objects(jctx *j, const cJSON *obj, const char *key, bool optional, size_t size,
			read_one_fn one, void **out, size_t *n)
{
	const cJSON *arr, *it;
	size_t count, i = 0, old;
	char *v;
	int rc = get_array(j, obj, key, optional, &arr, &count);
	*out = NULL;
	*n = 0;
	if (rc != DVC_OK || !arr)
		return rc;
	if (!(v = arena_array(j, count, size)))
		return dvc__oom();
	old = dvc_path_key(&j->p, key);
	cJSON_ArrayForEach(it, arr) {
		size_t o2 = dvc_path_index(&j->p, i);
		rc = one(j, it, v + i * size);
		dvc_path_pop(&j->p, o2);
		if (rc != DVC_OK)
			break;
		i++;
	}
	dvc_path_pop(&j->p, old);
	if (rc != DVC_OK)
		return rc;
	*out = v;
	*n = count;
	return DVC_OK;
}

static int read_document(jctx *j, const cJSON *it, void *out)
{
	dvc_document *dd = out;
	double d;
	int e, rc;
	if ((rc = check_keys(j, it, doc_keys, "a document")) == DVC_OK &&
	    (rc = get_text(j, it, "name", false, &dd->name)) == DVC_OK &&
	    (rc = get_enum(j, it, "form", dvc__doc_form_parse, &e)) == DVC_OK) {
		dd->form = (dvc_doc_form)e;
		if ((rc = get_int(j, it, "count", 1, 1000, &d)) == DVC_OK) {
			dd->count = (int)d;
			if ((rc = get_enum(j, it, "submission", dvc__doc_submission_parse, &e)) == DVC_OK)
				dd->submission = (dvc_doc_submission)e;
		}
	}
	return rc;
}

static int read_fee(jctx *j, const cJSON *it, void *out)
{
	dvc_fee *f = out;
	double d;
	int e, rc;
	if ((rc = check_keys(j, it, fee_keys, "a fee")) == DVC_OK &&
	    (rc = get_text(j, it, "name", false, &f->name)) == DVC_OK &&
	    (rc = get_enum(j, it, "kind", dvc__fee_kind_parse, &e)) == DVC_OK) {
		f->kind = (dvc_fee_kind)e;
		/* VND amounts: integers, bounded well below 2^53 so doubles are exact */
		if ((rc = get_int(j, it, "amount", 0, 1e15, &d)) == DVC_OK) {
			f->amount = (int64_t)d;
			rc = get_text(j, it, "note", true, &f->note);
		}
	}
	return rc;
}

static int read_route_step(jctx *j, const cJSON *it, void *out)
{
	dvc_route_step *st = out;
	const char *role = NULL;
	double d;
	int rc;
	if ((rc = check_keys(j, it, route_keys, "a route step")) == DVC_OK &&
	    (rc = get_code(j, it, "unit", false, &st->unit)) == DVC_OK &&
	    (rc = get_code(j, it, "role", false, &role)) == DVC_OK) {
		dvc_role r;
		size_t o3 = dvc_path_key(&j->p, "role");
		if (dvc_role_parse(role, &r) != DVC_OK || r == DVC_ROLE_APPLICANT)
			rc = dvc__err(DVC_ESCHEMA, j->p.s, "unknown officer role '%.40s'", role);
		st->role = r;
		dvc_path_pop(&j->p, o3);
		if (rc == DVC_OK && (rc = get_int(j, it, "share", 0, 100, &d)) == DVC_OK)
			st->share = (int)d;
	}
	return rc;
}

static int read_version(jctx *j, const cJSON *o, const char *code, dvc_procedure *p)
{
	double d;
	int e, rc;
	size_t old;
	void *v;

	if ((rc = check_keys(j, o, version_keys, "a procedure version")) != DVC_OK)
		return rc;
	p->code = code;
	if ((rc = get_int(j, o, "version", 1, 100000, &d)) != DVC_OK)
		return rc;
	p->version = (int)d;
	if ((rc = get_date(j, o, "valid_from", false, NULL, &p->valid_from)) != DVC_OK ||
	    (rc = get_text(j, o, "name", false, &p->name)) != DVC_OK ||
	    (rc = get_code(j, o, "sector", false, &p->sector)) != DVC_OK ||
	    (rc = get_code(j, o, "agency", false, &p->agency)) != DVC_OK ||
	    (rc = read_strings(j, o, "levels", true, &p->levels, &p->n_levels, 1)) != DVC_OK)
		return rc;
	if (field(o, "served_by") && !cJSON_IsNull(field(o, "served_by"))) {
		const cJSON *sb = field(o, "served_by");
		old = dvc_path_key(&j->p, "served_by");
		if ((rc = check_keys(j, sb, served_keys, "served_by")) == DVC_OK &&
		    (rc = get_code(j, sb, "level", false, &p->served_level)) == DVC_OK)
			rc = get_code(j, sb, "kind", true, &p->served_kind);
		dvc_path_pop(&j->p, old);
		if (rc != DVC_OK)
			return rc;
	}
	if ((rc = get_int(j, o, "online_level", 1, 4, &d)) != DVC_OK)
		return rc;
	p->online_level = (int)d;
	if ((rc = get_enum(j, o, "online_mode", dvc__online_mode_parse, &e)) != DVC_OK)
		return rc;
	p->online_mode = (dvc_online_mode)e;
	old = dvc_path_key(&j->p, "deadline");
	if ((rc = check_keys(j, field(o, "deadline"), deadline_keys, "a deadline")) == DVC_OK &&
	    (rc = get_int(j, field(o, "deadline"), "value", 1, 10000, &d)) == DVC_OK &&
	    (rc = get_enum(j, field(o, "deadline"), "unit", dvc__deadline_unit_parse, &e)) == DVC_OK) {
		p->deadline_value = (int)d;
		p->deadline_unit = (dvc_deadline_unit)e;
	}
	dvc_path_pop(&j->p, old);
	if (rc == DVC_ESCHEMA && !field(o, "deadline"))
		rc = dvc__err(DVC_ESCHEMA, j->p.s, "missing required field 'deadline'");
	if (rc != DVC_OK)
		return rc;
	if ((rc = get_text(j, o, "result_type", false, &p->result_type)) != DVC_OK ||
	    (rc = read_strings(j, o, "legal_basis", false, &p->legal_basis, &p->n_legal_basis, 1)) != DVC_OK ||
	    (rc = read_strings(j, o, "unconfirmed", true, &p->unconfirmed, &p->n_unconfirmed, 0)) != DVC_OK)
		return rc;

	if ((rc = read_objects(j, o, "documents", false, sizeof *p->documents, read_document, &v,
				&p->n_documents)) != DVC_OK)
		return rc;
	p->documents = v;
	if ((rc = read_objects(j, o, "fees", false, sizeof *p->fees, read_fee, &v, &p->n_fees)) != DVC_OK)
		return rc;
	p->fees = v;

	/* optional processing route */
	if ((rc = read_objects(j, o, "route", true, sizeof *p->route, read_route_step, &v,
				&p->n_route)) != DVC_OK)
		return rc;
	p->route = v;

	/* optional e-form schema, kept as compact JSON text */
	const cJSON *fs = field(o, "form_schema");
	if (fs && !cJSON_IsNull(fs)) {
		char *text;
		old = dvc_path_key(&j->p, "form_schema");
		if (!cJSON_IsObject(fs)) {
			rc = fail(j, DVC_ESCHEMA, "must be a JSON object");
		} else if (!(text = cJSON_PrintUnformatted(fs))) {
			rc = dvc__oom();
		} else {
			rc = dvc__catalog_text_big(j->c, text, strlen(text), j->p.s, &p->form_schema);
			cJSON_free(text);
		}
		dvc_path_pop(&j->p, old);
		if (rc != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

static const char *const top_keys[] = {"format", "format_version", "levels", "sectors",
				       "agencies", "successions", "procedures", NULL};
static const char *const succession_keys[] = {"predecessor", "successor", "date", "act", "note",
					      NULL};
static const char *const level_keys[] = {"code", "name", "rank", NULL};
static const char *const sector_keys[] = {"code", "name", NULL};
static const char *const agency_keys[] = {"code", "name", "level", "kind", "parent",
					  "valid_from", "valid_to", NULL};
static const char *const proc_keys[] = {"code", "versions", NULL};

static int read_doc(jctx *j, const cJSON *root)
{
	dvc__catalog *c = j->c;
	const cJSON *arr, *it, *fmt;
	size_t n, i, old;
	double d;
	int rc;

	if ((rc = check_keys(j, root, top_keys, "the catalog document")) != DVC_OK)
		return rc;
	fmt = field(root, "format");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, FORMAT_NAME) != 0)
		return dvc__err(DVC_ESCHEMA, "format", "not a catalog document: format must be \"%s\"",
				FORMAT_NAME);
	if ((rc = get_int(j, root, "format_version", 1, 1000000, &d)) != DVC_OK)
		return rc;
	if ((int)d > FORMAT_VERSION)
		return dvc__err(DVC_EVERSION, "format_version",
				"catalog format_version %d is newer than this libdvc (%d)", (int)d,
				FORMAT_VERSION);

#define EACH(key, optional, arrptr, count, ...)                                     \
	if ((rc = get_array(j, root, key, optional, &arr, &n)) != DVC_OK)            \
		return rc;                                                           \
	if (!(arrptr = arena_array(j, n, sizeof *arrptr)))                           \
		return dvc__oom();                                                   \
	count = n;                                                                   \
	old = dvc_path_key(&j->p, key);                                                      \
	i = 0;                                                                       \
	cJSON_ArrayForEach(it, arr) {                                                \
		size_t o2 = dvc_path_index(&j->p, i);                                        \
		__VA_ARGS__                                                          \
		dvc_path_pop(&j->p, o2);                                                          \
		if (rc != DVC_OK)                                                    \
			return rc;                                                   \
		i++;                                                                 \
	}                                                                            \
	dvc_path_pop(&j->p, old);

	EACH("levels", true, c->levels, c->n_levels, {
		dvc__level *l = &c->levels[i];
		if ((rc = check_keys(j, it, level_keys, "a level")) == DVC_OK &&
		    (rc = get_code(j, it, "code", false, &l->code)) == DVC_OK &&
		    (rc = get_text(j, it, "name", false, &l->name)) == DVC_OK &&
		    (rc = get_int(j, it, "rank", 0, 1000, &d)) == DVC_OK)
			l->rank = (int)d;
	})
	EACH("sectors", true, c->sectors, c->n_sectors, {
		dvc__sector *s = &c->sectors[i];
		if ((rc = check_keys(j, it, sector_keys, "a sector")) == DVC_OK &&
		    (rc = get_code(j, it, "code", false, &s->code)) == DVC_OK)
			rc = get_text(j, it, "name", false, &s->name);
	})
	EACH("agencies", true, c->agencies, c->n_agencies, {
		dvc__agency *a = &c->agencies[i];
		if ((rc = check_keys(j, it, agency_keys, "an agency")) == DVC_OK &&
		    (rc = get_code(j, it, "code", false, &a->code)) == DVC_OK &&
		    (rc = get_text(j, it, "name", false, &a->name)) == DVC_OK &&
		    (rc = get_code(j, it, "level", false, &a->level)) == DVC_OK &&
		    (rc = get_code(j, it, "kind", true, &a->kind)) == DVC_OK &&
		    (rc = get_code(j, it, "parent", true, &a->parent)) == DVC_OK &&
		    (rc = get_date(j, it, "valid_from", false, NULL, &a->valid_from)) == DVC_OK)
			rc = get_date(j, it, "valid_to", true, &a->has_valid_to, &a->valid_to);
	})
	EACH("successions", true, c->successions, c->n_successions, {
		dvc_succession *sc = &c->successions[i];
		if ((rc = check_keys(j, it, succession_keys, "a successor link")) == DVC_OK &&
		    (rc = get_code(j, it, "predecessor", false, &sc->predecessor)) == DVC_OK &&
		    (rc = get_code(j, it, "successor", false, &sc->successor)) == DVC_OK &&
		    (rc = get_date(j, it, "date", false, NULL, &sc->date)) == DVC_OK &&
		    (rc = get_text(j, it, "act", false, &sc->act)) == DVC_OK)
			rc = get_text(j, it, "note", true, &sc->note);
	})
	EACH("procedures", true, c->procs, c->n_procs, {
		dvc__proc *p = &c->procs[i];
		const cJSON *varr, *vit;
		size_t nv, v = 0;
		if ((rc = check_keys(j, it, proc_keys, "a procedure")) == DVC_OK &&
		    (rc = get_code(j, it, "code", false, &p->code)) == DVC_OK &&
		    (rc = get_array(j, it, "versions", false, &varr, &nv)) == DVC_OK) {
			if (nv == 0) {
				size_t o3 = dvc_path_key(&j->p, "versions");
				rc = dvc__err(DVC_ESCHEMA, j->p.s, "procedure %s has no version", p->code);
				dvc_path_pop(&j->p, o3);
			} else if (!(p->versions = arena_array(j, nv, sizeof *p->versions))) {
				rc = dvc__oom();
			} else {
				size_t o3 = dvc_path_key(&j->p, "versions");
				p->n_versions = nv;
				cJSON_ArrayForEach(vit, varr) {
					size_t o4 = dvc_path_index(&j->p, v);
					rc = read_version(j, vit, p->code, &p->versions[v]);
					dvc_path_pop(&j->p, o4);
					if (rc != DVC_OK)
						break;
					v++;
				}
				dvc_path_pop(&j->p, o3);
			}
		}
	})
#undef EACH
	return DVC_OK;
}

int dvc__catalog_from_json(const char *data, size_t len, dvc__catalog *out)
{
	/* A version's form schema nests inside the document at depth 6. */
	static const dvc__json_limits lim = {DVC_CATALOG_MAX_INPUT, 2 * DVC_EFORM_MAX_DEPTH + 8,
					     DVC_CATALOG_MAX_VALUES};
	jctx j;
	cJSON *root;
	int rc;
	memset(out, 0, sizeof *out);
	memset(&j, 0, sizeof j);
	j.c = out;
	if ((rc = dvc__json_read(data, len, &lim, "the catalog document", &root)) != DVC_OK)
		return rc;
	rc = read_doc(&j, root);
	cJSON_Delete(root);
	if (rc != DVC_OK)
		dvc__catalog_free(out);
	return rc;
}

/* ---- writer ---- */

static cJSON *add_str(cJSON *o, const char *k, const char *v)
{
	return v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k);
}

static cJSON *date_str(cJSON *o, const char *k, const dvc_date *d)
{
	char s[11];
	dvc__date_format(d, s);
	return cJSON_AddStringToObject(o, k, s);
}

static bool add_strings(cJSON *o, const char *k, const char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	if (!a)
		return false;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return true;
}

/* A new object appended to the array `arr`, or NULL (nothing added). */
static cJSON *add_object(cJSON *arr)
{
	cJSON *x = cJSON_CreateObject();
	if (x && !cJSON_AddItemToArray(arr, x)) {
		cJSON_Delete(x);
		return NULL;
	}
	return x;
}

cJSON *dvc__procedure_version_json(const dvc_procedure *p)
{
	cJSON *o = cJSON_CreateObject(), *dl, *arr;
	bool ok = o != NULL;
	ok = ok && cJSON_AddNumberToObject(o, "version", p->version);
	ok = ok && date_str(o, "valid_from", &p->valid_from);
	ok = ok && add_str(o, "name", p->name);
	ok = ok && add_str(o, "sector", p->sector);
	ok = ok && add_strings(o, "levels", p->levels, p->n_levels);
	ok = ok && add_str(o, "agency", p->agency);
	if (ok && p->served_level) {
		cJSON *sb = cJSON_AddObjectToObject(o, "served_by");
		ok = sb && add_str(sb, "level", p->served_level) &&
		     (!p->served_kind || add_str(sb, "kind", p->served_kind));
	}
	ok = ok && cJSON_AddNumberToObject(o, "online_level", p->online_level);
	ok = ok && add_str(o, "online_mode", dvc_online_mode_name(p->online_mode));
	ok = ok && (dl = cJSON_AddObjectToObject(o, "deadline")) != NULL;
	ok = ok && cJSON_AddNumberToObject(dl, "value", p->deadline_value);
	ok = ok && add_str(dl, "unit", dvc_deadline_unit_name(p->deadline_unit));
	ok = ok && add_str(o, "result_type", p->result_type);
	ok = ok && add_strings(o, "legal_basis", p->legal_basis, p->n_legal_basis);
	ok = ok && (arr = cJSON_AddArrayToObject(o, "documents")) != NULL;
	for (size_t i = 0; ok && i < p->n_documents; i++) {
		const dvc_document *d = &p->documents[i];
		cJSON *x = add_object(arr);
		ok = x && add_str(x, "name", d->name) && add_str(x, "form", dvc_doc_form_name(d->form)) &&
		     cJSON_AddNumberToObject(x, "count", d->count) &&
		     add_str(x, "submission", dvc_doc_submission_name(d->submission));
	}
	ok = ok && (arr = cJSON_AddArrayToObject(o, "fees")) != NULL;
	for (size_t i = 0; ok && i < p->n_fees; i++) {
		const dvc_fee *f = &p->fees[i];
		cJSON *x = add_object(arr);
		ok = x && add_str(x, "name", f->name) && add_str(x, "kind", dvc_fee_kind_name(f->kind)) &&
		     cJSON_AddNumberToObject(x, "amount", (double)f->amount) &&
		     (!f->note || add_str(x, "note", f->note));
	}
	ok = ok && add_strings(o, "unconfirmed", p->unconfirmed, p->n_unconfirmed);
	if (ok && p->n_route) {
		ok = (arr = cJSON_AddArrayToObject(o, "route")) != NULL;
		for (size_t i = 0; ok && i < p->n_route; i++) {
			cJSON *x = add_object(arr);
			ok = x && add_str(x, "unit", p->route[i].unit) &&
			     add_str(x, "role", dvc_role_name(p->route[i].role)) &&
			     cJSON_AddNumberToObject(x, "share", p->route[i].share);
		}
	}
	if (ok && p->form_schema) {
		cJSON *fs = cJSON_Parse(p->form_schema);
		ok = fs && cJSON_AddItemToObject(o, "form_schema", fs);
		if (!ok)
			cJSON_Delete(fs);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int dvc__catalog_to_json(const dvc__catalog *c, dvc_buf *out)
{
	cJSON *root = cJSON_CreateObject(), *arr, *x, *vs;
	char *text;
	bool ok = root != NULL;
	ok = ok && add_str(root, "format", FORMAT_NAME);
	ok = ok && cJSON_AddNumberToObject(root, "format_version", FORMAT_VERSION);
	ok = ok && (arr = cJSON_AddArrayToObject(root, "levels")) != NULL;
	for (size_t i = 0; ok && i < c->n_levels; i++) {
		ok = (x = add_object(arr)) != NULL &&
		     add_str(x, "code", c->levels[i].code) && add_str(x, "name", c->levels[i].name) &&
		     cJSON_AddNumberToObject(x, "rank", c->levels[i].rank);
	}
	ok = ok && (arr = cJSON_AddArrayToObject(root, "sectors")) != NULL;
	for (size_t i = 0; ok && i < c->n_sectors; i++) {
		ok = (x = add_object(arr)) != NULL &&
		     add_str(x, "code", c->sectors[i].code) && add_str(x, "name", c->sectors[i].name);
	}
	ok = ok && (arr = cJSON_AddArrayToObject(root, "agencies")) != NULL;
	for (size_t i = 0; ok && i < c->n_agencies; i++) {
		const dvc__agency *a = &c->agencies[i];
		ok = (x = add_object(arr)) != NULL &&
		     add_str(x, "code", a->code) && add_str(x, "name", a->name) &&
		     add_str(x, "level", a->level) && (!a->kind || add_str(x, "kind", a->kind)) &&
		     add_str(x, "parent", a->parent) &&
		     date_str(x, "valid_from", &a->valid_from) &&
		     (a->has_valid_to ? date_str(x, "valid_to", &a->valid_to) != NULL
				      : cJSON_AddNullToObject(x, "valid_to") != NULL);
	}
	if (ok && c->n_successions)
		ok = (arr = cJSON_AddArrayToObject(root, "successions")) != NULL;
	for (size_t i = 0; ok && i < c->n_successions; i++) {
		const dvc_succession *sc = &c->successions[i];
		ok = (x = add_object(arr)) != NULL &&
		     add_str(x, "predecessor", sc->predecessor) && add_str(x, "successor", sc->successor) &&
		     date_str(x, "date", &sc->date) && add_str(x, "act", sc->act) &&
		     (!sc->note || add_str(x, "note", sc->note));
	}
	ok = ok && (arr = cJSON_AddArrayToObject(root, "procedures")) != NULL;
	for (size_t i = 0; ok && i < c->n_procs; i++) {
		const dvc__proc *p = &c->procs[i];
		ok = (x = add_object(arr)) != NULL &&
		     add_str(x, "code", p->code) && (vs = cJSON_AddArrayToObject(x, "versions")) != NULL;
		for (size_t v = 0; ok && v < p->n_versions; v++) {
			cJSON *vj = dvc__procedure_version_json(&p->versions[v]);
			ok = vj && cJSON_AddItemToArray(vs, vj);
			if (!ok)
				cJSON_Delete(vj);
		}
	}
	if (!ok) {
		cJSON_Delete(root);
		return dvc__oom();
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return dvc__oom();
	dvc_buf_puts(out, text);
	dvc_buf_putc(out, '\n');
	cJSON_free(text);
	return out->oom ? dvc__oom() : DVC_OK;
}
