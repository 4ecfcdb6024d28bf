"""The channel layer the settings configure, under a burst: a thousand sockets of one process
broadcast at once, and a slow socket falls behind. Each test builds a layer instance of its own
from the settings (the process's shared layer would stay bound to this test's event loop) and
closes it afterwards."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

# More than both limits that used to lose frames: redis-py's default pool refused the 101st
# connection at once, and both layers dropped what waited past 100 frames for one channel.
BURST = 150


@asynccontextmanager
async def _own_layer():
    """A layer of the settings' kind with keys of its own, emptied and closed afterwards."""
    layer = settings.CHANNEL_LAYERS["default"]
    config = dict(layer.get("CONFIG", {}))
    if "prefix" in config:
        config["prefix"] = f"{config['prefix']}-burst-{uuid.uuid4().hex[:8]}"
    own = import_string(layer["BACKEND"])(**config)
    try:
        yield own
    finally:
        await _empty_and_close(own)


async def _empty_and_close(layer) -> None:
    await layer.flush()
    close = getattr(layer, "close_pools", None)
    if close is not None:
        await close()


async def _burst() -> list[int]:
    async with _own_layer() as layer:
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


def test_a_burst_of_broadcasts_reaches_the_socket_whole():
    # On a thread of its own: a browser test before this one may leave this thread's loop
    # running, and neither asyncio.run nor async_to_sync runs beside it.
    with ThreadPoolExecutor(max_workers=1) as thread:
        received = thread.submit(asyncio.run, _burst()).result()
    assert sorted(received) == list(range(BURST))


async def _after_a_receiver_gave_up(sockets: int, lines: int) -> dict[str, list[int]]:
    async with _own_layer() as layer:
        channels = [await layer.new_channel() for _ in range(sockets)]
        # A socket closes while it waits: its receive is cancelled mid-wait.
        gone = asyncio.ensure_future(layer.receive(channels[0]))
        await asyncio.sleep(0.3)
        gone.cancel()
        # Lines for every socket, interleaved, as a busy process gets them.
        for n in range(lines):
            for channel in channels:
                await layer.send(channel, {"type": "chat.frame", "n": n})
        heard = {}
        for channel in channels:
            heard[channel] = [
                (await asyncio.wait_for(layer.receive(channel), timeout=10))["n"]
                for _ in range(lines)
            ]
        return heard


def test_each_socket_hears_its_own_lines_in_order_after_another_gave_up_waiting():
    with ThreadPoolExecutor(max_workers=1) as thread:
        heard = thread.submit(asyncio.run, _after_a_receiver_gave_up(5, 40)).result()
    assert len(heard) == 5
    assert all(lines == list(range(40)) for lines in heard.values())


async def _one_group_two_processes(lines: int) -> dict[str, list]:
    async with _own_layer() as here:
        # Another process on the same Redis: the same keys, sockets of its own.
        there = type(here)(
            **{**settings.CHANNEL_LAYERS["default"]["CONFIG"], "prefix": here.prefix}
        )
        try:
            mine = [await here.new_channel(), await here.new_channel()]
            theirs = await there.new_channel()
            for channel in (*mine, theirs):
                await here.group_add("chat-1-7", channel)
            # A group with a channel that is not a process's socket (a worker's named channel).
            await here.group_add("live-1", mine[0])
            await here.group_add("live-1", "chat-worker")
            for n in range(lines):
                await here.group_send("chat-1-7", {"type": "chat.frame", "n": n})
            await there.group_send("live-1", {"type": "chat.frame", "n": "live"})
            heard = {}
            for name, layer, channel in (
                ("mine-0", here, mine[0]),
                ("mine-1", here, mine[1]),
                ("theirs", there, theirs),
            ):
                heard[name] = [
                    (await asyncio.wait_for(layer.receive(channel), timeout=10))["n"]
                    for _ in range(lines + (name == "mine-0"))
                ]
            heard["worker"] = [(await asyncio.wait_for(here.receive("chat-worker"), 10))["n"]]
            # and nothing more for anyone
            for layer, channel in ((here, mine[1]), (there, theirs)):
                try:
                    extra = await asyncio.wait_for(layer.receive(channel), timeout=0.3)
                except TimeoutError:
                    continue
                heard.setdefault("extra", []).append(extra)
            return heard
        finally:
            await _empty_and_close(there)


