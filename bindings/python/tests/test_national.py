"""National sync from Python: off by default, a missing national code blocks
the message (never the dossier), replay rebuilds it, the report lists it."""
import pytest

import dvc
from conftest import CITIZEN, FORM3


def test_blocked_then_replayed(dossier_store):
    db = dossier_store
    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    assert db.sync_messages(code) == []
    db.national_sync_enable()
    code, _ = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    db.act(code, "receive", officer="le.tiep.nhan")
    msgs = db.sync_messages(code)
    assert [m["status"] for m in msgs] == [1, 2]
    assert [m["state"] for m in msgs] == ["blocked", "blocked"]
    assert msgs[1]["payload"]["hoSo"]["MaTTHC"] is None
    rep = db.sync_report()
    assert rep["counts"]["blocked"] == 2 and "national procedure code" in rep["messages"][0]["last_error"]
    with pytest.raises(dvc.InvalidArgument):
        db.national_code("T.000003", "T.000003")
    with pytest.raises(dvc.NotFound):
        db.national_code("X.000001", "1.001193")
    db.national_code("T.000003", "1.001193.000.00.00.H24")
    assert db.sync_replay() == 2
    msgs = db.sync_messages(code)
    assert [m["state"] for m in msgs] == ["pending", "pending"]
    assert msgs[0]["payload"]["hoSo"]["MaTTHC"] == "1.001193.000.00.00.H24"
    assert msgs[0]["idempotency_key"] == code + "/1/dvcqg"
