"""The ASGI application `pishkhan serve` (uvicorn) runs: HTTP goes to Django, websockets to
the live-chat consumers (tenant by host, then session and user, then the route)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

# Django is set up (apps loaded) before anything imports a model.
django_application = get_asgi_application()

from pishkhan.chat.sockets import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_application, "websocket": websocket_application()})
