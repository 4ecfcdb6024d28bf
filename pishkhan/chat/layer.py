"""The channel layers: on Redis (production), with a receive that survives a read timeout, and
in memory (the embedded default: channels' own, cleaning up less often).

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

A process's sockets ("…!" channels: one Redis key per process) are fed by one pump per process.
channels-redis pops one message per receive, with four round trips each (restore a backup queue,
BZPOPMIN, back the message up, drop the backup), and every waiting socket takes part in a lock
and two fresh tasks per message heard: under 200 chat lines a second with 2,000 sockets a line
reached its room seconds late, and the cost of each message grew with the number of sockets.
Here the pump takes everything that waits in one ZPOPMIN (up to RECEIVE_BATCH; only an empty
key waits in BZPOPMIN) and puts each message in the inbox of each socket it names; a socket's
receive only waits on its own inbox. A receive cancelled (its socket closing, or a caller's
timeout) cancels nothing else and loses nothing: the pump is a task of its own, and the inbox
stays, as channels-redis's buffer does, for a later receive on that channel. An inbox nobody
has waited on for the layer's expiry (60 s, how long Redis keeps a message for a channel) is
dropped; the pump stops when no inbox is left. (What a process that dies holds is lost with
its sockets.)

A group send is one round trip, not four: channels-redis expires the group, reads its members,
expires each destination key and then adds the message, each a round trip of its own on the
sending socket's loop. Here one script does it all in Redis, with channels-redis's rules
(group expiry, message expiry, capacity) and one message per process key naming the sockets it
is for. Such a message is ours only (the pump reads it); a group with a member that is not a
process's socket, a layer on several Redis hosts, or per-channel capacities take
channels-redis's way."""

import asyncio
import json
import logging
import time

from channels import layers
from channels_redis import core
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import TimeoutError as RedisTimeout

logger = logging.getLogger(__name__)

# Connections per event loop, and how long a send waits for one before it fails.
POOL_CONNECTIONS = 100
POOL_WAIT_SECONDS = 20
# How many waiting messages the pump takes from Redis at once.
RECEIVE_BATCH = 500
# How often idle inboxes are looked for, and how long the pump waits after Redis failed.
PRUNE_EVERY_SECONDS = 10
RETRY_SECONDS = 1


# A group message as the script stores it: this mark, the JSON list of the process's sockets it
# is for, a newline, then the message as channels-redis serialises it (which begins with random
# bytes, so two sends never store one member twice).
GROUP_MARK = b"\x00group\x00"
GROUP_SEND = r"""
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - tonumber(ARGV[4]))
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local sockets, keys = {}, {}
for _, channel in ipairs(members) do
  local bang = string.find(channel, '!', 1, true)
  if not bang then return -1 end
  local key = ARGV[1] .. string.sub(channel, 1, bang)
  if not sockets[key] then
    sockets[key] = {}
    table.insert(keys, key)
  end
  table.insert(sockets[key], channel)
end
local expiry = tonumber(ARGV[5])
local over = 0
for _, key in ipairs(keys) do
  redis.call('ZREMRANGEBYSCORE', key, 0, now - expiry)
  if redis.call('ZCARD', key) < tonumber(ARGV[6]) then
    redis.call('ZADD', key, now, ARGV[7] .. cjson.encode(sockets[key]) .. '\n' .. ARGV[2])
    redis.call('EXPIRE', key, expiry)
  else
    over = over + 1
  end
end
return over
"""


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    """Channels' in-process layer (the embedded default), cleaning up at most once a second,
    and safe to send on from any thread.

    Channels' own walks every channel's queue and every group's members for expired entries on
    each send to a group and each receive: with 2,000 sockets, three walks of some 8,000
    entries per chat line, which at 200 lines a second was more than the process could do.
    Expiry is counted in seconds (60 for a message, a day for a group member), so once a second
    is as good.

    The sockets wait on asyncio queues of the server's event loop. A send from another thread
    (an HTTP request's, the job worker's) runs on an event loop of its own, and putting into
    those queues from there wakes no one: the waiting socket heard the frame only when its loop
    next woke for something else (uvicorn's tick, a tenth of a second; in a quiet process,
    never). Such a send is handed to the sockets' loop instead."""

    CLEAN_EVERY_SECONDS = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cleaned_at = 0.0
        # The event loop the sockets receive on (the last one seen receiving).
        self._home: asyncio.AbstractEventLoop | None = None

    async def receive(self, channel):
        self._home = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel, message):
        home = self._home_elsewhere()
        if home is not None:
            return await _run_on(home, super().send(channel, message))
        return await super().send(channel, message)

    async def group_send(self, group, message):
        home = self._home_elsewhere()
        if home is not None:
            return await _run_on(home, super().group_send(group, message))
        return await super().group_send(group, message)

    def _home_elsewhere(self) -> asyncio.AbstractEventLoop | None:
        home = self._home
        if home is None or home is asyncio.get_running_loop() or not home.is_running():
            return None
        return home

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._cleaned_at >= self.CLEAN_EVERY_SECONDS:
            self._cleaned_at = now
            super()._clean_expired()


