"""Satisfaction surveys (C-4): a no-login link per finished subject, one answer per survey
(a second answer replaces the first while the link is open), and the tenant's switches."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from pishkhan import jobs
from pishkhan.core import clock
from pishkhan.quality.models import QualitySettings, Survey
from pishkhan.quality.services._common import clean_text, number
from pishkhan.quality.subjects import subject_get
from pishkhan.tenancy.models import Domain, Tenant
from pishkhan.tenancy.permissions import require_admin
from pishkhan.trust.services import audit_record

COMMENT_MAX = 2000
WINDOW_MAX_DAYS = 365
# Which switch of the settings governs which kind; a kind not named here (a call, later)
# follows only the main switch.
KIND_SWITCH = {"ticket": "after_tickets", "chat": "after_chats"}


def quality_settings_get(*, tenant: Tenant) -> QualitySettings:
    """The tenant's settings, created with the defaults on first read."""
    found, _created = QualitySettings.objects.get_or_create(tenant=tenant)
    return found


@transaction.atomic
def quality_settings_update(
    *, tenant: Tenant, actor, via: str = "web", **fields
) -> QualitySettings:
    require_admin(tenant=tenant, user=actor)
    current = QualitySettings.objects.select_for_update().get(
        pk=quality_settings_get(tenant=tenant).pk
    )
    errors: dict = {}
    changed = []
    for name in ("surveys_enabled", "after_tickets", "after_chats"):
        if name in fields:
            if not isinstance(fields[name], bool):
                errors[name] = [_("Answer yes or no.")]
                continue
            setattr(current, name, fields[name])
            changed.append(name)
    if "window_days" in fields:
        days = fields["window_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= WINDOW_MAX_DAYS:
            errors["window_days"] = [
                _("Give a whole number of days from 1 to %(max)s.")
                % {"max": number(WINDOW_MAX_DAYS)}
            ]
        else:
            current.window_days = days
            changed.append("window_days")
    unknown = set(fields) - {"surveys_enabled", "after_tickets", "after_chats", "window_days"}
    for name in unknown:
        errors[name] = [_("Unknown field.")]
    if errors:
        raise ValidationError(errors)
    current.updated_at = clock.now()
    current.save(update_fields=[*changed, "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="quality_settings.update",
        obj=current,
        via=via,
        changes={name: getattr(current, name) for name in changed},
    )
    return current


def surveys_wanted(*, tenant: Tenant, subject_kind: str) -> bool:
    current = quality_settings_get(tenant=tenant)
    switch = KIND_SWITCH.get(subject_kind)
    return current.surveys_enabled and (switch is None or getattr(current, switch))


def tenant_base_url(tenant: Tenant) -> str:
    """Where the tenant's customers reach it: its own host if it has one, else
    <slug>.<first base domain>; on PUBLIC_PORT when one is set (a laptop's server)."""
    host = Domain.objects.filter(tenant=tenant).order_by("pk").values_list("host", flat=True)
    host = host.first() or f"{tenant.slug}.{django_settings.TENANT_BASE_DOMAINS[0]}"
    scheme = "https" if django_settings.SESSION_COOKIE_SECURE else "http"
    port = f":{django_settings.PUBLIC_PORT}" if django_settings.PUBLIC_PORT else ""
    return f"{scheme}://{host}{port}"


def survey_path(survey: Survey, score: int | None = None) -> str:
    path = reverse("web:survey", kwargs={"token": survey.token})
    return f"{path}?score={score}" if score else path


def survey_url(survey: Survey, score: int | None = None) -> str:
    return tenant_base_url(survey.tenant) + survey_path(survey, score)


def survey_request(
    *,
    tenant: Tenant,
    subject_kind: str,
    subject_id: int,
    customer_email: str = "",
    language: str = "",
    now: datetime | None = None,
) -> Survey | None:
    """Ask the customer to rate a finished subject: make its no-login link and, when an
    address is known, mail it once the caller's write commits. None when the tenant does not
    survey this kind. A subject already surveyed keeps its first survey (and is not mailed
    again): a ticket resolved, reopened and resolved again is rated once."""
    if not surveys_wanted(tenant=tenant, subject_kind=subject_kind):
        return None
    existing = Survey.objects.for_tenant(tenant).filter(
        subject_kind=subject_kind, subject_id=subject_id
    )
    found = existing.first()
    if found is not None:
        return found
    now = now or clock.now()
    subject = subject_get(tenant=tenant, kind=subject_kind, subject_id=subject_id)
    agent = subject.agent if subject else None
    department = subject.department if subject else None
    window = quality_settings_get(tenant=tenant).window_days
    language = language if language in ("fa", "en") else tenant.default_language
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                tenant=tenant,
                token=secrets.token_urlsafe(24),
                subject_kind=subject_kind,
                subject_id=subject_id,
                agent=agent,
                department=department,
                customer_email=(customer_email or "").strip()[:254],
                language=language,
                created_at=now,
                closes_at=now + timedelta(days=window),
            )
    except IntegrityError:
        # Two callers raced for the same subject: the first one's survey is the survey.
        return existing.first()
    if survey.customer_email:
        from pishkhan.quality import tasks

        jobs.enqueue(tasks.survey_mail_send, survey.pk)
    return survey


def survey_get_by_token(*, tenant: Tenant, token: str) -> Survey | None:
    """The tenant's survey with this token; another tenant's token is nobody's here."""
    if not isinstance(token, str) or not 8 <= len(token) <= 64:
        return None
    return Survey.objects.for_tenant(tenant).filter(token=token).first()


def survey_is_open(survey: Survey, now: datetime | None = None) -> bool:
    return (now or clock.now()) < survey.closes_at


def _score_valid(score) -> int | None:
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        return None
    return score


def _closed_error() -> ValidationError:
    return ValidationError(
        _("This survey is closed; answers are no longer changed."), code="survey_closed"
    )


def survey_score_check(*, survey: Survey, score, now: datetime | None = None) -> int:
    """The score a one-click link from the mail offers, checked as `survey_answer` would check
    it, without recording anything: the page then posts it from the customer's browser."""
    valid = _score_valid(score)
    if valid is None:
        raise ValidationError({"score": [_("Choose a rating from 1 to 5.")]})
    if not survey_is_open(survey, now):
        raise _closed_error()
    return valid


@transaction.atomic
def survey_answer(
    *,
    tenant: Tenant,
    token: str,
    score,
    comment: str | None = None,
    now: datetime | None = None,
) -> Survey:
    """Record the customer's 1–5 and optional comment. Answering again while the link is open
    replaces the earlier answer (the survey still counts once); `comment=None` keeps the
    comment already given (a one-click rating from the mail). Survey.DoesNotExist for a token
    that is not this tenant's."""
    errors: dict = {}
    score = _score_valid(score)
    if score is None:
        errors["score"] = [_("Choose a rating from 1 to 5.")]
    if comment is not None:
        comment = clean_text(
            comment, field="comment", limit=COMMENT_MAX, required=False, errors=errors
        )
    if errors:
        raise ValidationError(errors)
    found = survey_get_by_token(tenant=tenant, token=token)
    if found is None:
        raise Survey.DoesNotExist
    survey = Survey.objects.select_for_update().get(pk=found.pk)
    now = now or clock.now()
    if not survey_is_open(survey, now):
        raise _closed_error()
    survey.score = score
    if comment is not None:
        survey.comment = comment
    survey.answered_at = now
    survey.answers += 1
    survey.save(update_fields=["score", "comment", "answered_at", "answers"])
    return survey
