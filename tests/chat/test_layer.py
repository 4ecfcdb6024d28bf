"""The channel layer the settings configure, under a burst: a thousand sockets of one process
broadcast at once, and a slow socket falls behind. Each test builds a layer instance of its own
from the settings (the process's shared layer would stay bound to this test's event loop) and
closes it afterwards."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils.module_loading import import_string

# More than both limits that used to lose frames: redis-py's default pool refused the 101st
# connection at once, and both layers dropped what waited past 100 frames for one channel.
BURST = 150


def _own_layer():
    layer = settings.CHANNEL_LAYERS["default"]
    config = dict(layer.get("CONFIG", {}))
    if "prefix" in config:
        config["prefix"] = f"{config['prefix']}-burst-{uuid.uuid4().hex[:8]}"
    return import_string(layer["BACKEND"])(**config)


async def _burst() -> list[int]:
    layer = _own_layer()
    try:
        channel = await layer.new_channel()
        await layer.group_add("chat-1-1", channel)
        # All at once, as the drains of that many sockets do after their commits.
        await asyncio.gather(
            *(layer.group_send("chat-1-1", {"type": "chat.frame", "n": n}) for n in range(BURST))
        )
        received = []
        for _ in range(BURST):
            message = await asyncio.wait_for(layer.receive(channel), timeout=10)
            received.append(message["n"])
        return received
    finally:
        await layer.flush()
        close = getattr(layer, "close_pools", None)
        if close is not None:
            await close()


def test_a_burst_of_broadcasts_reaches_the_socket_whole():
    # On a thread of its own: a browser test before this one may leave this thread's loop
    # running, and neither asyncio.run nor async_to_sync runs beside it.
    with ThreadPoolExecutor(max_workers=1) as thread:
        received = thread.submit(asyncio.run, _burst()).result()
    assert sorted(received) == list(range(BURST))
