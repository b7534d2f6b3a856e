#!/bin/sh
# `meson install` puts the headers, the library and dvc.pc where a consumer
# finds them with pkg-config, and a program using only <dvc/dvc.h> builds and runs.
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
echo "install: 3 passed, 0 failed"
