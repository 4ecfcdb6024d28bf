"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

`message` and `fields` speak the request's language (Accept-Language; Persian by default);
`message_fa` / `message_en` carry both, so an integration can show either."""

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

# Validation failures that mean "the state of the thing forbids this", not "your input is bad".
CONFLICT_CODES = {"ticket_closed"}


def _both(message) -> tuple[str, str]:
    with translation.override("fa"):
        fa = str(message)
    with translation.override("en"):
        en = str(message)
    return fa, en


def error_response(
    request: HttpRequest | None, *, status: int, code: str, message=None,
    message_fa: str | None = None, message_en: str | None = None, fields: dict | None = None,
) -> HttpResponse:
    if message is not None:
        message_fa, message_en = _both(message)
    language = translation.get_language() or "fa"
    body = {
        "error": {
            "code": code,
            "message": message_en if language.startswith("en") else message_fa,
            "message_fa": message_fa,
            "message_en": message_en,
            "fields": fields or {},
        }
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status,
        content_type="application/json; charset=utf-8",
    )


def _field_messages(exc: DjangoValidationError) -> tuple[dict, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}, []
    return {}, [str(m) for m in exc.messages]


def on_django_validation(request, exc: DjangoValidationError):
    fields, general = _field_messages(exc)
    code = getattr(exc, "code", None) or "invalid"
    if code in CONFLICT_CODES:
        return error_response(request, status=409, code=code, message=exc.messages[0])
    if general:
        return error_response(request, status=400, code=code,
                              message_fa=general[0], message_en=general[0], fields=fields) \
            if len({*_both(exc.messages[0])}) == 1 else \
            error_response(request, status=400, code=code, message=exc.messages[0], fields=fields)
    return error_response(request, status=400, code="invalid",
                          message=_("Some fields are invalid."), fields=fields)


def on_schema_validation(request, exc: SchemaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query", "path")]
        key = ".".join(loc) or "body"
        fields.setdefault(key, []).append(item.get("msg", "invalid"))
    return error_response(request, status=400, code="invalid",
                          message=_("Some fields are invalid."), fields=fields)


def on_not_found(request, exc):
    return error_response(request, status=404, code="not_found", message=_("Not found."))


def on_permission_denied(request, exc):
    return error_response(request, status=403, code="forbidden",
                          message=_("You may not do this."))


def on_authentication(request, exc):
    return error_response(request, status=401, code="unauthorized",
                          message=_("A valid API token for this workspace is required."))


def on_http_error(request, exc: HttpError):
    return error_response(request, status=exc.status_code, code="http_%s" % exc.status_code,
                          message_fa=str(exc), message_en=str(exc))


def install(api) -> None:
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(SchemaValidationError, on_schema_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
