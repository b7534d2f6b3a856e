/*
 * libdvc — the catalog of administrative procedures (thủ tục hành chính).
 *
 * The catalog holds administrative levels (data, not an enum: province,
 * district, commune today; other tiers after reforms), sectors (lĩnh vực),
 * agencies and their units with electronic codes and validity dates, and
 * procedures. A procedure is identified by its national code and has
 * versions: a new version supersedes the previous one from its valid_from
 * date, and old versions stay readable (a dossier binds to the version in
 * force when it was submitted).
 *
 * Import and export in JSON and XML (validated against data/schema/catalog.xsd,
 * compiled into the library). An import is all-or-nothing.
 */
#ifndef DVC_CATALOG_H
#define DVC_CATALOG_H

#include "dvc/agency.h"
#include "dvc/common.h"
#include "dvc/lifecycle.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Interchange formats. */
typedef enum dvc_format {
	DVC_FORMAT_AUTO = 0, /**< by file extension (.json / .xml) or first byte */
	DVC_FORMAT_JSON = 1,
	DVC_FORMAT_XML = 2
} dvc_format;

typedef enum dvc_doc_form {
	DVC_DOC_ORIGINAL = 0,         /**< bản chính */
	DVC_DOC_COPY = 1,             /**< bản sao */
	DVC_DOC_ORIGINAL_OR_COPY = 2  /**< bản chính hoặc bản sao */
} dvc_doc_form;

typedef enum dvc_doc_submission {
	DVC_SUBMIT_EFORM = 0,  /**< filled in as an e-form */
	DVC_SUBMIT_UPLOAD = 1  /**< uploaded as a file (scan) */
} dvc_doc_submission;

typedef enum dvc_fee_kind {
	DVC_FEE_FIXED = 0,
	DVC_FEE_PER_COPY = 1,
	DVC_FEE_PER_PAGE = 2
} dvc_fee_kind;

/** Since Decree 42/2022/NĐ-CP: full (toàn trình) or partial (một phần) online. */
typedef enum dvc_online_mode {
	DVC_ONLINE_NONE = 0,    /**< the 2011 level model alone */
	DVC_ONLINE_PARTIAL = 1,
	DVC_ONLINE_FULL = 2
} dvc_online_mode;

typedef enum dvc_deadline_unit {
	DVC_DEADLINE_DAYS = 0,  /**< working days */
	DVC_DEADLINE_HOURS = 1  /**< working hours */
} dvc_deadline_unit;

/**
 * Interchange names of the catalog's enumerations, as the JSON/XML formats
 * and every view write them ("original_or_copy", "per_copy", "full",
 * "hours", "xml"). _name gives "?" for a value out of range; _parse fails
 * with DVC_EINVAL listing the valid names.
 */
DVC_API const char *dvc_format_name(dvc_format v);
DVC_API int dvc_format_parse(const char *name, dvc_format *out);
DVC_API const char *dvc_doc_form_name(dvc_doc_form v);
DVC_API int dvc_doc_form_parse(const char *name, dvc_doc_form *out);
DVC_API const char *dvc_doc_submission_name(dvc_doc_submission v);
DVC_API int dvc_doc_submission_parse(const char *name, dvc_doc_submission *out);
DVC_API const char *dvc_fee_kind_name(dvc_fee_kind v);
DVC_API int dvc_fee_kind_parse(const char *name, dvc_fee_kind *out);
DVC_API const char *dvc_online_mode_name(dvc_online_mode v);
DVC_API int dvc_online_mode_parse(const char *name, dvc_online_mode *out);
DVC_API const char *dvc_deadline_unit_name(dvc_deadline_unit v);
DVC_API int dvc_deadline_unit_parse(const char *name, dvc_deadline_unit *out);

/** A required document (thành phần hồ sơ). */
typedef struct dvc_document {
	const char *name;
	dvc_doc_form form;
	int count;
	dvc_doc_submission submission;
} dvc_document;

