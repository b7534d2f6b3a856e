/* The catalog as a model, below the store: the interchange names of its
 * enumerations, its text fields (UTF-8, NFC, limits), the checks across the
 * records of one document, and procedure equality (a re-import of the same
 * version is a no-op, a different one an error). Used by the JSON and XML
 * readers and by the import in catalog.c. */
#include "catalog_internal.h"
#include "dvc/eform.h"
#include "dvc/payment.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* ---- enumerations and their interchange names (one table each) ---- */

static const char *const doc_forms[] = {"original", "copy", "original_or_copy"};
static const char *const doc_submissions[] = {"eform", "upload"};
static const char *const fee_kinds[] = {"fixed", "per_copy", "per_page"};
static const char *const online_modes[] = {"none", "partial", "full"};
static const char *const deadline_units[] = {"days", "hours"};

static const char *const formats[] = {"auto", "json", "xml"};
static const char *const matches[] = {"phrase", "words", "fuzzy"};

/* The public pair, and the import's own lookup (-1 when unknown: the
 * readers word their errors with the field's path). */
#define ENUM_FUNCS(fn, table, type, what)                                                   \
	DVC__ENUM_NAMES(fn, type, table, what)                                              \
	int dvc__##fn##_parse(const char *s) { return dvc__enum_index(table, DVC_ARRAY_LEN(table), s); }
ENUM_FUNCS(doc_form, doc_forms, dvc_doc_form, "document form")
ENUM_FUNCS(doc_submission, doc_submissions, dvc_doc_submission, "submission")
ENUM_FUNCS(fee_kind, fee_kinds, dvc_fee_kind, "fee kind")
ENUM_FUNCS(online_mode, online_modes, dvc_online_mode, "online mode")
ENUM_FUNCS(deadline_unit, deadline_units, dvc_deadline_unit, "deadline unit")
DVC__ENUM_NAMES(format, dvc_format, formats, "format")
DVC__ENUM_NAMES(match, dvc_match, matches, "match")

/* ---- text fields ---- */

static int catalog_text(dvc__catalog *c, const char *s, size_t n, size_t limit,
			const char *path, const char **out)
{
	dvc_buf b = DVC_BUF_INIT;
	char *r;
	if (n > limit)
		return dvc__err(DVC_ETOOBIG, path, "text of %zu bytes exceeds the limit of %zu",
				n, limit);
	if (!dvc__utf8_valid(s, n))
		return dvc__err(DVC_EUTF8, path, "text is not valid UTF-8");
	dvc__nfc(s, n, &b);
	if (b.oom) {
		dvc_buf_free(&b);
		return dvc__oom();
	}
	r = dvc_arena_strndup(&c->arena, b.ptr ? b.ptr : "", b.len);
	dvc_buf_free(&b);
	if (!r)
		return dvc__oom();
	*out = r;
	return DVC_OK;
}

int dvc__catalog_text(dvc__catalog *c, const char *s, size_t n, const char *path,
		      const char **out)
{
	return catalog_text(c, s, n, DVC_CATALOG_MAX_TEXT, path, out);
}

int dvc__catalog_text_big(dvc__catalog *c, const char *s, size_t n, const char *path,
			  const char **out)
{
	return catalog_text(c, s, n, DVC_CATALOG_MAX_SCHEMA, path, out);
}

void dvc__catalog_free(dvc__catalog *c)
{
	dvc_arena_free(&c->arena);
	memset(c, 0, sizeof *c);
}

/* ---- cross-record checks within one document ---- */

