/* E-form schemas and form data. The input is "schema\0data": both halves are
 * fuzzed together; the whole input is also validated as data against a real
 * procedure's form. */
#include "fuzz_common.h"

static const char real_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"ho_ten\",\"con\"],"
	"\"properties\":{\"ho_ten\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":100},"
	"\"ngay_sinh\":{\"type\":\"string\",\"format\":\"date\"},\"cccd\":{\"type\":\"string\","
	"\"format\":\"citizen_id\"},\"dien_thoai\":{\"type\":\"string\",\"format\":\"phone\"},"
	"\"thu\":{\"type\":\"string\",\"format\":\"email\"},\"so_ban\":{\"type\":\"integer\","
	"\"minimum\":1,\"maximum\":10},\"gioi_tinh\":{\"type\":\"string\",\"enum\":[\"Nam\",\"Nữ\"]},"
	"\"con\":{\"type\":\"array\",\"maxItems\":5,\"items\":{\"type\":\"object\",\"properties\":"
	"{\"ten\":{\"type\":\"string\",\"pattern\":\"[A-Za-z ]+\"},\"tuoi\":{\"type\":\"number\"}}}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dvc_eform *real;
	const uint8_t *sep = memchr(data, 0, size);
	dvc_eform *f;
	int rc;
	if (!real && dvc_eform_compile(&real, real_schema, sizeof real_schema - 1) != DVC_OK)
		abort();
	rc = dvc_eform_validate(real, (const char *)data, size);
	FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
	if (sep) {
		size_t slen = (size_t)(sep - data);
		rc = dvc_eform_compile(&f, (const char *)data, slen);
		FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
		if (rc == DVC_OK) {
			rc = dvc_eform_validate(f, (const char *)sep + 1, size - slen - 1);
			FUZZ_CHECK(rc <= 0 && rc != DVC_ERROR);
			/* the one-call form agrees */
			FUZZ_CHECK(dvc_eform_check((const char *)data, slen, (const char *)sep + 1,
						   size - slen - 1) == rc);
			dvc_eform_free(f);
		}
	}
	return 0;
}
