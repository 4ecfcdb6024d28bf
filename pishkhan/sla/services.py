"""Every write of service levels: calendars, holiday overrides, policies and their targets, and
the clocks on tickets. Clocks change only here, inside the ticket services' transactions (through
`on_ticket_event`) or a deadline job; their jobs are enqueued on commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import default_task_backend

from pishkhan.core import clock as wall_clock
from pishkhan.core.businesstime import MAX_TARGET_AMOUNT, parse_target
from pishkhan.core.jalali import parse_date
from pishkhan.core.persian import is_blank, to_ascii_digits
from pishkhan.sla import clocks as arithmetic
from pishkhan.sla import tasks
from pishkhan.sla.calendars import (
    DEFAULT_CALENDARS,
    check_time_zone,
    engine_calendar,
    format_week,
    parse_week,
)
from pishkhan.sla.models import (
    CLOCK_KINDS,
    OPEN_CLOCK,
    BillableTime,
    BusinessCalendar,
    CalendarDay,
    ClockStatus,
    DayKind,
    DepartmentPolicy,
    HolidayOverride,
    OverrideAction,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, staff_membership
from pishkhan.tickets import events
from pishkhan.tickets.models import Department, Priority, Severity, Status, Ticket
from pishkhan.trust.services import audit_record
from pishkhan.validation import collect

# SPEC S-2 [003 4.2.2]: first response, restore, resolution per class of request. "Review in 3
# business days" and "estimate in 8 business days" are the restore targets of the two lower
# classes; "next release" and "—" are no resolution target.
DEFAULT_TARGETS = {
    Severity.CRITICAL: ("2bh", "8bh", "3bd"),
    Severity.MAJOR: ("4bh", "2bd", "6bd"),
    Severity.BUG: ("8bh", "3bd", ""),
    Severity.OTHER: ("2bd", "8bd", ""),
}
DEFAULT_POLICY_NAME = "پیش‌فرض (جدول S-2)"
DEFAULT_POLICY_CALENDAR = "office"
NAME_MAX = 120


# --- defaults ------------------------------------------------------------------------------


@transaction.atomic
def sla_defaults_ensure(*, tenant: Tenant) -> SlaPolicy:
    """The tenant's default calendars (office, support, 24x7) and default policy (S-2), created
    the first time anything asks for them; afterwards one query. Returns the default policy."""
    policy = SlaPolicy.objects.for_tenant(tenant).filter(is_default=True).first()
    if policy is not None:
        return policy
    now = wall_clock.now()
    calendars = {}
    for name, values in DEFAULT_CALENDARS.items():
        calendars[name], _created = BusinessCalendar.objects.get_or_create(
            tenant=tenant, name=name, defaults={**values, "updated_at": now}
        )
    policy = SlaPolicy.objects.create(
        tenant=tenant,
        name=DEFAULT_POLICY_NAME,
        calendar=calendars[DEFAULT_POLICY_CALENDAR],
        is_default=True,
        updated_at=now,
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(
            tenant=tenant,
            policy=policy,
            severity=severity,
            priority="",
            first_response=first,
            restore=restore,
            resolution=resolution,
        )
        for severity, (first, restore, resolution) in DEFAULT_TARGETS.items()
    )
    return policy


# --- calendars -----------------------------------------------------------------------------


def _clean_name(value: str, *, field: str = "name", max_length: int = NAME_MAX) -> str:
    value = (value or "").strip()
    if is_blank(value):
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError(
            {field: [_("Too long (at most %(n)s characters).") % {"n": max_length}]}
        )
    return value


def _clean_day_minutes(value) -> int:
    try:
        minutes = int(to_ascii_digits(str(value)))
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= 1440:
        raise ValidationError(
            {"day_minutes": [_("A working day is 1 to 1440 minutes (8 hours = 480).")]}
        )
    return minutes


@transaction.atomic
def calendar_create(
    *,
    tenant: Tenant,
    actor,
    name: str,
    week,
    label: str = "",
    time_zone: str = "Asia/Tehran",
    day_minutes: int = 480,
    official_holidays: bool = True,
    via: str = "web",
) -> BusinessCalendar:
    require_admin(tenant=tenant, user=actor)
    sla_defaults_ensure(tenant=tenant)
    cleaned, errors = collect(
        {
            "name": lambda: _clean_name(name, max_length=40),
            "label": lambda: (label or "").strip()[:NAME_MAX],
            "week": lambda: format_week(parse_week(week)),
            "time_zone": lambda: check_time_zone(time_zone).key,
            "day_minutes": lambda: _clean_day_minutes(day_minutes),
        }
    )
    if "name" in cleaned and (
        BusinessCalendar.objects.for_tenant(tenant).filter(name=cleaned["name"]).exists()
    ):
        errors["name"] = [_("A calendar with this name exists.")]
    if errors:
        raise ValidationError(errors)
    calendar = BusinessCalendar.objects.create(
        tenant=tenant,
        official_holidays=bool(official_holidays),
        updated_at=wall_clock.now(),
        **cleaned,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="calendar.create",
        obj=calendar,
        via=via,
        changes={"name": calendar.name},
    )
    return calendar


_UNSET = object()


@transaction.atomic
def calendar_update(
    *,
    tenant: Tenant,
    actor,
    calendar: BusinessCalendar,
    label=_UNSET,
    week=_UNSET,
    time_zone=_UNSET,
    day_minutes=_UNSET,
    official_holidays=_UNSET,
    via: str = "web",
) -> BusinessCalendar:
    """Change a calendar; the running clocks that count on it get new due times at once."""
    require_admin(tenant=tenant, user=actor)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk, tenant=tenant)
    checks = {}
    if label is not _UNSET:
        checks["label"] = lambda: (label or "").strip()[:NAME_MAX]
    if week is not _UNSET:
        checks["week"] = lambda: format_week(parse_week(week))
    if time_zone is not _UNSET:
        checks["time_zone"] = lambda: check_time_zone(time_zone).key
    if day_minutes is not _UNSET:
        checks["day_minutes"] = lambda: _clean_day_minutes(day_minutes)
    if official_holidays is not _UNSET:
        checks["official_holidays"] = lambda: bool(official_holidays)
    cleaned, errors = collect(checks)
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in cleaned.items() if getattr(calendar, k) != v}
    if not changed:
        return calendar
    for key, value in changed.items():
        setattr(calendar, key, value)
    calendar.updated_at = wall_clock.now()
    calendar.save(update_fields=[*changed, "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="calendar.update",
        obj=calendar,
        via=via,
        changes={k: str(v) for k, v in changed.items()},
    )
    clocks_replan(tenant=tenant, calendar=calendar)
    return calendar


@transaction.atomic
def calendar_delete(*, tenant: Tenant, actor, calendar: BusinessCalendar, via: str = "web"):
    require_admin(tenant=tenant, user=actor)
    if SlaPolicy.objects.for_tenant(tenant).filter(calendar=calendar).exists():
        raise ValidationError(
            {
                "calendar": [
                    _("A policy counts on this calendar; choose another calendar there first.")
                ]
            }
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="calendar.delete",
        obj=calendar,
        via=via,
        changes={"name": calendar.name},
    )
    calendar.delete()


def _clean_date(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except ValueError as exc:
        raise ValidationError(
            {"date": [_("Give a date like 1405/09/12 (Jalali) or 2026-12-03.")]}
        ) from exc


@transaction.atomic
def calendar_day_set(
    *,
    tenant: Tenant,
    actor,
    calendar: BusinessCalendar,
    day,
    kind: str,
    note: str = "",
    via: str = "web",
) -> CalendarDay:
    """Close a calendar on a date (a company day off) or open it on an official holiday."""
    require_admin(tenant=tenant, user=actor)
    cleaned, errors = collect(
        {
            "date": lambda: _clean_date(day),
            "kind": lambda: _choice(kind, DayKind, field="kind"),
            "note": lambda: (note or "").strip()[:200],
        }
    )
    if errors:
        raise ValidationError(errors)
    entry, _created = CalendarDay.objects.update_or_create(
        calendar=calendar,
        date=cleaned["date"],
        defaults={"tenant": tenant, "kind": cleaned["kind"], "note": cleaned["note"]},
    )
    _touch(calendar)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="calendar.day",
        obj=calendar,
        via=via,
        changes={"date": str(entry.date), "kind": entry.kind},
    )
    clocks_replan(tenant=tenant, calendar=calendar)
    return entry


@transaction.atomic
def calendar_day_delete(
    *, tenant: Tenant, actor, calendar: BusinessCalendar, day, via: str = "web"
) -> None:
    require_admin(tenant=tenant, user=actor)
    when = _clean_date(day)
    deleted, _rows = (
        CalendarDay.objects.for_tenant(tenant).filter(calendar=calendar, date=when).delete()
    )
    if deleted:
        _touch(calendar)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="calendar.day_delete",
            obj=calendar,
            via=via,
            changes={"date": str(when)},
        )
        clocks_replan(tenant=tenant, calendar=calendar)


def _touch(calendar: BusinessCalendar) -> None:
    calendar.updated_at = wall_clock.now()
    calendar.save(update_fields=["updated_at"])


# --- operator's holiday overrides ----------------------------------------------------------


@transaction.atomic
def holiday_override_set(*, day, action: str, name: str = "") -> HolidayOverride:
    """The operator's correction of the official list, for every tenant (`pishkhan holidays`).
    Every running clock counting on official holidays is re-planned."""
    cleaned = _require(
        {
            "date": lambda: _clean_date(day),
            "action": lambda: _choice(action, OverrideAction, field="action"),
            "name": lambda: (name or "").strip()[:200],
        }
    )
    override, _created = HolidayOverride.objects.update_or_create(
        date=cleaned["date"],
        defaults={
            "action": cleaned["action"],
            "name": cleaned["name"],
            "created_at": wall_clock.now(),
        },
    )
    clocks_replan_official()
    return override


@transaction.atomic
def holiday_override_delete(*, day) -> bool:
    when = _clean_date(day)
    deleted, _rows = HolidayOverride.objects.filter(date=when).delete()
    if deleted:
        clocks_replan_official()
    return bool(deleted)


# --- policies ------------------------------------------------------------------------------


def _choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationError(
            {field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]}
        )
    return value


def _require(checks: dict) -> dict:
    cleaned, errors = collect(checks)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_target(value, *, field: str) -> str:
    text = to_ascii_digits((value or "").strip()).replace(" ", "").lower()
    if not text:
        return ""
    try:
        return str(parse_target(text))
    except ValueError as exc:
        raise ValidationError(
            {
                field: [
                    _(
                        "Write a target as a whole number and a unit: bh (business hours), "
                        "bd (business days) or m (minutes), e.g. 2bh; at most %(n)s."
                    )
                    % {"n": MAX_TARGET_AMOUNT}
                ]
            }
        ) from exc


def _clean_percent(value) -> int:
    try:
        percent = int(to_ascii_digits(str(value)))
    except (TypeError, ValueError):
        percent = -1
    if not 1 <= percent <= 99:
        raise ValidationError({"at_risk_percent": [_("Give a percentage from 1 to 99.")]})
    return percent


def _clean_calendar(tenant: Tenant, calendar) -> BusinessCalendar:
    if not isinstance(calendar, BusinessCalendar) or calendar.tenant_id != tenant.pk:
        raise ValidationError({"calendar": [_("Choose a calendar of this workspace.")]})
    return calendar


def _clean_reassign(tenant: Tenant, user):
    if user is None:
        return None
    membership = staff_membership(tenant=tenant, user=user)
    if membership is None or not membership.can_write:
        raise ValidationError({"reassign_to": [_("Choose an agent of this workspace.")]})
    return user


def _clean_targets(rows) -> list[dict]:
    """[{"severity", "priority", "first_response", "restore", "resolution"}] → cleaned rows,
    one per (severity, priority)."""
    if not isinstance(rows, list | tuple):
        raise ValidationError({"targets": [_("Targets must be a list.")]})
    cleaned, seen, errors = [], set(), {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"targets.{index}"] = [_("Each target row is an object.")]
            continue
        values, row_errors = collect(
            {
                "severity": lambda row=row: _choice(
                    row.get("severity"), Severity, field="severity"
                ),
                "priority": lambda row=row: (
                    _choice(row.get("priority"), Priority, field="priority")
                    if row.get("priority")
                    else ""
                ),
                **{
                    kind: (lambda row=row, kind=kind: _clean_target(row.get(kind), field=kind))
                    for kind in CLOCK_KINDS
                },
            }
        )
        for key, messages in row_errors.items():
            errors[f"targets.{index}.{key}"] = messages
        if row_errors:
            continue
        key = (values["severity"], values["priority"])
        if key in seen:
            errors[f"targets.{index}"] = [_("This class of request is listed twice.")]
            continue
        seen.add(key)
        cleaned.append(values)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def policy_create(
    *,
    tenant: Tenant,
    actor,
    name: str,
    calendar: BusinessCalendar,
    targets: list | None = None,
    at_risk_percent: int = 80,
    notify_supervisors: bool = True,
    raise_priority: bool = False,
    reassign_to=None,
    via: str = "web",
) -> SlaPolicy:
    """A new policy; without targets it starts from the S-2 table."""
    require_admin(tenant=tenant, user=actor)
    sla_defaults_ensure(tenant=tenant)
    default_rows = [
        {"severity": s, "priority": "", "first_response": f, "restore": r, "resolution": z}
        for s, (f, r, z) in DEFAULT_TARGETS.items()
    ]
    cleaned = _require(
        {
            "name": lambda: _clean_name(name),
            "calendar": lambda: _clean_calendar(tenant, calendar),
            "at_risk_percent": lambda: _clean_percent(at_risk_percent),
            "reassign_to": lambda: _clean_reassign(tenant, reassign_to),
            "targets": lambda: _clean_targets(default_rows if targets is None else targets),
        }
    )
    if SlaPolicy.objects.for_tenant(tenant).filter(name=cleaned["name"]).exists():
        raise ValidationError({"name": [_("A policy with this name exists.")]})
    rows = cleaned.pop("targets")
    policy = SlaPolicy.objects.create(
        tenant=tenant,
        notify_supervisors=bool(notify_supervisors),
        raise_priority=bool(raise_priority),
        updated_at=wall_clock.now(),
        **cleaned,
    )
    SlaTarget.objects.bulk_create(SlaTarget(tenant=tenant, policy=policy, **row) for row in rows)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="sla_policy.create",
        obj=policy,
        via=via,
        changes={"name": policy.name},
    )
    return policy


@transaction.atomic
def policy_update(
    *,
    tenant: Tenant,
    actor,
    policy: SlaPolicy,
    name=_UNSET,
    calendar=_UNSET,
    targets=_UNSET,
    at_risk_percent=_UNSET,
    notify_supervisors=_UNSET,
    raise_priority=_UNSET,
    reassign_to=_UNSET,
    is_default=_UNSET,
    via: str = "web",
) -> SlaPolicy:
    """Change a policy. Open tickets under it keep the time they have used and count it against
    the new targets (a tighter target can make a running clock overdue at once)."""
    require_admin(tenant=tenant, user=actor)
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk, tenant=tenant)
    checks = {}
    if name is not _UNSET:
        checks["name"] = lambda: _clean_name(name)
    if calendar is not _UNSET:
        checks["calendar"] = lambda: _clean_calendar(tenant, calendar)
    if at_risk_percent is not _UNSET:
        checks["at_risk_percent"] = lambda: _clean_percent(at_risk_percent)
    if reassign_to is not _UNSET:
        checks["reassign_to"] = lambda: _clean_reassign(tenant, reassign_to)
    if targets is not _UNSET:
        checks["targets"] = lambda: _clean_targets(targets)
    for flag, value in (
        ("notify_supervisors", notify_supervisors),
        ("raise_priority", raise_priority),
    ):
        if value is not _UNSET:
            checks[flag] = lambda value=value: bool(value)
    cleaned = _require(checks)
    if "name" in cleaned and (
        SlaPolicy.objects.for_tenant(tenant)
        .filter(name=cleaned["name"])
        .exclude(pk=policy.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("A policy with this name exists.")]})
    if is_default is not _UNSET:
        if not is_default and policy.is_default:
            raise ValidationError({"is_default": [_("Make another policy the default instead.")]})
        if is_default and not policy.is_default:
            SlaPolicy.objects.for_tenant(tenant).filter(is_default=True).update(is_default=False)
            cleaned["is_default"] = True
    rows = cleaned.pop("targets", None)
    changes = {}
    for key, value in cleaned.items():
        if getattr(policy, key) != value:
            changes[key] = str(value.pk if hasattr(value, "pk") else value)
            setattr(policy, key, value)
    if rows is not None:
        SlaTarget.objects.for_tenant(tenant).filter(policy=policy).delete()
        SlaTarget.objects.bulk_create(
            SlaTarget(tenant=tenant, policy=policy, **row) for row in rows
        )
        changes["targets"] = str(len(rows))
    policy.updated_at = wall_clock.now()
    policy.save(update_fields=[*(k for k in cleaned if k in changes), "updated_at"])
    if changes:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="sla_policy.update",
            obj=policy,
            via=via,
            changes=changes,
        )
        _retarget_policy_tickets(tenant=tenant, policy=policy)
    return policy


@transaction.atomic
def policy_delete(*, tenant: Tenant, actor, policy: SlaPolicy, via: str = "web") -> None:
    """Delete a policy; its departments fall back to the default policy (the default itself
    cannot be deleted)."""
    require_admin(tenant=tenant, user=actor)
    if policy.is_default:
        raise ValidationError({"policy": [_("The default policy cannot be deleted.")]})
    audit_record(
        tenant=tenant,
        actor=actor,
        action="sla_policy.delete",
        obj=policy,
        via=via,
        changes={"name": policy.name},
    )
    department_ids = list(
        DepartmentPolicy.objects.for_tenant(tenant)
        .filter(policy=policy)
        .values_list("department_id", flat=True)
    )
    policy.delete()
    for ticket in _open_tickets(tenant, department_id__in=department_ids):
        _retarget(tenant=tenant, ticket=ticket, now=wall_clock.now())


@transaction.atomic
def department_policy_set(
    *, tenant: Tenant, actor, department: Department, policy: SlaPolicy | None, via: str = "web"
) -> None:
    """Which policy a department's tickets follow (None: the default policy)."""
    require_admin(tenant=tenant, user=actor)
    if department.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant department")
    if policy is not None and policy.tenant_id != tenant.pk:
        raise ValidationError({"policy": [_("Choose a policy of this workspace.")]})
    if policy is None or policy.is_default:
        DepartmentPolicy.objects.for_tenant(tenant).filter(department=department).delete()
    else:
        DepartmentPolicy.objects.update_or_create(
            department=department, defaults={"tenant": tenant, "policy": policy}
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="department.sla_policy",
        obj=department,
        via=via,
        changes={"policy": policy.name if policy else ""},
    )
    for ticket in _open_tickets(tenant, department=department):
        _retarget(tenant=tenant, ticket=ticket, now=wall_clock.now())


