/*
 * libdvc — dossier sync to the National Public Service Portal (DVCQG).
 *
 * Once a store has sync switched on (dvc_national_sync_enable), every
 * lifecycle change of a dossier (submission and each action of
 * dvc_dossier_act) queues one sync message in the same transaction as the
 * change: the dossier as the national portal's fields (MaHoSo, MaTTHC,
 * TrangThaiHoSo, KenhThucHien, ...) and one progress entry (NguoiXuLy,
 * ThoiDiemXuLy, NoiDungXuLy, TrangThai, ...), times as yyyyMMddHHmmss in
 * Vietnam's time (UTC+7). So a message exists if and only if the change does.
 *
 * The mapping from libdvc's states, channels, fees and actions to the
 * national codes is data (data/national/dvcqg-status.json, compiled in),
 * every entry with its source; see docs/national.md. Each procedure version
 * syncs under the national procedure code set for it (dvc_national_code_set);
 * without one the message is queued BLOCKED with an error naming the
 * procedure, the dossier itself is not refused, and dvc_sync_replay sends it
 * once a code is set.
 *
 * Delivery: a sender fetches messages (each leased), posts them and marks
 * them sent or failed; failures are retried with exponential back-off and
 * become DEAD after DVC_SYNC_MAX_ATTEMPTS (or at once when marked
 * permanent). Messages of one dossier go out in order: one is due only when
 * every earlier message of its dossier has been sent, so a dead or blocked
 * message holds back its dossier's later ones until it is replayed. Each
 * carries an idempotency key ("<code>/<journal seq>/dvcqg"): delivery is at
 * least once, and the receiver drops a key it has seen.
 *
 * Field names and codes come from public implementations, not from the
 * portal's specification, which was not found.
 */
#ifndef DVC_NATIONAL_H
#define DVC_NATIONAL_H

#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DVC_SYNC_MAX_ATTEMPTS 8
#define DVC_SYNC_LEASE_SECONDS 60   /**< default lease of a fetched message */
#define DVC_SYNC_BACKOFF_SECONDS 30 /**< doubled after each failure */
/** A national procedure code: "1.001193" or "1.001193.000.00.00.H24". */
#define DVC_NATIONAL_CODE_MAX 32

typedef enum dvc_sync_state {
	DVC_SYNC_PENDING = 0,
	DVC_SYNC_SENDING = 1, /**< leased to a sender */
	DVC_SYNC_SENT = 2,    /**< acknowledged by the portal */
	DVC_SYNC_FAILED = 3,  /**< will be retried */
	DVC_SYNC_DEAD = 4,    /**< gave up: dvc_sync_replay sends it again */
	DVC_SYNC_BLOCKED = 5  /**< cannot be built (no national procedure code) */
} dvc_sync_state;

/** "pending", "sending", "sent", "failed", "dead", "blocked". */
DVC_API const char *dvc_sync_state_name(dvc_sync_state s);
/** Parse a state name; DVC_EINVAL (with the valid names) when unknown. */
DVC_API int dvc_sync_state_parse(const char *name, dvc_sync_state *out);

/** Switch queuing on or off for this store (persisted). Off by default. */
DVC_API int dvc_national_sync_enable(dvc_db *db, int on);
/** 1 when on, 0 when off, negative on error. */
DVC_API int dvc_national_sync_enabled(dvc_db *db);

/**
 * The national procedure code that `procedure`'s `version` syncs under
 * (version 0: every version without one of its own). NULL code removes it.
 * @return DVC_OK; DVC_ENOTFOUND (no such procedure or version);
 *   DVC_EINVAL (not "D.DDDDDD" or "D.DDDDDD.DDD.DD.DD.XDD").
 */
DVC_API int dvc_national_code_set(dvc_db *db, const char *procedure, int version,
				  const char *national_code);

typedef struct dvc_sync_message {
	int64_t id;
	const char *idempotency_key;
	const char *dossier;  /**< dossier code (MaHoSo) */
	int64_t seq;          /**< the journal entry that caused it */
	int status;           /**< TrangThaiHoSo, 1..10 */
	const char *payload;  /**< {"hoSo":{...},"tienTrinh":[{...}]} */
	dvc_sync_state state;
	int attempts;
	dvc_time created_at, next_attempt_at;
	const char *last_error;
} dvc_sync_message;

typedef struct dvc_sync_batch dvc_sync_batch;

/** Lease up to `max` due messages for `lease_seconds` (0: the default),
 * at most one per dossier, oldest first. */
DVC_API int dvc_sync_fetch(dvc_db *db, size_t max, int lease_seconds, dvc_sync_batch **out);
/** Every message of a dossier (NULL: all), any state, in queue order. */
DVC_API int dvc_sync_list(dvc_db *db, const char *code, dvc_sync_batch **out);
DVC_API size_t dvc_sync_batch_count(const dvc_sync_batch *b);
DVC_API const dvc_sync_message *dvc_sync_batch_at(const dvc_sync_batch *b, size_t i);
DVC_API void dvc_sync_batch_free(dvc_sync_batch *b);

/**
 * Just before sending a fetched message: confirm that this sender's lease
 * on it still runs and renew it for `lease_seconds` (0: the default) from
 * now. The lease is named by its end, `lease_until`: the message's
 * next_attempt_at as dvc_sync_fetch gave it, or the last *renewed. A lease
 * that ran out may have been fetched by another sender (a message whose
 * lease ran out is due again): then this sender must not send it. Holding
 * before each send, with a send that cannot outlast the lease, keeps two
 * senders from both sending one message. The contract of dvc_outbox_hold.
 * @param renewed out (may be NULL): the renewed lease's end
 * @return DVC_OK; DVC_ECONFLICT (path "id": the lease ran out or is not
 *   this one, the message was sent or failed meanwhile, or there is no such
 *   message: do not send it); DVC_ERANGE (lease_seconds over a day or
 *   negative); DVC_EINVAL; DVC_EIO.
 */
DVC_API int dvc_sync_hold(dvc_db *db, int64_t id, dvc_time lease_until, int lease_seconds,
			  dvc_time *renewed);

/** The portal acknowledged it (or answered that it already has it). Idempotent. */
DVC_API int dvc_sync_mark_sent(dvc_db *db, int64_t id);
/** Sending failed: retried with back-off, dead after the last attempt or at
 * once when `permanent` (the portal refused the content). DVC_ETRANSITION
 * for a message already sent. */
DVC_API int dvc_sync_mark_failed(dvc_db *db, int64_t id, const char *error, int permanent);
/**
 * Send dead and blocked messages again: message `id`, or every one of
 * dossier `code` (id 0), or every one (id 0, code NULL). A blocked message
 * is rebuilt with the national code now set; still without one it stays
 * blocked. *replayed (may be NULL) counts those made pending.
 */
DVC_API int dvc_sync_replay(dvc_db *db, int64_t id, const char *code, size_t *replayed);
/**
 * What the national portal has not acknowledged, as JSON:
 * {"counts":{"pending":n,"sending":n,"failed":n,"dead":n,"blocked":n},
 *  "messages":[{"id","dossier","seq","status","state","attempts","created_at",
 *  "next_attempt_at","last_error"}]}, oldest first. Free with dvc_free().
 */
DVC_API int dvc_sync_report_json(dvc_db *db, char **out);

#ifdef __cplusplus
}
#endif
#endif
