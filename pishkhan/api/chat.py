"""Live chat in the API: chats (list, search, detail with every line, the visitor's
transcript), turning a chat into a ticket, and the chat settings. Reading needs any member;
converting needs a role that may write; settings need the owner or an admin.

The conversation itself is live and runs over websockets (/ws/chat/…), not this API."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import not_found
from pishkhan.api.schemas import ErrorOut, Id, InputSchema, Out, PageQuery, field_names, paginate
from pishkhan.chat import selectors, services
from pishkhan.chat.models import Chat
from pishkhan.tenancy.permissions import require_admin, require_member
from pishkhan.tickets.models import Department

router = Router(tags=["chat"])

_READ_ERRORS = {403: ErrorOut, 404: ErrorOut}
_WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _member(request) -> None:
    require_member(tenant=request.tenant, user=request.auth.user)


def _chat(request, chat_id: int) -> Chat:
    chat = selectors.chat_get(tenant=request.tenant, pk=chat_id)
    if chat is None:
        raise not_found()
    return chat


class VisitorOut(Out):
    name: str
    email: str
    phone: str
    language: str
    customer_id: int | None


class ChatOut(Out):
    id: int
    status: str = Field(..., description="waiting, active or ended.")
    visitor: VisitorOut
    department_id: int | None
    agent_id: int | None
    agent_name: str | None
    started_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    ticket_number: int | None
    message_count: int


def _out(chat: Chat) -> dict:
    return {
        "id": chat.pk,
        "status": chat.status,
        "visitor": chat.visitor,
        "department_id": chat.department_id,
        "agent_id": chat.agent_id,
        "agent_name": chat.agent.display_name if chat.agent_id else None,
        "started_at": chat.started_at,
        "accepted_at": chat.accepted_at,
        "ended_at": chat.ended_at,
        "ticket_number": chat.ticket.number if chat.ticket_id else None,
        "message_count": chat.last_seq,
    }


class ChatMessageOut(Out):
    seq: int
    author: str = Field(..., description="visitor, agent, system, note or whisper.")
    name: str
    text: str
    attachment_id: int | None
    created_at: datetime


def _message(message) -> dict:
    if message.kind == "visitor":
        name = message.chat.visitor.name
    else:
        name = message.author_user.display_name if message.author_user else ""
    return {
        "seq": message.seq,
        "author": message.kind,
        "name": name,
        "text": message.text,
        "attachment_id": message.attachment_id,
        "created_at": message.created_at,
    }


class ChatDetailOut(ChatOut):
    messages: list[ChatMessageOut] = Field(..., description="Every line, notes and whispers too.")


class ChatPage(Out):
    items: list[ChatOut]
    count: int
    page: int
    page_size: int


class ChatQuery(PageQuery):
    status: Literal["waiting", "active", "ended"] | None = None
    agent_id: Id | None = None
    q: str = Field("", max_length=200, description="Words of the conversation, or the visitor.")


@router.get("/chats", response={200: ChatPage, 400: ErrorOut, 403: ErrorOut})
def chat_list(request, filters: Query[ChatQuery]):
    """Chats, the newest first."""
    _member(request)
    if filters.q.strip():
        chats = selectors.chat_search(tenant=request.tenant, query=filters.q)
    else:
        chats = selectors.chat_list(tenant=request.tenant, status=filters.status or "")
    if filters.status and filters.q.strip():
        chats = chats.filter(status=filters.status)
    if filters.agent_id is not None:
        chats = chats.filter(agent_id=filters.agent_id)
    items, envelope = paginate(
        chats.select_related("ticket"), page=filters.page, page_size=filters.page_size
    )
    return {"items": [_out(chat) for chat in items], **envelope}


@router.get("/chats/{int:chat_id}", response={200: ChatDetailOut, **_READ_ERRORS})
def chat_detail(request, chat_id: int):
    _member(request)
    chat = _chat(request, chat_id)
    lines = selectors.chat_messages(tenant=request.tenant, chat=chat, staff=True)
    return {**_out(chat), "messages": [_message(m) for m in lines]}


class TranscriptOut(Out):
    messages: list[ChatMessageOut] = Field(..., description="What the visitor saw, in order.")
    text: str = Field(..., description="The same as plain text, one line per message.")


@router.get("/chats/{int:chat_id}/transcript", response={200: TranscriptOut, **_READ_ERRORS})
def chat_transcript(request, chat_id: int):
    _member(request)
    chat = _chat(request, chat_id)
    lines = selectors.chat_transcript(tenant=request.tenant, chat=chat)
    return {
        "messages": [_message(m) for m in lines],
        "text": services.transcript_text(tenant=request.tenant, chat=chat),
    }


class ConvertIn(InputSchema):
    department_id: Id | None = Field(None, description="Empty: the chat's department.")
    subject: str = Field("", max_length=200)
    fields: dict[str, str] = Field(default_factory=dict, description="The department's fields.")


class ConvertOut(Out):
    ticket_number: int
    chat_id: int


@router.post("/chats/{int:chat_id}/convert", response={201: ConvertOut, **_WRITE_ERRORS})
def chat_convert(request, chat_id: int, payload: ConvertIn):
    """Open a ticket for the visitor, the whole transcript as its request."""
    _member(request)
    chat = _chat(request, chat_id)
    department = None
    if payload.department_id is not None:
        department = (
            Department.objects.for_tenant(request.tenant)
            .filter(pk=payload.department_id, is_active=True)
            .first()
        )
        if department is None:
            raise not_found("department_id")
    with field_names(department="department_id"):
        ticket = services.chat_convert_to_ticket(
            tenant=request.tenant,
            chat=chat,
            actor=request.auth.user,
            department=department,
            subject=payload.subject,
            fields=payload.fields,
        )
    return HttpStatus(201, {"ticket_number": ticket.number, "chat_id": chat.pk})


class SettingsOut(Out):
    enabled: bool
    allowed_origins: list[str]
    greeting_fa: str
    greeting_en: str
    offer_seconds: int
    default_capacity: int
    default_department_id: int | None


class SettingsPatch(InputSchema):
    enabled: bool = None
    allowed_origins: list[str] = Field(None, max_length=50)
    greeting_fa: str = Field(None, max_length=300)
    greeting_en: str = Field(None, max_length=300)
    offer_seconds: int = Field(None, ge=5, le=600)
    default_capacity: int = Field(None, ge=1, le=50)
    default_department_id: Id | None = None


def _settings_out(current) -> dict:
    return {
        "enabled": current.enabled,
        "allowed_origins": current.allowed_origins,
        "greeting_fa": current.greeting_fa,
        "greeting_en": current.greeting_en,
        "offer_seconds": current.offer_seconds,
        "default_capacity": current.default_capacity,
        "default_department_id": current.default_department_id,
    }


@router.get("/chat-settings", response={200: SettingsOut, 403: ErrorOut})
def chat_settings_detail(request):
    _member(request)
    return _settings_out(selectors.chat_settings_get(tenant=request.tenant))


@router.patch("/chat-settings", response={200: SettingsOut, **_WRITE_ERRORS})
def chat_settings_change(request, payload: SettingsPatch):
    require_admin(tenant=request.tenant, user=request.auth.user)
    values = payload.model_dump(exclude_unset=True)
    if "default_department_id" in values:
        department_id = values.pop("default_department_id")
        if department_id is not None and not (
            Department.objects.for_tenant(request.tenant).filter(pk=department_id).exists()
        ):
            raise not_found("default_department_id")
        values["default_department"] = department_id
    with field_names(default_department="default_department_id"):
        current = services.chat_settings_update(
            tenant=request.tenant, actor=request.auth.user, via="api", **values
        )
    return _settings_out(current)
