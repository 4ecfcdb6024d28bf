"""The channel layer on Redis, with a receive that survives a read timeout.

channels-redis waits for a socket's next message in BZPOPMIN for 5 seconds, and redis-py's
socket timeout is 5 seconds as well: on a quiet socket the two race, and when the client's
timeout fires first the receive raises and the socket's consumer dies (the visitor stops
hearing the chat). The wait is simply asked for again. A message popped in that instant may
be lost on the way: the chat sockets fill any gap in a conversation from the database.

A receive being cancelled (its socket is closing) is not asked again: here the timeout is
what ends it.

Connections come from a pool that makes a sender wait for a free connection instead of failing:
redis-py's default pool refuses the 101st connection at once (`MaxConnectionsError`), and every
socket of a process sends on a connection of its own, so a burst from a thousand sockets lost
its broadcasts."""

import asyncio

from channels_redis import core
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import TimeoutError as RedisTimeout

# Connections per event loop, and how long a send waits for one before it fails.
POOL_CONNECTIONS = 100
POOL_WAIT_SECONDS = 20


class RedisChannelLayer(core.RedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel or keyword hosts: channels-redis's own pool
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", POOL_CONNECTIONS)
        host.setdefault("timeout", POOL_WAIT_SECONDS)
        return BlockingConnectionPool.from_url(address, **host)

    async def receive(self, channel):
        while True:
            try:
                return await super().receive(channel)
            except RedisTimeout:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None
