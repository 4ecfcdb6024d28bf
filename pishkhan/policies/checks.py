"""The support rules, run in order by the one intake path (tickets.intake) [002, 003].

Order matters: a customer whose right to open tickets is suspended learns that first, whatever
else is wrong; ownership before content; the language before the duplicate search (a refused
English request is not compared with anything)."""

from django.core.exceptions import ValidationError

from pishkhan import jobs
from pishkhan.accounts.models import Customer
from pishkhan.core import clock, language, similarity
from pishkhan.policies import messages, selectors, tasks
from pishkhan.policies.models import Mode, Violation
from pishkhan.tenancy.selectors import user_is_admin_somewhere
from pishkhan.tickets import events, intake
from pishkhan.tickets.models import Channel
from pishkhan.tickets.tasks import notify_info_requested


def install() -> None:
    intake.register(
        checks=[suspension, operator_desk, ownership, persian_only, duplicates, incomplete],
        recorder=record_violation,
        withdrawer=withdraw_violation,
    )
    events.subscribe(on_ticket_event)


def _rules(sub: intake.Submission):
    """(workspace rules, department rules) of this submission, read once for all checks."""
    if "rules" not in sub.context:
        sub.context["rules"] = selectors.intake_rules_get(
            tenant=sub.tenant, department=sub.department
        )
    return sub.context["rules"]


def _refuse(code: str, message, *, status: int, detail=None, violation=None, **params):
    message_fa, message_en = messages.both(message, **params)
    return intake.PolicyRefusal(
        code=code,
        message_fa=message_fa,
        message_en=message_en,
        status=status,
        detail=detail,
        violation=violation,
    )


def suspension(sub: intake.Submission) -> None:
    """T-12 [002 r19]: an unpaid fine past its due date suspends new tickets, nothing else."""
    rules, _department_rules = _rules(sub)
    if not rules.suspend_on_unpaid_fine:
        return
    fine = selectors.overdue_fine(tenant=sub.tenant, customer=sub.customer, now=clock.now())
    if fine is None:
        return
    raise _refuse(
        "fine_overdue",
        messages.FINE_OVERDUE,
        status=403,
        amount=lambda lang: messages.money(fine.amount, fine.currency, lang),
        detail={
            "fine": fine.pk,
            "amount": str(fine.amount),
            "currency": fine.currency,
            "due_at": fine.due_at.isoformat(),
        },
    )


def operator_desk(sub: intake.Submission) -> None:
    """T-8 [003 4.2.6]: at the operator's own desk, only a tenant's owner or portal admin."""
    if not sub.tenant.is_operator_desk:
        return
    if not user_is_admin_somewhere(user=sub.customer.user, besides=sub.tenant):
        raise _refuse("not_portal_admin", messages.NOT_PORTAL_ADMIN, status=403)


def ownership(sub: intake.Submission) -> None:
    """T-8 [002 r3]: support about a service goes only to its verified owner. A request names
    its service by choosing it, or by a field value (a domain, a server IP) that is one."""
    rules, department_rules = _rules(sub)
    service = sub.service
    if service is None and rules.ownership_required:
        named = selectors.verified_service_for_values(tenant=sub.tenant, values=sub.fields.values())
        if named is not None:
            service = sub.service = named
    if service is None:
        if department_rules.service_required:
            raise ValidationError({"service": [str(messages.SERVICE_REQUIRED)]})
        return
    if service.customer_id != sub.customer.pk:
        raise _refuse(
            "not_service_owner",
            messages.NOT_SERVICE_OWNER,
            status=403,
            service=service.identifier,
            detail={"service": service.identifier},
        )
    if (rules.ownership_required or department_rules.service_required) and not service.is_verified:
        raise _refuse(
            "service_unverified",
            messages.SERVICE_UNVERIFIED,
            status=403,
            service=service.identifier,
            detail={"service": service.identifier},
        )


def persian_only(sub: intake.Submission) -> None:
    """T-7 [002 r1]: requests in Persian language and script, per department."""
    rules, department_rules = _rules(sub)
    mode = selectors.effective_mode(rules, department_rules, "persian_only")
    if mode == Mode.OFF:
        return
    verdict = language.check_persian(f"{sub.subject}\n{sub.body}")
    if verdict.is_persian:
        return
    note = intake.ViolationNote(
        kind=intake.NOT_PERSIAN,
        tenant=sub.tenant,
        customer=sub.customer,
        channel=sub.channel,
        actor=sub.actor,
        detail={"reason": verdict.reason, "persian_share": round(verdict.persian_share, 2)},
        refused=mode == Mode.BLOCK,
    )
    if mode == Mode.BLOCK:
        raise _refuse(
            "not_persian",
            messages.NOT_PERSIAN,
            status=422,
            detail={"reason": verdict.reason},
            violation=note,
        )
    sub.violations.append(note)


