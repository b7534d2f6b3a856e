"""Dossier documents, procedure policies, counter payments and refunds, the
throttles' client key and the library's JSON views, from Python."""
import io

import pytest

import dvc
from conftest import fresh_store, pdf, setup_document_store, CITIZEN

P4 = "T.000005"  # full online, fee 50.000, two upload components (1, 2)
PDF = pdf(b"0" * 2000)
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 2000


@pytest.fixture
def doc_store():
    with dvc.Store(fresh_store()) as db:
        setup_document_store(db)
        db.set_procedure_policy(P4, require_files=True, pay_before_return=True)
        yield db


def test_policy_default_set_and_refused(doc_store):
    db = doc_store
    pol = db.procedure_policy("T.000006")
    assert pol["media_types"] == ["application/pdf", "image/jpeg", "image/png", "image/tiff"]
    assert pol["max_file_bytes"] == 20 * 1024 * 1024 and not pol["require_files"]
    assert db.procedure_policy(P4)["require_files"] and db.procedure_policy(P4)["pay_before_return"]
    db.set_procedure_policy("T.000006", max_file_bytes=4096, media_types=["application/pdf"])
    assert db.procedure_policy("T.000006")["media_types"] == ["application/pdf"]
    with pytest.raises(dvc.InvalidArgument):
        db.set_procedure_policy("T.000006", max_file_bytes=0)
    with pytest.raises(dvc.InvalidArgument):
        db.set_procedure_policy("T.000006", media_types="PDF")
    with pytest.raises(dvc.NotFound):
        db.set_procedure_policy("X.999", require_files=True)
    assert db.procedure_policy("T.000006")["max_file_bytes"] == 4096  # refusals changed nothing


def test_attach_list_download_and_receipt(doc_store, tmp_path):
    db = doc_store
    code, _ = db.submit(P4, account="an.nguyen")
    assert [m["component"] for m in db.missing(code)] == [0, 1, 2]
    assert db.missing(code)[1]["name"] == "Giấy chứng sinh"
    with pytest.raises(dvc.Incomplete):
        db.act(code, "receive", officer="le.tiep.nhan")
    f = db.attach(code, 1, PDF, name="giay-chung-sinh.pdf", account="an.nguyen")
    assert f["media_type"] == "application/pdf" and f["size"] == len(PDF) and len(f["sha256"]) == 64
    path = tmp_path / "cccd.pdf"
    path.write_bytes(PDF + b"x")
    g = db.attach(code, 2, str(path), name="cccd.pdf", account="an.nguyen", form="copy")
    assert [m["component"] for m in db.missing(code)] == [0]
    with pytest.raises(dvc.Incomplete) as e:
        db.act(code, "receive", officer="le.tiep.nhan")
    assert "Tờ khai" in e.value.message
    h = db.attach(code, 0, PDF, name="tờ khai.pdf", account="an.nguyen")
    assert db.missing(code) == []
    files = db.files(code, officer="le.tiep.nhan")
    assert [(x["id"], x["component"], x["form"]) for x in files] == [(f["id"], 1, "original"),
                                                                    (g["id"], 2, "copy"),
                                                                    (h["id"], 0, "original")]
    assert db.download(code, f["id"], account="an.nguyen") == PDF
    out = io.BytesIO()
    assert db.download(code, g["id"], out, officer="le.tiep.nhan") is None
    assert out.getvalue() == PDF + b"x"
    with pytest.raises(dvc.NotFound):
        db.download(code, 999999, officer="le.tiep.nhan")
    assert {x["id"] for x in db.account_files("an.nguyen")} >= {f["id"]}
    assert db.account_download("an.nguyen", f["id"]) == PDF
    db.act(code, "receive", officer="le.tiep.nhan")
    assert db.track(code, account="an.nguyen")["state"] != "submitted"


