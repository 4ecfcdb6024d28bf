"""Counters kept in a row and taken one at a time: the next ticket number of a tenant, the next
line number of a chat."""

from django.db import connection

from pishkhan import prepared
from pishkhan.sql_names import table_and_columns


def increment_returning(
    model,
    field: str,
    *,
    where: dict,
    returning: tuple[str, ...] = (),
    also: tuple[str, list] | None = None,
):
    """Add one to `field` of the row `where` names and return (field, *returning) as they are
    after, in one statement: UPDATE … RETURNING, which PostgreSQL and SQLite ≥ 3.35 both have
    and the ORM's update() cannot express. The UPDATE locks the row until commit, so concurrent
    callers queue and each sees the one before. None when no row matches.

    `also` is one more SQL expression with its parameters, returned last: a check the caller
    would otherwise make in a statement of its own."""
    table, column = table_and_columns(model)
    counted = column(field)
    conditions = " AND ".join(f"{column(name)} = %s" for name in where)
    returned = ", ".join(column(name) for name in (field, *returning))
    params = list(where.values())
    if also is not None:
        returned = f"{returned}, {also[0]}"
        params.extend(also[1])
    with prepared.cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET {counted} = {counted} + 1 "  # noqa: S608
            f"WHERE {conditions} RETURNING {returned}",
            params,
        )
        return cursor.fetchone()
