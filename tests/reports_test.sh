#!/bin/sh
# Reports on a generated year: tools/dvc-gen ($DVC_GEN) is deterministic and shaped as asked;
# `dvc report --json` agrees with hand-written SQL over the same file (counts
# by channel and state, on-time and pending counts, every grouping adding up);
# the Python bindings' report gives the CLI's numbers; monthly_report.py
# writes its CSVs, three real PNG charts and index.html, on the generated
# store and on the demo store. The stores are SQLite files, or with
# DVC_TEST_DB_URI fresh schemas on that PostgreSQL server (tests/test_store.sh),
# the hand-written SQL then run through psql.
#
# usage: reports_test.sh DVC SOURCE_ROOT BINDINGS_DIR PYTHON [bindings|no-bindings|cli-only]
#   bindings (default): the binding was built; not importing it is a failure
#   no-bindings: the build has no binding (-Dpython, no cffi): said, CLI only
#   cli-only: sanitizer builds (the instrumented library is not loaded into
#   an uninstrumented interpreter; the script then uses the CLI)
# ok-or-bad lines (A && ok || bad) and the word-split $Y period are meant.
# shellcheck disable=SC2015,SC2086
set -eu
DVC=$1
ROOT=$2
BINDINGS=$3
PY=$4
MODE=${5:-bindings}
case "$MODE" in bindings|no-bindings|cli-only) ;; *) echo "reports: unknown mode $MODE" >&2; exit 2 ;; esac
GEN=${DVC_GEN:?set DVC_GEN to the built tools/dvc-gen}
[ -x "$PY" ] || PY=python3
# shellcheck source=tests/test_store.sh
. "$ROOT/tests/test_store.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"; drop_test_stores' EXIT
G=$(test_store "$T" g)
G2=$(test_store "$T" g2)
G3=$(test_store "$T" g3)
X=$(test_store "$T" x)
# shellcheck source=tests/tally.sh
. "$ROOT/tests/tally.sh"
REPORT="$ROOT/examples/reports/monthly_report.py"

# ---- the generator ----
"$GEN" --db "$G" --year 2019 --scale 0.05 --seed 1 --data "$ROOT/data" >"$T/gen.txt" 2>&1 \
  && ok || bad "dvc-gen: $(cat "$T/gen.txt")"
grep -Eq "^generated 2019: [0-9]+ dossiers, [0-9]+ actions" "$T/gen.txt" && ok || bad "gen summary: $(cat "$T/gen.txt")"
"$GEN" --db "$G2" --json --year 2019 --scale 0.05 --seed 1 --data "$ROOT/data" >"$T/gen2.json" 2>&1 \
  && ok || bad "gen again: $(cat "$T/gen2.json")"
"$DVC" --db "$G" report register >"$T/reg1.csv" && ok || bad "register"
"$DVC" --db "$G2" report register >"$T/reg2.csv" && ok || bad "register 2"
cmp -s "$T/reg1.csv" "$T/reg2.csv" && ok || bad "gen is not deterministic for a seed"
"$GEN" --db "$G3" --year 2019 --scale 0.05 --seed 2 --data "$ROOT/data" >/dev/null 2>&1 && ok || bad "gen seed 2"
"$DVC" --db "$G3" report register >"$T/reg3.csv"
cmp -s "$T/reg1.csv" "$T/reg3.csv" && bad "seeds 1 and 2 give the same year" || ok
"$DVC" --db "$G" dossier verify >/dev/null && ok || bad "journal chains of the generated year"
if "$GEN" --db "$X" --year 2019 --scale -1 2>/dev/null; then bad "--scale -1 accepted"; else ok; fi
if "$GEN" --db "$X" 2>/dev/null; then bad "gen without --year accepted"; else ok; fi
if "$GEN" --db "$X" --year 2025 2>"$T/err"; then bad "gen --year 2025 accepted"; else
  grep -q "30 June 2025" "$T/err" && ok || bad "gen --year 2025: $(cat "$T/err")"; fi

# ---- the CLI's report against SQL ----
Y="--from 2019-01-01 --to 2020-01-01 --asof 2020-01-01"
for g in none sector agency procedure channel level month; do
  "$DVC" --db "$G" --json report $Y --group "$g" >"$T/r_$g.json" && ok || bad "report --group $g"
