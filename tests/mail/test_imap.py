"""Polling an IMAP mailbox (C-1) against a real Dovecot: a message is acknowledged (marked, or
moved to the done folder) only after its ingest returned, so a failure or a crash in between
means it is fetched again — and, ingested by Message-ID, still makes one ticket."""

from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

import pytest
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pishkhan.core import clock
from pishkhan.mail import tasks
from pishkhan.mail.imap import DONE_KEYWORD, poll_mailbox
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.mail.services import mail_ingest, mailbox_create
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services.setup import department_create
from tests.conftest import World
from tests.mail import dovecot as imap_server

# The real IMAP server's fixtures, used by name below.
dovecot = imap_server.dovecot
imap_account = imap_server.imap_account

pytestmark = pytest.mark.django_db

# From the hosting company's support policy (seed 002), as a customer would write it.
SUBJECT = "نصب مجدد ماژول پرداخت"
BODY = (
    "سلام، ماژول هایی که توسط شرکت ارائه شده بود پس از انتقال سرور از کار افتاده است. "
    "لطفاً برای نصب و راه اندازی مجدد راهنمایی کنید."
)
REPLY_BODY = "اطلاعات درخواستی را به صورت دقیق تکمیل کردم؛ لطفاً بررسی بفرمایید."
SENDER = "reza@example.ir"
DONE_FOLDER = "انجام‌شده"


def _mail(*, subject: str = SUBJECT, body: str = BODY, in_reply_to: str = "") -> tuple[bytes, str]:
    """A Persian message as a mail client sends it, and its Message-ID (without <>)."""
    message = EmailMessage()
    message["From"] = f"رضا کریمی <{SENDER}>"
    message["To"] = "support@alpha.localhost"
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message_id = make_msgid(domain="mail.example.ir")
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(body)
    # CRLF line ends, as mail travels and as the IMAP server hands it back.
    return message.as_bytes(policy=SMTP), message_id.strip("<>")


@pytest.fixture
def world():
    return World("alpha", "alice")


@pytest.fixture
def mailbox(world, imap_account):
    # A department without required fields: a mailed request is complete as it is.
    department = department_create(tenant=world.tenant, actor=world.owner, name="پشتیبانی ایمیل")
    return mailbox_create(
        tenant=world.tenant,
        actor=world.owner,
        address="support@alpha.localhost",
        department=department.pk,
        imap_host=imap_account.host,
        imap_port=imap_account.port,
        imap_ssl=False,
        imap_user=imap_account.user,
        imap_password=imap_account.password,
    )


class Recorder:
    """An ingest that remembers what it was given, failing for the messages it is told to."""

    def __init__(self, failing: set[str] = frozenset()):
        self.failing = set(failing)
        self.seen: list[bytes] = []

    def __call__(self, *, mailbox, raw):
        self.seen.append(raw)
        if any(message_id.encode() in raw for message_id in self.failing):
            raise RuntimeError("database unavailable")


# --- acknowledgement after ingest (any ingest) ----------------------------------------------


def test_processed_messages_are_marked_done_and_not_fetched_again(mailbox, imap_account):
    first, first_id = _mail()
    second, second_id = _mail(subject="سرور از دسترس خارج شده است")
    imap_account.append(first)
    imap_account.append(second)
    ingest = Recorder()

    result = poll_mailbox(mailbox=mailbox, ingest=ingest)

    assert (result.fetched, result.processed, result.failed, result.error) == (2, 2, 0, "")
    assert ingest.seen == [first, second]  # oldest first, byte for byte
    flags = imap_account.messages()
    assert flags[first_id] >= {"\\Seen", DONE_KEYWORD}
    assert flags[second_id] >= {"\\Seen", DONE_KEYWORD}
    again = poll_mailbox(mailbox=mailbox, ingest=ingest)
    assert (again.fetched, again.processed) == (0, 0)
    assert len(ingest.seen) == 2


