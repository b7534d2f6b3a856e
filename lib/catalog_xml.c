/* Catalog document <-> XML (namespace urn:dvc:catalog:1), validated against
 * the XSD compiled into the library from data/schema/catalog.xsd. */
#include "catalog_internal.h"
#include "embedded.h"
#include "text.h"
#include "dvc/eform.h"

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define NS "urn:dvc:catalog:1"

const char *dvc_catalog_xsd(void)
{
	for (const dvc_embedded_file *f = dvc__schema_files; f->name; f++)
		if (strcmp(f->name, "catalog.xsd") == 0)
			return f->data;
	return NULL;
}

/* First validation error, kept for the caller. */
typedef struct verr {
	int seen;
	int code, line;
	char msg[200];
} verr;

static void on_valid_error(void *ctx, xmlErrorPtr e)
{
	verr *v = ctx;
	if (v->seen++)
		return;
	v->code = e->code;
	v->line = e->line;
	snprintf(v->msg, sizeof v->msg, "%s", e->message ? e->message : "invalid");
	/* drop libxml2's trailing newline */
	size_t n = strlen(v->msg);
	if (n && v->msg[n - 1] == '\n')
		v->msg[n - 1] = '\0';
}

/* Memory reader for xmlCtxtReadIO. xmlCtxtReadMemory would be simpler, but
 * libxml2 2.9 leaks its input buffer when an allocation fails inside it, and
 * an import must not leak under memory pressure. */
typedef struct mem_reader {
	const char *p;
	size_t left;
} mem_reader;

static int mem_read(void *ctx, char *buf, int len)
{
	mem_reader *r = ctx;
	size_t n = r->left < (size_t)len ? r->left : (size_t)len;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return (int)n;
}

static int mem_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* What one parse may build, and the first error libxml2 reported.
 *
 * libxml2 builds the whole tree before the XSD sees it: 15 million empty
 * elements in a 60 MB document took 2.0 GB before the schema refused the
 * first one. The parser context's SAX handlers are wrapped so that every node
 * is counted as it is built and the parse stops at DVC_CATALOG_MAX_VALUES
 * nodes, a text run or attribute past DVC_CATALOG_MAX_XML_TEXT bytes (libxml2
 * would go on to 10 MB and then report a "huge text node" as if it were out
 * of memory), or a DOCTYPE (a catalog needs none: no entity tricks). Errors
 * come to this context's structured handler, never to libxml2's global
 * ones, which print to the host's stderr. Nothing here touches libxml2's
 * process-wide state. */
typedef struct xparse {
	xmlSAXHandler orig; /* the SAX2 tree builder being wrapped */
	size_t nodes, text; /* nodes so far; bytes of the current text run */
	bool in_text;
	int refused;        /* DVC_ETOOBIG or DVC_ESCHEMA once stopped, else 0 */
	int refused_line;
	char why[160];
	int err_code, err_line; /* first error libxml2 reported */
	char err[200];
} xparse;

static xparse *xp(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static void stop(void *ctx, int code, const char *why)
{
	xmlParserCtxtPtr ctxt = ctx;
	xparse *p = xp(ctx);
	if (!p->refused) {
		p->refused = code;
		p->refused_line = xmlSAX2GetLineNumber(ctxt);
		snprintf(p->why, sizeof p->why, "%s", why);
	}
	xmlStopParser(ctxt);
}

static bool budget(void *ctx, size_t n)
{
	xparse *p = xp(ctx);
	if (p->refused)
		return false;
	p->nodes += n;
	if (p->nodes > DVC_CATALOG_MAX_VALUES) {
		char why[96];
		snprintf(why, sizeof why, "the document has more than %u nodes",
			 DVC_CATALOG_MAX_VALUES);
		stop(ctx, DVC_ETOOBIG, why);
		return false;
	}
	return true;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri,
		     int nb_ns, const xmlChar **ns, int nb_attr, int nb_def, const xmlChar **attr)
{
	xparse *p = xp(ctx);
	p->in_text = false;
	/* an element, its namespaces, each attribute and its text child */
	if (!budget(ctx, 1 + (size_t)nb_ns + 2 * (size_t)nb_attr))
		return;
	for (int i = 0; i < nb_attr; i++)
		if ((size_t)(attr[5 * i + 4] - attr[5 * i + 3]) > DVC_CATALOG_MAX_XML_TEXT) {
			char why[128];
			snprintf(why, sizeof why, "attribute %.40s is longer than %u bytes",
				 (const char *)attr[5 * i], DVC_CATALOG_MAX_XML_TEXT);
			stop(ctx, DVC_ETOOBIG, why);
			return;
		}
	p->orig.startElementNs(ctx, name, prefix, uri, nb_ns, ns, nb_attr, nb_def, attr);
}

static void on_end(void *ctx, const xmlChar *name, const xmlChar *prefix, const xmlChar *uri)
{
	xparse *p = xp(ctx);
	p->in_text = false;
	if (!p->refused)
		p->orig.endElementNs(ctx, name, prefix, uri);
}

/* characters, CDATA and white space: one node per run, its length bounded */
static void text_run(void *ctx, const xmlChar *ch, int len, charactersSAXFunc next)
{
	xparse *p = xp(ctx);
	if (!p->in_text) {
		if (!budget(ctx, 1))
			return;
		p->in_text = true;
		p->text = 0;
	}
	p->text += (size_t)len;
	if (p->text > DVC_CATALOG_MAX_XML_TEXT) {
		char why[96];
		snprintf(why, sizeof why, "a text is longer than %u bytes", DVC_CATALOG_MAX_XML_TEXT);
		stop(ctx, DVC_ETOOBIG, why);
		return;
	}
	if (!p->refused && next)
		next(ctx, ch, len);
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
	text_run(ctx, ch, len, xp(ctx)->orig.characters);
}

static void on_blank(void *ctx, const xmlChar *ch, int len)
{
	text_run(ctx, ch, len, xp(ctx)->orig.ignorableWhitespace);
}

static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
	/* a CDATA section is a node of its own */
	xp(ctx)->in_text = false;
	text_run(ctx, ch, len, xp(ctx)->orig.cdataBlock);
	xp(ctx)->in_text = false;
}

