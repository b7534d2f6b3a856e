"""The catalog: import, search, procedures, export, statistics."""
import datetime as dt
import json

import pytest

import dvc
from conftest import fresh_store, src

KT = "data/catalog/kien-thuy-2018.json"


@pytest.fixture
def kt(store):
    st = store.import_catalog(src(KT))
    assert st["procedures"] == 38 and st["versions_added"] == 38
    return store


def test_kien_thuy_catalog_imports_38_procedures_and_reimport_is_a_no_op(kt):
    st = kt.import_catalog(src(KT))
    assert st == {**st, "versions_added": 0, "versions_same": 38}
    stats = kt.catalog_stats(asof=dt.date(2018, 7, 1))
    assert stats["total"] == 38
    levels = {r["key"]: r["count"] for r in stats["rows"] if r["dimension"] == "level"}
    assert levels["district"] == 36 and levels["commune"] == 2
    assert all(set(r) == {"dimension", "key", "label", "count"} for r in stats["rows"])


def test_search_folds_diacritics_and_ranks_the_phrase_first(kt):
    hits = kt.search("dang ky khai sinh")
    assert hits[0]["code"] == "1.001193"
    assert hits[0]["match"] == "phrase"
    assert hits[0]["name"] == "Thủ tục đăng ký khai sinh"
    assert kt.search("ĐĂNG KÝ KHAI SINH", level="commune")[0]["code"] == "1.001193"
    assert [h["code"] for h in kt.search("dang ky khai sinh", limit=1)] == ["1.001193"]
    assert kt.search("khai sinh", level="province") == []
    fuzzy = kt.search("khai sihn")
    assert fuzzy and fuzzy[0]["match"] == "fuzzy"
    assert len(kt.search(limit=100)) == 38
    assert all(h["online_level"] >= 4 for h in kt.search(online_level=4))


def test_procedure_as_a_dict(kt):
    p = kt.procedure("1.001193", asof="2018-07-01")
    assert p["code"] == "1.001193" and p["version"] == 1
    assert p["valid_from"] == dt.date(2018, 7, 1) and p["valid_to"] is None
    assert p["levels"] == ["commune"]
    assert p["deadline"]["unit"] in ("days", "hours")
    assert isinstance(p["documents"], list) and isinstance(p["legal_basis"], list)
    assert kt.procedure("1.001193", version=1)["name"] == p["name"]
    with pytest.raises(dvc.NotFound) as e:
        kt.procedure("9.999999")
    assert e.value.code == -4
    with pytest.raises(dvc.NotFound):
        kt.procedure("1.001193", asof=dt.date(2018, 6, 30))  # not yet in force


def test_route_and_form_schema_come_back_structured(dossier_store):
    p = dossier_store.procedure("T.000003")
    assert [(s["unit"], s["role"], s["share"]) for s in p["route"]] == [
        ("000.00.30.H24", "reception", 10), ("000.01.30.H24", "specialist", 50),
        ("000.01.30.H24", "unit_leader", 20), ("000.00.30.H24", "signing_leader", 20)]
    assert p["form_schema"]["required"] == ["purpose", "copies"]
    p4 = dossier_store.procedure("T.000004")
    assert p4["online_mode"] == "full" and p4["online_level"] == 4
    assert p4["fees"] == [{"name": "Phí", "kind": "fixed", "amount": 50000, "note": None}]


def test_export_round_trips_through_xml(kt):
    js = kt.export_catalog()
    assert json.loads(js)["format"] == "dvc-catalog"
    xml = kt.export_catalog("xml")
    dvc.validate_catalog_xml(xml)
    with dvc.Store(fresh_store()) as other:
        assert other.import_catalog(xml, format="xml")["versions_added"] == 38
        assert other.export_catalog("json") == js


def test_import_errors_name_the_field_and_change_nothing(store):
    doc = json.load(open(src("tests/data/dossier_catalog.json"), encoding="utf-8"))
    doc["procedures"][0]["versions"][0]["sector"] = "NO-SUCH"
    with pytest.raises(dvc.Reference) as e:
        store.import_catalog(json.dumps(doc))
    assert e.value.path and "sector" in e.value.path
    assert e.value.code == -11 and e.value.name == "DVC_EREF"
    assert store.search() == []
    with pytest.raises(dvc.Parse):
        store.import_catalog('{"format": ')
    with pytest.raises(dvc.Parse):
        store.import_catalog(b"<catalog", format="xml")
    with pytest.raises(ValueError):
        store.import_catalog("{}", format="yaml")
