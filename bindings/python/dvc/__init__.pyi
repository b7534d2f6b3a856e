"""Type stubs for the dvc package (libdvc bindings). See dvc/__init__.py."""

import datetime as _dt
import os
from typing import (Any, BinaryIO, Callable, ContextManager, Dict, Iterable, List, Literal, Mapping,
                    NamedTuple, Optional, Tuple, Type, Union, overload)

__version__: str
__all__: List[str]

VN_TZ: _dt.timezone
FILE_RESULT: int
LIBDVC_VERSION: str
SCHEMA_VERSION: int
CALENDAR_MIN_YEAR: int
CALENDAR_MAX_YEAR: int

# Anything accepted as an instant: an aware datetime, an ISO 8601 string with
# an offset, or a date or "YYYY-MM-DD" string (00:00 Vietnam time). Naive
# datetimes raise ValueError.
Instant = Union[_dt.datetime, _dt.date, str]
# A calendar date: a date, an aware datetime (its date in Vietnam), "YYYY-MM-DD".
DateLike = Union[_dt.date, str]
Record = Dict[str, Any]

State = Literal["draft", "submitted", "received", "supplement_requested", "in_progress",
                "paused", "result_ready", "returned", "rejected", "withdrawn", "cancelled"]
Action = Literal["submit", "receive", "request_supplement", "supply", "forward", "send_back",
                 "transfer", "assign", "pause", "resume", "reschedule", "reject", "return",
                 "withdraw", "cancel", "pay", "refund"]
Role = Literal["applicant", "reception", "specialist", "unit_leader", "signing_leader", "admin"]
Channel = Literal["online", "counter", "post"]
Delivery = Literal["counter", "post", "online"]
SlipKind = Literal["receipt", "supplement", "refusal", "apology", "control"]
Group = Literal["none", "sector", "agency", "procedure", "channel", "level", "month"]

class Receipt(NamedTuple):
    """What submitting a dossier hands back."""
    code: str
    secret: Optional[str]

class LunarDate(NamedTuple):
    """A Vietnamese lunar date."""
    year: int
    month: int
    day: int
    leap: bool

# status codes of dvc/common.h
DVC_OK: int
DVC_ERROR: int
DVC_ENOMEM: int
DVC_EINVAL: int
DVC_ENOTFOUND: int
DVC_EEXISTS: int
DVC_EPARSE: int
DVC_ESCHEMA: int
DVC_EUTF8: int
DVC_ETOOBIG: int
DVC_EDUPLICATE: int
DVC_EREF: int
DVC_ETRANSITION: int
DVC_ESERVICELEVEL: int
DVC_EPERM: int
DVC_ECONFLICT: int
DVC_ESIGNATURE: int
DVC_EIO: int
DVC_EVERSION: int
DVC_EBUSY: int
DVC_EDATE: int
DVC_ERANGE: int
DVC_ETXN: int
DVC_EAUTH: int
DVC_ETHROTTLED: int
DVC_EEXPIRED: int
DVC_ECORRUPT: int
DVC_ETEMPLATE: int
DVC_EAMOUNT: int
DVC_EUSER: int
DVC_EMEDIATYPE: int
DVC_EINCOMPLETE: int
DVC_ETRUNCATED: int
DVC_EMISMATCH: int

class Error(Exception):
    """A libdvc failure: code, name, message and path (offending field or None)."""
    code: int
    message: str
    path: Optional[str]
    def __init__(self, message: str = ..., path: Optional[str] = ..., code: Optional[int] = ...) -> None: ...
    @property
    def name(self) -> str: ...

class InternalError(Error): ...
class OutOfMemory(Error, MemoryError): ...
class InvalidArgument(Error, ValueError): ...
class NotFound(Error, LookupError): ...
class Exists(Error): ...
class Parse(Error): ...
class Schema(Error): ...
class Utf8(Error, ValueError): ...
class TooBig(Error): ...
class Duplicate(Error): ...
class Reference(Error): ...
class Transition(Error): ...
class ServiceLevel(Error): ...
class Permission(Error): ...
class Conflict(Error): ...
class Signature(Error): ...
class IO(Error): ...
class FormatVersion(Error): ...
class Busy(Error): ...
class InvalidDate(Error, ValueError): ...
class OutOfRange(Error, ValueError): ...
class TransactionMisuse(Error): ...
class Auth(Error): ...
class Throttled(Error): ...
class Expired(Error): ...
class Corrupt(Error): ...
class Template(Error): ...
class Amount(Error): ...
class CallbackFailed(Error): ...
class MediaType(Error): ...
class Incomplete(Error): ...
class Truncated(Error): ...
class Mismatch(Error): ...

