"""Clocks on tickets: started, paused, resumed, stopped and re-targeted inside the ticket
services' transactions (`on_ticket_event`), and the deadline checks the sweep runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction

from pishkhan import compiled_inserts, jobs
from pishkhan.core import clock as wall_clock
from pishkhan.core.businesstime import parse_target
from pishkhan.sla import clocks as arithmetic
from pishkhan.sla import tasks
from pishkhan.sla.calendars import (
    engine_calendar,
)
from pishkhan.sla.models import (
    CLOCK_KINDS,
    OPEN_CLOCK,
    BillableTime,
    BusinessCalendar,
    ClockStatus,
    SlaClock,
    SlaPolicy,
)
from pishkhan.sla.services.defaults import intake_settings, policy_for_department, target_for
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import staff_membership
from pishkhan.tickets import events
from pishkhan.tickets.models import Priority, Status, Ticket
from pishkhan.trust.services import audit_record

log = logging.getLogger(__name__)

# --- lifecycle --------------------------------------------------------------------------------


def on_ticket_event(event: events.TicketEvent) -> None:
    """Keep a ticket's clocks in step with what happened to it (tickets.events)."""
    tenant, ticket, now = event.tenant, event.ticket, event.now
    if event.kind == events.SUBMITTED:
        started = _start(tenant=tenant, ticket=ticket, now=now)
        _after_change(tenant, ticket, running=started)
        return
    if event.kind == events.STAFF_REPLIED:
        moved = _stop(tenant, ticket, now, kinds=("first_response",), reason="replied")
    elif event.kind == events.RESTORED:
        moved = _stop(tenant, ticket, now, kinds=("restore",), reason="restored")
    elif event.kind == events.NOT_A_FAULT:
        moved = _lapse(tenant, ticket, now, actor=event.actor, **event.data)
    elif event.kind == events.OUT_OF_SCOPE:
        # T-9: no obligation remains; the time an answer takes is billed by its own entries.
        moved = _lapse(tenant, ticket, now, actor=event.actor, minutes=0)
    elif event.kind == events.RECLASSIFIED:
        moved = _retarget(tenant=tenant, ticket=ticket, now=now)
    elif event.kind == events.STATUS_CHANGED:
        moved = _status_changed(tenant, ticket, now, event.data["old"], event.data["new"])
    else:
        moved = None
    if moved is not None:
        _after_change(tenant, ticket)


def _status_changed(tenant: Tenant, ticket, now: datetime, old: str, new: str):
    if new == Status.WAITING:
        return _pause(tenant, ticket, now)
    if new == Status.RESOLVED:
        # Resolving answers the request and restores the service as well.
        return _stop(tenant, ticket, now, kinds=CLOCK_KINDS, reason="resolved")
    if new == Status.CLOSED:
        return _stop(tenant, ticket, now, kinds=CLOCK_KINDS, reason="closed")
    if old == Status.WAITING:
        return _resume(tenant, ticket, now)
    if old == Status.RESOLVED:
        return _reopen(tenant, ticket, now)
    if old == Status.CLOSED:
        # Only an un-merge brings a closed ticket back (T-5 forbids every other way).
        return _reopen(tenant, ticket, now, reason="closed")
    return None  # new → open and the like: no clock moves


def _open_clocks(tenant: Tenant, ticket, *, kinds=CLOCK_KINDS, statuses=OPEN_CLOCK):
    return list(
        SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk, kind__in=kinds, status__in=statuses)
    )


def _engine(clock_or_policy):
    return engine_calendar(clock_or_policy.calendar)


def _start(*, tenant: Tenant, ticket, now: datetime) -> list[SlaClock]:
    policy, row, calendar = intake_settings(tenant=tenant).plan(
        tenant=tenant,
        department_id=ticket.department_id,
        severity=ticket.severity,
        priority=ticket.priority,
    )
    started = []
    for kind in CLOCK_KINDS:
        text = getattr(row, kind) if row is not None else ""
        if not text:
            continue
        target = parse_target(text)
        budget = arithmetic.budget_us(target, calendar)
        clock = SlaClock(
            tenant=tenant,
            ticket_id=ticket.pk,
            kind=kind,
            policy=policy,
            calendar=policy.calendar,
            target=text,
            status=ClockStatus.RUNNING,
            started_at=arithmetic.effective_start(now, target, calendar),
            budget_us=budget,
            remaining_us=budget,
            anchor_at=now,
        )
        arithmetic.plan(clock, calendar, policy.at_risk_percent)
        started.append(clock)
    compiled_inserts.insert(started)
    return started


