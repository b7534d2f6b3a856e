"""Exceptions mirror the status codes of dvc/common.h, one class per code."""
import pickle
import re

import pytest

import dvc
from conftest import SOURCE_ROOT


def c_status_codes():
    text = (SOURCE_ROOT / "include/dvc/common.h").read_text(encoding="utf-8")
    codes = dict((n, int(v)) for n, v in re.findall(r"\b(DVC_E\w*|DVC_ERROR)\s*=\s*(-\d+)", text))
    assert len(codes) >= 28
    return codes


def test_every_c_status_code_has_its_own_exception_class():
    codes = c_status_codes()
    seen = set()
    for name, code in codes.items():
        cls = dvc.error_class(code)
        assert issubclass(cls, dvc.Error), name
        assert cls is not dvc.Error, f"{name} has no class of its own"
        assert cls.code == code and cls not in seen
        seen.add(cls)
        assert dvc.status_name(code) == name
        e = cls("msg", "field", code)
        assert (e.code, e.name, e.message, e.path) == (code, name, "msg", "field")
        assert str(e) == "msg (at field)"
        assert getattr(dvc, name) == code  # the constants are exported by _dvc too
    assert set(dvc._ERRORS) == set(codes.values())


def test_python_base_classes_where_they_fit():
    assert issubclass(dvc.OutOfMemory, MemoryError)
    assert issubclass(dvc.InvalidArgument, ValueError)
    assert issubclass(dvc.NotFound, LookupError)
    assert issubclass(dvc.InvalidDate, ValueError)
    assert issubclass(dvc.OutOfRange, ValueError)
    assert dvc.error_class(-999) is dvc.Error


def test_raised_errors_carry_message_and_path(store):
    with pytest.raises(dvc.Schema) as e:
        store.import_catalog('{"format": "dvc-catalog", "format_version": 1, "levels": 3}')
    err = e.value
    assert err.code == -7 and err.name == "DVC_ESCHEMA"
    assert err.path and err.message
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is dvc.Schema and again.path == err.path and again.code == err.code


def test_validators():
    assert dvc.validate_phone("091 234 5678") == "+84912345678"
    with pytest.raises(dvc.InvalidArgument):
        dvc.validate_phone("0168 123 4567")
    dvc.validate_citizen_id("031099001234")
    with pytest.raises(dvc.InvalidArgument):
        dvc.validate_citizen_id("999099001234")
    dvc.validate_email("an.nguyen@example.vn")
    with pytest.raises(dvc.InvalidArgument):
        dvc.validate_email("not an address")
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}},
              "required": ["n"]}
    dvc.eform_check(schema, {"n": 2})
    with pytest.raises(dvc.Schema) as e:
        dvc.eform_check(schema, {"n": 0})
    assert e.value.path.endswith("n")
    assert "xs:schema" in dvc.catalog_xsd()
