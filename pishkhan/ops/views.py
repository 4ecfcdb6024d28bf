"""Endpoints for the machinery around the product. They answer on every host (no tenant) and
need no login; `/metrics` is for the operator's Prometheus only."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from pishkhan.ops.health import health_report
from pishkhan.ops.metrics import exposition

LOOPBACK = {"127.0.0.1", "::1"}


def livez(request: HttpRequest) -> JsonResponse:
    """The process answers HTTP: nothing else is touched, so a load balancer can tell a stuck
    process from a stuck database (that is `/healthz`)."""
    return JsonResponse({"ok": True})


def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    # Without a token only a scraper on this machine may read, and not through a proxy
    # (which adds X-Forwarded-For): the figures are the whole installation's, not a tenant's.
    return request.META.get("REMOTE_ADDR") in LOOPBACK and "X-Forwarded-For" not in request.headers


def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        if settings.METRICS_TOKEN:
            text = (
                "Forbidden: send the METRICS_TOKEN as 'Authorization: Bearer <token>'.\n"
                "دسترسی ممنوع: METRICS_TOKEN را با سرآیند "
                "'Authorization: Bearer <token>' بفرستید.\n"
            )
        else:
            text = (
                "Forbidden: set METRICS_TOKEN and scrape with it.\n"
                "دسترسی ممنوع: METRICS_TOKEN را تنظیم کنید و با آن بخوانید.\n"
            )
        return HttpResponse(text, status=403, content_type="text/plain; charset=utf-8")
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
