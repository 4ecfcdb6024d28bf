"""Benchmark: live chat under load (issue 7). N visitor sockets and M agent sockets against
one socket server process (`pishkhan sockets`, what `pishkhan serve` runs for websockets) on
this machine: every visitor opens a chat, the agents accept them all, then visitors and agents
exchange messages at a fixed total rate.

Reported: connections held to the end, messages/s achieved, delivery latency (a message's
send on one side to its arrival on the other, both sides in this process, so one clock)
p50/p99/max, acknowledgement latency (send to `ack`, which the server sends only after the
commit), and messages lost (sent, acknowledged, never delivered). The load starts once the
server has worked off the ramp (`drain_s`: single lines until five in a row arrive within
100 ms), so the figures are the steady state at the rate asked for. Target (issue 7): 2,000
concurrent visitors, p99 delivery < 100 ms at 200 messages/s.

The server is started by the bench (`--serve`, the default) with the environment's
DATABASE_URL and REDIS_URL, on a free port; `--port` measures a server
already running instead (it must use the same database: the bench creates a fresh tenant, its
agents and their sessions through the ORM). Prints one JSON line; exits non-zero if a message
was lost or a socket could not be set up.

Usage: python bench/chat_load.py [--visitors 2000] [--agents 50] [--rate 200] [--duration 30]
"""

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

import django  # noqa: E402

django.setup()

from websockets.asyncio.client import connect  # noqa: E402

