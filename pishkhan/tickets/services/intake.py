"""The one intake path (DESIGN.md principle 1): every channel submits through here."""

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan import compiled_inserts, deferred_writes, jobs
from pishkhan.accounts.models import Customer, OwnedService, User
from pishkhan.accounts.selectors import customer_get_by_email
from pishkhan.accounts.services import customer_create
from pishkhan.core import clock, similarity
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets import events, intake, tasks
from pishkhan.tickets import fields as department_fields
from pishkhan.tickets.attachments import check_files
from pishkhan.tickets.models import (
    Channel,
    Department,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Ticket,
)
from pishkhan.tickets.services._common import (
    BODY_MAX,
    SUBJECT_MAX,
    _apply_status,
    _author_role,
    _choice,
    _clean_text,
    _number_ticket,
    _search_text,
    _store_files,
)
from pishkhan.trust.services import audit_record
from pishkhan.validation import collect

# Channels where a person reads the request before it is answered, so a missing required field
# is asked for instead of refused (T-6): the customer cannot fill a form in a mail or a call.
ASK_FOR_MISSING = frozenset({Channel.EMAIL, Channel.PHONE})


def ticket_submit(**kwargs) -> Ticket:
    """The one intake path: portal, API, email, chat and phone all come through here. Runs the
    tenant's support rules in order (tickets.intake). Returns the ticket that now holds the
    request: a new one, or for a mailed duplicate the open ticket it was added to.

    On the returned ticket, `request_message` is the message that holds this request and
    `request_is_new` says whether it opened the ticket (False: it became a reply), so a channel
    need not look for either.

    A rule's refusal (`intake.PolicyRefusal`) leaves nothing behind but the violation it
    names, recorded after the rollback."""
    try:
        return _submit(**kwargs)
    except intake.PolicyRefusal as refusal:
        intake.record_refusal(refusal)
        raise


def _clean_reference(value, model, *, tenant: Tenant, field: str):
    """The tenant's object as it is now (a caller's copy may be stale: a service verified
    since it was loaded)."""
    if value is None:
        return None
    found = None
    if isinstance(value, model):
        found = model.objects.for_tenant(tenant).filter(pk=value.pk).first()
    if found is None:
        raise ValidationError({field: [_("Not found in this workspace.")]})
    return found


@transaction.atomic
def _submit(**kwargs) -> Ticket:
    # The new rows travel with the next statement (deferred_writes), the last of them with
    # the numbering; the submission's jobs (its notification; its SLA clocks need none)
    # in one INSERT.
    with deferred_writes.deferred():
        with jobs.batched():
            ticket = _create(**kwargs)
        if ticket.request_is_new:
            _number_ticket(kwargs["tenant"], ticket)
    return ticket