done
"$DVC" --db "$G" --json report index $Y >"$T/index.json" && ok || bad "report index"
"$DVC" --db "$G" --json report bottlenecks --asof 2020-01-01 >"$T/bn.json" && ok || bad "report bottlenecks"
"$DVC" --db "$G" report --group sector $Y >"$T/table.txt" && ok || bad "report table"
grep -q "Tư pháp" "$T/table.txt" && ok || bad "report table has no sector label"
"$DVC" --db "$G" report bottlenecks >/dev/null && ok || bad "bottlenecks table"
"$DVC" --db "$G" report index >/dev/null && ok || bad "index table"
if "$DVC" --db "$G" report --group weekday 2>/dev/null; then bad "--group weekday accepted"; else ok; fi
if "$DVC" --db "$G" report --from 2019-13-01 2>/dev/null; then bad "bad date accepted"; else ok; fi

"$PY" - "$T" "$G" "$ROOT" <<'PY' && ok || bad "report vs SQL"
import csv, io, json, re, sys
T = sys.argv[1]
sys.path.insert(0, sys.argv[3] + "/tests")
import httpd_harness as H
load = lambda g: json.load(open(f"{T}/r_{g}.json"))
FROM, TO = 1546275600, 1577811600            # 2019-01-01 and 2020-01-01 at 00:00 +07:00
ASOF = TO
W = f"submitted_at >= {FROM} AND submitted_at < {TO} AND state <> 0"
# rows of the store (SQLite, or PostgreSQL through psql), whole numbers as int
q = lambda sql: [tuple(int(v) if v is not None and re.fullmatch(r"-?\d+", v) else v for v in r)
                 for r in H.sql(sys.argv[2], sql)]

rows = load("channel")
names = {0: "online", 1: "counter", 2: "post"}
want = {names[c]: n for c, n in q(f"SELECT channel, count(*) FROM dossier WHERE {W} GROUP BY channel")}
got = {r["key"]: r["received"] for r in rows}
assert got == want, (got, want)
for r in rows:
    assert r["received_" + r["key"]] == r["received"], r

(total,) = load("none")
n = q(f"SELECT count(*) FROM dossier WHERE {W}")[0][0]
assert total["received"] == n > 0, (total, n)
by_state = dict(q(f"SELECT state, count(*) FROM dossier WHERE {W} GROUP BY state"))
assert total["returned"] == by_state.get(7, 0), (total, by_state)
assert total["rejected"] == by_state.get(8, 0)
assert total["withdrawn"] == by_state.get(9, 0)
assert total["cancelled"] == by_state.get(10, 0)
on_time, late = q(f"SELECT sum(CASE WHEN result_at <= due_at THEN 1 ELSE 0 END),"
                  f" sum(CASE WHEN result_at > due_at THEN 1 ELSE 0 END) FROM dossier"
                  f" WHERE {W} AND result_at IS NOT NULL")[0]
assert (total["settled_on_time"], total["settled_late"]) == (on_time, late), (total, on_time, late)
assert abs(total["on_time_rate"] - on_time / (on_time + late)) < 1e-9
pending = q(f"SELECT count(*) FROM dossier WHERE {W} AND result_at IS NULL AND state IN (1,2,3,4,5,6)")[0][0]
assert total["pending_on_time"] + total["pending_overdue"] == pending, (total, pending)
# running clocks are overdue past due_at; stopped ones (supplement, paused) by the time left
running_late = q(f"SELECT count(*) FROM dossier WHERE {W} AND result_at IS NULL"
                 f" AND state IN (1,2,4,6) AND due_at IS NOT NULL AND due_at < {ASOF}")[0][0]
stopped = q(f"SELECT count(*) FROM dossier WHERE {W} AND result_at IS NULL AND state IN (3,5)")[0][0]
assert running_late <= total["pending_overdue"] <= running_late + stopped, (total, running_late, stopped)
assert total["avg_days_to_settle"] > 0 and total["p90_days_to_settle"] >= total["avg_days_to_settle"] * 0.5

# every grouping adds up to the total
ints = [k for k, v in total.items() if isinstance(v, int) and not isinstance(v, bool)]
for g in ("sector", "agency", "procedure", "channel", "level", "month"):
    rs = load(g)
    for k in ("received", "settled_on_time", "settled_late", "pending_on_time", "pending_overdue",
              "withdrawn", "rejected", "cancelled", "returned", "fee_due_count"):
        assert sum(r[k] for r in rs) == total[k], (g, k)
