"""Statements kept prepared on PostgreSQL: parsed and planned once per pooled connection.

Django writes a statement's values into its text (client-side binding), so PostgreSQL parses
and plans every statement anew. For the hot path's statements whose plan is the same whatever
their values — look-ups by a key (compiled_reads), inserts (compiled_inserts, deferred_writes),
the ticket numbering — planning was most of the database's work. They go through `cursor()`:
a cursor that sends the values apart from the text (server-side binding), so psycopg prepares
each statement on a connection's first use of it, and PostgreSQL runs it with one generic plan
from then on. On the ticket intake that took the database's CPU per ticket from 2.2 to 1.3 ms.

Every other statement is still planned for its own values. The queue's and the search's reads
have a best plan that depends on the tenant's size; a generic plan is made for an average
tenant, and at the 200,000-ticket tenant it doubled the queue page's median (measured with
every statement prepared: BENCHMARKS.md).

`DB_PREPARED_STATEMENTS=off` (settings) sends these statements as all others, for a pooler in
front of PostgreSQL that cannot keep prepared statements.
"""

from __future__ import annotations

from django.conf import settings


def cursor(connection):
    """A cursor of `connection` (a Django connection) whose statements are kept prepared; on
    another database, or with prepared statements off, the connection's usual cursor. Only
    for statements whose best plan does not depend on their values."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    # Django makes its cursors from the driver connection's factory: this one cursor is made
    # from the server-side binding one, the rest as ever. (The connection is this thread's.)
    usual, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
    try:
        return connection.cursor()
    finally:
        raw.cursor_factory = usual
