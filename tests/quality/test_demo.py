from decimal import Decimal

from pishkhan.quality.demo import seed_quality
from pishkhan.quality.models import Review, Scorecard, Survey
from tests.conftest import GOOD_FIELDS


def test_demo_gives_a_persian_scorecard_rated_requests_and_a_review(alpha):
    arguments = {
        "tenant": alpha.tenant,
        "owner": alpha.owner,
        "agent": alpha.agent,
        "department": alpha.department,
        "fields": GOOD_FIELDS,
    }
    seed_quality(**arguments)
    seed_quality(**arguments)  # a second run adds nothing
    assert Scorecard.objects.get(tenant=alpha.tenant).name == "ارزیابی کیفیت پاسخگویی"
    scores = sorted(Survey.objects.filter(tenant=alpha.tenant).values_list("score", flat=True))
    assert scores == [2, 4, 5]
    review = Review.objects.get(tenant=alpha.tenant)
    # (1 + 3×¾ + 2 + 2×1) / 8 = 7.25 / 8
    assert (review.agent, review.score) == (alpha.agent, Decimal("90.63"))
