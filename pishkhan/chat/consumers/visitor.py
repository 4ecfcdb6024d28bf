"""The visitor's socket, `/ws/chat/visitor/` on the tenant's host, opened by the widget.

The page's Origin must be the tenant's own host or one of its allowed origins. The first
frame is `hello` (who the visitor is, the chat they had, the last seq they saw); `welcome`
answers, followed by every message after that seq. Then `start`, `message` (acknowledged with
its seq only once stored), `typing`, `read` and `end`."""

from django.utils.translation import gettext_noop

from pishkhan.chat import realtime, selectors, services
from pishkhan.chat.consumers.base import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, ChatSocket
from pishkhan.chat.models import AuthorKind, ChatStatus


def _origin(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            return value.decode("latin-1")
    return ""


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class VisitorConsumer(ChatSocket):
    async def connect(self):
        if self.tenant is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not await self.db(self._allowed):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.visitor = None
        self.chat = None
        await self.accept()

    def _allowed(self) -> bool:
        from pishkhan.chat.widget.origins import origin_allowed

        settings = selectors.chat_settings_get(tenant=self.tenant)
        return settings.enabled and origin_allowed(tenant=self.tenant, origin=_origin(self.scope))

    def handlers(self) -> dict:
        if self.visitor is None:
            return {"hello": self.on_hello, "ping": self.on_ping}
        return {
            "hello": self.on_hello,
            "ping": self.on_ping,
            "start": self.on_start,
            "message": self.on_message,
            "typing": self.on_typing,
            "read": self.on_read,
            "end": self.on_end,
        }

    def shape(self, frame: dict) -> dict:
        if "agent_id" in frame:
            # Which staff account holds the chat is the workspace's business.
            frame = {key: value for key, value in frame.items() if key != "agent_id"}
        survey = frame.get("survey")
        if isinstance(survey, str) and survey.startswith("/"):
            # The widget runs on the customer's site: the link must name our host.
            scheme = "https" if self.scope.get("scheme") == "wss" else "http"
            frame = {**frame, "survey": f"{scheme}://{self.scope['host']}{survey}"}
        return frame

    async def on_hello(self, content):
        visitor, chat, online = await self.db(self._hello, content)
        if self.chat is not None and (chat is None or chat.pk != self.chat.pk):
            await self.leave(realtime.chat_group(self.chat))
        self.visitor, self.chat = visitor, chat
        if chat is not None:
            await self.join(realtime.chat_group(chat))
        await self.send_json(
            self.shape(
                {
                    "type": "welcome",
                    "visitor": visitor.key,
                    "chat": chat.key if chat else None,
                    "status": chat.status if chat else "none",
                    "online": online,
                    "agent": chat.agent.display_name if chat and chat.agent_id else None,
                    "survey": chat.survey_url or None if chat else None,
                    "greeting": self.greeting,
                }
            )
        )
        if chat is not None:
            after = _int_or_none(content.get("after")) or 0
            self.seen[chat.key] = max(0, after)
            await self.catch_up(chat)

    def _hello(self, content):
        visitor = services.visitor_identify(
            tenant=self.tenant,
            key=content.get("visitor") if isinstance(content.get("visitor"), str) else None,
            name=content.get("name") or "",
            email=content.get("email") or "",
            phone=content.get("phone") or "",
            language=content.get("language") or "",
        )
        chat = None
        key = content.get("chat")
        if isinstance(key, str):
            found = selectors.chat_get_by_key(tenant=self.tenant, key=key)
            # A chat key only opens the chat of the visitor who holds it.
            if found is not None and found.visitor_id == visitor.pk:
                chat = found
        if chat is None:
            chat = selectors.chat_current_for_visitor(tenant=self.tenant, visitor=visitor)
        department = _int_or_none(content.get("department"))
        if department is None and chat is not None:
            department = chat.department_id
        settings = selectors.chat_settings_get(tenant=self.tenant)
        # The widget's language, as `hello` gave it (the visitor's, kept on them).
        self.language = visitor.language
        self.greeting = settings.greeting(visitor.language)
        online = services.agents_available(tenant=self.tenant, department=department)
        return visitor, chat, online

    async def on_start(self, content):
        chat = await self.call(
            services.chat_start,
            tenant=self.tenant,
            visitor=self.visitor,
            text=content.get("text") or "",
            department=content.get("department"),
            client_id=content.get("client_id"),
        )
        self.chat = chat
        await self.join(realtime.chat_group(chat))
        # The offer went out when the chat committed, before this socket joined the chat's
        # group: an agent quick to accept sends "active" to a group the socket was not yet in.
        # So the status is read after the join (with the lines to catch up on): whatever
        # changes later reaches the group.
        current, frames = await self.db(self._started, chat, self.seen.get(chat.key, 0))
        self.chat.status = current.status
        await self.send_json(
            {
                "type": "status",
                "chat": current.key,
                "status": current.status,
                "agent": current.agent.display_name if current.agent_id else None,
                "survey": None,
            }
        )
        for frame in frames:
            await self.forward(frame)

    def _started(self, chat, after: int):
        """The chat as it is now (its agent loaded), and its lines after `after`."""
        current = selectors.chat_get_by_key(tenant=self.tenant, key=chat.key) or chat
        return current, self._frames(current, after)

    async def _live_chat(self):
        if self.chat is None:
            from pishkhan.chat.services import ChatError

            raise ChatError("no_chat", gettext_noop("Start a chat first."))
        return self.chat

    async def on_message(self, content):
        chat = await self._live_chat()
        message, _created = await self.call(
            services.message_post,
            tenant=self.tenant,
            chat=chat,
            kind=AuthorKind.VISITOR,
            text=content.get("text") or "",
            client_id=content.get("client_id"),
            attachment_id=content.get("attachment"),
        )
        # Stored and committed: only now may the widget forget it.
        await self.send_json(
            {"type": "ack", "client_id": message.client_id or None, "seq": message.seq}
        )

    async def on_typing(self, content):
        chat = await self._live_chat()
        if chat.status != ChatStatus.ENDED:
            await self.channel_layer.group_send(
                realtime.chat_group(chat),
                {
                    "type": "chat.frame",
                    "frame": {"type": "typing", "chat": chat.key, "author": "visitor"},
                    "skip": self.channel_name,
                },
            )

    async def on_read(self, content):
        chat = await self._live_chat()
        await self.call(
            services.chat_read, tenant=self.tenant, chat=chat, by="visitor", seq=content.get("seq")
        )

    async def on_end(self, content):
        chat = await self._live_chat()
        await self.call(services.chat_end, tenant=self.tenant, chat=chat, by="visitor")

    async def on_frame(self, frame: dict):
        if frame.get("type") == "read" and frame.get("by") == "visitor":
            return
        if frame.get("type") == "status" and self.chat is not None:
            self.chat.status = frame.get("status", self.chat.status)
        await self.forward(frame)
