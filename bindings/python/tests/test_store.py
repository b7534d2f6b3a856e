"""Stores: opening, closing, context managers, transactions."""
import os
import sqlite3
import urllib.parse

import pytest

import dvc
from conftest import fresh_store, src


def test_a_fresh_store_opens_at_the_current_schema(store):
    assert store.schema_version() >= 3
    assert not store.closed
    assert not store.in_transaction
    if os.environ.get("DVC_TEST_DB_URI"):
        assert store.backend == "postgresql"
        assert store.path.startswith("postgresql://")
    else:
        assert store.backend == "sqlite"
        assert store.path == ":memory:"


@pytest.mark.skipif(not os.environ.get("DVC_TEST_DB_URI"), reason="needs the PostgreSQL stage of scripts/test.sh")
def test_a_key_value_conninfo_needs_postgresql_true():
    uri = fresh_store()
    u = urllib.parse.urlsplit(uri)
    q = dict(urllib.parse.parse_qsl(u.query))
    kv = " ".join(f"{k}='{v}'" for k, v in [("dbname", u.path.lstrip("/"))] + sorted(q.items()))
    with dvc.Store(kv, postgresql=True) as db:
        assert db.backend == "postgresql"
        assert db.schema_version() == dvc.SCHEMA_VERSION
        db.import_catalog(src("tests/data/dossier_catalog.json"))
    with dvc.Store(uri) as same:  # the same schema: the catalog is there
        assert same.procedure("T.000003")["code"] == "T.000003"
    # without the flag the same text is an SQLite file name (here under a
    # directory that does not exist)
    with pytest.raises(dvc.IO, match="cannot open store"):
        dvc.Store(kv)
    with pytest.raises(dvc.IO, match="PostgreSQL"):
        dvc.Store("host=/nonexistent/dir dbname=dvc connect_timeout=2", postgresql=True)
    # a password in the connection (the test server trusts its socket and
    # ignores it) is never printed
    for target, flag in [(kv + " password='s3 cr3t'", True), (uri + "&password=s3cr3t", False),
                         (uri.replace("postgresql://", "postgresql://dvc:s3cr3t@", 1), False)]:
        with dvc.Store(target, postgresql=flag) as db:
            assert "cr3t" not in repr(db) and "***" in repr(db), repr(db)


def test_context_manager_closes_and_closed_store_refuses_calls():
    with dvc.Store() as db:
        pass
    assert db.closed
    db.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        db.search("khai sinh")


def test_file_store_persists_between_handles(tmp_path):
    path = tmp_path / "portal.db"
    with dvc.Store(path) as db:  # os.PathLike accepted
        assert db.import_catalog(src("data/catalog/kien-thuy-2018.json"))["procedures"] == 38
    with dvc.Store(str(path), readonly=True) as db:
        assert db.catalog_stats(asof="2018-07-01")["total"] == 38


def test_missing_file_without_create_is_an_io_error(tmp_path):
    with pytest.raises(dvc.IO) as e:
        dvc.Store(tmp_path / "absent.db", create=False)
    assert e.value.code == -17 and e.value.name == "DVC_EIO"


def test_transaction_rollback_leaves_nothing(tmp_path):
    path = tmp_path / "t.db"
    with dvc.Store(path) as db:
        with pytest.raises(RuntimeError, match="boom"):
            with db.transaction():
                db.import_catalog(src("tests/data/dossier_catalog.json"))
                db.add_officer("le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", "reception")
                assert db.in_transaction
                raise RuntimeError("boom")
        assert not db.in_transaction
        assert db.search() == []
        with pytest.raises(dvc.NotFound):
            db.officer("le.tiep.nhan")
    # and nothing reached the file
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM procedure").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM officer").fetchone()[0] == 0
    finally:
        con.close()


def test_transaction_commit_keeps_everything(store):
    with store.transaction() as db:
        assert db is store
        store.import_catalog(src("tests/data/dossier_catalog.json"))
        store.add_officer("le.tiep.nhan", "Lê Tiếp Nhận", "000.00.30.H24", "reception")
    assert store.officer("le.tiep.nhan")["role"] == "reception"
    assert {h["code"] for h in store.search()} == {"T.000002", "T.000003", "T.000004"}


def test_a_failing_call_inside_a_transaction_undoes_only_itself(store):
    with store.transaction():
        store.import_catalog(src("tests/data/dossier_catalog.json"))
        with pytest.raises(dvc.Reference):
            store.add_officer("xxx", "X", "no.such.unit", "specialist")
        store.add_officer("yyy", "Y", "000.00.30.H24", "admin")
    assert store.officer("yyy")["unit"] == "000.00.30.H24"


def test_transactions_do_not_nest(store):
    with store.transaction():
        with pytest.raises(dvc.TransactionMisuse) as e:
            store.begin()
        assert e.value.code == -22
    with pytest.raises(dvc.TransactionMisuse):
        store.commit()
    with pytest.raises(dvc.TransactionMisuse):
        store.rollback()


def test_fixed_clock_and_advance(store):
    import datetime as dt
    t = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dvc.VN_TZ)
    store.set_time(t)
    assert store.clock_mode == "fixed"
    assert store.now() == t and store.now().tzinfo == dt.timezone.utc
    assert store.advance(dt.timedelta(hours=1)) == t + dt.timedelta(hours=1)
    assert store.advance(60) == t + dt.timedelta(hours=1, minutes=1)
    store.set_time(None)
    assert store.clock_mode == "system"
    with pytest.raises(ValueError):
        store.advance(1)
    with pytest.raises(ValueError, match="naive"):
        store.set_time(dt.datetime(2026, 3, 2, 9, 0))


def test_callable_clock_and_its_exceptions(store):
    import datetime as dt
    t = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.timezone.utc)
    calls = []

    def clock():
        calls.append(1)
        return t

    store.set_clock(clock)
    assert store.clock_mode == "callable"
    assert store.now() == t and calls

    def broken():
        raise KeyError("clock failure")

    store.set_clock(broken)
    with pytest.raises(KeyError, match="clock failure"):
        store.now()

    def reentrant():
        store.search()
        return t

    store.set_clock(reentrant)
    with pytest.raises(RuntimeError, match="already in a call"):
        store.now()
    store.set_clock(t)  # an instant: a fixed clock
    assert store.clock_mode == "fixed" and store.now() == t


def test_a_new_store_file_is_private_whatever_the_umask(tmp_path):
    """Issue 16: personal data and password hashes were in a 0644 file."""
    import os
    import stat
    old = os.umask(0)
    try:
        path = tmp_path / "private.db"
        with dvc.Store(str(path)) as db:
            db.import_catalog(src("tests/data/dossier_catalog.json"))
            for p in (path, tmp_path / "private.db-wal", tmp_path / "private.db-shm"):
                assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p
    finally:
        os.umask(old)
