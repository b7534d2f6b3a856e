#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

const char *src_path(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("DVC_SOURCE_ROOT");
	snprintf(buf, sizeof buf, "%s/%s", root ? root : ".", rel);
	return buf;
}

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

dvc_db *mem_db(void)
{
	dvc_db *db = NULL;
	ck_ok(dvc_open(&db, ":memory:", NULL));
	return db;
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
