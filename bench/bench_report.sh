#!/bin/sh
# Report benchmark: a generated store of N dossiers (default 1,000,000: one
# very busy year), then "monthly statistics by sector" three ways:
#
#  - report_month_sector: `dvc report --group sector` for November, as of
#    now (dvc_report_compute: one pass over the period's dossiers);
#  - report_year_sector:  the same over the whole year;
#  - pandas_month_sector: the register of the year exported as CSV
#    (`dvc report register`), loaded with pandas, filtered to November and
#    grouped by sector (the procedure -> sector map from the catalog export);
#    the export is timed apart (register_export). Its figures must equal
#    report_month_sector's: the register lists every dossier as recorded,
#    so the report is taken as of the same moment (now, nothing written in
#    between), not as of an earlier instant such as 2019-12-01 (that one
#    would count results that came later as pending).
#
# Wall time and peak RSS come from GNU time (/usr/bin/time -v, Debian package
# `time`); each query runs three times and the fastest run is kept. Prints
# JSON lines; asserts nothing about time. The 1M store takes minutes to
# generate and ~2.5 GB of disk: run it by hand, not in CI.
#
# usage: bench_report.sh DVC DVC_GEN SOURCE_ROOT [DOSSIERS] [WORKDIR]
#   DVC_GEN: the built tools/dvc-gen
#   WORKDIR: keep the store there (reused when it already holds DOSSIERS)
# `set -- $(best3 ...)` splits "seconds rss" on purpose.
# shellcheck disable=SC2046,SC2086
set -eu
DVC=$1
GEN=$2
ROOT=$3
N=${4:-1000000}
W=${5:-}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -x /usr/bin/time ]; then
  echo '{"bench":"report","skipped":"/usr/bin/time missing (Debian package time)"}'
  exit 0
fi
if [ -z "$W" ]; then
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
fi
mkdir -p "$W"
DB="$W/report-$N.db"

# seconds and KiB from a GNU time -v log
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

# best of three: prints "seconds rss_kib"
best3() {
  out=$1
  shift
  b=""
  for _ in 1 2 3; do
    /usr/bin/time -v "$@" >"$out" 2>"$W/time.log"
    s=$(wall "$W/time.log")
    r=$(rss "$W/time.log")
    if [ -z "$b" ] || awk "BEGIN { exit !($s < $b) }"; then b=$s; br=$r; fi
  done
  echo "$b $br"
}

if [ ! -f "$DB" ]; then
  scale=$(awk "BEGIN { printf \"%.4f\", $N / 15000 }")
  /usr/bin/time -v "$GEN" --db "$DB" --json --year 2019 --scale "$scale" --seed 1 \
    --data "$ROOT/data" >"$W/gen.json" 2>"$W/gen.time"
  "$PY" - "$W/gen.json" "$(wall "$W/gen.time")" "$(rss "$W/gen.time")" "$(du -k "$DB" | cut -f1)" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
secs, rss, kib = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(json.dumps({"bench": "report_generate", "dossiers": g["dossiers"], "actions": g["actions"],
                  "seconds": round(secs, 1), "dossiers_per_sec": round(g["dossiers"] / secs),
                  "actions_per_sec": round(g["actions"] / secs), "peak_rss_mib": round(rss / 1024, 1),
                  "store_mib": round(kib / 1024)}))
PY
fi
total=$("$DVC" --db "$DB" --json report --group none --asof 2020-01-01 |
  "$PY" -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["received"] if r else 0)')

M="--from 2019-11-01 --to 2019-12-01"
set -- $(best3 "$W/month.json" "$DVC" --db "$DB" --json report $M --group sector)
month_s=$1 month_rss=$2
set -- $(best3 "$W/year.json" "$DVC" --db "$DB" --json report --from 2019-01-01 --to 2020-01-01 \
  --asof 2020-01-01 --group sector)
year_s=$1 year_rss=$2
set -- $(best3 "$W/register.csv" "$DVC" --db "$DB" report register --from 2019-01-01 --to 2020-01-01)
export_s=$1 export_rss=$2
"$DVC" --db "$DB" catalog export --format json >"$W/catalog.json"

