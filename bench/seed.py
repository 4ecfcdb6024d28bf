"""A reusable generator of help-desk data at scale: tenants, customers, tickets with their
threads and SLA clocks, and the search index of all of them (plus articles as search
documents).

Text is realistic Persian and English: the subjects and bodies of the labelled support requests
in tests/data/duplicates.jsonl, cut into sentences and recombined, with domains, invoice numbers,
phone numbers and emails of their own. A quarter of the Persian text is retyped as an Arabic
keyboard types it (ي, ك), and half-spaces are sometimes spaces, as real requests are.

Fast: ids are allocated up front and rows are streamed with COPY on PostgreSQL (executemany on
SQLite, for small runs); each sentence is normalised once. The index rows are what
`search.services.document_put` would write.

    python bench/seed.py --tickets 20000 --tenants 20 --large 4000 --articles 2000
    DATABASE_URL=postgres://... python bench/seed.py --tickets 1000000 --tenants 100 \\
        --large 200000 --articles 100000
Prints one JSON line (counts and seconds). Each run adds tenants of its own (`b<run>-<n>`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from _postgres import ensure_database  # noqa: E402 (bench/ is on the path of its scripts)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("PISHKHAN_DATA_DIR", tempfile.mkdtemp(prefix="pishkhan-bench-"))

DATA = ROOT / "tests" / "data" / "duplicates.jsonl"
CHUNK = 20_000
STATUSES = ["new", "open", "waiting", "resolved", "closed", "closed", "closed", "resolved"]
PRIORITIES = ["normal"] * 6 + ["important"] * 3 + ["urgent"]
FIRST_NAMES = ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "محمد", "سارا", "Ali", "Sara"]
LAST_NAMES = ["رضایی", "کاظمی", "محمدی", "حسینی", "احمدی", "کریمی", "Smith", "Jones"]


def setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# --- text -------------------------------------------------------------------------------------


def sentences() -> tuple[list[str], list[str]]:
    """(subjects, sentences) from the labelled requests."""
    subjects: list[str] = []
    found: list[str] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        for side in (pair["a"], pair["b"]):
            subjects.append(side["subject"].strip())
            for part in re.split(r"(?<=[.!?؟])\s+", side["body"]):
                if len(part.strip()) > 12:
                    found.append(part.strip())
    return sorted(set(subjects)), sorted(set(found))


ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})


class Texts:
    """Composes subjects and bodies; remembers each piece's normalised words."""

    def __init__(self, rng: random.Random):
        from pishkhan.search import text

        self.rng = rng
        self.text = text
        subjects, found = sentences()
        variants = lambda s: [s, s.translate(ARABIC_KEYBOARD), s.replace("\u200c", " ")]  # noqa: E731
        self.subjects = [v for s in subjects for v in variants(s)]
        self.sentences = [v for s in found for v in variants(s)]
        self._terms: dict[str, list[str]] = {}

    def terms(self, piece: str) -> list[str]:
        cached = self._terms.get(piece)
        if cached is None:
            cached = self._terms[piece] = self.text.index_terms(piece).split()
        return cached

    def compose(self, count: int) -> tuple[str, list[str]]:
        pieces = self.rng.sample(self.sentences, count)
        extra = ""
        if self.rng.random() < 0.35:
            extra = f"شماره فاکتور {self.rng.randint(100000, 999999)}"
        elif self.rng.random() < 0.3:
            extra = f"domain shop{self.rng.randint(1, 50000)}.ir"
        words: list[str] = []
        for piece in pieces:
            words.extend(self.terms(piece))
        if extra:
            # Not cached: each is unique, and a million of them would fill the memory.
            pieces.append(extra)
            words.extend(self.text.index_terms(extra).split())
        return " ".join(pieces), words


# --- writing ----------------------------------------------------------------------------------


