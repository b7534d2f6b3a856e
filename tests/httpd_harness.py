"""What the HTTP tests share (httpd_api_test.py, httpd_oidc_test.py,
many_process_test.py, e2e/vneid_run.py, national_sync_test.py): a free
loopback port, a server started with --port-file and waited for, processes
stopped cleanly, and the store a test runs on.

The store: an SQLite file in the test's directory, or, when DVC_TEST_DB_URI
names a PostgreSQL server (scripts/pg-test-server.sh; scripts/test.sh's
PostgreSQL stage), a schema of its own on it, made with psql as
tests/testutil.c's fresh_store() and bindings/python/tests/conftest.py do.
Each test process gets its own schemas, so suites run in parallel.
"""
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

URI = os.environ.get("DVC_TEST_DB_URI") or None
BACKEND = "postgresql" if URI else "sqlite"

_schemas = []

# What a test script checked, and what failed (check()).
failures = []
checks = 0


def check(cond, what):
    """Count a check; a failed one is printed and kept in `failures`."""
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def summary(name):
    """The closing line of a test script; its exit status."""
    print(f"{name}: {checks - len(failures)}/{checks} checks passed on {BACKEND}")
    return 1 if failures else 0


def exchange(c, method, path, body, headers, cookie):
    """One request on the http.client connection `c`, which it closes: the
    response, its bytes, its JSON document (None when it is not JSON) and the
    session cookie (the one the response sets, else `cookie`)."""
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    sc = r.getheader("Set-Cookie")
    m = re.match(r"dvc_session=([0-9a-f]+)", sc) if sc else None
    c.close()
    doc = json.loads(data) if (r.getheader("Content-Type") or "").startswith("application/json") else None
    return r, data, doc, m.group(1) if m else cookie


def free_port():
    """A loopback port nothing listens on (for a server that must know its
    own URL before it starts)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port_file(proc, path, what=None, log=None, seconds=20):
    """The port a server wrote to `path` once it listens; SystemExit when it
    exits first or does not start in time (with the tail of `log`)."""
    what = what or os.path.basename(proc.args[0])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            text = open(path).read().strip()
            if text:
                return int(text)
        if proc.poll() is not None:
            tail = open(log).read()[-2000:] if log and os.path.exists(log) else ""
            raise SystemExit(f"{what} exited with {proc.returncode}" + (": " + tail if tail else ""))
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


def start(cmd, port_file, log, env=None, what=None):
    """Start `cmd` (which writes its port to `port_file`), stderr appended
    to `log`; (process, port) once it listens."""
    with open(log, "a") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
    return p, wait_port_file(p, port_file, what=what, log=log)


def files_args(tmp, name="server"):
    """dvc-httpd's --files-dir: none on SQLite (the server's default,
    DB.files beside the store), a directory in tmp for a PostgreSQL URI."""
    return ["--files-dir", os.path.join(tmp, name + ".files")] if URI else []


def files_dir(store, tmp, name="server"):
    """Where dvc-httpd started with files_args(tmp, name) spools uploads."""
    return os.path.join(tmp, name + ".files") if URI else store + ".files"


def start_httpd(httpd, store, tmp, *args, env=None, name="server", port=0):
    """dvc-httpd on `store`, on `port` (0: any), its log in tmp/NAME.log,
    its spool where files_dir() says; (process, port) once it listens."""
    port_file = os.path.join(tmp, "%s-port-%d" % (name, time.monotonic_ns()))
    return start([httpd, "--db", store, "--port", str(port), "--port-file", port_file,
                  *files_args(tmp, name), *args],
                 port_file, os.path.join(tmp, name + ".log"), env=env,
                 what=os.path.basename(httpd) + " " + name)


def stop(procs, timeout=10):
    """SIGTERM to each process still running, then wait (SIGKILL after
    `timeout` seconds); the exit statuses."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes


def fresh_store(tmp, name):
    """A new empty store for this test: tmp/NAME.db, or a fresh schema on
    the PostgreSQL server of DVC_TEST_DB_URI (dropped by drop_stores())."""
    if not URI:
        return os.path.join(tmp, name + ".db")
    schema = "h%d_%s" % (os.getpid(), name)
    _psql(URI, f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    _schemas.append(schema)
    return f"{URI}{'&' if '?' in URI else '?'}options=-csearch_path%3D{schema}"


def drop_stores():
    for schema in _schemas:
        subprocess.run(["psql", "-X", "-q", URI, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                       capture_output=True)
    del _schemas[:]


def sql(store, query):
    """Run `query` on the store behind the library's back (a test reading
    or winding a table); its rows as tuples of text, None for NULL."""
    if not URI:
        with sqlite3.connect(store) as con:
            rows = con.execute(query).fetchall()
        con.close()
        return [tuple(None if v is None else str(v) for v in r) for r in rows]
    null = "\x1dNULL\x1d"
    out = _psql(store, query, "-At", "-F", "\x1f", "-R", "\x1e", "-P", "null=" + null)
    return [tuple(None if v == null else v for v in line.split("\x1f"))
            for line in out.split("\x1e") if line.strip("\n")]


def _psql(uri, query, *opts):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *opts, uri, "-c", query],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"psql: {query}: {r.stderr.strip()}")
    return r.stdout.rstrip("\n")


def store_bytes(store):
    """The store's size on disk: the SQLite file and its write-ahead log,
    or the schema's tables with their indexes and TOAST on PostgreSQL."""
    if not URI:
        return sum(os.path.getsize(f) for f in (store, store + "-wal") if os.path.exists(f))
    (total,), = sql(store, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                           " JOIN pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')")
    return int(total)
