"""Jobs of the mail channel: the scheduled IMAP poll. Jobs take ids and are safe to run twice —
a message fetched by two polls at once is still ingested once (by its Message-ID)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.conf import settings
from django_tasks import task

from pishkhan import jobs

log = logging.getLogger(__name__)


@task()
def poll_mailboxes() -> dict[str, int]:
    """Poll every active IMAP mailbox once, then schedule the next round MAIL_POLL_SECONDS from
    now. The next round is scheduled even when this one failed, so the chain never breaks."""
    from pishkhan.mail.imap import poll_all

    try:
        results = poll_all()
    finally:
        poll_schedule()
    return {
        "mailboxes": len(results),
        "fetched": sum(result.fetched for _mailbox, result in results),
        "processed": sum(result.processed for _mailbox, result in results),
        "failed": sum(result.failed for _mailbox, result in results),
        "errors": sum(1 for _mailbox, result in results if result.error),
    }


@task()
def poll_mailbox_job(mailbox_id: int) -> dict[str, int | str]:
    """Poll one mailbox now (e.g. right after an admin connected it)."""
    from pishkhan.mail.imap import mailboxes_to_poll, poll_mailbox

    mailbox = mailboxes_to_poll().filter(pk=mailbox_id).first()
    if mailbox is None:
        return {}  # disconnected or switched off meanwhile
    return asdict(poll_mailbox(mailbox=mailbox))


def poll_schedule(*, seconds: float | None = None) -> bool:
    """Enqueue the next polling round (after `seconds`, by default MAIL_POLL_SECONDS) unless one
    is already waiting (`jobs.schedule_round`); with the inline backend polling is
    `pishkhan mail-poll --loop`. True when a round was enqueued."""
    if seconds is None:
        seconds = getattr(settings, "MAIL_POLL_SECONDS", 60)
    return jobs.schedule_round(poll_mailboxes, seconds=seconds)
