"""Calendars, the operator's holiday overrides and policies: an admin's (or operator's) writes.
Each change re-plans the running clocks it affects."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock as wall_clock
from pishkhan.core.businesstime import MAX_TARGET_AMOUNT, Unit, parse_target
from pishkhan.core.jalali import parse_date
from pishkhan.core.persian import normalize, to_ascii_digits
from pishkhan.process_cache import settings_changed
from pishkhan.sla.calendars import (
    check_time_zone,
    format_week,
    parse_week,
)
from pishkhan.sla.models import (
    CLOCK_KINDS,
    OPEN_CLOCK,
    BusinessCalendar,
    CalendarDay,
    ClockKind,
    DayKind,
    DepartmentPolicy,
    HolidayOverride,
    OverrideAction,
    SlaPolicy,
    SlaTarget,
)
from pishkhan.sla.services.clocks import (
    clocks_replan,
    clocks_replan_official,
    policy_clocks_retarget,
    ticket_clocks_retarget,
)
from pishkhan.sla.services.defaults import DEFAULT_TARGETS, NAME_MAX, sla_defaults_ensure
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, staff_membership
from pishkhan.tickets.models import Department, Priority, Severity, Status, Ticket
from pishkhan.trust.services import audit_record
from pishkhan.validation import choice, collect, require_clean, required_text

# --- calendars -----------------------------------------------------------------------------


def _clean_name(value: str, *, field: str = "name", max_length: int = NAME_MAX) -> str:
    return required_text(value, field=field, max_length=max_length)


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


_choice = choice
_require = require_clean


def _clean_target(value, *, field: str) -> str:
    text = to_ascii_digits((value or "").strip()).replace(" ", "").lower()
    if not text:
        return ""
    try:
        target = parse_target(text)
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
    if target.amount == 0:
        # Due the moment the clock starts: every ticket would breach at once. No target is
        # written as an empty one.
        raise ValidationError({field: [_("A target is at least 1; leave it empty for no target.")]})
    return str(target)


def _business_minutes(target: str, day_minutes: int) -> int | None:
    """A target's length in business minutes, to compare a row's targets; None for calendar
    minutes (elapsed time, which runs at nights and holidays, so no fixed number of business
    minutes matches it)."""
    parsed = parse_target(target)
    if parsed.unit is Unit.BUSINESS_HOURS:
        return parsed.amount * 60
    if parsed.unit is Unit.BUSINESS_DAYS:
        # One business day is one standard working day of the policy's calendar (DESIGN.md).
        return parsed.amount * day_minutes
    return None


def _check_target_order(row: dict, *, day_minutes: int) -> dict[str, list]:
    """A ticket is restored no sooner than first answered, and resolved no sooner than
    restored: a later target shorter than an earlier one of the same row is a typo (8bh and 2bh
    swapped) that would breach the later clock first. Errors by field of the row."""
    errors: dict[str, list] = {}
    present = [kind for kind in CLOCK_KINDS if row.get(kind)]
    for position, later in enumerate(present):
        for earlier in present[:position]:
            a, b = parse_target(row[earlier]), parse_target(row[later])
            if a.unit is b.unit:
                shorter = b.amount < a.amount
            else:
                low = _business_minutes(row[earlier], day_minutes)
                high = _business_minutes(row[later], day_minutes)
                shorter = low is not None and high is not None and high < low
            if shorter:
                errors.setdefault(later, []).append(
                    _("%(later)s (%(b)s) is shorter than %(earlier)s (%(a)s).")
                    % {
                        "later": ClockKind(later).label,
                        "earlier": ClockKind(earlier).label,
                        "a": row[earlier],
                        "b": row[later],
                    }
                )
                break
    return errors


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


def _clean_targets(rows, *, day_minutes: int) -> list[dict]:
    """[{"severity", "priority", "first_response", "restore", "resolution"}] → cleaned rows,
    one per (severity, priority), each row's targets in order (`day_minutes`: the calendar's
    standard working day, the length of a "bd")."""
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
        if not row_errors:
            row_errors = _check_target_order(values, day_minutes=day_minutes)
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


def _day_minutes(tenant: Tenant, calendar) -> int:
    """The standard working day of the calendar a policy counts on; a calendar that is not
    this workspace's is refused by its own check, and the targets are judged on 8 hours."""
    if isinstance(calendar, BusinessCalendar) and calendar.tenant_id == tenant.pk:
        return calendar.day_minutes
    return BusinessCalendar._meta.get_field("day_minutes").default


