"""A mail the SMTP server does not take is not lost and not doubled: it waits with a growing
back-off, goes out once the server answers, and is never sent twice however often the job or
the `outbox_retry` command runs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from pishkhan.outbox.models import OutboundMail, OutboundStatus
from pishkhan.outbox.services import MAX_ATTEMPTS, mail_send, outbound_retry_due

TEHRAN = ZoneInfo("Asia/Tehran")
START = datetime(2026, 11, 28, 9, 0, tzinfo=TEHRAN)


def _send(world) -> OutboundMail:
    return mail_send(
        tenant=world.tenant,
        to=world.customer.email,
        language="fa",
        template="tickets/mail/ticket_received",
        context={"ticket": world.ticket, "tenant": world.tenant},
        ticket_id=world.ticket.pk,
        ticket_number=world.ticket.number,
    )


def run_worker_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False)


def retry_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("outbox_retry")


def test_mail_to_a_server_that_is_down_is_sent_once_by_the_planned_job(alpha, stored_jobs, smtp):
    smtp.stop()
    with time_machine.travel(START, tick=False):
        row = _send(alpha)

    assert (row.status, row.attempts) == (OutboundStatus.RETRYING, 1)
    assert row.next_attempt_at == START + timedelta(minutes=1)
    assert row.last_error

    run_worker_at(START + timedelta(seconds=30))  # the retry is not due yet
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.RETRYING, 1)

    smtp.start()
    run_worker_at(START + timedelta(minutes=2))
    row.refresh_from_db()
    assert row.status == OutboundStatus.SENT
    assert row.sent_at == START + timedelta(minutes=2)
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Message-ID"].strip("<>") == row.message_id

    # More worker passes and the command later on send nothing again.
    run_worker_at(START + timedelta(hours=3))
    retry_at(START + timedelta(hours=3))
    assert len(smtp.messages) == 1


def test_a_server_answering_451_leaves_the_mail_for_outbox_retry(
    alpha, smtp, django_capture_on_commit_callbacks
):
    smtp.handler.refuse = "451 4.3.0 Mailbox busy, try again later"
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = _send(alpha)

    # The inline task backend cannot plan a job for later: nothing loops, the row waits.
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.RETRYING, 1)
    assert "451" in row.last_error
    assert row.next_attempt_at == START + timedelta(minutes=1)

    retry_at(START + timedelta(seconds=30))
    smtp.handler.refuse = ""
    assert smtp.messages == []
    retry_at(START + timedelta(minutes=1))
    retry_at(START + timedelta(minutes=5))

    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 2)
    assert len(smtp.messages) == 1
    assert "[#1]" in str(smtp.messages[0]["Subject"])


def test_a_mail_that_keeps_failing_backs_off_and_is_given_up(
    alpha, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        row = _send(alpha)

    waits = []
    moment = START
    for _ in range(MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
        assert outbound_retry_due(now=moment) == 0

    row.refresh_from_db()
    assert waits == [timedelta(minutes=2**n) for n in range(MAX_ATTEMPTS - 1)]
    assert (row.status, row.attempts) == (OutboundStatus.FAILED, MAX_ATTEMPTS)
    assert row.next_attempt_at is None
    smtp.start()
    assert outbound_retry_due(now=moment + timedelta(days=1)) == 0
    assert smtp.messages == []
