/*
 * libdvc — the dossier lifecycle state machine, as a static table.
 *
 * The table says, for each state and action, the next state, which roles may
 * act, and the preconditions that must hold (a note, the position on the
 * route, an overdue dossier...). It is the single source of truth: the
 * dossier module looks transitions up here, `dvc statemachine --dot` draws
 * it, and the tests walk it. Overdue is not a state: it is derived from the
 * due instant at read time.
 *
 * Steps (Decree 61/2018/NĐ-CP, amended by Decree 107/2021/NĐ-CP): an online
 * dossier is submitted; the reception desk (Bộ phận Tiếp nhận và Trả kết
 * quả) receives it with an appointment, asks once for a supplement, or
 * refuses it; it is forwarded along the procedure's route (possibly to
 * another agency, liên thông), may be sent back a step, paused, or
 * rescheduled once with an apology when late; the signed result goes back
 * to the desk and is returned. The applicant may withdraw before the result.
 * From 1 July 2025 Decree 118/2025/NĐ-CP governs the one-stop shop (desks
 * are the Public Administration Service Centres of the province and the
 * communes); whether it repeals Decrees 61/2018 and 107/2021 outright, and
 * how it counts the time spent before a supplement, were not read: the
 * pause model (a supplement stops the clock, supply restarts it) stays the
 * project's reading (data/catalog/SOURCES.md).
 */
#ifndef DVC_LIFECYCLE_H
#define DVC_LIFECYCLE_H

#include "dvc/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dvc_state {
	DVC_STATE_DRAFT = 0,                /**< being prepared online by the applicant */
	DVC_STATE_SUBMITTED = 1,            /**< submitted, awaiting intake at the desk */
	DVC_STATE_RECEIVED = 2,             /**< received, appointment issued */
	DVC_STATE_SUPPLEMENT_REQUESTED = 3, /**< waiting for the applicant; clock stopped */
	DVC_STATE_IN_PROGRESS = 4,          /**< on a processing step of the route */
	DVC_STATE_PAUSED = 5,               /**< processing suspended; clock stopped */
	DVC_STATE_RESULT_READY = 6,         /**< result back at the desk */
	DVC_STATE_RETURNED = 7,             /**< result handed to the applicant (final) */
	DVC_STATE_REJECTED = 8,             /**< refused with written reasons (final) */
	DVC_STATE_WITHDRAWN = 9,            /**< withdrawn by the applicant (final) */
	DVC_STATE_CANCELLED = 10            /**< cancelled by the agency (final) */
} dvc_state;
#define DVC_STATE_COUNT 11

typedef enum dvc_action {
	DVC_ACT_SUBMIT = 0,             /**< draft -> submitted */
	DVC_ACT_RECEIVE = 1,            /**< intake with an appointment date */
	DVC_ACT_REQUEST_SUPPLEMENT = 2, /**< ask for missing documents (note: the full list) */
	DVC_ACT_SUPPLY = 3,             /**< the applicant supplied them */
	DVC_ACT_FORWARD = 4,            /**< to the next route step (or the result to the desk) */
	DVC_ACT_SEND_BACK = 5,          /**< back one route step */
	DVC_ACT_TRANSFER = 6,           /**< hand the current step to another agency (liên thông) */
	DVC_ACT_ASSIGN = 7,             /**< name the officer who handles the current step */
	DVC_ACT_PAUSE = 8,
	DVC_ACT_RESUME = 9,
	DVC_ACT_RESCHEDULE = 10,        /**< late: new date and a recorded apology (once) */
	DVC_ACT_REJECT = 11,
	DVC_ACT_RETURN = 12,            /**< hand over the result */
	DVC_ACT_WITHDRAW = 13,
	DVC_ACT_CANCEL = 14,
	DVC_ACT_PAY = 15,               /**< journal only: an online payment confirmed (payment.h) */
	DVC_ACT_REFUND = 16,            /**< journal only: a refund recorded */
	DVC_ACT_ATTACH = 17,            /**< journal only: a file added, replaced or supplied (document.h) */
	DVC_ACT_SIGN = 18,              /**< journal only: the result signed (sign.h) */
	DVC_ACT_RATE = 19,              /**< journal only: the applicant rated the service */
	DVC_ACT_ERASE = 20              /**< journal only: the applicant's personal data erased
	                                     after its retention period (privacy.h) */
} dvc_action;
#define DVC_ACTION_COUNT 21

