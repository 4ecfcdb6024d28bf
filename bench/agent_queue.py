"""Issue 8: the agent queue at scale. Opens the queue page (HTML, a logged-in agent) and the
ticket list API (token) at the largest tenant of a seeded database and at a tenant of about a
hundred tickets, with the same mix of filters, and reports p50/p99 of each side by side.
Target: p99 < 50 ms at the 200,000-ticket tenant of a 1,000,000-ticket database.

Mix: status sets (the default open ones, one status, closed, all), a department (the seeded
one, holding every ticket, and an empty one), assigned to me / unassigned, every sort, the
second page through the first page's cursor, and searches (a word, two words, a ticket
number).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/agent_queue.py
    ... --large b123456-0 --small b123457-0 --requests 200

Without --large the tenant with the most tickets is measured. Without --small a tenant of
50-500 tickets is used, or one of 100 tickets is seeded (bench/seed.py). The first run also
writes a little of what the seed leaves out: an agent (queue-bench@example.ir) in both
tenants, a few hundred tickets assigned to them, an empty department (and SLA due times on a
thousand open tickets of a database seeded before the seed wrote SLA clocks). Requests go
through Django's test client (the whole middleware stack, no network). Timings are wall
clock: run on an otherwise idle machine. Prints one JSON line.

Not named queue.py: a script run from this folder has the folder first on its import path,
where a queue.py would stand in for the standard library's `queue` (psycopg imports it).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed as seeding  # noqa: E402

AGENT_EMAIL = "queue-bench@example.ir"
ASSIGNED = 400  # tickets assigned to the agent in the large tenant (a tenth of it in the small)
DUE = 1000  # open tickets given an SLA due time in the large tenant


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def tickets_of(tenant) -> int:
    from pishkhan.tickets.models import TicketCounter

    row = TicketCounter.objects.filter(tenant=tenant).values_list("last_number", flat=True)
    return row.first() or 0


def large_tenant(slug: str | None):
    """The tenant of `slug`, or else the one with the most tickets."""
    from pishkhan.tenancy.models import Tenant
    from pishkhan.tickets.models import TicketCounter

    if slug:
        return Tenant.objects.get(slug=slug)
    return TicketCounter.objects.select_related("tenant").order_by("-last_number").first().tenant


def pick_tenants(large_slug: str | None, small_slug: str | None):
    from pishkhan.tenancy.models import Tenant
    from pishkhan.tickets.models import TicketCounter

    counters = TicketCounter.objects.select_related("tenant")
    large = large_tenant(large_slug)
    if small_slug:
        small = Tenant.objects.get(slug=small_slug)
    else:
        found = (
            counters.filter(last_number__gte=50, last_number__lte=500)
            .exclude(tenant__slug__in=["alpha", "beta"])
            .order_by("tenant_id")
            .first()
        )
        if found is not None:
            small = found.tenant
        else:
            made = seeding.seed(tickets=100, tenants=1, large=100, articles=0, seed_value=8)
            small = Tenant.objects.get(slug=made["large"])
    return large, small


def prepare(tenant, share: float):
    """The agent, their seat, their tickets and an empty department in `tenant` (once)."""
    from django.db import transaction

    from pishkhan.accounts.models import User
    from pishkhan.accounts.services import staff_user_create
    from pishkhan.core import clock
    from pishkhan.tenancy.models import Membership, Role
    from pishkhan.tenancy.services import api_token_create, membership_grant
    from pishkhan.tickets.models import Department, Ticket

    with transaction.atomic():
        agent = User.objects.filter(email=AGENT_EMAIL).first()
        if agent is None:
            agent = staff_user_create(
                email=AGENT_EMAIL, password=secrets.token_urlsafe(), full_name="صف آزمون"
            )
        if not Membership.objects.filter(tenant=tenant, user=agent).exists():
            membership_grant(tenant=tenant, user=agent, role=Role.AGENT)
        empty, _new = Department.objects.get_or_create(
            tenant=tenant, name="واحد بی‌تیکت", defaults={"name_en": "Empty"}
        )
        tickets = Ticket.objects.filter(tenant=tenant)
        if not tickets.filter(assignee=agent).exists():
            count = max(1, int(ASSIGNED * share))
            picked = list(tickets.order_by("number").values_list("pk", flat=True)[::97][:count])
            Ticket.objects.filter(pk__in=picked).update(assignee=agent)
        open_ = tickets.filter(status__in=["new", "open", "waiting"])
        if not open_.filter(sla_due_at__isnull=False).exists():
            now = clock.now()
            picked = list(open_.order_by("number").values_list("pk", flat=True)[::53])
            for n, pk in enumerate(picked[: max(1, int(DUE * share))]):
                # Spread over the next days, several sharing a due time as business hours do.
                due = now + timedelta(minutes=30 * (n % 200))
                Ticket.objects.filter(pk=pk).update(sla_due_at=due)
        _token, raw = api_token_create(tenant=tenant, user=agent, name="queue bench")
    return agent, empty, raw


def words_of(tenant, rng: random.Random) -> tuple[str, str]:
    """A word and a two-word phrase from the tenant's own subjects."""
    from pishkhan.tickets.models import Ticket

    top = tickets_of(tenant)
    subjects = []
    for _ in range(20):
        row = (
            Ticket.objects.filter(tenant=tenant, number=rng.randint(1, max(1, top)))
            .values_list("subject", flat=True)
            .first()
        )
        if row:
            subjects.append(row)
    words = [w for s in subjects for w in s.split() if len(w) >= 4 and w.isalpha()]
    word = rng.choice(words) if words else "سرور"
    split = rng.choice(subjects).split() if subjects else ["سرور", "ایمیل"]
    return word, " ".join(split[:2])


