"""The shared cache on Redis: Django's own backend, with its connections kept by the process.

Django keeps a cache backend per thread *and per context*, and an HTTP request served on a
worker thread runs in a context of its own, so each request built a new backend: a new
connection pool, a new TCP connection and Redis handshake on its first cache call, and a new
`redis.Redis` (with its table of reply handlers) on every call. That was a third of the web
process's CPU under load. Here the pools and clients live as long as the process, shared by
every backend of the same address and options (both are thread-safe: a command takes a
connection from the pool and gives it back)."""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_clients: dict[tuple, object] = {}
_lock = threading.Lock()


class _Client(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        shared = (self._servers[index], repr(sorted(self._pool_options.items())))
        client = _clients.get(shared)
        if client is None:
            with _lock:
                client = _clients.get(shared)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _clients[shared] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
