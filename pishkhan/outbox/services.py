"""Mail we send (C-1): rendered in the reader's language, stored as a row, then handed to
Django's email backend after the row commits.

A row is sent at most once by us: each attempt first claims the row (a conditional update on
its attempt count), so two workers, or a worker and `outbox_retry`, never both send it. An
SMTP failure leaves the row `retrying` with a back-off; a job (when the task backend can wait)
or the `outbox_retry` command tries again when it is due."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, select_template
from django.utils import timezone, translation

from pishkhan import compiled_inserts, jobs
from pishkhan.accounts.models import Customer
from pishkhan.core import clock
from pishkhan.outbox import addresses
from pishkhan.outbox.models import OutboundMail, OutboundStatus, ThreadId
from pishkhan.outbox.selectors import normalize_message_id, thread_message_ids
from pishkhan.outbox.threading import subject_reference
from pishkhan.tenancy.models import Domain, Tenant

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# References carry the ticket's first id and this many recent ones: enough for every client to
# thread, short enough that a long conversation does not grow the header without bound.
REFERENCES_TAIL = 9
PENDING = (OutboundStatus.QUEUED, OutboundStatus.RETRYING)
BASE_TEMPLATE = "outbox/mail_base.html"

SUBJECT_MAX = OutboundMail._meta.get_field("subject").max_length
TEMPLATE_MAX = OutboundMail._meta.get_field("template").max_length


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failed attempt, never more than 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def thread_id_record(
    *,
    tenant: Tenant,
    ticket_id: int,
    message_id: str,
    outbound: bool = False,
    now: datetime | None = None,
) -> None:
    """Remember that a Message-ID belongs to a ticket's thread. Idempotent: an id already known
    keeps its first ticket (a re-delivered mail must not move a thread). Ids that cannot be
    stored (empty, longer than the column) are skipped: they could never be matched anyway."""
    message_id = normalize_message_id(message_id)
    if not message_id or len(message_id) > ThreadId._meta.get_field("message_id").max_length:
        return
    # One INSERT … ON CONFLICT DO NOTHING: no lookup first, no savepoint for the race.
    compiled_inserts.insert(
        [
            ThreadId(
                tenant=tenant,
                message_id=message_id,
                ticket_id=ticket_id,
                outbound=outbound,
                created_at=now or clock.now(),
            )
        ],
        ignore_conflicts=True,
    )


def mail_send(
    *,
    tenant: Tenant,
    to: str,
    language: str,
    template: str,
    context: dict[str, Any],
    ticket_id: int | None = None,
    ticket_number: int | None = None,
    auto_reply: bool = False,
) -> OutboundMail:
    """Render `<template>_subject.txt`, `<template>.txt` and the HTML part (`<template>.html`
    if there is one, else the text in the shared layout) in `language`, store the mail and send
    it once the caller's transaction commits.

    With a ticket, the mail joins the ticket's thread: In-Reply-To is the thread's latest
    Message-ID (ours or the customer's), References its first and latest ones, the subject
    carries `[#number]`, and its own Message-ID is recorded so the customer's answer threads
    back. Mail to an address that bounced is stored as suppressed and not sent."""
    to = (to or "").strip()
    if not to:
        raise ValueError("mail_send needs a recipient")
    now = clock.now()
    language = _language(tenant=tenant, language=language)
    sender = addresses.reply_address(tenant, ticket_id)
    # Templates invite an answer by mail only when a mailbox of the tenant will receive it.
    context = {**context, "mail_can_reply": sender != addresses.default_address()}
    subject, text, html = _render(
        tenant=tenant,
        language=language,
        template=template,
        context=context,
        ticket_number=ticket_number,
        now=now,
    )
    failing = (
        Customer.objects.filter(tenant=tenant, email__iexact=to, email_failing_since__isnull=False)
        .values_list("email_failure", flat=True)
        .first()
    )
    with transaction.atomic():
        references: list[str] = []
        if ticket_id is not None:
            first, recent = thread_message_ids(
                tenant=tenant, ticket_id=ticket_id, tail=REFERENCES_TAIL
            )
            references = [first, *recent] if first else []
        row = OutboundMail.objects.create(
            tenant=tenant,
            ticket_id=ticket_id,
            template=template[:TEMPLATE_MAX],
            to=to,
            language=language,
            subject=subject,
            text=text,
            html=html,
            message_id=make_msgid(domain=_message_id_domain(tenant=tenant, sender=sender)).strip(
                "<>"
            ),
            in_reply_to=references[-1] if references else "",
            references=" ".join(references),
            auto_reply=auto_reply,
            status=OutboundStatus.QUEUED if failing is None else OutboundStatus.SUPPRESSED,
            last_error="" if failing is None else (failing or "address failing")[:500],
            # Due at once: if the process dies before the commit hook runs, `outbox_retry`
            # still finds it.
            next_attempt_at=now if failing is None else None,
            created_at=now,
        )
        if failing is None:
            if ticket_id is not None:
                thread_id_record(
                    tenant=tenant,
                    ticket_id=ticket_id,
                    message_id=row.message_id,
                    outbound=True,
                    now=now,
                )
            transaction.on_commit(partial(outbound_deliver, outbound_id=row.pk))
    if not transaction.get_connection().in_atomic_block:
        row.refresh_from_db()  # the commit hook has run: report what happened to the send
    return row


def outbound_deliver(*, outbound_id: int, now: datetime | None = None) -> OutboundMail | None:
    """Send one stored mail if it is due. Safe to call twice or concurrently: a sent, failed or
    suppressed row is left alone, and only the caller that claims the attempt sends."""
    now = now or clock.now()
    row = OutboundMail.objects.select_related("tenant").filter(pk=outbound_id).first()
    if row is None or row.status not in PENDING:
        return row
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return row  # an earlier job for a mail rescheduled since: the later job sends it
    attempts = row.attempts + 1
    # The claim also pushes the due time out, so a crash mid-send is retried after a back-off
    # rather than immediately by every sweep.
    claimed = OutboundMail.objects.filter(
        pk=row.pk, status=row.status, attempts=row.attempts
    ).update(attempts=attempts, next_attempt_at=now + retry_delay(attempts))
    if not claimed:
        row.refresh_from_db()
        return row
    row.attempts = attempts
    try:
        message = _message(row)
    except Exception as exc:  # a mail we cannot even build will not build on the next try
        log.exception("outbound mail %s cannot be built", row.pk)
        return _finish(row, status=OutboundStatus.FAILED, error=exc)
    try:
        sent = message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        return _failed_attempt(row, error=exc, now=now)
    if not sent:
        return _failed_attempt(row, error="the email backend accepted no recipient", now=now)
    row.status = OutboundStatus.SENT
    row.sent_at = now
    row.next_attempt_at = None
    row.last_error = ""
    row.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    return row


def outbound_retry_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send every mail whose retry is due; returns how many went out. A sweep of the whole
    installation (run by the operator's scheduler), hence not scoped to one tenant."""
    now = now or clock.now()
    due = list(
        OutboundMail.objects.filter(status__in=PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        row = outbound_deliver(outbound_id=pk, now=now)
        sent += row is not None and row.status == OutboundStatus.SENT
    return sent


# --- internals --------------------------------------------------------------------------------


def _failed_attempt(row: OutboundMail, *, error, now: datetime) -> OutboundMail:
    log.warning("outbound mail %s attempt %s failed: %s", row.pk, row.attempts, error)
    if row.attempts >= MAX_ATTEMPTS:
        return _finish(row, status=OutboundStatus.FAILED, error=error)
    row.status = OutboundStatus.RETRYING
    row.next_attempt_at = now + retry_delay(row.attempts)
    row.last_error = str(error)[:500]
    row.save(update_fields=["status", "next_attempt_at", "last_error"])
    _schedule_retry(row)
    return row


def _finish(row: OutboundMail, *, status: str, error) -> OutboundMail:
    row.status = status
    row.next_attempt_at = None
    row.last_error = str(error)[:500]
    row.save(update_fields=["status", "next_attempt_at", "last_error"])
    return row


def _schedule_retry(row: OutboundMail) -> None:
    from django_tasks import default_task_backend

    from pishkhan.outbox import tasks

    # A backend that cannot wait (the inline one) would retry at once, in a loop: those rows
    # wait for `outbox_retry` instead.
    if default_task_backend.supports_defer:
        jobs.enqueue(tasks.send_outbound, row.pk, run_after=row.next_attempt_at)


def _language(*, tenant: Tenant, language: str) -> str:
    code = (language or "").replace("_", "-").split("-")[0].lower()
    known = {c for c, _name in settings.LANGUAGES}
    return code if code in known else tenant.default_language


def _message_id_domain(*, tenant: Tenant, sender: str) -> str:
    """Our Message-IDs name a host of ours: the configured one, else the tenant's own host,
    else the sending address's domain."""
    configured = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    host = Domain.objects.filter(tenant=tenant).order_by("pk").values_list("host", flat=True)
    return host.first() or sender.rpartition("@")[2] or settings.MAIL_INBOUND_HOST


def _render_text(name: str, context: dict[str, Any]) -> str:
    # Plain text is not HTML: a subject with "&" or a quote must reach the reader unescaped.
    return get_template(name).template.render(Context(context, autoescape=False))


def _render(
    *,
    tenant: Tenant,
    language: str,
    template: str,
    context: dict[str, Any],
    ticket_number: int | None,
    now: datetime,
) -> tuple[str, str, str]:
    # Dates in the mail read in the workspace's zone, as on its pages.
    with translation.override(language), timezone.override(tenant.zone):
        subject = " ".join(_render_text(f"{template}_subject.txt", context).split())
        if ticket_number is not None:
            reference = subject_reference(ticket_number)
            if reference not in subject:
                subject = f"{reference} {subject}"
        subject = subject[:SUBJECT_MAX]
        text = _render_text(f"{template}.txt", context).strip() + "\n"
        layout = {
            **context,
            "mail_tenant": tenant,
            "mail_subject": subject,
            "mail_text": text,
            "mail_language": language,
            "mail_direction": "rtl" if translation.get_language_bidi() else "ltr",
            "mail_ticket_number": ticket_number,
            "mail_date": now,
        }
        html = select_template([f"{template}.html", BASE_TEMPLATE]).render(layout)
    return subject, text, html


def _message(row: OutboundMail) -> EmailMultiAlternatives:
    sender = formataddr((row.tenant.name, addresses.reply_address(row.tenant, row.ticket_id)))
    headers = {
        "Message-ID": f"<{row.message_id}>",
        # RFC 3834: tells vacation responders (and our own inbound side) not to answer.
        "Auto-Submitted": "auto-replied" if row.auto_reply else "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Content-Language": row.language,
    }
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        headers["References"] = " ".join(f"<{m}>" for m in row.references.split())
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=sender,
        to=[row.to],
        reply_to=[sender],
        headers=headers,
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message
