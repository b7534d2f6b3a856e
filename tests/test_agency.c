/* The administrative map as history, on the shipped data: the Kiến Thụy
 * catalog of 2018 and the Hải Phòng reorganisation of 1 July 2025. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
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

/* ---- lodging anywhere in the province (Decree 118/2025/NĐ-CP) ---- */

/* the birth declaration (Circular 04/2020/TT-BTP form), as in test_declaration */
#define BIRTH_FORM "{\"kinh_gui\":\"Ủy ban nhân dân xã Kiến Hưng\",\"nguoi_yeu_cau_ho_ten\":\"Nguyễn Văn An\",\"nguoi_yeu_cau_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\",\"nguoi_yeu_cau_giay_to_tuy_than\":\"Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022\",\"quan_he\":\"Cha\",\"ho_ten\":\"Nguyễn Minh Khôi\",\"ngay_sinh_bang_chu\":\"Ngày một tháng một năm hai nghìn không trăm hai mươi sáu\",\"dan_toc\":\"Kinh\",\"quoc_tich\":\"Việt Nam\",\"noi_sinh\":\"Bệnh viện Phụ sản Hải Phòng\",\"que_quan\":\"xã Kiến Hưng, thành phố Hải Phòng\",\"me_ho_ten\":\"Trần Thị Bình\",\"me_dan_toc\":\"Kinh\",\"me_quoc_tich\":\"Việt Nam\",\"me_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\"}"

static int act_as(dvc_db *db, const char *code, dvc_action a, const char *officer)
{
	dvc_action_req r = DVC_ACTION_INIT;
	r.action = a;
	r.actor.kind = DVC_ACTOR_OFFICER;
	r.actor.name = officer;
	return dvc_dossier_act(db, code, &r, NULL);
}

/* One step of a dossier's way: `officer` takes action `a`, which gives `want`. */
typedef struct step {
	dvc_action a;
	const char *officer;
	int want;
} step;

/* Take the `steps` (ending with {0}) on dossier `code` in turn; a
 * failure names the step. */
static void walk(dvc_db *db, const char *code, const step *steps)
{
	for (; steps->officer; steps++) {
		int rc = act_as(db, code, steps->a, steps->officer);
		ck_assert_msg(rc == steps->want, "%s by %s: %s (%s), want %s", dvc_action_name(steps->a),
			      steps->officer, dvc_status_name(rc), dvc_error_last()->message,
			      dvc_status_name(steps->want));
	}
}

/* A birth registration (1.001193) for an_nguyen, to be completed by the caller. */
static dvc_submission birth_submission(void)
{
	return citizen_submission("1.001193", BIRTH_FORM);
}

/* An officer to add: username, full name, unit and role. */
typedef struct officer_row {
	const char *username, *full_name, *unit;
	dvc_role role;
} officer_row;

/* The shipped data on test_clock at `iso`, with `officers` (ending with
 * {NULL}); the test fails, naming the officer, if one cannot be added. */
static dvc_db *shipped_at(const char *iso, const officer_row *officers)
{
	dvc_db *db = shipped();
	clock_now = instant(iso);
	dvc_set_clock(db, test_clock, NULL);
	for (; officers->username; officers++)
		ck_assert_msg(dvc_officer_add(db, officers->username, officers->full_name, officers->unit,
					      officers->role) == DVC_OK,
			      "adding %s: %s", officers->username, dvc_error_last()->message);
	return db;
}

static dvc_db *shipped_2026(void)
{
	/* the Lê Chân ward centre, and xã Kiến Thụy's centre and committee */
	static const officer_row officers[] = {
		{"tn.lechan", "Tiếp Nhận Lê Chân", "000.01.11383.H24", DVC_ROLE_RECEPTION},
		{"tn.kienthuy", "Tiếp Nhận Kiến Thụy", "000.01.11680.H24", DVC_ROLE_RECEPTION},
		{"cv.kienthuy", "Công chức Tư pháp - Hộ tịch", "000.00.11680.H24", DVC_ROLE_SPECIALIST},
		{"ct.kienthuy", "Chủ tịch UBND xã Kiến Thụy", "000.00.11680.H24", DVC_ROLE_SIGNING_LEADER},
		{"cv.lechan", "Công chức Lê Chân", "000.00.11383.H24", DVC_ROLE_SPECIALIST},
		{NULL}};
	return shipped_at("2026-03-02T09:00:00+07:00", officers); /* a Monday */
}

