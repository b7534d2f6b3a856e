"""No reference or memory leaks: 10,000 rounds of the binding's calls
(results, errors, clocks, reports) must not grow Python's heap or the RSS."""
import datetime as dt
import gc
import os
import tracemalloc

import pytest

import dvc
from conftest import CITIZEN, FORM3, setup_dossier_store

ROUNDS = 10_000


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def one_round(db, cal, code, secret, t):
    db.track(code, secret=secret)
    db.search("thu tuc", limit=5)
    db.procedure("T.000003")
    db.list_dossiers()
    db.report(group="channel")
    db.outbox(code)
    try:
        db.act(code, "receive", officer="tran.chuyen.vien")
    except dvc.Permission:
        pass
    try:
        db.procedure("nope")
    except dvc.NotFound:
        pass
    try:
        db.submit("T.000003", applicant={**CITIZEN, "nmae": 1})
    except TypeError:
        pass
    cal.add_days(t, 3)
    cal.day(t)
    dvc.lunar_from_solar(t)
    db.now()


def test_ten_thousand_rounds_do_not_leak():
    with dvc.Store() as db:
        setup_dossier_store(db)
        cal = dvc.Calendar()
        code, secret = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
        t = dt.datetime(2026, 2, 12, 10, 15, tzinfo=dvc.VN_TZ)
        db.set_clock(lambda: t)
        tracemalloc.start()  # (its own tables take ~1 MB on first use)
        for _ in range(500):  # warm caches, statement cache, allocator arenas
            one_round(db, cal, code, secret, t)
        gc.collect()
        heap0, rss0 = tracemalloc.get_traced_memory()[0], rss_kib()
        for _ in range(ROUNDS):
            one_round(db, cal, code, secret, t)
        gc.collect()
        heap1, rss1 = tracemalloc.get_traced_memory()[0], rss_kib()
        tracemalloc.stop()
    # one leaked object per round would be >= 10000 * 56 bytes
    assert heap1 - heap0 < 64 * 1024, f"Python heap grew by {heap1 - heap0} bytes"
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):
        # (AddressSanitizer keeps freed blocks in its quarantine and caches by
        # design: under it the RSS says nothing about leaks; LeakSanitizer's
        # C suites and the heap bound above still apply)
        assert rss1 - rss0 < 4 * 1024, f"RSS grew by {rss1 - rss0} KiB"
