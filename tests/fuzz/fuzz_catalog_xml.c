/* Catalog import, XML (XSD-validated): refused cleanly or imported whole. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_db *db;
	int rc;
	if (!db && !(db = fuzz_store(NULL)))
		abort();
	FUZZ_CHECK(dvc_begin(db) == DVC_OK);
	rc = dvc_catalog_import(db, (const char *)data, size, DVC_FORMAT_XML, NULL);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	if (rc == DVC_OK) {
		char *out;
		size_t len;
		FUZZ_CHECK(dvc_catalog_export(db, DVC_FORMAT_XML, &out, &len) == DVC_OK);
		FUZZ_CHECK(dvc_catalog_validate_xml(out, len) == DVC_OK);
		FUZZ_CHECK(dvc_catalog_import(db, out, len, DVC_FORMAT_XML, NULL) == DVC_OK);
		dvc_free(out);
	}
	FUZZ_CHECK(dvc_rollback(db) == DVC_OK);
	return 0;
}
