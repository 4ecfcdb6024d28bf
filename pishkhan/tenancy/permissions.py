"""Who may do what inside a tenant. Services call these; handlers never decide on their own."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from pishkhan.sql_names import table_and_columns
from pishkhan.tenancy.models import WRITER_ROLES, Membership, Tenant

# Where a request keeps the membership it was let in with, on its own user object: the
# services it calls ask again for the same user and tenant, and reading it once is enough.
_REMEMBERED = "_pishkhan_memberships"


def remember_membership(*, tenant: Tenant, user, membership: Membership | None) -> None:
    """Called by what lets a request in (session middleware, API token), which has just read
    the user's membership: the request's later checks use it instead of reading it again."""
    # getattr/setattr, not __dict__: the session's user is a lazy proxy of the real one.
    remembered = getattr(user, _REMEMBERED, None)
    if remembered is None:
        remembered = {}
        setattr(user, _REMEMBERED, remembered)
    remembered[tenant.pk] = membership


def forget_membership(user) -> None:
    """After a change to the user's memberships: the next check reads them again."""
    if getattr(user, _REMEMBERED, None):
        setattr(user, _REMEMBERED, {})


def is_staff_user(user) -> bool:
    """Signed in and staff (a customer's user has a home tenant): who may hold a membership."""
    return user is not None and getattr(user, "is_authenticated", False) and not user.home_tenant_id


def staff_membership(*, tenant: Tenant, user) -> Membership | None:
    if not is_staff_user(user):
        return None
    remembered = getattr(user, _REMEMBERED, None) or {}
    if tenant.pk in remembered:
        return remembered[tenant.pk]
    return Membership.objects.for_tenant(tenant).filter(user=user, is_active=True).first()


def require_member(*, tenant: Tenant, user) -> Membership:
    membership = staff_membership(tenant=tenant, user=user)
    if membership is None:
        raise PermissionDenied(_("Only this workspace's staff may do this."))
    return membership


def require_writer(*, tenant: Tenant, user) -> Membership:
    membership = require_member(tenant=tenant, user=user)
    if not membership.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    return membership


def writer_sql(*, tenant: Tenant, user) -> tuple[str, list]:
    """An SQL expression, with its parameters, that is true when `user` is an active member of
    `tenant` who may write: for a statement on the hot path that checks the seat while doing
    its own work (a chat line's numbering) instead of reading the membership in a query of its
    own. `require_writer` says why when it is false. Staff only: a customer (a user with a home
    tenant) is never a writer, which the caller checks without SQL."""
    table, column = table_and_columns(Membership)
    roles = sorted(WRITER_ROLES)
    sql = (
        f"EXISTS (SELECT 1 FROM {table} WHERE {column('tenant')} = %s "  # noqa: S608
        f"AND {column('user')} = %s AND {column('is_active')} = %s "
        f"AND {column('role')} IN ({', '.join(['%s'] * len(roles))}))"
    )
    return sql, [tenant.pk, user.pk, True, *roles]


def require_admin(*, tenant: Tenant, user) -> Membership:
    membership = require_member(tenant=tenant, user=user)
    if not membership.is_admin:
        raise PermissionDenied(_("Only the owner or a portal admin may do this."))
    return membership


def require_finance(*, tenant: Tenant, user) -> Membership:
    membership = require_member(tenant=tenant, user=user)
    if not membership.is_finance:
        raise PermissionDenied(_("Only the finance unit, the owner or a portal admin may do this."))
    return membership
