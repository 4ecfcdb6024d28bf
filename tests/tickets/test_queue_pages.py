"""The queue read page by page (keyset pagination) and its counts that stop counting."""

from datetime import timedelta

import pytest

from pishkhan.core import clock
from pishkhan.tickets import selectors
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.selectors import TicketFilters, bounded_counts, ticket_page


def _varied(world) -> list[Ticket]:
    """Eleven tickets with ties in every sort column: same update times, same due times,
    no due time, every priority and several statuses."""
    for n in range(10):
        world.submit(f"درخواست صفحه {n}", priority=["urgent", "important", "normal"][n % 3])
    tickets = list(Ticket.objects.for_tenant(world.tenant).order_by("number"))
    now = clock.now()
    for n, ticket in enumerate(tickets):
        Ticket.objects.filter(pk=ticket.pk).update(
            updated_at=now - timedelta(minutes=n // 3),
            created_at=now - timedelta(hours=n % 4),
            sla_due_at=None if n % 4 == 0 else now + timedelta(hours=n % 3),
            status=["new", "open", "waiting", "closed"][n % 4],
        )
    return tickets


def _walk(world, filters: TicketFilters, size: int) -> list[int]:
    numbers, cursor, pages = [], "", 0
    while True:
        page = ticket_page(tenant=world.tenant, filters=filters, size=size, cursor=cursor)
        numbers += [t.number for t in page.tickets]
        pages += 1
        assert pages < 20, "the cursor must move on"
        if page.next_cursor is None:
            return numbers
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", list(selectors.PAGE_SORTS))
@pytest.mark.parametrize("status", [[], ["new", "open", "waiting"], ["closed"]])
def test_pages_by_cursor_read_every_ticket_once_in_the_sort_order(alpha, sort, status):
    # given tickets with ties in every sort column
    _varied(alpha)
    filters = TicketFilters(status=status, sort=sort)
    # when the queue is read two tickets at a time, following each page's cursor
    walked = _walk(alpha, filters, size=2)
    # then it is the whole list, in the order the list has when read at once
    expected = [t.number for t in selectors.ticket_list(tenant=alpha.tenant, filters=filters)]
    assert walked == expected
    assert len(set(walked)) == len(walked)


def test_pages_by_number_are_still_served_to_older_clients(alpha):
    _varied(alpha)
    filters = TicketFilters(sort="-number")
    second = ticket_page(tenant=alpha.tenant, filters=filters, size=4, offset=4)
    assert [t.number for t in second.tickets] == [5, 6, 7, 8]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "eyJzIjoidXBkYXRlZCJ9",
        "e30",
        "W10",
        "eyJzIjoibnVtYmVyIiwiZyI6MCwiayI6WyJ4Il19",
    ],
)
def test_a_cursor_this_sort_did_not_make_is_refused(alpha, cursor):
    with pytest.raises(selectors.InvalidCursor):
        ticket_page(tenant=alpha.tenant, filters=TicketFilters(), size=5, cursor=cursor)


def test_a_cursor_of_another_sort_is_refused(alpha):
    _varied(alpha)
    page = ticket_page(tenant=alpha.tenant, filters=TicketFilters(sort="number"), size=2)
    with pytest.raises(selectors.InvalidCursor):
        ticket_page(
            tenant=alpha.tenant,
            filters=TicketFilters(sort="updated"),
            size=2,
            cursor=page.next_cursor,
        )


def test_counts_are_exact_up_to_the_limit_and_say_more_beyond(alpha, beta):
    # given 11 tickets in alpha (2 closed) and 1 in beta
    _varied(alpha)
    every = Ticket.objects.for_tenant(alpha.tenant)
    counts = bounded_counts(
        {
            "all": every,
            "closed": every.filter(status="closed"),
            "none": every.filter(status="resolved"),
            "beta": Ticket.objects.for_tenant(beta.tenant),
        },
        limit=5,
    )
    assert counts["all"] == selectors.BoundedCount(5, exact=False)
    assert counts["closed"] == selectors.BoundedCount(2, exact=True)
    assert counts["none"] == selectors.BoundedCount(0, exact=True)
    assert counts["beta"] == selectors.BoundedCount(1, exact=True)


def test_queue_counts_by_status_department_and_assignee(alpha):
    _varied(alpha)
    counts = selectors.queue_counts(
        tenant=alpha.tenant,
        filters=TicketFilters(status=["new", "open", "waiting"]),
        department_ids=[alpha.department.pk],
        assignee_ids=[alpha.agent.pk],
    )
    assert counts["status"]["closed"].value == 2
    assert counts["status"]["new"].value == 3
    assert counts["department"][alpha.department.pk].value == 9
    assert counts["assignee"][alpha.agent.pk].value == 0
    assert counts["assignee"][None].value == 9
    assert counts["shown"] == selectors.BoundedCount(9, exact=True)
