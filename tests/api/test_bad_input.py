"""Bad input on every write endpoint: 400 in the one error shape, the offending fields named,
and not a single row changed."""

import pytest

from pishkhan.accounts.models import OwnedService
from pishkhan.accounts.ownership import service_register
from pishkhan.policies.models import (
    DepartmentRules,
    Fine,
    ModuleInstallation,
    RuleSettings,
    Violation,
)
from pishkhan.policies.services import fine_charge
from pishkhan.tickets.models import TimeEntry
from pishkhan.tickets.services import canned_reply_create, ticket_update
from tests.api import helpers
from tests.api.helpers import assert_error, b64, pdf_attachment, send, token_for
from tests.conftest import GOOD_FIELDS

RULES_MODELS = (
    RuleSettings,
    DepartmentRules,
    Violation,
    Fine,
    OwnedService,
    TimeEntry,
    ModuleInstallation,
)


def snapshot() -> dict:
    """The shared snapshot, and the support rules' tables besides."""
    rules = {m.__name__: list(m.objects.order_by("pk").values()) for m in RULES_MODELS}
    return {**helpers.snapshot(), **rules}


def _with_rules(world) -> None:
    """A service of the customer, two wrong-priority violations and a fine on the second."""
    world.service = service_register(
        tenant=world.tenant,
        customer=world.customer,
        actor=world.owner,
        kind="domain",
        identifier="nikanshop.ir",
    )
    for lowered in ("normal", "important"):
        ticket_update(
            tenant=world.tenant, ticket=world.ticket, actor=world.owner, priority="urgent"
        )
        ticket_update(
            tenant=world.tenant,
            ticket=world.ticket,
            actor=world.owner,
            priority=lowered,
            reason="قطعی نیست",
        )
    world.violation, fined = Violation.objects.for_tenant(world.tenant).order_by("pk")
    world.fine = fine_charge(tenant=world.tenant, violation=fined, actor=world.owner)


# Seed 002, rule 8: a request of its own, not a repeat of the world's ticket (SEED_BODY).
OTHER_BODY = (
    "در صورتی که مشتری نیاز به مدیریت و رفع مشکلات سایت یا سرور خود داشته باشد می تواند پس از "
    "طرح مشکل و هماهنگی با شرکت نسبت به خرید بسته های مدیریت یا عیب یابی اقدام کند."
)


def _ticket(world, **overrides):
    body = {
        "department_id": world.department.pk,
        "customer_id": world.customer.pk,
        "subject": "خرید بسته مدیریت",
        "body": OTHER_BODY,
        "fields": GOOD_FIELDS,
    }
    return {**body, **overrides}


