"""What every request reads of its tenant — the tenant itself, the API token it brings, the
tenant's settings (support rules, service levels) — kept in the process between requests.

A kept copy is used only while the tenant's *stamp* in the shared cache (Redis) is the one it
was read under. Every write of what is kept here gives the stamp a new value once it has
committed — from the models' save and delete signals, so a write anywhere (a service, the
admin, a script) counts; from `RenewingQuerySet` (updates, bulk writes) for the rows a
request is let in by (tenant, host, token, user, seat); and by `settings_changed()` from the
few other writes signals do not see (bulk creation, a settings queryset's update). So another
process, or this one, never uses a copy older than a committed change; it reads again on its
next request. A revoked token, a removed seat or a switched-off tenant counts from the very
next request, as when every request read them. What a stamp cannot cover — SQL written by
hand past the ORM, a renewal lost because Redis was unreachable the moment the change
committed — counts within KEPT_SECONDS, the most a copy is kept; while Redis cannot be read,
nothing is kept or used.

Inside a transaction that has itself changed settings the copies are not used (that
transaction must see its own writes, which other processes must not see until they commit),
and nothing read there is kept.

Within one request (or one mail taken in) the stamps are read once: the request works with
what was kept as it was when it began, as if it had read it all at its start — the tenant,
its token and its settings cost one Redis round trip together. A change this request itself
commits forgets them, so what it does next sees its own change.

With a cache each process keeps to itself (LocMemCache, the embedded default) a change made
in another process — the web server's while the worker or the mail receiver reads — would go
unseen, so there every request reads the database as before.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from pishkhan.core import clock

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Process-local backends: a stamp there is not seen by the other processes.
LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# The models whose rows make up what is kept here, each written under its tenant's stamp: the
# row's `tenant_id`, or the one its queryset's `tenant_path` leads to (RenewingQuerySet).
# HolidayOverride has no tenant: the operator's holidays are every tenant's, under the global
# stamp.
WATCHED = (
    # What a request is let in by (tenancy.selectors): where the tenant is found, its token,
    # the token's user and that user's seat.
    "tenancy.Tenant",
    "tenancy.Domain",
    "tenancy.ApiToken",
    "tenancy.Membership",
    settings.AUTH_USER_MODEL,
    "policies.RuleSettings",
    "policies.DepartmentRules",
    # Whether the tenant has an unpaid fine at all (the suspension rule, T-12).
    "policies.Fine",
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

# (part, tenant id, key) -> (stamp, when kept, value), the most recently used last; at most
# KEPT_MAX.
_kept: OrderedDict[tuple[str, int, Any], tuple[str, Any, Any]] = OrderedDict()
# (part, key) -> the tenant id what the key found last belonged to (`cached_found`).
_pointers: OrderedDict[tuple[str, Any], int] = OrderedDict()
KEPT_MAX = 4096
# A kept copy is read again after this long even under the same stamp: the bound on what a
# renewal lost on the way (Redis unreachable the moment a change committed) can cost.
KEPT_SECONDS = 60
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


def _stamps(tenant_id: int) -> str | None:
    """The stamp the tenant's settings are read under now: its own and the global one. None
    while the shared cache cannot be reached: then nothing is kept or used, and every request
    reads the database as without a cache."""
    read = _read_now.get()
    if read is not None and tenant_id in read:
        return read[tenant_id]
    stamp = _stamps_now(tenant_id)
    if read is not None:
        read[tenant_id] = stamp
    return stamp


def _stamps_now(tenant_id: int) -> str | None:
    keys = [_key(tenant_id), _key(GLOBAL)]
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        for key in missing:
            # Never set, or evicted: a new value, so no copy kept under an older one is used.
            cache.add(key, uuid.uuid4().hex, timeout=None)
        if missing:
            found = cache.get_many(keys)
    except Exception:  # the cache's client raises its own errors (redis.ConnectionError, …)
        logger.warning("settings stamps unreadable; reading from the database", exc_info=True)
        return None
    return f"{found.get(keys[0], '')}/{found.get(keys[1], '')}"


class _Renew:
    """Renews a stamp once the transaction that changed its settings commits. While one waits
    in the connection's on-commit list, this transaction has changed settings; a rollback (of
    the transaction, or of the savepoint the change was made in) takes it off the list."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self) -> None:
        read = _read_now.get()
        if read is not None:
            read.clear()
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:
            # The change has committed and stands; only its renewal is lost, and copies kept
            # before it live at most KEPT_SECONDS more. Logged, not raised: the caller's write
            # succeeded, and the other renewals waiting on the same commit must still run.
            logger.error("settings stamp %s not renewed", self.key, exc_info=True)


