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
  ISO 8601 string with an offset, or a ``date`` meaning 00:00 Vietnam time)
  goes in, UTC comes out. Naive datetimes are refused with ``ValueError``:
  use ``datetime.timezone.utc`` or ``dvc.VN_TZ`` (UTC+7).
* Every libdvc failure raises a subclass of :class:`dvc.Error` named after its
  status code (``dvc.NotFound`` for ``DVC_ENOTFOUND``...), carrying ``code``,
  ``name``, ``message`` and ``path`` (the offending field, when known).
* Threads: the GIL is released during every call into a store, so threads
  using different stores run in parallel; calls on one ``Store`` are
  serialised by a lock of its own. A transaction belongs to the handle, not
  to a thread: give each thread its own Store for independent transactions.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

try:  # installed and build-tree layout: dvc/_dvc*.so next to this file
    from . import _dvc
except ImportError:  # pragma: no cover - a top-level _dvc on sys.path
    import _dvc  # type: ignore[no-redef]

__all__ = [
    "Store", "Calendar", "Receipt", "LunarDate", "VN_TZ",
    "version", "status_name", "payment_sign", "sms_segments", "parse_time", "format_time",
    "lunar_from_solar", "lunar_to_solar", "lunar_year_name",
    "lifecycle_table", "lifecycle_dot", "states", "actions", "roles",
    "validate_catalog_xml", "catalog_xsd", "validate_phone", "validate_citizen_id",
    "validate_email", "eform_check", "error_class",
    "Error", "InternalError", "OutOfMemory", "InvalidArgument", "NotFound", "Exists", "Parse",
    "Schema", "Utf8", "TooBig", "Duplicate", "Reference", "Transition", "ServiceLevel",
    "Permission", "Conflict", "Signature", "IO", "FormatVersion", "Busy", "InvalidDate",
    "OutOfRange", "TransactionMisuse", "Auth", "Throttled", "Expired", "Corrupt", "Template",
    "Amount", "CallbackFailed", "MediaType", "Incomplete", "Truncated",
]

__version__ = _dvc.version()

#: Vietnam's time zone (UTC+7, no daylight saving), for building instants.
VN_TZ = _dt.timezone(_dt.timedelta(hours=7), "ICT")

Receipt = _dvc.Receipt
LunarDate = _dvc.LunarDate
Calendar = _dvc.Calendar

version = _dvc.version
status_name = _dvc.status_name
payment_sign = _dvc.payment_sign
sms_segments = _dvc.sms_segments
parse_time = _dvc.parse_time
format_time = _dvc.format_time
lunar_from_solar = _dvc.lunar_from_solar
lunar_to_solar = _dvc.lunar_to_solar
lunar_year_name = _dvc.lunar_year_name
lifecycle_table = _dvc.lifecycle_table
lifecycle_dot = _dvc.lifecycle_dot
states = _dvc.states
actions = _dvc.actions
roles = _dvc.roles
validate_catalog_xml = _dvc.validate_catalog_xml
catalog_xsd = _dvc.catalog_xsd
validate_phone = _dvc.validate_phone
validate_citizen_id = _dvc.validate_citizen_id
validate_email = _dvc.validate_email
eform_check = _dvc.eform_check


# The status codes of dvc/common.h as ints: dvc.DVC_ENOTFOUND == -4 ...
for _name in dir(_dvc):
    if _name.startswith("DVC_"):
        globals()[_name] = getattr(_dvc, _name)
        __all__.append(_name)
del _name
# Codes newer than the C module's constant table (until the binding is
# generated from the headers).
for _name, _code in (("DVC_EMEDIATYPE", -30), ("DVC_EINCOMPLETE", -31), ("DVC_ETRUNCATED", -32)):
    if _name not in globals():
        globals()[_name] = _code
        __all__.append(_name)
del _name, _code


# ---------------------------------------------------------------------------
# Errors: one class per status code of dvc/common.h
# ---------------------------------------------------------------------------

