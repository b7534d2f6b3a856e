#!/bin/sh
# CI step (the last one): the Debian packages. Builds libdvc0, libdvc-dev,
# python3-dvc and dvc-tools with dpkg-buildpackage from a copy of the tree in
# a temporary directory (the source tree stays clean), checks them with
# lintian (errors and warnings fail; debian/*.lintian-overrides explain the
# rest), installs them with apt-get, and runs from / under
# `env -i PATH=/usr/bin:/bin`, so that nothing can come from the build tree:
# `dvc demo` on the installed data, a C consumer built with
# `pkg-config --cflags --libs dvc`, and `import dvc` from dist-packages.
# The packages are purged again at the end, pass or fail.
# DVC_DEBS_DIR=DIR: work in DIR and keep it (an existing build there is
# reused), to look at the packages or iterate on the checks.
set -eu
cd "$(dirname "$0")/.."
version=$(dpkg-parsechangelog -S Version)
keep=${DVC_DEBS_DIR:-}
if [ -n "$keep" ]; then mkdir -p "$keep"; tmp=$(cd "$keep" && pwd); else tmp=$(mktemp -d); fi
pkgs="libdvc0 libdvc-dev python3-dvc dvc-tools"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
installed=""
cleanup() {
  # shellcheck disable=SC2086
  [ -z "$installed" ] || $SUDO apt-get purge -y -qq $pkgs >/dev/null 2>&1 || true
  [ -n "$keep" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "debs: $*" >&2; exit 1; }

arch=$(dpkg --print-architecture)
src="$tmp/libdvc-$version"
if [ -z "$keep" ] || [ ! -f "$tmp/libdvc_${version}_$arch.changes" ]; then
  rm -rf "$src"
  mkdir "$src"
  # tracked and new files, as they are in the working tree
  git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -x -C "$src"
  echo "debs: dpkg-buildpackage -b -us -uc"
  (cd "$src" && dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1 || {
    tail -n 60 "$tmp/build.log" >&2
    fail "dpkg-buildpackage failed"
  }
fi
for p in $pkgs; do
  [ -f "$tmp/${p}_${version}_$arch.deb" ] || fail "$p was not built"
done
echo "debs: lintian"
lintian --fail-on error,warning \
  "$tmp/libdvc_${version}_$arch.changes" || fail "lintian"

echo "debs: apt-get install"
installed=1
# shellcheck disable=SC2046
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  $(for p in $pkgs; do echo "$tmp/${p}_${version}_$arch.deb"; done) >"$tmp/apt.log" 2>&1 \
  || { cat "$tmp/apt.log" >&2; fail "apt-get install failed"; }

run() { (cd / && env -i PATH=/usr/bin:/bin "$@"); }
# the CLI and its data, from /usr
[ "$(run sh -c 'command -v dvc')" = /usr/bin/dvc ] || fail "dvc is not /usr/bin/dvc"
run dvc --db "$tmp/x.db" demo >"$tmp/demo.txt" 2>&1 || { tail -n 5 "$tmp/demo.txt" >&2; fail "dvc demo"; }
grep -q '^\$ dvc catalog import /usr/share/dvc/catalog/kien-thuy-2018.json$' "$tmp/demo.txt" \
  || fail "dvc demo did not read /usr/share/dvc"
tail -n 1 "$tmp/demo.txt" | grep -q "journal chains intact" || fail "dvc demo did not finish"
run dvc-notify-send --help >/dev/null 2>&1 || fail "dvc-notify-send --help"
run dvc-httpd --help >/dev/null 2>&1 || fail "dvc-httpd --help"
# a C consumer through pkg-config, linked to /usr/lib's libdvc.so.0
cat >"$tmp/consumer.c" <<'C'
#include <dvc/dvc.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	dvc_db *db;
	dvc_search_result *r;
	if (strcmp(dvc_version(), DVC_VERSION) != 0 || dvc_open(&db, ":memory:", NULL) != DVC_OK ||
	    dvc_catalog_import_file(db, "/usr/share/dvc/catalog/kien-thuy-2018.json", DVC_FORMAT_AUTO,
				    NULL) != DVC_OK ||
	    dvc_catalog_search(db, "dang ky khai sinh", NULL, &r) != DVC_OK || dvc_search_result_count(r) == 0)
		return 1;
	printf("%s\n", dvc_search_result_at(r, 0)->code);
	dvc_search_result_free(r);
	dvc_close(db);
	return 0;
}
C
run sh -c "cc -std=c11 -Wall -Werror $tmp/consumer.c -o $tmp/consumer \$(pkg-config --cflags --libs dvc)" \
  || fail "the C consumer does not build with pkg-config"
[ "$(run "$tmp/consumer")" = 1.001193 ] || fail "the C consumer's search"
run sh -c "ldd $tmp/consumer" | grep -Eq "libdvc.so.0 => (/usr)?/lib/" || fail "the consumer does not use /usr/lib's libdvc"
# the Python binding from dist-packages
out=$(run python3 -c '
import dvc
print(dvc.__file__)
print([l.split()[-1] for l in open("/proc/self/maps") if "libdvc" in l][0])
with dvc.Store() as db:
    db.import_catalog("/usr/share/dvc/catalog/kien-thuy-2018.json")
    print(db.search("dang ky khai sinh")[0]["code"])
') || fail "import dvc"
f=$(echo "$out" | sed -n 1p)
case "$f" in
  /usr/lib/python3/dist-packages/dvc/*) ;;
  *) fail "dvc imported from $f, not dist-packages" ;;
esac
# the binding goes through libdvc0's library (it bundles none)
case "$(echo "$out" | sed -n 2p)" in
  /usr/lib/*/libdvc.so.0*|/lib/*/libdvc.so.0*) ;;
  *) fail "the binding loaded $(echo "$out" | sed -n 2p), not libdvc0's" ;;
esac
[ "$(echo "$out" | sed -n 3p)" = 1.001193 ] || fail "the binding's search"
echo "debs: built, lintian clean, installed; demo, C consumer and import dvc ok ($f)"
