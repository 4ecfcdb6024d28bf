"""What happened to a ticket, told to the apps built on tickets (service levels today; policies,
chat and reports later) inside the transaction of the change.

Why not Django signals: these are few, typed and called explicitly by the ticket services, so a
reader of `ticket_submit` sees that something listens, and a listener's writes commit or roll
back with the change itself (DESIGN.md "One intake path": the ticket and its SLA clocks are
created in one transaction). Listeners must not do I/O themselves; they enqueue jobs on commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# data: {"message": <the request's first Message>}
SUBMITTED = "submitted"
# A reply or an internal note was added to an existing ticket (search indexes it);
# data: {"message": <Message>}.
MESSAGE_ADDED = "message_added"
# The first public reply by staff on a ticket (what a first-response target waits for).
STAFF_REPLIED = "staff_replied"
# data: {"old": <status>, "new": <status>}
STATUS_CHANGED = "status_changed"
# Priority, severity or department changed; data lists the changed names.
RECLASSIFIED = "reclassified"
# The request's information (its department's field values) changed: filled in by staff or
# by the customer's reply, or kept through a move (search indexes it again).
FIELDS_CHANGED = "fields_changed"
# An agent marked a workaround in place (S-2 "restore").
RESTORED = "restored"
# An agent found the fault is not a software fault (S-5); data: {"minutes": int | None}.
NOT_A_FAULT = "not_a_fault"
# A mailed or phoned request lacked required fields and the customer was asked for them (T-6);
# data: {"fields": [keys]}.
INFO_REQUESTED = "info_requested"
# An agent marked the ticket outside the support's scope (T-9): no SLA obligation remains.
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class TicketEvent:
    kind: str
    tenant: Any
    ticket: Any
    now: datetime
    actor: Any = None
    data: dict = field(default_factory=dict)


Listener = Callable[[TicketEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Called once per listener from its app's `ready()`."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(event: TicketEvent) -> None:
    for listener in _listeners:
        listener(event)
