"""The customer list and its search at scale (issue 8: every list flat as a tenant grows): the
API's `GET /customers` page — its first page and its count — at the tenant with the most
customers and at a tenant of a few hundred, with the same mix of queries: none, a frequent
first name, a frequent family name, a whole phone, four digits of one, the same four in Persian
digits, an email, a name in Arabic letters, and something nobody has. Prints one JSON line with
p50/p99 per tenant and per query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/customers.py

Run after `bench/seed.py` (whose customers carry their search text). Through the API's own
selector and pagination in-process (no HTTP): what the page costs the database and the ORM.
Timings are wall clock: run on an otherwise idle machine."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed as seeding  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def queries(tenant, rng: random.Random) -> dict[str, str]:
    from pishkhan.accounts.models import Customer
    from pishkhan.core.persian import to_persian_digits

    count = Customer.objects.filter(tenant=tenant).count()
    someone = Customer.objects.filter(tenant=tenant).order_by("id")[rng.randrange(count)]
    return {
        "none": "",
        "first name": "علی",
        "family name": "رضایی",
        "whole phone": someone.phone,
        "four digits": someone.phone[-4:],
        "four Persian digits": to_persian_digits(someone.phone[-4:]),
        "email": someone.email,
        "Arabic letters": "علي",
        "nobody": "ژژژژ",
    }


def measure(tenant, rounds: int, rng: random.Random) -> dict:
    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.selectors import customer_list
    from pishkhan.api.schemas import paginate

    found = {}
    for name, query in queries(tenant, rng).items():
        times, shown, count = [], 0, 0
        for _ in range(rounds):
            started = time.perf_counter()
            items, envelope = paginate(
                customer_list(tenant=tenant, query=query), page=1, page_size=25
            )
            times.append((time.perf_counter() - started) * 1000)
            shown, count = len(items), envelope["count"]
        found[name] = {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(percentile(times, 0.99), 2),
            "shown": shown,
            "count": count,
        }
    return {
        "slug": tenant.slug,
        "customers": Customer.objects.filter(tenant=tenant).count(),
        "queries": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="per tenant and query")
    args = parser.parse_args()
    seeding.setup()
    from django.db import connection
    from django.db.models import Count

    from pishkhan.accounts.models import Customer

    by_size = list(
        Customer.objects.values("tenant_id").annotate(n=Count("id")).order_by("-n", "tenant_id")
    )
    if not by_size:
        raise SystemExit("no customers: run bench/seed.py first")
    small = next((row for row in by_size if 100 <= row["n"] <= 2000), by_size[-1])
    from pishkhan.tenancy.models import Tenant

    rng = random.Random(1405)
    result = {
        "bench": "customers",
        "database": connection.vendor,
        "db_customers": Customer.objects.count(),
        "rounds": args.rounds,
        "large": measure(Tenant.objects.get(pk=by_size[0]["tenant_id"]), args.rounds, rng),
        "small": measure(Tenant.objects.get(pk=small["tenant_id"]), args.rounds, rng),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
        "python": platform.python_version(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
