"""C-3 and C-4 in a real browser: a customer rates a resolved ticket from the mailed link
without logging in; a supervisor scores the ticket on a scorecard; the agent sees the review."""

import re

import pytest
from django.core import mail

from pishkhan.quality.models import Review, Survey
from tests.conftest import PASSWORD, World
from tests.quality.conftest import make_scorecard, resolve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

MAILED_LINK = re.compile(r"https?://alpha\.localhost(/survey/[\w-]+/)\?score=4")


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    world.scorecard = make_scorecard(world)
    mail.outbox.clear()
    world.ticket = resolve(world)  # assigned to alice and resolved: the survey is mailed
    return world


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/$"))


def test_customer_rates_supervisor_scores_agent_sees(new_page, site, shot):
    # given the survey mail the customer received
    (survey_mail,) = [m for m in mail.outbox if "/survey/" in m.body]
    path = MAILED_LINK.search(survey_mail.body).group(1)

    # when the customer clicks "4" in the mail (no login), then a thank-you page shows it
    customer = new_page(locale="fa-IR", viewport={"width": 420, "height": 900})
    customer.goto(f"{site.url}{path}?score=4")
    customer.locator("#survey-answer", has_text="۴ از ۵").wait_for()
    shot(customer, "quality-01-one-click")
    # and when they write a comment and change their mind to 5
    customer.fill("#survey-comment", "مشکل سریع حل شد، سپاسگزارم")
    customer.click("button.survey-score[value='5']")
    customer.locator("#survey-answer", has_text="۵ از ۵").wait_for()
    shot(customer, "quality-02-thanks")
    survey = Survey.objects.get(tenant=site.tenant)
    assert (survey.score, survey.comment) == (5, "مشکل سریع حل شد، سپاسگزارم")

    # when the supervisor scores the ticket on the scorecard
    boss = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(boss, site.url, site.owner.email)
    boss.click("nav.nav >> text=کیفیت")
    boss.fill("#quality-score-form input[name=id]", str(site.ticket.number))
    boss.click("#quality-score-form button[type=submit]")
    criteria = list(site.scorecard.criteria.all())
    boss.locator(f"#criterion-{criteria[0].pk}").wait_for()
    for criterion, mark in zip(criteria, (1, 2, 2), strict=True):
        boss.check(f"input[name=mark_{criterion.pk}][value='{mark}']")
    boss.click("#review-save")
    # then a low mark without a comment is refused beside its criterion
    boss.locator(f"#criterion-{criteria[1].pk} .field-error").wait_for()
    boss.fill(f"input[name=comment_{criteria[1].pk}]", "پاسخ اول ناقص بود")
    boss.check(f"input[name=mark_{criteria[1].pk}][value='2']")
    boss.click("#review-save")
    # (1 + 3×¼ + 2) / 6 = 62.50%
    boss.locator("#review-score", has_text="۶۲٫۵۰").wait_for()
    shot(boss, "quality-03-scored")

    # when alice opens her quality page, then she sees the review and its comments
    agent = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(agent, site.url, site.agent.email)
    agent.goto(f"{site.url}/agent/quality/")
    review = Review.objects.get(tenant=site.tenant)
    agent.click(f"#review-{review.pk} a")
    agent.wait_for_url(re.compile(rf"/agent/quality/reviews/{review.pk}/$"))
    agent.locator("#review-marks", has_text="پاسخ اول ناقص بود").wait_for()
    assert agent.locator("#dispute-form").is_visible()
    shot(agent, "quality-04-agent")