static dvc_tracking *tracked(dvc_db *db, const char *code, const char *officer)
{
	dvc_tracking *t;
	dvc_actor who = {DVC_ACTOR_OFFICER, officer, NULL};
	ck_ok(dvc_dossier_track(db, code, &who, &t));
	return t;
}

START_TEST(commune_procedure_at_its_own_centre)
{
	dvc_db *db = shipped_2026();
	dvc_receipt r = submit_as_citizen(db, "1.001193", BIRTH_FORM);
	dvc_tracking *t;
	/* received at the commune's centre: the code carries the centre's code */
	ck_assert_str_eq(r.code, "000.01.11680.H24-260302-0001");
	t = tracked(db, r.code, "tn.kienthuy");
	ck_assert_str_eq(t->desk, "000.01.11680.H24");
	ck_assert_str_eq(t->competent, "000.00.11680.H24");
	dvc_tracking_free(t);
	/* handled by the commune's officers, nobody else's */
	walk(db, r.code, (const step[]){{DVC_ACT_RECEIVE, "tn.lechan", DVC_EPERM},
					{DVC_ACT_RECEIVE, "tn.kienthuy", DVC_OK},
					{DVC_ACT_FORWARD, "tn.kienthuy", DVC_OK},
					{DVC_ACT_FORWARD, "cv.lechan", DVC_EPERM},
					{DVC_ACT_FORWARD, "cv.kienthuy", DVC_OK},
					{DVC_ACT_FORWARD, "ct.kienthuy", DVC_OK},
					{DVC_ACT_RETURN, "tn.kienthuy", DVC_OK},
					{0}});
	t = tracked(db, r.code, "tn.kienthuy");
	ck_assert_int_eq(t->state, DVC_STATE_RETURNED);
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_verify(db, r.code, NULL));
	dvc_close(db);
}
END_TEST

START_TEST(lodged_outside_ones_commune)
{
	dvc_db *db = shipped_2026();
	dvc_submission s = birth_submission();
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_tracking *t;
	char *json;
	s.desk = "000.01.11383.H24"; /* the Lê Chân ward centre, far from home */
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "000.01.11383.H24-260302-0001");
	t = tracked(db, r.code, "tn.lechan");
	ck_assert_str_eq(t->desk, "000.01.11383.H24");
	ck_assert_str_eq(t->competent, "000.00.11680.H24");
	ck_assert_str_eq(t->unit, "000.01.11383.H24");
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_view_json(db, r.code, &(dvc_actor){DVC_ACTOR_OFFICER, "tn.lechan", NULL}, NULL,
				    &json));
	ck_assert_ptr_nonnull(strstr(json, "\"desk\":\"000.01.11383.H24\""));
	ck_assert_ptr_nonnull(strstr(json, "\"competent\":\"000.00.11680.H24\""));
	dvc_free(json);
	/* the receiving centre receives; the competent commune processes */
	walk(db, r.code, (const step[]){{DVC_ACT_RECEIVE, "tn.kienthuy", DVC_EPERM},
					{DVC_ACT_RECEIVE, "tn.lechan", DVC_OK},
					{DVC_ACT_FORWARD, "tn.lechan", DVC_OK},
					{0}});
	t = tracked(db, r.code, "cv.kienthuy");
	ck_assert_str_eq(t->unit, "000.00.11680.H24");
	dvc_tracking_free(t);
	walk(db, r.code, (const step[]){{DVC_ACT_FORWARD, "cv.lechan", DVC_EPERM},
					{DVC_ACT_FORWARD, "cv.kienthuy", DVC_OK},
					{DVC_ACT_FORWARD, "ct.kienthuy", DVC_OK},
					{DVC_ACT_RETURN, "tn.lechan", DVC_OK},
					{0}});
	ck_ok(dvc_dossier_verify(db, r.code, NULL));

	/* a chosen place instead of the address */
	s.desk = NULL;
	s.place = "000.00.11383.H24";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "000.01.11383.H24-260302-0002");
	dvc_close(db);
}
END_TEST

