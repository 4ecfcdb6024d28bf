"""Property-based fuzzing of the whole API against its own OpenAPI schema.

Schemathesis reads GET /api/v1/openapi.json and, for every operation, sends the schema's
boundary cases and generated requests (valid ones and deliberately invalid ones) through the
real WSGI application, in-process, with alpha's owner's token on alpha's host, against the
real test database. Every answer must hold to what the schema promises:

- never a server error;
- only status codes the operation declares, with bodies and content types matching them;
- every 4xx in the one error shape (with `detail` when a support rule refused).

Bounded and derandomized: about 20 s on two cores, and the same requests on every run."""

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.policies.models import Violation
from pishkhan.policies.services import fine_charge
from pishkhan.sla.services import calendar_day_set, policy_create
from pishkhan.tickets.services import canned_reply_create, ticket_add_note, ticket_update
from pishkhan.wsgi import application
from tests.api.helpers import PDF_BYTES, PDF_NAME
from tests.conftest import SEED_BODY

SCHEMA_PATH = "/api/v1/openapi.json"
# Generated requests per operation, on top of the boundary cases (most of the run's time).
MAX_EXAMPLES = 15
ERROR_KEYS = {"code", "message", "message_fa", "message_en", "fields"}


@schemathesis.check
def one_error_shape(ctx, response, case):
    """Every 4xx answer is {"error": {"code", "message", "message_fa", "message_en", "fields"}}."""
    if not 400 <= response.status_code < 500:
        return None
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), (
        f"a {response.status_code} that is not JSON"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"not the error shape: {body!r}"
    error = body["error"]
    assert isinstance(error, dict), f"not the error shape: {body!r}"
    # A support rule's refusal says what to act on besides.
    assert set(error) in (ERROR_KEYS, ERROR_KEYS | {"detail"}), f"not the error shape: {body!r}"
    assert isinstance(error.get("detail", {}), dict), f"detail is not an object: {body!r}"
    assert all(isinstance(error[key], str) and error[key] for key in ERROR_KEYS - {"fields"}), (
        f"an empty or non-text code or message: {body!r}"
    )
    fields = error["fields"]
    assert isinstance(fields, dict), f"fields is not an object: {body!r}"
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in fields.values()
    ), f"a field without a list of messages: {body!r}"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    one_error_shape,
]


@pytest.fixture
def in_process_requests():
    """Keep the test's transaction open across requests.

    Django closes the database connection when a request ends, which would end the test's
    transaction and take the fixtures' rows with it. Its test client unhooks that during its
    own requests but hooks it back after them, so rows are made through services here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(request, alpha, in_process_requests):
    # Schemathesis relabels the running test through `_nodeid`, which newer pytest nodes
    # no longer carry; without it every operation errors before a request is sent.
    request.node._nodeid = request.node.nodeid
    note = ticket_add_note(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        body=SEED_BODY,
        files=[SimpleUploadedFile(PDF_NAME, PDF_BYTES)],
    )
    canned = canned_reply_create(tenant=alpha.tenant, actor=alpha.owner, title="سلام", body="سلام")
    calendars = list(alpha.tenant.calendars.order_by("pk"))
    day = calendar_day_set(
        tenant=alpha.tenant,
        actor=alpha.owner,
        calendar=calendars[0],
        day="2026-11-26",
        kind="closed",
    )
    policy_create(tenant=alpha.tenant, actor=alpha.owner, name="طلایی", calendar=calendars[1])
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.owner,
        kind="domain",
        identifier="nikanshop.ir",
    )
    service_verify(tenant=alpha.tenant, service=service, actor=alpha.owner, note="مدارک")
    # Two wrong-priority violations, one of them fined: both paths of a fine are reachable.
    for lowered in ("normal", "important"):
        ticket_update(
            tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, priority="urgent"
        )
        ticket_update(
            tenant=alpha.tenant,
            ticket=alpha.ticket,
            actor=alpha.owner,
            priority=lowered,
            reason="قطعی نیست",
        )
    violations = list(Violation.objects.for_tenant(alpha.tenant).order_by("pk"))
    fine = fine_charge(tenant=alpha.tenant, violation=violations[-1], actor=alpha.owner)
    rows = {
        "tickets": [alpha.ticket.number],
        "departments": [alpha.department.pk],
        "customers": [alpha.customer.pk],
        "staff": [alpha.owner.pk, alpha.agent.pk, alpha.viewer.pk],
        "attachments": [note.attachments.get().pk],
        "canned_replies": [canned.pk],
        "calendars": [calendar.pk for calendar in calendars],
        "calendar_days": [day.date.isoformat()],
        "policies": list(alpha.tenant.sla_policies.values_list("pk", flat=True)),
        "services": [service.pk],
        "violations": [violation.pk for violation in violations],
        "fines": [fine.pk],
    }
    references = {
        "path.number": "tickets",
        "path.department_id": "departments",
        "path.customer_id": "customers",
        "path.attachment_id": "attachments",
        "path.reply_id": "canned_replies",
        "path.calendar_id": "calendars",
        "path.date": "calendar_days",
        "path.policy_id": "policies",
        "body.calendar_id": "calendars",
        "body.policy_id": "policies",
        "body.reassign_to_id": "staff",
        "query.department": "departments",
        "query.customer": "customers",
        "query.assignee": "staff",
        "body.department_id": "departments",
        "body.customer_id": "customers",
        "body.assignee_id": "staff",
        "path.service_id": "services",
        "path.violation_id": "violations",
        "path.fine_id": "fines",
        "body.service": "services",
        "body.into": "tickets",
        "body.follow_up_of": "tickets",
        "query.customer_id": "customers",
    }
    config = schemathesis.Config.from_dict(
        {
            # Sent as is; only the cases that test a missing token (401) go without it.
            "headers": {"Authorization": f"Bearer {alpha.token}"},
            # Ids are mostly drawn from alpha's rows, so valid requests reach the success paths.
            "dictionaries": {name: {"values": values} for name, values in rows.items()},
            "parameters": {
                key: {"dictionary": name, "probability": 0.8} for key, name in references.items()
            },
        }
    )
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Requests hit a database, so they are slow by Hypothesis's measure; and the one world
    # of rows is shared by all examples on purpose.
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_to_its_schema(case, alpha):
    # Every operation, through the real WSGI application, on alpha's host.
    case.call_and_validate(base_url=f"http://{alpha.host}", checks=CHECKS)
