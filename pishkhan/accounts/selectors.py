from django.db.models import Q

from pishkhan.accounts.models import Customer, User
from pishkhan.tenancy.models import Membership, Tenant
from pishkhan.tenancy.selectors import membership_get


def user_get_for_login(*, tenant: Tenant, email: str) -> User | None:
    """The login that may enter this tenant with this address: a customer login of the tenant,
    or a staff user with an active seat in it."""
    email = email.strip().lower()
    return (
        User.objects.filter(email=email)
        .filter(
            Q(home_tenant=tenant)
            | Q(
                home_tenant__isnull=True,
                memberships__tenant=tenant,
                memberships__is_active=True,
            )
        )
        .first()
    )


def user_roles_in_tenant(
    *, tenant: Tenant, user: User
) -> tuple[Membership | None, Customer | None]:
    """(membership, customer) of a user in a tenant; at most one is set."""
    if user.home_tenant_id is None:
        return membership_get(tenant=tenant, user=user), None
    if user.home_tenant_id != tenant.pk:
        return None, None
    return None, Customer.objects.for_tenant(tenant).filter(user=user).first()


def customer_get(*, tenant: Tenant, customer_id: int) -> Customer | None:
    return Customer.objects.for_tenant(tenant).filter(pk=customer_id).first()


def customer_list(*, tenant: Tenant, query: str = ""):
    qs = Customer.objects.for_tenant(tenant).order_by("-id")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(email__icontains=query) | Q(phone=query))
    return qs


def customer_get_by_email(*, tenant: Tenant, email: str) -> Customer | None:
    """The tenant's customer with this address (compared as stored: trimmed, lowercase)."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return Customer.objects.for_tenant(tenant).filter(email=email).first()
