"""Inbound mail becomes tickets and replies (C-1), through the one intake path.

Exactly once: the message's row (unique per tenant and Message-ID) is written in the same
transaction as the ticket or reply it made, and the caller acknowledges the message (SMTP 250,
IMAP flag) only after `mail_ingest` returns. A crash in between means the message comes again
and finds its row: one ticket, one reply, never two and never none.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pishkhan import compiled_inserts, jobs, process_cache
from pishkhan.accounts.models import Customer
from pishkhan.accounts.selectors import customer_get_by_email
from pishkhan.accounts.services import (
    customer_clear_email_failing,
    customer_create,
    customer_mark_email_failing,
)
from pishkhan.core import clock
from pishkhan.core.language import check_persian
from pishkhan.mail import headers as headers_module
from pishkhan.mail import parsing, replies
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.mail.selectors import (
    customer_ticket_id,
    customer_ticket_id_by_number,
    inbound_mail_with_key,
    is_own_address,
)
from pishkhan.outbox import selectors as outbox_selectors
from pishkhan.outbox import services as outbox
from pishkhan.outbox.threading import parse_subject_reference
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin
from pishkhan.tickets.attachments import MAX_FILES_PER_MESSAGE, check_files
from pishkhan.tickets.fields import values_from_text
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.services import customer_message_receive, ticket_submit
from pishkhan.tickets.services._common import BODY_MAX, SUBJECT_MAX
from pishkhan.trust.services import audit_record

log = logging.getLogger(__name__)

# Headers only: enough to find the Message-ID before the whole message is parsed. A
# Message-ID is plain ASCII, so the legacy policy's raw strings (no header objects) suffice.
_HEADERS = BytesHeaderParser(policy=compat32)


def message_key(raw: bytes) -> str:
    """What makes two deliveries the same message: its Message-ID, or for a message without
    one the digest of its bytes."""
    try:
        value = str(_HEADERS.parsebytes(raw).get("Message-ID") or "")
    except Exception:  # noqa: BLE001 - unreadable headers: the bytes still identify it
        value = ""
    value = " ".join(value.split()).strip("<>").strip()
    if value and len(value) <= 250:
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def mail_ingest(
    *, mailbox: Mailbox, raw: bytes, recipients: list[str] | None = None
) -> InboundMail:
    """Turn one received message into a ticket, a reply, or a logged non-request (automatic
    mail, bounce, our own mail, a refused request). Commits before returning. Raises only when
    the database cannot take the write — then nothing is acknowledged and the message comes
    again."""
    # One message, one reading of the tenant's settings (process_cache).
    with process_cache.one_reading():
        return _ingest(mailbox=mailbox, raw=raw)


def _ingest(*, mailbox: Mailbox, raw: bytes) -> InboundMail:
    tenant = mailbox.tenant
    key = message_key(raw)
    existing = inbound_mail_with_key(tenant=tenant, key=key)
    if existing is not None:
        return existing
    row = InboundMail(
        tenant=tenant,
        mailbox=mailbox,
        message_id=key,
        raw=raw,
        size=len(raw),
        status=InboundStatus.FAILED,
        received_at=clock.now(),
    )
    try:
        # The row is inserted last, with what became of the message, in the transaction of
        # the ticket or reply: one statement instead of an insert and an update. Two
        # deliveries of one message at once both do the work; the second's insert meets the
        # first's row (unique per tenant and Message-ID) and all of its work rolls back, so
        # still one ticket or one reply.
        _process(row, mailbox=mailbox, raw=raw)
    except IntegrityError:
        # The same message, delivered at the same moment through another mailbox or a retry,
        # was committed first: that one holds the ticket.
        found = inbound_mail_with_key(tenant=tenant, key=key)
        if found is None:
            raise
        return found
    return row


class _Unprocessed(Exception):
    """A message we cannot read, or whose processing failed for a reason of its own."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def _process(row: InboundMail, *, mailbox: Mailbox, raw: bytes) -> None:
    """Decide what the message is and do it, in a transaction (a savepoint inside the caller's)
    that also stores the row. A message that fails for a reason of its own rolls back whatever
    it did and is stored as failed, for an admin, in a transaction of its own; only database
    failures propagate. (The common case, a readable message, so costs no savepoint.)"""
    try:
        with transaction.atomic():
            _store(row, *_outcome(row, mailbox=mailbox, raw=raw))
    except _Unprocessed as failure:
        with transaction.atomic():
            _store(row, InboundStatus.FAILED, failure.detail, None, None)


