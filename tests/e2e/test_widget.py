"""The chat widget in a real browser, on a page of another origin, as a customer's website
embeds it: one <script> line, served by a separate little web server on 127.0.0.1, talking to
the workspace on alpha.localhost (so CORS and the origin allow-list are exercised for real).

The workspace runs under uvicorn (the ASGI application `pishkhan serve` runs for websockets),
its pages on one port and its sockets on another, as `serve` lays them out, so the visitor
socket is the real one and found where the page says; the agent is driven from the test over
the agent socket."""

import json
import re
import socket
import threading
import time
from contextlib import ExitStack
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.test import Client

from pishkhan.chat.models import Chat, ChatMessage
from pishkhan.chat.services import chat_settings_update
from pishkhan.quality.models import Survey
from pishkhan.tickets.models import Channel, Ticket
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, open_all_hours
from tests.conftest import PASSWORD, World, login

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]

# Seed 000: chats with the supervisor are how the secretary's customers reach a person.
OFFLINE_SUBJECT = "گفتگوی آنلاین با سوپروایزر"
OFFLINE_BODY = "سلام، هرگونه ارتباط با کارشناس از طریق گفتگوی آنلاین با سوپروایزر خواهد بود؟"
FOLLOW_UP = "ممنون، فایل خطا را هم می‌فرستم."
OFFLINE_LINE = "این را وقتی اتصالم قطع بود نوشتم."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_in_thread(application, port: int, **options):
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            **options,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    # Waiting for a thread to be listening is not a timed assertion: it fails only if the
    # server never starts.
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the ASGI server did not start")
        time.sleep(0.05)
    return server, thread


@pytest.fixture
def workspace(transactional_db, settings):
    """The application on free ports, in threads, until the test ends, laid out as `pishkhan
    serve` lays it out: pages on one port, which takes no websockets, the chat sockets on
    another (SOCKET_PORT), which the pages point the browser to."""
    from pishkhan.asgi import application

    port, socket_port = _free_port(), _free_port()
    settings.SOCKET_PORT = socket_port
    servers = [
        _serve_in_thread(application, port, ws="none"),
        _serve_in_thread(application, socket_port),
    ]
    yield port
    for server, thread in servers:
        server.should_exit = True
        thread.join()


