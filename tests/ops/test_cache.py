"""The shared cache on Redis, as the web server uses it: each HTTP request runs on a worker
thread in a context of its own, where Django builds the cache backend anew."""

import contextvars

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="the embedded run keeps its cache in the process; there is no Redis to connect to",
)


def _request_in_context_of_its_own() -> int:
    """A cache write and read as one request makes them, and the Redis connection they used."""
    cache = caches["default"]
    cache.set("ops-cache-probe", "سرویس میزبانی", 30)
    assert cache.get("ops-cache-probe") == "سرویس میزبانی"
    return cache._cache.get_client().client_id()


def test_requests_in_contexts_of_their_own_reuse_one_redis_connection():
    # when twenty requests run one after another, each in a fresh context
    connections = {contextvars.Context().run(_request_in_context_of_its_own) for _ in range(20)}
    # then they all spoke over one connection: none paid for a TCP connect and handshake
    assert len(connections) == 1
