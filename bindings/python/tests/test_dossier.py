"""Dossiers: the route story, actors, errors mirroring the C codes, tracking,
listing, the journal, slips."""
import datetime as dt

import pytest

import dvc
from conftest import CITIZEN, DESK, FORM3, JUSTICE, MONDAY_9AM, setup_dossier_store


def at(h, m=0, day=2):
    return dt.datetime(2026, 3, day, h, m, tzinfo=dvc.VN_TZ)


def test_full_route_through_two_units_with_appointment(dossier_store):
    db = dossier_store
    r = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    assert isinstance(r, dvc.Receipt)
    code, secret = r
    assert code == DESK + "-260302-0001" and len(secret) == 20

    db.set_time(at(10, 15))
    v = db.act(code, "receive", officer="le.tiep.nhan")
    t = db.track(code, officer="quan.tri")
    assert t["version"] == v
    assert t["state"] == "received"
    assert t["due_at"] == at(10, 15, day=5)  # 3 working days
    assert t["due_at"].tzinfo == dt.timezone.utc

    db.act(code, "forward", officer="le.tiep.nhan")
    t = db.track(code, officer="quan.tri")
    assert (t["state"], t["unit"], t["step_role"]) == ("in_progress", JUSTICE, "specialist")
    assert t["step_due_at"] is not None

    db.advance(3600)
    db.act(code, "forward", officer="tran.chuyen.vien")
    db.act(code, "forward", officer="nguyen.truong.phong")
    t = db.track(code, officer="quan.tri")
    assert (t["unit"], t["step_role"]) == (DESK, "signing_leader")
    db.act(code, "forward", officer="hoang.lanh.dao")
    db.act(code, "return", officer="le.tiep.nhan", delivery="counter")

    t = db.track(code, secret=secret)  # the applicant, with code + secret
    assert t["state"] == "returned" and not t["overdue"]
    assert t["applicant_name"] == "Nguyễn Văn An"
    assert t["applicant"]["phone"] == "+84912345678"
    h = t["history"]
    assert len(h) == 7
    assert [e["action"] for e in h] == ["submit", "receive", "forward", "forward", "forward",
                                       "forward", "return"]
    assert h[1]["actor"] == "officer:le.tiep.nhan"
    assert h[1]["at"] == at(10, 15)
    assert h[-1]["to"] == "returned"
    assert all(len(e["hash"]) == 64 for e in h)
    assert db.verify() == 1
    assert db.verify(code) == 1


def test_wrong_actor_is_permission_with_the_c_code(dossier_store):
    db = dossier_store
    code, secret = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    with pytest.raises(dvc.Permission) as e:
        db.act(code, "receive", officer="tran.chuyen.vien")
    assert e.value.code == -14 and e.value.name == "DVC_EPERM"
    assert isinstance(e.value, dvc.Error)
    assert e.value.message and str(e.value).startswith(e.value.message)
    with pytest.raises(dvc.Transition) as e:
        db.act(code, "forward", officer="le.tiep.nhan")  # not received yet
    assert e.value.code == -12
    with pytest.raises(dvc.Auth) as e:
        db.track(code, secret="x" * 20)
    assert e.value.code == -23
    with pytest.raises(dvc.NotFound):
        db.act("nope", "receive", officer="le.tiep.nhan")
    with pytest.raises(dvc.InvalidArgument):
        db.act(code, "fly", officer="le.tiep.nhan")
    with pytest.raises(TypeError):
        db.act(code, "receive")  # no actor
    with pytest.raises(TypeError):
        db.act(code, "receive", officer="le.tiep.nhan", secret=secret)


def test_anonymous_tracking_is_throttled_after_failures(dossier_store):
    db = dossier_store
    code, secret = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    for _ in range(5):
        with pytest.raises(dvc.Auth):
            db.track(code, secret="AAAAAAAAAAAAAAAAAAAA")
    with pytest.raises(dvc.Throttled) as e:
        db.track(code, secret=secret)
    assert e.value.code == -24
    db.advance(dt.timedelta(minutes=16))
    assert db.track(code, secret=secret)["code"] == code


