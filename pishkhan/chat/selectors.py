"""Reads of live chat. Every function takes the tenant and looks only inside it."""

from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from pishkhan.chat.models import (
    PUBLIC_KINDS,
    AgentSeat,
    Chat,
    ChatMessage,
    ChatSettings,
    ChatStatus,
    Presence,
    Visitor,
)
from pishkhan.core import clock
from pishkhan.tenancy.models import WRITER_ROLES, Membership, Tenant
from pishkhan.tenancy.permissions import is_staff_user

SUPERVISOR_ROLES = frozenset({"owner", "admin", "supervisor"})


def chat_settings_get(*, tenant: Tenant) -> ChatSettings:
    """The tenant's chat settings, created with the defaults on first read. Kept in the process
    while they and the tenant's departments are unchanged (process_cache): every
    visitor's start reads them. Read-only: `chat_settings_update` changes them."""
    from pishkhan import process_cache

    return process_cache.cached("chat", tenant.pk, lambda: _chat_settings_read(tenant))


def _chat_settings_read(tenant: Tenant) -> ChatSettings:
    found = ChatSettings.objects.filter(tenant=tenant).select_related("default_department").first()
    if found is not None:
        return found
    found, _created = ChatSettings.objects.get_or_create(tenant=tenant)
    return found


def _chats(tenant: Tenant):
    # What a chat shows beside its own row, in the same query. Not its tenant (the caller has
    # it: `_own`) nor its ticket (only the chat's page shows it: `chat_get`): the sockets look
    # chats up on every offer and acceptance, and each joined table costs PostgreSQL planning.
    return Chat.objects.for_tenant(tenant).select_related("visitor", "agent", "department")


def _own(chat: Chat | None, tenant: Tenant) -> Chat | None:
    if chat is not None:
        chat.tenant = tenant  # the tenant in hand, not read again through the chat
    return chat


def chat_get(*, tenant: Tenant, pk) -> Chat | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return _own(_chats(tenant).select_related("ticket").filter(pk=pk).first(), tenant)


def chat_get_by_key(*, tenant: Tenant, key: str) -> Chat | None:
    if not key or not isinstance(key, str) or len(key) > 64:
        return None
    return _own(_chats(tenant).filter(key=key).first(), tenant)


def visitor_get_by_key(*, tenant: Tenant, key) -> Visitor | None:
    if not key or not isinstance(key, str) or len(key) > 64:
        return None
    return Visitor.objects.for_tenant(tenant).filter(key=key).first()


def chat_current_for_visitor(*, tenant: Tenant, visitor: Visitor) -> Chat | None:
    """The visitor's chat still going on, if any (the widget reopens it after a reload)."""
    return _own(
        _chats(tenant)
        .filter(visitor=visitor)
        .exclude(status=ChatStatus.ENDED)
        .order_by("-started_at")
        .first(),
        tenant,
    )


def chat_list_live(*, tenant: Tenant):
    """Every waiting or active chat, oldest first (the supervisor's board)."""
    return _chats(tenant).exclude(status=ChatStatus.ENDED).order_by("started_at", "pk")


def chat_list_for_agent(*, tenant: Tenant, agent):
    return (
        _chats(tenant).filter(agent=agent, status=ChatStatus.ACTIVE).order_by("accepted_at", "pk")
    )


def chat_list_finished(
    *, tenant: Tenant, agent=None, since: datetime | None = None, until: datetime | None = None
):
    chats = _chats(tenant).filter(status=ChatStatus.ENDED)
    if agent is not None:
        chats = chats.filter(agent=agent)
    if since is not None:
        chats = chats.filter(ended_at__gte=since)
    if until is not None:
        chats = chats.filter(ended_at__lt=until)
    return chats.order_by("-ended_at", "-pk")


def chat_list(*, tenant: Tenant, status: str = "", agent=None):
    chats = _chats(tenant)
    if status:
        chats = chats.filter(status=status)
    if agent is not None:
        chats = chats.filter(agent=agent)
    return chats.order_by("-started_at", "-pk")


def chat_list_for_visitor(*, tenant: Tenant, visitor: Visitor, exclude=None):
    """For staff: the visitor's chats, and those of any other visitor with their email (the
    same person on another browser; visitors are only ever recognised by their key)."""
    same_person = Q(visitor=visitor)
    if visitor.email:
        same_person |= Q(visitor__email=visitor.email)
    chats = _chats(tenant).filter(same_person)
    if exclude is not None:
        chats = chats.exclude(pk=exclude.pk)
    return chats.order_by("-started_at")


def chat_transcript(*, tenant: Tenant, chat: Chat) -> list[ChatMessage]:
    """What the visitor saw: public messages only (no notes, no whispers), in order."""
    return list(
        ChatMessage.objects.for_tenant(tenant)
        .filter(chat=chat, kind__in=PUBLIC_KINDS)
        .select_related("author_user", "attachment")
        .order_by("seq")
    )


