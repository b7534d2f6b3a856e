"""libdvc for Python: the core of a Vietnamese online public-service portal.

The procedure catalog, the working-time calendar (lunar Tết and the official
holiday schedules included), dossiers from submission to returned result,
online payment, the notification outbox, official slips and reports::

    import dvc

    with dvc.Store("portal.db") as db:
        db.import_catalog("data/catalog/kien-thuy-2018.json")
        for hit in db.search("dang ky khai sinh", level="commune"):
            print(hit["code"], hit["name"])
        with db.transaction():           # all or nothing
            code, secret = db.submit("1.001193", applicant={...}, form={...})
        db.report(group="sector", dataframe=True)   # with pandas installed

Conventions:

* Records come back as plain dicts and lists; enumerations as the names the
  C library, the CLI and JSON use ("in_progress", "forward", "reception").
* Instants are timezone-aware ``datetime`` objects: any aware datetime (or an
  ISO 8601 string with an offset, or a date or "YYYY-MM-DD" meaning 00:00
  Vietnam time) goes in, UTC comes out. Naive datetimes are refused with
  ``ValueError``: use ``datetime.timezone.utc`` or ``dvc.VN_TZ`` (UTC+7).
* Every libdvc failure raises a subclass of :class:`dvc.Error` named after its
  status code (``dvc.NotFound`` for ``DVC_ENOTFOUND``...), carrying ``code``,
  ``name``, ``message`` and ``path`` (the offending field, when known).
* Threads: the GIL is released during every C call, so threads using
  different stores run in parallel; calls on one ``Store`` are serialised by
  a lock of its own. A transaction belongs to the handle, not to a thread:
  give each thread its own Store for independent transactions.

The C API is reached through cffi in ABI mode: ``_cdef.h`` (generated from the
public headers by tools/gen_cdef.py) declares it, and libdvc is loaded from
``$DVC_LIBRARY``, else a copy inside this package, else the system's
``libdvc.so.0``.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import datetime as _dt
import functools
import json
import operator
import os
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

import cffi

# ---------------------------------------------------------------------------
# Loading: the declarations, then the library
# ---------------------------------------------------------------------------

_HERE = Path(__file__).resolve().parent
_CDEF = (_HERE / "_cdef.h").read_text(encoding="utf-8")
ffi = cffi.FFI()
ffi.cdef(_CDEF)


def _load() -> Any:
    env = os.environ.get("DVC_LIBRARY")
    names = [env] if env else [str(p) for p in sorted(_HERE.glob("libdvc.so*"))] + ["libdvc.so.0"]
    tried = []
    for name in names:
        try:
            found = ffi.dlopen(name)
        except OSError as e:
            tried.append(str(e))
            continue
        want = (found.DVC_VERSION_MAJOR, found.DVC_VERSION_MINOR)
        if found.dvc_version_number() // 100 != want[0] * 100 + want[1]:
            raise ImportError(f"{name} is libdvc {ffi.string(found.dvc_version()).decode()}, "
                              f"this package needs {want[0]}.{want[1]}")
        return found
    raise ImportError("libdvc not found (set DVC_LIBRARY to its path): " + "; ".join(tried))


lib = _load()

__version__ = ffi.string(lib.dvc_version()).decode()
LIBDVC_VERSION = __version__
SCHEMA_VERSION = lib.DVC_SCHEMA_VERSION
CALENDAR_MIN_YEAR = lib.DVC_CALENDAR_MIN_YEAR
CALENDAR_MAX_YEAR = lib.DVC_CALENDAR_MAX_YEAR
#: The component index of a dossier's result file (Store.attach).
FILE_RESULT = lib.DVC_FILE_RESULT

#: Vietnam's time zone (UTC+7, no daylight saving), for building instants.
VN_TZ = _dt.timezone(_dt.timedelta(hours=7), "ICT")
_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)

Receipt = collections.namedtuple("Receipt", "code secret")
Receipt.__doc__ = "What submitting a dossier hands back: (code, secret); secret is None for accounts."
LunarDate = collections.namedtuple("LunarDate", "year month day leap")
LunarDate.__doc__ = "A Vietnamese lunar date: (year, month, day, leap)."

__all__ = [
    "Store", "Calendar", "Receipt", "LunarDate", "VN_TZ", "FILE_RESULT",
    "version", "status_name", "payment_sign", "payment_national_check", "sms_segments", "parse_time", "format_time",
    "lunar_from_solar", "lunar_to_solar", "lunar_year_name",
    "lifecycle_table", "lifecycle_dot", "states", "actions", "roles",
    "validate_catalog_xml", "catalog_xsd", "validate_phone", "validate_citizen_id",
    "validate_email", "eform_check", "error_class", "Error",
    "sign_verify", "cert_fingerprint", "rating_criteria",
    "proof_verify", "proof_keygen", "proof_key",
]

# ---------------------------------------------------------------------------
# Errors: one class per status code of dvc/common.h
# ---------------------------------------------------------------------------


def status_name(code: int) -> str:
    """The name of a status code ("DVC_ENOTFOUND")."""
    return ffi.string(lib.dvc_status_name(code)).decode()


class Error(Exception):
    """A libdvc failure.

    Attributes:
        code: the status code (negative int, ``DVC_E*``).
        name: its name, e.g. ``"DVC_ENOTFOUND"``.
        message: the library's one-line English message.
        path: the offending record or field (``"procedures[3].versions[0].sector"``,
            ``"citizen_id"``), or None.
    """

    code: int = lib.DVC_ERROR

    def __init__(self, message: str = "", path: Optional[str] = None,
                 code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        if code is not None:
            self.code = code

    @property
    def name(self) -> str:
        """The status code's name ("DVC_ENOTFOUND")."""
        return status_name(self.code)

    def __str__(self) -> str:
        return f"{self.message} (at {self.path})" if self.path else self.message

    def __reduce__(self) -> Any:
        return (type(self), (self.message, self.path, self.code))


_ERROR_TABLE = [  # class, status, extra Python base, what it means
    ("InternalError", "DVC_ERROR", (), "an unspecified internal error"),
    ("OutOfMemory", "DVC_ENOMEM", (MemoryError,), "an allocation failed"),
    ("InvalidArgument", "DVC_EINVAL", (ValueError,), "an invalid argument (a field failing validation...)"),
    ("NotFound", "DVC_ENOTFOUND", (LookupError,), "the named object does not exist"),
    ("Exists", "DVC_EEXISTS", (), "an object with that key already exists"),
    ("Parse", "DVC_EPARSE", (), "malformed JSON or XML"),
    ("Schema", "DVC_ESCHEMA", (), "well-formed input violating the schema (path names the field)"),
    ("Utf8", "DVC_EUTF8", (ValueError,), "invalid UTF-8"),
    ("TooBig", "DVC_ETOOBIG", (), "a value or input exceeds a size limit"),
    ("Duplicate", "DVC_EDUPLICATE", (), "the same key appears twice in one input"),
    ("Reference", "DVC_EREF", (), "a reference to an unknown code (sector, agency, level...)"),
    ("Transition", "DVC_ETRANSITION", (), "the action is not legal now, or a precondition fails"),
    ("ServiceLevel", "DVC_ESERVICELEVEL", (), "refused by the procedure's online service level"),
    ("Permission", "DVC_EPERM", (), "the actor may not do this"),
    ("Conflict", "DVC_ECONFLICT", (), "a stale expected version, or a changed catalog version"),
    ("Signature", "DVC_ESIGNATURE", (), "a signature or digest mismatch"),
    ("IO", "DVC_EIO", (), "a file or database I/O error"),
    ("FormatVersion", "DVC_EVERSION", (), "data written by a newer, unknown format version"),
    ("Busy", "DVC_EBUSY", (), "the database is locked by another writer"),
    ("InvalidDate", "DVC_EDATE", (ValueError,), "an invalid date or instant"),
    ("OutOfRange", "DVC_ERANGE", (ValueError,), "a value out of the supported range"),
    ("TransactionMisuse", "DVC_ETXN", (), "commit or rollback without begin, or begin twice"),
    ("Auth", "DVC_EAUTH", (), "wrong credentials or tracking secret"),
    ("Throttled", "DVC_ETHROTTLED", (), "too many failed attempts; try later"),
    ("Expired", "DVC_EEXPIRED", (), "a time-limited object has expired (or an agency is not in force)"),
    ("Corrupt", "DVC_ECORRUPT", (), "stored data fails an integrity check (the journal chain)"),
    ("Template", "DVC_ETEMPLATE", (), "an invalid notification template"),
    ("Amount", "DVC_EAMOUNT", (), "a payment amount does not match what is due"),
    ("CallbackFailed", "DVC_EUSER", (), "a host callback (the clock) failed; the call wrote nothing"),
    ("MediaType", "DVC_EMEDIATYPE", (), "a file's detected media type is not accepted"),
    ("Incomplete", "DVC_EINCOMPLETE", (), "required dossier components are missing"),
    ("Truncated", "DVC_ETRUNCATED", (), "an upload (or a journal) ended before its declared size"),
    ("Mismatch", "DVC_EMISMATCH", (), "verified claims contradict stored data (.path lists the fields)"),
    ("Retained", "DVC_ERETAINED", (), "personal data still inside its retention period"),
]
_ERRORS: Dict[int, type] = {}
for _cls, _status, _bases, _doc in _ERROR_TABLE:
    _code = getattr(lib, _status)
    globals()[_cls] = _ERRORS[_code] = type(_cls, (Error,) + _bases,
                                             {"code": _code, "__doc__": f"{_status}: {_doc}."})
    __all__.append(_cls)
# The status codes as ints: dvc.DVC_ENOTFOUND == -4 ...
for _code, _status in ffi.typeof("dvc_status").elements.items():
    globals()[_status] = _code
    __all__.append(_status)
del _cls, _status, _bases, _doc, _code


def error_class(code: int) -> type:
    """The exception class raised for status ``code`` (``Error`` for unknown codes)."""
    return _ERRORS.get(code, Error)


def _check(rc: int) -> int:
    """Raise the exception of a negative status from this thread's dvc_error_last()."""
    if rc >= 0:
        return rc
    e = lib.dvc_error_last()
    same = e.code == rc
    message = ffi.string(e.message).decode("utf-8", "replace") if same else status_name(rc)
    path = ffi.string(e.path).decode("utf-8", "replace") if same and e.path else None
    raise error_class(rc)(message, path, rc)


# ---------------------------------------------------------------------------
# Conversions between Python values and the C structs
# ---------------------------------------------------------------------------

_OPS = {ast.BitOr: operator.or_, ast.LShift: operator.lshift, ast.USub: operator.neg}


def _init_value(node: ast.AST) -> Any:
    if isinstance(node, ast.List):
        return [_init_value(n) for n in node.elts]
    if isinstance(node, ast.Constant):  # ("" initialises a char array)
        return node.value.encode() if isinstance(node.value, str) else node.value
    if isinstance(node, ast.Name):
        if node.id in _STRING_MACROS:
            return _STRING_MACROS[node.id]
        return ffi.NULL if node.id == "NULL" else getattr(lib, node.id)
    if isinstance(node, ast.UnaryOp):
        return _OPS[type(node.op)](_init_value(node.operand))
    return _OPS[type(node.op)](_init_value(node.left), _init_value(node.right))


