"""The national payment platform's message format: check values computed
independently here with hashlib (SHA-256 over the '|'-joined fields with the
secret appended, as the one public implementation does; unconfirmed), the
same callback rules as the VNPay-style gateway."""
import hashlib
import json

import pytest

import dvc
from conftest import CITIZEN

SECRET = "khoa-bi-mat-nen-tang"
PARTNER = "KIENTHUY"
INIT_ORDER = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien", "LoaiHinhThanhToan",
              "MaKenhThanhToan", "MaThietBi", "NgonNgu", "MaTienTe", "MaNganHang", "ThongTinGiaoDich",
              "ThoiGianGD", "Ip"]
CONFIRM_ORDER = ["LoaiBanTin", "MaLoi", "MaDoiTac", "MaThamChieu", "SoTien", "MaTienTe", "MaGiaoDich",
                 "MaNganHang", "ThoiGianGD", "ThongTinGiaoDich"]


def sha(fields, secret=SECRET):
    return hashlib.sha256(("|".join(fields) + "|" + secret).encode()).hexdigest()


def confirm(ref, amount, maloi="00", secret=SECRET, **over):
    m = {"LoaiBanTin": "CONFIRM", "MaLoi": maloi, "MaDoiTac": PARTNER, "MaThamChieu": ref,
         "SoTien": amount, "MaTienTe": "VND", "MaGiaoDich": "GD0001", "MaNganHang": "NCB",
         "ThoiGianGD": "20260302091500", "ThongTinGiaoDich": "THANH TOAN HO SO"}
    m.update(over)
    m["MaXacThuc"] = sha([str(m[k]) for k in CONFIRM_ORDER], secret)
    return m


@pytest.fixture
def np(dossier_store):
    dossier_store.set_gateway("dvcqg", SECRET)
    code, _ = dossier_store.submit("T.000004", applicant=CITIZEN)
    dossier_store.act(code, "receive", officer="le.tiep.nhan")
    return dossier_store, code


def test_known_answer():
    # an independent computation and a fixed vector
    assert dvc.payment_national_check(["QUERY", "1.0.6", "P", "DVC1T1", "20260302090000"], "s") == \
        hashlib.sha256(b"QUERY|1.0.6|P|DVC1T1|20260302090000|s").hexdigest()
    assert dvc.payment_national_check([], "s") == hashlib.sha256(b"s").hexdigest()
    with pytest.raises(dvc.InvalidArgument):
        dvc.payment_national_check(["a|b"], "s")


def test_init_query_and_paid_once(np):
    db, code = np
    m = db.payment_national_init(code, partner=PARTNER, client_ip="203.0.113.7")
    assert m["LoaiBanTin"] == "INIT" and m["PhienBan"] == "1.0.6" and m["MaTienTe"] == "VND"
    assert m["SoTien"] == "50000" and m["ThongTinGiaoDich"] == "THANH TOAN HO SO " + code
    assert len(m["ThoiGianGD"]) == 14 and m["ThongTinBienLai"]["MaHoSo"] == code
    assert m["ThongTinBienLai"]["SoCMNDNguoiNop"] == CITIZEN["citizen_id"]
    assert m["MaXacThuc"] == sha([m[k] for k in INIT_ORDER])
    q = db.payment_national_query(m["MaThamChieu"], partner=PARTNER, client_ip="203.0.113.7")
    assert q["MaXacThuc"] == sha([q[k] for k in ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu",
                                                   "ThoiGianGD"]])
    with pytest.raises(dvc.NotFound):
        db.payment_national_query("DVC999T1", partner=PARTNER, client_ip="203.0.113.7")
    ref = m["MaThamChieu"]
    # forged, HMAC instead of the plain hash, a changed field, a wrong amount
    with pytest.raises(dvc.Signature):
        db.payment_national_callback(confirm(ref, 50000, secret="khac"))
    bad = confirm(ref, 50000)
    bad["SoTien"] = 5
    with pytest.raises(dvc.Signature):
        db.payment_national_callback(bad)
    with pytest.raises(dvc.Amount) as e:
        db.payment_national_callback(confirm(ref, 40000))
    assert e.value.path == "SoTien"
    declined = db.payment_national_callback(confirm(ref, 50000, maloi="24"))
    assert declined["outcome"] == "declined"
    m = db.payment_national_init(code, partner=PARTNER, client_ip="203.0.113.7")
    ok = confirm(m["MaThamChieu"], "50000")
    assert db.payment_national_callback(ok) == {"outcome": "paid", "reference": m["MaThamChieu"],
                                                "dossier": code, "amount": 50000}
    assert db.payment_national_callback(json.dumps(ok))["outcome"] == "duplicate"
    t = db.track(code, officer="le.tiep.nhan")
    assert t["fee_paid"] == 50000 and t["history"][-1]["actor"] == "gateway:dvcqg"


def test_expired_and_refund_rules(np):
    db, code = np
    db.set_payment_expiry(60)
    m = db.payment_national_init(code, partner=PARTNER, client_ip="203.0.113.7")
    db.advance(120)
    with pytest.raises(dvc.Expired):
        db.payment_national_callback(confirm(m["MaThamChieu"], 50000))
    assert db.payment_review()[0]["reason"] == "expired"
    m = db.payment_national_init(code, partner=PARTNER, client_ip="203.0.113.7")
    with pytest.raises(dvc.InvalidArgument):
        db.payment_national_callback(confirm(m["MaThamChieu"], 50000, MaTienTe="USD"))
    assert db.payment_national_callback(confirm(m["MaThamChieu"], 50000))["outcome"] == "paid"
    # paid through the platform, rejected: the refund is owed the same way
    db.act(code, "reject", officer="le.tiep.nhan", note="Hồ sơ không thuộc thẩm quyền giải quyết")
    assert db.track(code, officer="le.tiep.nhan")["fee_refunded"] == 50000
    with pytest.raises(dvc.Parse):
        db.payment_national_callback('{"MaLoi":"00"')
    with pytest.raises(dvc.InvalidArgument):
        db.payment_national_init(code, partner="", client_ip="203.0.113.7")
