/*
 * libdvc — dossier documents (thành phần hồ sơ) and result files.
 *
 * Each component of the procedure version (catalog.h, dvc_procedure's
 * documents, by 0-based index) is received as one or more files. A file is
 * stored once, content-addressed by its SHA-256, in the store, in chunks of
 * DVC_FILE_CHUNK bytes: it is streamed in through a read callback and out
 * through a write callback, and no call holds a whole file in memory. Its
 * media type is detected from the content with libmagic; the name and what a
 * client claims are never trusted. Every add, replacement and supplement is
 * journaled with the file's SHA-256 in the dossier's hash chain.
 *
 * Limits are per procedure (dvc_procedure_policy): the largest file and the
 * media types accepted, with a default (DVC_FILE_DEFAULT_MAX_BYTES; PDF, JPEG,
 * PNG, TIFF) for procedures without a policy. A refused file stores nothing.
 *
 * Who may attach: the dossier's own applicant while it is a draft, submitted
 * or awaiting a supplement; the reception desk (an officer at the route's
 * first unit) in the same states; the signing leader at the current step for
 * the result (component DVC_FILE_RESULT). Tracking rights decide who lists
 * and downloads (dossier.h).
 */
#ifndef DVC_DOCUMENT_H
#define DVC_DOCUMENT_H

#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes per stored chunk, and per read/write callback call at most. */
#define DVC_FILE_CHUNK (64 * 1024)
/** Largest file when the procedure has no policy: 20 MiB. */
#define DVC_FILE_DEFAULT_MAX_BYTES (20 * 1024 * 1024)
/** Hard ceiling on any policy's limit: 1 GiB. */
#define DVC_FILE_MAX_BYTES ((int64_t)1024 * 1024 * 1024)
/** Bytes in a file name (UTF-8), the NUL not counted. */
#define DVC_FILE_NAME_MAX 255
/** Media type strings ("application/pdf") fit in this. */
#define DVC_MEDIA_TYPE_SIZE 128
/** The component index of a dossier's result file. */
#define DVC_FILE_RESULT (-1)

/** Which paper a file stands for. */
typedef enum dvc_file_form {
	DVC_FILE_ORIGINAL = 0, /**< scan of the original (bản chính) */
	DVC_FILE_COPY = 1,     /**< scan of a copy (bản sao) */
	DVC_FILE_ECOPY = 2     /**< electronic copy certified from the original (bản sao điện tử) */
} dvc_file_form;

/** "original", "copy", "ecopy". */
DVC_API const char *dvc_file_form_name(dvc_file_form f);
DVC_API int dvc_file_form_parse(const char *name, dvc_file_form *out);

/** How a file joins the dossier. */
typedef enum dvc_attach_mode {
	DVC_ATTACH_ADD = 0,        /**< one more file for the component */
	DVC_ATTACH_REPLACE = 1,    /**< replaces the file `replaces` of the same component */
	DVC_ATTACH_SUPPLEMENT = 2  /**< answers a supplement request (dossier awaiting one) */
} dvc_attach_mode;

/** "add", "replace", "supplement". */
DVC_API const char *dvc_attach_mode_name(dvc_attach_mode m);
DVC_API int dvc_attach_mode_parse(const char *name, dvc_attach_mode *out);

/**
 * Read callback: fill up to `cap` bytes of `buf`; return the number of bytes
 * read, 0 at the end of the file, or a negative value when the source failed
 * (the upload is refused with DVC_EIO and nothing is stored).
 */
typedef int64_t (*dvc_file_read_fn)(void *ctx, void *buf, size_t cap);
/**
 * Content in memory, for dvc_attach_req.read = dvc_mem_read and read_ctx =
 * &reader: `data` (may be NULL when `size` is 0) is read from `offset` on.
 */
typedef struct dvc_mem_reader {
	const void *data;
	size_t size, offset;
} dvc_mem_reader;
/** dvc_file_read_fn over a dvc_mem_reader (`ctx`); never fails. */
DVC_API int64_t dvc_mem_read(void *ctx, void *buf, size_t cap);
/** Write callback: take `n` bytes; return 0, or non-zero to stop (DVC_EIO). */
typedef int (*dvc_file_write_fn)(void *ctx, const void *buf, size_t n);

