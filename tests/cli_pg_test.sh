#!/bin/sh
# The dvc CLI on PostgreSQL (issue 17): the demo, --now, a dossier lodged
# today and handled by the commune's officers, tracking, the cutover,
# reports, slips and the journal check, each store a schema of its own on
# the server named by DVC_TEST_DB_URI (scripts/test.sh's PostgreSQL stage).
# The same checks run on SQLite in cli_test.sh; without DVC_TEST_DB_URI
# this test is skipped (exit 77).
set -eu
DVC=$1
ROOT=$2
if [ -z "${DVC_TEST_DB_URI:-}" ]; then
  echo "cli_pg: DVC_TEST_DB_URI is not set (scripts/test.sh sets it in its PostgreSQL stage)"
  exit 77
fi
# shellcheck source=tests/tally.sh
. "$ROOT/tests/tally.sh" && scratch
# store NAME: a fresh schema and the URI that opens it
store() {
  schema="cli$$_$1"
  psql -q -v ON_ERROR_STOP=1 "$DVC_TEST_DB_URI" \
    -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
  echo "$DVC_TEST_DB_URI&options=-csearch_path%3D$schema"
}
S=$(store demo)
sv() { "$DVC" --db "$S" "$@"; }

# the demo runs whole, writing its files to the working directory
(cd "$T" && "$DVC" --db "$S" demo "$ROOT/data") >"$T/demo.txt" 2>&1 && ok || bad "demo: $(tail -5 "$T/demo.txt")"
grep -q "appointment (ngày hẹn trả kết quả): 2018-07-05T08:40:00+07:00" "$T/demo.txt" && ok || bad "demo appointment"
grep -q "journal chains intact" "$T/demo.txt" && ok || bad "demo verify"
grep -q "moved 000.00.30.H24-250616-0001: 000.01.30.H24 -> 000.00.11680.H24" "$T/demo.txt" \
  && grep -q "^  0 moved, 0 not moved" "$T/demo.txt" && ok || bad "demo cutover (once, then nothing)"
grep -q "^  paid: dossier .*, 16.000 đồng, reference DVC" "$T/demo.txt" \
  && grep -q "^  duplicate: dossier .*, 16.000 đồng" "$T/demo.txt" && ok || bad "demo payment"
grep -q "messages sent; nothing left due" "$T/demo.txt" && ok || bad "demo outbox"
grep -q "signature valid, certificate SHA-256 [0-9a-f]\{64\}" "$T/demo.txt" && ok || bad "demo signed result"