def policy_for_department(*, tenant: Tenant, department_id: int) -> SlaPolicy:
    assignment = (
        DepartmentPolicy.objects.for_tenant(tenant)
        .select_related("policy__calendar")
        .filter(department_id=department_id)
        .first()
    )
    if assignment is not None:
        return assignment.policy
    default = sla_defaults_ensure(tenant=tenant)
    return SlaPolicy.objects.select_related("calendar").get(pk=default.pk)


def target_for(policy: SlaPolicy, *, severity: str, priority: str) -> SlaTarget | None:
    """The row for (severity, priority), else the severity's row for every priority."""
    rows = {row.priority: row for row in SlaTarget.objects.filter(policy=policy, severity=severity)}
    return rows.get(priority) or rows.get("")


# --- clocks --------------------------------------------------------------------------------


def on_ticket_event(event: events.TicketEvent) -> None:
    """Keep a ticket's clocks in step with what happened to it (tickets.events)."""
    tenant, ticket, now = event.tenant, event.ticket, event.now
    if event.kind == events.SUBMITTED:
        _start(tenant=tenant, ticket=ticket, now=now)
    elif event.kind == events.STAFF_REPLIED:
        _stop(tenant, ticket, now, kinds=("first_response",), reason="replied")
    elif event.kind == events.RESTORED:
        _stop(tenant, ticket, now, kinds=("restore",), reason="restored")
    elif event.kind == events.NOT_A_FAULT:
        _lapse(tenant, ticket, now, actor=event.actor, **event.data)
    elif event.kind == events.RECLASSIFIED:
        _retarget(tenant=tenant, ticket=ticket, now=now)
    elif event.kind == events.STATUS_CHANGED:
        old, new = event.data["old"], event.data["new"]
        if new == Status.WAITING:
            _pause(tenant, ticket, now)
        elif new == Status.RESOLVED:
            # Resolving answers the request and restores the service as well.
            _stop(tenant, ticket, now, kinds=CLOCK_KINDS, reason="resolved")
        elif new == Status.CLOSED:
            _stop(tenant, ticket, now, kinds=CLOCK_KINDS, reason="closed")
        elif old == Status.WAITING:
            _resume(tenant, ticket, now)
        elif old == Status.RESOLVED:
            _reopen(tenant, ticket, now)
    _after_change(tenant, ticket)