START_TEST(desk_refusals_change_nothing)
{
	dvc_db *db = shipped_2026();
	dvc_submission s = birth_submission();
	dvc_receipt r = DVC_RECEIPT_INIT;
	size_t n;
	s.desk = "000.00.99999.H24";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ENOTFOUND);
	ck_assert_str_eq(dvc_error_last()->path, "desk");
	/* a unit that ceased: refused, its successor named */
	s.desk = "001.21.30.H24";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EEXPIRED);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "000.00.11680.H24"));
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "000.00.11728.H24"));
	/* a district procedure the reform gave no new version: refused, successors named */
	s.desk = NULL;
	s.procedure = "1.000748";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EEXPIRED);
	ck_assert_ptr_nonnull(strstr(dvc_error_last()->message, "000.00.11680.H24"));
	s.procedure = "1.001193";
	/* a place outside the city names no competent commune */
	s.desk = NULL;
	s.place = "Quận Ba Đình, Hà Nội";
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_ENOTFOUND);
	ck_ok(dvc_dossier_verify(db, NULL, &n));
	ck_assert_uint_eq(n, 0);
	dvc_close(db);
}
END_TEST

START_TEST(commune_procedure_in_2018_stays_in_the_commune)
{
	static const officer_row officers[] = {
		{"tn.huyen", "Bộ phận một cửa huyện", "000.00.30.H24", DVC_ROLE_RECEPTION},
		{"tn.thuyhuong", "Bộ phận một cửa xã", "001.20.30.H24", DVC_ROLE_RECEPTION},
		{"cv.thuyhuong", "Công chức Tư pháp - Hộ tịch", "001.20.30.H24", DVC_ROLE_SPECIALIST},
		{"ct.thuyhuong", "Chủ tịch UBND xã", "001.20.30.H24", DVC_ROLE_SIGNING_LEADER},
		{NULL}};
	dvc_db *db = shipped_at("2018-07-09T09:00:00+07:00", officers);
	dvc_submission s = birth_submission();
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_tracking *t;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "001.20.30.H24-180709-0001");
	walk(db, r.code, (const step[]){{DVC_ACT_RECEIVE, "tn.huyen", DVC_EPERM},
					{DVC_ACT_RECEIVE, "tn.thuyhuong", DVC_OK},
					{DVC_ACT_FORWARD, "tn.thuyhuong", DVC_OK},
					{DVC_ACT_FORWARD, "cv.thuyhuong", DVC_OK},
					{DVC_ACT_FORWARD, "ct.thuyhuong", DVC_OK},
					{DVC_ACT_RETURN, "tn.thuyhuong", DVC_OK},
					{0}});
	t = tracked(db, r.code, "tn.thuyhuong");
	ck_assert_int_eq(t->state, DVC_STATE_RETURNED);
	ck_assert_str_eq(t->desk, "001.20.30.H24");
	ck_assert_str_eq(t->competent, "001.20.30.H24");
	dvc_tracking_free(t);
	/* the district procedures keep the district desk */
	s.procedure = "2.000815";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "000.00.30.H24-180709-0001");
	dvc_close(db);
}
END_TEST

/* Circular 01/2018 art. 19 dates the code by receipt; an online dossier keeps
 * the code the portal gave it (its day of acceptance), and the desk's receipt
 * is recorded beside it (SOURCES.md, "Dossier code"). */