class Writer:
    """Streams rows into a table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection

        self.connection = connection
        self.table = model._meta.db_table
        self.columns = columns
        self.postgres = connection.vendor == "postgresql"

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = ", ".join(self.columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


CLOCK_COLUMNS = (
    "id",
    "tenant_id",
    "ticket_id",
    "kind",
    "policy_id",
    "calendar_id",
    "target",
    "status",
    "started_at",
    "budget_us",
    "remaining_us",
    "anchor_at",
    "due_at",
    "at_risk_at",
    "stopped_at",
    "stop_reason",
    "breached_at",
    "at_risk_notified_at",
    "breach_notified_at",
)


class Clocks:
    """A ticket's SLA clocks as the service levels would have left them by now, under the
    tenant's default policy and calendar (S-2's targets for the tickets' severity, due times by
    the business-time engine): running on new and open tickets (those whose moments passed
    already told, as the deadline sweep would have), paused on waiting ones, met or missed on
    resolved and closed ones; the first response met once someone replied."""

    def __init__(self, tenant, now: datetime, rng: random.Random):
        from pishkhan.core.businesstime import parse_target
        from pishkhan.sla import clocks as arithmetic
        from pishkhan.sla.calendars import engine_calendar
        from pishkhan.sla.models import SlaClock
        from pishkhan.sla.services import sla_defaults_ensure, target_for

        self.now, self.rng, self.key, self.arithmetic = now, rng, SlaClock, arithmetic
        self.tenant_id = tenant.pk
        self.policy = sla_defaults_ensure(tenant=tenant)
        self.engine = engine_calendar(self.policy.calendar)
        row = target_for(policy=self.policy, severity="other", priority="normal")
        self.targets = [
            (kind, text, parse_target(text))
            for kind in ("first_response", "restore", "resolution")
            if (text := getattr(row, kind))
        ]

    def rows(self, ids, ticket_id, status, created, updated, replies):
        """The ticket's clock rows, and its nearest running due time (None without one)."""
        arithmetic = self.arithmetic
        rows, nearest = [], None
        for kind, text, target in self.targets:
            budget = arithmetic.budget_us(target, self.engine)
            start = arithmetic.effective_start(created, target, self.engine)
            clock = SimpleNamespace(
                target=text,
                anchor_at=start,
                remaining_us=budget,
                budget_us=budget,
                breached_at=None,
                due_at=None,
                at_risk_at=None,
            )
            arithmetic.plan(clock, self.engine, self.policy.at_risk_percent)
            answered = kind == "first_response" and replies
            stopped_at = stop_reason = breached = risk_told = breach_told = None
            anchor = start
            if status in ("resolved", "closed") or answered:
                state = "met"
                # Some answers come late: the first within 1 to 40 hours, past 2bd now and then.
                stopped_at = (
                    created + timedelta(hours=self.rng.randint(1, 40)) if answered else updated
                )
                stop_reason = "replied" if answered else status
                if clock.due_at < stopped_at:
                    state, breached = "missed", clock.due_at
                anchor = None
            elif status == "waiting":
                state, anchor = "paused", None
                clock.remaining_us = budget // 2
                clock.due_at = clock.at_risk_at = None
            else:
                state = "running"
                if clock.at_risk_at <= self.now:
                    risk_told = clock.at_risk_at + timedelta(seconds=self.rng.randint(1, 15))
                if clock.due_at < self.now:
                    breached = clock.due_at
                    breach_told = clock.due_at + timedelta(seconds=self.rng.randint(1, 15))
                nearest = clock.due_at if nearest is None else min(nearest, clock.due_at)
            rows.append(
                (
                    ids[self.key],
                    self.tenant_id,
                    ticket_id,
                    kind,
                    self.policy.pk,
                    self.policy.calendar_id,
                    text,
                    state,
                    start,
                    budget,
                    clock.remaining_us,
                    anchor,
                    clock.due_at,
                    clock.at_risk_at,
                    stopped_at,
                    stop_reason or "",
                    breached,
                    risk_told,
                    breach_told,
                )
            )
            ids[self.key] += 1
        return rows, nearest


