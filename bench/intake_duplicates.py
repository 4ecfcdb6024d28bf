"""T-4 at submission: the duplicate rule against a customer with 1,000 open tickets, measured as
the intake runs it (load the customer's open tickets' fingerprints from the database, rank them),
and the whole `ticket_submit` for context. Prints one JSON line.

    python bench/intake_duplicates.py                      # SQLite in a throw-away directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/intake_duplicates.py

The PostgreSQL database is created if missing and migrated; each run adds its own tenant
(`bench<timestamp>`), so use a database kept for benchmarks."""

import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _postgres import ensure_database  # noqa: E402 (bench/ is on the path of its scripts)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["PISHKHAN_DATA_DIR"] = tempfile.mkdtemp(prefix="pishkhan-bench-")

OPEN_TICKETS = 1000
SUBMISSIONS = 200


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.services import staff_user_create
    from pishkhan.core import similarity
    from pishkhan.policies import checks
    from pishkhan.policies.services import rule_settings_update
    from pishkhan.tenancy.models import Role
    from pishkhan.tenancy.services import membership_grant, tenant_create
    from pishkhan.tickets import intake
    from pishkhan.tickets.models import Ticket, TicketCounter
    from pishkhan.tickets.services import department_create, ticket_submit

    slug = f"bench{int(time.time())}"
    tenant = tenant_create(slug=slug, name="bench")
    owner = staff_user_create(
        email=f"owner@{slug}.example", password=secrets.token_urlsafe(), full_name="o"
    )
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    # Flag rather than refuse, so every submission runs every rule and is accepted.
    rule_settings_update(tenant=tenant, actor=owner, duplicates="flag", persian_only="flag")
    department = department_create(tenant=tenant, actor=owner, name="پشتیبانی فنی")
    customer = Customer.objects.create(tenant=tenant, name="مشتری", email=f"c@{slug}.example")

    texts = _texts()
    now = time.time()
    from django.utils import timezone

    stamp = timezone.now()
    Ticket.objects.bulk_create(
        [
            Ticket(
                tenant=tenant,
                number=n + 1,
                department=department,
                customer=customer,
                subject=subject[:200],
                status="open",
                fingerprint=similarity.fingerprint(subject, body),
                created_at=stamp,
                updated_at=stamp,
            )
            for n, (subject, body) in enumerate(texts[i % len(texts)] for i in range(OPEN_TICKETS))
        ],
        batch_size=500,
    )
    TicketCounter.objects.update_or_create(tenant=tenant, defaults={"last_number": OPEN_TICKETS})
    seeded_s = time.time() - now

    check_ms = []
    for i in range(SUBMISSIONS):
        subject, body = texts[(i * 7) % len(texts)]
        submission = intake.Submission(
            tenant=tenant,
            customer=customer,
            department=department,
            subject=subject,
            body=body + f" ({i})",
            fields={},
            priority="normal",
            channel="api",
            actor=None,
            fingerprint=similarity.fingerprint(subject, body + f" ({i})"),
        )
        start = time.perf_counter()
        checks.duplicates(submission)
        check_ms.append((time.perf_counter() - start) * 1000)

    submit_ms = []
    for i in range(50):
        subject, body = texts[(i * 11) % len(texts)]
        start = time.perf_counter()
        ticket_submit(
            tenant=tenant,
            customer=customer,
            department=department,
            subject=subject[:200],
            body=body,
            channel="api",
            actor=owner,
            via="api",
        )
        submit_ms.append((time.perf_counter() - start) * 1000)

    vendor = connection.vendor
    print(
        json.dumps(
            {
                "bench": "intake_duplicates",
                "database": vendor,
                "platform": platform.platform(),
                "cpu_count": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "open_tickets_of_the_customer": OPEN_TICKETS,
                "seed_seconds": round(seeded_s, 1),
                "duplicate_check_ms_median": round(statistics.median(check_ms), 2),
                "duplicate_check_ms_p99": round(_p99(check_ms), 2),
                "ticket_submit_ms_median": round(statistics.median(submit_ms), 2),
                "ticket_submit_ms_p99": round(_p99(submit_ms), 2),
            },
            ensure_ascii=False,
        )
    )


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _texts() -> list[tuple[str, str]]:
    """Requests from the labelled duplicate set (both sides of every pair)."""
    rows = []
    with open(ROOT / "tests" / "data" / "duplicates.jsonl", encoding="utf-8") as lines:
        for line in lines:
            pair = json.loads(line)
            for side in ("a", "b"):
                rows.append((pair[side]["subject"], pair[side]["body"]))
    return rows


if __name__ == "__main__":
    main()
