#!/bin/sh
# Run one libFuzzer target for a fixed time on its seed corpus.
#   tests/fuzz/run.sh TARGET SECONDS      e.g. tests/fuzz/run.sh fuzz_eform 120
#   tests/fuzz/run.sh all SECONDS         every target, one after the other
# Builds build-fuzz/ with clang (ASan + UBSan + libFuzzer) on first use.
# New interesting inputs go to build-fuzz/corpus/TARGET (the seeds in
# tests/fuzz/corpus/TARGET are read, never written); a crash leaves
# build-fuzz/TARGET-crash-* and makes the script fail: turn it into a regression
# test (tests/fuzz/corpus/TARGET/regress-*) and report it.
# FUZZ_RUNS=N runs N inputs from a fixed seed (FUZZ_SEED, default 1) instead
# of running for SECONDS: what CI does, so that a run is reproducible.
# FUZZ_FLAGS adds libFuzzer flags (e.g. "-fork=1 -ignore_crashes=1" to go on
# past known crashes). Prints one JSON line per target: {"target":..,"seconds":..,"execs":..,"corpus":..}
set -eu
cd "$(dirname "$0")/../.."
target=${1:?usage: tests/fuzz/run.sh TARGET|all SECONDS}
secs=${2:-15}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=disabled -Dbench=false \
    -Dpython=disabled -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized >/dev/null
fi
if [ "$target" = all ]; then
  for f in tests/fuzz/fuzz_*.c; do
    "$0" "$(basename "$f" .c)" "$secs"
  done
  exit 0
fi
ninja -C build-fuzz "tests/fuzz/$target" >/dev/null
mkdir -p "build-fuzz/corpus/$target"
log="build-fuzz/$target.log"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
# shellcheck disable=SC2086
if [ -n "${FUZZ_RUNS:-}" ]; then
  budget="-runs=$FUZZ_RUNS -seed=${FUZZ_SEED:-1}"
else
  budget="-max_total_time=$secs"
fi
# shellcheck disable=SC2086
"build-fuzz/tests/fuzz/$target" ${FUZZ_FLAGS:-} $budget -max_len=65536 -timeout=20 \
  -rss_limit_mb=4096 -artifact_prefix="build-fuzz/$target-" -print_final_stats=1 \
  "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
# fork mode (FUZZ_FLAGS="-fork=1 -ignore_crashes=1") prints no stats: last "#N"
[ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
corpus=$(ls "build-fuzz/corpus/$target" | wc -l)
crashes=$(ls build-fuzz/"$target"-crash-* build-fuzz/"$target"-leak-* build-fuzz/"$target"-timeout-* 2>/dev/null | wc -l)
echo "{\"target\":\"$target\",\"seconds\":$secs,\"execs\":${execs:-0},\"corpus\":$corpus,\"crash_files\":$crashes,\"status\":$status}"
if [ "$status" -ne 0 ]; then
  tail -40 "$log" >&2
  exit "$status"
fi
