"""libdvc for Python: the core of a Vietnamese online public-service portal (procedure catalog,
working-time calendar, dossiers from submission to result, payment, notifications, slips, reports)::

    import dvc

    with dvc.Store("portal.db") as db:
        db.import_catalog("data/catalog/kien-thuy-2018.json")
        hits = db.search("dang ky khai sinh", level="commune")
        with db.transaction():           # all or nothing
            code, secret = db.submit("1.001193", applicant={...}, form={...})
        db.report(group="sector", dataframe=True)   # with pandas installed

Records are dicts; enumerations the names the library, the CLI and JSON use ("in_progress").
Instants go in as aware datetimes, ISO 8601 strings with an offset, or dates and "YYYY-MM-DD"
(00:00 Vietnam time; dvc.VN_TZ is UTC+7), and come out as UTC datetimes; naive datetimes raise
ValueError. A failure raises the dvc.Error subclass of its status code (dvc.NotFound for
DVC_ENOTFOUND...) with code, name, message and path (the offending field, or None). The GIL is
released in every C call: threads with stores of their own run in parallel, calls on one Store
are serialised by its lock, and a transaction belongs to the handle, not to a thread.

libdvc ($DVC_LIBRARY, else a copy in this package, else libdvc.so.0) is called through cffi in ABI
mode, declared by _cdef.h (generated from the headers); most functions are made from their C
prototypes by _api() and name the C function documenting them; the types are in __init__.pyi.
"""

from __future__ import annotations

import ast
import collections
import collections.abc
import contextlib
import datetime as _dt
import functools
import inspect
import io
import itertools
import json
import operator
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import cffi

# ---- Loading: the declarations, then the library ----

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


# ---- Errors: one class per status code of dvc/common.h ----


def status_name(code):
    """The name of a status code ("DVC_ENOTFOUND")."""
    return ffi.string(lib.dvc_status_name(code)).decode()


class Error(Exception):
    """A libdvc failure: ``code`` (``DVC_E*``), ``name`` ("DVC_ENOTFOUND"), ``message`` (the library's
    one line) and ``path``, the offending record or field ("procedures[3].sector") or None."""

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


# One class per status code, named for Python; its docstring is the code's comment in dvc/common.h.
_ERROR_CLASSES = {
    "DVC_ERROR": "InternalError", "DVC_ENOMEM": "OutOfMemory", "DVC_EINVAL": "InvalidArgument",
    "DVC_ENOTFOUND": "NotFound", "DVC_EEXISTS": "Exists", "DVC_EPARSE": "Parse", "DVC_ESCHEMA": "Schema",
    "DVC_EUTF8": "Utf8", "DVC_ETOOBIG": "TooBig", "DVC_EDUPLICATE": "Duplicate", "DVC_EREF": "Reference",
    "DVC_ETRANSITION": "Transition", "DVC_ESERVICELEVEL": "ServiceLevel", "DVC_EPERM": "Permission",
    "DVC_ECONFLICT": "Conflict", "DVC_ESIGNATURE": "Signature", "DVC_EIO": "IO", "DVC_EVERSION": "FormatVersion",
    "DVC_EBUSY": "Busy", "DVC_EDATE": "InvalidDate", "DVC_ERANGE": "OutOfRange", "DVC_ETXN": "TransactionMisuse",
    "DVC_EAUTH": "Auth", "DVC_ETHROTTLED": "Throttled", "DVC_EEXPIRED": "Expired", "DVC_ECORRUPT": "Corrupt",
    "DVC_ETEMPLATE": "Template", "DVC_EAMOUNT": "Amount", "DVC_EUSER": "CallbackFailed",
    "DVC_EMEDIATYPE": "MediaType", "DVC_EINCOMPLETE": "Incomplete", "DVC_ETRUNCATED": "Truncated",
    "DVC_EMISMATCH": "Mismatch", "DVC_ERETAINED": "Retained",
}
_ERROR_BASES = {"OutOfMemory": (MemoryError,), "InvalidArgument": (ValueError,), "NotFound": (LookupError,),
                "Utf8": (ValueError,), "InvalidDate": (ValueError,), "OutOfRange": (ValueError,)}
_DOCS = dict(re.findall(r"/\* doc (\w+) (.*?) \*/", _CDEF))
_ERRORS: Dict[int, type] = {}
for _status, _cls in _ERROR_CLASSES.items():
    _code = getattr(lib, _status)
    globals()[_cls] = _ERRORS[_code] = type(_cls, (Error,) + _ERROR_BASES.get(_cls, ()),
                                             {"code": _code, "__doc__": f"{_status}: {_DOCS.get(_status)}."})
# The status codes as ints: dvc.DVC_ENOTFOUND == -4 ...
for _code, _status in ffi.typeof("dvc_status").elements.items():
    globals()[_status] = _code
del _cls, _status, _code


def error_class(code):
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


# ---- Conversions between Python values and the C structs ----

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


def _new(ctype: str, init: Optional[str] = None) -> Any:
    """A new `ctype` set like its C initialiser (DVC_<NAME>_INIT, or `init`;
    zeroes when the header has none)."""
    return ffi.new(ctype + " *", _INITS.get(init or "DVC_" + ctype[4:].upper() + "_INIT"))


def _to_c(t: str, v: Any, what: str, keep: list, optional: bool = False) -> Any:
    """Python value `v` as a C value of declared type `t`: str (or bytes) for
    char *, an instant for dvc_time, a date for dvc_date (and dvc_date *), a
    LunarDate, an applicant mapping, a name for an enum; None is NULL (or 0)
    when `optional`. What the value points at is kept in `keep`."""
    base = t.replace("const ", "")
    if v is None and (optional or base in ("dvc_date *", "dvc_applicant *")):
        return ffi.NULL if base.endswith("*") else 0
    if base in ("char *", "dvc_date *"):
        keep.append(ffi.new("char[]", v if isinstance(v, bytes) else _s(v, what)) if base == "char *"
                    else ffi.new("dvc_date *", _to_date(v)))
        return keep[-1]
    if base in ("dvc_time", "dvc_date", "dvc_lunar_date", "dvc_applicant *"):
        return (_to_time(v) if base == "dvc_time" else _to_date(v) if base == "dvc_date" else
                _lunar(v) if base == "dvc_lunar_date" else _applicant(v, keep))
    if ffi.typeof(base).kind == "enum":
        return _parse(base, v, what)
    if base in ("size_t", "unsigned int") and operator.index(v) < 0:
        raise ValueError(f"{what} must be >= 0")
    return v


def _struct(ctype: str, init: Optional[str] = None, keep: Optional[list] = None, **fields: Any) -> Any:
    """A new `ctype` struct (see _new) with `fields` set from Python values by
    their declared types (see _to_c); None leaves a field as initialised. What
    the fields point at is kept in `keep`, alive as long as the struct."""
    keep = [] if keep is None else keep
    p = _new(ctype, init)
    types = dict(ffi.typeof(ctype).fields)
    for name, v in fields.items():
        if v is not None:
            setattr(p, name, _to_c("dvc_time" if name in _TIME_FIELDS else types[name].type.cname, v, name, keep))
    keep.append(p)
    return ffi.gc(p, lambda _: keep)  # (the destructor holds `keep`)


