"""One chat's page in the workspace stays true while the chat goes on, in real browsers: a line
that arrives live shows its time as a loaded line does (Jalali in Persian digits on a Persian
page, Gregorian on an English one, in the workspace's time zone whatever the browser's), and
the chat's status, agent and department follow a transfer and an end without a reload.

A Persian agent and an English supervisor (own cookies each) against the ASGI application
under uvicorn; the visitor writes from the widget on a shop's page on another origin."""

import re

import pytest

from pishkhan.accounts.services import user_set_language
from pishkhan.chat.models import Chat, ChatMessage
from pishkhan.chat.services import chat_settings_update
from pishkhan.core.jalali import format_datetime
from pishkhan.tenancy.models import Role
from pishkhan.tickets.services import department_create
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, add_agent, open_all_hours
from tests.conftest import PASSWORD, World

# The ASGI server and the shop's page are the widget's browser-test fixtures.
from tests.e2e.test_widget import _open_widget, shop_site, workspace  # noqa: F401

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

FOLLOW_UP = "ممنون، منتظر می‌مانم."
# Kabul is half an hour off Tehran, and the browsers are in New York: a time written in
# either of those zones reads differently from the workspace's.
WORKSPACE_ZONE = "Asia/Kabul"
BROWSER_ZONE = "America/New_York"
SALES_FA, SALES_EN = "فروش", "Sales"


@pytest.fixture
def site(workspace, shop_site):  # noqa: F811
    world = World("alpha", "alice")
    open_all_hours(world.tenant)
    world.tenant.time_zone = WORKSPACE_ZONE
    world.tenant.save(update_fields=["time_zone"])
    world.url = f"http://alpha.localhost:{workspace}"
    chat_settings_update(tenant=world.tenant, actor=world.owner, allowed_origins=[shop_site.origin])
    world.page_url = shop_site(f'<script src="{world.url}/chat/widget.js" async></script>')
    world.sales = department_create(
        tenant=world.tenant, actor=world.owner, name=SALES_FA, name_en=SALES_EN
    )
    # The supervisor reads the workspace in English, the agents in Persian.
    user_set_language(user=world.owner, language="en")
    return world


def _browser(new_page, locale: str):
    return new_page(
        locale=locale, timezone_id=BROWSER_ZONE, viewport={"width": 1280, "height": 900}
    )


def _login(page, site, user) -> None:
    page.goto(f"{site.url}/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/"))


def _desk(new_page, site, user):
    page = _browser(new_page, "fa-IR")
    _login(page, site, user)
    page.goto(f"{site.url}/agent/chats/")
    page.locator("#chat-connection", has_text="متصل").wait_for()
    return page


def _chat_accepted(new_page, site):
    """alice at her desk accepts a Persian visitor's chat; her chat page and the visitor's
    widget."""
    agent = _desk(new_page, site, site.agent)
    visitor = _browser(new_page, "fa-IR")
    _open_widget(visitor, site.page_url)
    visitor.fill("pishkhan-chat #pk-name", VISITOR_NAME)
    visitor.fill("pishkhan-chat #pk-text", VISITOR_HELLO)
    visitor.click("pishkhan-chat .pk-form button[type=submit]")
    agent.locator("#chat-offers button", has_text="پذیرفتن").click()
    agent.wait_for_url(re.compile(r"/agent/chats/\d+/$"))
    agent.locator("#chat-log .chat-visitor", has_text=VISITOR_HELLO).wait_for()
    visitor.locator("pishkhan-chat .pk-sub", has_text="alice").wait_for()
    return agent, visitor, Chat.objects.get(tenant=site.tenant)


def _watching(new_page, site, chat):
    supervisor = _browser(new_page, "en-GB")
    _login(supervisor, site, site.owner)
    supervisor.goto(f"{site.url}/agent/chats/{chat.pk}/?watch=1")
    assert supervisor.locator("html").get_attribute("lang") == "en"
    supervisor.locator("#chat-log .chat-visitor", has_text=VISITOR_HELLO).wait_for()
    return supervisor