def _open_clocks(tenant: Tenant, ticket, *, kinds=CLOCK_KINDS, statuses=OPEN_CLOCK):
    return list(
        SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk, kind__in=kinds, status__in=statuses)
    )


def _engine(clock_or_policy):
    return engine_calendar(clock_or_policy.calendar)


def _start(*, tenant: Tenant, ticket, now: datetime) -> None:
    policy = policy_for_department(tenant=tenant, department_id=ticket.department_id)
    row = target_for(policy, severity=ticket.severity, priority=ticket.priority)
    calendar = engine_calendar(policy.calendar)
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
        clock.save()


def _stop(tenant: Tenant, ticket, now: datetime, *, kinds, reason: str) -> None:
    for clock in _open_clocks(tenant, ticket, kinds=kinds):
        calendar = _engine(clock)
        left = arithmetic.remaining_at(clock, calendar, now)
        clock.remaining_us = left
        clock.anchor_at = None
        clock.stopped_at = now
        clock.stop_reason = reason
        clock.status = ClockStatus.MET if left >= 0 else ClockStatus.MISSED
        if left < 0 and clock.breached_at is None:
            clock.breached_at = clock.due_at or now
        clock.save()


def _pause(tenant: Tenant, ticket, now: datetime) -> None:
    for clock in _open_clocks(tenant, ticket, statuses=(ClockStatus.RUNNING,)):
        clock.remaining_us = arithmetic.remaining_at(clock, _engine(clock), now)
        clock.anchor_at = None
        clock.status = ClockStatus.PAUSED
        clock.due_at = None
        clock.at_risk_at = None
        clock.save()


