#!/bin/sh
# The dvc CLI as a newcomer drives it: exit codes, one-line errors, --json,
# and an XML export that passes xmllint against the shipped schema.
set -eu
DVC=$1
ROOT=$2
# shellcheck source=tests/tally.sh
. "$ROOT/tests/tally.sh" && scratch
run() { "$DVC" --db "$T/dvc.db" "$@"; }

run init >/dev/null && ok || bad "init"
run catalog import "$ROOT/data/catalog/kien-thuy-2018.json" >"$T/out" && ok || bad "import"
grep -q "imported 38 procedures" "$T/out" && ok || bad "import summary: $(cat "$T/out")"

run --json catalog search "dang ky khai sinh" >"$T/s.json" && ok || bad "search"
python3 -c "import json,sys; h=json.load(open(sys.argv[1]))['procedures']; assert h[0]['code']=='1.001193', h[0]" "$T/s.json" \
  && ok || bad "search --json first hit"
run catalog search "ĐĂNG KÝ KHAI SINH" --level commune | head -1 | grep -q "^1.001193" && ok || bad "search upper-case"

run --json catalog stats --asof 2018-07-01 >"$T/stats.json" && ok || bad "stats"
python3 - "$T/stats.json" <<'PY' && ok || bad "stats counts"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["total"] == 38, s
for r in s["rows"]:
    s.setdefault(r["dimension"], {})[r["key"]] = r["count"]
want = {"TP": 11, "NV": 8, "CT": 3, "LDTBXH": 5, "TTTT": 2, "GDDT": 3, "KHDT": 5, "TNMT": 1}
assert s["sector"] == want, s["sector"]
assert s["level"]["district"] == 36 and s["level"]["commune"] == 2, s["level"]
PY

# the table lines up on a terminal: every count of a dimension starts in the
# same column, Vietnamese names with diacritics included (one column a letter)
run catalog stats --asof 2018-07-01 >"$T/stats.txt" && ok || bad "stats text"
python3 - "$T/stats.txt" <<'PY' && ok || bad "stats columns: $(cat "$T/stats.txt")"
import sys, unicodedata
cols = {}
dim = None
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if line.startswith("by "):
        dim = line
    elif line.startswith("  "):
        w = sum(0 if unicodedata.combining(c) else 1 for c in line[: line.rindex(" ")])
        cols.setdefault(dim, set()).add(w)
assert cols and all(len(v) == 1 for v in cols.values()), cols
assert any(c > "\x7f" for c in open(sys.argv[1], encoding="utf-8").read()), "no diacritics to test"
PY

run catalog export --format xml >"$T/c.xml" && ok || bad "export xml"
xmllint --noout --schema "$ROOT/data/schema/catalog.xsd" "$T/c.xml" 2>"$T/xmllint.err" && ok \
  || bad "xmllint: $(cat "$T/xmllint.err")"
"$DVC" --db "$T/b.db" catalog import "$T/c.xml" >/dev/null && ok || bad "import xml"
run catalog export --format json >"$T/a.json"
"$DVC" --db "$T/b.db" catalog export --format json >"$T/b.json"
cmp -s "$T/a.json" "$T/b.json" && ok || bad "json->xml->json round trip"

run procedure show 1.001193 >"$T/p.txt" && ok || bad "procedure show"
grep -q "khai sinh" "$T/p.txt" && ok || bad "procedure show text"

# errors: non-zero exit, exactly one line on stderr, store unchanged
printf '{"format":' >"$T/bad.json"
if run catalog import "$T/bad.json" 2>"$T/err"; then bad "malformed import succeeded"; else ok; fi
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "DVC_EPARSE" "$T/err" && ok || bad "error line: $(cat "$T/err")"
run catalog export --format json >"$T/a2.json"
cmp -s "$T/a.json" "$T/a2.json" && ok || bad "store changed by a failed import"
if run procedure show 9.999999 2>"$T/err"; then bad "unknown code succeeded"; else ok; fi
grep -q "DVC_ENOTFOUND" "$T/err" && ok || bad "unknown code error: $(cat "$T/err")"
if run frobnicate 2>/dev/null; then bad "unknown command succeeded"; else ok; fi
if run catalog search x --online 9 2>/dev/null; then bad "--online 9 accepted"; else ok; fi

run demo "$ROOT/data" >"$T/demo.txt" 2>&1 && ok || bad "demo: $(cat "$T/demo.txt")"
grep -q "returned (Đã trả kết quả)" "$T/demo.txt" && ok || bad "demo shows no returned dossier"
grep -q "appointment (ngày hẹn trả kết quả): 2018-07-05T08:40:00+07:00" "$T/demo.txt" && ok \
  || bad "demo appointment"
grep -q "journal chains intact" "$T/demo.txt" && ok || bad "demo verify"
grep -q "moved 000.00.30.H24-250616-0001: 000.01.30.H24 -> 000.00.11680.H24" "$T/demo.txt" \
  && grep -q "^  0 moved, 0 not moved" "$T/demo.txt" && ok || bad "demo cutover (once, then nothing)"
grep -q "^  dossier 000.01.11680.H24-$(TZ=Asia/Ho_Chi_Minh date +%y%m%d)-0001 submitted" "$T/demo.txt" \
  && grep -q "lodged at:   000.01.11680.H24, competent: 000.00.11680.H24" "$T/demo.txt" \
  && ok || bad "demo: today's birth registration at the commune centre"
sed -n '/^\[today, /,$p' "$T/demo.txt" | grep -q "^dossier 000.01.11680.H24-.*: Đã trả kết quả (returned)$" \
  && ok || bad "demo: today's birth registration returned by the commune"
# the level-4 chapter: paid online (a replay is a duplicate), delivered online, outbox drained
grep -q "^  paid: dossier .*, 16.000 đồng, reference DVC" "$T/demo.txt" \
  && grep -q "^  duplicate: dossier .*, 16.000 đồng" "$T/demo.txt" && ok || bad "demo payment"
grep -q "delivered online" "$T/demo.txt" && grep -q "fee:         due 16.000 đồng, paid 16.000 đồng" "$T/demo.txt" \
  && ok || bad "demo online delivery and fee"
grep -q "Kính gửi ông/bà Trần Thị Bình" "$T/demo.txt" && grep -q "messages sent; nothing left due" "$T/demo.txt" \
  && ok || bad "demo outbox"
# deterministic apart from the tracking secret (a fresh store each time)
# the signed result the demo wrote beside its store: the command it prints accepts it
grep -q "signature valid, certificate SHA-256 [0-9a-f]\{64\}" "$T/demo.txt" && ok || bad "demo signed result"
XCMD=$(sed -n 's/^\$ \(xmlsec1 --verify .*\)$/\1/p' "$T/demo.txt")
[ -n "$XCMD" ] && [ -f "$(echo "$XCMD" | awk '{print $NF}')" ] && ok || bad "demo prints no xmlsec1 command or no file"
if command -v xmlsec1 >/dev/null; then sh -c "$XCMD" >/dev/null 2>&1 && ok || bad "demo's own command refuses: $XCMD"; fi
# the demo's two ratings (5 for dossier C, 3 for dossier A) in the service index
grep -q "^  rated .*: Đánh giá tổng thể dịch vụ 5/5" "$T/demo.txt" \
  && grep -q "^  Tỷ lệ hài lòng .*: 1 of 2 rated dossiers satisfied (overall 4-5), 3.00 of 6 points" "$T/demo.txt" \
  && ok || bad "demo ratings: $(grep -A1 'rate' "$T/demo.txt")"
