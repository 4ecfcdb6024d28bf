"""Quality review (C-3): weighted scorecards, comments on low marks, agents seeing their own
reviews, and the dispute flow with its history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from pishkhan.accounts.services import staff_user_create
from pishkhan.quality.models import Dispute, Review, ReviewStatus
from pishkhan.quality.services import (
    review_create,
    review_dispute,
    review_resolve,
    scorecard_update,
    weighted_score,
)
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from tests.conftest import PASSWORD
from tests.quality.conftest import make_scorecard, marks_for, resolve


def _review(world, scorecard, reviewer, *values, ticket=None, comments=None):
    ticket = resolve(world, ticket)
    return review_create(
        tenant=world.tenant,
        actor=reviewer,
        scorecard=scorecard,
        subject_kind="ticket",
        subject_id=ticket.number,
        marks=marks_for(scorecard, *values, comments=comments),
        comment="پاسخ کامل بود",
    )


def test_score_is_the_exact_weighted_percentage(alpha, scorecard, supervisor):
    # given weights 1 (yes/no), 3 (1-5) and 2 (0-2): yes, 4 of 5, 1 of 2
    review = _review(alpha, scorecard, supervisor, 1, 4, 1)
    # then (1×1 + 3×¾ + 2×½) / 6 = 70.8333… is kept as 70.83, exactly
    assert review.score == Decimal("70.83")
    review.refresh_from_db()
    assert review.score == Decimal("70.83")
    assert isinstance(review.score, Decimal)


def test_weighting_rounds_half_up_only_at_the_end(alpha):
    # given weights 0.5 and 0.25 on 0-2 and 1-5 scales
    card = make_scorecard(
        alpha,
        name="نیم و ربع",
        criteria=[
            {"label": "الف", "weight": "0.5", "scale": "0_2"},
            {"label": "ب", "weight": "0.25", "scale": "1_5"},
        ],
    )
    first, second = card.criteria.all()
    # (0.5×½ + 0.25×¼) / 0.75 = 0.3125 / 0.75 = 41.666…%
    assert weighted_score([(first, 1), (second, 2)]) == Decimal("41.67")
    assert weighted_score([(first, 2), (second, 5)]) == Decimal("100.00")
    assert weighted_score([(first, 0), (second, 1)]) == Decimal("0.00")


def test_low_mark_without_comment_is_refused_in_both_languages(alpha, scorecard, supervisor):
    ticket = resolve(alpha)
    correctness = scorecard.criteria.all()[1]  # comment required below 3
    for language, text in (
        ("fa", "نمرهٔ کمتر از ۳ به توضیحی دربارهٔ دلیل آن نیاز دارد."),
        ("en", "A mark below 3 needs a comment saying why."),
    ):
        with translation.override(language), pytest.raises(ValidationError) as caught:
            review_create(
                tenant=alpha.tenant,
                actor=supervisor,
                scorecard=scorecard,
                subject_kind="ticket",
                subject_id=ticket.number,
                marks=marks_for(scorecard, 1, 2, 2),
            )
        message = caught.value.message_dict[f"marks.{correctness.pk}"][0]
        assert message == text
    assert not Review.objects.exists()
    # with the comment it is accepted
    review = review_create(
        tenant=alpha.tenant,
        actor=supervisor,
        scorecard=scorecard,
        subject_kind="ticket",
        subject_id=ticket.number,
        marks=marks_for(scorecard, 1, 2, 2, comments={1: "پاسخ ناقص بود"}),
    )
    assert review.marks.get(criterion=correctness).comment == "پاسخ ناقص بود"


def test_low_mark_without_comment_is_shown_beside_the_criterion_on_the_page(
    alpha, scorecard, supervisor
):
    ticket = resolve(alpha)
    correctness = scorecard.criteria.all()[1]
    data = {"kind": "ticket", "id": ticket.number, "scorecard": scorecard.pk, "comment": ""}
    data.update(
        {f"mark_{c.pk}": v for c, v in zip(scorecard.criteria.all(), (1, 1, 2), strict=True)}
    )
    response = alpha.client(supervisor).post("/agent/quality/reviews/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="criterion-{correctness.pk}"' in page
    assert "به توضیحی دربارهٔ دلیل آن نیاز دارد" in page
    assert not Review.objects.exists()


def test_only_finished_work_by_someone_else_can_be_reviewed(alpha, scorecard, supervisor):
    # given an open ticket
    with pytest.raises(ValidationError) as caught:
        review_create(
            tenant=alpha.tenant,
            actor=supervisor,
            scorecard=scorecard,
            subject_kind="ticket",
            subject_id=alpha.ticket.number,
            marks=marks_for(scorecard, 1, 5, 2),
        )
    assert "subject_id" in caught.value.message_dict
    # and a ticket the supervisor handled himself
    ticket = resolve(alpha, alpha.submit("درخواست دوم"), assignee=supervisor)
    with pytest.raises(ValidationError):
        review_create(
            tenant=alpha.tenant,
            actor=supervisor,
            scorecard=scorecard,
            subject_kind="ticket",
            subject_id=ticket.number,
            marks=marks_for(scorecard, 1, 5, 2),
        )
    assert not Review.objects.exists()


def test_an_agent_cannot_score_and_a_subject_is_scored_once(alpha, scorecard, supervisor):
    ticket = resolve(alpha)
    with pytest.raises(PermissionDenied):
        review_create(
            tenant=alpha.tenant,
            actor=alpha.agent,
            scorecard=scorecard,
            subject_kind="ticket",
            subject_id=ticket.number,
            marks=marks_for(scorecard, 1, 5, 2),
        )
    _review(alpha, scorecard, supervisor, 1, 5, 2, ticket=ticket)
    with pytest.raises(ValidationError):
        _review(alpha, scorecard, supervisor, 0, 1, 0, ticket=ticket)
    assert Review.objects.count() == 1


def test_a_used_scorecard_keeps_its_criteria(alpha, scorecard, supervisor):
    _review(alpha, scorecard, supervisor, 1, 5, 2)
    with pytest.raises(ValidationError) as caught:
        scorecard_update(
            tenant=alpha.tenant,
            actor=alpha.owner,
            scorecard=scorecard,
            criteria=[{"label": "تازه", "weight": "1", "scale": "1_5"}],
        )
    assert "criteria" in caught.value.message_dict
    assert [c.label for c in scorecard.criteria.all()] == [
        "احوالپرسی و ادب",
        "درستی پاسخ",
        "سرعت پاسخگویی",
    ]


@pytest.mark.parametrize(
    ("field", "criterion"),
    [
        ("weight", {"label": "الف", "weight": "0", "scale": "1_5"}),
        ("weight", {"label": "الف", "weight": "1.234", "scale": "1_5"}),
        ("scale", {"label": "الف", "weight": "1", "scale": "1_100"}),
        ("comment_below", {"label": "الف", "weight": "1", "scale": "0_2", "comment_below": 3}),
        ("label", {"label": " ", "weight": "1", "scale": "0_2"}),
    ],
)
def test_a_bad_criterion_is_refused_and_nothing_is_made(alpha, field, criterion):
    from pishkhan.quality.models import Scorecard

    with pytest.raises(ValidationError) as caught:
        make_scorecard(alpha, criteria=[criterion])
    assert f"criteria.0.{field}" in caught.value.message_dict
    assert not Scorecard.objects.exists()


@pytest.fixture
def second_agent(alpha):
    user = staff_user_create(email="reza@alpha.example", password=PASSWORD, full_name="رضا")
    membership_grant(tenant=alpha.tenant, user=user, role=Role.AGENT)
    return user


def test_agent_sees_only_own_reviews(alpha, scorecard, supervisor, second_agent):
    # given a review of alice's work and one of reza's
    own = _review(alpha, scorecard, supervisor, 1, 5, 2)
    other = _review(
        alpha,
        scorecard,
        supervisor,
        0,
        1,
        0,
        ticket=alpha.submit("درخواست رضا"),
        comments={1: "پاسخ اشتباه"},
    )
    other.agent = second_agent
    other.save(update_fields=["agent"])
    client = alpha.client(alpha.agent)
    # when alice opens her quality page, then she sees her review with its comment, not reza's
    page = client.get("/agent/quality/").content.decode()
    assert f'id="review-{own.pk}"' in page and f'id="review-{other.pk}"' not in page
    detail = client.get(f"/agent/quality/reviews/{own.pk}/")
    assert detail.status_code == 200 and "پاسخ کامل بود" in detail.content.decode()
    assert client.get(f"/agent/quality/reviews/{other.pk}/").status_code == 404
    # and the API with her token says the same
    from tests.api.helpers import send, token_for

    api = alpha.api(token_for(alpha, alpha.agent))
    listed = send(api, "GET", "/quality/reviews").json()
    assert [item["id"] for item in listed["items"]] == [own.pk]
    assert send(api, "GET", f"/quality/reviews/{other.pk}").status_code == 404


def test_dispute_flow_keeps_history(alpha, scorecard, supervisor):
    # given alice's review at 70.83%
    review = _review(alpha, scorecard, supervisor, 1, 4, 1)
    agent = alpha.client(alpha.agent)
    # when alice disputes it without a reason, then she is told to give one
    response = agent.post(f"/agent/quality/reviews/{review.pk}/dispute/", {"reason": ""})
    assert response.status_code == 400
    # when she gives one
    response = agent.post(
        f"/agent/quality/reviews/{review.pk}/dispute/",
        {"reason": "پاسخ در کمتر از یک ساعت داده شد"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPUTED
    # then she cannot answer her own dispute, nor dispute twice
    with pytest.raises(PermissionDenied):
        review_resolve(
            tenant=alpha.tenant, actor=alpha.agent, review=review, outcome="kept", note="x"
        )
    with pytest.raises(ValidationError):
        review_dispute(tenant=alpha.tenant, actor=alpha.agent, review=review, reason="دوباره")
    # when the supervisor revises the speed mark to 2 with a note
    data = {"outcome": "revised", "note": "زمان پاسخ بازبینی شد"}
    data.update(
        {f"mark_{c.pk}": v for c, v in zip(scorecard.criteria.all(), (1, 4, 2), strict=True)}
    )
    response = alpha.client(supervisor).post(f"/agent/quality/reviews/{review.pk}/resolve/", data)
    assert response.status_code == 302
    # then the score is (1 + 2.25 + 2) / 6 = 87.50 and the history shows before and after
    review.refresh_from_db()
    assert (review.status, review.score) == (ReviewStatus.REVISED, Decimal("87.50"))
    dispute = Dispute.objects.get(review=review)
    assert (dispute.score_before, dispute.score_after, dispute.outcome) == (
        Decimal("70.83"),
        Decimal("87.50"),
        "revised",
    )
    assert [m["value"] for m in dispute.marks_before] == [1, 4, 1]
    page = agent.get(f"/agent/quality/reviews/{review.pk}/").content.decode()
    assert "زمان پاسخ بازبینی شد" in page and "پاسخ در کمتر از یک ساعت داده شد" in page
    # when she disputes again and the supervisor keeps it, both disputes remain
    review_dispute(tenant=alpha.tenant, actor=alpha.agent, review=review, reason="هنوز کم است")
    review_resolve(
        tenant=alpha.tenant, actor=supervisor, review=review, outcome="kept", note="همین درست است"
    )
    review.refresh_from_db()
    assert (review.status, review.score) == (ReviewStatus.KEPT, Decimal("87.50"))
    assert list(Dispute.objects.filter(review=review).values_list("outcome", flat=True)) == [
        "revised",
        "kept",
    ]


def test_only_the_agent_reviewed_may_dispute(alpha, scorecard, supervisor, second_agent):
    review = _review(alpha, scorecard, supervisor, 1, 4, 1)
    # reza cannot even see it; the owner sees it but may not dispute it
    response = alpha.client(second_agent).post(
        f"/agent/quality/reviews/{review.pk}/dispute/", {"reason": "من"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        review_dispute(tenant=alpha.tenant, actor=alpha.owner, review=review, reason="من")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCORED


def test_scoring_and_disputes_are_in_the_activity_log(alpha, scorecard, supervisor):
    from pishkhan.trust.models import AuditEvent

    review = _review(alpha, scorecard, supervisor, 1, 4, 1)
    review_dispute(tenant=alpha.tenant, actor=alpha.agent, review=review, reason="کم است")
    review_resolve(tenant=alpha.tenant, actor=supervisor, review=review, outcome="kept", note="نه")
    actions = list(
        AuditEvent.objects.filter(tenant=alpha.tenant, action__startswith="quality_")
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("quality_scorecard.create", alpha.owner.pk),
        ("quality_review.create", supervisor.pk),
        ("quality_review.dispute", alpha.agent.pk),
        ("quality_review.resolve", supervisor.pk),
    ]
