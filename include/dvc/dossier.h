/*
 * libdvc — dossiers (hồ sơ): submission, actions along the lifecycle and
 * the procedure's processing route, tracking, and the tamper-evident journal.
 *
 * Every action is one transaction: it checks the transition table
 * (lifecycle.h), the actor (an applicant acts only on their own dossier; an
 * officer only where the current step is at their unit and role), the
 * service-level rules and the expected version, then updates the dossier and
 * appends a journal entry whose hash chains the previous one. Any failure
 * changes nothing.
 *
 * Deadlines: at intake the appointment (ngày hẹn trả) is computed from the
 * procedure's deadline with the working-time calendar; the clock stops while
 * a supplement is requested or the dossier is paused, and resumes with the
 * working time that was left; a late dossier can be rescheduled once with a
 * recorded apology and stays late in reports. Overdue is derived, never stored.
 */
#ifndef DVC_DOSSIER_H
#define DVC_DOSSIER_H

#include "dvc/account.h"
#include "dvc/calendar.h"
#include "dvc/common.h"
#include "dvc/lifecycle.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dvc_channel {
	DVC_CHANNEL_ONLINE = 0,
	DVC_CHANNEL_COUNTER = 1, /**< at the reception desk */
	DVC_CHANNEL_POST = 2
} dvc_channel;

DVC_API const char *dvc_channel_name(dvc_channel c);
DVC_API int dvc_channel_parse(const char *name, dvc_channel *out);

/** Who acts. */
typedef enum dvc_actor_kind {
	DVC_ACTOR_ACCOUNT = 0,   /**< a registered applicant (name = username) */
	DVC_ACTOR_ANONYMOUS = 1, /**< an applicant without account (secret = tracking secret) */
	DVC_ACTOR_OFFICER = 2    /**< an officer (name = username) */
} dvc_actor_kind;

/** "account", "anonymous", "officer". */
DVC_API const char *dvc_actor_kind_name(dvc_actor_kind k);
DVC_API int dvc_actor_kind_parse(const char *name, dvc_actor_kind *out);

typedef struct dvc_actor {
	dvc_actor_kind kind;
	const char *name;   /**< username, for accounts and officers */
	const char *secret; /**< tracking secret, for anonymous applicants */
} dvc_actor;

/* Time source and calendar of a store handle (tests and simulations set them). */

/** A host clock: write the current instant to *out and return 0, or return
 * non-zero when it cannot. A failing clock fails the libdvc call that read
 * it with DVC_EUSER, and nothing that call would have written is kept. */
typedef int (*dvc_clock_fn)(void *ctx, dvc_time *out);
/** Use `fn` instead of the system clock for this handle (NULL restores it). */
DVC_API void dvc_set_clock(dvc_db *db, dvc_clock_fn fn, void *ctx);
/**
 * The handle's current time into *out (the system clock for a NULL handle).
 * @return DVC_OK; DVC_EINVAL (out NULL); DVC_EUSER (the host clock failed).
 */
DVC_API int dvc_now(dvc_db *db, dvc_time *out);
/**
 * Use `cal` (borrowed: it must outlive the handle or be replaced) for
 * deadlines. Without one, the handle creates the default calendar on first use.
 */
DVC_API void dvc_set_calendar(dvc_db *db, const dvc_calendar *cal);

/** A new dossier. Initialise with DVC_SUBMISSION_INIT. */
typedef struct dvc_submission {
	unsigned int version;
	const char *procedure;  /**< national procedure code; the version in force today is bound */
	dvc_channel channel;
	const char *account;    /**< applicant's username, or NULL for no account */
	const dvc_applicant *applicant; /**< required without an account; with one, NULL = profile */
	const char *form_data;  /**< JSON object validated against the version's form schema, or NULL */
	int draft;              /**< keep as a draft (online only) instead of submitting */
	const char *officer;    /**< counter/post: the reception officer entering it */
	int copies;             /**< copies asked for (per-copy fees); 0 = form "copies" or 1 */
	int pages;              /**< pages (per-page fees); 0 = form "pages" or 1 */
	const char *fee_exemption; /**< legal reason of a fee exemption, or NULL */
	/* version 2 */
	/** The centre (or committee desk) that receives the dossier, NULL for the
	 * competent agency's own desk. Under Decree 118/2025/NĐ-CP a dossier may be
	 * lodged at any Public Administration Service Centre of the province,
	 * regardless of the applicant's residence; the code then carries this
	 * desk's agency code and the route goes on to the competent agency. */
	const char *desk;
	/** Where the competent agency is looked for (an agency code or an address
	 * naming the commune), NULL for the applicant's address. Used by
	 * procedures served by every agency of a level (dvc_procedure.served_level). */
	const char *place;
	/* version 3 */
	/** The applicant is signed in with the account's linked national
	 * identity (identity.h): the dossier records it with its assurance
	 * level, and the national portal is told (TaiKhoanDuocXacThucVoiVNeID).
	 * An account without a link is DVC_EINVAL. With a linked account, its
	 * verified fields fill an applicant's empty ones and a typed value that
	 * differs from one of them is DVC_EMISMATCH (path lists the fields). */
	int national_signin;
} dvc_submission;