/** A fee or charge (phí, lệ phí), in VND. */
typedef struct dvc_fee {
	const char *name;
	dvc_fee_kind kind;
	int64_t amount;      /**< VND; per copy/page for those kinds */
	const char *note;    /**< NULL when none */
} dvc_fee;

/**
 * One step of a processing route: who holds the dossier (a unit, i.e. an
 * agency code, and a role there) and the share of the deadline it gets.
 * The first step is the reception desk (role reception), which also returns
 * the result.
 */
typedef struct dvc_route_step {
	const char *unit;
	dvc_role role;
	int share; /**< percent of the procedure's deadline; the shares add up to 100 */
} dvc_route_step;

/**
 * One version of a procedure, as read from the store. Read-only; every pointer
 * lives as long as the record and is released by dvc_procedure_free().
 */
typedef struct dvc_procedure {
	const char *code;          /**< national procedure code, e.g. "1.001193" */
	int version;               /**< 1, 2, ... */
	dvc_date valid_from;       /**< in force from this date */
	int has_valid_to;          /**< superseded: valid_to is the last day in force */
	dvc_date valid_to;
	const char *name;
	const char *sector;        /**< sector code */
	const char *agency;        /**< implementing agency's code */
	const char *const *levels; /**< administrative level codes */
	size_t n_levels;
	int online_level;          /**< 1..4 (Decree 43/2011) */
	dvc_online_mode online_mode;
	int deadline_value;
	dvc_deadline_unit deadline_unit;
	const char *result_type;
	const char *const *legal_basis;
	size_t n_legal_basis;
	const dvc_document *documents;
	size_t n_documents;
	const dvc_fee *fees;
	size_t n_fees;
	const char *const *unconfirmed; /**< field names not confirmed from a public source */
	size_t n_unconfirmed;
	const dvc_route_step *route; /**< processing route; n_route == 0 means the default
	                                  route: reception at the root of the implementing
	                                  agency's parent chain (the People's Committee desk),
	                                  specialist at the implementing agency, signing
	                                  leader at the root (10/70/20 %) */
	size_t n_route;
	const char *form_schema;     /**< e-form schema (JSON, see eform.h), or NULL */
	/* Since 1.1: a procedure served by many agencies. When served_level is
	 * set, the competent agency of a dossier is the one agency of that level
	 * (and kind, when given) in force under `agency` at the applicant's place
	 * (e.g. every commune People's Committee of the city); the route then
	 * names roles relative to it (see dvc_agency_competent()). */
	const char *served_level;    /**< level code, or NULL: `agency` alone is competent */
	const char *served_kind;     /**< agency kind ("committee"), or NULL: any kind */
} dvc_procedure;

/** Counts of what an import wrote. Caller-allocated: initialise with
 * DVC_IMPORT_STATS_INIT. */
typedef struct dvc_import_stats {
	unsigned int version;
	size_t levels, sectors, agencies;
	size_t procedures;     /**< procedures mentioned in the input */
	size_t versions_added; /**< versions new to the store */
	size_t versions_same;  /**< versions already stored, identical */
} dvc_import_stats;

#define DVC_IMPORT_STATS_VERSION 1
#define DVC_IMPORT_STATS_INIT {DVC_IMPORT_STATS_VERSION, 0, 0, 0, 0, 0, 0}

/** Upper bounds on input, refused with DVC_ETOOBIG. */
#define DVC_CATALOG_MAX_INPUT (64u * 1024u * 1024u)
#define DVC_CATALOG_MAX_TEXT 4096u /* bytes in any one text field */
#define DVC_CATALOG_MAX_ROUTE 16u  /* steps in a processing route */
#define DVC_CATALOG_MAX_FEES 16u   /* fees of one procedure version */
/** Values in one catalog document, counted on the raw text before any tree is
 * built: JSON values (objects, arrays, strings, numbers, literals; keys not
 * counted), or XML nodes (elements, attributes, text runs, comments,
 * processing instructions, DTD declarations). The shipped catalogs take about
 * 55 values per procedure version with its share of agencies (Kiến Thụy 2018:
 * 2,046 for 38 versions; Hải Phòng 2025: 3,349 for 18 versions and 230
 * agencies); 600,000 leaves room for about 10,000 versions in JSON, 4,500 in
 * XML (its attributes and white space are nodes too: 4,977 for Kiến Thụy).
 * With it an import holds at most the document, its tree (about 64 bytes a
 * JSON value, 130 an XML node) and the strings it copies: measured peaks of
 * 148 MiB (JSON) and 199 MiB (XML) for 60 MB documents just inside the
 * budget, about 3.5 x the document (tests/memory_test.sh). */
