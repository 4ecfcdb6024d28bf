"""The agent's one search box: tickets, thread messages, customers and articles together, plus
the shortcuts people use (a ticket number, "#12"). Reads only; staff of a tenant see all of its
tickets and customers (as in the queue), so the tenant is the whole visibility rule here.
Articles are resolved by the caller (the knowledge app builds on this one)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import mark_safe

from pishkhan.accounts.models import Customer
from pishkhan.core.persian import normalize
from pishkhan.search import text
from pishkhan.search.selectors import Hit, search
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.selectors import tickets_opened

KINDS = ("ticket", "message", "customer", "article")
# Filters that only tickets and their messages carry: asking for them leaves out the rest.
TICKET_FILTERS = ("status", "department")
PER_PAGE = 20
CUSTOMER_TICKETS = 3
MAX_PAGE = 500

_NUMBER = re.compile(r"^#?\s*(\d{1,18})\s*#?$")


@dataclass(frozen=True)
class DeskFilters:
    kinds: tuple[str, ...] = KINDS
    status: tuple[str, ...] = ()
    department: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def engine(self, zone: str) -> dict:
        """The engine's filters; dates are whole days in the tenant's time zone."""
        values: dict = {}
        if self.status:
            values["status"] = list(self.status)
        if self.department:
            values["department"] = self.department
        tz = ZoneInfo(zone)
        if self.date_from:
            values["date_from"] = datetime.combine(self.date_from, time.min, tzinfo=tz)
        if self.date_to:
            values["date_to"] = datetime.combine(self.date_to, time.max, tzinfo=tz)
        return values

    def chosen_kinds(self) -> list[str]:
        kinds = [k for k in self.kinds if k in KINDS] or list(KINDS)
        if self.status or self.department:
            kinds = [k for k in kinds if k in ("ticket", "message")]
        return kinds


@dataclass
class Result:
    hit: Hit
    ticket: Ticket | None = None  # a ticket hit's ticket, or a message hit's ticket
    customer: Customer | None = None
    article: object | None = None
    # A customer's latest tickets, to go on from a customer found by email or phone.
    tickets: list[Ticket] = field(default_factory=list)

    # The title (ticket subject, customer name, article title) escaped, query words marked.
    title_html: str = ""

    @property
    def kind(self) -> str:
        return self.hit.kind


@dataclass
class DeskPage:
    query: str
    results: list[Result] = field(default_factory=list)
    has_more: bool = False
    page: int = 1
    # The ticket whose number the query is, shown first (and opened directly for "#12").
    ticket: Ticket | None = None
    exact_number: bool = False


def ticket_number(query: str) -> tuple[int | None, bool]:
    """(number, written with #) when the query is a ticket number in any digits, e.g. "۱۲",
    "#12", "12#"; else (None, False)."""
    match = _NUMBER.match(normalize(query))
    if not match:
        return None, False
    return int(match.group(1)), "#" in query


def desk_search(
    *,
    tenant: Tenant,
    query: str,
    filters: DeskFilters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> DeskPage:
    """One page of the agent's search. A ticket number ("۱۲") puts that ticket first on the
    first page; written with "#" ("#12") it is the whole answer (the page opens the ticket)."""
    filters = filters or DeskFilters()
    page = min(max(1, page), MAX_PAGE)
    result = DeskPage(query=query, page=page)
    number, exact = ticket_number(query)
    if number is not None and (exact or page == 1):
        result.ticket = (
            Ticket.objects.for_tenant(tenant)
            .select_related("department", "customer")
            .filter(number=number)
            .first()
        )
        result.exact_number = exact and result.ticket is not None
        if exact:
            return result
    kinds = filters.chosen_kinds()
    found = search(
        tenant=tenant,
        query=query,
        kinds=kinds,
        filters=filters.engine(tenant.time_zone),
        limit=per_page,
        offset=(page - 1) * per_page,
        # At least as many documents as tickets where tickets are searched: enough for a
        # frequent number to be walked to instead of read 20,000 matches deep.
        documents=tickets_opened(tenant=tenant) if "ticket" in kinds else None,
    )
    result.has_more = found.has_more
    result.results = _resolve(tenant, found.hits)
    for item in result.results:
        title = item.ticket.subject if item.ticket is not None else item.hit.title
        if item.customer is not None:
            title = item.customer.name
        item.title_html = mark_safe(text.highlight(title, query))  # noqa: S308 (escaped)
    return result


def _resolve(tenant: Tenant, hits: list[Hit]) -> list[Result]:
    """Each hit with the object it stands for, one query per kind; a hit whose object is gone
    (an index not yet rebuilt after a failure) is left out rather than shown broken."""
    ticket_ids = {h.object_id for h in hits if h.kind == "ticket"}
    ticket_ids |= {
        int(h.filters["ticket"])
        for h in hits
        if h.kind == "message" and str((h.filters or {}).get("ticket", "")).isdigit()
    }
    tickets = {}
    if ticket_ids:
        tickets = {
            t.pk: t
            for t in Ticket.objects.for_tenant(tenant)
            .select_related("department", "customer")
            .filter(pk__in=ticket_ids)
        }
    customer_ids = [h.object_id for h in hits if h.kind == "customer"]
    customers = {}
    if customer_ids:
        customers = {
            c.pk: c for c in Customer.objects.for_tenant(tenant).filter(pk__in=customer_ids)
        }
    latest: dict[int, list[Ticket]] = {}
    if customers:
        rows = (
            Ticket.objects.for_tenant(tenant)
            .filter(customer_id__in=list(customers))
            .only("pk", "number", "subject", "status", "customer_id", "updated_at")
            .annotate(
                row=Window(
                    RowNumber(),
                    partition_by=F("customer_id"),
                    order_by=[F("updated_at").desc(), F("id").desc()],
                )
            )
            .filter(row__lte=CUSTOMER_TICKETS)
            .order_by("-updated_at", "-id")
        )
        for ticket in rows:
            latest.setdefault(ticket.customer_id, []).append(ticket)
    results = []
    for hit in hits:
        if hit.kind == "ticket" and hit.object_id in tickets:
            results.append(Result(hit=hit, ticket=tickets[hit.object_id]))
        elif hit.kind == "message":
            parent = str((hit.filters or {}).get("ticket", ""))
            ticket = tickets.get(int(parent)) if parent.isdigit() else None
            if ticket is not None:
                results.append(Result(hit=hit, ticket=ticket))
        elif hit.kind == "customer" and hit.object_id in customers:
            results.append(
                Result(
                    hit=hit,
                    customer=customers[hit.object_id],
                    tickets=latest.get(hit.object_id, []),
                )
            )
        elif hit.kind == "article":
            results.append(Result(hit=hit))
    return results
