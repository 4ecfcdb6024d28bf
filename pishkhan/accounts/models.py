"""People: users who log in (staff and customers) and the customers a tenant serves."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pishkhan.process_cache import RenewingQuerySet
from pishkhan.tenancy.models import Tenant, TenantScopedManager


class UserQuerySet(RenewingQuerySet):
    # A user is kept, with their token and seat, by every tenant where they hold a seat.
    tenant_path = "memberships__tenant_id"
    unwatched_fields = frozenset({"last_login"})


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Staff users (home_tenant empty) may hold seats in several tenants; a customer
    login belongs to exactly one tenant, so the same address can be a customer of two unrelated
    businesses without either learning of the other."""

    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    home_tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="customer_users"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin access (operator only)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(home_tenant__isnull=True), name="user_staff_email"
            ),
            models.UniqueConstraint(
                fields=["home_tenant", "email"],
                condition=Q(home_tenant__isnull=False),
                name="user_customer_email",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Customer(models.Model):
    """A tenant's end user. May exist without a login (created from email, phone or the API);
    gets one when they sign up in the portal."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="customers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Set when mail to the address bounced (C-1): notifications stop until the customer writes
    # to us from it again or staff clear it; cleared, the address is trusted again.
    email_failing_since = models.DateTimeField(null=True, blank=True)
    email_failure = models.CharField(max_length=300, blank=True)
    # What the customer list's search box matches a part of: name, email and phone as they
    # compare (accounts.services.customer_search_text), so "علي" finds "علی" and "۰۹۱۲…" the
    # phone kept as "0912…". On PostgreSQL a trigram index serves it (migration 0005).
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~Q(email=""), name="customer_unique_email"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"]),
            # The customer list, newest first, walks its own tenant's customers only.
            models.Index(fields=["tenant", "created_at", "id"], name="customer_tenant_newest"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceKind(models.TextChoices):
    DOMAIN = "domain", _("Domain name")
    HOSTING = "hosting", _("Hosting plan")
    SERVER = "server", _("Server")
    LICENSE = "license", _("Software licence")
    OTHER = "other", _("Other service")


class OwnedService(models.Model):
    """A service a customer says is theirs (a domain, a hosting plan, a server). Support about a
    service goes only to its verified owner [002 r3]: staff check the owner's documents and
    record who verified and when. Several customers may claim one identifier; only one claim
    can be verified."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(max_length=16, choices=ServiceKind.choices, default=ServiceKind.DOMAIN)
    # Lower-cased and trimmed (a domain, a server's IP or host name, a plan or licence code).
    identifier = models.CharField(_("identifier"), max_length=253)
    label = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was checked (e.g. "national ID card and the registrant e-mail matched").
    verification_note = models.CharField(max_length=500, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["kind", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer", "kind", "identifier"],
                name="ownedservice_unique_claim",
            ),
            models.UniqueConstraint(
                fields=["tenant", "kind", "identifier"],
                condition=Q(verified_at__isnull=False),
                name="ownedservice_one_verified_owner",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "identifier"])]

    def __str__(self) -> str:
        return self.identifier

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
