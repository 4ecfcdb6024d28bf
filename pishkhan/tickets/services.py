"""Every write to tickets. One transaction each; permission and tenant checks here; side
effects (notifications) only after commit."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from pishkhan.accounts.models import Customer, User
from pishkhan.accounts.selectors import customer_get_by_email
from pishkhan.accounts.services import customer_create
from pishkhan.core import clock
from pishkhan.core.persian import normalize
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, require_writer, staff_membership
from pishkhan.tickets import events, tasks
from pishkhan.tickets import fields as department_fields
from pishkhan.tickets.attachments import check_files
from pishkhan.tickets.models import (
    Attachment,
    CannedReply,
    Channel,
    Department,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Tag,
    Ticket,
    TicketCounter,
    TicketTag,
)
from pishkhan.trust.services import audit_record
from pishkhan.validation import choice, collect, require_clean, required_text

SUBJECT_MAX = 200
BODY_MAX = 20_000
TAG_MAX = 50
TAGS_PER_TICKET = 20


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


_clean_text = required_text
_choice = choice


def _next_number(tenant: Tenant) -> int:
    # The UPDATE takes the counter row's lock until commit, so concurrent submissions in one
    # tenant queue here and each sees the previous one's number; on rollback it is given back.
    updated = TicketCounter.objects.filter(tenant=tenant).update(last_number=F("last_number") + 1)
    if not updated:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(tenant=tenant, last_number=0)
        except IntegrityError:
            pass  # another transaction created it first; the update below waits for it
        TicketCounter.objects.filter(tenant=tenant).update(last_number=F("last_number") + 1)
    return TicketCounter.objects.values_list("last_number", flat=True).get(tenant=tenant)


def _author_role(*, tenant: Tenant, ticket_customer: Customer, actor: User | None):
    """('staff', membership) or ('customer', customer) or ('system', None)."""
    if actor is None:
        return "system", None
    membership = staff_membership(tenant=tenant, user=actor)
    if membership is not None:
        require_writer(tenant=tenant, user=actor)
        return "staff", membership
    if ticket_customer.user_id is not None and ticket_customer.user_id == actor.pk:
        return "customer", ticket_customer
    raise PermissionDenied(_("You may not write to this ticket."))


def _store_files(*, tenant: Tenant, message: Message, checked, now) -> None:
    for item in checked:
        attachment = Attachment(
            tenant=tenant,
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            created_at=now,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        attachment.save()


def _search_text(subject: str, body: str, values: dict) -> str:
    return normalize(" ".join([subject, body, *map(str, values.values())]))


@transaction.atomic
def ticket_submit(
    *,
    tenant: Tenant,
    customer: Customer,
    department: Department,
    subject: str,
    body: str,
    fields: dict | None = None,
    priority: str = Priority.NORMAL,
    severity: str = Severity.OTHER,
    channel: str = Channel.PORTAL,
    files: Sequence = (),
    actor: User | None = None,
    via: str = "web",
) -> Ticket:
    """The one intake path: portal, API (and later email, chat, phone) all come through here."""
    if customer.tenant_id != tenant.pk or department.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant submission")
    _author_role(tenant=tenant, ticket_customer=customer, actor=actor)
    cleaned, errors = collect(
        {
            "subject": lambda: _clean_text(subject, field="subject", max_length=SUBJECT_MAX),
            "body": lambda: _clean_text(body, field="body", max_length=BODY_MAX),
            "priority": lambda: _choice(priority, Priority, field="priority"),
            "severity": lambda: _choice(severity, Severity, field="severity"),
            "channel": lambda: _choice(channel, Channel, field="channel"),
            "fields": lambda: department_fields.clean_values(department.fields, fields),
            "files": lambda: check_files(tenant=tenant, files=list(files)),
        }
    )
    if not department.is_active:
        errors["department"] = [_("This department does not take new requests.")]
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    ticket = Ticket.objects.create(
        tenant=tenant,
        number=_next_number(tenant),
        department=department,
        customer=customer,
        subject=cleaned["subject"],
        status=Status.NEW,
        priority=cleaned["priority"],
        severity=cleaned["severity"],
        channel=cleaned["channel"],
        fields=cleaned["fields"],
        search_text=_search_text(cleaned["subject"], cleaned["body"], cleaned["fields"]),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    message = Message.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.REPLY,
        author_user=actor if actor is not None and actor.pk == customer.user_id else None,
        author_customer=customer,
        body=cleaned["body"],
        channel=cleaned["channel"],
        created_at=now,
    )
    _store_files(tenant=tenant, message=message, checked=cleaned["files"], now=now)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.submit",
        obj=ticket,
        via=via,
        changes={"number": ticket.number, "channel": ticket.channel},
    )
    events.publish(events.TicketEvent(events.SUBMITTED, tenant, ticket, now, actor))
    transaction.on_commit(lambda: tasks.notify_ticket_received.enqueue(ticket.pk))
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence = (),
    status: str | None = None,
    channel: str = Channel.PORTAL,
    via: str = "web",
) -> Message:
    """A public reply, by the customer or by staff. Staff replies leave the ticket waiting on
    the customer unless another status is chosen; a customer's reply reopens the conversation."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    role, _who = _author_role(tenant=tenant, ticket_customer=ticket.customer, actor=actor)
    if ticket.is_closed:
        raise ValidationError(
            _("This ticket is closed and cannot be reopened. Please open a new ticket."),
            code="ticket_closed",
        )
    checks = {
        "body": lambda: _clean_text(body, field="body", max_length=BODY_MAX),
        "files": lambda: check_files(tenant=tenant, files=list(files)),
    }
    if status is not None and role == "staff":
        checks["status"] = lambda: _choice(status, Status, field="status")
    cleaned = require_clean(checks)

    now = clock.now()
    message = Message.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.REPLY,
        author_user=actor,
        author_customer=ticket.customer if role == "customer" else None,
        body=cleaned["body"],
        channel=channel,
        created_at=now,
    )
    _store_files(tenant=tenant, message=message, checked=cleaned["files"], now=now)
    update_fields = ["updated_at"]
    ticket.updated_at = now
    first_response = role == "staff" and ticket.first_response_at is None
    if role == "staff":
        if first_response:
            ticket.first_response_at = now
            update_fields.append("first_response_at")
        new_status = status or (
            Status.WAITING if ticket.status in (Status.NEW, Status.OPEN) else ticket.status
        )
        transaction.on_commit(lambda: tasks.notify_agent_reply.enqueue(message.pk))
    else:
        new_status = Status.OPEN if ticket.status != Status.NEW else Status.NEW
    ticket.search_text = normalize(f"{ticket.search_text} {cleaned['body']}")[:100_000]
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
    if first_response:
        events.publish(events.TicketEvent(events.STAFF_REPLIED, tenant, ticket, now, actor))
    if new_status != ticket.status:
        _apply_status(
            tenant=tenant, ticket=ticket, status=new_status, actor=actor, via=via, now=now
        )
    return message


