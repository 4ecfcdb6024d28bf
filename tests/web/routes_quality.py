"""Isolation cases of the quality pages and the survey page (merged into
tests/web/test_isolation.py)."""

from pishkhan.quality.services import (
    quality_settings_update,
    review_create,
    scorecard_create,
    survey_request,
)
from pishkhan.tickets.services import ticket_update

# name -> kwargs naming keys of the objects below
ROUTES: dict = {
    "survey": {"token": "survey_token"},
    "quality_home": {},
    "quality_review_new": {},
    "quality_review": {"pk": "quality_review"},
    "quality_review_dispute": {"pk": "quality_review"},
    "quality_review_resolve": {"pk": "quality_review"},
    "quality_scorecards": {},
    "quality_scorecard_new": {},
    "quality_scorecard_edit": {"pk": "quality_scorecard"},
    "quality_settings": {},
    "quality_surveys": {},
    "quality_csat_report": {},
    "quality_review_report": {},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = ("quality_review_dispute", "quality_review_resolve")


def beta_objects(beta) -> dict:
    """A ticket of beta's resolved by bob, its survey, a scorecard and bob's review."""
    quality_settings_update(tenant=beta.tenant, actor=beta.owner, window_days=30)
    ticket = beta.submit("درخواست ارزیابی بتا")
    ticket_update(tenant=beta.tenant, ticket=ticket, actor=beta.owner, assignee=beta.agent)
    ticket_update(tenant=beta.tenant, ticket=ticket, actor=beta.agent, status="resolved")
    survey = survey_request(
        tenant=beta.tenant,
        subject_kind="ticket",
        subject_id=ticket.number,
        customer_email=beta.customer.email,
        language="fa",
    )
    scorecard = scorecard_create(
        tenant=beta.tenant,
        actor=beta.owner,
        name="کارت ارزیابی بتا",
        criteria=[{"label": "ادب", "weight": "1", "scale": "1_5"}],
    )
    review = review_create(
        tenant=beta.tenant,
        actor=beta.owner,
        scorecard=scorecard,
        subject_kind="ticket",
        subject_id=ticket.number,
        marks=[{"criterion": scorecard.criteria.get().pk, "value": 4}],
    )
    return {
        "survey_token": survey.token,
        "quality_scorecard": scorecard.pk,
        "quality_review": review.pk,
        "quality_ticket": ticket.number,
    }