def _outcome(row: InboundMail, *, mailbox: Mailbox, raw: bytes):
    try:
        parsed = parsing.parse(raw)
        row.sender = parsed.sender_email[:320]
        row.subject = parsed.subject[:300]
        return _route(mailbox=mailbox, parsed=parsed, now=row.received_at)
    except parsing.MalformedMail as exc:
        row.sender, row.subject = _who_and_what(raw)
        raise _Unprocessed(str(exc)) from exc
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - kept for an admin rather than redelivered forever
        log.exception("inbound mail %s could not be processed", row.message_id)
        raise _Unprocessed(f"{type(exc).__name__}: {exc}") from exc


def _who_and_what(raw: bytes) -> tuple[str, str]:
    """Sender and subject of a message whose body cannot be read, as far as its headers say:
    so the admin's log shows whose mail failed, not a blank line."""
    try:
        headers = _HEADERS.parsebytes(raw)
        sender = parseaddr(headers_module.header_text(headers, "From"))[1]
        subject = headers_module.header_text(headers, "Subject")
    except Exception:  # noqa: BLE001 - the raw bytes are kept either way
        return "", ""
    return sender.strip().lower()[:320], " ".join(subject.split())[:300]


def _store(row: InboundMail, status, detail, ticket, message) -> None:
    row.status = status
    row.detail = (detail or "")[:500]
    row.ticket = ticket
    row.ticket_message = message
    if row.pk is None:
        compiled_inserts.insert([row])
    else:  # an admin's retry of a stored message
        row.save(
            update_fields=["sender", "subject", "status", "detail", "ticket", "ticket_message"]
        )


def _route(*, mailbox: Mailbox, parsed: parsing.ParsedMail, now):
    tenant = mailbox.tenant
    sender = parsed.sender_email
    if parsed.bounce is not None:
        for address in parsed.bounce.failed_recipients:
            customer_mark_email_failing(
                tenant=tenant, email=address, reason=parsed.bounce.reason, now=now
            )
        return InboundStatus.BOUNCE, ", ".join(parsed.bounce.failed_recipients), None, None
    if not sender:
        raise parsing.MalformedMail("no sender address")
    if is_own_address(sender):
        return InboundStatus.IGNORED, _("Mail from one of our own addresses."), None, None
    if parsed.auto:
        return InboundStatus.IGNORED, parsed.auto, None, None

    customer = _customer_for(tenant=tenant, parsed=parsed)
    files, dropped = _attachments(tenant=tenant, parsed=parsed)
    ticket_id = _thread_ticket(tenant=tenant, parsed=parsed, customer=customer)
    try:
        if ticket_id is not None:
            body = _with_dropped(parsed.reply_text or parsed.text, dropped)
            holder, message = customer_message_receive(
                tenant=tenant,
                ticket_id=ticket_id,
                customer=customer,
                subject=_subject(parsed),
                body=body,
                files=files,
                html=parsed.html,
            )
            if message is None:
                first = holder.messages.order_by("pk").first()
                result = (InboundStatus.FOLLOW_UP, "", holder, first)
            else:
                result = (InboundStatus.REPLY, "", holder, message)
        else:
            holder = ticket_submit(
                tenant=tenant,
                customer=customer,
                department=mailbox.department,
                subject=_subject(parsed),
                body=_with_dropped(parsed.text, dropped),
                # A mail has no form: "Domain: example.ir" lines stand for its fields.
                fields=values_from_text(mailbox.department.fields, parsed.text),
                files=files,
                channel="email",
                via="mail",
                html=parsed.html,
            )
            message = holder.request_message
            if not holder.request_is_new:
                # A repeat of an open ticket, added to it as a reply (T-4 for mail).
                detail = _("Added to the open ticket it repeats.")
                result = (InboundStatus.REPLY, detail, holder, message)
            else:
                result = (InboundStatus.TICKET, "", holder, message)
    except PolicyRefusal as refusal:
        _answer_refusal(tenant=tenant, customer=customer, refusal=refusal)
        return InboundStatus.REFUSED, f"{refusal.code}: {refusal.message_en}", None, None
    if parsed.message_id:
        outbox.thread_id_record(tenant=tenant, ticket_id=result[2].pk, message_id=parsed.message_id)
    return result


