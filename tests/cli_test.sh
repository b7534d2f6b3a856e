#!/bin/sh
# The dvc CLI as a newcomer drives it: exit codes, one-line errors, --json,
# and an XML export that passes xmllint against the shipped schema.
set -eu
DVC=$1
ROOT=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
run() { "$DVC" --db "$T/dvc.db" "$@"; }

run init >/dev/null && ok || bad "init"
run catalog import "$ROOT/data/catalog/kien-thuy-2018.json" >"$T/out" && ok || bad "import"
grep -q "imported 38 procedures" "$T/out" && ok || bad "import summary: $(cat "$T/out")"

run --json catalog search "dang ky khai sinh" >"$T/s.json" && ok || bad "search"
python3 -c "import json,sys; h=json.load(open(sys.argv[1])); assert h[0]['code']=='1.001193', h[0]" "$T/s.json" \
  && ok || bad "search --json first hit"
run catalog search "ĐĂNG KÝ KHAI SINH" --level commune | head -1 | grep -q "^1.001193" && ok || bad "search upper-case"

run --json catalog stats --asof 2018-07-01 >"$T/stats.json" && ok || bad "stats"
python3 - "$T/stats.json" <<'PY' && ok || bad "stats counts"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["total"] == 38, s
want = {"TP": 11, "NV": 8, "CT": 3, "LDTBXH": 5, "TTTT": 2, "GDDT": 3, "KHDT": 5, "TNMT": 1}
assert s["sector"] == want, s["sector"]
assert s["level"]["district"] == 36 and s["level"]["commune"] == 2, s["level"]
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

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
