"""The owner gives the office calendar a lunch break and tightens the default policy; an agent
then sees the ticket's service level panel in the Persian, right-to-left workspace."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pishkhan.tickets.models import Severity
from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

# Saturday 1405/09/07 (2026-11-28) 10:00 Tehran: a working morning with no holiday around it.
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Tehran"))


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
    page.wait_for_url(re.compile(r"/agent/$"))


def test_owner_edits_calendar_and_policy_and_agent_sees_the_sla_panel(new_page, site, shot):
    # The browser and the server share this process's clock: freeze it on a working Saturday
    # (ticking, so that pages and timeouts still move).
    with time_machine.travel(SATURDAY_10, tick=True):
        owner = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
        _login(owner, site.url, site.owner.email)

        # given the owner opens the office calendar from the navigation
        owner.click("nav >> a[href='/agent/calendars/']")
        owner.wait_for_selector("#calendars")
        shot(owner, "sla-01-calendars")
        owner.click("a:has-text('ساعات اداری (شنبه تا چهارشنبه ۸ تا ۱۶)')")
        owner.wait_for_selector("#holidays")
        assert owner.locator("html").get_attribute("dir") == "rtl"

        # when they give Saturday to Wednesday a lunch break (one with Persian digits)
        owner.click("a[href$='/edit/']")
        owner.wait_for_selector("#week-editor")
        for weekday in (5, 6, 0, 1, 2):
            owner.fill(f"input[name=w{weekday}_0_end]", "12:00")
            owner.fill(f"input[name=w{weekday}_1_start]", "۱۳:۰۰")
            owner.fill(f"input[name=w{weekday}_1_end]", "17:00")
        shot(owner, "sla-02-calendar-form")
        owner.click("button:has-text('Save'), button:has-text('ذخیره')")
        owner.wait_for_selector("#holidays")
        assert "۱۳:۰۰–۱۷:۰۰" in owner.inner_text("#week")

        # and add a company day off in Jalali
        owner.fill("input[name=day]", "۱۴۰۵/۰۹/۱۲")
        owner.select_option("select[name=kind]", "closed")
        owner.fill("input[name=note]", "تعطیلی شرکت")
        owner.click(".day-form button[type=submit]")
        owner.wait_for_selector("#own-days td:has-text('تعطیلی شرکت')")
        # the same address comes back: the holidays are further down the page than the new row
        owner.wait_for_load_state()
        assert "۱۲ آذر ۱۴۰۵" in owner.inner_text("#holidays")
        shot(owner, "sla-03-calendar")

        # and make the critical first response 3 business hours in the default policy
        owner.click("nav >> a[href='/agent/policies/']")
        owner.click(".policy a[href*='/agent/policies/']:not([href$='/new/'])")
        owner.wait_for_selector("#targets")
        owner.fill("input[name=t_critical_first_response]", "3bh")
        owner.check("input[name=raise_priority]")
        shot(owner, "sla-04-policy-form")
        owner.click("button[type=submit].btn-primary")
        owner.wait_for_url(re.compile(r"/agent/policies/$"))
        assert "۳" in owner.inner_text(".policy .targets")
        shot(owner, "sla-05-policies")

        # when a critical fault is filed at 11:00 and an agent opens it
        ticket = site.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)
        agent = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
        _login(agent, site.url, site.agent.email)
        agent.goto(f"{site.url}/agent/?sort=due")
        agent.wait_for_selector("#queue .sla-cell .badge")
        shot(agent, "sla-06-queue")
        agent.click(f"a:has-text('{ticket.subject}')")
        agent.wait_for_url(re.compile(rf"/agent/tickets/{ticket.number}/$"))
        agent.wait_for_selector("#sla")

        # then the panel shows each target, its state and due time in Persian digits
        panel = agent.inner_text("#sla")
        assert "اولین پاسخ" in panel  # the first response clock
        assert agent.locator("#sla .sla-clock").count() == 3
        assert agent.locator("#sla .badge.sla-on_track").count() == 3
        # 3bh from 10:00 with the lunch break: 10-12 and 13-14, due at 14:00
        assert "۷ آذر ۱۴۰۵، ۱۴:۰۰" in panel
        assert not re.search(r"[0-9]", agent.inner_text("#sla time"))
        shot(agent, "sla-07-ticket")

        # and the agent marks it restored
        agent.click("#sla button:has-text('رفع موقت شد')")
        agent.wait_for_selector("#sla .badge.sla-met")
        shot(agent, "sla-08-restored")
