"""How the binding is made: generated functions name their C function, the
exception classes document themselves from dvc/common.h, and an int a C
parameter cannot hold is the library's range error."""
import datetime as dt
import inspect
import re

import pytest

import dvc
from conftest import SOURCE_ROOT


def generated():
    for owner in (dvc, dvc.Store, dvc.Calendar):
        for name, f in vars(owner).items():
            if getattr(f, "_c_function", None):
                yield owner, name, f


def test_generated_functions_name_their_c_function():
    seen = list(generated())
    assert len(seen) > 60
    for owner, name, f in seen:
        assert f.__name__ == name and f.__qualname__.endswith(name)
        assert hasattr(dvc.lib, f._c_function), f._c_function
        doc = inspect.getdoc(f)
        assert f._c_function in doc.splitlines()[-1], (name, doc)
        assert doc.splitlines()[0].strip(), name


def test_exception_classes_carry_the_comment_of_their_code():
    text = (SOURCE_ROOT / "include/dvc/common.h").read_text(encoding="utf-8")
    comments = dict(re.findall(r"\b(DVC_E\w*|DVC_ERROR)\s*=\s*-\d+,?\s*/\*\*<\s*(.*?)\s*\*/", text))
    assert len(comments) >= 30
    for status, comment in comments.items():
        assert dvc.error_class(getattr(dvc, status)).__doc__ == f"{status}: {comment}."


def test_an_int_too_big_for_its_c_parameter_is_out_of_range(store):
    t = dt.datetime(2026, 3, 2, 9, tzinfo=dvc.VN_TZ)
    cal = dvc.Calendar()
    for days in (2**31, -(2**40), 10**7):
        with pytest.raises(dvc.OutOfRange):
            cal.add_days(t, days)
    with pytest.raises(dvc.OutOfRange):
        store.set_retention(2**40)
    with pytest.raises(dvc.OutOfRange):
        store.set_payment_expiry(2**70)
    with pytest.raises(ValueError):
        store.outbox_fetch(0)
    with pytest.raises(ValueError, match="limit must be >= 0"):
        store.list_dossiers(limit=-1)
    assert store.retention == 3650  # the refusals changed nothing
