#!/bin/sh
# CI step: the README's first command on a machine without the test packages.
# Check is hidden from pkg-config (and so from meson), then scripts/demo.sh
# runs in a fresh clone: once after a `meson setup` that failed half-way (the
# half-made build/ must be set up again, not reused), once more on the
# finished build/. Each run must end with the demo's last line.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every .pc file of the default search path except Check's
mkdir "$tmp/pc"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
  [ -d "$d" ] || continue
  for f in "$d"/*.pc; do
    [ -e "$f" ] && [ "${f##*/}" != check.pc ] && ln -sf "$f" "$tmp/pc/"
  done
done
PKG_CONFIG_LIBDIR="$tmp/pc"
export PKG_CONFIG_LIBDIR
if pkg-config --exists check; then
  echo "demo-without-check: Check is still visible to pkg-config" >&2
  exit 1
fi
pkg-config --exists sqlite3 libcjson libxml-2.0 libsodium || {
  echo "demo-without-check: the runtime .pc files are missing from $tmp/pc" >&2
  exit 1
}

git clone -q . "$tmp/clone"
cd "$tmp/clone"
# What a newcomer's first try left behind before: a setup stopped by the
# missing Check, build/ half made.
if meson setup build -Dtests=enabled >"$tmp/setup.log" 2>&1; then
  echo "demo-without-check: meson found Check although it is hidden" >&2
  exit 1
fi
[ ! -f build/build.ninja ] || { echo "demo-without-check: expected a half-made build/" >&2; exit 1; }

for run in 1 2; do
  scripts/demo.sh >"$tmp/demo.out"
  # the demo's last line: "3 dossiers verified, journal chains intact"
  tail -n 1 "$tmp/demo.out" | grep -q 'verified, journal chains intact$' || {
    cat "$tmp/demo.out" >&2
    echo "demo-without-check: run $run did not end with the demo's last line" >&2
    exit 1
  }
  echo "demo-without-check: run $run ok: $(tail -n 1 "$tmp/demo.out")"
done
# the demo build registered no test (they need Check)
if meson introspect build --tests | grep -q '"name"'; then
  echo "demo-without-check: tests were registered without Check" >&2
  exit 1
fi