def _customer_for(*, tenant: Tenant, parsed: parsing.ParsedMail) -> Customer:
    customer = customer_get_by_email(tenant=tenant, email=parsed.sender_email)
    if customer is not None:
        return customer_clear_email_failing(tenant=tenant, customer=customer)
    language = "fa" if check_persian(f"{parsed.subject}\n{parsed.text}").is_persian else "en"
    name = " ".join(parsed.sender_name.split())[:150] or parsed.sender_email.split("@")[0]
    return customer_create(
        tenant=tenant,
        actor=None,
        via="mail",
        name=name,
        email=parsed.sender_email,
        language=language,
    )


def _thread_ticket(*, tenant: Tenant, parsed: parsing.ParsedMail, customer: Customer):
    """The id of the ticket a reply belongs to: by the Message-IDs it answers first, then by
    the ticket reference in its subject — never by subject text alone. Only the ticket's own
    customer continues it; anyone else's mail is a request of their own."""
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    ticket_id = outbox_selectors.thread_ticket_id(tenant=tenant, message_ids=ids) if ids else None
    if ticket_id is not None:
        if customer_ticket_id(tenant=tenant, customer=customer, ticket_id=ticket_id):
            return ticket_id
    number = parse_subject_reference(parsed.subject)
    if number is not None:
        return customer_ticket_id_by_number(tenant=tenant, customer=customer, number=number)
    return None


def _subject(parsed: parsing.ParsedMail) -> str:
    subject = parsed.subject.strip()
    if not subject:
        first = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
        subject = first or _("(no subject)")
    return subject[:SUBJECT_MAX]


def _attachments(*, tenant: Tenant, parsed: parsing.ParsedMail):
    """The files the foundation's limits accept, and a line for each one they do not: a
    mailed request is never refused for its attachment (the customer cannot fix a form), the
    file is left out and the thread says so."""
    kept: list[SimpleUploadedFile] = []
    dropped: list[str] = []
    for item in parsed.attachments:
        upload = SimpleUploadedFile(item.filename or "file", item.data, item.content_type)
        if len(kept) >= MAX_FILES_PER_MESSAGE:
            dropped.append(
                _("%(name)s: at most %(n)s files per message.")
                % {"name": upload.name, "n": MAX_FILES_PER_MESSAGE}
            )
            continue
        try:
            check_files(tenant=tenant, files=[upload])
        except ValidationError as exc:
            dropped.append(" ".join(exc.messages))
            continue
        upload.seek(0)
        kept.append(upload)
    return kept, dropped


def _with_dropped(text: str, dropped: list[str]) -> str:
    text = (text or "").strip()
    if dropped:
        lines = "\n".join(f"- {line}" for line in dropped)
        text = f"{text}\n\n{_('Attachments not kept:')}\n{lines}".strip()
    if not text:
        text = _("(no text; see the attachments)")
    return text[:BODY_MAX]