#define DVC_SUBMISSION_VERSION 3
#define DVC_SUBMISSION_INIT {DVC_SUBMISSION_VERSION, NULL, DVC_CHANNEL_ONLINE, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0}

/** Bytes of a dossier code buffer, NUL included. Codes are the receiving
 * desk's agency code (at most DVC_CATALOG_CODE_MAX), yymmdd and a sequence
 * ("000.00.30.H24-180701-0001"), Circular 01/2018/TT-VPCP art. 19.
 *
 * The date is the day the receiving system took the dossier in: for a
 * counter or postal dossier the day the desk entered it, which is the day of
 * receipt; for an online dossier the day the portal accepted it (Decree
 * 45/2020/NĐ-CP: the code is returned at submission and serves tracking and
 * payment from then on, and it is hashed into every journal entry). The
 * code is never rewritten; the desk's acceptance is recorded as the
 * dossier's received_at (dvc_tracking.received_at, printed on the receipt
 * slip). See data/catalog/SOURCES.md, "Dossier code". */
#define DVC_CODE_MAX 96
/** The last sequence number of a desk's day (4 digits): the next submission
 * that day is refused with DVC_ERANGE, never given a fifth digit. */
#define DVC_CODE_SEQ_MAX 9999
/** Bytes of a hex SHA-256 digest buffer, NUL included. */
#define DVC_HASH_HEX_SIZE 65
/** Limits on free text (DVC_ETOOBIG beyond): notes of actions, fee exemption reasons. */
#define DVC_NOTE_MAX 8192
#define DVC_EXEMPTION_MAX 500

/** Tracking secrets handed to applicants without an account. */
#define DVC_SECRET_MAX 32
/** A tracking secret's length: 20 symbols of 31 (about 99 bits). */
#define DVC_SECRET_LEN 20

/** What a submission hands back. Caller-allocated: initialise with
 * DVC_RECEIPT_INIT (the version tells the library which fields exist). */
typedef struct dvc_receipt {
	unsigned int version;
	char code[DVC_CODE_MAX];
	char secret[DVC_SECRET_MAX]; /**< empty for account holders */
} dvc_receipt;

#define DVC_RECEIPT_VERSION 1
#define DVC_RECEIPT_INIT {DVC_RECEIPT_VERSION, "", ""}

/**
 * Submit (or save as draft) a dossier.
 * @return DVC_OK; DVC_ENOTFOUND (procedure or account); DVC_ESERVICELEVEL
 *   (online submission of a procedure below level 3); DVC_EINVAL (applicant
 *   field fails validation, path names it); DVC_ESCHEMA (form data fails the
 *   form schema, path names the field); DVC_EPERM (counter entry without a
 *   reception officer); DVC_EEXPIRED (an agency of the procedure's route is
 *   not in force on the day: merged or abolished, or not yet founded; the
 *   message names its successors); DVC_ERANGE (the desk's 9,999 codes of
 *   the day are used up); for version 2, DVC_ENOTFOUND/DVC_EEXPIRED/DVC_EINVAL
 *   with path "desk" (unknown, ceased, not a centre or committee, another
 *   province) and DVC_EINVAL/DVC_ENOTFOUND with path "place";
 *   DVC_ENOMEM; DVC_EIO; DVC_EBUSY; DVC_EINVAL also for a receipt whose
 *   version is not DVC_RECEIPT_VERSION.
 */
