"""Quality review (C-3) and satisfaction surveys (C-4) in the API.

Scorecards and survey settings are kept by the owner and portal admins; reviews are made and
disputes answered by supervisors (owner, admin, supervisor); an agent's token sees and disputes
the agent's own reviews only (another's answers 404, as a missing one). Customers answer
surveys on the survey page, without a token."""

from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import not_found
from pishkhan.api.periods import period_error
from pishkhan.api.schemas import (
    MAX_ID,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    PageQuery,
    TextInput,
    display,
    paginate,
)
from pishkhan.quality import reports, selectors, services
from pishkhan.quality.models import Scale
from pishkhan.quality.services._common import is_reviewer
from pishkhan.quality.subjects import subject_get
from pishkhan.sla.reports import PeriodError, period_from
from pishkhan.tenancy.permissions import require_member

router = Router(tags=["quality"])

_READ_ERRORS = {403: ErrorOut, 404: ErrorOut}
_WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _member(request):
    return require_member(tenant=request.tenant, user=request.auth.user)


def _language(request) -> str:
    return "en" if (request.LANGUAGE_CODE or "fa").startswith("en") else "fa"


# --- settings --------------------------------------------------------------------------------


class QualitySettingsOut(Out):
    surveys_enabled: bool
    after_tickets: bool
    after_chats: bool
    window_days: int = Field(..., description="Days a survey link stays open (answers change).")


class QualitySettingsPatch(InputSchema):
    surveys_enabled: bool = None
    after_tickets: bool = None
    after_chats: bool = None
    window_days: int = Field(None, ge=1, le=365)


@router.get("/quality/settings", response={200: QualitySettingsOut, 403: ErrorOut})
def settings_detail(request):
    _member(request)
    return services.quality_settings_get(tenant=request.tenant)


@router.patch("/quality/settings", response={200: QualitySettingsOut, **_WRITE_ERRORS})
def settings_change(request, payload: QualitySettingsPatch):
    return services.quality_settings_update(
        tenant=request.tenant,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(exclude_unset=True),
    )


# --- scorecards ------------------------------------------------------------------------------


class CriterionOut(Out):
    id: int
    label: str
    weight: Decimal
    scale: str
    low: int
    high: int
    comment_below: int | None


class ScorecardOut(Out):
    id: int
    name: str
    description: str
    is_active: bool
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class CriterionIn(InputSchema):
    label: str = Field(..., min_length=1, max_length=200)
    weight: Decimal = Field(..., gt=0, le=1000, decimal_places=2)
    scale: Scale = Scale.ONE_FIVE
    comment_below: int | None = Field(
        None, description="A mark below this needs a comment (empty: never)."
    )


class ScorecardIn(InputSchema):
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=500)
    is_active: bool = True
    criteria: list[CriterionIn] = Field(..., min_length=1, max_length=30)


class ScorecardPatch(InputSchema):
    name: str = Field(None, max_length=120)
    description: str = Field(None, max_length=500)
    is_active: bool = None
    criteria: list[CriterionIn] = Field(
        None,
        min_length=1,
        max_length=30,
        description="Replaces the criteria; refused once the scorecard has been used.",
    )


def _scorecard(request, scorecard_id: int):
    scorecard = None
    if 1 <= scorecard_id <= MAX_ID:
        scorecard = selectors.scorecard_get(tenant=request.tenant, pk=scorecard_id)
    if scorecard is None:
        raise not_found()
    return scorecard


def _criteria(items) -> list[dict]:
    return [item.model_dump() if hasattr(item, "model_dump") else item for item in items]


@router.get("/quality/scorecards", response={200: list[ScorecardOut], 400: ErrorOut, 403: ErrorOut})
def scorecard_list(request, active: bool | None = None):
    _member(request)
    return list(selectors.scorecard_list(tenant=request.tenant, active_only=bool(active)))