def error_class(code: int) -> Type[Error]:
    """The exception class raised for status `code` (Error for unknown codes)."""

def version() -> str:
    """The libdvc version string at run time."""
def status_name(code: int) -> str:
    """The name of a status code ("DVC_ENOTFOUND")."""
def payment_sign(query: str, secret: str) -> str:
    """`query` with "&vnp_SecureHash=<hex>" appended, signed like the gateway does."""
def sms_segments(text: str) -> Tuple[int, bool]:
    """(segments, ascii_only): the SMS segments `text` needs."""
def parse_time(text: str) -> _dt.datetime:
    """An ISO 8601 instant with an explicit offset, as an aware datetime (UTC)."""
def format_time(instant: Instant) -> str:
    """An instant in Vietnam's time: "2026-03-02T10:15:00+07:00"."""
def lunar_from_solar(date: DateLike) -> LunarDate:
    """Solar date to lunar date (computed for UTC+7)."""
def lunar_to_solar(lunar: Union[LunarDate, Tuple[int, int, int], Tuple[int, int, int, bool]]) -> _dt.date:
    """Lunar date to solar date; InvalidDate when it does not exist."""
def lunar_year_name(year: int) -> Optional[str]:
    """The can chi name of a lunar year ("Bính Ngọ" for 2026)."""
def lifecycle_table() -> List[Record]:
    """The state machine: from, action, to, roles, requires, stops_clock."""
def lifecycle_dot() -> str:
    """The state machine as a Graphviz digraph."""
def states() -> List[str]: ...
def actions() -> List[str]: ...
def roles() -> List[str]: ...
def validate_catalog_xml(document: Union[str, bytes]) -> None:
    """Validate an XML catalog against the built-in XSD (Schema, Parse)."""
def catalog_xsd() -> str:
    """The built-in catalog XSD."""
def validate_phone(number: str) -> str:
    """A Vietnamese phone number in E.164 form; InvalidArgument when invalid."""
def validate_citizen_id(citizen_id: str) -> None:
    """Check the structure of a 12-digit citizen ID (InvalidArgument)."""
def validate_email(address: str) -> None:
    """A practical e-mail check (InvalidArgument)."""
def eform_check(schema: Union[str, Mapping[str, Any]], data: Union[str, Mapping[str, Any]]) -> None:
    """Validate form data against an e-form schema (Schema with .path)."""
def sign_verify(document: Union[str, bytes], trusted_cert: Union[str, os.PathLike[str]]) -> str:
    """Verify an enveloped XML-DSig signature; the signer's SHA-256 fingerprint (Signature, Parse, IO)."""
def cert_fingerprint(cert_file: Union[str, os.PathLike[str]]) -> str:
    """The hex SHA-256 fingerprint of the first certificate in a PEM file."""
def proof_verify(bundle: Union[str, bytes], *, trusted_keys: Optional[List[str]] = ...,
                 trust_file: Optional[Union[str, os.PathLike[str]]] = ...,
                 require_signed: bool = ...) -> Dict[str, Any]:
    """Verify a proof bundle offline; the report (Signature, Truncated, Corrupt, Parse)."""
def proof_keygen(path: Union[str, os.PathLike[str]]) -> Dict[str, str]:
    """A new journal key file (mode 0600); its {key, key_id}."""
def proof_key(path: Union[str, os.PathLike[str]]) -> Dict[str, str]:
    """{key, key_id} of a journal key file."""
def rating_criteria() -> List[Dict[str, str]]:
    """The rating criteria: [{name, label}], 'overall' first."""