int dvc__catalog_check(const dvc__catalog *c)
{
	char path[128];
	/* Quadratic scans: documents hold hundreds of reference records at most;
	 * procedures use a sorted copy below. */
	for (size_t i = 0; i < c->n_levels; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->levels[i].code, c->levels[j].code) == 0) {
				snprintf(path, sizeof path, "levels[%zu].code", i);
				return dvc__err(DVC_EDUPLICATE, path, "level '%s' appears twice",
						c->levels[i].code);
			}
	for (size_t i = 0; i < c->n_sectors; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->sectors[i].code, c->sectors[j].code) == 0) {
				snprintf(path, sizeof path, "sectors[%zu].code", i);
				return dvc__err(DVC_EDUPLICATE, path, "sector '%s' appears twice",
						c->sectors[i].code);
			}
	for (size_t i = 0; i < c->n_agencies; i++) {
		const dvc__agency *a = &c->agencies[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->code, c->agencies[j].code) == 0) {
				snprintf(path, sizeof path, "agencies[%zu].code", i);
				return dvc__err(DVC_EDUPLICATE, path, "agency '%s' appears twice", a->code);
			}
		if (a->has_valid_to && dvc__date_cmp(&a->valid_to, &a->valid_from) < 0) {
			snprintf(path, sizeof path, "agencies[%zu].valid_to", i);
			return dvc__err(DVC_ESCHEMA, path, "agency %s: valid_to is before valid_from",
					a->code);
		}
	}
	for (size_t i = 0; i < c->n_successions; i++) {
		const dvc_succession *a = &c->successions[i];
		if (strcmp(a->predecessor, a->successor) == 0) {
			snprintf(path, sizeof path, "successions[%zu].successor", i);
			return dvc__err(DVC_ESCHEMA, path, "agency %s cannot succeed itself", a->successor);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->predecessor, c->successions[j].predecessor) == 0 &&
			    strcmp(a->successor, c->successions[j].successor) == 0) {
				snprintf(path, sizeof path, "successions[%zu]", i);
				return dvc__err(DVC_EDUPLICATE, path, "the link %s -> %s appears twice",
						a->predecessor, a->successor);
			}
	}
	for (size_t i = 0; i < c->n_procs; i++) {
		const dvc__proc *p = &c->procs[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->code, c->procs[j].code) == 0) {
				snprintf(path, sizeof path, "procedures[%zu].code", i);
				return dvc__err(DVC_EDUPLICATE, path,
						"procedure %s appears twice (also procedures[%zu])",
						p->code, j);
			}
		for (size_t v = 0; v < p->n_versions; v++) {
			const dvc_procedure *pv = &p->versions[v];
			int total = 0;
			if (pv->n_route > DVC_CATALOG_MAX_ROUTE || pv->n_fees > DVC_CATALOG_MAX_FEES) {
				snprintf(path, sizeof path, "procedures[%zu].versions[%zu].%s", i, v,
					 pv->n_route > DVC_CATALOG_MAX_ROUTE ? "route" : "fees");
				return dvc__err(DVC_ETOOBIG, path,
						"procedure %s: at most %u route steps and %u fees", p->code,
						DVC_CATALOG_MAX_ROUTE, DVC_CATALOG_MAX_FEES);
			}
			{
				/* one copy, one page: a sum past DVC_AMOUNT_MAX would
				 * wrap (or be refused) at every payment; more copies are
				 * checked at submission */
				int64_t fees = 0;
				for (size_t k = 0; k < pv->n_fees; k++)
					if (__builtin_add_overflow(fees, pv->fees[k].amount, &fees) ||
					    fees > DVC_AMOUNT_MAX) {
						snprintf(path, sizeof path,
							 "procedures[%zu].versions[%zu].fees[%zu].amount", i, v, k);
						return dvc__err(DVC_ERANGE, path,
								"procedure %s: its fees add up to more than "
								"%lld VND", p->code, (long long)DVC_AMOUNT_MAX);
					}
			}
			for (size_t k = 0; k < pv->n_route; k++)
				total += pv->route[k].share;
			if (pv->n_route && (pv->route[0].role != DVC_ROLE_RECEPTION || total != 100 ||
					    pv->n_route < 2)) {
				snprintf(path, sizeof path, "procedures[%zu].versions[%zu].route", i, v);
				return dvc__err(DVC_ESCHEMA, path,
						"procedure %s: a route has at least two steps, starts at "
						"the reception desk and its shares add up to 100 (not %d)",
						p->code, total);
			}
		}
		for (size_t v = 1; v < p->n_versions; v++) {
			const dvc_procedure *a = &p->versions[v - 1], *b = &p->versions[v];
			if (b->version <= a->version) {
				snprintf(path, sizeof path, "procedures[%zu].versions[%zu].version", i, v);
				return dvc__err(DVC_ESCHEMA, path,
						"procedure %s: versions must be listed in increasing order",
						p->code);
			}
			if (dvc__date_cmp(&b->valid_from, &a->valid_from) <= 0) {
				snprintf(path, sizeof path, "procedures[%zu].versions[%zu].valid_from", i, v);
				return dvc__err(DVC_ESCHEMA, path,
						"procedure %s version %d must start after version %d",
						p->code, b->version, a->version);
			}
		}
	}
	return DVC_OK;
}

/* A form schema must compile before it is stored, so that submissions are
 * never checked against a broken schema. */
int dvc__form_schema_check(const char *schema)
{
	dvc_eform *f;
	int rc = dvc_eform_compile(&f, schema, strlen(schema));
	if (rc == DVC_OK)
		dvc_eform_free(f);
	return rc;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

bool dvc__procedure_equal(const dvc_procedure *a, const dvc_procedure *b)
{
	if (!str_eq(a->code, b->code) || a->version != b->version ||
	    dvc__date_cmp(&a->valid_from, &b->valid_from) != 0 || !str_eq(a->name, b->name) ||
	    !str_eq(a->sector, b->sector) || !str_eq(a->agency, b->agency) ||
	    a->online_level != b->online_level || a->online_mode != b->online_mode ||
	    a->deadline_value != b->deadline_value || a->deadline_unit != b->deadline_unit ||
	    !str_eq(a->result_type, b->result_type) ||
	    !str_eq(a->served_level, b->served_level) || !str_eq(a->served_kind, b->served_kind) ||
	    !strv_eq(a->levels, a->n_levels, b->levels, b->n_levels) ||
	    !strv_eq(a->legal_basis, a->n_legal_basis, b->legal_basis, b->n_legal_basis) ||
	    !strv_eq(a->unconfirmed, a->n_unconfirmed, b->unconfirmed, b->n_unconfirmed) ||
	    a->n_documents != b->n_documents || a->n_fees != b->n_fees)
		return false;
	for (size_t i = 0; i < a->n_documents; i++) {
		const dvc_document *x = &a->documents[i], *y = &b->documents[i];
		if (!str_eq(x->name, y->name) || x->form != y->form || x->count != y->count ||
		    x->submission != y->submission)
			return false;
	}
	for (size_t i = 0; i < a->n_fees; i++) {
		const dvc_fee *x = &a->fees[i], *y = &b->fees[i];
		if (!str_eq(x->name, y->name) || x->kind != y->kind || x->amount != y->amount ||
		    !str_eq(x->note, y->note))
			return false;
	}
	if (a->n_route != b->n_route || !str_eq(a->form_schema, b->form_schema))
		return false;
	for (size_t i = 0; i < a->n_route; i++)
		if (!str_eq(a->route[i].unit, b->route[i].unit) || a->route[i].role != b->route[i].role ||
		    a->route[i].share != b->route[i].share)
			return false;
	return true;
}
