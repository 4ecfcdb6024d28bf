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
its broadcasts.

A process takes what waits for its sockets from Redis in batches. channels-redis pops one
message per receive, with four round trips each (restore a backup queue, BZPOPMIN, back the
message up, drop the backup) and the next receive waiting for the last to finish: one process's
sockets could hear at most a few hundred messages a second, and under 200 chat lines a second
with 2,000 sockets a line reached its room seconds late. Here one ZPOPMIN takes everything that
waits (up to RECEIVE_BATCH), and only an empty queue waits in BZPOPMIN. The pop runs as a task of
its own that a cancelled receiver does not cancel: what it took waits in the process for the
next receive, so a socket closing mid-wait loses nobody else's message. (What a process that
dies holds is lost with its sockets.)"""

import asyncio
from collections import deque

from channels_redis import core
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import TimeoutError as RedisTimeout

# Connections per event loop, and how long a send waits for one before it fails.
POOL_CONNECTIONS = 100
POOL_WAIT_SECONDS = 20
# How many waiting messages one receive takes from Redis at once.
RECEIVE_BATCH = 500


def _retrieved(task: asyncio.Task) -> None:
    # A pop whose receiver was cancelled may fail unawaited: the next receive asks again.
    if not task.cancelled():
        task.exception()


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the last pop took and no receive has had yet, and the pop in flight.
        self._popped: deque = deque()
        self._popping: asyncio.Task | None = None

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel or keyword hosts: channels-redis's own pool
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", POOL_CONNECTIONS)
        host.setdefault("timeout", POOL_WAIT_SECONDS)
        return BlockingConnectionPool.from_url(address, **host)

    async def receive_single(self, channel):
        """The next message for this process's sockets ("…!" channels: one Redis key per
        process), from the batch taken last or a new one. Other channels as channels-redis."""
        if "!" not in channel:
            return await super().receive_single(channel)
        loop = asyncio.get_running_loop()
        while not self._popped:
            popping = self._popping
            if popping is None or popping.done() or popping.get_loop() is not loop:
                popping = self._popping = loop.create_task(self._pop(channel))
                popping.add_done_callback(_retrieved)
            await asyncio.shield(popping)
        message = self.deserialize(self._popped.popleft())
        return message.pop("__asgi_channel__", channel), message

    async def _pop(self, channel: str) -> None:
        connection = self.connection(self.consistent_hash(channel))
        key = self.prefix + channel
        popped = await connection.zpopmin(key, RECEIVE_BATCH)
        if not popped:
            found = await connection.bzpopmin(key, timeout=self.brpop_timeout)
            popped = [found[1:]] if found is not None else []
        self._popped.extend(member for member, _score in popped)

    async def receive(self, channel):
        while True:
            try:
                return await super().receive(channel)
            except RedisTimeout:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None
