"""A journal that proves itself (issue 16): signed stores, tampering seen
by journal_verify, proof bundles verified offline by dvc.proof_verify."""
import os
import sqlite3

import pytest

import dvc
from conftest import CITIZEN, FORM3, setup_dossier_store


@pytest.fixture
def keys(tmp_path):
    k1, k2 = tmp_path / "k1.key", tmp_path / "k2.key"
    return {"k1": k1, "p1": dvc.proof_keygen(k1), "k2": k2, "p2": dvc.proof_keygen(k2)}


def signed_store(path, key):
    db = dvc.Store(path, journal_key=key)
    setup_dossier_store(db)
    return db


def submit_and_receive(db):
    r = db.submit("T.000003", applicant=CITIZEN, form=FORM3)
    db.act(r.code, "receive", officer="le.tiep.nhan")
    return r.code


def test_keygen_writes_a_private_key_file(keys):
    assert os.stat(keys["k1"]).st_mode & 0o777 == 0o600
    assert dvc.proof_key(keys["k1"]) == keys["p1"]
    assert len(keys["p1"]["key"]) == 64 and len(keys["p1"]["key_id"]) == 16
    with pytest.raises(dvc.Exists):
        dvc.proof_keygen(keys["k1"])


def test_signed_journal_verifies_and_tampering_is_named(tmp_path, keys):
    path = tmp_path / "s.db"
    db = signed_store(path, keys["k1"])
    code = submit_and_receive(db)
    rep = db.journal_verify(code)
    assert rep["verified"] == 1 and rep["signed"] == 2 and rep["checkpoints"] == 1
    assert rep["anchored"] is True and rep["keys"] == [keys["p1"]["key_id"]]
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE dossier SET state = 7 WHERE code = ?", (code,))
    with pytest.raises(dvc.Corrupt, match="'returned' but its journal ends 'received' .entry 2."):
        db.journal_verify(code)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE dossier SET state = 2 WHERE code = ?", (code,))
        raw.execute("DELETE FROM journal WHERE seq = 2")
        raw.execute("UPDATE dossier SET state = 1, rev = 1, journal_seq = 1,"
                    " journal_head = (SELECT hash FROM journal WHERE seq = 1) WHERE code = ?", (code,))
    with pytest.raises(dvc.Truncated, match="covers 2 entries"):
        db.journal_verify(code)
    db.close()


def test_bundle_verifies_offline_and_fails_on_a_changed_byte(tmp_path, keys):
    db = signed_store(tmp_path / "s.db", keys["k1"])
    code = submit_and_receive(db)
    bundle = db.proof_export(code)
    db.close()
    rep = dvc.proof_verify(bundle)
    assert rep["verified"] == 1 and rep["anchored"] is False
    assert rep["keys"] == [keys["p1"]["key_id"]]
    rep = dvc.proof_verify(bundle.encode(), trusted_keys=[keys["p1"]["key"]], require_signed=True)
    assert rep["anchored"] is True
    with pytest.raises(dvc.Signature, match="not a trusted journal key"):
        dvc.proof_verify(bundle, trusted_keys=[keys["p2"]["key"]])
    (tmp_path / "trust").write_text(keys["p1"]["key"] + "  portal\n")
    assert dvc.proof_verify(bundle, trust_file=tmp_path / "trust")["anchored"] is True
    raw = bundle.encode()
    for i in range(0, len(raw), 7):
        changed = raw[:i] + (b"1" if raw[i:i + 1] == b"0" else b"0") + raw[i + 1:]
        with pytest.raises(dvc.Error):
            dvc.proof_verify(changed)
    with pytest.raises(dvc.Parse):
        dvc.proof_verify(bundle + " ")
    with pytest.raises(TypeError):
        dvc.proof_verify(bundle, trusted_keys=keys["p1"]["key"])


def test_rotation_and_missing_keys(tmp_path, keys):
    path = tmp_path / "s.db"
    db = signed_store(path, keys["k1"])
    code = submit_and_receive(db)
    db.close()
    trust = tmp_path / "trust"
    trust.write_text(keys["p1"]["key"] + "\n")
    with dvc.Store(path, journal_key=keys["k2"], journal_trust=trust) as db2:
        db2.set_time(dvc.parse_time("2026-03-02T10:00:00+07:00"))
        db2.act(code, "forward", officer="le.tiep.nhan")
        rep = db2.journal_verify()
        assert rep["signed"] == 3 and sorted(rep["keys"]) == sorted([keys["p1"]["key_id"], keys["p2"]["key_id"]])
    with dvc.Store(path, journal_key=keys["k2"]) as db3, pytest.raises(dvc.Signature):
        db3.journal_verify(code)
    with pytest.raises(dvc.IO, match="none.key"):
        dvc.Store(path, journal_key=tmp_path / "none.key")
    os.chmod(keys["k1"], 0o644)
    with pytest.raises(dvc.Permission):
        dvc.Store(path, journal_key=keys["k1"])
    with pytest.raises(dvc.InvalidArgument, match="required"):
        dvc.Store(path, require_signed=True)
    with dvc.Store(tmp_path / "u.db") as plain:
        setup_dossier_store(plain)
        code = submit_and_receive(plain)
        rep = plain.journal_verify()
        assert rep["unsigned"] == 2 and rep["uncheckpointed"] == 1 and rep["anchored"] is False
        with pytest.raises(dvc.InvalidArgument):
            plain.journal_seal()
    # signing required later: refused until sealed with the key
    os.chmod(keys["k1"], 0o600)
    with dvc.Store(tmp_path / "u.db", journal_key=keys["k1"], require_signed=True) as req:
        with pytest.raises(dvc.Signature, match="no signed checkpoint"):
            req.journal_verify(code)
        assert req.journal_seal() == 1 and req.journal_seal() == 0
        rep = req.journal_verify(code)
        assert rep["unsigned"] == 2 and rep["checkpoints"] == 1
