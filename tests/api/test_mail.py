"""The email channel in the API (C-1): mailboxes (password write-only), the log of received
mail with its raw original, the retry of a failed message, and a customer's failing address."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_mark_email_failing
from pishkhan.core import clock
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import department_create
from tests.api.helpers import API, assert_error, send, token_for
from tests.conftest import SEED_SUBJECT
from tests.web.test_mail_pages import _inbound, _mailbox

IMAP = {
    "imap_host": "imap.alpha-mail.example",
    "imap_user": "help",
    "imap_password": "s3cret-imap-pass",
}


def _english(**headers):
    return {"HTTP_ACCEPT_LANGUAGE": "en", **headers}


# --- mailboxes -------------------------------------------------------------------------------


def _connect_imap_at(world, host: str, **headers):
    mailbox = {"address": "help@alpha-mail.example", "department_id": world.department.pk}
    return send(
        world.api(), "POST", "/mailboxes", {**mailbox, **IMAP, "imap_host": host}, **headers
    )


@pytest.mark.parametrize(
    "host", ["a" * 64 + ".example.com", "bad..host", "mail.\u009bexample.com", "imap server.ir"]
)
def test_a_host_name_dns_cannot_carry_is_refused_and_nothing_stored(alpha, host):
    response = _connect_imap_at(alpha, host, **_english())
    body = assert_error(response, 400, "invalid")
    assert body["fields"]["imap_host"] == [
        "Enter the IMAP server's host name, e.g. imap.example.ir."
    ]
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("host", ["imap.alpha-mail.example", "mail", "ایمیل.ایران", "::1"])
def test_names_and_addresses_dns_can_carry_are_taken(alpha, host):
    response = _connect_imap_at(alpha, host)
    assert response.status_code == 201, response.content
    assert response.json()["imap_host"] == host


def test_admin_connects_reads_changes_and_disconnects_a_mailbox(alpha):
    client = alpha.api()
    department = department_create(tenant=alpha.tenant, actor=alpha.owner, name="فروش")
    # when the owner connects an IMAP mailbox
    response = send(
        client,
        "POST",
        "/mailboxes",
        {"address": "Help@Alpha-Mail.example", "department_id": department.pk, **IMAP},
    )
    # then it is stored, and the password is never given back
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["address"] == "help@alpha-mail.example"
    assert created["department"]["id"] == department.pk
    assert (created["polls_imap"], created["has_imap_password"]) == (True, True)
    assert (created["imap_port"], created["imap_folder"]) == (993, "INBOX")
    assert "imap_password" not in created
    assert b"s3cret-imap-pass" not in response.content
    mailbox_id = created["id"]
    assert Mailbox.objects.get(pk=mailbox_id).imap_password == "s3cret-imap-pass"
    # and it is listed and readable
    assert [m["id"] for m in send(client, "GET", "/mailboxes").json()] == [mailbox_id]
    detail = send(client, "GET", f"/mailboxes/{mailbox_id}")
    assert detail.json() == created
    assert b"s3cret-imap-pass" not in detail.content
    # when only some fields change (an empty password keeps the stored one)
    response = send(
        client,
        "PATCH",
        f"/mailboxes/{mailbox_id}",
        {"name": "پشتیبانی", "department_id": alpha.department.pk, "imap_password": ""},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["department"]["id"]) == (
        "پشتیبانی",
        alpha.department.pk,
    )
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    assert (mailbox.imap_password, mailbox.imap_host) == ("s3cret-imap-pass", IMAP["imap_host"])
    # when it is disconnected, then it is gone
    assert send(client, "DELETE", f"/mailboxes/{mailbox_id}").status_code == 204
    assert not Mailbox.objects.filter(pk=mailbox_id).exists()
    assert_error(send(client, "GET", f"/mailboxes/{mailbox_id}"), 404, "not_found")


def test_a_mailbox_delivered_to_pishkhan_needs_no_imap(alpha):
    response = send(
        alpha.api(),
        "POST",
        "/mailboxes",
        {"address": "support@alpha-mail.example", "department_id": alpha.department.pk},
    )
    assert response.status_code == 201
    assert (response.json()["polls_imap"], response.json()["has_imap_password"]) == (False, False)


@pytest.mark.parametrize(
    ("language", "message"),
    [("fa", "یک نشانی ایمیل معتبر وارد کنید."), ("en", "Enter a valid email address.")],
)
def test_a_bad_address_is_a_field_error_in_both_languages(alpha, language, message):
    response = send(
        alpha.api(),
        "POST",
        "/mailboxes",
        {"address": "support at alpha", "department_id": alpha.department.pk},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"address": [message]}
    assert not Mailbox.objects.exists()


def test_another_workspaces_department_is_not_found(alpha, beta):
    mailbox = _mailbox(alpha)
    before = list(Mailbox.objects.values())
    client = alpha.api()
    error = assert_error(
        send(
            client,
            "POST",
            "/mailboxes",
            {"address": "x@alpha-mail.example", "department_id": beta.department.pk},
        ),
        404,
        "not_found",
    )
    assert list(error["fields"]) == ["department_id"]
    error = assert_error(
        send(client, "PATCH", f"/mailboxes/{mailbox.pk}", {"department_id": beta.department.pk}),
        404,
        "not_found",
    )
    assert list(error["fields"]) == ["department_id"]
    assert list(Mailbox.objects.values()) == before


def test_service_checks_come_back_as_field_errors(alpha, beta):
    _mailbox(beta, address="support@shared.example")
    response = send(
        alpha.api(),
        "POST",
        "/mailboxes",
        {
            "address": "support@shared.example",
            "department_id": alpha.department.pk,
            "imap_host": "imap.example",
        },
        **_english(),
    )
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {
        "address": ["This address is already connected."],
        "imap_user": ["An IMAP mailbox needs its user name and password."],
    }
    assert not Mailbox.objects.for_tenant(alpha.tenant).exists()


def test_schema_errors_are_refused_before_the_service(alpha):
    client = alpha.api()
    body = {"address": "a@alpha-mail.example", "department_id": alpha.department.pk}
    for bad in ({"imap_port": 0}, {"imap_port": 70000}, {"password": "x"}, {"department_id": 0}):
        assert_error(send(client, "POST", "/mailboxes", {**body, **bad}), 400, "invalid")
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("who", ["agent", "viewer"])
def test_mail_routes_are_for_admins_only(alpha, who):
    mailbox = _mailbox(alpha)
    inbound = _inbound(alpha, mailbox)
    client = alpha.api(token_for(alpha, getattr(alpha, who)))
    for method, path, body in (
        ("GET", "/mailboxes", None),
        ("POST", "/mailboxes", {"address": "a@b.example", "department_id": alpha.department.pk}),
        ("GET", f"/mailboxes/{mailbox.pk}", None),
        ("PATCH", f"/mailboxes/{mailbox.pk}", {"name": "x"}),
        ("DELETE", f"/mailboxes/{mailbox.pk}", None),
        ("GET", "/mail/inbound", None),
        ("GET", f"/mail/inbound/{inbound.pk}", None),
        ("GET", f"/mail/inbound/{inbound.pk}/raw", None),
        ("POST", f"/mail/inbound/{inbound.pk}/retry", None),
    ):
        assert_error(send(client, method, path, body), 403, "forbidden")
    assert list(Mailbox.objects.values_list("pk", "name")) == [(mailbox.pk, "")]
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.FAILED


# --- received mail ---------------------------------------------------------------------------


def test_received_mail_is_listed_newest_first_and_filtered_by_status(alpha):
    mailbox = _mailbox(alpha)
    failed = _inbound(alpha, mailbox, n=1, detail="no sender address")
    made = _inbound(
        alpha,
        mailbox,
        n=2,
        status=InboundStatus.TICKET,
        ticket=alpha.ticket,
        received_at=clock.now() + timedelta(minutes=1),
    )
    client = alpha.api()
    page = send(client, "GET", "/mail/inbound", **_english()).json()
    assert page["count"] == 2
    assert [item["id"] for item in page["items"]] == [made.pk, failed.pk]
    first = page["items"][0]
    assert first["ticket"] == alpha.ticket.number
    assert (first["status"], first["status_label"]) == ("ticket", "New ticket")
    assert first["mailbox"] == {"id": mailbox.pk, "address": mailbox.address}
    assert first["sender"] == "maryam@example.ir"
    assert first["subject"] == SEED_SUBJECT
    assert "raw" not in first
    failed_only = send(client, "GET", "/mail/inbound?status=failed").json()
    assert [item["id"] for item in failed_only["items"]] == [failed.pk]
    assert failed_only["items"][0]["detail"] == "no sender address"
    assert_error(send(client, "GET", "/mail/inbound?status=lost"), 400, "invalid")
    detail = send(client, "GET", f"/mail/inbound/{failed.pk}").json()
    assert detail["id"] == failed.pk
    assert detail["ticket"] is None
    # Jalali with Persian digits by default
    assert "۱۴" in detail["received_at_display"]


def test_received_mail_list_costs_the_same_queries_for_few_and_many(alpha):
    mailbox = _mailbox(alpha)
    _inbound(alpha, mailbox, n=0)
    client = alpha.api()
    send(client, "GET", "/mail/inbound")
    with CaptureQueriesContext(connection) as few:
        send(client, "GET", "/mail/inbound")
    other = _mailbox(alpha, address="sales@alpha-mail.example", department=alpha.department)
    for n in range(1, 16):
        ticket = alpha.submit(f"درخواست {n}")
        status = InboundStatus.TICKET
        _inbound(alpha, mailbox if n % 2 else other, n=n, status=status, ticket=ticket)
    with CaptureQueriesContext(connection) as many:
        response = send(client, "GET", "/mail/inbound")
    assert response.json()["count"] == 16
    assert len(many) <= len(few)


def test_the_original_downloads_byte_for_byte(alpha):
    raw = "Subject: =?utf-8?b?2LPZhNin2YU=?=\r\n\r\nسلام\r\n".encode() + bytes(range(256))
    inbound = _inbound(alpha, _mailbox(alpha), raw=raw)
    response = alpha.api().get(f"{API}/mail/inbound/{inbound.pk}/raw")
    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{inbound.pk}.eml"'


def test_a_failed_message_tried_again_becomes_a_ticket(alpha):
    mailbox = _mailbox(alpha)
    inbound = _inbound(alpha, mailbox, detail="RuntimeError: temporary")
    client = alpha.api()
    response = send(client, "POST", f"/mail/inbound/{inbound.pk}/retry", **_english())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ticket"
    ticket = Ticket.objects.for_tenant(alpha.tenant).get(number=body["ticket"])
    assert (ticket.subject, ticket.department) == (SEED_SUBJECT, mailbox.department)
    assert ticket.customer.email == "maryam@example.ir"
    # tried once more: refused, and nothing is doubled
    error = assert_error(
        send(client, "POST", f"/mail/inbound/{inbound.pk}/retry", **_english()), 400, "invalid"
    )
    assert error["fields"] == {
        "status": ["Only a message that could not be processed can be tried again."]
    }
    assert InboundMail.objects.get(pk=inbound.pk).ticket_id == ticket.pk
    assert Ticket.objects.for_tenant(alpha.tenant).filter(customer=ticket.customer).count() == 1


def test_a_message_whose_mailbox_was_removed_cannot_be_tried_again(alpha):
    mailbox = _mailbox(alpha)
    inbound = _inbound(alpha, mailbox)
    mailbox.delete()
    error = assert_error(
        send(alpha.api(), "POST", f"/mail/inbound/{inbound.pk}/retry", **_english()),
        400,
        "invalid",
    )
    assert error["fields"] == {"mailbox": ["Its mailbox was removed: connect one first."]}


@pytest.mark.parametrize(
    "path", ["/mailboxes/{}", "/mail/inbound/{}", "/mail/inbound/{}/raw", "/customers/{}"]
)
def test_impossible_ids_are_simply_not_found(alpha, path):
    for value in (0, 2**63, 10**30):
        assert_error(send(alpha.api(), "GET", path.format(value)), 404, "not_found")


# --- a customer's failing address ------------------------------------------------------------


def _failing(world):
    customer_mark_email_failing(
        tenant=world.tenant,
        email=world.customer.email,
        reason="550 5.1.1 mailbox unavailable",
        now=clock.now(),
    )
    return Customer.objects.get(pk=world.customer.pk)


def test_an_agent_marks_a_failing_address_as_working_again(alpha):
    customer = _failing(alpha)
    client = alpha.api(token_for(alpha, alpha.agent))
    response = send(client, "POST", f"/customers/{customer.pk}/email-restored")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": customer.pk,
        "email": customer.email,
        "email_failing": False,
        "email_failing_since": None,
        "email_failure": "",
    }
    customer.refresh_from_db()
    assert customer.email_failing_since is None
    # and saying so again changes nothing
    assert send(client, "POST", f"/customers/{customer.pk}/email-restored").status_code == 200


def test_read_only_staff_cannot_mark_an_address_working(alpha):
    customer = _failing(alpha)
    client = alpha.api(token_for(alpha, alpha.viewer))
    assert_error(send(client, "POST", f"/customers/{customer.pk}/email-restored"), 403, "forbidden")
    customer.refresh_from_db()
    assert customer.email_failure == "550 5.1.1 mailbox unavailable"
