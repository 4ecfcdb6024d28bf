"""Which address our mail comes from and answers go to.

The outbox sits below the inbound mail app, so that app registers a resolver at start-up
(`register_reply_address`) instead of the outbox importing it: fn(tenant_id, ticket_id) returns
the mailbox a customer's reply should reach, or None to leave the choice to the next resolver
and finally to settings.DEFAULT_FROM_EMAIL."""

from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings

from pishkhan.tenancy.models import Tenant

Resolver = Callable[[int, int | None], str | None]

_resolvers: list[Resolver] = []


def register_reply_address(fn: Resolver) -> Resolver:
    """Register a resolver (usable as a decorator). Registering the same one twice is a no-op,
    so an app's ready() may run more than once."""
    if fn not in _resolvers:
        _resolvers.append(fn)
    return fn


def unregister_reply_address(fn: Resolver) -> None:
    if fn in _resolvers:
        _resolvers.remove(fn)


def default_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def reply_address(tenant: Tenant, ticket_id: int | None) -> str:
    """The latest registered resolver that knows an address wins."""
    for fn in reversed(_resolvers):
        address = fn(tenant.pk, ticket_id)
        if address:
            return address
    return default_address()
