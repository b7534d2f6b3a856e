#!/bin/sh
# Newcomer command 1: install what is missing, build, and run the demo on a
# fresh embedded SQLite store in build/demo. Needs only the
# runtime packages: without Check the test suites are simply not built.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/meson-setup.sh build --buildtype=debugoptimized
log=$(mktemp)
# the store and the signed result the demo writes beside it stay in
# build/demo, so the xmlsec1 command the demo prints still works afterwards
tmp=build/demo
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -f "$log"' EXIT
if ! ninja -C build examples/cli/dvc >"$log" 2>&1; then
  cat "$log" >&2
  echo "demo.sh: the build failed (ninja -C build examples/cli/dvc)" >&2
  exit 1
fi
./build/examples/cli/dvc --db "$tmp/dvc.db" demo data
