/* Internal text module: UTF-8 validation, NFC composition, search folding. */
#include "testutil.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

static char *fold(const char *s)
{
	static char out[512];
	dvc_buf b = DVC_BUF_INIT;
	dvc__fold(s, strlen(s), &b);
	ck_assert(!b.oom);
	snprintf(out, sizeof out, "%s", b.ptr ? b.ptr : "");
	dvc_buf_free(&b);
	return out;
}

static char *nfc(const char *s)
{
	static char out[512];
	dvc_buf b = DVC_BUF_INIT;
	dvc__nfc(s, strlen(s), &b);
	ck_assert(!b.oom);
	snprintf(out, sizeof out, "%s", b.ptr ? b.ptr : "");
	dvc_buf_free(&b);
	return out;
}

START_TEST(utf8_validation_rejects_malformed_sequences)
{
	ck_assert(dvc__utf8_valid("Đăng ký", strlen("Đăng ký")));
	ck_assert(dvc__utf8_valid("", 0));
	ck_assert(!dvc__utf8_valid("\xC3", 1));             /* truncated */
	ck_assert(!dvc__utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
	ck_assert(!dvc__utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
	ck_assert(!dvc__utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
	ck_assert(!dvc__utf8_valid("\xFF", 1));
	ck_assert(!dvc__utf8_valid("a\0b", 3));             /* embedded NUL */
	ck_assert_uint_eq(dvc__utf8_check("ab\xFF", 3), 2);
}
END_TEST

START_TEST(fold_removes_case_and_diacritics_including_d_stroke)
{
	const char *want = "dang ky khai sinh";
	ck_assert_str_eq(fold("Đăng ký khai sinh"), want);
	ck_assert_str_eq(fold("ĐĂNG KÝ KHAI SINH"), want);
	ck_assert_str_eq(fold("\xc4\x90" "a\xcc\x86ng ky\xcc\x81 khai sinh"), want); /* NFD */
	ck_assert_str_eq(fold("  dang   ky, khai-sinh! "), want);
	ck_assert_str_eq(fold("Nguyễn Thị Ánh Tuyết"), "nguyen thi anh tuyet");
	ck_assert_str_eq(fold("Ươn ướt ỷ ỵ"), "uon uot y y");
	ck_assert_str_eq(fold("1.001193"), "1 001193");
}
END_TEST

START_TEST(nfc_composes_decomposed_vietnamese)
{
	ck_assert_str_eq(nfc("\xc4\x90" "a\xcc\x86ng ky\xcc\x81"), "Đăng ký");
	/* two marks per letter, in canonical and in non-canonical order */
	ck_assert_str_eq(nfc("Nguye\xcc\x82\xcc\x83n"), "Nguyễn");
	ck_assert_str_eq(nfc("Ho\xcc\xa3\xcc\x82"), "Hộ");
	ck_assert_str_eq(nfc("Ho\xcc\x82\xcc\xa3"), "Hộ");
	ck_assert_str_eq(nfc("nu\xcc\x9bo\xcc\x9b\xcc\x81" "c"), "nước");
	/* already NFC and non-Latin text pass through */
	ck_assert_str_eq(nfc("Tết Nguyên đán"), "Tết Nguyên đán");
	ck_assert_str_eq(nfc("日本"), "日本");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, utf8_validation_rejects_malformed_sequences);
	tcase_add_test(tc, fold_removes_case_and_diacritics_including_d_stroke);
	tcase_add_test(tc, nfc_composes_decomposed_vietnamese);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
