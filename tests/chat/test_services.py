"""Live chat's services: visitors recognised, chats numbered and never doubled, routing by
load, capacity and time, transfers and the end."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from pishkhan.chat import selectors, services
from pishkhan.chat.models import Chat, ChatMessage, ChatStatus
from pishkhan.chat.services import ChatError
from pishkhan.core import clock
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, add_agent, online


def _visitor(world, **kwargs):
    return services.visitor_identify(
        tenant=world.tenant, key=kwargs.pop("key", None), name=VISITOR_NAME, **kwargs
    )


def test_returning_visitor_is_recognised_by_key_and_never_by_email_alone(open_alpha):
    # given a visitor who left an email and has a chat open
    online(open_alpha, open_alpha.agent)
    first = _visitor(open_alpha, email="maryam@example.ir")
    mine = services.chat_start(tenant=open_alpha.tenant, visitor=first, text="سلام، وقت بخیر")
    # when they come back with their key
    by_key = services.visitor_identify(tenant=open_alpha.tenant, key=first.key, name="")
    # then they are the same visitor, name kept
    assert by_key.pk == first.pk and by_key.name == VISITOR_NAME
    # when someone else types only her email, from another browser
    stranger = services.visitor_identify(
        tenant=open_alpha.tenant, key=None, name="", email="MARYAM@example.ir"
    )
    # then they are a new visitor: her key and her chat are not theirs
    assert stranger.pk != first.pk and stranger.key != first.key
    assert selectors.chat_current_for_visitor(tenant=open_alpha.tenant, visitor=stranger) is None
    # and staff still see her chats beside the newcomer with her address
    history = selectors.chat_list_for_visitor(tenant=open_alpha.tenant, visitor=stranger)
    assert [chat.pk for chat in history] == [mine.pk]


def test_visitor_key_of_another_tenant_names_nobody(open_alpha, open_beta):
    theirs = _visitor(open_beta)
    ours = services.visitor_identify(tenant=open_alpha.tenant, key=theirs.key, name="x")
    assert ours.pk != theirs.pk
    assert ours.tenant_id == open_alpha.tenant.pk


def test_bad_visitor_details_are_refused_in_both_languages(open_alpha):
    with pytest.raises(ValidationError) as caught:
        services.visitor_identify(
            tenant=open_alpha.tenant, key=None, name="x", email="not-mail", phone="abc"
        )
    assert set(caught.value.message_dict) == {"email", "phone"}


def test_nobody_online_means_offline(open_alpha):
    assert not services.agents_available(tenant=open_alpha.tenant)
    visitor = _visitor(open_alpha)
    with pytest.raises(ChatError) as caught:
        services.chat_start(tenant=open_alpha.tenant, visitor=visitor, text=VISITOR_HELLO)
    assert caught.value.code == "offline"


def test_outside_business_hours_means_offline(alpha):
    # given the default calendar (working hours only) and an agent online
    online(alpha, alpha.agent)
    # when it is 03:00 in Tehran on a Saturday
    with time_machine.travel("2026-12-05 03:00 +03:30", tick=False):
        available = services.agents_available(tenant=alpha.tenant)
    # then the widget shows the offline form
    assert not available


def test_chat_is_offered_to_the_least_busy_agent_then_the_next_after_timeout(open_alpha):
    # given two agents online; alice already holds a chat
    dana = add_agent(open_alpha, "dana")
    online(open_alpha, open_alpha.agent, dana)
    busy = services.chat_start(
        tenant=open_alpha.tenant, visitor=_visitor(open_alpha, email="a@example.ir"), text="x"
    )
    holder = busy.offered_to
    services.chat_accept(tenant=open_alpha.tenant, chat=busy, actor=holder)
    other = dana if holder.pk == open_alpha.agent.pk else open_alpha.agent
    # when a new chat comes in
    chat = services.chat_start(
        tenant=open_alpha.tenant,
        visitor=_visitor(open_alpha, email="b@example.ir"),
        text=VISITOR_HELLO,
    )
    # then it is offered to the agent with no chat
    assert chat.offered_to_id == other.pk
    # when the offer runs out unanswered
    with time_machine.travel(clock.now() + timedelta(seconds=31), tick=False):
        services.offer_expire(
            tenant=open_alpha.tenant, chat_id=chat.pk, offer_round=chat.offer_round
        )
    # then the next agent is asked
    chat.refresh_from_db()
    assert chat.offered_to_id == holder.pk
    assert chat.status == ChatStatus.WAITING


def test_an_answered_offer_is_not_moved_by_its_late_timeout(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=False):
        services.offer_expire(
            tenant=open_alpha.tenant, chat_id=chat.pk, offer_round=chat.offer_round
        )
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ACTIVE and chat.agent_id == open_alpha.agent.pk


def test_capacity_is_respected(open_alpha):
    # given alice may hold one chat and holds one
    services.seat_update(
        tenant=open_alpha.tenant, actor=open_alpha.owner, user=open_alpha.agent, capacity=1
    )
    online(open_alpha, open_alpha.agent)
    first = services.chat_start(
        tenant=open_alpha.tenant, visitor=_visitor(open_alpha, email="a@example.ir"), text="x"
    )
    services.chat_accept(tenant=open_alpha.tenant, chat=first, actor=open_alpha.agent)
    # then nobody is available any more and a second chat cannot be taken by her
    assert not services.agents_available(tenant=open_alpha.tenant)
    visitor = _visitor(open_alpha, email="b@example.ir")
    with pytest.raises(ChatError) as caught:
        services.chat_start(tenant=open_alpha.tenant, visitor=visitor, text="x")
    assert caught.value.code == "offline"


def test_messages_are_numbered_and_a_resent_client_id_is_stored_once(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    first, created = services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="visitor", text=VISITOR_HELLO, client_id="c-1"
    )
    again, created_again = services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="visitor", text=VISITOR_HELLO, client_id="c-1"
    )
    reply, _ = services.message_post(
        tenant=open_alpha.tenant,
        chat=chat,
        kind="agent",
        text=AGENT_REPLY,
        actor=open_alpha.agent,
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert ChatMessage.objects.filter(chat=chat, client_id="c-1").count() == 1
    # the system line "alice joined" is 1
    assert [first.seq, reply.seq] == [2, 3]


def test_whispers_and_notes_are_not_in_the_transcript(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="whisper", text="نرم‌تر", actor=open_alpha.owner
    )
    services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="note", text="یادداشت", actor=open_alpha.agent
    )
    texts = [m.text for m in selectors.chat_transcript(tenant=open_alpha.tenant, chat=chat)]
    assert "نرم‌تر" not in texts and "یادداشت" not in texts
    assert "x" in texts


def test_an_agent_cannot_whisper(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    with pytest.raises(ChatError):
        services.message_post(
            tenant=open_alpha.tenant, chat=chat, kind="whisper", text="x", actor=open_alpha.agent
        )


def test_transfer_to_agent_and_to_department(open_alpha):
    dana = add_agent(open_alpha, "dana")
    online(open_alpha, open_alpha.agent, dana)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=chat.offered_to)
    holder = chat.offered_to
    other = dana if holder.pk != dana.pk else open_alpha.agent
    chat = services.chat_transfer(tenant=open_alpha.tenant, chat=chat, actor=holder, to_agent=other)
    assert chat.agent_id == other.pk and chat.status == ChatStatus.ACTIVE
    chat = services.chat_transfer(
        tenant=open_alpha.tenant, chat=chat, actor=other, to_department=open_alpha.department.pk
    )
    assert chat.status == ChatStatus.WAITING and chat.agent_id is None
    # offered to the one who did not just hand it over
    assert chat.offered_to_id == holder.pk


def test_ending_is_final_and_lists_as_finished(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    services.chat_end(tenant=open_alpha.tenant, chat=chat, by="visitor")
    with pytest.raises(ChatError):
        services.message_post(tenant=open_alpha.tenant, chat=chat, kind="visitor", text="x")
    finished = selectors.chat_list_finished(tenant=open_alpha.tenant, agent=open_alpha.agent)
    assert [c.pk for c in finished] == [chat.pk]


def test_chat_settings_refuse_bad_origins_and_keep_the_rest(open_alpha):
    with pytest.raises(ValidationError) as caught:
        services.chat_settings_update(
            tenant=open_alpha.tenant,
            actor=open_alpha.owner,
            allowed_origins=["https://shop.example.ir/path"],
            offer_seconds=0,
        )
    assert set(caught.value.message_dict) == {"allowed_origins", "offer_seconds"}
    settings = services.chat_settings_update(
        tenant=open_alpha.tenant,
        actor=open_alpha.owner,
        allowed_origins="https://Shop.example.ir\nhttp://localhost:8000",
        offer_seconds=20,
    )
    assert settings.allowed_origins == ["https://shop.example.ir", "http://localhost:8000"]
    with pytest.raises(PermissionDenied):
        services.chat_settings_update(
            tenant=open_alpha.tenant, actor=open_alpha.agent, offer_seconds=20
        )


def test_an_agent_silent_for_minutes_is_not_counted_online(open_alpha):
    # given alice online, whose socket then stopped pinging (the server died with it)
    online(open_alpha, open_alpha.agent)
    assert services.agents_available(tenant=open_alpha.tenant)
    # when three minutes pass without a ping
    with time_machine.travel(clock.now() + timedelta(minutes=3), tick=False):
        silent = services.agents_available(tenant=open_alpha.tenant)
        services.agent_seen(tenant=open_alpha.tenant, user=open_alpha.agent)
        pinged = services.agents_available(tenant=open_alpha.tenant)
    # then she is not offered chats until her socket is heard again
    assert (silent, pinged) == (False, True)


def test_the_sweep_offers_chats_whose_offer_ran_out(open_alpha):
    from django.core.management import call_command

    dana = add_agent(open_alpha, "dana")
    online(open_alpha, open_alpha.agent, dana)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    first = chat.offered_to_id
    # when the offer's job was lost and its time has passed, the sweep moves it on
    with time_machine.travel(clock.now() + timedelta(seconds=40), tick=False):
        for user in (open_alpha.agent, dana):
            services.agent_seen(tenant=open_alpha.tenant, user=user)
        call_command("chat_sweep", stdout=__import__("io").StringIO())
    chat.refresh_from_db()
    assert chat.offered_to_id not in (None, first)


def test_demo_builds_a_finished_chat_once(open_alpha):
    from pishkhan.chat.demo import seed_chat
    from pishkhan.chat.models import Chat

    for _ in range(2):
        seed_chat(
            tenant=open_alpha.tenant,
            owner=open_alpha.owner,
            agent=open_alpha.agent,
            department=open_alpha.department,
        )
    chat = Chat.objects.get(tenant=open_alpha.tenant)
    assert chat.status == ChatStatus.ENDED
    assert len(selectors.chat_transcript(tenant=open_alpha.tenant, chat=chat)) == 4


def test_chats_starting_together_are_spread_over_the_agents(open_alpha):
    # given two idle agents with room for two chats each
    dana = add_agent(open_alpha, "dana")
    for user in (open_alpha.agent, dana):
        services.seat_update(
            tenant=open_alpha.tenant, actor=open_alpha.owner, user=user, capacity=2
        )
    online(open_alpha, open_alpha.agent, dana)
    # when four chats start before anyone accepts
    chats = [
        services.chat_start(
            tenant=open_alpha.tenant,
            visitor=_visitor(open_alpha, email=f"v{n}@example.ir"),
            text="x",
        )
        for n in range(4)
    ]
    # then each agent is offered two (a pending offer counts as load), and a fifth waits
    offered = sorted(chat.offered_to_id for chat in chats)
    assert offered == sorted([open_alpha.agent.pk, open_alpha.agent.pk, dana.pk, dana.pk])
    assert not services.agents_available(tenant=open_alpha.tenant)


def test_a_line_resent_after_the_end_is_acknowledged_and_a_new_one_refused(open_alpha):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    first, _ = services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="visitor", text=VISITOR_HELLO, client_id="c-9"
    )
    services.chat_end(tenant=open_alpha.tenant, chat=chat, by="visitor")
    last_seq = Chat.objects.get(pk=chat.pk).last_seq
    # The widget missed the ack and resends after the agent ended the chat: the same line.
    again, created = services.message_post(
        tenant=open_alpha.tenant, chat=chat, kind="visitor", text=VISITOR_HELLO, client_id="c-9"
    )
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(ChatError) as caught:
        services.message_post(
            tenant=open_alpha.tenant, chat=chat, kind="visitor", text="x", client_id="c-10"
        )
    assert caught.value.code == "ended"
    # A refused line takes no number.
    assert Chat.objects.get(pk=chat.pk).last_seq == last_seq


def test_a_line_cannot_be_posted_to_another_tenants_chat(open_alpha, open_beta):
    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="")
    with pytest.raises(ChatError) as caught:
        services.message_post(tenant=open_beta.tenant, chat=chat, kind="visitor", text="x")
    assert caught.value.code == "not_found"
    assert not ChatMessage.objects.filter(chat=chat, text="x").exists()


@pytest.mark.parametrize(
    ("role", "is_active", "why_en"),
    [
        ("readonly", True, "Your role is read-only."),
        ("agent", False, "Only this workspace's staff may do this."),
    ],
)
def test_an_agent_whose_seat_changed_mid_chat_cannot_post(open_alpha, role, is_active, why_en):
    """The seat is checked with each line, not only when the socket opened: a demoted or
    removed agent's next reply is refused and numbers nothing."""
    from django.utils import translation

    from pishkhan.tenancy.selectors import membership_get
    from pishkhan.tenancy.services import membership_update

    online(open_alpha, open_alpha.agent)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=_visitor(open_alpha), text="x")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    before = Chat.objects.get(pk=chat.pk).last_seq
    seat = membership_get(tenant=open_alpha.tenant, user=open_alpha.agent)
    membership_update(
        tenant=open_alpha.tenant,
        actor=open_alpha.owner,
        membership=seat,
        role=role,
        is_active=is_active,
    )
    with translation.override("en"), pytest.raises(PermissionDenied) as caught:
        services.message_post(
            tenant=open_alpha.tenant,
            chat=chat,
            kind="agent",
            text=AGENT_REPLY,
            actor=open_alpha.agent,
        )
    assert str(caught.value) == why_en
    assert not ChatMessage.objects.filter(chat=chat, text=AGENT_REPLY).exists()
    assert Chat.objects.get(pk=chat.pk).last_seq == before
