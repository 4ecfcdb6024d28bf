"""Tenant isolation for every route of the API. The routes are read from the API itself, so a
new route without a case here fails the test instead of going unchecked."""

import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern

from pishkhan.api.urls import api
from pishkhan.tickets.services import canned_reply_create, department_create, ticket_submit
from tests.api.helpers import PDF_BYTES, assert_error, send, snapshot
from tests.conftest import GOOD_FIELDS, SEED_BODY

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


def path_for(template: str, beta_only: BetaOnly) -> str:
    values = {
        "number": beta_only.ticket.number,
        "department_id": beta_only.department.pk,
        "customer_id": beta_only.customer.pk,
        "reply_id": beta_only.canned.pk,
        "attachment_id": beta_only.attachment.pk,
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
}


def test_every_route_has_an_isolation_case():
    # given the API's routes, then each one is covered below
    missing = api_operations() - set(PATH_CASES) - set(COLLECTION_CASES)
    assert not missing, f"routes without a cross-tenant case: {sorted(missing)}"


def test_other_tenant_gets_404(alpha, beta):
    # given objects that only beta has
    beta_only = BetaOnly(alpha, beta)
    beta_before = {
        name: [row for row in rows if row.get("tenant_id") == beta.tenant.pk]
        for name, rows in snapshot().items()
    }
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

    # when beta's own valid token is used on alpha's host, for every route
    intruder = alpha.api(beta.token)
    before = snapshot()
    for method, template in sorted(api_operations()):
        body = PATH_CASES.get((method, template)) or ({} if method in ("POST", "PATCH") else None)
        response = send(intruder, method, path_for(template, beta_only), body)
        # then it is refused as no token at all
        assert_error(response, 401, "unauthorized")
    assert snapshot() == before


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
