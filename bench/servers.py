"""Which server `pishkhan serve` should run for HTTP, side by side on the same application,
database and workers, under the same load from `wrk` (Debian package `wrk`):

- `uvicorn-asgi`: uvicorn running the ASGI application (`pishkhan.asgi`), which hands each HTTP
  request from its event loop to a thread running Django's WSGI handler (a2wsgi);
- `granian-asgi`: granian running the same ASGI application;
- `granian-wsgi`: granian running Django's WSGI application (`pishkhan.wsgi`) on its own
  threads — what `pishkhan serve` runs for HTTP (`pishkhan.servers`).

Two endpoints: `/livez` (the server and Django's middleware, no database) and the ticket list
of the API with a token (a real read: auth, tenant, three or four queries). The servers take
turns, `--rounds` times, so a change in the machine's load falls on both alike; the figures
are the median over rounds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench_servers \\
        .venv/bin/python bench/servers.py --workers 1 --duration 8 --rounds 3

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
TOKEN = "pk_demo_hosting_local_only"  # noqa: S105 - the demo tenant's token, demo data only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVERS = ("uvicorn-asgi", "granian-asgi", "granian-wsgi")


def server_command(server: str, port: int, workers: int) -> list[str]:
    if server == "uvicorn-asgi":
        return [
            str(BIN / "uvicorn"), "pishkhan.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--lifespan", "off",
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
    granian = [
        str(BIN / "granian"), "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
    if server == "granian-asgi":
        return [*granian, "--interface", "asgi", "--loop", "uvloop", "pishkhan.asgi:application"]
    # As `pishkhan serve` runs it: WEB_THREADS threads a process, no websockets.
    threads = os.environ.get("WEB_THREADS", "4")
    return [
        *granian, "--interface", "wsgi", "--blocking-threads", threads, "--no-ws",
        "pishkhan.wsgi:application",
    ]  # fmt: skip


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def wrk(url: str, duration: int, connections: int, headers: list[str]) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rate,
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian package wrk)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pishkhan.settings", "PYTHONPATH": str(ROOT)}
    if "DATABASE_URL" not in env:
        env["PISHKHAN_DATA_DIR"] = tempfile.mkdtemp(prefix="pishkhan-bench-")
    # The demo tenants give the API a token and a few hundred rows to list.
    subprocess.run([PYTHON, "-m", "pishkhan.cli", "demo"], env=env, check=True, capture_output=True)  # noqa: S603
    endpoints = {
        "livez": ("/livez", []),
        "api_ticket_list": ("/api/v1/tickets", [f"Authorization: Bearer {TOKEN}"]),
    }
    runs: dict[str, dict[str, list[dict]]] = {}
    for _round in range(args.rounds):
        for server in SERVERS:
            port = free_port()
            process = subprocess.Popen(  # noqa: S603
                server_command(server, port, args.workers),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                wait_ready(port)
                for name, (path, headers) in endpoints.items():
                    url = f"http://127.0.0.1:{port}{path}"
                    headers = [*headers, "Host: demo.localhost"]
                    wrk(url, 2, args.connections, headers)  # warm-up
                    result = wrk(url, args.duration, args.connections, headers)
                    runs.setdefault(server, {}).setdefault(name, []).append(result)
                    print(server, name, result, file=sys.stderr)
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    summary = {
        server: {
            name: {
                key: round(statistics.median(r[key] for r in results), 2)
                for key in ("rps", "p50_ms", "p99_ms", "non_2xx")
            }
            for name, results in by_endpoint.items()
        }
        for server, by_endpoint in runs.items()
    }
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "bench": "servers",
                "database": env.get("DATABASE_URL", "sqlite").split("@")[-1],
                "workers": args.workers,
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "results": summary,
                "load_1min_at_end": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