def test_a_message_whose_ingest_fails_stays_unmarked_and_comes_again(mailbox, imap_account):
    broken, broken_id = _mail()
    fine, fine_id = _mail(subject="سرور از دسترس خارج شده است")
    imap_account.append(broken)
    imap_account.append(fine)
    ingest = Recorder(failing={broken_id})

    result = poll_mailbox(mailbox=mailbox, ingest=ingest)

    # the failure does not hold up the next message
    assert (result.fetched, result.processed, result.failed) == (2, 1, 1)
    flags = imap_account.messages()
    assert flags[broken_id].isdisjoint({"\\Seen", DONE_KEYWORD})
    assert DONE_KEYWORD in flags[fine_id]
    # when the database is back, the next poll fetches just that message
    ingest.failing.clear()
    again = poll_mailbox(mailbox=mailbox, ingest=ingest)
    assert (again.fetched, again.processed, again.failed) == (1, 1, 0)
    assert ingest.seen[-1] == broken
    assert DONE_KEYWORD in imap_account.messages()[broken_id]


def test_a_message_read_in_a_mail_client_before_the_poll_is_still_fetched(mailbox, imap_account):
    raw, _message_id = _mail()
    imap_account.append(raw, flags="(\\Seen)")

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert result.processed == 1


def test_a_processed_message_marked_unread_by_hand_is_not_fetched_again(mailbox, imap_account):
    raw, message_id = _mail()
    imap_account.append(raw)
    poll_mailbox(mailbox=mailbox, ingest=Recorder())
    client = imap_account.connect()
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
    client.logout()
    assert "\\Seen" not in imap_account.messages()[message_id]

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert result.fetched == 0


def test_read_mail_from_before_the_mailbox_was_connected_is_history(mailbox, imap_account):
    long_ago = clock.now() - timedelta(days=400)
    read, _read_id = _mail(subject="پرسش قدیمی پاسخ داده شده")
    unread, _unread_id = _mail(subject="پرسش قدیمی بی پاسخ")
    imap_account.append(read, flags="(\\Seen)", arrived=long_ago)
    imap_account.append(unread, arrived=long_ago)
    ingest = Recorder()

    poll_mailbox(mailbox=mailbox, ingest=ingest)

    # an old unread message still waits for an answer; an old read one was dealt with
    assert ingest.seen == [unread]


def test_a_poll_takes_at_most_limit_messages_and_the_rest_next_time(mailbox, imap_account):
    for number in range(3):
        imap_account.append(_mail(subject=f"درخواست شماره {number + 1}")[0])
    ingest = Recorder()

    first = poll_mailbox(mailbox=mailbox, ingest=ingest, limit=2)
    second = poll_mailbox(mailbox=mailbox, ingest=ingest, limit=2)

    assert (first.processed, second.processed) == (2, 1)
    assert len(ingest.seen) == 3


def test_processed_mail_is_moved_to_the_done_folder(world, mailbox, imap_account):
    mailbox.imap_done_folder = DONE_FOLDER  # a Persian name, which IMAP spells in UTF-7
    mailbox.save(update_fields=["imap_done_folder"])
    raw, message_id = _mail()
    imap_account.append(raw)

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert result.processed == 1
    assert imap_account.messages() == {}
    assert imap_account.messages(DONE_FOLDER)[message_id] >= {"\\Seen", DONE_KEYWORD}
    # the folder exists now; the next message goes there too
    later, later_id = _mail(subject="سرور از دسترس خارج شده است")
    imap_account.append(later)
    poll_mailbox(mailbox=mailbox, ingest=Recorder())
    assert set(imap_account.messages(DONE_FOLDER)) == {message_id, later_id}


def test_a_server_without_move_gets_copy_and_delete(mailbox, imap_account):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=imap_account.plain_host, imap_done_folder="Processed"
    )
    mailbox.refresh_from_db()
    raw, message_id = _mail()
    imap_account.append(raw)

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert (result.processed, result.error) == (1, "")
    assert set(imap_account.messages("Processed")) == {message_id}
    assert imap_account.messages() == {}


def test_without_uid_expunge_a_message_a_person_deleted_is_not_expunged(mailbox, imap_account):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=imap_account.plain_host, imap_done_folder="Processed"
    )
    mailbox.refresh_from_db()
    # deleted by a person (not yet expunged: they may still undelete it)
    kept, kept_id = _mail(subject="پیش نویس")
    imap_account.append(kept, flags="(\\Deleted)", arrived=clock.now() - timedelta(days=400))
    raw, message_id = _mail()
    imap_account.append(raw)
    ingest = Recorder()

    poll_mailbox(mailbox=mailbox, ingest=ingest)
    again = poll_mailbox(mailbox=mailbox, ingest=ingest)

    assert set(imap_account.messages("Processed")) == {message_id}
    assert "\\Deleted" in imap_account.messages()[kept_id]
    # ours waits, marked deleted, for the next expunge and is not fetched again
    assert "\\Deleted" in imap_account.messages()[message_id]
    assert again.fetched == 0
    assert ingest.seen == [raw]


