"""An agent types a Persian ticket's words as an Arabic keyboard spells them (ي, ك, no
half-space) into the search box of the top bar, and finds the ticket with its words marked."""

import re

import pytest

from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def test_agent_finds_the_persian_ticket_with_an_arabic_keyboard_spelling(new_page, site, shot):
    # given a ticket written in Persian (ی, ک, half-spaces)
    ticket = site.submit(
        "کندی سرور مجازی",
        body="سرور مجازی ما از دیروز خیلی کند شده و سایت‌ها دیر بارگذاری می‌شوند.",
    )
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page.goto(f"{site.url}/login/")
    page.fill("input[name=email]", site.agent.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/"))
    # when the agent types the words with Arabic ي and ك into the top bar's search box
    page.fill("#topbar-search-q", "كندي سايتها")
    page.press("#topbar-search-q", "Enter")
    page.wait_for_url(re.compile(r"/agent/search/"))
    # then the ticket is listed, its matching words marked, and it opens from there
    results = page.locator("#search-results")
    results.wait_for()
    assert results.locator("mark").first.inner_text() in ("کندی", "سایت‌ها")
    shot(page, "search-arabic-keyboard")
    page.click(f"#search-results a[href='/agent/tickets/{ticket.number}/']")
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.number}/$"))
    assert "کندی سرور مجازی" in page.content()