def _answer_refusal(*, tenant: Tenant, customer: Customer, refusal: PolicyRefusal) -> None:
    """A refused mailed request is answered, in both languages (T-7), so the customer learns
    why; the answer is an automatic reply, which the customer's own autoresponder ignores."""
    context = {
        "message_fa": refusal.message_fa,
        "message_en": refusal.message_en,
        "code": refusal.code,
    }
    jobs.enqueue(replies.send_refusal, tenant.pk, customer.pk, context)


def mail_retry(*, tenant: Tenant, inbound: InboundMail, actor, via: str = "web") -> InboundMail:
    """An admin asks for a message that failed to be processed again (after a fix, or after
    correcting the mailbox's department)."""
    require_admin(tenant=tenant, user=actor)
    if inbound.tenant_id != tenant.pk:
        # Lazy: the API answers with it in both languages.
        raise ValidationError(gettext_lazy("Not found in this workspace."))
    if inbound.status != InboundStatus.FAILED:
        raise ValidationError(
            {"status": [_("Only a message that could not be processed can be tried again.")]}
        )
    mailbox = inbound.mailbox
    if mailbox is None:
        raise ValidationError({"mailbox": [_("Its mailbox was removed: connect one first.")]})
    with transaction.atomic():
        row = InboundMail.objects.select_for_update().get(pk=inbound.pk)
        if row.status != InboundStatus.FAILED:
            return row
        _process(row, mailbox=mailbox, raw=bytes(row.raw))
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mail.retry",
            obj=row,
            via=via,
            changes={"status": row.status},
        )
    return row


# --- mailboxes ------------------------------------------------------------------------------

MAILBOX_FIELDS = (
    "address",
    "department",
    "name",
    "imap_host",
    "imap_port",
    "imap_ssl",
    "imap_user",
    "imap_password",
    "imap_folder",
    "imap_done_folder",
    "is_active",
)


def _clean_address(value: str, *, mailbox: Mailbox | None) -> str:
    from django.core.validators import validate_email

    address = (value or "").strip().lower()
    if not address:
        raise ValidationError({"address": [_("This field is required.")]})
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"address": [_("Enter a valid email address.")]}) from exc
    taken = Mailbox.objects.filter(address=address)
    if mailbox is not None:
        taken = taken.exclude(pk=mailbox.pk)
    if taken.exists():
        # Addresses are unique across tenants: mail to one must reach exactly one workspace.
        raise ValidationError({"address": [_("This address is already connected.")]})
    return address


def _clean_department(value, *, tenant: Tenant):
    from pishkhan.tickets.models import Department

    if isinstance(value, Department):
        value = value.pk
    found = Department.objects.for_tenant(tenant).filter(pk=value).first() if value else None
    if found is None:
        raise ValidationError({"department": [_("Choose a department of this workspace.")]})
    return found


