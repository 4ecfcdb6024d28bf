"""A customer was added or their details changed, told to the apps that keep something of them
(the search index) inside the transaction of the change.

Explicit calls from the customer services, like `tickets.events`, rather than model signals: a
reader of `customer_create` sees that something listens, and nothing fires on saves that change
nothing a listener keeps (an address marked as bouncing). Listeners must not do I/O."""

from collections.abc import Callable
from typing import Any

Listener = Callable[[Any], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Called once per listener from its app's `ready()`."""
    if listener not in _listeners:
        _listeners.append(listener)


def customer_changed(customer) -> None:
    for listener in _listeners:
        listener(customer)