@transaction.atomic
def ticket_add_note(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence = (),
    via: str = "web",
) -> Message:
    """An internal note: staff only, never shown to the customer, changes no status."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
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
    return message


def _apply_status(*, tenant: Tenant, ticket: Ticket, status: str, actor, via: str, now) -> None:
    old = ticket.status
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.updated_at = now
    ticket.save(update_fields=fields)
    Message.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.SYSTEM,
        author_user=actor,
        body=f"status:{old}:{status}",
        created_at=now,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.status",
        obj=ticket,
        via=via,
        changes={"status": [old, status]},
    )
    events.publish(
        events.TicketEvent(
            events.STATUS_CHANGED, tenant, ticket, now, actor, {"old": old, "new": status}
        )
    )


def _clean_tags(tags) -> list[str]:
    if not isinstance(tags, list | tuple):
        raise ValidationError({"tags": [_("Tags must be a list.")]})
    cleaned = []
    for raw in tags:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise ValidationError(
                {"tags": [_("A tag has at most %(n)s characters.") % {"n": TAG_MAX}]}
            )
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > TAGS_PER_TICKET:
        raise ValidationError({"tags": [_("At most %(n)s tags.") % {"n": TAGS_PER_TICKET}]})
    return cleaned


@transaction.atomic
def ticket_update(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User | None,
    status: str = UNSET,
    priority: str = UNSET,
    severity: str = UNSET,
    assignee: User | None = UNSET,
    department: Department = UNSET,
    tags: list[str] = UNSET,
    via: str = "web",
) -> Ticket:
    """Staff changes to a ticket's properties (T-2, T-3). A closed ticket's status is final.
    `actor` None is the system itself (an SLA escalation)."""
    if actor is not None:
        require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    if status is not UNSET and ticket.is_closed and status != Status.CLOSED:
        raise ValidationError(
            _("This ticket is closed and cannot be reopened. Please open a new ticket."),
            code="ticket_closed",
        )
    checks = {}
    for name, value, choices in (
        ("status", status, Status),
        ("priority", priority, Priority),
        ("severity", severity, Severity),
    ):
        if value is not UNSET:
            checks[name] = lambda value=value, choices=choices, name=name: _choice(
                value, choices, field=name
            )
    if tags is not UNSET:
        checks["tags"] = lambda: _clean_tags(tags)
    cleaned, errors = collect(checks)
    tags = cleaned.get("tags", tags)
    if assignee is not UNSET and assignee is not None:
        membership = staff_membership(tenant=tenant, user=assignee)
        if membership is None or not membership.can_write:
            errors["assignee"] = [_("Choose an agent of this workspace.")]
    if department is not UNSET and (department is None or department.tenant_id != tenant.pk):
        errors["department"] = [_("Choose a department of this workspace.")]
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    changes: dict[str, list] = {}
    update_fields: list[str] = []
    for name, value in (("priority", priority), ("severity", severity)):
        if value is not UNSET and getattr(ticket, name) != value:
            changes[name] = [getattr(ticket, name), value]
            setattr(ticket, name, value)
            update_fields.append(name)
    if assignee is not UNSET and ticket.assignee_id != (assignee.pk if assignee else None):
        changes["assignee"] = [ticket.assignee_id, assignee.pk if assignee else None]
        ticket.assignee = assignee
        update_fields.append("assignee")
    if department is not UNSET and ticket.department_id != department.pk:
        changes["department"] = [ticket.department_id, department.pk]
        ticket.department = department
        update_fields.append("department")
    if tags is not UNSET:
        old_tags = sorted(
            TicketTag.objects.filter(ticket=ticket).values_list("tag__name", flat=True)
        )
        if old_tags != sorted(tags):
            _set_tags(tenant=tenant, ticket=ticket, names=tags)
            changes["tags"] = [old_tags, sorted(tags)]
    if update_fields:
        ticket.updated_at = now
        ticket.save(update_fields=[*update_fields, "updated_at"])
    if changes:
        audit_record(
            tenant=tenant, actor=actor, action="ticket.update", obj=ticket, via=via, changes=changes
        )
    reclassified = sorted({"priority", "severity", "department"} & set(changes))
    if reclassified:
        events.publish(
            events.TicketEvent(
                events.RECLASSIFIED, tenant, ticket, now, actor, {"changed": reclassified}
            )
        )
    if status is not UNSET and status != ticket.status:
        _apply_status(tenant=tenant, ticket=ticket, status=status, actor=actor, via=via, now=now)
    return ticket


def _require_open(ticket: Ticket) -> None:
    if ticket.is_closed:
        raise ValidationError(
            _("This ticket is closed and cannot be reopened. Please open a new ticket."),
            code="ticket_closed",
        )


@transaction.atomic
def ticket_mark_restored(
    *, tenant: Tenant, ticket: Ticket, actor: User, via: str = "web"
) -> Ticket:
    """A workaround is in place (S-2 "restore"): the restore target is met or missed now; the
    ticket stays open for the full resolution."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    if ticket.restored_at is not None:
        raise ValidationError(_("This ticket is already marked restored."), code="already_restored")
    now = clock.now()
    ticket.restored_at = now
    ticket.updated_at = now
    ticket.save(update_fields=["restored_at", "updated_at"])
    audit_record(tenant=tenant, actor=actor, action="ticket.restored", obj=ticket, via=via)
    events.publish(events.TicketEvent(events.RESTORED, tenant, ticket, now, actor))
    return ticket


