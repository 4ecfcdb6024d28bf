"""The widget's HTTP endpoints, called by the script from the tenant's customers' sites.

Every answer is JSON in the project's error shape with both languages, so the widget shows
the one of its page; field messages speak the language the widget asked in."""

import json
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pishkhan.chat import selectors as chat_selectors
from pishkhan.chat.models import ChatAttachment
from pishkhan.chat.socket_origin import socket_url
from pishkhan.chat.widget import strings
from pishkhan.chat.widget.origins import json_error, widget_endpoint
from pishkhan.chat.widget.services import attachment_upload
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.attachments import ALLOWED_TYPES, MAX_FILES_PER_MESSAGE
from pishkhan.tickets.fields import clean_values, field_label
from pishkhan.tickets.intake import PolicyRefusal, both
from pishkhan.tickets.models import Channel
from pishkhan.tickets.services import ticket_submit_for_contact

SCRIPT = "chat/widget.js"
STYLE = "chat/widget.css"
FONT = "vendor/vazirmatn/Vazirmatn-Variable.woff2"
SOCKET_PATH = "/ws/chat/visitor/"
# A form body is a few kilobytes; anything far larger is not the widget talking.
BODY_MAX = 64 * 1024
INPUT_MAX = 20_000


def _language(value) -> str:
    return "en" if isinstance(value, str) and value.lower().startswith("en") else "fa"


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _not_found():
    fa, en = both(gettext_lazy("Not found in this workspace."))
    return json_error(status=404, code="not_found", message_fa=fa, message_en=en)


def _chat_off():
    fa, en = both(gettext_lazy("Live chat is switched off for this workspace."))
    return json_error(status=404, code="chat_disabled", message_fa=fa, message_en=en)


def _invalid(exc: ValidationError, *, status: int = 400):
    """A service's refusal, field by field (texts already in the request's language), under
    one message given in both languages."""
    code = getattr(exc, "code", None) or "invalid"
    if hasattr(exc, "error_dict"):
        fields = {
            # The intake path files a new customer's own fields under "customer.".
            key.removeprefix("customer."): [str(m) for m in messages]
            for key, messages in exc.message_dict.items()
        }
        fa, en = both(gettext_lazy("Some fields are not right; see the messages beside them."))
        return json_error(
            status=status, code="invalid", message_fa=fa, message_en=en, fields=fields
        )
    text = str(exc.messages[0]) if exc.messages else ""
    return json_error(status=status, code=code, message_fa=text, message_en=text)


def _read_json(request) -> dict | None:
    if len(request.body) > BODY_MAX:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _bad_json():
    fa, en = both(gettext_lazy("The request body is not valid JSON."))
    return json_error(status=400, code="bad_request", message_fa=fa, message_en=en)


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value[:INPUT_MAX] if isinstance(value, str) else ""


# --- the script ------------------------------------------------------------------------------


def script(request):
    """The snippet's `src`: the widget script, from the tenant's own host so that it knows
    where its endpoints are (`document.currentScript.src`)."""
    path = finders.find(SCRIPT)
    if not path:
        raise Http404
    with open(path, "rb") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Short: a fixed widget reaches every site within minutes, without a versioned URL.
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- config ----------------------------------------------------------------------------------


def _departments(tenant, language: str, agents_available) -> list[dict]:
    # Nobody online answers for every department at once; only then are hours and seats
    # asked per department (each has its own business hours).
    anyone = chat_selectors.online_seats(tenant=tenant).exists()
    found = []
    for department in ticket_selectors.department_list(tenant=tenant):
        found.append(
            {
                "id": department.pk,
                "name": department.label(language),
                "online": anyone and agents_available(tenant=tenant, department=department),
                "fields": [
                    {
                        "key": field["key"],
                        "label": field_label(field, language),
                        "kind": field.get("kind", "text"),
                        "required": bool(field.get("required", True)),
                    }
                    for field in department.fields or []
                ],
            }
        )
    return found