def test_a_group_message_reaches_each_member_once_in_each_process():
    if "Redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        # Two layer instances in memory share nothing: two processes need Redis between them.
        pytest.skip("needs the Redis channel layer (REDIS_URL)")
    with ThreadPoolExecutor(max_workers=1) as thread:
        heard = thread.submit(asyncio.run, _one_group_two_processes(30)).result()
    assert heard["mine-0"] == [*range(30), "live"]
    assert heard["mine-1"] == list(range(30))
    assert heard["theirs"] == list(range(30))
    assert heard["worker"] == ["live"]
    assert "extra" not in heard


def test_a_frame_sent_from_another_thread_wakes_the_waiting_socket():
    """A job of the worker (an offer moving on to the next agent) or an HTTP request publishes
    from a thread of its own while the socket waits on the server's event loop, which has
    nothing else to do: the frame must wake it, not wait for the loop's next reason to wake."""
    import threading

    from asgiref.sync import async_to_sync

    heard: list[dict] = []
    arrived = threading.Event()

    async def socket(layer, channel, listening) -> None:
        await layer.group_add("agent-1-1", channel)
        listening.set()
        heard.append(await layer.receive(channel))
        arrived.set()

    async def scenario() -> None:
        async with _own_layer() as layer:
            channel = await layer.new_channel()
            listening = threading.Event()
            waiting = asyncio.ensure_future(socket(layer, channel, listening))

            def job() -> None:
                listening.wait(10)
                async_to_sync(layer.group_send)(
                    "agent-1-1", {"type": "chat.frame", "frame": {"type": "offer"}}
                )

            worker = threading.Thread(target=job)
            worker.start()
            # The loop is left idle but for the socket's wait, as a quiet server's is.
            await asyncio.wait_for(waiting, timeout=30)
            await asyncio.to_thread(worker.join)

    with ThreadPoolExecutor(max_workers=1) as thread:
        running = thread.submit(asyncio.run, scenario())
        assert arrived.wait(10), "the waiting socket was not woken"
        running.result()
    assert heard == [{"type": "chat.frame", "frame": {"type": "offer"}}]


def test_a_cancelled_pump_stops_even_when_redis_says_timeout():
    """The process's one reader of Redis (the pump) is cancelled when its event loop closes. A
    cancellation that meets the Redis client's read timeout comes out as the client's
    TimeoutError; the pump took that for a timeout and waited again, so the loop never closed
    (a test run hung on it)."""
    from redis.exceptions import TimeoutError as RedisTimeout

    from pishkhan.chat.layer import RedisChannelLayer

    async def scenario() -> bool:
        layer = RedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:6379/15"}])
        loop = asyncio.get_running_loop()
        layer._inbox("specific.test!socket", loop)  # a socket waits: the pump has work
        waiting = asyncio.Event()

        async def take(real_channel: str) -> list[bytes]:
            waiting.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                raise RedisTimeout("Timeout reading from 127.0.0.1:6379") from None
            return []

        layer._take = take
        pump = loop.create_task(layer._pump_run("specific.test!"))
        await waiting.wait()
        pump.cancel()
        done, _pending = await asyncio.wait({pump}, timeout=2)
        stopped = pump in done and pump.cancelled()
        if not stopped:  # let it end, so that this test fails instead of hanging
            layer._inboxes.clear()
            pump.cancel()
            await asyncio.wait({pump}, timeout=2)
        return stopped

    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, scenario()).result()