def _shown(message: ChatMessage, language: str) -> str:
    return format_datetime(message.created_at, language=language, tz=WORKSPACE_ZONE)


def _offered_agents(page) -> list[str]:
    """The agents the transfer form can pass the chat to."""
    return page.locator("#chat-transfer-agent option:not([disabled])").all_inner_texts()


def _time_of(page, seq: int) -> str:
    return page.locator(f'#chat-log li[data-seq="{seq}"] time').inner_text()


def test_live_lines_show_their_time_as_loaded_lines_do(new_page, site, shot):
    # given alice's chat with a visitor, watched by a supervisor reading English
    agent, visitor, chat = _chat_accepted(new_page, site)
    supervisor = _watching(new_page, site, chat)

    # when the visitor writes, and alice answers
    visitor.fill("pishkhan-chat .pk-compose textarea", FOLLOW_UP)
    visitor.press("pishkhan-chat .pk-compose textarea", "Enter")
    agent.locator("#chat-log .chat-visitor", has_text=FOLLOW_UP).wait_for()
    agent.fill("#chat-text", AGENT_REPLY)
    agent.press("#chat-text", "Enter")
    supervisor.locator("#chat-log .chat-agent", has_text=AGENT_REPLY).wait_for()
    follow_up = ChatMessage.objects.get(chat=chat, text=FOLLOW_UP)
    reply = ChatMessage.objects.get(chat=chat, text=AGENT_REPLY)

    # then alice's Persian page shows the visitor's line with its Jalali time in Persian digits,
    # in the workspace's zone
    live = _time_of(agent, follow_up.seq)
    assert live == _shown(follow_up, "fa")
    assert re.fullmatch(r"[۰-۹]+ \S+ [۰-۹]{4}، [۰-۹]{2}:[۰-۹]{2}", live), live
    assert agent.locator(f'#chat-log li[data-seq="{follow_up.seq}"] .chat-who').inner_text() == (
        VISITOR_NAME
    )
    # and the supervisor's English page shows the reply's Gregorian time
    assert _time_of(supervisor, reply.seq) == _shown(reply, "en")
    shot(agent, "chat-page-01-live-times")
    # the same lines read the same once the pages are loaded again
    agent.reload()
    supervisor.reload()
    assert _time_of(agent, follow_up.seq) == live
    assert _time_of(supervisor, reply.seq) == _shown(reply, "en")

    # when the visitor ends the chat
    visitor.click("pishkhan-chat button.pk-link:has-text('پایان گفت‌وگو')")
    # then alice's page says it ended, without telling her it was passed on, and takes no more
    # lines
    agent.locator("#chat-status", has_text="پایان‌یافته").wait_for()
    ended = ChatMessage.objects.filter(chat=chat, kind="system").order_by("seq").last()
    agent.locator(f'#chat-log li[data-seq="{ended.seq}"]').wait_for()
    assert _time_of(agent, ended.seq) == _shown(ended, "fa")
    assert agent.locator("#chat-error").is_hidden()
    assert agent.locator("#chat-text").is_disabled()
    assert agent.locator("#chat-actions").is_hidden()
    # and the supervisor's page too
    supervisor.locator("#chat-status", has_text="Ended").wait_for()
    assert supervisor.locator("#chat-text").is_disabled()
    assert supervisor.locator("#chat-actions").is_hidden()
    shot(agent, "chat-page-02-ended")


