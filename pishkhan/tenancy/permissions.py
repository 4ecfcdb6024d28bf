"""Who may do what inside a tenant. Services call these; handlers never decide on their own."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from pishkhan.tenancy.models import Membership, Tenant


def staff_membership(*, tenant: Tenant, user) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False) or user.home_tenant_id:
        return None
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