/** An upload. Initialise with DVC_ATTACH_INIT. */
typedef struct dvc_attach_req {
	unsigned int version;
	dvc_actor actor;
	int component;          /**< index into the version's documents, or DVC_FILE_RESULT */
	const char *name;       /**< file name shown to people: no path, no control characters */
	dvc_file_form form;
	dvc_attach_mode mode;
	int64_t replaces;       /**< DVC_ATTACH_REPLACE: id of the file replaced */
	int64_t declared_size;  /**< the size the client announced, or -1: fewer bytes is
	                             DVC_ETRUNCATED, more is DVC_ETOOBIG, over the limit is
	                             refused before a byte is read */
	dvc_file_read_fn read;       /**< the content... */
	void *read_ctx;
	int64_t reuse;          /**< ...or, instead, the id of a file in the actor's own data
	                             store (dvc_account_files) to attach by reference */
} dvc_attach_req;

#define DVC_ATTACH_VERSION 1
#define DVC_ATTACH_INIT {DVC_ATTACH_VERSION, {DVC_ACTOR_OFFICER, NULL, NULL}, 0, NULL, \
	DVC_FILE_ORIGINAL, DVC_ATTACH_ADD, 0, -1, NULL, NULL, 0}

/**
 * Set one field of an attachment request from its text, as a portal's
 * query string or a command line gives it, so that every front end parses
 * them alike: "component" (a document's index 0..10000, or "result"),
 * "name", "form" (dvc_file_form_parse), "mode" (dvc_attach_mode_parse),
 * "replaces" and "reuse" (a file id, 1 or more), "size" (the declared size
 * in bytes, 0 or more). Strings are borrowed, not copied.
 * @return DVC_OK; DVC_EINVAL with the field's name as the path for a value
 *   that does not parse or an unknown field; nothing in *q changes then.
 */
DVC_API int dvc_attach_req_set(dvc_attach_req *q, const char *field, const char *value);

/** One stored file of a dossier (or of an account's data store). */
typedef struct dvc_file_info {
	int64_t id;
	int component;          /**< index, or DVC_FILE_RESULT */
	const char *component_name; /**< the catalog's name of the component, or "Kết quả" */
	const char *name;
	int64_t size;
	char media_type[DVC_MEDIA_TYPE_SIZE];
	char sha256[DVC_HASH_HEX_SIZE]; /**< hex */
	dvc_file_form form;
	dvc_attach_mode mode;
	const char *added_by;   /**< "officer:...", "account:...", "applicant" */
	dvc_time added_at;
	int64_t replaced_by;    /**< id of the file that replaced this one, or 0 (current) */
	const char *dossier;    /**< the dossier's code */
} dvc_file_info;

/**
 * Stream a file into a dossier. One transaction: the content, its metadata
 * and the journal entry are stored together or not at all. On PostgreSQL a
 * write the server rolled back (serialization failure, deadlock) runs
 * again, outside an explicit transaction, while the content can be read
 * again: a reused file, or a dvc_mem_reader (dvc_mem_read), which is
 * rewound to its offset at the call. Once another read callback was
 * called, its stream is spent: the call answers DVC_EBUSY and the caller
 * uploads again.
 * @param out  optional, receives the stored file (strings borrowed: valid
 *   until the next call on the same thread... copy what you keep); may be NULL
 * @return DVC_OK; DVC_ENOTFOUND (dossier, component, replaced or reused file);
 *   DVC_EAUTH / DVC_EPERM / DVC_ETHROTTLED (actor, as dvc_dossier_act);
 *   DVC_ETRANSITION (the dossier's state takes no files, or no supplement is
 *   requested); DVC_EINVAL (bad name: empty, a path, control characters,
 *   invalid UTF-8 or over DVC_FILE_NAME_MAX bytes; zero-byte file; no read
 *   callback and no reuse); DVC_ETOOBIG (over the procedure's limit, declared
 *   or streamed); DVC_ETRUNCATED (fewer bytes than declared);
 *   DVC_EMEDIATYPE (the detected type is not accepted, e.g. an executable
 *   named .pdf); DVC_EIO (the read callback failed); DVC_ENOMEM; DVC_EBUSY.
 */
DVC_API int dvc_dossier_attach(dvc_db *db, const char *code, const dvc_attach_req *req,
			       dvc_file_info *out);

typedef struct dvc_file_list dvc_file_list;

/**
 * The dossier's files, current and replaced, oldest first. Who may see them:
 * as dvc_dossier_track().
 */
DVC_API int dvc_dossier_files(dvc_db *db, const char *code, const dvc_actor *who,
			      dvc_file_list **out);
/** dvc_dossier_files() with the caller's client key for the tracking-secret
 * throttle (NULL: the unknown client), as dvc_dossier_track_from() takes it. */
DVC_API int dvc_dossier_files_from(dvc_db *db, const char *code, const dvc_actor *who,
				   const dvc_caller *from, dvc_file_list **out);