@router.post("/quality/scorecards", response={201: ScorecardOut, **_WRITE_ERRORS})
def scorecard_add(request, payload: ScorecardIn):
    fields = payload.model_dump()
    fields["criteria"] = _criteria(fields["criteria"])
    scorecard = services.scorecard_create(
        tenant=request.tenant, actor=request.auth.user, via="api", **fields
    )
    return HttpStatus(201, selectors.scorecard_get(tenant=request.tenant, pk=scorecard.pk))


@router.get("/quality/scorecards/{int:scorecard_id}", response={200: ScorecardOut, **_READ_ERRORS})
def scorecard_detail(request, scorecard_id: int):
    _member(request)
    return _scorecard(request, scorecard_id)


@router.patch(
    "/quality/scorecards/{int:scorecard_id}", response={200: ScorecardOut, **_WRITE_ERRORS}
)
def scorecard_change(request, scorecard_id: int, payload: ScorecardPatch):
    _member(request)
    fields = payload.model_dump(exclude_unset=True)
    if "criteria" in fields:
        fields["criteria"] = _criteria(fields["criteria"] or [])
    scorecard = services.scorecard_update(
        tenant=request.tenant,
        actor=request.auth.user,
        scorecard=_scorecard(request, scorecard_id),
        via="api",
        **fields,
    )
    return selectors.scorecard_get(tenant=request.tenant, pk=scorecard.pk)


# --- reviews ---------------------------------------------------------------------------------


class PersonOut(Out):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


class MarkOut(Out):
    criterion: int
    label: str
    value: int
    comment: str

    @staticmethod
    def resolve_criterion(obj) -> int:
        return obj.criterion_id

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.criterion.label


class DisputeOut(Out):
    id: int
    reason: str
    raised_at: datetime
    outcome: str = Field(..., description='"" while open, then "kept" or "revised".')
    note: str
    resolved_at: datetime | None
    score_before: Decimal
    score_after: Decimal | None


class ReviewOut(Out):
    id: int
    scorecard: int
    subject_kind: str
    subject_id: int
    subject_title: str
    agent: PersonOut
    reviewer: PersonOut | None
    score: Decimal = Field(..., description="Weighted percentage, 0–100, two decimals.")
    comment: str
    status: str
    created_at: datetime
    created_at_display: str

    @staticmethod
    def resolve_scorecard(obj) -> int:
        return obj.scorecard_id

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])


class ReviewDetailOut(ReviewOut):
    marks: list[MarkOut]
    disputes: list[DisputeOut]

    @staticmethod
    def resolve_marks(obj):
        return list(obj.marks.all())

    @staticmethod
    def resolve_disputes(obj):
        return list(obj.disputes.all())


class ReviewPage(Out):
    count: int
    page: int
    page_size: int
    items: list[ReviewOut]


class ReviewQuery(PageQuery):
    agent: Id | None = None
    status: Literal["scored", "disputed", "kept", "revised"] | None = None


class MarkIn(InputSchema):
    criterion: Id
    value: int = Field(..., ge=-1000, le=1000)
    comment: str = Field("", max_length=1000)


class ReviewIn(InputSchema):
    scorecard_id: Id
    subject_kind: str = Field("ticket", max_length=16, description='"ticket", "chat", …')
    subject_id: Id = Field(..., description="A ticket's number, a chat's id.")
    marks: list[MarkIn] = Field(..., max_length=30)
    comment: str = Field("", max_length=4000)


class DisputeIn(InputSchema):
    reason: str = Field(..., max_length=2000)


class ResolveIn(InputSchema):
    outcome: Literal["kept", "revised"]
    note: str = Field(..., max_length=2000)
    marks: list[MarkIn] | None = Field(None, max_length=30, description="For `revised`.")


def _review(request, review_id: int):
    review = None
    if 1 <= review_id <= MAX_ID:
        review = selectors.review_get(
            tenant=request.tenant, membership=_member(request), pk=review_id
        )
    if review is None:
        raise not_found()
    return review