START_TEST(online_code_keeps_the_submission_day)
{
	dvc_db *db = shipped_2026();
	dvc_submission s = birth_submission();
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_tracking *t;
	clock_now = instant("2026-03-01T20:00:00+07:00"); /* a Sunday evening */
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "000.01.11680.H24-260301-0001");
	clock_now = instant("2026-03-02T08:30:00+07:00");
	ck_ok(act_as(db, r.code, DVC_ACT_RECEIVE, "tn.kienthuy"));
	t = tracked(db, r.code, "tn.kienthuy");
	ck_assert_str_eq(t->code, "000.01.11680.H24-260301-0001");
	ck_assert_int_eq(t->submitted_at, instant("2026-03-01T20:00:00+07:00"));
	ck_assert_int_eq(t->received_at, instant("2026-03-02T08:30:00+07:00"));
	dvc_tracking_free(t);
	/* Monday's first dossier at that centre is numbered for Monday */
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_dossier_submit(db, &s, &r));
	ck_assert_str_eq(r.code, "000.01.11680.H24-260302-0001");
	ck_ok(dvc_dossier_verify(db, NULL, NULL));
	dvc_close(db);
}
END_TEST

/* ---- the reform cutover, on the shipped data ---- */

static const dvc_applicant hanoi_citizen = {
	"Trần Thị Bình", "001190001234", "1990-01-02", "Phố Hàng Bông, quận Hoàn Kiếm, Hà Nội",
	"0912 345 679", NULL};

static dvc_db *june_2025(void)
{
	static const officer_row officers[] = {
		{"tn.huyen", "Bộ phận một cửa huyện", "000.00.30.H24", DVC_ROLE_RECEPTION},
		{"cv.tuphap", "Chuyên viên Phòng Tư pháp", "000.01.30.H24", DVC_ROLE_SPECIALIST},
		{"cv.kienthuy", "Công chức Tư pháp - Hộ tịch", "000.00.11680.H24", DVC_ROLE_SPECIALIST},
		{"ct.kienthuy", "Chủ tịch UBND xã Kiến Thụy", "000.00.11680.H24", DVC_ROLE_SIGNING_LEADER},
		{"tn.kienthuy", "Tiếp Nhận Kiến Thụy", "000.01.11680.H24", DVC_ROLE_RECEPTION},
		{NULL}};
	return shipped_at("2025-06-16T09:00:00+07:00", officers); /* a Monday */
}

static dvc_receipt submit_june(dvc_db *db, const dvc_applicant *who)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT;
	s.procedure = "2.000815";
	s.applicant = who;
	s.form_data = "{\"purpose\":\"Chứng thực bản sao\",\"copies\":1}";
	ck_ok(dvc_dossier_submit(db, &s, &r));
	return r;
}

static int note_action(dvc_db *db, const char *code, dvc_action a, const char *officer, const char *note)
{
	return officer_act(db, code, a, officer, note, 0);
}

