"""An agent works the queue: filters, sorts, pages, replies, notes, assigns, changes status."""

import pytest
from django.core import mail

from pishkhan.accounts.models import Customer
from pishkhan.tickets.models import Message, Ticket
from pishkhan.tickets.services import ticket_submit, ticket_update
from tests.conftest import GOOD_FIELDS, SEED_BODY


def _more_tickets(world, n: int, **kwargs):
    made = []
    for i in range(n):
        made.append(world.submit(f"درخواست شماره {i}", **kwargs))
    return made


def test_staff_pages_send_strangers_to_login_and_customers_to_404(alpha):
    assert alpha.client().get("/agent/").status_code == 302
    assert alpha.client(alpha.customer_user).get("/agent/").status_code == 404


def test_staff_login_goes_to_the_queue(alpha):
    from tests.conftest import PASSWORD

    response = alpha.client().post("/login/", {"email": alpha.agent.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/agent/"


def test_queue_filters_by_status_priority_department_and_assignee(alpha):
    urgent = _more_tickets(alpha, 1, priority="urgent")[0]
    ticket_update(tenant=alpha.tenant, ticket=urgent, actor=alpha.agent, assignee=alpha.agent)
    client = alpha.client(alpha.agent)
    page = client.get("/agent/?priority=urgent").content.decode()
    assert "درخواست شماره 0" in page and alpha.ticket.subject not in page
    page = client.get("/agent/?assignee=me").content.decode()
    assert "درخواست شماره 0" in page and alpha.ticket.subject not in page
    page = client.get("/agent/?assignee=none").content.decode()
    assert "درخواست شماره 0" not in page and alpha.ticket.subject in page
    page = client.get(f"/agent/?department={alpha.department.pk}&status=new").content.decode()
    assert "درخواست شماره 0" in page
    page = client.get("/agent/?status=closed").content.decode()
    assert "درخواست شماره 0" not in page


def test_queue_sorts_and_pages(alpha):
    _more_tickets(alpha, 30)
    client = alpha.client(alpha.agent)
    first = client.get("/agent/?sort=-number&per_page=25")
    numbers = [r["number"] for r in first.context["rows"]]
    assert numbers == list(range(1, 26))
    # the next page is a link after the last ticket shown, with the filters kept
    cursor = first.context["next_cursor"]
    assert f"after={cursor}" in first.content.decode()
    second = client.get(f"/agent/?sort=-number&per_page=25&after={cursor}")
    assert [r["number"] for r in second.context["rows"]] == list(range(26, 32))
    assert second.context["next_cursor"] is None
    assert first.context["counts"]["shown"].value == 31


def test_queue_ignores_nonsense_filters(alpha):
    response = alpha.client(alpha.agent).get(
        "/agent/?status=bogus&priority=x&department=abc&assignee=zz&sort=drop&page=999&per_page=7"
    )
    assert response.status_code == 200


def test_queue_costs_the_same_queries_for_few_and_many_tickets(
    alpha, django_assert_max_num_queries
):
    client = alpha.client(alpha.agent)
    client.get("/agent/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/agent/")
    _more_tickets(alpha, 20)
    for t in Ticket.objects.filter(tenant=alpha.tenant)[:10]:
        ticket_update(
            tenant=alpha.tenant,
            ticket=t,
            actor=alpha.agent,
            assignee=alpha.agent,
            tags=["سرور", "فوری"],
        )
    with django_assert_max_num_queries(len(few)):
        client.get("/agent/")


def test_agent_replies_and_customer_is_emailed(alpha, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    client = alpha.client(alpha.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/agent/tickets/{alpha.ticket.number}/message/",
            {"kind": "reply", "body": "سرور راه‌اندازی شد", "status": ""},
        )
    assert response.status_code == 302
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == "waiting"
    assert [m.to for m in mail.outbox] == [[alpha.customer.email]]
    assert "سرور راه‌اندازی شد" in mail.outbox[0].body


def test_agent_note_stays_internal(alpha):
    client = alpha.client(alpha.agent)
    client.post(
        f"/agent/tickets/{alpha.ticket.number}/message/",
        {"kind": "note", "body": "فقط برای همکاران"},
    )
    assert (
        "فقط برای همکاران".encode() in client.get(f"/agent/tickets/{alpha.ticket.number}/").content
    )
    assert (
        "فقط برای همکاران".encode()
        not in alpha.client(alpha.customer_user).get(f"/tickets/{alpha.ticket.number}/").content
    )


def test_empty_reply_is_refused_and_changes_nothing(alpha):
    before = Message.objects.count()
    response = alpha.client(alpha.agent).post(
        f"/agent/tickets/{alpha.ticket.number}/message/", {"kind": "reply", "body": "  "}
    )
    assert response.status_code == 400 and b"field-error" in response.content
    assert Message.objects.count() == before


def test_agent_assigns_and_changes_status_priority_and_tags(alpha):
    client = alpha.client(alpha.agent)
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/properties/",
        {
            "status": "open",
            "priority": "important",
            "severity": "major",
            "assignee": alpha.agent.pk,
            "department": alpha.department.pk,
            "tags": "سرور، شبکه",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=alpha.ticket.pk)
    assert (ticket.status, ticket.priority, ticket.severity, ticket.assignee) == (
        "open",
        "important",
        "major",
        alpha.agent,
    )
    page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "شبکه" in page and "priority" in page  # tags and the audit history


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "reopened"),
        ("priority", "asap"),
        ("assignee", "999999"),
        ("department", "999999"),
    ],
)
def test_bad_property_values_change_nothing(alpha, field, value):
    data = {
        "status": "open",
        "priority": "normal",
        "severity": "other",
        "assignee": "",
        "department": alpha.department.pk,
        "tags": "",
    }
    data[field] = value
    response = alpha.client(alpha.agent).post(
        f"/agent/tickets/{alpha.ticket.number}/properties/", data
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=alpha.ticket.pk).status == "new"


