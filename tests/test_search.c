/* Catalog search: diacritics and case folding, NFD input, phrase-first
 * ranking, one-typo tolerance, filters. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF "data/catalog/kien-thuy-2018.json"
#define BIRTH "1.001193"

static dvc_db *db;
static dvc_date seed = {2018, 7, 1};

static void open_ref(void)
{
	db = mem_db();
	ck_ok(dvc_catalog_import_file(db, src_path(REF), DVC_FORMAT_AUTO, NULL));
}

static void close_ref(void) { dvc_close(db); }

static dvc_search_result *search(const char *text, dvc_search_opts *o)
{
	dvc_search_result *r;
	dvc_search_opts d = DVC_SEARCH_OPTS_INIT;
	if (!o)
		o = &d;
	o->asof = &seed;
	ck_ok(dvc_catalog_search(db, text, o, &r));
	return r;
}

static const char *first_code(const char *text)
{
	static char code[32];
	dvc_search_result *r = search(text, NULL);
	ck_assert_msg(dvc_search_result_count(r) > 0, "'%s' found nothing", text);
	snprintf(code, sizeof code, "%s", dvc_search_result_at(r, 0)->code);
	dvc_search_result_free(r);
	return code;
}

START_TEST(birth_registration_is_found_however_it_is_typed)
{
	ck_assert_str_eq(first_code("dang ky khai sinh"), BIRTH);
	ck_assert_str_eq(first_code("ĐĂNG KÝ KHAI SINH"), BIRTH);
	ck_assert_str_eq(first_code("Đăng ký khai sinh"), BIRTH);
	/* decomposed Unicode (NFD), as some keyboards and macOS produce */
	ck_assert_str_eq(first_code("\xc4\x90" "a\xcc\x86ng ky\xcc\x81 khai sinh"), BIRTH);
	ck_assert_str_eq(first_code("  đăng   ký,  khai-sinh "), BIRTH);
	ck_assert_str_eq(first_code(BIRTH), BIRTH);
}
END_TEST

START_TEST(phrase_matches_rank_before_scattered_words)
{
	dvc_search_result *r = search("khai sinh", NULL);
	size_t n = dvc_search_result_count(r);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(dvc_search_result_at(r, 0)->match, DVC_MATCH_PHRASE);
	/* match classes never go back up the list */
	for (size_t i = 1; i < n; i++)
		ck_assert_int_ge(dvc_search_result_at(r, i)->match,
				 dvc_search_result_at(r, i - 1)->match);
	dvc_search_result_free(r);
	/* the words in another order: no phrase match, still found */
	r = search("sinh khai ky dang", NULL);
	ck_assert_uint_gt(dvc_search_result_count(r), 0);
	ck_assert_int_eq(dvc_search_result_at(r, 0)->match, DVC_MATCH_WORDS);
	dvc_search_result_free(r);
}
END_TEST

START_TEST(one_typo_in_a_word_is_tolerated)
{
	dvc_search_result *r;
	ck_assert_str_eq(first_code("dang ky khai sinnh"), BIRTH);  /* insertion */
	ck_assert_str_eq(first_code("dang ky khia sinh"), BIRTH);   /* transposition */
	ck_assert_str_eq(first_code("dang ky khai sjnh"), BIRTH);   /* substitution */
	r = search("dang ky khai sinnh", NULL);
	ck_assert_int_eq(dvc_search_result_at(r, 0)->match, DVC_MATCH_FUZZY);
	dvc_search_result_free(r);
	/* two typos in one word: nothing */
	r = search("khzzi sinh", NULL);
	ck_assert_uint_eq(dvc_search_result_count(r), 0);
	dvc_search_result_free(r);
	r = search("xyzzyq", NULL);
	ck_assert_uint_eq(dvc_search_result_count(r), 0);
	dvc_search_result_free(r);
}
END_TEST

START_TEST(filters_narrow_the_result)
{
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	dvc_search_result *r;
	o.limit = 100;
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 38);
	dvc_search_result_free(r);

	o.level = "commune";
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 2);
	dvc_search_result_free(r);

	o.level = NULL;
	o.sector = "KHDT";
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(dvc_search_result_at(r, i)->sector, "KHDT");
	dvc_search_result_free(r);

	o.sector = "TP";
	o.level = "commune";
	r = search("khai sinh", &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 1);
	ck_assert_str_eq(dvc_search_result_at(r, 0)->code, BIRTH);
	dvc_search_result_free(r);

	o = (dvc_search_opts)DVC_SEARCH_OPTS_INIT;
	o.online_level = 3;
	o.limit = 100;
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 38);
	dvc_search_result_free(r);

	o.limit = 3;
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 3);
	dvc_search_result_free(r);

	o = (dvc_search_opts)DVC_SEARCH_OPTS_INIT;
	o.agency = "no-such-agency";
	r = search(NULL, &o);
	ck_assert_uint_eq(dvc_search_result_count(r), 0);
	dvc_search_result_free(r);
}
END_TEST

START_TEST(bad_search_input_is_refused)
{
	dvc_search_result *r = NULL;
	dvc_search_opts o = DVC_SEARCH_OPTS_INIT;
	ck_dvc(dvc_catalog_search(db, "kh\xe1i", NULL, &r), DVC_EUTF8);
	ck_assert_ptr_null(r);
	o.online_level = 5;
	ck_dvc(dvc_catalog_search(db, "khai", &o, &r), DVC_EINVAL);
	o = (dvc_search_opts)DVC_SEARCH_OPTS_INIT;
	o.version = 99;
	ck_dvc(dvc_catalog_search(db, "khai", &o, &r), DVC_EINVAL);
	ck_dvc(dvc_catalog_search(NULL, "khai", NULL, &r), DVC_EINVAL);
	/* FTS syntax in user text is just text */
	ck_ok(dvc_catalog_search(db, "\"khai\" OR sinh* NEAR(", NULL, &r));
	dvc_search_result_free(r);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		birth_registration_is_found_however_it_is_typed,
		phrase_matches_rank_before_scattered_words, one_typo_in_a_word_is_tolerated,
		filters_narrow_the_result, bad_search_input_is_refused, NULL};
	const test_case cases[] = {
		{"search", tests, .unchecked_setup = open_ref, .unchecked_teardown = close_ref},
		{NULL}};
	return run_cases("search", cases);
}
