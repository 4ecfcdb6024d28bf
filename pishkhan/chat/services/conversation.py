"""A chat's lines: starting a chat, posting (with per-chat seq and client_id de-duplication),
read state, and the end (with its satisfaction survey). Files are stored by the widget's upload
endpoint; a message names one by id."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from pishkhan.chat import realtime
from pishkhan.chat.models import (
    AuthorKind,
    Chat,
    ChatAttachment,
    ChatMessage,
    ChatStatus,
    Visitor,
)
from pishkhan.chat.selectors import (
    chat_current_for_visitor,
    chat_settings_get,
    is_supervisor,
)
from pishkhan.chat.services import one_statement
from pishkhan.chat.services._common import ChatError, clean_client_id, clean_text, locked
from pishkhan.chat.services.routing import (
    _offer_locked,
    _unassign,
    agents_available,
    queue_dispatch,
    require_handler,
    system_line,
)
from pishkhan.core import clock
from pishkhan.counters import increment_returning
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import is_staff_user, require_writer, writer_sql
from pishkhan.tickets.models import Department

logger = logging.getLogger(__name__)


def _department(*, tenant: Tenant, value, settings):
    if value in (None, ""):
        return settings.default_department
    if isinstance(value, bool) or not isinstance(value, int):
        raise ChatError("bad_department", gettext_noop("No such department."))
    found = Department.objects.for_tenant(tenant).filter(pk=value, is_active=True).first()
    if found is None:
        raise ChatError("bad_department", gettext_noop("No such department."))
    return found


@transaction.atomic
def chat_start(
    *, tenant: Tenant, visitor: Visitor, text: str = "", department=None, client_id=""
) -> Chat:
    """The visitor opens a chat: it joins its department's queue and is offered. A visitor
    with a chat still going on gets that one back (a double click opens one chat)."""
    if visitor.tenant_id != tenant.pk:
        raise ChatError("not_found", gettext_noop("Not found."))
    settings = chat_settings_get(tenant=tenant)
    if not settings.enabled:
        raise ChatError("disabled", gettext_noop("Chat is switched off here."))
    current = chat_current_for_visitor(tenant=tenant, visitor=visitor)
    if current is not None:
        return current
    department = _department(tenant=tenant, value=department, settings=settings)
    if not agents_available(tenant=tenant, department=department):
        raise ChatError(
            "offline", gettext_noop("No one can answer right now; please leave a message.")
        )
    text = clean_text(text, required=False) if text else ""
    chat = Chat.objects.create(
        tenant=tenant, visitor=visitor, department=department, started_at=clock.now()
    )
    if text:
        _append(
            tenant=tenant,
            chat=chat,
            kind=AuthorKind.VISITOR,
            text=text,
            client_id=clean_client_id(client_id),
        )
    chat = locked(chat, tenant=tenant)
    _offer_locked(tenant=tenant, chat=chat)
    realtime.publish_live(chat)
    return chat


def _append(
    *,
    tenant: Tenant,
    chat: Chat,
    kind: str,
    text: str,
    client_id: str = "",
    user=None,
    attachment=None,
    wording=None,
) -> ChatMessage:
    """Number and store one line of a locked chat, and tell the room once it commits."""
    chat.last_seq += 1
    message = ChatMessage.objects.create(
        tenant=tenant,
        chat=chat,
        seq=chat.last_seq,
        kind=kind,
        author_user=user,
        client_id=client_id,
        text=text,
        wording=wording,
        attachment=attachment,
        created_at=clock.now(),
    )
    Chat.objects.filter(pk=chat.pk).update(last_seq=chat.last_seq)
    message.chat = chat
    realtime.publish_message(message)
    return message


def system_message_add(*, tenant: Tenant, chat: Chat, wording: dict[str, str]) -> ChatMessage:
    """A line from nobody ("… joined the chat") in every language (`system_line`), stored in
    the visitor's as its text; the caller holds the chat's lock."""
    text = wording.get(chat.visitor.language) or next(iter(wording.values()))
    return _append(tenant=tenant, chat=chat, kind=AuthorKind.SYSTEM, text=text, wording=wording)


def _existing(*, tenant: Tenant, chat: Chat, client_id: str) -> ChatMessage | None:
    if not client_id:
        return None
    return (
        ChatMessage.objects.for_tenant(tenant)
        .filter(chat=chat, client_id=client_id)
        .select_related("chat__visitor", "author_user", "attachment")
        .first()
    )


def message_post(
    *,
    tenant: Tenant,
    chat: Chat,
    kind: str,
    text: str = "",
    client_id=None,
    actor=None,
    attachment_id=None,
) -> tuple[ChatMessage, bool]:
    """Store one line and return it with whether it is new. A `client_id` seen before returns
    the first message with that id and stores nothing (the client resent because it missed the
    acknowledgement). Visitors write `visitor`; the chat's agent writes `agent`; the agent or a
    supervisor writes `note`; a supervisor writes `whisper`."""
    client_id = clean_client_id(client_id)
    text = clean_text(text, required=attachment_id is None) if text or not attachment_id else ""
    # A resend is caught by the unique (chat, client_id) constraint rather than looked for
    # first: a look-up would cost every new line one more query.
    try:
        if one_statement.available(kind=kind, attachment_id=attachment_id, actor=actor):
            message = one_statement.post_line(
                tenant=tenant,
                chat=chat,
                kind=kind,
                text=text,
                client_id=client_id,
                actor=actor if kind != AuthorKind.VISITOR else None,
            )
            if message is not None:
                realtime.publish_message(message)
                return message, True
            # Refused as it stands: the checked path says why (or stores it, if the chat
            # changed in between).
        return _post(
            tenant=tenant,
            chat=chat,
            kind=kind,
            text=text,
            client_id=client_id,
            actor=actor,
            attachment_id=attachment_id,
        )
    except IntegrityError:
        # Sent before (the client missed the acknowledgement), perhaps by two sockets at once.
        found = _existing(tenant=tenant, chat=chat, client_id=client_id)
        if found is None:
            raise
        return found, False
    except ChatError as refusal:
        # A line stored before the chat ended, resent after: the same line, acknowledged.
        found = (
            _existing(tenant=tenant, chat=chat, client_id=client_id)
            if refusal.code == "ended"
            else None
        )
        if found is None:
            raise
        return found, False


def _next_seq(*, tenant: Tenant, chat: Chat, writer=None):
    """Number the chat's next line in one statement that locks the chat row until commit, as
    `locked` does, so two writers never get one seq, and return what the checks need: (seq,
    status, agent id) as they are now, and with `writer` whether that user may write here.
    None when the chat is not this tenant's."""
    return increment_returning(
        Chat,
        "last_seq",
        where={"id": chat.pk, "tenant": tenant.pk},
        returning=("status", "agent"),
        also=writer_sql(tenant=tenant, user=writer) if writer is not None else None,
    )


