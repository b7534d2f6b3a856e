"""Personal data (Decree 13/2023/NĐ-CP) from Python: officers' reads are in
the access log, the applicant's are not; who may list it."""
import pytest

import dvc
from conftest import fresh_store, pdf, setup_document_store, CITIZEN, DESK

P3 = "T.000006"
PDF = pdf(b"0" * 2000)


@pytest.fixture
def db():
    with dvc.Store(fresh_store()) as s:
        yield setup_document_store(s, ("quan.tri", "Quản Trị", DESK, "admin"))


def test_officer_reads_are_logged_and_the_applicants_are_not(db):
    code, _ = db.submit(P3, account="an.nguyen")
    f = db.attach(code, 1, PDF, name="giay.pdf", account="an.nguyen")
    db.track(code, account="an.nguyen")
    db.download(code, f["id"], account="an.nguyen")
    assert db.access_log(code) == {"entries": [], "more": False}
    db.track(code, officer="le.tiep.nhan")
    db.files(code, officer="le.tiep.nhan")
    assert db.download(code, f["id"], officer="le.tiep.nhan") == PDF
    log = db.access_log(code)
    assert [(e["officer"], e["view"], e["detail"]) for e in log["entries"]] == [
        ("le.tiep.nhan", "track", None), ("le.tiep.nhan", "files", None),
        ("le.tiep.nhan", "download", f"file {f['id']}")]
    assert log["entries"][0]["officer_name"] == "Lê Tiếp Nhận"
    assert log["entries"][0]["at"].startswith("2026-03-02T09:00:00")
    assert db.access_log(code, limit=1)["more"] is True
    # the applicant reads their own; the officer their own reads; an admin anything
    assert len(db.access_log(code, account="an.nguyen")["entries"]) == 3
    assert len(db.access_log(by="le.tiep.nhan", officer="le.tiep.nhan")["entries"]) == 3
    assert len(db.access_log(code, officer="quan.tri")["entries"]) == 3
    with pytest.raises(dvc.Permission):
        db.access_log(code, officer="le.tiep.nhan")
    with pytest.raises(dvc.InvalidArgument):
        db.access_log()
    with pytest.raises(dvc.NotFound):
        db.access_log(by="khong.co")
    assert len(db.access_log(code)["entries"]) == 3  # listing is not logged


def test_erasure_refused_while_open_and_inside_retention_then_verifies(db):
    code, secret = db.submit(P3, applicant=CITIZEN)
    with pytest.raises(dvc.Transition):
        db.erase_personal(code, officer="quan.tri")
    db.act(code, "withdraw", secret=secret, note="Không cần nữa")
    assert db.retention == 3650
    with pytest.raises(dvc.Retained):
        db.erase_personal(code, officer="quan.tri")
    with pytest.raises(dvc.OutOfRange):
        db.set_retention(0)
    db.set_retention(1)
    db.set_time("2026-03-03T09:00:00+07:00")
    with pytest.raises(dvc.Permission):
        db.erase_personal(code, officer="le.tiep.nhan")
    digest = db.erase_personal(code, officer="quan.tri")
    assert len(digest) == 64
    t = db.track(code, secret=secret)
    assert t["applicant"]["full_name"] == "" and t["history"][-1]["payload_digest"] == digest
    db.journal_verify(code)
    with pytest.raises(dvc.Transition):
        db.erase_personal(code, officer="quan.tri")
