"""Every list page reads the same number of queries however many rows it lists (no N+1).
The lists with a test of their own elsewhere (the queue, received mail, violations, quality,
knowledge base, chats, search, deflection) are not repeated here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import list_growers as grow

# (page, who looks at it, what it lists)
PAGES = [
    ("/tickets/", "customer_user", grow.tickets),
    ("/agent/canned/", "agent", grow.canned),
    ("/agent/departments/", "owner", grow.departments),
    ("/agent/members/", "owner", grow.members),
    ("/agent/tokens/", "owner", grow.tokens),
    ("/agent/rules/services/", "agent", grow.services),
    ("/agent/rules/fines/", "owner", grow.fines),
    ("/my/services/", "customer_user", grow.services),
    ("/my/fines/", "customer_user", grow.fines),
    ("/agent/mail/", "owner", grow.mailboxes),
    ("/agent/calendars/", "owner", grow.calendars),
    ("/agent/policies/", "owner", grow.sla_policies),
]


def _queries(client, path: str) -> tuple[int, str]:
    client.get(path)  # the session and the per-tenant settings are read once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("path", "who", "rows"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_costs_the_same_queries_for_one_and_six_rows(alpha, path, who, rows):
    # given a list page with one row
    client = alpha.client(getattr(alpha, who))
    first = rows(alpha, 1)
    few, page = _queries(client, path)
    assert all(text in page for text in first)
    # when five more rows are added, then the page lists them at the same cost
    more = rows(alpha, 5)
    many, page = _queries(client, path)
    assert all(text in page for text in more)
    assert many == few
