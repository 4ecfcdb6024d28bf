"""Tenant isolation for every route of the API. The routes are read from the API itself, so a
new route without a case here fails the test instead of going unchecked."""

import csv
import io
import re
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern

from pishkhan.accounts.models import OwnedService
from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.api.urls import api
from pishkhan.mail.models import InboundMail, Mailbox
from pishkhan.policies.models import Fine, ModuleInstallation, RuleSettings, Violation
from pishkhan.policies.selectors import rule_settings_get
from pishkhan.policies.services import department_rules_update, fine_charge, rule_settings_update
from pishkhan.sla.calendars import DEFAULT_CALENDARS
from pishkhan.sla.services import calendar_create, calendar_day_set, policy_create
from pishkhan.tickets.models import TimeEntry
from pishkhan.tickets.services import (
    canned_reply_create,
    department_create,
    ticket_submit,
    ticket_update,
)
from tests.api import (
    isolation_chat,
    isolation_deflection,
    isolation_knowledge,
    isolation_quality,
    isolation_search,
)
from tests.api.helpers import PDF_BYTES, assert_error, send, snapshot
from tests.conftest import GOOD_FIELDS, SEED_BODY
from tests.web import routes_mail

# Areas that keep their cross-tenant cases in a module of their own: each gives
# `beta_objects(beta) -> {path parameter: value}`, `PATH_CASES` and `COLLECTION_CASES`
# (same shapes as below).
AREAS = (
    isolation_search,
    isolation_knowledge,
    isolation_deflection,
    isolation_quality,
    isolation_chat,
)

# Patterns of the API's URLs that are not operations of a resource.
NON_OPERATION_URLS = {"openapi-json", "api-root", "route-not-found"}


def api_operations() -> set[tuple[str, str]]:
    """(METHOD, path template) of every operation the API serves."""
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        for method in item
    }
    # An operation left out of the schema would escape the cases; each one is one URL pattern.
    patterns = [
        p for p in api.urls[0] if isinstance(p, URLPattern) and p.name not in NON_OPERATION_URLS
    ]
    assert len(patterns) == len(operations), "an operation is missing from the OpenAPI schema"
    return operations


class BetaOnly:
    """Objects of beta whose ids/numbers alpha does not have: a request for them can only be
    answered from beta's data."""

    def __init__(self, alpha, beta):
        # beta's rules differ from the defaults alpha keeps; this request repeats beta's first.
        rule_settings_update(
            tenant=beta.tenant, actor=beta.owner, duplicates="flag", fine_due_days=30
        )
        self.ticket = ticket_submit(
            tenant=beta.tenant,
            customer=beta.customer,
            department=beta.department,
            actor=beta.customer_user,
            subject="درخواست محرمانه بتا",
            body=SEED_BODY,
            fields=GOOD_FIELDS,
            files=[SimpleUploadedFile("سند.pdf", PDF_BYTES)],
        )
        assert not alpha.tenant.tickets.filter(number=self.ticket.number).exists()
        self.attachment = self.ticket.messages.get().attachments.get()
        self.department = department_create(
            tenant=beta.tenant, actor=beta.owner, name="واحد فروش بتا"
        )
        self.canned = canned_reply_create(
            tenant=beta.tenant, actor=beta.owner, title="پاسخ آماده بتا", body="متن"
        )
        self.customer = beta.customer
        self.calendar = calendar_create(
            tenant=beta.tenant,
            actor=beta.owner,
            name="beta-hours",
            label="ساعات کاری بتا",
            week=DEFAULT_CALENDARS["office"]["week"],
        )
        self.day = calendar_day_set(
            tenant=beta.tenant,
            actor=beta.owner,
            calendar=self.calendar,
            day="2026-11-26",
            kind="closed",
            note="تعطیلی شرکت بتا",
        )
        self.policy = policy_create(
            tenant=beta.tenant, actor=beta.owner, name="سیاست بتا", calendar=self.calendar
        )
        self.service = service_register(
            tenant=beta.tenant,
            customer=beta.customer,
            actor=beta.owner,
            kind="domain",
            identifier="beta-secret.ir",
        )
        service_verify(tenant=beta.tenant, service=self.service, actor=beta.owner, note="مدارک")
        # A wrong priority, lowered by bob with his reason, and fined.
        ticket_update(tenant=beta.tenant, ticket=self.ticket, actor=beta.owner, priority="urgent")
        ticket_update(
            tenant=beta.tenant,
            ticket=self.ticket,
            actor=beta.owner,
            priority="normal",
            reason="محرمانه بتا",
        )
        self.violation = Violation.objects.for_tenant(beta.tenant).get(kind="wrong_priority")
        self.fine = fine_charge(tenant=beta.tenant, violation=self.violation, actor=beta.owner)
        department_rules_update(
            tenant=beta.tenant, department=self.department, actor=beta.owner, persian_only="off"
        )
        mail = routes_mail.beta_objects(beta)
        self.mailbox_id, self.inbound_id = mail["mail_mailbox"], mail["mail_inbound"]
        self.area_values: dict = {}
        for area in AREAS:
            self.area_values.update(area.beta_objects(beta))