def duplicates(sub: intake.Submission) -> None:
    """T-4 [002 r15-16]: one request, one ticket. A near-duplicate of one of the customer's
    open tickets is shown to them (portal, API), folded into that ticket (mail), or accepted
    and flagged, as the tenant chose. A customer who says why it differs is believed, and the
    agents see both the match and the reason."""
    rules, department_rules = _rules(sub)
    mode = selectors.effective_mode(rules, department_rules, "duplicates")
    if mode == Mode.OFF or not sub.fingerprint:
        return
    candidates = selectors.duplicate_candidates(tenant=sub.tenant, customer=sub.customer)
    by_pk = {row[0]: row for row in candidates}
    matches = similarity.rank(sub.fingerprint, ((row[0], row[4]) for row in candidates))
    if not matches:
        return
    pk, score = matches[0]
    _pk, number, subject, status, _fp = by_pk[pk]
    from pishkhan.tickets.models import Ticket

    match = Ticket.objects.for_tenant(sub.tenant).get(pk=pk)
    if sub.different_reason:
        sub.duplicate_of = match
        return
    note = intake.ViolationNote(
        kind=intake.DUPLICATE,
        tenant=sub.tenant,
        customer=sub.customer,
        channel=sub.channel,
        actor=sub.actor,
        detail={"of": number, "score": round(score, 3)},
    )
    if sub.channel == Channel.EMAIL:
        sub.append_to = match
        sub.violations.append(note)
        return
    if mode == Mode.BLOCK:
        raise _refuse(
            "duplicate_request",
            messages.DUPLICATE,
            status=409,
            number=number,
            detail={
                "ticket": {"number": number, "subject": subject, "status": status},
                "score": round(score, 3),
            },
        )
    sub.duplicate_of = match
    sub.violations.append(note)


def incomplete(sub: intake.Submission) -> None:
    """T-6 [002 r13]: a mailed or phoned request without its required fields is accepted,
    recorded, and the customer asked for them (see on_ticket_event)."""
    if not sub.missing_fields:
        return
    sub.violations.append(
        intake.ViolationNote(
            kind=intake.INCOMPLETE,
            tenant=sub.tenant,
            customer=sub.customer,
            channel=sub.channel,
            actor=sub.actor,
            detail={"missing": list(sub.missing_fields)},
        )
    )


def record_violation(note: intake.ViolationNote) -> None:
    # After a refusal the customer may have been rolled back with it (created for this very
    # submission): then there is no one to record it on.
    if note.refused and not Customer.objects.filter(pk=note.customer.pk).exists():
        return
    if note.kind == intake.DUPLICATE and note.ticket is not None and "merged_into" in note.detail:
        # Merging a ticket already flagged as a duplicate at submission is the same violation.
        known = Violation.objects.for_tenant(note.tenant).filter(ticket=note.ticket, kind=note.kind)
        if known.exists():
            return
    Violation.objects.create(
        tenant=note.tenant,
        customer=note.customer,
        ticket=note.ticket,
        kind=note.kind,
        refused=note.refused,
        channel=note.channel or "",
        detail=note.detail,
        actor=note.actor if getattr(note.actor, "pk", None) else None,
        created_at=clock.now(),
    )


def withdraw_violation(*, tenant, ticket, kind: str) -> None:
    """A violation that proved wrong (the duplicate a merge recorded, when un-merged) goes,
    unless already fined. What the intake recorded on its own stays."""
    Violation.objects.for_tenant(tenant).filter(
        ticket=ticket, kind=kind, fine__isnull=True, detail__merged_into__isnull=False
    ).delete()


def on_ticket_event(event: events.TicketEvent) -> None:
    if event.kind != events.INFO_REQUESTED:
        return
    ticket = event.ticket
    rules = selectors.rule_settings_get(tenant=event.tenant)
    requested_at = ticket.info_requested_at
    jobs.enqueue(notify_info_requested, ticket.pk)
    tasks.schedule_unanswered_close(
        ticket_id=ticket.pk, requested_at=requested_at, hours=rules.incomplete_wait_hours
    )
