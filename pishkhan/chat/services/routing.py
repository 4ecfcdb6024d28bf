"""Who takes a chat: presence, availability, offers (least busy first, the next one after
`offer_seconds`), accepting, declining and transfers.

An offer's timeout is a deferred job (tasks.chat_offer_expire), not a timer in a socket, so a
restart of the server does not strand a chat with an agent who will never answer; the sweep
(`chat_offers_sweep`) catches any offer whose job was lost."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from pishkhan import jobs
from pishkhan.chat import realtime
from pishkhan.chat.models import AgentSeat, Chat, ChatStatus, Presence
from pishkhan.chat.selectors import chat_settings_get, is_supervisor, seats_with_room
from pishkhan.chat.services._common import ChatError, locked
from pishkhan.core import clock
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.tickets.models import Department


def _capacity(seat: AgentSeat, default: int) -> int:
    return seat.capacity if seat.capacity is not None else default


def in_business_hours(*, tenant: Tenant, department_id: int | None, now) -> bool:
    """Inside the working hours of the department's SLA calendar (the tenant's default
    policy's calendar when there is no department)."""
    from pishkhan.core.businesstime import is_working_time
    from pishkhan.sla.services.defaults import intake_settings

    # The calendars as the intake keeps them per process: read on every visitor's start.
    calendar = intake_settings(tenant=tenant).calendar_for(
        tenant=tenant, department_id=department_id or 0
    )
    return is_working_time(now, calendar)


def _free_seats(*, tenant: Tenant, settings, exclude_chat=None) -> list[tuple[AgentSeat, int]]:
    """Online seats with room, each with its load (active chats and pending offers, not
    counting the offer of `exclude_chat`, which is the one being placed)."""
    return [
        (seat, seat.load)
        for seat in seats_with_room(
            tenant=tenant, default_capacity=settings.default_capacity, placing=exclude_chat
        )
    ]


def agents_available(*, tenant: Tenant, department=None, now=None) -> bool:
    """Someone online with a free seat, inside the department's business hours: the widget
    offers a chat; otherwise it shows the offline form."""
    settings = chat_settings_get(tenant=tenant)
    if not settings.enabled:
        return False
    department_id = getattr(department, "pk", department) or settings.default_department_id
    if not in_business_hours(tenant=tenant, department_id=department_id, now=now or clock.now()):
        return False
    return seats_with_room(tenant=tenant, default_capacity=settings.default_capacity).exists()


# --- presence -------------------------------------------------------------------------------


def _seat_locked(*, tenant: Tenant, user) -> AgentSeat:
    AgentSeat.objects.get_or_create(tenant=tenant, user=user)
    return AgentSeat.objects.select_for_update().get(tenant=tenant, user=user)


@transaction.atomic
def agent_connected(*, tenant: Tenant, user) -> AgentSeat:
    """An agent socket opened: the agent is online (unless they said away) and waiting chats
    are offered again."""
    require_writer(tenant=tenant, user=user)
    seat = _seat_locked(tenant=tenant, user=user)
    seat.connections += 1
    if seat.status == Presence.OFFLINE:
        seat.status = Presence.ONLINE
    seat.last_seen_at = clock.now()
    seat.save()
    queue_dispatch(tenant=tenant)
    return seat


@transaction.atomic
def agent_disconnected(*, tenant: Tenant, user) -> AgentSeat:
    """An agent socket closed; with the last one the agent is offline and loses their offers
    (their active chats stay theirs: they may be reloading the page)."""
    seat = _seat_locked(tenant=tenant, user=user)
    seat.connections = max(0, seat.connections - 1)
    if seat.connections == 0:
        seat.status = Presence.OFFLINE
        _withdraw_offers(tenant=tenant, user=user)
    seat.last_seen_at = clock.now()
    seat.save()
    return seat


def agent_seen(*, tenant: Tenant, user) -> None:
    """The agent's socket is alive (its ping): keeps the seat counted as online."""
    AgentSeat.objects.for_tenant(tenant).filter(user=user).update(last_seen_at=clock.now())


@transaction.atomic
def agent_presence_set(*, tenant: Tenant, user, status: str) -> AgentSeat:
    require_writer(tenant=tenant, user=user)
    if status not in (Presence.ONLINE, Presence.AWAY):
        raise ChatError("bad_status", gettext_noop("Presence is online or away."))
    seat = _seat_locked(tenant=tenant, user=user)
    seat.status = status
    seat.last_seen_at = clock.now()
    seat.save(update_fields=["status", "last_seen_at"])
    if status == Presence.AWAY:
        _withdraw_offers(tenant=tenant, user=user)
    else:
        queue_dispatch(tenant=tenant)
    return seat


def _withdraw_offers(*, tenant: Tenant, user) -> None:
    for chat in Chat.objects.for_tenant(tenant).filter(offered_to=user, status=ChatStatus.WAITING):
        offer_next(tenant=tenant, chat=chat)


# --- offers ---------------------------------------------------------------------------------


def _offer_frame(chat: Chat, seconds: int) -> dict:
    return {
        "type": "offer",
        "chat": chat.key,
        "id": chat.pk,
        "visitor": chat.visitor.name or chat.visitor.email,
        "department": realtime.department_names(chat),
        "expires_in": seconds,
    }


