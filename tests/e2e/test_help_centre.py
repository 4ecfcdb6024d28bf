"""A visitor opens the Persian help centre without logging in, searches with an Arabic
keyboard's spelling, opens the article at its Persian address and says it helped."""

import re
from urllib.parse import unquote

import pytest

from pishkhan.knowledge.demo import seed_hosting_articles
from pishkhan.knowledge.models import Article
from tests.conftest import World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    seed_hosting_articles(tenant=world.tenant, owner=world.owner, agent=world.agent)
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def test_visitor_finds_the_article_and_votes_helpful(new_page, site, shot):
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    # given a visitor on the help centre, in Persian, right to left
    page.goto(f"{site.url}/help/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#kb-categories").is_visible()
    # when they search typing Arabic ي (as an Arabic keyboard does) in "رکوردهای"
    page.fill("#kb-q", "رکوردهاي DNS")
    page.click("form.kb-search button[type=submit]")
    page.wait_for_url(re.compile(r"/help/search/"))
    # then the DNS article is found, the match highlighted
    result = page.locator("#kb-results a", has_text="تنظیم رکوردهای DNS دامنه")
    assert result.is_visible()
    assert page.locator("#kb-results mark").count() >= 1
    shot(page, "help-centre-search")
    # when they open it
    result.click()
    page.wait_for_selector("#kb-article")
    # htmx (a deferred script) takes over the feedback form only once the page has loaded;
    # a vote before that would post the form as a plain page
    page.wait_for_load_state()
    # then its address reads in Persian, and the article is right to left
    assert "/help/دامنه-و-dns/تنظیم-رکوردهای-dns-دامنه/" in unquote(page.url)
    assert page.locator("#kb-article").get_attribute("dir") == "rtl"
    # when they answer "was this helpful?" with yes
    page.fill("#kb-comment", "رکورد A را درست کردم و سایت باز شد")
    page.click("#kb-yes")
    # then the page thanks them without reloading, and the vote is counted
    page.wait_for_selector("#kb-thanks")
    shot(page, "help-centre-article-voted")
    article = Article.objects.get(tenant=site.tenant, title="تنظیم رکوردهای DNS دامنه")
    assert (article.helpful_count, article.views) == (1, 1)
    assert article.feedback.get().comment == "رکورد A را درست کردم و سایت باز شد"
