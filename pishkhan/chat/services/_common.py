"""What the chat services share: input limits, errors in both languages, the chat row lock."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pishkhan.chat.models import Chat
from pishkhan.tenancy.models import Tenant

TEXT_MAX = 5000
CLIENT_ID_MAX = 64
NAME_MAX = 150
PHONE_MAX = 32


class ChatError(Exception):
    """A refusal a socket reports as `{"type":"error","code",...}`; `message` is translated by
    the caller in each language."""

    def __init__(self, code: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en


def locked(chat: Chat, *, tenant: Tenant) -> Chat:
    """The chat as it is now, locked until the transaction ends (seq, status and offers all
    change under this lock, so two writers never hand out one seq)."""
    return (
        Chat.objects.select_for_update(of=("self",))
        .select_related("visitor", "agent", "department")
        .get(pk=chat.pk, tenant=tenant)
    )


def clean_text(text, *, field: str = "text", required: bool = True) -> str:
    if not isinstance(text, str):
        raise ValidationError({field: [_("Write a message.")]})
    text = text.replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: [_("Write a message.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("At most %(max)d characters.") % {"max": TEXT_MAX}]})
    return text


def clean_client_id(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > CLIENT_ID_MAX:
        raise ValidationError({"client_id": [_("Not a valid message id.")]})
    return value.strip()
