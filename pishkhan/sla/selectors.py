"""Reads of service levels for pages, the API and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pishkhan.core import clock as wall_clock
from pishkhan.sla import clocks as arithmetic
from pishkhan.sla.calendars import engine_calendar, engine_key, engine_of
from pishkhan.sla.models import (
    OPEN_CLOCK,
    BillableTime,
    BusinessCalendar,
    CalendarDay,
    ClockStatus,
    DepartmentPolicy,
    HolidayOverride,
    SlaClock,
    SlaPolicy,
)
from pishkhan.tenancy.models import Membership, Role, Tenant

SUPERVISOR_ROLES = (Role.OWNER, Role.ADMIN, Role.SUPERVISOR)


class State:
    """What an agent sees of a clock."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    LAPSED = "lapsed"


@dataclass(frozen=True)
class ClockView:
    clock: SlaClock
    state: str
    # Business time left (negative: overdue by), in seconds; None once stopped.
    left_seconds: int | None
    used_percent: int
    due_at: datetime | None

    @property
    def kind(self) -> str:
        return self.clock.kind

    @property
    def target(self) -> str:
        return self.clock.target


def clock_view(clock: SlaClock, *, now: datetime | None = None, engines=None) -> ClockView:
    """`engines`: a dict shared by the calls for one page, so each calendar is built (and its
    dates read) once per page, not once per clock."""
    now = now or wall_clock.now()
    if clock.status in (ClockStatus.MET, ClockStatus.MISSED, ClockStatus.LAPSED):
        state = {
            ClockStatus.MET: State.MET,
            ClockStatus.MISSED: State.MISSED,
            ClockStatus.LAPSED: State.LAPSED,
        }[clock.status]
        return ClockView(clock, state, None, 0, clock.due_at)
    calendar = _engine_for(clock, {} if engines is None else engines)
    if calendar is None:
        return ClockView(clock, State.PAUSED, clock.remaining_us // 1_000_000, 0, None)
    left = arithmetic.remaining_at(clock, calendar, now)
    used = arithmetic.used_percent(clock, calendar, now, left=left)
    if clock.status == ClockStatus.PAUSED:
        state = State.PAUSED
    elif arithmetic.overdue(clock, calendar, now, left=left):
        state = State.BREACHED
    elif clock.at_risk_at is not None and now >= clock.at_risk_at:
        state = State.AT_RISK
    else:
        state = State.ON_TRACK
    return ClockView(clock, state, left // 1_000_000, used, clock.due_at)


def _engine_for(clock: SlaClock, engines: dict):
    if clock.calendar_id is None:
        return None
    if clock.calendar_id not in engines:
        engines[clock.calendar_id] = engine_calendar(clock.calendar)
    return engines[clock.calendar_id]


def clock_list_for_ticket(*, tenant: Tenant, ticket_id: int) -> list[ClockView]:
    clocks = (
        SlaClock.objects.for_tenant(tenant).select_related("calendar").filter(ticket_id=ticket_id)
    )
    now = wall_clock.now()
    engines: dict = {}
    views = (clock_view(c, now=now, engines=engines) for c in clocks)
    return sorted(views, key=lambda v: KIND_ORDER[v.kind])


KIND_ORDER = {"first_response": 0, "restore": 1, "resolution": 2}
# What a queue row's clock needs of its row (`queue_clocks`).
_SHOWN_FIELDS = (
    "ticket_id",
    "kind",
    "status",
    "calendar_id",
    "target",
    "budget_us",
    "remaining_us",
    "anchor_at",
    "due_at",
    "at_risk_at",
    "breached_at",
)


def queue_clocks(*, tenant: Tenant, ticket_ids) -> dict[int, ClockView]:
    """The clock each listed ticket's queue row shows: its running clock due first, else a
    paused one (first response, restore, resolution in that order); a ticket with neither is
    left out. One query of the open clocks; only the shown ones' time left is worked out (the
    row of a long-overdue clock costs a business-time sum over its whole delay, and a page
    lists 25 to 100 tickets), on their calendars' engines kept in the process."""
    open_clocks = (
        SlaClock.objects.for_tenant(tenant)
        .filter(ticket_id__in=list(ticket_ids), status__in=OPEN_CLOCK)
        .only(*_SHOWN_FIELDS)
    )
    running: dict[int, SlaClock] = {}
    paused: dict[int, SlaClock] = {}
    for clock in sorted(open_clocks, key=lambda c: KIND_ORDER[c.kind]):
        ticket = clock.ticket_id
        # As clock_view sees them: a running clock without a calendar (deleted) is paused.
        if clock.status == ClockStatus.RUNNING and clock.calendar_id is not None:
            if clock.due_at is not None and (
                ticket not in running or clock.due_at < running[ticket].due_at
            ):
                running[ticket] = clock
        else:
            paused.setdefault(ticket, clock)
    shown = {**paused, **running}
    engines = {
        calendar_id: kept_engine(tenant=tenant, calendar_id=calendar_id)
        for calendar_id in {c.calendar_id for c in shown.values()} - {None}
    }
    now = wall_clock.now()
    return {ticket: clock_view(c, now=now, engines=engines) for ticket, c in shown.items()}


def kept_engine(*, tenant: Tenant, calendar_id: int):
    """The engine of a calendar the tenant's clocks count on. What it is built from is kept in
    the process under the tenant's stamp (process_cache: a change to a calendar, its days or
    the holiday overrides renews it), the engines themselves only in `engine_of`'s bounded
    cache: a calendar is read, with its days, only when not kept. None for a calendar gone."""
    from pishkhan import process_cache

    def load():
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
        return None if calendar is None else engine_key(calendar)

    key = process_cache.cached("sla-engine", tenant.pk, load, key=calendar_id)
    return None if key is None else engine_of(key)


def clock_notice_recipients(*, clock: SlaClock, event: str) -> list:
    """Who is told that a clock is at risk ("at_risk") or breached ("breach")."""
    ticket = clock.ticket
    people = []
    if ticket.assignee_id and ticket.assignee.is_active and ticket.assignee.email:
        people.append(ticket.assignee)
    policy = clock.policy
    tell_supervisors = (event == "breach" and (policy is None or policy.notify_supervisors)) or (
        event == "at_risk" and not people
    )
    if tell_supervisors:
        memberships = (
            Membership.objects.filter(tenant_id=ticket.tenant_id, role__in=SUPERVISOR_ROLES)
            .select_related("user")
            .order_by("user_id")
        )
        for membership in memberships:
            user = membership.user
            if user.is_active and user.email and all(p.pk != user.pk for p in people):
                people.append(user)
    return people


def calendar_list(*, tenant: Tenant):
    return BusinessCalendar.objects.for_tenant(tenant).order_by("name")


def calendar_get(*, tenant: Tenant, calendar_id: int) -> BusinessCalendar | None:
    return BusinessCalendar.objects.for_tenant(tenant).filter(pk=calendar_id).first()


def calendar_get_by_name(*, tenant: Tenant, name: str) -> BusinessCalendar | None:
    return BusinessCalendar.objects.for_tenant(tenant).filter(name=name).first()


def calendar_day_list(*, tenant: Tenant, calendar: BusinessCalendar):
    return CalendarDay.objects.for_tenant(tenant).filter(calendar=calendar).order_by("date")


def holiday_override_list():
    return HolidayOverride.objects.order_by("date")


def policy_list(*, tenant: Tenant):
    return (
        SlaPolicy.objects.for_tenant(tenant)
        .select_related("calendar", "reassign_to")
        .prefetch_related("targets")
    )


def policy_get(*, tenant: Tenant, policy_id: int) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.for_tenant(tenant)
        .select_related("calendar", "reassign_to")
        .prefetch_related("targets")
        .filter(pk=policy_id)
        .first()
    )


def department_policy_map(*, tenant: Tenant) -> dict[int, SlaPolicy]:
    """department id → its own policy (departments not listed follow the default)."""
    return {
        a.department_id: a.policy
        for a in DepartmentPolicy.objects.for_tenant(tenant).select_related("policy")
    }


def billable_list_for_ticket(*, tenant: Tenant, ticket_id: int):
    return (
        BillableTime.objects.for_tenant(tenant)
        .filter(ticket_id=ticket_id)
        .select_related("created_by")
        .order_by("created_at")
    )


def clocks_come_due(*, now: datetime, limit: int, skip=()) -> tuple[list[int], bool]:
    """Ids of running clocks, of every tenant, whose due moment (first) or at-risk moment has
    passed with nobody told yet, but those in `skip`: at most `limit` of each, the longest
    waiting first; and whether either read found its limit full (more may wait)."""
    breached, at_risk = untold_moments(now=now)
    if skip:
        breached, at_risk = breached.exclude(pk__in=skip), at_risk.exclude(pk__in=skip)
    due = list(breached.values_list("pk", flat=True)[:limit])
    risky = list(at_risk.values_list("pk", flat=True)[:limit])
    seen = set(due)
    return due + [pk for pk in risky if pk not in seen], max(len(due), len(risky)) >= limit


def untold_moments(*, now: datetime):
    """The running clocks whose due moment, and those whose at-risk moment, passed before `now`
    with nobody told, the longest waiting first. Each is read from its own partial index
    (`slaclock_breach_untold`, `slaclock_risk_untold`), which holds only such clocks."""
    running = SlaClock.objects.filter(status=ClockStatus.RUNNING)
    # A clock is breached once its due time has *passed* (due at 16:00 and answered at 16:00
    # is met); at risk from its at-risk moment on.
    breached = running.filter(breach_notified_at__isnull=True, due_at__lt=now).order_by("due_at")
    at_risk = running.filter(at_risk_notified_at__isnull=True, at_risk_at__lte=now).order_by(
        "at_risk_at"
    )
    return breached, at_risk
