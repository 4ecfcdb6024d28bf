"""A chat's page keeps its state beside the lines (status, agent, department) from what its
socket hears: a chat passed to another department or agent tells the room its new state, the
page it was passed from included, in each reader's language; and a page whose socket comes
back hears the chat as it is now."""

import pytest

from pishkhan.accounts.services import user_set_language
from pishkhan.chat import services
from pishkhan.chat.models import Chat
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

SALES_FA, SALES_EN = "فروش", "Sales"
SUPERVISOR = "/ws/chat/supervisor/"


@pytest.fixture(autouse=True)
def _empty_layer():
    flush_layer()
    yield
    flush_layer()


async def accepted_chat(world, agent):
    """A Persian visitor's chat with the world's department, accepted by `agent`'s socket."""
    visitor = await connect(visitor_socket(world))
    await visitor.send_json_to(
        {"type": "hello", "visitor": None, "chat": None, "after": 0, "name": VISITOR_NAME}
    )
    await receive(visitor, "welcome")
    await visitor.send_json_to(
        {"type": "start", "text": VISITOR_HELLO, "department": world.department.pk}
    )
    chat_key = (await receive(visitor, "status"))["chat"]
    await receive(agent, "offer", chat=chat_key)
    await agent.send_json_to({"type": "accept", "chat": chat_key})
    await receive(agent, "assigned", chat=chat_key)
    return visitor, chat_key


def test_the_page_a_chat_was_passed_from_hears_its_new_department(open_alpha):
    sales = department_create(
        tenant=open_alpha.tenant, actor=open_alpha.owner, name=SALES_FA, name_en=SALES_EN
    )
    user_set_language(user=open_alpha.agent, language="en")
    boss = add_agent(open_alpha, "parisa", role=Role.SUPERVISOR)
    user_set_language(user=boss, language="fa")

    async def scenario():
        # given an English agent's chat, watched by a Persian supervisor
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await accepted_chat(open_alpha, agent)
        watcher = await connect(await staff_socket(open_alpha, boss, path=SUPERVISOR))
        await receive(watcher, "ready")
        await watcher.send_json_to({"type": "watch", "chat": chat_key, "after": 0})
        await receive(watcher, "status", chat=chat_key)
        # when the agent passes it to «فروش» (Sales)
        await agent.send_json_to({"type": "transfer", "chat": chat_key, "department": sales.pk})
        # then the agent's page hears, before it is let go, that the chat waits in Sales with
        # no agent
        status = await receive(agent, "status", chat=chat_key)
        assert (status["status"], status["agent"], status["department"]) == (
            "waiting",
            None,
            SALES_EN,
        )
        assert (status["agent_id"], status["department_id"]) == (None, sales.pk)
        await receive(agent, "unassigned", chat=chat_key)
        # and the supervisor's page reads the department in Persian
        status = await receive(watcher, "status", chat=chat_key)
        assert (status["status"], status["agent"], status["department"]) == (
            "waiting",
            None,
            SALES_FA,
        )
        for socket in (agent, visitor, watcher):
            await socket.disconnect()

    run(scenario)


def test_a_chat_passed_to_another_agent_names_them_on_the_page_it_left(open_alpha):
    bahram = add_agent(open_alpha, "bahram")

    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await accepted_chat(open_alpha, agent)
        # when alice passes the chat to bahram
        await agent.send_json_to({"type": "transfer", "chat": chat_key, "agent": bahram.pk})
        # then her page hears who has it now, and then that it is no longer hers
        status = await receive(agent, "status", chat=chat_key)
        assert (status["status"], status["agent"]) == ("active", bahram.display_name)
        assert status["agent_id"] == bahram.pk
        await receive(agent, "unassigned", chat=chat_key)
        # the visitor reads his name, and nothing of his account
        status = await receive(visitor, "status", chat=chat_key, agent=bahram.display_name)
        assert "agent_id" not in status
        for socket in (agent, visitor):
            await socket.disconnect()

    run(scenario)


def test_a_page_that_comes_back_hears_the_chat_ended_while_it_was_away(open_alpha):
    async def scenario():
        # given an agent's chat page
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await accepted_chat(open_alpha, agent)
        # whose socket drops
        await agent.disconnect()
        # when the visitor ends the chat meanwhile
        await visitor.send_json_to({"type": "end"})
        await receive(visitor, "status", status="ended")
        # then the page, back and asking for what it missed, reads the line and the state
        back = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(back, "ready")
        await back.send_json_to({"type": "resume", "chat": chat_key, "after": 2})
        ended = await receive(back, "message", chat=chat_key, author="system")
        assert ended["text"] == "بازدیدکننده گفت‌وگو را پایان داد."
        status = await receive(back, "status", chat=chat_key)
        assert (status["status"], status["agent"]) == ("ended", open_alpha.agent.display_name)
        assert status["department"] == open_alpha.department.name
        for socket in (back, visitor):
            await socket.disconnect()

    run(scenario)


def test_a_supervisor_watching_anew_hears_the_chat_as_it_is_now(open_alpha):
    boss = add_agent(open_alpha, "parisa", role=Role.SUPERVISOR)

    async def scenario():
        agent = await connect(await staff_socket(open_alpha, open_alpha.agent))
        await receive(agent, "ready")
        visitor, chat_key = await accepted_chat(open_alpha, agent)
        # when the chat is ended from the page without the socket (the form)
        chat = await Chat.objects.select_related("visitor").aget(key=chat_key)
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.chat_end)(
            tenant=open_alpha.tenant, chat=chat, by="agent", actor=open_alpha.agent
        )
        # then a supervisor who starts watching it hears it ended
        watcher = await connect(await staff_socket(open_alpha, boss, path=SUPERVISOR))
        await receive(watcher, "ready")
        await watcher.send_json_to({"type": "watch", "chat": chat_key, "after": 0})
        assert (await receive(watcher, "status", chat=chat_key))["status"] == "ended"
        for socket in (agent, visitor, watcher):
            await socket.disconnect()

    run(scenario)