def _stop(tenant: Tenant, ticket, now: datetime, *, kinds, reason: str) -> list:
    for clock in _open_clocks(tenant, ticket, kinds=kinds):
        calendar = _engine(clock)
        late = arithmetic.overdue(clock, calendar, now)
        clock.remaining_us = arithmetic.remaining_at(clock, calendar, now)
        clock.anchor_at = None
        clock.stopped_at = now
        clock.stop_reason = reason
        clock.status = ClockStatus.MISSED if late else ClockStatus.MET
        if late and clock.breached_at is None:
            clock.breached_at = clock.due_at or now
        clock.save()
    return []


def _pause(tenant: Tenant, ticket, now: datetime) -> list:
    for clock in _open_clocks(tenant, ticket, statuses=(ClockStatus.RUNNING,)):
        calendar = _engine(clock)
        if clock.breached_at is None and arithmetic.overdue(clock, calendar, now):
            clock.breached_at = clock.due_at  # it stays missed however long the wait
        clock.remaining_us = arithmetic.remaining_at(clock, calendar, now)
        clock.anchor_at = None
        clock.status = ClockStatus.PAUSED
        clock.due_at = None
        clock.at_risk_at = None
        clock.save()
    return []


def _run_again(clock, now: datetime) -> SlaClock:
    clock.status = ClockStatus.RUNNING
    clock.anchor_at = now
    clock.stopped_at = None
    clock.stop_reason = ""
    arithmetic.plan(clock, _engine(clock), _at_risk_percent(clock))
    clock.save()
    return clock


def _at_risk_percent(clock) -> int:
    return clock.policy.at_risk_percent if clock.policy is not None else 80


def _resume(tenant: Tenant, ticket, now: datetime) -> list[SlaClock]:
    paused = _open_clocks(tenant, ticket, statuses=(ClockStatus.PAUSED,))
    return [_run_again(clock, now) for clock in paused]


def _reopen(tenant: Tenant, ticket, now: datetime, *, reason: str = "resolved") -> list:
    # A customer who answers a resolved ticket says it is not resolved: the clocks that the
    # resolution stopped go on from where they stood.
    stopped = (
        SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk, stop_reason=reason)
        .exclude(kind="first_response")
    )
    return [_run_again(clock, now) for clock in stopped]


def _lapse(tenant: Tenant, ticket, now: datetime, *, actor=None, minutes=None, note="") -> list:
    """S-5: the obligations lapse; the time spent so far becomes billable."""
    clocks = _open_clocks(tenant, ticket)
    if minutes is None:
        spent = 0
        for clock in clocks:
            left = arithmetic.remaining_at(clock, _engine(clock), now)
            spent = max(spent, clock.budget_us - left)
        minutes = round(spent / 60_000_000)
    for clock in clocks:
        clock.remaining_us = arithmetic.remaining_at(clock, _engine(clock), now)
        clock.anchor_at = None
        clock.stopped_at = now
        clock.stop_reason = "not_a_fault"
        clock.status = ClockStatus.LAPSED
        clock.save()
    if minutes:  # found before any working time was spent: nothing to bill
        BillableTime.objects.create(
            tenant=tenant,
            ticket_id=ticket.pk,
            minutes=minutes,
            note=note,
            created_by=actor,
            created_at=now,
        )
    return []


def _retarget(*, tenant: Tenant, ticket, now: datetime) -> list[SlaClock]:
    """After a change of priority, severity, department or policy: every open clock keeps the
    time it has used and counts it against the ticket's new target; a kind that now has a
    target and had no clock gets one, counted from the ticket's start."""
    if getattr(ticket, "not_fault_at", None) is not None:
        return []
    policy = policy_for_department(tenant=tenant, department_id=ticket.department_id)
    row = target_for(policy, severity=ticket.severity, priority=ticket.priority)
    calendar = engine_calendar(policy.calendar)
    existing = {
        clock.kind: clock
        for clock in SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk)
    }
    moved = []
    for kind in CLOCK_KINDS:
        text = getattr(row, kind) if row is not None else ""
        clock = existing.get(kind)
        if clock is not None and clock.status not in OPEN_CLOCK:
            continue
        if not text:
            if clock is not None:
                clock.delete()  # no longer promised: a clock without a target means nothing
            continue
        target = parse_target(text)
        if clock is None:
            if kind == "first_response" and ticket.first_response_at is not None:
                continue
            budget = arithmetic.budget_us(target, calendar)
            start = arithmetic.effective_start(ticket.created_at, target, calendar)
            used = arithmetic.spent_us(target.unit, calendar, ticket.created_at, now)
            clock = SlaClock(
                tenant=tenant,
                ticket_id=ticket.pk,
                kind=kind,
                started_at=start,
                status=ClockStatus.RUNNING,
                budget_us=budget,
                remaining_us=budget - used,
                anchor_at=now,
            )
        else:
            used = clock.budget_us - arithmetic.remaining_at(clock, _engine(clock), now)
            budget = arithmetic.budget_us(target, calendar)
            clock.budget_us = budget
            clock.remaining_us = budget - used
            if clock.status == ClockStatus.RUNNING:
                clock.anchor_at = now
            if clock.remaining_us >= 0:
                clock.breached_at = None
                clock.breach_notified_at = None
            if budget - used > budget * (100 - policy.at_risk_percent) // 100:
                clock.at_risk_notified_at = None
        clock.policy = policy
        clock.calendar = policy.calendar
        clock.target = text
        if clock.status == ClockStatus.RUNNING:
            arithmetic.plan(clock, calendar, policy.at_risk_percent)
            moved.append(clock)
        clock.save()
    return moved


