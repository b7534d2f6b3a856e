#!/bin/sh
# Newcomer command 1: install what is missing, build, and run the demo on a
# fresh embedded SQLite store in a temporary directory.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./build/examples/cli/dvc --db "$tmp/dvc.db" demo data
