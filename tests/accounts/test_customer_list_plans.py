"""The customer list reads its own tenant's customers, newest first, by indexes led by the
tenant (issue 8: a tenant of 40,000 customers among 200,000 opened its first page in 120-180 ms
when PostgreSQL walked the primary key through every newer tenant's customers)."""

import pytest
from django.db import connection, transaction

from pishkhan.accounts.selectors import customer_list
from pishkhan.accounts.services import customer_create

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's; SQLite has no GIN"
)


def _plan(qs, *switched_off: str) -> str:
    """The plan with the table read whole, and the ways named, taken out: tables this small are
    read whole; the question is which index can serve, and how."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            for way in ("enable_seqscan", *switched_off):
                cursor.execute(f"SET LOCAL {way} = off")
        return qs.explain()


def test_the_newest_customers_are_read_from_the_tenants_own_index(alpha, beta):
    for n in range(3):
        customer_create(tenant=beta.tenant, actor=beta.agent, name=f"مشتری تازه {n}")
    plan = _plan(customer_list(tenant=alpha.tenant)[:25], "enable_sort")
    assert "customer_tenant_newest" in plan
    assert "accounts_customer_pkey" not in plan


def test_a_search_asks_the_trigram_index_for_this_tenant_only(alpha):
    # At scale PostgreSQL reads a rare part of a name or phone from the trigram index (0.6 ms
    # for four digits at 40,000 customers); a table this small would rather walk the tenant's
    # rows. What is asked here is that the trigram index can take the tenant too (its leading
    # btree_gin column compares a bigint with a bigint only): with the other indexes led by
    # the tenant set aside in this transaction, the tenant is in the index's own condition.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'accounts_customer' "
                "AND indexdef LIKE %s",
                ["%btree (tenant_id%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
        plan = _plan(customer_list(tenant=alpha.tenant, query="۶۶۵۸")[:25])
        transaction.set_rollback(True)
    assert "customer_search_trgm" in plan
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "tenant_id" in index_condition and "search_text" in index_condition
