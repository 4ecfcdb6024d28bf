"""Tickets and their threads (T-1, T-2, T-3, T-13)."""

from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import field_validator

from pishkhan.accounts.selectors import customer_get
from pishkhan.api.errors import invalid, not_found
from pishkhan.api.schemas import (
    AttachmentIn,
    ErrorOut,
    Id,
    InputSchema,
    PageQuery,
    display,
    field_names,
    paginate,
    uploads,
)
from pishkhan.tenancy.selectors import member_get
from pishkhan.tickets import selectors, services
from pishkhan.tickets.models import MessageKind, Priority, Severity, Status

router = Router(tags=["tickets"])

# Above the largest number a database integer column holds: no such ticket can exist.
MAX_NUMBER = 2**63 - 1


class DepartmentRef(Schema):
    id: int
    name: str
    name_en: str


class CustomerRef(Schema):
    id: int
    name: str
    email: str


class UserRef(Schema):
    id: int
    full_name: str
    email: str


class TicketOut(Schema):
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

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return selectors.ticket_tags(ticket=obj)

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])

    @staticmethod
    def resolve_updated_at_display(obj, context) -> str:
        return display(obj.updated_at, context["request"])


class TicketPage(Schema):
    items: list[TicketOut]
    count: int
    page: int
    page_size: int


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
    fields: dict[str, str | int | None] = Field(
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


class TicketPatch(InputSchema):
    """Only the keys sent change; `assignee_id: null` unassigns."""

    status: Status = None
    priority: Priority = None
    severity: Severity = None
    assignee_id: Id | None = None
    department_id: Id = None
    tags: list[str] = None


class AuthorOut(Schema):
    type: Literal["customer", "staff", "system"]
    name: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("api:attachment_download", kwargs={"attachment_id": obj.pk})


class MessageOut(Schema):
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


def _ticket(request, number: int):
    ticket = None
    if number <= MAX_NUMBER:
        ticket = selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise not_found()
    return ticket


@router.get("/tickets", response={200: TicketPage, 400: ErrorOut})
def ticket_list(request, filters: Query[TicketQuery]):
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
    qs = selectors.search_filter(
        selectors.ticket_list(tenant=request.tenant, filters=wanted), filters.q
    )
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.post("/tickets", response={201: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def ticket_create(request, payload: TicketIn):
    tenant = request.tenant
    if payload.customer_id is not None and payload.customer is not None:
        raise invalid("customer_id", "one_customer")
    if payload.customer_id is None and payload.customer is None:
        raise invalid("customer_id", "required")
    department = selectors.department_get(tenant=tenant, department_id=payload.department_id)
    if department is None:
        raise not_found("department_id")
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
    return HttpStatus(201, selectors.ticket_get(tenant=tenant, number=ticket.number))


@router.get("/tickets/{int:number}", response={200: TicketOut, 404: ErrorOut})
def ticket_detail(request, number: int):
    return _ticket(request, number)


@router.patch(
    "/tickets/{int:number}",
    response={200: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def ticket_update(request, number: int, payload: TicketPatch):
    tenant = request.tenant
    ticket = _ticket(request, number)
    data = payload.model_dump(exclude_unset=True)
    changes = {key: data[key] for key in ("status", "priority", "severity", "tags") if key in data}
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
    return selectors.ticket_get(tenant=tenant, number=ticket.number)


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
    common = {
        "tenant": request.tenant,
        "ticket": ticket,
        "actor": request.auth.user,
        "body": payload.body,
        "files": uploads(payload.attachments),
        "via": "api",
    }
    if payload.kind == MessageKind.NOTE:
        message = services.ticket_add_note(**common)
    else:
        message = services.ticket_reply(status=payload.status, channel="api", **common)
    return HttpStatus(201, message)
