"""Quality review (C-3) and satisfaction surveys (C-4) in the browser.

The survey page needs no login: its token is the key, and a token of another workspace is
unknown on this host (404). Staff pages live under /agent/quality/: supervisors (owner, admin,
supervisor) score work and answer disputes, admins keep the scorecards and settings, agents
see and dispute their own reviews; everything else answers 404."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.core import clock
from pishkhan.quality import reports, selectors, services
from pishkhan.quality.models import Scale, Survey
from pishkhan.quality.services._common import is_reviewer
from pishkhan.quality.subjects import kinds, subject_get, subject_titles
from pishkhan.sla.reports import MAX_PERIOD_DAYS, PeriodError, period_from
from pishkhan.tenancy.selectors import member_list
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.web.periods import day_input
from pishkhan.web.views.access import admin_required, staff_required

PAGE_SIZE = 25
SCORECARD_SPARE_ROWS = 3


def _language() -> str:
    return "en" if (translation.get_language() or "fa").startswith("en") else "fa"


def _int_or_none(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 18 else None


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {key: " ".join(str(m) for m in msgs) for key, msgs in exc.message_dict.items()}
    return {"general": " ".join(str(m) for m in exc.messages)}


def _reviewer_required(view):
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not is_reviewer(request.membership):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


# --- the customer's survey page --------------------------------------------------------------


def survey(request, token: str):
    """Rate 1–5 (each a button here and a one-click link in the mail), comment, thanks.

    The mail's one-click link (`?score=N`) records nothing by itself: mail scanners open every
    link of a message, all five, before the customer sees it. The page it opens posts the
    chosen score at once from the customer's browser, so one click still answers; without
    scripts, the chosen button is shown pressed and a second click sends it."""
    found = services.survey_get_by_token(tenant=request.tenant, token=token)
    if found is None:
        raise Http404
    if not request.user.is_authenticated and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        # A customer coming from the mail reads the page in the mail's language.
        translation.activate(found.language)
        request.LANGUAGE_CODE = found.language
    error = ""
    one_click = None
    open_ = found.closes_at > clock.now()
    if request.method == "POST" and "score" in request.POST:
        try:
            found = services.survey_answer(
                tenant=request.tenant,
                token=token,
                score=request.POST["score"],
                # The one-click form sends no comment: keep the one already given.
                comment=request.POST.get("comment"),
            )
        except ValidationError as exc:
            error = " ".join(str(m) for m in exc.messages)
        else:
            return redirect(reverse("web:survey", kwargs={"token": token}) + "?thanks=1")
    elif "score" in request.GET:
        try:
            one_click = services.survey_score_check(survey=found, score=request.GET["score"])
        except ValidationError as exc:
            error = " ".join(str(m) for m in exc.messages)
    subject = subject_get(
        tenant=request.tenant, kind=found.subject_kind, subject_id=found.subject_id
    )
    thanks = found.is_answered and not error and "thanks" in request.GET
    return render(
        request,
        "web/quality/survey.html",
        {
            "survey": found,
            "subject_title": subject.title(_language()) if subject else "",
            "is_open": open_,
            "thanks": thanks,
            "error": error,
            "one_click": one_click,
            "scores": [5, 4, 3, 2, 1],
        },
        status=400 if error else 200,
    )


# --- reviews -----------------------------------------------------------------------------------


@staff_required
def home(request):
    """Supervisors: the reviews of everyone and the open disputes; agents: their own."""
    reviewer = is_reviewer(request.membership)
    agent_id = _int_or_none(request.GET.get("agent")) if reviewer else None
    status = request.GET.get("status") or None
    reviews = selectors.review_list(
        tenant=request.tenant, membership=request.membership, agent_id=agent_id, status=status
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    _retitle(request.tenant, page.object_list)
    return render(
        request,
        "web/quality/home.html",
        {
            "page": page,
            "reviewer": reviewer,
            "state": {"agent": agent_id, "status": status},
            "members": member_list(tenant=request.tenant, writers_only=True) if reviewer else [],
            "scorecards": selectors.scorecard_list(tenant=request.tenant, active_only=True)
            if reviewer
            else [],
            "kinds": kinds(),
            "statuses": [
                ("scored", _("Scored")),
                ("disputed", _("Disputed")),
                ("kept", _("Dispute answered: kept")),
                ("revised", _("Dispute answered: revised")),
            ],
        },
    )


def _marks_from_post(post, scorecard) -> list[dict]:
    return [
        {
            "criterion": criterion.pk,
            "value": _int_or_none(post.get(f"mark_{criterion.pk}")),
            "comment": post.get(f"comment_{criterion.pk}", ""),
        }
        for criterion in scorecard.criteria.all()
    ]


@_reviewer_required
def review_new(request):
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind") or "ticket"
    subject_id = _int_or_none(source.get("id"))
    scorecard = None
    scorecard_pk = _int_or_none(source.get("scorecard"))
    if scorecard_pk is not None:
        scorecard = selectors.scorecard_get(tenant=request.tenant, pk=scorecard_pk)
        if scorecard is None:
            raise Http404
    subject = (
        subject_get(tenant=request.tenant, kind=kind, subject_id=subject_id)
        if subject_id is not None
        else None
    )
    errors: dict = {}
    if subject_id is not None and subject is None:
        errors["subject_id"] = _("Not found in this workspace.")
    if request.method == "POST" and scorecard is not None and not errors:
        try:
            review = services.review_create(
                tenant=request.tenant,
                actor=request.user,
                scorecard=scorecard,
                subject_kind=kind,
                subject_id=subject_id or 0,
                marks=_marks_from_post(request.POST, scorecard),
                # The one-click form sends no comment: keep the one already given.
                comment=request.POST.get("comment"),
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            messages.success(request, _("Review saved."))
            return redirect("web:quality_review", pk=review.pk)
    elif request.method == "POST":
        errors.setdefault("scorecard", _("Choose a scorecard."))
    rows = []
    if scorecard is not None:
        for criterion in scorecard.criteria.all():
            rows.append(
                {
                    "criterion": criterion,
                    "value": _int_or_none(request.POST.get(f"mark_{criterion.pk}")),
                    "comment": request.POST.get(f"comment_{criterion.pk}", ""),
                    "error": errors.get(f"marks.{criterion.pk}", ""),
                }
            )
    return render(
        request,
        "web/quality/review_new.html",
        {
            "kind": kind,
            "kinds": kinds(),
            "subject_id": subject_id,
            "subject": subject,
            "subject_title": subject.title(_language()) if subject else "",
            "scorecard": scorecard,
            "scorecards": selectors.scorecard_list(tenant=request.tenant, active_only=True),
            "rows": rows,
            "errors": errors,
            "comment": request.POST.get("comment", ""),
        },
        status=400 if errors and request.method == "POST" else 200,
    )


def _retitle(tenant, reviews) -> None:
    """A review keeps its subject's title in the workspace's language; the reader sees it in
    theirs («تیکت #۱۰: …» / "Ticket #10: …")."""
    reviews = list(reviews)
    titles = subject_titles(
        tenant=tenant,
        keys=[(r.subject_kind, r.subject_id) for r in reviews],
        language=_language(),
    )
    for review in reviews:
        review.subject_title = titles.get(
            (review.subject_kind, review.subject_id), review.subject_title
        )


def _review_or_404(request, pk: int):
    review = selectors.review_get(tenant=request.tenant, membership=request.membership, pk=pk)
    if review is None:
        raise Http404
    return review


def _review_page(request, review, *, errors=None, status=200):
    subject = subject_get(
        tenant=request.tenant, kind=review.subject_kind, subject_id=review.subject_id
    )
    is_agent = review.agent_id == request.user.pk
    if subject is not None:
        review.subject_title = subject.title(_language())
    marks = list(review.marks.all())
    post = request.POST if request.method == "POST" else {}
    return render(
        request,
        "web/quality/review.html",
        {
            "review": review,
            "subject_url": subject.url if subject else "",
            "marks": marks,
            "disputes": list(review.disputes.all()),
            "revision_rows": _revision_rows(review, marks, post),
            "can_dispute": is_agent and not review.is_disputed,
            "can_resolve": review.is_disputed and is_reviewer(request.membership) and not is_agent,
            "errors": errors or {},
            "post": post,
        },
        status=status,
    )


def _revision_rows(review, marks, post) -> list[dict]:
    """The answer form's marks: what the supervisor chose when the answer came back with an
    error, else the review's own marks."""
    current = {mark.criterion_id: mark for mark in marks}
    rows = []
    for criterion in review.scorecard.criteria.all():
        mark = current.get(criterion.pk)
        posted = _int_or_none(post.get(f"mark_{criterion.pk}")) if post else None
        rows.append(
            {
                "criterion": criterion,
                "value": posted if posted is not None else (mark.value if mark else None),
                "comment": post.get(f"comment_{criterion.pk}", "")
                if post
                else (mark.comment if mark else ""),
            }
        )
    return rows


@staff_required
def review_detail(request, pk: int):
    return _review_page(request, _review_or_404(request, pk))


@require_POST
@staff_required
def review_dispute(request, pk: int):
    review = _review_or_404(request, pk)
    try:
        services.review_dispute(
            tenant=request.tenant,
            actor=request.user,
            review=review,
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _review_page(request, review, errors=_field_errors(exc), status=400)
    messages.success(request, _("Your dispute was sent to the supervisors."))
    return redirect("web:quality_review", pk=review.pk)


@require_POST
@_reviewer_required
def review_resolve(request, pk: int):
    review = _review_or_404(request, pk)
    outcome = request.POST.get("outcome", "")
    try:
        services.review_resolve(
            tenant=request.tenant,
            actor=request.user,
            review=review,
            outcome=outcome,
            note=request.POST.get("note", ""),
            marks=_marks_from_post(request.POST, review.scorecard)
            if outcome == "revised"
            else None,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _review_page(request, review, errors=_field_errors(exc), status=400)
    messages.success(request, _("The dispute was answered."))
    return redirect("web:quality_review", pk=review.pk)


# --- scorecards and settings -------------------------------------------------------------------


@admin_required
def scorecard_list(request):
    return render(
        request,
        "web/quality/scorecards.html",
        {"scorecards": selectors.scorecard_list(tenant=request.tenant)},
    )


def _criteria_from_post(post) -> list[dict]:
    rows = []
    for index in range(int(post.get("rows") or 0) if str(post.get("rows", "")).isdigit() else 0):
        if index > 60:
            break
        label = post.get(f"label_{index}", "").strip()
        if not label:
            continue
        rows.append(
            {
                "label": label,
                "weight": post.get(f"weight_{index}", ""),
                "scale": post.get(f"scale_{index}", ""),
                "comment_below": post.get(f"comment_below_{index}", ""),
            }
        )
    return rows


@admin_required
def scorecard_edit(request, pk: int | None = None):
    scorecard = None
    if pk is not None:
        scorecard = selectors.scorecard_get(tenant=request.tenant, pk=pk)
        if scorecard is None:
            raise Http404
    in_use = scorecard is not None and scorecard.reviews.exists()
    errors: dict = {}
    if request.method == "POST":
        fields = {
            "name": request.POST.get("name", ""),
            "description": request.POST.get("description", ""),
            "is_active": request.POST.get("is_active") == "on",
        }
        if not in_use:
            fields["criteria"] = _criteria_from_post(request.POST)
        try:
            if scorecard is None:
                scorecard = services.scorecard_create(
                    tenant=request.tenant, actor=request.user, **fields
                )
            else:
                services.scorecard_update(
                    tenant=request.tenant, actor=request.user, scorecard=scorecard, **fields
                )
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            messages.success(request, _("Scorecard saved."))
            return redirect("web:quality_scorecards")
        rows = _criteria_from_post(request.POST)
    else:
        rows = [
            {
                "label": c.label,
                "weight": c.weight_display,
                "scale": c.scale,
                "comment_below": "" if c.comment_below is None else c.comment_below,
            }
            for c in (scorecard.criteria.all() if scorecard else [])
        ]
    rows = rows + [{"label": "", "weight": "", "scale": "1_5", "comment_below": ""}] * (
        0 if in_use else SCORECARD_SPARE_ROWS
    )
    for index, row in enumerate(rows):
        row = rows[index] = {**row, "index": index}
        row["errors"] = " ".join(v for k, v in errors.items() if k.startswith(f"criteria.{index}."))
    post = request.POST
    return render(
        request,
        "web/quality/scorecard_form.html",
        {
            "scorecard": scorecard,
            "in_use": in_use,
            "rows": rows,
            "scales": Scale.choices,
            "errors": errors,
            "name": post.get("name") if post else (scorecard.name if scorecard else ""),
            "description": post.get("description")
            if post
            else (scorecard.description if scorecard else ""),
            "is_active": (post.get("is_active") == "on")
            if post
            else (scorecard.is_active if scorecard else True),
        },
        status=400 if errors else 200,
    )


@admin_required
def quality_settings(request):
    current = services.quality_settings_get(tenant=request.tenant)
    errors: dict = {}
    if request.method == "POST":
        days = request.POST.get("window_days", "")
        try:
            current = services.quality_settings_update(
                tenant=request.tenant,
                actor=request.user,
                surveys_enabled=request.POST.get("surveys_enabled") == "on",
                after_tickets=request.POST.get("after_tickets") == "on",
                after_chats=request.POST.get("after_chats") == "on",
                window_days=_int_or_none(days) if _int_or_none(days) is not None else days,
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("web:quality_settings")
    return render(
        request,
        "web/quality/settings.html",
        {"settings": current, "errors": errors, "post": request.POST},
        status=400 if errors else 200,
    )


# --- reports -----------------------------------------------------------------------------------


def _period(request) -> tuple[dict, dict]:
    get = request.GET
    language = _language()
    errors: dict = {}
    start = end = None
    try:
        start, end = period_from(
            get.get("from"), get.get("to"), tz=ZoneInfo(request.tenant.time_zone)
        )
    except PeriodError as exc:
        if exc.code == "reversed":
            errors[exc.field] = _("The end date must not be before the start date.")
        elif exc.code == "too_long":
            errors[exc.field] = _("A report covers at most %(days)s days.") % {
                "days": MAX_PERIOD_DAYS
            }
        else:
            errors[exc.field] = _("Give the date like 1405/09/01 (Jalali) or 2026-11-22.")
    state = {
        "start": start,
        "end": end,
        "from": day_input(start, language) if start else get.get("from", "")[:40],
        "to": day_input(end, language) if end else get.get("to", "")[:40],
        "agent": _int_or_none(get.get("agent")),
        "department": _int_or_none(get.get("department")),
    }
    return state, errors


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type=reports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def csat_report(request):
    """Supervisors see every agent; an agent sees their own line, as in the review report."""
    state, errors = _period(request)
    if not is_reviewer(request.membership):
        state["agent"] = request.user.pk
    group_by = request.GET.get("group_by", "agent")
    group_by = group_by if group_by in reports.CSAT_GROUPS else "agent"
    report = None
    if not errors:
        report = reports.csat_report(
            tenant=request.tenant,
            start=state["start"],
            end=state["end"],
            group_by=group_by,
            agent_id=state["agent"],
            department_id=state["department"],
            language=_language(),
        )
        if request.GET.get("format") == "csv":
            return _csv(
                reports.csat_csv(report, _language()),
                reports.csv_filename("csat", report.start, report.end),
            )
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "web/quality/csat_report.html",
        {
            "state": {**state, "group_by": group_by},
            "errors": errors,
            "report": report,
            "csv_query": query.urlencode(),
            "reviewer": is_reviewer(request.membership),
            "members": member_list(tenant=request.tenant, writers_only=True),
            "departments": ticket_selectors.department_list(
                tenant=request.tenant, active_only=False
            ),
            "group_choices": [
                ("agent", _("Agent")),
                ("department", _("Department")),
                ("none", _("No grouping")),
            ],
        },
        status=400 if errors else 200,
    )


@staff_required
def review_report(request):
    """Supervisors see every agent; an agent sees their own line."""
    state, errors = _period(request)
    if not is_reviewer(request.membership):
        state["agent"] = request.user.pk
    rows = None
    if not errors:
        rows = reports.review_report(
            tenant=request.tenant,
            start=state["start"],
            end=state["end"],
            agent_id=state["agent"],
            language=_language(),
        )
        if request.GET.get("format") == "csv":
            return _csv(
                reports.review_csv(rows, _language()),
                reports.csv_filename("quality-reviews", state["start"], state["end"]),
            )
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "web/quality/review_report.html",
        {
            "state": state,
            "errors": errors,
            "rows": rows,
            "csv_query": query.urlencode(),
            "reviewer": is_reviewer(request.membership),
            "members": member_list(tenant=request.tenant, writers_only=True),
        },
        status=400 if errors else 200,
    )


@_reviewer_required
def survey_list(request):
    """The answers customers gave, newest first, with their comments."""
    answered = {"yes": True, "no": False}.get(request.GET.get("answered", "yes"))
    surveys = selectors.survey_list(tenant=request.tenant, answered=answered)
    page = Paginator(surveys, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/quality/surveys.html",
        {"page": page, "answered": request.GET.get("answered", "yes"), "Survey": Survey},
    )


urls: list = [
    path("survey/<str:token>/", survey, name="survey"),
    path("agent/quality/", home, name="quality_home"),
    path("agent/quality/reviews/new/", review_new, name="quality_review_new"),
    path("agent/quality/reviews/<int:pk>/", review_detail, name="quality_review"),
    path("agent/quality/reviews/<int:pk>/dispute/", review_dispute, name="quality_review_dispute"),
    path("agent/quality/reviews/<int:pk>/resolve/", review_resolve, name="quality_review_resolve"),
    path("agent/quality/scorecards/", scorecard_list, name="quality_scorecards"),
    path("agent/quality/scorecards/new/", scorecard_edit, name="quality_scorecard_new"),
    path("agent/quality/scorecards/<int:pk>/", scorecard_edit, name="quality_scorecard_edit"),
    path("agent/quality/settings/", quality_settings, name="quality_settings"),
    path("agent/quality/surveys/", survey_list, name="quality_surveys"),
    path("agent/quality/reports/csat/", csat_report, name="quality_csat_report"),
    path("agent/quality/reports/reviews/", review_report, name="quality_review_report"),
]