def test_refused_uploads_store_nothing(doc_store):
    db = doc_store
    code, _ = db.submit(P4, account="an.nguyen")
    with pytest.raises(dvc.MediaType):
        db.attach(code, 1, ELF, name="virus.pdf", account="an.nguyen")
    with pytest.raises(dvc.Truncated):
        db.attach(code, 1, PDF, name="a.pdf", account="an.nguyen", size=len(PDF) + 10)
    with pytest.raises(dvc.TooBig):
        db.attach(code, 1, PDF, name="a.pdf", account="an.nguyen", size=len(PDF) - 10)
    with pytest.raises(dvc.InvalidArgument):
        db.attach(code, 1, PDF, name="../a.pdf", account="an.nguyen")
    with pytest.raises(dvc.NotFound):
        db.attach(code, 7, PDF, name="a.pdf", account="an.nguyen")

    class Broken(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("disk gone")
    with pytest.raises(OSError, match="disk gone"):  # the reader's own exception, nothing kept
        db.attach(code, 1, Broken(), name="a.pdf", account="an.nguyen")
    with pytest.raises(TypeError):
        db.attach(code, 1, name="a.pdf", account="an.nguyen")
    assert db.files(code, account="an.nguyen") == []
    assert len(db.missing(code)) == 3


def test_counter_payment_and_refund(doc_store):
    db = doc_store
    code, _ = db.submit("T.000006", applicant=CITIZEN, form={}, channel="counter", officer="le.tiep.nhan")
    db.act(code, "receive", officer="le.tiep.nhan")
    due = db.track(code, officer="le.tiep.nhan")["fee_due"]
    assert due > 0
    with pytest.raises(dvc.Amount):
        db.payment_counter(code, officer="le.tiep.nhan", receipt_no="BL-1", amount=due + 1)
    with pytest.raises(ValueError):
        db.payment_counter(code, officer="le.tiep.nhan", receipt_no="BL-1", amount=due, method="cheque")
    db.payment_counter(code, officer="le.tiep.nhan", receipt_no="BL-1", amount=due, method="card")
    assert db.track(code, officer="le.tiep.nhan")["fee_paid"] == due
    with pytest.raises(dvc.InvalidArgument):  # a refund needs its reason
        db.payment_refund(code, officer="le.tiep.nhan", receipt_no="HT-1", amount=due, note=None)
    with pytest.raises(dvc.Amount):
        db.payment_refund(code, officer="le.tiep.nhan", receipt_no="HT-1", amount=due + 1, note="thu thừa")
    db.payment_refund(code, officer="le.tiep.nhan", receipt_no="HT-1", amount=due, note="thu thừa")
    t = db.track(code, officer="le.tiep.nhan")
    assert t["fee_refunded"] == due and [h["action"] for h in t["history"]][-2:] == ["pay", "refund"]


def test_client_key_throttles_the_guesser_not_the_owner(dossier_store):
    db = dossier_store
    code, secret = db.submit("T.000003", applicant=CITIZEN, form={"purpose": "Xin cấp bản sao", "copies": 2})
    for _ in range(5):
        with pytest.raises(dvc.Auth):
            db.track(code, secret="AAAAAAAAAAAAAAAAAAAA", client="203.0.113.7")
    with pytest.raises(dvc.Throttled):
        db.track(code, secret=secret, client="203.0.113.7")
    with pytest.raises(dvc.Throttled):
        db.act(code, "withdraw", secret=secret, note="x", client="203.0.113.7")
    # the owner, from elsewhere, is not locked out
    assert db.track(code, secret=secret, client="198.51.100.2")["code"] == code
    assert db.dossier_view(code, secret=secret, client="198.51.100.2")["code"] == code
    db.act(code, "withdraw", secret=secret, note="Không cần nữa", client="198.51.100.2")


def test_login_client_key(dossier_store):
    db = dossier_store
    db.register_account("an.nguyen", "mat-khau-du-dai-1", CITIZEN, client="203.0.113.7")
    for _ in range(5):
        with pytest.raises(dvc.Auth):
            db.login("an.nguyen", "sai-mat-khau-123", client="203.0.113.7")
    with pytest.raises(dvc.Throttled):
        db.login("an.nguyen", "mat-khau-du-dai-1", client="203.0.113.7")
    db.login("an.nguyen", "mat-khau-du-dai-1", client="198.51.100.2")
    with pytest.raises(dvc.InvalidArgument):
        db.login("an.nguyen", "mat-khau-du-dai-1", client="x" * 300)


def test_views_and_allowed_actions(dossier_store):
    db = dossier_store
    code, secret = db.submit("T.000003", applicant=CITIZEN, form={"purpose": "Xin cấp bản sao", "copies": 2})
    v = db.dossier_view(code, officer="le.tiep.nhan")
    assert v["code"] == code and v["state"] == "submitted" and v["applicant"]["full_name"] == CITIZEN["full_name"]
    assert "applicant" not in db.dossier_view(code, secret=secret)
    a = db.allowed_actions(code, officer="le.tiep.nhan")
    assert "receive" in [x["action"] for x in a["actions"]]
    assert all(x["error"].startswith("DVC_E") for x in a["refused"])
    with pytest.raises(dvc.Auth):
        db.allowed_actions(code, secret="AAAAAAAAAAAAAAAAAAAA")
    with pytest.raises(dvc.Auth):
        db.dossier_view("000.00.30.H24-260302-9999", secret=secret)