# (method, path from the world, body from the world, field keys the error must name)
CASES = {
    "customer without name, with a bad email": (
        "POST",
        lambda w: "/customers",
        lambda w: {"name": " ", "email": "not-an-email"},
        {"name", "email"},
    ),
    "customer with a misspelt key": (
        "POST",
        lambda w: "/customers",
        lambda w: {"name": "رضا", "emial": "a@b.ir"},
        {"emial"},
    ),
    "customer with an email already taken": (
        "POST",
        lambda w: "/customers",
        lambda w: {"name": "رضا", "email": w.customer.email},
        {"email"},
    ),
    "customer in an unknown language": (
        "POST",
        lambda w: "/customers",
        lambda w: {"name": "رضا", "language": "de"},
        {"language"},
    ),
    "customer patched with a bad phone": (
        "PATCH",
        lambda w: f"/customers/{w.customer.pk}",
        lambda w: {"phone": "۰۹۱۲-abc"},
        {"phone"},
    ),
    "customer patched with a non-string name": (
        "PATCH",
        lambda w: f"/customers/{w.customer.pk}",
        lambda w: {"name": ["x"]},
        {"name"},
    ),
    "department with a bad field key": (
        "POST",
        lambda w: "/departments",
        lambda w: {"name": "امور مالی", "fields": [{"key": "Bad Key", "label_fa": "کلید"}]},
        {"fields"},
    ),
    "department with a field of an unknown kind": (
        "POST",
        lambda w: "/departments",
        lambda w: {"name": "امور مالی", "fields": [{"key": "x", "label_fa": "ی", "kind": "date"}]},
        {"fields.0.kind"},
    ),
    "department with a name already taken": (
        "POST",
        lambda w: "/departments",
        lambda w: {"name": w.department.name},
        {"name"},
    ),
    "department without a name": (
        "POST",
        lambda w: "/departments",
        lambda w: {"name_en": "Finance"},
        {"name"},
    ),
    "department patched with a blank name": (
        "PATCH",
        lambda w: f"/departments/{w.department.pk}",
        lambda w: {"name": "  "},
        {"name"},
    ),
    "department patched with is_active not a boolean": (
        "PATCH",
        lambda w: f"/departments/{w.department.pk}",
        lambda w: {"is_active": "maybe"},
        {"is_active"},
    ),
    "ticket missing a required department field": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, fields={"domain": "example.ir"}),
        {"fields.server_ip"},
    ),
    "ticket with a wrong IP and an unknown field": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, fields={**GOOD_FIELDS, "server_ip": "999.1.1.1", "colour": "x"}),
        {"fields.server_ip", "fields.colour"},
    ),
    "ticket without subject and body": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, subject="", body=" "),
        {"subject", "body"},
    ),
    "ticket missing keys altogether": (
        "POST",
        lambda w: "/tickets",
        lambda w: {"subject": "بدون واحد"},
        {"department_id", "body"},
    ),
    "ticket with an unknown priority": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, priority="asap"),
        {"priority"},
    ),
    "ticket with neither customer_id nor customer": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, customer_id=None),
        {"customer_id"},
    ),
    "ticket with both customer_id and customer": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, customer={"name": "رضا", "email": "reza@example.ir"}),
        {"customer_id"},
    ),
    "ticket for a new customer with a bad email": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, customer_id=None, customer={"name": "رضا", "email": "reza@"}),
        {"customer.email"},
    ),
    "ticket for a new customer, itself incomplete": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(
            w, customer_id=None, customer={"name": "رضا", "email": "r@ex.ir"}, fields={}
        ),
        {"fields.domain", "fields.server_ip"},
    ),
    "ticket with an attachment that is not base64": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, attachments=[{"filename": "a.pdf", "content_base64": "%%%не"}]),
        {"attachments.0.content_base64"},
    ),
    "ticket with an executable attachment": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(
            w, attachments=[{"filename": "setup.exe", "content_base64": b64(b"MZ\x90\x00")}]
        ),
        {"attachments"},
    ),
    "ticket with a renamed file that is not a PDF": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(
            w, attachments=[{"filename": "invoice.pdf", "content_base64": b64(b"MZ\x90\x00")}]
        ),
        {"attachments"},
    ),
    "ticket with six attachments": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, attachments=[pdf_attachment()] * 6),
        {"attachments"},
    ),
    "ticket patched with an unknown priority and a valid status": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"status": "resolved", "priority": "asap"},
        {"priority"},
    ),
    "ticket patched with tags that are not a list": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"tags": "سرور"},
        {"tags"},
    ),
    "ticket patched with too many tags": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"tags": [f"برچسب {i}" for i in range(21)]},
        {"tags"},
    ),
    "ticket assigned to a read-only member": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"assignee_id": w.viewer.pk, "priority": "urgent"},
        {"assignee_id"},
    ),
    "ticket assigned to an id no database column holds": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"assignee_id": 10**25},
        {"assignee_id"},
    ),
    "ticket with ids that cannot exist": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, department_id=0, customer_id=-(10**25)),
        {"department_id", "customer_id"},
    ),
    "ticket whose ids are flags": (
        # pydantic alone reads true as 1: the ticket would go to department 1
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, department_id=True, customer_id=True),
        {"department_id", "customer_id"},
    ),
    "ticket assigned to a flag": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"assignee_id": True},
        {"assignee_id"},
    ),
    "department patched with flags written as a word and a number": (
        "PATCH",
        lambda w: f"/departments/{w.department.pk}",
        lambda w: {"is_active": "no", "fields": [{"key": "x", "label_fa": "ی", "required": 0}]},
        {"is_active", "fields.0.required"},
    ),
    "ticket patched with a null status": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"status": None},
        {"status"},
    ),
    "reply without a body": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": ""},
        {"body"},
    ),
    "reply with an unknown status": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": "پاسخ", "status": "done"},
        {"status"},
    ),
    "note that tries to change the status": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"kind": "note", "body": "یادداشت", "status": "resolved"},
        {"status"},
    ),
    "message of an unknown kind": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"kind": "email", "body": "سلام"},
        {"kind"},
    ),
    "reply with an attachment that is not base64": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {
            "body": "پیوست",
            "attachments": [{"filename": "a.png", "content_base64": "abc"}],
        },
        {"attachments.0.content_base64"},
    ),
    "note with an empty file": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {
            "kind": "note",
            "body": "پیوست",
            "attachments": [{"filename": "empty.txt", "content_base64": ""}],
        },
        {"attachments"},
    ),
    "canned reply without a title": (
        "POST",
        lambda w: "/canned-replies",
        lambda w: {"title": "", "body": "متن"},
        {"title"},
    ),
    "canned reply with a title already taken": (
        "POST",
        lambda w: "/canned-replies",
        lambda w: {"title": "سلام", "body": "متن"},
        {"title"},
    ),
    # Text no database stores: a NUL (PostgreSQL refuses it) or half a surrogate pair.
    "canned reply whose title holds a NUL": (
        "POST",
        lambda w: "/canned-replies",
        lambda w: {"title": "سلام\x00", "body": "متن"},
        {"title"},
    ),
    "customer whose name is half a surrogate pair": (
        "POST",
        lambda w: "/customers",
        lambda w: '{"name": "\\ud800", "email": "reza@example.ir"}',
        {"name"},
    ),
    "ticket whose subject, field and new customer hold NULs": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(
            w,
            subject="\x00",
            fields={**GOOD_FIELDS, "domain": "example.ir\x00"},
            customer_id=None,
            customer={"name": "رضا\x00", "email": "reza@example.ir"},
        ),
        {"subject", "fields", "customer.name"},
    ),
    "ticket patched with a tag holding a NUL": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"tags": ["سرور", "\x00"]},
        {"tags"},
    ),
    "reply with a file whose name holds a NUL": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": "پیوست", "attachments": [pdf_attachment("a\x00.pdf")]},
        {"attachments.0.filename"},
    ),
    "department with a field label holding a NUL": (
        "POST",
        lambda w: "/departments",
        lambda w: {"name": "امور مالی", "fields": [{"key": "x", "label_fa": "\x00"}]},
        {"fields.0.label_fa"},
    ),
    # The support rules (T-4 … T-12).
    "ticket about a service id that cannot exist, following a text": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, service=0, follow_up_of="یک"),
        {"service", "follow_up_of"},
    ),
    "ticket following a number no database holds": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, follow_up_of=10**25),
        {"follow_up_of"},
    ),
    "ticket following an open ticket": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, follow_up_of=w.ticket.number),
        {"follow_up_of"},
    ),
    "ticket whose reason to differ holds a NUL": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, different_reason="سرور دیگر\x00"),
        {"different_reason"},
    ),
    "ticket whose reason to differ is too long": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, different_reason="چرا" * 400),
        {"different_reason"},
    ),
    "ticket patched with a reason holding a NUL": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"priority": "normal", "reason": "\x00"},
        {"reason"},
    ),
    "reply with negative minutes": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": "پاسخ", "minutes": -5},
        {"minutes"},
    ),
    "reply with minutes no one works": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": "پاسخ", "minutes": 10**25},
        {"minutes"},
    ),
    "reply that logs minutes on a ticket within the scope": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"body": "پاسخ", "minutes": 10},
        {"minutes"},
    ),
    "note that logs minutes": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"kind": "note", "body": "یادداشت", "minutes": 10},
        {"minutes"},
    ),
    "merge into a text, not a number": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/merge",
        lambda w: {"into": "اول"},
        {"into"},
    ),
    "merge into itself": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/merge",
        lambda w: {"into": w.ticket.number},
        {"into"},
    ),
    "close as incomplete for an unknown reason": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/close-incomplete",
        lambda w: {"reason": "no_answer", "note": "\x00"},
        {"reason", "note"},
    ),
    "close as incomplete with too long a note": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/close-incomplete",
        lambda w: {"reason": "incomplete", "note": "ن" * 501},
        {"note"},
    ),
    "out of scope without a reason": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/out-of-scope",
        lambda w: {"note": "   "},
        {"note"},
    ),
    "time entry of zero minutes, an installation, not billable": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/time-entries",
        lambda w: {"minutes": 0, "kind": "installation", "billable": "maybe"},
        {"minutes", "kind", "billable"},
    ),
    "time entry of minutes as a fraction, note holding a NUL": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/time-entries",
        lambda w: {"minutes": 12.5, "note": "\x00"},
        {"minutes", "note"},
    ),
    "installation of a blank module": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/installations",
        lambda w: {"service": w.service.pk, "module": "  ", "minutes": 10},
        {"module"},
    ),
    "installation without service, of huge minutes": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/installations",
        lambda w: {"module": "ماژول", "minutes": 10**9},
        {"service", "minutes"},
    ),
    "service of an unknown kind, without identifier": (
        "POST",
        lambda w: f"/customers/{w.customer.pk}/services",
        lambda w: {"kind": "car", "identifier": ""},
        {"kind"},
    ),
    "service whose domain has no dot": (
        "POST",
        lambda w: f"/customers/{w.customer.pk}/services",
        lambda w: {"kind": "domain", "identifier": "localhost"},
        {"identifier"},
    ),
    "service whose identifier holds a NUL": (
        "POST",
        lambda w: f"/customers/{w.customer.pk}/services",
        lambda w: {"identifier": "a\x00.ir"},
        {"identifier"},
    ),
    "service registered twice": (
        "POST",
        lambda w: f"/customers/{w.customer.pk}/services",
        lambda w: {"identifier": "NikanShop.ir"},
        {"identifier"},
    ),
    "verification without a note": (
        "POST",
        lambda w: f"/services/{w.service.pk}/verify",
        lambda w: {"note": " "},
        {"note"},
    ),
    "verification with a note that is not text": (
        "POST",
        lambda w: f"/services/{w.service.pk}/verify",
        lambda w: {"note": ["مدارک"]},
        {"note"},
    ),
    "rules with unknown modes and a misspelt key": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {"duplicates": "sometimes", "persian_only": None, "colour": "red"},
        {"duplicates", "persian_only", "colour"},
    ),
    "rules with a negative, a fractional, a huge Toman amount and NaN": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {
            "fine_duplicate": "-5",
            "fine_reopen": "1500.5",
            "fine_incomplete": str(10**30),
            "fine_wrong_priority": "NaN",
        },
        {"fine_duplicate", "fine_reopen", "fine_incomplete", "fine_wrong_priority"},
    ),
    "rules with an amount as a float, another holding a NUL": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {"fine_not_persian": 12.5, "fine_reopen": "\x00"},
        {"fine_not_persian", "fine_reopen"},
    ),
    "rules with three decimals in dollars": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {"fine_currency": "USD", "fine_duplicate": "12.345"},
        {"fine_duplicate"},
    ),
    "rules with days out of range": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {"fine_due_days": 0, "incomplete_wait_hours": 10**25},
        {"fine_due_days", "incomplete_wait_hours"},
    ),
    "rules in an unknown currency, with a switch that is not a boolean": (
        "PATCH",
        lambda w: "/rules",
        lambda w: {"fine_currency": "EUR", "ownership_required": "maybe"},
        {"fine_currency", "ownership_required"},
    ),
    "department rules with an unknown mode": (
        "PUT",
        lambda w: f"/departments/{w.department.pk}/rules",
        lambda w: {"persian_only": "sometimes", "service_required": "maybe"},
        {"persian_only", "service_required"},
    ),
    "fine of a negative amount": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"amount": "-1000"},
        {"amount"},
    ),
    "fine due in no days, in an unknown currency": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"due_days": 0, "currency": "EUR"},
        {"due_days", "currency"},
    ),
    "fine of a fraction of a Toman": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"amount": "1500.5"},
        {"amount"},
    ),
    "fine of too many decimals in dollars": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"amount": "12.345", "currency": "USD"},
        {"amount"},
    ),
    "fine of a huge amount": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"amount": "9" * 30},
        {"amount"},
    ),
    "fine in dollars without an amount": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"currency": "USD"},
        {"amount"},
    ),
    "fine whose amount and note hold NULs": (
        "POST",
        lambda w: f"/violations/{w.violation.pk}/fine",
        lambda w: {"amount": "1000\x00", "note": "\x00"},
        {"amount", "note"},
    ),
    "fine paid with too long a note": (
        "POST",
        lambda w: f"/fines/{w.fine.pk}/paid",
        lambda w: {"note": "ر" * 501},
        {"note"},
    ),
    "fine waived without a reason": (
        "POST",
        lambda w: f"/fines/{w.fine.pk}/waive",
        lambda w: {"note": ""},
        {"note"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_changes_nothing(alpha, case):
    # given a workspace with a canned reply, a service, violations and a fine; one bad request
    canned_reply_create(tenant=alpha.tenant, actor=alpha.owner, title="سلام", body="سلام")
    _with_rules(alpha)
    method, path, body, fields = CASES[case]
    before = snapshot()
    # when it is sent
    response = send(alpha.api(), method, path(alpha), body(alpha))
    # then it is refused as invalid, naming exactly the fields at fault
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == fields
    assert all(error["fields"].values())
    # and nothing was written
    assert snapshot() == before


@pytest.mark.parametrize("value", ["0", "-1", str(2**63), str(10**25)])
@pytest.mark.parametrize("field", ["department", "assignee", "customer"])
def test_ticket_filter_by_an_id_that_cannot_exist_is_refused(alpha, field, value):
    error = assert_error(alpha.api().get(f"/api/v1/tickets?{field}={value}"), 400, "invalid")
    assert set(error["fields"]) == {field}


@pytest.mark.parametrize(
    ("path", "field"),
    [("/tickets?q=%00", "q"), ("/tickets?tag=a%00", "tag"), ("/customers?q=%00", "q")],
)
def test_search_for_a_nul_is_refused(alpha, path, field):
    error = assert_error(alpha.api().get("/api/v1" + path), 400, "invalid")
    assert set(error["fields"]) == {field}


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', ""])
@pytest.mark.parametrize(
    "path", ["/customers", "/departments", "/tickets", "/canned-replies", "/tickets/1/messages"]
)
def test_body_that_is_not_a_json_object_is_refused(alpha, path, body):
    before = snapshot()
    response = alpha.api().post("/api/v1" + path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "bad_request"}
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", ["/customers/{customer}", "/departments/{department}", "/tickets/{ticket}"]
)
@pytest.mark.parametrize("body", ["{not json", "[]"])
def test_patch_body_that_is_not_a_json_object_is_refused(alpha, path, body):
    url = "/api/v1" + path.format(
        customer=alpha.customer.pk, department=alpha.department.pk, ticket=alpha.ticket.number
    )
    before = snapshot()
    response = alpha.api().patch(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "bad_request"}
    assert snapshot() == before


def test_a_flag_does_not_fill_a_required_number_field(alpha):
    # given a department whose requests must carry an invoice number
    department = send(
        alpha.api(),
        "POST",
        "/departments",
        {
            "name": "امور مالی",
            "fields": [{"key": "invoice", "label_fa": "شماره فاکتور", "kind": "number"}],
        },
    ).json()
    before = snapshot()
    # when a ticket sends false for it (pydantic alone reads it as 0, a valid number)
    response = send(
        alpha.api(),
        "POST",
        "/tickets",
        _ticket(alpha, department_id=department["id"], fields={"invoice": False}),
    )
    # then the field is refused, saying what it takes, and nothing is written
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"fields.invoice": ["یک متن یا عدد وارد کنید."]}
    assert snapshot() == before
    # while the number itself, as a number or as text, is taken
    for invoice in (1405, "۱۴۰۵"):
        created = send(
            alpha.api(),
            "POST",
            "/tickets",
            _ticket(
                alpha,
                department_id=department["id"],
                fields={"invoice": invoice},
                subject=f"فاکتور {invoice}",
                body=f"{OTHER_BODY} فاکتور شماره {invoice}",
            ),
        )
        assert created.status_code == 201, created.content.decode()
        assert created.json()["fields"] == {"invoice": "1405"}