START_TEST(cutover_moves_open_dossiers_once)
{
	dvc_db *db = june_2025();
	dvc_receipt working = submit_june(db, &an_nguyen);
	dvc_receipt waiting = submit_june(db, &an_nguyen);
	dvc_receipt done = submit_june(db, &an_nguyen);
	dvc_receipt far = submit_june(db, &hanoi_citizen);
	dvc_cutover_report *rep;
	dvc_tracking *before, *after;
	const dvc_cutover_move *m;
	char *json;
	size_t n;

	ck_assert_str_eq(working.code, "000.00.30.H24-250616-0001");
	ck_ok(act_as(db, working.code, DVC_ACT_RECEIVE, "tn.huyen"));
	ck_ok(act_as(db, working.code, DVC_ACT_FORWARD, "tn.huyen"));
	ck_ok(act_as(db, waiting.code, DVC_ACT_RECEIVE, "tn.huyen"));
	ck_ok(act_as(db, waiting.code, DVC_ACT_FORWARD, "tn.huyen"));
	ck_ok(note_action(db, waiting.code, DVC_ACT_REQUEST_SUPPLEMENT, "cv.tuphap",
			  "Bổ sung bản chính giấy khai sinh"));
	ck_ok(act_as(db, done.code, DVC_ACT_RECEIVE, "tn.huyen"));
	ck_ok(act_as(db, done.code, DVC_ACT_FORWARD, "tn.huyen"));
	ck_ok(note_action(db, done.code, DVC_ACT_REJECT, "cv.tuphap", "Không đủ điều kiện"));
	before = tracked(db, waiting.code, "cv.tuphap");
	ck_assert(before->clock_stopped);

	/* nothing has ceased yet: nothing moves */
	clock_now = instant("2025-06-30T16:00:00+07:00");
	ck_ok(dvc_agency_cutover(db, NULL, &rep));
	ck_assert_uint_eq(dvc_cutover_report_count(rep), 0);
	dvc_cutover_report_free(rep);

	/* 1 July 2025: the district is gone */
	clock_now = instant("2025-07-01T08:00:00+07:00");
	ck_ok(dvc_agency_cutover(db, NULL, &rep));
	ck_assert_uint_eq(dvc_cutover_report_moved(rep), 2);
	ck_assert_uint_eq(dvc_cutover_report_count(rep), 3);
	m = dvc_cutover_report_at(rep, 0);
	ck_assert_str_eq(m->dossier, working.code);
	ck_assert_str_eq(m->to, "000.00.11680.H24");
	ck_assert_str_eq(m->desk, "000.01.11680.H24");
	ck_assert_str_eq(m->act, "Nghị quyết 1669/NQ-UBTVQH15");
	m = dvc_cutover_report_at(rep, 2);
	ck_assert_str_eq(m->dossier, far.code);
	ck_assert_ptr_null(m->to);
	ck_assert_ptr_nonnull(strstr(m->reason, "several successors"));
	ck_ok(dvc_cutover_report_json(rep, &json));
	ck_assert_ptr_nonnull(strstr(json, "\"moved\":2"));
	dvc_free(json);
	dvc_cutover_report_free(rep);

	/* the dossier being worked on: now at the commune, one system entry */
	after = tracked(db, working.code, "cv.kienthuy");
	ck_assert_str_eq(after->unit, "000.00.11680.H24");
	ck_assert_str_eq(after->competent, "000.00.11680.H24");
	ck_assert_str_eq(after->desk, "000.01.11680.H24");
	ck_assert_str_eq(after->code, working.code);
	ck_assert_str_eq(after->history[after->n_history - 1].actor, "system");
	ck_assert_int_eq(after->history[after->n_history - 1].action, DVC_ACT_TRANSFER);
	ck_assert_ptr_nonnull(strstr(after->history[after->n_history - 1].note, "1669/NQ-UBTVQH15"));
	n = after->n_history;
	dvc_tracking_free(after);
	/* the waiting one keeps its appointment and its stopped clock */
	after = tracked(db, waiting.code, "cv.kienthuy");
	ck_assert_int_eq(after->due_at, before->due_at);
	ck_assert(after->clock_stopped);
	ck_assert_int_eq(after->state, DVC_STATE_SUPPLEMENT_REQUESTED);
	ck_assert_str_eq(after->unit, "000.00.11680.H24");
	ck_assert_uint_eq(after->n_history, before->n_history + 1);
	dvc_tracking_free(after);
	dvc_tracking_free(before);
	after = tracked(db, done.code, "tn.huyen");
	ck_assert_str_eq(after->unit, "000.01.30.H24"); /* finished: left where it ended */
	dvc_tracking_free(after);

	/* the commune's officers carry on; the district's cannot */
	walk(db, working.code, (const step[]){{DVC_ACT_FORWARD, "cv.tuphap", DVC_EPERM},
					      {DVC_ACT_FORWARD, "cv.kienthuy", DVC_OK},
					      {DVC_ACT_FORWARD, "ct.kienthuy", DVC_OK},
					      {DVC_ACT_RETURN, "tn.kienthuy", DVC_OK},
					      {0}});
	ck_ok(dvc_dossier_verify(db, NULL, &n));
	ck_assert_uint_eq(n, 4);

	/* again: nothing moves, the unresolved one is still reported */
	ck_ok(dvc_agency_cutover(db, &(dvc_date){2025, 7, 2}, &rep));
	ck_assert_uint_eq(dvc_cutover_report_moved(rep), 0);
	ck_assert_uint_eq(dvc_cutover_report_count(rep), 1);
	dvc_cutover_report_free(rep);
	after = tracked(db, waiting.code, "cv.kienthuy");
	ck_assert_uint_eq(after->n_history, 5); /* submit, receive, forward, supplement, cutover */
	dvc_tracking_free(after);
	ck_dvc(dvc_agency_cutover(db, &(dvc_date){2025, 2, 30}, &rep), DVC_EDATE);
	ck_assert_ptr_null(rep);
	dvc_close(db);
}
END_TEST

