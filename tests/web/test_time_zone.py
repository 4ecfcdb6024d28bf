"""A workspace's pages and mails show times in its own time zone, not the server's."""

from datetime import UTC, datetime

from django.core import mail

from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import ticket_submit
from tests.conftest import GOOD_FIELDS, SEED_BODY

# 10:00 UTC: 13:30 in Tehran, 14:30 in Kabul (fixed offsets, no daylight time either side).
MOMENT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _opened_at_the_moment(world) -> Ticket:
    ticket = world.ticket
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MOMENT)
    return ticket


def test_the_ticket_page_shows_the_workspaces_own_time(alpha):
    ticket = _opened_at_the_moment(alpha)
    page = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "۱۳:۳۰" in page
    alpha.tenant.time_zone = "Asia/Kabul"
    alpha.tenant.save(update_fields=["time_zone"])
    page = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "۱۴:۳۰" in page and "۱۳:۳۰" not in page


def test_a_workspace_with_an_unknown_zone_name_reads_in_tehran_time(alpha):
    ticket = _opened_at_the_moment(alpha)
    alpha.tenant.time_zone = "Mars/Olympus"
    alpha.tenant.save(update_fields=["time_zone"])
    response = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/")
    assert response.status_code == 200 and "۱۳:۳۰" in response.content.decode()


def test_the_received_mail_gives_the_time_in_the_workspaces_zone(
    alpha, time_machine, django_capture_on_commit_callbacks
):
    alpha.tenant.time_zone = "Asia/Kabul"
    alpha.tenant.save(update_fields=["time_zone"])
    time_machine.move_to(MOMENT, tick=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_submit(
            tenant=alpha.tenant,
            customer=alpha.customer,
            department=alpha.department,
            actor=alpha.customer_user,
            subject="قطعی سرور مجازی",
            body=SEED_BODY,
            fields=GOOD_FIELDS,
        )
    (sent,) = mail.outbox
    assert "۱۴:۳۰" in sent.body and "۱۳:۳۰" not in sent.body
