#!/usr/bin/env python3
"""Regenerate lib/text_tables.h (diacritic folding and Latin NFC composition)."""
import unicodedata as u

fold, comp = {}, []
for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
    c = chr(cp)
    try:
        u.name(c)
    except ValueError:
        continue
    d = u.normalize('NFD', c)
    b = d[0].lower()
    if len(b) == 1 and 'a' <= b <= 'z':
        fold[cp] = b
    if len(d) > 1 and u.normalize('NFC', d) == c and ord(d[0]) < 0x250:
        comp.append((ord(d[0]), [ord(x) for x in d[1:]], cp))
fold[0x110] = fold[0x111] = 'd'  # Đ/đ have no decomposition but fold to d
out = ['/* Generated once from Python unicodedata (Unicode %s) for the Latin ranges\n'
       ' * U+00C0-U+024F and U+1E00-U+1EFF; regenerate with tools/gen_text_tables.py. */'
       % u.unidata_version]
for name, lo, hi in (('fold_latin1', 0xC0, 0x250), ('fold_latin_ext_add', 0x1E00, 0x1F00)):
    vals = [("'%s'" % fold[cp]) if cp in fold else '0' for cp in range(lo, hi)]
    out.append('static const char %s[0x%X] = {' % (name, hi - lo))
    for i in range(0, len(vals), 16):
        out.append('\t' + ', '.join(vals[i:i + 16]) + ',')
    out.append('};')
upper = {cp for cp in fold if chr(cp).isupper()}
for name, lo, hi in (('upper_latin1', 0xC0, 0x250), ('upper_latin_ext_add', 0x1E00, 0x1F00)):
    bits = [0] * ((hi - lo + 7) // 8)
    for cp in range(lo, hi):
        if cp in upper:
            bits[(cp - lo) // 8] |= 1 << ((cp - lo) % 8)
    out.append('/* bit set: the letter is upper case (for case-keeping unaccenting) */')
    out.append('static const unsigned char %s[%d] = {' % (name, len(bits)))
    for i in range(0, len(bits), 16):
        out.append('\t' + ', '.join('0x%02X' % b for b in bits[i:i + 16]) + ',')
    out.append('};')
comp.sort()
out.append('/* canonical decompositions: base, mark1, mark2 (0 if none) -> precomposed */')
out.append('static const struct nfc_entry { uint16_t base, m1, m2, composed; } nfc_table[] = {')
for b, ms, c in comp:
    if len(ms) > 2:
        continue
    ms = ms + [0] * (2 - len(ms))
    out.append('\t{0x%04X, 0x%04X, 0x%04X, 0x%04X},' % (b, ms[0], ms[1], c))
out.append('};')
open('lib/text_tables.h', 'w').write('\n'.join(out) + '\n')