static void on_comment(void *ctx, const xmlChar *value)
{
	xparse *p = xp(ctx);
	p->in_text = false;
	if (budget(ctx, 1) && p->orig.comment)
		p->orig.comment(ctx, value);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	xparse *p = xp(ctx);
	p->in_text = false;
	if (budget(ctx, 1) && p->orig.processingInstruction)
		p->orig.processingInstruction(ctx, target, data);
}

/* A catalog needs no DTD: refusing DOCTYPE before its declarations are read
 * shuts out entity tricks (external entities, exponential expansion) and
 * declarations that would escape the node count. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	stop(ctx, DVC_ESCHEMA, "DOCTYPE declarations are not allowed in a catalog");
}

static void on_parse_error(void *ctx, xmlErrorPtr e)
{
	xparse *p = xp(ctx);
	size_t n;
	if (e->level < XML_ERR_ERROR || p->err_code)
		return;
	p->err_code = e->code ? e->code : -1;
	p->err_line = e->line;
	snprintf(p->err, sizeof p->err, "%s", e->message ? e->message : "parse error");
	/* drop libxml2's trailing newline */
	n = strlen(p->err);
	if (n && p->err[n - 1] == '\n')
		p->err[n - 1] = '\0';
}

static int parse_doc(const char *data, size_t len, xmlDocPtr *out)
{
	mem_reader reader = {data, len};
	unsigned long failures = dvc__alloc_failures();
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xparse p;
	size_t bad;
	int rc;
	if (len > (size_t)INT32_MAX)
		return dvc__err(DVC_ETOOBIG, NULL, "XML input too large");
	/* Report bad bytes ourselves, with a position, before libxml2 does. */
	if ((bad = dvc__utf8_check(data, len)) < len) {
		int line, col;
		dvc__line_col(data, bad, &line, &col);
		return dvc__err(DVC_EUTF8, NULL, "the XML document is not valid UTF-8 (line %d, column %d)",
				line, col);
	}
	if (!(ctxt = xmlNewParserCtxt())) {
		xmlResetLastError();
		return dvc__oom();
	}
	memset(&p, 0, sizeof p);
	p.orig = *ctxt->sax;
	ctxt->_private = &p;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	ctxt->sax->characters = on_chars;
	ctxt->sax->ignorableWhitespace = on_blank;
	ctxt->sax->cdataBlock = on_cdata;
	ctxt->sax->comment = on_comment;
	ctxt->sax->processingInstruction = on_pi;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->serror = on_parse_error;
	/* No network, no external entities or DTDs (XXE), no huge-document mode. */
	doc = xmlCtxtReadIO(ctxt, mem_read, mem_close, &reader, "catalog.xml", "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (p.refused) {
		rc = p.refused == DVC_ETOOBIG
			? dvc__err(DVC_ETOOBIG, NULL, "XML document refused at line %d: %s",
				   p.refused_line, p.why)
			: dvc__err(p.refused, NULL, "%s (line %d)", p.why, p.refused_line);
	} else if (doc && dvc__alloc_failures() != failures) {
		/* libxml2 carries on after some failed allocations (a copied URL,
		 * a text node) and may hand back a document missing parts: any
		 * failure during the parse is an out-of-memory error for the
		 * whole import. */
		rc = dvc__oom();
	} else if (!doc || !ctxt->wellFormed) {
		if (dvc__alloc_failures() != failures || p.err_code == XML_ERR_NO_MEMORY)
			rc = dvc__oom();
		else
			rc = dvc__err(DVC_EPARSE, NULL, "malformed XML at line %d: %.160s",
				      p.err_line, p.err_code ? p.err : "parse error");
	} else {
		rc = DVC_OK;
	}
	if (rc != DVC_OK) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	/* libxml2 keeps a per-thread copy of the last error; drop it so a
	 * failed import holds no memory afterwards */
	xmlResetLastError();
	*out = doc;
	return rc;
}