class Error(Exception):
    """A libdvc failure.

    Attributes:
        code: the status code (negative int, ``DVC_E*``).
        name: its name, e.g. ``"DVC_ENOTFOUND"``.
        message: the library's one-line English message.
        path: the offending record or field (``"procedures[3].versions[0].sector"``,
            ``"citizen_id"``), or None.
    """

    code: int = _dvc.DVC_ERROR

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
        return _dvc.status_name(self.code)

    def __str__(self) -> str:
        if self.path:
            return f"{self.message} (at {self.path})"
        return self.message

    def __reduce__(self) -> Any:
        return (type(self), (self.message, self.path, self.code))


class InternalError(Error):
    """DVC_ERROR: an unspecified internal error."""
    code = _dvc.DVC_ERROR


class OutOfMemory(Error, MemoryError):
    """DVC_ENOMEM: an allocation failed."""
    code = _dvc.DVC_ENOMEM


class InvalidArgument(Error, ValueError):
    """DVC_EINVAL: an invalid argument (a field failing validation, an unknown name...)."""
    code = _dvc.DVC_EINVAL


class NotFound(Error, LookupError):
    """DVC_ENOTFOUND: the named object does not exist."""
    code = _dvc.DVC_ENOTFOUND


class Exists(Error):
    """DVC_EEXISTS: an object with that key already exists."""
    code = _dvc.DVC_EEXISTS


class Parse(Error):
    """DVC_EPARSE: malformed JSON or XML."""
    code = _dvc.DVC_EPARSE


class Schema(Error):
    """DVC_ESCHEMA: well-formed input violating the schema (``path`` names the field)."""
    code = _dvc.DVC_ESCHEMA


class Utf8(Error, ValueError):
    """DVC_EUTF8: invalid UTF-8."""
    code = _dvc.DVC_EUTF8


class TooBig(Error):
    """DVC_ETOOBIG: a value or input exceeds a size limit."""
    code = _dvc.DVC_ETOOBIG


class Duplicate(Error):
    """DVC_EDUPLICATE: the same key appears twice in one input."""
    code = _dvc.DVC_EDUPLICATE


class Reference(Error):
    """DVC_EREF: a reference to an unknown code (sector, agency, level...)."""
    code = _dvc.DVC_EREF


class Transition(Error):
    """DVC_ETRANSITION: the action is not legal in the dossier's state, or a precondition fails."""
    code = _dvc.DVC_ETRANSITION


class ServiceLevel(Error):
    """DVC_ESERVICELEVEL: refused by the procedure's online service level."""
    code = _dvc.DVC_ESERVICELEVEL


class Permission(Error):
    """DVC_EPERM: the actor may not do this."""
    code = _dvc.DVC_EPERM


class Conflict(Error):
    """DVC_ECONFLICT: a stale expected version, or a changed catalog version."""
    code = _dvc.DVC_ECONFLICT


class Signature(Error):
    """DVC_ESIGNATURE: a signature or digest mismatch."""
    code = _dvc.DVC_ESIGNATURE


class IO(Error):
    """DVC_EIO: a file or database I/O error."""
    code = _dvc.DVC_EIO


class FormatVersion(Error):
    """DVC_EVERSION: data written by a newer, unknown format version."""
    code = _dvc.DVC_EVERSION


class Busy(Error):
    """DVC_EBUSY: the database is locked by another writer."""
    code = _dvc.DVC_EBUSY


class InvalidDate(Error, ValueError):
    """DVC_EDATE: an invalid date or instant."""
    code = _dvc.DVC_EDATE


class OutOfRange(Error, ValueError):
    """DVC_ERANGE: a value out of the supported range (calendar years 1900-2199...)."""
    code = _dvc.DVC_ERANGE


class TransactionMisuse(Error):
    """DVC_ETXN: commit or rollback without begin, or begin twice."""
    code = _dvc.DVC_ETXN


class Auth(Error):
    """DVC_EAUTH: wrong credentials or tracking secret."""
    code = _dvc.DVC_EAUTH


class Throttled(Error):
    """DVC_ETHROTTLED: too many failed attempts; try later."""
    code = _dvc.DVC_ETHROTTLED


class Expired(Error):
    """DVC_EEXPIRED: a time-limited object (a payment request) has expired."""
    code = _dvc.DVC_EEXPIRED


