"""Replies and internal notes on a ticket's thread."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pishkhan import compiled_inserts, jobs
from pishkhan.accounts.models import Customer, User
from pishkhan.compiled_reads import CompiledRead
from pishkhan.core import clock
from pishkhan.core.persian import normalize
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.tickets import events, intake, tasks
from pishkhan.tickets import fields as department_fields
from pishkhan.tickets.attachments import check_files
from pishkhan.tickets.models import (
    Channel,
    Message,
    MessageKind,
    Status,
    Ticket,
    TimeEntry,
    WorkKind,
)
from pishkhan.tickets.services._common import (
    BODY_MAX,
    _apply_status,
    _author_role,
    _choice,
    _clean_text,
    _store_files,
    clean_minutes,
)
from pishkhan.trust.services import audit_record
from pishkhan.validation import require_clean


def ticket_reply(**kwargs) -> Message:
    """A public reply, by the customer or by staff. Staff replies leave the ticket waiting on
    the customer unless another status is chosen; a customer's reply reopens the conversation.

    `actor` is the user writing; for a customer without a login writing through a channel
    (a mail), `actor` is None and `customer` is given. A closed ticket never reopens (T-5): a
    customer's attempt is refused and recorded as a violation."""
    try:
        return _reply(**kwargs)
    except intake.PolicyRefusal as refusal:
        intake.record_refusal(refusal)
        raise


def closed_refusal(ticket: Ticket, *, channel: str = "", actor=None) -> intake.PolicyRefusal:
    """T-5: the answer to a customer writing on a closed ticket, in both languages, with the
    ticket to follow up."""
    message_fa, message_en = intake.both(CLOSED_MESSAGE)
    return intake.PolicyRefusal(
        code="ticket_closed",
        message_fa=message_fa,
        message_en=message_en,
        status=409,
        detail={"ticket": ticket.number, "follow_up": True},
        violation=intake.ViolationNote(
            kind=intake.REOPEN,
            tenant=ticket.tenant,
            customer=ticket.customer,
            ticket=ticket,
            channel=channel,
            actor=actor,
            refused=True,
        ),
    )


CLOSED_MESSAGE = gettext_lazy(
    "This ticket is closed and cannot be reopened. Please open a new ticket."
)


