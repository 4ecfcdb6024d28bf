"""Issue 8: tickets created through the real API — token auth and the whole intake path (support
rules, SLA clocks, search index, jobs enqueued) — at concurrency 8 against a `pishkhan serve
--no-worker` process, and in the same run the trivial `GET /livez` of that server; the ratio of
the two is what our intake costs over the bare stack. Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/api_create.py
    ... --workers 2 --seconds 20 --concurrency 8

The load comes from `wrk` (C, two threads), so the client takes little of the machine's CPU
from the server. Each ticket is filed for a customer of its own (created before the run), with
Persian text from the duplicate corpus, so the duplicate rule (T-4) runs and finds nothing to
refuse. Jobs (notifications, SLA checks) are enqueued as in production, not run. Each run adds
its own tenant (`api<timestamp>`). Without DATABASE_URL it runs on SQLite in a throw-away
directory."""

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import _cpu  # noqa: E402 (bench/ is on the path of its scripts)
from _postgres import ensure_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("PISHKHAN_DATA_DIR", tempfile.mkdtemp(prefix="pishkhan-bench-"))

CORPUS = ROOT / "tests" / "data" / "duplicates.jsonl"
# Customers made before the run: one per ticket; the load wraps round only past this many.
CUSTOMERS = 30_000
WARM_CUSTOMERS = 2_000

# wrk's script for creations: `request()` (REQUEST_LUA here, or another bench's) makes the
# i-th request; this counts the answers by kind in each thread and prints one JSON line.
COUNTING_LUA = r"""
-- Globals, not locals: wrk's thread:get() and thread:set() reach only globals.
counter, ok, refused, failed, tid = 0, 0, 0, 0, 0
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  offset = tonumber(args[1] or "0")
  step = tonumber(args[2] or "1")
end

-- the request --

function response(status, headers, body)
  if status == 201 then ok = ok + 1
  elseif status >= 500 then failed = failed + 1
  else refused = refused + 1 end
end

function done(summary, latency, requests)
  local created, other, broken = 0, 0, 0
  for _, thread in ipairs(threads) do
    created = created + thread:get("ok")
    other = other + thread:get("refused")
    broken = broken + thread:get("failed")
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "created": %d, "other": %d, "failed": %d, '
      .. '"p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, created, other, broken,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

REQUEST_LUA = r"""
local ids = {%(ids)s}
local bodies = {%(bodies)s}

