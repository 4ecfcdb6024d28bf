"""Live chat in real browsers: a visitor on a shop's page chats in Persian through the widget
with an agent working in the workspace (/agent/chats/), a supervisor watches from the live
board and whispers to the agent (the visitor never sees it), and the visitor rates the chat.

Three browser contexts (own cookies each) against the ASGI application under uvicorn, so every
socket is the real one; the shop's page is served from another origin."""

import re

import pytest

from pishkhan.chat.models import Chat
from pishkhan.chat.services import chat_settings_update
from pishkhan.quality.models import Survey
from pishkhan.tickets.services import canned_reply_create
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, open_all_hours
from tests.conftest import PASSWORD, World

# The ASGI server and the shop's page are the widget's browser-test fixtures.
from tests.e2e.test_widget import _open_widget, shop_site, workspace  # noqa: F401

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

CANNED_TITLE = "پیگیری"
CANNED_BODY = "درخواست شما ثبت شد و تا پایان روز کاری پیگیری می‌شود."
FOLLOW_UP = "ممنون، منتظر می‌مانم."
WHISPER = "لطفاً شمارهٔ سفارش را هم بپرس."


@pytest.fixture
def site(workspace, shop_site):  # noqa: F811
    world = World("alpha", "alice")
    open_all_hours(world.tenant)
    world.url = f"http://alpha.localhost:{workspace}"
    chat_settings_update(tenant=world.tenant, actor=world.owner, allowed_origins=[shop_site.origin])
    canned_reply_create(
        tenant=world.tenant, actor=world.agent, title=CANNED_TITLE, body=CANNED_BODY
    )
    world.page_url = shop_site(f'<script src="{world.url}/chat/widget.js" async></script>')
    return world


def _login(page, site, user) -> None:
    page.goto(f"{site.url}/login/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/"))


def test_visitor_chats_with_the_workspace_while_a_supervisor_watches(new_page, site, shot):
    # given alice at her chat desk (online) and the owner on the live board
    agent = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(agent, site, site.agent)
    agent.goto(f"{site.url}/agent/chats/")
    agent.locator("#chat-connection", has_text="متصل").wait_for()
    supervisor = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _login(supervisor, site, site.owner)
    supervisor.goto(f"{site.url}/agent/chats/live/")

    # when a visitor on the shop's page starts a chat in Persian
    visitor = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _open_widget(visitor, site.page_url)
    visitor.fill("pishkhan-chat #pk-name", VISITOR_NAME)
    visitor.fill("pishkhan-chat #pk-email", "maryam@example.ir")
    visitor.fill("pishkhan-chat #pk-text", VISITOR_HELLO)
    visitor.click("pishkhan-chat .pk-form button[type=submit]")
    visitor.locator("pishkhan-chat .pk-visitor", has_text=VISITOR_HELLO).wait_for()

    # then alice is offered it on her desk, accepts, and the conversation opens
    agent.locator("#chat-offers button", has_text="پذیرفتن").click()
    agent.wait_for_url(re.compile(r"/agent/chats/\d+/$"))
    agent.locator("#chat-log .chat-visitor", has_text=VISITOR_HELLO).wait_for()
    visitor.locator("pishkhan-chat .pk-sub", has_text="alice").wait_for()
    chat = Chat.objects.get(tenant=site.tenant)
    shot(agent, "chat-01-agent-accepted")

    # alice answers; the visitor reads it and writes back
    agent.fill("#chat-text", AGENT_REPLY)
    agent.press("#chat-text", "Enter")
    visitor.locator("pishkhan-chat .pk-agent", has_text=AGENT_REPLY).wait_for()
    visitor.fill("pishkhan-chat .pk-compose textarea", FOLLOW_UP)
    visitor.press("pishkhan-chat .pk-compose textarea", "Enter")
    agent.locator("#chat-log .chat-visitor", has_text=FOLLOW_UP).wait_for()
    # alice saw it, so the visitor's widget shows it read
    visitor.locator("pishkhan-chat .pk-visitor", has_text=FOLLOW_UP).locator(
        ".pk-mark", has_text="خوانده شد"
    ).wait_for()

    # the supervisor finds the chat on the board, watches it and whispers to alice
    supervisor.locator(f'#chat-board tr[data-chat="{chat.key}"] a', has_text="تماشا").click()
    supervisor.wait_for_url(re.compile(rf"/agent/chats/{chat.pk}/\?watch=1$"))
    supervisor.locator("#chat-log .chat-visitor", has_text=FOLLOW_UP).wait_for()
    supervisor.fill("#chat-text", WHISPER)
    supervisor.click("#chat-composer button[type=submit]")
    agent.locator("#chat-log .chat-whisper", has_text=WHISPER).wait_for()
    shot(supervisor, "chat-02-supervisor-watching")

    # alice answers with a canned reply; the visitor gets it, and never the whisper
    agent.select_option("#canned", label=CANNED_TITLE)
    agent.press("#chat-text", "Enter")
    visitor.locator("pishkhan-chat .pk-agent", has_text=CANNED_BODY).wait_for()
    supervisor.locator("#chat-log .chat-agent", has_text=CANNED_BODY).wait_for()
    assert WHISPER not in visitor.locator("pishkhan-chat .pk-log").inner_text()
    shot(visitor, "chat-03-visitor")

    # when the visitor ends the chat, they rate it in the widget
    visitor.click("pishkhan-chat button.pk-link:has-text('پایان گفت‌وگو')")
    stars = visitor.locator("pishkhan-chat .pk-stars button")
    stars.nth(4).wait_for()
    stars.nth(4).click()
    visitor.click("pishkhan-chat .pk-rate button[type=submit]")
    visitor.locator("pishkhan-chat .pk-ok").wait_for()
    # and alice's page shows the chat ended
    agent.locator("#chat-status", has_text="پایان‌یافته").wait_for()
    survey = Survey.objects.get(tenant=site.tenant, subject_kind="chat", subject_id=chat.pk)
    assert survey.score == 5
    chat.refresh_from_db()
    assert chat.status == "ended" and chat.agent_id == site.agent.pk
