/* The catalog: the reference import, reads, versions, and every bad input
 * refused with its own code while the store stays exactly as it was. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REF "data/catalog/kien-thuy-2018.json"

static char *ref_text;

static void load_ref(void) { ref_text = slurp(src_path(REF), NULL); }
static void free_ref(void) { free(ref_text); }

static char *export_json(dvc_db *db)
{
	char *out;
	ck_ok(dvc_catalog_export(db, DVC_FORMAT_JSON, &out, NULL));
	return out;
}

static int64_t stat_of(dvc_db *db, const char *dim, const char *key)
{
	dvc_catalog_stats *s;
	dvc_date d = {2018, 7, 1};
	int64_t n = 0; /* a key with no procedure has no row */
	ck_ok(dvc_catalog_stats_compute(db, &d, &s));
	for (size_t i = 0; i < dvc_catalog_stats_count(s); i++) {
		const dvc_stat_row *r = dvc_catalog_stats_at(s, i);
		if (strcmp(r->dimension, dim) == 0 && strcmp(r->key, key) == 0)
			n = r->count;
	}
	if (!dim[0])
		n = dvc_catalog_stats_total(s);
	dvc_catalog_stats_free(s);
	return n;
}

START_TEST(reference_catalog_imports_with_the_seed_counts)
{
	dvc_db *db = mem_db();
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, &st));
	ck_assert_uint_eq(st.procedures, 38);
	ck_assert_uint_eq(st.versions_added, 38);
	ck_assert_int_eq(stat_of(db, "", ""), 38);
	/* 36 district-level and 2 commune-level procedures */
	ck_assert_int_eq(stat_of(db, "level", "district"), 36);
	ck_assert_int_eq(stat_of(db, "level", "commune"), 2);
	/* by sector: 9+2 Justice, 8, 3, 5, 2, 3, 5, 1 */
	ck_assert_int_eq(stat_of(db, "sector", "TP"), 11);
	ck_assert_int_eq(stat_of(db, "sector", "NV"), 8);
	ck_assert_int_eq(stat_of(db, "sector", "CT"), 3);
	ck_assert_int_eq(stat_of(db, "sector", "LDTBXH"), 5);
	ck_assert_int_eq(stat_of(db, "sector", "TTTT"), 2);
	ck_assert_int_eq(stat_of(db, "sector", "GDDT"), 3);
	ck_assert_int_eq(stat_of(db, "sector", "KHDT"), 5);
	ck_assert_int_eq(stat_of(db, "sector", "TNMT"), 1);
	/* every procedure of the seed is offered online at level 3 or 4 */
	ck_assert_int_eq(stat_of(db, "online_level", "3") + stat_of(db, "online_level", "4"), 38);
	dvc_close(db);
}
END_TEST

START_TEST(procedure_reads_back_every_field)
{
	dvc_db *db = mem_db();
	dvc_procedure *p;
	dvc_date d = {2018, 7, 1};
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_procedure_get(db, "1.001193", &d, &p));
	ck_assert_str_eq(p->code, "1.001193");
	ck_assert_int_eq(p->version, 1);
	ck_assert_ptr_nonnull(strstr(p->name, "đăng ký khai sinh"));
	ck_assert_str_eq(p->sector, "TP");
	ck_assert_uint_eq(p->n_levels, 1);
	ck_assert_str_eq(p->levels[0], "commune");
	ck_assert_int_ge(p->online_level, 3);
	ck_assert_int_gt(p->deadline_value, 0);
	ck_assert_uint_gt(p->n_documents, 0);
	ck_assert_uint_gt(p->n_legal_basis, 0);
	ck_assert(!p->has_valid_to);
	dvc_procedure_free(p);
	ck_dvc(dvc_procedure_get(db, "9.999999", &d, &p), DVC_ENOTFOUND);
	d.year = 2017;
	ck_dvc(dvc_procedure_get(db, "1.001193", &d, &p), DVC_ENOTFOUND);
	d = (dvc_date){2018, 2, 30};
	ck_dvc(dvc_procedure_get(db, "1.001193", &d, &p), DVC_EDATE);
	ck_dvc(dvc_procedure_get_version(db, "1.001193", 0, &p), DVC_EINVAL);
	dvc_close(db);
}
END_TEST

/* Apply `edit` to the parsed reference catalog and return the new text. */
static char *mutate(void (*edit)(cJSON *root))
{
	cJSON *root = cJSON_Parse(ref_text);
	char *s;
	ck_assert_ptr_nonnull(root);
	edit(root);
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

static cJSON *version0(cJSON *root, int proc)
{
	cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "procedures"), proc);
	return cJSON_GetArrayItem(cJSON_GetObjectItem(p, "versions"), 0);
}

