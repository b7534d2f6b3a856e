/* Out-of-memory injection: fail the Nth allocation of a catalog import (ours,
 * cJSON's and libxml2's) for every N until the import succeeds. Each failure
 * must return DVC_ENOMEM, leak nothing, and leave the store as it was. */
#include "testutil.h"
#include "failalloc.h"
#include "internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small catalog (the first three procedures of the reference) keeps the
 * loop short; every code path of the import is still taken. */
static char *small_catalog(dvc_format f)
{
	dvc_db *db = mem_db();
	char *ref = slurp(src_path("data/catalog/kien-thuy-2018.json"), NULL), *out, *copy;
	/* cut the reference after its third procedure */
	char *p = strstr(ref, "\"procedures\"");
	for (int i = 0; i < 4 && p; i++)
		p = strstr(p + 1, "{\n      \"code\"");
	ck_assert_ptr_nonnull(p);
	/* back up to the comma before the fourth procedure and close the document */
	char *comma = p;
	while (*comma != ',')
		comma--;
	strcpy(comma, "]}");
	ck_ok(dvc_catalog_import(db, ref, strlen(ref), DVC_FORMAT_JSON, NULL));
	ck_ok(dvc_catalog_export(db, f, &out, NULL));
	copy = strdup(out);
	dvc_free(out);
	free(ref);
	dvc_close(db);
	return copy;
}

static const char *seed_doc =
	"{\"format\":\"dvc-catalog\",\"format_version\":1,"
	"\"levels\":[{\"code\":\"district\",\"name\":\"Cấp huyện\",\"rank\":2}],"
	"\"sectors\":[{\"code\":\"TP\",\"name\":\"Tư pháp\"}],"
	"\"agencies\":[{\"code\":\"A1\",\"name\":\"UBND\",\"level\":\"district\","
	"\"parent\":null,\"valid_from\":\"2018-07-01\",\"valid_to\":null}],"
	"\"procedures\":[{\"code\":\"0.000001\",\"versions\":[{\"version\":1,"
	"\"valid_from\":\"2018-07-01\",\"name\":\"Thủ tục có sẵn\",\"sector\":\"TP\","
	"\"levels\":[\"district\"],\"agency\":\"A1\",\"online_level\":3,"
	"\"online_mode\":\"none\",\"deadline\":{\"value\":1,\"unit\":\"days\"},"
	"\"result_type\":\"Kết quả\",\"legal_basis\":[\"Luật\"],"
	"\"documents\":[],\"fees\":[],\"unconfirmed\":[]}]}]}";

/* A store that already holds something, so "unchanged" means something. For
 * XML the seed goes in as XML too: the handle then holds its compiled XSD
 * (compiled once per handle) and the loop exercises the import itself. */
static dvc_db *seeded_db(dvc_format f, char **snapshot)
{
	dvc_db *db = mem_db();
	ck_ok(dvc_catalog_import(db, seed_doc, strlen(seed_doc), DVC_FORMAT_JSON, NULL));
	if (f == DVC_FORMAT_XML) {
		char *xml;
		ck_ok(dvc_catalog_export(db, DVC_FORMAT_XML, &xml, NULL));
		ck_ok(dvc_catalog_import(db, xml, strlen(xml), DVC_FORMAT_XML, NULL));
		dvc_free(xml);
	}
	ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, snapshot, NULL));
	return db;
}

static void oom_loop(dvc_format f)
{
	char *doc = small_catalog(f);
	char *before, *after, *full;
	dvc_db *db;
	long n, total, failures = 0, survived = 0;
	int rc;

	/* reference run: how many allocations a successful import makes, and
	 * what the store holds afterwards */
	db = seeded_db(f, &before);
	ck_ok(dvc_allocator_set(&counting, 1));
	cnt.count = 0;
	cnt.fail_at = -1; /* count, never fail */
	ck_ok(dvc_catalog_import(db, doc, strlen(doc), f, NULL));
	total = cnt.count;
	cnt.fail_at = 0;
	ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, &full, NULL));
	dvc_close(db);
	dvc_free(before);

	for (n = 1; n <= total; n++) {
		db = seeded_db(f, &before);
		long live_before = cnt.live;
		cnt.count = 0;
		cnt.fail_at = n;
		rc = dvc_catalog_import(db, doc, strlen(doc), f, NULL);
		cnt.fail_at = 0;
		ck_assert_msg(cnt.live == live_before, "allocation %ld: %ld blocks leaked (%s: %s)", n,
			      cnt.live - live_before, dvc_status_name(rc), dvc_error_last()->message);
		ck_assert_msg(rc == DVC_OK || rc == DVC_ENOMEM, "allocation %ld failed: got %s (%s)", n,
			      dvc_status_name(rc), dvc_error_last()->message);
		ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, &after, NULL));
		/* all or nothing */
		ck_assert_str_eq(after, rc == DVC_OK ? full : before);
		failures += rc == DVC_ENOMEM;
		survived += rc == DVC_OK;
		dvc_free(after);
		dvc_free(before);
		dvc_close(db);
	}
	ck_ok(dvc_allocator_set(NULL, 0));
	ck_assert_int_gt(failures, 100);
	dvc_free(full);
	free(doc);
	printf("%s import: %ld allocations, %ld refused with DVC_ENOMEM, %ld completed "
	       "despite the failure, no leaks\n",
	       f == DVC_FORMAT_JSON ? "JSON" : "XML", total, failures, survived);
}

START_TEST(every_failed_allocation_in_json_import_is_clean) { oom_loop(DVC_FORMAT_JSON); }
END_TEST

START_TEST(every_failed_allocation_in_xml_import_is_clean) { oom_loop(DVC_FORMAT_XML); }
END_TEST

START_TEST(allocator_needs_all_three_functions)
{
	dvc_allocator bad = {counting.malloc, NULL, counting.free, NULL};
	ck_dvc(dvc_allocator_set(&bad, 0), DVC_EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		every_failed_allocation_in_json_import_is_clean,
		every_failed_allocation_in_xml_import_is_clean, allocator_needs_all_three_functions,
		NULL};
	return run_tests("oom", NULL, NULL, 600, tests);
}
