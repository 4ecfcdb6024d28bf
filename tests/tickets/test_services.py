import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from pishkhan.tickets.models import Message, MessageKind, Status, Ticket
from pishkhan.tickets.services import (
    ticket_add_note,
    ticket_reply,
    ticket_update,
)


def test_submission_numbers_tickets_per_tenant_from_one(alpha, beta):
    # given two tenants each with one ticket, when alpha gets another
    second = alpha.submit("دومین درخواست")
    # then numbering is per tenant
    assert (alpha.ticket.number, second.number, beta.ticket.number) == (1, 2, 1)


def test_failed_submission_gives_its_number_back_and_writes_nothing(alpha):
    before = Ticket.objects.count(), Message.objects.count()
    with pytest.raises(ValidationError) as err:
        alpha.submit("بدون آی‌پی", fields={"domain": "example.ir"})
    assert "fields.server_ip" in err.value.message_dict
    assert (Ticket.objects.count(), Message.objects.count()) == before
    nxt = alpha.submit("کامل")
    assert nxt.number == 2


def test_customer_is_told_the_ticket_number_in_persian_by_email(
    alpha, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = alpha.submit("درخواست سوم")
    assert ticket.number == 2
    assert [m.to for m in mail.outbox] == [[alpha.customer.email]]
    subject = mail.outbox[0].subject
    assert "۲" in subject and "تیکت" in subject and "درخواست سوم" in subject


def test_agent_reply_waits_on_customer_and_customer_reply_reopens(alpha):
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="بررسی شد")
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == Status.WAITING
    assert alpha.ticket.first_response_at is not None
    ticket_reply(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.customer_user, body="هنوز مشکل دارم"
    )
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == Status.OPEN


def test_note_is_internal_and_customers_cannot_write_notes(alpha):
    note = ticket_add_note(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="یادداشت داخلی"
    )
    assert note.kind == MessageKind.NOTE and not note.is_public
    with pytest.raises(PermissionDenied):
        ticket_add_note(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.customer_user, body="x"
        )


def test_closed_ticket_never_reopens(alpha):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status=Status.CLOSED)
    with pytest.raises(ValidationError) as err:
        ticket_reply(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.customer_user, body="دوباره"
        )
    assert err.value.code == "ticket_closed"
    with pytest.raises(ValidationError):
        ticket_update(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status=Status.OPEN
        )


def test_read_only_member_cannot_change_tickets(alpha):
    with pytest.raises(PermissionDenied):
        ticket_update(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.viewer, priority="urgent"
        )


def test_cannot_assign_to_staff_of_another_tenant(alpha, beta):
    with pytest.raises(ValidationError) as err:
        ticket_update(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, assignee=beta.agent
        )
    assert "assignee" in err.value.message_dict
