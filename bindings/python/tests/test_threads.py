"""The GIL is released during store calls; one store is used by one thread
at a time; nothing deadlocks, including a Python clock called from C."""
import datetime as dt
import threading

import dvc
from conftest import fresh_store, CITIZEN, FORM3, MONDAY_9AM, setup_dossier_store


def run_all(threads):
    """Start the threads and wait for each; one still running is a deadlock."""
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "deadlock"


def test_other_threads_run_while_a_store_call_runs():
    # Argon2id (login) takes a noticeable time inside C: the main thread must
    # keep running meanwhile, which it cannot if the GIL is held.
    with dvc.Store(fresh_store()) as db:
        db.register_account("nguyenvanan", "mật-khẩu-dài", CITIZEN)
        started, count = threading.Event(), 0

        def work():
            started.set()
            for _ in range(3):
                db.login("nguyenvanan", "mật-khẩu-dài")

        t = threading.Thread(target=work)
        t.start()
        started.wait()
        while t.is_alive():
            count += 1
        t.join()
        assert count > 1000


def test_two_threads_on_two_stores_do_not_deadlock():
    errors, results = [], {}

    def work(name):
        try:
            with dvc.Store(fresh_store()) as db:
                setup_dossier_store(db)
                db.register_account("user." + name, "mật-khẩu-dài", CITIZEN)
                codes = []
                for _ in range(20):
                    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
                    db.act(code, "receive", officer="le.tiep.nhan")
                    codes.append(code)
                db.login("user." + name, "mật-khẩu-dài")
                results[name] = (len(db.list_dossiers(state="received")), db.verify())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    run_all([threading.Thread(target=work, args=(n,)) for n in ("a", "b")])
    assert not errors, errors
    assert results == {"a": (20, 20), "b": (20, 20)}


def test_one_store_shared_by_threads_is_serialised():
    with dvc.Store(fresh_store()) as db:
        setup_dossier_store(db)
        lock = threading.Lock()
        ticks = [MONDAY_9AM]

        def clock():  # called from inside C with the GIL re-acquired
            with lock:
                return ticks[0]

        db.set_clock(clock)
        errors, codes = [], []

        def work():
            try:
                for _ in range(25):
                    code, secret = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
                    db.act(code, "receive", officer="le.tiep.nhan")
                    assert db.track(code, secret=secret)["state"] == "received"
                    codes.append(code)
            except BaseException as e:  # pragma: no cover
                errors.append(e)

        run_all([threading.Thread(target=work) for _ in range(4)])
        assert not errors, errors
        assert len(set(codes)) == 100
        assert db.verify() == 100
        assert db.now() == MONDAY_9AM.astimezone(dt.timezone.utc)
