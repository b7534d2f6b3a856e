/* Proof bundles (proof.h): whatever a citizen or an inspector is handed is
 * checked with dvc_proof_verify and no store. Byte 0 chooses the trust
 * list (bit 0: the seeds' key trusted; bit 1: signing required); the rest
 * is the bundle. Any answer but a crash or an unexpected code; a bundle
 * that verifies is canonical, so a changed byte in it must fail. */
#include "fuzz_common.h"

/* The public key of the seed bundles (tests/fuzz/corpus/fuzz_proof). */
#define SEED_KEY "90ee37268eb4082dd052f71464356a2e55522743954de86392f8705cdd09cad4\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dvc_proof_verify_opts o = DVC_PROOF_VERIFY_OPTS_INIT;
	dvc_journal_report r = DVC_JOURNAL_REPORT_INIT;
	char *doc;
	int rc;
	if (size < 1)
		return 0;
	o.trusted_keys = (data[0] & 1) ? SEED_KEY : NULL;
	o.require_signed = (data[0] & 2) != 0;
	doc = fuzz_cstr(data + 1, size - 1);
	rc = dvc_proof_verify(doc, size - 1, &o, &r);
	FUZZ_CHECK(rc == DVC_OK || rc == DVC_EPARSE || rc == DVC_EUTF8 || rc == DVC_ESIGNATURE || rc == DVC_ECORRUPT ||
		   rc == DVC_ETRUNCATED || rc == DVC_EVERSION || rc == DVC_ETOOBIG || rc == DVC_ENOMEM);
	if (rc == DVC_OK) {
		FUZZ_CHECK(r.dossiers == 1);
		/* canonical: flip a bit of any byte and it no longer verifies */
		if (size > 2) {
			doc[(size - 1) / 2] ^= 1;
			FUZZ_CHECK(dvc_proof_verify(doc, size - 1, &o, NULL) != DVC_OK);
		}
	}
	free(doc);
	return 0;
}
