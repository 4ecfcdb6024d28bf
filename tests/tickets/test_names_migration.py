"""Upgrading to names compared as spelled (tickets 0009, accounts 0005): tags stored in
several spellings become one, their tickets keep it once; departments and customers already
kept get their keys, so what was stored before is found and compared like what comes after."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pishkhan.accounts.models import Customer
from pishkhan.accounts.selectors import customer_list
from pishkhan.tickets.models import Department, Tag, TicketTag
from pishkhan.tickets.selectors import TicketFilters, ticket_list

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("tickets", "0008_queue_by_priority"),
    ("accounts", "0004_customer_email_failing_since_customer_email_failure"),
]
AFTER = [("tickets", "0009_names_compared_as_spelled"), ("accounts", "0005_customer_search_text")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_upgrade_merges_spellings_of_a_tag_and_keys_names(alpha, beta):
    other = alpha.submit("قطعی سرویس ایمیل")
    old = _migrate(BEFORE)
    OldTag = old.get_model("tickets", "Tag")
    OldTicketTag = old.get_model("tickets", "TicketTag")
    OldDepartment = old.get_model("tickets", "Department")
    OldCustomer = old.get_model("accounts", "Customer")
    # given three spellings of one tag, stored before they compared equal: the first ticket
    # carries two of them, the other ticket only a later one; beta has its own
    tenant = alpha.tenant.pk
    first, second, third = (
        OldTag.objects.create(tenant_id=tenant, name=name)
        for name in ("ویژه", "ويژه", "وی\u200cژه")
    )
    for ticket, tag in ((alpha.ticket, first), (alpha.ticket, second), (other, third)):
        OldTicketTag.objects.create(tenant_id=tenant, ticket_id=ticket.pk, tag_id=tag.pk)
    beta_tag = OldTag.objects.create(tenant_id=beta.tenant.pk, name="ويژه")
    OldTicketTag.objects.create(
        tenant_id=beta.tenant.pk, ticket_id=beta.ticket.pk, tag_id=beta_tag.pk
    )
    # and a department in another spelling of an older one's name, and a customer in seed
    # 001's Arabic letters
    duplicate = OldDepartment.objects.create(tenant_id=tenant, name="پشتيباني فني", position=1)
    customer = OldCustomer.objects.create(tenant_id=tenant, name="مشتري ويژه", phone="09121234567")

    _migrate(AFTER)

    # then alpha has the oldest spelling once, on both tickets, each once; beta keeps its own
    assert list(Tag.objects.filter(tenant=alpha.tenant).values_list("pk", "name")) == [
        (first.pk, "ویژه")
    ]
    assert sorted(
        TicketTag.objects.filter(tenant=alpha.tenant).values_list("ticket_id", "tag_id")
    ) == sorted([(alpha.ticket.pk, first.pk), (other.pk, first.pk)])
    assert Tag.objects.get(tenant=beta.tenant).name == "ويژه"
    filters = TicketFilters(tag="ويژه", status=[])
    assert {t.pk for t in ticket_list(tenant=alpha.tenant, filters=filters)} == {
        alpha.ticket.pk,
        other.pk,
    }
    # the older department holds the name's key, the later spelling none (and stays)
    assert Department.objects.get(pk=alpha.department.pk).name_key == "پشتیبانیفنی"
    assert Department.objects.get(pk=duplicate.pk).name_key == ""
    # and the customer kept before is found by the Persian spelling and by Persian digits
    assert list(customer_list(tenant=alpha.tenant, query="مشتری ویژه")) == [
        Customer.objects.get(pk=customer.pk)
    ]
    assert [c.pk for c in customer_list(tenant=alpha.tenant, query="۰۹۱۲۱۲۳۴۵۶۷")] == [customer.pk]
