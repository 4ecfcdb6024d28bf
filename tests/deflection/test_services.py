"""Recording a new-request visit (shown, opened, submitted) and the search log."""

import pytest

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_signup
from pishkhan.core.persian import normalize
from pishkhan.deflection import services
from pishkhan.deflection.models import QUERY_MAX, SearchLog, Visit
from tests.conftest import PASSWORD, SEED_SUBJECT
from tests.deflection.conftest import KEY_A

pytestmark = pytest.mark.django_db


def _show(world, ids, key=KEY_A, query="ماژول"):
    return services.visit_show(
        tenant=world.tenant, customer=world.customer, key=key, query=query, article_ids=ids
    )


def _open(world, pk, key=KEY_A):
    return services.visit_open(tenant=world.tenant, customer=world.customer, key=key, article_id=pk)


def test_search_is_kept_as_typed_and_in_its_compare_form(alpha):
    # when a help-centre search written with Arabic letters (as seed 001 is) finds nothing
    services.search_record(
        tenant=alpha.tenant, source="help_centre", query="  نصب  ماژول هاي  ", results=0
    )
    # then the log keeps what was typed and the form that groups spellings together
    row = SearchLog.objects.get()
    assert row.query == "نصب ماژول هاي"
    assert row.normalized == normalize("نصب ماژول های")
    assert (row.source, row.results, row.customer) == ("help_centre", 0, None)


def test_search_log_never_refuses_odd_input(alpha, beta):
    # given text PostgreSQL would refuse, a huge query, a bad count and beta's customer
    services.search_record(
        tenant=alpha.tenant,
        source="somewhere",
        query="ماژول\x00" + "\ud800" + "الف" * 5000,
        results="many",
        customer=beta.customer,
    )
    # then one search is kept, cut to size, without the customer of another tenant
    row = SearchLog.objects.get()
    assert "\x00" not in row.query
    assert len(row.query) <= QUERY_MAX
    assert row.results == 0
    assert row.customer is None


def test_blank_search_is_not_kept(alpha):
    services.search_record(tenant=alpha.tenant, source="portal", query=" \u200c ", results=0)
    assert not SearchLog.objects.exists()


def test_visit_keeps_shown_and_opened_in_order_without_duplicates(alpha):
    # when the form suggests articles for two texts and the customer opens two of them
    _show(alpha, [3, 1])
    _show(alpha, [1, 2, 3], query="ماژول نصب")
    _open(alpha, 2)
    _open(alpha, 3)
    _open(alpha, 2)
    # then each article appears once, in the order first shown / opened
    visit = Visit.objects.get(key=KEY_A)
    assert visit.customer == alpha.customer
    assert visit.shown == [3, 1, 2]
    assert visit.opened == [2, 3]
    assert (visit.query, visit.query_results) == ("ماژول نصب", 3)
    assert visit.deflected


def test_opening_an_article_counts_it_as_shown(alpha):
    _open(alpha, 7)
    visit = Visit.objects.get(key=KEY_A)
    assert (visit.shown, visit.opened) == ([7], [7])


def test_another_customers_key_records_nothing(alpha):
    # given alpha's customer's visit
    _show(alpha, [1])
    other_user = customer_signup(
        tenant=alpha.tenant, name="مریم احمدی", email="maryam@alpha.example", password=PASSWORD
    )
    other = Customer.objects.get(user=other_user)
    # when another customer presents the same key
    result = services.visit_open(tenant=alpha.tenant, customer=other, key=KEY_A, article_id=9)
    # then their visit is not touched
    assert result is None
    assert Visit.objects.get(key=KEY_A).opened == []


def test_a_malformed_key_records_nothing(alpha):
    assert _show(alpha, [1], key="short") is None
    assert _show(alpha, [1], key="x" * 200) is None
    assert not Visit.objects.exists()


def test_submission_links_the_ticket_and_logs_what_the_form_searched(alpha):
    # given a visit that searched and found nothing
    services.visit_show(
        tenant=alpha.tenant,
        customer=alpha.customer,
        key=KEY_A,
        query="سرور کند است",
        article_ids=[],
    )
    ticket = alpha.submit(SEED_SUBJECT)
    # when the request is submitted
    visit = services.visit_submit(
        tenant=alpha.tenant, customer=alpha.customer, key=KEY_A, ticket=ticket
    )
    # then the visit names the ticket, and the text is a portal search that found nothing
    assert visit.ticket == ticket
    assert visit.submitted_at is not None
    assert not visit.deflected
    log = SearchLog.objects.get()
    assert (log.source, log.query, log.results, log.customer) == (
        "portal",
        "سرور کند است",
        0,
        alpha.customer,
    )


def test_nothing_is_recorded_on_a_visit_after_its_submission(alpha):
    _show(alpha, [1])
    ticket = alpha.submit(SEED_SUBJECT)
    services.visit_submit(tenant=alpha.tenant, customer=alpha.customer, key=KEY_A, ticket=ticket)
    first = Visit.objects.get(key=KEY_A).submitted_at
    # when the same form is submitted again or an article is opened afterwards
    services.visit_submit(
        tenant=alpha.tenant, customer=alpha.customer, key=KEY_A, ticket=alpha.submit("دوم")
    )
    _open(alpha, 5)
    # then the visit still tells the first submission and nothing after it
    visit = Visit.objects.get(key=KEY_A)
    assert (visit.ticket, visit.submitted_at, visit.opened) == (ticket, first, [])


def test_a_ticket_of_another_customer_is_not_linked(alpha, beta):
    assert (
        services.visit_submit(
            tenant=alpha.tenant, customer=alpha.customer, key=KEY_A, ticket=beta.ticket
        )
        is None
    )
    assert not Visit.objects.exists()
