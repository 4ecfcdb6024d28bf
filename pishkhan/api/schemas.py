"""Schemas shared by several resources, and the small helpers every router uses."""

import base64
import binascii
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import (
    BeforeValidator,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pishkhan.api.errors import ApiError
from pishkhan.core.jalali import format_datetime, parse_date

MAX_PAGE_SIZE = 100

# A reference to a row by its id: positive, and within the database's 64-bit integer columns.
# Declared rather than left to the database: SQLite cannot even bind a larger number.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _not_a_flag(value):
    if isinstance(value, bool):
        raise PydanticCustomError("text_or_number", "Enter a text or a number.")
    return value


# A department field's value in a ticket: text, or a number read as its text. Not a flag, which
# pydantic would read as 1 or 0 (and "0" fills a required field).
FieldValue = Annotated[str | int | None, BeforeValidator(_not_a_flag)]


# Dates the API reasons about: wide enough for any real plan, narrow enough that every answer
# can be shown in the Jalali calendar and that a day after the last one still exists.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value):
    """A day as the rest of Pishkhan reads one (the web forms, the CLI, `?from=` of /due):
    Gregorian 2026-12-11 or Jalali 1405-09-20, the year telling them apart, in ASCII or
    Persian digits. pydantic alone would read a Jalali year as a Gregorian one (1405 AD), and
    a number (or a text of digits) as seconds since 1970: a client's "0" or 1700006400 is a
    mistake to refuse, not a day in 1970 or 2023 to store."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        try:
            day = parse_date(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "Enter a date as YYYY-MM-DD.") from None
    else:
        raise PydanticCustomError("date_parsing", "Enter a date as YYYY-MM-DD.")
    # Checked here rather than by Field(ge=, le=), whose error carries the bound as a Python
    # repr ("datetime.date(1900, 1, 1)") into the message.
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError("date_window", "Give a date between the years 1900 and 2199.")
    return day


CalendarDate = Annotated[date, BeforeValidator(_written_as_a_day)]


# A NUL (PostgreSQL refuses it in any text, even in a query) or half of a surrogate pair (a
# JSON "\ud800" escape; no UTF-8 encoding exists for it): text that no database can take.
UNSTORABLE_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _has_unstorable_text(value) -> bool:
    if isinstance(value, str):
        return UNSTORABLE_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unstorable_text(k) or _has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_unstorable_text(item) for item in value)
    # Nested schemas have checked their own fields.
    return False


class TextInput(Schema):
    """Refuses, field by field, text that would fail in the database rather than be stored."""

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value):
        if _has_unstorable_text(value):
            raise PydanticCustomError("unstorable_text", "This text has a forbidden character.")
        return value


def _scalar_types(annotation) -> set:
    """The plain types a field's annotation takes (through Optional, unions and Annotated);
    `object` for anything else (lists, dicts, literals, nested schemas), which is not judged."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _scalar_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_scalar_types(arg) for arg in typing.get_args(annotation)))
    if annotation is type(None):
        return set()
    if annotation in (int, bool):
        return {annotation}
    return {object}


@functools.cache
def _json_kind(cls, name: str) -> type | None:
    """int or bool when the field takes only whole numbers or only flags, else None."""
    taken = _scalar_types(cls.model_fields[name].annotation)
    return taken.pop() if taken in ({int}, {bool}) else None


class InputSchema(TextInput):
    # A misspelt key is refused rather than silently dropped, so an integration learns of it.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_typed(cls, value, info: ValidationInfo):
        """A flag is not a number, nor a number or a word a flag. pydantic would read `true`
        as the id 1 (a ticket filed in department 1) and "no" or 0 as false; a client sending
        them has a bug it should hear of. (A number written as text, "5", is still read: it
        means the same either way.)"""
        kind = _json_kind(cls, info.field_name)
        if kind is int and isinstance(value, bool):
            raise PydanticCustomError("int_type", "Input should be a valid integer")
        if kind is bool and not isinstance(value, bool) and value is not None:
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        return value


class Out(Schema):
    """An answer read from our objects (a row, or a dict a view made). ninja's Schema reads
    each field through a getter object that pydantic calls back for every attribute, ~40 per
    ticket shown; this reads them in one pass into the dict pydantic then validates, with the
    same rules: a `resolve_<field>` static method gives the field's value (with the request
    as `context` when it asks for it), a manager or queryset is listed, a callable called, a
    file given as its URL, and a missing attribute left to the field's default. Every answer
    of the API is one: turning a page of 25 tickets into its answer costs half what it did
    (BENCHMARKS.md). Fields are read by name (no aliases), and resolvers are static methods,
    as ninja has them."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler: ModelWrapValidatorHandler, info: ValidationInfo):
        if type(values) is cls:
            return values
        return handler(_read_fields(cls, values, info.context))

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        super().__pydantic_init_subclass__(**kwargs)
        _READERS[cls] = _field_readers(cls)


_MISSING = object()


def _read_fields(cls: type[Out], obj, context) -> dict:
    found = {}
    is_dict = isinstance(obj, dict)
    for name, resolve, wants_context in _READERS[cls]:
        if resolve is not None:
            try:
                value = resolve(obj, context=context) if wants_context else resolve(obj)
            except AttributeError:
                continue  # as from ninja's getter: the field is missing
        else:
            value = obj.get(name, _MISSING) if is_dict else getattr(obj, name, _MISSING)
            if value is _MISSING:
                continue  # pydantic gives the default, or says the field is required
            if callable(value) or isinstance(value, Manager | QuerySet | FieldFile):
                value = _converted(value)
        found[name] = value
    return found


def _converted(value):
    """What ninja's getter makes of a value that is not data itself."""
    if isinstance(value, Manager):
        return list(value.all())
    if isinstance(value, QuerySet):
        return list(value)
    if isinstance(value, FieldFile):
        return value.url if value else None
    return value()


def _field_readers(cls: type[Out]) -> tuple:
    """Per field of `cls`: (name, its `resolve_<name>` function or None, whether that takes
    the context), checked once as the class is made."""
    config = cls.model_config
    if config.get("extra") == "forbid" or config.get("validate_assignment"):
        raise TypeError(f"{cls.__name__}: an answer neither forbids extras nor revalidates")
    readers = []
    for name, field in cls.model_fields.items():
        if field.alias not in (None, name) or field.validation_alias not in (None, name):
            raise TypeError(f"{cls.__name__}.{name}: an answer's fields are read by name")
        declared = inspect.getattr_static(cls, f"resolve_{name}", None)
        if declared is None:
            readers.append((name, None, False))
            continue
        if not isinstance(declared, staticmethod):
            raise TypeError(f"{cls.__name__}.resolve_{name}: a resolver is a staticmethod")
        parameters = inspect.signature(declared.__func__).parameters
        wants_context = "context" in parameters or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
        )
        readers.append((name, declared.__func__, wants_context))
    return tuple(readers)