@router.get("/quality/reviews", response={200: ReviewPage, 400: ErrorOut, 403: ErrorOut})
def review_list(request, filters: Query[ReviewQuery]):
    """Supervisors see every review; an agent sees their own."""
    reviews = selectors.review_list(
        tenant=request.tenant,
        membership=_member(request),
        agent_id=filters.agent,
        status=filters.status,
    )
    items, envelope = paginate(reviews, page=filters.page, page_size=filters.page_size)
    return {**envelope, "items": items}


@router.post("/quality/reviews", response={201: ReviewDetailOut, **_WRITE_ERRORS})
def review_add(request, payload: ReviewIn):
    _member(request)
    scorecard = selectors.scorecard_get(tenant=request.tenant, pk=payload.scorecard_id)
    if scorecard is None:
        raise not_found("scorecard_id")
    # A subject this workspace does not have is not found, like any other reference.
    if (
        subject_get(tenant=request.tenant, kind=payload.subject_kind, subject_id=payload.subject_id)
        is None
    ):
        raise not_found("subject_id")
    review = services.review_create(
        tenant=request.tenant,
        actor=request.auth.user,
        scorecard=scorecard,
        subject_kind=payload.subject_kind,
        subject_id=payload.subject_id,
        marks=[m.model_dump() for m in payload.marks],
        comment=payload.comment,
        via="api",
    )
    return HttpStatus(201, _review(request, review.pk))


@router.get("/quality/reviews/{int:review_id}", response={200: ReviewDetailOut, **_READ_ERRORS})
def review_detail(request, review_id: int):
    return _review(request, review_id)


@router.post(
    "/quality/reviews/{int:review_id}/dispute", response={200: ReviewDetailOut, **_WRITE_ERRORS}
)
def review_dispute(request, review_id: int, payload: DisputeIn):
    """The agent reviewed objects, with a reason (400 `already_disputed` while one is open)."""
    review = _review(request, review_id)
    services.review_dispute(
        tenant=request.tenant,
        actor=request.auth.user,
        review=review,
        reason=payload.reason,
        via="api",
    )
    return _review(request, review_id)


@router.post(
    "/quality/reviews/{int:review_id}/resolve", response={200: ReviewDetailOut, **_WRITE_ERRORS}
)
def review_resolve(request, review_id: int, payload: ResolveIn):
    """A supervisor keeps or revises a disputed review (400 `not_disputed` otherwise)."""
    review = _review(request, review_id)
    services.review_resolve(
        tenant=request.tenant,
        actor=request.auth.user,
        review=review,
        outcome=payload.outcome,
        note=payload.note,
        marks=[m.model_dump() for m in payload.marks] if payload.marks is not None else None,
        via="api",
    )
    return _review(request, review_id)


# --- surveys and reports ---------------------------------------------------------------------


class SurveyOut(Out):
    id: int
    subject_kind: str
    subject_id: int
    agent: PersonOut | None
    department: int | None
    score: int | None
    comment: str
    created_at: datetime
    answered_at: datetime | None
    closes_at: datetime

    @staticmethod
    def resolve_department(obj) -> int | None:
        return obj.department_id


class SurveyPage(Out):
    count: int
    page: int
    page_size: int
    items: list[SurveyOut]


class SurveyQuery(PageQuery):
    answered: bool | None = None
    agent: Id | None = None


@router.get("/quality/surveys", response={200: SurveyPage, 400: ErrorOut, 403: ErrorOut})
def survey_list(request, filters: Query[SurveyQuery]):
    """Surveys sent, newest first (the token is never shown: it is the customer's key). An
    agent's token gets the surveys of the agent's own tickets and chats, as the satisfaction
    report gives them their own line; supervisors, admins and owners get everyone's."""
    membership = _member(request)
    agent = filters.agent if is_reviewer(membership) else request.auth.user.pk
    surveys = selectors.survey_list(
        tenant=request.tenant, answered=filters.answered, agent_id=agent
    )
    items, envelope = paginate(surveys, page=filters.page, page_size=filters.page_size)
    return {**envelope, "items": items}