/* ---- the catalog in force today: every seed procedure has a fate ----
 * data/catalog/hai-phong-2025-successors.json says, for each of the 38
 * procedures of 2018, what carries it on after 1 July 2025 (with the source)
 * or that nothing could be confirmed. The shipped catalogs must agree with it:
 * a successor marked shipped is in force today, served by every commune
 * committee; one not shipped (a school, a city department) and a seed without
 * a confirmed successor have no 2025 version; every 2025 procedure is some
 * seed's successor. */
static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *load_json(const char *rel)
{
	size_t len;
	char *text = slurp(src_path(rel), &len);
	cJSON *j = cJSON_ParseWithLength(text, len);
	free(text);
	ck_assert_msg(j != NULL, "%s does not parse", rel);
	return j;
}

/* the seed code has no version valid from the reform */
static int has_2025_version(dvc_db *db, const char *code)
{
	dvc_procedure *p;
	int rc = dvc_procedure_get(db, code, &D2026, &p);
	if (rc == DVC_ENOTFOUND)
		return 0;
	ck_ok(rc);
	int r = p->valid_from.year >= 2025;
	dvc_procedure_free(p);
	return r;
}

START_TEST(every_seed_procedure_has_a_fate)
{
	dvc_db *db = shipped();
	cJSON *seeds = load_json("data/catalog/kien-thuy-2018.json");
	cJSON *today = load_json("data/catalog/hai-phong-2025.json");
	cJSON *map = load_json("data/catalog/hai-phong-2025-successors.json");
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(map, "procedures");
	const cJSON *statuses = cJSON_GetObjectItemCaseSensitive(map, "statuses");
	const cJSON *sp, *e;
	size_t n_seeds = 0, shipped_successors = 0;

	ck_assert(cJSON_IsArray(entries) && cJSON_IsObject(statuses));
	cJSON_ArrayForEach(sp, cJSON_GetObjectItemCaseSensitive(seeds, "procedures")) {
		const char *code = jstr(sp, "code");
		const cJSON *found = NULL;
		ck_assert(code != NULL);
		n_seeds++;
		cJSON_ArrayForEach(e, entries) {
			const char *seed = jstr(e, "seed");
			ck_assert(seed != NULL);
			if (strcmp(seed, code) == 0) {
				ck_assert_msg(found == NULL, "%s is mapped twice", code);
				found = e;
			}
		}
		ck_assert_msg(found != NULL, "seed procedure %s has no successor entry", code);
		const char *status = jstr(found, "status");
		ck_assert_msg(status && cJSON_HasObjectItem(statuses, status), "%s: status %s", code,
			      status ? status : "(none)");
		const cJSON *succ = cJSON_GetObjectItemCaseSensitive(found, "successors");
		const cJSON *unc = cJSON_GetObjectItemCaseSensitive(found, "unconfirmed");
		ck_assert(cJSON_IsArray(succ) && cJSON_IsArray(unc));
		/* what is not confirmed is said, never left silent */
		ck_assert_msg(cJSON_GetArraySize(unc) > 0, "%s: nothing marked unconfirmed", code);
		if (strcmp(status, "unconfirmed") == 0 || strcmp(status, "ended") == 0) {
			ck_assert_int_eq(cJSON_GetArraySize(succ), 0);
			const char *why = jstr(found, "source");
			ck_assert_msg(why && *why, "%s: no source", code);
			ck_assert_msg(!has_2025_version(db, code), "%s has a 2025 version but no successor", code);
			continue;
		}
		ck_assert_int_ge(cJSON_GetArraySize(succ), strcmp(status, "split") == 0 ? 2 : 1);
		if (strcmp(status, "same_code") == 0) {
			ck_assert_int_eq(cJSON_GetArraySize(succ), 1);
			ck_assert_str_eq(jstr(cJSON_GetArrayItem(succ, 0), "code"), code);
		}
		const cJSON *s;
		cJSON_ArrayForEach(s, succ) {
			const char *sc = jstr(s, "code"), *src = jstr(s, "source"), *level = jstr(s, "level");
			ck_assert_msg(sc && level && jstr(s, "competent"), "%s: incomplete successor", code);
			ck_assert_msg(src && strncmp(src, "https://dichvucong.gov.vn/", 26) == 0,
				      "%s -> %s: no national page", code, sc);
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "shipped"))) {
				dvc_procedure *p;
				shipped_successors++;
				ck_ok(dvc_procedure_get(db, sc, &D2026, &p));
				ck_assert_int_eq(p->valid_from.year, 2025);
				ck_assert_msg(p->served_level && strcmp(p->served_level, level) == 0 &&
					      p->served_kind && strcmp(p->served_kind, DVC_KIND_COMMITTEE) == 0,
					      "%s -> %s: not served by every %s committee", code, sc, level);
				ck_assert_str_eq(p->name, jstr(s, "name"));
				dvc_procedure_free(p);
			} else {
				ck_assert_str_ne(level, "commune"); /* a commune successor is shipped */
				ck_assert_msg(!has_2025_version(db, sc), "%s is in force but marked not shipped", sc);
			}
		}
		if (strcmp(status, "same_code") != 0)
			ck_assert_msg(!has_2025_version(db, code), "replaced %s still has a 2025 version", code);
	}
	ck_assert_uint_eq(n_seeds, 38);
	ck_assert_int_eq(cJSON_GetArraySize(entries), 38);
	/* and every procedure of the 2025 catalog is a shipped successor */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(today, "procedures")),
			 (int)shipped_successors);
	cJSON_Delete(seeds);
	cJSON_Delete(today);
	cJSON_Delete(map);
	dvc_close(db);
}
END_TEST

