"""Hot reads compiled once (pishkhan.compiled_reads) answer exactly what the queryset they
were built from answers, for each tenant its own rows, on SQLite and on PostgreSQL; and a
read that cannot be compiled faithfully is refused at its first call instead of answering
wrongly."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer
from pishkhan.compiled_reads import CompiledRead
from pishkhan.core import clock
from pishkhan.tickets.models import Ticket

pytestmark = pytest.mark.django_db

by_email = CompiledRead(
    lambda v: Customer.objects.for_tenant(v.tenant_id).filter(email=v.email)[:1]
)
numbers_since = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id)
        .filter(created_at__gte=v.since)
        .order_by("number")
        .values_list("number", "subject")
    )
)
by_number = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id)
        .filter(number=v.number)
        .values_list("pk", flat=True)[:1]
    )
)


def test_a_model_read_gives_the_instance_the_orm_gives(alpha, beta):
    email = alpha.customer.email
    found = by_email.first(tenant_id=alpha.tenant.pk, email=email)

    assert found == alpha.customer
    expected = Customer.objects.get(pk=alpha.customer.pk)
    for field in Customer._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.name == "علی رضایی"
    assert by_email.first(tenant_id=beta.tenant.pk, email=email) is None


def test_values_and_times_reach_the_statement_on_every_call(alpha, beta):
    alpha.submit("سایت ما از صبح امروز در دسترس نیست")
    since = clock.now() - timedelta(hours=1)

    rows = numbers_since.rows(tenant_id=alpha.tenant.pk, since=since)

    assert rows == list(
        Ticket.objects.for_tenant(alpha.tenant)
        .filter(created_at__gte=since)
        .order_by("number")
        .values_list("number", "subject")
    )
    assert len(rows) == 2
    assert numbers_since.rows(tenant_id=alpha.tenant.pk, since=clock.now() + timedelta(1)) == []
    # Ticket number 1 is each tenant's own first ticket.
    assert by_number.first(tenant_id=alpha.tenant.pk, number=1) == alpha.ticket.pk
    assert by_number.first(tenant_id=beta.tenant.pk, number=1) == beta.ticket.pk
    assert by_number.first(tenant_id=beta.tenant.pk, number=rows[1][0]) is None


def test_a_compiled_read_is_one_statement(alpha):
    by_email.first(tenant_id=alpha.tenant.pk, email="nobody@alpha.example")
    with CaptureQueriesContext(connection) as captured:
        by_email.first(tenant_id=alpha.tenant.pk, email=alpha.customer.email)
    assert len(captured.captured_queries) == 1


def test_a_lookup_that_changes_its_value_is_refused(alpha):
    contains = CompiledRead(lambda v: Customer.objects.filter(name__contains=v.part)[:1])
    with pytest.raises(ValueError, match="part"):
        contains.first(part="رضا")


def test_values_that_would_change_the_statement_are_refused(alpha):
    with pytest.raises(TypeError):
        by_email.first(tenant_id=alpha.tenant.pk, email=["a@b"])
    with pytest.raises(TypeError):
        by_number.first(tenant_id=True, number=1)
