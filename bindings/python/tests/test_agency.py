"""The administrative map as history (dvc/agency.h) from Python."""
import datetime as dt

import pytest

import dvc
from conftest import fresh_store, CITIZEN, src

D2018, D2026 = dt.date(2018, 7, 2), dt.date(2026, 1, 5)


@pytest.fixture(scope="module")
def shipped():
    with dvc.Store(fresh_store()) as db:
        db.import_catalog(src("data/catalog/kien-thuy-2018.json"))
        db.import_catalog(src("data/catalog/hai-phong-2025.json"))
        yield db


def test_agencies_in_force(shipped):
    assert len(shipped.agencies(D2018)) == 10
    communes = shipped.agencies(D2026, level="commune")
    assert sum(a["kind"] == "committee" for a in communes) == 114
    assert len(shipped.agencies()) == 241
    with pytest.raises(ValueError):
        shipped.agencies("2026-02-30")


def test_agency_links(shipped):
    a = shipped.agency("001.21.30.H24")
    assert len(a["successors"]) == 2 and a["successors"][0]["act"] == "Nghị quyết 1669/NQ-UBTVQH15"
    assert a["successors"][0]["date"].year == 2025
    assert a["predecessors"][0]["predecessor"] == "001.20.30.H24"
    k = shipped.agency("000.00.11680.H24")
    assert k["name"] == "Ủy ban nhân dân xã Kiến Thụy" and k["valid_to"] is None
    assert len(k["predecessors"]) == 10
    with pytest.raises(dvc.NotFound):
        shipped.agency("000.00.99999.H24")


def test_resolve_competent_desk(shipped):
    assert shipped.agency_resolve("001.20.30.H24", D2018) == ["001.20.30.H24"]
    assert shipped.agency_resolve("001.20.30.H24", D2026) == ["000.00.11680.H24"]
    assert len(shipped.agency_resolve("000.00.30.H24", D2026)) == 5
    with pytest.raises(dvc.NotFound):
        shipped.agency_resolve("000.00.99999.H24", D2026)
    assert shipped.agency_competent("1.001193", "Thôn 3, xã Thụy Hương, huyện Kiến Thụy", D2026) == \
        "000.00.11680.H24"
    with pytest.raises(dvc.NotFound):
        shipped.agency_competent("1.001193", "Quận Ba Đình, Hà Nội", D2026)
    with pytest.raises(dvc.Expired) as e:
        shipped.agency_competent("1.000748", "000.00.11680.H24", D2026)
    assert "000.00.11680.H24" in e.value.message
    desk = shipped.agency_desk("000.00.11680.H24", D2026)
    assert shipped.agency(desk)["kind"] == "centre"


# ---- a commune procedure handled at the commune, today (issue 14, Done when) ----

KT_PC, KT_CENTRE = "000.00.11680.H24", "000.01.11680.H24"   # xã Kiến Thụy, its centre
OTHER_CENTRE = "000.01.11383.H24"                          # another commune's centre
IN_KIEN_THUY = dict(CITIZEN, address="Thôn 3, xã Thụy Hương, huyện Kiến Thụy")
# the declaration of 1.001193 from 1 July 2025 (Circular 04/2020/TT-BTP's form)
BIRTH_FORM = {
    "kinh_gui": "Ủy ban nhân dân xã Kiến Thụy", "nguoi_yeu_cau_ho_ten": "Nguyễn Văn An",
    "nguoi_yeu_cau_noi_cu_tru": "Thôn 3, xã Kiến Thụy, thành phố Hải Phòng",
    "nguoi_yeu_cau_giay_to_tuy_than": "Căn cước số 031099001234, Bộ Công an cấp ngày 10/01/2022",
    "quan_he": "Cha", "ho_ten": "Nguyễn Minh Khôi",
    "ngay_sinh_bang_chu": "Ngày một tháng một năm hai nghìn không trăm hai mươi sáu",
    "dan_toc": "Kinh", "quoc_tich": "Việt Nam", "noi_sinh": "Bệnh viện Phụ sản Hải Phòng",
    "que_quan": "xã Kiến Thụy, thành phố Hải Phòng", "me_ho_ten": "Trần Thị Bình",
    "me_dan_toc": "Kinh", "me_quoc_tich": "Việt Nam",
    "me_noi_cu_tru": "Thôn 3, xã Kiến Thụy, thành phố Hải Phòng",
    "ngay_sinh": "2026-01-01", "gioi_tinh": "Nam"}


