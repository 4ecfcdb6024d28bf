"""One error shape for the whole API:
{"error": {"code", "message", "message_fa", "message_en", "fields"}}, and for a request a
support rule refuses (T-4 … T-12) also `"detail"`: what the client needs to act on it.

`message` and `fields` speak the request's language (Accept-Language; Persian by default);
`message_fa` / `message_en` carry both, so an integration can show either.

The API's own messages are kept here as Persian/English pairs rather than in a gettext
catalogue: an integration must get both languages in every response, whatever catalogues
happen to be compiled on the machine."""

import json
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from pishkhan.core.persian import to_persian_digits
from pishkhan.policies.messages import both
from pishkhan.tickets.intake import PolicyRefusal

logger = logging.getLogger(__name__)

# Validation failures that mean "the state of the thing forbids this", not "your input is bad".
CONFLICT_CODES = {
    "ticket_closed",
    "ticket_closed_record",
    "already_restored",
    "already_not_fault",
    "already_out_of_scope",
    "not_merged",
    "already_verified",
    "owned_by_another",
    "not_verified",
    "already_fined",
    "fine_settled",
    "already_disputed",
    "not_disputed",
}

# code → (Persian, English). Placeholders are filled by `text()`.
MESSAGES: dict[str, tuple[str, str]] = {
    "invalid": ("برخی از فیلدها نامعتبرند.", "Some fields are invalid."),
    "not_found": ("پیدا نشد.", "Not found."),
    "route_not_found": (
        "چنین نشانی‌ای در این API وجود ندارد.",
        "There is no such address in this API.",
    ),
    "forbidden": ("اجازهٔ این کار را ندارید.", "You may not do this."),
    "unauthorized": (
        "یک توکن API معتبر برای این محیط کاری لازم است.",
        "A valid API token for this workspace is required.",
    ),
    "ticket_closed": (
        "این تیکت بسته شده است و دوباره باز نمی‌شود. لطفاً تیکت تازه‌ای باز کنید.",
        "This ticket is closed and cannot be reopened. Please open a new ticket.",
    ),
    "ticket_closed_record": (
        "این تیکت بسته شده است: سابقه‌اش همان‌گونه که بسته شد می‌ماند. فقط برچسب‌هایش تغییر می‌کند.",
        "This ticket is closed: its record stays as it was closed. Only its tags can change.",
    ),
    "bad_request": (
        "بدنهٔ درخواست JSON معتبری نیست.",
        "The request body is not valid JSON.",
    ),
    "method_not_allowed": (
        "این روش (method) برای این نشانی پذیرفته نیست.",
        "This method is not allowed here.",
    ),
    "too_large": ("درخواست بیش از اندازه بزرگ است.", "The request is too large."),
    "server_error": (
        "خطایی در سرور رخ داد. لطفاً دوباره تلاش کنید.",
        "Something went wrong on the server. Please try again.",
    ),
    # Field messages.
    "required": ("این فیلد الزامی است.", "This field is required."),
    "unknown_field": ("چنین فیلدی وجود ندارد.", "Unknown field."),
    "choice": ("یکی از این‌ها را انتخاب کنید: {expected}.", "Choose one of: {expected}."),
    "integer": ("یک عدد صحیح وارد کنید.", "Enter a whole number."),
    "boolean": ("true یا false وارد کنید.", "Enter true or false."),
    "string": ("یک متن وارد کنید.", "Enter a text."),
    "text_or_number": ("یک متن یا عدد وارد کنید.", "Enter a text or a number."),
    "list": ("یک فهرست بفرستید.", "Send a list."),
    "object": ("یک شیء JSON بفرستید.", "Send a JSON object."),
    "too_long": ("بیش از اندازه بلند است (حداکثر {max}).", "Too long (at most {max})."),
    "too_short": ("بیش از اندازه کوتاه است (دست‌کم {min}).", "Too short (at least {min})."),
    "at_most": ("حداکثر {max} مجاز است.", "At most {max}."),
    "at_least": ("دست‌کم {min} لازم است.", "At least {min}."),
    "wrong_value": ("مقدار نامعتبر است.", "This value is not valid."),
    "base64": ("محتوای base64 معتبر نیست.", "This is not valid base64 content."),
    "unstorable_text": (
        "این متن نویسه‌ای نامجاز دارد (NUL یا نیمه‌ای از یک جفت جانشین یونیکد).",
        "This text has a forbidden character (NUL or half of a Unicode surrogate pair).",
    ),
    "reference_not_found": (
        "در این محیط کاری پیدا نشد.",
        "Not found in this workspace.",
    ),
    "status_on_note": (
        "فقط پاسخ می‌تواند وضعیت تیکت را تغییر دهد.",
        "Only a reply can change the status.",
    ),
    "one_customer": (
        "یا customer_id یا customer را بفرستید، نه هر دو.",
        "Send either customer_id or customer, not both.",
    ),
    "already_restored": (
        "این تیکت پیش‌تر «سرویس بازیابی شد» علامت خورده است.",
        "This ticket is already marked restored.",
    ),
    "already_not_fault": (
        "این تیکت پیش‌تر «اشکال نرم‌افزاری نیست» علامت خورده است.",
        "This ticket is already marked as not a software fault.",
    ),
    "already_out_of_scope": (
        "این تیکت پیش‌تر «خارج از حیطهٔ پشتیبانی» علامت خورده است.",
        "This ticket is already marked out of scope.",
    ),
    "not_merged": (
        "این تیکت در تیکت دیگری ادغام نشده است.",
        "This ticket is not merged into another.",
    ),
    "already_verified": (
        "مالکیت این سرویس پیش‌تر تأیید شده است.",
        "This service's owner is already verified.",
    ),
    "owned_by_another": (
        "این سرویس به نام مشتری دیگری تأیید شده است؛ نخست آن تأیید را لغو کنید.",
        "This service is verified as another customer's; withdraw that verification first.",
    ),
    "not_verified": (
        "مالکیت این سرویس تأیید نشده است.",
        "This service's owner is not verified.",
    ),
    "already_fined": (
        "برای این تخلف پیش‌تر جریمه ثبت شده است.",
        "This violation is already fined.",
    ),
    "fine_settled": (
        "این جریمه پیش‌تر پرداخت یا بخشوده شده است.",
        "This fine is already paid or waived.",
    ),
    "already_disputed": (
        "به این ارزیابی پیش‌تر اعتراض شده است.",
        "This review is already disputed.",
    ),
    "not_disputed": (
        "این ارزیابی اعتراض بازی ندارد.",
        "This review has no open dispute.",
    ),
    "amount_text": (
        'مبلغ اعشاری را به صورت متن بفرستید، مثلاً "12.50".',
        'Send an amount with decimals as text, e.g. "12.50".',
    ),
    "minutes_in_scope": (
        "زمان کار فقط با پاسخ به تیکت خارج از حیطهٔ پشتیبانی ثبت می‌شود؛ زمان‌های دیگر را در "
        "time-entries ثبت کنید.",
        "Minutes go with a reply on an out-of-scope ticket only; log other time under "
        "time-entries.",
    ),
    "minutes_on_note": (
        "زمان کار فقط با پاسخ ثبت می‌شود، نه با یادداشت.",
        "Only a reply records minutes, not a note.",
    ),
    "date": (
        "یک تاریخ به شکل YYYY-MM-DD وارد کنید: میلادی (2026-12-11) یا خورشیدی (1405-09-20).",
        "Enter a date as YYYY-MM-DD: Gregorian (2026-12-11) or Jalali (1405-09-20).",
    ),
    "iso_datetime": (
        "زمانی به قالب ISO 8601 با اختلاف از UTC بدهید، مثلاً 2026-11-25T15:00:00+03:30.",
        "Give a time in ISO 8601 with a UTC offset, e.g. 2026-11-25T15:00:00+03:30.",
    ),
    "date_window": (
        "تاریخی میان سال‌های ۱۹۰۰ و ۲۱۹۹ میلادی بدهید.",
        "Give a date between the years 1900 and 2199.",
    ),
    "range_order": ("پایان بازه پیش از آغاز آن است.", "The range ends before it starts."),
    "range_too_long": (
        "بازه حداکثر ۴۰۰ روز می‌تواند باشد.",
        "The range may be at most 400 days long.",
    ),
    "sla_target": (
        "هدف را به شکل یک عدد صحیح و یکی از bh (ساعت کاری)، bd (روز کاری) یا m (دقیقه) "
        "بنویسید، مثلاً 2bh.",
        "Write a target as a whole number and bh (business hours), bd (business days) or m "
        "(minutes), e.g. 2bh.",
    ),
    "due_unreachable": (
        "این تقویم در بازهٔ پذیرفتنی به این هدف نمی‌رسد.",
        "This calendar does not reach this target within the supported dates.",
    ),
}


