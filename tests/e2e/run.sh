#!/bin/sh
# The browser test of the example portal: a fresh demo store, the server on
# a free loopback port, Debian's Chromium headless driven by playwright-core
# (tests/e2e/portal.e2e.mjs). Screenshots go to ARTIFACTS-DIR. The store is
# an SQLite file, or a fresh schema on DVC_TEST_DB_URI's PostgreSQL server
# when that is set (tests/test_store.sh).
#
# usage: run.sh DVC-HTTPD DVC-CLI SOURCE-ROOT ARTIFACTS-DIR
#
# Skips (exit 77) when node, Chromium or playwright-core (npm ci in
# tests/e2e) are missing, unless DVC_E2E_REQUIRED=1 (scripts/test.sh sets
# it), which turns a missing piece into a failure.
set -eu
HTTPD=$1 DVC=$2 ROOT=$3 ARTIFACTS=$4
E2E="$ROOT/tests/e2e"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

missing=""
command -v node >/dev/null 2>&1 || missing="node"
[ -x "$CHROMIUM" ] || missing="$missing chromium"
[ -d "$E2E/node_modules/playwright-core" ] || missing="$missing playwright-core (cd tests/e2e && npm ci)"
if [ -n "$missing" ]; then
  echo "e2e: missing:$missing" >&2
  [ "${DVC_E2E_REQUIRED:-0}" = 1 ] && exit 1
  exit 77
fi

# shellcheck source=tests/test_store.sh
. "$ROOT/tests/test_store.sh"
T=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$T"
  drop_test_stores
}
trap cleanup EXIT INT TERM

DB=$(test_store "$T" portal)
(cd "$T" && "$DVC" --db "$DB" demo "$ROOT/data") >"$T/demo.txt" 2>&1
# birth registration (1.001193) is a commune procedure: the commune's own
# desk receives it, its specialist works on it and its chairman signs
"$DVC" --db "$DB" officer add ha.xa --name "Vũ Thị Hà" --unit 001.20.30.H24 \
  --role reception >/dev/null
"$DVC" --db "$DB" officer add tam.nv --name "Nguyễn Văn Tâm" --unit 001.20.30.H24 \
  --role specialist >/dev/null
"$DVC" --db "$DB" officer add son.xa --name "Đặng Văn Sơn" --unit 001.20.30.H24 \
  --role signing_leader >/dev/null
ha=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
tam=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
son=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
hoa=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
# hoa.lt: the district desk of the demo store (the level-4 dossier)
printf 'ha.xa:%s\ntam.nv:%s\nson.xa:%s\nhoa.lt:%s\n' "$ha" "$tam" "$son" "$hoa" >"$T/tokens"
# the payment gateway's shared secret: the test plays the gateway
GATEWAY_SECRET=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')

# the server's spool: its default (DB.files) beside an SQLite store, a
# directory of its own for a PostgreSQL URI
set --
[ -n "${DVC_TEST_DB_URI:-}" ] && set -- --files-dir "$T/portal.files"
DVC_GATEWAY_SECRET="$GATEWAY_SECRET" "$HTTPD" --db "$DB" "$@" --port 0 --port-file "$T/port" \
  --officer-tokens "$T/tokens" \
  --clock-start 2018-07-09T08:00:00+07:00 \
  --sign-key "$ROOT/data/demo-keys/demo-signing-key.pem" --sign-cert "$ROOT/data/demo-keys/demo-signing-cert.pem" \
  >"$T/server.out" 2>"$T/server.log" &
pid=$!
i=0
while [ ! -s "$T/port" ]; do
  i=$((i + 1))
  [ $i -gt 100 ] && { echo "e2e: the server did not start" >&2; cat "$T/server.log" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$T/port")

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
rc=0
BASE_URL="http://127.0.0.1:$port" ARTIFACTS="$ARTIFACTS" CHROMIUM="$CHROMIUM" \
  TOKENS="{\"ha.xa\":\"$ha\",\"tam.nv\":\"$tam\",\"son.xa\":\"$son\",\"hoa.lt\":\"$hoa\"}" \
  GATEWAY_SECRET="$GATEWAY_SECRET" \
  timeout 180 node "$E2E/portal.e2e.mjs" || rc=$?
# a clean stop (SIGTERM) exits 0; under the sanitizers a leak report would not
kill "$pid"
src=0
wait "$pid" || src=$?
pid=""
[ "$src" -eq 0 ] || { echo "e2e: the server exited with status $src" >&2; rc=1; }
cp "$T/server.log" "$ARTIFACTS/server.log"
if grep -Eq ' 5[0-9][0-9] [0-9]+ ' "$T/server.log"; then
  echo "e2e: the server answered 5xx:" >&2
  grep -E ' 5[0-9][0-9] [0-9]+ ' "$T/server.log" >&2
  rc=1
fi
echo "e2e: on $(test_backend); screenshots in $ARTIFACTS"
exit $rc