def _clean_mailbox(values: dict, *, tenant: Tenant, mailbox: Mailbox | None) -> dict:
    from pishkhan.validation import collect

    checks = {}
    if "address" in values:
        checks["address"] = lambda: _clean_address(values["address"], mailbox=mailbox)
    if "department" in values:
        checks["department"] = lambda: _clean_department(values["department"], tenant=tenant)
    for key, limit in (
        ("name", 120),
        ("imap_user", 255),
        ("imap_password", 255),
        ("imap_folder", 255),
        ("imap_done_folder", 255),
    ):
        if key in values:
            checks[key] = _text_check(key, values[key], limit)
    if "imap_host" in values:
        checks["imap_host"] = lambda: _host(values["imap_host"])
    if "imap_port" in values:
        checks["imap_port"] = lambda: _port(values["imap_port"])
    cleaned, errors = collect(checks)
    for key in ("imap_ssl", "is_active"):
        if key in values:
            cleaned[key] = bool(values[key])
    if "imap_folder" in cleaned and not cleaned["imap_folder"]:
        cleaned["imap_folder"] = "INBOX"
    merged = {**{k: getattr(mailbox, k, "") for k in MAILBOX_FIELDS if mailbox}, **cleaned}
    if merged.get("imap_host") and not (merged.get("imap_user") and merged.get("imap_password")):
        errors.setdefault("imap_user", []).append(
            _("An IMAP mailbox needs its user name and password.")
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _text_check(key: str, value, limit: int):
    def check() -> str:
        text = (value or "").strip() if key != "imap_password" else (value or "")
        if len(text) > limit:
            raise ValidationError({key: [_("Too long (at most %(n)s characters).") % {"n": limit}]})
        return text

    return check


# One label of a host name as it goes over DNS (after IDNA encoding of a Persian name).
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _host(value) -> str:
    """An IMAP server's name or address, or empty (a mailbox fed by forwarding): refused here
    rather than failing in every polling round, where only the log would tell."""
    host = (value or "").strip().rstrip(".")
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        # The codec the socket library resolves names with: it refuses what DNS cannot carry.
        labels = host.encode("idna").decode("ascii").split(".")
    except UnicodeError:
        labels = []
    if not labels or len(host) > 253 or not all(_HOST_LABEL.fullmatch(x) for x in labels):
        raise ValidationError(
            {"imap_host": [_("Enter the IMAP server's host name, e.g. imap.example.ir.")]}
        )
    return host


def _port(value) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        raise ValidationError({"imap_port": [_("Enter a port between 1 and 65535.")]})
    return port


def _poll_soon(mailbox: Mailbox) -> None:
    """A newly connected (or corrected) IMAP mailbox is fetched at once, not a round later."""
    if mailbox.polls_imap and mailbox.is_active:
        from pishkhan.mail.tasks import poll_mailbox_job

        jobs.enqueue(poll_mailbox_job, mailbox.pk)


@transaction.atomic
def mailbox_create(*, tenant: Tenant, actor, via: str = "web", **values) -> Mailbox:
    """Connect a mailbox: mail to its address (or fetched from its IMAP box) becomes tickets
    of its department."""
    require_admin(tenant=tenant, user=actor)
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise ValidationError({key: [_("Unknown field.")] for key in sorted(unknown)})
    values.setdefault("address", "")
    values.setdefault("department", None)
    cleaned = _clean_mailbox(values, tenant=tenant, mailbox=None)
    mailbox = Mailbox.objects.create(tenant=tenant, created_at=clock.now(), **cleaned)
    _poll_soon(mailbox)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="mailbox.create",
        obj=mailbox,
        via=via,
        changes={"address": mailbox.address, "imap": mailbox.polls_imap},
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, tenant: Tenant, mailbox: Mailbox, actor, via: str = "web", **values):
    require_admin(tenant=tenant, user=actor)
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise ValidationError({key: [_("Unknown field.")] for key in sorted(unknown)})
    if values.get("imap_password") == "":
        # An empty password field on a form means "keep the one stored".
        values.pop("imap_password")
    mailbox = Mailbox.objects.for_tenant(tenant).select_for_update().get(pk=mailbox.pk)
    cleaned = _clean_mailbox(values, tenant=tenant, mailbox=mailbox)
    changed = [k for k, v in cleaned.items() if getattr(mailbox, k) != v]
    for key in changed:
        setattr(mailbox, key, cleaned[key])
    if changed:
        mailbox.save(update_fields=changed)
        _poll_soon(mailbox)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mailbox.update",
            obj=mailbox,
            via=via,
            changes={k: "***" if k == "imap_password" else str(cleaned[k]) for k in changed},
        )
    return mailbox


@transaction.atomic
def mailbox_delete(*, tenant: Tenant, mailbox: Mailbox, actor, via: str = "web") -> None:
    """Disconnect a mailbox. What it received stays in the log and on the tickets."""
    require_admin(tenant=tenant, user=actor)
    mailbox = Mailbox.objects.for_tenant(tenant).get(pk=mailbox.pk)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="mailbox.delete",
        obj=mailbox,
        via=via,
        changes={"address": mailbox.address},
    )
    mailbox.delete()