static void add_version_2(cJSON *root)
{
	cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "procedures"), 0);
	cJSON *v2 = cJSON_Duplicate(version0(root, 0), 1);
	cJSON_ReplaceItemInObject(v2, "version", cJSON_CreateNumber(2));
	cJSON_ReplaceItemInObject(v2, "valid_from", cJSON_CreateString("2023-01-01"));
	cJSON_ReplaceItemInObject(v2, "online_mode", cJSON_CreateString("full"));
	cJSON_ReplaceItemInObject(v2, "online_level", cJSON_CreateNumber(4));
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "versions"), v2);
}

START_TEST(new_version_supersedes_from_its_date_and_old_stays_readable)
{
	dvc_db *db = mem_db();
	char *text = mutate(add_version_2);
	cJSON *root = cJSON_Parse(text);
	const char *code = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root,
		"procedures"), 0), "code")->valuestring;
	dvc_procedure *p;
	dvc_date before = {2022, 12, 31}, after = {2023, 1, 1};
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;

	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_catalog_import(db, text, strlen(text), DVC_FORMAT_JSON, &st));
	ck_assert_uint_eq(st.versions_added, 1);
	ck_assert_uint_eq(st.versions_same, 38);
	ck_ok(dvc_procedure_get(db, code, &before, &p));
	ck_assert_int_eq(p->version, 1);
	ck_assert(p->has_valid_to);
	ck_assert_int_eq(p->valid_to.year, 2022);
	ck_assert_int_eq(p->valid_to.month, 12);
	ck_assert_int_eq(p->valid_to.day, 31);
	dvc_procedure_free(p);
	ck_ok(dvc_procedure_get(db, code, &after, &p));
	ck_assert_int_eq(p->version, 2);
	ck_assert_int_eq(p->online_mode, DVC_ONLINE_FULL);
	ck_assert(!p->has_valid_to);
	dvc_procedure_free(p);
	ck_ok(dvc_procedure_get_version(db, code, 1, &p));
	ck_assert_int_eq(p->online_level, 3);
	dvc_procedure_free(p);
	cJSON_Delete(root);
	free(text);
	dvc_close(db);
}
END_TEST

static void add_version_2_same_day(cJSON *root)
{
	cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "procedures"), 0);
	cJSON *v2 = cJSON_Duplicate(version0(root, 0), 1);
	cJSON_ReplaceItemInObject(v2, "version", cJSON_CreateNumber(2));
	cJSON_AddItemToArray(cJSON_GetObjectItem(p, "versions"), v2);
}

static void only_version_2_same_day(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 0), "version", cJSON_CreateNumber(2));
}

/* Which version is in force on a day is answered off the start dates alone
 * (lib/store_dossier.c, lib/store_catalog.c): two versions may not start on
 * the same day, in one file or against the store. */
START_TEST(two_versions_cannot_start_the_same_day)
{
	dvc_db *db = mem_db();
	char *one_file = mutate(add_version_2_same_day), *later = mutate(only_version_2_same_day);
	ck_dvc(dvc_catalog_import(db, one_file, strlen(one_file), DVC_FORMAT_JSON, NULL), DVC_ESCHEMA);
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
	ck_dvc(dvc_catalog_import(db, later, strlen(later), DVC_FORMAT_JSON, NULL), DVC_ESCHEMA);
	free(one_file);
	free(later);
	dvc_close(db);
}
END_TEST

START_TEST(reimport_is_a_no_op)
{
	dvc_db *db = mem_db();
	dvc_import_stats st = DVC_IMPORT_STATS_INIT;
	char *before, *after;
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
	before = export_json(db);
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, &st));
	ck_assert_uint_eq(st.versions_added, 0);
	ck_assert_uint_eq(st.versions_same, 38);
	after = export_json(db);
	ck_assert_str_eq(before, after);
	dvc_free(before);
	dvc_free(after);
	dvc_close(db);
}
END_TEST

/* ---- bad input: each its own code, the path named, the store unchanged ---- */