# Nobody logs in with these: the agents get their sessions directly.
PASSWORD = secrets.token_urlsafe(16)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raise_file_limit(need: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def prepare(*, agents: int, visitors: int) -> dict:
    """A fresh tenant open around the clock, its agents with sessions on its host, and chat
    settings that let the agents hold every chat."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from pishkhan.accounts.middleware import SESSION_TENANT_KEY
    from pishkhan.accounts.services import staff_user_create
    from pishkhan.chat.services import chat_settings_update
    from pishkhan.process_cache import settings_changed
    from pishkhan.sla.models import BusinessCalendar
    from pishkhan.sla.services.defaults import policy_for_department
    from pishkhan.tenancy.models import Role
    from pishkhan.tenancy.services import membership_grant, tenant_create

    django.core.management.call_command("migrate", interactive=False, verbosity=0)
    slug = f"chatbench{int(time.time())}"
    tenant = tenant_create(slug=slug, name="Chat bench")
    owner = staff_user_create(email=f"owner@{slug}.bench", password=PASSWORD, full_name="owner")
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    policy = policy_for_department(tenant=tenant, department_id=0)
    BusinessCalendar.objects.filter(pk=policy.calendar_id).update(
        week=[[["00:00", "24:00"]]] * 7, official_holidays=False, day_minutes=24 * 60
    )
    settings_changed(tenant.pk)  # a queryset update sends no signal
    chat_settings_update(
        tenant=tenant,
        actor=owner,
        offer_seconds=600,
        default_capacity=min(50, math.ceil(visitors / agents) + 1),
    )
    cookies = []
    for n in range(agents):
        user = staff_user_create(
            email=f"agent{n}@{slug}.bench", password=PASSWORD, full_name=f"agent {n}"
        )
        membership_grant(tenant=tenant, user=user, role=Role.AGENT)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "pishkhan.accounts.backends.TenantEmailBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_TENANT_KEY] = tenant.pk
        session.create()
        cookies.append(session.session_key)
    return {"host": f"{slug}.localhost", "cookies": cookies}


class Stats:
    def __init__(self):
        self.pending: dict[str, float] = {}  # text marker -> send time, until delivered
        self.ack_pending: dict[str, float] = {}
        self.delivery: list[float] = []
        self.delivery_sent: list[float] = []  # when each delivered message was sent
        self.ack: list[float] = []
        self.sent = 0
        self.errors: list[str] = []

    def delivered(self, text: str) -> None:
        started = self.pending.pop(text, None)
        if started is not None:
            self.delivery.append(time.perf_counter() - started)
            self.delivery_sent.append(started)


async def open_socket(address, path, host, **headers):
    return await connect(
        f"ws://{host}:{address[1]}{path}",
        host=address[0],
        port=address[1],
        additional_headers=headers,
        open_timeout=120,
        ping_interval=None,
        max_queue=None,
    )


class Agent:
    def __init__(self, address, host, cookie, stats):
        self.address, self.host, self.cookie, self.stats = address, host, cookie, stats
        self.chats: list[str] = []
        self.ws = None
        self.ponged = asyncio.Event()
        # Frames out go through a queue and a writer task of their own: a reader that waited
        # on its own sends could deadlock with a server that waits for it to read.
        self.outbox: asyncio.Queue = asyncio.Queue()
        # Offers are taken one at a time, each answered (assigned, or taken/full) before the
        # next, as a person clicks: forty accepts fired at once would fill the socket's
        # incoming queue, and a server that stops reading it misses the client's pongs.
        self.offers: asyncio.Queue = asyncio.Queue()
        self.offered: set[str] = set()
        self.answered = asyncio.Event()

    async def writer(self):
        while True:
            await self.ws.send(await self.outbox.get())

    def post(self, frame: dict) -> None:
        self.outbox.put_nowait(json.dumps(frame))

    def offer(self, chat: str) -> None:
        if chat not in self.offered:
            self.offered.add(chat)
            self.offers.put_nowait(chat)

    async def acceptor(self):
        while True:
            chat = await self.offers.get()
            self.answered.clear()
            self.post({"type": "accept", "chat": chat})
            try:
                await asyncio.wait_for(self.answered.wait(), 120)
            except TimeoutError:
                self.stats.errors.append("accept_unanswered")

    async def settle(self):
        """A ping answered means this agent's socket has worked through its backlog."""
        self.ponged.clear()
        self.post({"type": "ping"})
        await asyncio.wait_for(self.ponged.wait(), 300)

    async def keep_alive(self):
        # As the workspace page does: a seat silent for two minutes is not online.
        while True:
            await asyncio.sleep(30)
            self.post({"type": "ping"})

    async def run(self, ready: asyncio.Event):
        self.ws = await open_socket(
            self.address, "/ws/chat/agent/", self.host, Cookie=f"sessionid={self.cookie}"
        )
        self.pinger = asyncio.create_task(self.keep_alive())
        self.sender = asyncio.create_task(self.writer())
        self.accepting = asyncio.create_task(self.acceptor())
        async for raw in self.ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "ready":
                ready.set()
                for offer in frame.get("offers", ()):
                    self.offer(offer["chat"])
            elif kind == "offer":
                self.offer(frame["chat"])
            elif kind == "assigned":
                self.chats.append(frame["chat"])
                self.answered.set()
            elif kind == "message" and frame.get("author") == "visitor":
                self.stats.delivered(frame["text"])
            elif kind == "ack":
                self._acked(frame)
            elif kind == "pong":
                self.ponged.set()
            elif kind == "error":
                self.answered.set()
                if frame.get("code") not in ("taken", "capacity"):
                    self.stats.errors.append(frame.get("code", "?"))

    def _acked(self, frame):
        started = self.stats.ack_pending.pop(frame.get("client_id"), None)
        if started is not None:
            self.stats.ack.append(time.perf_counter() - started)

    async def say(self):
        if not self.chats:
            return
        text = f"a {uuid.uuid4().hex}"
        client_id = uuid.uuid4().hex
        now = time.perf_counter()
        self.stats.pending[text] = now
        self.stats.ack_pending[client_id] = now
        self.stats.sent += 1
        self.post(
            {
                "type": "message",
                "chat": random.choice(self.chats),
                "kind": "reply",
                "client_id": client_id,
                "text": text,
            }
        )


class Visitor:
    def __init__(self, address, host, n, stats):
        self.address, self.host, self.n, self.stats = address, host, n, stats
        self.active = asyncio.Event()
        self.ws = None
        self.closed = False

    async def run(self, started: asyncio.Event):
        try:
            self.ws = await open_socket(
                self.address, "/ws/chat/visitor/", self.host, Origin=f"http://{self.host}"
            )
            await self.ws.send(
                json.dumps(
                    {
                        "type": "hello",
                        "visitor": None,
                        "chat": None,
                        "after": 0,
                        "name": f"بازدیدکننده {self.n}",
                        "language": "fa",
                    }
                )
            )
            await self.ws.send(json.dumps({"type": "start", "text": "سلام"}))
            async for raw in self.ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "status":
                    started.set()
                    if frame.get("status") == "active":
                        self.active.set()
                elif kind == "message" and frame.get("author") == "agent":
                    self.stats.delivered(frame["text"])
                elif kind == "ack":
                    start = self.stats.ack_pending.pop(frame.get("client_id"), None)
                    if start is not None:
                        self.stats.ack.append(time.perf_counter() - start)
                elif kind == "error":
                    # A refused start (e.g. nobody free) must not leave the ramp waiting.
                    started.set()
                    self.stats.errors.append(frame.get("code", "?"))
        except Exception as exc:  # noqa: BLE001 - a failed socket is counted, not fatal
            self.stats.errors.append(type(exc).__name__)
            started.set()
        finally:
            self.closed = True

    async def say(self):
        text = f"v {uuid.uuid4().hex}"
        client_id = uuid.uuid4().hex
        now = time.perf_counter()
        self.stats.pending[text] = now
        self.stats.ack_pending[client_id] = now
        self.stats.sent += 1
        await self.ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))