# Filled as each answer class is made.
_READERS: dict[type, tuple] = {}


class ErrorBody(Out):
    """`message` and `fields` speak the request's language; `message_fa` and `message_en`
    carry both. `detail` is present only when a support rule refused the request."""

    code: str
    message: str
    message_fa: str
    message_en: str
    fields: dict[str, list[str]]
    detail: dict | None = Field(
        None,
        description=(
            "Only when a support rule refused the request, what to act on: "
            '`duplicate_request` (409): `{"ticket": {"number", "subject", "status"}, "score"}`, '
            "the open ticket this repeats (add to it, or resend with `different_reason`); "
            '`ticket_closed` (409): `{"ticket": number, "follow_up": true}` (open a new '
            'ticket with `follow_up_of`); `fine_overdue` (403): `{"fine": id, "amount", '
            '"currency", "due_at"}`; `not_service_owner` / `service_unverified` (403): '
            '`{"service": identifier}`; `not_persian` (422): `{"reason"}`; '
            "`not_portal_admin` (403): `{}`."
        ),
    )


class ErrorOut(Out):
    error: ErrorBody


class AttachmentIn(InputSchema):
    filename: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., description="The file's bytes, base64-encoded.")

    @field_validator("content_base64")
    @classmethod
    def _strict_base64(cls, value: str) -> str:
        try:
            base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PydanticCustomError("base64", "This is not valid base64 content.") from exc
        return value