static void change_name(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 0), "name", cJSON_CreateString("Tên khác"));
}
static void unknown_sector(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 5), "sector", cJSON_CreateString("XX"));
}
static void unknown_agency(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 7), "agency", cJSON_CreateString("000.99.99.H99"));
}
static void unknown_level(cJSON *root)
{
	cJSON *l = cJSON_CreateArray();
	cJSON_AddItemToArray(l, cJSON_CreateString("hamlet"));
	cJSON_ReplaceItemInObject(version0(root, 2), "levels", l);
}
static void duplicate_code(cJSON *root)
{
	cJSON *procs = cJSON_GetObjectItem(root, "procedures");
	cJSON_AddItemToArray(procs, cJSON_Duplicate(cJSON_GetArrayItem(procs, 3), 1));
}
static void huge_name(cJSON *root)
{
	char *big = malloc(10001);
	memset(big, 'a', 10000);
	big[10000] = '\0';
	cJSON_ReplaceItemInObject(version0(root, 1), "name", cJSON_CreateString(big));
	free(big);
}
static void unknown_key(cJSON *root)
{
	cJSON_AddStringToObject(version0(root, 4), "nmae", "typo");
}
static void missing_field(cJSON *root)
{
	cJSON_DeleteItemFromObject(version0(root, 4), "result_type");
}
static void bad_date(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 6), "valid_from", cJSON_CreateString("2018-02-30"));
}
static void bad_level(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 6), "online_level", cJSON_CreateNumber(5));
}
static void bad_type(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 6), "online_level", cJSON_CreateString("3"));
}
static void bad_enum(cJSON *root)
{
	cJSON_ReplaceItemInObject(version0(root, 6), "online_mode", cJSON_CreateString("mostly"));
}
static void newer_format(cJSON *root)
{
	cJSON_ReplaceItemInObject(root, "format_version", cJSON_CreateNumber(7));
}
static void comma_in_code(cJSON *root)
{
	/* a field name list entry must be a code: a comma would split it in two */
	cJSON *u = cJSON_CreateArray();
	cJSON_AddItemToArray(u, cJSON_CreateString("fees,deadline"));
	cJSON_ReplaceItemInObject(version0(root, 3), "unconfirmed", u);
}
static void late_error(cJSON *root)
{
	/* valid up to the very last record: earlier writes must be undone */
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(root, "procedures"));
	cJSON_ReplaceItemInObject(version0(root, n - 1), "sector", cJSON_CreateString("NOPE"));
}

static const struct bad_case {
	const char *name;
	void (*edit)(cJSON *);
	int code;
	const char *path; /* expected prefix of dvc_error_last()->path, or NULL */
} bad_cases[] = {
	{"changed version", change_name, DVC_ECONFLICT, "procedures[0].versions[0]"},
	{"unknown sector", unknown_sector, DVC_EREF, "procedures[5].versions[0].sector"},
	{"unknown agency", unknown_agency, DVC_EREF, "procedures[7].versions[0].agency"},
	{"unknown level", unknown_level, DVC_EREF, "procedures[2].versions[0].levels[0]"},
	{"duplicate code", duplicate_code, DVC_EDUPLICATE, "procedures[38].code"},
	{"huge name", huge_name, DVC_ETOOBIG, "procedures[1].versions[0].name"},
	{"unknown key", unknown_key, DVC_ESCHEMA, "procedures[4].versions[0].nmae"},
	{"missing field", missing_field, DVC_ESCHEMA, "procedures[4].versions[0].result_type"},
	{"invalid date", bad_date, DVC_EDATE, "procedures[6].versions[0].valid_from"},
	{"online level 5", bad_level, DVC_ERANGE, "procedures[6].versions[0].online_level"},
	{"wrong type", bad_type, DVC_ESCHEMA, "procedures[6].versions[0].online_level"},
	{"unknown enum", bad_enum, DVC_ESCHEMA, "procedures[6].versions[0].online_mode"},
	{"newer format", newer_format, DVC_EVERSION, "format_version"},
	{"error in the last record", late_error, DVC_EREF, "procedures[37].versions[0].sector"},
	{"comma in a code list", comma_in_code, DVC_ESCHEMA, "procedures[3].versions[0].unconfirmed[0]"},
};

START_TEST(bad_json_input_is_refused_and_changes_nothing)
{
	const struct bad_case *bc = &bad_cases[_i];
	dvc_db *db = mem_db();
	char *before, *after, *text;
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
	before = export_json(db);
	/* into a store that has the catalog, and into an empty one */
	text = mutate(bc->edit);
	ck_assert_msg(dvc_catalog_import(db, text, strlen(text), DVC_FORMAT_JSON, NULL) == bc->code,
		      "%s: got %s (%s)", bc->name, dvc_status_name(dvc_error_last()->code),
		      dvc_error_last()->message);
	if (bc->path) {
		ck_assert_ptr_nonnull(dvc_error_last()->path);
		ck_assert_msg(strncmp(dvc_error_last()->path, bc->path, strlen(bc->path)) == 0,
			      "%s: path %s, want %s", bc->name, dvc_error_last()->path, bc->path);
	}
	after = export_json(db);
	ck_assert_str_eq(before, after);
	dvc_free(before);
	dvc_free(after);
	dvc_close(db);

	if (bc->edit != change_name) {
		db = mem_db();
		before = export_json(db);
		ck_dvc(dvc_catalog_import(db, text, strlen(text), DVC_FORMAT_JSON, NULL), bc->code);
		after = export_json(db);
		ck_assert_str_eq(before, after);
		dvc_free(before);
		dvc_free(after);
		dvc_close(db);
	}
	free(text);
}
END_TEST