DVC_API int dvc_dossier_submit(dvc_db *db, const dvc_submission *s, dvc_receipt *out);

/** Result delivery, recorded by the return action. */
typedef enum dvc_delivery {
	DVC_DELIVERY_COUNTER = 0,
	DVC_DELIVERY_POST = 1,
	DVC_DELIVERY_ONLINE = 2
} dvc_delivery;

/** "counter", "post", "online". */
DVC_API const char *dvc_delivery_name(dvc_delivery d);
DVC_API int dvc_delivery_parse(const char *name, dvc_delivery *out);

/** An action request. Initialise with DVC_ACTION_INIT. */
typedef struct dvc_action_req {
	unsigned int version;
	dvc_action action;
	dvc_actor actor;
	int64_t expected_version; /**< the dossier version the actor saw, or -1 not to check */
	const char *note;         /**< reasons, supplement list, apology... */
	const char *target;       /**< officer username (assign) or agency code (transfer) */
	dvc_time new_due;         /**< reschedule: the new appointment */
	const char *payload;      /**< optional document/data; its SHA-256 goes in the journal */
	dvc_delivery delivery;    /**< return: how the result was handed over */
	/* version 2 */
	const char *client;       /**< the caller's address for the tracking-secret
	                               throttle (see dvc_caller), or NULL */
} dvc_action_req;

/** Version 1 requests (without `client`) are still accepted. */
#define DVC_ACTION_VERSION 2
#define DVC_ACTION_INIT {DVC_ACTION_VERSION, DVC_ACT_SUBMIT, {DVC_ACTOR_OFFICER, NULL, NULL}, -1, NULL, NULL, 0, NULL, DVC_DELIVERY_COUNTER, NULL}

/**
 * Apply an action. Nothing changes on failure.
 * @param new_version  optional, receives the dossier's version afterwards
 * @return DVC_OK; DVC_ENOTFOUND (dossier, officer, target); DVC_ETRANSITION
 *   (not legal in this state or a precondition fails: the message says which);
 *   DVC_EPERM (wrong actor); DVC_EAUTH (wrong tracking secret);
 *   DVC_ETHROTTLED; DVC_ECONFLICT (stale expected_version);
 *   DVC_ESERVICELEVEL (online delivery below level 4 / full online);
 *   DVC_EEXPIRED (transfer to an agency not in force today); DVC_EINVAL.
 *   Dossiers already held by an agency that has since ceased are still
 *   worked on.
 */
DVC_API int dvc_dossier_act(dvc_db *db, const char *code, const dvc_action_req *req,
			    int64_t *new_version);

/** Inputs an allowed action still needs from the caller (dvc_allowed_action.needs). */
enum {
	DVC_NEED_NOTE = 1u << 0,     /**< a note: the reasons, the list of what is missing, the apology */
	DVC_NEED_TARGET = 1u << 1,   /**< an officer at the unit (assign) or an agency in force (transfer) */
	DVC_NEED_NEW_DUE = 1u << 2,  /**< a new appointment after now (reschedule) */
	DVC_NEED_DELIVERY = 1u << 3  /**< how the result is handed over (return): see `deliveries` */
};

/** What one action would do now, by one actor (dvc_dossier_allowed_actions()). */
typedef struct dvc_allowed_action {
	dvc_action action;
	int allowed;             /**< 1: dvc_dossier_act succeeds once `needs` are supplied validly */
	unsigned int needs;      /**< DVC_NEED_* still to supply (allowed actions only) */
	unsigned int deliveries; /**< return: bit (1u << mode) per dvc_delivery allowed, else 0 */
	int error;               /**< refused: the DVC_E* code dvc_dossier_act answers, else 0 */
	const char *message;     /**< refused: its message, else NULL */
} dvc_allowed_action;

typedef struct dvc_allowed_actions dvc_allowed_actions;

/**
 * A dry run of dvc_dossier_act for every action (payment entries aside) by
 * `who`, in action order, changing nothing. The checks are the ones the act
 * path makes, by the same code: the transition table, the actor's role, unit,
 * step and assignment, once-only, overdue, the route position and the
 * service level. Inputs that only the caller can give (a note, a target, a
 * new date, a delivery mode) are not checked but listed in `needs`; an
 * allowed action succeeds when they are given validly and nothing changed
 * in between (the expected version is not checked).
 * Access is decided as for dvc_dossier_track_from (an anonymous caller needs
 * the secret, and `from`'s client (NULL: the unknown client) is throttled and
 * counted the same way; another account: DVC_EPERM).
 * @return DVC_OK; DVC_ENOTFOUND; DVC_EAUTH; DVC_EPERM; DVC_ETHROTTLED;
 *   DVC_EINVAL; DVC_ENOMEM; DVC_EIO.
 */
