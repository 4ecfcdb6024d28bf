"""The shared cache on Redis: Django's own backend, keeping one client per connection pool."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        # Django builds a new redis.Redis (with its table of reply handlers) on every cache
        # call, a tenth of a millisecond each time; one per pool serves every call, since a
        # redis.Redis takes a connection from its pool for each command.
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