def _offer_locked(*, tenant: Tenant, chat: Chat) -> None:
    """Offer the (locked, waiting) chat to the least busy online agent with a free seat who
    has not been asked this round; after everyone was asked a new round begins."""
    settings = chat_settings_get(tenant=tenant)
    now = clock.now()
    previous = chat.offered_to_id
    free = _free_seats(tenant=tenant, settings=settings, exclude_chat=chat)
    untried = [(seat, busy) for seat, busy in free if seat.user_id not in chat.offered_ids]
    if not untried and free:
        # Everyone was asked: start over, though not with the one who just let it pass.
        chat.offered_ids = []
        untried = [(s, b) for s, b in free if s.user_id != previous] or free
    if not untried:
        chat.offered_to = None
        chat.offer_expires_at = None
    else:
        seat, _busy = min(
            untried,
            key=lambda pair: (
                pair[1],
                pair[0].last_offered_at.timestamp() if pair[0].last_offered_at else 0,
                pair[0].user_id,
            ),
        )
        chat.offered_to_id = seat.user_id
        chat.offer_expires_at = now + timedelta(seconds=settings.offer_seconds)
        chat.offer_round += 1
        chat.offered_ids = [*chat.offered_ids, seat.user_id]
        seat.last_offered_at = now
        seat.save(update_fields=["last_offered_at"])
        realtime.publish(
            realtime.agent_group(tenant.pk, seat.user_id),
            _offer_frame(chat, settings.offer_seconds),
        )
        from pishkhan.chat import tasks

        jobs.enqueue(
            tasks.chat_offer_expire,
            chat.pk,
            chat.offer_round,
            run_after=chat.offer_expires_at,
        )
    chat.save(update_fields=["offered_to", "offer_expires_at", "offer_round", "offered_ids"])
    if previous and previous != chat.offered_to_id:
        realtime.publish(
            realtime.agent_group(tenant.pk, previous), {"type": "offer_withdrawn", "chat": chat.key}
        )


@transaction.atomic
def offer_next(*, tenant: Tenant, chat: Chat) -> Chat:
    chat = locked(chat, tenant=tenant)
    if chat.status == ChatStatus.WAITING:
        _offer_locked(tenant=tenant, chat=chat)
    return chat


@transaction.atomic
def offer_expire(*, tenant: Tenant, chat_id: int, offer_round: int) -> None:
    """The offer numbered `offer_round` ran out: if it is still the current one, the chat goes
    to the next agent. A later offer or an accepted chat makes this a no-op."""
    chat = Chat.objects.for_tenant(tenant).filter(pk=chat_id).first()
    if chat is None:
        return
    chat = locked(chat, tenant=tenant)
    if (
        chat.status == ChatStatus.WAITING
        and chat.offer_round == offer_round
        and chat.offer_expires_at is not None
        and chat.offer_expires_at <= clock.now()
    ):
        _offer_locked(tenant=tenant, chat=chat)


def chat_offers_sweep(*, now=None) -> int:
    """Offers past their time (a lost job, a restart) and unoffered waiting chats of every
    tenant are offered again. Returns how many chats were looked at."""
    now = now or clock.now()
    stale = Chat.objects.filter(status=ChatStatus.WAITING, offer_expires_at__lte=now)
    unoffered = Chat.objects.filter(status=ChatStatus.WAITING, offered_to__isnull=True)
    count = 0
    for chat in (stale | unoffered).select_related("tenant").order_by("started_at"):
        offer_next(tenant=chat.tenant, chat=chat)
        count += 1
    return count


def queue_dispatch(*, tenant: Tenant) -> None:
    """Waiting chats nobody holds an offer for are offered, oldest first (someone came online
    or a seat was freed)."""
    for chat in (
        Chat.objects.for_tenant(tenant)
        .filter(status=ChatStatus.WAITING, offered_to__isnull=True)
        .order_by("started_at")[:50]
    ):
        offer_next(tenant=tenant, chat=chat)


# --- taking and passing on --------------------------------------------------------------------


def system_line(text, **values) -> dict[str, str]:
    """A system line (a lazy translation) in every language, each reader's screen showing
    theirs; a value given in every language (a department's names) is named in each. The
    stored text is the visitor's (`system_message_add`): the transcript both sides are sent is
    one text."""
    wording = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            wording[language] = str(text) % {
                key: value.get(language, "") if isinstance(value, dict) else value
                for key, value in values.items()
            }
    return wording


def _assign(*, tenant: Tenant, chat: Chat, user) -> None:
    realtime.publish(
        realtime.agent_group(tenant.pk, user.pk),
        {"type": "assigned", **realtime.chat_summary(chat)},
        join=[realtime.chat_group(chat), realtime.staff_group(chat)],
    )


def _unassign(*, tenant: Tenant, chat: Chat, user_id: int) -> None:
    realtime.publish(
        realtime.agent_group(tenant.pk, user_id),
        {"type": "unassigned", "chat": chat.key},
        leave=[realtime.chat_group(chat), realtime.staff_group(chat)],
    )