@transaction.atomic
def _post(*, tenant, chat, kind, text, client_id, actor, attachment_id) -> tuple[ChatMessage, bool]:
    # The hot path of a conversation: three statements (number, insert, commit), no join. An
    # agent's seat is checked by the numbering statement itself.
    staff_line = kind == AuthorKind.AGENT and is_staff_user(actor)
    numbered = _next_seq(tenant=tenant, chat=chat, writer=actor if staff_line else None)
    if numbered is None:
        raise ChatError("not_found", gettext_noop("Not found."))
    # The caller's copy learns the chat's state as it is under the lock.
    chat.last_seq, chat.status, chat.agent_id = numbered[:3]
    if chat.status == ChatStatus.ENDED:
        raise ChatError("ended", gettext_noop("This chat has ended."))
    if kind == AuthorKind.VISITOR:
        actor = None
    elif kind == AuthorKind.AGENT:
        if not (staff_line and numbered[3]):
            # Says why (not staff here, or read-only); the seat may also have changed between
            # the two reads, hence the last resort.
            require_writer(tenant=tenant, user=actor)
            raise PermissionDenied(_("Your role is read-only."))
        if chat.agent_id != actor.pk:
            raise ChatError("not_yours", gettext_noop("This chat is not yours."))
    elif kind == AuthorKind.NOTE:
        require_handler(tenant=tenant, chat=chat, actor=actor)
    elif kind == AuthorKind.WHISPER:
        if not is_supervisor(tenant=tenant, user=actor):
            raise ChatError("forbidden", gettext_noop("Only a supervisor may whisper."))
    else:
        raise ChatError("bad_request", gettext_noop("Unknown kind of message."))
    attachment = None
    if attachment_id is not None:
        attachment = (
            ChatAttachment.objects.for_tenant(tenant).filter(chat=chat, pk=attachment_id).first()
            if isinstance(attachment_id, int) and not isinstance(attachment_id, bool)
            else None
        )
        if attachment is None:
            raise ChatError("bad_attachment", gettext_noop("No such file in this chat."))
    message = ChatMessage.objects.create(
        tenant=tenant,
        chat=chat,
        seq=chat.last_seq,
        kind=kind,
        author_user=actor,
        client_id=client_id,
        text=text,
        attachment=attachment,
        created_at=clock.now(),
    )
    realtime.publish_message(message)
    return message, True