run --json report index >"$T/ix.json" && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = [i for g in d['groups'] for i in g['indicators'] if i['code'] == 'satisfaction'][0]
assert (s['numerator'], s['denominator'], s['points']) == (1, 2, 3.0), s
" "$T/ix.json" && ok || bad "report index counts the demo's ratings: $(cat "$T/ix.json")"
"$DVC" --db "$T/demo2.db" demo "$ROOT/data" >"$T/demo2.txt" 2>&1
"$DVC" --db "$T/demo3.db" demo "$ROOT/data" >"$T/demo3.txt" 2>&1
# the last chapter runs on the real clock: compared up to it
sed '/secret/d; /^\[today, /,$d' "$T/demo2.txt" >"$T/demo2.cmp"
sed '/secret/d; /^\[today, /,$d' "$T/demo3.txt" >"$T/demo3.cmp"
cmp -s "$T/demo2.cmp" "$T/demo3.cmp" && ok || bad "demo is not deterministic"

# ---- slips (forms 01-05) and the register (form 06) on the demo store ----
S="$T/demo2.db"
sv() { "$DVC" --db "$S" "$@"; }

# ---- --now: the store's clock stands at a given instant ----
# the reference catalog comes into force on 2018-07-01: nothing before
"$DVC" --db "$S" --now 2018-06-30T12:00:00+07:00 catalog stats | head -1 | grep -q "^procedures in force: 0$" \
  && ok || bad "--now before the catalog: $("$DVC" --db "$S" --now 2018-06-30T12:00:00+07:00 catalog stats | head -1)"
"$DVC" --db "$S" --now 2018-07-01 catalog search "khai sinh" | head -1 | grep -q "^1.001193 " \
  && ok || bad "--now on the catalog's first day"
"$DVC" --db "$S" --now 2018-06-30 catalog search "khai sinh" | grep -q "^no procedure found$" \
  && ok || bad "--now search before the catalog"
# as of 2018-07-04 noon no dossier of the demo had its result yet; today all have
"$DVC" --db "$S" --json --now 2018-07-04T12:00:00+07:00 report --group none >"$T/r1.json" && ok || bad "report --now"
"$DVC" --db "$S" --json report --group none >"$T/r2.json"
python3 -c "import json,sys; a,b=(json.load(open(f))[0] for f in sys.argv[1:]); \
assert a['settled_on_time']+a['settled_late'] == 0 and a['pending_on_time']+a['pending_overdue'] == a['received'] > 0, a; \
assert b['settled_on_time']+b['settled_late'] == b['received'], b" "$T/r1.json" "$T/r2.json" \
  && ok || bad "report as of --now: $(cat "$T/r1.json")"
# a submission on 9 July 2018: the code carries that day; on today's clock the
# procedure is the communes' (Hải Phòng 2025) and goes to the applicant's
# commune centre, or to one named with --desk; a district procedure the
# reform gave no new version is refused with the district's successors named
cp "$S" "$T/now.db"
sub() { P=$1; shift; "$DVC" --db "$T/now.db" "$@" dossier submit "$P" --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone 0912345678; }
sub 2.000748 --now 2018-07-09T08:00:00+07:00 >"$T/o.txt" 2>&1 && grep -q "^dossier 000.00.30.H24-180709-0001 submitted$" "$T/o.txt" \
  && ok || bad "submit --now: $(cat "$T/o.txt")"
TODAY=$(TZ=Asia/Ho_Chi_Minh date +%y%m%d)
sub 2.000748 >"$T/o.txt" 2>&1 && grep -q "^dossier 000.01.11680.H24-$TODAY-0002 submitted$" "$T/o.txt" \
  && ok || bad "submit today to the commune centre: $(cat "$T/o.txt")"
# ... and on today's clock (no --now) the commune's own officers handle it
# through the CLI: its centre receives and returns, its specialist and its
# chairman work and sign (Done when of issue 14)
TCODE=000.01.11680.H24-$TODAY-0002
# the former district desk's officer has no say in it any more
if "$DVC" --db "$T/now.db" dossier act "$TCODE" receive --officer hoa.lt >"$T/o.txt" 2>&1; then
  bad "today: a district officer received a commune dossier"; else
  grep -q "DVC_EPERM" "$T/o.txt" && ok || bad "today: district officer: $(cat "$T/o.txt")"; fi
tact() { a=$1 who=$2; shift 2
  "$DVC" --db "$T/now.db" dossier act "$TCODE" "$a" --officer "$who" "$@" >"$T/o.txt" 2>&1 \
    && ok || bad "today: $who $a: $(cat "$T/o.txt")"; }
tact receive thu.nt; tact forward thu.nt; tact forward minh.lv; tact forward quang.pv
tact return thu.nt --delivery counter
"$DVC" --db "$T/now.db" --json dossier track "$TCODE" --officer thu.nt >"$T/o.json" 2>&1 \
  && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
assert d['state']=='returned' and d['desk']=='000.01.11680.H24' and d['competent']=='000.00.11680.H24', d; \
acts=[(e['action'], e['actor']) for e in d['history']]; \
assert acts[1:]==[('receive','officer:thu.nt'),('forward','officer:thu.nt'),('forward','officer:minh.lv'),('forward','officer:quang.pv'),('return','officer:thu.nt')], acts" "$T/o.json" \
  && ok || bad "today: returned by the commune: $(cat "$T/o.json")"
"$DVC" --db "$T/now.db" dossier submit 2.000748 --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone 0912345678 --desk 000.01.11383.H24 >"$T/o.txt" 2>&1 \
  && grep -q "^dossier 000.01.11383.H24-$TODAY-0001 submitted$" "$T/o.txt" \
  && ok || bad "submit today at another centre: $(cat "$T/o.txt")"
if sub 1.000748 >"$T/o.txt" 2>&1; then bad "submit to a ceased agency on today's clock"; else
  grep -q "DVC_EEXPIRED" "$T/o.txt" && grep -q "000.00.11680.H24" "$T/o.txt" && ok \
    || bad "submit today: $(cat "$T/o.txt")"; fi
"$DVC" --db "$T/now.db" --json agency show 000.00.30.H24 >"$T/o.json" 2>&1 \
  && python3 -c "import json,sys; a=json.load(open(sys.argv[1])); assert a['valid_to']=='2025-06-30' and len(a['successors'])==5 and a['successors'][0]['act']" "$T/o.json" \
  && ok || bad "agency show --json: $(cat "$T/o.json")"
"$DVC" --db "$T/now.db" agency list --asof 2026-01-05 --level commune >"$T/o.txt" 2>&1 \
  && grep -q "^228 agencies$" "$T/o.txt" && ok || bad "agency list: $(tail -1 "$T/o.txt")"