@widget_endpoint("GET")
def config(request):
    from pishkhan.chat.services import agents_available

    tenant = request.tenant
    language = _language(request.GET.get("lang"))
    settings = chat_selectors.chat_settings_get(tenant=tenant)
    if not settings.enabled:
        return JsonResponse({"enabled": False})
    departments = _departments(tenant, language, agents_available)
    body = {
        "enabled": True,
        "language": language,
        "dir": "ltr" if language == "en" else "rtl",
        "name": tenant.name,
        "online": any(d["online"] for d in departments),
        "greeting": settings.greeting(language),
        "departments": departments,
        "default_department": settings.default_department_id,
        "strings": strings.strings(language),
        "css": _absolute(request, static(STYLE)),
        "font": _absolute(request, static(FONT)),
        "socket": socket_url(request, SOCKET_PATH),
        "upload": {
            "max_bytes": tenant.attachment_max_bytes,
            "accept": ",".join(sorted(ALLOWED_TYPES)),
        },
        "transcript": True,
        "visitor": None,
    }
    visitor = chat_selectors.visitor_get_by_key(tenant=tenant, key=request.GET.get("visitor"))
    if visitor is not None:
        # A returning visitor: greeted by name, the form filled, their open chat resumed.
        current = chat_selectors.chat_current_for_visitor(tenant=tenant, visitor=visitor)
        body["visitor"] = {
            "name": visitor.name,
            "email": visitor.email,
            "phone": visitor.phone,
            "chat": current.key if current else None,
        }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


# --- files -----------------------------------------------------------------------------------


@widget_endpoint("POST")
def upload(request):
    tenant = request.tenant
    with translation.override(_language(request.POST.get("language"))):
        visitor = chat_selectors.visitor_get_by_key(tenant=tenant, key=request.POST.get("visitor"))
        chat = chat_selectors.chat_get_by_key(tenant=tenant, key=request.POST.get("chat"))
        if visitor is None or chat is None or chat.visitor_id != visitor.pk:
            return _not_found()
        files = request.FILES.getlist("file")
        if len(files) > MAX_FILES_PER_MESSAGE:
            files = files[: MAX_FILES_PER_MESSAGE + 1]  # check_files names the limit
        try:
            stored = attachment_upload(tenant=tenant, visitor=visitor, chat=chat, files=files)
        except ValidationError as exc:
            return _invalid(exc, status=404 if getattr(exc, "code", "") == "not_found" else 400)
    return JsonResponse(
        {"attachments": [{"id": item.pk, "name": item.name, "size": item.size} for item in stored]},
        status=201,
        json_dumps_params={"ensure_ascii": False},
    )


def file(request, pk: int):
    """A chat's file: for the visitor of that chat (by their key, the widget has no session)
    and for the tenant's staff (by their session, from the chat workspace)."""
    files = ChatAttachment.objects.for_tenant(request.tenant).filter(pk=pk)
    if getattr(request, "membership", None) is None:
        visitor = chat_selectors.visitor_get_by_key(
            tenant=request.tenant, key=request.GET.get("visitor")
        )
        if visitor is None:
            raise Http404
        files = files.filter(chat__visitor=visitor)
    attachment = files.first()
    if attachment is None:
        raise Http404
    inline = attachment.content_type.startswith(("image/", "application/pdf"))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A visitor's file never runs as a page of the tenant's origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=0"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the offline form ------------------------------------------------------------------------


def _department(tenant, raw, settings):
    if raw in (None, ""):
        fallback = settings.default_department
        if fallback is not None and fallback.is_active:
            return fallback
        return ticket_selectors.department_list(tenant=tenant).first()
    try:
        department_id = int(raw)
    except (TypeError, ValueError):
        return None
    return ticket_selectors.department_get(
        tenant=tenant, department_id=department_id, active_only=True
    )


def _form_errors(data: dict, department, fields: dict) -> dict:
    errors = {}
    for name in ("subject", "body"):
        if not _text(data, name).strip():
            errors[name] = [_("This field is required.")]
    if department is not None:
        try:
            clean_values(department.fields, fields)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


