"""Every list of the API reads the same number of queries however many rows it lists (no
N+1). The lists with a test of their own elsewhere (tickets, messages, received mail, SLA
policies, quality, knowledge-base articles) are not repeated here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import list_growers as grow
from tests.api.helpers import send

# (address, what it lists); "{number}" is the world's ticket, "{customer}" its customer
LISTS = [
    ("/customers", grow.customers),
    ("/services", grow.services),
    ("/customers/{customer}/services", grow.services),
    ("/canned-replies", grow.canned),
    ("/departments", grow.departments),
    ("/agents", grow.members),
    ("/violations", grow.violations),
    ("/tickets/{number}/violations", grow.violations),
    ("/fines", grow.fines),
    ("/tickets/{number}/time-entries", grow.time_entries),
    ("/mailboxes", grow.mailboxes),
    ("/calendars", grow.calendars),
]


def _items(body) -> list:
    if isinstance(body, list):
        return body
    return body.get("items", body.get("entries", []))


def _queries(client, path: str) -> tuple[int, list]:
    send(client, "GET", path)  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as queries:
        response = send(client, "GET", path)
    assert response.status_code == 200, (path, response.content)
    return len(queries), _items(response.json())


@pytest.mark.parametrize(("path", "rows"), LISTS, ids=[p for p, _rows in LISTS])
def test_list_costs_the_same_queries_for_one_and_six_rows(alpha, path, rows):
    path = path.format(number=alpha.ticket.number, customer=alpha.customer.pk)
    client = alpha.api()
    # given a list with one row of its kind
    rows(alpha, 1)
    few, items = _queries(client, path)
    listed = len(items)
    # when five more are added, then it lists them at the same cost
    rows(alpha, 5)
    many, items = _queries(client, path)
    assert len(items) == listed + 5
    assert many == few