@transaction.atomic
def _reply(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User | None,
    body: str,
    files: Sequence = (),
    status: str | None = None,
    channel: str = Channel.PORTAL,
    via: str = "web",
    customer: Customer | None = None,
    minutes: int | None = None,
    fields: dict | None = None,
    html: str = "",
    locked: bool = False,
) -> Message:
    """`locked`: the caller has just read `ticket` with select_for_update in this transaction
    (as it is now), so it is not read again."""
    if not locked:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    if actor is None and customer is not None and customer.pk == ticket.customer_id:
        role = "customer"
        # The customer in hand is the ticket's: no need to read it again for the message.
        ticket.customer = customer
    else:
        if actor is None:
            raise PermissionDenied(_("You may not write to this ticket."))
        role, _who = _author_role(tenant=tenant, ticket_customer=ticket.customer, actor=actor)
    if ticket.is_closed:
        if role == "customer":
            raise closed_refusal(ticket, channel=channel, actor=actor)
        raise ValidationError(_(CLOSED_MESSAGE), code="ticket_closed")
    checks = {
        "body": lambda: _clean_text(body, field="body", max_length=BODY_MAX),
        "files": lambda: check_files(tenant=tenant, files=list(files)),
    }
    if status is not None and role == "staff":
        checks["status"] = lambda: _choice(status, Status, field="status")
    if role == "staff" and ticket.is_out_of_scope:
        # T-9: outside the scope, an answer is an extra service, billed by the time it took.
        checks["minutes"] = lambda: clean_minutes(
            minutes,
            required_message=_(
                "This ticket is outside the support's scope: an answer is a billable extra "
                "service. Enter the minutes it took."
            ),
        )
    if fields and ticket.missing_fields:
        checks["fields"] = lambda: _supplied_fields(ticket, fields)
    cleaned = require_clean(checks)

    now = clock.now()
    message = compiled_inserts.create(
        Message,
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.REPLY,
        author_user=actor,
        author_customer=ticket.customer if role == "customer" else None,
        body=cleaned["body"],
        body_html=html,
        channel=channel,
        created_at=now,
    )
    _store_files(tenant=tenant, message=message, checked=cleaned["files"], now=now)
    if cleaned.get("minutes"):
        TimeEntry.objects.create(
            tenant=tenant,
            ticket=ticket,
            kind=WorkKind.EXTRA_SERVICE,
            minutes=cleaned["minutes"],
            billable=True,
            note=_("Answer outside the support's scope"),
            user=actor,
            created_at=now,
        )
    update_fields = ["updated_at"]
    ticket.updated_at = now
    fields_before = ticket.fields
    if cleaned.get("fields"):
        values, still_missing = cleaned["fields"]
        ticket.fields = {**ticket.fields, **values}
        ticket.missing_fields = still_missing
        update_fields += ["fields", "missing_fields"]
    first_response = role == "staff" and ticket.first_response_at is None
    if role == "staff":
        if first_response:
            ticket.first_response_at = now
            update_fields.append("first_response_at")
        new_status = status or (
            Status.WAITING if ticket.status in (Status.NEW, Status.OPEN) else ticket.status
        )
        jobs.enqueue(tasks.notify_agent_reply, message.pk)
    else:
        new_status = Status.OPEN if ticket.status != Status.NEW else Status.NEW
        if ticket.info_requested_at is not None:
            # The customer answered our request for missing information (T-6): the ticket
            # is no longer on its way to closing without an answer.
            ticket.info_requested_at = None
            update_fields.append("info_requested_at")
    # The stored text is normalised already: only the new message is, so a reply costs the
    # same on the hundredth message of a thread as on the first.
    ticket.search_text = f"{ticket.search_text} {normalize(cleaned['body'])}".strip()[:100_000]
    update_fields.append("search_text")
    ticket.save(update_fields=update_fields)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.reply",
        obj=ticket,
        via=via,
        changes={"message": message.pk, "by": role},
    )
    events.publish(
        events.TicketEvent(events.MESSAGE_ADDED, tenant, ticket, now, actor, {"message": message})
    )
    if ticket.fields != fields_before:
        events.publish(events.TicketEvent(events.FIELDS_CHANGED, tenant, ticket, now, actor))
    if first_response:
        events.publish(events.TicketEvent(events.STAFF_REPLIED, tenant, ticket, now, actor))
    if new_status != ticket.status:
        _apply_status(
            tenant=tenant, ticket=ticket, status=new_status, actor=actor, via=via, now=now
        )
    return message


def _fields_in_text(ticket: Ticket, body: str) -> dict | None:
    """T-6 by mail: the answer to our request for the missing fields, written as "Label:
    value" lines (as that mail asks), fills them in."""
    if not ticket.missing_fields:
        return None
    wanted = [d for d in ticket.department.fields if d["key"] in ticket.missing_fields]
    return department_fields.values_from_text(wanted, body) or None


def _supplied_fields(ticket: Ticket, raw: dict) -> tuple[dict, list]:
    """T-6: values for the fields the request lacked, checked like at submission. Returns the
    valid values and the keys still missing."""
    wanted = [d for d in ticket.department.fields if d["key"] in ticket.missing_fields]
    offered = {k: v for k, v in (raw or {}).items() if k in ticket.missing_fields}
    still: list[str] = []
    values = department_fields.clean_values(wanted, offered, missing=still)
    return values, still


def customer_message_add(
    *,
    tenant: Tenant,
    ticket: Ticket,
    customer: Customer,
    body: str,
    checked_files=(),
    channel: str,
    via: str,
    html: str = "",
) -> Message:
    """A customer's message on their open ticket from a channel without a login (a mailed
    duplicate folded into the ticket it repeats). Files are already checked."""
    return _reply(
        tenant=tenant,
        ticket=ticket,
        actor=None,
        customer=customer,
        body=body,
        files=[item.upload for item in checked_files],
        channel=channel,
        via=via,
        html=html,
    )


