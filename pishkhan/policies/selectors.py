"""Reads for the support rules: a tenant's settings, violations, fines, installations."""

from datetime import datetime

from django.db.models import Count, QuerySet

from pishkhan import process_cache
from pishkhan.accounts.models import Customer, OwnedService
from pishkhan.compiled_reads import CompiledRead
from pishkhan.policies.models import (
    DepartmentMode,
    DepartmentRules,
    Fine,
    FineStatus,
    ModuleInstallation,
    RuleSettings,
    Violation,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Department, Status, Ticket

OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)
# The most open tickets of one customer a submission is compared with (T-4 measures 1,000).
DUPLICATE_CANDIDATES_MAX = 2000


def rule_settings_get(*, tenant: Tenant) -> RuleSettings:
    """The tenant's rules; the seeds' defaults (unsaved) until an admin changes one."""
    return RuleSettings.objects.filter(tenant=tenant).first() or RuleSettings(tenant=tenant)


def department_rules_get(*, tenant: Tenant, department: Department) -> DepartmentRules:
    found = DepartmentRules.objects.for_tenant(tenant).filter(department=department).first()
    return found or DepartmentRules(tenant=tenant, department=department)


def department_rules_map(*, tenant: Tenant) -> dict[int, DepartmentRules]:
    return {r.department_id: r for r in DepartmentRules.objects.for_tenant(tenant)}


def intake_rules_get(*, tenant: Tenant, department: Department):
    """(workspace rules, department rules) as rule_settings_get and department_rules_get read
    them, from the process's copy while the tenant's settings are unchanged (the intake path
    reads them on every request; process_cache says when a copy is renewed)."""
    rules, by_department = process_cache.cached(
        "rules",
        tenant.pk,
        lambda: (rule_settings_get(tenant=tenant), department_rules_map(tenant=tenant)),
    )
    found = by_department.get(department.pk)
    return rules, found or DepartmentRules(tenant=tenant, department=department)


def effective_mode(rules: RuleSettings, department_rules: DepartmentRules, name: str) -> str:
    own = getattr(department_rules, name)
    return getattr(rules, name) if own == DepartmentMode.INHERIT else own


def duplicate_candidates(*, tenant: Tenant, customer: Customer) -> list[tuple]:
    """(pk, number, subject, status, fingerprint) of the customer's open tickets, newest first."""
    return _duplicate_candidates.rows(tenant_id=tenant.pk, customer_id=customer.pk)


# Asked on every submission (T-4).
_duplicate_candidates = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id)
        .filter(customer_id=v.customer_id, status__in=OPEN_STATUSES, merged_into__isnull=True)
        .exclude(fingerprint=b"")
        .order_by("-created_at")
        .values_list("pk", "number", "subject", "status", "fingerprint")[:DUPLICATE_CANDIDATES_MAX]
    )
)


def verified_service_for_values(*, tenant: Tenant, values) -> OwnedService | None:
    """A verified service named by one of a request's field values (a domain, a server IP)."""
    identifiers = {str(v).strip().lower() for v in values if v}
    if not identifiers:
        return None
    return (
        OwnedService.objects.for_tenant(tenant)
        .filter(identifier__in=identifiers, verified_at__isnull=False)
        .select_related("customer")
        .first()
    )


def overdue_fine(*, tenant: Tenant, customer: Customer, now: datetime) -> Fine | None:
    # Only where copies are kept: elsewhere the flag would be one more read, not one fewer.
    if process_cache.enabled() and not _any_unpaid_fine(tenant):
        return None
    return _overdue_fine.first(tenant_id=tenant.pk, customer_id=customer.pk, now=now)


def _any_unpaid_fine(tenant: Tenant) -> bool:
    """Whether the tenant has an unpaid fine at all, kept in the process while its fines are
    unchanged (a fine's every write renews the tenant's stamp: process_cache). Most tenants
    have none most of the time, and then a submission need not look for its customer's."""
    return process_cache.cached(
        "unpaid-fines",
        tenant.pk,
        lambda: Fine.objects.for_tenant(tenant).filter(status=FineStatus.UNPAID).exists(),
    )


# Asked on every submission (the suspension rule).
_overdue_fine = CompiledRead(
    lambda v: (
        Fine.objects.for_tenant(v.tenant_id)
        .filter(customer_id=v.customer_id, status=FineStatus.UNPAID, due_at__lt=v.now)
        .order_by("due_at", "pk")[:1]
    )
)


def violation_list(
    *,
    tenant: Tenant,
    kind: str | None = None,
    customer: Customer | None = None,
    ticket: Ticket | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Violation]:
    qs = Violation.objects.for_tenant(tenant).select_related("customer", "ticket", "actor")
    if kind:
        qs = qs.filter(kind=kind)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.select_related("fine")


def violation_get(*, tenant: Tenant, pk) -> Violation | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return violation_list(tenant=tenant).filter(pk=pk).first()


def violation_counts(*, tenant: Tenant, since=None, until=None) -> dict[str, int]:
    qs = violation_list(tenant=tenant, since=since, until=until)
    return dict(qs.order_by().values_list("kind").annotate(n=Count("id")))


def violation_top_customers(*, tenant: Tenant, since=None, until=None, limit: int = 10):
    qs = violation_list(tenant=tenant, since=since, until=until)
    return list(
        qs.order_by()
        .values("customer_id", "customer__name", "customer__email")
        .annotate(n=Count("id"))
        .order_by("-n", "customer_id")[:limit]
    )


def fine_list(
    *, tenant: Tenant, customer: Customer | None = None, status: str | None = None
) -> QuerySet[Fine]:
    qs = Fine.objects.for_tenant(tenant).select_related("customer", "ticket", "violation")
    if customer is not None:
        qs = qs.filter(customer=customer)
    if status:
        qs = qs.filter(status=status)
    return qs


def fine_get(*, tenant: Tenant, pk) -> Fine | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return fine_list(tenant=tenant).filter(pk=pk).first()


def installation_list(*, tenant: Tenant, service: OwnedService) -> QuerySet[ModuleInstallation]:
    return ModuleInstallation.objects.for_tenant(tenant).filter(service=service)