#define DVC_CATALOG_MAX_VALUES 600000u
/** Bytes of text in one XML text node or attribute (decoded): a form schema's
 * JSON, pretty-printed, is the longest; every other field is at most
 * DVC_CATALOG_MAX_TEXT. */
#define DVC_CATALOG_MAX_XML_TEXT (1024u * 1024u)
/** Bytes of a code (procedure, agency, level, sector): ASCII letters,
 * digits, '.', '-', '_'; the XSD's Code type says the same. A buffer for
 * one needs DVC_CATALOG_CODE_MAX + 1. */
#define DVC_CATALOG_CODE_MAX 64u

/**
 * Import a catalog document. All-or-nothing: on any error the store is
 * exactly as before, and dvc_error_last() names the record and field
 * (path like "procedures[3].versions[0].sector").
 *
 * Reference data (levels, sectors, agencies) is inserted or updated.
 * A procedure version already in the store must be identical (re-importing
 * the same file is a no-op); a changed one is DVC_ECONFLICT: publish a new
 * version instead.
 *
 * @param stats  optional, receives counts (initialised with DVC_IMPORT_STATS_INIT;
 *   another version is DVC_EINVAL)
 * Input is refused, never altered: JSON goes through the library's strict
 * reader (dvc/json.h: a NUL character, invalid UTF-8 or text after the value
 * is refused); XML is parsed without network, DTD loading or entity
 * substitution, and libxml2's messages become this call's error, never
 * printed. More than DVC_CATALOG_MAX_VALUES values or a longer XML text than
 * DVC_CATALOG_MAX_XML_TEXT is DVC_ETOOBIG before the document is built.
 *
 * @return DVC_OK; DVC_EPARSE (malformed JSON/XML); DVC_ESCHEMA (missing or
 *   wrong field, XML failing the XSD); DVC_EUTF8; DVC_ETOOBIG; DVC_EDUPLICATE
 *   (same code twice in the input); DVC_EREF (unknown sector, agency or level);
 *   DVC_ECONFLICT; DVC_EDATE; DVC_ENOMEM; DVC_EIO; DVC_EBUSY.
 */
DVC_API int dvc_catalog_import(dvc_db *db, const char *data, size_t len,
			       dvc_format format, dvc_import_stats *stats);

/** dvc_catalog_import() from a file; DVC_FORMAT_AUTO picks by extension. */
DVC_API int dvc_catalog_import_file(dvc_db *db, const char *path,
				    dvc_format format, dvc_import_stats *stats);

/**
 * Export the whole catalog (every version) as a NUL-terminated document.
 * The XML output validates against data/schema/catalog.xsd, and importing
 * an export into an empty store then exporting again yields the same bytes.
 * @param out  receives the text; free with dvc_free()
 */
DVC_API int dvc_catalog_export(dvc_db *db, dvc_format format, char **out, size_t *len);

/** Validate an XML catalog document against the built-in XSD only. */
DVC_API int dvc_catalog_validate_xml(const char *data, size_t len);

/** The built-in XSD text (borrowed, static). */
DVC_API const char *dvc_catalog_xsd(void);

/**
 * The version of procedure `code` in force on `asof` (NULL: today, UTC+7, on the handle's clock: dvc_set_clock).
 * @return DVC_OK, DVC_ENOTFOUND (no such code, or none in force yet)
 */
DVC_API int dvc_procedure_get(dvc_db *db, const char *code, const dvc_date *asof,
			      dvc_procedure **out);

