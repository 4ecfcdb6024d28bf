import re

from pishkhan.tenancy.models import (
    WRITER_ROLES,
    ApiToken,
    Domain,
    Membership,
    Tenant,
    slug_validator,
)

SLUG_RE = re.compile(slug_validator.regex.pattern)


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    # A string that cannot be a slug (NUL, spaces, 500 characters) is nobody, without a query.
    if not SLUG_RE.match(slug):
        return None
    return Tenant.objects.filter(slug=slug, is_active=True).first()


def tenant_get_by_host(*, host: str, base_domains: list[str]) -> Tenant | None:
    for base in base_domains:
        suffix = "." + base
        if host.endswith(suffix):
            slug = host[: -len(suffix)]
            if slug and "." not in slug:
                return tenant_get_by_slug(slug=slug)
    domain = Domain.objects.select_related("tenant").filter(host=host).first()
    if domain is None or not domain.tenant.is_active:
        return None
    return domain.tenant


def membership_get(*, tenant: Tenant, user) -> Membership | None:
    return Membership.objects.for_tenant(tenant).filter(user=user, is_active=True).first()


def member_list(*, tenant: Tenant, writers_only: bool = False):
    qs = (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    if writers_only:
        # Read-only and finance members cannot be given tickets.
        qs = qs.filter(role__in=WRITER_ROLES)
    return qs


def member_get(*, tenant: Tenant, user_id: int) -> Membership | None:
    """An active staff seat of this tenant by its user's id (with the user loaded)."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(user_id=user_id, is_active=True)
        .select_related("user")
        .first()
    )


def membership_get_by_id(*, tenant: Tenant, membership_id: int) -> Membership | None:
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user")
        .filter(pk=membership_id)
        .first()
    )


def membership_list_all(*, tenant: Tenant):
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def api_token_list(*, tenant: Tenant):
    return ApiToken.objects.for_tenant(tenant).select_related("user").order_by("-created_at")


def api_token_get(*, tenant: Tenant, token_id: int):
    return ApiToken.objects.for_tenant(tenant).filter(pk=token_id).first()


def user_is_admin_somewhere(*, user, besides: Tenant) -> bool:
    """Whether `user` is the owner or a portal admin of a tenant other than `besides`: on the
    operator's desk only such people may open tickets [003 4.2.6]."""
    from pishkhan.tenancy.models import ADMIN_ROLES

    if user is None:
        return False
    return (
        Membership.objects.filter(user=user, role__in=ADMIN_ROLES, is_active=True)
        .exclude(tenant=besides)
        .filter(tenant__is_active=True)
        .exists()
    )
