"""Reads for views and the API. Every query starts from a tenant."""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Prefetch, Q, QuerySet

from pishkhan.accounts.models import Customer
from pishkhan.core.persian import name_key
from pishkhan.sql_names import table_and_columns
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import (
    PRIORITY_RANK,
    Attachment,
    CannedReply,
    Department,
    Message,
    MessageKind,
    Status,
    Tag,
    Ticket,
    TicketCounter,
    TicketTag,
    TimeEntry,
)

SORTS = {
    "updated": ("-updated_at", "-id"),
    "-updated": ("updated_at", "id"),
    "created": ("-created_at", "-id"),
    "-created": ("created_at", "id"),
    "number": ("-number",),
    "-number": ("number",),
    "priority": ("priority_rank", "-updated_at", "-id"),
    # Nearest SLA due first; tickets with no running clock (no due time) come last.
    "due": (F("sla_due_at").asc(nulls_last=True), "-updated_at", "-id"),
}


@dataclass
class TicketFilters:
    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    department: int | None = None
    assignee: int | None = None
    unassigned: bool = False
    customer: int | None = None
    tag: str = ""
    sort: str = "updated"
    # Only these tickets (the search index's matches for the words asked), or also the ticket
    # with `number`; None: no such restriction.
    among: list[int] | None = None
    number: int | None = None


def _filtered(tenant: Tenant, filters: TicketFilters) -> QuerySet[Ticket]:
    """The tenant's tickets that pass the filters; unordered, nothing joined."""
    qs = Ticket.objects.for_tenant(tenant)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.tag:
        # Any spelling of the tag ("ويژه" finds what was tagged "ویژه"): the (tenant, key)
        # unique index finds the one tag, its (tenant, tag) index the tickets.
        qs = qs.filter(ticket_tags__tag__key=name_key(filters.tag))
    if filters.among is not None or filters.number is not None:
        wanted = Q(pk__in=filters.among or [])
        if filters.number is not None:
            wanted |= Q(number=filters.number)
        qs = qs.filter(wanted)
    return qs


