/* Notifications as the dossier and payment modules raise them (notify.c). */
#ifndef DVC_NOTIFY_INTERNAL_H
#define DVC_NOTIFY_INTERNAL_H

#include "dvc/store.h"
#include "internal.h"

typedef struct dvc__notify_values {
	const char *code, *procedure, *applicant, *appointment, *list, *reason, *new_date, *amount,
		*unit;
} dvc__notify_values;

struct dvc__templates;
void dvc__templates_free(struct dvc__templates *t);

/* Queue the SMS and e-mail of `event` for a dossier, inside the caller's
 * transaction. `seq` is the journal entry that caused it (idempotency). */
int dvc__notify(dvc_db *db, int64_t dossier_id, const char *code, int64_t seq, const char *event,
		dvc__notify_values *v);

#endif