def _caller(client: Optional[str], keep: list) -> Any:
    """A dvc_caller for the throttles' client key, or NULL (the unknown client)."""
    return ffi.NULL if client is None else _struct("dvc_caller", None, keep, client=client)


def _applicant(m: Any, keep: list) -> Any:
    """A dvc_applicant from a mapping of its fields (unknown keys refused)."""
    fields = [name for name, _ in ffi.typeof("dvc_applicant").fields]
    if not isinstance(m, collections.abc.Mapping):
        raise TypeError("applicant must be a mapping (dict) of applicant fields")
    unknown = [k for k in m if k not in fields]
    if unknown:
        raise TypeError(f"unknown applicant field {unknown[0]!r} ({', '.join(fields)})")
    return _struct("dvc_applicant", None, keep, **{k: v.isoformat() if isinstance(v, _dt.date) else v
                                             for k, v in m.items()})


def _who(officer: Any, account: Any, secret: Any, keep: list, a: Any = None) -> Any:
    """Exactly one of officer=, account= or secret= into the dvc_actor `a` (None: a new one)."""
    given = [(k, v) for k, v in (("officer", officer), ("account", account), ("secret", secret)) if v is not None]
    if len(given) != 1:
        raise TypeError("give exactly one of officer=, account= or secret=")
    (kind, v), = given
    keep += [ffi.new("dvc_actor *")] if a is None else []
    a = keep[-1] if a is None else a
    a.kind = {"officer": lib.DVC_ACTOR_OFFICER, "account": lib.DVC_ACTOR_ACCOUNT}.get(kind, lib.DVC_ACTOR_ANONYMOUS)
    keep.append(ffi.new("char[]", _s(v, kind)))
    setattr(a, "secret" if kind == "secret" else "name", keep[-1])
    return a


def _text(p: Any) -> Optional[str]:
    return None if p == ffi.NULL else ffi.string(p).decode()


def _s(v: Any, what: str, optional: bool = False) -> Any:
    """A str (or os.PathLike) argument as NUL-terminated UTF-8 (None -> NULL when optional)."""
    v = os.fspath(v) if isinstance(v, os.PathLike) else v
    if v is None and optional:
        return ffi.NULL
    if not isinstance(v, str):
        raise TypeError(f"{what} must be a str{' or None' if optional else ''}, not {type(v).__name__}")
    if "\0" in v:
        raise ValueError(f"{what} contains a NUL character")
    return v.encode()


def _data(v: Any, what: str) -> bytes:
    """A document argument: bytes, or str (JSON, XML... text), or anything
    else dumped as JSON (a dict...)."""
    if isinstance(v, bytes):
        return v
    return (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)).encode()


def _path(v: Any, what: str) -> Optional[bytes]:
    """A file path argument (str or os.PathLike) as bytes, None kept."""
    if v is None:
        return None
    raw = os.fsencode(v)
    if b"\0" in raw:
        raise ValueError(f"{what} contains a NUL character")
    return raw


def _document_or_file(c: Callable[..., Any], fn: str, source: Any, *rest: Any) -> Any:
    """c(fn, data, len, *rest) when `source` is a document (bytes, or a str that
    starts like one), else c(fn + "_file", path, *rest)."""
    head = source.lstrip(" \t\r\n\ufeff")[:1] if isinstance(source, str) else None
    if isinstance(source, bytes) or head in ("{", "<", "["):
        data = _data(source, "source")
        return c(fn, data, len(data), *rest)
    return c(fn + "_file", os.fsencode(source), *rest)