BILLABLE_MINUTES_MAX = 100_000


@transaction.atomic
def ticket_mark_not_a_fault(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    minutes: int | None = None,
    note: str = "",
    via: str = "web",
) -> Ticket:
    """S-5 [003 4.2.4]: the reported fault is not a software fault. The ticket's SLA
    obligations lapse and the time spent is logged as billable: `minutes` as the agent counts
    it, or by default the business time the ticket's clocks had used."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    if ticket.not_fault_at is not None:
        raise ValidationError(
            _("This ticket is already marked as not a software fault."), code="already_not_fault"
        )
    if minutes is not None:
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            minutes = -1
        if not 1 <= minutes <= BILLABLE_MINUTES_MAX:
            raise ValidationError(
                {
                    "minutes": [
                        _("Give the minutes spent, 1 to %(n)s.") % {"n": BILLABLE_MINUTES_MAX}
                    ]
                }
            )
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": [_("Too long (at most %(n)s characters).") % {"n": 500}]})
    now = clock.now()
    ticket.not_fault_at = now
    ticket.updated_at = now
    ticket.save(update_fields=["not_fault_at", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.not_a_fault",
        obj=ticket,
        via=via,
        changes={"minutes": minutes, "note": note},
    )
    events.publish(
        events.TicketEvent(
            events.NOT_A_FAULT, tenant, ticket, now, actor, {"minutes": minutes, "note": note}
        )
    )
    return ticket


def _set_tags(*, tenant: Tenant, ticket: Ticket, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(tenant=tenant, name=name)
        tags.append(tag)
    TicketTag.objects.filter(ticket=ticket).exclude(tag__in=tags).delete()
    existing = set(TicketTag.objects.filter(ticket=ticket).values_list("tag_id", flat=True))
    TicketTag.objects.bulk_create(
        [TicketTag(tenant=tenant, ticket=ticket, tag=t) for t in tags if t.pk not in existing]
    )


@transaction.atomic
def department_create(
    *,
    tenant: Tenant,
    actor: User | None,
    name: str,
    name_en: str = "",
    description: str = "",
    fields: list | None = None,
    is_active: bool = True,
    via: str = "web",
) -> Department:
    if actor is not None:
        require_admin(tenant=tenant, user=actor)
    name = _clean_text(name, field="name", max_length=120)
    definitions = department_fields.clean_definitions(fields or [])
    if Department.objects.for_tenant(tenant).filter(name=name).exists():
        raise ValidationError({"name": [_("A department with this name exists.")]})
    department = Department.objects.create(
        tenant=tenant,
        name=name,
        name_en=(name_en or "").strip()[:120],
        description=(description or "").strip(),
        fields=definitions,
        is_active=is_active,
        position=Department.objects.for_tenant(tenant).count(),
    )
    audit_record(tenant=tenant, actor=actor, action="department.create", obj=department, via=via)
    return department


@transaction.atomic
def department_update(
    *,
    tenant: Tenant,
    department: Department,
    actor: User,
    name: str = UNSET,
    name_en: str = UNSET,
    description: str = UNSET,
    fields: list = UNSET,
    is_active: bool = UNSET,
    via: str = "web",
) -> Department:
    require_admin(tenant=tenant, user=actor)
    changes = {}
    if name is not UNSET:
        name = _clean_text(name, field="name", max_length=120)
        clash = Department.objects.for_tenant(tenant).filter(name=name).exclude(pk=department.pk)
        if clash.exists():
            raise ValidationError({"name": [_("A department with this name exists.")]})
        changes["name"] = name
    if name_en is not UNSET:
        changes["name_en"] = (name_en or "").strip()[:120]
    if description is not UNSET:
        changes["description"] = (description or "").strip()
    if fields is not UNSET:
        changes["fields"] = department_fields.clean_definitions(fields)
    if is_active is not UNSET:
        changes["is_active"] = bool(is_active)
    for key, value in changes.items():
        setattr(department, key, value)
    if changes:
        department.save(update_fields=list(changes))
        audit_record(
            tenant=tenant,
            actor=actor,
            action="department.update",
            obj=department,
            via=via,
            changes={k: str(v) for k, v in changes.items()},
        )
    return department


@transaction.atomic
def canned_reply_create(
    *, tenant: Tenant, actor: User, title: str, body: str, via: str = "web"
) -> CannedReply:
    require_writer(tenant=tenant, user=actor)
    title = _clean_text(title, field="title", max_length=120)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    if CannedReply.objects.for_tenant(tenant).filter(title=title).exists():
        raise ValidationError({"title": [_("A canned reply with this title exists.")]})
    reply = CannedReply.objects.create(
        tenant=tenant, title=title, body=body, created_by=actor, created_at=clock.now()
    )
    audit_record(tenant=tenant, actor=actor, action="canned_reply.create", obj=reply, via=via)
    return reply


@transaction.atomic
def canned_reply_delete(*, tenant: Tenant, actor: User, reply: CannedReply, via: str = "web"):
    require_writer(tenant=tenant, user=actor)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="canned_reply.delete",
        obj=reply,
        via=via,
        changes={"title": reply.title},
    )
    reply.delete()


@transaction.atomic
def ticket_submit_for_contact(
    *,
    tenant: Tenant,
    contact: dict,
    department: Department,
    subject: str,
    body: str,
    fields: dict | None = None,
    priority: str = Priority.NORMAL,
    severity: str = Severity.OTHER,
    channel: str = Channel.PORTAL,
    files: Sequence = (),
    actor: User | None = None,
    via: str = "web",
) -> Ticket:
    """A submission on behalf of a customer known only by contact details ({name, email,
    phone, language}): the tenant's customer with that email is reused, else one is created.
    Both happen in one transaction, so a refused submission leaves no customer behind."""
    customer = customer_get_by_email(tenant=tenant, email=contact.get("email", ""))
    if customer is None:
        try:
            customer = customer_create(
                tenant=tenant,
                actor=actor,
                via=via,
                **{k: v for k, v in contact.items() if k in ("name", "email", "phone", "language")},
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {f"customer.{key}": msgs for key, msgs in exc.message_dict.items()}
            ) from exc
    return ticket_submit(
        tenant=tenant,
        customer=customer,
        department=department,
        subject=subject,
        body=body,
        fields=fields,
        priority=priority,
        severity=severity,
        channel=channel,
        files=files,
        actor=actor,
        via=via,
    )
