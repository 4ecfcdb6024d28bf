"""What the API tests share: JSON requests, base64 files, and a snapshot of every row an API
write could touch (to show a refused request changed nothing)."""

import base64
import json

from django.test import Client

from pishkhan.accounts.models import Customer
from pishkhan.sla.models import (
    BillableTime,
    BusinessCalendar,
    CalendarDay,
    DepartmentPolicy,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)
from pishkhan.tenancy.models import Domain
from pishkhan.tenancy.services import api_token_create
from pishkhan.tickets.models import (
    Attachment,
    CannedReply,
    Department,
    Message,
    Tag,
    Ticket,
    TicketCounter,
    TicketTag,
)
from pishkhan.trust.models import AuditEvent

API = "/api/v1"

# A real (minimal) PDF: the service checks a file's first bytes against its extension.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_NAME = "فاکتور خرید ۱۴۰۵.pdf"

WRITTEN_MODELS = (
    Customer,
    Department,
    Ticket,
    TicketCounter,
    Message,
    Attachment,
    Tag,
    TicketTag,
    CannedReply,
    AuditEvent,
    BusinessCalendar,
    CalendarDay,
    SlaPolicy,
    SlaTarget,
    DepartmentPolicy,
    SlaClock,
    BillableTime,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pdf_attachment(name: str = PDF_NAME) -> dict:
    return {"filename": name, "content_base64": b64(PDF_BYTES)}


def send(client, method: str, path: str, body=None, **headers):
    """A JSON request to the API; `body` may be a dict/list or an already-encoded string."""
    kwargs = dict(headers)
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(API + path, **kwargs)


def snapshot() -> dict:
    """Every row of every table an API write could change."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITTEN_MODELS}


def assert_error(response, status: int, code: str) -> dict:
    """The one error shape; returns its body for further checks."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "message_fa", "message_en", "fields"}
    assert error["code"] == code
    assert error["message"]
    assert error["message_fa"]
    assert error["message_en"]
    return error


def token_for(world, user) -> str:
    _token, raw = api_token_create(tenant=world.tenant, user=user, name="test")
    return raw


REACHED_BY = ["subdomain", "own host", "header"]


def client_reaching(world, reached_by: str) -> Client:
    """A client with the tenant's token, reaching the tenant by its subdomain, by a host of
    its own (support.<slug>.example, created here) or by the X-Tenant header."""
    own = f"support.{world.tenant.slug}.example"
    Domain.objects.get_or_create(tenant=world.tenant, host=own)
    host, headers = {
        "subdomain": (world.host, {}),
        "own host": (own, {}),
        "header": ("api.example.com", {"HTTP_X_TENANT": world.tenant.slug}),
    }[reached_by]
    return Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {world.token}", **headers)