def test_read_only_member_sees_but_cannot_change(alpha):
    client = alpha.client(alpha.viewer)
    page = client.get(f"/agent/tickets/{alpha.ticket.number}/")
    assert page.status_code == 200 and b'name="body"' not in page.content
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/message/", {"kind": "reply", "body": "x"}
    )
    assert response.status_code == 400
    assert not Message.objects.filter(body="x").exists()


def test_canned_reply_is_offered_in_the_reply_box(alpha):
    client = alpha.client(alpha.agent)
    client.post("/agent/canned/", {"title": "خوشامد", "body": "سلام، وقت بخیر"})
    page = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert 'data-body="سلام، وقت بخیر"' in page


def test_admin_defines_department_fields_and_agents_cannot(alpha):
    assert alpha.client(alpha.agent).get("/agent/departments/").status_code == 404
    client = alpha.client(alpha.owner)
    data = {
        "name": "مالی",
        "name_en": "Billing",
        "description": "",
        "is_active": "on",
        "f-TOTAL_FORMS": "2",
        "f-INITIAL_FORMS": "2",
        "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "20",
        "f-0-key": "invoice",
        "f-0-label_fa": "شماره فاکتور",
        "f-0-label_en": "Invoice",
        "f-0-kind": "number",
        "f-0-required": "on",
        "f-1-key": "",
        "f-1-label_fa": "",
        "f-1-label_en": "",
        "f-1-kind": "text",
    }
    assert client.post("/agent/departments/new/", data).status_code == 302
    from pishkhan.tickets.models import Department

    billing = Department.objects.get(tenant=alpha.tenant, name="مالی")
    assert billing.fields == [
        {
            "key": "invoice",
            "label_fa": "شماره فاکتور",
            "label_en": "Invoice",
            "kind": "number",
            "required": True,
        }
    ]
    data["f-0-key"] = "Bad Key"
    data["name"] = "مالی ۲"
    assert client.post("/agent/departments/new/", data).status_code == 400
    assert not Department.objects.filter(name="مالی ۲").exists()


