"""Quality review (C-3) and customer satisfaction (C-4).

A survey or a review is about a *subject*: something finished that an agent handled for a
customer — a ticket today, a chat, later a call. Quality stores only the subject's kind and its
public id (a ticket's number, a chat's id); what a subject is, who handled it and where it is
shown comes from the registry in `quality.subjects`, which keeps this app below the channels.

Scores are exact decimals: a weighted percentage is computed in Decimal and stored with two
places, so a report sums what the reviewer saw."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Department

# C-4 [004]: a link stays open for two weeks; within it, a second answer replaces the first.
DEFAULT_SURVEY_WINDOW_DAYS = 14


class QualitySettings(models.Model):
    """Per-tenant switches of the satisfaction survey (DESIGN "Rules are data")."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    surveys_enabled = models.BooleanField(_("send satisfaction surveys"), default=True)
    after_tickets = models.BooleanField(_("after a ticket is resolved"), default=True)
    after_chats = models.BooleanField(_("after a chat ends"), default=True)
    window_days = models.PositiveSmallIntegerField(
        _("days a survey link stays open"),
        default=DEFAULT_SURVEY_WINDOW_DAYS,
        # [004]
        help_text=_("Within this time a customer may change their answer."),
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"quality settings of {self.tenant_id}"


class Survey(models.Model):
    """One request for a 1–5 rating of one subject, reached by a secret token without login.
    One per subject: a ticket resolved again after reopening keeps its first survey."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    subject_kind = models.CharField(max_length=16)
    subject_id = models.PositiveBigIntegerField()
    # Who and which unit handled the subject when the survey was sent: what the report groups by.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_email = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=5, default="fa")
    created_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # How many times the answer was given; the report counts the survey once whatever this is.
    answers = models.PositiveSmallIntegerField(default=0)
    # Set once the link was mailed: a job run twice does not mail twice.
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "subject_kind", "subject_id"], name="quality_survey_one_per"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="quality_survey_score_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "created_at"]),
            models.Index(fields=["tenant", "agent", "created_at"]),
        ]

    @property
    def is_answered(self) -> bool:
        return self.score is not None


class Scale(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    ZERO_TWO = "0_2", _("0 to 2")
    ONE_FIVE = "1_5", _("1 to 5")
    ZERO_TEN = "0_10", _("0 to 10")


# Lowest and highest mark of each scale (yes = 1, no = 0).
SCALE_RANGE = {
    Scale.YES_NO: (0, 1),
    Scale.ZERO_TWO: (0, 2),
    Scale.ONE_FIVE: (1, 5),
    Scale.ZERO_TEN: (0, 10),
}


class Scorecard(models.Model):
    """A tenant's form for reviewing work: weighted criteria, each on its own scale."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="quality_scorecard_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("criterion"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    scale = models.CharField(max_length=8, choices=Scale.choices, default=Scale.ONE_FIVE)
    # A mark below this needs a comment from the reviewer (null: never).
    comment_below = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["tenant", "scorecard", "position"])]

    def __str__(self) -> str:
        return self.label

    @property
    def weight_display(self) -> str:
        """The weight as people write it: 1, 2.5 (not 1.00, 2.50)."""
        return format(self.weight.normalize(), "f")

    @property
    def low(self) -> int:
        return SCALE_RANGE[self.scale][0]

    @property
    def high(self) -> int:
        return SCALE_RANGE[self.scale][1]

    @property
    def marks(self) -> list[int]:
        return list(range(self.low, self.high + 1))


class ReviewStatus(models.TextChoices):
    SCORED = "scored", _("Scored")
    DISPUTED = "disputed", _("Disputed")
    KEPT = "kept", _("Dispute answered: kept")
    REVISED = "revised", _("Dispute answered: revised")


class Review(models.Model):
    """A supervisor's scoring of one subject on one scorecard, for the agent who handled it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews")
    subject_kind = models.CharField(max_length=16)
    subject_id = models.PositiveBigIntegerField()
    subject_title = models.CharField(max_length=300, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The weighted percentage, 0.00–100.00.
    score = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="scored")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scorecard", "subject_kind", "subject_id"],
                name="quality_review_one_per",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "agent", "created_at"]),
            models.Index(fields=["tenant", "created_at"]),
            models.Index(fields=["tenant", "status"]),
        ]

    @property
    def is_disputed(self) -> bool:
        return self.status == ReviewStatus.DISPUTED


class Mark(models.Model):
    """The mark one criterion got in one review."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="marks")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField()
    comment = models.CharField(max_length=1000, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "review", "criterion"], name="quality_mark_one_per"
            ),
        ]


class Dispute(models.Model):
    """An agent's objection to a review and the supervisor's answer. Every dispute is kept,
    with the score and marks before and after, so a revised review shows its history."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="disputes")
    reason = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, blank=True)  # "", "kept" or "revised"
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    score_before = models.DecimalField(max_digits=5, decimal_places=2)
    score_after = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # [{"criterion": id, "value": int, "comment": str}] as they stood when the dispute was raised.
    marks_before = models.JSONField(default=list)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["tenant", "review"])]