def _dirty(using: str = DEFAULT_DB_ALIAS) -> bool:
    return any(isinstance(entry[1], _Renew) for entry in connections[using].run_on_commit)


def cached(part: str, tenant_id: int, load: Callable[[], T], *, key: Any = None) -> T:
    """`load()`, or the copy of it kept under the tenant's current stamp (one per `key`).
    None is not kept: what was not found is looked for again (a flood of unknown keys — made
    up tokens, say — does not push out what is found)."""
    if not enabled() or _dirty():
        return load()
    stamp = _stamps(tenant_id)
    if stamp is None:
        return load()
    kept = _kept_get((part, tenant_id, key), stamp)
    if kept is not None:
        return kept
    value = load()
    if value is not None:
        _keep((part, tenant_id, key), stamp, value)
    return value


def cached_found(
    part: str, key: Any, load: Callable[[], T | None], tenant_of: Callable[[T], int]
) -> T | None:
    """What `load()` finds by `key` that is not a tenant's id (a slug, a host name), or the
    copy kept under the stamp of the tenant it belongs to. Which tenant that is shows only
    once it is found, and the stamp must be read *before* the reading it covers (a change
    committed between the two would otherwise be kept as unchanged): so the first finding
    only notes the tenant, and the next request keeps what it reads. Nothing is kept for a
    key that finds nothing: a tenant created next must be found at once."""
    if not enabled() or _dirty():
        return load()
    tenant_id = _pointers.get((part, key))
    stamp = None
    if tenant_id is not None:
        stamp = _stamps(tenant_id)
        kept = _kept_get((part, tenant_id, key), stamp)
        if kept is not None:
            return kept
    value = load()
    found = None if value is None else tenant_of(value)
    with _lock:
        if found is None:
            _pointers.pop((part, key), None)
        else:
            _pointers[(part, key)] = found
            _pointers.move_to_end((part, key))
            while len(_pointers) > KEPT_MAX:
                _pointers.popitem(last=False)
    if found is not None and found == tenant_id and stamp is not None:
        _keep((part, found, key), stamp, value)
    return value


def _kept_get(entry: tuple, stamp: str | None) -> Any:
    """The value kept for `entry` under `stamp` and not older than KEPT_SECONDS, or None."""
    kept = _kept.get(entry)
    if kept is None or stamp is None or kept[0] != stamp:
        return None
    if (clock.now() - kept[1]).total_seconds() > KEPT_SECONDS:
        return None
    with _lock:
        if entry in _kept:
            _kept.move_to_end(entry)
    return kept[2]


def _keep(entry: tuple, stamp: str, value: Any) -> None:
    with _lock:
        _kept[entry] = (stamp, clock.now(), value)
        _kept.move_to_end(entry)
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)


def settings_changed(tenant_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """A write of the tenant's settings (None: of every tenant's) in the current transaction;
    copies are renewed once it commits."""
    key = _key(GLOBAL if tenant_id is None else tenant_id)
    transaction.on_commit(_Renew(key), using=using, robust=True)


class RenewingQuerySet(models.QuerySet):
    """The queryset of a watched model whose writes bypass the signals: `update()`,
    `bulk_create()` and `bulk_update()` renew the stamps of the tenants whose rows they change
    themselves, once they have committed — after the rows are written, never before (a
    request in between would keep the old rows under the new stamp). Deletion needs nothing:
    with a signal receiver connected, Django deletes row by row and signals each."""

    # How a row reaches its tenant's id, as a `values_list` path.
    tenant_path = "tenant_id"
    # Fields whose change alters nothing kept (a token's last use).
    unwatched_fields: frozenset[str] = frozenset()

    def update(self, **kwargs):
        if set(kwargs) <= self.unwatched_fields:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            # The rows and their tenants before, locked: the update may take them out of the
            # filter (is_active=False) or move them to another tenant (a host given to
            # another). Only these rows are updated, so a row committed meanwhile is not
            # changed unseen.
            locked = self.select_for_update(of=("self",))
            before = list(locked.values_list("pk", self.tenant_path))
            pks = {pk for pk, _tenant_id in before}
            only_these = self.model._default_manager.using(self.db).filter(pk__in=pks)
            count = models.QuerySet.update(only_these, **kwargs)
            self._renew({tenant_id for _pk, tenant_id in before} | self._tenants(pks))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if kwargs.get("update_conflicts"):
                # An upsert may have changed rows of any tenant (a host taken from another).
                settings_changed(None, using=self.db)
            else:
                self._renew({tenant_id for obj in created for tenant_id in _own_tenants(obj)})
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) <= self.unwatched_fields:
            return super().bulk_update(objs, fields, *args, **kwargs)
        pks = {obj.pk for obj in objs}
        with transaction.atomic(using=self.db):
            before = self._tenants(pks)
            count = super().bulk_update(objs, fields, *args, **kwargs)
            self._renew(before | self._tenants(pks))
        return count

    def _tenants(self, pks) -> set:
        return _tenants_in_db(self.model, pks, using=self.db)

    def _renew(self, tenant_ids) -> None:
        for tenant_id in tenant_ids - {None}:
            settings_changed(tenant_id, using=self.db)


