/*
 * libdvc — the JSON reader's check, for front ends.
 *
 * Every JSON document the library reads (catalogs, e-form schemas and data,
 * calendar schedules, notification templates) first goes through one strict
 * check that allocates nothing: RFC 8259 syntax, valid UTF-8, no NUL
 * character (neither a raw byte nor an escaped \u0000), no unescaped control
 * character in a string, no lone surrogate escape, nothing but white space
 * after the value, and limits on nesting and on the number of values, so
 * that a hostile document is refused before any tree is built (a tree costs
 * about 64 bytes a value). Input is refused, never altered.
 *
 * dvc_json_check() runs that same check for a front end that parses JSON of
 * its own (the example HTTP server checks each request body with it before
 * cJSON sees it), so that no front end quietly accepts what the library
 * refuses.
 */
#ifndef DVC_JSON_H
#define DVC_JSON_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting any check accepts (a larger max_depth is DVC_EINVAL). */
#define DVC_JSON_MAX_DEPTH 512

/** Longest number token accepted, in bytes (longer is DVC_ETOOBIG). */
#define DVC_JSON_MAX_NUMBER 63

/**
 * Check that `text` (`len` bytes, need not be NUL-terminated) is one JSON
 * value the library would accept. Allocates nothing.
 *
 * @param max_depth   deepest nesting of objects and arrays (1..DVC_JSON_MAX_DEPTH;
 *                    a scalar document has depth 0)
 * @param max_values  most values (objects, arrays, strings, numbers, true,
 *                    false, null; object keys are not counted), 0 for no limit
 * @return DVC_OK; DVC_EINVAL (`text` NULL, max_depth out of range);
 *   DVC_EPARSE (malformed JSON, trailing content, an unescaped control
 *   character in a string); DVC_EUTF8 (invalid UTF-8, a NUL byte, \u0000 or
 *   a lone surrogate escape); DVC_ETOOBIG (deeper than max_depth, more than
 *   max_values values, a number longer than DVC_JSON_MAX_NUMBER). The
 *   message gives the line and column (1-based, columns in characters).
 */
DVC_API int dvc_json_check(const char *text, size_t len, int max_depth, size_t max_values);

#ifdef __cplusplus
}
#endif

#endif
