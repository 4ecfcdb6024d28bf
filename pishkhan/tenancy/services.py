import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.tenancy.models import ApiToken, Domain, Membership, Role, Tenant, hash_token
from pishkhan.tenancy.permissions import forget_membership, require_admin


@transaction.atomic
def tenant_create(
    *,
    slug: str,
    name: str,
    default_language: str = "fa",
    hosts: list[str] | None = None,
    is_operator_desk: bool = False,
) -> Tenant:
    tenant = Tenant(
        slug=slug.strip().lower(),
        name=name.strip(),
        default_language=default_language,
        is_operator_desk=is_operator_desk,
    )
    if Tenant.objects.filter(slug=tenant.slug).exists():
        raise ValidationError(
            {"slug": [_("A workspace with the slug %(slug)s exists.") % {"slug": tenant.slug}]}
        )
    tenant.full_clean()
    hosts = list(dict.fromkeys(host.strip().lower().rstrip(".") for host in hosts or []))
    _hosts_check(hosts)
    tenant.save()
    for host in hosts:
        Domain.objects.create(tenant=tenant, host=host)
    return tenant


# A host name as a request's Host header carries it without its port: dot-separated labels of
# Latin letters, digits and inner hyphens (an IDN in its xn-- form; an IPv4 address passes too).
_HOST_NAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


def _hosts_check(hosts: list[str]) -> None:
    """A tenant's own hosts: names alone (an address pasted with https:// or a port would
    never match a request), and none that already serves another tenant."""
    problems = [
        _("“%(host)s” is not a host name: give the name alone, e.g. support.example.ir.")
        % {"host": host}
        for host in hosts
        if not _HOST_NAME.fullmatch(host)
    ]
    problems += [
        _("%(host)s already serves another workspace.") % {"host": host}
        for host in Domain.objects.filter(host__in=hosts).values_list("host", flat=True)
    ]
    if problems:
        raise ValidationError({"host": problems})


@transaction.atomic
def membership_grant(*, tenant: Tenant, user, role: str, actor=None) -> Membership:
    if actor is not None:
        require_admin(tenant=tenant, user=actor)
    if user.home_tenant_id is not None:
        raise ValidationError({"user": [_("A customer login cannot hold a staff seat.")]})
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    membership, _created = Membership.objects.update_or_create(
        tenant=tenant, user=user, defaults={"role": role, "is_active": True}
    )
    forget_membership(user)
    return membership


@transaction.atomic
def api_token_create(*, tenant: Tenant, user, name: str, actor=None) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    if actor is not None:
        require_admin(tenant=tenant, user=actor)
    if not Membership.objects.for_tenant(tenant).filter(user=user, is_active=True).exists():
        raise ValidationError({"user": [_("The token's user must be staff of this workspace.")]})
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        tenant=tenant,
        user=user,
        name=name.strip()[:100] or "token",
        token_hash=hash_token(raw),
        last_four=raw[-4:],
    )
    return token, raw


def api_token_revoke(*, tenant: Tenant, token: ApiToken, actor) -> None:
    require_admin(tenant=tenant, user=actor)
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def membership_update(
    *, tenant: Tenant, actor, membership: Membership, role: str, is_active: bool
) -> Membership:
    acting = require_admin(tenant=tenant, user=actor)
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and acting.role != Role.OWNER:
        raise ValidationError({"role": [_("Only an owner may change an owner's seat.")]})
    losing_owner = membership.role == Role.OWNER and (role != Role.OWNER or not is_active)
    if (
        losing_owner
        and not Membership.objects.for_tenant(tenant)
        .filter(role=Role.OWNER, is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": [_("A workspace keeps at least one active owner.")]})
    membership.role = role
    membership.is_active = is_active
    membership.save(update_fields=["role", "is_active"])
    if membership.user_id == actor.pk:
        forget_membership(actor)  # one's own seat changed: this request's checks see it
    return membership
