/*
 * libdvc — common definitions: export macro, status codes, error reporting,
 * allocation hooks.
 *
 * Every fallible function returns an int: 0 (DVC_OK) on success or a negative
 * DVC_E* code. The details of the most recent failure on the calling thread are
 * available from dvc_error_last() until the next failing call on that thread.
 */
#ifndef DVC_COMMON_H
#define DVC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DVC_BUILDING) && defined(__GNUC__)
#define DVC_API __attribute__((visibility("default")))
#else
#define DVC_API
#endif

/** Status codes. Stable: values never change once released. */
typedef enum dvc_status {
	DVC_OK = 0,
	DVC_ERROR = -1,       /**< unspecified internal error */
	DVC_ENOMEM = -2,      /**< an allocation failed */
	DVC_EINVAL = -3,      /**< invalid argument */
	DVC_ENOTFOUND = -4,   /**< the named object does not exist */
	DVC_EEXISTS = -5,     /**< an object with that key already exists */
	DVC_EPARSE = -6,      /**< malformed JSON or XML */
	DVC_ESCHEMA = -7,     /**< well-formed input violating the schema */
	DVC_EUTF8 = -8,       /**< invalid UTF-8 */
	DVC_ETOOBIG = -9,     /**< a value or input exceeds a size limit */
	DVC_EDUPLICATE = -10, /**< the same key appears twice in one input */
	DVC_EREF = -11,       /**< reference to an unknown code (sector, agency...) */
	DVC_ETRANSITION = -12,/**< action not legal in the current state */
	DVC_ESERVICELEVEL = -13, /**< refused by the procedure's online service level */
	DVC_EPERM = -14,      /**< the actor may not do this */
	DVC_ECONFLICT = -15,  /**< stale expected version / concurrent change */
	DVC_ESIGNATURE = -16, /**< signature or digest mismatch */
	DVC_EIO = -17,        /**< file or database I/O error */
	DVC_EVERSION = -18,   /**< data written by a newer, unknown format version */
	DVC_EBUSY = -19,      /**< the database is locked by another writer */
	DVC_EDATE = -20,      /**< invalid date or instant */
	DVC_ERANGE = -21,     /**< value out of the supported range */
	DVC_ETXN = -22,       /**< transaction misuse (commit without begin...) */
	DVC_EAUTH = -23,      /**< wrong credentials or tracking secret */
	DVC_ETHROTTLED = -24, /**< too many failed attempts; try later */
	DVC_EEXPIRED = -25,   /**< a time-limited object has expired */
	DVC_ECORRUPT = -26,   /**< stored data fails an integrity check */
	DVC_ETEMPLATE = -27,  /**< a template is invalid (unknown placeholder...) */
	DVC_EAMOUNT = -28,    /**< a payment amount does not match what is due */
	DVC_EUSER = -29,      /**< a host callback (clock, writer) reported failure */
	DVC_EMEDIATYPE = -30, /**< a file's detected media type is not accepted */
	DVC_EINCOMPLETE = -31,/**< required dossier components are missing */
	DVC_ETRUNCATED = -32, /**< an upload (or a journal) ended before its declared size */
	DVC_EMISMATCH = -33,  /**< verified claims contradict stored data (path lists the fields) */
	DVC_ERETAINED = -34   /**< personal data still inside its retention period (privacy.h) */
} dvc_status;

/** Details of the last failure on the calling thread. */
typedef struct dvc_error {
	int code;            /**< one of dvc_status */
	const char *message; /**< English, one line, never NULL */
	const char *path;    /**< offending record/field ("procedures[3].name"), or NULL */
} dvc_error;

/**
 * The last error recorded on this thread. Never NULL: when no error happened,
 * code is DVC_OK and message is "no error". Valid until the next libdvc call
 * that fails on this thread.
 */
DVC_API const dvc_error *dvc_error_last(void);

/** Reset the calling thread's last error to DVC_OK. */
DVC_API void dvc_error_clear(void);

/** A static English name for a status code ("DVC_ENOTFOUND"). */
DVC_API const char *dvc_status_name(int code);
/**
 * What a status means, for the people at a portal, in Vietnamese (static,
 * UTF-8, NFC; "Không tìm thấy" for DVC_ENOTFOUND), so that every front end
 * tells them the same; the English dvc_error.message is the detail.
 */
DVC_API const char *dvc_status_text_vi(int code);

/**
 * Allocation hooks. All memory libdvc allocates itself goes through these.
 * The functions must behave like malloc/realloc/free (realloc(NULL, n) == malloc).
 * `ctx` is passed back unchanged.
 */
typedef struct dvc_allocator {
	void *(*malloc)(size_t size, void *ctx);
	void *(*realloc)(void *ptr, size_t size, void *ctx);
	void (*free)(void *ptr, void *ctx);
	void *ctx;
} dvc_allocator;

/**
 * Replace the allocator (NULL restores the C library's). Process-wide, like
 * sqlite3_config(): call it before any other libdvc call and before other
 * threads use the library, and free everything allocated under one allocator
 * before switching. With `route_deps` non-zero the hooks are also installed
 * into cJSON and libxml2 so that their allocations during libdvc calls fail
 * and succeed with ours (used by the out-of-memory tests). SQLite keeps its
 * own allocator; its out-of-memory errors still map to DVC_ENOMEM.
 */
DVC_API int dvc_allocator_set(const dvc_allocator *alloc, int route_deps);

/** Free memory that libdvc handed to the caller as a plain buffer (strings). */
DVC_API void dvc_free(void *ptr);

/**
 * The number of terminal columns UTF-8 text `s` (`n` bytes) takes, for
 * front ends that line up tables: combining marks (Vietnamese written
 * decomposed) and zero-width characters take 0, East Asian wide and
 * fullwidth characters 2, every other character 1, so a Vietnamese letter
 * is one column whether precomposed or not; control characters take 0.
 * The column count is not the byte count: pad with spaces up to a width,
 * not with printf's "%-20s". DVC_EUTF8 for invalid UTF-8 (or a NUL byte),
 * *width untouched.
 */
DVC_API int dvc_text_width(const char *s, size_t n, size_t *width);

/** Instants: seconds since 1970-01-01T00:00:00Z (UTC). */
typedef int64_t dvc_time;

/** A calendar date (proleptic Gregorian). */
typedef struct dvc_date {
	int year;
	int month; /**< 1..12 */
	int day;   /**< 1..31 */
} dvc_date;

#ifdef __cplusplus
}
#endif
#endif
