"""The production topology as `docs/deploy.md` describes it: two web processes and two job
workers on one PostgreSQL database and one Redis, started with the real `pishkhan` command. A
customer's ticket goes in through one web process and is answered through the other; numbers
stay gap-free under concurrent creation through both; every notification job runs exactly once;
`/metrics` of either process counts the requests of both."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.smtp import SmtpServer, free_port

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

# The topology is PostgreSQL + Redis; the embedded single process (SQLite, in-memory layer) is
# what tests/test_cli.py starts. Without both parts there is nothing to run this against.
pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="needs PostgreSQL and Redis (the production parts); the SQLite run has no topology",
)

TOKEN = "pk_demo_hosting_local_only"  # the demo tenant's API token
# From seed 002: "all customers must send their support requests in Persian …"
REQUEST = (
    "کلیه مشتریان موظف هستند درخواست های پشتیبانی خود را به زبان و فونت فارسی از سیستم "
    "پشتیبانی ارسال نمایند. سرویس میزبانی شماره {n} از صبح امروز در دسترس نیست."
)


def _call(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
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
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _get_text(port: int, path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:  # not listening yet
        return 0, ""


def _wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.fixture
def topology(tmp_path: Path):
    import psycopg

    name = f"pishkhan_topology_{uuid.uuid4().hex[:8]}"
    server_url = DATABASE_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    smtp = SmtpServer()
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"{server_url}/{name}",
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": f"{name}:",
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    (tmp_path / "metrics").mkdir()
    command = [sys.executable, "-m", "pishkhan.cli"]
    processes: list[subprocess.Popen] = []
    try:
        # Production migrates once, then starts the servers with --no-migrate.
        for step in (["migrate"], ["demo"]):
            done = subprocess.run(  # noqa: S603
                [*command, *step], env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr
        webs = [free_port(), free_port()]
        # B starts as production does. A as one host on its own would: it migrates at start
        # (nothing to do by then, but it has used the database before its two HTTP processes
        # start, and they must not share its connections).
        starts = (["--workers", "2"], ["--no-migrate"])
        for port, start in zip(webs, starts, strict=True):
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        *(*command, "serve", "--no-worker", *start),
                        *("--port", str(port), "--socket-port", str(free_port())),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for _ in range(2):
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [*command, "worker", "--no-startup-delay"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in webs:
            _wait_until(lambda p=port: _get_text(p, "/livez")[0] == 200, 90, "web process")
        yield webs, smtp
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_web_processes_and_two_workers_behave_as_one(topology):
    (web_a, web_b), smtp = topology

    # Both processes are healthy and share the Redis channel layer.
    for port in (web_a, web_b):
        status, text = _get_text(port, "/healthz")
        report = json.loads(text)
        assert status == 200, report
        assert report["checks"]["channel_layer"]["backend"] == "RedisChannelLayer"
        assert report["checks"]["database"]["vendor"] == "postgresql"

    status, department = _call(web_a, "POST", "/api/v1/departments", {"name": "میزبانی ابری"})
    assert status == 201, department

    # Twenty customers file at once, half through each process.
    def submit(n: int) -> tuple[int, dict]:
        return _call(
            (web_a, web_b)[n % 2],
            "POST",
            "/api/v1/tickets",
            {
                "department_id": department["id"],
                "subject": f"قطعی سرویس میزبانی {n}",
                "body": REQUEST.format(n=n),
                "customer": {"name": f"مشتری {n}", "email": f"customer{n}@example.ir"},
            },
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(20)))
    assert all(status == 201 for status, _ in results), results
    numbers = sorted(ticket["number"] for _, ticket in results)
    assert len(set(numbers)) == 20
    assert numbers == list(range(numbers[0], numbers[0] + 20)), "numbers must be gap-free"

    # A ticket filed through A is answered through B and read back through A.
    first = results[0][1]["number"]
    status, _ = _call(
        web_b,
        "POST",
        f"/api/v1/tickets/{first}/messages",
        {"body": "سرویس شما دوباره راه‌اندازی شد؛ لطفاً بررسی کنید."},
    )
    assert status == 201
    status, thread = _call(web_a, "GET", f"/api/v1/tickets/{first}/messages")
    assert status == 200
    assert any("دوباره راه‌اندازی شد" in message["body"] for message in thread)

    # Every job runs once, whichever worker takes it: one "received" mail per customer, and a
    # second one for the customer who was answered.
    def mail_for(address: str) -> int:
        return sum(address in envelope.rcpt_tos for envelope in smtp.handler.envelopes)

    addresses = [f"customer{n}@example.ir" for n in range(20)]
    _wait_until(
        lambda: all(mail_for(a) >= 1 for a in addresses) and mail_for(addresses[0]) >= 2,
        120,
        "the notifications",
    )
    _wait_until(
        lambda: json.loads(_get_text(web_a, "/healthz")[1])["checks"]["jobs"]["ready"] == 0,
        60,
        "an empty job queue",
    )
    time.sleep(2)  # a job run twice would send its mail now
    assert [mail_for(a) for a in addresses] == [2] + [1] * 19

    # Either process's /metrics counts the requests both served.
    status, metrics = _get_text(web_b, "/metrics")
    assert status == 200
    created = sum(
        float(value)
        for value in re.findall(
            r'pishkhan_http_request_duration_seconds_count\{[^}]*method="POST"[^}]*'
            r'route="api/v1/tickets"[^}]*status="2xx"[^}]*\} ([\d.e+]+)',
            metrics,
        )
    )
    assert created == 20
