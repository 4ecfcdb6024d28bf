"""The email channel in the agent workspace (C-1): mailboxes, the log of received mail with its
raw original and the retry of a failed message, and a customer's failing address.

Times are Tehran's; Saturday 1405/09/07 is 2026-11-28."""

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_mark_email_failing
from pishkhan.core import clock
from pishkhan.core.jalali import format_datetime
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.mail.selectors import inbound_host
from pishkhan.mail.services import mailbox_create
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import department_create
from pishkhan.trust.models import AuditEvent
from pishkhan.web.views import mail as mail_views
from tests.conftest import SEED_BODY, SEED_SUBJECT

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_11 = datetime(2026, 11, 28, 11, 0, tzinfo=TEHRAN)  # 1405/09/07

ADMIN_PAGES = ("/agent/mail/", "/agent/mail/new/", "/agent/mail/received/")


def _speaking(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _in_english(user):
    # New interface strings get their Persian later; asserting on the English ones keeps these
    # tests about behaviour, not about the catalogue.
    return _speaking(user, "en")


def _mail_department(world):
    # No required fields: a mailed request is complete as it is.
    return department_create(tenant=world.tenant, actor=world.owner, name="پشتیبانی ایمیل")


def _mailbox(world, address=None, **fields):
    return mailbox_create(
        tenant=world.tenant,
        actor=world.owner,
        address=address or f"support@{world.tenant.slug}-mail.example",
        department=fields.pop("department", None) or _mail_department(world),
        **fields,
    )


def _raw(*, subject=SEED_SUBJECT, body=SEED_BODY, sender="maryam@example.ir", n=1) -> bytes:
    """A small real message in Persian, as a mail client sends it (UTF-8, base64 body, RFC
    2047 subject)."""
    message = EmailMessage()
    message["From"] = f"مریم احمدی <{sender}>"
    message["To"] = "support@alpha-mail.example"
    message["Subject"] = subject
    message["Date"] = "Sat, 28 Nov 2026 11:00:00 +0330"
    message["Message-ID"] = f"<persian-{n}@mail.example.ir>"
    message.set_content(body)
    return message.as_bytes()


def _inbound(world, mailbox, *, status=InboundStatus.FAILED, raw=None, n=1, **fields):
    raw = raw if raw is not None else _raw(n=n)
    values = {
        "tenant": world.tenant,
        "mailbox": mailbox,
        "message_id": f"persian-{n}@mail.example.ir",
        "raw": raw,
        "size": len(raw),
        "sender": "maryam@example.ir",
        "subject": SEED_SUBJECT,
        "status": status,
        "received_at": SATURDAY_11,
        **fields,
    }
    return InboundMail.objects.create(**values)


def _mailbox_post(**changes) -> dict:
    data = {
        "address": "help@alpha-mail.example",
        "name": "پشتیبانی",
        "department": "",
        "is_active": "on",
        "imap_host": "",
        "imap_port": "993",
        "imap_ssl": "on",
        "imap_user": "",
        "imap_password": "",
        "imap_folder": "INBOX",
        "imap_done_folder": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


# --- who may open the pages ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fa", "en"])
def test_admin_sees_the_mail_pages_in_their_language(alpha, language):
    # given a mailbox with a failed and a processed message
    mailbox = _mailbox(alpha)
    failed = _inbound(alpha, mailbox, detail="no sender address")
    client = alpha.client(_speaking(alpha.owner, language))
    # when the owner opens each page, then each renders in the owner's language and direction
    urls = [
        *ADMIN_PAGES,
        f"/agent/mail/{mailbox.pk}/",
        f"/agent/mail/received/{failed.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'lang="{language}"' in html
        assert ('dir="rtl"' in html) == (language == "fa")
    # and the mailboxes page says how mail arrives
    html = client.get("/agent/mail/").content.decode()
    assert "pishkhan mail-receive" in html
    assert f"alpha@{inbound_host()}" in html
    assert mailbox.address in html
    # and the received mail is dated in the reader's calendar
    html = client.get("/agent/mail/received/").content.decode()
    assert format_datetime(SATURDAY_11, language=language) in html
    if language == "fa":
        assert "۱۴۰۵" in html


def test_the_admins_navigation_links_the_mail_pages(alpha):
    assert b'href="/agent/mail/"' in alpha.client(alpha.owner).get("/agent/").content
    assert b'href="/agent/mail/"' not in alpha.client(alpha.agent).get("/agent/").content


@pytest.mark.parametrize("who", ["agent", "viewer", "customer_user"])
def test_other_staff_and_customers_get_404(alpha, who):
    # given a mailbox and a received message
    mailbox = _mailbox(alpha)
    inbound = _inbound(alpha, mailbox)
    client = alpha.client(getattr(alpha, who))
    # when someone who is not an admin opens or posts to any mail page
    for url in (
        *ADMIN_PAGES,
        f"/agent/mail/{mailbox.pk}/",
        f"/agent/mail/received/{inbound.pk}/",
        f"/agent/mail/received/{inbound.pk}/raw/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/agent/mail/new/",
        f"/agent/mail/{mailbox.pk}/",
        f"/agent/mail/{mailbox.pk}/delete/",
        f"/agent/mail/received/{inbound.pk}/retry/",
    ):
        assert client.post(url, _mailbox_post()).status_code == 404, url
    # then nothing changed
    assert Mailbox.objects.for_tenant(alpha.tenant).count() == 1
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED


def test_a_stranger_is_sent_to_log_in(alpha):
    for url in ADMIN_PAGES:
        response = alpha.client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# --- mailboxes -------------------------------------------------------------------------------


def test_admin_connects_edits_and_disconnects_a_mailbox(alpha):
    department = _mail_department(alpha)
    client = alpha.client(_in_english(alpha.owner))
    # when the owner connects an IMAP mailbox
    response = client.post(
        "/agent/mail/new/",
        _mailbox_post(
            address="Help@Alpha-Mail.example",
            department=str(department.pk),
            imap_host="imap.alpha-mail.example",
            imap_user="help",
            imap_password="s3cret-imap-pass",
            imap_done_folder="Processed",
        ),
    )
    # then it is stored, its address in lower case, and listed
    assert response.status_code == 302
    mailbox = Mailbox.objects.for_tenant(alpha.tenant).get()
    assert mailbox.address == "help@alpha-mail.example"
    assert (mailbox.department, mailbox.imap_password) == (department, "s3cret-imap-pass")
    listing = client.get("/agent/mail/").content.decode()
    assert "help@alpha-mail.example" in listing
    assert "imap.alpha-mail.example" in listing
    # and the edit form never shows the stored password
    page = client.get(f"/agent/mail/{mailbox.pk}/").content.decode()
    assert "s3cret-imap-pass" not in page
    assert "Leave empty to keep the stored password." in page
    # when it is saved with the password left empty, then the stored one is kept
    response = client.post(
        f"/agent/mail/{mailbox.pk}/",
        _mailbox_post(
            address="help@alpha-mail.example",
            name="فروش",
            department=str(alpha.department.pk),
            imap_host="imap.alpha-mail.example",
            imap_user="help",
            imap_ssl=False,
        ),
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.department, mailbox.imap_ssl) == ("فروش", alpha.department, False)
    assert mailbox.imap_password == "s3cret-imap-pass"
    # and a new password replaces it
    client.post(
        f"/agent/mail/{mailbox.pk}/",
        _mailbox_post(
            address="help@alpha-mail.example",
            department=str(alpha.department.pk),
            imap_host="imap.alpha-mail.example",
            imap_user="help",
            imap_password="another-pass",
        ),
    )
    mailbox.refresh_from_db()
    assert mailbox.imap_password == "another-pass"
    # when it is disconnected, then it is gone and what it received stays in the log
    received = _inbound(alpha, mailbox, status=InboundStatus.TICKET)
    response = client.post(f"/agent/mail/{mailbox.pk}/delete/")
    assert response.status_code == 302
    assert not Mailbox.objects.filter(pk=mailbox.pk).exists()
    received.refresh_from_db()
    assert received.mailbox is None
    assert client.get(f"/agent/mail/received/{received.pk}/").status_code == 200
    actions = set(
        AuditEvent.objects.filter(tenant=alpha.tenant, action__startswith="mailbox.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"mailbox.create", "mailbox.update", "mailbox.delete"}


def test_delete_needs_a_post(alpha):
    mailbox = _mailbox(alpha)
    assert alpha.client(alpha.owner).get(f"/agent/mail/{mailbox.pk}/delete/").status_code == 405
    assert Mailbox.objects.filter(pk=mailbox.pk).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("fa", "یک نشانی ایمیل معتبر وارد کنید."), ("en", "Enter a valid email address.")],
)
def test_a_bad_address_is_refused_beside_the_field(alpha, language, message):
    client = alpha.client(_speaking(alpha.owner, language))
    response = client.post(
        "/agent/mail/new/",
        _mailbox_post(address="support at alpha", department=str(alpha.department.pk)),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["address"] == [message]
    assert message in response.content.decode()
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fa", "یک گزینهٔ معتبر انتخاب کنید."),
        ("en", "Select a valid choice."),
    ],
)
def test_another_workspaces_department_is_refused(alpha, beta, language, message):
    # given a mailbox of alpha's
    mailbox = _mailbox(alpha)
    before = Mailbox.objects.order_by("pk").values()[0]
    client = alpha.client(_speaking(alpha.owner, language))
    # when its department is set to beta's, or a new one is made for beta's
    for url in ("/agent/mail/new/", f"/agent/mail/{mailbox.pk}/"):
        response = client.post(
            url,
            _mailbox_post(address="other@alpha-mail.example", department=str(beta.department.pk)),
        )
        # then the field says so, in the admin's language, and nothing changed
        assert response.status_code == 400
        assert message in response.context["form"].errors["department"][0]
    assert list(Mailbox.objects.order_by("pk").values()) == [before]


def test_an_address_connected_anywhere_cannot_be_connected_again(alpha, beta):
    # Mail to one address must reach exactly one workspace.
    _mailbox(beta, address="support@shared.example")
    client = alpha.client(_in_english(alpha.owner))
    response = client.post(
        "/agent/mail/new/",
        _mailbox_post(address="Support@Shared.example", department=str(alpha.department.pk)),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["address"] == ["This address is already connected."]
    assert not Mailbox.objects.for_tenant(alpha.tenant).exists()


def test_an_imap_mailbox_needs_its_credentials(alpha):
    client = alpha.client(_in_english(alpha.owner))
    response = client.post(
        "/agent/mail/new/",
        _mailbox_post(department=str(alpha.department.pk), imap_host="imap.example", imap_port="0"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["imap_user"] == ["An IMAP mailbox needs its user name and password."]
    assert errors["imap_port"] == ["Enter a port between 1 and 65535."]
    assert not Mailbox.objects.exists()


# --- received mail ---------------------------------------------------------------------------


def test_received_mail_is_listed_newest_first_with_status_and_ticket(alpha):
    mailbox = _mailbox(alpha)
    failed = _inbound(alpha, mailbox, n=1, subject="پیام خراب")
    made = _inbound(
        alpha,
        mailbox,
        n=2,
        status=InboundStatus.TICKET,
        ticket=alpha.ticket,
        received_at=SATURDAY_11 + timedelta(minutes=5),
    )
    client = alpha.client(_in_english(alpha.owner))
    rows = client.get("/agent/mail/received/").context["rows"]
    assert [row.pk for row in rows] == [made.pk, failed.pk]
    html = client.get("/agent/mail/received/").content.decode()
    assert f'href="/agent/tickets/{alpha.ticket.number}/"' in html
    assert "Could not be processed" in html
    assert "maryam@example.ir" in html
    # when filtered by a status, then only those are listed
    assert [r.pk for r in client.get("/agent/mail/received/?status=failed").context["rows"]] == [
        failed.pk
    ]
    # and a status that does not exist shows everything rather than failing
    assert len(client.get("/agent/mail/received/?status=bogus&before=x").context["rows"]) == 2


def test_status_filter_offers_every_status(alpha):
    html = alpha.client(_in_english(alpha.owner)).get("/agent/mail/received/").content.decode()
    for value in InboundStatus.values:
        assert f'<option value="{value}"' in html


def test_older_link_pages_through_the_log_without_repeats(alpha, monkeypatch):
    monkeypatch.setattr(mail_views, "PAGE_SIZE", 3)
    mailbox = _mailbox(alpha)
    # seven messages, two of them received in the same second
    rows = [
        _inbound(alpha, mailbox, n=n, received_at=SATURDAY_11 + timedelta(minutes=min(n, 5)))
        for n in range(7)
    ]
    expected = [row.pk for row in sorted(rows, key=lambda r: (r.received_at, r.pk), reverse=True)]
    client = alpha.client(alpha.owner)
    seen = []
    url = "/agent/mail/received/?status=failed"
    while url:
        response = client.get(url)
        seen += [row.pk for row in response.context["rows"]]
        older = response.context["older_query"]
        url = f"/agent/mail/received/?{older}" if older else None
        if older:
            assert "status=failed" in older
    assert seen == expected


def test_received_mail_list_costs_the_same_queries_for_few_and_many(alpha):
    mailbox = _mailbox(alpha)
    _inbound(alpha, mailbox, n=0)
    client = alpha.client(alpha.owner)
    client.get("/agent/mail/received/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/agent/mail/received/")
    other = _mailbox(alpha, address="sales@alpha-mail.example", department=alpha.department)
    for n in range(1, 21):
        ticket = alpha.submit(f"درخواست {n}")
        _inbound(
            alpha,
            mailbox if n % 2 else other,
            n=n,
            status=InboundStatus.TICKET,
            ticket=ticket,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/agent/mail/received/")
    assert len(response.context["rows"]) == 21
    assert len(many) <= len(few)


def test_message_page_shows_headers_detail_and_ticket(alpha):
    mailbox = _mailbox(alpha)
    inbound = _inbound(
        alpha,
        mailbox,
        status=InboundStatus.REPLY,
        ticket=alpha.ticket,
        detail="Added to the open ticket it repeats.",
    )
    html = alpha.client(_in_english(alpha.owner)).get(f"/agent/mail/received/{inbound.pk}/")
    html = html.content.decode()
    # decoded headers: the sender's Persian name and the subject, not their RFC 2047 form
    assert "مریم احمدی" in html
    assert SEED_SUBJECT in html
    assert "persian-1@mail.example.ir" in html
    assert "Added to the open ticket it repeats." in html
    assert f'href="/agent/tickets/{alpha.ticket.number}/"' in html
    assert f'href="/agent/mail/received/{inbound.pk}/raw/"' in html
    # a message that did not fail cannot be tried again
    assert "retry-form" not in html


def test_a_message_with_unreadable_headers_still_has_its_page(alpha):
    raw = b"\xff\xfe\x00garbage without headers\r\n\r\n\x00\x01"
    inbound = _inbound(alpha, _mailbox(alpha), raw=raw, detail="no sender address")
    response = alpha.client(_in_english(alpha.owner)).get(f"/agent/mail/received/{inbound.pk}/")
    assert response.status_code == 200
    assert "no sender address" in response.content.decode()
    assert "retry-form" in response.content.decode()


def test_the_original_downloads_byte_for_byte(alpha):
    # given a legacy windows-1256 message (bytes no UTF-8 decoder would keep)
    body = SEED_BODY.replace("ی", "ي").replace("ک", "ك").encode("cp1256")
    raw = (
        b"From: maryam@example.ir\r\nSubject: test\r\n"
        b"Content-Type: text/plain; charset=windows-1256\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    inbound = _inbound(alpha, _mailbox(alpha), raw=raw)
    response = alpha.client(alpha.owner).get(f"/agent/mail/received/{inbound.pk}/raw/")
    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{inbound.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_failed_message_tried_again_becomes_a_ticket(alpha):
    # given a valid Persian request that failed (say, before a fix was deployed)
    mailbox = _mailbox(alpha)
    inbound = _inbound(alpha, mailbox, detail="RuntimeError: temporary")
    client = alpha.client(_in_english(alpha.owner))
    assert "retry-form" in client.get(f"/agent/mail/received/{inbound.pk}/").content.decode()
    # when the admin tries it again
    response = client.post(f"/agent/mail/received/{inbound.pk}/retry/", follow=True)
    # then it becomes a ticket of the mailbox's department, from the sender
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.TICKET
    ticket = Ticket.objects.for_tenant(alpha.tenant).get(pk=inbound.ticket_id)
    assert ticket.subject == SEED_SUBJECT
    assert ticket.department == mailbox.department
    assert ticket.customer.email == "maryam@example.ir"
    assert ticket.channel == "email"
    # and the page shows the new status and links the ticket
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/agent/mail/received/{inbound.pk}/"
    assert "Tried again: New ticket." in html
    assert f'href="/agent/tickets/{ticket.number}/"' in html
    assert "retry-form" not in html
    assert AuditEvent.objects.filter(tenant=alpha.tenant, action="mail.retry").count() == 1
    # when it is tried once more, then it is refused and nothing is doubled
    response = client.post(f"/agent/mail/received/{inbound.pk}/retry/", follow=True)
    assert "Only a message that could not be processed can be tried again." in (
        response.content.decode()
    )
    assert Ticket.objects.for_tenant(alpha.tenant).filter(subject=SEED_SUBJECT).count() == 2


def test_a_message_that_still_fails_says_why(alpha):
    raw = b"Subject: no sender at all\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n"
    inbound = _inbound(alpha, _mailbox(alpha), raw=raw)
    client = alpha.client(_in_english(alpha.owner))
    response = client.post(f"/agent/mail/received/{inbound.pk}/retry/", follow=True)
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED
    assert "it still could not be processed" in response.content.decode()
    assert inbound.ticket_id is None


def test_retry_needs_a_post(alpha):
    inbound = _inbound(alpha, _mailbox(alpha))
    response = alpha.client(alpha.owner).get(f"/agent/mail/received/{inbound.pk}/retry/")
    assert response.status_code == 405
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED


# --- a customer's failing address ------------------------------------------------------------


def _failing(world):
    customer_mark_email_failing(
        tenant=world.tenant,
        email=world.customer.email,
        reason="550 5.1.1 mailbox unavailable",
        now=clock.now(),
    )
    return Customer.objects.get(pk=world.customer.pk)


def test_agent_sees_a_failing_address_and_marks_it_working_again(alpha):
    customer = _failing(alpha)
    client = alpha.client(_in_english(alpha.agent))
    ticket_url = f"/agent/tickets/{alpha.ticket.number}/"
    # given the customer's address bounced, then the ticket's customer card says so
    html = client.get(ticket_url).content.decode()
    assert 'id="email-failing"' in html
    assert "Address failing" in html
    assert "550 5.1.1 mailbox unavailable" in html
    assert "Mail works again" in html
    # when the agent says mail works again
    response = client.post(
        f"/agent/customers/{customer.pk}/email-restored/", {"next": ticket_url}, follow=True
    )
    # then the address is no longer failing, and the agent is back on the ticket
    customer.refresh_from_db()
    assert customer.email_failing_since is None
    assert customer.email_failure == ""
    assert response.redirect_chain[-1][0] == ticket_url
    assert 'id="email-failing"' not in response.content.decode()
    assert AuditEvent.objects.filter(
        tenant=alpha.tenant, action="customer.email_restored", actor=alpha.agent
    ).exists()


def test_a_working_address_shows_no_badge(alpha):
    html = alpha.client(alpha.agent).get(f"/agent/tickets/{alpha.ticket.number}/").content
    assert b'id="email-failing"' not in html


def test_read_only_staff_see_the_badge_but_cannot_clear_it(alpha):
    customer = _failing(alpha)
    client = alpha.client(_in_english(alpha.viewer))
    html = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert "Address failing" in html
    assert "Mail works again" not in html
    response = client.post(f"/agent/customers/{customer.pk}/email-restored/", follow=True)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.email_failing_since is not None


def test_marking_working_again_never_redirects_off_site(alpha):
    customer = _failing(alpha)
    response = alpha.client(alpha.agent).post(
        f"/agent/customers/{customer.pk}/email-restored/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/agent/"


def test_a_customer_cannot_clear_their_own_failing_address_here(alpha):
    customer = _failing(alpha)
    response = alpha.client(alpha.customer_user).post(
        f"/agent/customers/{customer.pk}/email-restored/"
    )
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.email_failing_since is not None
