/* What a dossier must have before it moves on: the procedure's file policy
 * (limits, media types, every component before intake, fee before result),
 * the components still missing, and whether a signed result exists. Below
 * both the dossier actions (dossier.c) and the document uploads
 * (document.c), which each check these. */
#include "dossier_internal.h"
#include "dvc/catalog.h"

#include <stdio.h>
#include <string.h>

/* ---- policy ---- */

/* "type/subtype" with the token characters of RFC 6838, comma-separated. */
static int check_types(const char *s)
{
	size_t n = s ? strlen(s) : 0, item = 0;
	int slash = 0;
	if (!n || n >= DVC__TYPES_MAX)
		return dvc__err(DVC_EINVAL, "media_types", "the media type list must be 1..%d bytes",
				DVC__TYPES_MAX - 1);
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == ',' || c == '\0') {
			if (item == 0 || slash != 1 || s[i - 1] == '/')
				return dvc__err(DVC_EINVAL, "media_types",
						"malformed media type list '%.80s' (type/subtype,...)", s);
			item = 0;
			slash = 0;
			continue;
		}
		if (c == '/') {
			if (item == 0)
				return dvc__err(DVC_EINVAL, "media_types", "malformed media type in '%.80s'", s);
			slash++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+' ||
			     c == '-')) {
			return dvc__err(DVC_EINVAL, "media_types",
					"media types are lower-case tokens (type/subtype): '%.80s'", s);
		}
		item++;
	}
	return DVC_OK;
}

static int policy_set(dvc_db *db, const char *procedure, const dvc_procedure_policy *p)
{
	int rc = dvc__store_procedure_exists(db, procedure);
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "procedure", "no procedure %.40s", procedure);
	return rc == 1 ? dvc__store_policy_put(db, procedure, p) : rc;
}

int dvc_procedure_policy_set(dvc_db *db, const char *procedure, const dvc_procedure_policy *p)
{
	int rc;
	if (!db || !procedure || !p)
		return dvc__err(DVC_EINVAL, NULL, "dvc_procedure_policy_set needs a store, a procedure and a policy");
	if (p->version != DVC_PROCEDURE_POLICY_VERSION)
		return dvc__err(DVC_EINVAL, NULL, "unsupported dvc_procedure_policy version %u", p->version);
	if (p->max_file_bytes < 1 || p->max_file_bytes > DVC_FILE_MAX_BYTES)
		return dvc__err(DVC_EINVAL, "max_file_bytes", "the file limit must be 1..%lld bytes",
				(long long)DVC_FILE_MAX_BYTES);
	if ((rc = check_types(p->media_types)) != DVC_OK)
		return rc;
	DVC__WRITE(db, rc, policy_set(db, procedure, p));
	return rc;
}

int dvc__policy(dvc_db *db, const char *procedure, dvc_procedure_policy *p, char *types,
		size_t types_size)
{
	static const dvc_procedure_policy def = DVC_PROCEDURE_POLICY_INIT;
	int rc = dvc__store_policy_get(db, procedure, p, types, types_size);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*p = def;
		snprintf(types, types_size, "%s", DVC_FILE_DEFAULT_TYPES);
		p->media_types = types;
	}
	p->version = DVC_PROCEDURE_POLICY_VERSION;
	return DVC_OK;
}

int dvc_procedure_policy_get(dvc_db *db, const char *procedure, dvc_procedure_policy *out,
			     char *types, size_t types_size)
{
	int rc;
	if (!db || !procedure || !out || !types || !types_size)
		return dvc__err(DVC_EINVAL, NULL, "dvc_procedure_policy_get needs a store, a procedure and buffers");
	rc = dvc__store_procedure_exists(db, procedure);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return dvc__err(DVC_ENOTFOUND, "procedure", "no procedure %.40s", procedure);
	if ((rc = dvc__policy(db, procedure, out, types, types_size)) != DVC_OK)
		return rc;
	if (strlen(types) + 1 > types_size)
		return dvc__err(DVC_ETOOBIG, "types", "the media type list needs %zu bytes",
				strlen(types) + 1);
	return DVC_OK;
}

/* ---- what is missing ---- */