static void schema_free(void *p) { xmlSchemaFree(p); }

/* Compile the built-in XSD. (libxml2 2.9 leaks a few blocks when an
 * allocation fails while compiling a schema; compiling once per handle keeps
 * that out of the import path.) */
static int compile_schema(xmlSchemaPtr *out)
{
	unsigned long failures = dvc__alloc_failures();
	const char *xsd = dvc_catalog_xsd();
	xmlSchemaParserCtxtPtr pctx;
	xmlSchemaPtr schema;
	verr v = {0, 0, 0, ""};
	if (!xsd)
		return dvc__err(DVC_ERROR, NULL, "the catalog XSD is missing from this build");
	if (!(pctx = xmlSchemaNewMemParserCtxt(xsd, (int)strlen(xsd)))) {
		xmlResetLastError();
		return dvc__oom();
	}
	xmlSchemaSetParserStructuredErrors(pctx, on_valid_error, &v);
	schema = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	xmlResetLastError();
	if (schema && dvc__alloc_failures() != failures) {
		xmlSchemaFree(schema);
		schema = NULL;
	}
	if (!schema)
		return dvc__alloc_failures() != failures ? dvc__oom()
			: dvc__err(DVC_ERROR, NULL, "the built-in catalog XSD does not compile: %s", v.msg);
	*out = schema;
	return DVC_OK;
}

static int validate(xmlDocPtr doc, xmlSchemaPtr schema)
{
	unsigned long failures = dvc__alloc_failures();
	xmlSchemaValidCtxtPtr vctx = NULL;
	verr v = {0, 0, 0, ""};
	int rc = DVC_OK, r;

	vctx = xmlSchemaNewValidCtxt(schema);
	if (!vctx || dvc__alloc_failures() != failures) {
		/* a context built around a failed allocation is not usable */
		xmlSchemaFreeValidCtxt(vctx);
		xmlResetLastError();
		return dvc__oom();
	}
	xmlSchemaSetValidStructuredErrors(vctx, on_valid_error, &v);
	dvc__alloc_fragile_enter();
	r = xmlSchemaValidateDoc(vctx, doc);
	dvc__alloc_fragile_leave();
	if (r == 0 && dvc__alloc_failures() != failures) {
		rc = dvc__oom();
	} else if (r != 0) {
		if (dvc__alloc_failures() != failures || v.code == XML_ERR_NO_MEMORY)
			rc = dvc__oom();
		else if (v.code == XML_SCHEMAV_CVC_IDC)
			rc = dvc__err(DVC_EDUPLICATE, NULL, "line %d: %s", v.line, v.msg);
		else
			rc = dvc__err(DVC_ESCHEMA, NULL, "XML fails the catalog schema at line %d: %s",
				      v.line, v.seen ? v.msg : "invalid");
	}
	xmlSchemaFreeValidCtxt(vctx);
	xmlResetLastError();
	return rc;
}

int dvc_catalog_validate_xml(const char *data, size_t len)
{
	xmlDocPtr doc;
	int rc;
	if (!data)
		return dvc__err(DVC_EINVAL, NULL, "no XML data");
	xmlSchemaPtr schema;
	if ((rc = compile_schema(&schema)) != DVC_OK)
		return rc;
	if ((rc = parse_doc(data, len, &doc)) == DVC_OK) {
		rc = validate(doc, schema);
		xmlFreeDoc(doc);
	}
	xmlSchemaFree(schema);
	return rc;
}

/* ---- tree walking (the XSD already guaranteed structure and types) ---- */

