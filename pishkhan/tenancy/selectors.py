import copy
import functools
import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Q

from pishkhan import process_cache
from pishkhan.compiled_reads import CompiledRead
from pishkhan.core import clock
from pishkhan.tenancy.models import (
    ADMIN_ROLES,
    WRITER_ROLES,
    ApiToken,
    Invitation,
    Membership,
    Role,
    Tenant,
    hash_token,
    slug_validator,
)

SLUG_RE = re.compile(slug_validator.regex.pattern)


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    # A string that cannot be a slug (NUL, spaces, 500 characters) is nobody, without a query.
    if not SLUG_RE.match(slug):
        return None
    return _kept_tenant("tenant-by-slug", slug, lambda: _active_tenant_by_slug.first(slug=slug))


def tenant_get_by_host(*, host: str, base_domains: list[str]) -> Tenant | None:
    for base in base_domains:
        suffix = "." + base
        if host.endswith(suffix):
            slug = host[: -len(suffix)]
            if slug and "." not in slug:
                return tenant_get_by_slug(slug=slug)
    return _kept_tenant("tenant-by-host", host, lambda: _active_tenant_by_host.first(host=host))


def _kept_tenant(part: str, key: str, load) -> Tenant | None:
    """The tenant found by `key`, kept in the process under its stamp (process_cache): a
    request of a known tenant reads no row to find it. Each request gets its own copy, so
    what one request sets on it is not seen by another."""
    found = process_cache.cached_found(part, key, load, tenant_of=lambda tenant: tenant.pk)
    return None if found is None else copy.copy(found)


# Every request asks one of these two (tenancy.middleware): compiled once, then only run.
_active_tenant_by_slug = CompiledRead(
    lambda v: Tenant.objects.filter(slug=v.slug, is_active=True)[:1]
)
_active_tenant_by_host = CompiledRead(
    lambda v: Tenant.objects.filter(domains__host=v.host, is_active=True)[:1]
)


@dataclass(frozen=True)
class ApiAccess:
    """What a bearer token lets in: the token, and its user's seat in the token's tenant. Both
    carry the user (`token.user is membership.user`) and the tenant they were read for."""

    token: ApiToken
    membership: Membership

    @property
    def user(self):
        return self.token.user


def api_access_get(*, tenant: Tenant, raw_token: str) -> ApiAccess | None:
    """The access a raw bearer token gives in `tenant`, or None: for a token unknown here (of
    another tenant, say), revoked, or whose user is inactive or no longer an active member of
    this tenant. The token, its user and the seat come in one statement, kept in the process
    under the tenant's stamp (process_cache), which a revocation, a removed seat or a
    deactivated user renews: each counts from the very next request. A token found nowhere is
    not kept (the next request looks again)."""
    digest = hash_token(raw_token)
    row = process_cache.cached(
        "api-access",
        tenant.pk,
        lambda: _api_access.first(digest=digest, tenant_id=tenant.pk),
        key=digest,
    )
    if row is None:
        return None
    columns = _access_columns()
    token_values, user_values, seat_values = columns.split(row)
    user = columns.user_model.from_db(DEFAULT_DB_ALIAS, columns.user, user_values)
    token = ApiToken.from_db(DEFAULT_DB_ALIAS, columns.token, token_values)
    membership = Membership.from_db(DEFAULT_DB_ALIAS, columns.seat, seat_values)
    for read in (token, membership):
        read.tenant = tenant
        read.user = user
    return ApiAccess(token=token, membership=membership)


@dataclass(frozen=True)
class _AccessColumns:
    """The fields `_api_access` reads, in its order: the token's, its user's, the seat's."""

    user_model: type
    token: tuple[str, ...]
    user: tuple[str, ...]
    seat: tuple[str, ...]

    def paths(self) -> tuple[str, ...]:
        return (
            *self.token,
            *(f"user__{name}" for name in self.user),
            *(f"user__memberships__{name}" for name in self.seat),
        )

    def split(self, row: tuple) -> tuple[tuple, tuple, tuple]:
        token_end = len(self.token)
        user_end = token_end + len(self.user)
        return row[:token_end], row[token_end:user_end], row[user_end:]


@functools.cache
def _access_columns() -> _AccessColumns:
    # Built on first use, not on import: the user model is accounts' (which builds on tenancy),
    # reached through the token's field once every app is loaded.
    user_model = ApiToken._meta.get_field("user").related_model
    return _AccessColumns(
        user_model=user_model,
        token=_attnames(ApiToken),
        user=_attnames(user_model),
        seat=_attnames(Membership),
    )


def _attnames(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


# The seat is the user's membership in the token's own tenant: the join to memberships is
# filtered by the same tenant value as the token. token_hash is unique and a user has one seat
# per tenant, so there is at most one row.
_api_access = CompiledRead(
    lambda v: ApiToken.objects.filter(
        token_hash=v.digest,
        tenant_id=v.tenant_id,
        revoked_at__isnull=True,
        user__is_active=True,
        user__memberships__tenant_id=v.tenant_id,
        user__memberships__is_active=True,
    ).values_list(*_access_columns().paths())[:1]
)


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


def _standing_invitations(tenant: Tenant):
    """The tenant's invitations waiting and unexpired whose sender still may send them: an
    admin seat, active (an owner's, for a seat of owner). An admin who loses the seat takes
    back the seats they offered."""
    still = Membership.objects.filter(
        tenant=tenant, user_id=OuterRef("invited_by_id"), is_active=True
    )
    return (
        Invitation.objects.for_tenant(tenant)
        .filter(accepted_at__isnull=True, expires_at__gt=clock.now())
        .filter(
            Exists(still.filter(role=Role.OWNER))
            | (~Q(role=Role.OWNER) & Exists(still.filter(role__in=ADMIN_ROLES)))
        )
    )


def invitation_get(*, tenant: Tenant, raw: str) -> Invitation | None:
    """The standing invitation of this workspace whose link this is."""
    if not raw:
        return None
    return _standing_invitations(tenant).filter(token_hash=hash_token(raw)).first()


def invitation_waiting_get(*, tenant: Tenant, invitation_id: int) -> Invitation | None:
    return _standing_invitations(tenant).filter(pk=invitation_id).first()


def invitations_waiting(*, tenant: Tenant) -> list[Invitation]:
    return list(_standing_invitations(tenant).order_by("-created_at"))