# The headers' string macros (DVC_FILE_DEFAULT_TYPES...), as C strings alive as
# long as the module, for the initialisers that point at them.
_STRING_MACROS = {name: ffi.new("char[]", ast.literal_eval(body).encode())
                  for name, body in re.findall(r'/\* string (\w+) ("(?:[^"\\]|\\.)*") \*/', _CDEF)}

# The *_INIT initialisers of the headers, as cffi struct initialisers.
_INITS = {name: _init_value(ast.parse(re.sub(r"(\d)[uU]\b", r"\1", body)
                                      .replace("{", "[").replace("}", "]"), mode="eval").body)
          for name, body in re.findall(r"/\* init (\w+) (.*?) \*/", _CDEF)}


def _new(ctype: str, init: Optional[str] = None, **fields: Any) -> Any:
    """A new `ctype` struct set like its C initialiser (DVC_<NAME>_INIT, or
    `init`; zeroes when the header has none), then `fields`."""
    p = ffi.new(ctype + " *", _INITS.get(init or "DVC_" + ctype[4:].upper() + "_INIT"))
    for k, v in fields.items():
        setattr(p, k, v)
    return p


def _strings(struct: Any, keep: list, **fields: Any) -> Any:
    """Point char * fields of `struct` at copies of str/bytes values kept in `keep`
    (alive as long as the call needs them); None leaves NULL."""
    for k, v in fields.items():
        if v is not None:
            keep.append(ffi.new("char[]", v if isinstance(v, bytes) else _s(v, k)))
            setattr(struct, k, keep[-1])
    return struct


def _caller(client: Optional[str], keep: list) -> Any:
    """A dvc_caller for the throttles' client key, or NULL (the unknown client)."""
    if client is None:
        return ffi.NULL
    keep.append(_strings(_new("dvc_caller"), keep, client=client))
    return keep[-1]


def _text(p: Any) -> Optional[str]:
    return None if p == ffi.NULL else ffi.string(p).decode()


def _s(v: Any, what: str, optional: bool = False) -> Any:
    """A str argument as NUL-terminated UTF-8 (None -> NULL when optional)."""
    if v is None and optional:
        return ffi.NULL
    if not isinstance(v, str):
        raise TypeError(f"{what} must be a str{' or None' if optional else ''}, not {type(v).__name__}")
    if "\0" in v:
        raise ValueError(f"{what} contains a NUL character")
    return v.encode()


def _doc(v: Any, what: str) -> bytes:
    """A document argument (str or bytes) as bytes."""
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    raise TypeError(f"{what} must be str or bytes, not {type(v).__name__}")


def _json(v: Any) -> bytes:
    """JSON text: a str is taken as JSON already, anything else is dumped."""
    return (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)).encode()


def _is_document(v: Any) -> bool:
    """bytes, or a str that starts like a document rather than a path."""
    return isinstance(v, bytes) or (isinstance(v, str) and v.lstrip(" \t\r\n\ufeff")[:1] in ("{", "<", "["))


