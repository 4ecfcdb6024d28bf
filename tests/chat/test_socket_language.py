"""What the chat sockets push is in each reader's language: a department's name in offers and on
the live board, and the system lines ("… passed to <department>"), live and replayed, for staff
and visitors reading the same broadcast in Persian and in English."""

import pytest

from pishkhan.accounts.services import user_set_language
from pishkhan.chat.models import ChatMessage
from pishkhan.tenancy.models import Role
from pishkhan.tickets.services import department_create
from tests.chat.conftest import VISITOR_HELLO, VISITOR_NAME, add_agent
from tests.chat.sockets import (
    connect,
    flush_layer,
    receive,
    run,
    staff_socket,
    visitor_socket,
)

pytestmark = pytest.mark.django_db(transaction=True)

TECHNICAL_FA, TECHNICAL_EN = "پشتیبانی فنی", "Technical"
SALES_FA, SALES_EN = "فروش", "Sales"
SUPERVISOR = "/ws/chat/supervisor/"


@pytest.fixture(autouse=True)
def _empty_layer():
    flush_layer()
    yield
    flush_layer()


async def start_chat(world, *, language="fa", department=None):
    """A visitor (reading in `language`) starts a chat with the world's department."""
    visitor = await connect(visitor_socket(world))
    await visitor.send_json_to(
        {
            "type": "hello",
            "visitor": None,
            "chat": None,
            "after": 0,
            "name": VISITOR_NAME,
            "language": language,
        }
    )
    await receive(visitor, "welcome")
    department = department or world.department
    await visitor.send_json_to(
        {"type": "start", "text": VISITOR_HELLO, "department": department.pk}
    )
    status = await receive(visitor, "status")
    return visitor, status["chat"]


def speaking(user, language: str):
    user_set_language(user=user, language=language)
    return user


