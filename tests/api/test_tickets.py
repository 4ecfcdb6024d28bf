"""Tickets through the API: intake on behalf of a contact, listing, partial updates."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import ticket_submit, ticket_update
from tests.api.helpers import API, assert_error, b64, send, snapshot
from tests.conftest import DEPARTMENT_FIELDS, GOOD_FIELDS, SEED_BODY


def _submit(world, subject: str, **kwargs) -> Ticket:
    return ticket_submit(
        tenant=world.tenant,
        customer=world.customer,
        department=world.department,
        actor=world.customer_user,
        subject=subject,
        body=SEED_BODY,
        fields=GOOD_FIELDS,
        **kwargs,
    )


def _numbers(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [t["number"] for t in response.json()["items"]]


def _new_ticket(world, **customer) -> dict:
    return {
        "department_id": world.department.pk,
        "subject": "قطعی ایمیل",
        "body": SEED_BODY,
        "fields": GOOD_FIELDS,
        "customer": customer,
    }


def test_submission_for_a_known_email_reuses_that_customer(alpha):
    # given alpha's customer, when a ticket names them by email only (in other letter case)
    response = send(
        alpha.api(),
        "POST",
        "/tickets",
        _new_ticket(alpha, name="نام دیگر", email=alpha.customer.email.upper()),
    )
    # then the ticket is theirs and no customer is added
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == alpha.customer.pk
    assert Customer.objects.for_tenant(alpha.tenant).count() == 1


def test_submission_for_a_new_email_creates_the_customer(alpha, beta):
    # given an address only beta knows, when alpha's integration submits for it
    response = send(
        alpha.api(),
        "POST",
        "/tickets",
        _new_ticket(
            alpha, name="سارا کریمی", email=beta.customer.email, phone="09121234567", language="en"
        ),
    )
    # then alpha gets a customer of its own for it
    assert response.status_code == 201, response.content
    created = Customer.objects.for_tenant(alpha.tenant).get(email=beta.customer.email)
    assert (created.name, created.phone, created.language) == ("سارا کریمی", "09121234567", "en")
    assert response.json()["customer"] == {
        "id": created.pk,
        "name": "سارا کریمی",
        "email": beta.customer.email,
    }
    assert Ticket.objects.get(tenant=alpha.tenant, number=2).channel == "api"


def test_submission_to_an_inactive_department_is_refused(alpha):
    send(alpha.api(), "PATCH", f"/departments/{alpha.department.pk}", {"is_active": False})
    before = snapshot()
    response = send(
        alpha.api(), "POST", "/tickets", _new_ticket(alpha, name="رضا", email="reza@example.ir")
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["department_id"]
    assert snapshot() == before


def test_list_filters_by_status_given_repeated_or_comma_separated(alpha):
    second = _submit(alpha, "دوم")
    third = _submit(alpha, "سوم")
    ticket_update(tenant=alpha.tenant, ticket=second, actor=alpha.owner, status="open")
    ticket_update(tenant=alpha.tenant, ticket=third, actor=alpha.owner, status="resolved")
    api = alpha.api()
    assert _numbers(api.get(API + "/tickets?status=open&status=resolved&sort=number")) == [3, 2]
    assert _numbers(api.get(API + "/tickets?status=open,resolved&sort=-number")) == [2, 3]
    assert _numbers(api.get(API + "/tickets?status=new")) == [1]
    assert_error(api.get(API + "/tickets?status=open,nearly"), 400, "invalid")


def test_list_sorts_by_each_order(alpha):
    # given two tickets created on consecutive days, then the first (created today) made
    # urgent after the second was edited
    with time_machine.travel("2026-03-01 09:00 +0330", tick=False):
        second = _submit(alpha, "دوم", priority="important")
    with time_machine.travel("2026-03-02 09:00 +0330", tick=False):
        _submit(alpha, "سوم")
    with time_machine.travel("2026-03-03 09:00 +0330", tick=False):
        ticket_update(tenant=alpha.tenant, ticket=second, actor=alpha.owner, severity="bug")
    with time_machine.travel("2026-03-04 09:00 +0330", tick=False):
        ticket_update(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, priority="urgent"
        )
    api = alpha.api()
    expected = {
        "number": [3, 2, 1],
        "-number": [1, 2, 3],
        # alpha.ticket was created today (after the travel), so it is the newest
        "created": [1, 3, 2],
        "-created": [2, 3, 1],
        "updated": [1, 2, 3],
        "-updated": [3, 2, 1],
        "priority": [1, 2, 3],
    }
    for sort, numbers in expected.items():
        assert _numbers(api.get(f"{API}/tickets?sort={sort}")) == numbers, sort
    assert_error(api.get(API + "/tickets?sort=random"), 400, "invalid")


def test_list_pages_and_counts(alpha):
    for i in range(4):
        _submit(alpha, f"درخواست {i}")
    api = alpha.api()
    first = api.get(API + "/tickets?sort=-number&page_size=2").json()
    assert (first["count"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [t["number"] for t in first["items"]] == [1, 2]
    assert _numbers(api.get(API + "/tickets?sort=-number&page_size=2&page=3")) == [5]
    assert _numbers(api.get(API + "/tickets?sort=-number&page_size=2&page=4")) == []
    assert api.get(API + "/tickets").json()["page_size"] == 25
    assert_error(api.get(API + "/tickets?page_size=101"), 400, "invalid")
    assert_error(api.get(API + "/tickets?page=0"), 400, "invalid")


def test_list_searches_persian_text_and_numbers(alpha):
    _submit(alpha, "مشكل در ارسال ايميل")  # Arabic kaf and yeh, as some keyboards type them
    api = alpha.api()
    assert _numbers(api.get(API + "/tickets", {"q": "ارسال ایمیل"})) == [2]
    assert _numbers(api.get(API + "/tickets", {"q": "طراحی"})) == [1]
    assert _numbers(api.get(API + "/tickets", {"q": "تلفن"})) == []
    # a number, in Persian digits too, finds that ticket
    _submit(alpha, "سومین درخواست")
    assert _numbers(api.get(API + "/tickets", {"q": "#۳"})) == [3]


def _tickets_with_everything(world, count: int) -> None:
    """Tickets that touch every relation the list shows: assignee, tags, department."""
    for i in range(count):
        ticket = _submit(world, f"درخواست شماره {i}")
        ticket_update(
            tenant=world.tenant,
            ticket=ticket,
            actor=world.owner,
            assignee=world.agent,
            tags=["سرور", f"برچسب {i}"],
        )


def _list_queries(world) -> int:
    api = world.api()
    api.get(API + "/tickets?page_size=100")  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as queries:
        response = api.get(API + "/tickets?page_size=100")
    assert response.status_code == 200
    return len(queries)


def test_ticket_list_costs_the_same_queries_for_3_and_30_tickets(
    alpha, beta, django_assert_max_num_queries
):
    # given 3 tickets in alpha and 30 in beta, all assigned and tagged
    _tickets_with_everything(alpha, 2)
    _tickets_with_everything(beta, 29)
    # when each lists its tickets, then the cost does not grow with the number of tickets
    few = _list_queries(alpha)
    many = _list_queries(beta)
    assert few == many
    # tenant, token, seat; the page's ids, its rows, their tags; the bounded count
    with django_assert_max_num_queries(7):
        response = beta.api().get(API + "/tickets?page_size=100")
    assert len(response.json()["items"]) == 30
    assert all(len(t["tags"]) == 2 and t["assignee"] for t in response.json()["items"][:29])


def test_message_list_costs_the_same_queries_for_short_and_long_threads(alpha, beta):
    for i in range(10):
        send(
            beta.api(),
            "POST",
            f"/tickets/{beta.ticket.number}/messages",
            {"kind": "note", "body": f"یادداشت {i}"},
        )
    costs = []
    for world in (alpha, beta):
        api = world.api()
        api.get(f"{API}/tickets/{world.ticket.number}/messages")
        with CaptureQueriesContext(connection) as queries:
            api.get(f"{API}/tickets/{world.ticket.number}/messages")
        costs.append(len(queries))
    assert costs[0] == costs[1]


def test_patch_changes_only_the_keys_sent(alpha):
    api = alpha.api()
    send(
        api,
        "PATCH",
        f"/tickets/{alpha.ticket.number}",
        {"priority": "urgent", "assignee_id": alpha.agent.pk, "tags": ["سرور"]},
    )
    # when only the tags are sent
    ticket = send(api, "PATCH", f"/tickets/{alpha.ticket.number}", {"tags": ["شبکه"]}).json()
    # then priority and assignee stay as they were
    assert (ticket["priority"], ticket["assignee"]["id"], ticket["tags"]) == (
        "urgent",
        alpha.agent.pk,
        ["شبکه"],
    )
    # when the assignee is sent as null, then the ticket is unassigned
    ticket = send(api, "PATCH", f"/tickets/{alpha.ticket.number}", {"assignee_id": None}).json()
    assert ticket["assignee"] is None
    assert ticket["priority"] == "urgent"


def test_ticket_moves_to_another_department_of_the_tenant(alpha):
    other = send(alpha.api(), "POST", "/departments", {"name": "فروش", "name_en": "Sales"}).json()
    ticket = send(
        alpha.api(), "PATCH", f"/tickets/{alpha.ticket.number}", {"department_id": other["id"]}
    ).json()
    assert ticket["department"] == {"id": other["id"], "name": "فروش", "name_en": "Sales"}
    assert _numbers(alpha.api().get(f"{API}/tickets?department={other['id']}")) == [1]


def test_a_move_lists_what_the_new_department_requires_and_the_ticket_lacks(alpha):
    # given a billing department that asks for the invoice number
    billing = send(
        alpha.api(),
        "POST",
        "/departments",
        {
            "name": "مالی",
            "name_en": "Billing",
            "fields": [
                {
                    "key": "invoice",
                    "label_fa": "شماره فاکتور",
                    "label_en": "Invoice number",
                    "kind": "text",
                    "required": True,
                },
                DEPARTMENT_FIELDS[0],
            ],
        },
    )
    assert billing.status_code == 201, billing.content.decode()
    # when a technical request is moved there
    ticket = send(
        alpha.api(),
        "PATCH",
        f"/tickets/{alpha.ticket.number}",
        {"department_id": billing.json()["id"]},
    ).json()
    # then the invoice number is listed as missing, and nothing the customer gave is lost
    assert ticket["missing_fields"] == ["invoice"]
    assert ticket["fields"] == GOOD_FIELDS
    # and moved back, as by a mistake undone, it is as it was
    back = send(
        alpha.api(),
        "PATCH",
        f"/tickets/{alpha.ticket.number}",
        {"department_id": alpha.department.pk},
    ).json()
    assert (back["fields"], back["missing_fields"]) == (GOOD_FIELDS, [])


def test_reply_may_choose_the_status_it_leaves(alpha):
    response = send(
        alpha.api(),
        "POST",
        f"/tickets/{alpha.ticket.number}/messages",
        {"body": "مشکل برطرف شد.", "status": "resolved"},
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "api"
    ticket = alpha.api().get(f"{API}/tickets/{alpha.ticket.number}").json()
    assert ticket["status"] == "resolved"
    assert ticket["resolved_at"]


def test_a_note_written_through_the_api_records_its_channel(alpha):
    response = send(
        alpha.api(),
        "POST",
        f"/tickets/{alpha.ticket.number}/messages",
        {"kind": "note", "body": "یادداشت داخلی کارشناس"},
    )
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["kind"], response.json()["channel"]) == ("note", "api")


@pytest.mark.parametrize(
    ("query", "emails"),
    [
        ("", ["b@example.ir", "a@example.ir", "customer@alpha.example"]),
        ("example.ir", ["b@example.ir", "a@example.ir"]),
        ("سارا", ["a@example.ir"]),
    ],
)
def test_customer_list_searches_and_pages(alpha, query, emails):
    api = alpha.api()
    send(api, "POST", "/customers", {"name": "سارا", "email": "a@example.ir"})
    send(api, "POST", "/customers", {"name": "نیما", "email": "b@example.ir"})
    response = api.get(API + "/customers", {"q": query, "page_size": 100}).json()
    assert [c["email"] for c in response["items"]] == emails
    assert response["count"] == len(emails)
    paged = api.get(API + "/customers", {"q": query, "page_size": 1, "page": 2}).json()
    assert [c["email"] for c in paged["items"]] == emails[1:2]
    assert_error(api.get(API + "/customers?page_size=500"), 400, "invalid")


def test_customer_patch_changes_only_the_keys_sent(alpha):
    response = send(
        alpha.api(), "PATCH", f"/customers/{alpha.customer.pk}", {"phone": "۰۹۱۲۳۴۵۶۷۸۹"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "09123456789"
    assert response.json()["name"] == alpha.customer.name
    assert response.json()["has_login"] is True


def test_agents_lists_the_tenants_staff_with_roles(alpha, beta):
    agents = alpha.api().get(API + "/agents").json()
    assert {(a["email"], a["role"]) for a in agents} == {
        ("alice@alpha.example", "agent"),
        ("owner@alpha.example", "owner"),
        ("viewer@alpha.example", "readonly"),
    }
    assignable = alpha.api().get(API + "/agents?assignable=true").json()
    assert {a["id"] for a in assignable} == {alpha.agent.pk, alpha.owner.pk}


@pytest.mark.parametrize(
    ("name", "data"),
    [("log.txt", b"ok"), ("screen.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)],
)
def test_file_is_served_as_a_type_the_schema_declares(alpha, name, data):
    # given a note with a file
    send(
        alpha.api(),
        "POST",
        f"/tickets/{alpha.ticket.number}/messages",
        {
            "kind": "note",
            "body": "پیوست",
            "attachments": [{"filename": name, "content_base64": b64(data)}],
        },
    )
    thread = send(alpha.api(), "GET", f"/tickets/{alpha.ticket.number}/messages").json()
    [attachment] = thread[-1]["attachments"]
    # when it is downloaded
    response = alpha.api().get(attachment["url"])
    # then its type is one of those the schema promises for the download
    assert response.status_code == 200
    paths = alpha.api().get(API + "/openapi.json").json()["paths"]
    declared = paths["/api/v1/attachments/{attachment_id}"]["get"]["responses"]["200"]["content"]
    assert response["Content-Type"].split(";")[0] in declared


def test_created_ticket_is_answered_as_it_reads_afterwards(alpha):
    client = alpha.api()
    payload = {**_new_ticket(alpha), "customer": None, "customer_id": alpha.customer.pk}
    # given a ticket of alpha's customer, answered as it reads back, then closed
    first = send(client, "POST", "/tickets", payload)
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    assert send(client, "GET", f"/tickets/{number}").json() == first.json()
    closed = send(client, "PATCH", f"/tickets/{number}", {"status": "closed"})
    assert closed.status_code == 200, closed.content
    # when the integration files a follow-up of it
    created = send(client, "POST", "/tickets", {**payload, "follow_up_of": number})
    # then the answer to the creation is the ticket exactly as it is read back: its link,
    # service level due time, customer and department included
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["follow_up_of"], body["tags"], body["time_minutes"]) == (number, [], 0)
    assert body["sla_due_at"] is not None
    assert send(client, "GET", f"/tickets/{body['number']}").json() == body
