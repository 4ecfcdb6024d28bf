"""Support rules as data [002, 003]: per-tenant and per-department settings (each default is the
seed's value), the violations the rules record, the fines the finance unit charges for them, and
module installations counted for the one-free-installation entitlement (T-4 … T-12)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import Customer, OwnedService
from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Department, Ticket, TimeEntry


class Mode(models.TextChoices):
    OFF = "off", _("Off")
    FLAG = "flag", _("Accept and record a violation")
    BLOCK = "block", _("Refuse")


class DepartmentMode(models.TextChoices):
    INHERIT = "inherit", _("As the workspace")
    OFF = "off", _("Off")
    FLAG = "flag", _("Accept and record a violation")
    BLOCK = "block", _("Refuse")


class Currency(models.TextChoices):
    TOMAN = "IRT", _("Toman")
    USD = "USD", _("US dollar")


class ViolationKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate request")
    REOPEN = "reopen", _("Reply to a closed ticket")
    INCOMPLETE = "incomplete", _("Incomplete or wrong information")
    NOT_PERSIAN = "not_persian", _("Not written in Persian")
    WRONG_PRIORITY = "wrong_priority", _("Priority set higher than the request warrants")


def _fine_default() -> Decimal:
    # The seed lets the finance unit fine per ticket but names no amount [002 r19]; a modest
    # figure in Toman that each tenant changes on its settings page.
    return Decimal("100000")


def _fine_field(verbose_name, rule: str) -> models.DecimalField:
    """`rule` names the seed's rule for the reader of the code; the page shows no reference."""
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        default=_fine_default,
        help_text=_("The finance unit may charge it per ticket."),
    )


class RuleSettings(models.Model):
    """One row per tenant, created with the seeds' defaults the first time it is asked for."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    duplicates = models.CharField(
        _("duplicate requests"),
        max_length=8,
        choices=Mode.choices,
        default=Mode.BLOCK,
        # [002 r15-16]
        help_text=_("One request, one ticket: a near-duplicate of an open ticket."),
    )
    persian_only = models.CharField(
        _("requests in Persian only"),
        max_length=8,
        choices=Mode.choices,
        default=Mode.BLOCK,
        # [002 r1]
        help_text=_("Requests must be written in Persian language and script."),
    )
    ownership_required = models.BooleanField(
        _("support only to a service's verified owner"),
        default=True,
        # [002 r3]
        help_text=_("A ticket about a service is accepted only from its verified owner."),
    )
    incomplete_wait_hours = models.PositiveIntegerField(
        _("hours to wait for missing information"),
        default=72,
        # [002 r13]
        help_text=_(
            "A mailed or phoned request without its required fields is closed without an answer "
            "after this many hours without a reply."
        ),
    )
    suspend_on_unpaid_fine = models.BooleanField(
        _("suspend new tickets while a fine is overdue"),
        default=True,
        # [002 r19]
        help_text=_("An unpaid fine past its due date suspends support."),
    )
    fine_currency = models.CharField(
        _("fine currency"),
        max_length=3,
        choices=Currency.choices,
        default=Currency.TOMAN,
        help_text=_("Fines are charged in Toman (whole) or US dollars (cents)."),
    )
    fine_due_days = models.PositiveIntegerField(
        _("days to pay a fine"),
        default=7,
        help_text=_("After this many days an unpaid fine suspends new tickets."),
    )
    fine_duplicate = _fine_field(_("fine for a duplicate request"), "[002 r16]")
    fine_reopen = _fine_field(_("fine for writing on a closed ticket"), "[002 r15]")
    fine_incomplete = _fine_field(_("fine for an incomplete or wrong request"), "[002 r13]")
    fine_not_persian = _fine_field(_("fine for a request not in Persian"), "[002 r1]")
    fine_wrong_priority = _fine_field(_("fine for an inflated priority"), "[002 r14]")
    updated_at = models.DateTimeField(null=True, blank=True)

    def fine_amount(self, kind: str) -> Decimal:
        return getattr(self, f"fine_{kind}")


class DepartmentRules(models.Model):
    """A department's own choice where it differs from the workspace (T-7 per department)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="+")
    persian_only = models.CharField(
        max_length=8, choices=DepartmentMode.choices, default=DepartmentMode.INHERIT
    )
    duplicates = models.CharField(
        max_length=8, choices=DepartmentMode.choices, default=DepartmentMode.INHERIT
    )
    # Every request to this department must name one of the customer's verified services.
    service_required = models.BooleanField(default=False)

    objects = TenantScopedManager()


class Violation(models.Model):
    """A broken support rule, recorded on the customer and, where there is one, the ticket: the
    new ticket when the rule only flags, the open or closed ticket it concerned when refused."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="violations")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="violations"
    )
    kind = models.CharField(max_length=20, choices=ViolationKind.choices)
    # True when the submission was refused (no ticket was created for it).
    refused = models.BooleanField(default=False)
    channel = models.CharField(max_length=16, blank=True)
    # What the rule saw: the matching ticket's number and score, the language verdict, the
    # agent's reason for a lowered priority, the missing fields.
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "created_at"]),
            models.Index(fields=["tenant", "customer", "created_at"]),
            models.Index(fields=["tenant", "kind", "created_at"]),
            models.Index(fields=["tenant", "ticket"]),
        ]


class FineStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class Fine(models.Model):
    """A fine the finance unit charged for one violation [002 r19]. Exact decimals: Toman in
    whole units, dollars in cents."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="fine")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="fines")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="fines"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    status = models.CharField(max_length=8, choices=FineStatus.choices, default=FineStatus.UNPAID)
    due_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    charged_at = models.DateTimeField()
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settle_note = models.CharField(max_length=500, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-charged_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "customer", "status", "due_at"]),
            models.Index(fields=["tenant", "status", "charged_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fine_amount_positive"),
        ]


class ModuleInstallation(models.Model):
    """A module installed on a customer's service: the first of each module per service is
    free, a repeat is billable [002 r6]."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(OwnedService, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=120)
    # The compare form of the module's name, so «وردپرس» and «وردپرس » count as one module.
    module_key = models.CharField(max_length=120)
    billable = models.BooleanField()
    time_entry = models.OneToOneField(TimeEntry, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "service", "module_key"])]
