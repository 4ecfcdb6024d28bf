"""A plain chat line (a visitor's, or its agent's reply, text only) stored in one statement on
PostgreSQL: the chat's next seq is taken and the line inserted by one UPDATE … RETURNING feeding
an INSERT, committed on its own.

Why: the checked path (`conversation._post`) is BEGIN, the numbering UPDATE, the INSERT and
COMMIT, four round trips. Each is a moment the socket's database lane gives up the interpreter
and must win it back from a busy event loop; under 200 lines a second that wait, not the
database, was most of a line's time. Here the checks the checked path makes in Python are
conditions of the UPDATE (the chat is this tenant's and not ended; for a reply, it is this
agent's and the agent may still write here), so a line that passes them is stored and one that
does not changes nothing: the caller then takes the checked path, which says why.

SQLite cannot update inside a WITH, and takes one writer at a time anyway: it always takes the
checked path."""

from contextlib import nullcontext

from django.db import connection, transaction

from pishkhan.chat.models import AuthorKind, Chat, ChatMessage, ChatStatus
from pishkhan.core import clock
from pishkhan.sql_names import table_and_columns
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import writer_sql


def available(*, kind: str, attachment_id, actor) -> bool:
    return (
        connection.vendor == "postgresql"
        and attachment_id is None
        and (kind == AuthorKind.VISITOR or (kind == AuthorKind.AGENT and actor is not None))
    )


def post_line(
    *, tenant: Tenant, chat: Chat, kind: str, text: str, client_id: str, actor=None
) -> ChatMessage | None:
    """The stored line, or None when the chat refused it (nothing was written). A `client_id`
    stored before raises IntegrityError, as on the checked path."""
    chats, chat_column = table_and_columns(Chat)
    lines, line_column = table_and_columns(ChatMessage)
    last_seq, status, agent = (chat_column(n) for n in ("last_seq", "status", "agent"))
    conditions = f"{chat_column('id')} = %s AND {chat_column('tenant')} = %s AND {status} <> %s"
    params: list = [chat.pk, tenant.pk, ChatStatus.ENDED]
    author = None
    if kind == AuthorKind.AGENT:
        seat_sql, seat_params = writer_sql(tenant=tenant, user=actor)
        conditions += f" AND {agent} = %s AND {seat_sql}"
        params += [actor.pk, *seat_params]
        author = actor
    now = clock.now()
    inserted = ", ".join(
        line_column(n)
        for n in ("tenant", "chat", "seq", "kind", "author_user", "client_id", "text", "created_at")
    )
    params += [tenant.pk, chat.pk, kind, getattr(author, "pk", None), client_id, text, now]
    sql = (
        f"WITH numbered AS (UPDATE {chats} SET {last_seq} = {last_seq} + 1 "  # noqa: S608
        f"WHERE {conditions} RETURNING {last_seq}, {status}, {agent}) "
        f"INSERT INTO {lines} ({inserted}) "
        f"SELECT %s, %s, numbered.{last_seq}, %s, %s, %s, %s, %s FROM numbered "
        f"RETURNING {line_column('id')}, {line_column('seq')}, "
        f"(SELECT {status} FROM numbered), (SELECT {agent} FROM numbered)"
    )
    # Alone it commits by itself; inside a caller's transaction it gets a savepoint, so that a
    # repeated client_id does not abort the caller's transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    message_id, seq, chat.status, chat.agent_id = row
    chat.last_seq = seq
    message = ChatMessage(
        id=message_id,
        tenant=tenant,
        chat=chat,
        seq=seq,
        kind=kind,
        author_user=author,
        client_id=client_id,
        text=text,
        attachment=None,
        created_at=now,
    )
    message._state.adding = False
    message._state.db = connection.alias
    return message
