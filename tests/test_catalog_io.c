/* Catalog interchange: JSON -> store -> XML -> store -> JSON is exact; XML is
 * validated against the shipped XSD; bad XML is refused with its own code. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "data/catalog/kien-thuy-2018.json"

static char *export_as(dvc_db *db, dvc_format f)
{
	char *out;
	size_t len;
	ck_ok(dvc_catalog_export(db, f, &out, &len));
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* Sort an array of objects by their "code" member (reference data order is
 * the file author's; the export orders by code). */
static int by_code(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(cJSON_GetObjectItem(x, "code")->valuestring,
		      cJSON_GetObjectItem(y, "code")->valuestring);
}

static void sort_by_code(cJSON *arr)
{
	int n = cJSON_GetArraySize(arr);
	cJSON **items = calloc((size_t)n + 1, sizeof *items);
	for (int i = n - 1; i >= 0; i--)
		items[i] = cJSON_DetachItemFromArray(arr, i);
	qsort(items, (size_t)n, sizeof *items, by_code);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, items[i]);
	free(items);
}

static cJSON *normalized(const char *text)
{
	cJSON *root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	sort_by_code(cJSON_GetObjectItem(root, "sectors"));
	sort_by_code(cJSON_GetObjectItem(root, "agencies"));
	sort_by_code(cJSON_GetObjectItem(root, "procedures"));
	return root;
}

START_TEST(json_xml_json_round_trip_is_exact)
{
	dvc_db *a = mem_db(), *b = mem_db();
	char *ref = slurp(src_path(REF), NULL);
	char *json1, *xml1, *json2, *xml2;
	cJSON *n0, *n1;

	ck_ok(dvc_catalog_import(a, ref, strlen(ref), DVC_FORMAT_AUTO, NULL));
	json1 = export_as(a, DVC_FORMAT_JSON);
	xml1 = export_as(a, DVC_FORMAT_XML);
	ck_ok(dvc_catalog_validate_xml(xml1, strlen(xml1)));
	ck_ok(dvc_catalog_import(b, xml1, strlen(xml1), DVC_FORMAT_AUTO, NULL));
	json2 = export_as(b, DVC_FORMAT_JSON);
	xml2 = export_as(b, DVC_FORMAT_XML);
	ck_assert_str_eq(json1, json2);
	ck_assert_str_eq(xml1, xml2);
	/* nothing lost against the source file either (same members, same values) */
	n0 = normalized(ref);
	n1 = normalized(json1);
	ck_assert_msg(cJSON_Compare(n0, n1, 1), "export differs from the reference file");
	cJSON_Delete(n0);
	cJSON_Delete(n1);
	free(ref);
	dvc_free(json1);
	dvc_free(xml1);
	dvc_free(json2);
	dvc_free(xml2);
	dvc_close(a);
	dvc_close(b);
}
END_TEST

START_TEST(export_escapes_markup_in_text)
{
	const char *doc =
		"{\"format\":\"dvc-catalog\",\"format_version\":1,"
		"\"levels\":[{\"code\":\"district\",\"name\":\"<b>&\\\"huyện\\\"</b>\",\"rank\":2}],"
		"\"sectors\":[],\"agencies\":[],\"procedures\":[]}";
	dvc_db *a = mem_db(), *b = mem_db();
	char *xml, *j1, *j2;
	ck_ok(dvc_catalog_import(a, doc, strlen(doc), DVC_FORMAT_JSON, NULL));
	xml = export_as(a, DVC_FORMAT_XML);
	ck_ok(dvc_catalog_validate_xml(xml, strlen(xml)));
	ck_ok(dvc_catalog_import(b, xml, strlen(xml), DVC_FORMAT_XML, NULL));
	j1 = export_as(a, DVC_FORMAT_JSON);
	j2 = export_as(b, DVC_FORMAT_JSON);
	ck_assert_str_eq(j1, j2);
	dvc_free(xml);
	dvc_free(j1);
	dvc_free(j2);
	dvc_close(a);
	dvc_close(b);
}
END_TEST