sectors = dict(q(f"SELECT pv.sector, count(*) FROM dossier d JOIN procedure_version pv"
                 f" ON pv.id = d.version_id WHERE d.{W.replace(' AND ', ' AND d.')} GROUP BY 1"))
assert {r["key"]: r["received"] for r in load("sector")} == sectors
# the local (+07:00) month of each submission
month = ("to_char(to_timestamp(submitted_at + 25200) AT TIME ZONE 'UTC', 'YYYY-MM')" if H.URI
         else "strftime('%Y-%m', submitted_at + 25200, 'unixepoch')")
months = dict(q(f"SELECT {month}, count(*) FROM dossier WHERE {W} GROUP BY 1"))
assert {r["key"]: r["received"] for r in load("month")} == months
assert len(months) == 12, months

# the index is the total's ratios
ix = {r["code"]: r for g in json.load(open(f"{T}/index.json"))["groups"] for r in g["indicators"]}
assert (ix["progress"]["numerator"], ix["progress"]["denominator"]) == (on_time, on_time + late)
assert (ix["online"]["numerator"], ix["online"]["denominator"]) == (total["received_online"], n)

# bottlenecks: everything received and not yet settled waits somewhere
bn = json.load(open(f"{T}/bn.json"))
waiting = q("SELECT count(*) FROM dossier WHERE state IN (2,3,4,5)")[0][0]
assert sum(r["waiting"] for r in bn) == waiting > 0, (bn, waiting)

# the register: one line per dossier of the period, no personal data
reg = list(csv.DictReader(io.StringIO(open(f"{T}/reg1.csv", encoding="utf-8").read())))
assert len(reg) == n and set(reg[0]) >= {"code", "procedure", "channel", "due", "state", "on_time"}
assert sum(r["on_time"] == "yes" for r in reg) == on_time

# the year looks like the one asked for (loose bounds: ~750 dossiers)
assert 500 < n < 1100, n
late_share = late / (on_time + late)
assert 0.03 < late_share < 0.15, late_share
assert by_state.get(8, 0) / n < 0.06 and by_state.get(9, 0) / n < 0.04, by_state
online = {r["key"]: r["online_rate"] for r in load("month")}
q1 = sum(online[f"2019-0{m}"] for m in (1, 2, 3)) / 3
q4 = sum(online[f"2019-{m}"] for m in (10, 11, 12)) / 3
assert 0.15 < q1 < q4 < 0.75, (q1, q4)
top = max(load("procedure"), key=lambda r: r["received"])["key"]
assert top in ("2.000815", "1.001193", "2.000884"), top
supp = q(f"SELECT count(DISTINCT dossier_id) FROM journal WHERE action = 2")[0][0]
assert 0.03 < supp / n < 0.14, supp / n
PY

# ---- the Python bindings give the CLI's numbers ----
# A built binding that cannot be imported is a failure, never a quiet fallback.
have_bindings=no
if [ "$MODE" = bindings ]; then
  if PYTHONPATH="$BINDINGS" "$PY" -c "import dvc; dvc.Store" >"$T/import.txt" 2>&1; then
    have_bindings=yes
  else
    bad "the Python binding was built but import dvc fails: $(tail -n 3 "$T/import.txt")"
  fi
fi
if [ "$have_bindings" = yes ]; then
  PYTHONPATH="$BINDINGS" "$PY" - "$T" "$G" <<'PY' && ok || bad "bindings report vs CLI"
import datetime as dt, json, sys
import dvc
T = sys.argv[1]
VN = dvc.VN_TZ
a, b = dt.datetime(2019, 1, 1, tzinfo=VN), dt.datetime(2020, 1, 1, tzinfo=VN)
with dvc.Store(sys.argv[2]) as s:
    for g in ("none", "sector", "agency", "procedure", "channel", "level", "month"):
        cli = json.load(open(f"{T}/r_{g}.json"))
        py = s.report(a, b, group=g, asof=b)
        assert len(py) == len(cli), g
        for x, y in zip(py, cli):
            for k, v in x.items():
                assert k in y, (g, k)
                if isinstance(v, float):
                    assert abs(v - y[k]) < 1e-9 * max(1, abs(v)), (g, k, v, y[k])
                else:
                    assert v == y[k], (g, k, v, y[k])
    ix = [r for g in json.load(open(f"{T}/index.json"))["groups"] for r in g["indicators"]]
    assert [(r["code"], r["numerator"], r["denominator"]) for r in s.service_index(a, b, asof=b)
            if r["computable"]] == \
           [(r["code"], r["numerator"], r["denominator"]) for r in ix]
    assert s.register_csv(a, b) == open(f"{T}/reg1.csv", encoding="utf-8", newline="").read()
