"""An author writes a new article in a real browser: the title and text boxes turn to the
direction of the language chosen in the form, before the article is saved."""

import re

import pytest

from pishkhan.knowledge.services import category_create
from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    category_create(tenant=world.tenant, actor=world.owner, name="راهنمای تیکت", name_en="Tickets")
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def _directions(page) -> tuple[str, str]:
    return (
        page.locator("#id_title").evaluate("box => getComputedStyle(box).direction"),
        page.locator("#id_body").evaluate("box => getComputedStyle(box).direction"),
    )


def test_new_article_boxes_follow_the_language_chosen_in_the_form(new_page, site, shot):
    # given an agent on the Persian interface opening a new article
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page.goto(f"{site.url}/login/")
    page.fill("input[name=email]", site.agent.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/$"))
    page.goto(f"{site.url}/agent/kb/new/")
    # then a Persian article is typed right to left
    assert _directions(page) == ("rtl", "rtl")
    # when they choose English for the article, the boxes turn left to right at once
    page.select_option("#id_language", "en")
    page.fill("#id_title", "How to open a proper ticket")
    assert _directions(page) == ("ltr", "ltr")
    assert page.locator("#id_body").get_attribute("lang") == "en"
    shot(page, "kb-new-article-english")
    # and back to Persian, right to left again
    page.select_option("#id_language", "fa")
    assert _directions(page) == ("rtl", "rtl")
