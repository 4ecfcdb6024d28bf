"""Staff sockets on the tenant's host, with the staff session of that host.

`/ws/chat/agent/`: the agent's desk. On connect the agent is online and hears `ready` (their
chats and pending offers); the client sends `ping` every 30 seconds (a seat not heard from for
two minutes is not offered chats: its server may have died without closing the socket). Then
`offer`, `offer_withdrawn`, `assigned`, `unassigned` and every frame of their chats. Frames in:
`presence` {status}, `accept`/`decline` {chat}, `message` {chat, kind reply|note, client_id,
text}, `typing`/`read` {chat[, seq]}, `transfer` {chat, agent|department}, `end` {chat},
`resume` {chat, after}.

`/ws/chat/supervisor/` (owner, admin, supervisor): hears `live` updates of every chat;
`watch` {chat, after} follows one read-only with notes and whispers, `unwatch` {chat} stops,
`whisper` {chat, text, client_id} speaks to its agent only. Supervisors are not offered chats
from this socket."""

from urllib.parse import parse_qs

from django.conf import settings
from django.utils.translation import gettext_noop

from pishkhan.accounts.middleware import SESSION_TENANT_KEY, reader_language
from pishkhan.chat import realtime, selectors, services
from pishkhan.chat.consumers.base import CLOSE_NOT_FOUND, ChatSocket
from pishkhan.chat.models import AuthorKind, ChatStatus
from pishkhan.chat.services import ChatError
from pishkhan.core import clock
from pishkhan.tenancy.permissions import staff_membership

KINDS = {"reply": AuthorKind.AGENT, "note": AuthorKind.NOTE}


def _language(scope, *, user, tenant) -> str:
    """The language of the page that opened the socket (`?language=`), so that what the page
    shows and what it is sent agree even if the user changed their language since the page
    was loaded; else the user's, as their pages choose it."""
    asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("language", [""])[-1]
    if asked in dict(settings.LANGUAGES):
        return asked
    return reader_language(user=user, cookies=scope.get("cookies") or {}, tenant=tenant)