def test_customer_without_login_from_phone_appears_in_queue(alpha):
    walk_in = Customer.objects.create(tenant=alpha.tenant, name="تماس تلفنی")
    ticket_submit(
        tenant=alpha.tenant,
        customer=walk_in,
        department=alpha.department,
        actor=alpha.agent,
        subject="تماس",
        body="از طریق تلفن",
        fields=GOOD_FIELDS,
        channel="phone",
    )
    assert "تماس تلفنی".encode() in alpha.client(alpha.agent).get("/agent/").content


def test_agent_files_a_phone_ticket_for_a_new_customer(alpha):
    client = alpha.client(alpha.agent)
    form = client.get(f"/agent/tickets/new/?department={alpha.department.pk}")
    assert b'name="field_server_ip"' in form.content
    response = client.post(
        "/agent/tickets/new/",
        {
            "department": alpha.department.pk,
            "customer_name": "رضا تلفنی",
            "customer_phone": "۰۹۱۲۱۲۳۴۵۶۷",
            "customer_email": "",
            "channel": "phone",
            "subject": "تماس درباره قطعی",
            "body": SEED_BODY,
            "priority": "urgent",
            "field_domain": "example.ir",
            "field_server_ip": "185.8.172.10",
        },
    )
    ticket = Ticket.objects.get(tenant=alpha.tenant, subject="تماس درباره قطعی")
    assert response.status_code == 302
    assert ticket.channel == "phone" and ticket.customer.phone == "09121234567"
    assert ticket.created_by == alpha.agent


def test_agent_ticket_reuses_the_customer_with_that_email(alpha):
    before = Customer.objects.count()
    alpha.client(alpha.agent).post(
        "/agent/tickets/new/",
        {
            "department": alpha.department.pk,
            "customer_name": "هر نامی",
            "customer_email": alpha.customer.email,
            "channel": "email",
            "subject": "ایمیل مشتری",
            "body": SEED_BODY,
            "priority": "normal",
            "field_domain": "example.ir",
            "field_server_ip": "185.8.172.10",
        },
    )
    assert Customer.objects.count() == before
    assert Ticket.objects.get(subject="ایمیل مشتری").customer == alpha.customer


def test_agent_ticket_with_bad_customer_email_creates_nothing(alpha):
    before = Customer.objects.count(), Ticket.objects.count()
    response = alpha.client(alpha.agent).post(
        "/agent/tickets/new/",
        {
            "department": alpha.department.pk,
            "customer_name": "بدون ایمیل درست",
            "customer_email": "x@",
            "channel": "phone",
            "subject": "x",
            "body": SEED_BODY,
            "priority": "normal",
            "field_domain": "example.ir",
            "field_server_ip": "185.8.172.10",
        },
    )
    assert response.status_code == 400
    assert (Customer.objects.count(), Ticket.objects.count()) == before


def test_ticket_page_costs_the_same_queries_for_a_short_and_a_long_thread(alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pishkhan.tickets.services import ticket_add_note, ticket_reply

    client = alpha.client(alpha.agent)
    url = f"/agent/tickets/{alpha.ticket.number}/"
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for i in range(8):
        ticket_reply(
            tenant=alpha.tenant,
            ticket=alpha.ticket,
            actor=alpha.agent,
            body=f"پاسخ {i}",
            files=[SimpleUploadedFile(f"{i}.txt", b"log")],
        )
        ticket_add_note(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=f"یادداشت {i}"
        )
    with CaptureQueriesContext(connection) as long:
        client.get(url)
    assert len(long) <= len(short)
    portal = alpha.client(alpha.customer_user)
    with CaptureQueriesContext(connection) as customer_view:
        portal.get(f"/tickets/{alpha.ticket.number}/")
    assert len(customer_view) <= len(short)
