"""Reads of the outbox: which ticket a Message-ID belongs to, a ticket's thread, the admin log."""

from collections.abc import Iterable

from pishkhan.outbox.models import OutboundMail, ThreadId
from pishkhan.tenancy.models import Tenant

# A References header can carry hundreds of ids; the newest few decide the thread anyway.
MAX_LOOKUP_IDS = 100


def normalize_message_id(value: str) -> str:
    """The stored form: no angle brackets, no surrounding space."""
    return (value or "").strip().strip("<>").strip()


def thread_ticket_id(*, tenant: Tenant, message_ids: Iterable[str]) -> int | None:
    """The ticket of the first of `message_ids` this tenant knows, in the order given.

    The caller orders them by how directly the mail answers us: In-Reply-To first, then
    References newest first. So an answer to our latest mail lands on that mail's ticket even
    when its References still carry an older, merged ticket's ids. Only this tenant's ids are
    searched: the same Message-ID in another tenant (one mail sent to two help desks) belongs to
    that tenant's ticket, never to ours."""
    wanted: list[str] = []
    for value in message_ids:
        message_id = normalize_message_id(value)
        if message_id and message_id not in wanted:
            wanted.append(message_id)
        if len(wanted) >= MAX_LOOKUP_IDS:
            break
    if not wanted:
        return None
    found = dict(
        ThreadId.objects.for_tenant(tenant)
        .filter(message_id__in=wanted)
        .values_list("message_id", "ticket_id")
    )
    return next((found[m] for m in wanted if m in found), None)


def thread_message_ids(*, tenant: Tenant, ticket_id: int, tail: int) -> tuple[str, list[str]]:
    """A ticket's first Message-ID and up to `tail` most recent ones after it (oldest first),
    both directions: what In-Reply-To and References of the next mail are built from."""
    ids = ThreadId.objects.for_tenant(tenant).filter(ticket_id=ticket_id)
    first = ids.order_by("created_at", "pk").values_list("message_id", flat=True).first()
    if first is None:
        return "", []
    recent = list(
        ids.exclude(message_id=first)
        .order_by("-created_at", "-pk")
        .values_list("message_id", flat=True)[:tail]
    )
    recent.reverse()
    return first, recent


def outbound_list(
    *,
    tenant: Tenant,
    status: str | None = None,
    ticket_id: int | None = None,
    to: str | None = None,
    limit: int = 100,
):
    """What the tenant's desk has mailed, newest first, for an admin's log."""
    rows = OutboundMail.objects.for_tenant(tenant).order_by("-created_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    if ticket_id is not None:
        rows = rows.filter(ticket_id=ticket_id)
    if to:
        rows = rows.filter(to__iexact=to.strip())
    return rows.defer("text", "html")[:limit]


def outbound_get(*, tenant: Tenant, pk) -> OutboundMail | None:
    return OutboundMail.objects.for_tenant(tenant).filter(pk=pk).first()