/* A commune procedure that the reform gave a new code: served by every
 * commune, it goes to the applicant's commune today; the old code does not. */
START_TEST(new_code_served_by_every_commune)
{
	dvc_db *db = shipped();
	char competent[65] = "";
	ck_ok(dvc_agency_competent(db, "1.013792", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", D2026, competent));
	ck_assert_str_eq(competent, "000.00.11680.H24");
	ck_dvc(dvc_agency_competent(db, "2.001885", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", D2026, competent),
	       DVC_EEXPIRED);
	/* before the reform the new code did not exist */
	ck_dvc(dvc_procedure_get(db, "1.013792", &D2024, &(dvc_procedure *){NULL}), DVC_ENOTFOUND);
	dvc_close(db);
}
END_TEST

int main(void)
{
	const TTest *const map_tests[] = {
		in_force_on_a_date, links_both_ways, successors_resolve, competent_by_place, desks,
		links_validated_on_import, NULL};
	const TTest *const catalog_today_tests[] = {
		every_seed_procedure_has_a_fate, new_code_served_by_every_commune, NULL};
	const TTest *const lodging_tests[] = {
		commune_procedure_at_its_own_centre, lodged_outside_ones_commune,
		desk_refusals_change_nothing, commune_procedure_in_2018_stays_in_the_commune,
		online_code_keeps_the_submission_day, NULL};
	const TTest *const cutover_tests[] = {cutover_moves_open_dossiers_once, NULL};
	const test_case cases[] = {
		{"map", .tests = map_tests},
		{"catalog_today", .tests = catalog_today_tests},
		{"lodging", .tests = lodging_tests},
		{"cutover", .tests = cutover_tests},
		{NULL}};
	return run_cases("agency", cases);
}