class QualityPeriodQuery(TextInput):
    start: str | None = Field(
        None,
        alias="from",
        max_length=40,
        description="First day (YYYY-MM-DD or Jalali 1405/09/01); default: this Jalali month.",
    )
    end: str | None = Field(None, alias="to", max_length=40, description="Last day, included.")
    agent: Id | None = None


class CsatQuery(QualityPeriodQuery):
    department: Id | None = None
    group_by: Literal["agent", "department", "none"] = "agent"


class CsatRowOut(Out):
    key: int | None
    label: str
    sent: int
    answered: int
    satisfied: int = Field(..., description="Answers of 4 or 5.")
    csat_percent: Decimal | None
    average: Decimal | None
    answer_rate: Decimal | None
    counts: dict[int, int] = Field(..., description="Answers per rating 1–5.")


class CsatOut(Out):
    start: str
    end: str
    group_by: str
    rows: list[CsatRowOut]
    total: CsatRowOut


class ReviewRowOut(Out):
    agent_id: int | None
    label: str
    reviews: int
    average: Decimal | None
    disputes: int
    revised: int


class ReviewReportOut(Out):
    start: str
    end: str
    rows: list[ReviewRowOut]


def _period(request, filters):
    return period_from(filters.start, filters.end, tz=ZoneInfo(request.tenant.time_zone))


def _csat(request, filters: CsatQuery):
    membership = _member(request)
    start, end = _period(request, filters)
    # As in the review report: an agent's token gets the agent's own surveys only.
    agent = filters.agent if is_reviewer(membership) else request.auth.user.pk
    return reports.csat_report(
        tenant=request.tenant,
        start=start,
        end=end,
        group_by=filters.group_by,
        agent_id=agent,
        department_id=filters.department,
        language=_language(request),
    )


@router.get("/quality/reports/csat", response={200: CsatOut, 400: ErrorOut, 403: ErrorOut})
def csat_report(request, filters: Query[CsatQuery]):
    """Satisfaction over the surveys sent in the period: CSAT (share of 4–5 answers), average
    and answer rate, per agent, department or for all. An agent's token gets the agent's own
    surveys."""
    try:
        report = _csat(request, filters)
    except PeriodError as exc:
        return period_error(request, exc)
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "group_by": report.group_by,
        "rows": report.rows,
        "total": report.total,
    }


@router.get(
    "/quality/reports/csat.csv",
    response={400: ErrorOut, 403: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "One row per group and a total; header in the request's language.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def csat_report_csv(request, filters: Query[CsatQuery]):
    try:
        report = _csat(request, filters)
    except PeriodError as exc:
        return period_error(request, exc)
    response = HttpResponse(
        reports.csat_csv(report, _language(request)).encode("utf-8"),
        content_type=reports.CSV_CONTENT_TYPE,
    )
    filename = reports.csv_filename("csat", report.start, report.end)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/quality/reports/reviews", response={200: ReviewReportOut, 400: ErrorOut, 403: ErrorOut}
)
def review_report(request, filters: Query[QualityPeriodQuery]):
    """Per agent: reviews in the period, average score, disputes and revisions. An agent's
    token gets the agent's own line."""
    membership = _member(request)
    try:
        start, end = _period(request, filters)
    except PeriodError as exc:
        return period_error(request, exc)
    agent = filters.agent if is_reviewer(membership) else request.auth.user.pk
    rows = reports.review_report(
        tenant=request.tenant, start=start, end=end, agent_id=agent, language=_language(request)
    )
    return {"start": start.isoformat(), "end": end.isoformat(), "rows": rows}