/* Replace the first occurrence of `from` by `to` in a copy of `s`. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *hit = strstr(s, from);
	char *out;
	ck_assert_msg(hit != NULL, "'%s' not found", from);
	out = malloc(strlen(s) + strlen(to) + 1);
	memcpy(out, s, (size_t)(hit - s));
	strcpy(out + (hit - s), to);
	strcat(out, hit + strlen(from));
	return out;
}

START_TEST(bad_xml_is_refused_and_changes_nothing)
{
	dvc_db *src = mem_db(), *db = mem_db();
	char *xml, *before, *after, *bad;
	ck_ok(dvc_catalog_import_file(src, src_path(REF), DVC_FORMAT_AUTO, NULL));
	xml = export_as(src, DVC_FORMAT_XML);
	before = export_as(db, DVC_FORMAT_JSON);

	/* malformed: unclosed element */
	bad = replace(xml, "</procedures>", "");
	ck_dvc(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), DVC_EPARSE);
	free(bad);
	/* fails the XSD: online level 7 */
	bad = replace(xml, "<online level=\"3\"", "<online level=\"7\"");
	ck_dvc(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), DVC_ESCHEMA);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "line"));
	ck_dvc(dvc_catalog_validate_xml(bad, strlen(bad)), DVC_ESCHEMA);
	free(bad);
	/* fails the XSD: unknown element */
	bad = replace(xml, "<result_type>", "<bogus/><result_type>");
	ck_dvc(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), DVC_ESCHEMA);
	free(bad);
	/* duplicate procedure code */
	{
		const char *p = strstr(xml, "<procedure ");
		const char *e = strstr(p, "</procedure>") + strlen("</procedure>\n");
		size_t n = (size_t)(e - p);
		char *dup = malloc(n + 1);
		memcpy(dup, p, n);
		dup[n] = '\0';
		char *withdup = malloc(n * 2 + 1);
		strcpy(withdup, dup);
		strcat(withdup, dup);
		bad = replace(xml, dup, withdup);
		ck_dvc(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), DVC_EDUPLICATE);
		free(bad);
		free(dup);
		free(withdup);
	}
	/* invalid date that matches the pattern */
	bad = replace(xml, "valid_from=\"2018-07-01\"", "valid_from=\"2018-02-30\"");
	ck_assert_int_lt(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), 0);
	ck_assert(dvc_error_last()->code == DVC_ESCHEMA || dvc_error_last()->code == DVC_EDATE);
	free(bad);
	/* invalid UTF-8 */
	bad = replace(xml, "Cấp", "C\xff\xfe");
	ck_dvc(dvc_catalog_import(db, bad, strlen(bad), DVC_FORMAT_XML, NULL), DVC_EUTF8);
	free(bad);
	/* a DOCTYPE (here with an external entity) is refused before anything reads it */
	const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			  "<catalog xmlns=\"urn:dvc:catalog:1\" format_version=\"1\"><levels><level code=\"a\" rank=\"1\"><name>&x;</name></level></levels>"
			  "<sectors/><agencies/><procedures/></catalog>";
	ck_dvc(dvc_catalog_import(db, xxe, strlen(xxe), DVC_FORMAT_XML, NULL), DVC_ESCHEMA);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "DOCTYPE"));
	/* wrong root */
	ck_dvc(dvc_catalog_import(db, "<x/>", 4, DVC_FORMAT_XML, NULL), DVC_ESCHEMA);

	after = export_as(db, DVC_FORMAT_JSON);
	ck_assert_str_eq(before, after);
	dvc_free(xml);
	dvc_free(before);
	dvc_free(after);
	dvc_close(src);
	dvc_close(db);
}
END_TEST

START_TEST(builtin_xsd_is_the_shipped_file)
{
	char *file = slurp(src_path("data/schema/catalog.xsd"), NULL);
	ck_assert_str_eq(dvc_catalog_xsd(), file);
	free(file);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		json_xml_json_round_trip_is_exact, export_escapes_markup_in_text,
		bad_xml_is_refused_and_changes_nothing, builtin_xsd_is_the_shipped_file, NULL};
	return run_tests("catalog_io", NULL, NULL, 120, tests);
}
