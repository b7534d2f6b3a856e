#!/bin/sh
# CI step: `pip install --no-build-isolation` of the tree (pyproject.toml,
# meson-python) into a fresh virtual environment made from Debian's python3
# with --system-site-packages (pandas, cffi and the build backend come from
# Debian), then `import dvc` from / — never from the tree or the build dir —
# using the copy of libdvc inside the installed package (asserted from
# /proc/self/maps).
# The tree is copied first: meson-python writes next to pyproject.toml.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "pip: $*" >&2; exit 1; }

mkdir "$tmp/src"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -x -C "$tmp/src"
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
echo "pip: pip install --no-build-isolation (meson-python)"
"$tmp/venv/bin/pip" install --no-build-isolation --no-index "$tmp/src" >"$tmp/pip.log" 2>&1 || {
  tail -n 60 "$tmp/pip.log" >&2
  fail "pip install failed"
}
rm -rf "$tmp/src"
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
# from /, with a clean environment: the venv's package and its own libdvc
out=$(cd / && env -i PATH=/usr/bin:/bin "$tmp/venv/bin/python" -c '
import dvc
maps = [l.split()[-1] for l in open("/proc/self/maps") if "libdvc" in l]
print(dvc.__file__)
print(maps[0] if maps else "-")
with dvc.Store() as db:  # a real call through the bundled library
    assert db.schema_version() == dvc.SCHEMA_VERSION
') || fail "import dvc failed"
file=$(echo "$out" | sed -n 1p)
lib=$(echo "$out" | sed -n 2p)
case "$file" in
  "$site"/dvc/*) ;;
  *) fail "dvc imported from $file, not from the venv ($site)" ;;
esac
# the wheel's own copy, never the system's or the build tree's
case "$lib" in
  "$site"/dvc/libdvc.so*) ;;
  *) fail "libdvc loaded from $lib, not from inside the installed package ($site/dvc)" ;;
esac
echo "pip: import dvc from $file (libdvc: $lib)"