def _run_again(clock, now: datetime) -> None:
    clock.status = ClockStatus.RUNNING
    clock.anchor_at = now
    clock.stopped_at = None
    clock.stop_reason = ""
    arithmetic.plan(clock, _engine(clock), _at_risk_percent(clock))
    clock.save()


def _at_risk_percent(clock) -> int:
    return clock.policy.at_risk_percent if clock.policy is not None else 80


def _resume(tenant: Tenant, ticket, now: datetime) -> None:
    for clock in _open_clocks(tenant, ticket, statuses=(ClockStatus.PAUSED,)):
        _run_again(clock, now)


def _reopen(tenant: Tenant, ticket, now: datetime) -> None:
    # A customer who answers a resolved ticket says it is not resolved: the clocks that the
    # resolution stopped go on from where they stood.
    stopped = (
        SlaClock.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("calendar", "policy")
        .filter(ticket_id=ticket.pk, stop_reason="resolved")
        .exclude(kind="first_response")
    )
    for clock in stopped:
        _run_again(clock, now)


def _lapse(tenant: Tenant, ticket, now: datetime, *, actor=None, minutes=None, note="") -> None:
    """S-5: the obligations lapse; the time spent so far becomes billable."""
    clocks = _open_clocks(tenant, ticket)
    if minutes is None:
        spent = 0
        for clock in clocks:
            left = arithmetic.remaining_at(clock, _engine(clock), now)
            spent = max(spent, clock.budget_us - left)
        minutes = max(1, round(spent / 60_000_000))
    for clock in clocks:
        clock.remaining_us = arithmetic.remaining_at(clock, _engine(clock), now)
        clock.anchor_at = None
        clock.stopped_at = now
        clock.stop_reason = "not_a_fault"
        clock.status = ClockStatus.LAPSED
        clock.save()
    BillableTime.objects.create(
        tenant=tenant,
        ticket_id=ticket.pk,
        minutes=minutes,
        note=note,
        created_by=actor,
        created_at=now,
    )


