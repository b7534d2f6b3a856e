#!/bin/sh
# Load on the example portal server, loopback only, bounded in time: wrk
# against catalog search and dossier tracking on the demo store. Prints one
# JSON line per scenario (requests/s, latency percentiles, errors); asserts
# nothing about timings.
#
# usage: httpd_load.sh DVC-HTTPD DVC-CLI SOURCE-ROOT [SECONDS] [CONNECTIONS] [THREADS]
set -eu
HTTPD=$1 DVC=$2 ROOT=$3
SECS=${4:-10} CONNS=${5:-32} SRV_THREADS=${6:-4}
command -v wrk >/dev/null 2>&1 || { echo '{"bench":"httpd_load","skipped":"wrk not installed"}'; exit 77; }
command -v curl >/dev/null 2>&1 || { echo '{"bench":"httpd_load","skipped":"curl not installed"}'; exit 77; }

T=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$DVC" --db "$T/portal.db" demo "$ROOT/data" >/dev/null 2>&1
echo "thu.nt:desk-token-for-the-load-test" >"$T/tokens"
"$HTTPD" --db "$T/portal.db" --port 0 --port-file "$T/port" --threads "$SRV_THREADS" \
  --officer-tokens "$T/tokens" >/dev/null 2>"$T/server.log" &
pid=$!
i=0
while [ ! -s "$T/port" ]; do
  i=$((i + 1)); [ $i -gt 100 ] && { echo "httpd_load: the server did not start" >&2; exit 1; }
  sleep 0.1
done
BASE="http://127.0.0.1:$(cat "$T/port")"

# one anonymous dossier to track
csrf=$(curl -sf -c "$T/cj" "$BASE/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
curl -sf -b "$T/cj" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"procedure":"1.001193","applicant":{"full_name":"Nguyễn Văn An","citizen_id":"031099001234","birth_date":"1999-05-12","address":"Thôn 3, xã Thụy Hương","phone":"0912345678"},"form_data":{"kinh_gui":"Ủy ban nhân dân xã Kiến Hưng","nguoi_yeu_cau_ho_ten":"Nguyễn Văn An","nguoi_yeu_cau_noi_cu_tru":"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng","nguoi_yeu_cau_giay_to_tuy_than":"Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022","quan_he":"Cha","ho_ten":"Nguyễn Minh Khôi","ngay_sinh_bang_chu":"Ngày một tháng một năm hai nghìn không trăm hai mươi sáu","dan_toc":"Kinh","quoc_tich":"Việt Nam","noi_sinh":"Bệnh viện Phụ sản Hải Phòng","que_quan":"xã Kiến Hưng, thành phố Hải Phòng","me_ho_ten":"Trần Thị Bình","me_dan_toc":"Kinh","me_quoc_tich":"Việt Nam","me_noi_cu_tru":"Thôn 3, xã Kiến Hưng, thành phố Hải Phòng","ngay_sinh":"2026-01-01","gioi_tinh":"Nam"}}' \
  "$BASE/api/dossiers" >"$T/receipt.json"
code=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/receipt.json")
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$T/receipt.json")

# wrk's report -> one JSON line
report() {
  python3 - "$1" "$2" "$SECS" "$CONNS" "$SRV_THREADS" <<'PY'
import json, re, sys
name, path, secs, conns, threads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
text = open(path).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs = re.search(r"Socket errors: (.*)", text)
print(json.dumps({"bench": name, "requests_per_s": round(rps, 1), "requests": total,
                  "p50_ms": pct.get("50"), "p90_ms": pct.get("90"), "p99_ms": pct.get("99"),
                  "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                  "socket_errors": errs.group(1) if errs else None,
                  "duration_s": secs, "connections": conns, "server_threads": threads,
                  "wrk_threads": 2}))
PY
}

# the floor: a reply that reads nothing
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$BASE/api/health" >"$T/health.txt"
report httpd_health "$T/health.txt"
# a signed-in officer's session, read from the store on every request
# (session.h): what each signed-in request costs before its own work
ocsrf=$(curl -sf -c "$T/oj" "$BASE/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
curl -sf -b "$T/oj" -c "$T/oj" -H "X-CSRF-Token: $ocsrf" -H 'Content-Type: application/json' \
  -d '{"username":"thu.nt","token":"desk-token-for-the-load-test"}' "$BASE/api/officer/login" >/dev/null
ocookie=$(awk '$6 == "dvc_session" { print $7 }' "$T/oj")
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Cookie: dvc_session=$ocookie" \
  "$BASE/api/session" >"$T/session.txt"
report httpd_session_officer "$T/session.txt"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$BASE/api/procedures?q=khai%20sinh" >"$T/search.txt"
report httpd_search "$T/search.txt"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "X-Tracking-Secret: $secret" \
  "$BASE/api/dossiers/$code" >"$T/track.txt"
report httpd_track "$T/track.txt"
