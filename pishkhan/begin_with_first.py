"""A transaction's BEGIN sent to PostgreSQL with its first statement, not as a round trip of
its own.

Outside autocommit, psycopg opens a transaction by sending BEGIN and waiting for its answer
before it sends the statement the transaction begins with: one round trip that carries no
work, on every transaction (a submitted ticket, a reply, an agent's action). Run inside a
pipeline (psycopg's pipeline mode), the same statement goes with its BEGIN in one message, and
the two answers are read together. What PostgreSQL does is unchanged. An error in either is
raised as Django's error, as ever, and the transaction is rolled back as ever.

Installed on every PostgreSQL connection Django opens (`install`, from the ops app's ready).
A statement already inside a pipeline (deferred_writes), on a named cursor (which psycopg
declares outside any pipeline) or holding several commands is sent as it would have been.
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from psycopg import ServerCursor, pq

from pishkhan import deferred_writes


def _with_begin(execute, sql, params, many, context):
    connection = context["connection"]
    raw = connection.connection
    if (
        raw is None
        or raw.autocommit
        or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE
        or raw.pgconn.pipeline_status != pq.PipelineStatus.OFF
        or isinstance(context["cursor"].cursor, ServerCursor)
        # Several commands in one text (the schema editor's "ALTER …; SET CONSTRAINTS …") go
        # only by the simple protocol, which a pipeline does not speak. The text is seen here
        # before any value is bound into it, so a value's ";" does not count.
        or ";" in sql
    ):
        return execute(sql, params, many, context)
    # The caller's cursor reads its results once the pipeline has received them.
    with deferred_writes.pipeline(connection):
        return execute(sql, params, many, context)


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and _with_begin not in connection.execute_wrappers:
        # Outermost: a wrapper added later (a test's recorder) sees the statement as before.
        connection.execute_wrappers.insert(0, _with_begin)


def install() -> None:
    connection_created.connect(_on_connection, dispatch_uid="pishkhan-begin-with-first")