class StaffConsumer(ChatSocket):
    staff = True
    supervisor_socket = False

    async def connect(self):
        self.user = None
        self.known = {}
        self.is_supervisor = False
        if self.tenant is None or not await self.db(self._authorise):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        await self.join(realtime.agent_group(self.tenant.pk, self.user.pk))
        if self.supervisor_socket:
            await self.join(realtime.live_group(self.tenant.pk))
            live = await self.db(self._live)
            await self.send_json({"type": "ready", "live": live})
            return
        chats, offers, seat = await self.call(self._arrive)
        for chat in chats:
            await self.join(realtime.chat_group(chat), realtime.staff_group(chat))
            self.seen[chat.key] = chat.last_seq
            self.known[chat.key] = chat
        await self.send_json(
            {
                "type": "ready",
                "presence": seat.status,
                "chats": [realtime.chat_summary(c) for c in chats],
                "offers": offers,
            }
        )

    def _authorise(self) -> bool:
        """A staff member of this tenant whose session was opened on this tenant's host
        (a cookie carried to another tenant's host is nobody there)."""
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or session is None:
            return False
        if session.get(SESSION_TENANT_KEY) != self.tenant.pk:
            return False
        membership = staff_membership(tenant=self.tenant, user=user)
        if membership is None or not membership.can_write:
            return False
        self.user = user
        self.language = _language(self.scope, user=user, tenant=self.tenant)
        self.is_supervisor = selectors.is_supervisor(tenant=self.tenant, user=user)
        return self.is_supervisor or not self.supervisor_socket

    def _arrive(self):
        seat = services.agent_connected(tenant=self.tenant, user=self.user)
        chats = list(selectors.chat_list_for_agent(tenant=self.tenant, agent=self.user))
        return chats, self._offers(), seat

    def _offers(self) -> list[dict]:
        now = clock.now()
        return [
            {
                "type": "offer",
                "chat": chat.key,
                "id": chat.pk,
                "visitor": chat.visitor.name or chat.visitor.email,
                "department": realtime.department_names(chat),
                "expires_in": max(0, int((chat.offer_expires_at - now).total_seconds()))
                if chat.offer_expires_at
                else 0,
            }
            for chat in selectors.chat_list_live(tenant=self.tenant).filter(
                offered_to=self.user, status=ChatStatus.WAITING
            )
        ]

    def _live(self):
        return [realtime.chat_summary(c) for c in selectors.chat_list_live(tenant=self.tenant)]

    async def disconnect(self, code):
        await super().disconnect(code)
        if self.user is not None and not self.supervisor_socket:
            await self.call(services.agent_disconnected, tenant=self.tenant, user=self.user)

    def handlers(self) -> dict:
        common = {
            "ping": self.on_ping,
            "message": self.on_message,
            "typing": self.on_typing,
            "read": self.on_read,
            "transfer": self.on_transfer,
            "end": self.on_end,
            "resume": self.on_resume,
        }
        if not self.supervisor_socket:
            common.update(presence=self.on_presence, accept=self.on_accept, decline=self.on_decline)
        if self.is_supervisor:
            common.update(watch=self.on_watch, unwatch=self.on_unwatch, whisper=self.on_whisper)
        return common

    # --- helpers ----------------------------------------------------------------------------

    async def _chat(self, content, *, mine: bool = False, fresh: bool = True):
        """The chat the frame names, in this tenant. `fresh=False` may answer from what this
        socket loaded before: for a line, whose service checks the chat again under its lock
        (still this agent's, not ended), that saves a query per line."""
        key = content.get("chat")
        chat = None if fresh or not isinstance(key, str) else self.known.get(key)
        if chat is not None and mine and chat.agent_id != self.user.pk:
            chat = None  # passed to this agent since it was loaded, perhaps: look again
        if chat is None:
            chat = await self.db(selectors.chat_get_by_key, tenant=self.tenant, key=key)
            if chat is not None:
                self.known[chat.key] = chat
        if chat is None:
            raise ChatError("not_found", gettext_noop("Not found."))
        if mine and chat.agent_id != self.user.pk and not self.is_supervisor:
            # Another agent's chat is, to this socket, no chat at all.
            raise ChatError("not_found", gettext_noop("Not found."))
        return chat

    # --- frames -----------------------------------------------------------------------------

    async def on_ping(self, content):
        offers = []
        if not self.supervisor_socket:
            await self.call(services.agent_seen, tenant=self.tenant, user=self.user)
            offers = await self.db(self._offers)
        await self.send_json({"type": "pong"})
        # Offers still waiting for this agent, again: a busy socket's queue may have dropped
        # one (the client shows an offer once however often it hears of it).
        for offer in offers:
            await self.send_json(offer)

    async def on_presence(self, content):
        seat = await self.call(
            services.agent_presence_set,
            tenant=self.tenant,
            user=self.user,
            status=content.get("status"),
        )
        await self.send_json({"type": "presence", "status": seat.status})

    async def on_accept(self, content):
        chat = await self._chat(content)
        try:
            chat = await self._accept(chat)
        except ChatError as error:
            if error.code == "capacity":
                # Full: the offer goes on to the next agent rather than waiting out its time.
                await self.call(
                    services.chat_decline, tenant=self.tenant, chat=chat, actor=self.user
                )
            raise
        # The copy kept for this socket's lines is the accepted one (ours), not the offer.
        self.known[chat.key] = chat
        await self.join(realtime.chat_group(chat), realtime.staff_group(chat))
        await self.catch_up(chat)

    async def _accept(self, chat):
        return await self.call(services.chat_accept, tenant=self.tenant, chat=chat, actor=self.user)

    async def on_decline(self, content):
        chat = await self._chat(content)
        await self.call(services.chat_decline, tenant=self.tenant, chat=chat, actor=self.user)

    async def on_message(self, content):
        chat = await self._chat(content, mine=True, fresh=False)
        kind = KINDS.get(content.get("kind") or "reply")
        if kind is None:
            raise ChatError("bad_request", gettext_noop("A message is a reply or a note."))
        message, _created = await self.call(
            services.message_post,
            tenant=self.tenant,
            chat=chat,
            kind=kind,
            text=content.get("text") or "",
            client_id=content.get("client_id"),
            actor=self.user,
        )
        await self.send_json(
            {
                "type": "ack",
                "chat": chat.key,
                "client_id": message.client_id or None,
                "seq": message.seq,
            }
        )

    async def on_whisper(self, content):
        chat = await self._chat(content)
        message, _created = await self.call(
            services.message_post,
            tenant=self.tenant,
            chat=chat,
            kind=AuthorKind.WHISPER,
            text=content.get("text") or "",
            client_id=content.get("client_id"),
            actor=self.user,
        )
        await self.send_json(
            {
                "type": "ack",
                "chat": chat.key,
                "client_id": message.client_id or None,
                "seq": message.seq,
            }
        )

    async def on_typing(self, content):
        chat = await self._chat(content, mine=True)
        if chat.agent_id == self.user.pk and chat.status == ChatStatus.ACTIVE:
            await self.channel_layer.group_send(
                realtime.chat_group(chat),
                {
                    "type": "chat.frame",
                    "frame": {"type": "typing", "chat": chat.key, "author": "agent"},
                    "skip": self.channel_name,
                },
            )

    async def on_read(self, content):
        chat = await self._chat(content, mine=True)
        if chat.agent_id == self.user.pk:
            await self.call(
                services.chat_read,
                tenant=self.tenant,
                chat=chat,
                by="agent",
                seq=content.get("seq"),
            )

    async def on_transfer(self, content):
        chat = await self._chat(content, mine=True)
        agent, department = content.get("agent"), content.get("department")
        await self.call(
            services.chat_transfer,
            tenant=self.tenant,
            chat=chat,
            actor=self.user,
            to_agent=agent if isinstance(agent, int) and not isinstance(agent, bool) else None,
            to_department=department
            if isinstance(department, int) and not isinstance(department, bool)
            else None,
        )

    async def on_end(self, content):
        chat = await self._chat(content, mine=True)
        await self.call(
            services.chat_end, tenant=self.tenant, chat=chat, by="agent", actor=self.user
        )

    async def on_resume(self, content):
        chat = await self._chat(content, mine=True)
        after = content.get("after")
        after = after if isinstance(after, int) and not isinstance(after, bool) else 0
        await self.join(realtime.chat_group(chat), realtime.staff_group(chat))
        self.seen[chat.key] = max(0, after)
        await self.catch_up(chat)
        # What changed while the page was away (ended, passed on) came as status frames it
        # did not hear: the chat as it is now, read after the join, so a later change still
        # reaches the page live.
        current = await self.db(selectors.chat_get_by_key, tenant=self.tenant, key=chat.key)
        if current is not None:
            await self.send_json(realtime.status_frame(current))

    async def on_watch(self, content):
        await self.on_resume(content)

    async def on_unwatch(self, content):
        chat = await self._chat(content)
        await self.leave(realtime.chat_group(chat), realtime.staff_group(chat))

    async def on_frame(self, frame: dict):
        if frame.get("type") == "assigned":
            # A chat became ours: send its story so far (the group was joined by the event).
            chat = await self.db(selectors.chat_get_by_key, tenant=self.tenant, key=frame["chat"])
            await self.send_json(frame)
            if chat is not None:
                await self.catch_up(chat)
            return
        if frame.get("type") == "read" and frame.get("by") == "agent":
            return
        await self.forward(frame)


class SupervisorConsumer(StaffConsumer):
    supervisor_socket = True
