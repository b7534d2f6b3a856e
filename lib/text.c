/* UTF-8 handling for Vietnamese text. Tables in text_tables.h are generated
 * from the Unicode database so that no ICU dependency is needed for the small
 * slice of Unicode that Vietnamese uses. */
#include "text.h"

#include <stdint.h>
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