# the same story on SQLite tells the same, up to the secrets, today's
# chapter, file paths and the order of search hits within one match class
# (bm25 on SQLite, name length on PostgreSQL: docs/postgresql.md), which
# are compared as sets
"$DVC" --db "$T/demo.db" demo "$ROOT/data" >"$T/demo-sqlite.txt" 2>&1
cmpform() { sed '/secret/d; /^\[today, /,$d; /xmlsec1\|written to\|\.xml/d' "$1" \
  | python3 -c '
import re, sys
text = sys.stdin.read()
# each search block: its command line, then its hits sorted
print(re.sub(r"(?m)^(\$ dvc catalog search.*\n)((?:.+\n)*)",
             lambda m: m.group(1) + "".join(sorted(m.group(2).splitlines(True))), text), end="")'; }
cmpform "$T/demo.txt" >"$T/a.cmp"
cmpform "$T/demo-sqlite.txt" >"$T/b.cmp"
cmp -s "$T/a.cmp" "$T/b.cmp" && ok || bad "demo differs between the backends: $(diff "$T/a.cmp" "$T/b.cmp" | head -10)"

# --now and reports
"$DVC" --db "$S" --now 2018-06-30T12:00:00+07:00 catalog stats | head -1 | grep -q "^procedures in force: 0$" \
  && ok || bad "--now before the catalog"
sv --now 2018-07-01 catalog search "khai sinh" | head -1 | grep -q "^1.001193 " && ok || bad "search on PostgreSQL"
sv --json --now 2018-07-04T12:00:00+07:00 report --group none >"$T/r1.json" && ok || bad "report --now"
sv --json report --group none >"$T/r2.json"
python3 -c "import json,sys; a,b=(json.load(open(f))[0] for f in sys.argv[1:]); \
assert a['settled_on_time']+a['settled_late'] == 0 and a['pending_on_time']+a['pending_overdue'] == a['received'] > 0, a; \
assert b['settled_on_time']+b['settled_late'] == b['received'], b" "$T/r1.json" "$T/r2.json" \
  && ok || bad "report as of --now: $(cat "$T/r1.json")"
"$DVC" --db "$T/demo.db" --json report --group none >"$T/r3.json"
cmp -s "$T/r2.json" "$T/r3.json" && ok || bad "report differs from SQLite's: $(cat "$T/r2.json" "$T/r3.json")"
sv slip 000.00.30.H24-180706-0001 receipt --format xml >"$T/slip.xml" \
  && grep -q "<due_at>2018-07-09T09:15:00+07:00</due_at>" "$T/slip.xml" && ok || bad "receipt slip"
sv register --from 2018-07-01 --to 2018-07-06 --format xml | grep -q '<entries count="3">' && ok || bad "register"

# a dossier lodged on 9 July 2018 and one today, handled by the commune
sub() { P=$1; shift; sv "$@" dossier submit "$P" --name "Nguyễn Văn An" --citizen-id 031099001234 \
  --birth-date 1999-05-12 --address "Thôn 3, xã Thụy Hương" --phone 0912345678; }
sub 2.000748 --now 2018-07-09T08:00:00+07:00 >"$T/o.txt" 2>&1 \
  && grep -q "^dossier 000.00.30.H24-180709-0001 submitted$" "$T/o.txt" && ok || bad "submit --now: $(cat "$T/o.txt")"
TODAY=$(TZ=Asia/Ho_Chi_Minh date +%y%m%d)
sub 2.000748 >"$T/o.txt" 2>&1 && grep -q "^dossier 000.01.11680.H24-$TODAY-0002 submitted$" "$T/o.txt" \
  && ok || bad "submit today: $(cat "$T/o.txt")"
TCODE=000.01.11680.H24-$TODAY-0002
if sv dossier act "$TCODE" receive --officer hoa.lt >"$T/o.txt" 2>&1; then bad "a district officer received it"; else
  grep -q "DVC_EPERM" "$T/o.txt" && ok || bad "district officer: $(cat "$T/o.txt")"; fi
tact() { a=$1 who=$2; shift 2
  sv dossier act "$TCODE" "$a" --officer "$who" "$@" >"$T/o.txt" 2>&1 && ok || bad "$who $a: $(cat "$T/o.txt")"; }
tact receive thu.nt; tact forward thu.nt; tact forward minh.lv; tact forward quang.pv
tact return thu.nt --delivery counter
sv --json dossier track "$TCODE" --officer thu.nt >"$T/o.json" 2>&1 \
  && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
assert d['state']=='returned' and d['competent']=='000.00.11680.H24', d; \
assert [e['action'] for e in d['history']][1:]==['receive','forward','forward','forward','return'], d['history']" "$T/o.json" \
  && ok || bad "track: $(cat "$T/o.json")"
# an illegal transition changes nothing
if sv dossier act "$TCODE" receive --officer thu.nt >"$T/o.txt" 2>&1; then bad "receive twice"; else
  grep -q "DVC_ETRANSITION" "$T/o.txt" && ok || bad "receive twice: $(cat "$T/o.txt")"; fi
sv agency cutover >"$T/o.txt" 2>&1 && grep -q "^moved 000.00.30.H24-180709-0001: 000.01.30.H24 -> 000.00.11680.H24 " "$T/o.txt" \
  && grep -q ": 1 moved, 0 not moved$" "$T/o.txt" && ok || bad "cutover: $(cat "$T/o.txt")"
sv dossier verify >"$T/o.txt" 2>&1 && ok || bad "verify: $(cat "$T/o.txt")"

# a server that cannot be reached: one line naming it, DVC_EIO
if "$DVC" --db "postgresql:///nonexistent-db?host=/nonexistent/dir&connect_timeout=2" catalog stats >/dev/null 2>"$T/err"; then
  bad "an unreachable server opened"; else
  [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "DVC_EIO" "$T/err" && grep -q "PostgreSQL" "$T/err" && ok \
    || bad "unreachable server: $(cat "$T/err")"; fi

tally cli_pg
