/* UTF-8 validation, Vietnamese-aware NFC composition and search folding. */
#ifndef DVC_TEXT_H
#define DVC_TEXT_H

#include "internal.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF). NUL bytes are rejected too: our strings are C strings. */
bool dvc__utf8_valid(const char *s, size_t n);

/* Offset of the first byte that breaks UTF-8 validity, or n when all is valid. */
size_t dvc__utf8_check(const char *s, size_t n);

/* Check a text field: DVC_EINVAL when empty or NULL and required (DVC_OK
 * when not), DVC_ETOOBIG past max bytes, DVC_EUTF8 when not valid UTF-8;
 * the error names `field`. */
int dvc__check_text(const char *s, const char *field, size_t max, bool required);

/* Append the NFC form of valid UTF-8 `s` to `out`. Composition covers the Latin
 * letters with diacritics (all of Vietnamese); other text is copied unchanged. */
void dvc__nfc(const char *s, size_t n, dvc_buf *out);

/* Append the search key of valid UTF-8 `s`: lower case, diacritics removed
 * (NFC or NFD input alike), đ/Đ -> d, every run of non-alphanumerics -> one space. */
void dvc__fold(const char *s, size_t n, dvc_buf *out);

/* Append `s` without diacritics, keeping case and everything else
 * ("Đăng ký" -> "Dang ky"): the unaccented fallback of SMS texts. */
void dvc__unaccent(const char *s, size_t n, dvc_buf *out);

#endif
