"""Who hears what on the channel layer, and the frames they hear.

Groups (names are ASCII, as channel layers require):
- `chat-<tenant>-<chat>`: everyone in a chat (the visitor, its agent, watching supervisors);
  public frames only.
- `chatstaff-<tenant>-<chat>`: the agent and watching supervisors; notes and whispers.
- `agent-<tenant>-<user>`: one staff member's sockets; offers and assignments.
- `live-<tenant>`: supervisors' boards; a chat started, was taken, moved or ended.

Services publish only once their transaction has committed (`transaction.on_commit`), so no
one hears of a message that could still roll back.

A group's readers do not share a language (a Persian visitor and an English agent hear one
line; a board's supervisors read Persian or English). What a reader reads that depends on
their language (a department's name, a system line) rides in every language, `{"fa": …,
"en": …}`, and each socket sends its reader theirs (`localise`): the pages get a plain string,
as before."""

import logging
import threading
from collections import deque
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from pishkhan.chat.models import Chat, ChatMessage

logger = logging.getLogger(__name__)


def chat_group(chat: Chat) -> str:
    return f"chat-{chat.tenant_id}-{chat.pk}"


def staff_group(chat: Chat) -> str:
    return f"chatstaff-{chat.tenant_id}-{chat.pk}"


def agent_group(tenant_id: int, user_id: int) -> str:
    return f"agent-{tenant_id}-{user_id}"


def live_group(tenant_id: int) -> str:
    return f"live-{tenant_id}"


def author_name(message: ChatMessage) -> str:
    if message.kind == "visitor":
        return message.chat.visitor.name
    if message.author_user is not None:
        return message.author_user.display_name
    return ""


def department_names(chat: Chat) -> dict[str, str] | None:
    """The chat's department as each language names it."""
    if not chat.department_id:
        return None
    return {code: chat.department.label(code) for code, _name in settings.LANGUAGES}


def _in(value, language: str):
    if isinstance(value, dict):
        return value.get(language) or value.get(settings.LANGUAGE_CODE) or ""
    return value


# The frame fields (and the lists of frames in `ready`) that may carry every language.
_WORDED = ("department", "text")
_NESTED = ("chats", "live", "offers")


def localise(frame: dict, language: str) -> dict:
    """`frame` as a reader of `language` reads it (a new dict; the broadcast is shared)."""
    changed = {
        key: _in(frame[key], language) for key in _WORDED if isinstance(frame.get(key), dict)
    }
    for key in _NESTED:
        if isinstance(frame.get(key), list):
            changed[key] = [
                localise(item, language) if isinstance(item, dict) else item for item in frame[key]
            ]
    return {**frame, **changed} if changed else frame


def message_frame(message: ChatMessage) -> dict:
    attachment = None
    if message.attachment_id:
        attachment = {
            "id": message.attachment_id,
            "name": message.attachment.name,
            "size": message.attachment.size,
        }
    return {
        "type": "message",
        "chat": message.chat.key,
        "seq": message.seq,
        "author": message.kind,
        "name": author_name(message),
        "text": message.wording or message.text,
        "attachment": attachment,
        "client_id": message.client_id or None,
        "at": message.created_at.isoformat(),
    }


def status_frame(chat: Chat) -> dict:
    """The chat's state as its pages show it beside the lines: status, agent, department
    (with their ids, for the staff page's forms; the visitor's socket drops the agent's)."""
    return {
        "type": "status",
        "chat": chat.key,
        "status": chat.status,
        "agent": chat.agent.display_name if chat.agent_id else None,
        "agent_id": chat.agent_id,
        "department": department_names(chat),
        "department_id": chat.department_id,
        "survey": chat.survey_url or None,
    }


def chat_summary(chat: Chat) -> dict:
    return {
        "chat": chat.key,
        "id": chat.pk,
        "status": chat.status,
        "visitor": chat.visitor.name or chat.visitor.email or "",
        "department": department_names(chat),
        "agent": chat.agent.display_name if chat.agent_id else None,
        "started_at": chat.started_at.isoformat(),
        "last_seq": chat.last_seq,
    }


def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


# Inside a socket's database call the events go to the event loop instead, without waiting
# for it: the one database thread never stalls on the loop.
_collector = threading.local()


def publish(group: str, frame: dict, **extra) -> None:
    """Send `frame` to `group` once the current transaction commits (at once outside one).
    `extra` rides along for the consumers (join/leave instructions, the sender's channel)."""
    event = {"type": "chat.frame", "frame": frame, **extra}
    sink = getattr(_collector, "sink", None)
    if sink is not None:
        transaction.on_commit(partial(sink, group, event))
    else:
        transaction.on_commit(partial(_send, group, event))


class OrderedSink:
    """A socket's sink for `collecting`: the events it commits go out on `loop` one after
    another, in commit order. Sent as separate tasks they could overtake each other (on Redis
    each send is several round trips on a connection of its own), and a chat's status would
    reach the room before the line that came first."""

    def __init__(self, loop, layer):
        self.loop, self.layer = loop, layer
        self.queue: deque = deque()
        self.task = None

    def __call__(self, group: str, event: dict) -> None:
        # Called in the database thread, at commit.
        self.loop.call_soon_threadsafe(self._push, group, event)

    def _push(self, group: str, event: dict) -> None:
        self.queue.append((group, event))
        if self.task is None:
            self.task = self.loop.create_task(self._drain())
            # The loop holds tasks weakly: keep each until it is done.
            _sending.add(self.task)

    async def _drain(self) -> None:
        try:
            while self.queue:
                group, event = self.queue.popleft()
                try:
                    await self.layer.group_send(group, event)
                except Exception:
                    # One lost broadcast: the receivers fill the gap from the database.
                    logger.exception("chat broadcast to %s failed", group)
        finally:
            _sending.discard(self.task)
            self.task = None


_sending: set = set()


def collecting(function, /, sink, **kwargs):
    """Run `function(**kwargs)` with its published events handed to `sink` on commit."""
    _collector.sink = sink
    try:
        return function(**kwargs)
    finally:
        _collector.sink = None


def publish_message(message: ChatMessage) -> None:
    chat = message.chat
    frame = message_frame(message)
    if message.is_public:
        publish(chat_group(chat), frame)
    else:
        publish(staff_group(chat), frame)


def publish_live(chat: Chat) -> None:
    publish(live_group(chat.tenant_id), {"type": "live", **chat_summary(chat)})
