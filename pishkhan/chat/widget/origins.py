"""Which web pages may use a tenant's widget endpoints.

A browser sends `Origin` with every cross-origin request (and with same-origin POSTs). The
tenant lists the sites that embed its widget in `ChatSettings.allowed_origins`; its own hosts
are always allowed. An origin not on the list gets a 403 in both languages and no CORS
headers, so its page cannot read the answer either. A request without `Origin` comes from no
web page of another site (a same-origin GET, a server, curl) and is answered as usual: these
endpoints carry no cookies, so there is nothing for a forged request to ride on."""

import json
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from pishkhan.chat.selectors import chat_settings_get
from pishkhan.tenancy.selectors import tenant_get_by_host

ORIGIN_REFUSED_FA = "این وب‌گاه اجازهٔ استفاده از گفت‌وگوی آنلاین این محیط کاری را ندارد."
ORIGIN_REFUSED_EN = "This website may not use this workspace's live chat."
METHOD_FA = "این روش (method) برای این نشانی پذیرفته نیست."
METHOD_EN = "This method is not allowed here."
# How long a browser may reuse a preflight answer.
PREFLIGHT_MAX_AGE = "600"


def normalise_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case, or None for anything that is not an origin
    (`null` from a sandboxed frame or a file, paths, other schemes)."""
    try:
        parts = urlsplit((value or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower().rstrip(".")
    suffix = f":{port}" if port and port != default else ""
    return f"{parts.scheme}://{host}{suffix}"


def origin_allowed(*, tenant, origin: str) -> bool:
    normal = normalise_origin(origin)
    if normal is None:
        return False
    host = urlsplit(normal).hostname or ""
    if tenant_get_by_host(host=host, base_domains=settings.TENANT_BASE_DOMAINS) == tenant:
        return True
    listed = chat_settings_get(tenant=tenant).allowed_origins or []
    return normal in {normalise_origin(entry) for entry in listed}


def json_error(*, status: int, code: str, message_fa: str, message_en: str, fields=None):
    """The project's one error shape, both languages always present (the widget shows the
    one of its page)."""
    body = {
        "error": {
            "code": code,
            "message_fa": message_fa,
            "message_en": message_en,
            "fields": fields or {},
        }
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def widget_endpoint(*methods: str):
    """A widget endpoint: CSRF-exempt (no cookie is ever read), origin-checked, answering
    preflights, and with CORS headers only for an allowed origin."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            origin = request.headers.get("Origin")
            if origin is not None and not origin_allowed(tenant=request.tenant, origin=origin):
                return json_error(
                    status=403,
                    code="origin_not_allowed",
                    message_fa=ORIGIN_REFUSED_FA,
                    message_en=ORIGIN_REFUSED_EN,
                )
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
                response["Access-Control-Allow-Headers"] = "Content-Type"
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            elif request.method not in methods:
                response = json_error(
                    status=405,
                    code="method_not_allowed",
                    message_fa=METHOD_FA,
                    message_en=METHOD_EN,
                )
                response["Allow"] = ", ".join(methods)
            else:
                response = view(request, *args, **kwargs)
            if origin is not None:
                response["Access-Control-Allow-Origin"] = origin
            # The answer differs by origin: a shared cache must not hand one site's to another.
            response["Vary"] = "Origin"
            return response

        return wrapper

    return decorate
