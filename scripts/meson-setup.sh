#!/bin/sh
# Set up a meson build directory so that it is always usable, for demo.sh and
# test.sh. Usage: scripts/meson-setup.sh [--reconfigure] DIR [MESON-OPTIONS...]
#   - DIR/build.ninja exists: the directory is reused (with --reconfigure it is
#     configured again with the options given, which also probes the
#     dependencies again);
#   - a half-made DIR (a setup that failed or was interrupted): set up again,
#     wiped first when meson left its configuration behind;
#   - no DIR: set up.
# meson's output is kept quiet when it succeeds and shown whole when it fails.
set -eu
reconfigure=""
if [ "${1:-}" = "--reconfigure" ]; then reconfigure=1; shift; fi
dir=$1
shift
if [ -f "$dir/build.ninja" ]; then
  [ -n "$reconfigure" ] || exit 0
  set -- --reconfigure "$@"
elif [ -f "$dir/meson-private/coredata.dat" ]; then
  set -- --wipe "$@"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! meson setup "$@" "$dir" >"$log" 2>&1; then
  cat "$log" >&2
  echo "meson setup $* $dir failed (full log: $dir/meson-logs/meson-log.txt)" >&2
  exit 1
fi
