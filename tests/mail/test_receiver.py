"""`pishkhan mail-receive`: a real SMTP/LMTP conversation with our aiosmtpd receiver. A message
is acknowledged (250) only once its ticket is committed; unknown recipients are refused."""

import smtplib
import socket
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.db import DatabaseError

from pishkhan.core import clock
from pishkhan.mail import receiver
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services.setup import department_create
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def world():
    return World("alpha", "alice")


@pytest.fixture
def mailbox(world):
    department = department_create(tenant=world.tenant, actor=world.owner, name="پشتیبانی ایمیل")
    return Mailbox.objects.create(
        tenant=world.tenant,
        department=department,
        address="support@alpha.localhost",
        created_at=clock.now(),
    )


@pytest.fixture
def smtp_server(mailbox):
    port = _free_port()
    controller = receiver.ReceiverController(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def lmtp_server(mailbox):
    port = _free_port()
    controller = receiver.ReceiverController(host="127.0.0.1", port=port, lmtp=True)
    controller.start()
    yield port
    controller.stop()


def _message(to: str = "support@alpha.localhost") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "مریم احمدی <maryam@example.ir>"
    message["To"] = to
    message["Subject"] = "گواهی SSL دامنه تمدید نشده است"
    message["Message-ID"] = make_msgid(domain="example.ir")
    message.set_content("سلام، گواهی امنیتی سایت ما منقضی شده و مرورگر هشدار می‌دهد.")
    return message


def test_a_delivered_message_is_a_ticket_when_the_server_says_250(smtp_server, mailbox):
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
        refused = client.send_message(_message())

    assert refused == {}
    row = InboundMail.objects.get()
    assert row.status == InboundStatus.TICKET
    assert row.ticket.subject == "گواهی SSL دامنه تمدید نشده است"
    assert row.ticket.department == mailbox.department


def test_an_unknown_recipient_is_refused_at_rcpt(smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(_message(to="nobody@elsewhere.example"))

    assert refused.value.recipients["nobody@elsewhere.example"][0] == 550
    assert not InboundMail.objects.exists()


def test_the_slug_address_at_the_inbound_host_reaches_the_tenant(smtp_server, settings):
    settings.MAIL_INBOUND_HOST = "in.pishkhan.test"
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
        client.send_message(_message(to="alpha@in.pishkhan.test"))

    assert InboundMail.objects.get().status == InboundStatus.TICKET


def test_a_message_not_stored_is_refused_for_now_and_the_retry_makes_one_ticket(
    smtp_server, monkeypatch
):
    # given a database that fails while the message is being stored
    def down(**kwargs):
        raise DatabaseError("database is restarting")

    message = _message()
    monkeypatch.setattr(receiver, "mail_ingest", down)
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            client.send_message(message)
    # then the sender is told to try again later, and nothing was acknowledged
    assert deferred.value.smtp_code == 451
    assert not InboundMail.objects.exists()

    # when the sending server retries (twice, as they do) once the database is back
    monkeypatch.undo()
    for _attempt in range(2):
        with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
            client.send_message(message)

    # then exactly one ticket holds it
    assert Ticket.objects.filter(subject=message["Subject"]).count() == 1


def test_lmtp_answers_each_recipient_and_makes_one_ticket(lmtp_server, world, mailbox):
    Mailbox.objects.create(
        tenant=world.tenant,
        department=world.department,
        address="sales@alpha.localhost",
        created_at=clock.now(),
    )
    message = _message(to="support@alpha.localhost, sales@alpha.localhost")
    # smtplib's LMTP client reads one answer after DATA; RFC 2033 gives one per recipient, so
    # the conversation after RCPT is driven by hand.
    with smtplib.LMTP("127.0.0.1", lmtp_server, timeout=30) as client:
        client.ehlo_or_helo_if_needed()
        assert client.mail("maryam@example.ir")[0] == 250
        for rcpt in ("support@alpha.localhost", "sales@alpha.localhost"):
            assert client.rcpt(rcpt)[0] == 250
        assert client.putcmd("data") is None and client.getreply()[0] == 354
        client.send(smtplib.quotedata(message.as_string()).encode() + b"\r\n.\r\n")
        answers = [client.getreply()[0] for _rcpt in range(2)]

    assert answers == [250, 250]
    assert Ticket.objects.filter(subject=message["Subject"]).count() == 1


def test_legacy_windows_1256_mail_arrives_readable(smtp_server):
    legacy = sorted(CORPUS.glob("*1256*.eml"))
    assert legacy, "the corpus holds windows-1256 mail"
    raw = legacy[0].read_bytes()
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as client:
        client.sendmail("sender@example.ir", ["support@alpha.localhost"], raw)

    row = InboundMail.objects.get()
    assert row.status in (InboundStatus.TICKET, InboundStatus.REPLY)
    body = row.ticket_message.body
    assert "\ufffd" not in body and "Ø" not in body
    assert any("\u0600" <= ch <= "\u06ff" for ch in body)
