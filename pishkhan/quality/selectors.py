"""Reads of quality review and satisfaction for pages and the API. Lists take a fixed number
of queries whatever their length."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from pishkhan.quality.models import (
    Criterion,
    Dispute,
    Mark,
    Review,
    ReviewStatus,
    Scorecard,
    Survey,
)
from pishkhan.quality.services._common import is_reviewer
from pishkhan.tenancy.models import Membership, Tenant


def scorecard_list(*, tenant: Tenant, active_only: bool = False) -> QuerySet[Scorecard]:
    qs = Scorecard.objects.for_tenant(tenant).prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )
    return qs.filter(is_active=True) if active_only else qs


def scorecard_get(*, tenant: Tenant, pk: int) -> Scorecard | None:
    return scorecard_list(tenant=tenant).filter(pk=pk).first()


def _visible_reviews(tenant: Tenant, membership: Membership | None) -> QuerySet[Review]:
    qs = Review.objects.for_tenant(tenant).select_related("scorecard", "agent", "reviewer")
    if is_reviewer(membership):
        return qs
    if membership is None:
        return qs.none()
    # An agent sees their own reviews only.
    return qs.filter(agent_id=membership.user_id)


def review_list(
    *,
    tenant: Tenant,
    membership: Membership | None,
    agent_id: int | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Review]:
    qs = _visible_reviews(tenant, membership)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def review_get(*, tenant: Tenant, membership: Membership | None, pk: int) -> Review | None:
    """A review with its marks and disputes, if this member may see it (missing and not
    theirs look the same)."""
    return (
        _visible_reviews(tenant, membership)
        .prefetch_related(
            Prefetch(
                "marks",
                queryset=Mark.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
            ),
            Prefetch(
                "disputes",
                queryset=Dispute.objects.select_related("raised_by", "resolved_by").order_by(
                    "raised_at", "pk"
                ),
            ),
            Prefetch("scorecard__criteria", queryset=Criterion.objects.order_by("position", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def survey_get_for_subject(*, tenant: Tenant, subject_kind: str, subject_id: int) -> Survey | None:
    """The survey of one subject (a chat's, for the widget to show the rating given)."""
    return (
        Survey.objects.for_tenant(tenant)
        .filter(subject_kind=subject_kind, subject_id=subject_id)
        .first()
    )


def survey_list(
    *,
    tenant: Tenant,
    answered: bool | None = None,
    agent_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Survey]:
    qs = Survey.objects.for_tenant(tenant).select_related("agent", "department")
    if answered is not None:
        qs = qs.filter(score__isnull=not answered)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs
