"""What a chat line costs the database: the hot path of every conversation. Outside any
transaction (as a socket's lane runs it), so the statements counted are all there are."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.chat import services
from pishkhan.chat.models import ChatMessage
from tests.chat.conftest import AGENT_REPLY, VISITOR_HELLO, VISITOR_NAME, online

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_line_is_one_statement_on_postgresql_and_is_told_to_the_room(open_alpha):
    online(open_alpha, open_alpha.agent)
    visitor = services.visitor_identify(tenant=open_alpha.tenant, key=None, name=VISITOR_NAME)
    chat = services.chat_start(tenant=open_alpha.tenant, visitor=visitor, text="")
    services.chat_accept(tenant=open_alpha.tenant, chat=chat, actor=open_alpha.agent)
    told = []
    with (
        mock.patch("pishkhan.chat.realtime.publish", side_effect=lambda g, f, **k: told.append(f)),
        CaptureQueriesContext(connection) as statements,
    ):
        asked, _ = services.message_post(
            tenant=open_alpha.tenant, chat=chat, kind="visitor", text=VISITOR_HELLO, client_id="q-1"
        )
        answered, _ = services.message_post(
            tenant=open_alpha.tenant,
            chat=chat,
            kind="agent",
            text=AGENT_REPLY,
            client_id="q-2",
            actor=open_alpha.agent,
        )
    # the numbering, the insert and (on PostgreSQL) the seat check are one statement a line;
    # SQLite takes the checked path: begin, number (the seat checked there too), insert, commit
    expected = 2 if connection.vendor == "postgresql" else 8
    assert len(statements) == expected, [q["sql"][:80] for q in statements]
    stored = list(
        ChatMessage.objects.filter(chat=chat, client_id__in=["q-1", "q-2"])
        .values_list("seq", "kind", "text", "author_user_id")
        .order_by("seq")
    )
    assert stored == [
        (asked.seq, "visitor", VISITOR_HELLO, None),
        (answered.seq, "agent", AGENT_REPLY, open_alpha.agent.pk),
    ]
    assert answered.seq == asked.seq + 1
    # each line reached the room as it was stored, in order
    assert [(f["seq"], f["text"]) for f in told] == [
        (asked.seq, VISITOR_HELLO),
        (answered.seq, AGENT_REPLY),
    ]