# the dossier of 9 July 2018 above is still open: it moves, once
"$DVC" --db "$T/now.db" agency cutover >"$T/o.txt" 2>&1 \
  && grep -q "^moved 000.00.30.H24-180709-0001: 000.01.30.H24 -> 000.00.11680.H24 " "$T/o.txt" \
  && grep -q ": 1 moved, 0 not moved$" "$T/o.txt" && ok || bad "agency cutover on the demo store: $(cat "$T/o.txt")"
"$DVC" --db "$T/now.db" agency cutover >"$T/o.txt" 2>&1 && grep -q ": 0 moved, 0 not moved$" "$T/o.txt" \
  && "$DVC" --db "$T/now.db" dossier verify >/dev/null 2>&1 && ok || bad "cutover again: $(cat "$T/o.txt")"
# accepted options take effect or are refused, in one line
expect_refused() {
  if "$DVC" --db "$S" "$@" >/dev/null 2>"$T/err"; then bad "$* accepted"; else
    [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^dvc: " "$T/err" && ok \
      || bad "$*: $(cat "$T/err")"; fi
}
expect_refused --now 2018-07-02 demo "$ROOT/data"
expect_refused --now 2018-07-02 calendar lunar 2026-02-17
expect_refused --now 2018-07-02 statemachine
expect_refused --now yesterday catalog stats
expect_refused report register --asof 2019-12-01
expect_refused --json report register
expect_refused --json slip 000.00.30.H24-180706-0001 receipt --format xml
expect_refused --json register --format xml
expect_refused --json catalog export
expect_refused --json statemachine --dot
expect_refused calendar lunar 2026-02-17 --end-of-day
expect_refused calendar lunar 2026-02-17 --schedule "$ROOT/data/calendar/2026.json"
expect_refused catalog search khai --limit abc
# the data directory: one that is given and missing is an error, never replaced
if "$DVC" --db "$T/d4.db" demo "$T/no-such-dir" 2>"$T/err"; then bad "demo with a missing data dir"; else
  grep -q "data directory '$T/no-such-dir' does not exist" "$T/err" && ok || bad "missing data dir: $(cat "$T/err")"; fi
if DVC_DATA_DIR="$T/no-such-dir" "$DVC" --db "$T/d5.db" demo 2>"$T/err"; then bad "demo with a missing DVC_DATA_DIR"; else
  grep -q "(from DVC_DATA_DIR) does not exist" "$T/err" && ok || bad "missing DVC_DATA_DIR: $(cat "$T/err")"; fi
(cd / && DVC_DATA_DIR="$ROOT/data" "$DVC" --db "$T/d6.db" demo) >"$T/d6.txt" 2>&1 \
  && tail -n 1 "$T/d6.txt" | grep -q "journal chains intact" && ok || bad "demo from / with DVC_DATA_DIR: $(tail -2 "$T/d6.txt")"
sv slip 000.00.30.H24-180706-0001 receipt --format xml >"$T/slip.xml" && ok || bad "slip receipt xml"
xmllint --noout "$T/slip.xml" 2>"$T/err" && grep -q '<slip kind="receipt" form="01"' "$T/slip.xml" \
  && grep -q "<due_at>2018-07-09T09:15:00+07:00</due_at>" "$T/slip.xml" && ok || bad "receipt: $(cat "$T/err" "$T/slip.xml")"
sv slip 000.00.30.H24-180702-0002 apology --format html >"$T/slip.html" && ok || bad "slip apology html"
grep -q "Mẫu số 04" "$T/slip.html" && grep -q "PHIẾU XIN LỖI" "$T/slip.html" && ok || bad "apology html"
sv register --from 2018-07-01 --to 2018-07-06 --format xml >"$T/reg.xml" && ok || bad "register xml"
xmllint --noout "$T/reg.xml" && grep -q '<entries count="3">' "$T/reg.xml" && ok || bad "register: $(head -20 "$T/reg.xml")"
sv register --to 2018-07-05 --format xml | grep -q '<entries count="2">' && ok || bad "register --to is inclusive"
if sv slip 000.00.30.H24-180706-0001 refusal --format xml >/dev/null 2>"$T/err"; then bad "refusal slip of an accepted dossier"
else [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q DVC_ETRANSITION "$T/err" && ok || bad "refusal: $(cat "$T/err")"; fi
if sv slip 000.00.30.H24-180706-0001 bogus --format xml >/dev/null 2>"$T/err"; then bad "unknown slip kind"
else grep -q DVC_EINVAL "$T/err" && ok || bad "slip kind: $(cat "$T/err")"; fi
if sv register --format pdf >/dev/null 2>&1; then bad "register --format pdf"; else ok; fi
if sv register --from 2018-07-03 --to 2018-07-01 --format xml >/dev/null 2>&1; then bad "reversed period"; else ok; fi

# ---- the dossier lifecycle on a fresh store ----
D="$T/d.db"
dv() { "$DVC" --db "$D" "$@"; }
# fails_with RUN NAME CODE CMD...: RUN CMD (RUN one of the store's runners:
# dv, sv, pv) exits non-zero with exactly one stderr line naming CODE
fails_with() {
  run_=$1 name=$2 code=$3
  shift 3
  if "$run_" "$@" >"$T/out" 2>"$T/err"; then bad "$name succeeded"; return; fi
  [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "$code" "$T/err" && ok \
    || bad "$name: want one line with $code, got: $(cat "$T/err")"
}
# expect_fail NAME CODE CMD...: fails_with on this store
expect_fail() { fails_with dv "$@"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$T/j.json"; }

dv catalog import "$ROOT/tests/data/dossier_catalog.json" >/dev/null && ok || bad "dossier catalog import"
dv officer add le.tiep.nhan --name "Lê Tiếp Nhận" --unit 000.00.30.H24 --role reception >/dev/null \
  && ok || bad "officer add reception"
dv officer add tran.chuyen.vien --name "Trần Chuyên Viên" --unit 000.01.30.H24 --role specialist \
  >/dev/null && ok || bad "officer add specialist"
dv officer add nguyen.truong.phong --name "Nguyễn Trưởng Phòng" --unit 000.01.30.H24 \
  --role unit_leader >/dev/null && ok || bad "officer add unit leader"
dv officer add hoang.lanh.dao --name "Hoàng Lãnh Đạo" --unit 000.00.30.H24 --role signing_leader \
  >/dev/null && ok || bad "officer add signing leader"
# an officer's credential: from stdin, hashed, checked
echo "mat-khau-quay-tiep-nhan" | dv officer secret le.tiep.nhan >/dev/null && ok || bad "officer secret"
echo "mat-khau-quay-tiep-nhan" | dv officer login le.tiep.nhan >/dev/null && ok || bad "officer login"
if echo "sai-mat-khau-roi" | dv officer login le.tiep.nhan >"$T/o.txt" 2>&1; then
  bad "officer login with a wrong secret"; else grep -q DVC_EAUTH "$T/o.txt" && ok || bad "wrong secret: $(cat "$T/o.txt")"; fi
if echo "ngan" | dv officer secret le.tiep.nhan >"$T/o.txt" 2>&1; then
  bad "a short officer secret"; else grep -q DVC_EINVAL "$T/o.txt" && ok || bad "short secret: $(cat "$T/o.txt")"; fi
if dv officer secret le.tiep.nhan </dev/null >"$T/o.txt" 2>&1; then bad "officer secret without stdin"; else ok; fi
echo "mat-khau-quay-tiep-nhan" | dv officer login le.tiep.nhan >/dev/null && ok || bad "the old secret still holds"
expect_fail "officer with unknown role" DVC_EINVAL officer add x.y --name "X" --unit 000.00.30.H24 --role boss
expect_fail "officer at unknown unit" DVC_EREF officer add x.y --name "X" --unit 999.99.99.H99 --role specialist

dv account register nguyenvanan --password "mật-khẩu-dài" --name "Nguyễn Văn An" \
  --citizen-id 031099001234 --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" \
  --phone "0912 345 678" >/dev/null && ok || bad "account register"
dv --json account show nguyenvanan >"$T/j.json" && ok || bad "account show"
json "assert d['profile']['full_name']=='Nguyễn Văn An' and d['profile']['phone']=='+84912345678' and d['username']=='nguyenvanan', d" && ok || bad "account show fields"
dv account login nguyenvanan --password "mật-khẩu-dài" >/dev/null && ok || bad "login"
expect_fail "login with a wrong password" DVC_EAUTH account login nguyenvanan --password wrong-password
expect_fail "register with a bad citizen ID" DVC_EINVAL account register tran --password "mat-khau-dai" \
  --name "Trần Bình" --citizen-id 123 --birth-date 1990-01-01 --address "Hải Phòng"

# national identity: strict claims, contradictions named, link audited
printf '{"sub":"vneid-1","LoaiTaiKhoan":"1","HoVaTen":"NGUYỄN VĂN AN","SoDinhDanh":"031099001234","NgayThangNamSinh":"19990512","loginIdp":"VNeID"}' >"$T/claims.json"
printf '{"sub":"vneid-1","LoaiTaiKhoan":"1","HoVaTen":"Nguyễn Văn Anh","SoDinhDanh":"031099001234","NgayThangNamSinh":"19990513"}' >"$T/claims-bad.json"
printf '{"sub":"vneid-1","LoaiTaiKhoan":"1","HoVaTen":"A","SoDinhDanh":"0310990012","NgayThangNamSinh":"19990512"}' >"$T/claims-id.json"
expect_fail "claims contradicting the profile" "DVC_EMISMATCH.*full_name,birth_date" identity link nguyenvanan \
  --claims "$T/claims-bad.json" --issuer https://xacthuc.example.vn --assurance 2
expect_fail "claims with a short personal ID" "SoDinhDanh.*DVC_EINVAL" identity link nguyenvanan \
  --claims "$T/claims-id.json" --issuer https://xacthuc.example.vn --assurance 2
dv identity show nguyenvanan | grep -q "no linked national identity" && ok || bad "identity show before link"
dv --json identity link nguyenvanan --claims - --issuer https://xacthuc.example.vn --assurance 2 \
  --actor account:nguyenvanan <"$T/claims.json" >"$T/j.json" && ok || bad "identity link"
json "assert d['linked'] and d['identity']['assurance']==2 and d['profile']['full_name']['verified'] and not d['profile']['address']['verified'] and [a['event'] for a in d['audit']]==['link'], d" \
  && ok || bad "identity link json: $(cat "$T/j.json")"

dv --json dossier submit T.000003 --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone 0912345678 \
  --form '{"purpose":"Xin cấp bản sao","copies":2}' >"$T/j.json" && ok || bad "submit anonymous"
CODE=$(json "print(d['code'])")
SECRET=$(json "print(d['secret'])")
[ -n "$CODE" ] && [ -n "$SECRET" ] && ok || bad "submit gave no code or secret"
printf '{"purpose":"x","copies":99}' >"$T/form.json"
expect_fail "form failing its schema" DVC_ESCHEMA dossier submit T.000003 --account nguyenvanan --form "@$T/form.json"
expect_fail "online submission below level 3" DVC_ESERVICELEVEL dossier submit T.000002 --account nguyenvanan
dv dossier submit T.000003 --account nguyenvanan --form '{"purpose":"Xin cấp bản sao","copies":1}' \
  >"$T/out" && grep -q "submitted" "$T/out" && ok || bad "submit with an account"
CODE2=$(sed -n 's/^dossier \([^ ]*\) submitted$/\1/p' "$T/out")
dv --json dossier submit T.000003 --account nguyenvanan --national-signin --address "Số 5 Lạch Tray" \
  --form '{"purpose":"Xin cấp bản sao","copies":1}' >/dev/null && ok || bad "submit signed in nationally"
expect_fail "typed name contradicting the verified one" "DVC_EMISMATCH" dossier submit T.000003 --account nguyenvanan \
  --name "Nguyễn Văn Ba" --address "x" --form '{"purpose":"Xin cấp bản sao","copies":1}'
dv dossier track "$CODE2" --account nguyenvanan >/dev/null && ok || bad "track as the account"

dv --json dossier act "$CODE" receive --officer le.tiep.nhan >"$T/j.json" && ok || bad "receive"
json "assert d['state']=='received' and d['version']==2 and d['due_at'].endswith('+07:00'), d" \
  && ok || bad "receive output: $(cat "$T/j.json")"
dv dossier act "$CODE" forward --officer le.tiep.nhan >"$T/out" && ok || bad "forward from the desk"
grep -q "in_progress (Đang xử lý)" "$T/out" && ok || bad "forward output: $(cat "$T/out")"
dv dossier act "$CODE" assign --officer nguyen.truong.phong --target tran.chuyen.vien >/dev/null \
  && ok || bad "assign"

dv --json dossier track "$CODE" --officer le.tiep.nhan >"$T/j.json" && ok || bad "track --json"
python3 - "$T/j.json" <<'PY' && ok || bad "track fields: $(cat "$T/j.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["state"] == "in_progress" and d["state_label"] == "Đang xử lý", d
assert d["unit"] == "000.01.30.H24" and d["unit_name"] == "Phòng Tư pháp huyện Kiến Thụy", d
assert d["step"] == 2 and d["steps"] == 4 and d["step_role"] == "specialist", d
assert d["handler"] in ("tran.chuyen.vien", "Trần Chuyên Viên"), d
assert d["due_at"].endswith("+07:00") and d["step_due_at"].endswith("+07:00"), d
assert d["overdue"] is False and d["clock_stopped"] is False, d
assert d["applicant_name"] == "Nguyễn Văn An" and d["procedure"] == "T.000003", d
h = d["history"]
assert [e["action"] for e in h] == ["submit", "receive", "forward", "assign"], h
assert h[1]["actor"] == "officer:le.tiep.nhan" and len(h[1]["hash"]) == 64, h
assert d["version"] == 4, d
PY
dv dossier track "$CODE" --secret "$SECRET" >"$T/out" && ok || bad "track with the secret"
grep -q "Đang xử lý (in_progress)" "$T/out" && grep -q "step:        2/4 specialist" "$T/out" \
  && ok || bad "track text: $(cat "$T/out")"
expect_fail "track with a wrong secret" DVC_EAUTH dossier track "$CODE" --secret WRONGSECRETWRONGSECR
expect_fail "act with a wrong secret" DVC_EAUTH dossier act "$CODE" withdraw --secret WRONGSECRETWRONGSECR
expect_fail "track without an actor" "usage" dossier track "$CODE"
expect_fail "illegal transition" DVC_ETRANSITION dossier act "$CODE" return --officer le.tiep.nhan
expect_fail "stale --expect-version" DVC_ECONFLICT dossier act "$CODE" forward --officer tran.chuyen.vien \
  --expect-version 1
expect_fail "unknown action" DVC_EINVAL dossier act "$CODE" frobnicate --officer le.tiep.nhan
expect_fail "wrong officer" DVC_EPERM dossier act "$CODE" forward --officer le.tiep.nhan
dv dossier act "$CODE" forward --officer tran.chuyen.vien --expect-version 4 >/dev/null \
  && ok || bad "forward with the current version"
dv dossier act "$CODE" forward --officer nguyen.truong.phong >/dev/null && ok || bad "forward unit leader"
dv dossier act "$CODE" forward --officer hoang.lanh.dao --payload "kết quả đã ký" >"$T/out" \
  && grep -q "result_ready" "$T/out" && ok || bad "sign: $(cat "$T/out")"
dv dossier act "$CODE" return --officer le.tiep.nhan --delivery counter >"$T/out" \
  && grep -q "returned (Đã trả kết quả)" "$T/out" && ok || bad "return: $(cat "$T/out")"

dv dossier history "$CODE" --secret "$SECRET" >"$T/out" && ok || bad "history"
[ "$(wc -l <"$T/out")" -eq 8 ] && grep -q "^#8 .* return result_ready → returned" "$T/out" \
  && ok || bad "history lines: $(cat "$T/out")"
dv --json dossier list --state returned >"$T/j.json" && ok || bad "list"
json "assert [r['code'] for r in d]==['$CODE'], d" && ok || bad "list --state returned: $(cat "$T/j.json")"
dv dossier list --stuck >/dev/null && ok || bad "list --stuck"
expect_fail "list with an unknown state" DVC_EINVAL dossier list --state nowhere

# the applicant rates the returned dossier once; nobody else may
expect_fail "rating by an officer" DVC_EPERM dossier rate "$CODE" --officer le.tiep.nhan --score overall=5
expect_fail "rating out of range" DVC_ERANGE dossier rate "$CODE" --secret "$SECRET" --score overall=6
expect_fail "rating an unknown criterion" DVC_EINVAL dossier rate "$CODE" --secret "$SECRET" --score speed=5
dv --json dossier rate "$CODE" --secret "$SECRET" --score overall=4 --score attitude=5 \
  --comment "Cán bộ hướng dẫn tận tình" >"$T/j.json" && ok || bad "rate: $(cat "$T/j.json")"
json "assert d['scores']=={'overall':4,'attitude':5} and d['comment']=='Cán bộ hướng dẫn tận tình', d" \
  && ok || bad "rate json: $(cat "$T/j.json")"
expect_fail "rating twice" DVC_EEXISTS dossier rate "$CODE" --secret "$SECRET" --score overall=1
dv dossier rating "$CODE" --officer le.tiep.nhan >"$T/out" && grep -q "^attitude .*5/5" "$T/out" \
  && ok || bad "rating text: $(cat "$T/out")"
dv dossier verify "$CODE" >/dev/null && ok || bad "verify after rating"

dv statemachine --dot >"$T/out" && grep -q "digraph" "$T/out" && ok || bad "statemachine --dot"
dv statemachine >"$T/out" && grep -q "^supplement_requested" "$T/out" && ok || bad "statemachine table"

dv dossier verify >"$T/out" && grep -q "^3 dossiers verified, journal chains intact$" "$T/out" \
  && ok || bad "verify: $(cat "$T/out")"
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$D" "UPDATE journal SET note = 'đã sửa' WHERE seq = 2" && ok || bad "tamper"
  expect_fail "verify after tampering" DVC_ECORRUPT dossier verify
fi

# ---- a journal that proves itself (issue 16): signed entries, proof bundles ----
K="$T/journal.key"
dv --json proof keygen "$K" >"$T/j.json" && ok || bad "proof keygen"
PUB=$(json "print(d['key'])")
KID=$(json "print(d['key_id'])")
[ "$(stat -c %a "$K")" = 600 ] && ok || bad "journal key mode $(stat -c %a "$K")"
dv proof key "$K" | grep -q "^key id     $KID$" && ok || bad "proof key"
expect_fail "keygen over an existing key" DVC_EEXISTS proof keygen "$K"
printf '%s  the portal key\n' "$PUB" >"$T/trust"
S="$T/signed.db"
sv() { DVC_JOURNAL_KEY="$K" "$DVC" --db "$S" "$@"; }
# sexpect_fail NAME CODE CMD...: like expect_fail, on the signed store
sexpect_fail() { fails_with sv "$@"; }
sv catalog import "$ROOT/tests/data/dossier_catalog.json" >/dev/null \
  && sv officer add le.tiep.nhan --name "Lê Tiếp Nhận" --unit 000.00.30.H24 --role reception >/dev/null \
  && sv --json dossier submit T.000003 --name "Nguyễn Văn An" --citizen-id 031099001234 \
    --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone 0912345678 \
    --form '{"purpose":"Xin cấp bản sao","copies":2}' >"$T/j.json" && ok || bad "signed store"
SC=$(json "print(d['code'])")
sv dossier act "$SC" receive --officer le.tiep.nhan >/dev/null && ok || bad "signed receive"
sv dossier verify >"$T/out" && grep -q "^2 journal entries (2 signed, 0 legacy, 0 unsigned), 1 signed checkpoint" "$T/out" \
  && grep -q "^signed by key $KID$" "$T/out" && ok || bad "signed verify: $(cat "$T/out")"
sv proof export "$SC" >"$T/bundle.json" && ok || bad "proof export"
"$DVC" proof verify "$T/bundle.json" --trust "$T/trust" --require-signed >"$T/out" \
  && grep -q "^1 dossier verified" "$T/out" && ok || bad "proof verify: $(cat "$T/out")"
"$DVC" --json proof verify "$T/bundle.json" >"$T/j.json" && json "assert d['anchored'] is False and d['keys']==['$KID'], d" \
  && ok || bad "proof verify --json: $(cat "$T/j.json")"
sed 's/"to": "received"/"to": "returned"/' "$T/bundle.json" >"$T/bad.json"
cmp -s "$T/bundle.json" "$T/bad.json" && bad "the bundle edit changed nothing"
expect_fail "a changed bundle" DVC_E proof verify "$T/bad.json"
printf '0000000000000000000000000000000000000000000000000000000000000001\n' >"$T/other"
expect_fail "a bundle against another key" DVC_ESIGNATURE proof verify "$T/bundle.json" --trust "$T/other"
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$S" "UPDATE dossier SET state = 7 WHERE code = '$SC'" && ok || bad "tamper the row"
  sexpect_fail "verify an edited row" DVC_ECORRUPT dossier verify
  sqlite3 "$S" "UPDATE dossier SET state = 2 WHERE code = '$SC'; DELETE FROM journal WHERE seq = 2;
    UPDATE dossier SET state = 1, rev = 1, journal_seq = 1,
      journal_head = (SELECT hash FROM journal WHERE seq = 1) WHERE code = '$SC'" && ok || bad "truncate"
  sexpect_fail "verify a consistent truncation" DVC_ETRUNCATED dossier verify
fi
# the unsigned store of the cutover checks, sealed, passes a deployment that requires signing
if DVC_JOURNAL_KEY="$K" DVC_JOURNAL_REQUIRE_SIGNED=1 "$DVC" --db "$T/now.db" dossier verify >/dev/null 2>"$T/err"; then
  bad "an unsealed unsigned store under required signing"
elif grep -q DVC_ESIGNATURE "$T/err"; then ok
else bad "unsealed under required signing: $(cat "$T/err")"; fi
DVC_JOURNAL_KEY="$K" "$DVC" --db "$T/now.db" proof seal >"$T/out" && grep -q "journals\? sealed" "$T/out" \
  && DVC_JOURNAL_KEY="$K" DVC_JOURNAL_REQUIRE_SIGNED=1 "$DVC" --db "$T/now.db" dossier verify >/dev/null \
  && ok || bad "proof seal: $(cat "$T/out")"
DVC_JOURNAL_REQUIRE_SIGNED=1 "$DVC" --db "$T/x.db" init >/dev/null 2>"$T/err" && bad "required signing without a key" \
  || { grep -q DVC_EINVAL "$T/err" && ok || bad "required signing without a key: $(cat "$T/err")"; }

# ---- level 4: online payment through a (simulated) gateway, and the outbox ----
P="$T/p.db"
pv() { "$DVC" --db "$P" "$@"; }
# pexpect_fail NAME CODE CMD...: like expect_fail, on the payment store
pexpect_fail() { fails_with pv "$@"; }
pv catalog import "$ROOT/tests/data/dossier_catalog.json" >/dev/null && ok || bad "payment store import"
pv officer add le.tiep.nhan --name "Lê Tiếp Nhận" --unit 000.00.30.H24 --role reception >/dev/null \
  && ok || bad "payment store officer"
pv --json dossier submit T.000004 --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone "0912 345 678" \
  --email an.nguyen@example.vn >"$T/j.json" && ok || bad "submit level 4"
PCODE=$(json "print(d['code'])")
pv dossier act "$PCODE" receive --officer le.tiep.nhan >/dev/null && ok || bad "receive level 4"

unset DVC_GATEWAY_SECRET DVC_GATEWAY 2>/dev/null || true
pexpect_fail "payment request without a gateway secret" DVC_GATEWAY_SECRET payment request "$PCODE"
pexpect_fail "payment sign without a gateway secret" DVC_GATEWAY_SECRET payment sign "vnp_TxnRef=x"
export DVC_GATEWAY_SECRET="bi-mat-cong-thanh-toan-thu-nghiem"
# a first request, superseded by the next one (its late success is kept for review below)
pv --json payment request "$PCODE" >"$T/j.json" && ok || bad "a first payment request"
OLDREF=$(json "print(d['reference'])")
pv payment request "$PCODE" >"$T/out" && ok || bad "payment request"
grep -q "^  amount:    50.000 đồng$" "$T/out" && grep -q "^  expires:   .*+07:00$" "$T/out" \
  && ok || bad "payment request text: $(cat "$T/out")"
pv --json payment request "$PCODE" >"$T/j.json" && ok || bad "payment request --json"
json "assert d['amount']==50000 and d['amount_text']=='50.000 đồng' and d['expires_at'].endswith('+07:00') and d['reference'], d" \
  && ok || bad "payment request fields: $(cat "$T/j.json")"
REF=$(json "print(d['reference'])")
# what the gateway sends back: VND x 100, signed (dvc payment sign is the gateway simulator)
Q="vnp_Amount=5000000&vnp_BankCode=NCB&vnp_OrderInfo=Thanh+toan+ho+so&vnp_ResponseCode=00"
Q="$Q&vnp_TransactionNo=14012345&vnp_TransactionStatus=00&vnp_TxnRef=$REF"
SIGNED=$(pv payment sign "$Q") && ok || bad "payment sign"
case $SIGNED in "$Q&vnp_SecureHash="*) ok ;; *) bad "signed query: $SIGNED" ;; esac
pexpect_fail "a tampered callback" DVC_ESIGNATURE payment callback "$(printf %s "$SIGNED" | sed 's/BankCode=NCB/BankCode=XYZ/')"
pexpect_fail "an unsigned callback" DVC_ESIGNATURE payment callback "$Q"
pexpect_fail "a callback signed with another secret" DVC_ESIGNATURE payment callback \
  "$(DVC_GATEWAY_SECRET=not-the-secret pv payment sign "$Q")"
pexpect_fail "a callback with the wrong amount" DVC_EAMOUNT payment callback \
  "$(pv payment sign "$(printf %s "$Q" | sed 's/vnp_Amount=5000000/vnp_Amount=500000/')")"
pexpect_fail "a callback for an unknown reference" DVC_ENOTFOUND payment callback \
  "$(pv payment sign "$(printf %s "$Q" | sed "s/vnp_TxnRef=$REF/vnp_TxnRef=DVC999T9/")")"
pv payment callback "$SIGNED" >"$T/out" && ok || bad "callback"
grep -q "^paid: dossier $PCODE, 50.000 đồng, reference $REF$" "$T/out" && ok || bad "callback output: $(cat "$T/out")"
pv --json payment callback "$SIGNED" >"$T/j.json" && ok || bad "replayed callback"
json "assert d['outcome']=='duplicate' and d['dossier']=='$PCODE' and d['amount']==50000, d" \
  && ok || bad "replay is a duplicate: $(cat "$T/j.json")"
pexpect_fail "payment request with nothing left due" DVC_ETRANSITION payment request "$PCODE"
pexpect_fail "a success for a superseded request" DVC_ETRANSITION payment callback \
  "$(pv payment sign "$(printf %s "$Q" | sed "s/vnp_TxnRef=$REF/vnp_TxnRef=$OLDREF/")")"
pv --json payment review >"$T/j.json" && ok || bad "payment review --json"
json "assert sorted(((r['reference'], r['reason'], r['gateway_txn'], r['amount'], r['dossier']) for r in d), key=str) == sorted([('$OLDREF', 'superseded', '14012345', 50000, '$PCODE'), ('DVC999T9', 'unknown_reference', '14012345', 50000, None)], key=str), d" \
  && ok || bad "payment review lists the superseded success and the unknown reference: $(cat "$T/j.json")"
pv payment review | grep -q "^DVC999T9  dossier -  unknown_reference  50.000 đồng  transaction 14012345  at " \
  && ok || bad "payment review text of the unknown reference: $(pv payment review)"
pv payment review | grep -q "^$OLDREF  dossier $PCODE  superseded  50.000 đồng  transaction 14012345  at " \
  && ok || bad "payment review text: $(pv payment review)"
pv --json dossier track "$PCODE" --officer le.tiep.nhan >"$T/j.json" && ok || bad "track paid dossier"
json "assert d['fee_due']==50000 and d['fee_paid']==50000, d" && ok || bad "fee paid: $(cat "$T/j.json")"
pv --json dossier submit T.000003 --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3" --phone 0912345678 --form '{"purpose":"Xin cấp bản sao","copies":1}' >"$T/j.json"
L3=$(json "print(d['code'])")
pv dossier act "$L3" receive --officer le.tiep.nhan >/dev/null && ok || bad "receive level 3"
pexpect_fail "payment for a level-3 dossier" DVC_ESERVICELEVEL payment request "$L3"
pexpect_fail "callback naming a level-3 dossier" DVC_ESERVICELEVEL payment callback \
  "$(pv payment sign "$(printf %s "$Q" | sed "s/vnp_TxnRef=$REF/vnp_TxnRef=$L3/")")"

# the outbox: accepted and payment, SMS and e-mail, with their texts
pv --json outbox list "$PCODE" >"$T/j.json" && ok || bad "outbox list --json"
python3 - "$T/j.json" "$PCODE" <<'PY' && ok || bad "outbox contents: $(cat "$T/j.json")"
import json, sys
d, code = json.load(open(sys.argv[1])), sys.argv[2]
assert sorted((m["event"], m["channel"]) for m in d) == [
    ("accepted", "email"), ("accepted", "sms"), ("payment", "email"), ("payment", "sms")], d
for m in d:
    assert m["state"] == "pending" and m["attempts"] == 0 and m["dossier"] == code, m
    assert m["recipient"] == ("+84912345678" if m["channel"] == "sms" else "an.nguyen@example.vn"), m
pay = [m for m in d if m["event"] == "payment" and m["channel"] == "sms"][0]
assert "50.000 đồng" in pay["text"] and pay["text"] == pay["body"], pay
mail = [m for m in d if m["event"] == "accepted" and m["channel"] == "email"][0]
assert mail["text"] == mail["subject"] and "đã được tiếp nhận" in mail["subject"], mail
assert "Kính gửi ông/bà Nguyễn Văn An" in mail["body"], mail
PY
pv outbox list "$PCODE" >"$T/out" && ok || bad "outbox list"
[ "$(grep -c " pending sms   +84912345678 " "$T/out")" -eq 2 ] \
  && grep -q "pending email an.nguyen@example.vn .*payment .*Xác nhận thanh toán" "$T/out" \
  && ok || bad "outbox list text: $(cat "$T/out")"
pv outbox drain --limit 2 --fail >"$T/out" && ok || bad "drain --fail"
grep -q "^2 messages marked failed$" "$T/out" && grep -q "  | Kính gửi ông/bà" "$T/out" \
  && ok || bad "drain --fail output: $(cat "$T/out")"
pv --json outbox list >"$T/j.json"
json "f=[m for m in d if m['state']=='failed']; assert len(f)==2 and all(m['attempts']==1 and 'simulated' in m['last_error'] and m['next_attempt_at'] for m in f), d" \
  && ok || bad "failed messages back off: $(cat "$T/j.json")"
pv --json outbox drain >"$T/j.json" && ok || bad "drain"
# the rest: payment SMS + e-mail, and the level-3 dossier's accepted SMS; not the backed-off two
json "assert sorted((m['event'], m['marked']) for m in d)==[('accepted','sent'),('payment','sent'),('payment','sent')], d" \
  && ok || bad "drain sends the rest: $(cat "$T/j.json")"
pv outbox drain >"$T/out" && grep -q "^0 messages sent$" "$T/out" && ok || bad "drain during back-off: $(cat "$T/out")"
expect_usage() {
  if pv "$@" >/dev/null 2>"$T/err"; then bad "$* succeeded"; else
    [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "$*: $(cat "$T/err")"; fi
}
expect_usage outbox drain --limit 0
expect_usage outbox frobnicate
expect_usage payment refund "$PCODE"

# documents, streamed in from a file and out to one; an executable named .pdf
# refused for its content; a counter payment recorded and shown in tracking
G="$T/doc.db"
gv() { "$DVC" --db "$G" "$@"; }
gv init >/dev/null && gv catalog import "$ROOT/tests/data/document_catalog.json" >/dev/null \
  && gv officer add desk.a --name "Lê Tiếp Nhận" --unit 000.00.30.H24 --role reception >/dev/null \
  && ok || bad "document store"
gv --json dossier submit T.000006 --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3" --phone 0912345678 >"$T/j.json" && ok || bad "doc submit"
GCODE=$(json "print(d['code'])")
GSEC=$(json "print(d['secret'])")
printf '%%PDF-1.4\n%% giấy chứng sinh\n' >"$T/giay chung sinh.pdf"
head -c 300000 /dev/urandom >>"$T/giay chung sinh.pdf"
gv --json dossier attach "$GCODE" 1 "$T/giay chung sinh.pdf" --secret "$GSEC" >"$T/j.json" && ok || bad "attach"
json "assert d['media_type']=='application/pdf' and d['name']=='giay chung sinh.pdf' and d['size']==$(wc -c <"$T/giay chung sinh.pdf"), d" \
  && ok || bad "attach answer: $(cat "$T/j.json")"
[ "$(json "print(d['sha256'])")" = "$(sha256sum "$T/giay chung sinh.pdf" | cut -d' ' -f1)" ] && ok || bad "attach sha256"
cp "$(command -v sh)" "$T/evil.pdf"
if gv dossier attach "$GCODE" 2 "$T/evil.pdf" --secret "$GSEC" 2>"$T/err"; then bad "executable accepted"; else
  grep -q DVC_EMEDIATYPE "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "executable: $(cat "$T/err")"; fi
: >"$T/empty.pdf"
if gv dossier attach "$GCODE" 2 "$T/empty.pdf" --secret "$GSEC" 2>"$T/err"; then bad "empty accepted"; else ok; fi
gv --json dossier files "$GCODE" --secret "$GSEC" >"$T/j.json" && json "assert len(d)==1, d" && ok || bad "files"
gv dossier download "$GCODE" 1 --secret "$GSEC" --out "$T/back.pdf" && cmp -s "$T/back.pdf" "$T/giay chung sinh.pdf" \
  && ok || bad "download"
gv dossier act "$GCODE" receive --officer desk.a >/dev/null && ok || bad "doc receive"
# officers' reads of personal data are in the access log (Decree 13/2023), the applicant's are not:
# so far one, the tracking that 'dossier act' read as desk.a to print the appointment
gv --json dossier access-log "$GCODE" >"$T/j.json" \
  && json "assert [(e['officer'], e['view']) for e in d['entries']]==[('desk.a','track')] and not d['more'], d" \
  && ok || bad "access log after the applicant's reads: $(cat "$T/j.json")"
gv dossier files "$GCODE" --officer desk.a >/dev/null && gv dossier track "$GCODE" --officer desk.a >/dev/null \
  && gv dossier download "$GCODE" 1 --officer desk.a --out "$T/back2.pdf" && ok || bad "officer reads"
gv --json dossier access-log "$GCODE" >"$T/j.json" \
  && json "assert [(e['officer'], e['view'], e['detail']) for e in d['entries']]==[('desk.a','track',None),('desk.a','files',None),('desk.a','track',None),('desk.a','download','file 1')] and d['more'] is False, d" \
  && ok || bad "access log: $(cat "$T/j.json")"
gv dossier access-log --officer desk.a --limit 2 >"$T/out" && grep -q "^[0-9T:+-]*  $GCODE  desk.a (Lê Tiếp Nhận, 000.00.30.H24)  files$" "$T/out" \
  && grep -q "^(more: " "$T/out" && [ "$(wc -l <"$T/out")" -eq 3 ] && ok || bad "access log text: $(cat "$T/out")"
if gv dossier access-log --limit 2 2>"$T/err"; then bad "access log of nothing"; else
  grep -q "usage: dvc dossier access-log" "$T/err" && ok || bad "access log usage: $(cat "$T/err")"; fi
gv --json payment counter "$GCODE" --officer desk.a --receipt BL-0001 --amount 30000 --method cash >"$T/j.json" \
  && json "assert d['fee_paid']==30000 and d['fee_due']==30000, d" && ok || bad "payment counter: $(cat "$T/j.json")"
if gv payment counter "$GCODE" --officer desk.a --receipt BL-0002 --amount 1 2>"$T/err"; then bad "paid twice"; else ok; fi
gv --json dossier track "$GCODE" --secret "$GSEC" >"$T/j.json" && json "assert d['fee_paid']==30000, d" \
  && ok || bad "tracking shows the counter payment"

# erasure of personal data (Decree 13/2023): refused while open, inside retention and for non-admins
gv officer add qt.vien --name "Quản Trị" --unit 000.00.30.H24 --role admin >/dev/null && ok || bad "admin officer"
gv --json dossier submit T.000006 --name "Trần Thị Bình" --citizen-id 031190005678 \
  --birth-date 1990-01-02 --address "Thôn 1" --phone 0912000111 >"$T/j.json" && ok || bad "erase submit"
ECODE=$(json "print(d['code'])")
ESEC=$(json "print(d['secret'])")
if gv dossier erase "$ECODE" --officer qt.vien 2>"$T/err"; then bad "open dossier erased"; else
  grep -q DVC_ETRANSITION "$T/err" && ok || bad "erase open: $(cat "$T/err")"; fi
gv dossier act "$ECODE" withdraw --secret "$ESEC" --note "Không cần nữa" >/dev/null && ok || bad "withdraw"
if gv dossier erase "$ECODE" --officer qt.vien 2>"$T/err"; then bad "erased inside retention"; else
  grep -q "DVC_ERETAINED" "$T/err" && ok || bad "erase inside retention: $(cat "$T/err")"; fi
if gv --now 2040-01-01 dossier erase "$ECODE" --officer desk.a 2>"$T/err"; then bad "erased by a desk officer"; else
  grep -q DVC_EPERM "$T/err" && ok || bad "erase by desk: $(cat "$T/err")"; fi
gv --json --now 2040-01-01 dossier erase "$ECODE" --officer qt.vien >"$T/j.json" \
  && json "assert d['dossier']=='$ECODE' and len(d['erased_sha256'])==64, d" && ok || bad "erase: $(cat "$T/j.json")"
gv dossier verify "$ECODE" >/dev/null && ok || bad "verify after erasure"
gv --json dossier track "$ECODE" --secret "$ESEC" >"$T/j.json" \
  && json "assert d['history'][-1]['action']=='erase' and d['state']=='withdrawn', d" && ok || bad "erased dossier: $(cat "$T/j.json")"

# the signing leader attaches the result and signs it with the shipped DEMO
# key; the applicant downloads the signed file, which xmlsec1 accepts
KEY="$ROOT/data/demo-keys/demo-signing-key.pem"
CERT="$ROOT/data/demo-keys/demo-signing-cert.pem"
gv officer add cv.b --name "Đỗ Chuyên Viên" --unit 000.08.30.H24 --role specialist >/dev/null \
  && gv officer add ld.c --name "Hoàng Lãnh Đạo" --unit 000.00.30.H24 --role signing_leader >/dev/null \
  && gv dossier act "$GCODE" forward --officer desk.a >/dev/null \
  && gv dossier act "$GCODE" forward --officer cv.b >/dev/null && ok || bad "to the signing step"
printf '%%PDF-1.4\n%% quyết định\n' >"$T/ket qua.pdf"
gv dossier attach "$GCODE" 0 "$T/ket qua.pdf" --result --officer ld.c >/dev/null && ok || bad "attach result"
if DVC_SIGN_KEY= DVC_SIGN_CERT= gv dossier sign "$GCODE" --officer ld.c 2>"$T/err"; then bad "signed without a key"; else
  grep -q "no signing key.*DVC_EINVAL" "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "no key: $(cat "$T/err")"; fi
gv --json dossier sign "$GCODE" --officer ld.c --key "$KEY" --cert "$CERT" >"$T/j.json" \
  && json "assert d['component']=='result' and d['form']=='ecopy' and d['media_type']=='application/xml', d" \
  && ok || bad "sign: $(cat "$T/j.json")"
SID=$(json "print(d['id'])")
gv dossier download "$GCODE" "$SID" --secret "$GSEC" --out "$T/signed.xml" && ok || bad "download signed"
gv dossier history "$GCODE" --secret "$GSEC" | grep -q "chứng thư số SHA-256 $(openssl x509 -in "$CERT" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//; s/://g' | tr A-F a-f)" \
  && ok || bad "journal names the certificate"
gv slip "$GCODE" receipt --format xml --sign --key "$KEY" --cert "$CERT" >"$T/slip.xml" && ok || bad "signed slip"
if gv slip "$GCODE" receipt --format html --sign --key "$KEY" --cert "$CERT" >/dev/null 2>&1; then bad "signed html"; else ok; fi
if command -v xmlsec1 >/dev/null; then
  xmlsec1 --verify --trusted-pem "$CERT" "$T/signed.xml" >/dev/null 2>&1 && ok || bad "xmlsec1 refuses the result"
  xmlsec1 --verify --trusted-pem "$CERT" "$T/slip.xml" >/dev/null 2>&1 && ok || bad "xmlsec1 refuses the slip"
  sed 's/<maThuTuc>T/<maThuTuc>X/' "$T/signed.xml" >"$T/forged.xml"
  if xmlsec1 --verify --trusted-pem "$CERT" "$T/forged.xml" >/dev/null 2>&1; then bad "forged accepted"; else ok; fi
fi

tally cli