function request()
  local i = offset + tid + step * counter
  counter = counter + 1
  local customer = ids[(i %% #ids) + 1]
  local body = string.format(bodies[(i %% #bodies) + 1], i, customer)
  return wrk.format("POST", "/api/v1/tickets", nil, body)
end
"""


def counting_script(request: str) -> str:
    """wrk's script for creations with `request` (Lua: its values and its request())."""
    return COUNTING_LUA.replace("-- the request --", request.strip())


LIVEZ_LUA = r"""
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
      + summary.errors.status))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _texts() -> list[tuple[str, str]]:
    """(subject, body) pairs in Persian: both sides of each pair of the corpus."""
    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pair = json.loads(line)
            texts += [(pair[side]["subject"], pair[side]["body"]) for side in ("a", "b")]
    # The corpus also holds English requests, which the Persian-only rule (T-7) refuses.
    from pishkhan.core.language import check_persian

    return [(s, b) for s, b in texts if check_persian(f"{s}\n{b}").is_persian]


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _body_templates(department_id: int) -> list[str]:
    """JSON bodies with `%d` for the customer and the request's index (printf, in Lua)."""
    templates = []
    for subject, body in _texts():
        encoded = json.dumps(
            {
                "department_id": department_id,
                "subject": subject[:150] + " ",
                "body": body,
                "customer_id": 0,
            },
            ensure_ascii=False,
        )
        encoded = encoded.replace("%", "%%")
        encoded = encoded.replace('"customer_id": 0', '"customer_id": %d')
        encoded = encoded.replace(' ", "body"', ' #%d", "body"', 1)
        templates.append(encoded)
    return templates


def _setup(customers: int):
    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.services import staff_user_create
    from pishkhan.core import clock
    from pishkhan.tenancy.models import Role
    from pishkhan.tenancy.services import api_token_create, membership_grant, tenant_create
    from pishkhan.tickets.services import department_create

    slug = f"api{int(time.time())}"
    tenant = tenant_create(slug=slug, name="bench")
    owner = staff_user_create(
        email=f"owner@{slug}.example", password=secrets.token_urlsafe(), full_name="مدیر"
    )
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    department = department_create(tenant=tenant, actor=owner, name="پشتیبانی فنی")
    _token, raw = api_token_create(tenant=tenant, user=owner, name="bench")
    now = clock.now()
    # Made in bulk: the customers are the data the run needs, not what it measures.
    made = Customer.objects.bulk_create(
        Customer(
            tenant=tenant,
            name=f"مشتری {index}",
            email=f"c{index}@{slug}.example",
            created_at=now,
            updated_at=now,
        )
        for index in range(customers)
    )
    ids = [customer.pk for customer in made]
    if not all(ids):
        ids = list(
            Customer.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True)
        )
    return tenant, department, raw, ids


def _statements_per_ticket(tenant, department, token: str, customer_ids) -> tuple[int, int]:
    """What one creation asks of the database, counted in this process through the same API
    (the third one: the tenant's first ticket also creates its counter and SLA defaults, and
    the second reads the settings a process then keeps): (statements, round trips), besides
    the transaction's BEGIN and COMMIT. New rows sent in a pipeline with the statement that
    carries them (pishkhan.deferred_writes) are statements of their own but no round trip of
    their own."""
    from django.db import connection
    from django.test import Client
    from psycopg import pq

    client = Client(HTTP_X_TENANT=tenant.slug, HTTP_AUTHORIZATION=f"Bearer {token}")
    subject, body = _texts()[0]
    payload = {"department_id": department.pk, "subject": subject, "body": body}
    piped: list[bool] = []  # per statement of the last creation: sent inside a pipeline

    def record(execute, sql, params, many, context):
        raw = context["connection"].connection
        on = (
            connection.vendor == "postgresql"
            and raw.pgconn.pipeline_status != pq.PipelineStatus.OFF
        )
        piped.append(on)
        return execute(sql, params, many, context)

    for customer_id in customer_ids:
        piped.clear()
        with connection.execute_wrapper(record):
            response = client.post(
                "/api/v1/tickets",
                data=json.dumps({**payload, "customer_id": customer_id}, ensure_ascii=False),
                content_type="application/json",
            )
        if response.status_code != 201:
            raise SystemExit(f"creation failed: {response.status_code} {response.content[:300]!r}")
    # A statement seen inside a pipeline went with the one that opened it.
    return len(piped), piped.count(False)


def _cpu_now(server_pid: int) -> tuple[float, float] | None:
    """CPU seconds so far of the server's processes and of PostgreSQL's (0 when it runs
    elsewhere); None without /proc."""
    if not _cpu.available():
        return None
    return _cpu.tree_seconds(server_pid), _cpu.command_seconds("postgres")


def _wait_ready(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/livez", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not answer /livez")


def _wrk(script: Path, url: str, *, seconds: float, concurrency: int, headers, args=()) -> dict:
    command = [
        "wrk",
        "-t",
        str(min(2, concurrency)),
        "-c",
        str(concurrency),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for header in headers:
        command += ["-H", header]
    command += [url, "--", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="passed to pishkhan serve")
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--server-log", help="write the server's output to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian package `wrk`)")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    tenant, department, token, ids = _setup(args.customers + WARM_CUSTOMERS + 3)
    statements, round_trips = _statements_per_ticket(tenant, department, token, ids[-3:])
    warm_ids, ids = ids[-WARM_CUSTOMERS - 3 : -3], ids[: -WARM_CUSTOMERS - 3]
    vendor = connection.vendor
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="pishkhan-bench-wrk-"))
    templates = ",\n".join(_lua_string(t) for t in _body_templates(department.pk))

    def script(name: str, customer_ids) -> Path:
        path = work / name
        path.write_text(
            counting_script(
                REQUEST_LUA % {"ids": ",".join(map(str, customer_ids)), "bodies": templates}
            ),
            encoding="utf-8",
        )
        return path

    create_script, warm_script = script("create.lua", ids), script("warm.lua", warm_ids)
    livez_script = work / "livez.lua"
    livez_script.write_text(LIVEZ_LUA, encoding="utf-8")

    log = open(args.server_log, "wb") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pishkhan.cli",
            "serve",
            "--no-worker",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--socket-port",
            str(_free_port()),
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    headers = [
        f"X-Tenant: {tenant.slug}",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
    ]
    try:
        _wait_ready(base, server)
        # Every server process loads its code and opens its connections before the clock runs.
        warm = max(2.0, args.workers * 1.5)
        _wrk(livez_script, base + "/livez", seconds=warm, concurrency=args.concurrency, headers=[])
        _wrk(
            warm_script,
            base,
            seconds=warm,
            concurrency=args.concurrency,
            headers=headers,
            args=(0, min(2, args.concurrency)),
        )
        cpu_before = _cpu_now(server.pid)
        created = _wrk(
            create_script,
            base,
            seconds=args.seconds,
            concurrency=args.concurrency,
            headers=headers,
            args=(0, min(2, args.concurrency)),
        )
        cpu_after = _cpu_now(server.pid)
        livez = _wrk(
            livez_script,
            base + "/livez",
            seconds=args.seconds,
            concurrency=args.concurrency,
            headers=[],
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    from pishkhan.search.models import SearchDocument
    from pishkhan.sla.models import SlaClock
    from pishkhan.tickets.models import Ticket

    tickets = Ticket.objects.filter(tenant=tenant).count()
    # CPU per ticket created during the measured run: the server's processes, and PostgreSQL's
    # when it runs on this machine (None otherwise).
    cpu_per_ticket = None
    if cpu_before is not None and created["created"]:
        web_ms, database_ms = (
            (after - before) * 1000 / created["created"]
            for before, after in zip(cpu_before, cpu_after, strict=True)
        )
        cpu_per_ticket = {"web": round(web_ms, 2), "database": round(database_ms, 2) or None}
    tickets_per_s = created["created"] / created["seconds"]
    livez_per_s = livez["requests"] / livez["seconds"]
    print(
        json.dumps(
            {
                "bench": "api_create",
                "database": vendor,
                "server_workers": args.workers,
                "concurrency": args.concurrency,
                "seconds": args.seconds,
                "tickets_created": created["created"],
                "refused_4xx": created["other"],
                "failed_5xx": created["failed"],
                "socket_errors": created["errors"],
                "tickets_per_s": round(tickets_per_s, 1),
                "p50_ms": round(created["p50_us"] / 1000, 2),
                "p99_ms": round(created["p99_us"] / 1000, 2),
                "livez_per_s": round(livez_per_s, 1),
                "livez_p50_ms": round(livez["p50_us"] / 1000, 2),
                "livez_p99_ms": round(livez["p99_us"] / 1000, 2),
                "livez_errors": livez["errors"],
                "intake_overhead_ratio": round(livez_per_s / tickets_per_s, 1)
                if tickets_per_s
                else None,
                "statements_per_ticket": statements,
                "round_trips_per_ticket": round_trips,
                "cpu_ms_per_ticket": cpu_per_ticket,
                "tenant_tickets_in_db": tickets,
                "tenant_sla_clocks": SlaClock.objects.filter(tenant=tenant).count(),
                "tenant_search_documents": SearchDocument.objects.filter(
                    tenant=tenant, kind="ticket"
                ).count(),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
