/* The administrative map as history, on the shipped data: the Kiến Thụy
 * catalog of 2018 and the Hải Phòng reorganisation of 1 July 2025. */
#include "testutil.h"

#include <string.h>

static const dvc_date D2018 = {2018, 7, 2}, D2024 = {2024, 6, 3}, D2026 = {2026, 1, 5};

static dvc_db *shipped(void)
{
	dvc_db *db = mem_db();
	ck_ok(dvc_catalog_import_file(db, src_path("data/catalog/kien-thuy-2018.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_catalog_import_file(db, src_path("data/catalog/hai-phong-2025.json"), DVC_FORMAT_AUTO, NULL));
	return db;
}

static size_t count_level(dvc_db *db, const dvc_date *asof, const char *level, const char *kind)
{
	dvc_agency_list *l;
	size_t n = 0;
	ck_ok(dvc_agency_find(db, asof, level, &l));
	for (size_t i = 0; i < dvc_agency_list_count(l); i++) {
		const dvc_agency *a = dvc_agency_list_at(l, i);
		if (!kind || (a->kind && strcmp(a->kind, kind) == 0))
			n++;
	}
	dvc_agency_list_free(l);
	return n;
}

START_TEST(in_force_on_a_date)
{
	dvc_db *db = shipped();
	/* 2018: the district, its 8 offices and Thụy Hương commune */
	ck_assert_uint_eq(count_level(db, &D2018, NULL, NULL), 10);
	ck_assert_uint_eq(count_level(db, &D2018, "commune", NULL), 1);
	/* 2024: Thụy Hương is gone, Kiến Hưng has taken it over */
	ck_assert_uint_eq(count_level(db, &D2024, "commune", NULL), 1);
	/* today: no district, 114 commune-level committees with a centre each */
	ck_assert_uint_eq(count_level(db, &D2026, "district", NULL), 0);
	ck_assert_uint_eq(count_level(db, &D2026, "commune", DVC_KIND_COMMITTEE), 114);
	ck_assert_uint_eq(count_level(db, &D2026, "commune", DVC_KIND_CENTRE), 114);
	ck_assert_uint_eq(count_level(db, NULL, NULL, NULL), 241);
	ck_dvc(dvc_agency_find(db, &(dvc_date){2026, 2, 30}, NULL, &(dvc_agency_list *){NULL}), DVC_EDATE);
	dvc_close(db);
}
END_TEST

START_TEST(links_both_ways)
{
	dvc_db *db = shipped();
	dvc_agency *a;
	/* two units merged into one (and more: the whole district) */
	ck_ok(dvc_agency_get(db, "000.00.11680.H24", &a));
	ck_assert_str_eq(a->name, "Ủy ban nhân dân xã Kiến Thụy");
	ck_assert_str_eq(a->kind, DVC_KIND_COMMITTEE);
	ck_assert_uint_eq(a->n_predecessors, 10); /* 9 district units + old Kiến Hưng */
	ck_assert_uint_eq(a->n_successors, 0);
	ck_assert(dvc_agency_in_force(a, D2026));
	ck_assert(!dvc_agency_in_force(a, D2024));
	dvc_agency_free(a);
	/* one unit split in two */
	ck_ok(dvc_agency_get(db, "001.21.30.H24", &a));
	ck_assert_uint_eq(a->n_successors, 2);
	ck_assert_str_eq(a->successors[0].act, "Nghị quyết 1669/NQ-UBTVQH15");
	ck_assert_int_eq(a->successors[0].date.year, 2025);
	ck_assert_uint_eq(a->n_predecessors, 1);
	ck_assert_str_eq(a->predecessors[0].predecessor, "001.20.30.H24");
	dvc_agency_free(a);
	ck_dvc(dvc_agency_get(db, "000.00.99999.H24", &a), DVC_ENOTFOUND);
	ck_assert_ptr_null(a);
	dvc_close(db);
}
END_TEST

START_TEST(successors_resolve)
{
	dvc_db *db = shipped();
	char out[8][65];
	size_t n;
	/* in force: itself */
	ck_ok(dvc_agency_resolve(db, "001.20.30.H24", D2018, NULL, out, 8, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0], "001.20.30.H24");
	/* Thụy Hương -> Kiến Hưng (2020) -> the part that became xã Kiến Thụy */
	ck_ok(dvc_agency_resolve(db, "001.20.30.H24", D2026, NULL, out, 8, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0], "000.00.11680.H24");
	/* the split itself: both parts */
	ck_ok(dvc_agency_resolve(db, "001.21.30.H24", D2026, NULL, out, 8, &n));
	ck_assert_uint_eq(n, 2);
	/* the district: its five communes; a small buffer is an error, not a cut */
	ck_ok(dvc_agency_resolve(db, "000.00.30.H24", D2026, NULL, out, 8, &n));
	ck_assert_uint_eq(n, 5);
	ck_dvc(dvc_agency_resolve(db, "000.00.30.H24", D2026, NULL, out, 3, &n), DVC_ETOOBIG);
	ck_assert_uint_eq(n, 0);
	dvc_close(db);
}
END_TEST

START_TEST(competent_by_place)
{
	dvc_db *db = shipped();
	char out[65];
	/* a procedure served by every commune: the place decides */
	ck_ok(dvc_agency_competent(db, "1.001193", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", D2026, out));
	ck_assert_str_eq(out, "000.00.11680.H24");
	ck_ok(dvc_agency_competent(db, "1.001193", "000.00.11728.H24", D2026, out));
	ck_assert_str_eq(out, "000.00.11728.H24");
	ck_ok(dvc_agency_competent(db, "1.001193", "Số 5, phường Lê Chân, Hải Phòng", D2026, out));
	ck_assert_str_eq(out, "000.00.11383.H24");
	ck_dvc(dvc_agency_competent(db, "1.001193", NULL, D2026, out), DVC_EINVAL);
	ck_dvc(dvc_agency_competent(db, "1.001193", "Quận Ba Đình, Hà Nội", D2026, out), DVC_ENOTFOUND);
	ck_assert_str_eq(out, "");
	/* 2018: the commune itself */
	ck_ok(dvc_agency_competent(db, "1.001193", NULL, D2018, out));
	ck_assert_str_eq(out, "001.20.30.H24");
	/* a district procedure without a successor version: refused, successor named */
	ck_dvc(dvc_agency_competent(db, "1.000748", NULL, D2026, out), DVC_EEXPIRED);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "000.00.11680.H24"));
	dvc_close(db);
}
END_TEST

START_TEST(desks)
{
	dvc_db *db = shipped();
	char out[65];
	ck_ok(dvc_agency_desk(db, "000.00.11680.H24", D2026, out));
	ck_assert_str_eq(out, "000.01.11680.H24"); /* the commune's service centre */
	ck_ok(dvc_agency_desk(db, "000.01.30.H24", D2018, out));
	ck_assert_str_eq(out, "000.00.30.H24");    /* the district committee's desk */
	ck_ok(dvc_agency_desk(db, "001.20.30.H24", D2018, out));
	ck_assert_str_eq(out, "001.20.30.H24");    /* a commune receives its own dossiers */
	ck_dvc(dvc_agency_desk(db, "nope", D2018, out), DVC_ENOTFOUND);
	dvc_close(db);
}
END_TEST

START_TEST(links_validated_on_import)
{
	dvc_db *db = mem_db();
	static const char bad[] =
		"{\"format\":\"dvc-catalog\",\"format_version\":1,"
		"\"levels\":[{\"code\":\"commune\",\"name\":\"x\",\"rank\":3}],"
		"\"agencies\":[{\"code\":\"A\",\"name\":\"a\",\"level\":\"commune\",\"parent\":null,"
		"\"valid_from\":\"2018-01-01\",\"valid_to\":null}],"
		"\"successions\":[{\"predecessor\":\"A\",\"successor\":\"B\",\"date\":\"2020-01-01\",\"act\":\"x\"}]}";
	static const char self[] =
		"{\"format\":\"dvc-catalog\",\"format_version\":1,"
		"\"successions\":[{\"predecessor\":\"A\",\"successor\":\"A\",\"date\":\"2020-01-01\",\"act\":\"x\"}]}";
	dvc_agency_list *l;
	ck_dvc(dvc_catalog_import(db, bad, sizeof bad - 1, DVC_FORMAT_JSON, NULL), DVC_EREF);
	ck_assert_str_eq(dvc_error_last()->path, "successions[0].successor");
	ck_dvc(dvc_catalog_import(db, self, sizeof self - 1, DVC_FORMAT_JSON, NULL), DVC_ESCHEMA);
	ck_ok(dvc_agency_find(db, NULL, NULL, &l));
	ck_assert_uint_eq(dvc_agency_list_count(l), 0); /* nothing written */
	dvc_agency_list_free(l);
	dvc_close(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("agency");
	TCase *tc = tcase_create("map");
	tcase_add_test(tc, in_force_on_a_date);
	tcase_add_test(tc, links_both_ways);
	tcase_add_test(tc, successors_resolve);
	tcase_add_test(tc, competent_by_place);
	tcase_add_test(tc, desks);
	tcase_add_test(tc, links_validated_on_import);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