def test_deleting_a_missing_canned_reply_changes_nothing(alpha):
    reply = canned_reply_create(tenant=alpha.tenant, actor=alpha.owner, title="سلام", body="سلام")
    before = snapshot()
    assert_error(
        send(alpha.api(), "DELETE", f"/canned-replies/{reply.pk + 1000}"), 404, "not_found"
    )
    assert snapshot() == before


def test_reply_to_a_closed_ticket_is_a_conflict_and_changes_nothing(alpha):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, status="closed")
    before = snapshot()
    response = send(
        alpha.api(),
        "POST",
        f"/tickets/{alpha.ticket.number}/messages",
        {"body": "باز هم سؤال دارم", "attachments": [pdf_attachment()]},
    )
    assert_error(response, 409, "ticket_closed")
    assert_error(
        send(alpha.api(), "PATCH", f"/tickets/{alpha.ticket.number}", {"status": "open"}),
        409,
        "ticket_closed",
    )
    assert snapshot() == before


WRITES = {
    "create customer": ("POST", lambda w: "/customers", lambda w: {"name": "رضا"}),
    "patch customer": ("PATCH", lambda w: f"/customers/{w.customer.pk}", lambda w: {"name": "رضا"}),
    "create ticket": ("POST", lambda w: "/tickets", lambda w: _ticket(w)),
    "create ticket for a known contact": (
        "POST",
        lambda w: "/tickets",
        lambda w: _ticket(w, customer_id=None, customer={"name": "x", "email": w.customer.email}),
    ),
    "patch ticket": (
        "PATCH",
        lambda w: f"/tickets/{w.ticket.number}",
        lambda w: {"priority": "urgent"},
    ),
    "reply": ("POST", lambda w: f"/tickets/{w.ticket.number}/messages", lambda w: {"body": "پاسخ"}),
    "note": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/messages",
        lambda w: {"kind": "note", "body": "یادداشت"},
    ),
    "create department": ("POST", lambda w: "/departments", lambda w: {"name": "فروش"}),
    "patch department": (
        "PATCH",
        lambda w: f"/departments/{w.department.pk}",
        lambda w: {"name_en": "Tech"},
    ),
    "create canned reply": (
        "POST",
        lambda w: "/canned-replies",
        lambda w: {"title": "تازه", "body": "متن"},
    ),
    "delete canned reply": ("DELETE", lambda w: f"/canned-replies/{w.canned.pk}", lambda w: None),
    "log time": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/time-entries",
        lambda w: {"minutes": 5},
    ),
    "mark out of scope": (
        "POST",
        lambda w: f"/tickets/{w.ticket.number}/out-of-scope",
        lambda w: {"note": "مشکل از قالب سایت مشتری است"},
    ),
    "register a service": (
        "POST",
        lambda w: f"/customers/{w.customer.pk}/services",
        lambda w: {"identifier": "gol-tehran.com"},
    ),
    "verify a service": (
        "POST",
        lambda w: f"/services/{w.service.pk}/verify",
        lambda w: {"note": "مدارک"},
    ),
    "change the rules": ("PATCH", lambda w: "/rules", lambda w: {"fine_due_days": 10}),
    "charge a fine": ("POST", lambda w: f"/violations/{w.violation.pk}/fine", lambda w: {}),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_read_only_member_may_not_write(alpha, write):
    # given a token of a read-only member and a valid request
    alpha.canned = canned_reply_create(
        tenant=alpha.tenant, actor=alpha.owner, title="سلام", body="سلام"
    )
    _with_rules(alpha)
    viewer = alpha.api(token_for(alpha, alpha.viewer))
    method, path, body = WRITES[write]
    before = snapshot()
    # when it is sent, then it is forbidden and changes nothing
    assert_error(send(viewer, method, path(alpha), body(alpha)), 403, "forbidden")
    assert snapshot() == before
    # while the same request by the owner goes through
    assert send(alpha.api(), method, path(alpha), body(alpha)).status_code in {200, 201, 204}


def test_request_larger_than_the_upload_limit_is_refused_whole(alpha, settings):
    # given a body limit smaller than the attachment sent (base64 makes a file a third larger)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    before = snapshot()
    body = _ticket(
        alpha, attachments=[{"filename": "big.txt", "content_base64": b64(b"x" * 64 * 1024)}]
    )
    # when it is sent, then it is refused in the error shape and nothing is written
    assert_error(send(alpha.api(), "POST", "/tickets", body), 413, "too_large")
    assert snapshot() == before
