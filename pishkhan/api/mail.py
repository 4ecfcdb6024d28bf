"""The email channel in the API (C-1): the mailboxes a workspace connects, the log of every
message received (with its raw original, and a failed one tried again), and a customer's
address marked as working again after a bounce.

Mailboxes and the log are for the owner and portal admins (they hold IMAP credentials and
customers' raw mail): other tokens get 403. The IMAP password is write-only."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.accounts import selectors as account_selectors
from pishkhan.accounts.services import customer_clear_email_failing
from pishkhan.api.errors import not_found
from pishkhan.api.schemas import (
    MAX_ID,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    PageQuery,
    display,
    paginate,
)
from pishkhan.mail import selectors
from pishkhan.mail.models import InboundStatus
from pishkhan.mail.services import mail_retry, mailbox_create, mailbox_delete, mailbox_update
from pishkhan.tenancy.permissions import require_admin
from pishkhan.tickets import selectors as ticket_selectors

router = Router(tags=["mail"])


def _admin(request) -> None:
    require_admin(tenant=request.tenant, user=request.auth.user)


def _existing_id(value: int) -> bool:
    # Above the largest id a database column holds: no such row can exist.
    return 1 <= value <= MAX_ID


# --- mailboxes -------------------------------------------------------------------------------


class DepartmentRef(Out):
    id: int
    name: str
    name_en: str


class MailboxOut(Out):
    id: int
    address: str = Field(..., description="The address customers write to (lower case).")
    name: str
    department: DepartmentRef = Field(..., description="New requests become its tickets.")
    polls_imap: bool = Field(
        ...,
        description="true: fetched from the IMAP mailbox below; false: delivered to Pishkhan "
        "(`pishkhan mail-receive`).",
    )
    imap_host: str
    imap_port: int
    imap_ssl: bool
    imap_user: str
    has_imap_password: bool = Field(
        ..., description="A password is stored; the password itself is never returned."
    )
    imap_folder: str
    imap_done_folder: str = Field(
        ..., description="Where a processed message is moved; empty: it is only flagged."
    )
    is_active: bool
    last_polled_at: datetime | None
    last_polled_at_display: str | None
    last_error: str = Field(..., description="The last IMAP error; empty after a good poll.")
    created_at: datetime

    @staticmethod
    def resolve_has_imap_password(obj) -> bool:
        return bool(obj.imap_password)

    @staticmethod
    def resolve_last_polled_at_display(obj, context) -> str | None:
        return display(obj.last_polled_at, context["request"])


class MailboxIn(InputSchema):
    address: str = Field(..., max_length=254)
    department_id: Id
    name: str = Field("", max_length=120)
    imap_host: str = Field(
        "", max_length=255, description="Empty: mail is delivered to Pishkhan rather than fetched."
    )
    imap_port: int = Field(993, ge=1, le=65535)
    imap_ssl: bool = True
    imap_user: str = Field("", max_length=255)
    imap_password: str = Field("", max_length=255, description="Write-only.")
    imap_folder: str = Field("INBOX", max_length=255)
    imap_done_folder: str = Field("", max_length=255)
    is_active: bool = True


class MailboxPatch(InputSchema):
    """Only the keys sent change; an empty `imap_password` keeps the stored one."""

    address: str = Field(None, max_length=254)
    department_id: Id = None
    name: str = Field(None, max_length=120)
    imap_host: str = Field(None, max_length=255)
    imap_port: int = Field(None, ge=1, le=65535)
    imap_ssl: bool = None
    imap_user: str = Field(None, max_length=255)
    imap_password: str = Field(None, max_length=255, description="Write-only.")
    imap_folder: str = Field(None, max_length=255)
    imap_done_folder: str = Field(None, max_length=255)
    is_active: bool = None


def _mailbox(request, mailbox_id: int):
    mailbox = None
    if _existing_id(mailbox_id):
        mailbox = selectors.mailbox_get(tenant=request.tenant, pk=mailbox_id)
    if mailbox is None:
        raise not_found()
    return mailbox


def _values(request, values: dict) -> dict:
    """The service's arguments: the department named by id, found in this workspace only."""
    if "department_id" in values:
        department = ticket_selectors.department_get(
            tenant=request.tenant, department_id=values.pop("department_id")
        )
        if department is None:
            raise not_found("department_id")
        values["department"] = department
    return values


_WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/mailboxes", response={200: list[MailboxOut], 403: ErrorOut})
def mailbox_list(request):
    _admin(request)
    return list(selectors.mailbox_list(tenant=request.tenant))


@router.post("/mailboxes", response={201: MailboxOut, **_WRITE_ERRORS})
def mailbox_add(request, payload: MailboxIn):
    """Connect a mailbox. Addresses are unique across all workspaces: mail to one reaches
    exactly one."""
    _admin(request)
    values = _values(request, payload.model_dump())
    mailbox = mailbox_create(tenant=request.tenant, actor=request.auth.user, via="api", **values)
    return HttpStatus(201, selectors.mailbox_get(tenant=request.tenant, pk=mailbox.pk))


