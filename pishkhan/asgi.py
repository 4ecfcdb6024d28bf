"""The ASGI application `pishkhan serve`'s socket server (uvicorn) runs: websockets go to the
live-chat consumers (tenant by host, then session and user, then the route), HTTP to Django.
With Redis, HTTP reaches `serve`'s own HTTP server (`pishkhan.servers`); it is answered here
too, so that one port can serve everything (`serve` without Redis does).

HTTP reaches Django through its WSGI handler, run on a pool of WEB_THREADS threads (a2wsgi),
not through Django's ASGI handler. Every view and middleware of ours is synchronous; under the
ASGI handler each request started and joined a thread of its own and crossed between the event
loop and threads several times (once per middleware that Django adapts), which held a process to
~450 trivial requests a second. Through the WSGI handler a request is one hand-over to a pooled
thread and back: `bench/api_create.py` measures both figures (BENCHMARKS.md)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from pishkhan import collector  # noqa: E402

# Django is set up (apps loaded) before anything imports a model.
django_application = get_wsgi_application()

from pishkhan.chat.sockets import websocket_application  # noqa: E402

SWITCH_INTERVAL_SECONDS = 0.0005

http_application = WSGIMiddleware(django_application, workers=settings.WEB_THREADS)

application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})

collector.tune_for_server()

# How long a thread that holds the interpreter may keep it while another waits: 5 ms by
# default. The database calls run on threads (HTTP's pool, the chat lanes) and give the
# interpreter up at every round trip to PostgreSQL; each time they want it back, a busy event
# loop made them wait out the whole interval. A chat line is four round trips, so its lane
# took ≥ 20 ms a line whatever the database did, and at 200 lines a second the lanes fell
# behind for good. At 0.5 ms they wait a tenth as long (BENCHMARKS.md, chat).
sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