class Calendar:
    """The working-time calendar: lunar calendar, holidays, official schedules
    (2018-2026 built in), office-time arithmetic. Office hours as "HH:MM",
    datetime.time or minutes; rest_days as weekday numbers (Monday=0)."""
    def __init__(self, *, am_start: Union[str, _dt.time, int] = ..., am_end: Union[str, _dt.time, int] = ...,
                 pm_start: Union[str, _dt.time, int] = ..., pm_end: Union[str, _dt.time, int] = ...,
                 rest_days: Optional[Iterable[int]] = ..., round_to_end_of_day: bool = ...,
                 builtin_schedules: bool = ...) -> None: ...
    @property
    def day_seconds(self) -> int:
        """Seconds of office time in one working day."""
    def load_schedule(self, source: Union[str, bytes, os.PathLike[str]]) -> None:
        """Load a year's official schedule (JSON text or a path); all-or-nothing."""
    def clear_schedule(self, year: int) -> None:
        """Forget a year's schedule: the statutory rules apply again."""
    def schedule_source(self, year: int) -> Optional[str]:
        """The schedule's "source" text, or None when the rules apply."""
    def day(self, date: DateLike) -> Record:
        """{'date', 'kind', 'working', 'name'} for one day."""
    def is_working_day(self, date: DateLike) -> bool: ...
    def special_days(self, year: int) -> List[Record]:
        """The days of `year` that differ from the weekly pattern, in order."""
    def add_days(self, start: Instant, days: int) -> _dt.datetime:
        """The deadline `days` working days after `start`."""
    def add_hours(self, start: Instant, hours: int) -> _dt.datetime: ...
    def add_minutes(self, start: Instant, minutes: int) -> _dt.datetime: ...
    def add_seconds(self, start: Instant, seconds: int) -> _dt.datetime: ...
    def between(self, a: Instant, b: Instant) -> _dt.timedelta:
        """Office time between two instants (negative when b < a)."""
    def next_working(self, t: Instant) -> _dt.datetime: ...
    def lunar_from_solar(self, date: DateLike) -> LunarDate: ...
    def lunar_to_solar(self, lunar: Union[LunarDate, Tuple[int, ...]]) -> _dt.date: ...

