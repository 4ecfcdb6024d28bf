"""An integration's whole day with one token: customers, tickets, thread, files, canned replies
and departments, each step through the public API only."""

from urllib.parse import quote

from pishkhan.tickets.models import Ticket
from tests.api.helpers import (
    PDF_BYTES,
    PDF_NAME,
    assert_error,
    pdf_attachment,
    send,
    token_for,
)
from tests.conftest import DEPARTMENT_FIELDS, GOOD_FIELDS, SEED_BODY, SEED_SUBJECT


def test_integration_journey_with_a_token(alpha):
    api = alpha.api()

    # given a new customer created through the API (Persian digits in the phone)
    response = send(
        api,
        "POST",
        "/customers",
        {
            "name": "مریم احمدی",
            "email": "Maryam@Example.IR",
            "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        },
    )
    assert response.status_code == 201, response.content
    customer = response.json()
    assert (customer["email"], customer["phone"]) == ("maryam@example.ir", "09121234567")

    # when a ticket leaves out a field its department requires
    tickets_before = Ticket.objects.count()
    response = send(
        api,
        "POST",
        "/tickets",
        {
            "department_id": alpha.department.pk,
            "customer_id": customer["id"],
            "subject": SEED_SUBJECT,
            "body": SEED_BODY,
            "fields": {"domain": "example.ir"},
        },
    )
    # then it is refused with the field named, and nothing is created
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["fields.server_ip"]
    assert Ticket.objects.count() == tickets_before

    # when it is sent complete, with a PDF attachment with a Persian name
    response = send(
        api,
        "POST",
        "/tickets",
        {
            "department_id": alpha.department.pk,
            "customer_id": customer["id"],
            "subject": "سرور از دسترس خارج شده است",
            "body": SEED_BODY,
            "fields": GOOD_FIELDS,
            "priority": "important",
            "severity": "major",
            "attachments": [pdf_attachment()],
        },
    )
    # then it gets the next number of this tenant and records the API channel
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["number"] == 2
    assert (ticket["channel"], ticket["status"], ticket["priority"]) == ("api", "new", "important")
    assert ticket["customer"]["id"] == customer["id"]
    assert ticket["department"] == {
        "id": alpha.department.pk,
        "name": "پشتیبانی فنی",
        "name_en": "Technical",
    }
    assert ticket["fields"] == GOOD_FIELDS
    assert ticket["assignee"] is None
    number = ticket["number"]

    # when the tickets are listed, filtered, sorted and paged
    listing = send(api, "GET", "/tickets?sort=-number&page_size=1&page=2").json()
    assert (listing["count"], listing["page"], listing["page_size"]) == (2, 2, 1)
    assert [t["number"] for t in listing["items"]] == [number]
    by_priority = send(api, "GET", "/tickets?priority=important").json()
    assert [t["number"] for t in by_priority["items"]] == [number]
    by_customer = send(api, "GET", f"/tickets?customer={customer['id']}&status=new").json()
    assert [t["number"] for t in by_customer["items"]] == [number]
    by_words = send(api, "GET", "/tickets?q=" + quote("دسترس")).json()
    assert [t["number"] for t in by_words["items"]] == [number]

    # when an agent-side reply and an internal note are written
    response = send(
        api, "POST", f"/tickets/{number}/messages", {"kind": "reply", "body": "در حال بررسی هستیم."}
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == {"type": "staff", "name": "owner alpha"}
    response = send(
        api,
        "POST",
        f"/tickets/{number}/messages",
        {"kind": "note", "body": "احتمالاً مشکل از فایروال است."},
    )
    assert response.status_code == 201, response.content
    # then the reply left the ticket waiting on the customer and started the response clock
    ticket = send(api, "GET", f"/tickets/{number}").json()
    assert ticket["status"] == "waiting"
    assert ticket["first_response_at"] is not None
    # and the thread shows the customer's request, the reply, the status change and the note
    thread = send(api, "GET", f"/tickets/{number}/messages").json()
    assert [(m["kind"], m["author"]["type"]) for m in thread] == [
        ("reply", "customer"),
        ("reply", "staff"),
        ("system", "system"),
        ("note", "staff"),
    ]
    assert thread[0]["author"]["name"] == "مریم احمدی"
    [attachment] = thread[0]["attachments"]
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        PDF_NAME,
        "application/pdf",
        len(PDF_BYTES),
    )

    # when the ticket is assigned to alice and tagged
    response = send(
        api,
        "PATCH",
        f"/tickets/{number}",
        {"assignee_id": alpha.agent.pk, "tags": ["سرور", "فوری"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == {
        "id": alpha.agent.pk,
        "full_name": "alice",
        "email": "alice@alpha.example",
    }
    assert sorted(response.json()["tags"]) == ["سرور", "فوری"]
    # then the assignee, tag and unassigned filters agree
    mine = send(api, "GET", f"/tickets?assignee={alpha.agent.pk}").json()
    assert [t["number"] for t in mine["items"]] == [number]
    tagged = send(api, "GET", "/tickets?tag=" + quote("سرور")).json()
    assert [t["number"] for t in tagged["items"]] == [number]
    unassigned = send(api, "GET", "/tickets?unassigned=true").json()
    assert [t["number"] for t in unassigned["items"]] == [alpha.ticket.number]

    # when its status and priority change together; only the keys sent change
    response = send(
        api, "PATCH", f"/tickets/{number}", {"status": "resolved", "priority": "urgent"}
    )
    ticket = response.json()
    assert (ticket["status"], ticket["priority"], ticket["severity"]) == (
        "resolved",
        "urgent",
        "major",
    )
    assert ticket["resolved_at"] is not None
    assert ticket["assignee"]["id"] == alpha.agent.pk

    # when the attachment is downloaded from the URL the thread gave
    response = api.get(attachment["url"])
    # then it is the same bytes, as an attachment under its Persian name, never sniffed
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''" + quote(PDF_NAME))
    assert response["X-Content-Type-Options"] == "nosniff"

    # when a canned reply is saved, listed and deleted
    response = send(
        api,
        "POST",
        "/canned-replies",
        {"title": "دریافت درخواست", "body": "درخواست شما دریافت شد."},
    )
    assert response.status_code == 201, response.content
    reply_id = response.json()["id"]
    assert [r["title"] for r in send(api, "GET", "/canned-replies").json()] == ["دریافت درخواست"]
    assert send(api, "DELETE", f"/canned-replies/{reply_id}").status_code == 204
    assert send(api, "GET", "/canned-replies").json() == []

    # when the owner creates a department with a required field and then retires it
    response = send(
        api,
        "POST",
        "/departments",
        {
            "name": "امور مالی",
            "name_en": "Finance",
            "fields": [{"key": "invoice_number", "label_fa": "شماره فاکتور", "kind": "number"}],
        },
    )
    assert response.status_code == 201, response.content
    finance = response.json()
    assert finance["fields"] == [
        {
            "key": "invoice_number",
            "label_fa": "شماره فاکتور",
            "label_en": "شماره فاکتور",
            "kind": "number",
            "required": True,
        }
    ]
    response = send(api, "PATCH", f"/departments/{finance['id']}", {"is_active": False})
    assert response.json()["is_active"] is False
    assert response.json()["name_en"] == "Finance"
    # then it is listed only when inactive ones are asked for
    active = [d["id"] for d in send(api, "GET", "/departments").json()]
    everything = [d["id"] for d in send(api, "GET", "/departments?all=true").json()]
    assert active == [alpha.department.pk]
    assert everything == [alpha.department.pk, finance["id"]]
    assert send(api, "GET", f"/departments/{alpha.department.pk}").json()["fields"] == [
        {**f} for f in DEPARTMENT_FIELDS
    ]

    # and a read-only member may look but not manage departments
    viewer = alpha.api(token_for(alpha, alpha.viewer))
    assert send(viewer, "GET", "/departments").status_code == 200
    assert_error(send(viewer, "POST", "/departments", {"name": "فروش"}), 403, "forbidden")
    assert_error(
        send(viewer, "PATCH", f"/departments/{finance['id']}", {"name_en": "x"}), 403, "forbidden"
    )

    # finally, once closed the ticket takes no more replies
    send(api, "PATCH", f"/tickets/{number}", {"status": "closed"})
    response = send(api, "POST", f"/tickets/{number}/messages", {"body": "یک سؤال دیگر"})
    error = assert_error(response, 409, "ticket_closed")
    assert error["message_en"].startswith("This ticket is closed")
