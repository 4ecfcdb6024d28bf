"""Tenants, the hosts that lead to them, and who works in them."""

import functools
import hashlib
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.process_cache import RenewingQuerySet

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    _("Use 1-40 lowercase Latin letters, digits or hyphens."),
)


def default_attachment_max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


class TenantQuerySet(RenewingQuerySet):
    tenant_path = "pk"


class Tenant(models.Model):
    slug = models.CharField(max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    default_language = models.CharField(
        max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(max_length=64, default="Asia/Tehran")
    attachment_max_bytes = models.PositiveIntegerField(
        default=default_attachment_max_bytes,
        help_text=_("Largest attachment accepted, in bytes (each file)."),
    )
    allow_customer_signup = models.BooleanField(default=True)
    # The operator's own support desk (dog-fooding): its customers are other tenants' staff, and
    # only a tenant's owner or portal admin may open tickets there [003 4.2.6].
    is_operator_desk = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Kept in each process between requests (process_cache).
    objects = TenantQuerySet.as_manager()

    def __str__(self) -> str:
        return self.slug

    @property
    def zone(self) -> ZoneInfo:
        """The workspace's time zone: its pages and mails show times in it."""
        return _zone(self.time_zone)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a stored name this system does not know
        return ZoneInfo(settings.TIME_ZONE)


class Domain(models.Model):
    """A host name (without port) that serves one tenant, e.g. support.example.ir."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    host = models.CharField(max_length=253, unique=True)

    objects = RenewingQuerySet.as_manager()

    def __str__(self) -> str:
        return self.host


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant) -> "TenantScopedQuerySet":
        return self.filter(tenant=tenant)


TenantScopedManager = models.Manager.from_queryset(TenantScopedQuerySet)


class AccessQuerySet(RenewingQuerySet, TenantScopedQuerySet):
    """Seats and tokens: what a request is let in by, kept in each process (process_cache)."""


class ApiTokenQuerySet(AccessQuerySet):
    # Written at most once a minute by every API call; what the token lets in is unchanged.
    unwatched_fields = frozenset({"last_used_at"})


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Portal admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    READ_ONLY = "readonly", _("Read-only")
    # The finance unit [002 r19]: reads violations, charges and settles fines; no ticket writes.
    FINANCE = "finance", _("Finance")


# Roles that may change tickets; read-only members only look.
WRITER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SUPERVISOR, Role.AGENT})
ADMIN_ROLES = frozenset({Role.OWNER, Role.ADMIN})
# Roles that may charge, collect and waive fines.
FINANCE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.FINANCE})


class Membership(models.Model):
    """A staff user's seat in a tenant. Customers are not members (see accounts.Customer)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user"),
        ]

    @property
    def can_write(self) -> bool:
        return self.role in WRITER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_finance(self) -> bool:
        return self.role in FINANCE_ROLES


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a tenant's integration. Only its hash is stored; it acts as its user
    within its tenant and nowhere else."""

    PREFIX = "pk_"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    last_four = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "user"])]

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A seat offered by email. It becomes a seat only when the person it was mailed to accepts
    through the link (with their password, or choosing one): nobody is put into a workspace
    without their consent, and the page that sends it says the same whether the address has a
    login or not. Only the link's hash is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            # One waiting invitation per address and workspace: a new one replaces it.
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_waiting",
            ),
        ]
