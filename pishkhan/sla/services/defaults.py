"""Default calendars and policy (S-1, S-2), and which policy and targets a ticket follows."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from pishkhan.core import clock as wall_clock
from pishkhan.process_cache import settings_changed
from pishkhan.sla.calendars import (
    DEFAULT_CALENDARS,
)
from pishkhan.sla.models import (
    BusinessCalendar,
    DepartmentPolicy,
    SlaPolicy,
    SlaTarget,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Severity

# SPEC S-2 [003 4.2.2]: first response, restore, resolution per class of request. "Review in 3
# business days" and "estimate in 8 business days" are the restore targets of the two lower
# classes; "next release" and "—" are no resolution target.
DEFAULT_TARGETS = {
    Severity.CRITICAL: ("2bh", "8bh", "3bd"),
    Severity.MAJOR: ("4bh", "2bd", "6bd"),
    Severity.BUG: ("8bh", "3bd", ""),
    Severity.OTHER: ("2bd", "8bd", ""),
}
# Named for the people who use it; the table it starts from is SPEC S-2 (above).
DEFAULT_POLICY_NAME = "استاندارد"
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
    try:
        # A savepoint: two first submissions of a new tenant may race to create the default;
        # the loser takes the winner's instead of failing the customer's submission.
        with transaction.atomic():
            policy = SlaPolicy.objects.create(
                tenant=tenant,
                name=DEFAULT_POLICY_NAME,
                calendar=calendars[DEFAULT_POLICY_CALENDAR],
                is_default=True,
                updated_at=now,
            )
    except IntegrityError:
        return SlaPolicy.objects.for_tenant(tenant).get(is_default=True)
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
    settings_changed(tenant.pk)  # bulk creation sends no signal
    return policy


def policy_for_department(*, tenant: Tenant, department_id: int) -> SlaPolicy:
    assignment = (
        DepartmentPolicy.objects.for_tenant(tenant)
        .select_related("policy__calendar")
        .filter(department_id=department_id)
        .first()
    )
    if assignment is not None:
        return assignment.policy
    default = (
        SlaPolicy.objects.for_tenant(tenant)
        .select_related("calendar")
        .filter(is_default=True)
        .first()
    )
    if default is not None:
        return default
    default = sla_defaults_ensure(tenant=tenant)
    return SlaPolicy.objects.select_related("calendar").get(pk=default.pk)


def target_for(policy: SlaPolicy, *, severity: str, priority: str) -> SlaTarget | None:
    """The row for (severity, priority), else the severity's row for every priority."""
    rows = {row.priority: row for row in SlaTarget.objects.filter(policy=policy, severity=severity)}
    return rows.get(priority) or rows.get("")


# --- what a submission reads, kept between requests (process_cache) ---------------


class IntakeSettings:
    """A tenant's policies, targets and calendars as starting a ticket's clocks reads them,
    read once and then kept while the tenant's settings are unchanged."""

    def __init__(self, tenant: Tenant):
        self.assigned = {
            row.department_id: row.policy
            for row in DepartmentPolicy.objects.for_tenant(tenant).select_related(
                "policy__calendar"
            )
        }
        self.default = (
            SlaPolicy.objects.for_tenant(tenant)
            .select_related("calendar")
            .filter(is_default=True)
            .first()
        )
        self.targets: dict[tuple[int, str, str], SlaTarget] = {
            (row.policy_id, row.severity, row.priority): row
            for row in SlaTarget.objects.for_tenant(tenant)
        }
        self.engines: dict[int, object] = {}

    def plan(self, *, tenant: Tenant, department_id: int, severity: str, priority: str):
        """(policy, target row or None, engine calendar) for a new ticket, as `_start` needs."""
        policy = self.assigned.get(department_id) or self.default
        if policy is None:
            # No default policy yet: it is made now (a write, after which nothing is kept).
            policy = policy_for_department(tenant=tenant, department_id=department_id)
            row = target_for(policy, severity=severity, priority=priority)
            return policy, row, self.engine(policy.calendar)
        row = self.targets.get((policy.pk, severity, priority)) or self.targets.get(
            (policy.pk, severity, "")
        )
        return policy, row, self.engine(policy.calendar)

    def calendar_for(self, *, tenant: Tenant, department_id: int):
        """The engine calendar of the department's policy (the default policy's without one)."""
        policy = self.assigned.get(department_id) or self.default
        if policy is None:
            policy = policy_for_department(tenant=tenant, department_id=department_id)
        return self.engine(policy.calendar)

    def engine(self, calendar):
        from pishkhan.sla.calendars import engine_calendar

        found = self.engines.get(calendar.pk)
        if found is None:
            found = self.engines[calendar.pk] = engine_calendar(calendar)
        return found


def intake_settings(*, tenant: Tenant) -> IntakeSettings:
    from pishkhan import process_cache

    return process_cache.cached("sla", tenant.pk, lambda: IntakeSettings(tenant))
