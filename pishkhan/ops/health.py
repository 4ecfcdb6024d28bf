"""What `/healthz` checks: the database answers, jobs are being run, the channel layer carries
a message. Each check returns its own verdict with the time it took, so an operator sees which
part is down, not just that something is."""

import asyncio
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection

from pishkhan.core import clock
from pishkhan.ops import jobstats


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # noqa: BLE001 - a health check reports every failure
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _jobs() -> dict:
    # Jobs waiting longer than this mean no worker is taking them (or too few).
    limit = settings.HEALTH_JOB_LAG_SECONDS
    stats = jobstats.job_stats(now=clock.now())
    chains = jobstats.chains_alive()
    return {
        "ok": stats.lag_seconds <= limit and False not in chains.values(),
        "ready": stats.ready,
        "lag_seconds": stats.lag_seconds,
        "chains": chains,
    }


def _channel_layer() -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "error": "no channel layer configured"}
    # A round trip through the layer (Redis in production): what chat delivery needs.
    channel = f"health.{uuid.uuid4().hex}"
    message = {"type": "health.ping", "nonce": uuid.uuid4().hex}

    async def round_trip() -> bool:
        await layer.send(channel, message)
        received = await asyncio.wait_for(layer.receive(channel), timeout=3)
        return received.get("nonce") == message["nonce"]

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        ok = async_to_sync(round_trip)()
    else:
        # Asked from a thread that runs an event loop (a caller embedding us in one), where
        # async_to_sync refuses to run: the round trip gets a thread and a loop of its own.
        with ThreadPoolExecutor(max_workers=1) as pool:
            ok = pool.submit(asyncio.run, round_trip()).result()
    return {"ok": ok, "backend": type(layer).__name__}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "jobs": _jobs,
    "channel_layer": _channel_layer,
}


def health_report() -> dict:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    return {
        "ok": all(check["ok"] for check in checks.values()),
        "checks": checks,
        "at": clock.now().isoformat(timespec="seconds"),
    }
