"""Who may do what inside a tenant. Services call these; handlers never decide on their own."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext as _

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


def staff_membership(*, tenant: Tenant, user) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False) or user.home_tenant_id:
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
    meta = Membership._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    roles = sorted(WRITER_ROLES)
    sql = (
        f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} WHERE {column('tenant')} = %s "  # noqa: S608
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
