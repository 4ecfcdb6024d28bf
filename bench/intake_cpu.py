"""What one ticket created through the API costs in CPU: the web process's (this one: the
request runs through the WSGI application in-process, one after the other, no server, no
network) and PostgreSQL's (every `postgres` process on this machine). Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/intake_cpu.py --tickets 1500

`bench/api_create.py` measures throughput under load, which on a shared 2-core machine drifts
by ±10 % from one run to the next; a change worth a few per cent is lost in that. Sequential
CPU time drifts less: run this for two versions of the code in turn, several times, to see
what a change costs or saves (`CODE=/path/to/other/checkout` imports that checkout instead).
Same request as api_create.py: token auth, a customer of its own per ticket, Persian text,
the whole intake path, jobs enqueued and not run. Each run adds its own tenant."""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("CODE") or Path(__file__).resolve().parent.parent)
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

import _cpu  # noqa: E402
import api_create  # noqa: E402
from _postgres import ensure_database  # noqa: E402

WARM = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1500)
    parser.add_argument(
        "--customers",
        type=int,
        default=0,
        help="customers to make first (at least one per ticket; intake_instructions.py makes "
        "the same number for runs of different lengths)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    tenant, department, token, customers = api_create._setup(
        max(args.customers, WARM + args.tickets)
    )
    bodies = api_create._body_templates(department.pk)
    application = get_wsgi_application()

    def create(index: int) -> None:
        body = (bodies[index % len(bodies)] % (index, customers[index])).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/tickets",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_TENANT": tenant.slug,
            "HTTP_AUTHORIZATION": f"Bearer {token}",
        }
        status: list[str] = []
        answer = b"".join(application(environ, lambda line, headers, *_: status.append(line)))
        if not status[0].startswith("201"):
            raise SystemExit(f"creation failed: {status[0]} {answer[:300]!r}")

    for index in range(WARM):  # code loaded, settings kept, statements prepared
        create(index)
    database_before = _cpu.command_seconds("postgres")
    started, cpu_before = time.perf_counter(), time.process_time()
    for index in range(WARM, WARM + args.tickets):
        create(index)
    web = (time.process_time() - cpu_before) * 1000 / args.tickets
    database = (_cpu.command_seconds("postgres") - database_before) * 1000 / args.tickets
    wall = (time.perf_counter() - started) * 1000 / args.tickets
    print(
        json.dumps(
            {
                "bench": "intake_cpu",
                "code": str(ROOT),
                "tickets": args.tickets,
                "web_cpu_ms_per_ticket": round(web, 3),
                "database_cpu_ms_per_ticket": round(database, 3),
                "wall_ms_per_ticket": round(wall, 3),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
