"""Isolation cases of the email pages (merged into tests/web/test_isolation.py)."""

from pishkhan.accounts.services import customer_mark_email_failing
from pishkhan.core import clock
from pishkhan.mail.models import InboundMail, InboundStatus
from pishkhan.mail.services import mailbox_create

# name -> kwargs naming keys of the objects below
ROUTES: dict = {
    "mail_mailboxes": {},
    "mail_mailbox_new": {},
    "mail_mailbox_edit": {"pk": "mail_mailbox"},
    "mail_mailbox_delete": {"pk": "mail_mailbox"},
    "mail_inbound": {},
    "mail_inbound_detail": {"pk": "mail_inbound"},
    "mail_inbound_raw": {"pk": "mail_inbound"},
    "mail_inbound_retry": {"pk": "mail_inbound"},
    "mail_customer_email_restored": {"pk": "mail_customer"},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = (
    "mail_mailbox_delete",
    "mail_inbound_retry",
    "mail_customer_email_restored",
)

RAW = (
    b"From: =?utf-8?b?2YXYsduM2YU=?= <maryam@example.ir>\r\n"
    b"To: support@beta.localhost\r\n"
    b"Subject: =?utf-8?b?2LPYsdmI24zYsw==?=\r\n"
    b"Message-ID: <beta-only@example.ir>\r\n"
    b"\r\n"
    b"broken\r\n"
)


def beta_objects(beta) -> dict:
    """A mailbox of beta's, a failed message it received (the kind that may be tried again),
    and beta's customer with a failing address."""
    mailbox = mailbox_create(
        tenant=beta.tenant,
        actor=beta.owner,
        address="support@beta-mail.example",
        department=beta.department,
    )
    inbound = InboundMail.objects.create(
        tenant=beta.tenant,
        mailbox=mailbox,
        message_id="beta-only@example.ir",
        raw=RAW,
        size=len(RAW),
        sender="maryam@example.ir",
        subject="سرویس",
        status=InboundStatus.FAILED,
        detail="no sender address",
        received_at=clock.now(),
    )
    customer_mark_email_failing(
        tenant=beta.tenant,
        email=beta.customer.email,
        reason="550 mailbox unavailable",
        now=clock.now(),
    )
    return {
        "mail_mailbox": mailbox.pk,
        "mail_inbound": inbound.pk,
        "mail_customer": beta.customer.pk,
    }
