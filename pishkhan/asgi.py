"""The ASGI application `pishkhan serve` (uvicorn) runs: HTTP goes to Django, websockets to
the live-chat consumers (tenant by host, then session and user, then the route).

HTTP reaches Django through its WSGI handler, run on a pool of WEB_THREADS threads (a2wsgi),
not through Django's ASGI handler. Every view and middleware of ours is synchronous; under the
ASGI handler each request started and joined a thread of its own and crossed between the event
loop and threads several times (once per middleware that Django adapts), which held a process to
~450 trivial requests a second. Through the WSGI handler a request is one hand-over to a pooled
thread and back: `bench/api_create.py` measures both figures (BENCHMARKS.md)."""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

# Django is set up (apps loaded) before anything imports a model.
django_application = get_wsgi_application()

from pishkhan.chat.sockets import websocket_application  # noqa: E402

SWITCH_INTERVAL_SECONDS = 0.0005

http_application = WSGIMiddleware(django_application, workers=settings.WEB_THREADS)

application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})

# The garbage collector, tuned for a process that holds thousands of sockets: a full
# collection walks every object alive, and with 1,000 chats open each one stopped the process
# (every thread) for up to a quarter of a second, several times a minute, while lines queued
# behind it. What start-up made lives as long as the process and is taken out of those walks
# (`freeze`); the youngest generation is collected after 50,000 allocations instead of 700,
# the middle one after 50 of those instead of 10, the whole heap after 100 middle ones
# instead of 10. Measured (BENCHMARKS.md, chat): collector time over a 2-minute run 5.4 s →
# 0.3 s, longest pause 276 ms → 68 ms.
gc.freeze()
gc.set_threshold(50_000, 50, 100)

# How long a thread that holds the interpreter may keep it while another waits: 5 ms by
# default. The database calls run on threads (HTTP's pool, the chat lanes) and give the
# interpreter up at every round trip to PostgreSQL; each time they want it back, a busy event
# loop made them wait out the whole interval. A chat line is four round trips, so its lane
# took ≥ 20 ms a line whatever the database did, and at 200 lines a second the lanes fell
# behind for good. At 0.5 ms they wait a tenth as long (BENCHMARKS.md, chat).
sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
