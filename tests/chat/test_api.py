"""Live chat in the API: list and search, detail, transcript, convert, settings."""

from pishkhan.chat import services
from pishkhan.tickets.models import Ticket
from tests.api.helpers import assert_error, send
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, online
from tests.conftest import GOOD_FIELDS


def _chat(world):
    online(world, world.agent)
    visitor = services.visitor_identify(
        tenant=world.tenant, key=None, name=VISITOR_NAME, email="maryam@example.ir"
    )
    chat = services.chat_start(tenant=world.tenant, visitor=visitor, text=VISITOR_HELLO)
    services.chat_accept(tenant=world.tenant, chat=chat, actor=world.agent)
    services.message_post(
        tenant=world.tenant, chat=chat, kind="agent", text=AGENT_REPLY, actor=world.agent
    )
    services.message_post(
        tenant=world.tenant, chat=chat, kind="note", text="یادداشت داخلی", actor=world.agent
    )
    return chat


def test_list_search_and_detail(open_alpha):
    chat = _chat(open_alpha)
    api = open_alpha.api()
    listed = send(api, "GET", "/chats").json()
    assert [item["id"] for item in listed["items"]] == [chat.pk]
    assert send(api, "GET", "/chats?q=سرپرست").json()["count"] == 1
    assert send(api, "GET", "/chats?q=ناموجود").json()["count"] == 0
    detail = send(api, "GET", f"/chats/{chat.pk}").json()
    assert [m["author"] for m in detail["messages"]] == ["visitor", "system", "agent", "note"]


def test_the_transcript_has_no_notes(open_alpha):
    chat = _chat(open_alpha)
    body = send(open_alpha.api(), "GET", f"/chats/{chat.pk}/transcript").json()
    assert "یادداشت داخلی" not in body["text"]
    assert AGENT_REPLY in body["text"]
    assert [m["author"] for m in body["messages"]] == ["visitor", "system", "agent"]


def test_convert_opens_a_ticket_once(open_alpha):
    chat = _chat(open_alpha)
    api = open_alpha.api()
    response = send(api, "POST", f"/chats/{chat.pk}/convert", {"fields": GOOD_FIELDS})
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(tenant=open_alpha.tenant, number=response.json()["ticket_number"])
    assert VISITOR_HELLO in ticket.messages.order_by("pk").first().body
    again = send(api, "POST", f"/chats/{chat.pk}/convert", {"fields": GOOD_FIELDS})
    assert_error(again, 400, "invalid")


def test_convert_without_required_fields_is_refused(open_alpha):
    chat = _chat(open_alpha)
    response = send(open_alpha.api(), "POST", f"/chats/{chat.pk}/convert", {})
    error = assert_error(response, 400, "invalid")
    assert error["fields"]
    assert not Ticket.objects.filter(channel="chat").exists()


def test_missing_chat_is_404(open_alpha):
    assert_error(send(open_alpha.api(), "GET", "/chats/999999"), 404, "not_found")


def test_settings_read_and_change(open_alpha):
    api = open_alpha.api()
    assert send(api, "GET", "/chat-settings").json()["offer_seconds"] == 30
    changed = send(api, "PATCH", "/chat-settings", {"allowed_origins": ["https://shop.example.ir"]})
    assert changed.json()["allowed_origins"] == ["https://shop.example.ir"]
    bad = send(api, "PATCH", "/chat-settings", {"allowed_origins": ["not an origin"]})
    assert_error(bad, 400, "invalid")
