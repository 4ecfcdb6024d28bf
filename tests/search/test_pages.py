"""The agent's search page and the search API: one box over tickets, messages, customers and
articles, with the same results on both."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.services import customer_create
from pishkhan.tickets.services import ticket_add_note, ticket_reply, ticket_update
from tests.api.helpers import assert_error, send

REPLY = "سرور مجازی شما در دیتاسنتر راه اندازی شد"


def _page(client, query: str, **params):
    return client.get("/agent/search/", {"q": query, **params})


def test_agent_finds_a_persian_ticket_typed_on_an_arabic_keyboard(alpha):
    # given the ticket "پشتیبانی ماژول های طراحی شده توسط شرکت"
    client = alpha.client(alpha.agent)
    # when the agent types Arabic ي and ك and no half-space
    response = _page(client, "پشتيباني ماژولهاي")
    # then the ticket is listed with its matches marked
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/agent/tickets/{alpha.ticket.number}/" in html
    assert "<mark>پشتیبانی</mark>" in html


def test_a_ticket_number_in_persian_digits_lists_that_ticket_and_hash_opens_it(alpha):
    client = alpha.client(alpha.agent)
    number = str(alpha.ticket.number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    # when the agent types the number alone: the ticket is shown first
    response = _page(client, number)
    assert 'id="search-number"' in response.content.decode()
    # when the agent types "#" and the number: the ticket opens
    response = _page(client, f"#{number}")
    assert response.status_code == 302
    assert response.url == f"/agent/tickets/{alpha.ticket.number}/"


def test_email_and_phone_find_the_customer_with_their_latest_tickets(alpha):
    client = alpha.client(alpha.agent)
    customer_create(
        tenant=alpha.tenant,
        actor=alpha.agent,
        name="مریم کاظمی",
        email="maryam@example.ir",
        phone="09121234567",
    )
    html = _page(client, "+98 912 123 4567").content.decode()
    assert "مریم کاظمی" in html
    html = _page(client, alpha.customer.email).content.decode()
    assert "علی رضایی" in html
    assert f"/agent/tickets/{alpha.ticket.number}/" in html  # the customer's ticket


def test_filters_narrow_the_results_and_kinds_choose_what_is_searched(alpha):
    client = alpha.client(alpha.agent)
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=REPLY)
    url = f"/agent/tickets/{alpha.ticket.number}/"
    assert url in _page(client, "دیتاسنتر", kind="message").content.decode()
    assert url not in _page(client, "دیتاسنتر", kind="ticket").content.decode()
    assert url not in _page(client, "دیتاسنتر", status="closed").content.decode()
    assert url in _page(client, "دیتاسنتر", status="waiting").content.decode()
    other = alpha.department.pk + 1000
    assert url not in _page(client, "ماژول", department=other).content.decode()


def test_a_date_that_cannot_be_read_is_shown_as_an_error(alpha):
    client = alpha.client(alpha.agent)
    response = _page(client, "ماژول", date_from="1405/13/40")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    # a Jalali range that holds today's ticket still finds it
    html = _page(client, "ماژول", date_from="1300/01/01", date_to="1500/01/01").content.decode()
    assert f"/agent/tickets/{alpha.ticket.number}/" in html


def test_nothing_found_says_so(alpha):
    html = _page(alpha.client(alpha.agent), "کهکشان راه شیری").content.decode()
    assert 'id="search-empty"' in html


def test_customers_and_strangers_cannot_search(alpha):
    assert alpha.client(alpha.customer_user).get("/agent/search/?q=x").status_code == 404
    assert alpha.client().get("/agent/search/?q=x").status_code == 302


def test_results_cost_the_same_queries_for_few_and_many_hits(alpha):
    # given one hit of each kind
    client = alpha.client(alpha.agent)
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="ماژول")
    customer_create(tenant=alpha.tenant, actor=alpha.agent, name="ماژول")
    _page(client, "ماژول")
    with CaptureQueriesContext(connection) as few:
        _page(client, "ماژول")
    # when there are many of each
    for n in range(8):
        ticket = alpha.submit(f"نصب ماژول شماره {n}")
        ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="ماژول نصب شد")
        ticket_add_note(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="ماژول")
        customer_create(tenant=alpha.tenant, actor=alpha.agent, name=f"ماژول {n}")
    with CaptureQueriesContext(connection) as many:
        response = _page(client, "ماژول")
    # then a full page costs the same queries as a few hits
    assert response.content.decode().count('class="search-result ') == 20
    assert len(many) == len(few)


def test_next_page_continues_where_the_first_ended(alpha):
    client = alpha.client(alpha.agent)
    for n in range(22):
        alpha.submit(f"درخواست نصب شماره {n}")
    first = _page(client, "نصب", kind="ticket").content.decode()
    second = _page(client, "نصب", kind="ticket", page=2).content.decode()
    assert 'rel="next"' in first and 'rel="next"' not in second
    assert second.count('class="search-result ') == 3  # 22 new and the fixture's own


# --- API ---------------------------------------------------------------------------------------


def test_api_returns_what_the_page_shows(alpha):
    # given a reply and a closed ticket
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=REPLY)
    body = send(alpha.api(), "GET", "/search?q=ديتاسنتر").json()
    (item,) = body["items"]
    assert item["kind"] == "message"
    assert item["ticket"]["number"] == alpha.ticket.number
    assert "<mark>دیتاسنتر</mark>" in item["snippet"]
    assert body["has_more"] is False
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed")
    assert send(alpha.api(), "GET", "/search?q=دیتاسنتر&status=open").json()["items"] == []
    closed = send(alpha.api(), "GET", "/search?q=دیتاسنتر&status=closed&kind=message").json()
    assert len(closed["items"]) == 1


def test_api_and_page_list_the_same_results_in_the_same_order(alpha):
    # given hits of every kind but articles
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="ماژول")
    customer_create(tenant=alpha.tenant, actor=alpha.agent, name="ماژول")
    for n in range(3):
        alpha.submit(f"نصب ماژول {n}")
    html = _page(alpha.client(alpha.agent), "ماژول").content.decode()
    on_page = re.findall(r'data-hit="([a-z]+-\d+)"', html)
    body = send(alpha.api(), "GET", "/search?q=ماژول").json()
    assert [f"{i['kind']}-{i['id']}" for i in body["items"]] == on_page
    assert len(on_page) == 6


def test_api_ticket_number_and_paging(alpha):
    body = send(alpha.api(), "GET", f"/search?q=%23{alpha.ticket.number}").json()
    assert body["ticket"]["id"] == alpha.ticket.pk and body["items"] == []
    for n in range(3):
        alpha.submit(f"نصب شماره {n}")
    first = send(alpha.api(), "GET", "/search?q=نصب&kind=ticket&page_size=2").json()
    second = send(alpha.api(), "GET", "/search?q=نصب&kind=ticket&page_size=2&page=2").json()
    assert first["has_more"] and not second["has_more"]
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4


def test_api_refuses_bad_filters_in_the_error_shape(alpha):
    error = assert_error(send(alpha.api(), "GET", "/search?q=x&kind=planet"), 400, "invalid")
    assert [key.split(".")[0] for key in error["fields"]] == ["kind"]
    error = assert_error(
        send(alpha.api(), "GET", "/search?q=x&date_from=2026-02-10&date_to=2026-02-01"),
        400,
        "invalid",
    )
    assert list(error["fields"]) == ["date_to"]
    assert_error(send(alpha.api(), "GET", "/search?q=x&date_from=tomorrow"), 400, "invalid")
