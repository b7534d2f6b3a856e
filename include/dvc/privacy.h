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

#ifdef __cplusplus
}
#endif
#endif