DVC_API size_t dvc_file_list_count(const dvc_file_list *l);
/** Borrowed from the list. */
DVC_API const dvc_file_info *dvc_file_list_at(const dvc_file_list *l, size_t i);
/** The file with id `id` in the list (borrowed), or NULL when it has none. */
DVC_API const dvc_file_info *dvc_file_list_find(const dvc_file_list *l, int64_t id);
DVC_API void dvc_file_list_free(dvc_file_list *l);

/**
 * Stream a dossier's file out through `write`, checking its SHA-256 as it
 * goes. Who may: as dvc_dossier_track().
 * @return DVC_OK; DVC_ENOTFOUND (no such file on this dossier); DVC_EAUTH /
 *   DVC_EPERM / DVC_ETHROTTLED; DVC_EIO (the write callback stopped);
 *   DVC_ECORRUPT (the stored chunks do not hash to the file's SHA-256: the
 *   bytes already written must be discarded).
 */
DVC_API int dvc_dossier_download(dvc_db *db, const char *code, const dvc_actor *who,
				 int64_t file_id, dvc_file_write_fn write, void *ctx);
/** dvc_dossier_download() with the caller's client key for the
 * tracking-secret throttle (NULL: the unknown client). */
DVC_API int dvc_dossier_download_from(dvc_db *db, const char *code, const dvc_actor *who,
				      const dvc_caller *from, int64_t file_id,
				      dvc_file_write_fn write, void *ctx);

/** What a dossier still lacks for receipt. Freed with dvc_missing_free(). */
typedef struct dvc_missing {
	size_t n;
	const int *components;      /**< indices into the version's documents */
	const char *const *names;   /**< their catalog names */
} dvc_missing;

/**
 * The required components with no current file (uploads) or, for e-form
 * components, no form data and no file. Receipt of a dossier whose
 * procedure requires files (dvc_procedure_policy.require_files) is refused
 * with DVC_EINCOMPLETE while this list is not empty; the error message
 * names them.
 */
DVC_API int dvc_dossier_missing(dvc_db *db, const char *code, dvc_missing **out);
DVC_API void dvc_missing_free(dvc_missing *m);

/**
 * The citizen's data store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân,
 * Decree 45/2020/NĐ-CP, art. 16): the files an account uploaded to its own
 * dossiers and the electronic results it was given, one entry per content.
 * A later submission attaches them by reference (dvc_attach_req.reuse); only
 * their owner can. `username` is the account as the embedding application
 * authenticated it. List entries: component is 0 for a document and
 * DVC_FILE_RESULT for a result; dossier is where it came from.
 */
DVC_API int dvc_account_files(dvc_db *db, const char *username, dvc_file_list **out);
/** Stream one file of the account's data store out (checked as dvc_dossier_download). */
DVC_API int dvc_account_download(dvc_db *db, const char *username, int64_t file_id,
				 dvc_file_write_fn write, void *ctx);

/** Per-procedure rules on files and payment. Initialise with DVC_PROCEDURE_POLICY_INIT. */
typedef struct dvc_procedure_policy {
	unsigned int version;
	int64_t max_file_bytes;   /**< 1..DVC_FILE_MAX_BYTES */
	const char *media_types;  /**< comma-separated list ("application/pdf,image/jpeg") */
	int require_files;        /**< receipt of an online dossier needs every component
	                               (off by default: stores made before documents existed
	                               receive online dossiers without files) */
	int pay_before_return;    /**< the result is returned, at the counter too, only once
	                               the fee is paid; an online return always needs it */
} dvc_procedure_policy;

#define DVC_PROCEDURE_POLICY_VERSION 1
/** The default policy: what a procedure without a stored one gets. */
#define DVC_FILE_DEFAULT_TYPES "application/pdf,image/jpeg,image/png,image/tiff"
#define DVC_PROCEDURE_POLICY_INIT {DVC_PROCEDURE_POLICY_VERSION, DVC_FILE_DEFAULT_MAX_BYTES, \
	DVC_FILE_DEFAULT_TYPES, 0, 0}

/**
 * Store the policy of a procedure (by national code; it holds for every
 * version). Catalog data: it changes no dossier already received.
 * @return DVC_OK; DVC_ENOTFOUND (procedure); DVC_EINVAL (limit out of range,
 *   an empty or malformed media type list).
 */
DVC_API int dvc_procedure_policy_set(dvc_db *db, const char *procedure,
				     const dvc_procedure_policy *p);
/**
 * The policy in force for a procedure (the default when none is stored).
 * `media_types` is written into `types` (`types_size` bytes, at most 1 KiB is
 * ever stored) and `out->media_types` points there.
 */
DVC_API int dvc_procedure_policy_get(dvc_db *db, const char *procedure,
				     dvc_procedure_policy *out, char *types, size_t types_size);

#ifdef __cplusplus
}
#endif
#endif
