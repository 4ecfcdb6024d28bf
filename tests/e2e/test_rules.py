"""A customer meets the support rules in the Persian portal: a reworded request is shown the
open ticket it repeats and joins it; an English request is refused in both languages; a closed
ticket offers a follow-up. The finance unit then sees the violation and fines it."""

import re

import pytest

from pishkhan.accounts.services import staff_user_create
from pishkhan.policies.services import rule_settings_update
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import ticket_update
from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]


@pytest.fixture
def site(transactional_db, live_server):
    world = World("alpha", "alice")
    rule_settings_update(tenant=world.tenant, actor=world.owner, duplicates="block")
    port = live_server.url.rsplit(":", 1)[1]
    world.url = f"http://alpha.localhost:{port}"
    return world


def _login(page, url: str, email: str, landing: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(landing))


def _new_request(page, site, subject: str, body: str) -> None:
    page.goto(f"{site.url}/tickets/new/")
    # The department's form is reloaded (htmx) on choosing it: type only once it has arrived.
    with page.expect_response(lambda response: "/tickets/new/" in response.url):
        page.select_option("select#department", str(site.department.pk))
    page.wait_for_selector("input[name=field_domain]")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=subject]", subject)
    page.fill("textarea[name=body]", body)
    page.fill("input[name=field_domain]", "example.ir")
    page.fill("input[name=field_server_ip]", "۱۸۵.۸.۱۷۲.۱۰")
    page.click("button:has-text('ثبت تیکت')")


def test_customer_is_led_by_the_rules_and_finance_fines_the_violation(new_page, site, shot):
    first = site.submit(
        "سایت example.ir از دسترس خارج شده",
        body="سلام، از صبح امروز سایت example.ir باز نمی‌شود و خطای ۵۰۳ می‌دهد.",
    )
    customer = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(customer, site.url, site.customer_user.email, r"/$")
    before = Ticket.objects.count()

    # given the customer writes the same request again, in other words
    _new_request(
        customer,
        site,
        "باز نشدن وب‌سایت example.ir",
        "با سلام. وبسایت example.ir از امروز صبح بالا نمیاد و ارور 503 میده.",
    )
    # then they are shown their open ticket instead of a new one
    customer.wait_for_selector("#duplicate-title")
    assert customer.locator("html").get_attribute("dir") == "rtl"
    shot(customer, "rules-01-duplicate")
    assert Ticket.objects.count() == before

    # when they add their message to that ticket
    customer.click("button:has-text('افزودن پیام من به تیکت')")
    customer.wait_for_url(re.compile(rf"/tickets/{first.number}/$"))
    customer.wait_for_selector("text=بالا نمیاد")
    assert Ticket.objects.count() == before

    # given an English request, it is refused in Persian and in English, the text kept
    _new_request(customer, site, "Website down", "Hello, my website has been down all day.")
    customer.wait_for_selector("text=Support requests are accepted in Persian only")
    assert customer.locator("text=درخواست‌های پشتیبانی فقط به زبان فارسی").count() >= 1
    assert customer.input_value("input[name=subject]") == "Website down"
    shot(customer, "rules-02-not-persian")

    # and a closed ticket offers a follow-up instead of a reply box
    ticket_update(tenant=site.tenant, ticket=first, actor=site.agent, status="closed")
    customer.goto(f"{site.url}/tickets/{first.number}/")
    customer.click("a:has-text('باز کردن تیکت پیگیری')")
    customer.wait_for_selector("input[name=subject]")
    assert customer.input_value("input[name=subject]").startswith("پیگیری")
    shot(customer, "rules-03-follow-up")

    # when the finance unit opens the violations report, the refused request is there
    finance = staff_user_create(email="finance@alpha.example", password=PASSWORD, full_name="مالی")
    membership_grant(tenant=site.tenant, user=finance, role=Role.FINANCE)
    staff = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(staff, site.url, finance.email, r"/agent/$")
    staff.goto(f"{site.url}/agent/rules/violations/")
    staff.wait_for_selector("text=غیرفارسی")
    # and charges the tenant's default fine for it
    staff.click("summary:has-text('ثبت جریمه')")
    staff.click("form[action$='/fine/'] button[type=submit]")
    staff.wait_for_selector("text=۱۰۰٬۰۰۰ تومان")
    shot(staff, "rules-04-fined")
    assert site.customer.fines.get().amount == 100000
