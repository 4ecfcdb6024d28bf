"""Live chat over real sockets (the ASGI application with its tenant, session and routes),
on the in-memory channel layer, or on Redis when REDIS_URL is set."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from pishkhan.chat import services
from pishkhan.chat.models import Chat, ChatMessage
from pishkhan.core import clock
from pishkhan.tenancy.models import Role
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, add_agent
from tests.chat.sockets import flush_layer, next_frame, receive, staff_socket, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_layer():
    flush_layer()
    yield
    flush_layer()


def run(scenario):
    async_to_sync(scenario)()


def cid() -> str:
    return str(uuid.uuid4())


async def connect(socket):
    connected, code = await socket.connect()
    assert connected, code
    return socket


async def hello(socket, **fields):
    await socket.send_json_to(
        {
            "type": "hello",
            "visitor": None,
            "chat": None,
            "after": 0,
            "name": VISITOR_NAME,
            "language": "fa",
            **fields,
        }
    )
    return await receive(socket, "welcome")


async def open_chat(world, agent_user):
    """An agent online and a visitor whose chat that agent accepted."""
    agent = await connect(await staff_socket(world, agent_user))
    await receive(agent, "ready")
    visitor = await connect(visitor_socket(world))
    welcome = await hello(visitor)
    await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
    status = await receive(visitor, "status")
    offer = await receive(agent, "offer")
    await agent.send_json_to({"type": "accept", "chat": offer["chat"]})
    await receive(visitor, "status", status="active")
    return agent, visitor, welcome, status["chat"]


def test_a_whole_conversation(open_alpha):
    async def scenario():
        # given an agent online
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        ready = await receive(agent, "ready")
        assert ready["presence"] == "online"
        # when a visitor says hello, the widget learns someone is there
        visitor = await connect(visitor_socket(open_alpha))
        welcome = await hello(visitor)
        assert welcome["online"] is True and welcome["status"] == "none"
        # and when they start a chat, it is offered to the agent
        await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
        assert (await receive(visitor, "status"))["status"] == "waiting"
        first = await receive(visitor, "message")
        assert first["text"] == VISITOR_HELLO and first["seq"] == 1
        offer = await receive(agent, "offer")
        assert offer["visitor"] == VISITOR_NAME
        # the agent accepts: the visitor sees who joined, the agent gets the story so far
        await agent.send_json_to({"type": "accept", "chat": offer["chat"]})
        active = await receive(visitor, "status", status="active")
        assert active["agent"] == open_alpha.agent.display_name
        assert (await receive(agent, "message", seq=1))["text"] == VISITOR_HELLO
        # the visitor writes: acknowledged with its number, already stored when acknowledged
        message_id = cid()
        await visitor.send_json_to({"type": "message", "client_id": message_id, "text": "سلام"})
        ack = await receive(visitor, "ack")
        assert ack["client_id"] == message_id
        stored = await database_sync_to_async(
            lambda: list(
                ChatMessage.objects.filter(client_id=message_id).values_list("seq", flat=True)
            )
        )()
        assert stored == [ack["seq"]]
        assert (await receive(agent, "message", seq=ack["seq"]))["author"] == "visitor"
        # the agent types and answers
        await agent.send_json_to({"type": "typing", "chat": offer["chat"]})
        assert (await receive(visitor, "typing"))["author"] == "agent"
        await agent.send_json_to(
            {
                "type": "message",
                "chat": offer["chat"],
                "kind": "reply",
                "client_id": cid(),
                "text": AGENT_REPLY,
            }
        )
        reply = await receive(visitor, "message", author="agent")
        assert reply["text"] == AGENT_REPLY and reply["name"] == open_alpha.agent.display_name
        # the visitor has read it, the agent sees so
        await visitor.send_json_to({"type": "read", "seq": reply["seq"]})
        assert (await receive(agent, "read"))["seq"] == reply["seq"]
        # the visitor ends the chat; the agent lets go of it
        await visitor.send_json_to({"type": "end"})
        assert (await receive(visitor, "status", status="ended"))["status"] == "ended"
        assert (await receive(agent, "unassigned"))["chat"] == offer["chat"]
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)
    chat = Chat.objects.get()
    assert chat.status == "ended" and chat.agent_id == open_alpha.agent.pk


def test_no_ack_when_the_message_could_not_be_committed(open_alpha):
    async def scenario():
        agent, visitor, _welcome, _chat = await open_chat(open_alpha, open_alpha.agent)
        message_id = cid()
        # when the line cannot be finished (it fails where the room is told of it: inside the
        # transaction on the checked path, just after the line's own statement committed on
        # PostgreSQL's one-statement path)
        with mock.patch(
            "pishkhan.chat.services.conversation.realtime.publish_message",
            side_effect=RuntimeError("disk full"),
        ):
            await visitor.send_json_to({"type": "message", "client_id": message_id, "text": "x"})
            # then the widget hears of a failure, not an ack (it will resend)
            refused = await next_frame(visitor, "ack", "error")
        assert (refused["type"], refused["client_id"]) == ("error", message_id)
        # the resend, once storage works again, is acknowledged, and the line is kept once
        await visitor.send_json_to({"type": "message", "client_id": message_id, "text": "x"})
        acked = await next_frame(visitor, "ack", "error")
        assert acked["type"] == "ack"
        stored = await database_sync_to_async(
            lambda: list(ChatMessage.objects.filter(client_id=message_id).values_list("seq"))
        )()
        assert stored == [(acked["seq"],)]
        await agent.disconnect()

    run(scenario)


def test_a_dropped_visitor_gets_exactly_what_it_missed(open_alpha):
    async def scenario():
        agent, visitor, welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        await visitor.send_json_to({"type": "message", "client_id": cid(), "text": "یک"})
        last_seen = (await receive(visitor, "ack"))["seq"]
        # the visitor's connection drops mid-conversation
        await visitor.disconnect()
        # while the agent keeps writing
        missed = ["دو", "سه", "چهار"]
        for text in missed:
            await agent.send_json_to(
                {
                    "type": "message",
                    "chat": chat_key,
                    "kind": "reply",
                    "client_id": cid(),
                    "text": text,
                }
            )
            await receive(agent, "ack")
        # when the visitor comes back and says what it saw last
        again = await connect(visitor_socket(open_alpha))
        back = await hello(again, visitor=welcome["visitor"], chat=chat_key, after=last_seen)
        assert back["chat"] == chat_key and back["status"] == "active"
        replayed = [await receive(again, "message") for _ in missed]
        assert [m["text"] for m in replayed] == missed
        assert [m["seq"] for m in replayed] == [last_seen + 1, last_seen + 2, last_seen + 3]
        # and the next frame is the next new message: nothing came twice
        await agent.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "reply",
                "client_id": cid(),
                "text": "پنج",
            }
        )
        following = await receive(again, "message")
        assert (following["seq"], following["text"]) == (last_seen + 4, "پنج")
        await again.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_quiet_conversation_still_hears_the_next_line(open_alpha):
    import asyncio

    from channels.layers import get_channel_layer

    async def scenario():
        agent, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        # given nobody says anything for longer than the channel layer waits on Redis in one
        # go (a read of the socket that outlives its timeout used to kill both consumers)
        await asyncio.sleep(getattr(get_channel_layer(), "brpop_timeout", 0) + 1)
        # when the agent writes, the visitor hears it
        await agent.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "reply",
                "client_id": cid(),
                "text": AGENT_REPLY,
            }
        )
        assert (await receive(visitor, "message", author="agent"))["text"] == AGENT_REPLY
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_resent_message_is_stored_once(open_alpha):
    async def scenario():
        agent, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        message_id = cid()
        # the widget sends, loses the connection before the ack, and sends again
        await visitor.send_json_to({"type": "message", "client_id": message_id, "text": "یک"})
        first = await receive(visitor, "ack")
        await visitor.send_json_to({"type": "message", "client_id": message_id, "text": "یک"})
        second = await receive(visitor, "ack")
        assert first["seq"] == second["seq"]
        # the agent heard it once: the next message after it is a different one
        assert (await receive(agent, "message", seq=first["seq"]))["text"] == "یک"
        await visitor.send_json_to({"type": "message", "client_id": cid(), "text": "دو"})
        after = await receive(agent, "message", author="visitor")
        assert (after["seq"], after["text"]) == (first["seq"] + 1, "دو")
        await visitor.disconnect()
        await agent.disconnect()

    run(scenario)
    assert ChatMessage.objects.filter(text="یک").count() == 1


def test_offer_goes_to_the_least_busy_and_then_to_the_next(open_alpha):
    dana = add_agent(open_alpha, "dana")

    async def scenario():
        # alice holds a chat already; dana holds none
        alice, first_visitor, _welcome, _key = await open_chat(open_alpha, open_alpha.agent)
        dana_socket = await connect(await staff_socket(open_alpha, dana))
        await receive(dana_socket, "ready")
        # a second visitor starts a chat: dana is asked
        visitor = await connect(visitor_socket(open_alpha))
        await hello(visitor, name="سارا")
        await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
        offer = await receive(dana_socket, "offer")
        chat = await database_sync_to_async(Chat.objects.get)(key=offer["chat"])
        assert chat.offered_to_id == dana.pk
        # dana does not answer in time: the offer moves to alice
        with time_machine.travel(clock.now() + timedelta(seconds=31), tick=False):
            await database_sync_to_async(services.offer_expire)(
                tenant=open_alpha.tenant, chat_id=chat.pk, offer_round=chat.offer_round
            )
        assert (await receive(alice, "offer"))["chat"] == offer["chat"]
        assert (await receive(dana_socket, "offer_withdrawn"))["chat"] == offer["chat"]
        for socket in (alice, dana_socket, visitor, first_visitor):
            await socket.disconnect()

    run(scenario)


def test_a_full_agent_is_not_offered_and_the_widget_goes_offline(open_alpha):
    services.seat_update(
        tenant=open_alpha.tenant, actor=open_alpha.owner, user=open_alpha.agent, capacity=1
    )

    async def scenario():
        agent, first, _welcome, _key = await open_chat(open_alpha, open_alpha.agent)
        visitor = await connect(visitor_socket(open_alpha))
        welcome = await hello(visitor, name="سارا")
        assert welcome["online"] is False
        await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
        error = await receive(visitor, "error")
        assert error["code"] == "offline" and error["message_fa"] != error["message_en"]
        for socket in (agent, first, visitor):
            await socket.disconnect()

    run(scenario)


def test_transfer_to_another_agent(open_alpha):
    dana = add_agent(open_alpha, "dana")

    async def scenario():
        alice, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        dana_socket = await connect(await staff_socket(open_alpha, dana))
        await receive(dana_socket, "ready")
        await alice.send_json_to({"type": "transfer", "chat": chat_key, "agent": dana.pk})
        assigned = await receive(dana_socket, "assigned")
        assert assigned["chat"] == chat_key
        # dana gets the story so far, alice lets go, the visitor sees dana
        assert (await receive(dana_socket, "message", seq=1))["text"] == VISITOR_HELLO
        assert (await receive(alice, "unassigned"))["chat"] == chat_key
        assert (await receive(visitor, "status"))["agent"] == dana.display_name
        await dana_socket.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "reply",
                "client_id": cid(),
                "text": AGENT_REPLY,
            }
        )
        assert (await receive(visitor, "message", author="agent"))["name"] == dana.display_name
        for socket in (alice, dana_socket, visitor):
            await socket.disconnect()

    run(scenario)


def test_whisper_and_notes_reach_the_agent_but_never_the_visitor(open_alpha):
    async def scenario():
        agent, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        supervisor = await connect(
            await staff_socket(open_alpha, open_alpha.owner, path="/ws/chat/supervisor/")
        )
        ready = await receive(supervisor, "ready")
        assert [c["chat"] for c in ready["live"]] == [chat_key]
        # the supervisor watches: they get the conversation so far
        await supervisor.send_json_to({"type": "watch", "chat": chat_key, "after": 0})
        assert (await receive(supervisor, "message", seq=1))["text"] == VISITOR_HELLO
        # and whispers; the agent notes
        await supervisor.send_json_to(
            {"type": "whisper", "chat": chat_key, "client_id": cid(), "text": "با حوصله پاسخ بده"}
        )
        whisper = await receive(agent, "message", author="whisper")
        assert whisper["text"] == "با حوصله پاسخ بده"
        await agent.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "note",
                "client_id": cid(),
                "text": "یادداشت داخلی",
            }
        )
        assert (await receive(supervisor, "message", author="note"))["text"] == "یادداشت داخلی"
        # the visitor's next line is the agent's reply: neither whisper nor note came its way
        await agent.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "reply",
                "client_id": cid(),
                "text": AGENT_REPLY,
            }
        )
        assert (await receive(visitor, "message", author="agent"))["text"] == AGENT_REPLY
        # a supervisor watching reads only: a reply from them is refused
        await supervisor.send_json_to(
            {"type": "message", "chat": chat_key, "kind": "reply", "client_id": cid(), "text": "x"}
        )
        assert (await receive(supervisor, "error"))["code"] == "not_yours"
        for socket in (agent, visitor, supervisor):
            await socket.disconnect()

    run(scenario)


def test_an_agent_cannot_watch_or_whisper(open_alpha):
    async def scenario():
        refused = await staff_socket(open_alpha, open_alpha.agent, path="/ws/chat/supervisor/")
        connected, code = await refused.connect()
        assert (connected, code) == (False, 4404)
        await refused.disconnect()  # as the browser's socket closes: the server's side ends

    run(scenario)


def test_other_tenant_gets_404(open_alpha, open_beta):
    async def scenario():
        agent, visitor, welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        # beta's owner on beta's host names alpha's chat: it does not exist for them
        bob = await connect(
            await staff_socket(open_beta, open_beta.owner, path="/ws/chat/supervisor/")
        )
        await receive(bob, "ready")
        for frame in (
            {"type": "watch", "chat": chat_key, "after": 0},
            {"type": "whisper", "chat": chat_key, "client_id": cid(), "text": "x"},
            {"type": "end", "chat": chat_key},
        ):
            await bob.send_json_to(frame)
            assert (await receive(bob, "error"))["code"] == "not_found"
        beta_agent = await connect(await staff_socket(open_beta, open_beta.agent))
        await receive(beta_agent, "ready")
        for frame in (
            {"type": "accept", "chat": chat_key},
            {"type": "resume", "chat": chat_key, "after": 0},
        ):
            await beta_agent.send_json_to(frame)
            assert (await receive(beta_agent, "error"))["code"] == "not_found"
        # alpha's session cookie on beta's host is nobody
        from tests.chat.sockets import session_cookie

        cookie = await database_sync_to_async(session_cookie)(open_alpha, open_alpha.agent)
        stolen = await staff_socket(open_beta, cookie=cookie)
        assert (await stolen.connect()) == (False, 4404)
        await stolen.disconnect()
        # alpha's visitor key and chat key on beta's host open nothing of alpha
        elsewhere = await connect(visitor_socket(open_beta))
        there = await hello(elsewhere, visitor=welcome["visitor"], chat=chat_key, after=0)
        assert there["visitor"] != welcome["visitor"] and there["chat"] is None
        # and a host of no tenant is refused
        nowhere = visitor_socket(open_alpha, host="nobody.localhost")
        assert (await nowhere.connect()) == (False, 4404)
        await nowhere.disconnect()
        # alpha's conversation went on untouched: the next visitor frame is the agent's reply
        await agent.send_json_to(
            {
                "type": "message",
                "chat": chat_key,
                "kind": "reply",
                "client_id": cid(),
                "text": AGENT_REPLY,
            }
        )
        assert (await next_frame(visitor, "message", "status"))["text"] == AGENT_REPLY
        for socket in (agent, visitor, bob, beta_agent, elsewhere):
            await socket.disconnect()

    run(scenario)
    assert Chat.objects.get().status == "active"


def test_a_page_of_a_site_not_allowed_is_refused(open_alpha):
    services.chat_settings_update(
        tenant=open_alpha.tenant,
        actor=open_alpha.owner,
        allowed_origins=["https://shop.example.ir"],
    )

    async def scenario():
        refused = visitor_socket(open_alpha, origin="https://evil.example.com")
        assert (await refused.connect()) == (False, 4403)
        await refused.disconnect()
        allowed = visitor_socket(open_alpha, origin="https://shop.example.ir")
        assert (await allowed.connect())[0] is True
        await allowed.disconnect()

    run(scenario)


def test_a_supervisor_role_sees_the_live_board(open_alpha):
    boss = add_agent(open_alpha, "boss", role=Role.SUPERVISOR)

    async def scenario():
        board = await connect(await staff_socket(open_alpha, boss, path="/ws/chat/supervisor/"))
        assert (await receive(board, "ready"))["live"] == []
        agent, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        live = await receive(board, "live", status="active")
        assert live["chat"] == chat_key and live["agent"] == open_alpha.agent.display_name
        for socket in (board, agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_a_line_dropped_on_the_way_is_filled_in_from_the_database(open_alpha):
    from pishkhan.chat import realtime

    real_publish = realtime.publish_message
    dropped = []

    def drop_first(message):
        # The channel layer loses the first broadcast (as a full or expired queue does).
        if not dropped:
            dropped.append(message.seq)
            return
        real_publish(message)

    async def scenario():
        agent, visitor, _welcome, chat_key = await open_chat(open_alpha, open_alpha.agent)
        with mock.patch(
            "pishkhan.chat.services.conversation.realtime.publish_message", side_effect=drop_first
        ):
            for text in ("یک", "دو"):
                await agent.send_json_to(
                    {
                        "type": "message",
                        "chat": chat_key,
                        "kind": "reply",
                        "client_id": cid(),
                        "text": text,
                    }
                )
                await receive(agent, "ack")
        # the visitor gets both, in order, once the next line shows the gap
        first = await receive(visitor, "message", author="agent")
        second = await receive(visitor, "message", author="agent")
        assert [(first["seq"], first["text"]), (second["seq"], second["text"])] == [
            (dropped[0], "یک"),
            (dropped[0] + 1, "دو"),
        ]
        await agent.disconnect()
        await visitor.disconnect()

    run(scenario)


def test_an_offer_lost_on_the_way_comes_again_with_the_next_ping(open_alpha):
    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor = await connect(visitor_socket(open_alpha))
        await hello(visitor)
        # the offer's frame is lost (a full queue drops it)
        with mock.patch("pishkhan.chat.services.routing.realtime.publish"):
            await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
            await receive(visitor, "status")
        # the agent's page pings (every 30 seconds): the pending offer comes with the pong
        await agent.send_json_to({"type": "ping"})
        await receive(agent, "pong")
        offer = await receive(agent, "offer")
        chat = await database_sync_to_async(Chat.objects.get)()
        assert offer["chat"] == chat.key and 0 < offer["expires_in"] <= 30
        await agent.disconnect()
        await visitor.disconnect()

    run(scenario)


def test_a_chat_accepted_before_the_visitor_joined_it_shows_as_active(open_alpha):
    """The offer goes out when the chat commits; a quick agent's acceptance can reach the
    chat's group before the visitor's socket has joined it."""
    from pishkhan.chat.consumers.visitor import VisitorConsumer

    real_join = VisitorConsumer.join

    async def accepted_first(self, *groups):
        # the agent accepts between the chat's commit and the visitor's join
        chat = await database_sync_to_async(Chat.objects.get)()
        await database_sync_to_async(services.chat_accept)(
            tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent
        )
        await real_join(self, *groups)

    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor = await connect(visitor_socket(open_alpha))
        await hello(visitor)
        with mock.patch.object(VisitorConsumer, "join", accepted_first):
            await visitor.send_json_to({"type": "start", "text": VISITOR_HELLO})
            status = await receive(visitor, "status")
        assert status["status"] == "active"
        assert status["agent"] == open_alpha.agent.display_name
        assert (await receive(visitor, "message"))["text"] == VISITOR_HELLO
        await agent.disconnect()
        await visitor.disconnect()

    run(scenario)


def test_a_bad_frame_is_refused_in_persian_and_english(open_alpha):
    async def scenario():
        visitor = await connect(visitor_socket(open_alpha))
        heard = []
        # not JSON, no type, a type the socket does not know, a line before any chat
        await visitor.send_to(text_data="سلام")
        heard.append(await receive(visitor, "error"))
        await visitor.send_json_to({"text": "سلام"})
        heard.append(await receive(visitor, "error"))
        await visitor.send_json_to({"type": "dance"})
        heard.append(await receive(visitor, "error"))
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "client_id": cid(), "text": "سلام"})
        heard.append(await receive(visitor, "error"))
        await visitor.disconnect()
        return heard

    heard = async_to_sync(scenario)()
    assert [e["code"] for e in heard] == ["bad_request", "bad_request", "bad_request", "no_chat"]
    for error in heard:
        assert error["message_en"].isascii()
        # the Persian is Persian, not the English again
        assert error["message_fa"] != error["message_en"]
        assert any("\u0600" <= ch <= "\u06ff" for ch in error["message_fa"]), error