def customer_message_receive(
    *,
    tenant: Tenant,
    ticket_id: int,
    customer: Customer,
    subject: str,
    body: str,
    files: Sequence = (),
    channel: str = Channel.EMAIL,
    via: str = "mail",
    html: str = "",
) -> tuple[Ticket, Message | None]:
    """A customer writes on a ticket through a channel that cannot show a form (mail): on an
    open ticket it is a reply; on a closed one (T-5) it becomes a new ticket that follows the
    closed one, the customer is told why, and the attempt is recorded. Returns the ticket
    that holds the message, and the reply when it was one. The ticket is named by id: the
    caller has only checked it is the customer's, and it is read here, locked, once."""
    from pishkhan.tickets.services.intake import ticket_submit

    # Inside the caller's transaction (a mail's), locked here for the reply, which then need
    # not read it again. Its department is read only when needed (a follow-up, fields asked).
    locked = transaction.get_connection().in_atomic_block
    read = _ticket_locked if locked else _ticket
    current = read.first(tenant_id=tenant.pk, pk=ticket_id)
    if current is None:
        raise Ticket.DoesNotExist(f"no ticket {ticket_id} in this workspace")
    if not current.is_closed:
        message = ticket_reply(
            locked=locked,
            tenant=tenant,
            ticket=current,
            actor=None,
            customer=customer,
            body=body,
            files=files,
            channel=channel,
            via=via,
            html=html,
            fields=_fields_in_text(current, body),
        )
        return current, message
    follow_up = ticket_submit(
        tenant=tenant,
        customer=customer,
        department=current.department,
        subject=subject or current.subject,
        body=body,
        # The follow-up continues the closed request: what it said about the service holds.
        fields=current.fields,
        service=current.service,
        files=files,
        channel=channel,
        via=via,
        html=html,
        follow_up_of=current,
        violations=[
            intake.ViolationNote(
                kind=intake.REOPEN,
                tenant=tenant,
                customer=customer,
                ticket=current,
                channel=channel,
                detail={"follow_up": True},
            )
        ],
    )
    jobs.enqueue(tasks.notify_follow_up_opened, follow_up.pk)
    return follow_up, None


# Every mailed reply reads its ticket: compiled once (pishkhan.compiled_reads).
_ticket = CompiledRead(lambda v: Ticket.objects.for_tenant(v.tenant_id).filter(pk=v.pk)[:1])
_ticket_locked = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id).select_for_update(of=("self",)).filter(pk=v.pk)[:1]
    )
)


@transaction.atomic
def ticket_add_note(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence = (),
    via: str = "web",
    channel: str = Channel.PORTAL,
) -> Message:
    """An internal note: staff only, never shown to the customer, changes no status. `channel`
    is where it was written, as for a reply (T-13). A closed ticket takes none, as it takes no
    reply: its thread is the record of a finished request (T-5); a follow-up carries on."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    if ticket.is_closed:
        raise ValidationError(_(CLOSED_MESSAGE), code="ticket_closed")
    cleaned = require_clean(
        {
            "body": lambda: _clean_text(body, field="body", max_length=BODY_MAX),
            "files": lambda: check_files(tenant=tenant, files=list(files)),
        }
    )
    now = clock.now()
    message = Message.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.NOTE,
        author_user=actor,
        body=cleaned["body"],
        channel=channel,
        created_at=now,
    )
    _store_files(tenant=tenant, message=message, checked=cleaned["files"], now=now)
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.note",
        obj=ticket,
        via=via,
        changes={"message": message.pk},
    )
    events.publish(
        events.TicketEvent(events.MESSAGE_ADDED, tenant, ticket, now, actor, {"message": message})
    )
    return message
