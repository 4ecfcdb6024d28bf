"""A ticket is found by its customer's name, email and phone, in the queue's search box and
the API's, and still after the customer is renamed."""

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_create, customer_update
from pishkhan.search.selectors import search
from pishkhan.tickets.services import ticket_submit
from tests.conftest import GOOD_FIELDS, SEED_BODY


def _ticket_of(world, customer: Customer, subject: str):
    return ticket_submit(
        tenant=world.tenant,
        customer=customer,
        department=world.department,
        actor=world.agent,
        subject=subject,
        body=SEED_BODY,
        fields=GOOD_FIELDS,
    )


def _queue(world, query: str) -> list[int]:
    response = world.client(world.agent).get("/agent/", {"q": query})
    assert response.status_code == 200
    return [row["number"] for row in response.context["rows"]]


def _api(world, query: str) -> list[int]:
    response = world.api().get("/api/v1/tickets", {"q": query})
    assert response.status_code == 200
    return [t["number"] for t in response.json()["items"]]


def test_the_queue_and_the_api_find_a_customers_tickets_by_name_email_and_phone(alpha):
    # given a second customer with a ticket of their own
    maryam = customer_create(
        tenant=alpha.tenant,
        actor=alpha.agent,
        name="مریم احمدی",
        email="maryam@shop.example",
        phone="09121234567",
    )
    hers = _ticket_of(alpha, maryam, "قطعی ایمیل سازمانی")
    # then her name, a part of it, her email and her phone (as she wrote it, in Persian
    # digits, or national) find her ticket and not the fixture customer's
    for query in ("مریم", "احمدی", "maryam@shop.example", "۰۹۱۲۱۲۳۴۵۶۷", "9121234567"):
        assert _queue(alpha, query) == [hers.number], query
        assert _api(alpha, query) == [hers.number], query
    # and the fixture customer's name finds only theirs
    assert _queue(alpha, "رضایی") == [alpha.ticket.number]
    # and her name with a word of the subject finds the ticket; with a word of no ticket of
    # hers, nothing
    assert _queue(alpha, "مریم ایمیل") == [hers.number]
    assert _queue(alpha, "مریم دیتاسنتر") == []


def test_the_customers_name_finds_the_ticket_but_is_not_shown_as_its_text(alpha):
    (hit,) = search(tenant=alpha.tenant, query="رضایی", kinds=["ticket"]).hits
    assert hit.object_id == alpha.ticket.pk
    assert "رضایی" not in hit.snippet


def test_a_renamed_customers_tickets_are_found_by_the_new_name(
    alpha, beta, django_capture_on_commit_callbacks
):
    second = alpha.submit("سرور مجازی کند است")
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(
            tenant=alpha.tenant,
            customer=alpha.customer,
            actor=alpha.agent,
            fields={"name": "علی کریمی", "email": "ali.karimi@alpha.example"},
        )
    # then the new name and email find both tickets, and the old ones no longer do
    both = sorted([alpha.ticket.number, second.number], reverse=True)
    assert sorted(_queue(alpha, "کریمی"), reverse=True) == both
    assert sorted(_queue(alpha, "ali.karimi@alpha.example"), reverse=True) == both
    assert _queue(alpha, "رضایی") == []
    # and the other workspace's customer of the old name is untouched
    assert _queue(beta, "رضایی") == [beta.ticket.number]
