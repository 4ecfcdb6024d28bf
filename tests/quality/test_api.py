"""The quality API: scorecards, reviews and disputes, surveys, in the one error shape."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.quality.models import Review, Scorecard
from pishkhan.quality.services import review_create, survey_answer, survey_request
from tests.api.helpers import assert_error, send, token_for
from tests.quality.conftest import CRITERIA, SCORECARD_NAME, make_scorecard, marks_for, resolve


def test_owner_defines_a_scorecard_with_weights_and_scales(alpha):
    body = {"name": SCORECARD_NAME, "criteria": CRITERIA}
    response = send(alpha.api(), "POST", "/quality/scorecards", body)
    assert response.status_code == 201, response.content
    card = response.json()
    assert [
        (c["label"], Decimal(str(c["weight"])), c["low"], c["high"]) for c in card["criteria"]
    ] == [
        ("احوالپرسی و ادب", Decimal("1"), 0, 1),
        ("درستی پاسخ", Decimal("3"), 1, 5),
        ("سرعت پاسخگویی", Decimal("2"), 0, 2),
    ]
    assert card["criteria"][1]["comment_below"] == 3


def test_bad_scorecard_is_refused_in_the_error_shape_in_both_languages(alpha):
    body = {
        "name": "کارت",
        "criteria": [{"label": "الف", "weight": "1", "scale": "0_2", "comment_below": 5}],
    }
    before = Scorecard.objects.count()
    error = assert_error(send(alpha.api(), "POST", "/quality/scorecards", body), 400, "invalid")
    assert error["message_fa"] and error["message_en"]
    assert "criteria.0.comment_below" in error["fields"]
    english = send(alpha.api(), "POST", "/quality/scorecards", body, HTTP_ACCEPT_LANGUAGE="en")
    assert "or leave it empty" in english.json()["error"]["fields"]["criteria.0.comment_below"][0]
    assert Scorecard.objects.count() == before


def test_agent_token_cannot_define_scorecards_or_score(alpha):
    agent = alpha.api(token_for(alpha, alpha.agent))
    body = {"name": SCORECARD_NAME, "criteria": CRITERIA}
    assert_error(send(agent, "POST", "/quality/scorecards", body), 403, "forbidden")
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    review = {
        "scorecard_id": card.pk,
        "subject_id": ticket.number,
        "marks": marks_for(card, 1, 5, 2),
    }
    assert_error(send(agent, "POST", "/quality/reviews", review), 403, "forbidden")
    assert not Review.objects.exists()


def test_review_dispute_and_resolve_through_the_api(alpha, supervisor):
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    boss = alpha.api(token_for(alpha, supervisor))
    body = {
        "scorecard_id": card.pk,
        "subject_kind": "ticket",
        "subject_id": ticket.number,
        "marks": marks_for(card, 1, 2, 2, comments={1: "پاسخ ناقص"}),
        "comment": "پاسخ باید کامل‌تر باشد",
    }
    response = send(boss, "POST", "/quality/reviews", body)
    assert response.status_code == 201, response.content
    review = response.json()
    # (1 + 3×¼ + 2) / 6 = 62.50
    assert Decimal(str(review["score"])) == Decimal("62.50")
    assert review["agent"]["id"] == alpha.agent.pk
    agent = alpha.api(token_for(alpha, alpha.agent))
    disputed = send(
        agent, "POST", f"/quality/reviews/{review['id']}/dispute", {"reason": "پاسخ کامل بود"}
    )
    assert disputed.json()["status"] == "disputed"
    again = send(agent, "POST", f"/quality/reviews/{review['id']}/dispute", {"reason": "دوباره"})
    assert_error(again, 409, "already_disputed")
    revised = send(
        boss,
        "POST",
        f"/quality/reviews/{review['id']}/resolve",
        {"outcome": "revised", "note": "درست می‌گویید", "marks": marks_for(card, 1, 5, 2)},
    )
    body = revised.json()
    assert (body["status"], Decimal(str(body["score"]))) == ("revised", Decimal("100.00"))
    (dispute,) = body["disputes"]
    assert (Decimal(str(dispute["score_before"])), dispute["outcome"]) == (
        Decimal("62.50"),
        "revised",
    )


def test_review_of_a_missing_subject_is_not_found(alpha):
    card = make_scorecard(alpha)
    body = {"scorecard_id": card.pk, "subject_id": 999, "marks": marks_for(card, 1, 5, 2)}
    error = assert_error(send(alpha.api(), "POST", "/quality/reviews", body), 404, "not_found")
    assert list(error["fields"]) == ["subject_id"]


def _reviews(world, card, reviewer, n):
    for i in range(n):
        ticket = resolve(world, world.submit(f"گفتگوی {i}"))
        review_create(
            tenant=world.tenant,
            actor=reviewer,
            scorecard=card,
            subject_kind="ticket",
            subject_id=ticket.number,
            marks=marks_for(card, 1, 5, 2),
        )


def _surveys(world, n):
    for i in range(n):
        ticket = resolve(world, world.submit(f"نظرسنجی {i}"))
        survey = survey_request(
            tenant=world.tenant, subject_kind="ticket", subject_id=ticket.number
        )
        survey_answer(tenant=world.tenant, token=survey.token, score=5, comment="عالی")


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/quality/reviews", "reviews"),
        ("/quality/surveys", "surveys"),
        ("/quality/scorecards", "scorecards"),
    ],
)
def test_api_lists_cost_the_same_queries_for_few_and_many(alpha, supervisor, path, make):
    card = make_scorecard(alpha)
    client = alpha.api()

    def grow(n):
        if make == "reviews":
            _reviews(alpha, card, supervisor, n)
        elif make == "surveys":
            _surveys(alpha, n)
        else:
            for i in range(n):
                make_scorecard(alpha, name=f"کارت {len(path)}-{i}-{Scorecard.objects.count()}")

    grow(1)
    send(client, "GET", path)
    with CaptureQueriesContext(connection) as few:
        assert send(client, "GET", path).status_code == 200
    grow(4)
    with CaptureQueriesContext(connection) as many:
        response = send(client, "GET", path)
    assert len(response.json()["items"] if make != "scorecards" else response.json()) >= 5
    assert len(many) == len(few)


def test_survey_settings_through_the_api(alpha):
    response = send(alpha.api(), "PATCH", "/quality/settings", {"after_chats": False})
    assert response.json() == {
        "surveys_enabled": True,
        "after_tickets": True,
        "after_chats": False,
        "window_days": 14,
    }
    error = assert_error(
        send(alpha.api(), "PATCH", "/quality/settings", {"window_days": 0}), 400, "invalid"
    )
    assert list(error["fields"]) == ["window_days"]
    agent = alpha.api(token_for(alpha, alpha.agent))
    assert_error(send(agent, "PATCH", "/quality/settings", {"window_days": 3}), 403, "forbidden")
    assert send(alpha.api(), "GET", "/quality/settings").json()["window_days"] == 14