typedef enum dvc_role {
	DVC_ROLE_APPLICANT = 0,      /**< the dossier's own applicant (account or code + secret) */
	DVC_ROLE_RECEPTION = 1,      /**< cán bộ tiếp nhận at the desk */
	DVC_ROLE_SPECIALIST = 2,     /**< chuyên viên */
	DVC_ROLE_UNIT_LEADER = 3,    /**< lãnh đạo phòng */
	DVC_ROLE_SIGNING_LEADER = 4, /**< lãnh đạo ký duyệt */
	DVC_ROLE_ADMIN = 5
} dvc_role;
#define DVC_ROLE_COUNT 6
#define DVC_ROLE_BIT(r) (1u << (r))

/** Preconditions of a transition (bit set in dvc_transition.requires). */
enum {
	DVC_REQ_NOTE = 1u << 0,          /**< a non-empty note (reasons, list, apology) */
	DVC_REQ_AT_STEP = 1u << 1,       /**< officer at the current step's unit with the step's role */
	DVC_REQ_NOT_FIRST = 1u << 2,     /**< not on the first processing step */
	DVC_REQ_LAST_STEP = 1u << 3,     /**< on the last route step */
	DVC_REQ_NOT_LAST_STEP = 1u << 4, /**< not on the last route step */
	DVC_REQ_FROM_INTAKE = 1u << 5,   /**< supplement was requested at intake */
	DVC_REQ_FROM_PROCESSING = 1u << 6, /**< supplement was requested during processing */
	DVC_REQ_ONCE = 1u << 7,          /**< not already done in this phase (supplement, reschedule) */
	DVC_REQ_OVERDUE = 1u << 8,       /**< the dossier is past its due instant */
	DVC_REQ_TARGET = 1u << 9,        /**< a target (officer for assign, agency for transfer) */
	DVC_REQ_NEW_DUE = 1u << 10,      /**< a new due instant after now */
	DVC_REQ_OWNER = 1u << 11,        /**< the applicant of this dossier (always checked for applicants) */
	DVC_REQ_AT_UNIT = 1u << 12,      /**< officer at the unit holding the dossier (any listed role) */
	DVC_REQ_AT_DESK = 1u << 13       /**< officer at the route's reception desk */
};

typedef struct dvc_transition {
	dvc_state from;
	dvc_action action;
	dvc_state to;
	unsigned int roles;    /**< DVC_ROLE_BIT() of the roles allowed */
	unsigned int requires; /**< DVC_REQ_* */
	int stops_clock;       /**< entering `to` stops the deadline clock */
} dvc_transition;

/** The whole table (static, read-only) and its length. */
DVC_API const dvc_transition *dvc_lifecycle_table(size_t *n);

/** Final states accept no action. */
DVC_API int dvc_state_is_final(dvc_state s);

/** Journal-only actions (pay, refund, attach, sign, rate, erase): recorded by their
 * own modules, never applied through dvc_dossier_act(). */
DVC_API int dvc_action_is_record(dvc_action a);

/** Names used in JSON, the CLI and the journal ("in_progress", "forward", "reception"). */
DVC_API const char *dvc_state_name(dvc_state s);
DVC_API const char *dvc_action_name(dvc_action a);
DVC_API const char *dvc_role_name(dvc_role r);
/** Vietnamese labels for people ("Đang xử lý", "Tiếp nhận hồ sơ",
 * "Chuyên viên"); "?" for a value out of range. */
DVC_API const char *dvc_state_label_vi(dvc_state s);
DVC_API const char *dvc_action_label_vi(dvc_action a);
DVC_API const char *dvc_role_label_vi(dvc_role r);
/** Parse names; DVC_EINVAL (with the list of valid names) when unknown. */
DVC_API int dvc_state_parse(const char *name, dvc_state *out);
DVC_API int dvc_action_parse(const char *name, dvc_action *out);
DVC_API int dvc_role_parse(const char *name, dvc_role *out);

/** The state machine as a Graphviz digraph. Free with dvc_free(). */
DVC_API int dvc_lifecycle_dot(char **out);

#ifdef __cplusplus
}
#endif
#endif
