"""What a customer's rename costs the worker: their tickets' search words rewritten so the new
name finds them (`search.tasks.customer_tickets_reindex`), for a customer with `--tickets` of
the largest tenant's tickets (a reseller filing for its clients). Everything happens in one
transaction that is rolled back, so the seeded data is left as it was. Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
    python bench/customer_rename.py --tickets 10000

Run after `bench/seed.py`. Wall clock, in-process: run on an otherwise idle machine."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agent_queue  # noqa: E402
import seed as seeding  # noqa: E402

NEW_NAME = "بهروز کیانی‌فر"


class _RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    seeding.setup()
    from django.db import transaction

    from pishkhan.accounts.models import Customer
    from pishkhan.search import tasks
    from pishkhan.search.models import SearchDocument
    from pishkhan.tickets.models import Ticket

    tenant = agent_queue.large_tenant(None)
    result: dict = {}
    try:
        with transaction.atomic():
            customer = Customer.objects.filter(tenant=tenant).order_by("pk").first()
            newest = Ticket.objects.filter(tenant=tenant).order_by("-pk")
            ids = list(newest.values_list("pk", flat=True)[: args.tickets])
            Ticket.objects.filter(pk__in=ids).update(customer=customer)
            customer.name = NEW_NAME
            customer.save(update_fields=["name"])
            started = time.perf_counter()
            tasks.customer_tickets_reindex.call(tenant.pk, customer.pk)
            seconds = time.perf_counter() - started
            found = (
                SearchDocument.objects.filter(tenant=tenant, kind="ticket", object_id__in=ids)
                .filter(terms__contains=NEW_NAME.split()[0])
                .count()
            )
            if found != len(ids):
                raise SystemExit(f"only {found} of {len(ids)} tickets carry the new name")
            result = {
                "bench": "customer_rename",
                "tenant_tickets": agent_queue.tickets_of(tenant),
                "customer_tickets": len(ids),
                "seconds": round(seconds, 2),
                "ms_per_ticket": round(seconds * 1000 / max(1, len(ids)), 3),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            }
            raise _RolledBack
    except _RolledBack:
        pass
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