def policy_clocks_retarget(*, tenant: Tenant, policy: SlaPolicy) -> None:
    now = wall_clock.now()
    tickets = (
        Ticket.objects.for_tenant(tenant)
        .filter(clocks__policy=policy, clocks__status__in=OPEN_CLOCK)
        .distinct()
    )
    for ticket in tickets:
        _retarget(tenant=tenant, ticket=ticket, now=now)
        _after_change(tenant, ticket)


def ticket_clocks_retarget(*, tenant: Tenant, ticket, now: datetime) -> None:
    """After the ticket's policy changed (department moved to another policy, policy deleted)."""
    _retarget(tenant=tenant, ticket=ticket, now=now)
    _after_change(tenant, ticket)


def clocks_replan(*, tenant: Tenant, calendar: BusinessCalendar) -> int:
    """New due times for the running clocks that count on `calendar` (after it changed)."""
    engine = engine_calendar(calendar)
    now = wall_clock.now()
    touched: dict[int, list[SlaClock]] = {}
    running = (
        SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("policy")
        .filter(calendar=calendar, status=ClockStatus.RUNNING)
    )
    for clock in running:
        # What was used up to now was used under the old hours; only what is left moves.
        clock.remaining_us = arithmetic.remaining_at(clock, engine, now)
        clock.anchor_at = now
        arithmetic.plan(clock, engine, _at_risk_percent(clock))
        clock.save()
        touched.setdefault(clock.ticket_id, []).append(clock)
    for ticket in Ticket.objects.for_tenant(tenant).filter(pk__in=touched):
        _after_change(tenant, ticket)
    return len(touched)


def clocks_replan_official() -> int:
    """After the operator changed the official holidays: every calendar that follows them."""
    total = 0
    for calendar in BusinessCalendar.objects.filter(
        official_holidays=True, tenant__isnull=False
    ).select_related("tenant"):
        total += clocks_replan(tenant=calendar.tenant, calendar=calendar)
    return total


def _after_change(tenant: Tenant, ticket, *, running=None) -> None:
    """Keep the ticket's nearest due time (the queue sorts by it). The deadline sweep
    (`clocks_sweep`) finds each running clock's moments in the clock's own row, so nothing is
    planned for them."""
    if running is None:
        running = list(
            SlaClock.objects.for_tenant(tenant).filter(
                ticket_id=ticket.pk, status=ClockStatus.RUNNING
            )
        )
    nearest = min((c.due_at for c in running if c.due_at), default=None)
    if nearest is not None:
        nearest = nearest.astimezone(UTC)  # as the database gives it back (clock's convention)
    if getattr(ticket, "sla_due_at", None) != nearest:
        ticket.sla_due_at = nearest
        # A ticket still being created has no number yet; the intake writes its row once
        # more when it numbers it, due time included.
        if ticket.number is not None:
            Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=nearest)


# --- deadlines (run by the sweep) -------------------------------------------------------------

# Clocks of each kind one sweep takes at most (a backlog after a long stop is worked off in
# rounds that follow one another at once).
SWEEP_LIMIT = 500
# Clocks whose check failed, in this process: id -> (failures so far, when to try it again).
# A clock that keeps failing (one tenant's broken escalation, say) is tried less and less
# often instead of every sweep, and meanwhile the sweeps read past it to everyone else's.
_failing: dict[int, tuple[int, datetime]] = {}
FAILING_KEPT = 1000
RETRY_FIRST = timedelta(seconds=15)
RETRY_MOST = timedelta(hours=1)

NEXT_PRIORITY = {Priority.NORMAL: Priority.IMPORTANT, Priority.IMPORTANT: Priority.URGENT}