def test_stale_expected_version_is_a_conflict(dossier_store):
    db = dossier_store
    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    v = db.track(code, officer="quan.tri")["version"]
    v2 = db.act(code, "receive", officer="le.tiep.nhan", expected_version=v)
    assert v2 > v
    with pytest.raises(dvc.Conflict) as e:
        db.act(code, "forward", officer="le.tiep.nhan", expected_version=v)
    assert e.value.code == -15


def test_form_and_applicant_validation(dossier_store):
    db = dossier_store
    with pytest.raises(dvc.Schema) as e:
        db.submit("T.000003", applicant=CITIZEN, form={"purpose": "ab", "copies": 2})
    assert e.value.path.endswith("purpose")
    with pytest.raises(dvc.Schema):
        db.submit("T.000003", applicant=CITIZEN, form='{"purpose": "Xin cấp", "copies": 11}')
    with pytest.raises(dvc.InvalidArgument) as e:
        db.submit("T.000003", applicant={**CITIZEN, "citizen_id": "12"}, form=FORM3)
    assert e.value.path.endswith("citizen_id") and isinstance(e.value, ValueError)
    with pytest.raises(TypeError, match="unknown applicant field"):
        db.submit("T.000003", applicant={**CITIZEN, "nmae": "x"}, form=FORM3)
    with pytest.raises(dvc.ServiceLevel) as e:
        db.submit("T.000002", applicant=CITIZEN)  # level 2: no online submission
    assert e.value.code == -13
    with pytest.raises(dvc.NotFound):
        db.submit("T.999999", applicant=CITIZEN)
    d = {**CITIZEN, "birth_date": dt.date(1999, 5, 12)}  # a date is fine too
    assert db.submit("T.000003", applicant=d, form=FORM3).secret


def test_accounts_login_and_owner_rules(dossier_store):
    db = dossier_store
    db.register_account("nguyenvanan", "mật-khẩu-dài", CITIZEN)
    with pytest.raises(dvc.Exists):
        db.register_account("nguyenvanan", "mật-khẩu-dài", CITIZEN)
    db.login("nguyenvanan", "mật-khẩu-dài")
    with pytest.raises(dvc.Auth):
        db.login("nguyenvanan", "sai-mat-khau")
    acct = db.account("nguyenvanan")
    assert acct["profile"]["full_name"] == "Nguyễn Văn An"
    assert acct["created_at"] == MONDAY_9AM
    code, secret = db.submit("T.000003", account="nguyenvanan", form=FORM3)
    assert secret is None
    assert db.track(code, account="nguyenvanan")["applicant_name"] == "Nguyễn Văn An"
    db.act(code, "withdraw", account="nguyenvanan", note="Không cần nữa")
    assert db.list_dossiers(state="withdrawn")[0]["code"] == code


def test_supplement_pause_and_list_filters(dossier_store):
    db = dossier_store
    code, secret = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    db.act(code, "request_supplement", officer="le.tiep.nhan", note="Thiếu bản sao CCCD")
    t = db.track(code, officer="quan.tri")
    assert t["state"] == "supplement_requested" and t["clock_stopped"]
    db.act(code, "supply", secret=secret, payload=b"scan.pdf")
    assert db.track(code, officer="quan.tri")["history"][-1]["payload_digest"]
    db.act(code, "receive", officer="le.tiep.nhan")
    rows = db.list_dossiers(unit=DESK)
    assert [r["code"] for r in rows] == [code]
    assert rows[0]["state"] == "received" and rows[0]["due_at"] is not None
    assert db.list_dossiers(state="returned") == []
    assert db.list_dossiers(overdue=True) == []
    db.advance(dt.timedelta(days=30))
    assert [r["code"] for r in db.list_dossiers(overdue=True)] == [code]
    with pytest.raises(dvc.InvalidArgument):
        db.list_dossiers(state="flying")


