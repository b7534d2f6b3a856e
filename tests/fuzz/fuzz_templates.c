/* Notification templates: a set is refused whole or accepted, and accepted
 * templates render for every event without failing the action. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_db *db;
	static char code[DVC_CODE_MAX];
	int rc;
	if (!db)
		db = fuzz_store(code);
	FUZZ_CHECK(dvc_begin(db) == DVC_OK);
	rc = dvc_notify_set_templates(db, (const char *)data, size);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	if (rc == DVC_OK) {
		/* render: reject (reason), then list what was queued */
		dvc_action_req r = DVC_ACTION_INIT;
		dvc_message_batch *b;
		r.action = DVC_ACT_REJECT;
		r.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
		r.note = "Lý do {code} {reason} 100% {}";
		FUZZ_CHECK(dvc_dossier_act(db, code, &r, NULL) == DVC_OK);
		FUZZ_CHECK(dvc_outbox_list(db, code, &b) == DVC_OK);
		for (size_t i = 0; i < dvc_message_batch_count(b); i++) {
			const dvc_message *m = dvc_message_batch_at(b, i);
			int gsm;
			FUZZ_CHECK(m->channel != DVC_NOTIFY_SMS || m->segments <= 2 ||
				   dvc_sms_segments(m->body, &gsm) == m->segments);
		}
		dvc_message_batch_free(b);
	}
	FUZZ_CHECK(dvc_rollback(db) == DVC_OK);
	return 0;
}
