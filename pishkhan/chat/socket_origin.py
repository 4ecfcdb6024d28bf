"""Where a browser opens the chat websockets.

`pishkhan serve` serves them on a port of their own (`pishkhan.servers`). A page that came
through a reverse proxy (it says so in X-Forwarded-* headers) points the browser at its own
origin: the proxy sends `/ws/` to the socket port (docs/deploy.md). A page served to the
browser directly (a laptop, `python3 run.py`) points it at the socket port of the same host.
Without a socket port (one server for everything) it is the page's origin either way.
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

PROXY_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")


def socket_origin(request: HttpRequest) -> str:
    """`ws(s)://host:port` of the socket server, or "" for the page's own origin."""
    port = settings.SOCKET_PORT
    if not port or any(header in request.META for header in PROXY_HEADERS):
        return ""
    host, _ = split_domain_port(request.get_host())
    return f"{_scheme(request)}://{host}:{port}"


def socket_url(request: HttpRequest, path: str) -> str:
    """The whole address of the socket at `path`, for a page of another site (the widget)."""
    return (socket_origin(request) or f"{_scheme(request)}://{request.get_host()}") + path


def _scheme(request: HttpRequest) -> str:
    return "wss" if request.is_secure() else "ws"
