"""A closed ticket is the record of a finished request: what its service level and the reports
were measured by stays; its tags (which only help find it) and the time logged on it may still
change. Through the service, the API and the ticket page."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pishkhan.tickets.models import Department, Status, Ticket, TimeEntry
from pishkhan.tickets.selectors import ticket_tags
from pishkhan.tickets.services import department_create, ticket_update, time_entry_add
from tests.api.helpers import assert_error, send, snapshot


@pytest.fixture
def closed(alpha):
    ticket_update(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        priority="important",
        tags=["سرور"],
        status=Status.CLOSED,
    )
    alpha.ticket.refresh_from_db()
    return alpha


def _other_department(world) -> Department:
    return department_create(
        tenant=world.tenant, actor=world.owner, name="مالی", name_en="Billing", fields=[]
    )


@pytest.mark.parametrize(
    "change",
    [
        {"priority": "urgent"},
        {"severity": "critical"},
        {"assignee": "agent"},
        {"department": "other"},
        {"fields": {"domain": "tebyan.ir"}},
    ],
    ids=["priority", "severity", "assignee", "department", "fields"],
)
def test_a_closed_tickets_record_is_refused_a_change_and_stays(closed, change):
    world = closed
    values = dict(change)
    if "assignee" in values:
        values["assignee"] = world.agent
    if "department" in values:
        values["department"] = _other_department(world)
    before = Ticket.objects.filter(pk=world.ticket.pk).values().get()
    with pytest.raises(ValidationError) as err, translation.override("fa"):
        ticket_update(tenant=world.tenant, ticket=world.ticket, actor=world.agent, **values)
    (name,) = change
    assert err.value.message_dict[name] == [
        "این تیکت بسته شده است: سابقه‌اش همان‌گونه که بسته شد می‌ماند. فقط برچسب‌هایش تغییر می‌کند."
    ]
    assert Ticket.objects.filter(pk=world.ticket.pk).values().get() == before


def test_a_closed_ticket_takes_its_own_values_again_and_new_tags(closed):
    world = closed
    ticket = ticket_update(
        tenant=world.tenant,
        ticket=world.ticket,
        actor=world.agent,
        status=Status.CLOSED,
        priority="important",
        department=world.department,
        assignee=None,
        tags=["سرور", "بازبینی ماهانه"],
    )
    assert ticket.status == Status.CLOSED and ticket.priority == "important"
    assert set(ticket_tags(ticket=ticket)) == {"بازبینی ماهانه", "سرور"}
    entry = time_entry_add(tenant=world.tenant, ticket=ticket, actor=world.agent, minutes=15)
    assert TimeEntry.objects.filter(pk=entry.pk, ticket=ticket).exists()


def test_an_open_ticket_still_changes_as_before(alpha):
    ticket = ticket_update(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        priority="urgent",
        department=_other_department(alpha),
    )
    assert (ticket.priority, ticket.department.name) == ("urgent", "مالی")


def test_the_api_answers_a_conflict_naming_the_fields_and_changes_nothing(closed):
    world = closed
    before = snapshot()
    response = send(
        world.api(),
        "PATCH",
        f"/tickets/{world.ticket.number}",
        {"priority": "urgent", "assignee_id": world.agent.pk, "tags": ["فوری"]},
    )
    error = assert_error(response, 409, "ticket_closed_record")
    assert sorted(error["fields"]) == ["assignee_id", "priority"]
    assert "فقط برچسب‌هایش" in error["message_fa"]
    assert "Only its tags can change" in error["message_en"]
    assert snapshot() == before


def test_the_api_changes_a_closed_tickets_tags(closed):
    world = closed
    response = send(
        world.api(), "PATCH", f"/tickets/{world.ticket.number}", {"tags": ["سرور", "پیگیری"]}
    )
    assert response.status_code == 200
    assert set(response.json()["tags"]) == {"پیگیری", "سرور"}


def test_the_ticket_page_shows_a_closed_record_and_saves_only_its_tags(closed):
    world = closed
    browser = world.client(world.agent)
    page = browser.get(f"/agent/tickets/{world.ticket.number}/").content.decode()
    assert 'id="closed-record"' in page
    assert 'id="id_props_reason"' not in page
    for name in ("status", "priority", "severity", "assignee", "department"):
        assert f'id="id_props_{name}" disabled' in page or (
            f'disabled id="id_props_{name}"' in page
        ), name
    response = browser.post(
        f"/agent/tickets/{world.ticket.number}/properties/",
        {
            # A page left open, or a crafted post: the disabled fields' values are not taken.
            "status": "open",
            "priority": "urgent",
            "severity": "critical",
            "assignee": str(world.agent.pk),
            "department": str(world.department.pk),
            "tags": "سرور، پیگیری تلفنی",
        },
    )
    assert response.status_code == 302
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.priority, world.ticket.assignee_id) == (
        Status.CLOSED,
        "important",
        None,
    )
    assert set(ticket_tags(ticket=world.ticket)) == {"پیگیری تلفنی", "سرور"}


def test_tags_are_saved_on_a_ticket_whose_agent_has_left_the_team(alpha):
    from pishkhan.tenancy.models import Membership
    from pishkhan.tenancy.services import membership_update

    # given a ticket handled by an agent, closed, and the agent's seat then ended
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, assignee=alpha.agent)
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, status="closed")
    seat = Membership.objects.get(tenant=alpha.tenant, user=alpha.agent)
    membership_update(
        tenant=alpha.tenant, actor=alpha.owner, membership=seat, role=seat.role, is_active=False
    )
    # when the owner tags it from its page
    browser = alpha.client(alpha.owner)
    response = browser.post(
        f"/agent/tickets/{alpha.ticket.number}/properties/",
        {"status": "closed", "priority": "normal", "severity": "other", "tags": "بایگانی"},
    )
    # then the tag is saved and the record still names the agent who handled it
    assert response.status_code == 302
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.assignee_id == alpha.agent.pk
    assert set(ticket_tags(ticket=alpha.ticket)) == {"بایگانی"}
    page = browser.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert f'<option value="{alpha.agent.pk}" selected>alice</option>' in page


def test_a_closed_ticket_takes_no_note_through_the_service_or_the_api(closed):
    from pishkhan.tickets.models import Message
    from pishkhan.tickets.services import ticket_add_note

    world = closed
    notes = Message.objects.filter(ticket=world.ticket, kind="note").count()
    with pytest.raises(ValidationError) as err:
        ticket_add_note(
            tenant=world.tenant, ticket=world.ticket, actor=world.agent, body="مشتری تماس گرفت"
        )
    assert err.value.code == "ticket_closed"
    before = snapshot()
    response = send(
        world.api(),
        "POST",
        f"/tickets/{world.ticket.number}/messages",
        {"kind": "note", "body": "مشتری تماس گرفت"},
    )
    assert_error(response, 409, "ticket_closed")
    assert snapshot() == before
    assert Message.objects.filter(ticket=world.ticket, kind="note").count() == notes
