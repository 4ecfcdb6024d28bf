"""A transaction's BEGIN goes to PostgreSQL with its first statement (pishkhan.begin_with_first):
that statement is sent in a pipeline, the ones after it and those outside a transaction as
before; its answer, its error and the transaction's outcome are what they were."""

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg import pq

from pishkhan.tickets.models import Department

# In transactions of the tests' own: the usual test case runs inside one already begun.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several statements in one message: PostgreSQL"
    ),
]


@pytest.fixture
def sent():
    """(statement, whether it was sent in a pipeline), in order."""
    seen: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):
        raw = context["connection"].connection
        seen.append((sql, raw.pgconn.pipeline_status != pq.PipelineStatus.OFF))
        return execute(sql, params, many, context)

    connection.ensure_connection()
    with connection.execute_wrapper(record):
        yield seen


def test_the_first_statement_of_a_transaction_carries_its_begin(alpha, sent):
    with transaction.atomic():
        first = Department.objects.filter(tenant=alpha.tenant).count()
        Department.objects.filter(pk=alpha.department.pk).update(name="پشتیبانی فنی سرور")
        second = Department.objects.get(pk=alpha.department.pk).name
    assert [piped for _sql, piped in sent] == [True, False, False]
    # what each statement answered is as it was: the count, then the transaction's own write
    assert first == Department.objects.filter(tenant=alpha.tenant).count() >= 1
    assert second == "پشتیبانی فنی سرور"


def test_statements_outside_a_transaction_are_sent_as_before(alpha, sent):
    Department.objects.filter(tenant=alpha.tenant).count()
    Department.objects.filter(pk=alpha.department.pk).update(name="پشتیبانی فنی سرور")
    assert [piped for _sql, piped in sent] == [False, False]
    assert Department.objects.get(pk=alpha.department.pk).name == "پشتیبانی فنی سرور"


def test_an_error_in_the_first_statement_is_raised_and_rolls_the_transaction_back(alpha):
    before = Department.objects.count()

    def clashing() -> None:
        with transaction.atomic():
            # the key of a department that exists: refused at once, by the first statement
            Department.objects.bulk_create(
                [Department(pk=alpha.department.pk, tenant=alpha.tenant, name="تکراری")]
            )
            Department.objects.create(tenant=alpha.tenant, name="نباید بماند")

    with pytest.raises(IntegrityError):
        clashing()
    assert Department.objects.count() == before
    assert not Department.objects.filter(name__in=["تکراری", "نباید بماند"]).exists()
    # and the connection takes the next transaction as ever
    with transaction.atomic():
        Department.objects.create(tenant=alpha.tenant, name="فروش")
    assert Department.objects.filter(tenant=alpha.tenant, name="فروش").exists()