def _create(
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
    service: OwnedService | None = None,
    follow_up_of: Ticket | None = None,
    different_reason: str = "",
    violations: Sequence[intake.ViolationNote] = (),
    html: str = "",
) -> Ticket:
    if customer.tenant_id != tenant.pk or department.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant submission")
    _author_role(tenant=tenant, ticket_customer=customer, actor=actor)
    missing: list[str] | None = [] if channel in ASK_FOR_MISSING else None
    cleaned, errors = collect(
        {
            "subject": lambda: _clean_text(subject, field="subject", max_length=SUBJECT_MAX),
            "body": lambda: _clean_text(body, field="body", max_length=BODY_MAX),
            "priority": lambda: _choice(priority, Priority, field="priority"),
            "severity": lambda: _choice(severity, Severity, field="severity"),
            "channel": lambda: _choice(channel, Channel, field="channel"),
            "fields": lambda: department_fields.clean_values(
                department.fields, fields, missing=missing
            ),
            "files": lambda: check_files(tenant=tenant, files=list(files)),
            "service": lambda: _clean_reference(
                service, OwnedService, tenant=tenant, field="service"
            ),
            "follow_up_of": lambda: _clean_follow_up(
                follow_up_of, tenant=tenant, customer=customer
            ),
            "different_reason": lambda: (different_reason or "").strip()[:DIFFERENT_REASON_MAX],
        }
    )
    if not department.is_active:
        errors["department"] = [_("This department does not take new requests.")]
    if errors:
        raise ValidationError(errors)

    submission = intake.Submission(
        tenant=tenant,
        customer=customer,
        department=department,
        subject=cleaned["subject"],
        body=cleaned["body"],
        fields=cleaned["fields"],
        priority=cleaned["priority"],
        channel=cleaned["channel"],
        actor=actor,
        service=cleaned["service"],
        follow_up_of=cleaned["follow_up_of"],
        different_reason=cleaned["different_reason"],
        fingerprint=similarity.fingerprint(cleaned["subject"], cleaned["body"]),
        missing_fields=missing or [],
        violations=list(violations),
    )
    intake.run_checks(submission)
    if submission.append_to is not None:
        return _append_to_open_ticket(submission, files=cleaned["files"], via=via, html=html)

    now = clock.now()
    ticket = compiled_inserts.create(
        Ticket,
        tenant=tenant,
        number=None,  # given last (_submit), to hold the tenant's counter as briefly as can be
        department=department,
        customer=customer,
        subject=cleaned["subject"],
        status=Status.NEW,
        priority=cleaned["priority"],
        severity=cleaned["severity"],
        channel=cleaned["channel"],
        fields=cleaned["fields"],
        search_text=_search_text(cleaned["subject"], cleaned["body"], cleaned["fields"]),
        fingerprint=submission.fingerprint,
        service=submission.service,
        follow_up_of=submission.follow_up_of,
        duplicate_of=submission.duplicate_of,
        different_reason=submission.different_reason if submission.duplicate_of else "",
        missing_fields=submission.missing_fields,
        info_requested_at=now if submission.missing_fields else None,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    message = compiled_inserts.create(
        Message,
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.REPLY,
        author_user=actor if actor is not None and actor.pk == customer.user_id else None,
        author_customer=customer,
        body=cleaned["body"],
        body_html=html,
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
        changes={"channel": ticket.channel},
    )
    events.publish(
        events.TicketEvent(events.SUBMITTED, tenant, ticket, now, actor, {"message": message})
    )
    for note in submission.violations:
        intake.record(replace(note, ticket=note.ticket or ticket))
    if submission.missing_fields:
        # Asked for, not refused: the ticket waits on the customer and the rules close it
        # without an answer if nothing comes back in time (T-6).
        _apply_status(
            tenant=tenant, ticket=ticket, status=Status.WAITING, actor=None, via=via, now=now
        )
        events.publish(
            events.TicketEvent(
                events.INFO_REQUESTED, tenant, ticket, now, None, {"fields": ticket.missing_fields}
            )
        )
    jobs.enqueue(tasks.notify_ticket_received, ticket.pk)
    ticket.request_message, ticket.request_is_new = message, True
    return ticket


DIFFERENT_REASON_MAX = 1000


def _clean_follow_up(value, *, tenant: Tenant, customer: Customer) -> Ticket | None:
    """T-5: a follow-up continues one of the customer's own closed tickets."""
    if value is None:
        return None
    if isinstance(value, Ticket):
        # As it is now, not as the caller loaded it.
        value = Ticket.objects.for_tenant(tenant).filter(pk=value.pk).first()
    if not isinstance(value, Ticket) or value.customer_id != customer.pk:
        raise ValidationError({"follow_up_of": [_("Not found in this workspace.")]})
    if not value.is_closed:
        raise ValidationError(
            {"follow_up_of": [_("This ticket is still open: reply on it instead.")]}
        )
    return value


def _append_to_open_ticket(
    submission: intake.Submission, *, files, via: str, html: str = ""
) -> Ticket:
    """A mailed request that repeats an open ticket becomes a reply on it (T-4, email)."""
    from pishkhan.tickets.services.conversation import customer_message_add

    ticket = submission.append_to
    ticket.request_is_new = False
    ticket.request_message = customer_message_add(
        tenant=submission.tenant,
        ticket=ticket,
        customer=submission.customer,
        body=f"{submission.subject}\n\n{submission.body}",
        checked_files=files,
        channel=submission.channel,
        via=via,
        html=html,
    )
    for note in submission.violations:
        intake.record(replace(note, ticket=note.ticket or ticket))
    return ticket


def ticket_submit_for_contact(**kwargs) -> Ticket:
    """A submission on behalf of a customer known only by contact details ({name, email,
    phone, language}): the tenant's customer with that email is reused, else one is created.
    Both happen in one transaction, so a refused submission leaves no customer behind."""
    try:
        return _submit_for_contact(**kwargs)
    except intake.PolicyRefusal as refusal:
        intake.record_refusal(refusal)
        raise


@transaction.atomic
def _submit_for_contact(
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
    **rules,
) -> Ticket:
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
    return _submit(
        **rules,
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
