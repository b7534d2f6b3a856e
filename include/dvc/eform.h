/*
 * libdvc — e-form schemas (biểu mẫu điện tử): validation of the form data an
 * applicant submits with a dossier against the schema of the procedure version.
 *
 * A schema is a small, strict subset of JSON Schema. The root is
 *
 *   {"type": "object", "properties": {...}, "required": [...],
 *    "additionalProperties": false}
 *
 * and every schema (the root, each property, each array's "items") is an object
 * with these keywords:
 *
 *   type                  required: "string", "integer", "number", "boolean",
 *                         "object" or "array" (one type; no unions, no null —
 *                         an optional field is left out, not sent as null)
 *   title, description    strings, ignored (labels such as "Họ và tên")
 *   -- objects --
 *   properties            object: field name -> schema
 *   required              array of distinct field names, each declared in properties
 *   additionalProperties  true (the JSON Schema default) or false; undeclared
 *                         fields are then refused
 *   -- arrays --
 *   items                 required: the schema of every element
 *   minItems, maxItems    non-negative integers
 *   -- strings --
 *   minLength, maxLength  non-negative integers, counted in Unicode code points
 *                         of the text as sent ("Nguyễn" in NFC is 6; send NFC)
 *   pattern               POSIX extended regular expression (regcomp with
 *                         REG_EXTENDED|REG_NOSUB), matched against the whole
 *                         value: it is wrapped as ^(...)$. Not ECMA-262: write
 *                         [0-9] for \d; backslash-letter escapes are refused.
 *                         Matching is bytewise unless the process runs in a
 *                         UTF-8 locale when the schema is compiled.
 *   format                "date" (YYYY-MM-DD, a real calendar date),
 *                         "citizen_id", "phone", "email" (see dvc/validate.h)
 *   -- strings, integers, numbers --
 *   enum                  non-empty array of distinct values of the schema's type
 *                         (strings compare bytewise)
 *   -- integers, numbers --
 *   minimum, maximum      numbers, inclusive
 *
 * A keyword that does not apply to the schema's type, an unknown keyword, a
 * pattern that does not compile or contradictory bounds make the schema
 * invalid: a typo in a schema must not silently accept bad data.
 * Integers are numbers with no fractional part within ±2^53.
 *
 * Limits: schema and data nesting at most DVC_EFORM_MAX_DEPTH levels; each
 * string value (and key) at most DVC_EFORM_MAX_STRING bytes; documents at most
 * DVC_EFORM_MAX_INPUT bytes and DVC_EFORM_MAX_VALUES values. Beyond them:
 * DVC_ETOOBIG. Both documents are read by the library's strict JSON reader
 * (dvc/json.h): a NUL character, invalid UTF-8 or text after the value is
 * refused, never cut.
 *
 * Errors name the offending place in dvc_error_last()->path: for a schema the
 * keyword's place in the schema document ("properties.birth_date.format"),
 * for data the field ("children[2].name"; NULL for the document itself).
 * The message says what is wrong in English ("children[2].name is required").
 *
 * A compiled dvc_eform is immutable: dvc_eform_validate() may be called on one
 * form from several threads at once.
 */
#ifndef DVC_EFORM_H
#define DVC_EFORM_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DVC_EFORM_MAX_DEPTH 32                 /**< nesting levels, the root object is 1 */
#define DVC_EFORM_MAX_STRING (64u * 1024u)     /**< bytes per string value or key */
#define DVC_EFORM_MAX_INPUT (8u * 1024u * 1024u) /**< bytes per schema or data document */
/** JSON values per schema or data document (objects, arrays, strings,
 * numbers, literals; keys not counted): bounds the parse tree (about 64 bytes
 * a value) before it is built. The largest shipped schema has a few hundred. */
#define DVC_EFORM_MAX_VALUES 100000u

/** A compiled form schema. */
typedef struct dvc_eform dvc_eform;

/**
 * Compile a form schema.
 * @param out          receives the form; free it with dvc_eform_free(). NULL on failure.
 * @param schema_json  the schema, UTF-8 JSON (need not be NUL-terminated)
 * @param len          its length in bytes
 * @return DVC_OK; DVC_EINVAL (NULL argument); DVC_EUTF8; DVC_EPARSE (malformed
 *         JSON); DVC_ESCHEMA (invalid schema, path names the keyword);
 *         DVC_EDUPLICATE (a key twice in one object); DVC_ETOOBIG; DVC_ENOMEM
 */
DVC_API int dvc_eform_compile(dvc_eform **out, const char *schema_json, size_t len);

/**
 * Validate submitted form data against a compiled form. Stops at the first
 * violation: in each object its fields are checked in document order, then
 * the missing required fields in name order. Values are checked, never
 * changed: a "phone" field passes in any spelling dvc_validate_phone()
 * accepts, so normalise it with that function before storing.
 * @param f          the form
 * @param data_json  the data, UTF-8 JSON (need not be NUL-terminated)
 * @param len        its length in bytes
 * @return DVC_OK; DVC_EINVAL (NULL argument); DVC_EUTF8 (invalid UTF-8 or a
 *         \u0000 escape); DVC_EPARSE; DVC_ESCHEMA (path names the field);
 *         DVC_EDUPLICATE (a field twice in one object); DVC_ETOOBIG; DVC_ENOMEM
 */
DVC_API int dvc_eform_validate(const dvc_eform *f, const char *data_json, size_t len);

/** Free a form. NULL is a no-op. */
DVC_API void dvc_eform_free(dvc_eform *f);

/**
 * Compile `schema_json` and validate `data_json` against it, in one call.
 * The status tells which failed: schema errors and data errors share codes,
 * so callers that must distinguish them compile first.
 */
DVC_API int dvc_eform_check(const char *schema_json, size_t slen, const char *data_json,
			    size_t dlen);

#ifdef __cplusplus
}
#endif
#endif