@transaction.atomic
def clock_deadline_check(*, clock_id: int) -> str | None:
    """Tell people a running clock is at risk or breached, once each, and escalate a breach as
    its policy says. Safe to run any number of times and at any moment: it acts on the clock as
    it is now (a clock paused since it was found has nothing to tell), and the notified-at marks are
    set in the same transaction as the escalation."""
    clock = (
        SlaClock.objects.select_for_update(of=("self",))
        .select_related("policy", "ticket", "tenant")
        .filter(pk=clock_id)
        .first()
    )
    if clock is None or clock.status != ClockStatus.RUNNING:
        return None
    now = wall_clock.now()
    tenant, ticket = clock.tenant, clock.ticket
    outcome = None
    if clock.breach_notified_at is None and clock.due_at is not None and now > clock.due_at:
        clock.breached_at = clock.breached_at or clock.due_at
        clock.breach_notified_at = now
        clock.at_risk_notified_at = clock.at_risk_notified_at or now
        clock.save(update_fields=["breached_at", "breach_notified_at", "at_risk_notified_at"])
        audit_record(
            tenant=tenant,
            actor=None,
            action="sla.breach",
            obj=ticket,
            via="job",
            changes={"clock": clock.kind, "due": clock.due_at.isoformat()},
        )
        jobs.enqueue(tasks.notify_clock, clock.pk, "breach")
        _escalate(clock)
        outcome = "breach"
    elif (
        clock.at_risk_notified_at is None
        and clock.at_risk_at is not None
        and now >= clock.at_risk_at
    ):
        clock.at_risk_notified_at = now
        clock.save(update_fields=["at_risk_notified_at"])
        audit_record(
            tenant=tenant,
            actor=None,
            action="sla.at_risk",
            obj=ticket,
            via="job",
            changes={"clock": clock.kind, "due": clock.due_at.isoformat()},
        )
        jobs.enqueue(tasks.notify_clock, clock.pk, "at_risk")
        outcome = "at_risk"
    return outcome


@dataclass(frozen=True)
class Sweep:
    # What was told, one entry per clock told: "breach" or "at_risk".
    told: list[str]
    # Clocks whose check failed (logged; looked at again by the next sweep).
    failed: int
    # A read found its limit full and this round told something: more clocks may be waiting.
    more: bool


def clocks_sweep(*, now: datetime | None = None, limit: int | None = None) -> Sweep:
    """Check every running clock, of every tenant, whose due or at-risk moment has passed with
    nobody told yet (`clock_deadline_check`, each in its own transaction: one clock whose check
    fails is logged and rests, and does not hold back the others' notices). At most `limit`
    (SWEEP_LIMIT) clocks of each kind per call; `more` asks the caller to come back at once,
    which it never does for a round of failures only."""
    from pishkhan.sla.selectors import clocks_come_due

    now = now or wall_clock.now()
    resting = [pk for pk, (_failures, again) in _failing.items() if again > now]
    ids, full = clocks_come_due(now=now, limit=limit or SWEEP_LIMIT, skip=resting)
    told, failed = [], 0
    for clock_id in ids:
        try:
            outcome = clock_deadline_check(clock_id=clock_id)
        except Exception:
            log.exception("SLA clock %s: the deadline check failed", clock_id)
            _rest(clock_id, now)
            failed += 1
            continue
        _failing.pop(clock_id, None)
        if outcome:
            told.append(outcome)
    return Sweep(told=told, failed=failed, more=full and bool(told))


def _rest(clock_id: int, now: datetime) -> None:
    failures = _failing.pop(clock_id, (0, now))[0] + 1
    _failing[clock_id] = (failures, now + min(RETRY_FIRST * 2**failures, RETRY_MOST))
    if len(_failing) > FAILING_KEPT:
        del _failing[next(iter(_failing))]  # the longest failing: it is tried again soonest


def _escalate(clock: SlaClock) -> None:
    from pishkhan.tickets.services import ticket_update

    policy, ticket = clock.policy, clock.ticket
    if policy is None:
        return
    changes = {}
    if policy.raise_priority and ticket.priority in NEXT_PRIORITY:
        changes["priority"] = NEXT_PRIORITY[ticket.priority]
    if policy.reassign_to_id and ticket.assignee_id != policy.reassign_to_id:
        if staff_membership(tenant=clock.tenant, user=policy.reassign_to) is not None:
            changes["assignee"] = policy.reassign_to
    if changes:
        ticket_update(tenant=clock.tenant, ticket=ticket, actor=None, via="sla", **changes)
