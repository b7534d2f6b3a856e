"""Fixtures shared by the dvc binding tests.

The package under test is the one on PYTHONPATH (meson points it at
build/bindings/python, where the extension sits next to copies of the
package sources). Data files come from the source tree.
"""
import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

import dvc

SOURCE_ROOT = Path(os.environ.get("DVC_SOURCE_ROOT", Path(__file__).resolve().parents[3]))

DESK = "000.00.30.H24"
JUSTICE = "000.01.30.H24"
TNMT = "000.08.30.H24"
CITIZEN = {
    "full_name": "Nguyễn Văn An",
    "citizen_id": "031099001234",
    "birth_date": "1999-05-12",
    "address": "Thôn 3, xã Thụy Hương, huyện Kiến Thụy",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
}
FORM3 = {"purpose": "Xin cấp bản sao", "copies": 2}
MONDAY_9AM = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dvc.VN_TZ)


def src(rel: str) -> str:
    return str(SOURCE_ROOT / rel)


def setup_dossier_store(db: "dvc.Store") -> "dvc.Store":
    """The catalog and officers of tests/test_dossier.c, clock at Monday 09:00."""
    db.set_time(MONDAY_9AM)
    db.import_catalog(src("tests/data/dossier_catalog.json"))
    db.add_officer("le.tiep.nhan", "Lê Tiếp Nhận", DESK, "reception")
    db.add_officer("tran.chuyen.vien", "Trần Chuyên Viên", JUSTICE, "specialist")
    db.add_officer("nguyen.truong.phong", "Nguyễn Trưởng Phòng", JUSTICE, "unit_leader")
    db.add_officer("hoang.lanh.dao", "Hoàng Lãnh Đạo", DESK, "signing_leader")
    db.add_officer("tnmt.chuyen.vien", "Đỗ Chuyên Viên", TNMT, "specialist")
    db.add_officer("quan.tri", "Quản Trị", DESK, "admin")
    return db


def setup_document_store(db: "dvc.Store", *officers) -> "dvc.Store":
    """tests/data/document_catalog.json with the desk's le.tiep.nhan and
    `officers` ((user, name, unit, role) each), the account an.nguyen for
    CITIZEN, clock at Monday 09:00."""
    db.set_time(MONDAY_9AM)
    db.import_catalog(src("tests/data/document_catalog.json"))
    db.add_officer("le.tiep.nhan", "Lê Tiếp Nhận", DESK, "reception")
    for officer in officers:
        db.add_officer(*officer)
    db.register_account("an.nguyen", "mat-khau-du-dai-1", CITIZEN)
    return db


def pdf(filler: bytes) -> bytes:
    """A PDF: a real header, then `filler`."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + filler


def fresh_store() -> str:
    """What dvc.Store takes for a fresh empty store: ":memory:", or with
    DVC_TEST_DB_URI (scripts/test.sh's PostgreSQL stage) a schema of its own
    on that server, made with psql like tests/testutil.c's fresh_store()."""
    uri = os.environ.get("DVC_TEST_DB_URI")
    if not uri:
        return ":memory:"
    global _schemas
    _schemas += 1
    schema = f"py{os.getpid()}_{_schemas}"
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", uri, "-c",
                    f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"],
                   check=True, capture_output=True)
    return f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3D{schema}"


_schemas = 0


@pytest.fixture
def store():
    with dvc.Store(fresh_store()) as db:
        yield db


@pytest.fixture
def dossier_store():
    with dvc.Store(fresh_store()) as db:
        yield setup_dossier_store(db)


def pytest_sessionfinish(session, exitstatus):
    # pytest exits with 5 when it collected nothing: for `meson test` that is
    # a broken run (wrong path, files missing), never a pass.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