static int missing(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt, dvc_missing **out)
{
	dvc_procedure *p = NULL;
	dvc_arena a = DVC_ARENA_INIT;
	dvc_applicant app;
	const char *handler, *unit_name, *form_data = NULL;
	uint64_t have;
	dvc_missing *m;
	int *idx;
	const char **names;
	int rc;
	if ((rc = dvc__store_version_get(db, rt->code, rt->version, NULL, &p)) != DVC_OK)
		return rc;
	if ((rc = dvc__store_file_components(db, d->id, &have)) != DVC_OK ||
	    (rc = dvc__store_dossier_details(db, d->id, &a, &app, &handler, &unit_name, NULL,
					     &form_data)) != DVC_OK)
		goto fail;
	m = dvc_arena_alloc(&a, sizeof *m + sizeof(dvc_arena));
	idx = dvc_arena_alloc(&a, (p->n_documents + 1) * sizeof *idx);
	names = dvc_arena_alloc(&a, (p->n_documents + 1) * sizeof *names);
	if (!m || !idx || !names) {
		rc = dvc__oom();
		goto fail;
	}
	for (size_t i = 0; i < p->n_documents; i++) {
		int present = i < 64 && (have >> i & 1);
		/* an e-form component is the form data itself (or a scan of the paper form) */
		if (p->documents[i].submission == DVC_SUBMIT_EFORM && form_data && p->form_schema)
			present = 1;
		if (present)
			continue;
		idx[m->n] = (int)i;
		if (!(names[m->n] = dvc_arena_strdup(&a, p->documents[i].name))) {
			rc = dvc__oom();
			goto fail;
		}
		m->n++;
	}
	m->components = idx;
	m->names = names;
	dvc_procedure_free(p);
	*(dvc_arena *)(m + 1) = a;
	*out = m;
	return DVC_OK;
fail:
	dvc_procedure_free(p);
	dvc_arena_free(&a);
	return rc;
}

int dvc_dossier_missing(dvc_db *db, const char *code, dvc_missing **out)
{
	const dvc__proc_rt *rt;
	dvc__dossier d;
	int rc;
	if (!db || !code || !out)
		return dvc__err(DVC_EINVAL, NULL, "dvc_dossier_missing needs a store, a code and an out pointer");
	*out = NULL;
	if ((rc = dvc__read_begin(db)) != DVC_OK)
		return rc;
	if ((rc = dvc__store_dossier_load(db, code, &d)) == DVC_OK &&
	    (rc = dvc__rt_get(db, d.version_id, &rt)) == DVC_OK)
		rc = missing(db, &d, rt, out);
	dvc__read_end(db);
	return rc;
}

void dvc_missing_free(dvc_missing *m)
{
	if (m) {
		dvc_arena a = *(dvc_arena *)(m + 1);
		dvc_arena_free(&a);
	}
}

int dvc__documents_check_receipt(dvc_db *db, const dvc__dossier *d, const dvc__proc_rt *rt)
{
	dvc_procedure_policy pol;
	char types[DVC__TYPES_MAX];
	dvc_missing *m = NULL;
	dvc_buf list = DVC_BUF_INIT;
	int rc;
	if (d->channel != DVC_CHANNEL_ONLINE)
		return DVC_OK; /* paper brought to the desk is checked by the officer */
	if ((rc = dvc__policy(db, rt->code, &pol, types, sizeof types)) != DVC_OK)
		return rc;
	if (!pol.require_files)
		return DVC_OK;
	if ((rc = missing(db, d, rt, &m)) != DVC_OK)
		return rc;
	if (m->n == 0) {
		dvc_missing_free(m);
		return DVC_OK;
	}
	for (size_t i = 0; i < m->n; i++)
		dvc_buf_printf(&list, "%s%d. %.200s", i ? "; " : "", m->components[i] + 1, m->names[i]);
	rc = dvc__err(DVC_EINCOMPLETE, "documents", "dossier %s lacks %zu required component%s: %s",
		      d->code, m->n, m->n == 1 ? "" : "s", list.ptr ? list.ptr : "(out of memory)");
	dvc_buf_free(&list);
	dvc_missing_free(m);
	return rc;
}

/* ---- the signed result ---- */

/* The ids of the current (not replaced) result and signed envelope. */
typedef struct result_ids {
	int64_t raw, env;
} result_ids;

static int on_result_id(void *ctx, const dvc__file_row *f)
{
	result_ids *x = ctx;
	if (f->component == DVC_FILE_RESULT && !f->replaced_by)
		*(f->form == DVC_FILE_ECOPY ? &x->env : &x->raw) = f->id;
	return DVC_OK;
}

int dvc__dossier_has_signed_result(dvc_db *db, int64_t dossier_id)
{
	result_ids x = {0, 0};
	int rc = dvc__store_file_each(db, dossier_id, 0, on_result_id, &x);
	if (rc != DVC_OK)
		return rc;
	/* signed after the result it wraps was attached (ids only grow) */
	return x.raw && x.env && x.env > x.raw;
}
