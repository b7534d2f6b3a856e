/* National identities: userinfo claims are read strictly (every bad claim
 * named, nothing stored), a link is explicit and audited, contradicting
 * claims are reported and never merged, verified fields fill and guard
 * submissions, and a dossier records a national sign-in. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISS "https://xacthuc.example.vn"
#define P3 "T.000003"

static dvc_db *db;

static const dvc_applicant an = {
	"Nguyễn Văn An", "031099001234", "1999-05-12", "Thôn 3, xã Thụy Hương", "0912345678", NULL};

#define CLAIMS_OK \
	"{\"sub\":\"vneid-7f3a\",\"TechID\":\"T-0001\",\"LoaiTaiKhoan\":\"1\"," \
	"\"HoVaTen\":\"NGUYỄN VĂN AN\",\"SoDinhDanh\":\"031099001234\"," \
	"\"NgayThangNamSinh\":\"19990512\",\"loginIdp\":\"VNeID\",\"ThuDienTu\":\"an@example.vn\"}"

static dvc_claims_opts opts(int assurance)
{
	dvc_claims_opts o = DVC_CLAIMS_OPTS_INIT;
	o.issuer = ISS;
	o.assurance = assurance;
	return o;
}

static void setup(void)
{
	ck_ok(dvc_open(&db, fresh_store(), NULL));
	dvc_set_clock(db, test_clock, NULL);
	clock_now = instant("2026-03-02T09:00:00+07:00");
	ck_ok(dvc_catalog_import_file(db, src_path("tests/data/dossier_catalog.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_account_register(db, "an.nv", "mat-khau-dai", &an));
}

static void teardown(void) { dvc_close(db); }

/* Audit entries of an.nv (nothing may be written by a refusal). */
static size_t audit_len(void)
{
	char *json = NULL;
	size_t n = 0;
	ck_ok(dvc_identity_json(db, "an.nv", &json));
	for (const char *p = json; (p = strstr(p, "\"event\":")); p++)
		n++;
	dvc_free(json);
	return n;
}