def _retarget(*, tenant: Tenant, ticket, now: datetime) -> None:
    """After a change of priority, severity, department or policy: every open clock keeps the
    time it has used and counts it against the ticket's new target; a kind that now has a
    target and had no clock gets one, counted from the ticket's start."""
    if getattr(ticket, "not_fault_at", None) is not None:
        return
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
        clock.save()


def _open_tickets(tenant: Tenant, **filters):
    return list(
        Ticket.objects.for_tenant(tenant)
        .filter(**filters)
        .exclude(status=Status.CLOSED)
        .filter(clocks__status__in=OPEN_CLOCK)
        .distinct()
    )


def _retarget_policy_tickets(*, tenant: Tenant, policy: SlaPolicy) -> None:
    now = wall_clock.now()
    tickets = (
        Ticket.objects.for_tenant(tenant)
        .filter(clocks__policy=policy, clocks__status__in=OPEN_CLOCK)
        .distinct()
    )
    for ticket in tickets:
        _retarget(tenant=tenant, ticket=ticket, now=now)
        _after_change(tenant, ticket)


def clocks_replan(*, tenant: Tenant, calendar: BusinessCalendar) -> int:
    """New due times for the running clocks that count on `calendar` (after it changed)."""
    engine = engine_calendar(calendar)
    now = wall_clock.now()
    touched = set()
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
        touched.add(clock.ticket_id)
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


