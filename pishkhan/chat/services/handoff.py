"""A chat leaves the chat world: into a ticket (through the one intake path, whole
transcript included), onto an existing ticket of the same customer as a note, or into the
visitor's mailbox."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from pishkhan.chat.models import Chat
from pishkhan.chat.selectors import chat_transcript
from pishkhan.core import clock
from pishkhan.core.jalali import format_datetime
from pishkhan.outbox.services import mail_send
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.tickets.models import Channel, Department, Ticket
from pishkhan.tickets.services import ticket_add_note, ticket_submit, ticket_submit_for_contact
from pishkhan.trust.services import audit_record

SUBJECT_MAX = 200


def transcript_text(*, tenant: Tenant, chat: Chat) -> str:
    """The conversation as plain text, one line per message, in the visitor's language."""
    lines = []
    with translation.override(chat.visitor.language):
        for message in chat_transcript(tenant=tenant, chat=chat):
            if message.kind == "visitor":
                who = chat.visitor.name or _("Visitor")
            elif message.kind == "agent":
                who = message.author_user.display_name if message.author_user else _("Agent")
            else:
                who = "—"
            when = format_datetime(
                message.created_at, language=chat.visitor.language, tz=tenant.time_zone
            )
            text = message.text
            if message.attachment_id:
                text = f"{text} [{message.attachment.name}]".strip()
            lines.append(f"[{when}] {who}: {text}")
    return "\n".join(lines)


def _subject(chat: Chat) -> str:
    with translation.override(chat.visitor.language):
        return (_("Chat with %(name)s") % {"name": chat.visitor.name or chat.visitor.email})[
            :SUBJECT_MAX
        ]


@transaction.atomic
def chat_convert_to_ticket(
    *,
    tenant: Tenant,
    chat: Chat,
    actor,
    department=None,
    subject: str = "",
    fields: dict | None = None,
) -> Ticket:
    """Open a ticket for the visitor with the whole transcript as its request; the chat
    remembers its ticket."""
    require_writer(tenant=tenant, user=actor)
    chat = (
        Chat.objects.select_for_update(of=("self",))
        .select_related("visitor")
        .get(pk=chat.pk, tenant=tenant)
    )
    if chat.ticket_id:
        raise ValidationError({"chat": [_("This chat already has a ticket.")]})
    department = department or chat.department
    if department is None:
        department = Department.objects.for_tenant(tenant).filter(is_active=True).first()
    if department is None or department.tenant_id != tenant.pk:
        raise ValidationError({"department": [_("Choose a department.")]})
    body = transcript_text(tenant=tenant, chat=chat) or _subject(chat)
    visitor = chat.visitor
    common = {
        "tenant": tenant,
        "department": department,
        "subject": (subject or "").strip() or _subject(chat),
        "body": body,
        "fields": fields or {},
        "channel": Channel.CHAT,
        "actor": actor,
        "via": "chat",
    }
    if visitor.customer_id:
        ticket = ticket_submit(customer=visitor.customer, **common)
    else:
        if not visitor.email:
            raise ValidationError(
                {"email": [_("The visitor left no email; a ticket needs one to answer to.")]}
            )
        ticket = ticket_submit_for_contact(
            contact={
                "name": visitor.name or visitor.email,
                "email": visitor.email,
                "phone": visitor.phone,
                "language": visitor.language,
            },
            **common,
        )
        visitor.customer_id = ticket.customer_id
        visitor.save(update_fields=["customer"])
    chat.ticket = ticket
    chat.save(update_fields=["ticket"])
    audit_record(tenant=tenant, actor=actor, action="chat.ticket", obj=chat, via="web")
    return ticket


@transaction.atomic
def chat_attach_to_ticket(*, tenant: Tenant, chat: Chat, actor, ticket: Ticket):
    """Add the transcript to one of this customer's tickets as an internal note."""
    require_writer(tenant=tenant, user=actor)
    chat = (
        Chat.objects.select_for_update(of=("self",))
        .select_related("visitor")
        .get(pk=chat.pk, tenant=tenant)
    )
    if ticket.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant ticket")
    if not chat.visitor.customer_id or ticket.customer_id != chat.visitor.customer_id:
        raise ValidationError({"ticket": [_("Choose a ticket of this visitor.")]})
    note = ticket_add_note(
        tenant=tenant,
        ticket=ticket,
        actor=actor,
        body=_subject(chat) + "\n\n" + transcript_text(tenant=tenant, chat=chat),
        via="chat",
    )
    chat.ticket = ticket
    chat.save(update_fields=["ticket"])
    return note


@transaction.atomic
def chat_transcript_email(*, tenant: Tenant, chat: Chat, to: str = ""):
    """Mail the transcript to the visitor (or the address they give now)."""
    to = (to or chat.visitor.email or "").strip()
    if not to:
        raise ValidationError({"email": [_("Give an email address.")]})
    from django.core.validators import validate_email

    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    return mail_send(
        tenant=tenant,
        to=to,
        language=chat.visitor.language,
        template="chat/mail/transcript",
        context={
            "tenant": tenant,
            "chat": chat,
            "transcript": transcript_text(tenant=tenant, chat=chat),
            "sent_at": clock.now(),
        },
    )