def commune_store(db):
    """Both shipped catalogs; the officers of xã Kiến Thụy (its centre's desk,
    its specialist, its chairman), the 2018 district desk, another centre's desk."""
    db.import_catalog(src("data/catalog/kien-thuy-2018.json"))
    db.import_catalog(src("data/catalog/hai-phong-2025.json"))
    db.add_officer("thu.nt", "Nguyễn Thị Thu", KT_CENTRE, "reception")
    db.add_officer("minh.lv", "Lê Văn Minh", KT_PC, "specialist")
    db.add_officer("quang.pv", "Phạm Văn Quang", KT_PC, "signing_leader")
    db.add_officer("hoa.lt", "Lê Thị Hoa", "000.00.30.H24", "reception")
    db.add_officer("lan.dt", "Đỗ Thị Lan", OTHER_CENTRE, "reception")
    return db


def handled_by_the_commune(db, code, desk_officer="thu.nt"):
    """Received at the desk, worked by the commune's specialist, signed by its
    chairman, returned at the desk; the district's old desk has no say."""
    with pytest.raises(dvc.Permission):
        db.act(code, "receive", officer="hoa.lt")
    for who, action in ((desk_officer, "receive"), (desk_officer, "forward"), ("minh.lv", "forward"),
                        ("quang.pv", "forward")):
        db.act(code, action, officer=who)
    db.act(code, "return", officer=desk_officer, delivery="counter")
    t = db.track(code, officer=desk_officer)
    assert t["state"] == "returned"
    assert t["competent"] == KT_PC
    assert [(e["action"], e["actor"]) for e in t["history"]][1:] == [
        ("receive", "officer:" + desk_officer), ("forward", "officer:" + desk_officer),
        ("forward", "officer:minh.lv"), ("forward", "officer:quang.pv"),
        ("return", "officer:" + desk_officer)]
    assert db.verify(code) == 1
    return t


def test_commune_procedure_today_on_the_real_clock():
    # no clock set: today's date, whatever it is
    with dvc.Store(fresh_store()) as db:
        commune_store(db)
        before = dt.datetime.now(dvc.VN_TZ)
        code, secret = db.submit("1.001193", applicant=IN_KIEN_THUY, form=BIRTH_FORM)
        after = dt.datetime.now(dvc.VN_TZ)  # the day may turn in between
        assert code in {f"{KT_CENTRE}-{d:%y%m%d}-0001" for d in (before, after)}
        t = handled_by_the_commune(db, code)
        assert t["desk"] == KT_CENTRE
        assert db.track(code, secret=secret)["state"] == "returned"


@pytest.mark.parametrize("when", [
    dt.datetime(2026, 12, 5, 9, 0, tzinfo=dvc.VN_TZ),    # a Saturday
    dt.datetime(2026, 2, 17, 10, 0, tzinfo=dvc.VN_TZ),   # first day of Tết 2026
    dt.datetime(2031, 3, 9, 23, 30, tzinfo=dvc.VN_TZ),   # a Sunday night, no schedule announced
])
def test_commune_procedure_on_any_day(when):
    with dvc.Store(fresh_store()) as db:
        commune_store(db)
        db.set_time(when)
        code, _ = db.submit("1.001193", applicant=IN_KIEN_THUY, form=BIRTH_FORM)
        assert code == f"{KT_CENTRE}-{when:%y%m%d}-0001"
        t = handled_by_the_commune(db, code)
        assert t["due_at"] > when


def test_lodged_at_another_communes_centre():
    with dvc.Store(fresh_store()) as db:
        commune_store(db)
        db.set_time(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dvc.VN_TZ))
        code, _ = db.submit("1.001193", applicant=IN_KIEN_THUY, form=BIRTH_FORM,
                            desk=OTHER_CENTRE, place=KT_PC)
        assert code == OTHER_CENTRE + "-260302-0001"   # the receiving centre's code
        with pytest.raises(dvc.Permission):           # Kiến Thụy's desk did not receive it
            db.act(code, "receive", officer="thu.nt")
        t = handled_by_the_commune(db, code, desk_officer="lan.dt")
        assert (t["desk"], t["competent"]) == (OTHER_CENTRE, KT_PC)
        n = len(db.list_dossiers())
        with pytest.raises(dvc.Expired) as e:          # the district's desk has ceased
            db.submit("1.001193", applicant=IN_KIEN_THUY, form=BIRTH_FORM, desk="000.00.30.H24")
        assert KT_PC in e.value.message
        with pytest.raises(dvc.NotFound):
            db.submit("1.001193", applicant=IN_KIEN_THUY, form=BIRTH_FORM, desk="000.01.99999.H24")
        assert len(db.list_dossiers()) == n            # refusals write nothing