def forget() -> None:
    """Drop every kept copy (tests)."""
    with _lock:
        _kept.clear()
        _pointers.clear()


def _path(model) -> str:
    """How a watched model's row reaches its tenant's id (RenewingQuerySet.tenant_path)."""
    return getattr(model._default_manager.all(), "tenant_path", "tenant_id")


def _own_tenants(instance) -> list[int | None]:
    """The tenant a row names itself (None: the global stamp, for a row of every tenant, the
    operator's holidays); nothing for one reached through other rows (a user, through seats)."""
    path = _path(type(instance))
    if path == "pk":
        return [instance.pk]
    if path == "tenant_id":
        return [getattr(instance, "tenant_id", None)]
    return []


def _tenants_in_db(model, pks, *, using: str) -> set[int]:
    """The tenants rows of `model` belong to as the database holds them now."""
    if not pks:
        return set()
    rows = model._default_manager.using(using).filter(pk__in=pks)
    return set(rows.values_list(_path(model), flat=True)) - {None}


def _unwatched(instance, update_fields) -> bool:
    unwatched = getattr(type(instance)._default_manager.all(), "unwatched_fields", frozenset())
    return bool(update_fields) and set(update_fields) <= unwatched


def _before_write(sender, instance, using=DEFAULT_DB_ALIAS, update_fields=None, **kwargs) -> None:
    """Note whose row it is before a save or a deletion, as the database holds it (the
    instance may be older: a host given to another tenant since it was loaded). A row given to
    another tenant changes what both tenants keep. Renewed after the write, never before."""
    if instance._state.adding or _unwatched(instance, update_fields):
        return
    if _path(sender) == "tenant_id" and hasattr(instance, "tenant_id"):
        # (A tenant is its own; a user reaches tenants through seats, each saved apart.)
        instance._process_cache_tenants = _tenants_in_db(sender, {instance.pk}, using=using)


def _on_write(sender, instance, using=DEFAULT_DB_ALIAS, update_fields=None, **kwargs) -> None:
    if _unwatched(instance, update_fields):
        return  # a login's time, say: nothing kept changes
    tenants = [*instance.__dict__.pop("_process_cache_tenants", ()), *_own_tenants(instance)]
    if _path(sender) not in ("pk", "tenant_id") and not kwargs.get("created"):
        # Reached through other rows, which a new row has none of yet. A deleted user's seats
        # went first, each renewing its own tenant's stamp.
        tenants += _tenants_in_db(sender, {instance.pk}, using=using)
    for tenant_id in dict.fromkeys(tenants):
        settings_changed(tenant_id, using=using)


for _model in WATCHED:
    pre_save.connect(_before_write, sender=_model, dispatch_uid=f"settings-cache-pre-{_model}")
    pre_delete.connect(
        _before_write, sender=_model, dispatch_uid=f"settings-cache-pre-delete-{_model}"
    )
    post_save.connect(_on_write, sender=_model, dispatch_uid=f"settings-cache-save-{_model}")
    post_delete.connect(_on_write, sender=_model, dispatch_uid=f"settings-cache-delete-{_model}")
