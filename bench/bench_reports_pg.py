#!/usr/bin/env python3
"""Reports over a generated year on both backends (issue 17).

1. The year of bench_report.sh: tools/dvc-gen into a SQLite store of N
   dossiers (seed 1), reused when WORKDIR already holds it.
2. The same rows loaded into a fresh PostgreSQL schema: the library makes
   the schema (`dvc init` opens the URI and runs the migrations) and imports
   the catalog the generator imported (so the full-text index, built in C at
   import, is the library's own); then every table but the schema version
   and that index is emptied and copied from the SQLite file, table by table:
   `sqlite3` prints each row as a CSV line (text quoted, NULL left empty,
   blobs as bytea hex) into `psql \\copy ... FROM pstdin CSV`, with the
   foreign-key triggers off for the copy (session_replication_role =
   replica: the rows come from a store that enforced them) and the
   secondary indexes dropped before and made again after; then the
   sequences are set past the largest ids and the schema is ANALYZEd.
3. The copy is checked: row counts of every table equal, the full-text
   index covers every procedure version, a catalog search and the journal
   verification (`dvc dossier verify`, every dossier or a sample) give the
   same output on both backends.
4. `dvc report --group sector` for November and for the year (the calls
   bench_report.sh times), RUNS times each on each backend, alternating;
   the median is printed with the PostgreSQL/SQLite ratio (and the peak RSS
   of the dvc process, with GNU time). The outputs must be byte-equal
   between the backends, or the script fails.

Prints JSON lines; asserts equality only, never time.

usage: bench_reports_pg.py DVC DVC_GEN SOURCE_ROOT [DOSSIERS [WORKDIR [RUNS]]]
  the server: DVC_BENCH_PG_URI, else DVC_TEST_DB_URI (scripts/pg-test-server.sh);
  neither set: skipped. WORKDIR: keep the SQLite store there (the file name
  is bench_report.sh's, so the two benchmarks share one generated year).
  DVC_BENCH_VERIFY_ALL=1 verifies every dossier's journal (default: all up
  to 20,000 dossiers, else a sample of 2,000 spread over the ids).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DVC, GEN, ROOT = sys.argv[1:4]
N = int(sys.argv[4]) if len(sys.argv) > 4 else 1000000
WORK = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
RUNS = int(sys.argv[6]) if len(sys.argv) > 6 else 5
BASE = os.environ.get("DVC_BENCH_PG_URI") or os.environ.get("DVC_TEST_DB_URI")


def out(**kw):
    print(json.dumps(kw, ensure_ascii=False), flush=True)


if not BASE:
    out(bench="reports_pg", skipped="no server: set DVC_BENCH_PG_URI or DVC_TEST_DB_URI")
    sys.exit(0)
for tool in ("psql", "sqlite3"):
    if not shutil.which(tool):
        out(bench="reports_pg", skipped=f"{tool} missing")
        sys.exit(0)

tmp = None
if not WORK:
    WORK = tmp = tempfile.mkdtemp(prefix="dvc-reports-pg-")
os.makedirs(WORK, exist_ok=True)
DB = os.path.join(WORK, f"report-{N}.db")
SCHEMA = f"bench_reports_{N}"
URI = BASE + ("&" if "?" in BASE else "?") + f"options=-csearch_path%3D{SCHEMA}"


def run(*args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, **kw).stdout


def psql(*cmds, uri=URI):
    args = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", uri, "-c", "SET client_min_messages = warning"]
    for c in cmds:
        args += ["-c", c]
    return run(*args).decode()


def sqlite(sql):
    return run("sqlite3", "-batch", "-noheader", "-list", DB, sql).decode()


def dvc(uri, *args):
    return run(DVC, "--db", uri, "--json", *args)


try:
    # ---- 1. the year on SQLite
    if not os.path.exists(DB):
        t = time.monotonic()
        g = json.loads(run(GEN, "--db", DB, "--json", "--year", "2019", "--scale",
                           "%.4f" % (N / 15000), "--seed", "1", "--data",
                           os.path.join(ROOT, "data")))
        s = time.monotonic() - t
        out(bench="reports_pg_generate", dossiers=g["dossiers"], actions=g["actions"],
            seconds=round(s, 1), store_mib=round(os.path.getsize(DB) / 2**20))

    # ---- 2. the same rows on PostgreSQL
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE", f"CREATE SCHEMA {SCHEMA}", uri=BASE)
    t0 = time.monotonic()
    dvc(URI, "init")
    dvc(URI, "catalog", "import", os.path.join(ROOT, "data/catalog/kien-thuy-2018.json"))
    t1 = time.monotonic()
    cols = {}
    for line in psql("SELECT table_name, column_name, data_type FROM information_schema.columns"
                     f" WHERE table_schema = '{SCHEMA}' ORDER BY table_name, ordinal_position").splitlines():
        tname, cname, ctype = line.split("|")
        cols.setdefault(tname, []).append((cname, ctype))
    tables = sorted(set(cols) - {"dvc_schema", "procedure_fts"})
    for tname in tables:
        lite = {r.split("|")[1] for r in sqlite(f"PRAGMA table_info({tname})").splitlines()}
        pg = {c for c, _ in cols[tname]}
        if lite != pg:
            sys.exit(f"bench_reports_pg: {tname}: columns differ: SQLite {sorted(lite)}, PostgreSQL {sorted(pg)}")
    # secondary indexes (not those behind a constraint) are made again after the copy
    idx = [l.split("|", 1) for l in psql(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema()"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
        " AND c.connamespace = current_schema()::regnamespace)").splitlines()]
    psql("TRUNCATE " + ", ".join(tables),
         *[f"DROP INDEX {name}" for name, _ in idx])
    t2 = time.monotonic()
    copied = {}
    for tname in tables:
        fields = []
        for c, ctype in cols[tname]:
            q = f'"{c}"'
            if ctype == "bytea":
                fields.append(f"CASE WHEN {q} IS NULL THEN '' ELSE '\\x' || hex({q}) END")
            elif ctype == "text":
                fields.append(f"CASE WHEN {q} IS NULL THEN '' ELSE '\"' || replace({q}, '\"', '\"\"') || '\"' END")
            elif ctype in ("bigint", "integer", "smallint"):
                fields.append(f"coalesce({q}, '')")
            else:
                sys.exit(f"bench_reports_pg: {tname}.{c}: no CSV form for {ctype}")
        collist = ", ".join(f'"{c}"' for c, _ in cols[tname])
        row = " || ',' || ".join(fields)
        lite = subprocess.Popen(["sqlite3", "-batch", "-noheader", "-list", DB,
                                 f"SELECT {row} FROM {tname}"],
                                stdout=subprocess.PIPE)
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", URI,
                        "-c", "SET session_replication_role = replica",
                        "-c", f"\\copy {tname} ({collist}) FROM pstdin CSV"],
                       stdin=lite.stdout, check=True, stdout=subprocess.DEVNULL)
        lite.stdout.close()
        if lite.wait() != 0:
            sys.exit(f"bench_reports_pg: sqlite3 failed on {tname}")
    t3 = time.monotonic()
    psql(*[d for _, d in idx])
    t4 = time.monotonic()
    seqs = psql("SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'").splitlines()
    psql(*[f"SELECT setval(pg_get_serial_sequence('{t}', '{c}'), coalesce(max({c}), 0) + 1, false) FROM {t}"
           for t, c in (s.split("|") for s in seqs)], "ANALYZE")
    t5 = time.monotonic()
    dossiers = int(psql("SELECT count(*) FROM dossier"))
    journal = int(psql("SELECT count(*) FROM journal"))
    out(bench="reports_pg_load", dossiers=dossiers, journal_entries=journal, tables=len(tables),
        seconds=round(t5 - t0, 1), schema_and_catalog_s=round(t1 - t0, 1),
        copy_s=round(t3 - t2, 1), indexes_s=round(t4 - t3, 1), sequences_analyze_s=round(t5 - t4, 1),
        pg_mib=round(int(psql("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                              " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"))
                     / 2**20),
        sqlite_mib=round(os.path.getsize(DB) / 2**20))

    # ---- 3. the copy is faithful
    for tname in tables:
        a = int(sqlite(f"SELECT count(*) FROM {tname}"))
        b = int(psql(f"SELECT count(*) FROM {tname}"))
        if a != b:
            sys.exit(f"bench_reports_pg: {tname}: {a} rows on SQLite, {b} on PostgreSQL")
    if psql("SELECT count(*) FROM procedure_version pv FULL JOIN procedure_fts f ON f.rowid = pv.id"
            " WHERE pv.id IS NULL OR f.rowid IS NULL") != "0\n":
        sys.exit("bench_reports_pg: the full-text index does not match the procedure versions")
    checks = [("catalog", "search", "khai sinh", "--limit", "20")]
    every = N <= 20000 or os.environ.get("DVC_BENCH_VERIFY_ALL") == "1"
    if every:
        checks.append(("dossier", "verify"))
    else:
        step = max(1, dossiers // 2000)
        codes = sqlite(f"SELECT code FROM dossier WHERE id % {step} = 0 LIMIT 2000").split()
        checks += [("dossier", "verify", c) for c in codes]
    t = time.monotonic()
    for args in checks:
        a, b = dvc(DB, *args), dvc(URI, *args)
        if a != b:
            sys.exit(f"bench_reports_pg: `dvc {' '.join(args)}` differs:\nSQLite {a[:400]!r}\nPostgreSQL {b[:400]!r}")
    out(bench="reports_pg_check", tables=len(tables), verified=("every dossier" if every else len(checks) - 1),
        seconds=round(time.monotonic() - t, 1))

    # ---- 4. the reports, both backends, alternating
    calls = {
        "report_month_sector": ("report", "--from", "2019-11-01", "--to", "2019-12-01", "--group", "sector"),
        "report_year_sector": ("report", "--from", "2019-01-01", "--to", "2020-01-01",
                               "--asof", "2020-01-01", "--group", "sector"),
    }
    gnu_time = os.path.exists("/usr/bin/time")
    rss_log = os.path.join(WORK, "rss.log")
    for name, args in calls.items():
        secs = {"sqlite": [], "pg": []}
        rss = {"sqlite": 0, "pg": 0}
        res = {}
        for _ in range(RUNS):
            for be, uri in (("sqlite", DB), ("pg", URI)):
                # the peak RSS of the dvc process (GNU time), when there
                pre = ["/usr/bin/time", "-f", "%M", "-o", rss_log] if gnu_time else []
                t = time.monotonic()
                res[be] = run(*pre, DVC, "--db", uri, "--json", *args)
                secs[be].append(time.monotonic() - t)
                if gnu_time:
                    with open(rss_log) as f:
                        rss[be] = max(rss[be], int(f.read().split()[-1]))
        equal = res["sqlite"] == res["pg"]
        sq, pg = statistics.median(secs["sqlite"]), statistics.median(secs["pg"])
        out(bench=name, dossiers=dossiers, runs=RUNS, sqlite_s=round(sq, 3), pg_s=round(pg, 3),
            ratio_pg_to_sqlite=round(pg / sq, 2) if sq else None,
            sqlite_all_s=[round(x, 3) for x in secs["sqlite"]],
            pg_all_s=[round(x, 3) for x in secs["pg"]],
            sqlite_peak_rss_mib=round(rss["sqlite"] / 1024, 1) if gnu_time else None,
            pg_peak_rss_mib=round(rss["pg"] / 1024, 1) if gnu_time else None,
            equal=equal, groups=len(json.loads(res["pg"])))
        if not equal:
            with open(os.path.join(WORK, f"{name}.sqlite.json"), "wb") as f:
                f.write(res["sqlite"])
            with open(os.path.join(WORK, f"{name}.pg.json"), "wb") as f:
                f.write(res["pg"])
            sys.exit(f"bench_reports_pg: {name}: the backends disagree (both outputs in {WORK})")
finally:
    if BASE and os.environ.get("DVC_BENCH_KEEP_SCHEMA") != "1":
        subprocess.run(["psql", "-X", "-q", BASE, "-c", f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