def _time(t: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(seconds=t)


def _to_time(v: Any) -> int:
    """An instant: an aware datetime, a date (00:00 in Vietnam), or a str the
    library parses ("2026-03-02T10:15:00+07:00" or "2026-03-02")."""
    if isinstance(v, _dt.datetime):
        if v.utcoffset() is None:
            raise ValueError("naive datetime: attach a tzinfo (datetime.timezone.utc, dvc.VN_TZ...)")
        return (v - _EPOCH) // _dt.timedelta(seconds=1)
    out = ffi.new("dvc_time *")
    if isinstance(v, _dt.date):
        _check(lib.dvc_time_from_local((v.year, v.month, v.day), 0, 0, 0, out))
    elif isinstance(v, str):
        _check(lib.dvc_time_parse_day(_s(v, "instant"), out))
    else:
        raise TypeError("an instant must be an aware datetime, a date or an ISO 8601 str, "
                        f"not {type(v).__name__}")
    return out[0]


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


def _lunar(v: Any) -> Any:
    if isinstance(v, (str, bytes)) or len(v) not in (3, 4):
        raise TypeError("a lunar date is a LunarDate or a (year, month, day[, leap]) tuple")
    return (*(operator.index(x) for x in v[:3]), 1 if len(v) == 4 and v[3] else 0)


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
    if hasattr(lib, cname + "_parse"):
        return _c(cname + "_parse", _s(name, what))
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
    """How to turn a struct type into a dict: a pointer `x` with a count `n_x` is a list, a field
    `x` with a flag `has_x` None when it is 0; the struct's own first `unsigned int version` is left out."""
    names = {name for name, _ in t.fields}
    plan = []
    for i, (name, f) in enumerate(t.fields):
        if (name[:2] == "n_" and name[2:] in names) or (name[:4] == "has_" and name[4:] in names) or (
                i == 0 and name == "version" and f.type.cname == "unsigned int"):
            continue
        count = "n_" + name if "n_" + name in names else None
        flag = "has_" + name if "has_" + name in names else None
        plan.append((name, count, _field(name, f.type.item if count else f.type), flag))
    return plan


def _record(p: Any) -> Dict[str, Any]:
    """A struct (or a pointer to one) as a dict, following the header's field names."""
    t = ffi.typeof(p)
    out = {}
    for name, count, conv, flag in _plan(t.item if t.kind == "pointer" else t):
        v = getattr(p, name)
        out[name] = ([conv(v[i]) for i in range(getattr(p, count))] if count else
                     None if flag and not getattr(p, flag) else conv(v))
    return out


def _date(d: Any) -> Optional[_dt.date]:
    return _dt.date(d.year, d.month, d.day) if d.year else None  # {0, 0, 0}: no date


def _owned_text(p: Any, n: Optional[int] = None) -> str:
    """A string the library allocated, freed after decoding."""
    try:
        return ffi.unpack(p, n).decode() if n is not None else ffi.string(p).decode()
    finally:
        lib.dvc_free(p)


def _dataframe(rows: List[Dict[str, Any]], index: Optional[str] = None) -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("dataframe=True needs pandas (Debian: python3-pandas)") from e
    df = pandas.DataFrame.from_records(rows)
    return df.set_index(index) if index is not None and index in df.columns else df


# ---- Calls ----
# The prototypes in _cdef.h tell which parameters are outputs and what they hold,
# so one function allocates, checks and converts for every call.


def _param(decl: str) -> Any:
    """A parameter declaration as (type, name, array size or None); None when
    it is not of that plain form (char (*out)[65]...)."""
    m = re.fullmatch(r"(.*?)\s*(\w+)(?:\[(\d+)\])?", " ".join(decl.split()))
    return m.groups() if m and "(" not in decl else None


#: C function -> (return type, its parameters as _param() gives them).
_PROTOS = {name: (ret.strip(), [_param(p) for p in params.split(",") if p.strip() != "void"])
           for ret, name, params in re.findall(r"^\s*(\w[\w ]*?[ *]+)(dvc_\w+)\(([^;]*?)\);", _CDEF, re.M)}
#: Input structs _api() fills from its own rules, not from fields.
_ARG_STRUCTS = {"const dvc_actor *", "const dvc_caller *", "const dvc_applicant *", "const dvc_date *"}
#: Output structs whose Python form is the library's own JSON view (<type>_json).
_JSON_VIEWS = {"dvc_journal_report", "dvc_allowed_actions", "dvc_catalog_stats", "dvc_missing", "dvc_rating"}


def _is_output(param: Any) -> bool:
    return bool(param[2]) or param[0].endswith("**") or ("*" in param[0] and not param[0].startswith("const "))


def _read(fn: str, outs: list, params: list) -> Any:
    """The last output of a call to `fn` as Python: text (JSON decoded for *_json), a record, a
    collection's rows, an array (its count after it), an instant, a date, a number; char arrays as a tuple."""
    if len(params) > 1 and all(size for _, _, size in params):
        return tuple(ffi.string(p).decode() for p in outs)
    (t, name, size), p = params[-1], outs[-1]
    n = None
    if t == "size_t *" and len(params) > 1 and params[-2][0].endswith("**"):
        n, (t, name, size), p = p[0], params[-2], outs[-2]
    if size:
        return ffi.string(p).decode()
    if t == "const char **":
        return _text(p[0])
    if t == "char **":
        text = _owned_text(p[0], n)
        return json.loads(text) if fn.endswith("_json") or name == "json" else text
    kind = t.rstrip("* ")
    if t.endswith("**"):
        h = p[0]
        if n is not None:
            try:
                return [_record(h[i]) for i in range(n)]
            finally:
                lib.dvc_free(h)
        try:  # a JSON view, a collection (its _count/_at) or one record
            if kind in _JSON_VIEWS:
                return _c(kind + "_json", h)
            if hasattr(lib, kind + "_count"):
                return [_record(getattr(lib, kind + "_at")(h, i)) for i in range(getattr(lib, kind + "_count")(h))]
            return _record(h)
        finally:
            getattr(lib, kind + "_free")(h)
    if kind in _JSON_VIEWS:
        return _c(kind + "_json", p)
    if kind == "dvc_lunar_date":
        return LunarDate(p.year, p.month, p.day, bool(p.leap))
    if kind in ("dvc_time", "dvc_date"):
        return _time(p[0]) if kind == "dvc_time" else _date(p[0])
    return p[0] if ffi.typeof(p).item.kind in ("primitive", "enum") else _record(p)


def _c(fn: str, *args: Any, call: Optional[Callable[..., Any]] = None, skip: int = 0) -> Any:
    """Call C function `fn` (through `call`, which passes the first `skip` arguments itself)
    with `args` and fresh outputs for the rest; a status is checked (raising its exception),
    and the result is the outputs read by _read(), or the return value (const char * as str)."""
    ret, params = _PROTOS[fn]
    params = params[skip + len(args):]
    outs = [ffi.new("char[]", int(size)) if size else _new(t[:-1].strip()) if ffi.typeof(t).item.kind == "struct"
            else ffi.new(t) for t, _, size in params]
    try:
        rc = call(getattr(lib, fn), *args, *outs) if call else getattr(lib, fn)(*args, *outs)
    except OverflowError as e:  # an int the C type cannot hold: out of the library's range too
        raise OutOfRange(str(e), None, lib.DVC_ERANGE) from None
    if ret == "const char *":
        return _text(rc)
    if ret != "int":
        return rc
    _check(rc)
    return _read(fn, outs, params) if params else None


def _api(fn: str, params: str, doc: str, post: Optional[Callable[[Any, Dict[str, Any]], Any]] = None) -> Any:
    """A public function (a method when `params` starts with self, calling through self._c)
    calling C function `fn` with the Python parameters `params` in order, each converted by
    _to_c() to the declared type of the C parameter it fills (None is NULL when it is the
    default); a const char *, size_t pair takes a document (str, bytes, or a dict as JSON),
    officer=/account=/secret= make the const dvc_actor *, client= the const dvc_caller *, and
    an options struct takes the parameters named like its fields (from_ for "from"). Returns
    _c()'s result, or post(result, {parameter: value}); the docstring ends with `fn`."""
    method = params.startswith("self")
    inputs = list(itertools.takewhile(lambda p: not _is_output(p), _PROTOS[fn][1][method:]))
    slots, i = [], 0  # (what fills it, declared type) of each C argument
    while i < len(inputs):
        t = inputs[i][0]
        pair = t == "const char *" and i + 1 < len(inputs) and inputs[i + 1][0] == "size_t"
        struct = ffi.typeof(t).kind == "pointer" and ffi.typeof(t).item.kind == "struct" and t not in _ARG_STRUCTS
        slots.append(("document" if pair else "struct" if struct else t, t))
        i += 2 if pair else 1

    kinds = [t for t, _ in slots]
    claimed = ({"officer", "account", "secret"} if "const dvc_actor *" in kinds else set()) | (
        {"client"} if "const dvc_caller *" in kinds else set())

    def run(values: Dict[str, Any]) -> Any:
        obj, keep, args = values.get("self"), [], []
        names = [n for n in values if n not in claimed and n != "self"]
        for t, ctype in slots:
            if t == "const dvc_actor *":
                args.append(_who(values.get("officer"), values.get("account"), values.get("secret"), keep))
                continue
            if t == "const dvc_caller *":
                args.append(_caller(values.get("client"), keep))
                continue
            if t == "struct":  # "const dvc_x *": the parameters named like its fields
                struct = ctype[len("const "):-len(" *")]
                fields = dict(ffi.typeof(struct).fields)
                mine = [n for n in names if n.rstrip("_") in fields]
                names = [n for n in names if n not in mine]
                args.append(_struct(struct, None, keep, **{n.rstrip("_"): values[n] for n in mine}))
                continue
            name = names.pop(0)
            if t == "document":
                data = _data(values[name], name)
                args += [data, len(data)]
            else:
                args.append(_to_c(ctype, values[name], name, keep, name in nullable))
        result = obj._c(fn, *args) if method else _c(fn, *args)
        return post(result, values) if post else result

    scope: Dict[str, Any] = {"__name__": __name__, "_run": run}
    exec(f"def {fn}({params}):\n    return _run(locals())", scope)
    f = scope[fn]
    nullable = {k for k, p in inspect.signature(f).parameters.items() if p.default is None}
    f.__doc__, f._c_function = inspect.cleandoc(doc) + f"\n\nC: {fn}() (its header has the details).", fn
    return f


def _named(ns: Any) -> Any:
    """Give the functions _api made in a class (or in the module's globals) the names they are bound to."""
    owner = ns.__qualname__ + "." if isinstance(ns, type) else ""
    for name, f in list((vars(ns) if owner else ns).items()):
        if getattr(f, "_c_function", None):
            f.__name__, f.__qualname__ = name, owner + name
    return ns


# ---- Calendar ----


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


@_named
class Calendar:
    """The working-time calendar of Vietnamese offices (lunar calendar, holidays, official schedules
    2018-2026 built in, office-time arithmetic). Hours are "HH:MM", datetime.time or minutes;
    rest_days are Python weekday numbers (default (5, 6): Saturday, Sunday)."""

    schedule_source = _api("dvc_calendar_schedule_source", "self, year", "The year's schedule source or None.")
    day = _api("dvc_calendar_day", "self, date", """One day: {date, kind ('working', 'weekend', 'holiday',
        'compensatory', 'off', 'swapped_working'), working, name (the Vietnamese reason, or None)}.""")
    special_days = _api("dvc_calendar_special_days", "self, year", "`year`'s special days, as day() shows them.")
    add_days = _api("dvc_calendar_add_days", "self, start, days", "The deadline `days` working days after `start`.")
    add_hours = _api("dvc_calendar_add_hours", "self, start, hours", "`start` plus `hours` of office time.")
    add_minutes = _api("dvc_calendar_add_minutes", "self, start, minutes", "Like add_hours() with minutes.")
    add_seconds = _api("dvc_calendar_add_seconds", "self, start, seconds", "Like add_hours() with seconds.")
    between = _api("dvc_calendar_between", "self, a, b", """Office time between two instants as a timedelta
        (negative when b < a).""", post=lambda s, _: _dt.timedelta(seconds=s))
    next_working = _api("dvc_calendar_next_working", "self, t", "The first office-hours instant at or after `t`.")
    lunar_from_solar = _api("dvc_calendar_lunar_from_solar", "self, date", "A date as a LunarDate (the table).")
    lunar_to_solar = _api("dvc_calendar_lunar_to_solar", "self, lunar", "LunarDate or (y, m, d[, leap]) to a date.")

    def __init__(self, *, am_start=None, am_end=None, pm_start=None, pm_end=None, rest_days=None,
                 round_to_end_of_day=False, builtin_schedules=True):
        hours = {"am_start": am_start, "am_end": am_end, "pm_start": pm_start, "pm_end": pm_end}
        if rest_days is not None:
            if not all(isinstance(w, int) and 0 <= w <= 6 for w in rest_days):
                raise ValueError("rest_days are weekday numbers, Monday=0 .. Sunday=6")
            rest_days = functools.reduce(operator.or_, (1 << ((w + 1) % 7) for w in rest_days), 0)
        o = _struct("dvc_calendar_opts", round_to_end_of_day=bool(round_to_end_of_day),
                    builtin_schedules=bool(builtin_schedules), rest_days=rest_days,
                    **{k: None if v is None else _minutes(v, k) for k, v in hours.items()})
        out = ffi.new("dvc_calendar **")
        _check(lib.dvc_calendar_new(out, o))
        self._cal = ffi.gc(out[0], lib.dvc_calendar_free)
        self._attached = 0  # stores using it: schedule changes are refused

    def _c(self, fn: str, *args: Any) -> Any:
        return _c(fn, self._cal, *args)

    def _mutable(self) -> Any:
        if self._attached:
            raise RuntimeError("calendar is in use by a store: load schedules before Store.set_calendar()")
        return self._cal

    @property
    def day_seconds(self) -> int:
        """Seconds of office time in one working day (27000 by default)."""
        return lib.dvc_calendar_day_seconds(self._cal)

    def load_schedule(self, source):
        """Load (replace) one year's official schedule, "dvc-calendar-schedule" JSON (str, bytes) or a
        path; all or nothing."""
        self._mutable()
        _document_or_file(self._c, "dvc_calendar_load_schedule", source)

    def clear_schedule(self, year):
        """Forget the schedule of `year`: the statutory holiday rules apply again."""
        _check(lib.dvc_calendar_clear_schedule(self._mutable(), year))

    def is_working_day(self, date):
        """True on a working day (including a rest day made working)."""
        return self.day(date)["working"]


# ---- Store ----


class _Clock:
    """A clock for dvc_set_clock(): a fixed instant, or a Python callable run from inside C calls
    (cffi takes the GIL); what it raises is kept for the Store method to raise afterwards."""

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


def _with_state_label(d: Dict[str, Any], _: Any) -> Dict[str, Any]:
    d["state_label"] = _text(lib.dvc_state_label_vi(_parse("dvc_state", d["state"], "state")))
    return d


def _sync_rows(rows: List[Dict[str, Any]], _: Any) -> List[Dict[str, Any]]:
    for r in rows:
        r["payload"] = json.loads(r["payload"])
    return rows


@_named
class Store:
    """An open libdvc store, migrated to the current schema: an SQLite file (WAL) or ":memory:", or
    a PostgreSQL database ("postgresql://..." URI, or a libpq conninfo with postgresql=True).
    ``with dvc.Store(path) as db:`` closes it; every write is one transaction, ``with
    db.transaction():`` groups several."""

    schema_version = _api("dvc_schema_version", "self", "The schema version of the open store.")
    begin = _api("dvc_begin", "self", "Start an explicit transaction (prefer ``with store.transaction():``).")
    commit = _api("dvc_commit", "self", "Commit the explicit transaction.")
    rollback = _api("dvc_rollback", "self", "Roll back the explicit transaction.")

    def __init__(self, path=":memory:", *, readonly=False, create=True, busy_timeout_ms=5000, journal_key=None,
                 journal_trust=None, require_signed=False, postgresql=False):
        self._lock, self._owner, self._db = threading.Lock(), None, None
        self._clock: Optional[_Clock] = None
        self._calendar: Optional[Calendar] = None
        raw = _path(path, "path")
        flags = (lib.DVC_OPEN_CREATE * bool(create) | lib.DVC_OPEN_READONLY * bool(readonly)
                 | lib.DVC_OPEN_REQUIRE_SIGNED * bool(require_signed) | lib.DVC_OPEN_POSTGRESQL * bool(postgresql))
        keep: list = []
        opts = _struct("dvc_open_opts", None, keep, flags=flags, busy_timeout_ms=busy_timeout_ms,
                       journal_key_file=_path(journal_key, "journal_key"),
                       journal_trust_file=_path(journal_trust, "journal_trust"))
        out = ffi.new("dvc_db **")
        _check(lib.dvc_open(out, raw, opts))
        self._db = ffi.gc(out[0], lib.dvc_close)
        self.path = os.fsdecode(raw)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(db, *args) under the store's lock (one thread at a time); raises what a Python clock raised."""
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

    def _c(self, fn: str, *args: Any) -> Any:
        """_c() on this store's handle, under its lock."""
        return _c(fn, *args, call=self._call, skip=1)

    def __repr__(self) -> str:
        # a PostgreSQL URI or conninfo may carry a password: never print it
        shown = re.sub(r"(://[^/:@?]*:)[^@/?]*@", r"\1***@", self.path)
        shown = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", shown)
        return f"<dvc.Store {shown!r} {'closed' if self.closed else 'open'}>"

    def __enter__(self) -> "Store":
        if self._db is None:
            raise ValueError("the store is closed")
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    def close(self):
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

    @property
    def backend(self) -> str:
        """The database engine: "sqlite" or "postgresql"."""
        return _text(self._call(lib.dvc_backend_name))

    @contextlib.contextmanager
    def transaction(self):
        """A context manager grouping its block's calls into one transaction: committed at the end,
        rolled back if the block raises. Transactions do not nest (dvc.TransactionMisuse)."""
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
    now = _api("dvc_now", "self", "The store's current time (aware datetime, UTC).")

    def _install_clock(self, clock: Optional[_Clock]) -> None:
        def install(db: Any) -> None:  # under the lock: a running call keeps its clock
            lib.dvc_set_clock(db, clock.c if clock else ffi.NULL, ffi.NULL)
            self._clock = clock
        self._call(install)

    def set_time(self, instant):
        """Freeze the store's clock at `instant`; None restores the system clock."""
        self._install_clock(None if instant is None else _Clock(fixed=_to_time(instant)))

    def set_clock(self, clock):
        """The store's clock: a callable returning an aware datetime (it must not use this store;
        what it raises, the call asking for the time raises), an instant (as set_time), or None."""
        if clock is None or callable(clock):
            self._install_clock(None if clock is None else _Clock(clock))
        else:
            self.set_time(clock)

    def advance(self, delta):
        """Move a fixed clock (set_time) forward by `delta` (timedelta or seconds); the new time."""
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

    def set_calendar(self, calendar):
        """Compute deadlines with `calendar` (None: the default); it refuses schedule changes meanwhile."""
        if calendar is not None and not isinstance(calendar, Calendar):
            raise TypeError("set_calendar() takes a dvc.Calendar or None")
        self._call(lib.dvc_set_calendar, calendar._cal if calendar else ffi.NULL)
        self._set_calendar_ref(calendar)

    # ---- catalog ----
    search = _api("dvc_catalog_search", "self, /, text=None, *, sector=None, level=None, online_level=0, "
                  "agency=None, limit=50, asof=None", """Procedures in force on `asof` (default today) matching
        `text`, diacritics and case folded, phrase matches first, one typo tolerated.""")
    catalog_stats = _api("dvc_catalog_stats_compute", "self, asof=None", "Counts of procedures in force.")

    def import_catalog(self, source, format=None):
        """Import a catalog, all or nothing, from a path or the document itself (bytes, or a str
        starting with '{' or '<'); format None/'auto', 'json', 'xml'. The counts, as a dict.
        C: dvc_catalog_import()."""
        fmt = _parse("dvc_format", format or "auto", "format")
        return _document_or_file(self._c, "dvc_catalog_import", source, fmt)

    def export_catalog(self, format="json"):
        """The whole catalog (every version) as a JSON or XML document (str)."""
        return self._c("dvc_catalog_export", _parse("dvc_format", format, "format") or lib.DVC_FORMAT_JSON)

    def procedure(self, code, asof=None, *, version=None):
        """A procedure version: the one in force on `asof` (default today), or `version` (dvc_procedure_get)."""
        if version is None:
            d = self._c("dvc_procedure_get", _s(code, "code"), _to_c("dvc_date *", asof, "asof", []))
        elif asof is not None:
            raise ValueError("give asof or version, not both")
        elif not 1 <= operator.index(version) <= 1_000_000:
            raise ValueError("version must be >= 1")
        else:
            d = self._c("dvc_procedure_get_version", _s(code, "code"), version)
        d["deadline"] = {"value": d.pop("deadline_value"), "unit": d.pop("deadline_unit")}
        d["form_schema"] = json.loads(d["form_schema"]) if d["form_schema"] else None
        return d

    # ---- people ----
    register_account = _api("dvc_account_register_from", "self, username, password, applicant, *, client=None",
                            """Register an applicant account; `applicant`: {full_name, citizen_id, birth_date,
        address[, phone, email]}; `client`, the requester's address, is throttled (None: no limit).""")
    login = _api("dvc_account_login_from", "self, username, password, *, client=None", """Check a password
        (dvc.Auth); `client` is the caller's key for the throttles (None: the shared unknown client).""")
    account = _api("dvc_account_get", "self, username", "A stored account: {'username', 'profile', 'created_at'}.")

    # ---- national identities (identity.h) ----
    link_identity = _api("dvc_identity_link_claims", "self, username, claims, *, issuer, assurance, actor, "
                         "verified_at=None", """Link `username` to the national identity in `claims` (userinfo
        JSON, bytes or dict), of `issuer` at `assurance` 1 or 2, audited under `actor`; returns identity_view().""",
                         post=lambda _, a: a["self"].identity_view(a["username"]))
    unlink_identity = _api("dvc_identity_unlink", "self, username, *, actor, reason", "Remove the identity link.")
    identity_view = _api("dvc_identity_json", "self, username", "The account's national identity and audit trail.")
    national_signin = _api("dvc_dossier_national_signin", "self, code", "The national sign-in level (1, 2), or 0.")
    add_officer = _api("dvc_officer_add", "self, username, full_name, unit, role", "Add an officer at `unit`.")
    officer = _api("dvc_officer_get", "self, username", "An officer: {'username', 'full_name', 'unit', 'role'}.")

    # ---- dossiers ----
    track = _api("dvc_dossier_track_from", "self, code, *, officer=None, account=None, secret=None, client=None",
                 """What tracking shows (state, route, deadlines, fees, history) to the officer, account
        or secret given; `client`: the caller's key for the secret's throttle.""", post=_with_state_label)
    verify = _api("dvc_dossier_verify", "self, code=None", "Check journal hash chains (dvc.Corrupt); how many.")
    journal_verify = _api("dvc_journal_verify", "self, code=None", "Verify one journal or all; the report.")
    journal_seal = _api("dvc_journal_seal", "self, code=None", "Checkpoint the journals none covers; how many.")
    proof_export = _api("dvc_proof_export", "self, code", "The dossier's proof bundle (keep it byte for byte).")
    set_retention = _api("dvc_privacy_set_retention", "self, days", "Keep personal data `days` days after closing.")
    erase_personal = _api("dvc_dossier_erase_personal", "self, code, *, officer", "Erase personal data (admin).")
    dossier_view = _api("dvc_dossier_view_json", "self, code, *, officer=None, account=None, secret=None, "
                        "client=None", """What `who` sees of a dossier, as the CLI and the HTTP example show it
        (instants as text).""")
    allowed_actions = _api("dvc_dossier_allowed_actions", "self, code, *, officer=None, account=None, "
                           "secret=None, client=None", """A dry run of every action by `who`, changing nothing:
        {code, state, version, actions, refused}.""")

    def submit(self, procedure, *, applicant=None, account=None, channel="online", form=None, draft=False,
               officer=None, copies=0, pages=0, fee_exemption=None, desk=None, place=None, national_signin=False):
        """Submit (or save as a draft) a dossier; `form` is a dict or JSON text, `desk` the receiving centre
        (None: the competent agency's), `place` an agency code or address locating the competent agency
        (None: the applicant's). Returns a Receipt (secret None for accounts). C: dvc_dossier_submit()."""
        keep: list = []
        s = _struct("dvc_submission", None, keep, channel=channel, draft=bool(draft), copies=copies, pages=pages,
                    national_signin=bool(national_signin), procedure=_s(procedure, "procedure"),
                    applicant=applicant, account=account, officer=officer, fee_exemption=fee_exemption, desk=desk,
                    place=place, form_data=None if form is None else _data(form, "form"))
        rec = self._c("dvc_dossier_submit", s)
        return Receipt(rec["code"], rec["secret"])

    def act(self, code, action, *, officer=None, account=None, secret=None, note=None, target=None, new_due=None,
            expected_version=None, delivery=None, payload=None, client=None):
        """Apply a lifecycle action ('receive', 'forward', 'return'...) as exactly one of an officer, an
        account or the tracking secret (`client`: the caller's key for its throttle); the new version.
        C: dvc_dossier_act()."""
        if isinstance(payload, bytes) and b"\0" in payload:
            raise ValueError("payload contains a NUL byte")
        if expected_version is not None and operator.index(expected_version) < 0:
            raise ValueError("expected_version must be >= 0")
        keep: list = []
        r = _struct("dvc_action_req", "DVC_ACTION_INIT", keep, action=_s(action, "action") and action,
                    note=note, target=target, payload=payload, client=client, new_due=new_due,
                    expected_version=expected_version, delivery=delivery)
        _who(officer, account, secret, keep, r.actor)
        return self._c("dvc_dossier_act", _s(code, "code"), r)

    def list_dossiers(self, *, state=None, unit=None, overdue=False, stuck=False, limit=0):
        """Dossiers, newest first, as dicts. stuck: past the current step's deadline."""
        f = _struct("dvc_dossier_filter", overdue=bool(overdue), step_overdue=bool(stuck), limit=limit,
                    unit=unit, state=None if state is None else _parse("dvc_state", state, "state"))
        return self._c("dvc_dossier_find", f)

    def access_log(self, code=None, *, by=None, officer=None, account=None, secret=None, client=None, since=None,
                   until=None, limit=0):
        """Officers' reads of personal data, of dossier `code` and/or by officer `by`: {entries, more}.
        Without officer=/account=/secret= the caller is the trusted side. C: dvc_access_log_json()."""
        keep: list = []
        q = _struct("dvc_access_query", "DVC_ACCESS_QUERY_INIT", keep, dossier=code, officer=by, to=until,
                    limit=limit, **{"from": since})
        who = ffi.NULL if (officer, account, secret) == (None, None, None) else _who(officer, account, secret, keep)
        return self._c("dvc_access_log_json", q, who, _caller(client, keep))

    @property
    def retention(self) -> int:
        """The retention period in days (dvc_privacy_retention)."""
        return int(self._call(lib.dvc_privacy_retention))

    # ---- documents ----
    files = _api("dvc_dossier_files", "self, code, *, officer=None, account=None, secret=None", """The dossier's
        files, current and replaced, oldest first (who may see them: as track()).""")
    account_files = _api("dvc_account_files", "self, username", "The account's data store (attach with reuse=id).")
    missing = _api("dvc_dossier_missing", "self, code", "Required components lacking a file: [{component, name}].")

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

    def attach(self, code, component, content=None, *, name, officer=None, account=None, secret=None,
               form="original", mode="add", replaces=None, size=None, reuse=None):
        """Stream a file into component `component` (an index, or dvc.FILE_RESULT) of a dossier: `content`
        is bytes, a path or a binary file, or `reuse` a file of the account's data store; `size` is
        the size announced (fewer bytes: dvc.Truncated). The stored file; nothing stored on error.
        C: dvc_dossier_attach()."""
        if (content is None) == (reuse is None):
            raise TypeError("attach() needs content (bytes, a path or a file object) or reuse, not both")
        if size is not None and operator.index(size) < 0:
            raise ValueError("size must be >= 0")
        keep: list = []
        r = _struct("dvc_attach_req", "DVC_ATTACH_INIT", keep, component=component, form=form, mode=mode,
                    name=name, replaces=replaces, declared_size=size, reuse=reuse)
        _who(officer, account, secret, keep, r.actor)
        err: list = []
        if content is not None:
            src = (io.BytesIO(bytes(content)) if isinstance(content, (bytes, bytearray, memoryview)) else
                   open(content, "rb") if isinstance(content, (str, os.PathLike)) else content)

            def read(ctx: Any, buf: Any, cap: int) -> int:
                data = src.read(cap)
                ffi.memmove(buf, data, len(data))
                return len(data)
            keep += [src] if src is not content else []  # (closed at the end; the caller's file is not)
            keep.append(ffi.callback("int64_t(void *, void *, size_t)", read,
                                     onerror=lambda t, v, tb: err.append(v) or -1))
            r.read = keep[-1]  # (the callback object must outlive the call)
        try:
            return self._c("dvc_dossier_attach", _s(code, "code"), r)
        except Error:
            if err:
                raise err[0] from None
            raise
        finally:
            for k in keep:
                if hasattr(k, "close"):
                    k.close()

    def download(self, code, file_id, dest=None, *, officer=None, account=None, secret=None):
        """A dossier's file, checked against its SHA-256 as it streams: bytes, or into `dest` (a path
        or a binary file). C: dvc_dossier_download()."""
        keep: list = []
        who = _who(officer, account, secret, keep)
        return self._stream(lib.dvc_dossier_download, _s(code, "code"), who, file_id, sink=dest)

    def account_download(self, username, file_id, dest=None):
        """One file of the account's data store, as download()."""
        return self._stream(lib.dvc_account_download, _s(username, "username"), file_id, sink=dest)

    def procedure_policy(self, procedure):
        """The files and payment policy in force for a procedure (the default when none is stored)."""
        out, types = _new("dvc_procedure_policy"), ffi.new("char[]", 1025)
        _check(self._call(lib.dvc_procedure_policy_get, _s(procedure, "procedure"), out, types, len(types)))
        return {"max_file_bytes": out.max_file_bytes, "media_types": ffi.string(types).decode().split(","),
                "require_files": bool(out.require_files), "pay_before_return": bool(out.pay_before_return)}

    def set_procedure_policy(self, procedure, *, max_file_bytes=None, media_types=None, require_files=False,
                             pay_before_return=False):
        """Store a procedure's policy (every version); unset values take the default; media_types is
        a list or a comma-separated str. C: dvc_procedure_policy_set()."""
        p = _struct("dvc_procedure_policy", require_files=bool(require_files),
                    pay_before_return=bool(pay_before_return), max_file_bytes=max_file_bytes,
                    media_types=media_types if media_types is None or isinstance(media_types, str)
                    else ",".join(media_types))
        self._c("dvc_procedure_policy_set", _s(procedure, "procedure"), p)

    # ---- signed results and ratings ----
    sign_result = _api("dvc_dossier_sign_result", "self, code, *, officer, key_file, cert_file, password=None",
                       """Sign the dossier's current result file as the signing leader (XML-DSig), with the PEM key
        and certificate files named (never stored); the stored signed file, as attach().""")
    slip_signed = _api("dvc_slip_render_signed", "self, code, kind, *, key_file, cert_file, password=None", """An
        official slip as XML with an enveloped XML-DSig signature by the agency's key.""")
    rating = _api("dvc_dossier_rating_get", "self, code, *, officer=None, account=None, secret=None", """The
        dossier's rating: {at, scores {criterion: score, rated ones only}, comment or None}.""",
                  post=lambda r, _: {**r, "at": parse_time(r["at"]), "comment": r["comment"] or None})

    def rate(self, code, scores, *, account=None, secret=None, comment=None, client=None):
        """Rate a returned dossier once, as its account or with its tracking secret: `scores` maps
        criterion names ('overall' required; rating_criteria()) to 1..5. C: dvc_dossier_rate()."""
        keep: list = []
        r = _struct("dvc_rating_req", None, keep, comment=comment, client=client)
        _who(None, account, secret, keep, r.actor)
        if not isinstance(scores, dict):
            raise TypeError("scores must be a dict {criterion: score}")
        for name, v in scores.items():
            r.scores[_parse("dvc_rating_criterion", name, "criterion")] = operator.index(v)
        self._c("dvc_dossier_rate", _s(code, "code"), r)

    # ---- agencies (the administrative map as history) ----
    agency = _api("dvc_agency_get", "self, code", "An agency with its successor links (predecessors, successors).")
    agencies = _api("dvc_agency_find", "self, asof=None, *, level=None", """Agencies in force on `asof` (None: all
        ever stored) of `level` (None: any), without links.""",
                    post=lambda rows, _: [{k: v for k, v in d.items() if k not in ("predecessors", "successors")}
                                       for d in rows])
    agency_competent = _api("dvc_agency_competent", "self, procedure, place, day", "The competent agency on `day`.")
    agency_desk = _api("dvc_agency_desk", "self, agency, day", "The reception desk of `agency` on `day`.")

    def agency_resolve(self, code, day, place=None):
        """The agencies in force on `day` carrying on `code`, link by link ([] when abolished);
        `place` (an agency code or an address) chooses among the parts of a split."""
        cap = lib.DVC_AGENCY_MAX_RESOLVED
        out, n = ffi.new("char[%d][65]" % cap), ffi.new("size_t *")
        _check(self._call(lib.dvc_agency_resolve, _s(code, "code"), _to_date(day), _s(place, "place", True),
                          out, cap, n))
        return [ffi.string(out[i]).decode() for i in range(n[0])]

    # ---- payments (at the counter, the gateway, the national platform's messages) ----
    payment_counter = _api("dvc_payment_counter", "self, code, *, officer, receipt_no, amount, method='cash', "
                           "note=None", """Record a fee paid at the desk (method 'cash', 'card', 'transfer';
        receipt_no unique).""")
    payment_refund = _api("dvc_payment_counter_refund", "self, code, *, officer, receipt_no, amount, note, "
                          "method='cash'", "Refund at the counter what was paid, with the reason in `note`.")
    set_gateway = _api("dvc_payment_set_gateway", "self, name, secret", "Configure the payment gateway.")
    payment_review = _api("dvc_payment_review_json", "self", "Paid requests kept for refund or review.")
    payment_request = _api("dvc_payment_request", "self, code", "Request payment: {reference, amount, expires_at}.")
    payment_callback = _api("dvc_payment_callback", "self, query", "Process the gateway's signed callback query.")
    payment_national_init = _api("dvc_payment_national_init", "self, code, *, partner, client_ip, description=None",
                                 "The national platform's INIT message for a payment request, as a dict.")
    payment_national_query = _api("dvc_payment_national_query", "self, reference, *, partner, client_ip", """The
        QUERY message about `reference` as a dict.""")
    payment_national_callback = _api("dvc_payment_national_callback", "self, message", """The national platform's
        confirmation (a dict or JSON text), as payment_callback.""")

    def set_payment_expiry(self, seconds):
        """How long payment requests stay valid (seconds or timedelta, 1 s .. 30 days)."""
        s = seconds // _dt.timedelta(seconds=1) if isinstance(seconds, _dt.timedelta) else operator.index(seconds)
        self._c("dvc_payment_set_expiry", s)

    # ---- outbox ----
    outbox = _api("dvc_outbox_list", "self, code=None", "Every notification of a dossier (or all), oldest first.")
    outbox_fetch = _api("dvc_outbox_fetch", "self, max=10", "Lease up to `max` messages due now for sending.")
    outbox_mark_sent = _api("dvc_outbox_mark_sent", "self, id", "The message went out (idempotent).")
    outbox_mark_failed = _api("dvc_outbox_mark_failed", "self, id, error", "Sending failed (retried, then dead).")

    # ---- national sync (national.h) ----
    national_sync_enable = _api("dvc_national_sync_enable", "self, on=True", "Sync every dossier change (or stop).")
    sync_messages = _api("dvc_sync_list", "self, code=None", """Every sync message of a dossier (or all) in queue
        order; payload decoded from JSON.""", post=_sync_rows)
    sync_report = _api("dvc_sync_report_json", "self", "What the national portal has not acknowledged.")
    sync_replay = _api("dvc_sync_replay", "self, id=0, code=None", "Requeue dead and blocked messages; how many.")
    set_notify_templates = _api("dvc_notify_set_templates", "self, templates", "Override notification templates.")

    def national_code(self, procedure, national_code, *, version=0):
        """The national procedure code `procedure` syncs under (version 0: every version without its
        own); None removes it."""
        self._c("dvc_national_code_set", _s(procedure, "procedure"), operator.index(version),
                _s(national_code, "national_code", True))

    # ---- slips and reports ----
    slip = _api("dvc_slip_render", "self, code, kind, format='html'", "Render an official slip of `kind`.")
    register_slip = _api("dvc_register_render", "self, from_=None, to=None, *, unit=None, format='html'", """The
        tracking register (form 06) of dossiers submitted in [from_, to).""")
    report = _api("dvc_report_compute", "self, from_=None, to=None, *, group='sector', asof=None, dataframe=False",
                  """Counts and rates of the dossiers submitted in [from_, to), one dict per `group`, pending
        overdue as of `asof` (default: now); dataframe=True: a pandas DataFrame indexed by key.""",
                  post=lambda rows, a: _dataframe(rows, "key") if a["dataframe"] else rows)
    bottlenecks = _api("dvc_report_bottlenecks", "self, asof=None, *, dataframe=False", """Dossiers waiting at each
        route step now, most first (dataframe=True: a pandas DataFrame).""",
                       post=lambda rows, a: _dataframe(rows) if a["dataframe"] else rows)
    service_index = _api("dvc_report_index", "self, from_=None, to=None, *, asof=None, dataframe=False", """The
        citizen-service index indicators (Decision 766/QĐ-TTg) over [from_, to) (dataframe=True: a pandas
        DataFrame indexed by code).""",
                         post=lambda rows, a: _dataframe(rows, "code") if a["dataframe"] else rows)
    register_csv = _api("dvc_report_register_csv", "self, from_=None, to=None, *, asof=None", """The tracking
        register of the period as CSV text (no personal data).""")


def _names(ctype: str, what: str) -> Callable[[], List[str]]:
    def names() -> List[str]:
        return list(_enum(ffi.typeof(ctype)).values())
    names.__doc__, names._c_function = f"The {what} names ({ctype}_name).", ctype + "_name"
    return names


# ---- Functions ----

version = _api("dvc_version", "", "The libdvc version string at run time.")
payment_sign = _api("dvc_payment_sign", "query, secret", "`query` signed as the gateway signs (simulators, tests).")
parse_time = _api("dvc_time_parse", "text", "An ISO 8601 instant with its offset as an aware datetime (UTC).")
lunar_from_solar = _api("dvc_lunar_from_solar", "date", "Solar date to dvc.LunarDate (computed for UTC+7).")
lunar_to_solar = _api("dvc_lunar_to_solar", "lunar", "dvc.LunarDate or (year, month, day[, leap]) to a solar date.")
lifecycle_dot = _api("dvc_lifecycle_dot", "", "The state machine as a Graphviz digraph.")
validate_catalog_xml = _api("dvc_catalog_validate_xml", "document", "Validate an XML catalog against the XSD.")
catalog_xsd = _api("dvc_catalog_xsd", "", "The built-in catalog XSD text.")
validate_phone = _api("dvc_validate_phone", "number", "A Vietnamese phone number in E.164 form.")
validate_citizen_id = _api("dvc_validate_citizen_id", "citizen_id", "Check a 12-digit citizen ID's structure.")
validate_email = _api("dvc_validate_email", "address", "A practical e-mail address check (dvc.InvalidArgument).")
eform_check = _api("dvc_eform_check", "schema, data", "Check form data against an e-form schema (dicts or JSON).")
proof_keygen = _api("dvc_proof_keygen", "path", """A new journal key written to `path` (mode 0600; dvc.Exists
    if it exists): {key, key_id}, the public half.""", post=lambda k, _: dict(zip(("key", "key_id"), k)))
proof_key = _api("dvc_proof_key_public", "path", "{key, key_id} of a journal key file.",
                 post=lambda k, _: dict(zip(("key", "key_id"), k)))
rating_criteria = _api("dvc_rating_criteria_json", "", "The rating criteria: [{name, label}], 'overall' first.",
                       post=lambda d, _: [{k: c[k] for k in ("name", "label")} for c in d["criteria"]])
states = _names("dvc_state", "dossier state")
actions = _names("dvc_action", "action")
roles = _names("dvc_role", "role")


def payment_national_check(fields, secret):
    """MaXacThuc of the national payment platform: SHA-256 of the '|'-joined fields + secret."""
    keep = [ffi.new("char[]", _s(f, "field")) for f in fields]
    return _c("dvc_payment_national_check", ffi.new("const char *[]", keep) if keep else ffi.NULL, len(keep),
              _s(secret, "secret"))


def sms_segments(text):
    """(segments, ascii_only): the SMS segments `text` needs."""
    ascii_only = ffi.new("int *")
    n = _check(lib.dvc_sms_segments(_s(text, "text"), ascii_only))
    return n, bool(ascii_only[0])


def format_time(instant):
    """An instant in Vietnam's time: '2026-03-02T10:15:00+07:00'."""
    buf = ffi.new("char[]", lib.DVC_TIME_FORMAT_SIZE)
    _check(lib.dvc_time_format(_to_time(instant), buf, len(buf)))
    return ffi.string(buf).decode()


def lunar_year_name(year):
    """The can chi name of a lunar year ('Bính Ngọ' for 2026)."""
    if not 1 <= operator.index(year) <= 1_000_000:
        raise ValueError("lunar year must be >= 1")
    return _c("dvc_lunar_year_name", year)


def lifecycle_table():
    """The dossier state machine as dicts: from, action, to, roles, requires, stops_clock."""
    n = ffi.new("size_t *")
    t = lib.dvc_lifecycle_table(n)
    reqs = sorted((getattr(lib, k), k[len("DVC_REQ_"):].lower()) for k in dir(lib) if k.startswith("DVC_REQ_"))
    rows = [_record(t[i]) for i in range(n[0])]
    for row in rows:
        row["roles"] = [name for v, name in _enum(ffi.typeof("dvc_role")).items() if row["roles"] & (1 << v)]
        row["requires"] = [name for bit, name in reqs if row["requires"] & bit]
    return rows


def _fingerprint(fn: str, *args: Any) -> str:
    fp = ffi.new("char[]", lib.DVC_CERT_FINGERPRINT_SIZE)
    _check(getattr(lib, fn)(*args, fp))
    return ffi.string(fp).decode()


def sign_verify(document, trusted_cert):
    """The signing certificate's SHA-256 fingerprint of an XML-DSig signed document, checked against
    a trusted PEM certificate (dvc.Signature for no signature, a changed byte, an untrusted signer).
    C: dvc_sign_verify()."""
    data = _data(document, "document")
    return _fingerprint("dvc_sign_verify", data, len(data), _s(os.fspath(trusted_cert), "trusted_cert"))


def cert_fingerprint(cert_file):
    """The hex SHA-256 fingerprint of the first certificate in a PEM file."""
    return _fingerprint("dvc_cert_fingerprint", _s(os.fspath(cert_file), "cert_file"))


def proof_verify(bundle, *, trusted_keys=None, trust_file=None, require_signed=False):
    """Verify a proof bundle (exactly what Store.proof_export wrote) offline, against `trusted_keys`
    (hex public keys) or `trust_file` (neither: any key, anchored=False); the report as
    Store.journal_verify's. C: dvc_proof_verify()."""
    data = _data(bundle, "bundle")
    if isinstance(trusted_keys, (str, bytes)):
        raise TypeError("trusted_keys is a list of hex public keys")
    keys = None if trusted_keys is None else "\n".join(_s(k, "trusted_keys").decode() for k in trusted_keys)
    opts = _struct("dvc_proof_verify_opts", require_signed=1 if require_signed else 0, trusted_keys=keys,
                   trust_file=_path(trust_file, "trust_file"))
    return _c("dvc_proof_verify", data, len(data), opts)


_named(globals())
# What this module defines for its users (__init__.pyi declares each): functions, classes, status codes.
__all__ = [n for n, v in list(globals().items()) if n[0] != "_" and (
    n.startswith("DVC_") or getattr(v, "__module__", None) == __name__)] + ["VN_TZ", "FILE_RESULT"]