START_TEST(malformed_and_non_utf8_json_are_refused)
{
	dvc_db *db = mem_db();
	char *before = export_json(db), *after, *bad;
	size_t n;
	const char *trunc = "{\"format\":\"dvc-catalog\",\"format_version\":1,\"procedures\":[";
	ck_dvc(dvc_catalog_import(db, trunc, strlen(trunc), DVC_FORMAT_JSON, NULL), DVC_EPARSE);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "line 1"));
	ck_dvc(dvc_catalog_import(db, "[]", 2, DVC_FORMAT_JSON, NULL), DVC_ESCHEMA);
	ck_dvc(dvc_catalog_import(db, "", 0, DVC_FORMAT_JSON, NULL), DVC_EPARSE);
	/* a Latin-1 byte inside a procedure name */
	bad = strdup(ref_text);
	n = strlen(bad);
	char *hit = strstr(bad, "\"name\": \"Thủ tục");
	ck_assert_ptr_nonnull(hit);
	hit[9] = (char)0xE9; /* 'T' -> Latin-1 'é' */
	ck_dvc(dvc_catalog_import(db, bad, n, DVC_FORMAT_JSON, NULL), DVC_EUTF8);
	ck_assert_ptr_nonnull(dvc_error_last()->path);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->path, ".name"));
	after = export_json(db);
	ck_assert_str_eq(before, after);
	free(bad);
	dvc_free(before);
	dvc_free(after);
	dvc_close(db);
}
END_TEST

START_TEST(oversized_file_is_refused_without_reading_it)
{
	char path[] = "/tmp/dvc-big-XXXXXX";
	int fd = mkstemp(path);
	dvc_db *db = mem_db();
	ck_assert_int_ge(fd, 0);
	/* sparse 100 MB file: a "100 MB name" never gets loaded */
	ck_assert_int_eq(ftruncate(fd, 100L * 1024 * 1024), 0);
	close(fd);
	ck_dvc(dvc_catalog_import_file(db, path, DVC_FORMAT_JSON, NULL), DVC_ETOOBIG);
	ck_dvc(dvc_catalog_import(db, "x", (size_t)DVC_CATALOG_MAX_INPUT + 1, DVC_FORMAT_JSON, NULL),
	       DVC_ETOOBIG);
	unlink(path);
	ck_dvc(dvc_catalog_import_file(db, "/nonexistent/catalog.json", DVC_FORMAT_AUTO, NULL), DVC_EIO);
	dvc_close(db);
}
END_TEST

START_TEST(nfd_input_is_stored_as_nfc)
{
	dvc_db *db = mem_db();
	char *text = strdup(ref_text);
	/* decompose "Thủ tục" of the first name occurrence by hand: ủ -> u + U+0309 */
	const char *nfc_word = "Thủ tục";
	char *hit = strstr(text, nfc_word);
	dvc_search_result *r;
	ck_assert_ptr_nonnull(hit);
	char *patched = malloc(strlen(text) + 16);
	size_t pre = (size_t)(hit - text);
	memcpy(patched, text, pre);
	strcpy(patched + pre, "Thu\xcc\x89 tu\xcc\xa3" "c");
	strcat(patched, hit + strlen(nfc_word));
	ck_ok(dvc_catalog_import(db, patched, strlen(patched), DVC_FORMAT_JSON, NULL));
	char *out = export_json(db);
	ck_assert_ptr_null(strstr(out, "u\xcc\x89"));
	ck_ok(dvc_catalog_search(db, "thu tuc", NULL, &r));
	ck_assert_uint_gt(dvc_search_result_count(r), 0);
	dvc_search_result_free(r);
	dvc_free(out);
	free(patched);
	free(text);
	dvc_close(db);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		reference_catalog_imports_with_the_seed_counts, procedure_reads_back_every_field,
		new_version_supersedes_from_its_date_and_old_stays_readable,
		two_versions_cannot_start_the_same_day, reimport_is_a_no_op,
		bad_json_input_is_refused_and_changes_nothing,
		malformed_and_non_utf8_json_are_refused,
		oversized_file_is_refused_without_reading_it, nfd_input_is_stored_as_nfc, NULL};
	const test_loop loops[] = {
		{bad_json_input_is_refused_and_changes_nothing, 0, (int)(sizeof bad_cases / sizeof bad_cases[0])},
		{NULL}};
	const test_case cases[] = {
		{"catalog", tests, .unchecked_setup = load_ref, .unchecked_teardown = free_ref,
		 .timeout = 120, .loops = loops},
		{NULL}};
	return run_cases("catalog", cases);
}