def _time(t: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(seconds=t)


def _to_time(v: Any) -> int:
    """An instant: an aware datetime, a date (00:00 in Vietnam), or a str the
    library parses ("2026-03-02T10:15:00+07:00" or "2026-03-02")."""
    out = ffi.new("dvc_time *")
    if isinstance(v, _dt.datetime):
        if v.utcoffset() is None:
            raise ValueError("naive datetime: attach a tzinfo (datetime.timezone.utc, dvc.VN_TZ...)")
        return (v - _EPOCH) // _dt.timedelta(seconds=1)
    if isinstance(v, _dt.date):
        _check(lib.dvc_time_from_local((v.year, v.month, v.day), 0, 0, 0, out))
    elif isinstance(v, str):
        _check(lib.dvc_time_parse_day(_s(v, "instant"), out))
    else:
        raise TypeError("an instant must be an aware datetime, a date or an ISO 8601 str, "
                        f"not {type(v).__name__}")
    return out[0]


def _opt_time(v: Any) -> int:
    return 0 if v is None else _to_time(v)


def _to_date(v: Any) -> Any:
    """A dvc_date from a date, an aware datetime (its date in Vietnam) or "YYYY-MM-DD"."""
    if isinstance(v, _dt.datetime):
        d = ffi.new("dvc_date *")
        _check(lib.dvc_time_to_local(_to_time(v), d, ffi.NULL))
        return d[0]
    if isinstance(v, str):
        v = _dt.date.fromisoformat(v)
    if not isinstance(v, _dt.date):
        raise TypeError(f"a date must be a datetime.date or a 'YYYY-MM-DD' str, not {type(v).__name__}")
    return (v.year, v.month, v.day)


def _opt_date(v: Any) -> Any:
    return ffi.NULL if v is None else ffi.new("dvc_date *", _to_date(v))


@functools.lru_cache(maxsize=None)
def _enum(ctype: Any) -> Dict[int, str]:
    """Value -> name of a C enum: through the library's dvc_<enum>_name() when
    it has one, else the constants' names without their common prefix."""
    cname = ctype.cname.replace("enum ", "")
    fn = getattr(lib, cname + "_name", None)
    if fn is not None:
        return {v: ffi.string(fn(v)).decode() for v in sorted(ctype.elements)}
    prefix = os.path.commonprefix(list(ctype.elements.values()))
    prefix = prefix[:prefix.rfind("_") + 1]
    return {v: ctype.elements[v][len(prefix):].lower() for v in sorted(ctype.elements)}


def _parse(cname: str, name: Any, what: str) -> int:
    """Name -> value of a C enum: dvc_<enum>_parse() when the library has one."""
    fn = getattr(lib, cname + "_parse", None)
    if fn is not None:
        out = ffi.new(cname + " *")
        _check(fn(_s(name, what), out))
        return out[0]
    names = {n: v for v, n in _enum(ffi.typeof(cname)).items()}
    if name not in names:
        raise ValueError(f"unknown {what} {name!r} ({', '.join(names)})")
    return names[name]


# Struct fields declared dvc_time in the headers: instants (0 = "not yet": None).
_TIME_FIELDS = {f.strip() for decl in re.findall(r"^\s*dvc_time\s+([\w\s,]+);", _CDEF, re.M)
                for f in decl.split(",")}
_BOOL_FIELDS = {"overdue", "step_overdue", "clock_stopped", "working", "ascii", "leap", "stops_clock"}


def _field(name: str, t: Any) -> Callable[[Any], Any]:
    if t.kind == "array" and t.item.cname == "char":
        return lambda v: ffi.string(v).decode() or None
    if t.kind == "pointer" and t.item.cname == "char":
        return _text
    if t.kind == "enum":
        names = _enum(t)
        return lambda v: names.get(v, v)
    if t.kind == "struct":
        return _date if t.cname == "dvc_date" else _record
    if name in _TIME_FIELDS:
        return lambda v: _time(v) if v else None
    return bool if name in _BOOL_FIELDS else (lambda v: v)


@functools.lru_cache(maxsize=None)
def _plan(t: Any) -> List[Any]:
    """How to turn a struct type into a dict: a pointer `x` with a count `n_x` is
    a list; the struct's own version (a first `unsigned int version`) is left out."""
    names = {name for name, _ in t.fields}
    plan = []
    for i, (name, f) in enumerate(t.fields):
        if (name.startswith("n_") and name[2:] in names) or (i == 0 and name == "version" and
                                                               f.type.cname == "unsigned int"):
            continue
        if "n_" + name in names:
            plan.append((name, "n_" + name, _field(name, f.type.item)))
        else:
            plan.append((name, None, _field(name, f.type)))
    return plan


def _record(p: Any) -> Dict[str, Any]:
    """A struct (or a pointer to one) as a dict, following the header's field names."""
    t = ffi.typeof(p)
    out = {}
    for name, count, conv in _plan(t.item if t.kind == "pointer" else t):
        v = getattr(p, name)
        out[name] = [conv(v[i]) for i in range(getattr(p, count))] if count else conv(v)
    return out


def _date(d: Any) -> Optional[_dt.date]:
    return _dt.date(d.year, d.month, d.day) if d.year else None  # {0, 0, 0}: no date


def _owned(fn: Callable[..., int], *args: Any, ctype: str = "char *") -> Any:
    """Call fn(*args, &out) and return out, checked."""
    out = ffi.new(ctype + "*")
    _check(fn(*args, out))
    return out[0]


def _owned_text(p: Any, n: Optional[int] = None) -> str:
    """A string the library allocated, freed after decoding."""
    try:
        return ffi.unpack(p, n).decode() if n is not None else ffi.string(p).decode()
    finally:
        lib.dvc_free(p)


def _rows(handle: Any, kind: str) -> list:
    """The rows of a collection handle (its kind_count/_at/_free), converted, then the handle freed."""
    at = getattr(lib, kind + "_at")
    try:
        return [_record(at(handle, i)) for i in range(getattr(lib, kind + "_count")(handle))]
    finally:
        getattr(lib, kind + "_free")(handle)


def _dataframe(rows: List[Dict[str, Any]], index: Optional[str] = None) -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("dataframe=True needs pandas (Debian: python3-pandas)") from e
    df = pandas.DataFrame.from_records(rows)
    return df.set_index(index) if index is not None and index in df.columns else df


Instant = Union[_dt.datetime, _dt.date, str]

# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------


def _minutes(v: Any, what: str) -> int:
    """Office time of day: "07:30", a datetime.time or minutes after midnight."""
    if isinstance(v, int):
        if not 0 <= v <= 1440:
            raise ValueError(f"{what}: minutes after midnight must be in 0..1440")
        return v
    if isinstance(v, _dt.time):
        return v.hour * 60 + v.minute
    if isinstance(v, str):
        m = re.fullmatch(r"(\d{1,2}):(\d{1,2})", v)
        if m and int(m[2]) < 60 and int(m[1]) * 60 + int(m[2]) <= 1440:
            return int(m[1]) * 60 + int(m[2])
        raise ValueError(f'{what}: expected "HH:MM", got {v!r}')
    raise TypeError(f'{what} must be "HH:MM", a datetime.time or minutes')


def _lunar(v: Any) -> Any:
    if isinstance(v, (str, bytes)) or len(v) not in (3, 4):
        raise TypeError("a lunar date is a LunarDate or a (year, month, day[, leap]) tuple")
    return (*(operator.index(x) for x in v[:3]), 1 if len(v) == 4 and v[3] else 0)


class Calendar:
    """The working-time calendar of Vietnamese offices: lunar calendar, holidays
    and official schedules (2018-2026 built in), office-time arithmetic.

    ``Calendar(*, am_start='07:30', am_end='11:30', pm_start='13:30', pm_end='17:00',
    rest_days=(5, 6), round_to_end_of_day=False, builtin_schedules=True)``;
    rest_days are Python weekday numbers (Monday=0 .. Sunday=6).
    """

    def __init__(self, *, am_start: Any = None, am_end: Any = None, pm_start: Any = None,
                 pm_end: Any = None, rest_days: Any = None, round_to_end_of_day: bool = False,
                 builtin_schedules: bool = True) -> None:
        o = _new("dvc_calendar_opts",
                 round_to_end_of_day=bool(round_to_end_of_day), builtin_schedules=bool(builtin_schedules))
        for name, v in (("am_start", am_start), ("am_end", am_end), ("pm_start", pm_start), ("pm_end", pm_end)):
            if v is not None:
                setattr(o, name, _minutes(v, name))
        if rest_days is not None:
            if not all(isinstance(w, int) and 0 <= w <= 6 for w in rest_days):
                raise ValueError("rest_days are weekday numbers, Monday=0 .. Sunday=6")
            o.rest_days = functools.reduce(operator.or_, (1 << ((w + 1) % 7) for w in rest_days), 0)
        out = ffi.new("dvc_calendar **")
        _check(lib.dvc_calendar_new(out, o))
        self._cal = ffi.gc(out[0], lib.dvc_calendar_free)
        self._attached = 0  # stores using it: schedule changes are refused

    def _mutable(self) -> Any:
        if self._attached:
            raise RuntimeError("calendar is in use by a store: load schedules before Store.set_calendar()")
        return self._cal

    @property
    def day_seconds(self) -> int:
        """Seconds of office time in one working day (27000 by default)."""
        return lib.dvc_calendar_day_seconds(self._cal)

    def load_schedule(self, source: Any) -> None:
        """Load one year's official schedule (format "dvc-calendar-schedule"),
        replacing what that year had: the JSON text (str or bytes) or a path.
        All-or-nothing. Raises dvc.Parse, dvc.Schema (with .path),
        dvc.FormatVersion, dvc.OutOfRange, dvc.IO."""
        cal = self._mutable()
        if _is_document(source):
            data = _doc(source, "schedule")
            _check(lib.dvc_calendar_load_schedule(cal, data, len(data)))
        else:
            _check(lib.dvc_calendar_load_schedule_file(cal, os.fsencode(source)))

    def clear_schedule(self, year: int) -> None:
        """Forget the schedule of `year`: the statutory holiday rules apply again."""
        _check(lib.dvc_calendar_clear_schedule(self._mutable(), year))

    def schedule_source(self, year: int) -> Optional[str]:
        """The "source" text of the year's official schedule, or None when the
        year follows the statutory rules."""
        return _text(_owned(lib.dvc_calendar_schedule_source, self._cal, year, ctype="const char *"))

    def day(self, date: Any) -> Dict[str, Any]:
        """Describe one day: {'date', 'kind', 'working', 'name'}; kind is one of
        'working', 'weekend', 'holiday', 'compensatory', 'off', 'swapped_working';
        name is the Vietnamese reason or None."""
        info = _new("dvc_day_info")
        _check(lib.dvc_calendar_day(self._cal, _to_date(date), info))
        return _record(info)

    def is_working_day(self, date: Any) -> bool:
        """True on a working day (including a rest day made working)."""
        return self.day(date)["working"]

    def special_days(self, year: int) -> List[Dict[str, Any]]:
        """Every day of `year` that differs from the weekly pattern (holidays,
        compensatory days, days off, swapped working days), in date order, as
        dicts like day()."""
        days, n = ffi.new("dvc_day_info **"), ffi.new("size_t *")
        _check(lib.dvc_calendar_special_days(self._cal, year, days, n))
        try:
            return [_record(days[0][i]) for i in range(n[0])]
        finally:
            lib.dvc_free(days[0])

    def _add(self, fn: Callable, start: Any, amount: int) -> _dt.datetime:
        return _time(_owned(fn, self._cal, _to_time(start), operator.index(amount), ctype="dvc_time"))

    def add_days(self, start: Instant, days: int) -> _dt.datetime:
        """The deadline `days` working days after `start` (an aware datetime):
        one day is one day's office time. Negative counts back."""
        if abs(operator.index(days)) > 1_000_000:  # the library's range error, not an int overflow
            return self._add(lib.dvc_calendar_add_seconds, start, 2**63 - 1)
        return self._add(lib.dvc_calendar_add_days, start, days)

    def add_hours(self, start: Instant, hours: int) -> _dt.datetime:
        """The instant by which `hours` of office time have elapsed after `start`."""
        return self._add(lib.dvc_calendar_add_hours, start, hours)

    def add_minutes(self, start: Instant, minutes: int) -> _dt.datetime:
        """Like add_hours() with minutes."""
        return self._add(lib.dvc_calendar_add_minutes, start, minutes)

    def add_seconds(self, start: Instant, seconds: int) -> _dt.datetime:
        """Like add_hours() with seconds."""
        return self._add(lib.dvc_calendar_add_seconds, start, seconds)

    def between(self, a: Instant, b: Instant) -> _dt.timedelta:
        """Office time between two instants as a timedelta (negative when b < a)."""
        s = _owned(lib.dvc_calendar_between, self._cal, _to_time(a), _to_time(b), ctype="int64_t")
        return _dt.timedelta(seconds=s)

    def next_working(self, t: Instant) -> _dt.datetime:
        """The first instant at or after `t` inside office hours of a working day."""
        return _time(_owned(lib.dvc_calendar_next_working, self._cal, _to_time(t), ctype="dvc_time"))

    def lunar_from_solar(self, date: Any) -> LunarDate:
        """Solar date to LunarDate (UTC+7), through the precomputed table."""
        return _lunar_out(lib.dvc_calendar_lunar_from_solar, self._cal, _to_date(date))

    def lunar_to_solar(self, lunar: Any) -> _dt.date:
        """LunarDate or (year, month, day[, leap]) to a solar date. Raises
        dvc.InvalidDate when that lunar date does not exist."""
        return _date(_owned(lib.dvc_calendar_lunar_to_solar, self._cal, _lunar(lunar), ctype="dvc_date"))


def _lunar_out(fn: Callable, *args: Any) -> LunarDate:
    lunar = _owned(fn, *args, ctype="dvc_lunar_date")
    return LunarDate(lunar.year, lunar.month, lunar.day, bool(lunar.leap))


# ---------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------


class _Clock:
    """A clock for dvc_set_clock(): a fixed instant, or a Python callable run
    from inside C calls (cffi takes the GIL); what it raises is kept for the
    Store method to raise once the C call returns."""

    def __init__(self, fn: Optional[Callable[[], Any]] = None, fixed: int = 0) -> None:
        self.fn, self.fixed, self.exc = fn, fixed, None
        self.c = ffi.callback("int(void *, dvc_time *)", self._now, onerror=self._failed)

    def _now(self, ctx: Any, out: Any) -> int:
        out[0] = self.fixed if self.fn is None else _to_time(self.fn())
        return 0

    def _failed(self, exc_type: Any, value: BaseException, tb: Any) -> int:
        if self.exc is None:
            self.exc = value.with_traceback(tb)
        return 1  # the C call fails with DVC_EUSER and keeps nothing


class Store:
    """An open libdvc store: one connection to an SQLite database (a file in
    WAL mode, or ``":memory:"``) or, in a libdvc built with libpq, to a
    PostgreSQL database (a ``"postgresql://..."`` URI, or any libpq
    connection string with ``postgresql=True``), migrated to the current
    schema on opening.

    ``Store(path=":memory:", *, readonly=False, create=True, busy_timeout_ms=5000,
    postgresql=False)``

    A context manager: ``with dvc.Store(path) as db:`` closes it at the end.
    Every write is one transaction; ``with db.transaction():`` groups several
    (committed at the end of the block, rolled back if it raises).
    """

    def __init__(self, path: Union[str, os.PathLike] = ":memory:", *, readonly: bool = False,
                 create: bool = True, busy_timeout_ms: int = 5000,
                 journal_key: Optional[Union[str, os.PathLike]] = None,
                 journal_trust: Optional[Union[str, os.PathLike]] = None,
                 require_signed: bool = False, postgresql: bool = False) -> None:
        self._lock, self._owner, self._db = threading.Lock(), None, None
        self._clock: Optional[_Clock] = None
        self._calendar: Optional[Calendar] = None
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise ValueError("path contains a NUL character")
        flags = ((lib.DVC_OPEN_CREATE if create else 0) | (lib.DVC_OPEN_READONLY if readonly else 0)
                 | (lib.DVC_OPEN_REQUIRE_SIGNED if require_signed else 0)
                 | (lib.DVC_OPEN_POSTGRESQL if postgresql else 0))
        opts = _new("dvc_open_opts", flags=flags, busy_timeout_ms=busy_timeout_ms)
        keep: list = []
        _strings(opts, keep, journal_key_file=_path(journal_key, "journal_key"),
                 journal_trust_file=_path(journal_trust, "journal_trust"))
        out = ffi.new("dvc_db **")
        _check(lib.dvc_open(out, raw, opts))
        self._db = ffi.gc(out[0], lib.dvc_close)
        self.path = os.fsdecode(raw)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(db, *args) holding the store's lock (the handle is used by one
        thread at a time); raises what a Python clock raised during the call."""
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError("the store is already in a call on this thread (a clock callback must not use it)")
        with self._lock:
            if self._db is None:
                raise ValueError("the store is closed")
            self._owner = me
            try:
                rc = fn(self._db, *args)
            finally:
                self._owner = None
        clock = self._clock
        if clock is not None and clock.exc is not None:
            exc, clock.exc = clock.exc, None
            raise exc
        return rc

    def _status(self, fn: Callable[..., int], *args: Any) -> None:
        _check(self._call(fn, *args))

    def _get(self, fn: Callable[..., int], *args: Any, ctype: str) -> Any:
        out = _new(ctype)
        _check(self._call(fn, *args, out))
        return out[0]

    def __repr__(self) -> str:
        return f"<dvc.Store {self.path!r} {'closed' if self.closed else 'open'}>"

    def __enter__(self) -> "Store":
        if self._db is None:
            raise ValueError("the store is closed")
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    def close(self) -> None:
        """Close the store (rolling back an open transaction). Idempotent."""
        if self._owner == threading.get_ident():
            raise RuntimeError("cannot close the store from inside one of its calls")
        with self._lock:
            db, self._db = self._db, None
            if db is not None:
                ffi.release(db)
            self._set_calendar_ref(None)
            self._clock = None

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._db is None

    @property
    def in_transaction(self) -> bool:
        """True while an explicit transaction is open."""
        return bool(self._call(lib.dvc_in_transaction))

    @property
    def clock_mode(self) -> str:
        """'system', 'fixed' (set_time) or 'callable' (set_clock)."""
        return "system" if self._clock is None else "fixed" if self._clock.fn is None else "callable"

    def schema_version(self) -> int:
        """The schema version of the open store."""
        return self._get(lib.dvc_schema_version, ctype="int")

    @property
    def backend(self) -> str:
        """The database engine: "sqlite" or "postgresql"."""
        return ffi.string(self._call(lib.dvc_backend_name)).decode()

    def begin(self) -> None:
        """Start an explicit transaction (prefer ``with store.transaction():``).
        Raises dvc.TransactionMisuse when one is open, dvc.Busy."""
        self._status(lib.dvc_begin)

    def commit(self) -> None:
        """Commit the explicit transaction."""
        self._status(lib.dvc_commit)

    def rollback(self) -> None:
        """Roll back the explicit transaction."""
        self._status(lib.dvc_rollback)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Group the calls of a ``with`` block into one transaction.

        Commits when the block ends normally, rolls back when it raises (the
        exception propagates). Transactions do not nest
        (:class:`TransactionMisuse`).
        """
        self.begin()
        try:
            yield self
        except BaseException:
            if not self.closed and self.in_transaction:
                self.rollback()
            raise
        else:
            self.commit()

    # ---- clock and calendar ----

    def now(self) -> _dt.datetime:
        """The store's current time (aware datetime, UTC)."""
        return _time(self._get(lib.dvc_now, ctype="dvc_time"))

    def _install_clock(self, clock: Optional[_Clock]) -> None:
        def install(db: Any) -> None:  # under the lock: a running call keeps its clock
            lib.dvc_set_clock(db, clock.c if clock else ffi.NULL, ffi.NULL)
            self._clock = clock
        self._call(install)

    def set_time(self, instant: Optional[Instant]) -> None:
        """Freeze the store's clock at `instant` (aware datetime, ISO str or
        date); None restores the system clock."""
        self._install_clock(None if instant is None else _Clock(fixed=_to_time(instant)))

    def set_clock(self, clock: Union[Callable[[], _dt.datetime], Instant, None]) -> None:
        """Choose the store's clock.

        * a callable returning an aware datetime: called each time the library
          needs the time; it must not use this store, and an exception it
          raises is raised by the call that asked for the time;
        * an instant (aware datetime, ISO string): a fixed time, like
          :meth:`set_time`;
        * None: the system clock.
        """
        if clock is None or callable(clock):
            self._install_clock(None if clock is None else _Clock(clock))
        else:
            self.set_time(clock)

    def advance(self, delta: Union[_dt.timedelta, int, float]) -> _dt.datetime:
        """Move a fixed clock (:meth:`set_time`) forward by ``delta`` (a
        timedelta or seconds) and return the new time."""
        if self.clock_mode != "fixed":
            raise ValueError("advance() needs a fixed clock: call set_time() first")
        if not isinstance(delta, _dt.timedelta):
            delta = _dt.timedelta(seconds=delta)
        now = self.now() + delta
        self.set_time(now)
        return now

    def _set_calendar_ref(self, calendar: Optional[Calendar]) -> None:
        if self._calendar is not None:
            self._calendar._attached -= 1
        self._calendar = calendar
        if calendar is not None:
            calendar._attached += 1

    def set_calendar(self, calendar: Optional[Calendar]) -> None:
        """Compute deadlines with `calendar` (a dvc.Calendar; None: the default).
        The calendar then refuses schedule changes until it is detached."""
        if calendar is not None and not isinstance(calendar, Calendar):
            raise TypeError("set_calendar() takes a dvc.Calendar or None")
        self._call(lib.dvc_set_calendar, calendar._cal if calendar else ffi.NULL)
        self._set_calendar_ref(calendar)

    # ---- catalog ----

    def import_catalog(self, source: Any, format: Optional[str] = None) -> Dict[str, int]:
        """Import a catalog document, all-or-nothing. `source` is a path (str or
        os.PathLike), or the document itself (bytes, or a str starting with '{'
        or '<'). format: None/'auto', 'json' or 'xml'. Returns the counts
        {'levels', 'sectors', 'agencies', 'procedures', 'versions_added',
        'versions_same'}."""
        fmt = _parse("dvc_format", format or "auto", "format")
        st = _new("dvc_import_stats")
        if _is_document(source):
            data = _doc(source, "source")
            self._status(lib.dvc_catalog_import, data, len(data), fmt, st)
        else:
            self._status(lib.dvc_catalog_import_file, os.fsencode(source), fmt, st)
        return _record(st)

    def export_catalog(self, format: str = "json") -> str:
        """The whole catalog (every version) as a JSON or XML document (str)."""
        fmt = _parse("dvc_format", format, "format") or lib.DVC_FORMAT_JSON
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._status(lib.dvc_catalog_export, fmt, out, n)
        return _owned_text(out[0], n[0])

    def search(self, /, text=None, *, sector=None, level=None, online_level=0, agency=None, limit=50,
               asof=None):  # (typed in __init__.pyi)
        """Search procedures in force on `asof` (default today). Folds case and
        Vietnamese diacritics, phrase matches first, one typo tolerated. Returns
        a list of dicts: code, version, name, sector, agency, online_level,
        online_mode, match ('phrase', 'words', 'fuzzy'), score."""
        if limit < 0:
            raise ValueError("limit must be >= 0")
        keep = [_opt_date(asof)]
        o = _new("dvc_search_opts", online_level=online_level, limit=limit, asof=keep[0])
        _strings(o, keep, sector=sector, level=level, agency=agency)
        r = self._get(lib.dvc_catalog_search, _s(text, "text", True), o, ctype="dvc_search_result *")
        return _rows(r, "dvc_search_result")

    def procedure(self, code: str, asof: Any = None, *, version: Optional[int] = None) -> Dict[str, Any]:
        """One procedure version as a dict: the one in force on `asof` (default
        today), or the given `version`. Raises dvc.NotFound."""
        if version is not None:
            if asof is not None:
                raise ValueError("give asof or version, not both")
            if not 1 <= operator.index(version) <= 1_000_000:
                raise ValueError("version must be >= 1")
            p = self._get(lib.dvc_procedure_get_version, _s(code, "code"), version, ctype="dvc_procedure *")
        else:
            p = self._get(lib.dvc_procedure_get, _s(code, "code"), _opt_date(asof), ctype="dvc_procedure *")
        try:
            d = _record(p)
        finally:
            lib.dvc_procedure_free(p)
        d["deadline"] = {"value": d.pop("deadline_value"), "unit": d.pop("deadline_unit")}
        if not d.pop("has_valid_to"):
            d["valid_to"] = None
        d["form_schema"] = json.loads(d["form_schema"]) if d["form_schema"] else None
        return d

    def catalog_stats(self, asof: Any = None) -> Dict[str, Any]:
        """Procedures in force by sector, level and online level:
        {'total': n, 'rows': [{'dimension', 'key', 'label', 'count'}, ...]}."""
        s = self._get(lib.dvc_catalog_stats_compute, _opt_date(asof), ctype="dvc_catalog_stats *")
        total = lib.dvc_catalog_stats_total(s)
        return {"total": total, "rows": _rows(s, "dvc_catalog_stats")}

    # ---- people ----

    @staticmethod
    def _applicant(m: Any, keep: list) -> Any:
        """A dvc_applicant from a mapping of its fields (unknown keys refused)."""
        fields = [name for name, _ in ffi.typeof("dvc_applicant").fields]
        if not isinstance(m, collections.abc.Mapping):
            raise TypeError("applicant must be a mapping (dict) of applicant fields")
        unknown = [k for k in m if k not in fields]
        if unknown:
            raise TypeError(f"unknown applicant field {unknown[0]!r} ({', '.join(fields)})")
        a = ffi.new("dvc_applicant *")
        keep.append(a)
        return _strings(a, keep, **{k: v.isoformat() if isinstance(v, _dt.date) else v for k, v in m.items()})

    def register_account(self, username: str, password: str, applicant: Any, *,
                         client: Optional[str] = None) -> None:
        """Register an applicant account. `applicant` is a dict with full_name,
        citizen_id, birth_date, address and optionally phone, email. `client`
        (the requester's address) is limited to DVC_REGISTER_MAX_PER_CLIENT
        registrations per window (dvc.Throttled); None: no limit. Raises
        dvc.Exists, dvc.InvalidArgument (.path names the field)."""
        keep: list = []
        a = self._applicant(applicant, keep)
        self._status(lib.dvc_account_register_from, _s(username, "username"), _s(password, "password"), a,
                     _caller(client, keep))

    def login(self, username: str, password: str, *, client: Optional[str] = None) -> None:
        """Check a password (Argon2id; the GIL is released). `client` is the
        guesser's key for the throttles (a server passes the address; None:
        the one shared unknown client). Raises dvc.Auth, or dvc.Throttled
        after too many failures from that client or for that username."""
        keep: list = []
        self._status(lib.dvc_account_login_from, _s(username, "username"), _s(password, "password"),
                     _caller(client, keep))

    def account(self, username: str) -> Dict[str, Any]:
        """A stored account: {'username', 'profile', 'created_at'}."""
        a = self._get(lib.dvc_account_get, _s(username, "username"), ctype="dvc_account *")
        try:
            return _record(a)
        finally:
            lib.dvc_account_free(a)

    # ---- national identities (identity.h) ----

    def link_identity(self, username: str, claims: Any, *, issuer: str, assurance: int,
                      actor: str, verified_at: Any = None) -> Dict[str, Any]:
        """Link `username` to the national identity in `claims` (the userinfo
        document: JSON text, bytes or a dict) checked against `issuer` at
        `assurance` level 1 or 2 (Decree 69/2024/NĐ-CP); audited under
        `actor`. Returns identity_view(). Raises dvc.InvalidArgument or
        dvc.Schema naming the bad claim (.path), dvc.Mismatch listing the
        profile fields the claims contradict (nothing linked), dvc.Exists."""
        data = _json(claims) if isinstance(claims, collections.abc.Mapping) else _doc(claims, "claims")
        keep: list = []
        o = _new("dvc_claims_opts", assurance=operator.index(assurance),
                 verified_at=0 if verified_at is None else _to_time(verified_at))
        _strings(o, keep, issuer=_s(issuer, "issuer"))
        self._status(lib.dvc_identity_link_claims, _s(username, "username"), data, len(data), o,
                     _s(actor, "actor"))
        return self.identity_view(username)

    def unlink_identity(self, username: str, *, actor: str, reason: str) -> None:
        """Remove the account's national identity link (audited with `reason`)."""
        self._status(lib.dvc_identity_unlink, _s(username, "username"), _s(actor, "actor"),
                     _s(reason, "reason"))

    def identity_view(self, username: str) -> Dict[str, Any]:
        """{'username', 'linked', 'identity', 'profile': {field: {'value',
        'verified'}}, 'audit': [...]} (dvc_identity_json)."""
        return self._view(lib.dvc_identity_json, _s(username, "username"))

    def national_signin(self, code: str) -> int:
        """The assurance level (1, 2) the dossier's applicant signed in with
        through a national identity, or 0."""
        out = ffi.new("int *")
        self._status(lib.dvc_dossier_national_signin, _s(code, "code"), out)
        return out[0]

    def add_officer(self, username: str, full_name: str, unit: str, role: str) -> None:
        """Add an officer at `unit` (an agency code) with `role` ('reception',
        'specialist', 'unit_leader', 'signing_leader', 'admin')."""
        self._status(lib.dvc_officer_add, _s(username, "username"), _s(full_name, "full_name"),
                     _s(unit, "unit"), _parse("dvc_role", role, "role"))

    def officer(self, username: str) -> Dict[str, Any]:
        """An officer: {'username', 'full_name', 'unit', 'role'}."""
        o = self._get(lib.dvc_officer_get, _s(username, "username"), ctype="dvc_officer *")
        try:
            return _record(o)
        finally:
            lib.dvc_officer_free(o)

    # ---- dossiers ----

    def submit(self, procedure: str, *, applicant: Any = None, account: Optional[str] = None,
               channel: str = "online", form: Any = None, draft: bool = False,
               officer: Optional[str] = None, copies: int = 0, pages: int = 0,
               fee_exemption: Optional[str] = None, desk: Optional[str] = None,
               place: Optional[str] = None, national_signin: bool = False) -> Receipt:
        """Submit (or save as a draft) a dossier. `form` is a dict (sent as JSON)
        or JSON text. `desk`: the centre (or committee desk) that receives it,
        any of the province's (Decree 118/2025/NĐ-CP); None: the competent
        agency's own. `place`: an agency code or an address naming where the
        competent agency is looked for; None: the applicant's address.
        `national_signin`: the account holder signed in with the account's
        linked national identity (recorded; dvc.InvalidArgument when not
        linked); a linked account's verified fields fill the applicant's
        empty ones and a typed value contradicting one is dvc.Mismatch.
        Returns a dvc.Receipt (code, secret); secret is None for account
        holders. Raises dvc.NotFound, dvc.ServiceLevel, dvc.Schema,
        dvc.InvalidArgument, dvc.Permission, dvc.Expired (a ceased unit or
        desk: the message names its successors)."""
        keep: list = []
        s = _new("dvc_submission", channel=_parse("dvc_channel", channel, "channel"),
                 draft=bool(draft), copies=copies, pages=pages, national_signin=bool(national_signin),
                 applicant=ffi.NULL if applicant is None else self._applicant(applicant, keep))
        _strings(s, keep, procedure=_s(procedure, "procedure"), account=account, officer=officer,
                 form_data=None if form is None else _json(form), fee_exemption=fee_exemption,
                 desk=desk, place=place)
        rec = _new("dvc_receipt")
        self._status(lib.dvc_dossier_submit, s, rec)
        return Receipt(ffi.string(rec.code).decode(), ffi.string(rec.secret).decode() or None)

    @staticmethod
    def _actor(a: Any, officer: Any, account: Any, secret: Any, keep: list) -> None:
        """Exactly one of officer=, account= or secret= into a dvc_actor."""
        if (officer is not None) + (account is not None) + (secret is not None) != 1:
            raise TypeError("give exactly one of officer=, account= or secret=")
        if secret is not None:
            a.kind = lib.DVC_ACTOR_ANONYMOUS
            _strings(a, keep, secret=secret)
        else:
            a.kind = lib.DVC_ACTOR_ACCOUNT if account is not None else lib.DVC_ACTOR_OFFICER
            _strings(a, keep, name=_s(account if account is not None else officer,
                                      "account" if account is not None else "officer"))

    def _who(self, officer: Any, account: Any, secret: Any, keep: list) -> Any:
        who = ffi.new("dvc_actor *")
        keep.append(who)
        self._actor(who, officer, account, secret, keep)
        return who

    def act(self, code: str, action: str, *, officer: Optional[str] = None, account: Optional[str] = None,
            secret: Optional[str] = None, note: Optional[str] = None, target: Optional[str] = None,
            new_due: Any = None, expected_version: Optional[int] = None, delivery: Optional[str] = None,
            payload: Union[str, bytes, None] = None, client: Optional[str] = None) -> int:
        """Apply a lifecycle action ('receive', 'forward', 'return', ...) as
        exactly one actor: an officer username, an account username, or the
        tracking secret (`client`: the caller's key for the secret's
        throttle). Returns the dossier's new version. Raises
        dvc.Transition, dvc.Permission, dvc.Auth, dvc.Conflict, dvc.ServiceLevel..."""
        keep: list = []
        r = _new("dvc_action_req", "DVC_ACTION_INIT", action=_parse("dvc_action", _s(action, "action") and action,
                                                                     "action"))
        self._actor(r.actor, officer, account, secret, keep)
        if isinstance(payload, bytes) and b"\0" in payload:
            raise ValueError("payload contains a NUL byte")
        _strings(r, keep, note=note, target=target, payload=payload, client=client)
        r.new_due = _opt_time(new_due)
        if expected_version is not None:
            if operator.index(expected_version) < 0:
                raise ValueError("expected_version must be >= 0")
            r.expected_version = expected_version
        if delivery is not None:
            r.delivery = _parse("dvc_delivery", delivery, "delivery")
        return self._get(lib.dvc_dossier_act, _s(code, "code"), r, ctype="int64_t")

    def track(self, code: str, *, officer: Optional[str] = None, account: Optional[str] = None,
              secret: Optional[str] = None, client: Optional[str] = None) -> Dict[str, Any]:
        """What tracking shows, as a dict with the state, route position,
        deadlines (aware datetimes or None), fees, and 'history': the journal
        entries. `client` is the caller's key for the tracking-secret
        throttle (None: the shared unknown client): wrong secrets lock out
        that client, never the dossier's owner."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        t = self._get(lib.dvc_dossier_track_from, _s(code, "code"), who, _caller(client, keep),
                      ctype="dvc_tracking *")
        try:
            d = _record(t)
            d["state_label"] = ffi.string(lib.dvc_state_label_vi(t.state)).decode()
        finally:
            lib.dvc_tracking_free(t)
        return d

    def list_dossiers(self, *, state: Optional[str] = None, unit: Optional[str] = None,
                      overdue: bool = False, stuck: bool = False, limit: int = 0) -> List[Dict[str, Any]]:
        """Dossiers, newest first, as dicts. stuck: past the current step's deadline."""
        if limit < 0:
            raise ValueError("limit must be >= 0")
        keep: list = []
        f = _strings(_new("dvc_dossier_filter", overdue=bool(overdue),
                          step_overdue=bool(stuck), limit=limit), keep, unit=unit)
        if state is not None:
            f.state = _parse("dvc_state", state, "state")
        dl = self._get(lib.dvc_dossier_find, f, ctype="dvc_dossier_list *")
        return _rows(dl, "dvc_dossier_list")

    def verify(self, code: Optional[str] = None) -> int:
        """Check the journal hash chain of one dossier or all; returns how many
        were checked. Raises dvc.Corrupt where the chain breaks."""
        return self._get(lib.dvc_dossier_verify, _s(code, "code", True), ctype="size_t")

    def journal_verify(self, code: Optional[str] = None) -> Dict[str, Any]:
        """Verify the journal of one dossier or all: chain, signatures, signed
        checkpoint, and the dossier row replayed from its entries
        (dvc_journal_verify). Returns the report {verified, entries, signed,
        legacy, unsigned, checkpoints, uncheckpointed, anchored, keys}.
        Raises dvc.Corrupt (an altered entry, an edited row), dvc.Signature
        (a recomputed chain, an untrusted key), dvc.Truncated (a journal cut
        short), each naming the entry."""
        rep = _new("dvc_journal_report")
        _check(self._call(lib.dvc_journal_verify, _s(code, "code", True), rep))
        return _report(rep)

    def journal_seal(self, code: Optional[str] = None) -> int:
        """Sign checkpoints over the journals none covers (legacy or unsigned
        entries), after verifying each (dvc_journal_seal); returns how many.
        Needs the store's journal key (dvc.InvalidArgument without one)."""
        return self._get(lib.dvc_journal_seal, _s(code, "code", True), ctype="size_t")

    def proof_export(self, code: str) -> str:
        """The dossier's proof bundle (JSON text, dvc_proof_export), to check
        offline with dvc.proof_verify. Keep it byte for byte."""
        return _owned_text(self._get(lib.dvc_proof_export, _s(code, "code"), ctype="char *"))

    def access_log(self, code: Optional[str] = None, *, by: Optional[str] = None,
                   officer: Optional[str] = None, account: Optional[str] = None,
                   secret: Optional[str] = None, client: Optional[str] = None,
                   since: Any = None, until: Any = None, limit: int = 0) -> Dict[str, Any]:
        """Officers' reads of a dossier's personal data (Decree 13/2023/NĐ-CP,
        dvc_access_log_json): of dossier `code`, or of officer `by`, or both;
        {'entries': [{'dossier', 'officer', 'officer_name', 'unit', 'at',
        'view', 'detail'}], 'more': bool}. Without officer=/account=/secret=
        the caller is the trusted side (an inspector's tool); with one, the
        library decides: the dossier's applicant, the officer for their own
        reads, an admin for anything."""
        keep: list = []
        q = _new("dvc_access_query", "DVC_ACCESS_QUERY_INIT")
        _strings(q, keep, dossier=code, officer=by)
        q.__setattr__("from", _opt_time(since))
        q.to = _opt_time(until)
        if operator.index(limit) < 0:
            raise ValueError("limit must be >= 0")
        q.limit = limit
        who = ffi.NULL
        if officer is not None or account is not None or secret is not None:
            who = self._who(officer, account, secret, keep)
        return self._view(lib.dvc_access_log_json, q, who, _caller(client, keep))

    def set_retention(self, days: int) -> None:
        """Keep personal data `days` days after a dossier closes (1..36500;
        the default, 3650, is a cautious choice: see docs/privacy.md)."""
        d = operator.index(days)
        if not 1 <= d <= lib.DVC_RETENTION_DAYS_MAX:
            raise OutOfRange(f"retention {d} days is out of range")
        self._status(lib.dvc_privacy_set_retention, d)

    @property
    def retention(self) -> int:
        """The retention period in days (dvc_privacy_retention)."""
        return int(self._call(lib.dvc_privacy_retention))

    def erase_personal(self, code: str, *, officer: str) -> str:
        """Erase a closed dossier's personal data past retention, as an
        officer of role admin (dvc_dossier_erase_personal); returns the hex
        SHA-256 of what was erased, which the journal holds. Raises
        dvc.Transition (open, or already erased), dvc.Retained (inside
        retention), dvc.Permission."""
        keep: list = []
        who = self._who(officer, None, None, keep)
        digest = ffi.new("char[]", lib.DVC_HASH_HEX_SIZE)
        self._status(lib.dvc_dossier_erase_personal, _s(code, "code"), who, digest)
        return ffi.string(digest).decode()

    # ---- views (the library's JSON, as every front end shows it) ----

    def _view(self, fn: Callable[..., int], *args: Any) -> Any:
        return json.loads(_owned_text(self._get(fn, *args, ctype="char *")))

    def dossier_view(self, code: str, *, officer: Optional[str] = None, account: Optional[str] = None,
                     secret: Optional[str] = None, client: Optional[str] = None) -> Dict[str, Any]:
        """What `who` sees of a dossier, as the CLI and the HTTP example show
        it (dvc_dossier_view_json): tracking with the slips, attachments and
        the allowed actions; instants as ISO 8601 strings. Errors as track()."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        return self._view(lib.dvc_dossier_view_json, _s(code, "code"), who, _caller(client, keep))

    def allowed_actions(self, code: str, *, officer: Optional[str] = None, account: Optional[str] = None,
                        secret: Optional[str] = None, client: Optional[str] = None) -> Dict[str, Any]:
        """A dry run of every action by `who`, changing nothing
        (dvc_dossier_allowed_actions): {code, state, version, actions[{action,
        needs[], ...}] (the allowed ones), refused[{action, error, message}]}. Errors as track()."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        out = ffi.new("dvc_allowed_actions **")
        self._status(lib.dvc_dossier_allowed_actions, _s(code, "code"), who, _caller(client, keep), out)
        try:
            return json.loads(_owned_text(_owned(lib.dvc_allowed_actions_json, out[0])))
        finally:
            lib.dvc_allowed_actions_free(out[0])

    # ---- documents ----

    def _stream(self, fn: Callable[..., int], *args: Any, sink: Any = None) -> Optional[bytes]:
        """fn(db, *args, write, ctx) streaming a file out to `sink` (a path, a
        binary file object, or None: returned as bytes)."""
        chunks: List[bytes] = []
        err: list = []
        f = open(sink, "wb") if isinstance(sink, (str, os.PathLike)) else sink

        def write(ctx: Any, buf: Any, n: int) -> int:
            data = ffi.buffer(buf, n)[:]
            chunks.append(data) if f is None else f.write(data)
            return 0
        cb = ffi.callback("int(void *, const void *, size_t)", write,
                          onerror=lambda t, v, tb: err.append(v) or 1)
        try:
            rc = self._call(fn, *args, cb, ffi.NULL)
        finally:
            if f is not sink:
                f.close()
        if err:
            raise err[0]
        _check(rc)
        return b"".join(chunks) if f is None else None

    def attach(self, code: str, component: int, content: Any = None, *, name: str,
               officer: Optional[str] = None, account: Optional[str] = None, secret: Optional[str] = None,
               form: str = "original", mode: str = "add", replaces: Optional[int] = None,
               size: Optional[int] = None, reuse: Optional[int] = None) -> Dict[str, Any]:
        """Stream a file into component `component` of a dossier (an index
        into the procedure's documents, or dvc.FILE_RESULT). `content` is
        bytes, a path or a binary file object read in chunks; or give
        `reuse`, the id of a file in the account's own data store. `size` is
        the size the client announced (fewer bytes: dvc.Truncated). Returns
        the stored file as a dict (id, sha256, media_type...). Raises
        dvc.MediaType, dvc.TooBig, dvc.Truncated, dvc.Transition, dvc.Auth,
        dvc.Permission, dvc.InvalidArgument; nothing is stored then."""
        keep: list = []
        r = _new("dvc_attach_req", "DVC_ATTACH_INIT", component=component, form=_parse("dvc_file_form", form, "form"),
                 mode=_parse("dvc_attach_mode", mode, "mode"))
        self._actor(r.actor, officer, account, secret, keep)
        _strings(r, keep, name=name)
        if replaces is not None:
            r.replaces = replaces
        if size is not None:
            if operator.index(size) < 0:
                raise ValueError("size must be >= 0")
            r.declared_size = size
        err: list = []
        if reuse is not None:
            if content is not None:
                raise TypeError("give content or reuse, not both")
            r.reuse = reuse
        elif content is None:
            raise TypeError("attach() needs content (bytes, a path or a file object) or reuse")
        else:
            if isinstance(content, (bytes, bytearray, memoryview)):
                import io
                src = io.BytesIO(bytes(content))
            elif isinstance(content, (str, os.PathLike)):
                src = open(content, "rb")
                keep.append(src)
            else:
                src = content

            def read(ctx: Any, buf: Any, cap: int) -> int:
                data = src.read(cap)
                ffi.memmove(buf, data, len(data))
                return len(data)
            keep.append(ffi.callback("int64_t(void *, void *, size_t)", read,
                                     onerror=lambda t, v, tb: err.append(v) or -1))
            r.read = keep[-1]  # (the callback object must outlive the call)
        out = _new("dvc_file_info")
        try:
            rc = self._call(lib.dvc_dossier_attach, _s(code, "code"), r, out)
        finally:
            for k in keep:
                if hasattr(k, "close"):
                    k.close()
        if err:
            raise err[0]
        _check(rc)
        return _record(out)

    def files(self, code: str, *, officer: Optional[str] = None, account: Optional[str] = None,
              secret: Optional[str] = None) -> List[Dict[str, Any]]:
        """The dossier's files, current and replaced, oldest first (who may
        see them: as track())."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        return _rows(self._get(lib.dvc_dossier_files, _s(code, "code"), who, ctype="dvc_file_list *"),
                     "dvc_file_list")

    def download(self, code: str, file_id: int, dest: Any = None, *, officer: Optional[str] = None,
                 account: Optional[str] = None, secret: Optional[str] = None) -> Optional[bytes]:
        """A dossier's file, checked against its SHA-256 as it streams: as
        bytes, or written to `dest` (a path or a binary file object). Raises
        dvc.NotFound, dvc.Auth, dvc.Permission, dvc.Corrupt."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        return self._stream(lib.dvc_dossier_download, _s(code, "code"), who, file_id, sink=dest)

    def account_files(self, username: str) -> List[Dict[str, Any]]:
        """The account's data store: the files it uploaded and the results it
        was given, one entry per content (attach them with reuse=id)."""
        return _rows(self._get(lib.dvc_account_files, _s(username, "username"), ctype="dvc_file_list *"),
                     "dvc_file_list")

    def account_download(self, username: str, file_id: int, dest: Any = None) -> Optional[bytes]:
        """One file of the account's data store, as download()."""
        return self._stream(lib.dvc_account_download, _s(username, "username"), file_id, sink=dest)

    def missing(self, code: str) -> List[Dict[str, Any]]:
        """The required components that still lack a file: [{component, name}]
        (receipt is refused with dvc.Incomplete while the procedure's policy
        requires files and this is not empty)."""
        m = self._get(lib.dvc_dossier_missing, _s(code, "code"), ctype="dvc_missing *")
        try:
            return [{"component": m.components[i], "name": ffi.string(m.names[i]).decode()} for i in range(m.n)]
        finally:
            lib.dvc_missing_free(m)

    def procedure_policy(self, procedure: str) -> Dict[str, Any]:
        """The files and payment policy in force for a procedure (the default
        when none is stored): {max_file_bytes, media_types[], require_files,
        pay_before_return}."""
        out, types = _new("dvc_procedure_policy"), ffi.new("char[]", 1025)
        self._status(lib.dvc_procedure_policy_get, _s(procedure, "procedure"), out, types, len(types))
        return {"max_file_bytes": out.max_file_bytes,
                "media_types": ffi.string(types).decode().split(","),
                "require_files": bool(out.require_files), "pay_before_return": bool(out.pay_before_return)}

    def set_procedure_policy(self, procedure: str, *, max_file_bytes: Optional[int] = None,
                             media_types: Any = None, require_files: bool = False,
                             pay_before_return: bool = False) -> None:
        """Store a procedure's policy (every version); unset values take the
        default (DVC_PROCEDURE_POLICY_INIT). media_types: a list or a
        comma-separated str. Raises dvc.NotFound, dvc.InvalidArgument."""
        keep: list = []
        p = _new("dvc_procedure_policy", require_files=bool(require_files),
                 pay_before_return=bool(pay_before_return))
        if max_file_bytes is not None:
            p.max_file_bytes = max_file_bytes
        if media_types is not None:
            _strings(p, keep, media_types=media_types if isinstance(media_types, str) else ",".join(media_types))
        self._status(lib.dvc_procedure_policy_set, _s(procedure, "procedure"), p)

    # ---- signed results ----

    def sign_result(self, code: str, *, officer: str, key_file: Union[str, os.PathLike, None],
                    cert_file: Union[str, os.PathLike, None], password: Optional[str] = None) -> Dict[str, Any]:
        """Sign the dossier's current result file as the signing leader at its
        current step (XML-DSig envelope, stored as a result file and in the
        account's data store). The key and certificate are read from the PEM
        files named here, never stored. Returns the stored signed file as a
        dict (as attach()). Raises dvc.InvalidArgument (no key or certificate
        named: a result is never issued unsigned), dvc.IO (unreadable
        key files), dvc.Signature (key and certificate do not match),
        dvc.NotFound (no result attached), dvc.Permission, dvc.Transition,
        dvc.Exists (already signed); nothing is stored then."""
        keep: list = []
        who = self._who(officer, None, None, keep)
        o = _strings(_new("dvc_sign_opts"), keep,
                     key_file=None if key_file is None else _s(os.fspath(key_file), "key_file"),
                     cert_file=None if cert_file is None else _s(os.fspath(cert_file), "cert_file"),
                     password=password)
        out = _new("dvc_file_info")
        self._status(lib.dvc_dossier_sign_result, _s(code, "code"), who, o, out)
        return _record(out)

    def slip_signed(self, code: str, kind: str, *, key_file: Union[str, os.PathLike],
                    cert_file: Union[str, os.PathLike], password: Optional[str] = None) -> str:
        """An official slip as XML signed with the agency's key (as slip(...,
        'xml') plus an enveloped XML-DSig signature). Raises as slip() and
        sign_result()."""
        keep: list = []
        o = _strings(_new("dvc_sign_opts"), keep, key_file=_s(os.fspath(key_file), "key_file"),
                     cert_file=_s(os.fspath(cert_file), "cert_file"), password=password)
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._status(lib.dvc_slip_render_signed, _s(code, "code"),
                     _parse("dvc_slip_kind", kind, "kind"), o, out, n)
        return _owned_text(out[0], n[0])

    # ---- ratings ----

    def rate(self, code: str, scores: Dict[str, int], *, account: Optional[str] = None,
             secret: Optional[str] = None, comment: Optional[str] = None,
             client: Optional[str] = None) -> None:
        """Rate a returned dossier once, as its applicant: the owning account
        or the tracking secret (officers cannot rate). `scores` maps
        criterion names ('overall' required, 'attitude', 'timeliness'... see
        rating_criteria()) to 1..5. Raises dvc.Transition (not returned yet),
        dvc.Permission (another account), dvc.Auth (wrong secret), dvc.Exists
        (rated already), dvc.OutOfRange, dvc.TooBig, dvc.InvalidArgument (unknown
        criterion); nothing is stored then."""
        keep: list = []
        r = _new("dvc_rating_req")
        self._actor(r.actor, None, account, secret, keep)
        if not isinstance(scores, dict):
            raise TypeError("scores must be a dict {criterion: score}")
        for name, v in scores.items():
            r.scores[_parse("dvc_rating_criterion", name, "criterion")] = operator.index(v)
        _strings(r, keep, comment=comment, client=client)
        self._status(lib.dvc_dossier_rate, _s(code, "code"), r)

    def rating(self, code: str, *, officer: Optional[str] = None, account: Optional[str] = None,
               secret: Optional[str] = None) -> Dict[str, Any]:
        """The dossier's rating, for its applicant or any officer:
        {at (datetime), scores {criterion: score, rated ones only}, comment
        (None when none)}. Raises dvc.NotFound when it has not been rated."""
        keep: list = []
        who = self._who(officer, account, secret, keep)
        r = self._get(lib.dvc_dossier_rating_get, _s(code, "code"), who, ctype="dvc_rating *")
        try:
            names = _enum(ffi.typeof("dvc_rating_criterion"))
            return {"at": _time(r.at),
                    "scores": {names[i]: r.scores[i] for i in range(lib.DVC_RATING_CRITERIA) if r.scores[i]},
                    "comment": ffi.string(r.comment).decode() or None}
        finally:
            lib.dvc_rating_free(r)

    # ---- counter payments ----

    def _counter(self, fn: Callable[..., int], code: str, officer: str, receipt_no: str, amount: int,
                 method: str, note: Optional[str]) -> None:
        keep: list = []
        p = _new("dvc_counter_payment", amount=operator.index(amount),
                 method=_parse("dvc_pay_method", method, "method"))
        _strings(p, keep, officer=_s(officer, "officer"), receipt_no=_s(receipt_no, "receipt_no"), note=note)
        self._status(fn, _s(code, "code"), p)

    def payment_counter(self, code: str, *, officer: str, receipt_no: str, amount: int,
                        method: str = "cash", note: Optional[str] = None) -> None:
        """Record a fee paid at the reception desk (method 'cash', 'card' or
        'transfer'; receipt_no: the receipt (biên lai) number, unique).
        Raises dvc.Amount, dvc.Exists, dvc.Permission, dvc.Transition."""
        self._counter(lib.dvc_payment_counter, code, officer, receipt_no, amount, method, note)

    def payment_refund(self, code: str, *, officer: str, receipt_no: str, amount: int, note: str,
                       method: str = "cash") -> None:
        """Refund at the counter what was paid, with the reason in `note`.
        Raises dvc.Amount (more than was paid), dvc.InvalidArgument (no reason)."""
        self._counter(lib.dvc_payment_counter_refund, code, officer, receipt_no, amount, method, note)

    # ---- agencies (the administrative map as history) ----

    def agency(self, code: str) -> Dict[str, Any]:
        """An agency with its successor links: {code, name, level, kind,
        parent, valid_from, valid_to (None: still in force), predecessors[],
        successors[] ({predecessor, successor, date, act, note})}."""
        a = self._get(lib.dvc_agency_get, _s(code, "code"), ctype="dvc_agency *")
        try:
            d = _record(a)
        finally:
            lib.dvc_agency_free(a)
        if not d.pop("has_valid_to"):
            d["valid_to"] = None
        return d

    def agencies(self, asof: Any = None, *, level: Optional[str] = None) -> List[Dict[str, Any]]:
        """Agencies by code: those in force on `asof` (None: all ever stored),
        of `level` (None: any); without their links."""
        rows = _rows(self._get(lib.dvc_agency_find, _opt_date(asof), _s(level, "level", True),
                               ctype="dvc_agency_list *"), "dvc_agency_list")
        for d in rows:
            if not d.pop("has_valid_to"):
                d["valid_to"] = None
            del d["predecessors"], d["successors"]
        return rows

    def agency_resolve(self, code: str, day: Any, place: Optional[str] = None) -> List[str]:
        """The agencies in force on `day` that carry on `code`, followed link
        by link ([] when abolished without successor); `place` (an agency
        code or an address) chooses among the parts of a split."""
        cap = lib.DVC_AGENCY_MAX_RESOLVED
        out, n = ffi.new("char[%d][65]" % cap), ffi.new("size_t *")
        self._status(lib.dvc_agency_resolve, _s(code, "code"), _to_date(day), _s(place, "place", True),
                     out, cap, n)
        return [ffi.string(out[i]).decode() for i in range(n[0])]

    def agency_competent(self, procedure: str, place: str, day: Any) -> str:
        """The agency competent on `day` for `procedure` at `place` (the
        applicant's commune: a code or an address). Raises dvc.NotFound,
        dvc.InvalidArgument (ambiguous place), dvc.Expired (agency ceased)."""
        out = ffi.new("char[65]")
        self._status(lib.dvc_agency_competent, _s(procedure, "procedure"), _s(place, "place"),
                     _to_date(day), out)
        return ffi.string(out).decode()

    def agency_desk(self, agency: str, day: Any) -> str:
        """The reception desk of `agency` on `day` (its Public Administration
        Service Centre when one is in force, else the People's Committee)."""
        out = ffi.new("char[65]")
        self._status(lib.dvc_agency_desk, _s(agency, "agency"), _to_date(day), out)
        return ffi.string(out).decode()

    # ---- payments ----

    def set_gateway(self, name: str, secret: str) -> None:
        """Configure the payment gateway (the secret stays in memory only)."""
        self._status(lib.dvc_payment_set_gateway, _s(name, "name"), _s(secret, "secret"))

    def set_payment_expiry(self, seconds: Union[int, _dt.timedelta]) -> None:
        """How long payment requests stay valid (int seconds or timedelta).
        Raises dvc.OutOfRange outside 1 s .. 30 days (DVC_PAYMENT_EXPIRY_MAX)."""
        s = seconds // _dt.timedelta(seconds=1) if isinstance(seconds, _dt.timedelta) else operator.index(seconds)
        if not -2**63 <= s < 2**63:
            raise OutOfRange(f"expiry {s} s is out of range")
        self._status(lib.dvc_payment_set_expiry, s)

    def payment_review(self) -> List[Dict[str, Any]]:
        """Requests the gateway was paid for but the dossier could not take
        (superseded, expired, declined before, dossier closed or already
        paid), kept for refund or review: [{'reference', 'dossier', 'reason',
        'amount', 'gateway_txn', 'received_at'}] (dvc_payment_review_json);
        a signed success naming no request has 'dossier' None and reason
        'unknown_reference'."""
        return self._view(lib.dvc_payment_review_json)

    def payment_request(self, code: str) -> Dict[str, Any]:
        """Ask for online payment of what is due: {'reference', 'amount',
        'expires_at'}. Raises dvc.ServiceLevel, dvc.Transition, dvc.InvalidArgument."""
        return _record(self._get(lib.dvc_payment_request, _s(code, "code"), ctype="dvc_payment_request_info"))

    def payment_callback(self, query: str) -> Dict[str, Any]:
        """Process the gateway's signed callback query string: {'outcome'
        ('paid', 'duplicate', 'declined'), 'reference', 'dossier', 'amount'}.
        Raises dvc.Signature, dvc.Amount, dvc.Expired, dvc.NotFound."""
        return _record(self._get(lib.dvc_payment_callback, _s(query, "query"), ctype="dvc_payment_result"))

    # ---- the national payment platform's messages (payment.h) ----

    @staticmethod
    def _np_opts(partner: str, client_ip: str, description: Optional[str], keep: list) -> Any:
        o = _new("dvc_payment_national_opts")
        keep.append(o)
        _strings(o, keep, partner=_s(partner, "partner"), client_ip=_s(client_ip, "client_ip"),
                 description=description)
        return o

    def payment_national_init(self, code: str, *, partner: str, client_ip: str,
                              description: Optional[str] = None) -> Dict[str, Any]:
        """Ask for payment (as payment_request) and return the INIT message
        for the national payment platform as a dict (MaXacThuc included)."""
        keep: list = []
        o = self._np_opts(partner, client_ip, description, keep)
        info = _new("dvc_payment_request_info")
        out = ffi.new("char **")
        self._status(lib.dvc_payment_national_init, _s(code, "code"), o, info, out)
        return json.loads(_owned_text(out[0]))

    def payment_national_query(self, reference: str, *, partner: str, client_ip: str) -> Dict[str, Any]:
        """The QUERY message about `reference` as a dict."""
        keep: list = []
        o = self._np_opts(partner, client_ip, None, keep)
        out = ffi.new("char **")
        self._status(lib.dvc_payment_national_query, _s(reference, "reference"), o, out)
        return json.loads(_owned_text(out[0]))

    def payment_national_callback(self, message: Any) -> Dict[str, Any]:
        """The platform's confirmation (a dict, or JSON text): as
        payment_callback. Raises dvc.Signature for a wrong MaXacThuc."""
        data = _json(message) if isinstance(message, collections.abc.Mapping) else _doc(message, "message")
        r = _new("dvc_payment_result")
        self._status(lib.dvc_payment_national_callback, data, len(data), r)
        return _record(r)

    # ---- outbox ----

    def outbox(self, code: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every notification of a dossier (or all), oldest first, as dicts."""
        b = self._get(lib.dvc_outbox_list, _s(code, "code", True), ctype="dvc_message_batch *")
        return _rows(b, "dvc_message_batch")

    def outbox_fetch(self, max: int = 10) -> List[Dict[str, Any]]:
        """Lease up to `max` messages due now for sending."""
        if max <= 0:
            raise ValueError("max must be > 0")
        b = self._get(lib.dvc_outbox_fetch, max, ctype="dvc_message_batch *")
        return _rows(b, "dvc_message_batch")

    def outbox_mark_sent(self, id: int) -> None:
        """The message went out (idempotent)."""
        self._status(lib.dvc_outbox_mark_sent, id)

    def outbox_mark_failed(self, id: int, error: str) -> None:
        """Sending failed: retried later with back-off, dead after the last attempt."""
        self._status(lib.dvc_outbox_mark_failed, id, _s(error, "error"))

    # ---- national sync (national.h) ----

    def national_sync_enable(self, on: bool = True) -> None:
        """Queue (or stop queuing) a sync message with every dossier change."""
        self._status(lib.dvc_national_sync_enable, bool(on))

    def national_code(self, procedure: str, national_code: Optional[str], *, version: int = 0) -> None:
        """The national procedure code `procedure` syncs under (version 0:
        every version without its own); None removes it. Raises
        dvc.InvalidArgument for a malformed code, dvc.NotFound."""
        self._status(lib.dvc_national_code_set, _s(procedure, "procedure"), operator.index(version),
                     _s(national_code, "national_code", True))

    def sync_messages(self, code: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every sync message of a dossier (or all) in queue order; payload
        decoded from JSON."""
        b = self._get(lib.dvc_sync_list, _s(code, "code", True), ctype="dvc_sync_batch *")
        rows = _rows(b, "dvc_sync_batch")
        for r in rows:
            r["payload"] = json.loads(r["payload"])
        return rows

    def sync_report(self) -> Dict[str, Any]:
        """What the national portal has not acknowledged (dvc_sync_report_json)."""
        return self._view(lib.dvc_sync_report_json)

    def sync_replay(self, id: int = 0, code: Optional[str] = None) -> int:
        """Queue dead and blocked messages again (one, a dossier's, or all);
        the number made pending."""
        n = ffi.new("size_t *")
        self._status(lib.dvc_sync_replay, operator.index(id), _s(code, "code", True), n)
        return n[0]

    def set_notify_templates(self, templates: Any) -> None:
        """Override notification templates (a dict or JSON text of format
        'dvc-notify-templates'). Raises dvc.Schema, dvc.Template."""
        data = _json(templates)
        self._status(lib.dvc_notify_set_templates, data, len(data))

    # ---- slips ----

    def slip(self, code: str, kind: str, format: str = "html") -> str:
        """Render an official slip (Circular 01/2018/TT-VPCP): kind 'receipt',
        'supplement', 'refusal', 'apology' or 'control'; format 'html' or 'xml'."""
        k, f = _parse("dvc_slip_kind", kind, "kind"), _parse("dvc_slip_format", format, "slip format")
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._status(lib.dvc_slip_render, _s(code, "code"), k, f, out, n)
        return _owned_text(out[0], n[0])

    def register_slip(self, from_: Optional[Instant] = None, to: Optional[Instant] = None, *,
                      unit: Optional[str] = None, format: str = "html") -> str:
        """The tracking register (form 06) of dossiers submitted in [from_, to)."""
        keep: list = []
        o = _strings(_new("dvc_register_opts", to=_opt_time(to)), keep, unit=unit)
        setattr(o, "from", _opt_time(from_))
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._status(lib.dvc_register_render, o, _parse("dvc_slip_format", format, "slip format"), out, n)
        return _owned_text(out[0], n[0])

    # ---- reports ----

    @staticmethod
    def _period(from_: Any, to: Any, asof: Any, group: Optional[str] = None) -> Any:
        o = _new("dvc_report_opts", to=_opt_time(to), asof=_opt_time(asof))
        setattr(o, "from", _opt_time(from_))
        if group is not None:
            o.group = _parse("dvc_report_group", _s(group, "group") and group, "group")
        return o

    def report(self, from_: Optional[Instant] = None, to: Optional[Instant] = None, *,
               group: Optional[str] = "sector", asof: Optional[Instant] = None,
               dataframe: bool = False) -> Any:
        """Counts and rates of the dossiers submitted in ``[from_, to)``.

        ``group``: "none" (or None: one row), "sector", "agency", "procedure",
        "channel", "level" or "month". ``asof`` decides what is pending
        overdue (default: the store's now). One dict per group with key,
        label, received, received_online/_counter/_post, settled_on_time,
        settled_late, pending_on_time, pending_overdue, withdrawn, rejected,
        cancelled, returned, returned_online, fee_due_count, paid_online_count, online_rate,
        online_payment_rate, on_time_rate, avg_days_to_settle,
        p90_days_to_settle. With ``dataframe=True``, a pandas DataFrame
        indexed by key (ImportError when pandas is not installed).
        """
        r = self._get(lib.dvc_report_compute, self._period(from_, to, asof, group), ctype="dvc_report *")
        rows = _rows(r, "dvc_report")
        return _dataframe(rows, "key") if dataframe else rows

    def bottlenecks(self, asof: Optional[Instant] = None, *, dataframe: bool = False) -> Any:
        """Dossiers waiting at each route step now, most first: procedure, step,
        unit, unit_name, role, waiting, median_dwell_hours, max_dwell_hours;
        a DataFrame with ``dataframe=True``."""
        b = self._get(lib.dvc_report_bottlenecks, _opt_time(asof), ctype="dvc_bottlenecks *")
        rows = _rows(b, "dvc_bottlenecks")
        return _dataframe(rows) if dataframe else rows

    def service_index(self, from_: Optional[Instant] = None, to: Optional[Instant] = None, *,
                      asof: Optional[Instant] = None, dataframe: bool = False) -> Any:
        """The citizen-service index indicators (Decision 766/QĐ-TTg) over
        ``[from_, to)``: code, name, formula, numerator, denominator, value;
        a DataFrame indexed by code with ``dataframe=True``."""
        out, n = ffi.new("dvc_index_row **"), ffi.new("size_t *")
        self._status(lib.dvc_report_index, self._period(from_, to, asof), out, n)
        try:
            rows = [_record(out[0][i]) for i in range(n[0])]
        finally:
            lib.dvc_free(out[0])
        return _dataframe(rows, "code") if dataframe else rows

    def register_csv(self, from_: Optional[Instant] = None, to: Optional[Instant] = None, *,
                     asof: Optional[Instant] = None) -> str:
        """The tracking register of the period as CSV text (no personal data)."""
        out, n = ffi.new("char **"), ffi.new("size_t *")
        self._status(lib.dvc_report_register_csv, self._period(from_, to, asof), out, n)
        return _owned_text(out[0], n[0])


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------


def version() -> str:
    """The libdvc version string at run time."""
    return ffi.string(lib.dvc_version()).decode()


def payment_sign(query: str, secret: str) -> str:
    """Sign gateway parameters like the gateway does (for simulators and tests):
    `query` with '&vnp_SecureHash=<hex>' appended."""
    return _owned_text(_owned(lib.dvc_payment_sign, _s(query, "query"), _s(secret, "secret")))


def payment_national_check(fields: List[str], secret: str) -> str:
    """MaXacThuc of the national payment platform: hex SHA-256 of the fields
    joined with '|' and the secret appended."""
    keep = [ffi.new("char[]", _s(f, "field")) for f in fields]
    arr = ffi.new("const char *[]", keep) if keep else ffi.NULL
    out = ffi.new("char[]", 65)
    _check(lib.dvc_payment_national_check(arr, len(keep), _s(secret, "secret"), out))
    return ffi.string(out).decode()


def sms_segments(text: str) -> tuple:
    """(segments, ascii_only): the SMS segments `text` needs."""
    ascii_only = ffi.new("int *")
    n = _check(lib.dvc_sms_segments(_s(text, "text"), ascii_only))
    return n, bool(ascii_only[0])


def parse_time(text: str) -> _dt.datetime:
    """Parse an ISO 8601 instant with an explicit offset into an aware datetime (UTC)."""
    if not isinstance(text, str):
        raise TypeError("parse_time() takes an ISO 8601 str")
    return _time(_owned(lib.dvc_time_parse, _s(text, "text"), ctype="dvc_time"))


def format_time(instant: Instant) -> str:
    """An instant in Vietnam's time: '2026-03-02T10:15:00+07:00'."""
    buf = ffi.new("char[]", lib.DVC_TIME_FORMAT_SIZE)
    _check(lib.dvc_time_format(_to_time(instant), buf, len(buf)))
    return ffi.string(buf).decode()


def lunar_from_solar(date: Any) -> LunarDate:
    """Solar date to dvc.LunarDate (computed for UTC+7)."""
    return _lunar_out(lib.dvc_lunar_from_solar, _to_date(date))


def lunar_to_solar(lunar: Any) -> _dt.date:
    """dvc.LunarDate or (year, month, day[, leap]) to a solar date."""
    return _date(_owned(lib.dvc_lunar_to_solar, _lunar(lunar), ctype="dvc_date"))


def lunar_year_name(year: int) -> Optional[str]:
    """The can chi name of a lunar year ('Bính Ngọ' for 2026)."""
    if not 1 <= operator.index(year) <= 1_000_000:
        raise ValueError("lunar year must be >= 1")
    return _text(lib.dvc_lunar_year_name(year))


def _names(ctype: str) -> List[str]:
    return list(_enum(ffi.typeof(ctype)).values())


def states() -> List[str]:
    """The dossier state names."""
    return _names("dvc_state")


def actions() -> List[str]:
    """The action names."""
    return _names("dvc_action")


def roles() -> List[str]:
    """The role names."""
    return _names("dvc_role")


def lifecycle_table() -> List[Dict[str, Any]]:
    """The dossier state machine as dicts: from, action, to, roles, requires, stops_clock."""
    n = ffi.new("size_t *")
    t = lib.dvc_lifecycle_table(n)
    reqs = sorted((getattr(lib, k), k[len("DVC_REQ_"):].lower()) for k in dir(lib) if k.startswith("DVC_REQ_"))
    rows = [_record(t[i]) for i in range(n[0])]
    for row in rows:
        row["roles"] = [name for v, name in _enum(ffi.typeof("dvc_role")).items() if row["roles"] & (1 << v)]
        row["requires"] = [name for bit, name in reqs if row["requires"] & bit]
    return rows


def lifecycle_dot() -> str:
    """The state machine as a Graphviz digraph."""
    return _owned_text(_owned(lib.dvc_lifecycle_dot))


def validate_catalog_xml(document: Union[str, bytes]) -> None:
    """Validate an XML catalog against the built-in XSD; raises dvc.Schema or dvc.Parse."""
    data = _doc(document, "document")
    _check(lib.dvc_catalog_validate_xml(data, len(data)))


def catalog_xsd() -> str:
    """The built-in catalog XSD text."""
    return ffi.string(lib.dvc_catalog_xsd()).decode()


def validate_phone(number: str) -> str:
    """Check a Vietnamese phone number; returns its E.164 form. Raises dvc.InvalidArgument."""
    out = ffi.new("char[]", lib.DVC_PHONE_E164_SIZE)
    _check(lib.dvc_validate_phone(_s(number, "number"), out))
    return ffi.string(out).decode()


def validate_citizen_id(citizen_id: str) -> None:
    """Check the structure of a 12-digit citizen ID. Raises dvc.InvalidArgument."""
    _check(lib.dvc_validate_citizen_id(_s(citizen_id, "citizen_id")))


def validate_email(address: str) -> None:
    """A practical e-mail address check. Raises dvc.InvalidArgument."""
    _check(lib.dvc_validate_email(_s(address, "address")))


def sign_verify(document: Union[str, bytes], trusted_cert: Union[str, os.PathLike]) -> str:
    """Verify an enveloped XML-DSig signature over the whole document (a
    signed result or slip) against a trusted PEM certificate (the CA, or the
    signer's own); returns the signing certificate's hex SHA-256
    fingerprint. Raises dvc.Signature (no signature, a changed byte, an
    untrusted signer), dvc.Parse, dvc.IO, dvc.TooBig."""
    data = _doc(document, "document")
    fp = ffi.new("char[]", lib.DVC_CERT_FINGERPRINT_SIZE)
    _check(lib.dvc_sign_verify(data, len(data), _s(os.fspath(trusted_cert), "trusted_cert"), fp))
    return ffi.string(fp).decode()


def cert_fingerprint(cert_file: Union[str, os.PathLike]) -> str:
    """The hex SHA-256 fingerprint of the first certificate in a PEM file."""
    fp = ffi.new("char[]", lib.DVC_CERT_FINGERPRINT_SIZE)
    _check(lib.dvc_cert_fingerprint(_s(os.fspath(cert_file), "cert_file"), fp))
    return ffi.string(fp).decode()


def _path(v: Any, what: str) -> Optional[bytes]:
    """A file path argument (str or os.PathLike) as bytes, None kept."""
    if v is None:
        return None
    raw = os.fsencode(v)
    if b"\0" in raw:
        raise ValueError(f"{what} contains a NUL character")
    return raw


def _report(rep: Any) -> Dict[str, Any]:
    out = _new("char *")
    _check(lib.dvc_journal_report_json(rep, out))
    return json.loads(_owned_text(out[0]))


def proof_verify(bundle: Union[str, bytes], *, trusted_keys: Optional[List[str]] = None,
                 trust_file: Optional[Union[str, os.PathLike]] = None,
                 require_signed: bool = False) -> Dict[str, Any]:
    """Verify a proof bundle offline, with no store (dvc_proof_verify): the
    chain, every signature, the checkpoint, the dossier row replayed, and
    every byte (the bundle must be exactly what Store.proof_export wrote).
    `trusted_keys` (hex public keys) or `trust_file` name the keys to accept;
    without them any key is accepted and the report says anchored=False.
    Returns the report as Store.journal_verify; raises dvc.Signature,
    dvc.Truncated, dvc.Corrupt, dvc.Parse (not a bundle, or altered),
    dvc.Version, dvc.TooBig."""
    data = _doc(bundle, "bundle")
    keep: list = []
    opts = _new("dvc_proof_verify_opts", require_signed=1 if require_signed else 0)
    if trusted_keys is not None:
        if isinstance(trusted_keys, (str, bytes)):
            raise TypeError("trusted_keys is a list of hex public keys")
        _strings(opts, keep, trusted_keys="\n".join(_s(k, "trusted_keys").decode() for k in trusted_keys))
    _strings(opts, keep, trust_file=_path(trust_file, "trust_file"))
    rep = _new("dvc_journal_report")
    _check(lib.dvc_proof_verify(data, len(data), opts, rep))
    return _report(rep)


def _key(fn: Callable[..., int], path: Union[str, os.PathLike]) -> Dict[str, str]:
    pub = ffi.new("char[]", lib.DVC_PROOF_KEY_HEX_SIZE)
    kid = ffi.new("char[]", lib.DVC_PROOF_KEY_ID_SIZE)
    _check(fn(_path(path, "path"), pub, kid))
    return {"key": ffi.string(pub).decode(), "key_id": ffi.string(kid).decode()}


def proof_keygen(path: Union[str, os.PathLike]) -> Dict[str, str]:
    """A new journal key: its secret written to `path` (created, mode 0600;
    raises dvc.Exists if it exists); returns {key, key_id} (the public half,
    to publish and to add to the trust file)."""
    return _key(lib.dvc_proof_keygen, path)


def proof_key(path: Union[str, os.PathLike]) -> Dict[str, str]:
    """{key, key_id} of a journal key file (dvc_proof_key_public)."""
    return _key(lib.dvc_proof_key_public, path)


def rating_criteria() -> List[Dict[str, str]]:
    """The rating criteria: [{name, label}] (label in Vietnamese), 'overall' first."""
    return [{"name": ffi.string(lib.dvc_rating_criterion_name(i)).decode(),
             "label": ffi.string(lib.dvc_rating_criterion_label_vi(i)).decode()}
            for i in range(lib.DVC_RATING_CRITERIA)]


def eform_check(schema: Any, data: Any) -> None:
    """Validate form data against an e-form schema (dicts or JSON text).
    Raises dvc.Schema with .path naming the field."""
    s, d = _json(schema), _json(data)
    _check(lib.dvc_eform_check(s, len(s), d, len(d)))
