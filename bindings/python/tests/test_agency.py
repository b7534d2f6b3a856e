"""The administrative map as history (dvc/agency.h) from Python."""
import datetime as dt

import pytest

import dvc
from conftest import src

D2018, D2026 = dt.date(2018, 7, 2), dt.date(2026, 1, 5)


@pytest.fixture(scope="module")
def shipped():
    with dvc.Store() as db:
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