@widget_endpoint("POST")
def offline(request):
    """No agent can chat: the visitor's message becomes a ticket through the one intake path,
    so the tenant's rules (Persian only, required fields, suspensions…) apply as everywhere."""
    tenant = request.tenant
    data = _read_json(request)
    if data is None:
        return _bad_json()
    language = _language(data.get("language"))
    settings = chat_selectors.chat_settings_get(tenant=tenant)
    if not settings.enabled:
        return _chat_off()
    with translation.override(language):
        contact = {
            "name": _text(data, "name"),
            "email": _text(data, "email").strip(),
            "phone": _text(data, "phone").strip(),
            "language": language,
        }
        errors = {}
        if not contact["name"].strip():
            errors["name"] = [_("This field is required.")]
        if not contact["email"] and not contact["phone"]:
            errors["email"] = [_("Give an email or a phone number so that we can answer you.")]
        department = _department(tenant, data.get("department"), settings)
        if department is None:
            errors["department"] = [_("Choose a department.")]
        fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
        fields = {str(k): v for k, v in fields.items() if isinstance(v, str)}
        if errors:
            # The intake path is not reached with these missing; check what it would check of
            # the rest too, so the visitor sees every mistake at once.
            errors.update(_form_errors(data, department, fields))
            return _invalid(ValidationError(errors))
        try:
            ticket = ticket_submit_for_contact(
                tenant=tenant,
                contact=contact,
                department=department,
                subject=_text(data, "subject"),
                body=_text(data, "body"),
                fields=fields,
                channel=Channel.CHAT,
                via="chat",
            )
        except PolicyRefusal as refusal:
            return json_error(
                status=refusal.status,
                code=refusal.code,
                message_fa=refusal.message_fa,
                message_en=refusal.message_en,
            )
        except ValidationError as exc:
            return _invalid(exc)
    return JsonResponse(
        {"ticket": {"number": ticket.number}},
        status=201,
        json_dumps_params={"ensure_ascii": False},
    )


# --- after the chat: rating and transcript ---------------------------------------------------


def _survey_token(value) -> str:
    """The token of a survey link (`…/survey/<token>/`), or the token itself."""
    if not isinstance(value, str):
        return ""
    path = urlsplit(value).path if "/" in value else value
    return PurePosixPath(path).name if "/" in path else path


@widget_endpoint("POST")
def rate(request):
    from pishkhan.quality.models import Survey
    from pishkhan.quality.services import survey_answer

    data = _read_json(request)
    if data is None:
        return _bad_json()
    with translation.override(_language(data.get("language"))):
        try:
            survey = survey_answer(
                tenant=request.tenant,
                token=_survey_token(data.get("survey")),
                score=data.get("score"),
                comment=_text(data, "comment"),
            )
        except Survey.DoesNotExist:
            return _not_found()
        except ValidationError as exc:
            return _invalid(exc)
    return JsonResponse({"score": survey.score})


# A visitor may have a chat's transcript mailed a few times (to themselves, to a colleague),
# not without limit: the form takes any address, and our mail must not become a spammer's.
TRANSCRIPTS_PER_CHAT = 3
TRANSCRIPT_WINDOW_SECONDS = 24 * 3600


@widget_endpoint("POST")
def transcript(request):
    from pishkhan.chat.services import chat_transcript_email

    tenant = request.tenant
    data = _read_json(request)
    if data is None:
        return _bad_json()
    with translation.override(_language(data.get("language"))):
        visitor = chat_selectors.visitor_get_by_key(tenant=tenant, key=data.get("visitor"))
        chat = chat_selectors.chat_get_by_key(tenant=tenant, key=data.get("chat"))
        if visitor is None or chat is None or chat.visitor_id != visitor.pk:
            return _not_found()
        counter = f"widget-transcript-{chat.key}"
        cache.add(counter, 0, TRANSCRIPT_WINDOW_SECONDS)
        if cache.incr(counter) > TRANSCRIPTS_PER_CHAT:
            fa, en = both(gettext_lazy("This chat's transcript has been sent enough times today."))
            return json_error(status=429, code="too_many", message_fa=fa, message_en=en)
        try:
            chat_transcript_email(tenant=tenant, chat=chat, to=_text(data, "email").strip())
        except ValidationError as exc:
            cache.decr(counter)
            return _invalid(exc)
    return JsonResponse({"sent": True})