def _language() -> str:
    return "en" if (translation.get_language() or "fa").startswith("en") else "fa"


def text(key: str, language: str | None = None, **params) -> str:
    """One message of the table in `language` (the active one by default)."""
    language = language or _language()
    fa, en = MESSAGES[key]
    if language == "en":
        return en.format(**params)
    # Numbers read in Persian digits; codes such as "base64" or choice values stay as sent.
    return fa.format(
        **{
            key: to_persian_digits(str(value)) if isinstance(value, int) else value
            for key, value in params.items()
        }
    )


class ApiError(Exception):
    """An answer decided at the edge (a reference that is not in this tenant, an input that
    the schema alone cannot judge). `fields` maps a field to message keys of MESSAGES."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message or code
        self.fields = fields or {}


def not_found(field: str | None = None) -> ApiError:
    fields = {field: ["reference_not_found"]} if field else None
    return ApiError(status=404, code="not_found", fields=fields)


def invalid(field: str, key: str) -> ApiError:
    return ApiError(status=400, code="invalid", fields={field: [key]})


def error_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    message: str | None = None,
    message_fa: str | None = None,
    message_en: str | None = None,
    fields: dict | None = None,
    detail: dict | None = None,
) -> HttpResponse:
    """`message` names a key of MESSAGES; without it, give both texts."""
    if message is not None:
        message_fa, message_en = text(message, "fa"), text(message, "en")
    error = {
        "code": code,
        "message": message_en if _language() == "en" else message_fa,
        "message_fa": message_fa,
        "message_en": message_en,
        "fields": fields or {},
    }
    if detail is not None:
        error["detail"] = detail
    body = {"error": error}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def on_api_error(request, exc: ApiError):
    fields = {key: [text(m) for m in messages] for key, messages in exc.fields.items()}
    return error_response(
        request, status=exc.status, code=exc.code, message=exc.message, fields=fields
    )


def on_django_validation(request, exc: DjangoValidationError):
    """Errors raised by services. Their texts were translated when raised, in the request's
    language; the overall message comes from our own table so both languages are given."""
    code = getattr(exc, "code", None) or "invalid"
    if code in CONFLICT_CODES:
        return error_response(request, status=409, code=code, message=code)
    if hasattr(exc, "error_dict"):
        fields = {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}
        # Fields refused for one state of the thing (a closed ticket's record) are a conflict,
        # not bad input: 409 with that code, the fields named.
        codes = {e.code for errors in exc.error_dict.values() for e in errors}
        if len(codes) == 1 and codes <= CONFLICT_CODES:
            (conflict,) = codes
            return error_response(
                request, status=409, code=conflict, message=conflict, fields=fields
            )
        return error_response(request, status=400, code="invalid", message="invalid", fields=fields)
    message = getattr(exc, "message", None)
    if isinstance(message, Promise):
        # Raised lazily (translated when shown): shown in each language.
        message_fa, message_en = both(message, **(exc.params or {}))
        return error_response(
            request, status=400, code=code, message_fa=message_fa, message_en=message_en
        )
    # Translated when raised, in the request's language only.
    general = str(exc.messages[0]) if exc.messages else text("invalid")
    return error_response(request, status=400, code=code, message_fa=general, message_en=general)


def on_policy_refusal(request, exc: PolicyRefusal):
    """A support rule said no. The rule wrote its own message in both languages (the customer
    must learn why, T-7) and chose the status; `detail` names what to act on, e.g. the open
    ticket a duplicate repeats or the overdue fine."""
    return error_response(
        request,
        status=exc.status,
        code=exc.code,
        message_fa=exc.message_fa,
        message_en=exc.message_en,
        detail=exc.detail or {},
    )


# pydantic error type → MESSAGES key.
_PYDANTIC_TYPES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "literal_error": "choice",
    "enum": "choice",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "date_window": "date_window",
    "string_type": "string",
    "text_or_number": "text_or_number",
    "list_type": "list",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_long",
    "too_short": "too_short",
    "less_than_equal": "at_most",
    "less_than": "at_most",
    "greater_than_equal": "at_least",
    "greater_than": "at_least",
    "base64": "base64",
    "unstorable_text": "unstorable_text",
    "status_on_note": "status_on_note",
    "one_customer": "one_customer",
    "amount_text": "amount_text",
}

# Where a value came from is not part of its name for the client.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_key(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    # A schema parameter adds its own name before the field; ours are always one of these.
    if parts and parts[0] in ("payload", "filters"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _schema_message(item: dict) -> str:
    kind = _PYDANTIC_TYPES.get(item.get("type", ""), "wrong_value")
    ctx = item.get("ctx") or {}
    params = {
        "expected": str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", "),
        "max": ctx.get("max_length", ctx.get("le", ctx.get("lt", ""))),
        "min": ctx.get("min_length", ctx.get("ge", ctx.get("gt", ""))),
    }
    return text(kind, **params)


def on_schema_validation(request, exc: SchemaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        fields.setdefault(_field_key(item.get("loc", ())), []).append(_schema_message(item))
    return error_response(request, status=400, code="invalid", message="invalid", fields=fields)


def on_not_found(request, exc):
    return error_response(request, status=404, code="not_found", message="not_found")


def on_permission_denied(request, exc):
    return error_response(request, status=403, code="forbidden", message="forbidden")


def on_authentication(request, exc):
    response = error_response(request, status=401, code="unauthorized", message="unauthorized")
    response["WWW-Authenticate"] = "Bearer"
    return response


def on_too_large(request, exc):
    return error_response(request, status=413, code="too_large", message="too_large")


_HTTP_MESSAGES = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}


def on_http_error(request, exc: HttpError):
    key = _HTTP_MESSAGES.get(exc.status_code)
    if key:
        return error_response(request, status=exc.status_code, code=key, message=key)
    return error_response(
        request,
        status=exc.status_code,
        code=f"http_{exc.status_code}",
        message_fa=str(exc),
        message_en=str(exc),
    )


def on_unexpected(request, exc: Exception):
    logger.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return error_response(request, status=500, code="server_error", message="server_error")


def install(api) -> None:
    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(PolicyRefusal, on_policy_refusal)
    api.add_exception_handler(SchemaValidationError, on_schema_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(RequestDataTooBig, on_too_large)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