cat >"$W/pandas_sector.py" <<'PY'
# November by sector from the register CSV: what `dvc report --group sector` gives.
import json, sys
import pandas as pd
reg, cat, out = sys.argv[1:4]
sector = {p["code"]: v["sector"] for p in json.load(open(cat))["procedures"] for v in p["versions"]}
df = pd.read_csv(reg, dtype={"procedure": str}, usecols=["procedure", "channel", "submitted",
                 "due", "result", "state", "on_time"])
sub = pd.to_datetime(df["submitted"].str.slice(0, 19))      # local time, +07:00 throughout
nov = df[(sub >= "2019-11-01") & (sub < "2019-12-01")].copy()
nov["sector"] = nov["procedure"].map(sector)
nov["online"] = nov["channel"] == "online"
nov["counter"] = nov["channel"] == "counter"
nov["post"] = nov["channel"] == "post"
nov["on_time_n"] = nov["on_time"] == "yes"
nov["late_n"] = nov["on_time"] == "no"
for s in ("returned", "rejected", "withdrawn", "cancelled"):
    nov[s] = nov["state"] == s
g = nov.groupby("sector").agg(received=("procedure", "size"), received_online=("online", "sum"),
                              received_counter=("counter", "sum"), received_post=("post", "sum"),
                              settled_on_time=("on_time_n", "sum"), settled_late=("late_n", "sum"),
                              returned=("returned", "sum"), rejected=("rejected", "sum"),
                              withdrawn=("withdrawn", "sum"), cancelled=("cancelled", "sum"))
g["on_time_rate"] = g["settled_on_time"] / (g["settled_on_time"] + g["settled_late"])
g.reset_index().to_json(out, orient="records")
PY
if "$PY" -c "import pandas" 2>/dev/null; then
  set -- $(best3 "$W/pandas.out" "$PY" "$W/pandas_sector.py" "$W/register.csv" "$W/catalog.json" "$W/pandas.json")
  pandas_s=$1 pandas_rss=$2
  "$PY" - "$W/month.json" "$W/pandas.json" <<'PY' || { echo "bench_report: pandas and dvc disagree" >&2; exit 1; }
import json, sys
a = {r["key"]: r for r in json.load(open(sys.argv[1]))}
b = {r["sector"]: r for r in json.load(open(sys.argv[2]))}
assert set(a) == set(b), (set(a), set(b))
for k in a:
    for f in ("received", "received_online", "received_counter", "received_post",
              "settled_on_time", "settled_late", "returned", "rejected", "withdrawn", "cancelled"):
        assert a[k][f] == b[k][f], (k, f, a[k][f], b[k][f])
PY
else
  pandas_s=""
fi

"$PY" - "$N" "$total" "$month_s" "$month_rss" "$year_s" "$year_rss" "$export_s" "$export_rss" \
  "$(wc -c <"$W/register.csv")" "${pandas_s:-}" "${pandas_rss:-}" <<'PY'
import json, sys
n, total = int(sys.argv[1]), int(sys.argv[2])
ms, mr, ys, yr, es, er, csv_bytes = (float(x) for x in sys.argv[3:10])
mib = lambda kib: round(kib / 1024, 1)
print(json.dumps({"bench": "report_month_sector", "dossiers": total, "seconds": ms,
                  "peak_rss_mib": mib(mr)}))
print(json.dumps({"bench": "report_year_sector", "dossiers": total, "seconds": ys,
                  "peak_rss_mib": mib(yr)}))
print(json.dumps({"bench": "register_export", "dossiers": total, "seconds": es,
                  "peak_rss_mib": mib(er), "csv_mib": round(csv_bytes / 2**20, 1)}))
if sys.argv[10]:
    ps, pr = float(sys.argv[10]), float(sys.argv[11])
    print(json.dumps({"bench": "pandas_month_sector", "dossiers": total, "seconds": ps,
                      "peak_rss_mib": mib(pr), "ratio_to_dvc": round(ps / ms, 1) if ms else None,
                      "ratio_with_export": round((ps + es) / ms, 1) if ms else None}))
else:
    print(json.dumps({"bench": "pandas_month_sector", "skipped": "python3-pandas missing"}))
PY
