"""Business calendars, holidays, SLA policies with their targets, and the clocks that run on
tickets (SPEC S-1 ... S-6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Priority, Severity


class BusinessCalendar(models.Model):
    """When a tenant works. `week` has seven entries indexed like `date.weekday()` (Monday 0),
    each a list of ["HH:MM", "HH:MM"] intervals ("24:00" may end one); `day_minutes` is one
    standard working day, what one business day (`bd`) of a target is worth."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(_("name"), max_length=40)
    label = models.CharField(_("label"), max_length=120, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    week = models.JSONField(default=list)
    day_minutes = models.PositiveIntegerField(_("minutes in a working day"), default=480)
    official_holidays = models.BooleanField(
        _("closed on Iran's official holidays"),
        default=True,
        help_text=_("Solar and lunar official holidays, with the operator's announced changes."),
    )
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="calendar_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    CLOSED = "closed", _("Closed (extra day off)")
    OPEN = "open", _("Open (work on an official holiday)")


class CalendarDay(models.Model):
    """A tenant's own exception to one of its calendars on one date."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    kind = models.CharField(max_length=8, choices=DayKind.choices)
    note = models.CharField(max_length=200, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendarday_unique_date"),
        ]
        indexes = [models.Index(fields=["tenant", "calendar", "date"])]


class OverrideAction(models.TextChoices):
    ADD = "add", _("Add a holiday")
    REMOVE = "remove", _("Remove a holiday")


class HolidayOverride(models.Model):
    """The operator's correction of Iran's official holiday list for every tenant: a lunar
    holiday announced a day later than predicted, a holiday by decree. Not tenant data."""

    date = models.DateField(unique=True)
    action = models.CharField(max_length=8, choices=OverrideAction.choices)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]


class SlaPolicy(models.Model):
    """Targets per class of request, the calendar they count on, and what happens when one is
    about to be missed or is missed (S-6). A department uses its own policy or the default."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=120)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    is_default = models.BooleanField(default=False)
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk after this share of the target is used (%)"), default=80
    )
    notify_supervisors = models.BooleanField(_("on breach, tell supervisors"), default=True)
    raise_priority = models.BooleanField(_("on breach, raise the priority"), default=False)
    reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("on breach, reassign to"),
    )
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="slapolicy_unique_name"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="slapolicy_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESTORE = "restore", _("Restore")
    RESOLUTION = "resolution", _("Resolution")


CLOCK_KINDS = tuple(ClockKind.values)


class SlaTarget(models.Model):
    """One row of a policy's table: targets such as "2bh", "3bd" or "90m" for one severity,
    for every priority (priority blank) or one. A blank target means none (e.g. "next
    release")."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    severity = models.CharField(max_length=16, choices=Severity.choices)
    priority = models.CharField(max_length=16, choices=Priority.choices, blank=True)
    first_response = models.CharField(max_length=12, blank=True)
    restore = models.CharField(max_length=12, blank=True)
    resolution = models.CharField(max_length=12, blank=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "severity", "priority"], name="slatarget_unique_class"
            ),
        ]


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused (waiting on the customer)")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    LAPSED = "lapsed", _("Lapsed (not a software fault)")


OPEN_CLOCK = (ClockStatus.RUNNING, ClockStatus.PAUSED)


class SlaClock(models.Model):
    """One target running on one ticket.

    The clock keeps a budget of business time (`budget_us`, microseconds) and what was left of
    it at `anchor_at` (`remaining_us`); while it runs, what is left at any instant is
    `remaining_us` minus the business time since `anchor_at`. Pausing spends the time since the
    anchor and clears it; resuming sets a new anchor. So a pause costs nothing and the due time
    after a resume is one call of the engine."""

    # Both keys lead indexes of the table's own (Meta), which serve them.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=12)
    status = models.CharField(max_length=8, choices=ClockStatus.choices)
    # When counting began (S-3: the next working instant after submission for bh/bd targets).
    started_at = models.DateTimeField()
    budget_us = models.BigIntegerField()
    remaining_us = models.BigIntegerField()
    anchor_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)
    at_risk_at = models.DateTimeField(null=True)
    stopped_at = models.DateTimeField(null=True)
    # Why it stopped ("replied", "restored", "resolved", "closed", "not_a_fault"): a resolved
    # ticket reopened by the customer resumes the clocks its resolution stopped.
    stop_reason = models.CharField(max_length=16, blank=True)
    breached_at = models.DateTimeField(null=True)
    at_risk_notified_at = models.DateTimeField(null=True)
    breach_notified_at = models.DateTimeField(null=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="slaclock_one_per_kind"),
        ]
        # A ticket's clocks are read through the unique (ticket, kind) index.
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"]),
            models.Index(fields=["tenant", "started_at"]),
            # The deadline sweep's two reads, across tenants: running clocks whose at-risk or
            # due moment nobody was told of yet. Each holds only such clocks, so a sweep reads
            # what has come due and nothing else, and a told or stopped clock leaves it.
            models.Index(
                fields=["at_risk_at"],
                condition=models.Q(
                    status="running", at_risk_notified_at__isnull=True, at_risk_at__isnull=False
                ),
                name="slaclock_risk_untold",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(
                    status="running", breach_notified_at__isnull=True, due_at__isnull=False
                ),
                name="slaclock_breach_untold",
            ),
        ]


class BillableTime(models.Model):
    """Time spent on a ticket that the customer pays for (S-5: a reported fault that proved not
    to be a software fault)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="billable_times"
    )
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "created_at"])]


class DepartmentPolicy(models.Model):
    """The policy a department's tickets follow; a department without a row follows the
    tenant's default policy."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    department = models.OneToOneField(
        "tickets.Department", on_delete=models.CASCADE, related_name="sla_assignment"
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="assignments")

    objects = TenantScopedManager()
