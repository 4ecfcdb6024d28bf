"""A customer submits a Persian ticket in the portal, the agent replies, the customer sees it."""

import re

import pytest

from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.e2e,
    # The live server's threads share the in-memory SQLite test database; closing it from a
    # server thread at teardown raises a thread-sharing warning that says nothing about the
    # product (a failing request would fail the page assertions instead).
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_customer_ticket_agent_reply_round_trip(new_page, site, shot):
    # given a customer logged in to the portal
    customer = new_page(locale="fa-IR")
    _login(customer, site.url, site.customer.email)
    customer.wait_for_url(re.compile(r"/tickets/$"))
    shot(customer, "01-portal-tickets")
    assert customer.locator("html").get_attribute("dir") == "rtl"
    font = customer.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Vazirmatn" in font
    assert customer.evaluate("document.fonts.check('16px Vazirmatn')")

    # when they open a ticket in the technical department, forgetting a required field first
    customer.goto(f"{site.url}/tickets/new/")
    # Choosing the department reloads the form below it (htmx); typing before that answer
    # arrives would be typing into a form about to be replaced.
    with customer.expect_response(lambda response: "/tickets/new/" in response.url):
        customer.select_option("select#department", str(site.department.pk))
    customer.wait_for_selector("input[name=field_domain]")
    customer.wait_for_load_state("networkidle")
    customer.fill("input[name=subject]", "سایت بالا نمی‌آید")
    customer.fill("textarea[name=body]", "از صبح امروز سایت در دسترس نیست؛ لطفاً بررسی کنید.")
    customer.fill("input[name=field_domain]", "example.ir")
    customer.click("button:has-text('ثبت تیکت')")
    # the refusal is a new page: wait for it rather than count on the one being left
    customer.wait_for_selector(".field-error")
    shot(customer, "02-new-ticket-error")
    customer.fill("input[name=field_server_ip]", "۱۸۵.۸.۱۷۲.۱۰")
    customer.set_input_files(
        "input[name=attachments]",
        files=[{"name": "خطا.txt", "mimeType": "text/plain", "buffer": "خطای ۵۰۲".encode()}],
    )
    customer.click("button:has-text('ثبت تیکت')")
    customer.wait_for_url(re.compile(r"/tickets/2/$"))
    shot(customer, "03-ticket-submitted")
    assert "سایت بالا نمی‌آید" in customer.inner_text("h1")
    assert "۲" in customer.inner_text("h1")  # Persian digits
    assert customer.locator("a:has-text('خطا.txt')").count() == 1

    # and the agent finds it in the queue, notes and replies
    agent = new_page()
    _login(agent, site.url, site.agent.email)
    agent.wait_for_url(re.compile(r"/agent/$"))
    shot(agent, "04-agent-queue")
    agent.click("a:has-text('سایت بالا نمی‌آید')")
    agent.check("input[name=kind][value=note]")
    agent.fill("textarea[name=body]", "دیسک سرور پر شده است")
    agent.click("#reply button[type=submit]")
    # the note is posted as a page of its own: write the reply on the page that comes back
    agent.locator(".thread .message.note", has_text="دیسک سرور پر شده است").wait_for()
    agent.check("input[name=kind][value=reply]")
    agent.fill("textarea[name=body]", "سلام، فضای دیسک آزاد شد و سایت در دسترس است.")
    agent.click("#reply button[type=submit]")
    agent.wait_for_selector("text=سلام، فضای دیسک آزاد شد")
    shot(agent, "05-agent-ticket")

    # then the customer sees the reply and never the note
    customer.reload()
    body = customer.inner_text("main")
    shot(customer, "06-customer-sees-reply")
    assert "فضای دیسک آزاد شد" in body
    assert "دیسک سرور پر شده است" not in body
    assert "در انتظار پاسخ مشتری" in body  # status after an agent reply


def test_language_switch_to_english(new_page, site, shot):
    page = new_page()
    _login(page, site.url, site.agent.email)
    page.wait_for_url(re.compile(r"/agent/$"))
    page.select_option("#lang-select", "en")
    # the choice is posted and the same address comes back in English: once its document has
    # begun, let it load before reading it
    page.wait_for_selector("html[dir=ltr]")
    page.wait_for_load_state()
    assert "Queue" in page.inner_text("h1")
    shot(page, "07-agent-queue-en")
