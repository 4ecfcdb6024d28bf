"""What a customer's mail client receives from the desk (C-1 point 6): the customer's language
and direction, a plain-text part beside the HTML, the ticket reference in the subject, and
headers that thread every mail of a ticket together."""

from datetime import datetime
from email.headerregistry import Address
from email.utils import getaddresses
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pishkhan.core import clock
from pishkhan.outbox import addresses
from pishkhan.outbox.models import OutboundMail, OutboundStatus, ThreadId
from pishkhan.outbox.selectors import outbound_list, thread_ticket_id
from pishkhan.outbox.services import mail_send, thread_id_record
from pishkhan.tickets.services import ticket_reply, ticket_update
from pishkhan.tickets.tasks import notify_status_changed

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_9 = datetime(2026, 11, 28, 9, 0, tzinfo=TEHRAN)  # 1405/09/07
# From the seeds (the virtual secretary's terms).
SUBJECT = "شرایط و قوانین استفاده از دفتر مجازی"
REPLY = "ضمن قدردانی از اعتماد شما، درخواست شما بررسی شد و سرویس دوباره فعال است."


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def _subject(message) -> str:
    # Python's parser keeps the folding space before an encoded-word that starts a folded
    # header; mail clients do not show it.
    return str(message["Subject"]).strip()


def _ids(value) -> list[str]:
    return [v.strip("<>") for v in str(value or "").split()]


def _submit(world, capture, subject: str = SUBJECT):
    with time_machine.travel(SATURDAY_9, tick=False), capture(execute=True):
        return world.submit(subject)


def test_persian_customer_gets_rtl_mail_with_persian_digits_and_jalali_date(
    alpha, smtp, django_capture_on_commit_callbacks
):
    ticket = _submit(alpha, django_capture_on_commit_callbacks)

    (received,) = smtp.messages
    assert received.get_content_type() == "multipart/alternative"
    parts = _parts(received)
    assert set(parts) == {"text/plain", "text/html"}
    html = parts["text/html"]
    assert '<html lang="fa" dir="rtl">' in html
    assert ticket.number == 2  # the world's own ticket is #1
    assert "تیکت ۲" in html and "تیکت ۲" in parts["text/plain"]
    assert "۷ آذر ۱۴۰۵" in html and "۷ آذر ۱۴۰۵" in parts["text/plain"]
    assert SUBJECT in html
    assert _subject(received).startswith("[#2] ") and SUBJECT in _subject(received)
    (sender,) = received["From"].addresses
    assert sender.display_name == alpha.tenant.name
    assert received["Reply-To"].addresses[0].addr_spec == sender.addr_spec
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["To"].addresses[0].addr_spec == alpha.customer.email


def test_english_customer_gets_ltr_mail_with_gregorian_date(
    alpha, smtp, django_capture_on_commit_callbacks
):
    alpha.customer.language = "en"
    alpha.customer.save(update_fields=["language"])

    _submit(alpha, django_capture_on_commit_callbacks, subject="Server is down")

    (received,) = smtp.messages
    html = _parts(received)["text/html"]
    assert '<html lang="en" dir="ltr">' in html
    assert "Ticket #2" in html and "28 Nov 2026" in html
    assert _subject(received).startswith("[#2] ")
    assert "received" in _parts(received)["text/plain"]


