"""A customer was added or their details changed, told to the apps that keep something of them
(the search index) inside the transaction of the change.

Explicit calls from the customer services, like `tickets.events`, rather than model signals: a
reader of `customer_create` sees that something listens, and nothing fires on saves that change
nothing a listener keeps (an address marked as bouncing). Listeners must not do I/O."""

from collections.abc import Callable

# listener(customer, found_by=...): `found_by` when what finds the customer's tickets (name,
# email, phone) changed on a customer who may have some.
Listener = Callable[..., None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Called once per listener from its app's `ready()`."""
    if listener not in _listeners:
        _listeners.append(listener)


def customer_changed(customer, *, found_by: bool = False) -> None:
    for listener in _listeners:
        listener(customer, found_by=found_by)
