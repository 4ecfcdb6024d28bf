"""Issue 6: agent search at scale. Seeds (bench/seed.py) tickets with their threads and
customers across many tenants, one of them large, and articles as search documents; then runs
mixed queries in the large tenant through `search.desk.desk_search` (the search page's and the
API's path: engine, ticket-number shortcut, the objects behind the hits, snippets) and reports
p50 and p99. Target: p99 < 100 ms on PostgreSQL at 1,000,000 tickets.

Query mix (as agents type): single words and two-word searches from the request texts, half of
them retyped on an Arabic keyboard (ي/ك) or with a space for the half-space; prefixes; a word
with one letter missing (a typo); ticket numbers in Persian digits; customer emails and phone
numbers as typed (+98 …).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/search.py \\
        --tickets 1000000 --tenants 100 --large 200000 --articles 100000
    ... --reuse b123456-0     # measure a tenant seeded earlier, without seeding again
Timings are wall clock: run on an otherwise idle machine. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed as seeding  # noqa: E402

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def queries(tenant, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(category, query) pairs drawn from the tenant's own data."""
    from pishkhan.accounts.models import Customer
    from pishkhan.search.text import STOPWORDS
    from pishkhan.tickets.models import Ticket

    texts = seeding.Texts(rng)
    words = sorted(
        {
            w
            for s in texts.sentences + texts.subjects
            for w in s.split()
            if len(w) >= 4 and w.isalpha() and w not in STOPWORDS
        }
    )
    last = Ticket.objects.filter(tenant=tenant).order_by("-number").values_list("number", flat=True)
    top = last.first() or 1
    customers = list(
        Customer.objects.filter(tenant=tenant).order_by("?").values_list("email", "phone")[:50]
    )
    made: list[tuple[str, str]] = []
    kinds = ["word"] * 6 + ["two_words"] * 4 + ["prefix", "typo", "number", "email", "phone"]
    kinds += ["arabic_keyboard"] * 3
    while len(made) < count:
        kind = rng.choice(kinds)
        word = rng.choice(words)
        if kind == "word":
            query = word
        elif kind == "two_words":
            sentence = rng.choice(texts.sentences).split()
            at = rng.randrange(max(1, len(sentence) - 1))
            query = " ".join(sentence[at : at + 2])
        elif kind == "arabic_keyboard":
            query = word.translate(seeding.ARABIC_KEYBOARD).replace("\u200c", " ")
        elif kind == "prefix":
            query = word[: max(3, len(word) - 2)]
        elif kind == "typo":
            at = rng.randrange(1, len(word) - 1)
            query = word[:at] + word[at + 1 :]
        elif kind == "number":
            query = str(rng.randint(1, top)).translate(PERSIAN_DIGITS)
        elif kind == "email":
            query = rng.choice(customers)[0]
        else:
            phone = rng.choice(customers)[1]
            query = f"+98 {phone[1:4]} {phone[4:7]} {phone[7:]}"
        made.append((kind, query))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--large", type=int, default=4_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument("--reuse", help="slug of a large tenant seeded before: skip seeding")
    args = parser.parse_args()
    seeding.setup()

    from django.db import connection

    from pishkhan.search.desk import desk_search
    from pishkhan.search.models import SearchDocument
    from pishkhan.tenancy.models import Tenant
    from pishkhan.tickets.models import Ticket

    seeded = None
    if args.reuse:
        slug = args.reuse
    else:
        seeded = seeding.seed(
            tickets=args.tickets,
            tenants=args.tenants,
            large=args.large,
            articles=args.articles,
            seed_value=args.seed,
        )
        slug = seeded["large"]
    tenant = Tenant.objects.get(slug=slug)
    rng = random.Random(args.seed)
    mix = queries(tenant, args.queries + 20, rng)
    for _kind, query in mix[:20]:  # warm the caches and the connection
        desk_search(tenant=tenant, query=query)
    timings: list[float] = []
    by_kind: dict[str, list[float]] = {}
    found = 0
    for kind, query in mix[20:]:
        started = time.perf_counter()
        page = desk_search(tenant=tenant, query=query)
        elapsed = (time.perf_counter() - started) * 1000
        timings.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
        found += bool(page.results or page.ticket)
    result = {
        "bench": "search",
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "machine": platform.machine(),
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(),
        },
        "database": connection.vendor,
        "large_tenant": slug,
        "data": {
            # The whole database: a run on a database seeded before counts those rows too.
            "tickets": Ticket.objects.count(),
            "tenants": Tenant.objects.count(),
            "large_tenant_tickets": Ticket.objects.filter(tenant=tenant).count(),
            "documents": SearchDocument.objects.count(),
            "articles": SearchDocument.objects.filter(kind="article").count(),
        },
        "seed_seconds": seeded["seconds"] if seeded else None,
        "queries": len(timings),
        "queries_with_results": found,
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "max_ms": round(max(timings), 1),
        "p99_ms_by_kind": {k: round(percentile(v, 0.99), 1) for k, v in sorted(by_kind.items())},
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