def path_for(template: str, beta_only: BetaOnly) -> str:
    values = {
        "number": beta_only.ticket.number,
        "department_id": beta_only.department.pk,
        "customer_id": beta_only.customer.pk,
        "reply_id": beta_only.canned.pk,
        "attachment_id": beta_only.attachment.pk,
        "calendar_id": beta_only.calendar.pk,
        "policy_id": beta_only.policy.pk,
        "date": beta_only.day.date.isoformat(),
        "service_id": beta_only.service.pk,
        "violation_id": beta_only.violation.pk,
        "fine_id": beta_only.fine.pk,
        "mailbox_id": beta_only.mailbox_id,
        "inbound_id": beta_only.inbound_id,
        **beta_only.area_values,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def _not_found(client, method, template, beta_only, body=None):
    assert_error(send(client, method, path_for(template, beta_only), body), 404, "not_found")


# Routes that name an object in their path: beta's object is not there for alpha.
PATH_CASES = {
    ("GET", "/departments/{department_id}"): None,
    ("PATCH", "/departments/{department_id}"): {"name_en": "Stolen"},
    ("GET", "/customers/{customer_id}"): None,
    ("PATCH", "/customers/{customer_id}"): {"name": "ربوده"},
    ("GET", "/tickets/{number}"): None,
    ("PATCH", "/tickets/{number}"): {"status": "closed"},
    ("GET", "/tickets/{number}/messages"): None,
    ("POST", "/tickets/{number}/messages"): {"kind": "note", "body": "نفوذ"},
    ("GET", "/attachments/{attachment_id}"): None,
    ("DELETE", "/canned-replies/{reply_id}"): None,
    ("GET", "/calendars/{calendar_id}"): None,
    ("PATCH", "/calendars/{calendar_id}"): {"label": "ربوده"},
    ("DELETE", "/calendars/{calendar_id}"): None,
    ("GET", "/calendars/{calendar_id}/days"): None,
    ("PUT", "/calendars/{calendar_id}/days/{date}"): {"kind": "open"},
    ("DELETE", "/calendars/{calendar_id}/days/{date}"): None,
    ("GET", "/sla-policies/{policy_id}"): None,
    ("PATCH", "/sla-policies/{policy_id}"): {"name": "ربوده"},
    ("DELETE", "/sla-policies/{policy_id}"): None,
    ("PUT", "/departments/{department_id}/sla-policy"): {"policy_id": None},
    ("GET", "/tickets/{number}/sla"): None,
    ("POST", "/tickets/{number}/restored"): None,
    ("POST", "/tickets/{number}/not-a-fault"): {"note": "نفوذ"},
    ("POST", "/tickets/{number}/merge"): {"into": 1},
    ("POST", "/tickets/{number}/unmerge"): None,
    ("POST", "/tickets/{number}/close-incomplete"): {"reason": "incomplete", "note": "نفوذ"},
    ("POST", "/tickets/{number}/out-of-scope"): {"note": "نفوذ"},
    ("GET", "/tickets/{number}/time-entries"): None,
    ("POST", "/tickets/{number}/time-entries"): {"minutes": 5},
    ("POST", "/tickets/{number}/installations"): {"service": 1, "module": "نفوذ", "minutes": 5},
    ("GET", "/tickets/{number}/violations"): None,
    ("GET", "/customers/{customer_id}/services"): None,
    ("POST", "/customers/{customer_id}/services"): {"identifier": "stolen.ir"},
    ("POST", "/services/{service_id}/verify"): {"note": "نفوذ"},
    ("POST", "/services/{service_id}/unverify"): {"note": "نفوذ"},
    ("DELETE", "/services/{service_id}"): None,
    ("GET", "/departments/{department_id}/rules"): None,
    ("PUT", "/departments/{department_id}/rules"): {"persian_only": "block"},
    ("GET", "/violations/{violation_id}"): None,
    ("POST", "/violations/{violation_id}/fine"): {},
    ("GET", "/fines/{fine_id}"): None,
    ("POST", "/fines/{fine_id}/paid"): {"note": "نفوذ"},
    ("POST", "/fines/{fine_id}/waive"): {"note": "نفوذ"},
    ("GET", "/mailboxes/{mailbox_id}"): None,
    ("PATCH", "/mailboxes/{mailbox_id}"): {"name": "ربوده"},
    ("DELETE", "/mailboxes/{mailbox_id}"): None,
    ("GET", "/mail/inbound/{inbound_id}"): None,
    ("GET", "/mail/inbound/{inbound_id}/raw"): None,
    ("POST", "/mail/inbound/{inbound_id}/retry"): None,
    ("POST", "/customers/{customer_id}/email-restored"): None,
}


def _ids(response) -> set[int]:
    data = response.json()
    return {item["id"] for item in (data["items"] if isinstance(data, dict) else data)}


# Routes without an object in their path: beta's objects are neither listed nor reachable by a
# filter or a reference in the body, and a reference answers 404 like a missing one.
def _departments_list(client, alpha, beta, beta_only):
    assert _ids(send(client, "GET", "/departments?all=true")).isdisjoint(
        {beta.department.pk, beta_only.department.pk}
    )


def _customers_list(client, alpha, beta, beta_only):
    assert beta.customer.pk not in _ids(send(client, "GET", "/customers?page_size=100"))
    found = send(client, "GET", "/customers?q=" + quote(beta.customer.email)).json()
    assert found["count"] == 0


def _agents_list(client, alpha, beta, beta_only):
    assert _ids(send(client, "GET", "/agents")).isdisjoint(
        {beta.agent.pk, beta.owner.pk, beta.viewer.pk}
    )


def _tickets_list(client, alpha, beta, beta_only):
    assert send(client, "GET", f"/tickets?customer={beta.customer.pk}").json()["count"] == 0
    assert send(client, "GET", f"/tickets?department={beta.department.pk}").json()["count"] == 0
    assert send(client, "GET", "/tickets?q=" + quote("محرمانه")).json()["count"] == 0


def _tickets_create(client, alpha, beta, beta_only):
    good = {"subject": "موضوع", "body": SEED_BODY, "fields": GOOD_FIELDS}
    error = assert_error(
        send(
            client,
            "POST",
            "/tickets",
            {
                **good,
                "department_id": beta.department.pk,
                "customer_id": alpha.customer.pk,
            },
        ),
        404,
        "not_found",
    )
    assert list(error["fields"]) == ["department_id"]
    error = assert_error(
        send(
            client,
            "POST",
            "/tickets",
            {
                **good,
                "department_id": alpha.department.pk,
                "customer_id": beta.customer.pk,
            },
        ),
        404,
        "not_found",
    )
    assert list(error["fields"]) == ["customer_id"]


def _customers_create(client, alpha, beta, beta_only):
    # beta's customer with this address does not clash with (or show through) alpha's
    response = send(client, "POST", "/customers", {"name": "هم‌نشانی", "email": beta.customer.email})
    assert response.status_code == 201
    assert response.json()["id"] != beta.customer.pk


def _departments_create(client, alpha, beta, beta_only):
    response = send(client, "POST", "/departments", {"name": beta_only.department.name})
    assert response.status_code == 201
    assert response.json()["id"] != beta_only.department.pk


def _canned_list(client, alpha, beta, beta_only):
    assert beta_only.canned.pk not in _ids(send(client, "GET", "/canned-replies"))


def _canned_create(client, alpha, beta, beta_only):
    response = send(
        client, "POST", "/canned-replies", {"title": beta_only.canned.title, "body": "متن"}
    )
    assert response.status_code == 201
    assert response.json()["id"] != beta_only.canned.pk


def _calendars_list(client, alpha, beta, beta_only):
    beta_calendars = set(beta.tenant.calendars.values_list("pk", flat=True))
    assert beta_only.calendar.pk in beta_calendars
    assert _ids(send(client, "GET", "/calendars")).isdisjoint(beta_calendars)


def _calendars_create(client, alpha, beta, beta_only):
    week = DEFAULT_CALENDARS["support"]["week"]
    response = send(client, "POST", "/calendars", {"name": beta_only.calendar.name, "week": week})
    assert response.status_code == 201
    assert response.json()["id"] != beta_only.calendar.pk


# These two need their query to reach the calendar at all; with it, beta's is not there.
def _calendar_holidays(client, alpha, beta, beta_only):
    path = f"/calendars/{beta_only.calendar.pk}/holidays?from=2026-11-01&to=2026-11-30"
    assert_error(send(client, "GET", path), 404, "not_found")


def _calendar_due(client, alpha, beta, beta_only):
    query = "from=" + quote("2026-11-25T15:00:00+03:30") + "&target=2bh"
    path = f"/calendars/{beta_only.calendar.pk}/due?{query}"
    assert_error(send(client, "GET", path), 404, "not_found")


def _policies_list(client, alpha, beta, beta_only):
    beta_policies = set(beta.tenant.sla_policies.values_list("pk", flat=True))
    assert _ids(send(client, "GET", "/sla-policies")).isdisjoint(beta_policies)


def _policies_create(client, alpha, beta, beta_only):
    # beta's calendar and beta's agent are not references alpha can make
    for field, value in (("calendar_id", beta_only.calendar.pk), ("reassign_to_id", beta.agent.pk)):
        body = {"name": "سیاست ربوده", "calendar_id": alpha.tenant.calendars.first().pk}
        error = assert_error(
            send(client, "POST", "/sla-policies", {**body, field: value}), 404, "not_found"
        )
        assert list(error["fields"]) == [field]


def _report_period() -> str:
    today = datetime.now(ZoneInfo("Asia/Tehran")).date()
    return f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"


def _sla_report(client, alpha, beta, beta_only):
    # only alpha's tickets are counted, even when the filter names beta's department or agent
    report = send(client, "GET", f"/reports/sla?{_report_period()}").json()
    assert report["total"]["tickets"] == alpha.tenant.tickets.count()
    assert {group["key"] for group in report["groups"]} == {alpha.department.pk}
    for query in (f"department={beta.department.pk}", f"agent={beta.agent.pk}"):
        found = send(client, "GET", f"/reports/sla?{_report_period()}&{query}").json()
        assert found["total"]["tickets"] == 0
        assert found["groups"] == []


def _sla_report_csv(client, alpha, beta, beta_only):
    response = send(client, "GET", f"/reports/sla.csv?{_report_period()}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # one department of alpha's (three targets each), then all tickets
    assert [int(row[2]) for row in rows[1:]] == [alpha.tenant.tickets.count()] * 6
    response = send(
        client, "GET", f"/reports/sla.csv?{_report_period()}&department={beta.department.pk}"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(row[2]) for row in rows[1:]] == [0, 0, 0]


def _services_list(client, alpha, beta, beta_only):
    assert beta_only.service.pk not in _ids(send(client, "GET", "/services?page_size=100"))
    response = send(client, "GET", f"/services?customer_id={beta.customer.pk}")
    assert list(assert_error(response, 404, "not_found")["fields"]) == ["customer_id"]


def _rules_detail(client, alpha, beta, beta_only):
    # beta changed its rules; alpha still reads its own
    rules = send(client, "GET", "/rules").json()
    own = rule_settings_get(tenant=alpha.tenant)
    assert (rules["duplicates"], rules["fine_due_days"]) == (own.duplicates, 7)


def _rules_update(client, alpha, beta, beta_only):
    response = send(client, "PATCH", "/rules", {"persian_only": "off", "fine_due_days": 9})
    assert response.status_code == 200
    assert rule_settings_get(tenant=alpha.tenant).fine_due_days == 9
    assert rule_settings_get(tenant=beta.tenant).persian_only == "block"
    assert rule_settings_get(tenant=beta.tenant).fine_due_days == 30


def _violations_list(client, alpha, beta, beta_only):
    assert beta_only.violation.pk not in _ids(send(client, "GET", "/violations?page_size=100"))
    response = send(client, "GET", f"/violations?customer_id={beta.customer.pk}")
    assert list(assert_error(response, 404, "not_found")["fields"]) == ["customer_id"]


def _violations_summary(client, alpha, beta, beta_only):
    summary = send(client, "GET", "/violations/summary").json()
    assert summary["total"] == Violation.objects.for_tenant(alpha.tenant).count()
    assert beta.customer.pk not in {row["customer"]["id"] for row in summary["top_customers"]}


def _fines_list(client, alpha, beta, beta_only):
    assert beta_only.fine.pk not in _ids(send(client, "GET", "/fines?page_size=100"))
    response = send(client, "GET", f"/fines?customer_id={beta.customer.pk}")
    assert list(assert_error(response, 404, "not_found")["fields"]) == ["customer_id"]


def _mailboxes_list(client, alpha, beta, beta_only):
    assert beta_only.mailbox_id not in _ids(send(client, "GET", "/mailboxes"))


def _mailboxes_create(client, alpha, beta, beta_only):
    body = {"address": "stolen@alpha.example", "department_id": beta.department.pk}
    error = assert_error(send(client, "POST", "/mailboxes", body), 404, "not_found")
    assert list(error["fields"]) == ["department_id"]


def _inbound_list(client, alpha, beta, beta_only):
    assert beta_only.inbound_id not in _ids(send(client, "GET", "/mail/inbound?page_size=100"))
    assert send(client, "GET", "/mail/inbound?status=failed").json()["count"] == 0


COLLECTION_CASES = {
    ("GET", "/departments"): _departments_list,
    ("POST", "/departments"): _departments_create,
    ("GET", "/customers"): _customers_list,
    ("POST", "/customers"): _customers_create,
    ("GET", "/agents"): _agents_list,
    ("GET", "/tickets"): _tickets_list,
    ("POST", "/tickets"): _tickets_create,
    ("GET", "/canned-replies"): _canned_list,
    ("POST", "/canned-replies"): _canned_create,
    ("GET", "/reports/sla"): _sla_report,
    ("GET", "/reports/sla.csv"): _sla_report_csv,
    ("GET", "/calendars"): _calendars_list,
    ("POST", "/calendars"): _calendars_create,
    ("GET", "/calendars/{calendar_id}/holidays"): _calendar_holidays,
    ("GET", "/calendars/{calendar_id}/due"): _calendar_due,
    ("GET", "/sla-policies"): _policies_list,
    ("POST", "/sla-policies"): _policies_create,
    ("GET", "/services"): _services_list,
    ("GET", "/rules"): _rules_detail,
    ("PATCH", "/rules"): _rules_update,
    ("GET", "/violations"): _violations_list,
    ("GET", "/violations/summary"): _violations_summary,
    ("GET", "/fines"): _fines_list,
    ("GET", "/mailboxes"): _mailboxes_list,
    ("POST", "/mailboxes"): _mailboxes_create,
    ("GET", "/mail/inbound"): _inbound_list,
}


for _area in AREAS:
    PATH_CASES.update(_area.PATH_CASES)
    COLLECTION_CASES.update(_area.COLLECTION_CASES)


def test_every_route_has_an_isolation_case():
    # given the API's routes, then each one is covered below
    missing = api_operations() - set(PATH_CASES) - set(COLLECTION_CASES)
    assert not missing, f"routes without a cross-tenant case: {sorted(missing)}"


def _beta_rules(beta) -> dict:
    """beta's rows of the rules' tables, which the shared snapshot does not cover."""
    return {
        model.__name__: list(model.objects.filter(tenant=beta.tenant).order_by("pk").values())
        for model in (
            RuleSettings,
            Violation,
            Fine,
            OwnedService,
            TimeEntry,
            ModuleInstallation,
            Mailbox,
            InboundMail,
        )
    }


def test_other_tenant_gets_404(alpha, beta):
    # given objects that only beta has
    beta_only = BetaOnly(alpha, beta)
    beta_before = {
        name: [row for row in rows if row.get("tenant_id") == beta.tenant.pk]
        for name, rows in snapshot().items()
    }
    beta_rules_before = _beta_rules(beta)
    client = alpha.api()
    # when alpha's token asks for them on alpha's host, route by route
    for method, template in sorted(api_operations()):
        if (method, template) in PATH_CASES:
            # then a route naming beta's object answers 404 in the error shape
            _not_found(client, method, template, beta_only, PATH_CASES[method, template])
        else:
            # then a collection neither shows nor reaches beta's objects
            COLLECTION_CASES[method, template](client, alpha, beta, beta_only)
    # and nothing of beta changed
    beta_after = {
        name: [row for row in rows if row.get("tenant_id") == beta.tenant.pk]
        for name, rows in snapshot().items()
    }
    assert beta_after == beta_before
    assert _beta_rules(beta) == beta_rules_before

    # when beta's own valid token is used on alpha's host, for every route
    intruder = alpha.api(beta.token)
    before = snapshot()
    for method, template in sorted(api_operations()):
        body = PATH_CASES.get((method, template)) or ({} if method in ("POST", "PATCH") else None)
        response = send(intruder, method, path_for(template, beta_only), body)
        # then it is refused as no token at all
        assert_error(response, 401, "unauthorized")
    assert snapshot() == before
    assert _beta_rules(beta) == beta_rules_before


@pytest.mark.parametrize("field", ["assignee_id", "department_id"])
def test_ticket_cannot_point_at_another_tenants_staff_or_department(alpha, beta, field):
    # given beta's agent and department, when alpha's ticket is pointed at them
    value = beta.agent.pk if field == "assignee_id" else beta.department.pk
    before = snapshot()
    response = send(alpha.api(), "PATCH", f"/tickets/{alpha.ticket.number}", {field: value})
    # then they are not found here, and the ticket is unchanged
    error = assert_error(response, 404, "not_found")
    assert list(error["fields"]) == [field]
    assert snapshot() == before


def test_department_cannot_follow_another_tenants_policy(alpha, beta):
    # given beta's policy, when alpha's department is pointed at it
    beta_only = BetaOnly(alpha, beta)
    before = snapshot()
    response = send(
        alpha.api(),
        "PUT",
        f"/departments/{alpha.department.pk}/sla-policy",
        {"policy_id": beta_only.policy.pk},
    )
    # then it is not found here, and nothing changed
    error = assert_error(response, 404, "not_found")
    assert list(error["fields"]) == ["policy_id"]
    assert snapshot() == before


def test_policy_cannot_count_on_another_tenants_calendar(alpha, beta):
    beta_only = BetaOnly(alpha, beta)
    policy = alpha.tenant.sla_policies.get(is_default=True)
    before = snapshot()
    response = send(
        alpha.api(), "PATCH", f"/sla-policies/{policy.pk}", {"calendar_id": beta_only.calendar.pk}
    )
    error = assert_error(response, 404, "not_found")
    assert list(error["fields"]) == ["calendar_id"]
    assert snapshot() == before


@pytest.mark.parametrize("field", ["service", "follow_up_of"])
def test_ticket_cannot_name_another_tenants_service_or_ticket(alpha, beta, field):
    # given beta's verified service and beta's ticket (closed, as a follow-up needs)
    beta_only = BetaOnly(alpha, beta)
    ticket_update(tenant=beta.tenant, ticket=beta_only.ticket, actor=beta.owner, status="closed")
    value = beta_only.service.pk if field == "service" else beta_only.ticket.number
    before = snapshot()
    body = {
        "department_id": alpha.department.pk,
        "customer_id": alpha.customer.pk,
        "subject": "موضوع",
        "body": SEED_BODY,
        "fields": GOOD_FIELDS,
        field: value,
    }
    # when alpha's request names it, then it is not found here and nothing is created
    error = assert_error(send(alpha.api(), "POST", "/tickets", body), 404, "not_found")
    assert list(error["fields"]) == [field]
    assert snapshot() == before


def test_installation_and_merge_cannot_reach_another_tenant(alpha, beta):
    beta_only = BetaOnly(alpha, beta)
    before = snapshot()
    number = alpha.ticket.number
    body = {"service": beta_only.service.pk, "module": "ماژول", "minutes": 5}
    error = assert_error(
        send(alpha.api(), "POST", f"/tickets/{number}/installations", body), 404, "not_found"
    )
    assert list(error["fields"]) == ["service"]
    error = assert_error(
        send(alpha.api(), "POST", f"/tickets/{number}/merge", {"into": beta_only.ticket.number}),
        404,
        "not_found",
    )
    assert list(error["fields"]) == ["into"]
    assert snapshot() == before
