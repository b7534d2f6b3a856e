#!/bin/sh
# `meson install` puts the headers, the library and dvc.pc where a consumer
# finds them with pkg-config, and a program using only <dvc/dvc.h> builds and
# runs; the installed `dvc demo`, run from /, finds the installed data.
set -eu
BUILD=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
meson install -C "$BUILD" --destdir "$T/root" --no-rebuild >/dev/null
pc=$(find "$T/root" -name dvc.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: dvc.pc not installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
cat >"$T/consumer.c" <<'C'
#include <dvc/dvc.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	dvc_db *db;
	if (strcmp(dvc_version(), DVC_VERSION) != 0 || dvc_open(&db, ":memory:", NULL) != DVC_OK)
		return 1;
	dvc_close(db);
	puts("ok");
	return 0;
}
C
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$T/root$prefix" --cflags --libs dvc)
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Wpedantic -Werror ${CONSUMER_CFLAGS:-} "$T/consumer.c" -o "$T/consumer" $flags
libdir=$(dirname "$(find "$T/root" -name 'libdvc.so.0' | head -1)")
out=$(LD_LIBRARY_PATH="$libdir" "$T/consumer")
[ "$out" = "ok" ] || { echo "FAIL: consumer printed '$out'"; exit 1; }
# only the public API is exported
bad=$(nm -D --defined-only "$libdir/libdvc.so.0" | awk '{print $3}' | grep -v '^dvc_' || true)
[ -z "$bad" ] || { echo "FAIL: symbols outside the API are exported: $bad"; exit 1; }
# the installed CLI, from /, with no data argument: the copy installed next to
# it (<prefix>/share/dvc, found relative to the executable under --destdir)
dvc=$(find "$T/root" -path '*/bin/dvc' | head -1)
[ -n "$dvc" ] || { echo "FAIL: dvc not installed"; exit 1; }
(cd / && env -u DVC_DATA_DIR LD_LIBRARY_PATH="$libdir" "$dvc" --db "$T/demo.db" demo) >"$T/demo.txt" 2>&1 \
  || { echo "FAIL: installed dvc demo: $(tail -3 "$T/demo.txt")"; exit 1; }
grep -q "^\$ dvc catalog import $T/root/.*/dvc/catalog/kien-thuy-2018.json" "$T/demo.txt" \
  || { echo "FAIL: demo did not use the installed data: $(grep 'catalog import' "$T/demo.txt")"; exit 1; }
tail -n 1 "$T/demo.txt" | grep -q "journal chains intact" || { echo "FAIL: demo did not finish"; exit 1; }
# a data directory that is given but missing is an error, not replaced
if (cd / && LD_LIBRARY_PATH="$libdir" DVC_DATA_DIR="$T/none" "$dvc" --db "$T/demo2.db" demo) 2>"$T/err"; then
  echo "FAIL: a missing DVC_DATA_DIR was replaced"; exit 1
fi
grep -q "does not exist" "$T/err" || { echo "FAIL: missing DVC_DATA_DIR error: $(cat "$T/err")"; exit 1; }
# the simulator is a development tool: built, not installed
[ -z "$(find "$T/root" -name 'dvc-gen*')" ] || { echo "FAIL: dvc-gen was installed"; exit 1; }
echo "install: 6 passed, 0 failed"