@transaction.atomic
def chat_accept(*, tenant: Tenant, chat: Chat, actor) -> Chat:
    """The agent takes a waiting chat (their offer, or one from the queue) if they have a free
    seat."""
    from pishkhan.chat.services.conversation import system_message_add

    require_writer(tenant=tenant, user=actor)
    chat = locked(chat, tenant=tenant)
    if chat.status != ChatStatus.WAITING:
        raise ChatError("taken", gettext_noop("This chat was already taken or has ended."))
    settings = chat_settings_get(tenant=tenant)
    seat = _seat_locked(tenant=tenant, user=actor)
    busy = Chat.objects.for_tenant(tenant).filter(agent=actor, status=ChatStatus.ACTIVE).count()
    if busy >= _capacity(seat, settings.default_capacity):
        raise ChatError("capacity", gettext_noop("You already hold as many chats as you can."))
    previous_offer = chat.offered_to_id
    now = clock.now()
    chat.status = ChatStatus.ACTIVE
    chat.agent = actor
    chat.accepted_at = chat.accepted_at or now
    chat.offered_to = None
    chat.offer_expires_at = None
    chat.offered_ids = []
    chat.save()
    system_message_add(
        tenant=tenant,
        chat=chat,
        wording=system_line(gettext_lazy("%(name)s joined the chat."), name=actor.display_name),
    )
    realtime.publish(realtime.chat_group(chat), realtime.status_frame(chat))
    _assign(tenant=tenant, chat=chat, user=actor)
    if previous_offer and previous_offer != actor.pk:
        realtime.publish(
            realtime.agent_group(tenant.pk, previous_offer),
            {"type": "offer_withdrawn", "chat": chat.key},
        )
    realtime.publish_live(chat)
    return chat


@transaction.atomic
def chat_decline(*, tenant: Tenant, chat: Chat, actor) -> Chat:
    chat = locked(chat, tenant=tenant)
    if chat.status == ChatStatus.WAITING and chat.offered_to_id == actor.pk:
        _offer_locked(tenant=tenant, chat=chat)
    return chat


def require_handler(*, tenant: Tenant, chat: Chat, actor) -> None:
    """The chat's own agent, or a supervisor."""
    require_writer(tenant=tenant, user=actor)
    if chat.agent_id != actor.pk and not is_supervisor(tenant=tenant, user=actor):
        raise ChatError("not_yours", gettext_noop("This chat is not yours."))


@transaction.atomic
def chat_transfer(*, tenant: Tenant, chat: Chat, actor, to_agent=None, to_department=None) -> Chat:
    """Hand a chat to another agent (theirs at once) or to a department (back to its queue,
    offered anew)."""
    from pishkhan.chat.services.conversation import system_message_add
    from pishkhan.tenancy.selectors import member_get

    chat = locked(chat, tenant=tenant)
    require_handler(tenant=tenant, chat=chat, actor=actor)
    if chat.status == ChatStatus.ENDED:
        raise ChatError("ended", gettext_noop("This chat has ended."))
    previous = chat.agent_id
    if to_agent is not None:
        member = member_get(tenant=tenant, user_id=getattr(to_agent, "pk", to_agent))
        if member is None or not member.can_write:
            raise ChatError("not_found", gettext_noop("No such agent in this workspace."))
        if member.user_id == previous:
            raise ChatError("same_agent", gettext_noop("The chat is already with this agent."))
        chat.agent = member.user
        chat.status = ChatStatus.ACTIVE
        chat.accepted_at = chat.accepted_at or clock.now()
        chat.offered_to = None
        chat.offer_expires_at = None
        chat.save()
        system_message_add(
            tenant=tenant,
            chat=chat,
            wording=system_line(
                gettext_lazy("The chat was passed to %(name)s."),
                name=member.user.display_name,
            ),
        )
        _assign(tenant=tenant, chat=chat, user=member.user)
    elif to_department is not None:
        department_id = getattr(to_department, "pk", to_department)
        department = (
            Department.objects.for_tenant(tenant).filter(pk=department_id, is_active=True).first()
            if isinstance(department_id, int)
            else None
        )
        if department is None:
            raise ChatError("not_found", gettext_noop("No such department in this workspace."))
        chat.department = department
        chat.status = ChatStatus.WAITING
        chat.agent = None
        chat.offered_to = None
        chat.offered_ids = [previous] if previous else []
        chat.save()
        system_message_add(
            tenant=tenant,
            chat=chat,
            wording=system_line(
                gettext_lazy("The chat was passed to %(department)s."),
                department={code: department.label(code) for code, _name in settings.LANGUAGES},
            ),
        )
        _offer_locked(tenant=tenant, chat=chat)
    else:
        raise ChatError("bad_request", gettext_noop("Name an agent or a department."))
    # The room hears where the chat went before its agent leaves the room: the page they
    # passed it from shows its new department, status and agent too.
    realtime.publish(realtime.chat_group(chat), realtime.status_frame(chat))
    if previous and previous != chat.agent_id:
        _unassign(tenant=tenant, chat=chat, user_id=previous)
    realtime.publish_live(chat)
    return chat
