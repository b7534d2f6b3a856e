/* Catalog import, JSON: any input is refused cleanly or imported whole. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_catalog_import(data, size, DVC_FORMAT_JSON);
}
