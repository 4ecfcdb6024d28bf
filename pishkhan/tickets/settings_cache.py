"""What every request on the intake path reads of its tenant's settings (support rules, service
levels), kept in the process between requests.

A kept copy is used only while the tenant's *stamp* in the shared cache (Redis) is the one it
was read under. Every write of those settings gives the stamp a new value once it has
committed — from the models' save and delete signals, so a write anywhere (a service, the
admin, a script) counts, and by `settings_changed()` from the few writes signals do not see
(bulk creation, queryset updates). So another process, or this one, never uses a copy older
than a committed change; it reads again on its next request.

Inside a transaction that has itself changed settings the copies are not used (that
transaction must see its own writes, which other processes must not see until they commit),
and nothing read there is kept.

Within one request (or one mail taken in) the stamps are read once: the request works with
the settings as they were when it began, as if it had read them all at its start — three
Redis round trips on a ticket's creation became one. A change this request itself commits
forgets them, so what it does next sees its own change.

With a cache each process keeps to itself (LocMemCache, the embedded default) a change made
in another process — the web server's while the worker or the mail receiver reads — would go
unseen, so there every request reads the database as before.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

# Process-local backends: a stamp there is not seen by the other processes.
LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# The models whose rows make up the settings read here. HolidayOverride has no tenant: the
# operator's holidays are every tenant's, under the global stamp.
WATCHED = (
    "policies.RuleSettings",
    "policies.DepartmentRules",
    "sla.SlaPolicy",
    "sla.SlaTarget",
    "sla.DepartmentPolicy",
    "sla.BusinessCalendar",
    "sla.CalendarDay",
    "sla.HolidayOverride",
    # Read by the chat sockets on every visitor's start (routing, business hours).
    "chat.ChatSettings",
    "tickets.Department",
)
GLOBAL = "global"

# (part, tenant id) -> (stamp, value), the most recently used last; at most KEPT_MAX.
_kept: OrderedDict[tuple[str, int], tuple[str, Any]] = OrderedDict()
KEPT_MAX = 4096
_lock = threading.Lock()
# Tests switch the cache on over a process-local backend (one process sees every change).
force_enabled: bool | None = None


def enabled() -> bool:
    if force_enabled is not None:
        return force_enabled
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_BACKENDS


# Stamps read in the current request or mail, by tenant id; None outside one.
_read_now: ContextVar[dict | None] = ContextVar("settings_stamps_read", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Read each tenant's stamp at most once inside the block (a request, a mail)."""
    token = _read_now.set({})
    try:
        yield
    finally:
        _read_now.reset(token)


class OneReadingPerRequest:
    """Middleware: each request reads its tenant's stamps once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_reading():
            return self.get_response(request)


def _key(tenant_id) -> str:
    return f"settings-stamp:{tenant_id}"


def _stamps(tenant_id: int) -> str:
    """The stamp the tenant's settings are read under now: its own and the global one."""
    read = _read_now.get()
    if read is not None and tenant_id in read:
        return read[tenant_id]
    stamp = _stamps_now(tenant_id)
    if read is not None:
        read[tenant_id] = stamp
    return stamp


def _stamps_now(tenant_id: int) -> str:
    keys = [_key(tenant_id), _key(GLOBAL)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        # Never set, or evicted: a new value, so no copy kept under an older one is used.
        cache.add(key, uuid.uuid4().hex, timeout=None)
    if missing:
        found = cache.get_many(keys)
    return f"{found.get(keys[0], '')}/{found.get(keys[1], '')}"


class _Renew:
    """Renews a stamp once the transaction that changed its settings commits. While one waits
    in the connection's on-commit list, this transaction has changed settings; a rollback (of
    the transaction, or of the savepoint the change was made in) takes it off the list."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)
        read = _read_now.get()
        if read is not None:
            read.clear()


def _dirty(using: str = DEFAULT_DB_ALIAS) -> bool:
    return any(isinstance(entry[1], _Renew) for entry in connections[using].run_on_commit)


def cached(part: str, tenant_id: int, load: Callable[[], T]) -> T:
    """`load()`, or the copy of it kept under the tenant's current stamp."""
    if not enabled() or _dirty():
        return load()
    stamp = _stamps(tenant_id)
    kept = _kept.get((part, tenant_id))
    if kept is not None and kept[0] == stamp:
        with _lock:
            if (part, tenant_id) in _kept:
                _kept.move_to_end((part, tenant_id))
        return kept[1]
    value = load()
    with _lock:
        _kept[(part, tenant_id)] = (stamp, value)
        _kept.move_to_end((part, tenant_id))
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)
    return value


def settings_changed(tenant_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """A write of the tenant's settings (None: of every tenant's) in the current transaction;
    copies are renewed once it commits."""
    key = _key(GLOBAL if tenant_id is None else tenant_id)
    transaction.on_commit(_Renew(key), using=using)


def forget() -> None:
    """Drop every kept copy (tests)."""
    with _lock:
        _kept.clear()


def _on_write(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    settings_changed(getattr(instance, "tenant_id", None), using=using)


for _model in WATCHED:
    post_save.connect(_on_write, sender=_model, dispatch_uid=f"settings-cache-save-{_model}")
    post_delete.connect(_on_write, sender=_model, dispatch_uid=f"settings-cache-delete-{_model}")
