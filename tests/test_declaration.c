/* The official declarations (tờ khai) of the two commune procedures as
 * e-forms (Circular 04/2020/TT-BTP's forms, data/catalog/hai-phong-2025.json):
 * birth registration 1.001193 and marriage registration 1.000894. The
 * library refuses a declaration that breaks the form's rules, stores
 * nothing then, and prints what was declared on the receipt slip. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* the applicant lives in xã Kiến Hưng: its Public Administration Service
 * Centre receives (Decree 118/2025/NĐ-CP; data/catalog/hai-phong-2025.json) */
#define DESK "000.01.11728.H24"

static dvc_db *db;

static const dvc_applicant an = {"Nguyễn Văn An", "031099001234", "1999-05-12",
				 "Thôn 3, xã Kiến Hưng, thành phố Hải Phòng", "0912345678", NULL};

#define BIRTH_HEAD                                                                                      \
	"\"kinh_gui\":\"Ủy ban nhân dân xã Kiến Hưng\",\"nguoi_yeu_cau_ho_ten\":\"Nguyễn Văn An\","    \
	"\"nguoi_yeu_cau_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\","                 \
	"\"nguoi_yeu_cau_giay_to_tuy_than\":\"Căn cước số 031099001234, Bộ Công an cấp ngày "         \
	"10/01/2022\",\"quan_he\":\"Cha\",\"ho_ten\":\"Nguyễn Minh Khôi\","                             \
	"\"ngay_sinh_bang_chu\":\"Ngày một tháng một năm hai nghìn không trăm hai mươi sáu\","         \
	"\"dan_toc\":\"Kinh\",\"quoc_tich\":\"Việt Nam\",\"noi_sinh\":\"Bệnh viện Phụ sản Hải Phòng\"," \
	"\"que_quan\":\"xã Kiến Hưng, thành phố Hải Phòng\",\"me_ho_ten\":\"Trần Thị Bình\","          \
	"\"me_dan_toc\":\"Kinh\",\"me_quoc_tich\":\"Việt Nam\","                                      \
	"\"me_noi_cu_tru\":\"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng\""

static void setup(void)
{
	db = mem_db();
	clock_now = instant("2026-01-05T09:00:00+07:00");
	dvc_set_clock(db, test_clock, NULL);
	ck_ok(dvc_catalog_import_file(db, src_path("data/catalog/kien-thuy-2018.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_catalog_import_file(db, src_path("data/catalog/hai-phong-2025.json"), DVC_FORMAT_AUTO, NULL));
	ck_ok(dvc_officer_add(db, "tu.phap", "Lê Tư Pháp", DESK, DVC_ROLE_RECEPTION));
}

static void teardown(void) { dvc_close(db); }

static int submit(const char *proc, const char *form, dvc_receipt *r)
{
	dvc_submission s = DVC_SUBMISSION_INIT;
	s.procedure = proc;
	s.applicant = &an;
	s.form_data = form;
	return dvc_dossier_submit(db, &s, r);
}

static void refused(const char *proc, const char *form, const char *path)
{
	dvc_receipt r = DVC_RECEIPT_INIT;
	ck_dvc(submit(proc, form, &r), DVC_ESCHEMA);
	ck_assert_ptr_nonnull(dvc_error_last()->path);
	ck_assert_msg(strcmp(dvc_error_last()->path, path) == 0, "path %s, want %s (%s)",
		      dvc_error_last()->path, path, dvc_error_last()->message);
}

START_TEST(birth_declaration_validated_and_printed_on_the_receipt)
{
	dvc_receipt r = DVC_RECEIPT_INIT;
	dvc_action_req q = DVC_ACTION_INIT;
	char *html, *xml;

	/* the form's rules, each refused with the field named */
	refused("1.001193", "{}", "form_data.dan_toc");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\"}", "form_data.gioi_tinh");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Khác\"}",
		"form_data.gioi_tinh");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2025-02-30\",\"gioi_tinh\":\"Nam\"}",
		"form_data.ngay_sinh");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\","
			    "\"me_nam_sinh\":\"1990\"}", "form_data.me_nam_sinh");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\","
			    "\"so_ban_sao\":21}", "form_data.so_ban_sao");
	refused("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\","
			    "\"ghi_chu\":\"x\"}", "form_data.ghi_chu");
	/* a valid one: the first dossier of the day, nothing was stored before */
	ck_ok(submit("1.001193", "{" BIRTH_HEAD ",\"ngay_sinh\":\"2026-01-01\",\"gioi_tinh\":\"Nam\","
				 "\"me_nam_sinh\":1990,\"so_ban_sao\":2}", &r));
	ck_assert_str_eq(r.code, DESK "-260105-0001");

	q.action = DVC_ACT_RECEIVE;
	q.actor = (dvc_actor){DVC_ACTOR_OFFICER, "tu.phap", NULL};
	ck_ok(dvc_dossier_act(db, r.code, &q, NULL));
	ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_HTML, &html, NULL));
	ck_assert_ptr_nonnull(strstr(html, "Nội dung tờ khai"));
	ck_assert_ptr_nonnull(strstr(html, "<td>Họ, chữ đệm, tên người mẹ</td><td>Trần Thị Bình</td>"));
	ck_assert_ptr_nonnull(strstr(html, "<td>Năm sinh (người mẹ)</td><td>1990</td>"));
	ck_assert_ptr_null(strstr(html, "người cha</td>")); /* left out, not printed */
	dvc_free(html);
	ck_ok(dvc_slip_render(db, r.code, DVC_SLIP_RECEIPT, DVC_SLIP_XML, &xml, NULL));
	ck_assert_ptr_nonnull(strstr(xml, "<field name=\"gioi_tinh\" title=\"Giới tính\">Nam</field>"));
	ck_assert_ptr_nonnull(strstr(xml, "<field name=\"ngay_sinh\" title=\"Ngày, tháng, năm sinh\">2026-01-01</field>"));
	dvc_free(xml);
}
END_TEST

