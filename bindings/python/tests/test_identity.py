"""National identities from Python: claims checked strictly (the bad claim
named), contradictions reported as dvc.Mismatch and never merged, the link
audited, verified fields filling submissions, the sign-in recorded."""
import pytest

import dvc
from conftest import CITIZEN, FORM3

ISS = "https://xacthuc.example.vn"
CLAIMS = {"sub": "vneid-9", "TechID": "T9", "LoaiTaiKhoan": "1", "HoVaTen": "NGUYỄN VĂN AN",
          "SoDinhDanh": "031099001234", "NgayThangNamSinh": "19990512", "loginIdp": "VNeID"}


@pytest.fixture
def db(dossier_store):
    dossier_store.register_account("an.nv", "mat-khau-dai", CITIZEN)
    return dossier_store


def test_link_marks_verified_fields_and_audits(db):
    v = db.link_identity("an.nv", CLAIMS, issuer=ISS, assurance=2, actor="account:an.nv")
    assert v["linked"] and v["identity"]["subject"] == "vneid-9"
    assert v["identity"]["assurance"] == 2 and v["identity"]["personal_id"] == "031099001234"
    assert v["profile"]["full_name"] == {"value": "Nguyễn Văn An", "verified": True}
    assert v["profile"]["birth_date"]["verified"] and not v["profile"]["address"]["verified"]
    assert [a["event"] for a in v["audit"]] == ["link"]
    db.unlink_identity("an.nv", actor="officer:hoa.lt", reason="Công dân yêu cầu")
    v = db.identity_view("an.nv")
    assert not v["linked"] and v["identity"] is None
    assert not v["profile"]["full_name"]["verified"]
    assert [a["event"] for a in v["audit"]] == ["link", "unlink"]


@pytest.mark.parametrize("change, err, path", [
    ({"SoDinhDanh": "12345"}, dvc.InvalidArgument, "SoDinhDanh"),
    ({"NgayThangNamSinh": "12/05/1999"}, dvc.InvalidArgument, "NgayThangNamSinh"),
    ({"NgayThangNamSinh": "19990512", "SoDinhDanh": "031299001234"}, dvc.InvalidArgument, "NgayThangNamSinh"),
    ({"LoaiTaiKhoan": "2"}, dvc.InvalidArgument, "LoaiTaiKhoan"),
    ({"sub": None}, dvc.InvalidArgument, "sub"),
    ({"HoVaTen": ["a"]}, dvc.Schema, "HoVaTen"),
])
def test_bad_claims_named_nothing_linked(db, change, err, path):
    with pytest.raises(err) as e:
        db.link_identity("an.nv", {**CLAIMS, **change}, issuer=ISS, assurance=2, actor="x")
    assert e.value.path == path
    assert not db.identity_view("an.nv")["linked"]
    assert db.identity_view("an.nv")["audit"] == []


def test_contradiction_is_a_mismatch(db):
    with pytest.raises(dvc.Mismatch) as e:
        db.link_identity("an.nv", {**CLAIMS, "HoVaTen": "Nguyễn Văn Anh", "NgayThangNamSinh": "19990101"},
                         issuer=ISS, assurance=1, actor="x")
    assert e.value.path == "full_name,birth_date"
    with pytest.raises(dvc.InvalidArgument):
        db.link_identity("an.nv", CLAIMS, issuer=ISS, assurance=3, actor="x")
    with pytest.raises(dvc.Parse):
        db.link_identity("an.nv", '{"sub":', issuer=ISS, assurance=1, actor="x")


def test_submission_filled_and_signin_recorded(db):
    with pytest.raises(dvc.InvalidArgument):
        db.submit("T.000003", account="an.nv", form=FORM3, national_signin=True)
    db.link_identity("an.nv", CLAIMS, issuer=ISS, assurance=2, actor="account:an.nv")
    code, secret = db.submit("T.000003", account="an.nv", form=FORM3, national_signin=True,
                             applicant={"address": "Số 5 Lạch Tray", "phone": "0912345678"})
    assert secret is None and db.national_signin(code) == 2
    t = db.track(code, account="an.nv")
    assert t["applicant"]["full_name"] == "Nguyễn Văn An"
    assert t["applicant"]["address"] == "Số 5 Lạch Tray"
    with pytest.raises(dvc.Mismatch) as e:
        db.submit("T.000003", account="an.nv", form=FORM3,
                  applicant={"citizen_id": "031099009999", "address": "x", "phone": "0912345678"})
    assert e.value.path == "citizen_id"
    other, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    assert db.national_signin(other) == 0
