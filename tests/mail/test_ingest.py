"""Inbound mail through the one intake path (C-1): new requests, replies threaded by message ids
or by the ticket reference, exactly once, loops and noise ignored, refusals answered."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core import mail as django_mail

from pishkhan.accounts.models import Customer
from pishkhan.core import clock
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.mail.services import mail_ingest
from pishkhan.outbox.models import OutboundMail
from pishkhan.policies.services import rule_settings_update
from pishkhan.tickets.models import Channel, Message, Status, Ticket
from pishkhan.tickets.services import ticket_close_with_reason, ticket_reply
from pishkhan.tickets.services.setup import department_create
from tests.conftest import World

pytestmark = pytest.mark.django_db

# From the hosting company's support policy (seed 002).
SUBJECT = "سرویس ایمیل کار نمی‌کند"
BODY = (
    "سلام، از دیروز ایمیل‌های دامنه ما ارسال نمی‌شوند و پیام خطا برمی‌گردد. "
    "لطفاً بررسی و راهنمایی بفرمایید."
)
SENDER = "maryam@example.ir"


def _mail(
    *,
    subject: str = SUBJECT,
    body: str = BODY,
    sender: str = SENDER,
    to: str = "support@alpha.localhost",
    in_reply_to: str = "",
    references: str = "",
    headers: dict | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = f"مریم احمدی <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="mail.example.ir")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = references or in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def world():
    return World("alpha", "alice")


@pytest.fixture
def mailbox(world):
    # A department without required fields: a mailed request is complete as it is.
    sales = department_create(tenant=world.tenant, actor=world.owner, name="پشتیبانی ایمیل")
    return Mailbox.objects.create(
        tenant=world.tenant,
        department=sales,
        address="support@alpha.localhost",
        created_at=clock.now(),
    )


def _ingest(mailbox, raw, capture):
    with capture(execute=True):
        return mail_ingest(mailbox=mailbox, raw=raw)


def test_new_mail_becomes_a_ticket_of_the_mailbox_department(
    mailbox, django_capture_on_commit_callbacks
):
    row = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks)

    assert row.status == InboundStatus.TICKET
    ticket = row.ticket
    assert ticket.department == mailbox.department
    assert ticket.channel == Channel.EMAIL
    assert ticket.subject == SUBJECT
    assert BODY in row.ticket_message.body
    customer = ticket.customer
    assert (customer.email, customer.name, customer.language) == (SENDER, "مریم احمدی", "fa")
    # the customer is told the ticket's number, by mail, in Persian
    received = OutboundMail.objects.get(ticket_id=ticket.pk)
    assert f"[#{ticket.number}]" in received.subject


def test_the_same_message_twice_is_one_ticket(mailbox, django_capture_on_commit_callbacks):
    raw = _mail()
    first = _ingest(mailbox, raw, django_capture_on_commit_callbacks)
    again = _ingest(mailbox, raw, django_capture_on_commit_callbacks)

    assert again.pk == first.pk
    assert Ticket.objects.filter(subject=SUBJECT).count() == 1
    assert InboundMail.objects.count() == 1


def test_one_message_to_two_mailboxes_of_a_tenant_is_one_ticket(
    world, mailbox, django_capture_on_commit_callbacks
):
    billing = Mailbox.objects.create(
        tenant=world.tenant,
        department=world.department,
        address="billing@alpha.localhost",
        created_at=clock.now(),
    )
    raw = _mail(to="support@alpha.localhost, billing@alpha.localhost")
    _ingest(mailbox, raw, django_capture_on_commit_callbacks)
    _ingest(billing, raw, django_capture_on_commit_callbacks)

    assert Ticket.objects.filter(subject=SUBJECT).count() == 1


def test_a_reply_to_our_mail_threads_by_its_message_id(mailbox, django_capture_on_commit_callbacks):
    # given a mailed request, answered by the agent
    ticket = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks).ticket
    world_agent = ticket.tenant.memberships.filter(role="agent").first().user
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(
            tenant=ticket.tenant,
            ticket=ticket,
            actor=world_agent,
            body="لطفاً رکوردهای MX دامنه را بررسی کنید.",
        )
    answer = OutboundMail.objects.filter(ticket_id=ticket.pk).order_by("-pk").first()

    # when the customer answers it from their mail client, changing the subject
    raw = _mail(
        subject="Re: پاسخ شما",
        body="رکوردها درست هستند ولی مشکل ادامه دارد.\n\n> لطفاً رکوردهای MX دامنه را بررسی کنید.",
        in_reply_to=f"<{answer.message_id}>",
    )
    row = _ingest(mailbox, raw, django_capture_on_commit_callbacks)

    # then it is a reply on the same ticket, without the quoted history
    assert row.status == InboundStatus.REPLY
    assert row.ticket == ticket
    assert row.ticket_message.body == "رکوردها درست هستند ولی مشکل ادامه دارد."
    assert Ticket.objects.filter(customer=ticket.customer).count() == 1


def test_a_reply_without_headers_threads_by_the_ticket_reference_in_the_subject(
    mailbox, django_capture_on_commit_callbacks
):
    ticket = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks).ticket
    number = str(ticket.number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))

    row = _ingest(
        mailbox,
        _mail(subject=f"پاسخ: [#{number}] {SUBJECT}", body="هنوز مشکل داریم."),
        django_capture_on_commit_callbacks,
    )

    assert (row.status, row.ticket) == (InboundStatus.REPLY, ticket)


def test_the_same_subject_alone_never_threads(mailbox, django_capture_on_commit_callbacks):
    first = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks).ticket
    second = _ingest(
        mailbox,
        _mail(subject=f"Re: {SUBJECT}", body="یک درخواست دیگر درباره فضای دیسک سرور دارم."),
        django_capture_on_commit_callbacks,
    )

    assert second.status == InboundStatus.TICKET
    assert second.ticket != first


def test_someone_else_cannot_write_into_a_customers_ticket(
    mailbox, django_capture_on_commit_callbacks
):
    ticket = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks).ticket
    row = _ingest(
        mailbox,
        _mail(sender="stranger@example.com", subject=f"Re: [#{ticket.number}] {SUBJECT}"),
        django_capture_on_commit_callbacks,
    )

    assert row.ticket != ticket
    assert row.ticket.customer.email == "stranger@example.com"
    assert not Message.objects.filter(ticket=ticket, author_customer=row.ticket.customer)


def test_mail_on_a_closed_ticket_opens_a_linked_follow_up_and_says_why(
    world, mailbox, django_capture_on_commit_callbacks
):
    ticket = _ingest(mailbox, _mail(), django_capture_on_commit_callbacks).ticket
    with django_capture_on_commit_callbacks(execute=True):
        ticket_close_with_reason(
            tenant=world.tenant, ticket=ticket, actor=world.agent, reason="no_answer"
        )
    django_mail.outbox.clear()
    OutboundMail.objects.all().delete()

    row = _ingest(
        mailbox,
        _mail(subject=f"Re: [#{ticket.number}] {SUBJECT}", body="مشکل دوباره پیش آمد."),
        django_capture_on_commit_callbacks,
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED  # T-5: never reopened
    assert row.status == InboundStatus.FOLLOW_UP
    assert row.ticket.follow_up_of == ticket
    templates = set(OutboundMail.objects.values_list("template", flat=True))
    assert any("follow_up_opened" in name for name in templates)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
    ],
)
def test_automatic_mail_makes_no_ticket_and_gets_no_answer(
    mailbox, headers, django_capture_on_commit_callbacks
):
    row = _ingest(
        mailbox,
        _mail(subject="پاسخ خودکار: خارج از دفتر", headers=headers),
        django_capture_on_commit_callbacks,
    )

    assert row.status == InboundStatus.IGNORED
    assert not Ticket.objects.filter(channel=Channel.EMAIL).exists()
    assert not OutboundMail.objects.exists() and not django_mail.outbox


def test_a_bounce_marks_the_customers_address_failing(
    world, mailbox, django_capture_on_commit_callbacks
):
    dsn = (
        "From: MAILER-DAEMON@mx.example.ir\r\n"
        "To: support@alpha.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.ir>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.ir\r\n\r\n"
        f"Final-Recipient: rfc822; {world.customer.email}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--b1--\r\n"
    ).encode()

    row = _ingest(mailbox, dsn, django_capture_on_commit_callbacks)

    assert row.status == InboundStatus.BOUNCE
    customer = Customer.objects.get(pk=world.customer.pk)
    assert customer.email_failing_since is not None
    assert not Ticket.objects.filter(channel=Channel.EMAIL).exists()


def test_mail_from_our_own_address_is_a_loop_and_ignored(
    mailbox, django_capture_on_commit_callbacks
):
    row = _ingest(
        mailbox, _mail(sender="support@alpha.localhost"), django_capture_on_commit_callbacks
    )

    assert row.status == InboundStatus.IGNORED
    assert not Ticket.objects.filter(channel=Channel.EMAIL).exists()


def test_a_refused_request_is_answered_in_both_languages(
    world, mailbox, django_capture_on_commit_callbacks
):
    rule_settings_update(tenant=world.tenant, actor=world.owner, persian_only="block")
    row = _ingest(
        mailbox,
        _mail(
            subject="Email service is down",
            body="Hello, since yesterday our domain's mail bounces back. Please check it.",
        ),
        django_capture_on_commit_callbacks,
    )

    assert row.status == InboundStatus.REFUSED
    assert not Ticket.objects.filter(channel=Channel.EMAIL).exists()
    answer = OutboundMail.objects.get(to=SENDER)
    assert "فارسی" in answer.text and "Persian" in answer.text


def test_a_message_that_cannot_be_read_is_kept_for_an_admin(
    mailbox, django_capture_on_commit_callbacks
):
    raw = (
        b"From: maryam@example.ir\r\nTo: support@alpha.localhost\r\nSubject: x\r\n"
        b"Message-ID: <broken-1@example.ir>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\nno boundary anywhere\r\n"
    )
    row = _ingest(mailbox, raw, django_capture_on_commit_callbacks)

    assert row.status == InboundStatus.FAILED
    stored = InboundMail.objects.get(pk=row.pk)
    assert bytes(stored.raw) == raw
    assert row.detail
    # The admin's log still says whose mail it was and what about.
    assert (stored.sender, stored.subject) == ("maryam@example.ir", "x")


def test_attachments_are_kept_and_forbidden_ones_noted(mailbox, django_capture_on_commit_callbacks):
    raw = _mail(
        attachments=[
            ("گزارش خطا.txt", "خطای ۵۵۰ در ارسال".encode(), "text/plain"),
            ("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
        ]
    )
    row = _ingest(mailbox, raw, django_capture_on_commit_callbacks)

    files = list(row.ticket_message.attachments.values_list("filename", flat=True))
    assert files == ["گزارش خطا.txt"]
    assert "setup.exe" in row.ticket_message.body


def test_another_tenants_message_ids_never_thread(mailbox, django_capture_on_commit_callbacks):
    other = World("beta", "bob")
    other_box = Mailbox.objects.create(
        tenant=other.tenant,
        department=other.department,
        address="support@beta.localhost",
        created_at=clock.now(),
    )
    # beta's customer mails beta; the same person then mails alpha citing beta's message id
    first_raw = _mail(to="support@beta.localhost")
    beta_row = _ingest(other_box, first_raw, django_capture_on_commit_callbacks)
    beta_id = beta_row.message_id
    row = _ingest(
        mailbox,
        _mail(in_reply_to=f"<{beta_id}>", subject=f"Re: [#{beta_row.ticket.number}] x"),
        django_capture_on_commit_callbacks,
    )

    assert row.ticket.tenant == mailbox.tenant
    assert row.status == InboundStatus.TICKET


def test_a_mailed_request_short_of_required_fields_is_asked_for_them(
    world, django_capture_on_commit_callbacks
):
    # T-6 by mail: the technical department requires fields a mail cannot fill in
    technical = Mailbox.objects.create(
        tenant=world.tenant,
        department=world.department,
        address="tech@alpha.localhost",
        created_at=clock.now(),
    )
    row = _ingest(technical, _mail(to="tech@alpha.localhost"), django_capture_on_commit_callbacks)

    assert row.status == InboundStatus.TICKET
    ticket = Ticket.objects.get(pk=row.ticket.pk)
    assert ticket.status == Status.WAITING and ticket.missing_fields
    asked = OutboundMail.objects.get(ticket_id=ticket.pk, template__endswith="info_requested")
    assert asked.to == SENDER


def _technical_mailbox(world):
    return Mailbox.objects.create(
        tenant=world.tenant,
        department=world.department,
        address="tech@alpha.localhost",
        created_at=clock.now(),
    )


def test_fields_written_as_labelled_lines_complete_a_mailed_request(
    world, django_capture_on_commit_callbacks
):
    # given a mail that names the required fields as "Label: value" lines, in Arabic-keyboard
    # spelling and Persian digits
    body = f"{BODY}\n\nدامنه سرويس: Example.IR\nآي پي سرور: ۱۸۵.۸.۱۷۲.۱۰\n"
    row = _ingest(
        _technical_mailbox(world),
        _mail(to="tech@alpha.localhost", body=body),
        django_capture_on_commit_callbacks,
    )
    # then the request is complete: its fields are filled and nothing is asked for
    ticket = Ticket.objects.get(pk=row.ticket.pk)
    assert ticket.fields == {"domain": "example.ir", "server_ip": "185.8.172.10"}
    assert ticket.missing_fields == [] and ticket.status == Status.NEW
    assert not OutboundMail.objects.filter(template__endswith="info_requested").exists()


def test_the_answer_to_our_request_for_fields_fills_them_in(
    world, django_capture_on_commit_callbacks
):
    # given a mailed request the technical department asked the missing fields for
    technical = _technical_mailbox(world)
    first = _ingest(technical, _mail(to="tech@alpha.localhost"), django_capture_on_commit_callbacks)
    asked = OutboundMail.objects.get(ticket_id=first.ticket.pk, template__endswith="info_requested")
    # the mail itself shows the lines to fill in
    assert "دامنه سرویس:" in asked.text

    # when the customer answers with one valid value and one that is not an address
    answer = _mail(
        to="tech@alpha.localhost",
        subject=f"Re: {asked.subject}",
        body="دامنه سرویس: example.ir\nآی‌پی سرور: نمی‌دانم\n\n> متن نامه قبلی",
        in_reply_to=asked.message_id,
    )
    row = _ingest(technical, answer, django_capture_on_commit_callbacks)

    # then the reply is on the ticket, the valid value is taken, the other is still missing
    assert row.status == InboundStatus.REPLY and row.ticket_id == first.ticket.pk
    ticket = Ticket.objects.get(pk=first.ticket.pk)
    assert ticket.fields["domain"] == "example.ir"
    assert ticket.missing_fields == ["server_ip"]
    assert "نمی‌دانم" in row.ticket_message.body
