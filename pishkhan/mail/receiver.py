"""Pishkhan receiving mail itself (C-1): an SMTP or LMTP server (aiosmtpd) for the tenants'
mailbox addresses. A recipient we do not serve is refused at RCPT (550); a message is answered
250 only after `mail_ingest` committed it, and 451 (try again later) when it could not be, so
the sending server keeps it and retries — nothing acknowledged is lost."""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from channels.db import database_sync_to_async

from pishkhan.mail.selectors import mailbox_for_address
from pishkhan.mail.services import mail_ingest

log = logging.getLogger(__name__)

# A 15 MB attachment is about 20 MB once base64-encoded; leave room for the rest.
DATA_SIZE_LIMIT = 40 * 1024 * 1024


# The database work runs on a thread of asgiref's executor through `database_sync_to_async`,
# which closes the thread's connection before and after each call: a connection is taken from
# the pool for a message and given back, never kept checked out by an idle thread between
# messages (nor left broken after the database restarted).
def _resolve(address: str):
    return mailbox_for_address(address)


def _ingest_all(raw: bytes, mailbox_ids: list[int], recipients: list[str]) -> None:
    """One ingest per tenant: a message to two mailboxes of one tenant is one ticket (the
    ingest finds the second delivery's row), to two tenants one ticket each."""
    from pishkhan.mail.models import Mailbox

    seen_tenants: set[int] = set()
    for mailbox in Mailbox.objects.select_related("tenant", "department").filter(
        pk__in=mailbox_ids
    ):
        if mailbox.tenant_id in seen_tenants:
            continue
        seen_tenants.add(mailbox.tenant_id)
        mail_ingest(mailbox=mailbox, raw=raw, recipients=recipients)


class IngestHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mailbox = await database_sync_to_async(_resolve)(address)
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        ids = envelope.__dict__.setdefault("mailbox_ids", [])
        if mailbox.pk not in ids:
            ids.append(mailbox.pk)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        ids = envelope.__dict__.get("mailbox_ids", [])
        try:
            await database_sync_to_async(_ingest_all)(raw, ids, list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - anything unsaved: the sender must try again
            log.exception("inbound message not stored; asked the sender to retry")
            status = "451 4.3.0 Could not store the message now; try again later"
        else:
            status = "250 2.0.0 Message accepted"
        if isinstance(server, LMTP):
            # LMTP answers once per recipient (RFC 2033).
            return "\r\n".join(status for _rcpt in envelope.rcpt_tos)
        return status


class ReceiverController(Controller):
    def __init__(self, *, host: str, port: int, lmtp: bool = False, hostname: str | None = None):
        self.lmtp = lmtp
        super().__init__(
            IngestHandler(),
            hostname=host,
            port=port,
            server_hostname=hostname,
            data_size_limit=DATA_SIZE_LIMIT,
        )

    def factory(self):
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)