PY
elif [ "$MODE" = no-bindings ]; then
  echo "reports: SKIPPED the bindings check: this build has no Python binding (-Dpython, python3-cffi)" >&2
elif [ "$MODE" = cli-only ]; then
  echo "reports: SKIPPED the bindings check: sanitizer build, CLI only" >&2
fi

# ---- monthly_report.py ----
check_out() { # DIR
  "$PY" - "$1" <<'PY'
import csv, os, sys
d = sys.argv[1]
for f in ("by_sector", "by_channel", "by_unit", "by_month", "bottlenecks", "service_index", "register"):
    rows = list(csv.reader(open(os.path.join(d, f + ".csv"), encoding="utf-8")))
    assert rows and len(rows[0]) >= 6, f
for f in ("sector_channel", "on_time_by_month", "backlog_by_unit"):
    p = os.path.join(d, f + ".png")
    data = open(p, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", p
    assert len(data) > 5000, (p, len(data))
page = open(os.path.join(d, "index.html"), encoding="utf-8").read()
assert "Báo cáo tình hình giải quyết thủ tục hành chính" in page and "Tổng số hồ sơ tiếp nhận" in page
for f in ("sector_channel.png", "on_time_by_month.png", "backlog_by_unit.png", "register.csv"):
    assert f in page, f
PY
}
BACKEND=auto
[ "$have_bindings" = yes ] || BACKEND=cli
PYTHONPATH="$BINDINGS" "$PY" "$REPORT" --db "$G" --month 2019-12 --out "$T/m" --dvc "$DVC" \
  --backend $BACKEND >"$T/m.txt" 2>&1 \
  && ok || bad "monthly_report.py: $(cat "$T/m.txt")"
check_out "$T/m" && ok || bad "monthly report files"
if [ "$have_bindings" = yes ]; then
  grep -q "(bindings)" "$T/m.txt" && ok || bad "monthly_report.py did not use the bindings: $(cat "$T/m.txt")"
fi
"$PY" "$REPORT" --db "$G" --month 2019-12 --out "$T/mc" --dvc "$DVC" --backend cli >"$T/mc.txt" 2>&1 \
  && ok || bad "monthly_report.py --backend cli: $(cat "$T/mc.txt")"
check_out "$T/mc" && ok || bad "monthly report files (cli)"
"$PY" - "$T" <<'PY' && ok || bad "monthly report: bindings and CLI tables differ"
import csv, sys
T = sys.argv[1]
for f in ("by_sector", "by_channel", "by_month", "service_index"):
    a = list(csv.DictReader(open(f"{T}/m/{f}.csv", encoding="utf-8")))
    b = list(csv.DictReader(open(f"{T}/mc/{f}.csv", encoding="utf-8")))
    assert len(a) == len(b), f
    for x, y in zip(a, b):
        for k in x:
            if x[k] == "" or y[k] == "":
                continue   # a field one source does not give
            try:
                assert abs(float(x[k]) - float(y[k])) < 1e-9 * max(1, abs(float(x[k]))), (f, k)
            except ValueError:
                assert x[k] == y[k], (f, k, x[k], y[k])
month = [r for r in csv.DictReader(open(f"{T}/mc/by_month.csv", encoding="utf-8"))]
assert [r["key"] for r in month] == ["2019-%02d" % m for m in range(1, 13)], month
PY

# the demo store (July 2018, three dossiers)
DEMO=$(test_store "$T" demo)
(cd "$T" && "$DVC" --db "$DEMO" demo "$ROOT/data") >"$T/demo.txt" 2>&1 && ok || bad "demo: $(tail -3 "$T/demo.txt")"
PYTHONPATH="$BINDINGS" "$PY" "$REPORT" --db "$DEMO" --month 2018-07 --out "$T/d" --dvc "$DVC" \
  --backend $BACKEND >"$T/d.txt" 2>&1 \
  && ok || bad "monthly_report.py on the demo: $(cat "$T/d.txt")"
check_out "$T/d" && ok || bad "demo monthly report files"
grep -q "2018-07: 3 dossiers" "$T/d.txt" && ok || bad "demo report summary: $(cat "$T/d.txt")"

tally reports "on $(test_backend)"
