"""What every chat socket shares: frames from the channel layer (with join/leave orders and
de-duplication by seq), errors in both languages, and replaying missed messages.

Consumers do no database work themselves: they call services and selectors on the socket's
database lane (`chat.db`). A message is acknowledged only after the service that stored it has
returned, i.e. after its transaction committed."""

import asyncio
import json
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pishkhan.chat import db, realtime
from pishkhan.chat.selectors import chat_messages, chat_messages_between
from pishkhan.chat.services import ChatError

logger = logging.getLogger(__name__)
# Close codes: the HTTP side's 404 and 403 in the range the websocket spec leaves to
# applications.
CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403
FRAME_MAX = 20_000


def _both(message_en: str) -> tuple[str, str]:
    with translation.override("fa"):
        fa = _(message_en)
    with translation.override("en"):
        en = _(message_en)
    return fa, en


class ChatSocket(AsyncJsonWebsocketConsumer):
    # Replaying staff-only lines (notes, whispers) is for staff sockets.
    staff = False

    async def websocket_connect(self, message):
        self.tenant = self.scope.get("tenant")
        # The reader's language: what they read in it (a department's name, a system line)
        # reaches them in it (`realtime.localise`). Each socket sets it once it knows.
        self.language = getattr(self.tenant, "default_language", None) or settings.LANGUAGE_CODE
        # The highest seq sent per chat key: a frame at or below it is a repeat (a replay and
        # the live broadcast can carry the same message) and is dropped.
        self.seen: dict[str, int] = {}
        self.groups_joined: set[str] = set()
        # What this socket's services publish, sent in the order they committed.
        self.sink = None
        await super().websocket_connect(message)

    async def dispatch(self, message):
        # Channels closes the stale database connections of its shared sync thread before
        # every handler: a hop to that thread and back for each frame in and each frame heard.
        # These sockets use no connection of that thread (their database work runs on the
        # lanes, which look after their own), so the handler is called directly.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > FRAME_MAX:
            await self.send_error("bad_request", gettext_noop("Send JSON text frames."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("bad_request", gettext_noop("Send JSON text frames."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("bad_request", gettext_noop("Every frame needs a type."))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        handler = self.handlers().get(content["type"])
        if handler is None:
            await self.send_error("bad_request", gettext_noop("Unknown frame type."))
            return
        try:
            await handler(content)
        except ChatError as error:
            await self.send_error(error.code, error.message_en, ref=content)
        except ValidationError as error:
            fields = getattr(error, "message_dict", None) or {}
            await self.send_error(
                "invalid",
                gettext_noop("Please correct the marked fields."),
                ref=content,
                fields=fields,
            )
        except PermissionDenied:
            await self.send_error("not_found", gettext_noop("Not found."), ref=content)
        except Exception:
            # Nothing was acknowledged: the client keeps the message and resends it with the
            # same client_id, which stores it once.
            logger.exception("chat frame %s failed", content.get("type"))
            await self.send_error(
                "server_error", gettext_noop("Something went wrong; please try again."), ref=content
            )

    def handlers(self) -> dict:
        return {"ping": self.on_ping}

    async def on_ping(self, content):
        await self.send_json({"type": "pong"})

    async def send_error(self, code: str, message_en: str, *, ref=None, fields=None):
        fa, en = _both(message_en)
        frame = {"type": "error", "code": code, "message_fa": fa, "message_en": en}
        if fields:
            frame["fields"] = fields
        if ref and ref.get("client_id"):
            frame["client_id"] = ref["client_id"]
        await self.send_json(frame)

    async def send_json(self, content, close=False):
        await super().send_json(realtime.localise(content, self.language), close=close)

    def db(self, function, /, *args, **kwargs):
        """Await `function` on this socket's database lane."""
        return db.run_in_lane(self.channel_name, function, *args, **kwargs)

    async def call(self, function, **kwargs):
        """A service in the database thread; what it publishes goes out from this loop once
        its transaction has committed."""
        if self.sink is None:
            self.sink = realtime.OrderedSink(asyncio.get_running_loop(), self.channel_layer)
        return await self.db(realtime.collecting, function, self.sink, **kwargs)

    async def join(self, *groups: str):
        for group in groups:
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.add(group)

    async def leave(self, *groups: str):
        for group in groups:
            if group in self.groups_joined:
                await self.channel_layer.group_discard(group, self.channel_name)
                self.groups_joined.discard(group)

    async def disconnect(self, code):
        for group in list(self.groups_joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.clear()

    async def catch_up(self, chat, after: int | None = None):
        """Send the chat's messages after `after` (default: after the last one sent here),
        in order, each once."""
        start = self.seen.get(chat.key, 0) if after is None else after
        messages = await self.db(self._frames, chat, start)
        for frame in messages:
            await self.forward(frame)

    def _frames(self, chat, after):
        frames = []
        for message in chat_messages(tenant=self.tenant, chat=chat, after=after, staff=self.staff):
            # The chat (with its visitor) is at hand: not one query per line for the name.
            message.chat = chat
            frames.append(self.shape(realtime.message_frame(message)))
        return frames

    def shape(self, frame: dict) -> dict:
        """A frame as this side sees it (the visitor's widget needs no chat keys...)."""
        return frame

    async def forward(self, frame: dict):
        if frame.get("type") == "message":
            key = frame.get("chat")
            seen = self.seen.get(key, 0)
            if frame["seq"] <= seen:
                return
            if frame["seq"] > seen + 1:
                # Lines between may have been dropped on the way (a channel layer drops what
                # waits too long in a busy socket's queue): the database has them. For a
                # visitor the gap is usually a staff note, and the query finds nothing.
                missing = await self.db(self._between, key, seen, frame["seq"])
                for earlier in missing:
                    await self.send_json(earlier)
            self.seen[key] = frame["seq"]
        await self.send_json(self.shape(frame))

    def _between(self, key: str, after: int, before: int) -> list[dict]:
        return [
            self.shape(realtime.message_frame(m))
            for m in chat_messages_between(
                tenant=self.tenant, chat_key=key, after=after, before=before, staff=self.staff
            )
        ]

    async def chat_frame(self, event):
        """A frame from the channel layer; `join`/`leave` move this socket between groups
        (an agent given a chat starts hearing it), `skip` is the channel that caused it."""
        for group in event.get("leave", ()):
            await self.leave(group)
        for group in event.get("join", ()):
            await self.join(group)
        if event.get("skip") == self.channel_name:
            return
        await self.on_frame(event["frame"])

    async def on_frame(self, frame: dict):
        await self.forward(frame)
