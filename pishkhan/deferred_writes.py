"""A transaction's new rows sent to PostgreSQL together, not one round trip each.

A submitted ticket writes six or seven rows (ticket, message, audit entry, SLA clocks, jobs)
that nothing reads before the transaction's next statement. Each INSERT was a round trip: for
PostgreSQL a wake-up and a reply; for the web process a send, a wait and a read. Inside
`deferred()`, `compiled_inserts.insert()` keeps its statement instead of sending it, with the
rows' primary keys taken ahead from the table's sequence (so the caller has them at once), and
the kept statements travel in front of the next statement the connection sends, in the order
they were made, in one pipeline (psycopg's pipeline mode: the statements are sent together and
their results read together, one round trip). What the database does is unchanged: the same
statements, in the same order, in the same transaction. What changes is when an error in a
kept INSERT is raised: with the statement that carried it, or at the end of the block — never
lost, and the transaction is rolled back as before. Each statement is still logged on its own.

Primary keys taken ahead come from the same sequences, a block at a time per process: unique
as ever, ascending within a process but not across processes (nothing orders by id alone: lists
order by a time, the id only breaking ties). Keys a process holds are not free in a database
restored to an earlier moment: processes restart after a restore (docs/deploy.md, Backups).

Only on PostgreSQL; elsewhere `deferred()` does nothing and every insert is sent at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, models
from psycopg import ServerCursor

from pishkhan import prepared
from pishkhan.sql_names import table_and_columns

# Keys taken from a sequence per refill: one extra round trip per this many rows of a table.
KEY_BLOCK = 64

_state = threading.local()  # .kept: the open block's statements, or None outside one
_keys: dict[type[models.Model], deque[int]] = {}
_keys_lock = threading.Lock()


@contextmanager
def deferred(using: str = "default") -> Iterator[None]:
    """Keep the block's inserts and send them with the next statement, or at its end. Open it
    inside the `transaction.atomic` block the rows belong to. Nested blocks join the outer."""
    connection = connections[using]
    if connection.vendor != "postgresql" or getattr(_state, "kept", None) is not None:
        yield
        return
    _state.kept = []
    try:
        with connection.execute_wrapper(_send_kept_first):
            yield
            kept, _state.kept = _state.kept, None
            if kept:
                _send(connection, kept)
    finally:
        # After an error the kept rows go with the transaction, which is rolled back.
        _state.kept = None


def keeping(connection) -> bool:
    """Whether writes on `connection` are kept now (inside `deferred()`, on PostgreSQL)."""
    return getattr(_state, "kept", None) is not None and connection.alias == "default"


def keep(sql: str, params: list, *, row=None) -> None:
    """Keep a write for the next statement. Call only while `keeping()`; look the list up
    anew each time: any statement sent meanwhile (a refill of keys) took the earlier one.
    `row` names the one row the write inserts, for `take_back()`."""
    _state.kept.append((sql, list(params), row))


def take_back(row) -> tuple[str, list] | None:
    """The kept write of `row` — (statement, values) — withdrawn, for the caller to send in a
    form of its own; None once it has been sent (or outside a block)."""
    kept = getattr(_state, "kept", None) or ()
    for index, (sql, params, named) in enumerate(kept):
        if named == row:
            del kept[index]
            return sql, params
    return None


def execute_or_keep(connection, sql: str, params: list) -> None:
    """Run a write whose result nobody reads, or keep it with the open block's inserts."""
    if keeping(connection):
        keep(sql, params)
        return
    with prepared.cursor(connection) as cursor:
        cursor.execute(sql, params)


def keys(model: type[models.Model], count: int, connection) -> list[int]:
    """`count` new primary keys of `model` (an auto-increment key), from its sequence."""
    while True:
        with _keys_lock:
            pool = _keys.setdefault(model, deque())
            if len(pool) >= count:
                return [pool.popleft() for _ in range(count)]
        # Refilled outside the lock (a round trip); another thread may take some meanwhile,
        # so look again. Each refill brings at least `count`.
        with prepared.cursor(connection) as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                # The table as quoted in SQL, the column bare: how the function takes them.
                [table_and_columns(model)[0], model._meta.pk.column, max(count, KEY_BLOCK)],
            )
            fresh = [row[0] for row in cursor.fetchall()]
        with _keys_lock:
            pool.extend(fresh)


def takes_keys_ahead(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.fields.AutoFieldMixin)


@contextmanager
def pipeline(connection) -> Iterator[None]:
    """Statements run inside are sent together and their results read at the end, when an
    error among them is raised (as Django's error, like any statement's)."""
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _send(connection, kept: list[tuple[str, list, object]], carrier=None):
    """Send the kept statements, then `carrier()` (the statement that carries them), in one
    pipeline; return what `carrier()` returns. Through a Django cursor, so that each statement
    is logged and wrapped as any other; closed only once the pipeline has read its results."""
    cursor = prepared.cursor(connection)
    try:
        with pipeline(connection):
            for sql, params, _row in kept:
                cursor.execute(sql, params)
            # The carrier runs on its caller's own cursor, which reads its result afterwards.
            return carrier() if carrier is not None else None
    finally:
        cursor.close()


def _send_kept_first(execute, sql, params, many, context):
    """The connection's execute wrapper: the kept statements go first, in the same message."""
    kept = getattr(_state, "kept", None)
    if not kept:
        return execute(sql, params, many, context)
    _state.kept = []
    if isinstance(context["cursor"].cursor, ServerCursor):
        # A named cursor (QuerySet.iterator()) declares itself outside any pipeline.
        _send(context["connection"], kept)
        return execute(sql, params, many, context)
    return _send(context["connection"], kept, lambda: execute(sql, params, many, context))
