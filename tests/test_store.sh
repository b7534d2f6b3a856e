# Sourced by the shell tests (e2e/run.sh, notify_sender_test.sh): the store
# a test runs on, as tests/httpd_harness.py gives it to the Python tests. An
# SQLite file in the test's directory, or, when DVC_TEST_DB_URI names a
# PostgreSQL server (scripts/pg-test-server.sh; scripts/test.sh's PostgreSQL
# stage), a schema of its own on it, made with psql. The schemas are named
# after this shell's process id, so suites run in parallel.

# test_backend: "postgresql" or "sqlite"
test_backend() {
  if [ -n "${DVC_TEST_DB_URI:-}" ]; then echo postgresql; else echo sqlite; fi
}

# test_store DIR NAME: print what --db takes for a fresh empty store
test_store() {
  if [ -z "${DVC_TEST_DB_URI:-}" ]; then
    echo "$1/$2.db"
    return 0
  fi
  _schema="s$$_$2"
  psql -X -q -v ON_ERROR_STOP=1 "$DVC_TEST_DB_URI" \
    -c "DROP SCHEMA IF EXISTS $_schema CASCADE; CREATE SCHEMA $_schema" >/dev/null || return 1
  case $DVC_TEST_DB_URI in *\?*) _sep='&' ;; *) _sep='?' ;; esac
  echo "$DVC_TEST_DB_URI${_sep}options=-csearch_path%3D$_schema"
}

# drop_test_stores: drop the schemas test_store made in this shell
drop_test_stores() {
  [ -n "${DVC_TEST_DB_URI:-}" ] || return 0
  psql -X -qAt "$DVC_TEST_DB_URI" \
    -c "SELECT nspname FROM pg_namespace WHERE nspname LIKE 's$$\\_%'" 2>/dev/null |
    while read -r _schema; do
      psql -X -q "$DVC_TEST_DB_URI" -c "DROP SCHEMA IF EXISTS $_schema CASCADE" >/dev/null 2>&1
    done
}