/** A given version of procedure `code`. DVC_ENOTFOUND when absent. */
DVC_API int dvc_procedure_get_version(dvc_db *db, const char *code, int version,
				      dvc_procedure **out);

DVC_API void dvc_procedure_free(dvc_procedure *p);

/** How a search hit matched, best first. */
typedef enum dvc_match {
	DVC_MATCH_PHRASE = 0,   /**< the whole query as a phrase */
	DVC_MATCH_WORDS = 1,    /**< every word, anywhere */
	DVC_MATCH_FUZZY = 2     /**< after correcting one typo in a word */
} dvc_match;

/** "phrase", "words", "fuzzy". */
DVC_API const char *dvc_match_name(dvc_match v);
DVC_API int dvc_match_parse(const char *name, dvc_match *out);

typedef struct dvc_search_hit {
	const char *code;
	int version;
	const char *name;
	const char *sector;
	const char *agency;
	int online_level;
	dvc_online_mode online_mode;
	dvc_match match;
	double score; /**< bm25 relevance within its match class; lower is better */
} dvc_search_hit;

/** Search filters. Initialise with DVC_SEARCH_OPTS_INIT. */
typedef struct dvc_search_opts {
	unsigned int version;
	const char *sector;      /**< sector code, or NULL */
	const char *level;       /**< administrative level code, or NULL */
	int online_level;        /**< minimum online level 1..4, or 0 */
	const char *agency;      /**< implementing agency code, or NULL */
	size_t limit;            /**< at most this many hits; 0 = 50 */
	const dvc_date *asof;    /**< versions in force on this date; NULL = today on the handle's clock */
} dvc_search_opts;

#define DVC_SEARCH_OPTS_VERSION 1
#define DVC_SEARCH_OPTS_INIT {DVC_SEARCH_OPTS_VERSION, NULL, NULL, 0, NULL, 0, NULL}

typedef struct dvc_search_result dvc_search_result;

/**
 * Search procedures. `text` may be NULL or empty to list by filters only.
 * Text matching folds case and Vietnamese diacritics (đ -> d), accepts NFC,
 * NFD or unaccented input, ranks whole-phrase matches first, and when a word
 * matches nothing, retries it with one typo corrected.
 * @return DVC_OK (possibly zero hits), DVC_EUTF8, DVC_EINVAL, DVC_ENOMEM
 */
DVC_API int dvc_catalog_search(dvc_db *db, const char *text, const dvc_search_opts *opts,
			       dvc_search_result **out);
DVC_API size_t dvc_search_result_count(const dvc_search_result *r);
/** Borrowed; valid until dvc_search_result_free(). NULL when i is out of range. */
DVC_API const dvc_search_hit *dvc_search_result_at(const dvc_search_result *r, size_t i);
DVC_API void dvc_search_result_free(dvc_search_result *r);

/** One row of catalog statistics: procedures in force, per key of a dimension. */
typedef struct dvc_stat_row {
	const char *dimension; /**< "sector", "level" or "online_level" */
	const char *key;       /**< sector code, level code, or "1".."4" */
	const char *label;     /**< display name (Vietnamese) */
	int64_t count;
} dvc_stat_row;

typedef struct dvc_catalog_stats dvc_catalog_stats;

/** Counts of procedures in force on `asof` (NULL: today on the handle's clock) by sector, level and online level. */
DVC_API int dvc_catalog_stats_compute(dvc_db *db, const dvc_date *asof, dvc_catalog_stats **out);
DVC_API size_t dvc_catalog_stats_count(const dvc_catalog_stats *s);
DVC_API const dvc_stat_row *dvc_catalog_stats_at(const dvc_catalog_stats *s, size_t i);
/** Total number of procedures counted. */
DVC_API int64_t dvc_catalog_stats_total(const dvc_catalog_stats *s);
DVC_API void dvc_catalog_stats_free(dvc_catalog_stats *s);

#ifdef __cplusplus
}
#endif
#endif
