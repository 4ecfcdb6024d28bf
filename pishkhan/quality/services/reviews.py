"""Reviews (C-3): a supervisor scores a finished subject on a scorecard; the agent may
dispute with a reason; a supervisor keeps or revises the review with a note. Every dispute is
kept with the score and marks before and after."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.quality.models import Criterion, Dispute, Mark, Review, ReviewStatus, Scorecard
from pishkhan.quality.services._common import clean_text, number, require_reviewer
from pishkhan.quality.services.scorecards import weighted_score
from pishkhan.quality.subjects import subject_get
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_member
from pishkhan.trust.services import audit_record

COMMENT_MAX = 4000
MARK_COMMENT_MAX = 1000
REASON_MAX = 2000


def _marks(criteria: list[Criterion], marks, errors: dict) -> list[tuple[Criterion, int, str]]:
    """One mark per criterion, within its scale, with a comment where the criterion asks for
    one below a mark. `marks`: [{"criterion": id, "value": int, "comment": str}]."""
    given: dict[int, dict] = {}
    for item in marks if isinstance(marks, list) else []:
        if isinstance(item, dict) and isinstance(item.get("criterion"), int):
            given[item["criterion"]] = item
    if not isinstance(marks, list):
        errors.setdefault("marks", []).append(_("Send a list."))
    unknown = set(given) - {c.pk for c in criteria}
    if unknown:
        errors.setdefault("marks", []).append(_("A mark names a criterion of another scorecard."))
    cleaned = []
    for criterion in criteria:
        field = f"marks.{criterion.pk}"
        item = given.get(criterion.pk)
        value = item.get("value") if item else None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            errors.setdefault(field, []).append(_("Give a mark for this criterion."))
            continue
        if not criterion.low <= value <= criterion.high:
            errors.setdefault(field, []).append(
                _("Give a mark from %(low)s to %(high)s.")
                % {"low": number(criterion.low), "high": number(criterion.high)}
            )
            continue
        comment = clean_text(
            item.get("comment"), field=field, limit=MARK_COMMENT_MAX, required=False, errors=errors
        )
        if criterion.comment_below is not None and value < criterion.comment_below and not comment:
            errors.setdefault(field, []).append(
                _("A mark below %(n)s needs a comment saying why.")
                % {"n": number(criterion.comment_below)}
            )
            continue
        cleaned.append((criterion, value, comment))
    return cleaned


def _criteria_of(tenant: Tenant, scorecard: Scorecard) -> list[Criterion]:
    return list(
        Criterion.objects.for_tenant(tenant).filter(scorecard=scorecard).order_by("position", "pk")
    )


def _store_marks(tenant: Tenant, review: Review, cleaned) -> None:
    Mark.objects.for_tenant(tenant).filter(review=review).delete()
    Mark.objects.bulk_create(
        [
            Mark(tenant=tenant, review=review, criterion=c, value=v, comment=comment)
            for c, v, comment in cleaned
        ]
    )


@transaction.atomic
def review_create(
    *,
    tenant: Tenant,
    actor,
    scorecard: Scorecard,
    subject_kind: str,
    subject_id: int,
    marks: list[dict],
    comment: str = "",
    via: str = "web",
) -> Review:
    """Score one finished subject. The agent reviewed is whoever handled the subject."""
    require_reviewer(tenant=tenant, user=actor)
    if scorecard.tenant_id != tenant.pk:
        raise Scorecard.DoesNotExist
    errors: dict = {}
    if not scorecard.is_active:
        errors.setdefault("scorecard", []).append(_("This scorecard is no longer in use."))
    subject = subject_get(tenant=tenant, kind=subject_kind, subject_id=subject_id)
    if subject is None:
        errors.setdefault("subject_id", []).append(_("Not found in this workspace."))
    elif not subject.is_finished:
        errors.setdefault("subject_id", []).append(_("Only finished work can be reviewed."))
    elif subject.agent is None:
        errors.setdefault("subject_id", []).append(
            _("Nobody handled this, so nobody can be reviewed.")
        )
    elif subject.agent.pk == actor.pk:
        errors.setdefault("subject_id", []).append(_("Nobody reviews their own work."))
    comment = clean_text(comment, field="comment", limit=COMMENT_MAX, required=False, errors=errors)
    cleaned = _marks(_criteria_of(tenant, scorecard), marks, errors)
    if (
        not errors
        and Review.objects.for_tenant(tenant)
        .filter(scorecard=scorecard, subject_kind=subject_kind, subject_id=subject_id)
        .exists()
    ):
        errors.setdefault("subject_id", []).append(
            _("This has already been reviewed on this scorecard.")
        )
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                tenant=tenant,
                scorecard=scorecard,
                subject_kind=subject_kind,
                subject_id=subject_id,
                subject_title=subject.title(tenant.default_language)[:300],
                agent=subject.agent,
                reviewer=actor,
                score=weighted_score([(c, v) for c, v, _c in cleaned]),
                comment=comment,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"subject_id": [_("This has already been reviewed on this scorecard.")]}
        ) from exc
    _store_marks(tenant, review, cleaned)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="quality_review.create",
        obj=review,
        via=via,
        changes={"subject": f"{subject_kind}:{subject_id}", "score": str(review.score)},
    )
    return review


def _locked(tenant: Tenant, review: Review) -> Review:
    return Review.objects.for_tenant(tenant).select_for_update().get(pk=review.pk)


@transaction.atomic
def review_dispute(
    *, tenant: Tenant, actor, review: Review, reason: str, via: str = "web"
) -> Dispute:
    """The agent reviewed objects, with a reason; the review waits for a supervisor."""
    require_member(tenant=tenant, user=actor)
    review = _locked(tenant, review)
    if review.agent_id != actor.pk:
        raise PermissionDenied(_("Only the agent reviewed may dispute a review."))
    errors: dict = {}
    reason = clean_text(reason, field="reason", limit=REASON_MAX, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    if review.status == ReviewStatus.DISPUTED:
        raise ValidationError(_("This review is already disputed."), code="already_disputed")
    marks = list(
        Mark.objects.for_tenant(tenant)
        .filter(review=review)
        .values("criterion_id", "value", "comment")
    )
    now = clock.now()
    dispute = Dispute.objects.create(
        tenant=tenant,
        review=review,
        reason=reason,
        raised_by=actor,
        raised_at=now,
        score_before=review.score,
        marks_before=[
            {"criterion": m["criterion_id"], "value": m["value"], "comment": m["comment"]}
            for m in marks
        ],
    )
    review.status = ReviewStatus.DISPUTED
    review.updated_at = now
    review.save(update_fields=["status", "updated_at"])
    audit_record(tenant=tenant, actor=actor, action="quality_review.dispute", obj=review, via=via)
    return dispute


@transaction.atomic
def review_resolve(
    *,
    tenant: Tenant,
    actor,
    review: Review,
    outcome: str,
    note: str,
    marks: list[dict] | None = None,
    via: str = "web",
) -> Review:
    """A supervisor answers the open dispute: `kept` leaves the review as it was, `revised`
    scores it again with `marks`. The note is required either way: the agent learns why."""
    require_reviewer(tenant=tenant, user=actor)
    review = _locked(tenant, review)
    errors: dict = {}
    if outcome not in ("kept", "revised"):
        errors["outcome"] = [_("Choose one of: %(choices)s.") % {"choices": "kept, revised"}]
    note = clean_text(note, field="note", limit=REASON_MAX, required=True, errors=errors)
    cleaned = None
    if outcome == "revised":
        cleaned = _marks(_criteria_of(tenant, review.scorecard), marks or [], errors)
    if errors:
        raise ValidationError(errors)
    if review.status != ReviewStatus.DISPUTED:
        raise ValidationError(_("This review has no open dispute."), code="not_disputed")
    if review.agent_id == actor.pk:
        raise PermissionDenied(_("Nobody answers a dispute about their own work."))
    dispute = (
        Dispute.objects.for_tenant(tenant)
        .filter(review=review, outcome="")
        .latest("raised_at", "pk")
    )
    now = clock.now()
    if cleaned is not None:
        _store_marks(tenant, review, cleaned)
        review.score = weighted_score([(c, v) for c, v, _c in cleaned])
    review.status = ReviewStatus.KEPT if outcome == "kept" else ReviewStatus.REVISED
    review.updated_at = now
    review.save(update_fields=["score", "status", "updated_at"])
    dispute.outcome = outcome
    dispute.note = note
    dispute.resolved_by = actor
    dispute.resolved_at = now
    dispute.score_after = review.score
    dispute.save(update_fields=["outcome", "note", "resolved_by", "resolved_at", "score_after"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="quality_review.resolve",
        obj=review,
        via=via,
        changes={"outcome": outcome, "score": [str(dispute.score_before), str(review.score)]},
    )
    return review
