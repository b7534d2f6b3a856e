/* Shared helpers for the libFuzzer targets (tests/fuzz/fuzz_*.c).
 * Each target keeps one store for the whole run and undoes every input's
 * writes with dvc_begin()/dvc_rollback(), so inputs stay independent. */
#ifndef DVC_FUZZ_COMMON_H
#define DVC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dvc/dvc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef DVC_SOURCE_ROOT
#define DVC_SOURCE_ROOT "."
#endif

/* The input as a NUL-terminated string (free with free()). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Abort (a crash libFuzzer reports) when a call breaks its contract. */
#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: check failed: %s (last error %s: %s)\n",      \
				__FILE__, __LINE__, #cond, dvc_status_name(dvc_error_last()->code), \
				dvc_error_last()->message);                                   \
			abort();                                                              \
		}                                                                             \
	} while (0)

static inline int fuzz_clock(void *ctx, dvc_time *out)
{
	(void)ctx;
	*out = 1772416800; /* 2026-03-02T09:00:00+07:00 */
	return 0;
}

/* A store with the test catalog, officers and a received level-4 dossier. */
static inline dvc_db *fuzz_store(char code_out[DVC_CODE_MAX])
{
	static const dvc_applicant citizen = {
		"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương",
		"0912 345 678", "an.nguyen@example.vn"};
	dvc_db *db;
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_action_req r = DVC_ACTION_INIT;
	dvc_receipt rc = DVC_RECEIPT_INIT;
	if (dvc_open(&db, ":memory:", NULL) != DVC_OK)
		abort();
	dvc_set_clock(db, fuzz_clock, NULL);
	if (dvc_catalog_import_file(db, DVC_SOURCE_ROOT "/tests/data/dossier_catalog.json",
				    DVC_FORMAT_AUTO, NULL) != DVC_OK ||
	    dvc_officer_add(db, "le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", DVC_ROLE_RECEPTION) != DVC_OK ||
	    dvc_payment_set_gateway(db, "vnpay", "bi-mat") != DVC_OK)
		abort();
	s.procedure = "T.000004";
	s.applicant = &citizen;
	if (dvc_dossier_submit(db, &s, &rc) != DVC_OK)
		abort();
	r.action = DVC_ACT_RECEIVE;
	r.actor = (dvc_actor){DVC_ACTOR_OFFICER, "le.tiep.nhan", NULL};
	if (dvc_dossier_act(db, rc.code, &r, NULL) != DVC_OK)
		abort();
	if (code_out)
		memcpy(code_out, rc.code, DVC_CODE_MAX);
	return db;
}

/* The catalog import targets: any input in `format` is refused cleanly or
 * imported whole; what was imported exports (in XML, an export that passes
 * the schema), and the export imports again. */
static inline int fuzz_catalog_import(const uint8_t *data, size_t size, dvc_format format)
{
	static dvc_db *db;
	int rc;
	if (!db && !(db = fuzz_store(NULL)))
		abort();
	FUZZ_CHECK(dvc_begin(db) == DVC_OK);
	rc = dvc_catalog_import(db, (const char *)data, size, format, NULL);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	if (rc == DVC_OK) {
		char *out;
		size_t len;
		FUZZ_CHECK(dvc_catalog_export(db, format, &out, &len) == DVC_OK);
		if (format == DVC_FORMAT_XML)
			FUZZ_CHECK(dvc_catalog_validate_xml(out, len) == DVC_OK);
		FUZZ_CHECK(dvc_catalog_import(db, out, len, format, NULL) == DVC_OK);
		dvc_free(out);
	}
	FUZZ_CHECK(dvc_rollback(db) == DVC_OK);
	return 0;
}

#endif