# --- the server cannot be worked with ---------------------------------------------------------


def test_a_wrong_password_is_recorded_on_the_mailbox_and_not_raised(mailbox, imap_account):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="not-the-password")
    mailbox.refresh_from_db()
    imap_account.append(_mail()[0])
    ingest = Recorder()

    result = poll_mailbox(mailbox=mailbox, ingest=ingest)

    assert result.fetched == 0
    assert ingest.seen == []
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert stored.last_polled_at is not None
    assert imap_account.user in stored.last_error
    assert "AUTHENTICATIONFAILED" in stored.last_error
    assert "not-the-password" not in stored.last_error


def test_an_unreachable_server_is_recorded_and_cleared_once_it_answers(mailbox, imap_account):
    right_port = mailbox.imap_port
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=1)  # nothing listens there
    mailbox.refresh_from_db()

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert "127.0.0.1:1" in result.error
    assert Mailbox.objects.get(pk=mailbox.pk).last_error == result.error
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=right_port)
    mailbox.refresh_from_db()
    poll_mailbox(mailbox=mailbox, ingest=Recorder())
    assert Mailbox.objects.get(pk=mailbox.pk).last_error == ""


def test_a_host_name_dns_cannot_carry_is_recorded_not_raised(mailbox):
    # given a mailbox saved before hosts were checked, with a 64-letter label in its host
    host = "a" * 64 + ".example.com"
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host=host)
    mailbox.refresh_from_db()

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    # then the admin reads why on the mailbox, and the poll ends normally
    assert host in result.error
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert (stored.last_error, stored.last_polled_at is not None) == (result.error, True)


def test_a_missing_folder_is_recorded(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_folder="Support")
    mailbox.refresh_from_db()

    result = poll_mailbox(mailbox=mailbox, ingest=Recorder())

    assert "Support" in result.error
    assert Mailbox.objects.get(pk=mailbox.pk).last_error == result.error


# --- end to end, through the real ingest ------------------------------------------------------


def _poll(mailbox, capture):
    with capture(execute=True):
        return poll_mailbox(mailbox=mailbox)


def test_a_persian_message_in_the_inbox_becomes_one_ticket_of_the_department(
    mailbox, imap_account, django_capture_on_commit_callbacks
):
    raw, message_id = _mail()
    imap_account.append(raw)

    result = _poll(mailbox, django_capture_on_commit_callbacks)

    assert (result.processed, result.failed) == (1, 0)
    row = InboundMail.objects.get(message_id=message_id)
    assert row.status == InboundStatus.TICKET
    ticket = row.ticket
    assert ticket.department == mailbox.department
    assert ticket.subject == SUBJECT
    assert BODY in row.ticket_message.body
    assert ticket.customer.email == SENDER


def test_a_message_fetched_again_after_a_crash_is_still_one_ticket(
    mailbox, imap_account, django_capture_on_commit_callbacks
):
    raw, message_id = _mail()
    imap_account.append(raw)
    _poll(mailbox, django_capture_on_commit_callbacks)
    _poll(mailbox, django_capture_on_commit_callbacks)
    # the ticket was committed but the mark never reached the server
    imap_account.unflag()

    again = _poll(mailbox, django_capture_on_commit_callbacks)

    assert again.fetched == 1  # fetched again ...
    assert Ticket.objects.filter(department=mailbox.department).count() == 1  # ... one ticket
    assert InboundMail.objects.filter(message_id=message_id).count() == 1
    assert DONE_KEYWORD in imap_account.messages()[message_id]  # and acknowledged this time