def progress(message: str) -> None:
    """Where the run is, on stderr (stdout carries only the result line)."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


async def watch_lateness(lateness: list[float], every: float = 0.01) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(every)
        lateness.append(time.perf_counter() - before - every)


def by_window(stats, begin: float, seconds: float) -> list[float | None]:
    windows: dict[int, list[float]] = {}
    for sent, took in zip(stats.delivery_sent, stats.delivery, strict=True):
        windows.setdefault(int((sent - begin) // seconds), []).append(took)
    return [percentile(windows.get(n, []), 0.99) for n in range(max(windows, default=-1) + 1)]


async def drain(stats, active, *, started: float, quick: float = 0.1, run: int = 5) -> float:
    """Wait until the server has worked off the ramp (every accepted chat's story, the offers,
    the board): one line at a time from a visitor, until `run` in a row arrive within `quick`
    seconds. The load then measures the steady state at its rate, not the ramp's tail; how long
    the tail took is reported beside it."""
    in_a_row = 0
    while in_a_row < run and active:
        before = len(stats.delivery)
        await random.choice(active).say()
        for _ in range(600):
            if len(stats.delivery) > before:
                break
            await asyncio.sleep(0.05)
        fast = len(stats.delivery) > before and stats.delivery[-1] <= quick
        in_a_row = in_a_row + 1 if fast else 0
        await asyncio.sleep(0.2)
    return time.perf_counter() - started


async def measure(args, address, setup) -> dict:
    stats = Stats()
    host = setup["host"]
    agents = [Agent(address, host, cookie, stats) for cookie in setup["cookies"]]
    tasks = []
    for agent in agents:
        ready = asyncio.Event()
        tasks.append(asyncio.create_task(agent.run(ready)))
        await asyncio.wait_for(ready.wait(), 120)
    visitors = [Visitor(address, host, n, stats) for n in range(args.visitors)]
    t0 = time.perf_counter()
    for batch in range(0, len(visitors), args.batch):
        events = []
        for visitor in visitors[batch : batch + args.batch]:
            started = asyncio.Event()
            events.append(started.wait())
            tasks.append(asyncio.create_task(visitor.run(started)))
        await asyncio.wait_for(asyncio.gather(*events), 300)
        progress(f"{batch + len(events)} visitors started")
    for visitor in visitors:
        try:
            await asyncio.wait_for(visitor.active.wait(), 300)
        except TimeoutError:
            break
    setup_seconds = time.perf_counter() - t0
    progress(f"chats active after {setup_seconds:.1f} s")
    # The ramp leaves work queued (each accepted chat's story is sent to its agent): the load
    # starts once every agent socket has caught up.
    for agent in agents:
        await agent.settle()
    active = [v for v in visitors if v.active.is_set() and not v.closed]
    drain_seconds = await drain(stats, active, started=time.perf_counter())
    progress(f"agents settled, drained in {drain_seconds:.1f} s; load on {len(active)} chats")
    # This process measures with its own event loop: a pause of its own (its collector walking
    # 2,000 sockets' objects) would be counted as the server's delay. What the set-up made is
    # taken out of the collector's walks, and how late this loop wakes is reported beside.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    lateness: list[float] = []
    watching = asyncio.create_task(watch_lateness(lateness))
    stats.sent = 0
    stats.delivery.clear()
    stats.delivery_sent.clear()
    stats.ack.clear()
    # The load: every 1/rate seconds one message, from a visitor or an agent at random.
    interval = 1 / args.rate
    begin = time.perf_counter()
    next_at = begin
    while time.perf_counter() - begin < args.duration and active:
        if random.random() < 0.5:
            await random.choice(active).say()
        else:
            await random.choice(agents).say()
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    elapsed = time.perf_counter() - begin
    watching.cancel()
    # Let the last deliveries arrive (bounded), then count what never did.
    for _ in range(100):
        if not stats.pending:
            break
        await asyncio.sleep(0.1)
    held = sum(1 for v in visitors if not v.closed and v.ws is not None)
    result = {
        "visitors": args.visitors,
        "agents": args.agents,
        "visitors_chatting": len(active),
        "connections_held": held + sum(1 for a in agents if a.ws is not None),
        "setup_s": round(setup_seconds, 1),
        "drain_s": round(drain_seconds, 1),
        "target_rate": args.rate,
        "sent": stats.sent,
        "messages_per_s": round(stats.sent / elapsed, 1),
        "delivered": len(stats.delivery),
        "lost": len(stats.pending),
        "delivery_ms": {
            "p50": percentile(stats.delivery, 0.5),
            "p99": percentile(stats.delivery, 0.99),
            "max": percentile(stats.delivery, 1.0),
            "mean": round(statistics.fmean(stats.delivery) * 1000, 1) if stats.delivery else None,
        },
        "ack_ms": {"p50": percentile(stats.ack, 0.5), "p99": percentile(stats.ack, 0.99)},
        # Delivery p99 of the messages sent in each 10 s of the load: steady, or running away.
        "p99_by_10s": by_window(stats, begin, 10.0),
        # How late this client's own loop woke during the load (its share of the figures).
        "client_late_ms": {"p99": percentile(lateness, 0.99), "max": percentile(lateness, 1.0)},
        "errors": dict(sorted({e: stats.errors.count(e) for e in set(stats.errors)}.items())),
    }
    for visitor in visitors:
        if visitor.ws is not None:
            await visitor.ws.close()
    for agent in agents:
        agent.pinger.cancel()
        agent.sender.cancel()
        agent.accepting.cancel()
        await agent.ws.close()
    for task in tasks:
        task.cancel()
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second in all")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--batch", type=int, default=100, help="visitors connecting at once")
    parser.add_argument("--port", type=int, help="measure a server already running here")
    parser.add_argument("--server-log", help="write the server's output to this file")
    args = parser.parse_args()
    raise_file_limit(args.visitors * 3 + 1000)
    setup = prepare(agents=args.agents, visitors=args.visitors)
    server = None
    port = args.port
    if port is None:
        port = free_port()
        log = open(args.server_log, "wb") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
        # Our own interpreter and a fixed command line: nothing of it comes from input.
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-c",
                "import sys; from pishkhan.cli import main; sys.exit(main())",
                "sockets",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    print(json.dumps({"error": "server did not start"}))
                    return 2
                time.sleep(0.2)
    try:
        result = asyncio.run(measure(args, ("127.0.0.1", port), setup))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                # Still closing sockets gracefully: the result is in hand, do not lose it.
                server.kill()
                server.wait(30)
    from django.conf import settings
    from django.db import connection

    result = {
        "bench": "chat_load",
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "database": connection.vendor,
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        **result,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["lost"] or result["visitors_chatting"] < args.visitors else 0


if __name__ == "__main__":
    sys.exit(main())
