"""Helpers for socket tests: the real ASGI application (tenant by host, session, routes),
visitor and staff sockets, and the channel layer emptied between tests (Redis keeps state
across tests)."""

import importlib
import os
import sys
import types

from django.test import Client

from pishkhan.asgi import application
from tests.conftest import login


def _websocket_communicator():
    """channels.testing's WebsocketCommunicator. The package's __init__ also imports its live
    server test case, which needs daphne (not a dependency: uvicorn serves us); without daphne
    the package is set up here with the communicators only."""
    try:
        from channels.testing import WebsocketCommunicator

        return WebsocketCommunicator
    except ModuleNotFoundError:
        import channels

        package = types.ModuleType("channels.testing")
        package.__path__ = [os.path.join(channels.__path__[0], "testing")]
        sys.modules["channels.testing"] = package
        module = importlib.import_module("channels.testing.websocket")
        package.WebsocketCommunicator = module.WebsocketCommunicator
        return module.WebsocketCommunicator


WebsocketCommunicator = _websocket_communicator()
WAIT = 10  # seconds: a bound for a broken test, never a measurement


def visitor_socket(world, *, origin: str | None = None, host: str | None = None):
    host = host or world.host
    headers = [(b"host", host.encode())]
    origin = f"http://{host}" if origin is None else origin
    if origin:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, "/ws/chat/visitor/", headers=headers)


def session_cookie(world, user) -> str:
    client = Client(HTTP_HOST=world.host)
    login(client, user, world.tenant)
    return client.cookies["sessionid"].value


async def staff_socket(world, user=None, *, path="/ws/chat/agent/", host=None, cookie=None):
    from channels.db import database_sync_to_async

    headers = [(b"host", (host or world.host).encode())]
    if cookie is None and user is not None:
        cookie = await database_sync_to_async(session_cookie)(world, user)
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(socket, kind: str, **match):
    """The next frame of `kind` (matching `match`), skipping others (typing, live, …)."""
    while True:
        frame = await socket.receive_json_from(timeout=WAIT)
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def next_frame(socket, *kinds: str):
    """The next frame whose type is one of `kinds`."""
    while True:
        frame = await socket.receive_json_from(timeout=WAIT)
        if frame.get("type") in kinds:
            return frame


def flush_layer() -> None:
    """Forget this process's groups, queued frames and cache keys. Only under its own prefix:
    the other test processes share the Redis database, and wiping it (FLUSHDB) in one of them
    took group memberships and frames from under the others' running tests."""
    url = os.environ.get("REDIS_URL")
    prefix = os.environ.get("REDIS_KEY_PREFIX", "")
    if url and prefix:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


def run(scenario) -> None:
    """Run an async test scenario to its end."""
    from asgiref.sync import async_to_sync

    async_to_sync(scenario)()


async def connect(socket):
    """The socket, connected (the test fails with the server's close code if it refuses)."""
    connected, code = await socket.connect()
    assert connected, code
    return socket
