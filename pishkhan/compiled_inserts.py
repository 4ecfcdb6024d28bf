"""Inserts on the hot path, their statement text made once per process.

`Model.objects.create()` and `bulk_create()` walk the model's fields through Django's insert
compiler and rebuild the statement's text on every call; for the eight or so rows a submitted
ticket writes (ticket, message, audit entries, SLA clocks, jobs, thread ids, the mail's log
row) that was a tenth of the work of taking a mailed request. `insert()` writes instances as
`bulk_create` does — each field's `pre_save` and database preparation, the new primary keys
set on the instances — with the text kept per model and row count.

A model with its own `save()` or with save signals is written through `save()`, as before:
this only skips work, never behaviour. So does a database that cannot return the keys of a
multi-row insert.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save

from pishkhan import deferred_writes, prepared
from pishkhan.sql_names import table_and_columns


def insert(
    objs: Sequence[models.Model], *, ignore_conflicts: bool = False, signals: bool = True
) -> None:
    """Insert the instances (all of one model) in one statement. With `ignore_conflicts`, a
    row that meets a unique constraint is skipped and its instance gets no primary key. With
    `signals=False` the rows are written as `bulk_create` writes them, without save signals
    even where the model has receivers."""
    if not objs:
        return
    model = type(objs[0])
    using = router.db_for_write(model)
    connection = connections[using]
    if not _plain(model, signals) or not connection.features.can_return_rows_from_bulk_insert:
        if ignore_conflicts or not signals:
            model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        else:
            for obj in objs:
                obj.save(force_insert=True, using=using)
        return
    keep = not ignore_conflicts and deferred_writes.keeping(connection)
    if keep and objs[0].pk is None:
        if deferred_writes.takes_keys_ahead(model):
            for obj, key in zip(
                objs, deferred_writes.keys(model, len(objs), connection), strict=True
            ):
                obj.pk = key
        else:
            keep = False  # a key only the INSERT can tell: sent now
    with_pk = objs[0].pk is not None
    fields = _fields(model, with_pk)
    as_is = _as_is(model, with_pk, connection)
    params: list = []
    for obj in objs:
        # As bulk_create: a related instance saved after it was assigned lends its key now.
        obj._prepare_related_fields_for_save(operation_name="insert")
        params += _values(obj, fields, as_is, connection)
    returning = not with_pk and not ignore_conflicts
    sql = _sql(model, connection.vendor, len(objs), with_pk, ignore_conflicts)
    if keep:
        # Sent with the transaction's next statement (deferred_writes), and logged then.
        row = (model, objs[0].pk) if len(objs) == 1 else None
        deferred_writes.keep(sql, params, row=row)
    else:
        with prepared.cursor(connection) as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall() if returning else ()
        for obj, key in zip(objs, keys, strict=False):
            obj.pk = key[0]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def _values(obj, fields, as_is, connection) -> list:
    """The instance's row as the statement's values: what each field's pre_save and database
    preparation make of it, as bulk_create writes it."""
    values = []
    for field, (attname, kinds, typed) in zip(fields, as_is, strict=True):
        if kinds:
            value = getattr(obj, attname)
            if type(value) in kinds and (type(value) is not datetime or value.tzinfo):
                values.append(value if typed is None or value is None else typed(value))
                continue
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{type(obj).__name__}.{field.name}: an expression is not a value")
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


@functools.cache
def _plain(model, signals: bool) -> bool:
    """Whether writing the row is all that saving the instance does. (Receivers connected
    later than the first insert of the model would be missed: ours connect at start-up.)"""
    if model.save is not models.Model.save:
        return False
    return not signals or not (pre_save.has_listeners(model) or post_save.has_listeners(model))


@functools.cache
def _fields(model, with_pk: bool) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if with_pk or not field.primary_key)


# Fields whose saving is reading the attribute (no pre_save of their own) and whose database
# value is the Python value itself, for values of the types named: Django's preparation of
# them (several calls per field, ~130 fields on a submitted ticket's rows) gives back what it
# was given. Exact classes: a subclass may prepare its values otherwise.
_TEXT = frozenset({str, type(None)})
_INTEGER = frozenset({int, type(None)})
_AS_IS_EVERYWHERE = {
    models.CharField: _TEXT,
    models.TextField: _TEXT,
    models.EmailField: _TEXT,
    models.SlugField: _TEXT,
    models.IntegerField: _INTEGER,
    models.BigIntegerField: _INTEGER,
    models.SmallIntegerField: _INTEGER,
    models.PositiveIntegerField: _INTEGER,
    models.PositiveBigIntegerField: _INTEGER,
    models.PositiveSmallIntegerField: _INTEGER,
    models.AutoField: _INTEGER,
    models.BigAutoField: _INTEGER,
    models.BooleanField: frozenset({bool, type(None)}),
}
# PostgreSQL's driver takes an aware datetime as it is; SQLite's backend writes it as text.
_AS_IS_ON = {"postgresql": {models.DateTimeField: frozenset({datetime, type(None)})}}


def _as_is(model, with_pk: bool, connection) -> tuple:
    """Per field of `_fields()`: (attribute name, the value types written as they are, the
    driver's integer type the backend wraps them in or None); the types empty where every
    value goes through Django's preparation."""
    # Per class of the backend's operations, not per connection: there is one per thread.
    return _as_is_on(model, with_pk, connection.vendor, type(connection.ops))


@functools.cache
def _as_is_on(model, with_pk: bool, vendor: str, operations: type) -> tuple:
    table = {**_AS_IS_EVERYWHERE, **_AS_IS_ON.get(vendor, {})}
    # psycopg 3: an integer sent with its column's size, as Django's preparation sends it.
    sized = getattr(operations, "integerfield_type_map", {})
    found = []
    for field in _fields(model, with_pk):
        kind = field
        if type(field) in (models.ForeignKey, models.OneToOneField):
            kind = field.target_field  # a key to another row is prepared as the key it names
        kinds = table.get(type(kind), frozenset())
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            kinds = frozenset()  # its pre_save sets the time
        typed = (
            None
            if isinstance(kind, models.AutoField | models.BigAutoField)
            else sized.get(kind.get_internal_type())
        )
        found.append((field.attname, kinds, typed))
    return tuple(found)


def fields_with_key(model) -> tuple:
    """The fields a kept insert of `model` writes, in the order of its values: the primary
    key first, taken ahead (deferred_writes)."""
    return _fields(model, True)


@functools.cache
def _sql(model, vendor: str, rows: int, with_pk: bool, ignore_conflicts: bool) -> str:
    table, column = table_and_columns(model)
    fields = _fields(model, with_pk)
    names = ", ".join(column(field.name) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([row] * rows)  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    elif not with_pk:
        sql += f" RETURNING {column(model._meta.pk.name)}"
    return sql


def create(model: type[models.Model], **values) -> models.Model:
    """`model.objects.create(**values)`, through `insert()`."""
    obj = model(**values)
    insert([obj])
    return obj
