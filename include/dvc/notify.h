/*
 * libdvc — the notification outbox: SMS and e-mail to applicants.
 *
 * Transactional: the transaction that changes a dossier also enqueues its
 * messages (accepted with the appointment, supplement needed with the list,
 * rejected with the reason, result ready, overdue apology with the new date,
 * payment received), so a message exists if and only if the change does.
 * The application drains the outbox: fetch a batch (each message leased for
 * a minute), send, then mark it sent or failed; failures are retried with
 * exponential back-off and become dead after DVC_OUTBOX_MAX_ATTEMPTS. Delivery
 * is at least once: each message carries an idempotency key for the gateway.
 *
 * Texts come from Vietnamese templates with {placeholders}; the built-in set
 * (data/templates/notify.json) can be overridden per deployment and is
 * stored in the database. SMS texts are kept within two segments: with
 * diacritics (UCS-2, 134 characters in two parts) when they fit, otherwise
 * the unaccented fallback (GSM-7, 306 characters).
 */
#ifndef DVC_NOTIFY_H
#define DVC_NOTIFY_H

#include "dvc/common.h"
#include "dvc/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DVC_OUTBOX_MAX_ATTEMPTS 5
#define DVC_OUTBOX_LEASE_SECONDS 60
#define DVC_OUTBOX_BACKOFF_SECONDS 60 /* doubled after each failure */

typedef enum dvc_notify_channel {
	DVC_NOTIFY_SMS = 0,
	DVC_NOTIFY_EMAIL = 1
} dvc_notify_channel;

typedef enum dvc_message_state {
	DVC_MSG_PENDING = 0,
	DVC_MSG_SENDING = 1, /**< leased to a sender */
	DVC_MSG_SENT = 2,
	DVC_MSG_FAILED = 3,  /**< will be retried */
	DVC_MSG_DEAD = 4     /**< gave up */
} dvc_message_state;

typedef struct dvc_message {
	int64_t id;
	const char *idempotency_key;
	const char *dossier;   /**< dossier code */
	const char *event;     /**< "accepted", "supplement", "rejected", "result_ready", "apology", "payment" */
	dvc_notify_channel channel;
	const char *recipient; /**< +84... or e-mail address */
	const char *subject;   /**< e-mail only, else NULL */
	const char *body;      /**< the text to send (SMS: accented or unaccented, see ascii) */
	int ascii;             /**< SMS sent without diacritics to fit two segments */
	int segments;          /**< SMS segments, 0 for e-mail */
	dvc_message_state state;
	int attempts;
	dvc_time next_attempt_at;
	const char *last_error;
} dvc_message;

typedef struct dvc_message_batch dvc_message_batch;

/** "sms", "email"; "?" for anything else. */
DVC_API const char *dvc_notify_channel_name(dvc_notify_channel c);
DVC_API int dvc_notify_channel_parse(const char *name, dvc_notify_channel *out);
/** "pending", "sending", "sent", "failed", "dead"; "?" for anything else. */
DVC_API const char *dvc_message_state_name(dvc_message_state s);
DVC_API int dvc_message_state_parse(const char *name, dvc_message_state *out);

/** Lease up to `max` messages due now. */
DVC_API int dvc_outbox_fetch(dvc_db *db, size_t max, dvc_message_batch **out);
/** Every message of a dossier (or all when code is NULL), any state, oldest first. */
DVC_API int dvc_outbox_list(dvc_db *db, const char *code, dvc_message_batch **out);
DVC_API size_t dvc_message_batch_count(const dvc_message_batch *b);
DVC_API const dvc_message *dvc_message_batch_at(const dvc_message_batch *b, size_t i);
DVC_API void dvc_message_batch_free(dvc_message_batch *b);

/**
 * Just before sending a fetched message: confirm that this sender's lease
 * on it still runs and renew it for DVC_OUTBOX_LEASE_SECONDS from now. The
 * lease is named by its end, `lease_until`: the message's next_attempt_at
 * as dvc_outbox_fetch gave it, or the last *renewed. A lease that ran out
 * may have been fetched by another sender (a message whose lease ran out is
 * due again): then this sender must not send it. Holding before each send,
 * with a send that cannot outlast the lease, keeps two senders from both
 * sending one message.
 * @param renewed out (may be NULL): the renewed lease's end
 * @return DVC_OK; DVC_ECONFLICT (path "id": the lease ran out or is not
 *   this one, the message was sent or failed meanwhile, or there is no such
 *   message: do not send it); DVC_EINVAL; DVC_EIO.
 */
DVC_API int dvc_outbox_hold(dvc_db *db, int64_t id, dvc_time lease_until, dvc_time *renewed);
/** The message went out. Idempotent. DVC_ENOTFOUND for an unknown id. */
DVC_API int dvc_outbox_mark_sent(dvc_db *db, int64_t id);
/** Sending failed: retry later with back-off, or dead after the last attempt. */
DVC_API int dvc_outbox_mark_failed(dvc_db *db, int64_t id, const char *error);

/**
 * Override templates for this store (persisted). JSON:
 * {"format":"dvc-notify-templates","format_version":1,
 *  "templates":{"accepted":{"sms":"...","email_subject":"...","email_body":"..."}, ...}}
 * Events not listed keep their current text; an empty text switches that
 * channel off for the event. Placeholders: {code} {procedure}
 * {applicant} {appointment} {list} {reason} {new_date} {amount} {unit}.
 * The text goes through the library's strict JSON reader (dvc/json.h).
 * @return DVC_OK; DVC_EINVAL (NULL json); DVC_EPARSE (malformed JSON, text
 *   after the value); DVC_EUTF8 (invalid UTF-8, a NUL character);
 *   DVC_ETOOBIG (deeper than 16 levels, more than 10,000 values);
 *   DVC_ESCHEMA (unknown event or key); DVC_ETEMPLATE (unknown or unclosed placeholder; path names it); nothing
 *   changes on error.
 */
DVC_API int dvc_notify_set_templates(dvc_db *db, const char *json, size_t len);

/** Number of SMS segments `text` needs (UCS-2 if any non-GSM character). */
DVC_API int dvc_sms_segments(const char *text, int *ascii_only);

#ifdef __cplusplus
}
#endif
#endif
