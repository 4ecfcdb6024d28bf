"""Reads for views and the API. Every query starts from a tenant."""

from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet

from pishkhan.accounts.models import Customer
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import (
    Attachment,
    CannedReply,
    Department,
    Message,
    MessageKind,
    Tag,
    Ticket,
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


def ticket_list(*, tenant: Tenant, filters: TicketFilters | None = None) -> QuerySet[Ticket]:
    from django.db.models import Case, IntegerField, Value, When

    filters = filters or TicketFilters()
    qs = Ticket.objects.for_tenant(tenant).select_related("department", "customer", "assignee")
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
        qs = qs.filter(ticket_tags__tag__name=filters.tag)
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
    return qs.order_by(*SORTS[sort]).prefetch_related(
        Prefetch("ticket_tags", queryset=TicketTag.objects.select_related("tag"))
    )


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
    """Tag names of a ticket: from the prefetch of `ticket_list` if there, else one query."""
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


def canned_reply_list(*, tenant: Tenant) -> QuerySet[CannedReply]:
    return CannedReply.objects.for_tenant(tenant).order_by("title")


def canned_reply_get(*, tenant: Tenant, reply_id: int) -> CannedReply | None:
    return CannedReply.objects.for_tenant(tenant).filter(pk=reply_id).first()


def tag_list(*, tenant: Tenant) -> QuerySet[Tag]:
    return Tag.objects.for_tenant(tenant).order_by("name")


def status_counts(*, tenant: Tenant) -> dict[str, int]:
    from django.db.models import Count

    rows = Ticket.objects.for_tenant(tenant).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def search_filter(qs: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
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