def test_agent_reply_threads_under_the_received_mail_and_the_customers_answer(
    alpha, smtp, django_capture_on_commit_callbacks
):
    ticket = _submit(alpha, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body=REPLY)
    # The customer answers by mail; the inbound side records its Message-ID on the ticket.
    thread_id_record(
        tenant=alpha.tenant, ticket_id=ticket.pk, message_id="<answer-1@customer.example>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="بسیار خوب.")

    received, reply, second_reply = smtp.messages
    received_id, reply_id = _ids(received["Message-ID"]), _ids(reply["Message-ID"])
    assert received["In-Reply-To"] is None  # the first mail of a portal ticket starts the thread
    assert _ids(reply["In-Reply-To"]) == received_id
    assert _ids(reply["References"]) == received_id
    assert REPLY in _parts(reply)["text/plain"] and REPLY in _parts(reply)["text/html"]
    # Every mail of the ticket carries the same subject, so clients that also compare
    # subjects keep them in one conversation.
    assert _subject(received) == _subject(reply) == _subject(second_reply)

    assert _ids(second_reply["In-Reply-To"]) == ["answer-1@customer.example"]
    assert _ids(second_reply["References"]) == [
        *received_id,
        *reply_id,
        "answer-1@customer.example",
    ]
    # The customer's answer to any of our mails finds its ticket again.
    for message in (received, reply, second_reply):
        found = thread_ticket_id(tenant=alpha.tenant, message_ids=_ids(message["Message-ID"]))
        assert found == ticket.pk


def test_references_stay_bounded_in_a_long_conversation(alpha, smtp):
    for n in range(30):
        thread_id_record(tenant=alpha.tenant, ticket_id=alpha.ticket.pk, message_id=f"m{n}@x")

    row = mail_send(
        tenant=alpha.tenant,
        to=alpha.customer.email,
        language="fa",
        template="tickets/mail/ticket_received",
        context={"ticket": alpha.ticket, "tenant": alpha.tenant},
        ticket_id=alpha.ticket.pk,
        ticket_number=alpha.ticket.number,
    )

    references = row.references.split()
    assert references[0] == "m0@x"
    assert references[-1] == row.in_reply_to == "m29@x"
    assert len(references) == 10


def test_mail_to_a_failing_address_is_kept_but_not_sent(
    alpha, smtp, django_capture_on_commit_callbacks
):
    alpha.customer.email_failing_since = clock.now()
    alpha.customer.email_failure = "550 5.1.1 mailbox unavailable"
    alpha.customer.save(update_fields=["email_failing_since", "email_failure"])

    ticket = _submit(alpha, django_capture_on_commit_callbacks)

    assert smtp.messages == []
    row = OutboundMail.objects.get(ticket_id=ticket.pk)
    assert row.status == OutboundStatus.SUPPRESSED and "550" in row.last_error
    assert not ThreadId.objects.filter(ticket_id=ticket.pk, outbound=True).exists()


def test_plain_text_and_subject_are_not_html_escaped(
    alpha, smtp, django_capture_on_commit_callbacks
):
    _submit(alpha, django_capture_on_commit_callbacks, subject='سرور "اصلی" & پشتیبان')

    (received,) = smtp.messages
    assert 'سرور "اصلی" & پشتیبان' in _subject(received)
    assert 'سرور "اصلی" & پشتیبان' in _parts(received)["text/plain"]
    assert "&amp;" in _parts(received)["text/html"]  # the HTML part escapes it, as HTML must


def test_replies_go_to_the_mailbox_the_hook_names(alpha, smtp, django_capture_on_commit_callbacks):
    def support_mailbox(tenant_id, ticket_id):
        return "support@alpha.localhost" if tenant_id == alpha.tenant.pk else None

    addresses.register_reply_address(support_mailbox)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            mail_send(
                tenant=alpha.tenant,
                to=alpha.customer.email,
                language="fa",
                template="tickets/mail/agent_reply",
                context={
                    "ticket": alpha.ticket,
                    "tenant": alpha.tenant,
                    "message": alpha.ticket.messages.first(),
                },
                ticket_id=alpha.ticket.pk,
                ticket_number=alpha.ticket.number,
            )
    finally:
        addresses.unregister_reply_address(support_mailbox)

    (received,) = smtp.messages
    [(name, address)] = getaddresses([str(received["From"])])
    assert (name, address) == (alpha.tenant.name, "support@alpha.localhost")
    assert received["Reply-To"].addresses[0] == Address(
        display_name=alpha.tenant.name, addr_spec="support@alpha.localhost"
    )
    # Without a host of its own, the tenant's Message-IDs name its mailbox's domain.
    assert _ids(received["Message-ID"])[0].endswith("@alpha.localhost")
    assert "log in to the support portal" not in _parts(received)["text/plain"]


def test_an_automatic_answer_is_marked_auto_replied(
    alpha, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(
            tenant=alpha.tenant,
            to="stranger@example.com",
            language="en",
            template="tickets/mail/follow_up_opened",
            context={"ticket": alpha.ticket, "tenant": alpha.tenant},
            auto_reply=True,
        )

    (received,) = smtp.messages
    assert received["Auto-Submitted"] == "auto-replied"
    assert "[#" not in _subject(received)  # not about a ticket's thread


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_customer_is_told_when_the_ticket_is_resolved_or_closed(
    alpha, smtp, django_capture_on_commit_callbacks, status
):
    ticket = _submit(alpha, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status=status)

    # (a resolved ticket's customer is also asked how we did — tests/quality — so the status
    # mail is picked out by its Message-ID)
    received = smtp.messages[0]
    row = OutboundMail.objects.get(template="tickets/mail/status_changed")
    (told,) = [m for m in smtp.messages if _ids(m["Message-ID"]) == _ids(row.message_id)]
    assert _subject(told) == _subject(received) and "[#2]" in _subject(told)
    assert "۲" in _parts(told)["text/plain"]
    assert told["Content-Language"] == "fa"
    assert _ids(told["In-Reply-To"]) == _ids(received["Message-ID"])


def test_a_status_mail_planned_before_another_change_says_nothing(alpha, smtp):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="resolved")
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="open")

    notify_status_changed.call(alpha.ticket.pk, "resolved")

    assert not OutboundMail.objects.filter(template="tickets/mail/status_changed").exists()


def test_admin_log_lists_only_the_tenants_own_mail(
    alpha, beta, smtp, django_capture_on_commit_callbacks
):
    for world in (alpha, beta):
        with django_capture_on_commit_callbacks(execute=True):
            mail_send(
                tenant=world.tenant,
                to=world.customer.email,
                language="fa",
                template="tickets/mail/ticket_received",
                context={"ticket": world.ticket, "tenant": world.tenant},
                ticket_id=world.ticket.pk,
                ticket_number=world.ticket.number,
            )

    rows = list(outbound_list(tenant=alpha.tenant))
    assert [r.to for r in rows] == [alpha.customer.email]
    assert rows[0].status == OutboundStatus.SENT
    assert list(outbound_list(tenant=alpha.tenant, status=OutboundStatus.FAILED)) == []
