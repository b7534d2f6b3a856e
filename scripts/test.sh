#!/bin/sh
# Newcomer command 2: install what is missing, build, and run every test:
# the Check suites and CLI checks on a normal build, then the same suites on
# an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)
# the browser test's driver (playwright-core, pinned in tests/e2e/package-lock.json;
# it drives Debian's /usr/bin/chromium and never downloads a browser)
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
export DVC_E2E_REQUIRED=1
# the portal's VNeID sign-in test fails rather than skips without authlib or
# an OIDC-enabled dvc-httpd (python3-authlib, libcjose-dev, libcurl above)
export DVC_OIDC_REQUIRED=1

echo "== build and test (debugoptimized)"
# configured again every time: Check must be found here (-Dtests=enabled), even
# when build/ was first made by demo.sh on a machine without it
scripts/meson-setup.sh --reconfigure build --buildtype=debugoptimized -Dtests=enabled
ninja -C build
meson test -C build --print-errorlogs --num-processes "$jobs"

# The same Check suites on PostgreSQL (issue 17): a throwaway server started
# here (scripts/pg-test-server.sh; as the postgres user when run as root, a
# Unix socket, no network), each suite's stores in fresh schemas on it. A
# server that cannot start fails the run. Suites not in pg_suites stay on
# SQLite, on this explicit list and for the reason given:
#   oom, oom_api   allocation failure injected into the library's allocator;
#                  libpq allocates with its own malloc, out of reach
# crash (kill -9 mid-write), concurrency (processes and threads on one
# store) and document_big (a 200 MB file under a 64 MB address-space cap,
# counted above what is mapped at start, libpq included) run on both; only
# their SQLite-file checks (PRAGMA integrity_check, foreign_key_check; the
# whole-file write lock) stay SQLite's, said in each test.
# calendar, lunar, text, validate, eform and discovery open no store at all.
# cli stays on SQLite beside its PostgreSQL twin cli_pg (it copies, tampers
# with and reads the SQLite files themselves); abi, layers, install and the
# replay_fuzz_* corpora check the build, the exported symbols and the fuzz
# targets (on in-memory SQLite stores), not a store backend.
# many_process (three dvc-httpd and three dvc-notify-send on one schema)
# runs on PostgreSQL only: it skips without DVC_TEST_DB_URI.
pg_suites="store catalog agency catalog_io search level4 slip view declaration rating privacy
  json access limits pg identity national cli_pg many_process document dossier sign throttle report proof
  crash concurrency document_big session request"
if [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || [ "${DVC_PG_REQUIRED:-}" = 1 ]; then
  # the Python tests whose stores come from conftest.fresh_store() (psql
  # makes their schemas), when pytest registered them
  if meson test -C build --list 2>/dev/null | grep -q '/ python$'; then
    pg_suites="$pg_suites python"
  fi
  # the OIDC suite, and the HTTP, sender, report and memory tests, each
  # store a schema of its own (tests/httpd_harness.py, tests/test_store.sh)
  pg_suites="$pg_suites oidc httpd_api httpd_e2e httpd_oidc httpd_oidc_e2e notify_sender
    national_sync reports memory"
  echo "== the Check suites, the CLI, HTTP, browser and Python tests on PostgreSQL (fresh server, Unix socket)"
  pgdir=$(mktemp -d /tmp/dvc-pg-XXXXXX)
  trap 'scripts/pg-test-server.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
  eval "$(scripts/pg-test-server.sh start "$pgdir")"
  # shellcheck disable=SC2086
  DVC_TEST_DB_URI=$DVC_TEST_DB_URI meson test -C build --print-errorlogs --num-processes "$jobs" \
    --logbase pgtestlog $pg_suites
  unset DVC_TEST_DB_URI
  scripts/pg-test-server.sh stop "$pgdir"
  pg_ok=$(grep -o '"result": "OK"' build/meson-logs/pgtestlog.json | wc -l)
  # every registered suite not in pg_suites (split on purpose)
  # shellcheck disable=SC2086
  sqlite_only=$(meson test -C build --list 2>/dev/null | sed -n 's|^.* / ||p' \
    | grep -vxF "$(printf '%s\n' $pg_suites)" | tr '\n' ' ')
  # shellcheck disable=SC2086
  echo "postgresql: $pg_ok suites passed of $(echo $pg_suites | wc -w); on SQLite only (for the reasons above pg_suites): $sqlite_only"
else
  echo "== PostgreSQL suites skipped: no PostgreSQL server installed (scripts/install-deps.sh --test installs it)"
fi

echo "== build and test (address + undefined sanitizers)"
scripts/meson-setup.sh --reconfigure build-san --buildtype=debug -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbench=false -Dtests=enabled
ninja -C build-san
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-san --print-errorlogs --num-processes "$jobs"

# Reliability suite (docs/robustness.md): each libFuzzer target on its seed
# corpus for a fixed number of inputs from a fixed seed, so that the run is
# reproducible. The long, open-ended run: tests/fuzz/run.sh all 120
echo "== fuzz (libFuzzer + ASan + UBSan, ${DVC_FUZZ_RUNS:-40000} inputs per target, seed 1)"
if command -v clang >/dev/null 2>&1; then
  FUZZ_RUNS=${DVC_FUZZ_RUNS:-40000} tests/fuzz/run.sh all 0
else
  echo "clang not found: fuzz stage skipped (scripts/install-deps.sh --test installs it)"
fi
# One closing line over both builds (meson's per-test results).
count() { grep -o "\"result\": \"$2\"" "$1/meson-logs/testlog.json" | wc -l; }
passed=$(( $(count build OK) + $(count build-san OK) ))
failed=$(( $(count build FAIL) + $(count build-san FAIL) + $(count build TIMEOUT) + $(count build-san TIMEOUT) ))
skipped=$(( $(count build SKIP) + $(count build-san SKIP) ))
echo "== all tests passed"
echo "tests: $passed passed, $failed failed, $skipped skipped"