def seed(
    *,
    tickets: int,
    tenants: int,
    large: int,
    articles: int,
    seed_value: int = 1405,
    run: str | None = None,
    log=None,
) -> dict:
    """Seed the data; returns {"tenants": [...slugs], "large": slug, counts..., "seconds"}."""
    from django.db import connection, transaction

    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.services import customer_search_text
    from pishkhan.core.persian import normalize
    from pishkhan.search.models import SearchDocument, SearchTerm
    from pishkhan.search.text import phone_variants
    from pishkhan.sla.models import SlaClock
    from pishkhan.tenancy.services import tenant_create
    from pishkhan.tickets.models import Department, Message, Ticket, TicketCounter

    started = time.perf_counter()
    rng = random.Random(seed_value)
    texts = Texts(rng)
    run = run or datetime.now(UTC).strftime("%H%M%S")
    now = datetime.now(UTC)
    # The large tenant first, then the rest share what is left evenly.
    rest = max(0, tickets - large)
    sizes = [large] + [rest // max(1, tenants - 1)] * (tenants - 1)
    sizes[-1] += tickets - sum(sizes)
    article_share = [articles // tenants] * tenants
    article_share[0] += articles - sum(article_share)

    ids = {m: next_id(m) for m in (Customer, Ticket, Message, SearchDocument, SearchTerm, SlaClock)}
    customer_writer = Writer(
        Customer,
        [
            "id",
            "tenant_id",
            "name",
            "email",
            "phone",
            "language",
            "email_failure",
            "search_text",
            "created_at",
            "updated_at",
        ],
    )
    ticket_writer = Writer(
        Ticket,
        [
            "id",
            "tenant_id",
            "number",
            "department_id",
            "customer_id",
            "subject",
            "status",
            "priority",
            "severity",
            "channel",
            "fields",
            "search_text",
            "created_at",
            "updated_at",
            "fingerprint",
            "different_reason",
            "status_before_merge",
            "close_reason",
            "close_note",
            "missing_fields",
            "scope_note",
            "sla_due_at",
        ],
    )
    message_writer = Writer(
        Message,
        [
            "id",
            "tenant_id",
            "ticket_id",
            "kind",
            "author_customer_id",
            "body",
            "body_html",
            "channel",
            "created_at",
        ],
    )
    document_writer = Writer(
        SearchDocument,
        [
            "id",
            "tenant_id",
            "kind",
            "object_id",
            "parent_id",
            "title",
            "body",
            "terms",
            "language",
            "audience",
            "filters",
            "updated_at",
        ],
    )
    term_writer = Writer(SearchTerm, ["id", "tenant_id", "word"])
    clock_writer = Writer(SlaClock, list(CLOCK_COLUMNS))
    counts = {
        "customers": 0,
        "tickets": 0,
        "messages": 0,
        "documents": 0,
        "terms": 0,
        "clocks": 0,
    }
    slugs: list[str] = []

    def doc(
        tenant_id,
        kind,
        object_id,
        title,
        body,
        terms,
        filters,
        updated,
        parent=None,
        audience="agent",
        language="fa",
    ):
        counts["documents"] += 1
        ids[SearchDocument] += 1
        return (
            ids[SearchDocument] - 1,
            tenant_id,
            kind,
            object_id,
            parent,
            title,
            body,
            " ".join(terms),
            language,
            audience,
            json.dumps(filters, ensure_ascii=False),
            updated,
        )

    for index, size in enumerate(sizes):
        slug = f"b{run}-{index}"
        with transaction.atomic():
            tenant = tenant_create(slug=slug, name=f"شرکت آزمون {index}")
            department = Department.objects.create(tenant=tenant, name="پشتیبانی فنی")
        clocks = Clocks(tenant, now, rng)
        slugs.append(slug)
        vocabulary: set[str] = set()
        customer_ids: list[int] = []
        for _n in range(max(1, size // 5)):
            customer_ids.append(ids[Customer])
            ids[Customer] += 1
        # customers
        rows, documents = [], []
        # What finds a customer's tickets too (search.sources.customer_keywords).
        customer_terms: dict[int, list[str]] = {}
        for n, pk in enumerate(customer_ids):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"c{n}.{slug}@example.ir"
            phone = f"09{rng.randint(100000000, 399999999)}"
            created = now - timedelta(days=rng.randint(1, 900))
            found_by = customer_search_text(name=name, email=email, phone=phone)
            rows.append((pk, tenant.pk, name, email, phone, "fa", "", found_by, created, created))
            terms = texts.text.index_terms(name, email, " ".join(phone_variants(phone))).split()
            customer_terms[pk] = terms
            vocabulary.update(terms)
            documents.append(
                doc(tenant.pk, "customer", pk, name, f"{email} {phone}", terms, {}, created)
            )
        customer_writer.write(rows)
        document_writer.write(documents)
        counts["customers"] += len(rows)
        # tickets and their threads, in chunks
        for start in range(0, size, CHUNK):
            tickets_rows, message_rows, documents, clock_rows = [], [], [], []
            for number in range(start + 1, min(size, start + CHUNK) + 1):
                ticket_id = ids[Ticket]
                ids[Ticket] += 1
                subject = rng.choice(texts.subjects)
                body, body_terms = texts.compose(rng.randint(2, 5))
                created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 730))
                replies = rng.choice((0, 1, 1, 2))
                updated = created + timedelta(hours=replies * rng.randint(1, 48))
                status, priority = rng.choice(STATUSES), rng.choice(PRIORITIES)
                customer = rng.choice(customer_ids)
                ticket_clocks, due = clocks.rows(ids, ticket_id, status, created, updated, replies)
                clock_rows += ticket_clocks
                tickets_rows.append(
                    (
                        ticket_id,
                        tenant.pk,
                        number,
                        department.pk,
                        customer,
                        subject,
                        status,
                        priority,
                        "other",
                        "portal",
                        "{}",
                        normalize(f"{subject} {body}"),
                        created,
                        updated,
                        b"",
                        "",
                        "",
                        "",
                        "",
                        "[]",
                        "",
                        due,
                    )
                )
                message_rows.append(
                    (
                        ids[Message],
                        tenant.pk,
                        ticket_id,
                        "reply",
                        customer,
                        body,
                        "",
                        "portal",
                        created,
                    )
                )
                ids[Message] += 1
                filters = {
                    "status": status,
                    "department": str(department.pk),
                    "priority": priority,
                    "customer": str(customer),
                    "number": str(number),
                }
                terms = texts.terms(subject) + body_terms + customer_terms[customer]
                vocabulary.update(terms)
                documents.append(
                    doc(tenant.pk, "ticket", ticket_id, subject, body, terms, filters, updated)
                )
                for r in range(replies):
                    reply, reply_terms = texts.compose(rng.randint(1, 3))
                    at = created + timedelta(hours=r + 1)
                    message_rows.append(
                        (ids[Message], tenant.pk, ticket_id, "reply", None, reply, "", "portal", at)
                    )
                    vocabulary.update(reply_terms)
                    documents.append(
                        doc(
                            tenant.pk,
                            "message",
                            ids[Message],
                            "",
                            reply,
                            reply_terms,
                            {**filters, "ticket": str(ticket_id), "note": "0"},
                            at,
                            parent=ticket_id,
                        )
                    )
                    ids[Message] += 1
            with transaction.atomic():
                ticket_writer.write(tickets_rows)
                message_writer.write(message_rows)
                document_writer.write(documents)
                clock_writer.write(clock_rows)
            counts["tickets"] += len(tickets_rows)
            counts["clocks"] += len(clock_rows)
            counts["messages"] += len(message_rows)
            if log:
                log(f"{slug}: {start + len(tickets_rows)}/{size} tickets")
        TicketCounter.objects.update_or_create(tenant=tenant, defaults={"last_number": size})
        # articles, as the knowledge app indexes them: public search documents
        documents = []
        for n in range(article_share[index]):
            title = rng.choice(texts.subjects)
            body, body_terms = texts.compose(rng.randint(4, 8))
            terms = texts.terms(title) + body_terms
            vocabulary.update(terms)
            documents.append(
                doc(
                    tenant.pk,
                    "article",
                    10_000_000 + n,
                    title,
                    body,
                    terms,
                    {"category": "1"},
                    now - timedelta(days=rng.randint(1, 900)),
                    audience="public",
                )
            )
        document_writer.write(documents)
        rows = []
        for word in sorted(vocabulary):
            rows.append((ids[SearchTerm], tenant.pk, word))
            ids[SearchTerm] += 1
        term_writer.write(rows)
        counts["terms"] += len(rows)
    reset_sequences([Customer, Ticket, Message, SearchDocument, SearchTerm, SlaClock])
    if connection.vendor == "postgresql":
        # VACUUM also empties the GIN indexes' pending lists, which a bulk load fills and every
        # search would otherwise scan linearly (as autovacuum would, some time later).
        with connection.cursor() as cursor:
            for table in (
                "tickets_ticket",
                "tickets_message",
                "accounts_customer",
                "search_document",
                "search_term",
                "sla_slaclock",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")

    return {
        "tenants": slugs,
        "large": slugs[0],
        **counts,
        "articles": articles,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--large", type=int, default=4_000, help="tickets of the first tenant")
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()
    setup()
    result = seed(
        tickets=args.tickets,
        tenants=args.tenants,
        large=args.large,
        articles=args.articles,
        seed_value=args.seed,
        log=lambda line: print(line, file=sys.stderr),
    )
    result.pop("tenants")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
