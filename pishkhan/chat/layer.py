"""The channel layer on Redis, with a receive that survives a read timeout.

channels-redis waits for a socket's next message in BZPOPMIN for 5 seconds, and redis-py's
socket timeout is 5 seconds as well: on a quiet socket the two race, and when the client's
timeout fires first the receive raises and the socket's consumer dies (the visitor stops
hearing the chat). The wait is simply asked for again. A message popped in that instant may
be lost on the way: the chat sockets fill any gap in a conversation from the database.

A receive being cancelled (its socket is closing) is not asked again: here the timeout is
what ends it."""

import asyncio

from channels_redis import core
from redis.exceptions import TimeoutError as RedisTimeout


class RedisChannelLayer(core.RedisChannelLayer):
    async def receive(self, channel):
        while True:
            try:
                return await super().receive(channel)
            except RedisTimeout:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None