def uploads(items: list[AttachmentIn]) -> list[SimpleUploadedFile]:
    """Decoded files for a service's `files=`; the service enforces type and size limits."""
    return [
        SimpleUploadedFile(
            item.filename, base64.b64decode("".join(item.content_base64.split()), validate=True)
        )
        for item in items
    ]


class PageQuery(TextInput):
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def paginate(qs: QuerySet, *, page: int, page_size: int) -> tuple[list, dict]:
    """One page of `qs` and the envelope fields; a page past the end is simply empty."""
    count = qs.count()
    start = (page - 1) * page_size
    items = list(qs[start : start + page_size]) if start < count else []
    return items, {"count": count, "page": page, "page_size": page_size}


def display(value: datetime | None, request) -> str | None:
    """Jalali with Persian digits for fa, Gregorian for en, in the tenant's zone."""
    if value is None:
        return None
    return format_datetime(value, language=request.LANGUAGE_CODE, tz=request.tenant.time_zone)


@contextmanager
def field_names(**aliases: str) -> Iterator[None]:
    """Report a service's field errors under the names the API uses (department →
    department_id), so the client sees the key it sent."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {}
        # The errors themselves, not their texts: their codes tell a conflict from bad input.
        for key, errors in exc.error_dict.items():
            head, _dot, rest = key.partition(".")
            name = aliases.get(head, head)
            renamed[f"{name}.{rest}" if rest else name] = errors
        raise DjangoValidationError(renamed) from exc


class ServiceRef(Out):
    """A customer's service (a domain, a hosting plan, a server) as other resources show it."""

    id: int
    kind: str
    identifier: str
    # T-8 [002 r3]
    verified: bool = Field(
        ...,
        description="Its owner's identity has been checked; support about it goes only to "
        "that owner.",
    )

    @staticmethod
    def resolve_verified(obj) -> bool:
        return obj.is_verified


# --- requests without a body ------------------------------------------------------------------

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _takes_body(view) -> bool:
    """Whether a view declares a body: a parameter that is a schema as such (not wrapped, as
    Query[…] and Path[…] are), alone or optional."""
    for annotation in typing.get_type_hints(view, include_extras=True).values():
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
        else:
            options = [annotation]
        if any(isinstance(a, type) and issubclass(a, Schema) for a in options):
            return True
    return False


def refuse_undeclared_body(view):
    """For the whole API (`api.add_decorator`): a write that takes no body refuses one, as one
    that does refuses a key it does not know. Without this, `{"x": 1}` sent to an action such
    as POST /tickets/18/restored did the action and dropped the key unheard. Nothing (or {})
    is the body such an action takes. Runs after the token and the path are checked."""
    if _takes_body(view):
        return view

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method in _BODY_METHODS:
            _refuse_body(request)
        return view(request, *args, **kwargs)

    return checked


def _refuse_body(request) -> None:
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # A form always has a body, if only its closing boundary: judged by the fields it holds.
        names = [*request.POST, *request.FILES]
        if names:
            raise ApiError(
                status=400, code="invalid", fields={name: ["unknown_field"] for name in names}
            )
        return
    raw = request.body
    if not raw.strip():
        return
    try:
        data = json.loads(raw)
    except ValueError:
        raise HttpError(400, "Cannot parse request body") from None
    if not isinstance(data, dict):
        raise ApiError(status=400, code="invalid", fields={"body": ["object"]})
    if data:
        raise ApiError(
            status=400, code="invalid", fields={str(key): ["unknown_field"] for key in data}
        )
