#!/bin/sh
# Bounded memory before refusal (issue 16): 60 MB hostile catalogs are
# imported by the CLI under a 256 MiB address-space limit (prlimit --as,
# else ulimit -v) and must be refused with DVC_ETOOBIG, not killed and not
# DVC_ENOMEM. Before the fix, a JSON catalog whose unknown key held 31
# million zeros peaked at 2.5 GB and an XML catalog of 15 million empty
# elements at 2.0 GB. Documents just inside the budget, the worst a
# legitimate-looking document can cost, must stay under the limit too.
# Peak RSS figures are printed as JSON lines. Normal builds only: a
# sanitizer's shadow memory cannot live under such a limit. The store is an
# SQLite file, or with DVC_TEST_DB_URI a fresh schema on that PostgreSQL
# server (tests/test_store.sh; the CLI then has libpq and a connection
# under the limit too).
set -eu
DVC=$1
# shellcheck source=tests/test_store.sh
. "${DVC_SOURCE_ROOT:?set DVC_SOURCE_ROOT to the source tree}/tests/test_store.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"; drop_test_stores' EXIT
LIMIT=$((256 * 1024 * 1024))
# shellcheck source=tests/tally.sh
. "$DVC_SOURCE_ROOT/tests/tally.sh"

python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
head = '{"format":"dvc-catalog","format_version":1,"x":['
# the finding: 31 million zeros under an unknown key (62 MB)
with open(f"{t}/zeros.json", "w") as f:
    f.write(head + "0," * 30_999_999 + "0]}")
# inside the budget: 290,000 strings of 200 bytes (59 MB, 290,004 values)
with open(f"{t}/strings.json", "w") as f:
    f.write(head + ",".join(['"' + "A" * 200 + '"'] * 290_000) + "]}")
xhead = '<?xml version="1.0" encoding="UTF-8"?>\n<catalog xmlns="urn:dvc:catalog:1" format_version="1">'
# the finding: 15 million empty elements (60 MB)
with open(f"{t}/empty.xml", "w") as f:
    f.write(xhead + "<a/>" * 15_000_000 + "</catalog>")
# inside the budget: 290,000 elements of 200 bytes of text (60 MB, 580,001 nodes)
with open(f"{t}/texts.xml", "w") as f:
    f.write(xhead + ("<a>" + "A" * 200 + "</a>") * 290_000 + "</catalog>")
# one 10 MB text node
with open(f"{t}/bigtext.xml", "w") as f:
    f.write(xhead + "<a>" + "A" * 10_000_000 + "</a></catalog>")
PY

# import FILE: "<exit status> <peak RSS in KiB>" on stdout, the CLI's error in $T/err
import() {
	rm -f "$T/dvc.db"
	python3 - "$LIMIT" "$DVC" --db "$(test_store "$T" dvc)" catalog import "$1" 2>"$T/err" <<'PY'
import resource, shutil, subprocess, sys
limit, cmd = int(sys.argv[1]), sys.argv[2:]
if shutil.which("prlimit"):
    cmd = ["prlimit", f"--as={limit}", "--"] + cmd
    pre = None
else:
    def pre():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=pre)
sys.stderr.write(r.stderr.decode(errors="replace"))
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

# check NAME FILE CODE: refused with CODE under the limit, peak printed
check() {
	set -- "$1" "$2" "$3" "$(import "$T/$2")"
	status=${4% *}
	peak=${4#* }
	bytes=$(wc -c <"$T/$2")
	echo "{\"case\": \"$1\", \"bytes\": $bytes, \"status\": $status, \"peak_rss_kib\": $peak, \"limit_kib\": $((LIMIT / 1024))}"
	if [ "$status" = 1 ] && grep -q "($3" "$T/err"; then
		ok
	else
		bad "$1: exit $status, want 1 with $3: $(head -c 300 "$T/err")"
	fi
	[ "$peak" -lt $((LIMIT / 1024)) ] && ok || bad "$1: peak $peak KiB"
}

check json-31M-zeros zeros.json DVC_ETOOBIG
grep -q "more than 600000 values" "$T/err" && ok || bad "zeros: $(cat "$T/err")"
check json-in-budget strings.json DVC_ESCHEMA
grep -q "unknown key 'x'" "$T/err" && ok || bad "strings: $(cat "$T/err")"
check xml-15M-elements empty.xml DVC_ETOOBIG
grep -q "more than 600000 nodes" "$T/err" && ok || bad "empty: $(cat "$T/err")"
check xml-in-budget texts.xml DVC_ESCHEMA
check xml-10MB-text bigtext.xml DVC_ETOOBIG
grep -q "longer than 1048576 bytes" "$T/err" && ok || bad "bigtext: $(cat "$T/err")"
# libxml2 printed its own "huge text node" report; the CLI prints one line
[ "$(wc -l <"$T/err")" -eq 1 ] && ok || bad "stderr has more than the CLI's line: $(head -c 300 "$T/err")"

tally memory_test "on $(test_backend)"
