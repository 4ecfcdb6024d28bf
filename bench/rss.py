"""Peak memory (RSS) of a web process and a job worker under a working mix, as production runs
them: `pishkhan serve --no-worker --no-migrate` and `pishkhan worker`, on the database of
DATABASE_URL (a seeded one, to see memory at scale). `serve` runs the requests in its HTTP
process and the chat sockets in a socket server: the two are measured apart.

The mix, from 8 threads: the ticket list with filters and its second page, a ticket with its
thread, search, new tickets (full intake: rules, SLA clocks, index, jobs the worker then runs),
and the public help centre. Memory is read from /proc (VmHWM: the high-water mark of the
resident set) after the worker has run every job the requests queued.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench .venv/bin/python bench/rss.py

Prints one JSON line. The demo tenants are created in that database if missing (its API token).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "pk_demo_hosting_local_only"  # noqa: S105 - the demo tenant's token, demo data only
REQUESTS = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_processes(pid: int) -> dict[str, int]:
    """The processes `pishkhan serve` (`pid`) started: its HTTP process (one with `--workers
    1`) and its socket server."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        found["sockets" if b"sockets" in command else "web"] = int(child)
    return found


def memory_kib(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def call(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict | str]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Host": "demo.localhost",
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in kind else raw.decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "pishkhan.settings"}
    if "DATABASE_URL" not in env:
        env["PISHKHAN_DATA_DIR"] = tempfile.mkdtemp(prefix="pishkhan-bench-")
    env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="pishkhan-bench-metrics-")
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    command = [sys.executable, "-m", "pishkhan.cli"]
    for step in (["migrate"], ["demo"]):
        subprocess.run([*command, *step], env=env, check=True, capture_output=True)  # noqa: S603
    port = free_port()
    web = subprocess.Popen(  # noqa: S603
        [
            *(*command, "serve", "--no-worker", "--no-migrate"),
            *("--port", str(port), "--socket-port", str(free_port())),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(  # noqa: S603
        [*command, "worker", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while call(port, "GET", "/livez")[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        served = serve_processes(web.pid)
        at_start = {name: memory_kib(pid) for name, pid in served.items()}
        at_start["worker"] = memory_kib(worker.pid)
        departments = call(port, "GET", "/api/v1/departments")[1]
        plain = next(d for d in departments if not any(f["required"] for f in d["fields"]))
        numbers = [t["number"] for t in call(port, "GET", "/api/v1/tickets")[1]["items"]]
        rng = random.Random(1405)  # noqa: S311 - a reproducible mix, not a secret
        # Customers of this run only: a second run's requests would repeat the first run's open
        # tickets, which the duplicate rule (T-4) rightly refuses.
        run = int(time.time())

        def one(i: int) -> int:
            kind = i % 8
            if kind == 0:
                return call(
                    port,
                    "POST",
                    "/api/v1/tickets",
                    {
                        "department_id": plain["id"],
                        "subject": f"درخواست پشتیبانی شماره {i}",
                        "body": "سرویس میزبانی من از صبح امروز در دسترس نیست، لطفاً بررسی کنید. "
                        f"شماره پیگیری {i}",
                        "customer": {"name": f"مشتری {i}", "email": f"rss{run}-{i}@example.ir"},
                    },
                )[0]
            if kind in (1, 2):
                status = rng.choice(["new", "open", "waiting", "closed"])
                return call(port, "GET", f"/api/v1/tickets?status={status}&sort=-updated")[0]
            if kind == 3:
                return call(port, "GET", f"/api/v1/tickets/{rng.choice(numbers)}/messages")[0]
            if kind == 4:
                word = rng.choice(["دامنه", "سرور", "ایمیل", "هاست", "DNS"])
                return call(port, "GET", f"/api/v1/search?q={urllib.parse.quote(word)}")[0]
            if kind == 5:
                return call(port, "GET", "/help/")[0]
            return call(port, "GET", f"/api/v1/tickets/{rng.choice(numbers)}")[0]

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(one, range(REQUESTS)))
        took = time.monotonic() - started
        # Let the worker run what the new tickets queued (mail, SLA plans, surveys).
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            health = call(port, "GET", "/healthz")[1]
            if isinstance(health, dict) and health["checks"]["jobs"]["ready"] == 0:
                break
            time.sleep(1)
        at_end = {name: memory_kib(pid) for name, pid in served.items()}
        at_end["worker"] = memory_kib(worker.pid)
    finally:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    failures = sum(1 for status in statuses if status not in (200, 201))
    print(
        json.dumps(
            {
                "bench": "rss",
                "database": env.get("DATABASE_URL", "sqlite").split("@")[-1],
                "requests": REQUESTS,
                "failed": failures,
                "seconds": round(took, 1),
                "web_rss_start_mib": round(at_start["web"]["VmRSS"] / 1024, 1),
                "web_peak_rss_mib": round(at_end["web"]["VmHWM"] / 1024, 1),
                "sockets_rss_start_mib": round(at_start["sockets"]["VmRSS"] / 1024, 1),
                "sockets_peak_rss_mib": round(at_end["sockets"]["VmHWM"] / 1024, 1),
                "worker_rss_start_mib": round(at_start["worker"]["VmRSS"] / 1024, 1),
                "worker_peak_rss_mib": round(at_end["worker"]["VmHWM"] / 1024, 1),
                "load_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
