/*
 * libdvc — read-side views: the JSON every front end prints (the CLI's
 * --json, the HTTP example's bodies, the binding), written once here, one
 * serializer per record.
 *
 * Each function writes a NUL-terminated UTF-8 JSON text to *out, which the
 * caller frees with dvc_free(); it returns DVC_OK, DVC_EINVAL (a NULL
 * argument) or DVC_ENOMEM, plus the codes of the reads it makes. Field names
 * are stable API. Instants are ISO 8601 with their +07:00 offset
 * ("2018-07-02T08:00:00+07:00") and null when unset; enumerations by their
 * dvc_<enum>_name(); route steps are 1-based ("step": 2 of "steps": 4).
 */
#ifndef DVC_VIEW_H
#define DVC_VIEW_H

#include "dvc/account.h"
#include "dvc/agency.h"
#include "dvc/catalog.h"
#include "dvc/common.h"
#include "dvc/document.h"
#include "dvc/dossier.h"
#include "dvc/payment.h"
#include "dvc/rating.h"
#include "dvc/report.h"
#include "dvc/slip.h"

#ifdef __cplusplus
extern "C" {
#endif

/** View flags. */
enum {
	DVC_VIEW_APPLICANT = 1u << 0, /**< tracking: the applicant's fields ("applicant") and "form_data" */
	DVC_VIEW_OPEN = 1u << 1       /**< lists: leave dossiers in a final state out */
};

/**
 * A dossier: code, procedure, procedure_version, procedure_name, channel,
 * state, state_label, final, version, applicant_name, [applicant{full_name,
 * citizen_id, birth_date, address, phone, email}, form_data] (with
 * DVC_VIEW_APPLICANT), step, steps, unit, unit_name, step_role,
 * step_role_label (dvc_role_label_vi), handler,
 * submitted_at, received_at, due_at, rescheduled_due_at, step_since,
 * step_due_at, seconds_in_step (working seconds), result_at, finished_at,
 * overdue, step_overdue, clock_stopped, delivery (once returned, else
 * null), fee_due, fee_paid, fee_refunded, fee_exemption, history[] (as
 * dvc_history_json), slips[] (kinds dvc_slip_render can print), attachments[]
 * (the form data's "attachments" objects), and with `actions` (may be NULL)
 * actions[]: the allowed ones, {action, label (dvc_action_label_vi), needs[] ("note", "target",
 * "new_due", "delivery"), deliveries[] (return only)}.
 */
DVC_API int dvc_tracking_json(const dvc_tracking *t, const dvc_allowed_actions *actions,
			      unsigned int flags, char **out);
/** The journal: [{seq, at, actor, unit, action, action_label, from, to, to_label, note,
 * payload_digest, hash}] (labels: dvc_action_label_vi, dvc_state_label_vi). */
DVC_API int dvc_history_json(const dvc_tracking *t, char **out);
/**
 * {code, state, version, actions[] (allowed, as in dvc_tracking_json),
 * refused[] ({action, error: "DVC_ETRANSITION"..., message})}.
 */
DVC_API int dvc_allowed_actions_json(const dvc_allowed_actions *l, char **out);
/**
 * What `who` sees of a dossier: dvc_dossier_track_from() and
 * dvc_dossier_allowed_actions() as `who` from `from` (NULL: the unknown
 * client), in dvc_tracking_json(); the applicant's fields and form data are
 * shown to officers and the dossier's account, not to anonymous callers,
 * and so is national_signin: the assurance level (1, 2) of the national
 * identity the applicant was signed in with when submitting, or 0
 * (dvc_dossier_national_signin). Errors as dvc_dossier_track_from().
 */
DVC_API int dvc_dossier_view_json(dvc_db *db, const char *code, const dvc_actor *who,
				  const dvc_caller *from, char **out);
/**
 * Dossiers of dvc_dossier_find(f) (f may be NULL). Without `who`: rows
 * [{code, procedure, state, state_label, unit, handler, due_at, step_due_at,
 * step_since, overdue, step_overdue}]; with `who`, each dossier as
 * dvc_dossier_view_json() shows it to `who` (dossiers `who` may not see are
 * left out). DVC_VIEW_OPEN leaves final states out.
 */
DVC_API int dvc_dossier_list_json(dvc_db *db, const dvc_dossier_filter *f, const dvc_actor *who,
				  unsigned int flags, char **out);
/**
 * An account's profile, as a submission form is filled in with it before
 * the applicant submits (the profile fills the applicant of a submission
 * made with the account): {username, created_at, profile{full_name,
 * citizen_id, birth_date, address, phone, email}}.
 */
DVC_API int dvc_account_json(const dvc_account *a, char **out);
/** A submission's receipt: {code, secret (null for accounts), state ("draft" or "submitted")}. */
DVC_API int dvc_receipt_json(const dvc_receipt *r, int draft, char **out);

/** Options of dvc_dossier_submit_json(). Initialise with DVC_SUBMIT_JSON_INIT. */
typedef struct dvc_submit_json_opts {
	unsigned int version;        /**< DVC_SUBMIT_JSON_VERSION */
	const char *account;         /**< the signed-in account submitting, or NULL: anonymous */
	int national_signin;         /**< it signed in with its national identity (dvc_submission) */
	size_t max_attachments;      /**< inline files; 0: DVC_SUBMIT_JSON_MAX_FILES */
	size_t max_attachment_bytes; /**< their decoded bytes together; 0: DVC_SUBMIT_JSON_MAX_BYTES */
} dvc_submit_json_opts;

#define DVC_SUBMIT_JSON_VERSION 1
#define DVC_SUBMIT_JSON_INIT {DVC_SUBMIT_JSON_VERSION, NULL, 0, 0, 0}
#define DVC_SUBMIT_JSON_MAX_FILES 10                  /**< inline files in one submission */
#define DVC_SUBMIT_JSON_MAX_BYTES (2u * 1024u * 1024u) /**< their decoded bytes; more: upload them */

/**
 * Submit a dossier from its JSON wire form, the portal's:
 * {procedure, applicant{full_name, citizen_id, birth_date, address, phone,
 * email} (with an account: optional, the profile fills it), form_data{...},
 * draft, desk, place, attachments[{component (index) or document (its
 * name), name, data (base64), form}]} as dvc_submission says of each
 * field. Absent and null members are the same; an empty applicant field is
 * an absent one. The dossier and its inline files are stored in one
 * transaction of the call's own, all or nothing; larger files are uploaded
 * one by one afterwards (dvc_dossier_attach).
 *
 * @param receipt the dossier's code and secret (caller-allocated,
 *                DVC_RECEIPT_INIT)
 * @param out     dvc_receipt_json() with files[dvc_file_info_json()], to
 *                dvc_free()
 * @return DVC_OK; DVC_EPARSE, DVC_EUTF8 for JSON the library's reader
 *         refuses; DVC_ESCHEMA for a member of the wrong type or a missing
 *         procedure or applicant (path names it, attachments[i].field for a
 *         file's); DVC_ETOOBIG past the files' limits; DVC_EINVAL for bad
 *         base64 or an unknown component or document; DVC_ETXN inside
 *         dvc_begin(); every error of dvc_dossier_submit and
 *         dvc_dossier_attach (path prefixed with attachments[i]); nothing
 *         is stored on any error.
 */
DVC_API int dvc_dossier_submit_json(dvc_db *db, const char *json, size_t len,
				    const dvc_submit_json_opts *o, dvc_receipt *receipt, char **out);
/**
 * An action in its JSON wire form: {action (dvc_action_parse), note,
 * target, new_due (an instant, dvc_time_parse), delivery
 * (dvc_delivery_parse), payload, expected_version, secret}, as
 * dvc_action_req says of each, by `who`; a non-empty "secret" acts as the
 * dossier's anonymous applicant holding it instead. `from` is the caller
 * for the throttles (may be NULL).
 *
 * @param out  the dossier afterwards as dvc_dossier_view_json() shows it to
 *             the actor, to dvc_free()
 * @return DVC_OK; DVC_EPARSE, DVC_EUTF8 for JSON the library's reader
 *         refuses; DVC_ESCHEMA for a member of the wrong type or no action
 *         (path names it); DVC_EINVAL, DVC_EDATE for a value that does not
 *         parse (path action, new_due, delivery); DVC_EAUTH without a
 *         secret or `who`; every error of dvc_dossier_act, which changes
 *         nothing on failure.
 */
DVC_API int dvc_dossier_act_json(dvc_db *db, const char *code, const char *json, size_t len,
				 const dvc_actor *who, const dvc_caller *from, char **out);

/*
 * The other requests of the wire form. Each reads a JSON object with the
 * library's strict reader (DVC_EPARSE, DVC_EUTF8), refuses a member of the
 * wrong type or a missing one with DVC_ESCHEMA and its name as the path,
 * a value that does not parse with that parser's error (path the member),
 * and then returns every error of the call it makes, which changes nothing
 * on failure.
 */
/**
 * {username, password, profile{full_name, citizen_id, birth_date, address,
 * phone, email}}: dvc_account_register_from(). *out: {"username": ...}.
 */
DVC_API int dvc_account_register_json(dvc_db *db, const char *json, size_t len,
				      const dvc_caller *from, char **out);
/**
 * {scores{criterion (dvc_rating_criterion_parse): score}, comment, secret}
 * by `who` (or the anonymous applicant holding "secret"): dvc_dossier_rate().
 * *out: the rating as dvc_rating_json() shows it.
 */
DVC_API int dvc_dossier_rate_json(dvc_db *db, const char *code, const char *json, size_t len,
				  const dvc_actor *who, const dvc_caller *from, char **out);
/**
 * {receipt_no, amount (đồng, whole), method (dvc_pay_method_parse), note},
 * taken at the desk by `officer`: dvc_payment_counter(). *out: the dossier
 * as dvc_dossier_view_json() shows it to the officer.
 */
DVC_API int dvc_payment_counter_json(dvc_db *db, const char *code, const char *json, size_t len,
				     const char *officer, const dvc_caller *from, char **out);
/**
 * {component (index), file (an id of the account's data store), name,
 * form (dvc_file_form_parse)}: attach that stored file by reference for
 * `account` (dvc_dossier_attach with .reuse). *out: dvc_file_info_json().
 */
DVC_API int dvc_dossier_reuse_json(dvc_db *db, const char *code, const char *json, size_t len,
				   const char *account, char **out);

/**
 * A procedure version: its interchange record (the catalog JSON format's
 * version object: version, valid_from, name, sector, levels, agency,
 * online_level, online_mode, deadline{value, unit}, result_type,
 * legal_basis, documents[{name, form, count, submission, n}], fees[{name,
 * kind, amount, note}], unconfirmed, route[{unit, role, share}],
 * form_schema or null) with its code and valid_to (when it has one).
 */
DVC_API int dvc_procedure_json(const dvc_procedure *p, char **out);
/** {query (or null), count, procedures[{code, version, name, sector, agency, online_level, online_mode, match}]}. */
DVC_API int dvc_search_result_json(const dvc_search_result *r, const char *query, char **out);
/** {total, rows[{dimension, key, label, count}]}. */
DVC_API int dvc_catalog_stats_json(const dvc_catalog_stats *s, char **out);

/**
 * Report rows: [{key, label, received, received_online, received_counter,
 * received_post, settled_on_time, settled_late, pending_on_time,
 * pending_overdue, withdrawn, rejected, cancelled, returned,
 * returned_online, fee_due_count, paid_online_count, online_rate,
 * online_payment_rate, on_time_rate, avg_days_to_settle, p90_days_to_settle}].
 */
DVC_API int dvc_report_json(const dvc_report *r, char **out);
/** [{procedure, step (0-based), unit, unit_name, role, waiting, median_dwell_hours, max_dwell_hours}]. */
DVC_API int dvc_bottlenecks_json(const dvc_bottlenecks *b, char **out);
/** The five-group index: {groups: [{code, name, max_points, computable_points,
 * points, indicators: [{code, name, formula, numerator, denominator, value,
 * max_points, max_points_confirmed, points}]}], not_computable: [{code, group,
 * name, max_points, max_points_confirmed, reason}], points, computable_points,
 * max_points}. */
DVC_API int dvc_index_json(const dvc_index_row *rows, size_t n, char **out);
/** {at, scores: {criterion name: score, only those rated}, comment}. */
DVC_API int dvc_rating_json(const dvc_rating *r, char **out);
/** The rating form: {min, max, satisfied, comment_max, criteria: [{name, label, required}]}. */
DVC_API int dvc_rating_criteria_json(char **out);

/* ---- payments (payment.h) ---- */

/** A payment request for dossier `dossier` (may be NULL: null): {dossier,
 * reference, amount (đồng), amount_text ("1.250.000 đồng"), expires_at}. */
DVC_API int dvc_payment_request_json(const char *dossier, const dvc_payment_request_info *r,
				     char **out);
/** A processed gateway callback: {RspCode ("00", the acknowledgment a
 * VNPay-style gateway expects of the portal), outcome, reference, dossier,
 * amount (đồng), amount_text}. */
DVC_API int dvc_payment_result_json(const dvc_payment_result *r, char **out);

/* ---- documents (document.h) ---- */

/**
 * A stored file: {id, component (the 0-based index, or "result"),
 * component_name, name, size, media_type, sha256, form, mode, added_by
 * (absent when unknown), added_at, replaced_by (absent while current),
 * dossier (absent when unknown)}.
 */
DVC_API int dvc_file_info_json(const dvc_file_info *f, char **out);
/** A dossier's files or an account's data store: [file, ...] as dvc_file_info_json(). */
DVC_API int dvc_file_list_json(const dvc_file_list *l, char **out);
/** What receipt still needs (dvc_dossier_missing): [{component, name}]. */
DVC_API int dvc_missing_json(const dvc_missing *m, char **out);

/* ---- the administrative map (agency.h) ---- */

/** {code, name, level, kind, parent, valid_from, valid_to, predecessors: [succession],
 * successors: [succession]}; a succession is {predecessor, successor, date, act, note}. */
DVC_API int dvc_agency_json(const dvc_agency *a, char **out);
/** [{code, name, level, kind, parent, valid_from, valid_to}]. */
DVC_API int dvc_agency_list_json(const dvc_agency_list *l, char **out);
/** {asof, moved, not_moved, dossiers: [{dossier, from, to, desk, act, reason}]}. */
DVC_API int dvc_cutover_report_json(const dvc_cutover_report *r, char **out);

#ifdef __cplusplus
}
#endif
#endif
