"""Tickets and their threads (T-1, T-2, T-3, T-13), and what staff do to a ticket under the
support rules: merge and un-merge (T-4), close as incomplete (T-6), mark out of scope (T-9),
log time (T-3, T-10)."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from ninja import Field, Query, Router
from ninja import Status as HttpStatus
from pydantic import field_validator

from pishkhan.accounts.selectors import customer_get, service_get
from pishkhan.api.errors import invalid, not_found
from pishkhan.api.schemas import (
    AttachmentIn,
    ErrorOut,
    FieldValue,
    Id,
    InputSchema,
    Out,
    PageQuery,
    ServiceRef,
    display,
    field_names,
    uploads,
)
from pishkhan.tenancy.selectors import member_get
from pishkhan.tickets import selectors, services
from pishkhan.tickets.models import MessageKind, Priority, Severity, Status, Ticket, TimeEntry

router = Router(tags=["tickets"])

# Above the largest number a database integer column holds: no such ticket can exist.
MAX_NUMBER = 2**63 - 1
TicketNumber = Annotated[int, Field(ge=1, le=MAX_NUMBER)]
Minutes = Annotated[int, Field(ge=1, le=services.BILLABLE_MINUTES_MAX)]
# The longest reason or note the ticket services keep.
NOTE_MAX = 500
# What the intake service keeps of a customer's "why this is not a duplicate"; refused here
# rather than cut there.
DIFFERENT_REASON_MAX = 1000


class DepartmentRef(Out):
    id: int
    name: str
    name_en: str


class CustomerRef(Out):
    id: int
    name: str
    email: str


class UserRef(Out):
    id: int
    full_name: str
    email: str


class TicketOut(Out):
    number: int
    subject: str
    status: str
    priority: str
    severity: str
    channel: str
    department: DepartmentRef
    customer: CustomerRef
    assignee: UserRef | None
    tags: list[str]
    fields: dict[str, str]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_due_at: datetime | None = Field(..., description="The nearest running SLA due time.")
    created_at_display: str = Field(..., description="Jalali with Persian digits for fa.")
    updated_at_display: str
    service: ServiceRef | None = Field(..., description="The customer's service it is about.")
    # T-5 [002 r15]
    follow_up_of: int | None = Field(
        ...,
        description="The number of the closed ticket this one follows up: a closed ticket is "
        "never reopened, a new one continues it.",
    )
    # T-4 [002 r15-16]
    duplicate_of: int | None = Field(
        ...,
        description="The open ticket it resembles, accepted because the customer said why it "
        "differs (`different_reason`) or because the workspace's duplicate rule only flags.",
    )
    different_reason: str
    merged_into: int | None = Field(..., description="Closed as a repeat of this ticket.")
    close_reason: str = Field(
        ...,
        description="Why it was closed other than by being solved: merged, incomplete, "
        "wrong_information or no_answer; empty otherwise. Shown to the customer.",
    )
    close_note: str
    # T-6 [002 r13]
    missing_fields: list[str] = Field(
        ..., description="Required fields a mailed or phoned request lacked."
    )
    # T-9 [002 r5, r7]
    out_of_scope: bool = Field(
        ..., description="Outside the support's scope: answers are billable extras."
    )
    scope_note: str
    time_minutes: int = Field(..., description="All time logged on the ticket.")
    billable_minutes: int = Field(..., description="The part of it the customer pays for.")

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return selectors.ticket_tags(ticket=obj)

    @staticmethod
    def resolve_follow_up_of(obj) -> int | None:
        return _linked_number(obj, "follow_up_of")

    @staticmethod
    def resolve_duplicate_of(obj) -> int | None:
        return _linked_number(obj, "duplicate_of")

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return _linked_number(obj, "merged_into")

    @staticmethod
    def resolve_out_of_scope(obj) -> bool:
        return obj.is_out_of_scope

    @staticmethod
    def resolve_time_minutes(obj) -> int:
        return _minutes(obj, "time_minutes")

    @staticmethod
    def resolve_billable_minutes(obj) -> int:
        return _minutes(obj, "billable_minutes", billable=True)

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])

    @staticmethod
    def resolve_updated_at_display(obj, context) -> str:
        return display(obj.updated_at, context["request"])


def _linked_number(ticket, name: str) -> int | None:
    # Annotated by _with_links; a ticket loaded otherwise costs one query per link.
    annotated = f"{name}_number"
    if hasattr(ticket, annotated):
        return getattr(ticket, annotated)
    linked = getattr(ticket, name)
    return linked.number if linked is not None else None


def _minutes(ticket, name: str, *, billable: bool = False) -> int:
    if hasattr(ticket, name):
        return getattr(ticket, name)
    entries = ticket.time_entries.all()
    if billable:
        entries = entries.filter(billable=True)
    return entries.aggregate(total=Sum("minutes"))["total"] or 0


def _with_links(qs: QuerySet) -> QuerySet:
    """What a ticket shows beyond its own row, in the same query however many are listed: the
    numbers of the tickets it links to (only the numbers: a ticket's row carries its whole
    search text), its service, and its time totals."""
    entries = TimeEntry.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")

    def total(rows) -> Coalesce:
        summed = rows.annotate(total=Sum("minutes")).values("total")
        return Coalesce(Subquery(summed), 0, output_field=IntegerField())

    def number(link: str) -> Subquery:
        # A subquery rather than a join: three more joins of the ticket table cost PostgreSQL
        # more to plan than the whole page costs to read.
        return Subquery(Ticket.objects.filter(pk=OuterRef(link)).values("number")[:1])

    return qs.select_related("service").annotate(
        follow_up_of_number=number("follow_up_of_id"),
        duplicate_of_number=number("duplicate_of_id"),
        merged_into_number=number("merged_into_id"),
        time_minutes=total(entries),
        billable_minutes=total(entries.filter(billable=True)),
    )


class TicketPage(Out):
    items: list[TicketOut]
    count: int = Field(
        ...,
        description="How many tickets match: exact when `count_exact`, else a lower bound "
        f"(counting stops after {selectors.COUNT_LIMIT}, so it costs the same at any size).",
    )
    count_exact: bool
    page: int | None = Field(..., description="The page asked for by number; null by cursor.")
    page_size: int
    next_cursor: str | None = Field(
        ..., description="Send as `cursor` for the next page; null on the last page."
    )
    next: str | None = Field(..., description="The next page's address; null on the last page.")


# "due": nearest SLA due time first, tickets without a running target last.
Sort = Literal["updated", "-updated", "created", "-created", "number", "-number", "priority", "due"]


class TicketQuery(PageQuery):
    status: list[Status] = Field([], description="Repeat the parameter or separate by commas.")
    priority: list[Priority] = Field([], description="Repeat the parameter or separate by commas.")
    department: Id | None = None
    assignee: Id | None = Field(None, description="A user id from /agents.")
    unassigned: bool = False
    customer: Id | None = None
    tag: str = ""
    q: str = Field("", description="Words of the subject, body or fields, or a ticket number.")
    sort: Sort = "updated"
    cursor: str = Field(
        "",
        max_length=400,
        description="The previous page's `next_cursor`: the page after it (`page` is then "
        f"ignored). Numbered pages reach only the first {selectors.OFFSET_LIMIT} tickets.",
    )

    @field_validator("status", "priority", mode="before")
    @classmethod
    def _comma_lists(cls, value):
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value


class ContactIn(InputSchema):
    name: str
    email: str = ""
    phone: str = ""
    language: Literal["fa", "en"] = "fa"


class TicketIn(InputSchema):
    department_id: Id
    subject: str
    body: str
    fields: dict[str, FieldValue] = Field(
        {},
        description="Values of the department's fields, by key.",
    )
    priority: Priority = Priority.NORMAL
    severity: Severity = Severity.OTHER
    customer_id: Id | None = Field(None, description="An existing customer; or send `customer`.")
    customer: ContactIn | None = Field(
        None,
        description="Reuses the workspace's customer with this email, else creates one.",
    )
    attachments: list[AttachmentIn] = []
    service: Id | None = Field(
        None, description="Which of the customer's services it is about (an id from /services)."
    )
    follow_up_of: TicketNumber | None = Field(
        None, description="The number of the customer's closed ticket this one follows up."
    )
    different_reason: str = Field(
        "",
        max_length=DIFFERENT_REASON_MAX,
        description="Sending again a request refused as `duplicate_request`: why it is not "
        "the same request as the open ticket named in the refusal.",
    )


class TicketPatch(InputSchema):
    """Only the keys sent change; `assignee_id: null` unassigns."""

    status: Status = None
    priority: Priority = None
    severity: Severity = None
    assignee_id: Id | None = None
    department_id: Id = None
    tags: list[str] = None
    fields: dict[str, FieldValue] = Field(
        None,
        description="Values of the department's fields, by key; only the keys sent change, an "
        "empty value clears one. Staff may fill in what a mailed or phoned request lacked "
        "(`missing_fields`), which ends the wait for it.",
    )
    # T-12 [002 r14]
    reason: str = Field(
        None,
        max_length=NOTE_MAX,
        description="With a lowered priority: why. Records that the customer chose a higher "
        "priority than the request warrants (a wrong_priority violation); without a lowered "
        "priority it is not kept.",
    )


class AuthorOut(Out):
    type: Literal["customer", "staff", "system"]
    name: str


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("api:attachment_download", kwargs={"attachment_id": obj.pk})


class MessageOut(Out):
    id: int
    kind: str
    author: AuthorOut
    body: str
    channel: str
    created_at: datetime
    created_at_display: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj) -> dict:
        if obj.kind == MessageKind.SYSTEM:
            user = obj.author_user
            return {"type": "system", "name": user.display_name if user else ""}
        if obj.author_customer_id is not None:
            return {"type": "customer", "name": obj.author_customer.name}
        if obj.author_user_id is not None:
            return {"type": "staff", "name": obj.author_user.display_name}
        return {"type": "system", "name": ""}

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class MessageIn(InputSchema):
    kind: Literal["reply", "note"] = "reply"
    body: str
    status: Status | None = Field(None, description="For replies: the status to leave it in.")
    attachments: list[AttachmentIn] = []
    # T-9 [002 r5, r7]
    minutes: Minutes | None = Field(
        None,
        description="For staff replies on an out-of-scope ticket (required there): the time "
        "the answer took, logged as a billable extra service.",
    )


def _ticket(request, number: int):
    ticket = None
    if number <= MAX_NUMBER:
        ticket = selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise not_found()
    return ticket


def _shown(request, number: int):
    """The ticket as TicketOut shows it, read again after a change."""
    qs = selectors.ticket_list(tenant=request.tenant).filter(number=number)
    return _with_links(qs).first()


def _shown_new(request, ticket):
    """A ticket this request has just created, shown from the objects the intake returned
    instead of read back (which cost a fifth of the creation): nothing has tagged it, logged
    time on it or merged it yet, and its links and service are the objects it was made with.
    A request that became a reply on an open ticket shows that ticket as it is now."""
    if not getattr(ticket, "request_is_new", False):
        return _shown(request, ticket.number)
    ticket.time_minutes = ticket.billable_minutes = 0
    ticket.known_tags = []
    return ticket


@router.get("/tickets", response={200: TicketPage, 400: ErrorOut})
def ticket_list(request, filters: Query[TicketQuery]):
    """Tickets by cursor: each page's `next_cursor` (or `next`) reads the page after it at the
    same cost however many tickets come before."""
    wanted = selectors.TicketFilters(
        status=list(filters.status),
        priority=list(filters.priority),
        department=filters.department,
        assignee=filters.assignee,
        unassigned=filters.unassigned,
        customer=filters.customer,
        tag=filters.tag.strip(),
        sort=filters.sort,
    )
    offset = (filters.page - 1) * filters.page_size
    if not filters.cursor and offset > selectors.OFFSET_LIMIT:
        raise invalid("page", "wrong_value")
    more_matches = bool(filters.q.strip()) and selectors.filters_narrow_to_search(
        tenant=request.tenant, filters=wanted, query=filters.q.strip()
    )
    try:
        page = selectors.ticket_page(
            tenant=request.tenant,
            filters=wanted,
            size=filters.page_size,
            cursor=filters.cursor,
            offset=offset,
            prepare=_with_links,
        )
    except selectors.InvalidCursor:
        raise invalid("cursor", "wrong_value") from None
    count = selectors.ticket_count(tenant=request.tenant, filters=wanted)
    next_url = None
    if page.next_cursor:
        query = request.GET.copy()
        query.pop("page", None)
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "items": page.tickets,
        "count": count.value,
        "count_exact": count.exact and not more_matches,
        "page": None if filters.cursor else filters.page,
        "page_size": filters.page_size,
        "next_cursor": page.next_cursor,
        "next": next_url,
    }


@router.post(
    "/tickets",
    response={
        201: TicketOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def ticket_create(request, payload: TicketIn):
    """Runs the workspace's support rules. A refusal carries `detail`: 409
    `duplicate_request` (the open ticket it repeats), 403 `fine_overdue`, `not_portal_admin`,
    `not_service_owner` or `service_unverified`, 422 `not_persian`."""
    tenant = request.tenant
    if payload.customer_id is not None and payload.customer is not None:
        raise invalid("customer_id", "one_customer")
    if payload.customer_id is None and payload.customer is None:
        raise invalid("customer_id", "required")
    department = selectors.department_kept(tenant=tenant, department_id=payload.department_id)
    if department is None:
        raise not_found("department_id")
    service = None
    if payload.service is not None:
        service = service_get(tenant=tenant, pk=payload.service)
        if service is None:
            raise not_found("service")
    follow_up_of = None
    if payload.follow_up_of is not None:
        follow_up_of = selectors.ticket_get(tenant=tenant, number=payload.follow_up_of)
        if follow_up_of is None:
            raise not_found("follow_up_of")
    submission = {
        "tenant": tenant,
        "department": department,
        "subject": payload.subject,
        "body": payload.body,
        "fields": payload.fields,
        "priority": payload.priority,
        "severity": payload.severity,
        "channel": "api",
        "files": uploads(payload.attachments),
        "actor": request.auth.user,
        "via": "api",
        "service": service,
        "follow_up_of": follow_up_of,
        "different_reason": payload.different_reason,
    }
    with field_names(department="department_id"):
        if payload.customer_id is not None:
            customer = customer_get(tenant=tenant, customer_id=payload.customer_id)
            if customer is None:
                raise not_found("customer_id")
            ticket = services.ticket_submit(customer=customer, **submission)
        else:
            ticket = services.ticket_submit_for_contact(
                contact=payload.customer.model_dump(), **submission
            )
    return HttpStatus(201, _shown_new(request, ticket))


@router.get("/tickets/{int:number}", response={200: TicketOut, 404: ErrorOut})
def ticket_detail(request, number: int):
    return _shown(request, _ticket(request, number).number)


@router.patch(
    "/tickets/{int:number}",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def ticket_update(request, number: int, payload: TicketPatch):
    """Change a ticket's status, priority, severity, assignee, department, tags or request
    information. A closed ticket is never reopened (409 `ticket_closed`), and its record stays
    as it was closed: changing anything but its tags answers 409 `ticket_closed_record`, with
    the refused fields in `fields`."""
    tenant = request.tenant
    ticket = _ticket(request, number)
    data = payload.model_dump(exclude_unset=True)
    simple = ("status", "priority", "severity", "tags", "fields", "reason")
    changes = {key: data[key] for key in simple if key in data}
    if "assignee_id" in data:
        changes["assignee"] = None
        if data["assignee_id"] is not None:
            membership = member_get(tenant=tenant, user_id=data["assignee_id"])
            if membership is None:
                raise not_found("assignee_id")
            changes["assignee"] = membership.user
    if "department_id" in data:
        department = selectors.department_get(tenant=tenant, department_id=data["department_id"])
        if department is None:
            raise not_found("department_id")
        changes["department"] = department
    with field_names(assignee="assignee_id", department="department_id"):
        services.ticket_update(
            tenant=tenant, ticket=ticket, actor=request.auth.user, via="api", **changes
        )
    return _shown(request, ticket.number)


@router.get("/tickets/{int:number}/messages", response={200: list[MessageOut], 404: ErrorOut})
def message_list(request, number: int):
    ticket = _ticket(request, number)
    return list(selectors.message_list(tenant=request.tenant, ticket=ticket, include_notes=True))


@router.post(
    "/tickets/{int:number}/messages",
    response={201: MessageOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def message_create(request, number: int, payload: MessageIn):
    ticket = _ticket(request, number)
    if payload.kind == MessageKind.NOTE and payload.status is not None:
        raise invalid("status", "status_on_note")
    if payload.kind == MessageKind.NOTE and payload.minutes is not None:
        raise invalid("minutes", "minutes_on_note")
    if payload.minutes is not None and not ticket.is_out_of_scope:
        # The reply service bills minutes only outside the scope; refused rather than lost.
        raise invalid("minutes", "minutes_in_scope")
    common = {
        "tenant": request.tenant,
        "ticket": ticket,
        "actor": request.auth.user,
        "body": payload.body,
        "files": uploads(payload.attachments),
        "via": "api",
    }
    if payload.kind == MessageKind.NOTE:
        message = services.ticket_add_note(channel="api", **common)
    else:
        message = services.ticket_reply(
            status=payload.status, minutes=payload.minutes, channel="api", **common
        )
    return HttpStatus(201, message)


# --- what staff do under the support rules ----------------------------------------------------


class MergeIn(InputSchema):
    into: TicketNumber = Field(..., description="The open ticket this one repeats.")


class CloseIncompleteIn(InputSchema):
    reason: Literal["incomplete", "wrong_information"] = Field(
        ..., description="Required information is missing, or what was given is wrong."
    )
    note: str = Field("", max_length=NOTE_MAX, description="Shown to the customer.")


class OutOfScopeIn(InputSchema):
    note: str = Field(
        ..., max_length=NOTE_MAX, description="Why; shown to the customer (e.g. their own CMS)."
    )


class TimeEntryIn(InputSchema):
    minutes: Minutes
    kind: Literal["work", "extra_service", "datacentre_visit"] = Field(
        "work",
        description="Module installations are logged through /installations instead.",
    )
    # T-9, T-10 [002 r7, r11]
    billable: bool = Field(
        False,
        description="Extra services and data-centre visits are always billable.",
    )
    note: str = Field("", max_length=NOTE_MAX)


class TimeEntryOut(Out):
    id: int
    kind: str
    minutes: int
    billable: bool
    note: str
    user: UserRef | None
    created_at: datetime
    created_at_display: str

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])


class TimeEntriesOut(Out):
    items: list[TimeEntryOut]
    total_minutes: int
    billable_minutes: int


_ACTION_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("/tickets/{int:number}/merge", response={200: TicketOut, **_ACTION_ERRORS})
def ticket_merge(request, number: int, payload: MergeIn):
    """This ticket repeats another, open one: it closes, pointing to it, since one request
    has one ticket. The same customer's repeat is recorded as a duplicate. 409 if this ticket
    is already closed."""
    # T-4 [002 r15-16]
    tenant = request.tenant
    ticket = _ticket(request, number)
    into = selectors.ticket_get(tenant=tenant, number=payload.into)
    if into is None:
        raise not_found("into")
    services.ticket_merge(
        tenant=tenant, ticket=ticket, into=into, actor=request.auth.user, via="api"
    )
    return _shown(request, number)


@router.post("/tickets/{int:number}/unmerge", response={200: TicketOut, **_ACTION_ERRORS})
def ticket_unmerge(request, number: int):
    """Undo a merge: the ticket takes back the status it had, and the duplicate it was
    recorded as is withdrawn unless fined. 409 `not_merged`."""
    services.ticket_unmerge(
        tenant=request.tenant, ticket=_ticket(request, number), actor=request.auth.user, via="api"
    )
    return _shown(request, number)


@router.post("/tickets/{int:number}/close-incomplete", response={200: TicketOut, **_ACTION_ERRORS})
def ticket_close_incomplete(request, number: int, payload: CloseIncompleteIn):
    """Close without an answer: the request lacks required information or carries wrong
    information. The reason is shown to the customer and recorded as a violation."""
    # T-6 [002 r13]
    # The service names its note check "reason"; the schema has already checked the reason.
    with field_names(reason="note"):
        services.ticket_close_with_reason(
            tenant=request.tenant,
            ticket=_ticket(request, number),
            actor=request.auth.user,
            reason=payload.reason,
            note=payload.note,
            via="api",
        )
    return _shown(request, number)


@router.post("/tickets/{int:number}/out-of-scope", response={200: TicketOut, **_ACTION_ERRORS})
def ticket_out_of_scope(request, number: int, payload: OutOfScopeIn):
    """Outside the support's scope (e.g. the customer's own CMS): the SLA no longer applies;
    a staff reply then needs `minutes`, billed as an extra service. 409
    `already_out_of_scope`."""
    # T-9 [002 r5, r7]
    # The service names its note check "reason".
    with field_names(reason="note"):
        services.ticket_mark_out_of_scope(
            tenant=request.tenant,
            ticket=_ticket(request, number),
            actor=request.auth.user,
            note=payload.note,
            via="api",
        )
    return _shown(request, number)


@router.get("/tickets/{int:number}/time-entries", response={200: TimeEntriesOut, 404: ErrorOut})
def time_entry_list(request, number: int):
    ticket = _ticket(request, number)
    entries = list(
        TimeEntry.objects.for_tenant(request.tenant).filter(ticket=ticket).select_related("user")
    )
    return {
        "items": entries,
        "total_minutes": sum(entry.minutes for entry in entries),
        "billable_minutes": sum(entry.minutes for entry in entries if entry.billable),
    }


@router.post(
    "/tickets/{int:number}/time-entries",
    response={201: TimeEntryOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def time_entry_create(request, number: int, payload: TimeEntryIn):
    # The service names its note check "reason".
    with field_names(reason="note"):
        entry = services.time_entry_add(
            tenant=request.tenant,
            ticket=_ticket(request, number),
            actor=request.auth.user,
            minutes=payload.minutes,
            kind=payload.kind,
            billable=payload.billable,
            note=payload.note,
            via="api",
        )
    return HttpStatus(201, entry)