@pytest.fixture
def shop_site(tmp_path):
    """A customer's website: a static page on another origin with the snippet in it."""
    port = _free_port()

    def handler(*args, **kwargs):
        return SimpleHTTPRequestHandler(*args, directory=str(tmp_path), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(snippet: str, *, lang: str = "fa") -> str:
        direction = "ltr" if lang == "en" else "rtl"
        (tmp_path / "index.html").write_text(
            f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<style>* { font-family: serif !important; } button, input, textarea "
            "{ background: #f0f; border: 5px dashed red; } div { padding: 17px; }</style>"
            f"</head><body><h1>فروشگاه</h1><p>صفحه‌ای از وب‌گاه مشتری</p>{snippet}</body></html>",
            encoding="utf-8",
        )
        return f"http://127.0.0.1:{port}/index.html"

    publish.origin = f"http://127.0.0.1:{port}"
    yield publish
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(workspace, shop_site):
    world = World("alpha", "alice")
    world.url = f"http://alpha.localhost:{workspace}"
    world.port = workspace
    world.socket_port = django_settings.SOCKET_PORT
    chat_settings_update(tenant=world.tenant, actor=world.owner, allowed_origins=[shop_site.origin])
    world.page_url = shop_site(f'<script src="{world.url}/chat/widget.js" async></script>')
    return world


def _open_widget(page, url: str):
    with page.expect_response(re.compile(r"/chat/widget/config/")) as config:
        page.goto(url)
    assert config.value.status == 200
    page.click("pishkhan-chat .pk-launcher")
    page.locator("pishkhan-chat .pk-panel").wait_for()


def test_offline_widget_on_another_site_files_a_ticket_in_persian(new_page, site, shot):
    # given nobody online and a Persian page of the shop, on another origin than alpha's
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _open_widget(page, site.page_url)
    # then the widget speaks Persian, right to left, untouched by the page's own CSS
    panel = page.locator("pishkhan-chat .pk")
    assert panel.get_attribute("dir") == "rtl"
    assert panel.evaluate("e => getComputedStyle(e).direction") == "rtl"
    submit = page.locator("pishkhan-chat .pk-form button[type=submit]")
    assert submit.inner_text() == "ارسال"
    assert submit.evaluate("e => getComputedStyle(e).borderTopStyle") != "dashed"
    assert "Pishkhan Vazirmatn" in submit.evaluate("e => getComputedStyle(e).fontFamily")
    assert page.locator("pishkhan-chat .pk-note").first.inner_text().startswith("اکنون")
    shot(page, "widget-01-offline-form")

    # when the visitor leaves a message with the department's required fields
    page.fill("pishkhan-chat #pk-name", VISITOR_NAME)
    page.fill("pishkhan-chat #pk-email", "maryam@example.ir")
    page.fill("pishkhan-chat #pk-f_domain", "example.ir")
    page.fill("pishkhan-chat #pk-f_server_ip", "185.8.172.10")
    page.fill("pishkhan-chat #pk-subject", OFFLINE_SUBJECT)
    page.fill("pishkhan-chat #pk-body", OFFLINE_BODY)
    submit.click()

    # then the widget says which ticket now holds the request, in Persian digits
    done = page.locator("pishkhan-chat .pk-ok")
    done.wait_for()
    ticket = Ticket.objects.get(tenant=site.tenant, subject=OFFLINE_SUBJECT)
    assert ticket.channel == Channel.CHAT
    assert ticket.customer.email == "maryam@example.ir"
    assert "۲" in done.inner_text() and str(ticket.number) == "2"
    shot(page, "widget-02-offline-done")


def test_offline_widget_shows_the_refusal_and_field_errors(new_page, site, shot):
    # given a Persian-only department that refuses other languages
    from pishkhan.policies.services import department_rules_update

    department_rules_update(
        tenant=site.tenant, department=site.department, actor=site.owner, persian_only="block"
    )
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _open_widget(page, site.page_url)
    # when the visitor sends the form without the required fields
    page.fill("pishkhan-chat #pk-name", VISITOR_NAME)
    page.click("pishkhan-chat .pk-form button[type=submit]")
    # then each missing field says so beside it
    error = page.locator("pishkhan-chat [data-field=f_domain] .pk-err")
    error.wait_for()
    assert error.inner_text() == "این فیلد لازم است."
    # and when they write in English, the rule's refusal is shown in Persian
    page.fill("pishkhan-chat #pk-email", "maryam@example.ir")
    page.fill("pishkhan-chat #pk-f_domain", "example.ir")
    page.fill("pishkhan-chat #pk-f_server_ip", "185.8.172.10")
    page.fill("pishkhan-chat #pk-subject", "Order")
    page.fill("pishkhan-chat #pk-body", "Hello, my order has not arrived yet, please help me.")
    with page.expect_response(re.compile(r"/chat/widget/offline/")) as answer:
        page.click("pishkhan-chat .pk-form button[type=submit]")
    assert answer.value.status == 422
    # (the page shows it once its script has read the answer)
    page.locator("pishkhan-chat .pk-form-error", has_text="فارسی").wait_for()
    assert not Ticket.objects.filter(tenant=site.tenant, channel=Channel.CHAT).exists()
    shot(page, "widget-03-refused")


def test_widget_stays_away_from_a_site_not_allowed(new_page, site, shop_site):
    # given alpha's widget allowed only on another site than this page's
    chat_settings_update(
        tenant=site.tenant, actor=site.owner, allowed_origins=["https://shop.example.ir"]
    )
    page = new_page(locale="fa-IR")
    # when the page loads the snippet
    with page.expect_event(
        "requestfailed", predicate=lambda request: "/chat/widget/config/" in request.url
    ):
        page.goto(site.page_url)
    # then the browser may not read the config (no CORS header for this origin), and no
    # widget is put on the page
    page.wait_for_load_state("networkidle")
    assert page.locator("pishkhan-chat").count() == 0


def test_english_page_gets_an_ltr_widget_full_screen_on_a_phone(new_page, site, shop_site):
    url = shop_site(f'<script src="{site.url}/chat/widget.js" async></script>', lang="en")
    page = new_page(locale="en-GB", viewport={"width": 390, "height": 800})
    _open_widget(page, url)
    panel = page.locator("pishkhan-chat .pk-panel")
    assert page.locator("pishkhan-chat .pk").get_attribute("dir") == "ltr"
    assert page.locator("pishkhan-chat .pk-form button[type=submit]").inner_text() == "Send"
    box = panel.bounding_box()
    assert (box["width"], box["height"]) == (390, 800)


def test_admin_copies_the_snippet_and_sees_the_widget_live(new_page, site, shot):
    # given alpha's owner on the widget page of the chat settings
    page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page.goto(f"{site.url}/login/")
    page.fill("input[name=email]", site.owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/agent/"))
    page.goto(f"{site.url}/agent/chats/widget/")
    # then the one line to copy names alpha's host, and the widget runs on the page itself
    snippet = page.inner_text("#widget-snippet")
    assert snippet == f'<script src="{site.url}/chat/widget.js" async></script>'
    assert site.page_url.rsplit("/", 1)[0] in page.inner_text("#widget-origins")
    page.click("pishkhan-chat .pk-launcher")
    page.locator("pishkhan-chat .pk-form").wait_for()
    shot(page, "widget-00-snippet-page")


# --- a live chat -----------------------------------------------------------------------------


def _shown_seqs(page) -> list[int]:
    return page.locator("pishkhan-chat .pk-log .pk-msg[data-seq]").evaluate_all(
        "items => items.map(i => Number(i.dataset.seq))"
    )


class AgentSocket:
    """The agent's desk socket, driven from the test (a staff session on alpha's host)."""

    def __init__(self, site, user):
        from websockets.sync.client import connect

        client = Client(HTTP_HOST=f"alpha.localhost:{site.port}")
        login(client, user, site.tenant)
        cookie = client.cookies["sessionid"].value
        self.stack = ExitStack()
        self.ws = self.stack.enter_context(
            connect(
                f"ws://alpha.localhost:{site.socket_port}/ws/chat/agent/",
                sock=socket.create_connection(("127.0.0.1", site.socket_port)),
                additional_headers={"Cookie": f"sessionid={cookie}"},
                open_timeout=60,
            )
        )

    def send(self, **frame):
        self.ws.send(json.dumps(frame))

    def until(self, kind: str, **match) -> dict:
        """The next frame of this type (and these values); others are passed over."""
        while True:
            frame = json.loads(self.ws.recv(timeout=60))
            if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame

    def close(self):
        self.stack.close()


def test_visitor_chats_with_an_agent_and_rates_the_chat(new_page, site, shot):
    # given alpha open around the clock, and alice at her desk (online)
    open_all_hours(site.tenant)
    agent = AgentSocket(site, site.agent)
    agent.until("ready")
    try:
        page = new_page(locale="fa-IR", viewport={"width": 1280, "height": 900})
        _open_widget(page, site.page_url)

        # when a visitor on the shop's site starts a chat in Persian
        page.fill("pishkhan-chat #pk-name", VISITOR_NAME)
        page.fill("pishkhan-chat #pk-email", "maryam@example.ir")
        page.fill("pishkhan-chat #pk-text", VISITOR_HELLO)
        page.click("pishkhan-chat .pk-form button[type=submit]")
        page.locator("pishkhan-chat .pk-visitor", has_text=VISITOR_HELLO).wait_for()

        # then alice is offered the chat, accepts it and answers
        offer = agent.until("offer")
        agent.send(type="accept", chat=offer["chat"])
        page.locator("pishkhan-chat .pk-sub", has_text="alice").wait_for()
        agent.send(type="typing", chat=offer["chat"])
        page.locator("pishkhan-chat .pk-typing").wait_for()
        agent.send(
            type="message", chat=offer["chat"], kind="reply", text=AGENT_REPLY, client_id="a1"
        )
        page.locator("pishkhan-chat .pk-agent", has_text=AGENT_REPLY).wait_for()

        # and the visitor's answer is shown sent once stored, and reaches alice
        page.fill("pishkhan-chat .pk-compose textarea", FOLLOW_UP)
        page.press("pishkhan-chat .pk-compose textarea", "Enter")
        mine = page.locator("pishkhan-chat .pk-visitor", has_text=FOLLOW_UP)
        mine.locator(".pk-mark", has_text="ارسال شد").wait_for()
        assert agent.until("message", author="visitor", text=FOLLOW_UP)["seq"] > 0
        # alice reads it: the visitor sees it read
        seq = int(mine.get_attribute("data-seq"))
        agent.send(type="read", chat=offer["chat"], seq=seq)
        mine.locator(".pk-mark", has_text="خوانده شد").wait_for()

        # and a screenshot sent from the widget reaches alice as a file of the chat
        page.set_input_files(
            "pishkhan-chat .pk-compose input[type=file]",
            files=[{"name": "خطا.png", "mimeType": "image/png", "buffer": PNG}],
        )
        page.locator("pishkhan-chat .pk-visitor .pk-file", has_text="خطا.png").wait_for()
        sent = agent.until("message", author="visitor")
        assert sent["attachment"]["name"] == "خطا.png"
        shot(page, "widget-04-chat")

        # when the visitor's connection drops and alice writes meanwhile
        page.evaluate("window.PishkhanChat.reconnect()")
        agent.send(
            type="message", chat=offer["chat"], kind="reply", text="پیام دوم", client_id="a2"
        )
        page.locator("pishkhan-chat .pk-agent", has_text="پیام دوم").wait_for()
        agent.send(
            type="message", chat=offer["chat"], kind="reply", text="پیام سوم", client_id="a3"
        )
        page.locator("pishkhan-chat .pk-agent", has_text="پیام سوم").wait_for()
        # and what the visitor writes while cut off is sent once the socket is back, stored once
        page.evaluate("window.PishkhanChat.reconnect()")
        page.fill("pishkhan-chat .pk-compose textarea", OFFLINE_LINE)
        page.press("pishkhan-chat .pk-compose textarea", "Enter")
        later = page.locator("pishkhan-chat .pk-visitor", has_text=OFFLINE_LINE)
        later.locator(".pk-mark", has_text="ارسال شد").wait_for()
        chat = Chat.objects.get(tenant=site.tenant, key=offer["chat"])
        assert ChatMessage.objects.filter(chat=chat, text=OFFLINE_LINE).count() == 1
        stored = list(
            ChatMessage.objects.filter(chat=chat, kind__in=["visitor", "agent", "system"])
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        # then after the reconnect every message is there exactly once, in order
        assert _shown_seqs(page) == stored

        # and a returning visitor (the page loaded again) gets the whole chat back, once
        with page.expect_response(re.compile(r"/chat/widget/config/")):
            page.reload()
        page.click("pishkhan-chat .pk-launcher")
        page.locator("pishkhan-chat .pk-agent", has_text="پیام سوم").wait_for()
        # the chat comes back one frame per message: the visitor's line is the last of them
        page.locator("pishkhan-chat .pk-visitor", has_text=OFFLINE_LINE).wait_for()
        assert _shown_seqs(page) == stored

        # when the visitor ends the chat, they rate it in place
        page.click("pishkhan-chat button.pk-link:has-text('پایان گفت‌وگو')")
        stars = page.locator("pishkhan-chat .pk-stars button")
        stars.nth(4).wait_for()
        stars.nth(4).click()
        page.fill("pishkhan-chat .pk-rate textarea[name=comment]", "عالی بود")
        page.click("pishkhan-chat .pk-rate button[type=submit]")
        page.locator("pishkhan-chat .pk-ok").wait_for()
        survey = Survey.objects.get(tenant=site.tenant, subject_kind="chat", subject_id=chat.pk)
        assert (survey.score, survey.comment) == (5, "عالی بود")
        shot(page, "widget-05-rated")
    finally:
        agent.close()