def mix(department_id: int, empty_id: int, word: str, phrase: str, number: int) -> list[dict]:
    """The filter sets measured, as query parameters (lists repeat the parameter)."""
    return [
        {},
        {"status": ["new"]},
        {"status": ["open", "waiting"], "sort": "created"},
        {"status": ["closed"], "sort": "-number"},
        {"status": ["new", "open", "waiting", "resolved", "closed"], "sort": "-updated"},
        {"assignee": "me"},
        {"assignee": "none", "sort": "priority"},
        {"department": department_id, "sort": "due"},
        {"department": empty_id},
        {"sort": "-created"},
        {"sort": "number"},
        {"sort": "due"},
        {"priority": ["urgent"], "sort": "priority"},
        {"q": word},
        {"q": phrase},
        {"q": f"#{number}"},
        {"page2": True},
        {"page2": True, "sort": "due"},
        {"page2": True, "sort": "priority", "status": ["new", "waiting"]},
        {"page2": True, "assignee": "me", "sort": "-updated"},
    ]


def api_params(variant: dict, agent_id: int) -> dict:
    params = {k: v for k, v in variant.items() if k != "page2"}
    if params.get("assignee") == "me":
        params["assignee"] = agent_id
    elif params.get("assignee") == "none":
        del params["assignee"]
        params["unassigned"] = "true"
    if "status" not in params:
        params["status"] = ["new", "open", "waiting"]  # what the queue shows by default
    return params


def measure_tenant(tenant, share: float, count: int, rng: random.Random) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pishkhan.accounts.middleware import SESSION_TENANT_KEY
    from pishkhan.tickets.models import Department

    agent, empty, token = prepare(tenant, share)
    department = Department.objects.filter(tenant=tenant).exclude(pk=empty.pk).order_by("pk")[0]
    word, phrase = words_of(tenant, rng)
    variants = mix(department.pk, empty.pk, word, phrase, rng.randint(1, tickets_of(tenant)))
    host = f"{tenant.slug}.localhost"
    browser = Client(HTTP_HOST=host)
    browser.force_login(agent)
    session = browser.session
    session[SESSION_TENANT_KEY] = tenant.pk
    session.save()
    api = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")

    requests: list[tuple[str, str, dict]] = []
    for variant in variants:
        params = api_params(variant, agent.pk)
        page = {k: v for k, v in variant.items() if k != "page2"}
        if variant.get("page2"):
            first = api.get("/api/v1/tickets", params).json()
            cursor = first.get("next_cursor")
            if cursor:
                params["cursor"] = cursor
                page["after"] = cursor
        requests.append(("page", "/agent/", page))
        requests.append(("api", "/api/v1/tickets", params))

    most_queries = {"page": 0, "api": 0}
    for kind, path, params in requests:  # warm up, and check every request answers
        client = browser if kind == "page" else api
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, params)
        if response.status_code != 200:
            raise SystemExit(f"{kind} {params}: {response.status_code}")
        most_queries[kind] = max(most_queries[kind], len(queries))

    # (milliseconds, asked words of the search index) per kind
    timings: dict[str, list[tuple[float, bool]]] = {"page": [], "api": []}
    order = [r for r in requests if r[0] == "page"]
    api_order = [r for r in requests if r[0] == "api"]
    for n in range(count):
        for kind, path, params in (order[n % len(order)], api_order[n % len(api_order)]):
            client = browser if kind == "page" else api
            started = time.perf_counter()
            client.get(path, params)
            words = bool(params.get("q")) and not str(params["q"]).startswith("#")
            timings[kind].append(((time.perf_counter() - started) * 1000, words))

    def summary(rows: list[tuple[float, bool]], kind: str) -> dict:
        values = [ms for ms, _words in rows]
        # The word searches cost what the search index costs; the rest is the queue's own.
        own = [ms for ms, words in rows if not words]
        return {
            "p50_ms": round(statistics.median(values), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
            "without_word_search": {
                "p50_ms": round(statistics.median(own), 1),
                "p99_ms": round(percentile(own, 0.99), 1),
            },
            "word_search_p50_ms": round(
                statistics.median([ms for ms, words in rows if words] or [0]), 1
            ),
            "queries_max": most_queries[kind],
        }

    return {
        "tenant_tickets": tickets_of(tenant),
        "page": summary(timings["page"], "page"),
        "api": summary(timings["api"], "api"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", help="slug of the large tenant (default: the largest)")
    parser.add_argument("--small", help="slug of a tenant of about 100 tickets")
    parser.add_argument("--requests", type=int, default=200, help="per tenant and kind")
    args = parser.parse_args()
    seeding.setup()
    from django.db import connection
    from django.db.models import Sum

    from pishkhan.tickets.models import TicketCounter

    rng = random.Random(1405)
    large, small = pick_tenants(args.large, args.small)
    result = {
        "bench": "queue",
        "database": connection.vendor,
        "db_tickets": TicketCounter.objects.aggregate(n=Sum("last_number"))["n"],
        "requests": args.requests,
        "large": measure_tenant(large, 1.0, args.requests, rng),
        "small": measure_tenant(small, 0.1, args.requests, rng),
        "python": platform.python_version(),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