class Store:
    """An open libdvc store; a context manager that closes it."""
    def __init__(self, path: Union[str, os.PathLike[str]] = ..., *, readonly: bool = ...,
                 create: bool = ..., busy_timeout_ms: int = ...,
                 journal_key: Optional[Union[str, os.PathLike[str]]] = ...,
                 journal_trust: Optional[Union[str, os.PathLike[str]]] = ...,
                 require_signed: bool = ...) -> None: ...
    def __enter__(self) -> "Store": ...
    def __exit__(self, *exc: Any) -> Literal[False]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> Optional[str]: ...
    @property
    def in_transaction(self) -> bool: ...
    @property
    def clock_mode(self) -> Literal["system", "fixed", "callable"]: ...
    def close(self) -> None:
        """Close the store (rolling back an open transaction). Idempotent."""
    def schema_version(self) -> int: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def transaction(self) -> ContextManager["Store"]:
        """Commit the block's calls together, or roll them all back if it raises."""

    # clock and calendar
    def now(self) -> _dt.datetime: ...
    def set_time(self, instant: Optional[Instant]) -> None:
        """Freeze the clock at `instant` (None: the system clock)."""
    def set_clock(self, clock: Union[Callable[[], _dt.datetime], Instant, None]) -> None:
        """A callable clock, a fixed instant, or None for the system clock."""
    def advance(self, delta: Union[_dt.timedelta, int, float]) -> _dt.datetime:
        """Move a fixed clock forward; returns the new time."""
    def set_calendar(self, calendar: Optional[Calendar]) -> None: ...

    # catalog
    def import_catalog(self, source: Union[str, bytes, os.PathLike[str]],
                       format: Optional[Literal["auto", "json", "xml"]] = ...) -> Dict[str, int]:
        """Import a catalog (path or document); returns the counts."""
    def export_catalog(self, format: Literal["json", "xml"] = ...) -> str: ...
    def search(self, text: Optional[str] = ..., *, sector: Optional[str] = ...,
               level: Optional[str] = ..., online_level: int = ..., agency: Optional[str] = ...,
               limit: int = ..., asof: Optional[DateLike] = ...) -> List[Record]:
        """Procedures matching `text` (case and diacritics folded), best first."""
    def procedure(self, code: str, asof: Optional[DateLike] = ..., *,
                  version: Optional[int] = ...) -> Record: ...
    def catalog_stats(self, asof: Optional[DateLike] = ...) -> Record: ...

    # accounts and officers
    def register_account(self, username: str, password: str, applicant: Mapping[str, Any], *,
                         client: Optional[str] = ...) -> None: ...
    def login(self, username: str, password: str, *, client: Optional[str] = ...) -> None:
        """Check a password; `client` is the guesser's key for the throttles."""
    def account(self, username: str) -> Record: ...
    def link_identity(self, username: str, claims: Union[str, bytes, Mapping[str, Any]], *,
                      issuer: str, assurance: int, actor: str,
                      verified_at: Optional[Instant] = ...) -> Dict[str, Any]: ...
    def unlink_identity(self, username: str, *, actor: str, reason: str) -> None: ...
    def identity_view(self, username: str) -> Dict[str, Any]: ...
    def national_signin(self, code: str) -> int: ...
    def add_officer(self, username: str, full_name: str, unit: str, role: Role) -> None: ...
    def officer(self, username: str) -> Record: ...

    # dossiers
    def submit(self, procedure: str, *, applicant: Optional[Mapping[str, Any]] = ...,
               account: Optional[str] = ..., channel: Channel = ...,
               form: Union[str, Mapping[str, Any], None] = ..., draft: bool = ...,
               officer: Optional[str] = ..., copies: int = ..., pages: int = ...,
               fee_exemption: Optional[str] = ..., desk: Optional[str] = ...,
               place: Optional[str] = ..., national_signin: bool = ...) -> Receipt: ...
    def act(self, code: str, action: Action, *, officer: Optional[str] = ...,
            account: Optional[str] = ..., secret: Optional[str] = ..., note: Optional[str] = ...,
            target: Optional[str] = ..., new_due: Optional[Instant] = ...,
            expected_version: Optional[int] = ..., delivery: Optional[Delivery] = ...,
            payload: Union[str, bytes, None] = ..., client: Optional[str] = ...) -> int:
        """Apply an action as exactly one actor; returns the new version."""
    def track(self, code: str, *, officer: Optional[str] = ..., account: Optional[str] = ...,
              secret: Optional[str] = ..., client: Optional[str] = ...) -> Record: ...
    def dossier_view(self, code: str, *, officer: Optional[str] = ..., account: Optional[str] = ...,
                     secret: Optional[str] = ..., client: Optional[str] = ...) -> Record:
        """The library's JSON view of a dossier as `who` sees it."""
    def allowed_actions(self, code: str, *, officer: Optional[str] = ..., account: Optional[str] = ...,
                        secret: Optional[str] = ..., client: Optional[str] = ...) -> Record:
        """A dry run of every action by `who`: {actions[], refused[]}."""
    def list_dossiers(self, *, state: Optional[State] = ..., unit: Optional[str] = ...,
                      overdue: bool = ..., stuck: bool = ..., limit: int = ...) -> List[Record]: ...
    def verify(self, code: Optional[str] = ...) -> int: ...
    def journal_verify(self, code: Optional[str] = ...) -> Dict[str, Any]: ...
    def journal_seal(self, code: Optional[str] = ...) -> int: ...
    def proof_export(self, code: str) -> str: ...

    # documents
    def attach(self, code: str, component: int, content: Union[bytes, str, os.PathLike[str], BinaryIO, None] = ...,
               *, name: str, officer: Optional[str] = ..., account: Optional[str] = ...,
               secret: Optional[str] = ..., form: Literal["original", "copy", "ecopy"] = ...,
               mode: Literal["add", "replace", "supplement"] = ..., replaces: Optional[int] = ...,
               size: Optional[int] = ..., reuse: Optional[int] = ...) -> Record:
        """Stream a file into a dossier's component; returns the stored file."""
    def files(self, code: str, *, officer: Optional[str] = ..., account: Optional[str] = ...,
              secret: Optional[str] = ...) -> List[Record]: ...
    def download(self, code: str, file_id: int, dest: Union[str, os.PathLike[str], BinaryIO, None] = ...,
                 *, officer: Optional[str] = ..., account: Optional[str] = ...,
                 secret: Optional[str] = ...) -> Optional[bytes]: ...
    def account_files(self, username: str) -> List[Record]: ...
    def account_download(self, username: str, file_id: int,
                         dest: Union[str, os.PathLike[str], BinaryIO, None] = ...) -> Optional[bytes]: ...
    def missing(self, code: str) -> List[Record]: ...
    def procedure_policy(self, procedure: str) -> Record: ...
    def set_procedure_policy(self, procedure: str, *, max_file_bytes: Optional[int] = ...,
                             media_types: Union[str, List[str], None] = ..., require_files: bool = ...,
                             pay_before_return: bool = ...) -> None: ...

    # signed results and ratings
    def sign_result(self, code: str, *, officer: str, key_file: Union[str, os.PathLike[str], None],
                    cert_file: Union[str, os.PathLike[str], None], password: Optional[str] = ...) -> Record: ...
    def slip_signed(self, code: str, kind: SlipKind, *, key_file: Union[str, os.PathLike[str]],
                    cert_file: Union[str, os.PathLike[str]], password: Optional[str] = ...) -> str: ...
    def rate(self, code: str, scores: Mapping[str, int], *, account: Optional[str] = ...,
             secret: Optional[str] = ..., comment: Optional[str] = ..., client: Optional[str] = ...) -> None: ...
    def rating(self, code: str, *, officer: Optional[str] = ..., account: Optional[str] = ...,
               secret: Optional[str] = ...) -> Record: ...

    # agencies
    def agency(self, code: str) -> Record: ...
    def agencies(self, asof: Optional[DateLike] = ..., *, level: Optional[str] = ...) -> List[Record]: ...
    def agency_resolve(self, code: str, day: DateLike, place: Optional[str] = ...) -> List[str]: ...
    def agency_competent(self, procedure: str, place: str, day: DateLike) -> str: ...
    def agency_desk(self, agency: str, day: DateLike) -> str: ...

    # payments
    def set_gateway(self, name: str, secret: str) -> None: ...
    def set_payment_expiry(self, seconds: Union[int, _dt.timedelta]) -> None: ...
    def payment_request(self, code: str) -> Record: ...
    def payment_callback(self, query: str) -> Record: ...
    def payment_review(self) -> List[Dict[str, Any]]: ...
    def payment_counter(self, code: str, *, officer: str, receipt_no: str, amount: int,
                        method: Literal["cash", "card", "transfer"] = ..., note: Optional[str] = ...) -> None: ...
    def payment_refund(self, code: str, *, officer: str, receipt_no: str, amount: int, note: str,
                       method: Literal["cash", "card", "transfer"] = ...) -> None: ...

    # notifications
    def outbox(self, code: Optional[str] = ...) -> List[Record]: ...
    def outbox_fetch(self, max: int = ...) -> List[Record]: ...
    def outbox_mark_sent(self, id: int) -> None: ...
    def outbox_mark_failed(self, id: int, error: str) -> None: ...
    def set_notify_templates(self, templates: Union[str, Mapping[str, Any]]) -> None: ...

    # slips
    def slip(self, code: str, kind: SlipKind, format: Literal["html", "xml"] = ...) -> str: ...
    def register_slip(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
                      unit: Optional[str] = ..., format: Literal["html", "xml"] = ...) -> str: ...

    # reports
    @overload
    def report(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
               group: Optional[Group] = ..., asof: Optional[Instant] = ...,
               dataframe: Literal[False] = ...) -> List[Record]: ...
    @overload
    def report(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
               group: Optional[Group] = ..., asof: Optional[Instant] = ...,
               dataframe: Literal[True]) -> Any: ...
    @overload
    def bottlenecks(self, asof: Optional[Instant] = ..., *,
                    dataframe: Literal[False] = ...) -> List[Record]: ...
    @overload
    def bottlenecks(self, asof: Optional[Instant] = ..., *, dataframe: Literal[True]) -> Any: ...
    @overload
    def service_index(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
                      asof: Optional[Instant] = ..., dataframe: Literal[False] = ...) -> List[Record]: ...
    @overload
    def service_index(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
                      asof: Optional[Instant] = ..., dataframe: Literal[True]) -> Any: ...
    def register_csv(self, from_: Optional[Instant] = ..., to: Optional[Instant] = ..., *,
                     asof: Optional[Instant] = ...) -> str: ...