def test_slips_render_from_the_record(dossier_store):
    db = dossier_store
    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    with pytest.raises(dvc.Transition):
        db.slip(code, "receipt")  # not received yet
    db.act(code, "receive", officer="le.tiep.nhan")
    html = db.slip(code, "receipt")
    assert "Mẫu số 01" in html and code in html
    xml = db.slip(code, "control", format="xml")
    assert xml.lstrip().startswith("<") and code in xml
    with pytest.raises(dvc.InvalidArgument):
        db.slip(code, "poster")
    reg = db.register_slip(format="xml")
    assert code in reg


def test_lifecycle_table_and_names():
    table = dvc.lifecycle_table()
    assert {"from": "submitted", "action": "receive", "to": "received"}.items() <= \
        next(t for t in table if t["from"] == "submitted" and t["action"] == "receive").items()
    assert "in_progress" in dvc.states() and "forward" in dvc.actions()
    assert dvc.roles()[0] == "applicant"
    assert dvc.lifecycle_dot().startswith("digraph")


def _journal_hash(code, seq, at, actor, unit, action, frm, to, note, digest, fmt, rev, due, paid,
                  refunded, pubkey, prev):
    """The journal entry hash as docs/journal.md and lib/proof.c define it,
    computed here independently of the library: tag, then texts as a 4-byte
    big-endian length + 1 (0 for NULL) and their bytes, integers as 8-byte
    big-endian, the payload digest (zeros when none), in format 2 the row's
    version and fees and the signer's public key (zeros when unsigned), and
    the previous hash."""
    import hashlib
    import struct

    def text(s):
        if s is None:
            return struct.pack(">I", 0)
        b = s.encode()
        return struct.pack(">I", len(b) + 1) + b

    def i64(v):
        return struct.pack(">q", v)

    m = (b"dvc-journal-%d" % fmt + text(code) + i64(seq) + i64(at) + text(actor) + text(unit)
         + i64(action) + i64(frm) + i64(to) + text(note) + (digest or bytes(32)))
    if fmt == 2:
        m += i64(rev) + i64(due) + i64(paid) + i64(refunded) + (pubkey or bytes(32))
    return hashlib.sha256(m + prev).digest()


def test_journal_hashes_follow_the_documented_encoding(tmp_path):
    """Every stored hash recomputes from the entry alone, also for a note
    longer than the library's one-pass buffer (the spill path)."""
    import sqlite3

    path = str(tmp_path / "j.db")
    with dvc.Store(path) as db:
        setup_dossier_store(db)
        code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
        db.act(code, "request_supplement", officer="le.tiep.nhan", note="Thiếu bản sao CCCD. " * 300)
    con = sqlite3.connect(path)
    rows = con.execute(
        "SELECT d.code, j.seq, j.at, j.actor, j.unit, j.action, j.from_state, j.to_state, j.note,"
        " j.payload_digest, j.format, j.rev, j.fee_due, j.fee_paid, j.fee_refunded, j.pubkey, j.hash"
        " FROM journal j JOIN dossier d ON d.id = j.dossier_id ORDER BY j.seq").fetchall()
    con.close()
    assert len(rows) == 2 and len(rows[1][8].encode()) > 4096
    assert [r[10] for r in rows] == [2, 2] and rows[1][11] == 2
    prev = bytes(32)
    for r in rows:
        assert _journal_hash(*r[:16], prev) == r[16]
        prev = r[16]


def test_a_raising_clock_aborts_the_write(dossier_store):
    """Issue 16: an exception in the clock callback fails the call, and the
    dossier or action it would have written is not kept."""
    db = dossier_store
    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    before = len(db.list_dossiers())
    now = db.now()

    def broken():
        raise KeyError("clock failure")

    db.set_clock(broken)
    with pytest.raises(KeyError, match="clock failure"):
        db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    with pytest.raises(KeyError, match="clock failure"):
        db.act(code, "receive", officer="le.tiep.nhan")
    db.set_clock(now)
    assert len(db.list_dossiers()) == before
    assert db.track(code, officer="quan.tri")["state"] == "submitted"
