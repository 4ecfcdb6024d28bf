"""Names for the few statements written as SQL (the ORM cannot say UPDATE … RETURNING, or an
UPDATE feeding an INSERT): a model's table and its fields' columns, quoted for the database in
use, so that such a statement follows the models as the ORM's do."""

from collections.abc import Callable

from django.db import connection


def table_and_columns(model) -> tuple[str, Callable[[str], str]]:
    """The model's quoted table name, and a function from a field name to its quoted column."""
    quote = connection.ops.quote_name
    meta = model._meta
    return quote(meta.db_table), lambda name: quote(meta.get_field(name).column)
