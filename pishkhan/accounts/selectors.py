import re

from django.db.models import BigIntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast

from pishkhan.accounts.models import Customer, OwnedService, User
from pishkhan.compiled_reads import CompiledRead
from pishkhan.core.persian import name_key
from pishkhan.tenancy.models import Membership, Tenant
from pishkhan.tenancy.selectors import membership_get


def user_get_for_login(*, tenant: Tenant, email: str) -> User | None:
    """The login that may enter this tenant with this address: a customer login of the tenant,
    or a staff user with an active seat in it. At the operator's desk, the staff of every
    tenant may also sign in, as the desk's customers [003 4.2.6]."""
    email = email.strip().lower()
    seat = Q(memberships__is_active=True)
    if not tenant.is_operator_desk:
        seat &= Q(memberships__tenant=tenant)
    return (
        User.objects.filter(email=email)
        .filter(Q(home_tenant=tenant) | (Q(home_tenant__isnull=True) & seat))
        .first()
    )


def user_roles_in_tenant(
    *, tenant: Tenant, user: User
) -> tuple[Membership | None, Customer | None]:
    """(membership, customer) of a user in a tenant; at most one is set."""
    if user.home_tenant_id is None:
        membership = membership_get(tenant=tenant, user=user)
        if membership is None and tenant.is_operator_desk:
            # Another tenant's staff member, here as the operator desk's customer.
            return None, Customer.objects.for_tenant(tenant).filter(user=user).first()
        return membership, None
    if user.home_tenant_id != tenant.pk:
        return None, None
    return None, Customer.objects.for_tenant(tenant).filter(user=user).first()


def customer_get(*, tenant: Tenant, customer_id: int) -> Customer | None:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None  # no such key, and no statement a database would refuse
    return _customer_by_id.first(tenant_id=tenant.pk, pk=pk)


# Most API integrations file each ticket for a known customer: this runs on nearly every one.
_customer_by_id = CompiledRead(
    lambda v: Customer.objects.for_tenant(v.tenant_id).filter(pk=v.pk)[:1]
)


def customer_list(*, tenant: Tenant, query: str = ""):
    """The tenant's customers, newest first; with `query`, those whose name, email or phone
    holds it as they compare: "علي" finds "علی", "۰۹۱۲ ۱۲۳ ۴۵۶۷" the phone 09121234567."""
    # Newest by the time of creation, not by id: ordered by id alone, PostgreSQL walks the
    # primary key, every tenant's customers newer than this tenant's first (120-180 ms for the
    # first page of an old tenant of 40,000 among 200,000), where (tenant, created_at, id)
    # reads this tenant's own newest.
    newest = ("-created_at", "-id")
    qs = Customer.objects.for_tenant(tenant).order_by(*newest)
    needle = customer_search_key(query)
    if needle:
        # A substring of one column, which PostgreSQL's trigram index (tenant_id, search_text)
        # finds without reading the tenant's every customer (migration 0005). The tenant is
        # said as a bigint, the column's type: btree_gin compares like with like only, and
        # with a plain integer PostgreSQL can use the index for the text alone (every
        # tenant's matches) or walks all customers by id (0.6 ms against 120 ms for four
        # digits of a phone at a tenant of 40,000 customers among 200,000).
        qs = Customer.objects.filter(
            tenant_id=Cast(Value(tenant.pk), BigIntegerField()), search_text__contains=needle
        ).order_by(*newest)
    return qs


def customer_search_key(query: str) -> str:
    """A query as Customer.search_text holds it (accounts.services.customer_search_text)."""
    needle = name_key(query or "")
    if _PHONE.fullmatch(needle):
        needle = needle.replace("-", "")  # a phone is kept as digits only: "0912-123-4567"
    return needle


_PHONE = re.compile(r"\+?[0-9][0-9-]*")


def customer_get_by_email(*, tenant: Tenant, email: str) -> Customer | None:
    """The tenant's customer with this address (compared as stored: trimmed, lowercase)."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return _customer_by_email.first(tenant_id=tenant.pk, email=email)


# Every mail and every contact submission asks this first. (tenant, email) is unique.
_customer_by_email = CompiledRead(
    lambda v: Customer.objects.for_tenant(v.tenant_id).filter(email=v.email)[:1]
)


def service_list(
    *, tenant: Tenant, customer: Customer | None = None, verified: bool | None = None
) -> QuerySet[OwnedService]:
    qs = OwnedService.objects.for_tenant(tenant).select_related("customer", "verified_by")
    if customer is not None:
        qs = qs.filter(customer=customer)
    if verified is not None:
        qs = qs.filter(verified_at__isnull=not verified)
    return qs


def service_get(*, tenant: Tenant, pk, customer: Customer | None = None) -> OwnedService | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return service_list(tenant=tenant, customer=customer).filter(pk=pk).first()


def invitee_login(invitation) -> User | None:
    """The staff login an invitation's address already has, if any: told only to the holder
    of the link, who owns the address."""
    return User.objects.filter(email=invitation.email, home_tenant__isnull=True).first()