def chat_messages(*, tenant: Tenant, chat: Chat, after: int = 0, staff: bool = False):
    """Messages after `after` in order; staff see notes and whispers too."""
    messages = (
        ChatMessage.objects.for_tenant(tenant)
        .filter(chat=chat, seq__gt=after)
        .select_related("author_user", "attachment")
        .order_by("seq")
    )
    if not staff:
        messages = messages.filter(kind__in=PUBLIC_KINDS)
    return list(messages)


def chat_messages_between(
    *, tenant: Tenant, chat_key: str, after: int, before: int, staff: bool = False
) -> list[ChatMessage]:
    """Messages strictly between two seqs of the chat with this key (a gap to fill)."""
    messages = (
        ChatMessage.objects.for_tenant(tenant)
        .filter(chat__key=chat_key, seq__gt=after, seq__lt=before)
        .select_related("chat__visitor", "author_user", "attachment")
        .order_by("seq")
    )
    if not staff:
        messages = messages.filter(kind__in=PUBLIC_KINDS)
    return list(messages)


def seat_get(*, tenant: Tenant, user) -> AgentSeat | None:
    return AgentSeat.objects.for_tenant(tenant).filter(user=user).first()


def seat_list(*, tenant: Tenant):
    """Every writer's seat (those without a row yet shown with the defaults)."""
    members = (
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role__in=WRITER_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    seats = {seat.user_id: seat for seat in AgentSeat.objects.for_tenant(tenant)}
    return [(member, seats.get(member.user_id)) for member in members]


# An agent socket pings every 30 seconds; a seat silent for longer than this is offline even
# if its socket count says otherwise (the server died without closing its sockets).
PRESENCE_TTL = timedelta(seconds=120)


def online_seats(*, tenant: Tenant, now=None):
    """Seats of writers who are online with a socket open and heard from lately."""
    since = (now or clock.now()) - PRESENCE_TTL
    writers = Membership.objects.for_tenant(tenant).filter(is_active=True, role__in=WRITER_ROLES)
    return (
        AgentSeat.objects.for_tenant(tenant)
        .filter(status=Presence.ONLINE, connections__gt=0, last_seen_at__gte=since)
        .filter(user_id__in=writers.values("user_id"))
        .select_related("user")
    )


def _per_seat(chats) -> Coalesce:
    """How many of `chats` (already narrowed to one seat's user by OuterRef) there are, 0 for
    none: a correlated count, so the seats' loads come with the seats in one statement."""
    counted = chats.order_by().values("tenant").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def seats_with_room(*, tenant: Tenant, default_capacity: int, placing: Chat | None = None):
    """Online seats whose load (active chats plus offers waiting for an answer) is below
    their capacity, each with its `load`, in one statement and without the users. An offer of
    `placing` (the chat being offered again) does not count: it is about to move."""
    tenant_chats = Chat.objects.for_tenant(tenant)
    active = tenant_chats.filter(agent_id=OuterRef("user_id"), status=ChatStatus.ACTIVE)
    offered = tenant_chats.filter(offered_to_id=OuterRef("user_id"), status=ChatStatus.WAITING)
    if placing is not None:
        offered = offered.exclude(pk=placing.pk)
    return (
        online_seats(tenant=tenant)
        .select_related(None)
        .annotate(
            load=_per_seat(active) + _per_seat(offered),
            room=Coalesce(F("capacity"), Value(default_capacity)),
        )
        .filter(load__lt=F("room"))
    )


def is_supervisor(*, tenant: Tenant, user) -> bool:
    if not is_staff_user(user):
        return False
    return (
        Membership.objects.for_tenant(tenant)
        .filter(user=user, is_active=True, role__in=SUPERVISOR_ROLES)
        .exists()
    )


def visitor_tickets(*, tenant: Tenant, visitor: Visitor, limit: int = 20):
    from pishkhan.tickets.models import Ticket

    if visitor.customer_id is None:
        return []
    return list(
        Ticket.objects.for_tenant(tenant)
        .filter(customer_id=visitor.customer_id)
        .order_by("-created_at")[:limit]
    )


def chat_search(*, tenant: Tenant, query: str):
    """Chats whose public text, visitor name or email contains the words of `query`."""
    chats = _chats(tenant)
    for word in query.split()[:8]:
        chats = chats.filter(
            Q(visitor__name__icontains=word)
            | Q(visitor__email__icontains=word)
            | Q(
                pk__in=ChatMessage.objects.for_tenant(tenant)
                .filter(kind__in=PUBLIC_KINDS, text__icontains=word)
                .values("chat_id")
            )
        )
    return chats.order_by("-started_at")
