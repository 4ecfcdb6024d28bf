"""The widget's one write of its own: a file the visitor sends into their chat. It is checked
with the tenant's attachment limits (the same as a ticket's) and stored on the chat; the
visitor then sends a `message` frame naming it, which is what puts it in the conversation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.chat.models import Chat, ChatAttachment, Visitor
from pishkhan.core import clock
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.attachments import check_files


@transaction.atomic
def attachment_upload(*, tenant: Tenant, visitor: Visitor, chat: Chat, files: list) -> list:
    if visitor.tenant_id != tenant.pk or chat.tenant_id != tenant.pk:
        raise ValidationError(_("Not found in this workspace."), code="not_found")
    if chat.visitor_id != visitor.pk:
        raise ValidationError(_("Not found in this workspace."), code="not_found")
    if not chat.is_live:
        raise ValidationError(_("This chat has ended."), code="chat_ended")
    if not files:
        raise ValidationError({"file": [_("Choose a file to send.")]})
    checked = check_files(tenant=tenant, files=files)
    now = clock.now()
    stored = []
    for item in checked:
        attachment = ChatAttachment(
            tenant=tenant,
            chat=chat,
            name=item.filename,
            size=item.size,
            content_type=item.content_type,
            created_at=now,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
