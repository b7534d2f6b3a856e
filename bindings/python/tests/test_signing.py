"""Signed electronic results and ratings from Python: the signing leader
signs the attached result, the applicant downloads it and it verifies (a
changed byte does not); no key, a wrong key or the wrong officer store
nothing; after return the applicant alone rates once, and the rating is
read back by the applicant and by officers."""
import shutil
import subprocess

import pytest

import dvc
from conftest import fresh_store, pdf, setup_document_store, CITIZEN, DESK, src

P4 = "T.000005"  # full online, fee 50.000, components 0..2, signing leader at the desk
PDF = pdf(b"k" * 5000)
KEY, CERT = src("data/demo-keys/demo-signing-key.pem"), src("data/demo-keys/demo-signing-cert.pem")
OTHER_KEY, OTHER_CERT = src("tests/data/other-signing-key.pem"), src("tests/data/other-signing-cert.pem")


@pytest.fixture
def db():
    with dvc.Store(fresh_store()) as s:
        setup_document_store(s, ("do.chuyen.vien", "Đỗ Chuyên Viên", "000.08.30.H24", "specialist"),
                             ("hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, "signing_leader"))
        s.register_account("binh.tran", "mat-khau-du-dai-2", dict(CITIZEN, full_name="Trần Thị Bình", citizen_id="031190005678", birth_date="1990-01-02"))
        s.set_procedure_policy(P4, require_files=True, pay_before_return=True)
        yield s


def at_signing_step(db, account="an.nguyen"):
    code, secret = db.submit(P4, account=account) if account else db.submit(P4, applicant=CITIZEN)
    me = {"account": account} if account else {"secret": secret}
    for i in range(3):
        db.attach(code, i, PDF, name="giay-to.pdf", **me)
    db.act(code, "receive", officer="le.tiep.nhan")
    db.act(code, "forward", officer="le.tiep.nhan")
    db.act(code, "forward", officer="do.chuyen.vien")
    return code, secret


def returned(db, account="an.nguyen"):
    code, secret = at_signing_step(db, account)
    db.attach(code, dvc.FILE_RESULT, PDF, name="quyet-dinh.pdf", officer="hoang.lanh.dao")
    db.sign_result(code, officer="hoang.lanh.dao", key_file=KEY, cert_file=CERT)
    db.act(code, "forward", officer="hoang.lanh.dao")
    db.payment_counter(code, officer="le.tiep.nhan", receipt_no="BL-" + code[-4:], amount=50000)
    db.act(code, "return", officer="le.tiep.nhan", delivery="online")
    return code, secret


def test_sign_download_verify(db, tmp_path):
    code, secret = at_signing_step(db, account=None)
    db.attach(code, dvc.FILE_RESULT, PDF, name="quyet-dinh.pdf", officer="hoang.lanh.dao")
    f = db.sign_result(code, officer="hoang.lanh.dao", key_file=KEY, cert_file=CERT)
    assert f["component"] == dvc.FILE_RESULT and f["form"] == "ecopy" and f["media_type"] == "application/xml"
    with pytest.raises(dvc.Exists):
        db.sign_result(code, officer="hoang.lanh.dao", key_file=KEY, cert_file=CERT)
    xml = db.download(code, f["id"], secret=secret)
    assert len(xml) == f["size"] and code.encode() in xml
    fp = dvc.sign_verify(xml, CERT)
    assert fp == dvc.cert_fingerprint(CERT) and len(fp) == 64
    assert dvc.sign_verify(xml.decode(), CERT) == fp  # str documents too
    with pytest.raises(dvc.Signature):
        dvc.sign_verify(xml, OTHER_CERT)  # a signer the trusted certificate does not vouch for
    i = xml.index(b"<noiDung") + 100
    changed = xml[:i] + (b"A" if xml[i:i + 1] != b"A" else b"B") + xml[i + 1:]
    with pytest.raises(dvc.Signature):
        dvc.sign_verify(changed, CERT)
    with pytest.raises(dvc.Parse):
        dvc.sign_verify(b"not xml", CERT)
    with pytest.raises(dvc.IO):
        dvc.sign_verify(xml, str(tmp_path / "missing.pem"))
    if shutil.which("xmlsec1"):  # the independent verifier agrees
        p = tmp_path / "ket-qua.xml"
        p.write_bytes(xml)
        assert subprocess.run(["xmlsec1", "--verify", "--trusted-pem", CERT, str(p)],
                              capture_output=True).returncode == 0
        p.write_bytes(changed)
        assert subprocess.run(["xmlsec1", "--verify", "--trusted-pem", CERT, str(p)],
                              capture_output=True).returncode != 0
    hist = db.track(code, secret=secret)["history"]
    assert hist[-1]["action"] == "sign" and fp in hist[-1]["note"]
    slip = db.slip_signed(code, "receipt", key_file=KEY, cert_file=CERT)
    assert dvc.sign_verify(slip, CERT) == fp


def test_result_without_a_key_or_with_a_wrong_one_stores_nothing(db, tmp_path):
    code, _ = at_signing_step(db)
    with pytest.raises(dvc.NotFound):  # nothing attached yet
        db.sign_result(code, officer="hoang.lanh.dao", key_file=KEY, cert_file=CERT)
    db.attach(code, dvc.FILE_RESULT, PDF, name="quyet-dinh.pdf", officer="hoang.lanh.dao")
    n = len(db.files(code, officer="le.tiep.nhan"))
    with pytest.raises(dvc.InvalidArgument) as e:
        db.sign_result(code, officer="hoang.lanh.dao", key_file=None, cert_file=None)
    assert "no signing key" in e.value.message
    with pytest.raises(dvc.IO):
        db.sign_result(code, officer="hoang.lanh.dao", key_file=tmp_path / "none.pem", cert_file=CERT)
    with pytest.raises(dvc.Signature):  # a key that is not the certificate's
        db.sign_result(code, officer="hoang.lanh.dao", key_file=OTHER_KEY, cert_file=CERT)
    with pytest.raises(dvc.Permission):
        db.sign_result(code, officer="do.chuyen.vien", key_file=KEY, cert_file=CERT)
    assert len(db.files(code, officer="le.tiep.nhan")) == n
    assert db.track(code, account="an.nguyen")["history"][-1]["action"] != "sign"
    # an online return needs the signed result
    db.act(code, "forward", officer="hoang.lanh.dao")
    db.payment_counter(code, officer="le.tiep.nhan", receipt_no="BL-1", amount=50000)
    with pytest.raises(dvc.Incomplete):
        db.act(code, "return", officer="le.tiep.nhan", delivery="online")


def test_the_account_keeps_its_signed_result(db):
    code, _ = returned(db)
    kept = [f for f in db.account_files("an.nguyen") if f["component"] == dvc.FILE_RESULT]
    assert len(kept) == 1 and kept[0]["form"] == "ecopy" and kept[0]["dossier"] == code
    assert dvc.sign_verify(db.account_download("an.nguyen", kept[0]["id"]), CERT)
    assert not [f for f in db.account_files("binh.tran") if f["component"] == dvc.FILE_RESULT]
    with pytest.raises(dvc.NotFound):  # another account's data store
        db.account_download("binh.tran", kept[0]["id"])


def test_rate_once_by_the_applicant_only(db):
    code, _ = at_signing_step(db)
    with pytest.raises(dvc.Transition):  # not returned yet
        db.rate(code, {"overall": 5}, account="an.nguyen")
    with pytest.raises(dvc.NotFound):
        db.rating(code, officer="le.tiep.nhan")
    code, _ = returned(db)
    with pytest.raises(dvc.Permission):
        db.rate(code, {"overall": 1}, account="binh.tran")  # someone else
    with pytest.raises(TypeError):
        db.rate(code, {"overall": 1}, officer="le.tiep.nhan")  # officers have no say here
    with pytest.raises(dvc.OutOfRange):
        db.rate(code, {"overall": 6}, account="an.nguyen")
    with pytest.raises(dvc.OutOfRange):  # overall is required
        db.rate(code, {"attitude": 5}, account="an.nguyen")
    with pytest.raises(dvc.InvalidArgument):
        db.rate(code, {"speed": 5}, account="an.nguyen")
    with pytest.raises(dvc.TooBig):
        db.rate(code, {"overall": 5}, account="an.nguyen", comment="x" * 2001)
    with pytest.raises(dvc.NotFound):
        db.rating(code, account="an.nguyen")  # none of the refusals stored anything
    db.rate(code, {"overall": 5, "attitude": 4, "timeliness": 5}, account="an.nguyen",
            comment="Cán bộ tận tình, trả kết quả đúng hẹn")
    with pytest.raises(dvc.Exists):
        db.rate(code, {"overall": 1}, account="an.nguyen")  # twice
    r = db.rating(code, account="an.nguyen")
    assert r["scores"] == {"overall": 5, "attitude": 4, "timeliness": 5}
    assert r["comment"] == "Cán bộ tận tình, trả kết quả đúng hẹn" and r["at"] == db.now()
    assert db.rating(code, officer="le.tiep.nhan") == r
    with pytest.raises(dvc.Permission):
        db.rating(code, account="binh.tran")
    assert db.track(code, officer="le.tiep.nhan")["history"][-1]["action"] == "rate"
    crit = dvc.rating_criteria()
    assert crit[0]["name"] == "overall" and len(crit) == 12 and crit[0]["label"].startswith("Đánh giá")


def test_rate_with_the_tracking_secret(db):
    code, secret = returned(db, account=None)
    with pytest.raises(dvc.Auth):
        db.rate(code, {"overall": 4}, secret="AAAAAAAAAAAAAAAAAAAA", client="203.0.113.9")
    db.rate(code, {"overall": 4}, secret=secret)
    assert db.rating(code, secret=secret)["scores"] == {"overall": 4}
    assert db.rating(code, secret=secret)["comment"] is None