START_TEST(claims_link_and_mark_verified)
{
	dvc_claims_opts o = opts(2);
	dvc_national_identity *id;
	char *json;
	ck_ok(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"));
	ck_ok(dvc_identity_get(db, "an.nv", &id));
	ck_assert_str_eq(id->subject, "vneid-7f3a");
	ck_assert_str_eq(id->personal_id, "031099001234");
	ck_assert_str_eq(id->birth_date, "1999-05-12");
	ck_assert_str_eq(id->issuer, ISS);
	ck_assert_int_eq(id->assurance, 2);
	ck_assert_int_eq(id->verified_at, clock_now);
	ck_assert_str_eq(id->login_idp, "VNeID");
	ck_assert_str_eq(id->username, "an.nv");
	ck_assert_uint_eq(id->verified_fields,
			  DVC_VERIFIED_FULL_NAME | DVC_VERIFIED_CITIZEN_ID | DVC_VERIFIED_BIRTH_DATE);
	dvc_identity_free(id);
	/* who signs in with it */
	ck_ok(dvc_identity_find(db, ISS, "vneid-7f3a", &id));
	ck_assert_str_eq(id->username, "an.nv");
	dvc_identity_free(id);
	ck_dvc(dvc_identity_find(db, "https://other.example.vn", "vneid-7f3a", &id), DVC_ENOTFOUND);
	ck_ok(dvc_identity_json(db, "an.nv", &json));
	ck_assert_ptr_nonnull(strstr(json, "\"full_name\":{\"value\":\"Nguyễn Văn An\",\"verified\":true}"));
	ck_assert_ptr_nonnull(strstr(json, "\"address\":{\"value\":\"Thôn 3, xã Thụy Hương\",\"verified\":false}"));
	ck_assert_ptr_nonnull(strstr(json, "\"event\":\"link\""));
	dvc_free(json);
	/* the same subject again refreshes (audited), never duplicates */
	clock_now += 3600;
	o = opts(1);
	ck_ok(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"));
	ck_ok(dvc_identity_get(db, "an.nv", &id));
	ck_assert_int_eq(id->assurance, 1);
	ck_assert_int_eq(id->linked_at, clock_now - 3600);
	dvc_identity_free(id);
	ck_assert_uint_eq(audit_len(), 2);
}
END_TEST

struct bad_claim {
	const char *json;
	int code;
	const char *path;
};

START_TEST(bad_claims_named_and_nothing_stored)
{
	static const struct bad_claim bad[] = {
		{"[]", DVC_ESCHEMA, NULL},
		{"{\"sub\":\"x\"", DVC_EPARSE, NULL},
		{"{\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "sub"},
		{"{\"sub\":\"\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "sub"},
		{"{\"sub\":7,\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_ESCHEMA, "sub"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"03109900123\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "SoDinhDanh"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"03109900123x\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "SoDinhDanh"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":31099001234,\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_ESCHEMA, "SoDinhDanh"},
		/* province 099 does not exist */
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"099099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "SoDinhDanh"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "HoVaTen"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"1999-05-12\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "NgayThangNamSinh"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990230\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "NgayThangNamSinh"},
		/* the ID says born in 1999 */
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19980512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EINVAL, "NgayThangNamSinh"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\"}", DVC_EINVAL, "LoaiTaiKhoan"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"4\"}", DVC_EINVAL, "LoaiTaiKhoan"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":2}", DVC_EINVAL, "LoaiTaiKhoan"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":true}", DVC_ESCHEMA, "LoaiTaiKhoan"},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"A\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\",\"loginIdp\":[]}", DVC_ESCHEMA, "loginIdp"},
		/* a lone surrogate and invalid UTF-8 never reach the store */
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"\\ud800\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EPARSE, NULL},
		{"{\"sub\":\"s\",\"SoDinhDanh\":\"031099001234\",\"HoVaTen\":\"\xff\",\"NgayThangNamSinh\":\"19990512\",\"LoaiTaiKhoan\":\"1\"}", DVC_EUTF8, NULL},
		{"{\"sub\":\"s\"} trailing", DVC_EPARSE, NULL},
	};
	dvc_claims_opts o = opts(2);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = dvc_identity_link_claims(db, "an.nv", bad[i].json, strlen(bad[i].json), &o, "account:an.nv");
		ck_assert_msg(rc == bad[i].code, "claims %zu: %s (%s), want %s", i, dvc_status_name(rc),
			      dvc_error_last()->message, dvc_status_name(bad[i].code));
		if (bad[i].path)
			ck_assert_msg(dvc_error_last()->path && strcmp(dvc_error_last()->path, bad[i].path) == 0,
				      "claims %zu: path %s, want %s", i, dvc_error_last()->path, bad[i].path);
	}
	/* options: an assurance level Decree 69/2024 does not have, no issuer */
	o = opts(3);
	ck_dvc(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "assurance");
	o = opts(0);
	ck_dvc(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"), DVC_EINVAL);
	o = opts(2);
	o.issuer = NULL;
	ck_dvc(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"), DVC_EINVAL);
	/* an oversized document */
	{
		size_t n = DVC_NATIONAL_CLAIMS_MAX + 10;
		char *big = malloc(n + 1);
		memset(big, ' ', n);
		memcpy(big, "{\"sub\":\"", 8);
		big[n - 2] = '"';
		big[n - 1] = '}';
		big[n] = '\0';
		o = opts(2);
		ck_dvc(dvc_identity_link_claims(db, "an.nv", big, n, &o, "account:an.nv"), DVC_ETOOBIG);
		free(big);
	}
	dvc_national_identity *id;
	ck_dvc(dvc_identity_get(db, "an.nv", &id), DVC_ENOTFOUND);
	ck_assert_uint_eq(audit_len(), 0);
}
END_TEST

START_TEST(contradicting_claims_reported_never_merged)
{
	static const char name_differs[] =
		"{\"sub\":\"s1\",\"LoaiTaiKhoan\":\"1\",\"HoVaTen\":\"Nguyễn Văn Anh\","
		"\"SoDinhDanh\":\"031099001234\",\"NgayThangNamSinh\":\"19990512\"}";
	static const char two_differ[] =
		"{\"sub\":\"s1\",\"LoaiTaiKhoan\":1,\"HoVaTen\":\"Nguyen Van An\","
		"\"SoDinhDanh\":\"031099001234\",\"NgayThangNamSinh\":\"19990513\"}";
	static const char other_person[] =
		"{\"sub\":\"s2\",\"LoaiTaiKhoan\":\"1\",\"HoVaTen\":\"Nguyễn Văn An\","
		"\"SoDinhDanh\":\"031099009999\",\"NgayThangNamSinh\":\"19990512\"}";
	dvc_claims_opts o = opts(2);
	dvc_national_identity *id;
	ck_dvc(dvc_identity_link_claims(db, "an.nv", name_differs, strlen(name_differs), &o, "account:an.nv"),
	       DVC_EMISMATCH);
	ck_assert_str_eq(dvc_error_last()->path, "full_name");
	/* unaccented is another name, not a spelling of it */
	ck_dvc(dvc_identity_link_claims(db, "an.nv", two_differ, strlen(two_differ), &o, "account:an.nv"),
	       DVC_EMISMATCH);
	ck_assert_str_eq(dvc_error_last()->path, "full_name,birth_date");
	ck_dvc(dvc_identity_link_claims(db, "an.nv", other_person, strlen(other_person), &o, "account:an.nv"),
	       DVC_EMISMATCH);
	ck_assert_str_eq(dvc_error_last()->path, "citizen_id");
	ck_dvc(dvc_identity_get(db, "an.nv", &id), DVC_ENOTFOUND);
	ck_assert_uint_eq(audit_len(), 0);
	/* linked once, the subject belongs to one account; unlink is audited */
	ck_ok(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"));
	dvc_applicant binh = {"Trần Thị Bình", "031190005678", "1990-01-02", "Thôn 1", "0912000111", NULL};
	ck_ok(dvc_account_register(db, "binh.tt", "mat-khau-dai", &binh));
	ck_dvc(dvc_identity_link_claims(db, "binh.tt", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:binh.tt"),
	       DVC_EEXISTS);
	ck_dvc(dvc_identity_unlink(db, "an.nv", "officer:hoa.lt", NULL), DVC_EINVAL);
	ck_ok(dvc_identity_unlink(db, "an.nv", "officer:hoa.lt", "Công dân yêu cầu"));
	ck_dvc(dvc_identity_unlink(db, "an.nv", "officer:hoa.lt", "lần hai"), DVC_ENOTFOUND);
	ck_dvc(dvc_identity_get(db, "an.nv", &id), DVC_ENOTFOUND);
	ck_assert_uint_eq(audit_len(), 2);
	char *json;
	ck_ok(dvc_identity_json(db, "an.nv", &json));
	ck_assert_ptr_nonnull(strstr(json, "\"event\":\"unlink\",\"actor\":\"officer:hoa.lt\""));
	ck_assert_ptr_nonnull(strstr(json, "\"detail\":\"Công dân yêu cầu\""));
	ck_assert_ptr_nonnull(strstr(json, "\"full_name\":{\"value\":\"Nguyễn Văn An\",\"verified\":false}"));
	dvc_free(json);
	ck_dvc(dvc_identity_link_claims(db, "nobody", CLAIMS_OK, strlen(CLAIMS_OK), &o, "x"), DVC_ENOTFOUND);
}
END_TEST

START_TEST(verified_fields_fill_and_guard_submissions)
{
	dvc_claims_opts o = opts(2);
	dvc_submission s = DVC_SUBMISSION_INIT;
	dvc_receipt r = DVC_RECEIPT_INIT, r2 = DVC_RECEIPT_INIT;
	dvc_applicant typed = {NULL, NULL, NULL, "Số 5, phố Lạch Tray", NULL, NULL};
	dvc_tracking *t;
	int assurance = -1;
	s.procedure = P3;
	s.account = "an.nv";
	s.form_data = "{\"purpose\":\"Thống kê\",\"copies\":1}";
	/* not linked: a national sign-in is refused, nothing is numbered */
	s.national_signin = 1;
	ck_dvc(dvc_dossier_submit(db, &s, &r), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "national_signin");
	ck_ok(dvc_identity_link_claims(db, "an.nv", CLAIMS_OK, strlen(CLAIMS_OK), &o, "account:an.nv"));
	/* the verified fields fill what the applicant left empty */
	s.applicant = &typed;
	ck_ok(dvc_dossier_submit(db, &s, &r));
	dvc_actor me = {DVC_ACTOR_ACCOUNT, "an.nv", NULL};
	ck_ok(dvc_dossier_track(db, r.code, &me, &t));
	ck_assert_str_eq(t->applicant.full_name, "Nguyễn Văn An");
	ck_assert_str_eq(t->applicant.citizen_id, "031099001234");
	ck_assert_str_eq(t->applicant.address, "Số 5, phố Lạch Tray");
	dvc_tracking_free(t);
	ck_ok(dvc_dossier_national_signin(db, r.code, &assurance));
	ck_assert_int_eq(assurance, 2);
	/* the view says so to the applicant and officers, not to the anonymous */
	{
		dvc_actor anon = {DVC_ACTOR_ANONYMOUS, NULL, NULL};
		char *text = NULL;
		ck_ok(dvc_dossier_view_json(db, r.code, &me, NULL, &text));
		ck_assert_msg(strstr(text, "\"national_signin\":2"), "%s", text);
		dvc_free(text);
		ck_dvc(dvc_dossier_view_json(db, r.code, &anon, NULL, &text), DVC_EAUTH);
	}
	/* a typed value contradicting a verified one is refused and named */
	typed.full_name = "Nguyễn Văn Ân";
	typed.birth_date = "1999-05-13";
	ck_dvc(dvc_dossier_submit(db, &s, &r2), DVC_EMISMATCH);
	ck_assert_str_eq(dvc_error_last()->path, "full_name,birth_date");
	/* same name in capitals is the same name */
	typed.full_name = "NGUYỄN VĂN AN";
	typed.birth_date = NULL;
	s.national_signin = 0;
	ck_ok(dvc_dossier_submit(db, &s, &r2));
	ck_ok(dvc_dossier_national_signin(db, r2.code, &assurance));
	ck_assert_int_eq(assurance, 0);
	{
		char *text = NULL;
		ck_ok(dvc_dossier_view_json(db, r2.code, &me, NULL, &text));
		ck_assert_msg(strstr(text, "\"national_signin\":0"), "%s", text);
		dvc_free(text);
	}
	/* without an account a national sign-in means nothing */
	s.account = NULL;
	s.applicant = &an;
	s.national_signin = 1;
	ck_dvc(dvc_dossier_submit(db, &s, &r2), DVC_EINVAL);
	ck_dvc(dvc_dossier_national_signin(db, "000.00.30.H24-260302-9999", &assurance), DVC_ENOTFOUND);
}
END_TEST

START_TEST(direct_link_checks)
{
	dvc_national_identity id = DVC_NATIONAL_IDENTITY_INIT;
	dvc_national_identity *got;
	id.issuer = ISS;
	id.subject = "s-direct";
	id.personal_id = "031099001234";
	id.assurance = 1;
	id.account_type = 2;
	ck_dvc(dvc_identity_link(db, "an.nv", &id, "admin"), DVC_EINVAL);
	ck_assert_str_eq(dvc_error_last()->path, "account_type");
	id.account_type = 1;
	id.version = 99;
	ck_dvc(dvc_identity_link(db, "an.nv", &id, "admin"), DVC_EINVAL);
	id.version = DVC_NATIONAL_IDENTITY_VERSION;
	ck_dvc(dvc_identity_link(db, "an.nv", &id, NULL), DVC_EINVAL);
	/* only the personal ID vouched for: only it is verified */
	ck_ok(dvc_identity_link(db, "an.nv", &id, "admin"));
	ck_ok(dvc_identity_get(db, "an.nv", &got));
	ck_assert_uint_eq(got->verified_fields, DVC_VERIFIED_CITIZEN_ID);
	ck_assert_ptr_null(got->full_name);
	dvc_identity_free(got);
	/* another subject for a linked account: unlink first */
	id.subject = "s-other";
	ck_dvc(dvc_identity_link(db, "an.nv", &id, "admin"), DVC_EEXISTS);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		claims_link_and_mark_verified, bad_claims_named_and_nothing_stored,
		contradicting_claims_reported_never_merged, verified_fields_fill_and_guard_submissions,
		direct_link_checks, NULL};
	return run_tests("identity", setup, teardown, 0, tests);
}