#define SIDE(k, name, born)                                                                     \
	"\"" k "_ho_ten\":\"" name "\",\"" k "_ngay_sinh\":\"" born "\",\"" k "_dan_toc\":\"Kinh\"," \
	"\"" k "_quoc_tich\":\"Việt Nam\",\"" k "_noi_cu_tru\":\"xã Kiến Hưng, Hải Phòng\","        \
	"\"" k "_giay_to_tuy_than\":\"Căn cước số 031099001234\""

START_TEST(marriage_declaration_both_sides)
{
	dvc_receipt r = DVC_RECEIPT_INIT;
	const char *nu = SIDE("nu", "Trần Thị Bình", "1990-03-15");
	char form[2048];
	snprintf(form, sizeof form, "{\"kinh_gui\":\"Ủy ban nhân dân xã Kiến Hưng\",%s}", nu);
	refused("1.000894", form, "form_data.nam_dan_toc");
	snprintf(form, sizeof form, "{\"kinh_gui\":\"UBND xã Kiến Hưng\",%s,%s,\"nam_lan_ket_hon\":0}", nu,
		 SIDE("nam", "Nguyễn Văn An", "1999-05-12"));
	refused("1.000894", form, "form_data.nam_lan_ket_hon");
	snprintf(form, sizeof form, "{\"kinh_gui\":\"UBND xã Kiến Hưng\",%s,%s,\"nu_lan_ket_hon\":1}", nu,
		 SIDE("nam", "Nguyễn Văn An", "1999-13-12"));
	refused("1.000894", form, "form_data.nam_ngay_sinh");
	snprintf(form, sizeof form, "{\"kinh_gui\":\"UBND xã Kiến Hưng\",%s,%s,\"nu_lan_ket_hon\":1}", nu,
		 SIDE("nam", "Nguyễn Văn An", "1999-05-12"));
	ck_ok(submit("1.000894", form, &r));
	ck_assert_str_eq(r.code, DESK "-260105-0001");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {birth_declaration_validated_and_printed_on_the_receipt,
					     marriage_declaration_both_sides, NULL};
	return run_tests("declaration", setup, teardown, 0, tests);
}
