"""The documents of the objects this app indexes itself: tickets, their thread messages, and
customers. Built the same way for a live change and for a rebuild."""

from __future__ import annotations

from collections.abc import Iterator

from pishkhan.accounts.models import Customer
from pishkhan.search import text
from pishkhan.search.documents import Document
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Message, MessageKind, Ticket

BATCH = 2000


def ticket_filters(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "department": ticket.department_id,
        "priority": ticket.priority,
        "customer": ticket.customer_id,
        "number": ticket.number,
    }


def ticket_document(ticket: Ticket, request: Message | None) -> Document:
    """A ticket is its subject, its field values and the request that opened it; later thread
    messages are documents of their own, so one match is one hit. Its customer's name, email
    and phone find it too ("علی سرور": Ali's tickets about a server), unshown."""
    values = " ".join(str(v) for v in (ticket.fields or {}).values())
    body = "\n".join(p for p in (request.body if request else "", values) if p)
    return Document(
        kind="ticket",
        object_id=ticket.pk,
        title=ticket.subject,
        body=body,
        keywords=customer_keywords(ticket.customer),
        filters=ticket_filters(ticket),
        updated_at=ticket.updated_at,
    )


def customer_keywords(customer: Customer) -> str:
    """What finds a customer's tickets: their name, email and phone, as typed or national."""
    return " ".join(
        p for p in (customer.name, customer.email, *text.phone_variants(customer.phone)) if p
    )


def message_document(message: Message, ticket: Ticket) -> Document:
    return Document(
        kind="message",
        object_id=message.pk,
        title="",
        body=message.body,
        filters={**ticket_filters(ticket), "ticket": ticket.pk, "note": int(not message.is_public)},
        updated_at=message.created_at,
    )


def customer_document(customer: Customer) -> Document:
    phones = " ".join(text.phone_variants(customer.phone))
    return Document(
        kind="customer",
        object_id=customer.pk,
        title=customer.name,
        body=" ".join(p for p in (customer.email, phones) if p),
        language=customer.language,
        updated_at=customer.updated_at,
    )


def first_messages(tenant: Tenant, ticket_ids: list[int]) -> dict[int, Message]:
    """The request (first message) of each ticket, in one query."""
    found: dict[int, Message] = {}
    rows = (
        Message.objects.for_tenant(tenant)
        .filter(ticket_id__in=ticket_ids)
        .exclude(kind=MessageKind.SYSTEM)
        .order_by("ticket_id", "created_at", "id")
        .only("id", "ticket_id", "body", "kind", "created_at")
    )
    for message in rows:
        found.setdefault(message.ticket_id, message)
    return found


def _chunks(qs) -> Iterator[list]:
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def tickets(tenant: Tenant) -> Iterator[Document]:
    with_customer = Ticket.objects.for_tenant(tenant).select_related("customer")
    for chunk in _chunks(with_customer):
        requests = first_messages(tenant, [t.pk for t in chunk])
        for ticket in chunk:
            yield ticket_document(ticket, requests.get(ticket.pk))


def messages(tenant: Tenant) -> Iterator[Document]:
    for chunk in _chunks(Ticket.objects.for_tenant(tenant)):
        requests = first_messages(tenant, [t.pk for t in chunk])
        by_id = {t.pk: t for t in chunk}
        thread = (
            Message.objects.for_tenant(tenant)
            .filter(ticket_id__in=list(by_id))
            .exclude(kind=MessageKind.SYSTEM)
            .exclude(pk__in=[m.pk for m in requests.values()])
            .order_by("pk")
        )
        for message in thread:
            yield message_document(message, by_id[message.ticket_id])


def customers(tenant: Tenant) -> Iterator[Document]:
    for chunk in _chunks(Customer.objects.for_tenant(tenant)):
        yield from (customer_document(c) for c in chunk)
