/*
 * libdvc — personal data of applicants (Decree 13/2023/NĐ-CP on personal
 * data protection, dữ liệu cá nhân): the officers' access log.
 *
 * Every read of a dossier's personal data by an officer through the
 * library — tracking (dvc_dossier_track_from and the views built on it:
 * dvc_dossier_view_json, dvc_dossier_list_json with an officer), the file
 * list (dvc_dossier_files), a document's content (dvc_dossier_download) and
 * a slip rendered for an officer (dvc_slip_render_for) — is recorded:
 * which officer, when, which dossier, which view. The record is one row in
 * its own table, apart from the journal (no hash, no signature), so a read
 * stays cheap. Tracking and the file list read inside the write transaction
 * that records them (a read that fails leaves no record); a download and a
 * slip are recorded in their own transaction before the first byte is read
 * (they stay recorded if the read then fails). When the record cannot be
 * written the read is refused with that error and nothing is handed out. Only authenticated
 * officer reads are recorded (an officer username the store knows):
 * applicants reading their own dossier and anonymous traffic write nothing.
 * Reads made by the trusted side without an actor (dvc_slip_render, the
 * CLI's slips, reports) are the embedding application's to log.
 */
#ifndef DVC_PRIVACY_H
#define DVC_PRIVACY_H

#include "dvc/account.h"
#include "dvc/calendar.h"
#include "dvc/common.h"
#include "dvc/dossier.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What an officer read. */
typedef enum dvc_access_kind {
	DVC_ACCESS_TRACK = 0,    /**< the dossier with the applicant's fields and form data */
	DVC_ACCESS_FILES = 1,    /**< the list of its documents */
	DVC_ACCESS_DOWNLOAD = 2, /**< a document's content (detail: "file N") */
	DVC_ACCESS_SLIP = 3      /**< a slip (detail: its kind, "receipt") */
} dvc_access_kind;
#define DVC_ACCESS_KIND_COUNT 4

/** "track", "files", "download", "slip"; "?" out of range. */
DVC_API const char *dvc_access_kind_name(dvc_access_kind k);
DVC_API int dvc_access_kind_parse(const char *name, dvc_access_kind *out);

/** Which entries to list. Initialise with DVC_ACCESS_QUERY_INIT. */
typedef struct dvc_access_query {
	unsigned int version;
	const char *dossier; /**< a dossier code, or NULL */
	const char *officer; /**< an officer username, or NULL (one of the two is required) */
	dvc_time from;       /**< entries at or after this instant (0: from the start) */
	dvc_time to;         /**< ... and before this one (0: no end) */
	size_t limit;        /**< at most this many (0: DVC_ACCESS_LIMIT_DEFAULT) */
} dvc_access_query;

#define DVC_ACCESS_QUERY_VERSION 1
#define DVC_ACCESS_QUERY_INIT {DVC_ACCESS_QUERY_VERSION, NULL, NULL, 0, 0, 0}
#define DVC_ACCESS_LIMIT_DEFAULT 1000

/**
 * The access log, oldest first, as JSON: {"entries": [{"dossier",
 * "officer" (username), "officer_name", "unit", "at" (ISO 8601), "view"
 * (dvc_access_kind_name), "detail" (or null)}], "more": true when entries
 * past `limit` were left out (ask again from the last "at")}.
 *
 * Who may ask (`who`; NULL is the trusted side: an inspector's tool, the
 * CLI): the dossier's own applicant, for that dossier (its account, or code
 * and tracking secret, throttled per client `from` as tracking is); an
 * officer, for their own reads (q->officer their username, no dossier); an
 * officer of role admin, for anything. Listing is not itself recorded.
 *
 * @return DVC_OK; DVC_EINVAL (no dossier and no officer, a bad version,
 *   to before from); DVC_ENOTFOUND (dossier or officer); DVC_EAUTH,
 *   DVC_ETHROTTLED (anonymous, as tracking); DVC_EPERM (another applicant's
 *   dossier, another officer's reads); DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_access_log_json(dvc_db *db, const dvc_access_query *q, const dvc_actor *who,
				const dvc_caller *from, char **out);

/*
 * Retention and erasure. How long a one-stop dossier's documents must be
 * kept was not confirmed from the archival rules (docs/privacy.md says what
 * was searched): the period is the deployment's to set, by its archive's
 * retention schedule, with a default of DVC_RETENTION_DAYS_DEFAULT days
 * (10 years, the "long-term" class of the archival schedules, chosen as a
 * cautious default, not read from a rule for these dossiers).
 */
#define DVC_RETENTION_DAYS_DEFAULT 3650
#define DVC_RETENTION_DAYS_MAX 36500
/** What an erased file is called in file lists. */
#define DVC_ERASED_NAME "(đã xóa)"

/**
 * Keep personal data `days` days after a dossier closes, on this handle.
 * @return DVC_OK; DVC_ERANGE outside 1..DVC_RETENTION_DAYS_MAX (unchanged);
 *   DVC_EINVAL.
 */
DVC_API int dvc_privacy_set_retention(dvc_db *db, int days);
/** The handle's retention period in days (the default until set). */
DVC_API int dvc_privacy_retention(const dvc_db *db);

/**
 * Erase the applicant's personal data of a closed dossier past retention
 * (returned, rejected, withdrawn or cancelled, finished at least the
 * retention period ago), by an officer of role admin, in one transaction:
 * the applicant's name, citizen ID, birth date and address become empty,
 * phone, e-mail and form data NULL; its files are renamed DVC_ERASED_NAME
 * and their content deleted (unless another dossier or an account's own
 * data store holds the same content); its notifications' recipients and
 * texts are emptied and its rating's comment dropped. The state, dates,
 * fees, route, file sizes and digests stay, for reports and the journal.
 *
 * A journal entry (action "erase", journal-only, signed like any other)
 * records the SHA-256 of what was erased, so that the journal, `dvc
 * dossier verify` and proof bundles still verify, and whoever kept a copy
 * can show it was this. The digest is over this text, UTF-8: the line
 * "dvc-erasure" TAB "1" LF, then one line per field, NAME TAB LENGTH TAB
 * VALUE LF, with LENGTH the value's length in bytes in decimal, or "-" and
 * an empty value for a field that had none, in this order: code,
 * full_name, citizen_id, birth_date, address, phone, email, form_data;
 * then for each file (current and replaced, oldest first) "file" with the
 * value "ID SHA256" (its id in decimal, a space, the hex SHA-256 of its
 * content) and "file_name" with its name; then rating_comment.
 *
 * Journal notes written by officers along the way are not erased (they are
 * signed parts of the record; see docs/privacy.md), nor the access log.
 *
 * @param digest  optional, receives the hex SHA-256 journaled
 * @return DVC_OK; DVC_ETRANSITION (the dossier is open, or already
 *   erased); DVC_ERETAINED (closed but inside retention: the message says
 *   until when); DVC_EPERM (not an officer of role admin); DVC_ENOTFOUND;
 *   DVC_EINVAL; DVC_ENOMEM; DVC_EIO; DVC_EBUSY. Nothing changes on error.
 */
DVC_API int dvc_dossier_erase_personal(dvc_db *db, const char *code, const dvc_actor *who,
				       char digest[DVC_HASH_HEX_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