@pytest.mark.parametrize(("language", "expected"), [("en", TECHNICAL_EN), ("fa", TECHNICAL_FA)])
def test_an_offer_names_the_department_in_the_agents_language(open_alpha, language, expected):
    speaking(open_alpha.agent, language)

    async def scenario():
        # given an agent whose pages are in `language`
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        # when a visitor starts a chat with «پشتیبانی فنی» (Technical)
        visitor, chat_key = await start_chat(open_alpha)
        # then the offer names it in the agent's language
        assert (await receive(agent, "offer", chat=chat_key))["department"] == expected
        # and so does the offer repeated with the next ping
        await agent.send_json_to({"type": "ping"})
        assert (await receive(agent, "offer", chat=chat_key))["department"] == expected
        for socket in (agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_the_page_language_wins_over_the_users_setting(open_alpha):
    # a Persian-speaking agent with an English page open (changed in another tab)
    speaking(open_alpha.agent, "fa")

    async def scenario():
        agent = await connect(
            await staff_socket(open_alpha, open_alpha.agent, path="/ws/chat/agent/?language=en")
        )
        await receive(agent, "ready")
        visitor, chat_key = await start_chat(open_alpha)
        assert (await receive(agent, "offer", chat=chat_key))["department"] == TECHNICAL_EN
        for socket in (agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_one_live_update_reaches_each_supervisor_in_their_language(open_alpha):
    english = speaking(add_agent(open_alpha, "emma", role=Role.SUPERVISOR), "en")
    persian = speaking(add_agent(open_alpha, "parisa", role=Role.SUPERVISOR), "fa")

    async def scenario():
        boards = {
            "en": await connect(await staff_socket(open_alpha, english, path=SUPERVISOR)),
            "fa": await connect(await staff_socket(open_alpha, persian, path=SUPERVISOR)),
        }
        for board in boards.values():
            await receive(board, "ready")
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        # when a chat with «پشتیبانی فنی» starts, both boards hear the same broadcast
        visitor, chat_key = await start_chat(open_alpha)
        assert (await receive(boards["en"], "live", chat=chat_key))["department"] == TECHNICAL_EN
        assert (await receive(boards["fa"], "live", chat=chat_key))["department"] == TECHNICAL_FA
        # and a board opened later lists it the same way
        late = await connect(await staff_socket(open_alpha, english, path=SUPERVISOR))
        (row,) = (await receive(late, "ready"))["live"]
        assert row["department"] == TECHNICAL_EN
        for socket in (*boards.values(), late, agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_a_chat_passed_to_a_department_is_told_to_each_reader_in_their_language(open_alpha):
    sales = department_create(
        tenant=open_alpha.tenant, actor=open_alpha.owner, name=SALES_FA, name_en=SALES_EN
    )
    speaking(open_alpha.agent, "en")
    boss = speaking(add_agent(open_alpha, "emma", role=Role.SUPERVISOR), "en")

    async def scenario():
        # given a Persian visitor's chat, accepted by an English-speaking agent and watched by
        # an English-speaking supervisor
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await start_chat(open_alpha)
        await receive(agent, "offer", chat=chat_key)
        await agent.send_json_to({"type": "accept", "chat": chat_key})
        joined = await receive(visitor, "message", author="system")
        assert joined["text"] == f"{open_alpha.agent.display_name} به گفت‌وگو پیوست."
        assert (await receive(agent, "message", author="system"))["text"] == (
            f"{open_alpha.agent.display_name} joined the chat."
        )
        watcher = await connect(await staff_socket(open_alpha, boss, path=SUPERVISOR))
        await receive(watcher, "ready")
        await watcher.send_json_to({"type": "watch", "chat": chat_key, "after": 0})
        await receive(watcher, "message", author="system")
        # when the agent passes it to «فروش» (Sales)
        await agent.send_json_to({"type": "transfer", "chat": chat_key, "department": sales.pk})
        # then the visitor reads the line in Persian, the agent and the supervisor in English
        expected_fa = f"گفت‌وگو به واحد {SALES_FA} سپرده شد."
        expected_en = f"The chat was passed to {SALES_EN}."
        assert (await receive(visitor, "message", author="system"))["text"] == expected_fa
        assert (await receive(agent, "message", author="system"))["text"] == expected_en
        assert (await receive(watcher, "message", author="system"))["text"] == expected_en
        # and the board names the new department in English
        assert (await receive(watcher, "live", chat=chat_key))["department"] == SALES_EN
        # a supervisor who opens the chat later gets the story in English too
        late = await connect(await staff_socket(open_alpha, boss, path=SUPERVISOR))
        await receive(late, "ready")
        await late.send_json_to({"type": "watch", "chat": chat_key, "after": 0})
        replayed = [(await receive(late, "message", author="system"))["text"] for _ in range(2)]
        assert replayed == [f"{open_alpha.agent.display_name} joined the chat.", expected_en]
        for socket in (agent, visitor, watcher, late):
            await socket.disconnect()

    run(scenario)
    # the transcript (mailed, made a ticket) keeps the visitor's words: one text for both
    stored = ChatMessage.objects.filter(kind="system").order_by("seq").last()
    assert stored.text == f"گفت‌وگو به واحد {SALES_FA} سپرده شد."


def test_an_english_visitor_reads_the_system_lines_in_english(open_alpha):
    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await start_chat(open_alpha, language="en")
        await receive(agent, "offer", chat=chat_key)
        await agent.send_json_to({"type": "accept", "chat": chat_key})
        name = open_alpha.agent.display_name
        assert (await receive(visitor, "message", author="system"))["text"] == (
            f"{name} joined the chat."
        )
        # the Persian agent reads the same line in Persian
        assert (await receive(agent, "message", author="system"))["text"] == (
            f"{name} به گفت‌وگو پیوست."
        )
        for socket in (agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_the_english_chat_page_shows_system_lines_in_english(open_alpha):
    # given a Persian visitor's chat accepted by an agent whose pages are in English
    speaking(open_alpha.agent, "en")

    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await start_chat(open_alpha)
        await receive(agent, "offer", chat=chat_key)
        await agent.send_json_to({"type": "accept", "chat": chat_key})
        await receive(agent, "message", author="system")
        for socket in (agent, visitor):
            await socket.disconnect()

    run(scenario)
    chat = ChatMessage.objects.get(kind="system").chat
    page = open_alpha.client(open_alpha.agent).get(f"/agent/chats/{chat.pk}/").content.decode()
    assert f"{open_alpha.agent.display_name} joined the chat." in page
    assert "به گفت‌وگو پیوست" not in page
