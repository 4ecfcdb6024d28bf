"""Live chat's writes. Import from here; the modules are split by concern."""

from pishkhan.chat.services._common import ChatError
from pishkhan.chat.services.conversation import (
    chat_end,
    chat_read,
    chat_start,
    message_post,
    system_message_add,
)
from pishkhan.chat.services.handoff import (
    chat_attach_to_ticket,
    chat_convert_to_ticket,
    chat_transcript_email,
    transcript_text,
)
from pishkhan.chat.services.routing import (
    agent_connected,
    agent_disconnected,
    agent_presence_set,
    agent_seen,
    agents_available,
    chat_accept,
    chat_decline,
    chat_offers_sweep,
    chat_transfer,
    offer_expire,
    offer_next,
    queue_dispatch,
)
from pishkhan.chat.services.setup import chat_settings_update, seat_update
from pishkhan.chat.services.visitors import visitor_identify

__all__ = [
    "ChatError",
    "agent_connected",
    "agent_disconnected",
    "agent_presence_set",
    "agent_seen",
    "agents_available",
    "chat_accept",
    "chat_attach_to_ticket",
    "chat_convert_to_ticket",
    "chat_decline",
    "chat_end",
    "chat_offers_sweep",
    "chat_read",
    "chat_settings_update",
    "chat_start",
    "chat_transcript_email",
    "chat_transfer",
    "message_post",
    "offer_expire",
    "offer_next",
    "queue_dispatch",
    "seat_update",
    "system_message_add",
    "transcript_text",
    "visitor_identify",
]
