/* XML-DSig (sign.h). Byte 0 even: the rest is a document someone hands us
 * to verify against the DEMO certificate: any answer but a crash or an
 * unexpected code. Odd: the rest is a document to sign with the DEMO key;
 * whatever the library signs, it must verify. */
#include "fuzz_common.h"

#define KEYS DVC_SOURCE_ROOT "/data/demo-keys/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dvc_sign_opts o = DVC_SIGN_OPTS_INIT;
	char *doc, *signed_doc = NULL;
	size_t n = 0;
	int rc;
	if (size < 1)
		return 0;
	doc = fuzz_cstr(data + 1, size - 1);
	if (!(data[0] & 1)) {
		char fp[DVC_CERT_FINGERPRINT_SIZE];
		rc = dvc_sign_verify(doc, size - 1, KEYS "demo-signing-cert.pem", fp);
		FUZZ_CHECK(rc == DVC_OK || rc == DVC_ESIGNATURE || rc == DVC_EPARSE ||
			   rc == DVC_ETOOBIG || rc == DVC_ENOMEM);
		if (rc == DVC_OK)
			FUZZ_CHECK(strlen(fp) == 64);
	} else {
		o.key_file = KEYS "demo-signing-key.pem";
		o.cert_file = KEYS "demo-signing-cert.pem";
		rc = dvc_sign_xml(doc, size - 1, &o, &signed_doc, &n);
		FUZZ_CHECK(rc == DVC_OK || rc == DVC_EPARSE || rc == DVC_ETOOBIG || rc == DVC_ENOMEM ||
			   rc == DVC_EIO);
		/* a document that already holds a signature element is verified
		 * by its first one, which is not ours */
		if (rc == DVC_OK && !strstr(doc, "xmldsig"))
			FUZZ_CHECK(dvc_sign_verify(signed_doc, n, KEYS "demo-signing-cert.pem", NULL) == DVC_OK);
		dvc_free(signed_doc);
	}
	free(doc);
	return 0;
}
