/* The in-memory catalog document shared by the JSON and XML readers/writers,
 * the validator (catalog.c) and the store layer (store_catalog.c). */
#ifndef DVC_CATALOG_INTERNAL_H
#define DVC_CATALOG_INTERNAL_H

#include "dvc/catalog.h"
#include "internal.h"

typedef struct dvc__level {
	const char *code, *name;
	int rank;
} dvc__level;

typedef struct dvc__sector {
	const char *code, *name;
} dvc__sector;

typedef struct dvc__agency {
	const char *code, *name, *level, *parent;
	const char *kind; /* "committee", "office", "centre", or NULL */
	dvc_date valid_from;
	int has_valid_to;
	dvc_date valid_to;
} dvc__agency;

typedef struct dvc__proc {
	const char *code;
	dvc_procedure *versions; /* ascending version number */
	size_t n_versions;
} dvc__proc;

/* A whole catalog document; every pointer lives in `arena`. */
typedef struct dvc__catalog {
	dvc_arena arena;
	dvc__level *levels;
	size_t n_levels;
	dvc__sector *sectors;
	size_t n_sectors;
	dvc__agency *agencies;
	size_t n_agencies;
	dvc__proc *procs;
	size_t n_procs;
	dvc_succession *successions;
	size_t n_successions;
} dvc__catalog;

void dvc__catalog_free(dvc__catalog *c);

/* Text field checks shared by the readers: UTF-8 (DVC_EUTF8), size
 * (DVC_ETOOBIG), non-empty when required (DVC_ESCHEMA); copies the NFC form
 * into the arena. `path` names the field for the error. */
int dvc__catalog_text(dvc__catalog *c, const char *s, size_t n, const char *path,
		      const char **out);

/* The same for long texts (form schemas): up to DVC_CATALOG_MAX_SCHEMA bytes. */
int dvc__catalog_text_big(dvc__catalog *c, const char *s, size_t n, const char *path,
			  const char **out);
#define DVC_CATALOG_MAX_SCHEMA (256u * 1024u)

/* Enumerations <-> their interchange names. Return -1 when unknown. */
int dvc__doc_form_parse(const char *s);
int dvc__doc_submission_parse(const char *s);
int dvc__fee_kind_parse(const char *s);
int dvc__online_mode_parse(const char *s);
int dvc__deadline_unit_parse(const char *s);

/* Readers: parse and check types/enums/text; cross-record checks are done
 * by dvc__catalog_check(). On error the catalog is freed. */
int dvc__catalog_from_json(const char *data, size_t len, dvc__catalog *out);
/* `schema_cache` (may be NULL) keeps the compiled XSD between calls. */
int dvc__catalog_from_xml(const char *data, size_t len, void **schema_cache,
			  void (**schema_free)(void *), dvc__catalog *out);
/* Writers. */
int dvc__catalog_to_json(const dvc__catalog *c, dvc_buf *out);
int dvc__catalog_to_xml(const dvc__catalog *c, dvc_buf *out);

/* Cross-record checks inside one document: duplicates, version order. */
int dvc__catalog_check(const dvc__catalog *c);

/* A form schema must compile before it is stored, so that submissions are
 * never checked against a broken schema (catalog_model.c). */
int dvc__form_schema_check(const char *schema);
/* True when two versions carry the same data (used to make re-imports no-ops). */
bool dvc__procedure_equal(const dvc_procedure *a, const dvc_procedure *b);

/* One procedure version as the interchange format writes it (catalog_json.c;
 * also the base of the procedure view). NULL when out of memory. */
struct cJSON;
struct cJSON *dvc__procedure_version_json(const dvc_procedure *p);

#endif
