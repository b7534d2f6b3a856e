#!/bin/sh
# A throwaway PostgreSQL server for the test suites: initdb into a new
# directory, listening on a Unix socket only (no TCP), fsync off (the data
# is thrown away). Run as root, the server runs as the `postgres` user the
# Debian package creates (PostgreSQL refuses to run as root).
#
#   eval "$(scripts/pg-test-server.sh start DIR)"   # exports DVC_TEST_DB_URI
#   scripts/pg-test-server.sh stop DIR
#
# `start` fails (exit 1, the server's log on stderr) when the server cannot
# start: a caller that expected PostgreSQL must fail, not skip.
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
fi
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || { echo "$0: no PostgreSQL server (initdb) found; install postgresql" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if ! as_owner "$bindir/initdb" -D "$dir/data" -U dvc -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2; exit 1
  fi
  mkdir -p "$dir/sock"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/sock"
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses= -c unix_socket_directories=$dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    cat "$dir/server.log" >&2; exit 1
  fi
  if ! "$bindir/psql" -h "$dir/sock" -U dvc -d postgres -qAt -c "CREATE DATABASE dvc" >/dev/null 2>"$dir/createdb.log"; then
    cat "$dir/createdb.log" >&2; exit 1
  fi
  echo "export DVC_TEST_DB_URI='postgresql:///dvc?host=$dir/sock&user=dvc'"
  ;;
stop)
  [ -d "$dir/data" ] || exit 0
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
