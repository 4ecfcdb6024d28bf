"""The ASGI application `pishkhan serve` (uvicorn) runs: HTTP goes to Django, websockets to
the live-chat consumers (tenant by host, then session and user, then the route).

HTTP reaches Django through its WSGI handler, run on a pool of WEB_THREADS threads (a2wsgi),
not through Django's ASGI handler. Every view and middleware of ours is synchronous; under the
ASGI handler each request started and joined a thread of its own and crossed between the event
loop and threads several times (once per middleware that Django adapts), which held a process to
~450 trivial requests a second. Through the WSGI handler a request is one hand-over to a pooled
thread and back: `bench/api_create.py` measures both figures (BENCHMARKS.md)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

# Django is set up (apps loaded) before anything imports a model.
django_application = get_wsgi_application()

from pishkhan.chat.sockets import websocket_application  # noqa: E402

http_application = WSGIMiddleware(django_application, workers=settings.WEB_THREADS)

application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})