@router.get("/mailboxes/{int:mailbox_id}", response={200: MailboxOut, 403: ErrorOut, 404: ErrorOut})
def mailbox_detail(request, mailbox_id: int):
    _admin(request)
    return _mailbox(request, mailbox_id)


@router.patch("/mailboxes/{int:mailbox_id}", response={200: MailboxOut, **_WRITE_ERRORS})
def mailbox_change(request, mailbox_id: int, payload: MailboxPatch):
    _admin(request)
    mailbox = _mailbox(request, mailbox_id)
    mailbox_update(
        tenant=request.tenant,
        mailbox=mailbox,
        actor=request.auth.user,
        via="api",
        **_values(request, payload.model_dump(exclude_unset=True)),
    )
    return selectors.mailbox_get(tenant=request.tenant, pk=mailbox.pk)


@router.delete("/mailboxes/{int:mailbox_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def mailbox_remove(request, mailbox_id: int):
    """Disconnect a mailbox; what it received stays in the log and on the tickets."""
    _admin(request)
    mailbox_delete(
        tenant=request.tenant,
        mailbox=_mailbox(request, mailbox_id),
        actor=request.auth.user,
        via="api",
    )
    return HttpStatus(204, None)


# --- received mail ---------------------------------------------------------------------------


class MailboxRef(Out):
    id: int
    address: str


class InboundOut(Out):
    id: int
    mailbox: MailboxRef | None = Field(..., description="null once the mailbox was removed.")
    message_id: str = Field(
        ...,
        description='Without angle brackets; "sha256:<digest>" for a message without one.',
    )
    sender: str
    subject: str
    size: int = Field(..., description="Bytes of the raw message.")
    status: str = Field(
        ...,
        description="ticket, reply, follow_up, refused, ignored (automatic mail), bounce or "
        "failed (could not be processed; may be tried again).",
    )
    status_label: str
    detail: str = Field(..., description="Why: the error, the rule that refused it, and so on.")
    ticket: int | None = Field(..., description="The number of the ticket it made or joined.")
    received_at: datetime
    received_at_display: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_ticket(obj) -> int | None:
        return obj.ticket.number if obj.ticket_id is not None else None

    @staticmethod
    def resolve_received_at_display(obj, context) -> str:
        return display(obj.received_at, context["request"])


class InboundPage(Out):
    items: list[InboundOut]
    count: int
    page: int
    page_size: int


class InboundQuery(PageQuery):
    status: InboundStatus | None = None


def _inbound(request, inbound_id: int):
    inbound = None
    if _existing_id(inbound_id):
        inbound = selectors.inbound_get(tenant=request.tenant, pk=inbound_id)
    if inbound is None:
        raise not_found()
    return inbound


@router.get("/mail/inbound", response={200: InboundPage, 400: ErrorOut, 403: ErrorOut})
def inbound_list(request, filters: Query[InboundQuery]):
    """Every message received, newest first."""
    _admin(request)
    qs = selectors.inbound_list(tenant=request.tenant, status=filters.status or "")
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.get(
    "/mail/inbound/{int:inbound_id}", response={200: InboundOut, 403: ErrorOut, 404: ErrorOut}
)
def inbound_detail(request, inbound_id: int):
    _admin(request)
    return _inbound(request, inbound_id)


@router.get(
    "/mail/inbound/{int:inbound_id}/raw",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The message exactly as received, as an attachment.",
                "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def inbound_raw(request, inbound_id: int):
    _admin(request)
    inbound = _inbound(request, inbound_id)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/mail/inbound/{int:inbound_id}/retry",
    response={200: InboundOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def inbound_retry(request, inbound_id: int):
    """Process a failed message again (after a fix, or after correcting its mailbox). The
    answer carries its new status; 400 for a message that did not fail."""
    _admin(request)
    inbound = mail_retry(
        tenant=request.tenant,
        inbound=_inbound(request, inbound_id),
        actor=request.auth.user,
        via="api",
    )
    return selectors.inbound_get(tenant=request.tenant, pk=inbound.pk)


# --- a customer's address --------------------------------------------------------------------


class CustomerEmailOut(Out):
    id: int
    email: str
    email_failing: bool = Field(
        ..., description="Mail to the address bounced, and nobody has said it works since."
    )
    email_failing_since: datetime | None
    email_failure: str = Field(..., description="The last bounce's reason.")

    @staticmethod
    def resolve_email_failing(obj) -> bool:
        return obj.email_failing_since is not None


@router.post(
    "/customers/{int:customer_id}/email-restored",
    response={200: CustomerEmailOut, 403: ErrorOut, 404: ErrorOut},
    tags=["customers"],
)
def customer_email_restored(request, customer_id: int):
    """The customer's address works again (they fixed their mailbox): it is no longer reported
    as failing. Members who may write; a no-op for an address that is not failing."""
    customer = None
    if _existing_id(customer_id):
        customer = account_selectors.customer_get(tenant=request.tenant, customer_id=customer_id)
    if customer is None:
        raise not_found()
    return customer_clear_email_failing(
        tenant=request.tenant, customer=customer, actor=request.auth.user, via="api"
    )
