/* Catalog search queries (case and diacritic folding, FTS5 query building,
 * one-typo correction) and the applicant-field validators. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_db *db;
	dvc_search_result *r;
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	char *s = fuzz_cstr(data, size), phone[DVC_PHONE_E164_SIZE], again[DVC_PHONE_E164_SIZE];
	int rc;
	if (!db) {
		if (dvc_open(&db, ":memory:", NULL) != DVC_OK ||
		    dvc_catalog_import_file(db, DVC_SOURCE_ROOT "/data/catalog/kien-thuy-2018.json",
					    DVC_FORMAT_AUTO, NULL) != DVC_OK)
			abort();
	}
	rc = dvc_catalog_search(db, s, &o, &r);
	FUZZ_CHECK(rc == DVC_OK || rc == DVC_EUTF8 || rc == DVC_ETOOBIG || rc == DVC_EINVAL);
	if (rc == DVC_OK) {
		for (size_t i = 0; i < dvc_search_result_count(r); i++)
			FUZZ_CHECK(dvc_search_result_at(r, i)->code != NULL);
		dvc_search_result_free(r);
	}
	/* validators take any C string */
	(void)dvc_validate_citizen_id(s);
	(void)dvc_validate_email(s);
	if (dvc_validate_phone(s, phone) == DVC_OK)
		FUZZ_CHECK(phone[0] == '+' && dvc_validate_phone(phone, again) == DVC_OK &&
			   strcmp(phone, again) == 0);
	free(s);
	return 0;
}