async def _run_on(loop: asyncio.AbstractEventLoop, coroutine):
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, loop))


class _Inbox:
    """What waits for one socket of this process, and whether anyone waits for it."""

    __slots__ = ("queue", "waiting", "touched")

    def __init__(self, capacity: int, now: float):
        self.queue = core.BoundedQueue(capacity)
        self.waiting = 0
        self.touched = now


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._inboxes: dict[str, _Inbox] = {}
        self._inbox_loop = None
        self._pump: asyncio.Task | None = None
        self._pruned_at = 0.0

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel or keyword hosts: channels-redis's own pool
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", POOL_CONNECTIONS)
        host.setdefault("timeout", POOL_WAIT_SECONDS)
        return BlockingConnectionPool.from_url(address, **host)

    async def group_send(self, group, message):
        if self.ring_size != 1 or self.channel_capacity:
            return await super().group_send(group, message)
        assert self.require_valid_group_name(group), "Group name not valid"
        over = await self.connection(0).eval(
            GROUP_SEND,
            1,
            self._group_key(group),
            self.prefix,
            self.serialize(message),
            time.time(),
            self.group_expiry,
            int(self.expiry),
            self.capacity,
            GROUP_MARK,
        )
        if over == -1:  # a member that is not a process's socket
            return await super().group_send(group, message)
        if over:
            logger.info("%s process queues over capacity in group %s", over, group)
        return None

    async def receive(self, channel):
        if "!" in channel:
            return await self._receive_local(channel)
        while True:
            try:
                return await super().receive(channel)
            except RedisTimeout:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None

    # --- this process's sockets -------------------------------------------------------------

    async def _receive_local(self, channel: str):
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self.client_prefix + "!"), "Wrong client prefix"
        loop = asyncio.get_running_loop()
        inbox = self._inbox(channel, loop)
        if inbox.queue.empty():
            self._pumping(real_channel, loop)
        inbox.waiting += 1
        try:
            return await inbox.queue.get()
        finally:
            inbox.waiting -= 1
            inbox.touched = loop.time()

    def _inbox(self, channel: str, loop) -> _Inbox:
        if self._inbox_loop is not loop:
            # A new event loop (tests run one after another): what the old one held is for
            # sockets that are gone with it, and its pump cannot run here.
            self._inboxes.clear()
            self._inbox_loop, self._pump = loop, None
        inbox = self._inboxes.get(channel)
        if inbox is None:
            inbox = self._inboxes[channel] = _Inbox(self.capacity, loop.time())
        return inbox

    def _pumping(self, real_channel: str, loop) -> None:
        if self._pump is None or self._pump.done():
            self._pump = loop.create_task(self._pump_run(real_channel))

    async def _pump_run(self, real_channel: str) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        while self._inboxes and self._inbox_loop is loop:
            try:
                batch = await self._take(real_channel)
            except Exception as exc:
                if task is not None and task.cancelling():
                    # The cancellation met the client's read timeout and came out as redis-py's
                    # error (as in receive()): going on would never let the loop close.
                    raise asyncio.CancelledError from exc
                if not isinstance(exc, RedisTimeout):  # the wait and the read timeout raced
                    logger.exception("taking channel messages from Redis failed")
                    await asyncio.sleep(RETRY_SECONDS)
                continue
            self._deliver(batch, loop)

    async def _take(self, real_channel: str) -> list[bytes]:
        connection = self.connection(self.consistent_hash(real_channel))
        key = self.prefix + real_channel
        popped = await connection.zpopmin(key, RECEIVE_BATCH)
        if not popped:
            found = await connection.bzpopmin(key, timeout=self.brpop_timeout)
            popped = [found[1:]] if found is not None else []
        return [member for member, _score in popped]

    def _deliver(self, batch: list[bytes], loop) -> None:
        now = loop.time()
        for raw in batch:
            if raw.startswith(GROUP_MARK):
                names, _newline, body = raw[len(GROUP_MARK) :].partition(b"\n")
                message, channels = self.deserialize(body), json.loads(names)
            else:
                message = self.deserialize(raw)
                channels = message.pop("__asgi_channel__", None)
            if channels is None:
                continue
            for channel in channels if isinstance(channels, list) else (channels,):
                inbox = self._inboxes.get(channel)
                if inbox is None:
                    # Heard before its socket first asked: kept for it, as channels-redis does.
                    inbox = self._inboxes[channel] = _Inbox(self.capacity, now)
                inbox.queue.put_nowait(message)
        if now - self._pruned_at > PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            idle = [
                channel
                for channel, inbox in self._inboxes.items()
                if not inbox.waiting and now - inbox.touched > self.expiry
            ]
            for channel in idle:
                del self._inboxes[channel]

    async def close_pools(self):
        pump, self._pump = self._pump, None
        if pump is not None and not pump.done():
            try:
                same_loop = pump.get_loop() is asyncio.get_running_loop()
            except RuntimeError:
                same_loop = False
            if same_loop:
                pump.cancel()
        self._inboxes.clear()
        await super().close_pools()