def _calendar_fits_targets(
    calendar: BusinessCalendar, *, tenant: Tenant, policy: SlaPolicy
) -> BusinessCalendar:
    """A new calendar changes how long a "bd" is, so the policy's rows must still be in order
    on it."""
    for target in SlaTarget.objects.for_tenant(tenant).filter(policy=policy):
        row = {kind: getattr(target, kind) for kind in CLOCK_KINDS}
        errors = _check_target_order(row, day_minutes=calendar.day_minutes)
        if errors:
            raise ValidationError({"calendar": next(iter(errors.values()))})
    return calendar


def _name_taken(tenant: Tenant, name: str, *, besides: SlaPolicy | None = None) -> bool:
    """Names are compared in their search-and-compare form: "سیاست ۳۱۷۷۱" and "سياست 31771"
    are the same name to a reader, so two of them would be two policies no one can tell
    apart in a list. A workspace has a handful of policies: reading their names is cheap."""
    wanted = normalize(name)
    others = SlaPolicy.objects.for_tenant(tenant)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    return any(normalize(other) == wanted for other in others.values_list("name", flat=True))


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
            "targets": lambda: _clean_targets(
                default_rows if targets is None else targets,
                day_minutes=_day_minutes(tenant, calendar),
            ),
        }
    )
    if _name_taken(tenant, cleaned["name"]):
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
    settings_changed(tenant.pk)  # bulk creation sends no signal
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
    # A "bd" is the calendar's working day: targets are judged on the calendar they will have.
    day_minutes = _day_minutes(tenant, policy.calendar if calendar is _UNSET else calendar)
    if targets is not _UNSET:
        checks["targets"] = lambda: _clean_targets(targets, day_minutes=day_minutes)
    elif calendar is not _UNSET:
        checks["calendar"] = lambda: _calendar_fits_targets(
            _clean_calendar(tenant, calendar), tenant=tenant, policy=policy
        )
    for flag, value in (
        ("notify_supervisors", notify_supervisors),
        ("raise_priority", raise_priority),
    ):
        if value is not _UNSET:
            checks[flag] = lambda value=value: bool(value)
    cleaned = _require(checks)
    if "name" in cleaned and _name_taken(tenant, cleaned["name"], besides=policy):
        raise ValidationError({"name": [_("A policy with this name exists.")]})
    if is_default is not _UNSET:
        if not is_default and policy.is_default:
            raise ValidationError({"is_default": [_("Make another policy the default instead.")]})
        if is_default and not policy.is_default:
            SlaPolicy.objects.for_tenant(tenant).filter(is_default=True).update(is_default=False)
            settings_changed(tenant.pk)  # a queryset update sends no signal
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
        settings_changed(tenant.pk)
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
        policy_clocks_retarget(tenant=tenant, policy=policy)
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
        ticket_clocks_retarget(tenant=tenant, ticket=ticket, now=wall_clock.now())


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
        ticket_clocks_retarget(tenant=tenant, ticket=ticket, now=wall_clock.now())


def _open_tickets(tenant: Tenant, **filters):
    return list(
        Ticket.objects.for_tenant(tenant)
        .filter(**filters)
        .exclude(status=Status.CLOSED)
        .filter(clocks__status__in=OPEN_CLOCK)
        .distinct()
    )
