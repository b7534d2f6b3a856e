/* Payment gateway callbacks: the raw query string as received, and the same
 * query signed with the right secret (to get past the signature check).
 * Nothing may be paid unless the amount and reference are right. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_db *db;
	static char code[DVC_CODE_MAX];
	dvc_payment_result res = DVC_PAYMENT_RESULT_INIT;
	char *q = fuzz_cstr(data, size), *signed_q;
	int rc;
	if (!db) {
		dvc_payment_request_info req = DVC_PAYMENT_REQUEST_INFO_INIT;
		db = fuzz_store(code);
		if (dvc_payment_request(db, code, &req) != DVC_OK) /* reference DVC1T1 */
			abort();
	}
	FUZZ_CHECK(dvc_begin(db) == DVC_OK);
	rc = dvc_payment_callback(db, q, &res);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	if (dvc_payment_sign(q, "bi-mat", &signed_q) == DVC_OK) {
		rc = dvc_payment_callback(db, signed_q, &res);
		FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
		if (rc == DVC_OK && res.outcome == DVC_PAYMENT_PAID)
			FUZZ_CHECK(res.amount == 50000);
		dvc_free(signed_q);
	}
	FUZZ_CHECK(dvc_rollback(db) == DVC_OK);
	free(q);
	return 0;
}