def _with_rows(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a listed ticket shows beside its own columns, in two queries for any number."""
    return qs.select_related("department", "customer", "assignee").prefetch_related(
        Prefetch("ticket_tags", queryset=TicketTag.objects.select_related("tag"))
    )


def ticket_list(*, tenant: Tenant, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    from django.db.models import Case, IntegerField, Value, When

    filters = filters or TicketFilters()
    qs = _with_rows(_filtered(tenant, filters))
    sort = filters.sort if filters.sort in SORTS else "updated"
    if sort == "priority":
        qs = qs.annotate(
            priority_rank=Case(
                When(priority="urgent", then=Value(0)),
                When(priority="important", then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    return qs.order_by(*SORTS[sort])


# How many of the newest search matches the filters then apply to. The search index answers a
# few dozen matches at once; hundreds cost it a walk of the tenant's documents. More matches
# than this are a cue to add words (the API says `count_exact: false`).
MATCH_LIMIT = 50


def tickets_opened(*, tenant: Tenant) -> int:
    """How many tickets the tenant has opened: its counter, one row (numbers are never reused,
    so this counts merged and deleted ones too)."""
    counted = TicketCounter.objects.filter(tenant=tenant).values_list("last_number", flat=True)
    return counted.first() or 0


def filters_narrow_to_search(*, tenant: Tenant, filters: TicketFilters, query: str) -> bool:
    """Narrow `filters` to the MATCH_LIMIT newest tickets the search index finds for `query`,
    rather than reading every ticket's text; "#12" is ticket 12 alone, a bare number also
    that ticket. True when more tickets match than that."""
    from pishkhan.search.desk import ticket_number
    from pishkhan.search.selectors import search_object_ids

    number, exact = ticket_number(query)
    filters.number = number
    if exact:
        filters.among = []
        return False
    # Only the ids: the queue shows the tickets themselves, not the search's snippets. The
    # tenant's ticket count lets the search weigh its ways by cost.
    found = search_object_ids(
        tenant=tenant,
        query=query,
        kind="ticket",
        limit=MATCH_LIMIT,
        documents=tickets_opened(tenant=tenant),
    )
    filters.among = found.object_ids
    return found.has_more


# --- the queue: pages by cursor, counts that stop counting ------------------------------------
#
# A page is read as "the next rows after the last one shown" (keyset pagination) through an
# index that leads with the tenant and the status and then holds the sort's columns, one
# index walk per status asked for, merged: the cost of a page is that of its rows, whatever
# the tenant's size. Counts stop at COUNT_LIMIT.

# Counts above this are shown as "more than COUNT_LIMIT".
COUNT_LIMIT = 999
# How deep older API clients may page by number (`page=`); further on only by cursor.
OFFSET_LIMIT = 10_000


@dataclass(frozen=True)
class BoundedCount:
    value: int  # the number when `exact`; otherwise the limit it passed
    exact: bool


def _bounded_sql(qs: QuerySet, limit: int) -> tuple[str, list]:
    """A scalar subquery counting the rows of `qs` up to limit + 1."""
    try:
        sql, params = qs.order_by().values("pk")[: limit + 1].query.sql_with_params()
    except EmptyResultSet:  # e.g. "only these tickets" with none: nothing to count
        return "(SELECT 0)", []
    return f"(SELECT COUNT(*) FROM ({sql}) AS bounded)", list(params)  # noqa: S608 (ORM SQL)


def _run_bounded(parts: dict, limit: int, using: str) -> dict:
    """{key: BoundedCount} from {key: (scalar subquery, params)}, all in one statement."""
    params = [p for _sql, part_params in parts.values() for p in part_params]
    with connections[using].cursor() as cursor:
        # Only SQL compiled by the ORM or written from the model's column names; every value
        # is a bound parameter.
        cursor.execute("SELECT " + ", ".join(sql for sql, _params in parts.values()), params)
        row = cursor.fetchone()
    return {key: BoundedCount(min(n, limit), n <= limit) for key, n in zip(parts, row, strict=True)}


def bounded_counts(named: dict, *, limit: int | None = None) -> dict:
    """{key: BoundedCount} for each queryset of `named`, in one query: each counts its rows
    only up to limit + 1 (COUNT_LIMIT + 1 by default), so a count never reads more than that
    many index entries."""
    if not named:
        return {}
    limit = COUNT_LIMIT if limit is None else limit
    parts = {key: _bounded_sql(qs, limit) for key, qs in named.items()}
    return _run_bounded(parts, limit, next(iter(named.values())).db)


def _bounded_equal_sql(tenant: Tenant, equal: dict, statuses, limit: int) -> tuple[str, list]:
    """A scalar subquery counting, up to limit + 1, the tenant's tickets whose fields equal
    `equal` ({field name: value}, None for "is null") in one of `statuses` (any when empty).

    Written out rather than compiled by the ORM: the queue asks a dozen of these per page, and
    compiling each cost more than the database's counting."""
    table, column = table_and_columns(Ticket)
    clauses, params = [f"{column('tenant')} = %s"], [tenant.pk]
    for name, value in equal.items():
        if value is None:
            clauses.append(f"{column(name)} IS NULL")
        else:
            clauses.append(f"{column(name)} = %s")
            params.append(value)
    if statuses:
        marks = ", ".join(["%s"] * len(statuses))
        clauses.append(f"{column('status')} IN ({marks})")
        params.extend(statuses)
    inner = f"SELECT 1 FROM {table} WHERE {' AND '.join(clauses)} LIMIT {int(limit) + 1}"  # noqa: S608
    return f"(SELECT COUNT(*) FROM ({inner}) AS bounded)", params  # noqa: S608 (as above)


def ticket_count(*, tenant: Tenant, filters: TicketFilters) -> BoundedCount:
    return bounded_counts({"all": _filtered(tenant, filters)})["all"]


def queue_counts(
    *,
    tenant: Tenant,
    filters: TicketFilters,
    department_ids: list[int],
    assignee_ids: list[int],
) -> dict:
    """What the queue counts, in one query, each up to COUNT_LIMIT: the tenant's tickets by
    status ("status"), the tickets in the statuses filtered on by department ("department")
    and by assignee ("assignee"; None is unassigned), and the tickets the filters show
    ("shown"). Values are BoundedCount."""
    limit, within = COUNT_LIMIT, filters.status

    def equal(statuses, **fields) -> tuple[str, list]:
        return _bounded_equal_sql(tenant, fields, statuses, limit)

    parts: dict = {("status", s): equal([], status=s) for s in Status.values}
    parts |= {("department", d): equal(within, department=d) for d in department_ids}
    parts |= {("assignee", a): equal(within, assignee=a) for a in assignee_ids}
    parts[("assignee", None)] = equal(within, assignee=None)
    parts[("shown", None)] = _bounded_sql(_filtered(tenant, filters), limit)
    counts: dict = {"status": {}, "department": {}, "assignee": {}}
    for (group, key), count in _run_bounded(parts, limit, Ticket.objects.db).items():
        if group == "shown":
            counts["shown"] = count
        else:
            counts[group][key] = count
    return counts


@dataclass(frozen=True)
class _Segment:
    """A run of the sort order read by one keyset: the rows matching `where`, ordered by
    `keys` ((column, descending) pairs; together they are unique)."""

    where: Q
    keys: tuple[tuple[str, bool], ...]


_NEWEST = (("updated_at", True), ("id", True))
PAGE_SORTS: dict[str, tuple[_Segment, ...]] = {
    "updated": (_Segment(Q(), _NEWEST),),
    "-updated": (_Segment(Q(), (("updated_at", False), ("id", False))),),
    "created": (_Segment(Q(), (("created_at", True), ("id", True))),),
    "-created": (_Segment(Q(), (("created_at", False), ("id", False))),),
    "number": (_Segment(Q(), (("number", True),)),),
    "-number": (_Segment(Q(), (("number", False),)),),
    # The most pressing first: each priority in turn, the most recently updated first in it.
    "priority": tuple(
        _Segment(Q(priority=p), _NEWEST) for p in sorted(PRIORITY_RANK, key=PRIORITY_RANK.get)
    ),
    # Nearest due first; tickets with no running clock after them, recently updated first.
    "due": (
        _Segment(Q(sla_due_at__isnull=False), (("sla_due_at", False), *_NEWEST)),
        _Segment(Q(sla_due_at__isnull=True), _NEWEST),
    ),
}


class InvalidCursor(ValueError):
    pass


def _encode_cursor(sort: str, segment: int, ticket: Ticket) -> str:
    keys = []
    for name, _desc in PAGE_SORTS[sort][segment].keys:
        value = getattr(ticket, name)
        keys.append(value.isoformat() if isinstance(value, datetime) else value)
    raw = json.dumps({"s": sort, "g": segment, "k": keys}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[int, list]:
    """(segment, key values) of a cursor made for `sort`; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        segment, keys = data["g"], data["k"]
        if data["s"] != sort or not isinstance(segment, int) or not isinstance(keys, list):
            raise InvalidCursor(cursor)
        columns = PAGE_SORTS[sort][segment].keys
        if segment < 0 or len(keys) != len(columns):
            raise InvalidCursor(cursor)
        values = []
        for (name, _desc), value in zip(columns, keys, strict=True):
            if name.endswith("_at"):
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    raise InvalidCursor(cursor)
                values.append(moment)
            elif isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
                values.append(value)
            else:
                raise InvalidCursor(cursor)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError, IndexError) as e:
        raise InvalidCursor(cursor) from e
    return segment, values


def _after(keys: tuple[tuple[str, bool], ...], values: list) -> Q:
    """The rows after `values` in the order of `keys`. The first column's bound is said on its
    own too, so that the database starts the index walk there."""
    first, descending = keys[0]
    bound = Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]})
    later, equal = Q(), {}
    for (name, desc), value in zip(keys, values, strict=True):
        later |= Q(**equal, **{f"{name}__{'lt' if desc else 'gt'}": value})
        equal[name] = value
    return bound & later


# Stands for the status while a status walk is compiled; never a status itself.
_ANY_STATUS = "(each status)"


def _ordered_ids(
    base: QuerySet[Ticket], segment: _Segment, statuses, after: list | None, count: int
) -> list[int]:
    """Up to `count` ids of the segment in its order, one index walk per status, merged."""
    order = [F(name).desc() if desc else F(name).asc() for name, desc in segment.keys]
    columns = [name for name, _desc in segment.keys]
    if "id" not in columns:
        columns.append("id")

    def walk(status) -> tuple[str, list]:
        qs = base.filter(segment.where, status=status)
        if after is not None:
            qs = qs.filter(_after(segment.keys, after))
        sql, params = qs.order_by(*order).values_list(*columns)[:count].query.sql_with_params()
        return sql, list(params)

    try:
        # Compiled once, the status a parameter that each walk fills in: compiling the same
        # query per status cost a queue page more than its database work.
        sql, template = walk(_ANY_STATUS)
    except EmptyResultSet:  # nothing can match, whatever the status
        return []
    at_status = [n for n, value in enumerate(template) if value == _ANY_STATUS]
    parts, params = [], []
    for status in statuses:
        if len(at_status) == 1:
            walk_sql, walk_params = sql, list(template)
            walk_params[at_status[0]] = status
        else:  # the ORM wrote the status otherwise: compiled for each
            walk_sql, walk_params = walk(status)
        parts.append(f"SELECT * FROM ({walk_sql}) AS s{len(parts)}")  # noqa: S608 (ORM SQL)
        params.extend(walk_params)
    if not parts:
        return []
    merged = ", ".join(
        f"{n} {'DESC' if desc else 'ASC'}" for n, (_name, desc) in enumerate(segment.keys, 1)
    )
    # Only SQL compiled by the ORM, its values bound as parameters; the rest is fixed text.
    sql = " UNION ALL ".join(parts) + f" ORDER BY {merged} LIMIT {int(count)}"
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    at = columns.index("id")
    return [row[at] for row in rows]


@dataclass
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str | None


def ticket_page(
    *,
    tenant: Tenant,
    filters: TicketFilters,
    size: int,
    cursor: str = "",
    offset: int = 0,
    prepare: Callable[[QuerySet[Ticket]], QuerySet[Ticket]] | None = None,
) -> TicketPage:
    """One page of the queue: `size` tickets after `cursor` (from a previous page's
    `next_cursor`), or after the first `offset` rows (at most OFFSET_LIMIT). `prepare` adds
    what the caller shows of each ticket to the query that loads the page's rows.
    Raises InvalidCursor for a cursor this sort did not make."""
    sort = filters.sort if filters.sort in PAGE_SORTS else "updated"
    segments = PAGE_SORTS[sort]
    start, after = _decode_cursor(cursor, sort) if cursor else (0, None)
    if cursor:
        offset = 0
    offset = max(0, min(offset, OFFSET_LIMIT))
    base = _filtered(tenant, filters)
    statuses = filters.status or Status.values
    want = offset + size + 1
    found: list[tuple[int, int]] = []  # (segment, id)
    for index in range(start, len(segments)):
        ids = _ordered_ids(
            base, segments[index], statuses, after if index == start else None, want - len(found)
        )
        found.extend((index, pk) for pk in ids)
        if len(found) >= want:
            break
    shown = found[offset : offset + size]
    if not shown:
        return TicketPage(tickets=[], next_cursor=None)
    # A row's search text and fingerprint are as long as its request, and no list shows them.
    load = _with_rows(Ticket.objects.for_tenant(tenant)).defer("search_text", "fingerprint")
    if prepare is not None:
        load = prepare(load)
    by_id = {t.pk: t for t in load.filter(pk__in=[pk for _segment, pk in shown])}
    tickets = [by_id[pk] for _segment, pk in shown if pk in by_id]
    next_cursor = None
    if len(found) > offset + size and tickets:
        last_segment = next(seg for seg, pk in reversed(shown) if pk == tickets[-1].pk)
        next_cursor = _encode_cursor(sort, last_segment, tickets[-1])
    return TicketPage(tickets=tickets, next_cursor=next_cursor)


def ticket_list_for_customer(*, tenant: Tenant, customer: Customer) -> QuerySet[Ticket]:
    return (
        Ticket.objects.for_tenant(tenant)
        .filter(customer=customer)
        .select_related("department")
        .order_by("-updated_at", "-id")
    )


def ticket_get(*, tenant: Tenant, number: int, customer: Customer | None = None) -> Ticket | None:
    """A ticket by its number in this tenant; with `customer`, only if it is theirs."""
    qs = (
        Ticket.objects.for_tenant(tenant)
        .select_related("department", "customer", "assignee")
        .filter(number=number)
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.first()


def message_list(*, tenant: Tenant, ticket: Ticket, include_notes: bool) -> QuerySet[Message]:
    qs = Message.objects.for_tenant(tenant).filter(ticket=ticket)
    if not include_notes:
        qs = qs.exclude(kind=MessageKind.NOTE)
    return (
        qs.select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def attachment_get(
    *,
    tenant: Tenant,
    attachment_id: int,
    customer: Customer | None = None,
    staff: bool = False,
) -> Attachment | None:
    """An attachment its reader may see: staff see all in the tenant; a customer only files on
    public messages of their own tickets."""
    qs = Attachment.objects.for_tenant(tenant).select_related("message__ticket")
    if staff:
        return qs.filter(pk=attachment_id).first()
    if customer is None:
        return None
    return (
        qs.filter(pk=attachment_id, message__ticket__customer=customer)
        .exclude(message__kind=MessageKind.NOTE)
        .first()
    )


def ticket_tags(*, ticket: Ticket) -> list[str]:
    """Tag names of a ticket: from the prefetch of `ticket_list` if there, or those a service
    that has just written the ticket says it has (`known_tags`), else one query."""
    if getattr(ticket, "known_tags", None) is not None:
        return sorted(ticket.known_tags)
    if "ticket_tags" in getattr(ticket, "_prefetched_objects_cache", {}):
        return sorted(tt.tag.name for tt in ticket.ticket_tags.all())
    return list(
        Tag.objects.filter(ticket_tags__ticket=ticket)
        .order_by("name")
        .values_list("name", flat=True)
    )


def department_list(*, tenant: Tenant, active_only: bool = True) -> QuerySet[Department]:
    qs = Department.objects.for_tenant(tenant)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "id")


def department_get(*, tenant: Tenant, department_id: int, active_only: bool = False):
    qs = department_list(tenant=tenant, active_only=active_only)
    return qs.filter(pk=department_id).first()


def department_kept(*, tenant: Tenant, department_id: int) -> Department | None:
    """`department_get` for a request that only reads the department (a new ticket's): from the
    tenant's departments kept in the process under the settings stamp, which every write of a
    department renews (process_cache). A copy shared between requests: never save it."""
    from pishkhan import process_cache

    by_id = process_cache.cached(
        "departments",
        tenant.pk,
        lambda: {department.pk: department for department in Department.objects.for_tenant(tenant)},
    )
    return by_id.get(department_id)


def canned_reply_list(*, tenant: Tenant) -> QuerySet[CannedReply]:
    return CannedReply.objects.for_tenant(tenant).order_by("title")


def canned_reply_get(*, tenant: Tenant, reply_id: int) -> CannedReply | None:
    return CannedReply.objects.for_tenant(tenant).filter(pk=reply_id).first()


def tag_list(*, tenant: Tenant) -> QuerySet[Tag]:
    return Tag.objects.for_tenant(tenant).order_by("name")


def status_counts(*, tenant: Tenant) -> dict[str, "BoundedCount"]:
    """How many tickets the tenant has in each status, each counted only up to COUNT_LIMIT."""
    base = Ticket.objects.for_tenant(tenant)
    return bounded_counts({s: base.filter(status=s) for s in Status.values})


def search_filter(qs: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """A substring match over the tickets' search text. It reads every row it filters: the
    queue and the API look words up in the search index instead (`TicketFilters.among`)."""
    from pishkhan.core.persian import normalize, to_ascii_digits

    query = query.strip()
    if not query:
        return qs
    digits = to_ascii_digits(query)
    if digits.startswith("#") and digits[1:].isdigit():
        return qs.filter(number=int(digits[1:]))  # "#12" means ticket 12 and nothing else
    if digits.isdigit():
        return qs.filter(Q(number=int(digits)) | Q(search_text__contains=digits))
    return qs.filter(search_text__contains=normalize(query))


def ticket_get_for_page(*, tenant, number: int) -> Ticket | None:
    """A ticket with everything its page shows beside it, in one query."""
    return (
        Ticket.objects.for_tenant(tenant)
        .select_related(
            "department",
            "customer",
            "assignee",
            "service__verified_by",
            "follow_up_of",
            "duplicate_of",
            "merged_into",
        )
        .filter(number=number)
        .first()
    )


def thread_with_merged(*, tenant, ticket: Ticket):
    """The ticket's messages and those of the tickets merged into it, in time order; each
    message knows its own ticket's number (`source_number`) so the page can say where it came
    from. Messages are tenant-scoped, so a merged ticket is always this tenant's."""
    return (
        Message.objects.for_tenant(tenant)
        .filter(
            # A merged ticket's own status changes would only confuse this thread.
            Q(ticket=ticket) | (Q(ticket__merged_into=ticket) & ~Q(kind=MessageKind.SYSTEM))
        )
        .annotate(source_number=F("ticket__number"))
        .select_related("author_user", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def customer_thread(*, tenant, ticket: Ticket):
    """What the ticket's customer reads of it: its messages and those of their own tickets
    merged into it, without the staff's notes. (A ticket merged from another customer's, as
    was once allowed, stays that customer's.)"""
    return (
        thread_with_merged(tenant=tenant, ticket=ticket)
        .exclude(kind=MessageKind.NOTE)
        .filter(ticket__customer_id=ticket.customer_id)
    )


def related_tickets(*, tenant, ticket: Ticket) -> tuple[list, list]:
    """(tickets merged into this one, follow-ups of this one), by number, in one query."""
    rows = list(
        Ticket.objects.for_tenant(tenant)
        .filter(Q(merged_into=ticket) | Q(follow_up_of=ticket))
        .only("pk", "number", "subject", "status", "merged_into_id", "follow_up_of_id")
        .order_by("number")
    )
    merged = [t for t in rows if t.merged_into_id == ticket.pk]
    follow_ups = [t for t in rows if t.follow_up_of_id == ticket.pk]
    return merged, follow_ups


def time_entry_list(*, tenant, ticket: Ticket):
    return (
        TimeEntry.objects.for_tenant(tenant)
        .filter(ticket=ticket)
        .select_related("user")
        .order_by("created_at", "id")
    )
