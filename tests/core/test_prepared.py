"""Statements kept prepared (pishkhan.prepared): on PostgreSQL the hot path's look-ups by a key
and a ticket's writes are prepared on the connection and answer every value rightly; the
queue's reads, whose plan depends on the tenant, are planned for their values and never
prepared; with prepared statements off nothing is prepared."""

import pytest
from django.db import connection

from pishkhan import prepared
from pishkhan.accounts.selectors import customer_get
from pishkhan.tenancy.selectors import tenant_get_by_slug
from pishkhan.tickets.selectors import TicketFilters, queue_counts, ticket_page

pytestmark = pytest.mark.django_db

# Prepared statements are PostgreSQL's; the suite runs on both databases (run.py test), and
# each test below runs in one of the two.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only"
)


def _prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def none_prepared():
    """The test's connection with no statement prepared yet (a pooled connection keeps what
    earlier tests prepared). psycopg forgets its own names on DEALLOCATE ALL."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert _prepared_statements() == set()


@on_postgresql
def test_a_look_up_by_key_is_prepared_once_and_answers_every_value(alpha, beta, none_prepared):
    # when the same look-up is asked for two tenants and two customers
    assert tenant_get_by_slug(slug="alpha") == alpha.tenant
    assert tenant_get_by_slug(slug="beta") == beta.tenant
    assert customer_get(tenant=alpha.tenant, customer_id=alpha.customer.pk) == alpha.customer
    # a customer of the other tenant is nobody here, through the same prepared statement
    assert customer_get(tenant=alpha.tenant, customer_id=beta.customer.pk) is None
    # then each look-up was prepared once, with its values as parameters
    statements = _prepared_statements()
    assert len(statements) == 2
    assert all("$1" in statement for statement in statements)


@on_postgresql
def test_a_submission_prepares_its_writes_and_numbers_in_order(alpha, none_prepared):
    first = alpha.submit("سایت بالا نمی‌آید")
    second = alpha.submit("ایمیل‌ها برنمی‌گردند")
    statements = _prepared_statements()
    assert any(s.startswith('INSERT INTO "tickets_ticket"') for s in statements)
    assert any('UPDATE "tickets_ticketcounter"' in s for s in statements)
    # the second ticket went through the statements the first prepared
    assert second.number == first.number + 1


@on_postgresql
def test_the_queue_is_planned_for_its_values_not_prepared(alpha, none_prepared):
    filters = TicketFilters(status=["new", "open", "waiting"])
    page = ticket_page(tenant=alpha.tenant, filters=filters, size=25)
    counts = queue_counts(tenant=alpha.tenant, filters=filters, department_ids=[], assignee_ids=[])
    assert [t.pk for t in page.tickets] == [alpha.ticket.pk]
    assert counts["status"]["new"].value == 1
    assert not any("tickets_ticket" in s for s in _prepared_statements())


@on_postgresql
def test_with_prepared_statements_off_nothing_is_prepared(alpha, settings, none_prepared):
    settings.DB_PREPARED_STATEMENTS = False
    assert tenant_get_by_slug(slug="alpha") == alpha.tenant
    ticket = alpha.submit("سایت بالا نمی‌آید")
    assert ticket.number == alpha.ticket.number + 1
    assert _prepared_statements() == set()


def test_the_cursor_runs_statements_on_either_database(alpha):
    with prepared.cursor(connection) as cursor:
        cursor.execute("SELECT slug FROM tenancy_tenant WHERE id = %s", [alpha.tenant.pk])
        assert cursor.fetchone() == ("alpha",)
