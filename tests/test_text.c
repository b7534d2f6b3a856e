/* Internal text module: UTF-8 validation, NFC composition, search folding. */
#include "testutil.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* What the text function `f` makes of `s`, in `out` (512 bytes). */
static char *apply(void (*f)(const char *, size_t, dvc_buf *), const char *s, char *out)
{
	dvc_buf b = DVC_BUF_INIT;
	f(s, strlen(s), &b);
	ck_assert(!b.oom);
	snprintf(out, 512, "%s", b.ptr ? b.ptr : "");
	dvc_buf_free(&b);
	return out;
}

static char *fold(const char *s)
{
	static char out[512];
	return apply(dvc__fold, s, out);
}

static char *nfc(const char *s)
{
	static char out[512];
	return apply(dvc__nfc, s, out);
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

static size_t width(const char *s)
{
	size_t w = 999;
	ck_assert_int_eq(dvc_text_width(s, strlen(s), &w), DVC_OK);
	return w;
}

START_TEST(text_width_counts_columns_not_bytes)
{
	size_t w = 7;
	ck_assert_uint_eq(width(""), 0);
	ck_assert_uint_eq(width("Tu phap"), 7);
	/* precomposed: 11 characters, 14 bytes */
	ck_assert_uint_eq(strlen("Công Thương"), 14);
	ck_assert_uint_eq(width("Công Thương"), 11);
	ck_assert_uint_eq(width("Lao động - Thương binh và Xã hội"), 32);
	ck_assert_uint_eq(width("Nguyễn Thị Ánh Tuyết"), 20);
	/* decomposed (NFD): the marks take no column */
	ck_assert_uint_eq(width("Nguye\xcc\x82\xcc\x83n"), 6);
	ck_assert_uint_eq(width("\xc4\x90" "a\xcc\x86ng ky\xcc\x81"), 7);
	/* wide ideographs take two, a zero-width space none */
	ck_assert_uint_eq(width("日本"), 4);
	ck_assert_uint_eq(width("a\xe2\x80\x8b" "b"), 2);
	/* invalid UTF-8 is refused and the out value left alone */
	ck_assert_int_eq(dvc_text_width("C\xf4ng", 4, &w), DVC_EUTF8);
	ck_assert_int_eq(dvc_error_last()->code, DVC_EUTF8);
	ck_assert_int_eq(dvc_text_width("\xe1\xbb", 2, &w), DVC_EUTF8);
	ck_assert_uint_eq(w, 7);
	ck_assert_int_eq(dvc_text_width(NULL, 3, &w), DVC_EINVAL);
	ck_assert_int_eq(dvc_text_width("abc", 3, NULL), DVC_EINVAL);
	/* n counts bytes: a prefix is measured, not the whole string */
	ck_assert_int_eq(dvc_text_width("Công Thương", 4, &w), DVC_OK);
	ck_assert_uint_eq(w, 3);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		utf8_validation_rejects_malformed_sequences,
		fold_removes_case_and_diacritics_including_d_stroke,
		nfc_composes_decomposed_vietnamese, text_width_counts_columns_not_bytes, NULL};
	return run_tests("text", NULL, NULL, 0, tests);
}