DVC_API int dvc_dossier_allowed_actions(dvc_db *db, const char *code, const dvc_actor *who,
					const dvc_caller *from, dvc_allowed_actions **out);
DVC_API size_t dvc_allowed_actions_count(const dvc_allowed_actions *l);
/** Entry `i` (borrowed from the list), NULL past the end. */
DVC_API const dvc_allowed_action *dvc_allowed_actions_at(const dvc_allowed_actions *l, size_t i);
/** The entry of action `a`, or NULL (journal-only actions, dvc_action_is_record, are never listed). */
DVC_API const dvc_allowed_action *dvc_allowed_actions_find(const dvc_allowed_actions *l,
							   dvc_action a);
/** The dossier's code, state and version when the list was made. */
DVC_API const char *dvc_allowed_actions_code(const dvc_allowed_actions *l);
DVC_API dvc_state dvc_allowed_actions_state(const dvc_allowed_actions *l);
DVC_API int64_t dvc_allowed_actions_version(const dvc_allowed_actions *l);
DVC_API void dvc_allowed_actions_free(dvc_allowed_actions *l);

/** One journal entry. */
typedef struct dvc_journal_entry {
	int64_t seq;
	dvc_time at;
	const char *actor;  /**< "officer:le.van.b", "account:nguyenvana", "applicant" */
	const char *unit;   /**< unit holding the dossier after the action, or NULL */
	dvc_action action;
	dvc_state from, to;
	const char *note;
	char payload_digest[DVC_HASH_HEX_SIZE]; /**< hex SHA-256 of the payload, or "" */
	char hash[DVC_HASH_HEX_SIZE];           /**< hex SHA-256 chaining the previous entry */
} dvc_journal_entry;

/** What tracking shows. Read-only; freed with dvc_tracking_free(). */
typedef struct dvc_tracking {
	const char *code;
	const char *procedure;     /**< procedure code */
	int procedure_version;
	const char *procedure_name;
	dvc_channel channel;
	dvc_state state;
	int64_t version;           /**< for expected_version */
	const char *applicant_name;
	dvc_applicant applicant;   /**< every applicant field (phone normalised to +84...) */
	const char *form_data;     /**< the e-form data as submitted (JSON), or NULL */
	int step;                  /**< 0-based index on the route */
	int n_steps;
	const char *unit;          /**< who holds it now (agency code) */
	const char *unit_name;
	dvc_role step_role;
	const char *handler;       /**< assigned officer's full name, or NULL */
	dvc_time submitted_at;
	dvc_time received_at;      /**< 0 before intake */
	dvc_time due_at;           /**< appointment, 0 before intake; moved later by the working
	                                time the clock was stopped, when it restarts (while
	                                clock_stopped it still shows the date before the stop) */
	dvc_time rescheduled_due_at; /**< apology date, or 0 */
	dvc_time step_since;
	dvc_time step_due_at;      /**< 0 when the step has no deadline */
	int64_t seconds_in_step;   /**< working seconds on the current step so far */
	dvc_time result_at;        /**< 0 until the result is ready */
	dvc_time finished_at;      /**< returned/rejected/withdrawn/cancelled, or 0 */
	int overdue;               /**< derived: past due (or finished late) */
	int step_overdue;          /**< derived: past the step's due instant */
	int clock_stopped;         /**< supplement requested or paused */
	dvc_delivery delivery;
	int64_t fee_due;           /**< VND, computed at intake */
	int64_t fee_paid;          /**< confirmed payments, online and at the counter */
	int64_t fee_refunded;
	const char *fee_exemption; /**< legal reason, or NULL */
	const dvc_journal_entry *history;
	size_t n_history;
	const char *desk;      /**< the desk that received it (agency code) */
	const char *competent; /**< the agency competent for it (agency code) */
} dvc_tracking;