typedef struct xctx {
	dvc__catalog *c;
	char path[192];
} xctx;

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *first(xmlNode *n)
{
	for (n = n ? n->children : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static xmlNode *next(xmlNode *n)
{
	for (n = n ? n->next : NULL; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static xmlNode *child(xmlNode *n, const char *name)
{
	for (n = first(n); n && !is(n, name); n = next(n))
		;
	return n;
}

static size_t count(xmlNode *n)
{
	size_t k = 0;
	for (n = first(n); n; n = next(n))
		k++;
	return k;
}

/* Copy text content (element) or an attribute value into the arena. */
static int text_of(xctx *x, xmlChar *raw, const char *field, const char **out)
{
	char path[sizeof ((xctx *)0)->path + 64]; /* a field name is short */
	int rc;
	if (!raw) {
		*out = NULL;
		return dvc__oom();
	}
	snprintf(path, sizeof path, "%s.%s", x->path, field);
	rc = dvc__catalog_text(x->c, (const char *)raw, strlen((const char *)raw), path, out);
	xmlFree(raw);
	return rc;
}

static int elem_text(xctx *x, xmlNode *n, const char *field, const char **out)
{
	return text_of(x, xmlNodeGetContent(n), field, out);
}

static int attr_text(xctx *x, xmlNode *n, const char *name, const char **out)
{
	if (!xmlHasProp(n, (const xmlChar *)name)) {
		*out = NULL;
		return DVC_OK;
	}
	return text_of(x, xmlGetProp(n, (const xmlChar *)name), name, out);
}

static int attr_long(xmlNode *n, const char *name, long long *out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return dvc__oom();
	*out = strtoll((const char *)v, NULL, 10);
	xmlFree(v);
	return DVC_OK;
}

static int attr_date(xctx *x, xmlNode *n, const char *name, int *has, dvc_date *out)
{
	const char *s;
	char path[sizeof ((xctx *)0)->path + 64];
	int rc = attr_text(x, n, name, &s);
	if (has)
		*has = 0;
	if (rc != DVC_OK || !s)
		return rc;
	if ((rc = dvc__date_parse(s, out)) != DVC_OK) {
		snprintf(path, sizeof path, "%s.%s", x->path, name);
		dvc__err_prefix_path(path);
		return rc;
	}
	if (has)
		*has = 1;
	return DVC_OK;
}

static int attr_enum(xmlNode *n, const char *name, int (*parse)(const char *), int *out)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return dvc__oom();
	*out = parse((const char *)v);
	xmlFree(v);
	return *out < 0 ? dvc__err(DVC_ESCHEMA, NULL, "unknown %s", name) : DVC_OK;
}

static int strings(xctx *x, xmlNode *list, const char *field, const char *const **out, size_t *n)
{
	size_t k = count(list), i = 0;
	const char **v = dvc_arena_alloc(&x->c->arena, (k ? k : 1) * sizeof *v);
	int rc;
	if (!v)
		return dvc__oom();
	for (xmlNode *e = first(list); e; e = next(e), i++) {
		char f[64];
		snprintf(f, sizeof f, "%s[%zu]", field, i);
		if ((rc = elem_text(x, e, f, &v[i])) != DVC_OK)
			return rc;
	}
	*out = v;
	*n = k;
	return DVC_OK;
}

static int read_version(xctx *x, xmlNode *vn, const char *code, dvc_procedure *p)
{
	long long num = 0;
	int e = 0, rc;
	xmlNode *n;
	size_t i;

	p->code = code;
	if ((rc = attr_long(vn, "number", &num)) != DVC_OK)
		return rc;
	p->version = (int)num;
	if ((rc = attr_date(x, vn, "valid_from", NULL, &p->valid_from)) != DVC_OK ||
	    (rc = elem_text(x, child(vn, "name"), "name", &p->name)) != DVC_OK ||
	    (rc = elem_text(x, child(vn, "sector"), "sector", &p->sector)) != DVC_OK ||
	    (rc = strings(x, child(vn, "levels"), "levels", &p->levels, &p->n_levels)) != DVC_OK ||
	    (rc = elem_text(x, child(vn, "agency"), "agency", &p->agency)) != DVC_OK)
		return rc;
	if ((n = child(vn, "served_by")) &&
	    ((rc = attr_text(x, n, "level", &p->served_level)) != DVC_OK ||
	     (rc = attr_text(x, n, "kind", &p->served_kind)) != DVC_OK))
		return rc;
	n = child(vn, "online");
	if ((rc = attr_long(n, "level", &num)) != DVC_OK ||
	    (rc = attr_enum(n, "mode", dvc__online_mode_parse, &e)) != DVC_OK)
		return rc;
	p->online_level = (int)num;
	p->online_mode = (dvc_online_mode)e;
	n = child(vn, "deadline");
	if ((rc = attr_long(n, "value", &num)) != DVC_OK ||
	    (rc = attr_enum(n, "unit", dvc__deadline_unit_parse, &e)) != DVC_OK)
		return rc;
	p->deadline_value = (int)num;
	p->deadline_unit = (dvc_deadline_unit)e;
	if ((rc = elem_text(x, child(vn, "result_type"), "result_type", &p->result_type)) != DVC_OK ||
	    (rc = strings(x, child(vn, "legal_basis"), "legal_basis", &p->legal_basis,
			  &p->n_legal_basis)) != DVC_OK ||
	    (rc = strings(x, child(vn, "unconfirmed"), "unconfirmed", &p->unconfirmed,
			  &p->n_unconfirmed)) != DVC_OK)
		return rc;

	n = child(vn, "documents");
	p->n_documents = count(n);
	dvc_document *docs = dvc_arena_alloc(&x->c->arena, (p->n_documents + 1) * sizeof *docs);
	if (!docs)
		return dvc__oom();
	i = 0;
	for (xmlNode *d = first(n); d; d = next(d), i++) {
		char f[48];
		snprintf(f, sizeof f, "documents[%zu]", i);
		if ((rc = elem_text(x, d, f, &docs[i].name)) != DVC_OK ||
		    (rc = attr_enum(d, "form", dvc__doc_form_parse, &e)) != DVC_OK)
			return rc;
		docs[i].form = (dvc_doc_form)e;
		if ((rc = attr_long(d, "count", &num)) != DVC_OK ||
		    (rc = attr_enum(d, "submission", dvc__doc_submission_parse, &e)) != DVC_OK)
			return rc;
		docs[i].count = num > 1000 ? 1000 : (int)num;
		if (num > 1000)
			return dvc__err(DVC_ERANGE, NULL, "document count %lld is above 1000", num);
		docs[i].submission = (dvc_doc_submission)e;
	}
	p->documents = docs;

	n = child(vn, "fees");
	p->n_fees = count(n);
	dvc_fee *fees = dvc_arena_alloc(&x->c->arena, (p->n_fees + 1) * sizeof *fees);
	if (!fees)
		return dvc__oom();
	i = 0;
	for (xmlNode *f = first(n); f; f = next(f), i++) {
		char fld[48];
		xmlNode *note = child(f, "note");
		snprintf(fld, sizeof fld, "fees[%zu].name", i);
		if ((rc = elem_text(x, child(f, "name"), fld, &fees[i].name)) != DVC_OK ||
		    (rc = attr_enum(f, "kind", dvc__fee_kind_parse, &e)) != DVC_OK)
			return rc;
		fees[i].kind = (dvc_fee_kind)e;
		if ((rc = attr_long(f, "amount", &num)) != DVC_OK)
			return rc;
		fees[i].amount = num;
		if (note) {
			snprintf(fld, sizeof fld, "fees[%zu].note", i);
			if ((rc = elem_text(x, note, fld, &fees[i].note)) != DVC_OK)
				return rc;
		}
	}
	p->fees = fees;

	if ((n = child(vn, "route")) != NULL) {
		dvc_route_step *steps;
		p->n_route = count(n);
		if (!(steps = dvc_arena_alloc(&x->c->arena, (p->n_route + 1) * sizeof *steps)))
			return dvc__oom();
		i = 0;
		for (xmlNode *st = first(n); st; st = next(st), i++) {
			dvc_role role;
			xmlChar *v;
			char fld[48];
			snprintf(fld, sizeof fld, "route[%zu]", i);
			if ((rc = attr_text(x, st, "unit", &steps[i].unit)) != DVC_OK)
				return rc;
			if (!(v = xmlGetProp(st, (const xmlChar *)"role")))
				return dvc__oom();
			rc = dvc_role_parse((const char *)v, &role);
			xmlFree(v);
			if (rc != DVC_OK)
				return rc;
			steps[i].role = role;
			if ((rc = attr_long(st, "share", &num)) != DVC_OK)
				return rc;
			steps[i].share = (int)num;
		}
		p->route = steps;
	}
	if ((n = child(vn, "form_schema")) != NULL) {
		/* stored as compact JSON so that both formats round-trip to the same
		 * text; read like any JSON input (a form schema nests 2 x the data) */
		static const dvc__json_limits lim = {DVC_CATALOG_MAX_XML_TEXT,
						     2 * DVC_EFORM_MAX_DEPTH + 2, DVC_EFORM_MAX_VALUES};
		xmlChar *raw = xmlNodeGetContent(n);
		cJSON *js;
		char *text;
		char path[sizeof ((xctx *)0)->path + 64];
		if (!raw)
			return dvc__oom();
		snprintf(path, sizeof path, "%s.form_schema", x->path);
		rc = dvc__json_read((const char *)raw, strlen((const char *)raw), &lim,
				    "form_schema", &js);
		xmlFree(raw);
		if (rc != DVC_OK) {
			dvc__err_prefix_path(path);
			return rc;
		}
		if (!cJSON_IsObject(js)) {
			cJSON_Delete(js);
			return dvc__err(DVC_ESCHEMA, path, "form_schema must be a JSON object");
		}
		text = cJSON_PrintUnformatted(js);
		cJSON_Delete(js);
		if (!text)
			return dvc__oom();
		rc = dvc__catalog_text_big(x->c, text, strlen(text), path, &p->form_schema);
		cJSON_free(text);
		if (rc != DVC_OK)
			return rc;
	}
	return DVC_OK;
}

#define ALLOC_LIST(arr, n, parent)                                                  \
	do {                                                                        \
		n = count(parent);                                                  \
		if (!(arr = dvc_arena_alloc(&c->arena, (n + 1) * sizeof *arr)))     \
			return dvc__oom();                                          \
	} while (0)

static int read_tree(xctx *x, xmlNode *root)
{
	dvc__catalog *c = x->c;
	xmlNode *list, *n;
	long long num = 0;
	size_t i;
	int rc;

	list = child(root, "levels");
	ALLOC_LIST(c->levels, c->n_levels, list);
	for (n = first(list), i = 0; n; n = next(n), i++) {
		snprintf(x->path, sizeof x->path, "levels[%zu]", i);
		if ((rc = attr_text(x, n, "code", &c->levels[i].code)) != DVC_OK ||
		    (rc = elem_text(x, child(n, "name"), "name", &c->levels[i].name)) != DVC_OK ||
		    (rc = attr_long(n, "rank", &num)) != DVC_OK)
			return rc;
		c->levels[i].rank = (int)num;
	}
	list = child(root, "sectors");
	ALLOC_LIST(c->sectors, c->n_sectors, list);
	for (n = first(list), i = 0; n; n = next(n), i++) {
		snprintf(x->path, sizeof x->path, "sectors[%zu]", i);
		if ((rc = attr_text(x, n, "code", &c->sectors[i].code)) != DVC_OK ||
		    (rc = elem_text(x, child(n, "name"), "name", &c->sectors[i].name)) != DVC_OK)
			return rc;
	}
	list = child(root, "agencies");
	ALLOC_LIST(c->agencies, c->n_agencies, list);
	for (n = first(list), i = 0; n; n = next(n), i++) {
		dvc__agency *a = &c->agencies[i];
		snprintf(x->path, sizeof x->path, "agencies[%zu]", i);
		if ((rc = attr_text(x, n, "code", &a->code)) != DVC_OK ||
		    (rc = elem_text(x, child(n, "name"), "name", &a->name)) != DVC_OK ||
		    (rc = attr_text(x, n, "level", &a->level)) != DVC_OK ||
		    (rc = attr_text(x, n, "kind", &a->kind)) != DVC_OK ||
		    (rc = attr_text(x, n, "parent", &a->parent)) != DVC_OK ||
		    (rc = attr_date(x, n, "valid_from", NULL, &a->valid_from)) != DVC_OK ||
		    (rc = attr_date(x, n, "valid_to", &a->has_valid_to, &a->valid_to)) != DVC_OK)
			return rc;
	}
	if ((list = child(root, "successions"))) {
		ALLOC_LIST(c->successions, c->n_successions, list);
		for (n = first(list), i = 0; n; n = next(n), i++) {
			dvc_succession *sc = &c->successions[i];
			snprintf(x->path, sizeof x->path, "successions[%zu]", i);
			if ((rc = attr_text(x, n, "predecessor", &sc->predecessor)) != DVC_OK ||
			    (rc = attr_text(x, n, "successor", &sc->successor)) != DVC_OK ||
			    (rc = attr_date(x, n, "date", NULL, &sc->date)) != DVC_OK ||
			    (rc = attr_text(x, n, "act", &sc->act)) != DVC_OK ||
			    (rc = attr_text(x, n, "note", &sc->note)) != DVC_OK)
				return rc;
		}
	}
	list = child(root, "procedures");
	ALLOC_LIST(c->procs, c->n_procs, list);
	for (n = first(list), i = 0; n; n = next(n), i++) {
		dvc__proc *p = &c->procs[i];
		size_t v = 0;
		snprintf(x->path, sizeof x->path, "procedures[%zu]", i);
		if ((rc = attr_text(x, n, "code", &p->code)) != DVC_OK)
			return rc;
		p->n_versions = count(n);
		if (!(p->versions = dvc_arena_alloc(&c->arena, (p->n_versions + 1) * sizeof *p->versions)))
			return dvc__oom();
		for (xmlNode *vn = first(n); vn; vn = next(vn), v++) {
			snprintf(x->path, sizeof x->path, "procedures[%zu].versions[%zu]", i, v);
			if ((rc = read_version(x, vn, p->code, &p->versions[v])) != DVC_OK) {
				if (!dvc_error_last()->path)
					dvc__err_prefix_path(x->path);
				return rc;
			}
		}
	}
	return DVC_OK;
}

int dvc__catalog_from_xml(const char *data, size_t len, void **schema_cache,
			  void (**schema_free_fn)(void *), dvc__catalog *out)
{
	xmlSchemaPtr schema = schema_cache ? *schema_cache : NULL;
	xmlDocPtr doc;
	xmlNode *root;
	xctx x;
	int rc;
	memset(out, 0, sizeof *out);
	if (!schema) {
		if ((rc = compile_schema(&schema)) != DVC_OK)
			return rc;
		if (schema_cache) {
			*schema_cache = schema;
			*schema_free_fn = schema_free;
		}
	}
	if ((rc = parse_doc(data, len, &doc)) != DVC_OK)
		goto done;
	root = xmlDocGetRootElement(doc);
	if (!root || !root->ns || strcmp((const char *)root->ns->href, NS) != 0 ||
	    !is(root, "catalog")) {
		xmlFreeDoc(doc);
		rc = dvc__err(DVC_ESCHEMA, NULL, "not a catalog document: the root must be <catalog xmlns=\"%s\">", NS);
		goto done;
	}
	if ((rc = validate(doc, schema)) == DVC_OK) {
		long long fv = 0;
		if ((rc = attr_long(root, "format_version", &fv)) == DVC_OK && fv > 1)
			rc = dvc__err(DVC_EVERSION, "format_version",
				      "catalog format_version %lld is newer than this libdvc (1)", fv);
	}
	if (rc == DVC_OK) {
		memset(&x, 0, sizeof x);
		x.c = out;
		rc = read_tree(&x, root);
	}
	xmlFreeDoc(doc);
	xmlResetLastError();
done:
	if (!schema_cache)
		xmlSchemaFree(schema);
	if (rc != DVC_OK)
		dvc__catalog_free(out);
	return rc;
}

/* ---- writer ---- */

static void esc(dvc_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': dvc_buf_puts(b, "&amp;"); break;
		case '<': dvc_buf_puts(b, "&lt;"); break;
		case '>': dvc_buf_puts(b, "&gt;"); break;
		case '"': dvc_buf_puts(b, "&quot;"); break;
		case '\r': dvc_buf_puts(b, "&#13;"); break;
		case '\t': dvc_buf_puts(b, "&#9;"); break;
		case '\n': dvc_buf_puts(b, "&#10;"); break;
		default: dvc_buf_putc(b, *s);
		}
	}
}

static void attr(dvc_buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	dvc_buf_printf(b, " %s=\"", name);
	esc(b, v);
	dvc_buf_putc(b, '"');
}

static void elem(dvc_buf *b, const char *indent, const char *name, const char *text)
{
	dvc_buf_printf(b, "%s<%s>", indent, name);
	esc(b, text);
	dvc_buf_printf(b, "</%s>\n", name);
}

static void date_attr(dvc_buf *b, const char *name, const dvc_date *d)
{
	char s[11];
	dvc__date_format(d, s);
	attr(b, name, s);
}

static void list(dvc_buf *b, const char *indent, const char *name, const char *item,
		 const char *const *v, size_t n)
{
	char in2[16];
	if (n == 0) {
		dvc_buf_printf(b, "%s<%s/>\n", indent, name);
		return;
	}
	snprintf(in2, sizeof in2, "%s  ", indent);
	dvc_buf_printf(b, "%s<%s>\n", indent, name);
	for (size_t i = 0; i < n; i++)
		elem(b, in2, item, v[i]);
	dvc_buf_printf(b, "%s</%s>\n", indent, name);
}

static void write_version(dvc_buf *b, const dvc_procedure *p)
{
	const char *in = "        ";
	dvc_buf_printf(b, "      <version number=\"%d\"", p->version);
	date_attr(b, "valid_from", &p->valid_from);
	dvc_buf_puts(b, ">\n");
	elem(b, in, "name", p->name);
	elem(b, in, "sector", p->sector);
	list(b, in, "levels", "level", p->levels, p->n_levels);
	elem(b, in, "agency", p->agency);
	if (p->served_level) {
		dvc_buf_printf(b, "%s<served_by", in);
		attr(b, "level", p->served_level);
		attr(b, "kind", p->served_kind);
		dvc_buf_puts(b, "/>\n");
	}
	dvc_buf_printf(b, "%s<online level=\"%d\" mode=\"%s\"/>\n", in, p->online_level,
		       dvc_online_mode_name(p->online_mode));
	dvc_buf_printf(b, "%s<deadline value=\"%d\" unit=\"%s\"/>\n", in, p->deadline_value,
		       dvc_deadline_unit_name(p->deadline_unit));
	elem(b, in, "result_type", p->result_type);
	list(b, in, "legal_basis", "basis", p->legal_basis, p->n_legal_basis);
	if (p->n_documents == 0) {
		dvc_buf_printf(b, "%s<documents/>\n", in);
	} else {
		dvc_buf_printf(b, "%s<documents>\n", in);
		for (size_t i = 0; i < p->n_documents; i++) {
			const dvc_document *d = &p->documents[i];
			dvc_buf_printf(b, "%s  <document form=\"%s\" count=\"%d\" submission=\"%s\">", in,
				       dvc_doc_form_name(d->form), d->count,
				       dvc_doc_submission_name(d->submission));
			esc(b, d->name);
			dvc_buf_puts(b, "</document>\n");
		}
		dvc_buf_printf(b, "%s</documents>\n", in);
	}
	if (p->n_fees == 0) {
		dvc_buf_printf(b, "%s<fees/>\n", in);
	} else {
		dvc_buf_printf(b, "%s<fees>\n", in);
		for (size_t i = 0; i < p->n_fees; i++) {
			const dvc_fee *f = &p->fees[i];
			dvc_buf_printf(b, "%s  <fee kind=\"%s\" amount=\"%lld\">\n", in,
				       dvc_fee_kind_name(f->kind), (long long)f->amount);
			elem(b, "            ", "name", f->name);
			if (f->note)
				elem(b, "            ", "note", f->note);
			dvc_buf_printf(b, "%s  </fee>\n", in);
		}
		dvc_buf_printf(b, "%s</fees>\n", in);
	}
	list(b, in, "unconfirmed", "field", p->unconfirmed, p->n_unconfirmed);
	if (p->n_route) {
		dvc_buf_printf(b, "%s<route>\n", in);
		for (size_t i = 0; i < p->n_route; i++) {
			dvc_buf_printf(b, "%s  <step", in);
			attr(b, "unit", p->route[i].unit);
			attr(b, "role", dvc_role_name(p->route[i].role));
			dvc_buf_printf(b, " share=\"%d\"/>\n", p->route[i].share);
		}
		dvc_buf_printf(b, "%s</route>\n", in);
	}
	if (p->form_schema)
		elem(b, in, "form_schema", p->form_schema);
	dvc_buf_puts(b, "      </version>\n");
}

int dvc__catalog_to_xml(const dvc__catalog *c, dvc_buf *b)
{
	dvc_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	dvc_buf_puts(b, "<catalog xmlns=\"" NS "\" format_version=\"1\">\n");
	dvc_buf_puts(b, "  <levels>\n");
	for (size_t i = 0; i < c->n_levels; i++) {
		dvc_buf_puts(b, "    <level");
		attr(b, "code", c->levels[i].code);
		dvc_buf_printf(b, " rank=\"%d\">\n", c->levels[i].rank);
		elem(b, "      ", "name", c->levels[i].name);
		dvc_buf_puts(b, "    </level>\n");
	}
	dvc_buf_puts(b, "  </levels>\n  <sectors>\n");
	for (size_t i = 0; i < c->n_sectors; i++) {
		dvc_buf_puts(b, "    <sector");
		attr(b, "code", c->sectors[i].code);
		dvc_buf_puts(b, ">\n");
		elem(b, "      ", "name", c->sectors[i].name);
		dvc_buf_puts(b, "    </sector>\n");
	}
	dvc_buf_puts(b, "  </sectors>\n  <agencies>\n");
	for (size_t i = 0; i < c->n_agencies; i++) {
		const dvc__agency *a = &c->agencies[i];
		dvc_buf_puts(b, "    <agency");
		attr(b, "code", a->code);
		attr(b, "level", a->level);
		attr(b, "kind", a->kind);
		attr(b, "parent", a->parent);
		date_attr(b, "valid_from", &a->valid_from);
		if (a->has_valid_to)
			date_attr(b, "valid_to", &a->valid_to);
		dvc_buf_puts(b, ">\n");
		elem(b, "      ", "name", a->name);
		dvc_buf_puts(b, "    </agency>\n");
	}
	dvc_buf_puts(b, "  </agencies>\n");
	if (c->n_successions) {
		dvc_buf_puts(b, "  <successions>\n");
		for (size_t i = 0; i < c->n_successions; i++) {
			const dvc_succession *sc = &c->successions[i];
			dvc_buf_puts(b, "    <succession");
			attr(b, "predecessor", sc->predecessor);
			attr(b, "successor", sc->successor);
			date_attr(b, "date", &sc->date);
			attr(b, "act", sc->act);
			attr(b, "note", sc->note);
			dvc_buf_puts(b, "/>\n");
		}
		dvc_buf_puts(b, "  </successions>\n");
	}
	dvc_buf_puts(b, "  <procedures>\n");
	for (size_t i = 0; i < c->n_procs; i++) {
		dvc_buf_puts(b, "    <procedure");
		attr(b, "code", c->procs[i].code);
		dvc_buf_puts(b, ">\n");
		for (size_t v = 0; v < c->procs[i].n_versions; v++)
			write_version(b, &c->procs[i].versions[v]);
		dvc_buf_puts(b, "    </procedure>\n");
	}
	dvc_buf_puts(b, "  </procedures>\n</catalog>\n");
	return b->oom ? dvc__oom() : DVC_OK;
}