def test_a_transfer_updates_the_department_agent_and_status_in_each_readers_language(
    new_page, site, shot
):
    # given alice's chat with «پشتیبانی فنی», watched by a supervisor reading English, and
    # bahram at his desk
    bahram = add_agent(site, "bahram", role=Role.AGENT)
    agent, visitor, chat = _chat_accepted(new_page, site)
    supervisor = _watching(new_page, site, chat)
    assert agent.locator("#chat-department").inner_text() == "واحد: پشتیبانی فنی"
    assert supervisor.locator("#chat-department").inner_text() == "Department: Technical"
    assert "alice" not in _offered_agents(supervisor)
    assert "bahram" in _offered_agents(supervisor)
    desk = _desk(new_page, site, bahram)

    # when alice passes the chat to «فروش» (Sales)
    agent.select_option("#chat-transfer-department select", label=SALES_FA)
    agent.click("#chat-transfer-department button")

    # then her page names the new department, with no agent, waiting, and is hers no longer
    agent.locator("#chat-department", has_text=f"واحد: {SALES_FA}").wait_for()
    assert agent.locator("#chat-agent").inner_text() == "—"
    assert agent.locator("#chat-status").inner_text() == "در انتظار"
    agent.locator("#chat-error", has_text="این گفت‌وگو دیگر با شما نیست.").wait_for()
    assert agent.locator("#chat-text").is_disabled()
    # a ticket made from the chat now goes to Sales too
    assert agent.locator("#id_department").input_value() == str(site.sales.pk)
    shot(agent, "chat-page-03-passed-to-sales")
    # and the supervisor's page reads it in English
    supervisor.locator("#chat-department", has_text=f"Department: {SALES_EN}").wait_for()
    assert supervisor.locator("#chat-agent").inner_text() == "—"
    assert supervisor.locator("#chat-status").inner_text() == "Waiting"

    # when bahram takes it from his desk
    desk.locator("#chat-offers button", has_text="پذیرفتن").click()
    desk.wait_for_url(re.compile(rf"/agent/chats/{chat.pk}/$"))
    assert desk.locator("#chat-department").inner_text() == f"واحد: {SALES_FA}"
    # then the supervisor's page names him, the chat active again
    supervisor.locator("#chat-agent", has_text="bahram").wait_for()
    assert supervisor.locator("#chat-status").inner_text() == "Active"
    assert supervisor.locator("#chat-department").inner_text() == f"Department: {SALES_EN}"
    # and offers to pass it to alice, no longer to bahram
    assert "bahram" not in _offered_agents(supervisor)
    assert "alice" in _offered_agents(supervisor)
    assert supervisor.locator("#chat-transfer-agent select").input_value() != str(bahram.pk)
    shot(supervisor, "chat-page-04-supervisor-after-transfer")


def test_a_chat_passed_back_opens_again_on_the_page_that_gave_it_away(new_page, site, shot):
    # given alice's chat, passed to bahram at his desk: her page locked
    bahram = add_agent(site, "bahram", role=Role.AGENT)
    agent, visitor, chat = _chat_accepted(new_page, site)
    desk = _desk(new_page, site, bahram)
    agent.select_option("#chat-transfer-agent select", label="bahram")
    agent.click("#chat-transfer-agent button")
    agent.locator("#chat-error", has_text="این گفت‌وگو دیگر با شما نیست.").wait_for()
    assert agent.locator("#chat-text").is_disabled()
    desk.goto(f"{site.url}/agent/chats/{chat.pk}/")
    desk.locator("#chat-agent", has_text="bahram").wait_for()

    # when bahram passes it back to alice
    desk.select_option("#chat-transfer-agent select", label="alice")
    desk.click("#chat-transfer-agent button")

    # then alice's open page is hers again, without her reloading it: she can write
    agent.locator("#chat-agent", has_text="alice").wait_for()
    agent.locator("#chat-text:not([disabled])").wait_for()
    assert agent.locator("#chat-error").is_hidden()
    assert agent.locator("#chat-actions").is_visible()
    agent.fill("#chat-text", AGENT_REPLY)
    agent.press("#chat-text", "Enter")
    visitor.locator("pishkhan-chat .pk-agent", has_text=AGENT_REPLY).wait_for()
    shot(agent, "chat-page-05-passed-back")
