"""Reads of the mail channel: which mailbox an address reaches, the tenant's mailboxes and the
log of what arrived."""

from django.conf import settings
from django.db.models import QuerySet

from pishkhan.compiled_reads import CompiledRead
from pishkhan.mail.models import InboundMail, InboundStatus, Mailbox
from pishkhan.tenancy.models import Domain, Tenant
from pishkhan.tickets.models import Ticket


def inbound_host() -> str:
    """The host under which every tenant has `<slug>@<host>` (MAIL_INBOUND_HOST)."""
    return getattr(settings, "MAIL_INBOUND_HOST", "") or "mail.pishkhan.localhost"


def mailbox_for_address(address: str) -> Mailbox | None:
    """The mailbox mail to `address` belongs to: the mailbox with that address; else, for
    `support@<a tenant's domain>` or `<slug>@<inbound host>`, the tenant's first active
    mailbox. None: not ours (the receiver answers 550)."""
    address = (address or "").strip().lower()
    local, _at, domain = address.rpartition("@")
    if not local or not domain:
        return None
    exact = (
        Mailbox.objects.select_related("tenant", "department")
        .filter(address=address, is_active=True, tenant__is_active=True)
        .first()
    )
    if exact is not None:
        return exact
    tenant = None
    if domain == inbound_host():
        tenant = Tenant.objects.filter(slug=local, is_active=True).first()
    elif local == "support":
        found = Domain.objects.select_related("tenant").filter(host=domain).first()
        tenant = found.tenant if found is not None and found.tenant.is_active else None
    if tenant is None:
        return None
    return (
        Mailbox.objects.for_tenant(tenant)
        .select_related("tenant", "department")
        .filter(is_active=True)
        .order_by("pk")
        .first()
    )


def is_own_address(address: str) -> bool:
    """Whether we send from or receive at `address`: mail from it is our own coming back (a
    loop), never a customer's request. One indexed lookup, asked once per message."""
    from email.utils import parseaddr

    address = (address or "").strip().lower()
    if not address:
        return False
    if address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return True
    return bool(_mailbox_with_address.rows(address=address))


# Every tenant's mailboxes: mail between two of them is a loop of ours too.
_mailbox_with_address = CompiledRead(
    lambda v: Mailbox.objects.filter(address=v.address).values_list("pk", flat=True)[:1]
)


def inbound_mail_with_key(*, tenant: Tenant, key: str) -> InboundMail | None:
    """The tenant's logged message with this Message-ID (or digest): asked of every message
    delivered, and nearly always answered "none"."""
    pk = _inbound_with_key.first(tenant_id=tenant.pk, key=key)
    return InboundMail.objects.get(pk=pk) if pk is not None else None


_inbound_with_key = CompiledRead(
    lambda v: (
        InboundMail.objects.for_tenant(v.tenant_id)
        .filter(message_id=v.key)
        .values_list("pk", flat=True)[:1]
    )
)


def mailbox_list(*, tenant: Tenant) -> QuerySet[Mailbox]:
    return Mailbox.objects.for_tenant(tenant).select_related("department").order_by("address")


def mailbox_get(*, tenant: Tenant, pk) -> Mailbox | None:
    return mailbox_list(tenant=tenant).filter(pk=pk).first()


def inbound_list(*, tenant: Tenant, status: str = "") -> QuerySet[InboundMail]:
    rows = (
        InboundMail.objects.for_tenant(tenant)
        .defer("raw")
        .select_related("mailbox", "ticket")
        .order_by("-received_at", "-pk")
    )
    if status in InboundStatus.values:
        rows = rows.filter(status=status)
    return rows


def inbound_get(*, tenant: Tenant, pk) -> InboundMail | None:
    return (
        InboundMail.objects.for_tenant(tenant)
        .select_related("mailbox", "ticket")
        .filter(pk=pk)
        .first()
    )


def reply_address(tenant_id: int, ticket_id: int | None) -> str | None:
    """Where a customer's answer to our mail should go: the mailbox of the ticket's department,
    else the tenant's first mailbox. None when the tenant connected none (the outbox then uses
    its default sender)."""
    from pishkhan.tickets.models import Ticket

    mailboxes = Mailbox.objects.filter(tenant_id=tenant_id, is_active=True).order_by("pk")
    if ticket_id is not None:
        department_id = (
            Ticket.objects.filter(pk=ticket_id, tenant_id=tenant_id)
            .values_list("department_id", flat=True)
            .first()
        )
        if department_id is not None:
            found = mailboxes.filter(department_id=department_id).values_list("address", flat=True)
            if found:
                return found[0]
    return mailboxes.values_list("address", flat=True).first()


def customer_ticket_id(*, tenant: Tenant, customer, ticket_id: int) -> int | None:
    """`ticket_id` if that ticket is this customer's (a reply continues only its own)."""
    return _customers_ticket.first(tenant_id=tenant.pk, customer_id=customer.pk, pk=ticket_id)


def customer_ticket_id_by_number(*, tenant: Tenant, customer, number: int) -> int | None:
    """The id of the customer's ticket with this number (a `[#n]` in a reply's subject)."""
    return _customers_numbered.first(tenant_id=tenant.pk, customer_id=customer.pk, number=number)


# Asked of every reply; the reply then reads (and locks) the ticket itself.
_customers_ticket = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id)
        .filter(customer_id=v.customer_id, pk=v.pk)
        .values_list("pk", flat=True)[:1]
    )
)
_customers_numbered = CompiledRead(
    lambda v: (
        Ticket.objects.for_tenant(v.tenant_id)
        .filter(customer_id=v.customer_id, number=v.number)
        .values_list("pk", flat=True)[:1]
    )
)
