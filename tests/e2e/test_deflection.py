"""T-11 in a real browser: a customer writing a Persian request is shown the matching article,
opens it, comes back and submits anyway — the visit records all three; an agent replying finds
an article and inserts its link into the reply with one click."""

import re

import pytest
from django.utils.encoding import uri_to_iri

from pishkhan.deflection.models import Visit
from pishkhan.knowledge.models import Article
from pishkhan.knowledge.selectors import article_url
from pishkhan.tickets.models import Ticket
from tests.conftest import PASSWORD, World
from tests.deflection.conftest import MODULES_TITLE, make_kb

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

SUBJECT = "نصب دوباره ماژول"
BODY = "ماژولی که خریدم یکبار نصب شد، حالا دوباره نیاز به راه اندازی دارم."


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    world.kb = make_kb(world)
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def _login(page, url: str, email: str, landing: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(landing))


def test_customer_reads_the_suggested_article_and_still_submits(new_page, site, shot):
    # given a customer on the new-request form of the technical department
    customer = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(customer, site.url, site.customer_user.email, r"/tickets/$")
    customer.goto(f"{site.url}/tickets/new/")
    with customer.expect_response(lambda r: re.search(r"/tickets/new/\?", r.url) is not None):
        customer.select_option("select#department", str(site.department.pk))
    customer.wait_for_selector("input[name=field_domain]")
    customer.wait_for_load_state("networkidle")

    # when they type a Persian request, the matching article is suggested beside the form
    customer.type("input[name=subject]", SUBJECT, delay=20)
    customer.fill("textarea[name=body]", BODY)
    suggestion = customer.locator("#deflection-suggestions a", has_text=MODULES_TITLE)
    suggestion.wait_for()
    shot(customer, "deflection-01-suggested")

    # and they open it: the help-centre article in a new tab, the form left as it was
    with customer.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    article.wait_for_load_state()
    assert article.url.endswith(article_url(site.kb.modules))
    assert MODULES_TITLE in article.inner_text("h1")
    shot(article, "deflection-02-article")
    article.close()

    # and come back and submit anyway
    assert customer.input_value("input[name=subject]") == SUBJECT
    customer.fill("input[name=field_domain]", "example.ir")
    customer.fill("input[name=field_server_ip]", "۱۸۵.۸.۱۷۲.۱۰")
    customer.click("button:has-text('ثبت تیکت')")
    customer.wait_for_url(re.compile(r"/tickets/2/$"))

    # then the visit records what was shown, what was opened and the ticket submitted
    ticket = Ticket.objects.get(tenant=site.tenant, subject=SUBJECT)
    visit = Visit.objects.get(tenant=site.tenant)
    assert site.kb.modules.pk in visit.shown
    assert visit.opened == [site.kb.modules.pk]
    assert visit.ticket_id == ticket.pk and visit.submitted_at is not None

    # and the report shows the article as suggested and opened, but not as deflecting
    agent = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(agent, site.url, site.agent.email, r"/agent/$")
    agent.click("nav >> a[href='/agent/reports/deflection/']")
    # the click only starts the navigation: the cells are read once the report has drawn them
    agent.wait_for_url(re.compile(r"/agent/reports/deflection/$"))
    row = agent.locator(f"#article-{site.kb.modules.pk}")
    row.wait_for()
    assert [cell.strip() for cell in row.locator("td").all_inner_texts()] == ["۱", "۱", "۰"]
    shot(agent, "deflection-05-report")


def test_agent_inserts_an_article_link_into_the_reply(new_page, site, shot):
    # given an agent replying to the customer's ticket, with a few words already typed
    agent = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(agent, site.url, site.agent.email, r"/agent/$")
    agent.goto(f"{site.url}/agent/tickets/{site.ticket.number}/")
    agent.fill("textarea[name=body]", "سلام، لطفاً این راهنما را ببینید:")

    # when they search the articles and click "insert link"
    agent.click("#kb-insert summary")
    agent.fill("#kb-insert-q", "نصب ماژول")
    agent.press("#kb-insert-q", "Enter")
    button = agent.locator("#kb-insert-results [data-kb-insert]", has_text="درج پیوند").first
    button.wait_for()
    shot(agent, "deflection-03-agent-search")
    title = button.get_attribute("data-title")
    url = button.get_attribute("data-url")
    button.click()

    # then the reply box holds the greeting, then the article's title and address
    text = agent.input_value("textarea[name=body]")
    assert text == f"سلام، لطفاً این راهنما را ببینید:\n{title}\n{url}"
    linked = Article.objects.get(tenant=site.tenant, title=title)
    # the address reads in Persian letters (not percent escapes) and leads to the article
    assert url == uri_to_iri(site.url + article_url(linked))
    assert linked.visibility == "public"  # public articles first: the link is for the customer
    shot(agent, "deflection-04-link-inserted")