/**
 * Tracking-secret throttle (anonymous tracking and actions): one client may
 * give DVC_TRACK_MAX_FAILURES wrong secrets for one code in a row, and
 * DVC_TRACK_CLIENT_MAX_FAILURES for all codes, within DVC_TRACK_LOCK_SECONDS;
 * then that client (not the dossier) answers DVC_ETHROTTLED for
 * DVC_TRACK_LOCK_SECONDS. Unknown codes count the same as real ones, so the
 * lock-out tells nothing. A code or secret that cannot be well-formed (see
 * dvc_dossier_code_valid) answers DVC_EAUTH without being counted or
 * written anywhere.
 */
#define DVC_TRACK_MAX_FAILURES 5
#define DVC_TRACK_CLIENT_MAX_FAILURES 20
#define DVC_TRACK_LOCK_SECONDS 900

/** 1 when `code` has the shape of a dossier code (agency code, "-YYMMDD-", at least
 *  4 digits; shorter than DVC_CODE_MAX), else 0. Says nothing about existence. */
DVC_API int dvc_dossier_code_valid(const char *code);
/** 1 when `secret` has the shape of a tracking secret (20 symbols of its alphabet). */
DVC_API int dvc_tracking_secret_valid(const char *secret);

/**
 * Track a dossier: dvc_dossier_track_from() with the unknown client.
 */
DVC_API int dvc_dossier_track(dvc_db *db, const char *code, const dvc_actor *who,
			      dvc_tracking **out);
/**
 * Track a dossier. `who` decides what may be seen: an officer or the
 * dossier's account may track it (another account: DVC_EPERM); an anonymous
 * applicant needs the secret: DVC_EAUTH otherwise, the same answer as for a
 * code that does not exist, so that codes cannot be probed; DVC_ETHROTTLED
 * when the tracking-secret throttle above holds `from`'s client.
 */
DVC_API int dvc_dossier_track_from(dvc_db *db, const char *code, const dvc_actor *who,
				   const dvc_caller *from, dvc_tracking **out);
DVC_API void dvc_tracking_free(dvc_tracking *t);

/** Filters for dvc_dossier_list(). Initialise with DVC_DOSSIER_FILTER_INIT. */
typedef struct dvc_dossier_filter {
	unsigned int version;
	int state;          /**< a dvc_state, or -1 for any */
	const char *unit;   /**< current unit, or NULL */
	int overdue;        /**< 1: only overdue; 0: any */
	int step_overdue;   /**< 1: only past the step deadline ("stuck") */
	size_t limit;       /**< 0 = 1000 */
} dvc_dossier_filter;

#define DVC_DOSSIER_FILTER_VERSION 1
#define DVC_DOSSIER_FILTER_INIT {DVC_DOSSIER_FILTER_VERSION, -1, NULL, 0, 0, 0}

typedef struct dvc_dossier_row {
	const char *code;
	const char *procedure;
	dvc_state state;
	const char *unit;
	const char *handler;
	dvc_time due_at, step_due_at, step_since;
	int overdue, step_overdue;
} dvc_dossier_row;

typedef struct dvc_dossier_list dvc_dossier_list;

/** List dossiers (newest first). Rows are borrowed from the list. */
DVC_API int dvc_dossier_find(dvc_db *db, const dvc_dossier_filter *f, dvc_dossier_list **out);
DVC_API size_t dvc_dossier_list_count(const dvc_dossier_list *l);
DVC_API const dvc_dossier_row *dvc_dossier_list_at(const dvc_dossier_list *l, size_t i);
DVC_API void dvc_dossier_list_free(dvc_dossier_list *l);

/**
 * Verify the journal of one dossier (code) or of all (NULL): chain,
 * signatures, signed checkpoint, and the row replayed from the entries.
 * dvc_journal_verify() (proof.h) does the same and says what it found.
 * @param checked  optional, receives the number of dossiers verified
 * @return DVC_OK; DVC_ECORRUPT (an edited, inserted or deleted entry, or an
 *   edited dossier row), DVC_ESIGNATURE (a chain recomputed without the key,
 *   an untrusted key), DVC_ETRUNCATED (a journal cut short), each naming the
 *   dossier and entry; DVC_ENOTFOUND.
 */
DVC_API int dvc_dossier_verify(dvc_db *db, const char *code, size_t *checked);

#ifdef __cplusplus
}
#endif
#endif
