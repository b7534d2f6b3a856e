/* UTF-8 handling for Vietnamese text. Tables in text_tables.h are generated
 * from the Unicode database so that no ICU dependency is needed for the small
 * slice of Unicode that Vietnamese uses. */
#include "text.h"
#include "dvc/payment.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text_tables.h"

/* Decode one code point at s[*i]; the input is already known valid. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
	uint32_t c = s[*i];
	int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (len > 1) {
		c &= 0x3F >> (len - 1);
		for (int k = 1; k < len; k++)
			c = (c << 6) | (s[*i + (size_t)k] & 0x3F);
	}
	*i += (size_t)len;
	return c;
}

static void put_cp(dvc_buf *b, uint32_t c)
{
	char t[4];
	size_t n;
	if (c < 0x80) {
		t[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		t[0] = (char)(0xC0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		t[0] = (char)(0xE0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (c >> 18));
		t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	dvc_buf_put(b, t, n);
}

/* Zero-width: combining marks, and format characters that draw nothing. */
static bool zero_width(uint32_t c)
{
	return (c >= 0x300 && c <= 0x36F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF || c == 0xAD || (c >= 0xFE00 && c <= 0xFE0F) ||
	       c < 0x20 || (c >= 0x7F && c < 0xA0);
}

/* East Asian Wide and Fullwidth blocks (Unicode UAX #11), two columns. */
static bool wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
	       (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	       (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

int dvc_text_width(const char *str, size_t n, size_t *width)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, w = 0;
	if ((!str && n) || !width)
		return dvc__err(DVC_EINVAL, NULL, "dvc_text_width needs text and an out pointer");
	if (!dvc__utf8_valid(str, n))
		return dvc__err(DVC_EUTF8, NULL, "invalid UTF-8 at byte %zu", dvc__utf8_check(str, n));
	while (i < n) {
		uint32_t c = next_cp(s, &i);
		w += zero_width(c) ? 0 : wide(c) ? 2 : 1;
	}
	*width = w;
	return DVC_OK;
}

bool dvc__utf8_valid(const char *str, size_t n)
{
	return dvc__utf8_check(str, n) == n;
}

size_t dvc__utf8_check(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		int len;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2; cp = c & 0x1F; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3; cp = c & 0x0F; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return i;
		}
		if (n - i < (size_t)len)
			return i;
		for (int k = 1; k < len; k++) {
			if ((s[i + (size_t)k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + (size_t)k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += (size_t)len;
	}
	return n;
}

int dvc__check_text(const char *s, const char *field, size_t max, bool required)
{
	size_t n;
	if (!s || !*s)
		return required ? dvc__err(DVC_EINVAL, field, "%s is required", field) : DVC_OK;
	n = strlen(s);
	if (n > max)
		return dvc__err(DVC_ETOOBIG, field, "%s is longer than %zu bytes", field, max);
	if (!dvc__utf8_valid(s, n))
		return dvc__err(DVC_EUTF8, field, "%s is not valid UTF-8", field);
	return DVC_OK;
}

static bool is_mark(uint32_t c) { return c >= 0x300 && c <= 0x36F; }

/* Canonical combining classes of U+0300..U+036F (from the Unicode database):
 * 230 "above" unless listed. */
static int ccc(uint32_t c)
{
	if ((c >= 0x316 && c <= 0x319) || (c >= 0x31C && c <= 0x320) ||
	    (c >= 0x323 && c <= 0x326) || (c >= 0x329 && c <= 0x333) ||
	    (c >= 0x339 && c <= 0x33C))
		return 220; /* below */
	if (c == 0x31B)
		return 216; /* horn */
	if (c == 0x321 || c == 0x322 || c == 0x327 || c == 0x328)
		return 202; /* attached below */
	if (c >= 0x334 && c <= 0x338)
		return 1; /* overlay */
	return 230;
}

static uint32_t compose(uint32_t base, uint32_t m1, uint32_t m2)
{
	size_t lo = 0, hi = DVC_ARRAY_LEN(nfc_table);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct nfc_entry *e = &nfc_table[mid];
		int cmp = e->base != base ? (e->base < base ? -1 : 1)
			: e->m1 != m1 ? (e->m1 < m1 ? -1 : 1)
			: e->m2 != m2 ? (e->m2 < m2 ? -1 : 1) : 0;
		if (cmp == 0)
			return e->composed;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void dvc__nfc(const char *str, size_t n, dvc_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		uint32_t base = next_cp(s, &i);
		uint32_t marks[8];
		size_t nm = 0, j = i;
		while (j < n && nm < DVC_ARRAY_LEN(marks)) {
			size_t k = j;
			uint32_t c = next_cp(s, &k);
			if (!is_mark(c))
				break;
			marks[nm++] = c;
			j = k;
		}
		if (nm == 0 || base >= 0x250) {
			put_cp(out, base);
			continue;
		}
		i = j;
		/* canonical order (stable insertion sort by combining class) */
		for (size_t a = 1; a < nm; a++)
			for (size_t b = a; b > 0 && ccc(marks[b - 1]) > ccc(marks[b]); b--) {
				uint32_t t = marks[b];
				marks[b] = marks[b - 1];
				marks[b - 1] = t;
			}
		size_t used = 0;
		uint32_t c;
		if (nm >= 2 && (c = compose(base, marks[0], marks[1])) != 0) {
			base = c;
			used = 2;
		} else if ((c = compose(base, marks[0], 0)) != 0) {
			base = c;
			used = 1;
		}
		put_cp(out, base);
		for (size_t k = used; k < nm; k++)
			put_cp(out, marks[k]);
	}
}

static char fold_cp(uint32_t c)
{
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			return (char)(c + 32);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			return (char)c;
		return ' ';
	}
	if (c >= 0xC0 && c < 0x250)
		return fold_latin1[c - 0xC0] ? fold_latin1[c - 0xC0] : ' ';
	if (c >= 0x1E00 && c < 0x1F00)
		return fold_latin_ext_add[c - 0x1E00] ? fold_latin_ext_add[c - 0x1E00] : ' ';
	return ' ';
}

void dvc__fold(const char *str, size_t n, dvc_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	bool space = true; /* suppress leading and repeated spaces */
	size_t start = out->len;
	while (i < n) {
		uint32_t c = next_cp(s, &i);
		if (is_mark(c))
			continue; /* NFD input: the base letter was already folded */
		char f = fold_cp(c);
		if (f == ' ') {
			if (!space)
				dvc_buf_putc(out, ' ');
			space = true;
		} else {
			dvc_buf_putc(out, f);
			space = false;
		}
	}
	if (!out->oom && out->len > start && out->ptr[out->len - 1] == ' ')
		out->ptr[--out->len] = '\0';
}

void dvc__unaccent(const char *str, size_t n, dvc_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		uint32_t c = next_cp(s, &i);
		const unsigned char *bits = NULL;
		uint32_t lo = 0;
		if (is_mark(c))
			continue;
		if (c >= 0xC0 && c < 0x250) {
			bits = upper_latin1;
			lo = 0xC0;
		} else if (c >= 0x1E00 && c < 0x1F00) {
			bits = upper_latin_ext_add;
			lo = 0x1E00;
		}
		if (bits) {
			char f = fold_cp(c);
			if (f != ' ') {
				if (bits[(c - lo) / 8] & (1u << ((c - lo) % 8)))
					f = (char)(f - 32);
				dvc_buf_putc(out, f);
				continue;
			}
		}
		put_cp(out, c);
	}
}

void dvc_vnd_format(int64_t amount, char out[DVC_VND_SIZE])
{
	char digits[24];
	/* in unsigned arithmetic, so that INT64_MIN has a magnitude too */
	uint64_t v = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
	size_t k = 0;
	if (amount < 0)
		out[k++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = '.'; /* Vietnamese groups thousands with a dot */
		out[k++] = digits[i];
	}
	out[k] = '\0';
}