def _after_change(tenant: Tenant, ticket) -> None:
    """Keep the ticket's nearest due time (the queue sorts by it) and schedule the deadline
    jobs of its running clocks once the change commits."""
    running = list(
        SlaClock.objects.for_tenant(tenant).filter(ticket_id=ticket.pk, status=ClockStatus.RUNNING)
    )
    nearest = min((c.due_at for c in running if c.due_at), default=None)
    if getattr(ticket, "sla_due_at", None) != nearest:
        ticket.sla_due_at = nearest
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=nearest)
    for clock in running:
        _schedule(clock)


def _schedule(clock: SlaClock) -> None:
    moments = []
    if clock.at_risk_notified_at is None and clock.at_risk_at is not None:
        moments.append(clock.at_risk_at)
    if clock.breach_notified_at is None and clock.due_at is not None:
        # A clock is breached once its due time has *passed* (due at 16:00 and answered at
        # 16:00 is met), so its check runs a second later.
        moments.append(clock.due_at + timedelta(seconds=1))
    for moment in moments:
        transaction.on_commit(lambda moment=moment: _enqueue_check(clock.pk, moment))


def _enqueue_check(clock_id: int, moment: datetime) -> None:
    if default_task_backend.supports_defer:
        tasks.clock_check.using(run_after=moment).enqueue(clock_id)
    elif moment <= wall_clock.now():
        # A backend that cannot wait (the inline one) is only asked when the moment has come.
        tasks.clock_check.enqueue(clock_id)


# --- deadlines (run by the clock_check job) ------------------------------------------------

NEXT_PRIORITY = {Priority.NORMAL: Priority.IMPORTANT, Priority.IMPORTANT: Priority.URGENT}


@transaction.atomic
def clock_deadline_check(*, clock_id: int) -> str | None:
    """Tell people a running clock is at risk or breached, once each, and escalate a breach as
    its policy says. Safe to run any number of times and at any moment: it acts on the clock as
    it is now (a job planned before a pause finds nothing to do), and the notified-at marks are
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
        transaction.on_commit(lambda: tasks.notify_clock.enqueue(clock.pk, "breach"))
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
        transaction.on_commit(lambda: tasks.notify_clock.enqueue(clock.pk, "at_risk"))
        outcome = "at_risk"
    return outcome


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
