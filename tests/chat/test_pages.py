"""The chat pages of the agent workspace: the desk, one conversation with its handovers (a
ticket, a note on a ticket, a mail), the supervisor's board, history search and settings."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.chat import services
from pishkhan.chat.models import ChatSettings
from pishkhan.tenancy.models import Role
from pishkhan.tickets.models import Message, Ticket
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, add_agent, online
from tests.conftest import GOOD_FIELDS


def _chat(world, *, email="maryam@example.ir", accept=True):
    online(world, world.agent)
    visitor = services.visitor_identify(
        tenant=world.tenant, key=None, name=VISITOR_NAME, email=email
    )
    chat = services.chat_start(tenant=world.tenant, visitor=visitor, text=VISITOR_HELLO)
    if accept:
        chat = services.chat_accept(tenant=world.tenant, chat=chat, actor=world.agent)
        services.message_post(
            tenant=world.tenant, chat=chat, kind="agent", text=AGENT_REPLY, actor=world.agent
        )
    return chat


def test_the_agent_sees_their_chat_on_the_desk_and_opens_it(open_alpha):
    chat = _chat(open_alpha)
    client = open_alpha.client(open_alpha.agent)
    desk = client.get("/agent/chats/")
    assert desk.status_code == 200
    assert f"/agent/chats/{chat.pk}/" in desk.content.decode()
    page = client.get(f"/agent/chats/{chat.pk}/").content.decode()
    assert VISITOR_HELLO in page and AGENT_REPLY in page
    assert 'data-mode="agent"' in page


def test_a_waiting_chat_is_in_the_queue(open_alpha):
    chat = _chat(open_alpha, accept=False)
    page = open_alpha.client(open_alpha.agent).get("/agent/chats/").content.decode()
    assert f'data-accept="{chat.key}"' in page


def test_a_customer_or_stranger_cannot_open_chat_pages(open_alpha):
    chat = _chat(open_alpha)
    customer = open_alpha.client(open_alpha.customer_user)
    assert customer.get(f"/agent/chats/{chat.pk}/").status_code == 404
    assert open_alpha.client().get("/agent/chats/").status_code == 302


def test_turning_a_chat_into_a_ticket_carries_the_whole_transcript(open_alpha):
    chat = _chat(open_alpha)
    client = open_alpha.client(open_alpha.agent)
    response = client.post(
        f"/agent/chats/{chat.pk}/ticket/",
        {
            "department": open_alpha.department.pk,
            "subject": "",
            "field_domain": GOOD_FIELDS["domain"],
            "field_server_ip": GOOD_FIELDS["server_ip"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    chat.refresh_from_db()
    ticket = Ticket.objects.get(pk=chat.ticket_id)
    assert ticket.channel == "chat"
    body = ticket.messages.order_by("pk").first().body
    assert VISITOR_HELLO in body and AGENT_REPLY in body
    assert ticket.customer.email == "maryam@example.ir"


def test_missing_department_fields_are_asked_for_and_nothing_is_made(open_alpha):
    chat = _chat(open_alpha)
    client = open_alpha.client(open_alpha.agent)
    before = Ticket.objects.count()
    response = client.post(
        f"/agent/chats/{chat.pk}/ticket/", {"department": open_alpha.department.pk}
    )
    assert response.status_code == 400
    assert Ticket.objects.count() == before


def test_the_transcript_goes_onto_an_existing_ticket_of_the_customer_as_a_note(open_alpha):
    # the visitor is the customer who filed alpha's ticket
    chat = _chat(open_alpha, email=open_alpha.customer.email)
    client = open_alpha.client(open_alpha.agent)
    response = client.post(f"/agent/chats/{chat.pk}/attach/", {"ticket": open_alpha.ticket.number})
    assert response.status_code == 302
    note = Message.objects.filter(ticket=open_alpha.ticket, kind="note").get()
    assert VISITOR_HELLO in note.body


def test_a_ticket_of_another_customer_is_refused(open_alpha):
    chat = _chat(open_alpha, email="someone@example.ir")
    response = open_alpha.client(open_alpha.agent).post(
        f"/agent/chats/{chat.pk}/attach/", {"ticket": open_alpha.ticket.number}
    )
    assert response.status_code == 400
    assert not Message.objects.filter(ticket=open_alpha.ticket, kind="note").exists()


def test_the_transcript_is_mailed_to_the_visitor(open_alpha, django_capture_on_commit_callbacks):
    chat = _chat(open_alpha)
    with django_capture_on_commit_callbacks(execute=True):
        response = open_alpha.client(open_alpha.agent).post(
            f"/agent/chats/{chat.pk}/email/", {"email": ""}
        )
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.to == ["maryam@example.ir"]
    assert AGENT_REPLY in sent.body


def test_ending_from_the_page(open_alpha):
    chat = _chat(open_alpha)
    open_alpha.client(open_alpha.agent).post(f"/agent/chats/{chat.pk}/end/")
    chat.refresh_from_db()
    assert chat.status == "ended"


def test_the_live_board_is_for_supervisors_only(open_alpha):
    chat = _chat(open_alpha)
    assert open_alpha.client(open_alpha.agent).get("/agent/chats/live/").status_code == 404
    boss = add_agent(open_alpha, "boss", role=Role.SUPERVISOR)
    page = open_alpha.client(boss).get("/agent/chats/live/").content.decode()
    assert f"/agent/chats/{chat.pk}/?watch=1" in page
    watch = open_alpha.client(boss).get(f"/agent/chats/{chat.pk}/?watch=1").content.decode()
    assert 'data-mode="watch"' in watch


def test_history_finds_a_chat_by_its_words(open_alpha):
    chat = _chat(open_alpha)
    client = open_alpha.client(open_alpha.agent)
    found = client.get("/agent/chats/history/", {"q": "سرپرست"}).content.decode()
    missing = client.get("/agent/chats/history/", {"q": "ناموجود"}).content.decode()
    assert f"/agent/chats/{chat.pk}/" in found
    assert f"/agent/chats/{chat.pk}/" not in missing


def test_history_costs_the_same_queries_for_many_chats(open_alpha):
    client = open_alpha.client(open_alpha.agent)
    services.seat_update(
        tenant=open_alpha.tenant, actor=open_alpha.owner, user=open_alpha.agent, capacity=10
    )
    _chat(open_alpha, email="a@example.ir")
    with CaptureQueriesContext(connection) as few:
        client.get("/agent/chats/history/")
    for n in range(4):
        visitor = services.visitor_identify(
            tenant=open_alpha.tenant, key=None, name=f"v{n}", email=f"v{n}@example.ir"
        )
        services.chat_start(tenant=open_alpha.tenant, visitor=visitor, text="x")
    with CaptureQueriesContext(connection) as many:
        client.get("/agent/chats/history/")
    assert len(many) == len(few)


def test_settings_are_for_the_owner_and_refuse_bad_input(open_alpha):
    assert open_alpha.client(open_alpha.agent).get("/agent/chats/settings/").status_code == 404
    client = open_alpha.client(open_alpha.owner)
    bad = client.post(
        "/agent/chats/settings/",
        {
            "enabled": "on",
            "allowed_origins": "shop.example.ir/x",
            "offer_seconds": 2,
            "default_capacity": 3,
        },
    )
    assert bad.status_code == 400
    assert ChatSettings.objects.get(tenant=open_alpha.tenant).allowed_origins == []
    good = client.post(
        "/agent/chats/settings/",
        {
            "enabled": "on",
            "allowed_origins": "https://shop.example.ir",
            "offer_seconds": 20,
            "default_capacity": 2,
            "greeting_fa": "سلام! چطور کمک کنیم؟",
        },
    )
    assert good.status_code == 302
    saved = ChatSettings.objects.get(tenant=open_alpha.tenant)
    assert (saved.allowed_origins, saved.offer_seconds, saved.default_capacity) == (
        ["https://shop.example.ir"],
        20,
        2,
    )


def test_an_agents_capacity_is_set_on_the_settings_page(open_alpha):
    client = open_alpha.client(open_alpha.owner)
    response = client.post(f"/agent/chats/settings/seats/{open_alpha.agent.pk}/", {"capacity": "1"})
    assert response.status_code == 302
    from pishkhan.chat.selectors import seat_get

    assert seat_get(tenant=open_alpha.tenant, user=open_alpha.agent).capacity == 1


@pytest.mark.parametrize("language", ["fa", "en"])
def test_pages_render_in_both_languages(open_alpha, language):
    chat = _chat(open_alpha)
    open_alpha.owner.language = language
    open_alpha.owner.save()
    client = open_alpha.client(open_alpha.owner)
    for url in (
        "/agent/chats/",
        f"/agent/chats/{chat.pk}/",
        "/agent/chats/live/",
        "/agent/chats/history/",
        "/agent/chats/settings/",
    ):
        assert client.get(url).status_code == 200, url