@transaction.atomic
def chat_read(*, tenant: Tenant, chat: Chat, by: str, seq) -> Chat:
    """One side has seen everything up to `seq` (never moves back)."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ChatError("bad_request", gettext_noop("Give the number of a message."))
    chat = locked(chat, tenant=tenant)
    field = "visitor_read_seq" if by == "visitor" else "agent_read_seq"
    seq = min(seq, chat.last_seq)
    if seq > getattr(chat, field):
        setattr(chat, field, seq)
        chat.save(update_fields=[field])
        realtime.publish(
            realtime.chat_group(chat),
            {
                "type": "read",
                "chat": chat.key,
                "by": "visitor" if by == "visitor" else "agent",
                "seq": seq,
            },
        )
    return chat


def _survey(*, tenant: Tenant, chat: Chat) -> str:
    """Ask for a rating (quality's survey) and return its link; a chat ends even if that
    fails."""
    try:
        from pishkhan.quality.services import survey_request
    except ImportError:
        return ""
    try:
        with transaction.atomic():
            survey = survey_request(
                tenant=tenant,
                subject_kind="chat",
                subject_id=chat.pk,
                customer_email=chat.visitor.email,
                language=chat.visitor.language,
            )
    except Exception:  # noqa: BLE001 - the survey is a courtesy; ending must not fail on it
        logger.exception("survey request failed for chat %s", chat.pk)
        return ""
    url = getattr(survey, "url", None)
    if callable(url):
        url = url()
    if not url and getattr(survey, "token", None):
        url = f"/survey/{survey.token}/"
    return str(url or "")[:300]


@transaction.atomic
def chat_end(*, tenant: Tenant, chat: Chat, by: str, actor=None) -> Chat:
    """End the chat (the visitor, its agent or a supervisor); ending twice changes nothing."""
    chat = locked(chat, tenant=tenant)
    if chat.status == ChatStatus.ENDED:
        return chat
    if by != "visitor":
        require_handler(tenant=tenant, chat=chat, actor=actor)
    previous_agent = chat.agent_id
    previous_offer = chat.offered_to_id
    chat.status = ChatStatus.ENDED
    chat.ended_at = clock.now()
    chat.ended_by = "visitor" if by == "visitor" else "agent"
    chat.offered_to = None
    chat.offer_expires_at = None
    system_message_add(
        tenant=tenant,
        chat=chat,
        wording=system_line(
            gettext_lazy("The visitor ended the chat.")
            if by == "visitor"
            else gettext_lazy("%(name)s ended the chat."),
            name=actor.display_name if actor is not None else "",
        ),
    )
    chat.survey_url = _survey(tenant=tenant, chat=chat)
    chat.save()
    realtime.publish(realtime.chat_group(chat), realtime.status_frame(chat))
    if previous_agent:
        _unassign(tenant=tenant, chat=chat, user_id=previous_agent)
    if previous_offer:
        realtime.publish(
            realtime.agent_group(tenant.pk, previous_offer),
            {"type": "offer_withdrawn", "chat": chat.key},
        )
    realtime.publish_live(chat)
    # A seat was freed: the queue moves.
    transaction.on_commit(lambda: queue_dispatch(tenant=tenant))
    return chat