def test_a_reply_in_the_inbox_becomes_a_message_on_its_ticket(
    mailbox, imap_account, django_capture_on_commit_callbacks
):
    first, first_id = _mail()
    imap_account.append(first)
    _poll(mailbox, django_capture_on_commit_callbacks)
    ticket = InboundMail.objects.get(message_id=first_id).ticket
    reply, reply_id = _mail(subject=f"Re: {SUBJECT}", body=REPLY_BODY, in_reply_to=first_id)
    imap_account.append(reply)

    _poll(mailbox, django_capture_on_commit_callbacks)

    row = InboundMail.objects.get(message_id=reply_id)
    assert row.status == InboundStatus.REPLY
    assert row.ticket == ticket
    assert REPLY_BODY in row.ticket_message.body
    assert Ticket.objects.filter(department=mailbox.department).count() == 1


def test_a_message_that_cannot_be_stored_now_is_fetched_again_later(
    mailbox, imap_account, django_capture_on_commit_callbacks
):
    raw, message_id = _mail()
    imap_account.append(raw)

    def database_down(*, mailbox, raw):
        raise RuntimeError("database unavailable")

    poll_mailbox(mailbox=mailbox, ingest=database_down)
    assert not InboundMail.objects.filter(message_id=message_id).exists()

    _poll(mailbox, django_capture_on_commit_callbacks)

    assert InboundMail.objects.get(message_id=message_id).status == InboundStatus.TICKET


def test_mail_ingest_is_the_default_ingest(mailbox, imap_account):
    # The poller and the SMTP receiver share one ingest: the same message is one row.
    raw, message_id = _mail()
    mail_ingest(mailbox=mailbox, raw=raw)
    imap_account.append(raw)

    result = poll_mailbox(mailbox=mailbox)

    assert result.processed == 1
    assert InboundMail.objects.filter(message_id=message_id).count() == 1


# --- the scheduled job and the command --------------------------------------------------------


def test_the_poll_job_polls_active_mailboxes_only(
    world, mailbox, imap_account, django_capture_on_commit_callbacks
):
    off = Mailbox.objects.create(
        tenant=world.tenant,
        department=mailbox.department,
        address="sales@alpha.localhost",
        imap_host="127.0.0.1",
        imap_port=1,
        is_active=False,
        created_at=clock.now(),
    )
    imap_account.append(_mail()[0])

    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.poll_mailboxes.call()

    assert summary["mailboxes"] == 1
    assert summary["processed"] == 1
    assert Ticket.objects.filter(department=mailbox.department).count() == 1
    off.refresh_from_db()
    assert off.last_polled_at is None


def test_one_mailbox_can_be_polled_by_its_job(
    mailbox, imap_account, django_capture_on_commit_callbacks
):
    imap_account.append(_mail()[0])

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.poll_mailbox_job.call(mailbox.pk)

    assert result["processed"] == 1
    assert tasks.poll_mailbox_job.call(mailbox.pk + 1000) == {}


def test_the_poll_job_schedules_one_next_round(settings, mailbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAIL_POLL_SECONDS = 90
    waiting = DBTaskResult.objects.filter(
        task_path=tasks.poll_mailboxes.module_path, status=TaskResultStatus.READY
    )

    tasks.poll_mailboxes.call()
    # a second chain (another worker started the polling too) does not add a round
    tasks.poll_mailboxes.call()
    assert tasks.poll_schedule() is False

    assert waiting.count() == 1
    delay = waiting.get().run_after - clock.now()
    assert timedelta(seconds=80) < delay <= timedelta(seconds=90)


def test_an_inline_job_backend_gets_no_polling_chain(mailbox):
    # tests run jobs inline: a chain there would poll forever inside the first call
    assert tasks.poll_schedule() is False
    assert tasks.poll_mailboxes.call()["mailboxes"] == 1


def test_the_command_prints_one_line_per_mailbox(
    mailbox, imap_account, capsys, django_capture_on_commit_callbacks
):
    imap_account.append(_mail()[0])
    imap_account.append(_mail(subject="سرور از دسترس خارج شده است")[0])

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mail_poll", "--mailbox", "Support@alpha.localhost")

    assert capsys.readouterr().out == (
        "support@alpha.localhost: fetched 2, processed 2, failed 0\n"
    )


def test_the_command_fails_for_an_unknown_mailbox_or_a_failed_poll(mailbox):
    with pytest.raises(CommandError, match="nobody@alpha.localhost"):
        call_command("mail_poll", "--mailbox", "nobody@alpha.localhost")
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="not-the-password")
    with pytest.raises(CommandError, match="1 mailbox"):
        call_command("mail_poll")