class Corrupt(Error):
    """DVC_ECORRUPT: stored data fails an integrity check (the journal chain)."""
    code = _dvc.DVC_ECORRUPT


class Template(Error):
    """DVC_ETEMPLATE: an invalid notification template."""
    code = _dvc.DVC_ETEMPLATE


class Amount(Error):
    """DVC_EAMOUNT: a payment amount does not match what is due."""
    code = _dvc.DVC_EAMOUNT


class CallbackFailed(Error):
    """DVC_EUSER: a host callback (the clock) failed; the call wrote nothing."""
    code = _dvc.DVC_EUSER


# Codes newer than the C module's constant table (see dvc/common.h).
class MediaType(Error):
    """DVC_EMEDIATYPE: a file's detected media type is not accepted."""
    code = -30


class Incomplete(Error):
    """DVC_EINCOMPLETE: required dossier components are missing."""
    code = -31


class Truncated(Error):
    """DVC_ETRUNCATED: an upload ended before its declared size."""
    code = -32


_ERRORS: Dict[int, type] = {
    cls.code: cls
    for cls in (InternalError, OutOfMemory, InvalidArgument, NotFound, Exists, Parse, Schema,
                Utf8, TooBig, Duplicate, Reference, Transition, ServiceLevel, Permission,
                Conflict, Signature, IO, FormatVersion, Busy, InvalidDate, OutOfRange,
                TransactionMisuse, Auth, Throttled, Expired, Corrupt, Template, Amount,
                CallbackFailed,
                MediaType, Incomplete, Truncated)
}
_dvc._set_error_classes(Error, _ERRORS)


def error_class(code: int) -> type:
    """The exception class raised for status ``code`` (``Error`` for unknown codes)."""
    return _ERRORS.get(code, Error)


# ---------------------------------------------------------------------------
# Store
# ---------------------------------------------------------------------------

def _dataframe(rows: List[Dict[str, Any]], index: Optional[str] = None) -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("dataframe=True needs pandas (Debian: python3-pandas)") from e
    df = pandas.DataFrame.from_records(rows)
    if index is not None and index in df.columns:
        df = df.set_index(index)
    return df


Instant = Union[_dt.datetime, _dt.date, str]


class Store(_dvc.Store):
    """An open libdvc store: one connection to an SQLite database (a file in
    WAL mode, or ``":memory:"``), migrated to the current schema on opening.

    ``Store(path=":memory:", *, readonly=False, create=True, busy_timeout_ms=5000)``

    A context manager: ``with dvc.Store(path) as db:`` closes it at the end.
    Every write is one transaction; ``with db.transaction():`` groups several
    (committed at the end of the block, rolled back if it raises).
    """

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<dvc.Store {self.path!r} {state}>"

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

    def set_clock(self, clock: Union[Callable[[], _dt.datetime], Instant, None]) -> None:
        """Choose the store's clock.

        * a callable returning an aware datetime: called (with the GIL) each
          time the library needs the time; it must not use this store, and an
          exception it raises is raised by the call that asked for the time;
        * an instant (aware datetime, ISO string): a fixed time, like
          :meth:`set_time`;
        * None: the system clock.
        """
        if clock is None or callable(clock):
            super().set_clock(clock)
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
        rows = self._report(from_, to, group=group, asof=asof)
        return _dataframe(rows, "key") if dataframe else rows

    def bottlenecks(self, asof: Optional[Instant] = None, *, dataframe: bool = False) -> Any:
        """Dossiers waiting at each route step, most first (see the C
        ``dvc_report_bottlenecks``); a DataFrame with ``dataframe=True``."""
        rows = super().bottlenecks(asof)
        return _dataframe(rows) if dataframe else rows

    def service_index(self, from_: Optional[Instant] = None, to: Optional[Instant] = None, *,
                      asof: Optional[Instant] = None, dataframe: bool = False) -> Any:
        """The citizen-service index indicators (Decision 766/QĐ-TTg) over
        ``[from_, to)``: code, name, formula, numerator, denominator, value;
        a DataFrame indexed by code with ``dataframe=True``."""
        rows = super().service_index(from_, to, asof=asof)
        return _dataframe(rows, "code") if dataframe else rows
