"""Reads on the hot path, turned into SQL once per process instead of once per call.

Building a queryset and compiling it costs Django several times what the database then takes
to answer: about 0.7 ms of CPU for a one-row look-up by a unique key, against 0.1 ms to send
the same SQL and make the model instance. Intake runs a handful of such look-ups for every
ticket, mail and API call, so they are compiled here once and then only executed.

A `CompiledRead` wraps a function that builds the queryset from named values::

    _by_email = CompiledRead(
        lambda v: Customer.objects.for_tenant(v.tenant_id).filter(email=v.email)[:1]
    )
    customer = _by_email.first(tenant_id=tenant.pk, email=email)

On its first call it builds the queryset once with stand-in values of the same types (int,
str, bytes, aware datetime), compiles it, and finds where each stand-in went among the
statement's parameters; later calls put the real values there. So the function must build the
same statement whatever the values are (no branching on them, no `__in` lists), and a value
the statement transforms (`__contains`, `__iexact` on SQLite) is refused at that first call,
loudly, rather than answered wrongly. Results are model instances for a model queryset
(without select_related or annotations) and tuples, or single values, for `values_list`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable

from pishkhan import prepared

# Stand-ins no real statement uses as constants. The integer one fits every integer column
# (Django answers a look-up outside a column's range with "nothing" instead of a statement).
_INT_BASE = 2_147_480_000
_TIME_BASE = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def _stand_in(value: Any, index: int) -> Any:
    if isinstance(value, bool):
        raise TypeError("a bool is a different statement, not a value: build two reads")
    if isinstance(value, int):
        return _INT_BASE + index
    if isinstance(value, str):
        return f"\x00compiled-read-{index}\x00"
    if isinstance(value, bytes):
        return f"\x00compiled-read-{index}\x00".encode()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _TIME_BASE.replace(microsecond=index)
    raise TypeError(
        f"a compiled read takes int, str, bytes or aware datetime values, not {value!r}"
    )


@dataclass(frozen=True)
class _Slot:
    name: str
    # How the statement turned the value into its parameter (a datetime into text on SQLite).
    adapt: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # constants and _Slots, in the statement's order
    shape: str  # "model", "tuples" or "flat"
    model: type | None
    attnames: tuple[str, ...]
    converters: tuple  # (position, converters, expression)


class CompiledRead:
    def __init__(self, build: Callable[[SimpleNamespace], QuerySet]):
        self._build = build
        self._compiled: dict[tuple[str, tuple[tuple[str, type], ...]], _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        connection = connections[using]
        compiled = self._compiled_for(using, values)
        params = [
            (p.adapt(values[p.name]) if p.adapt else values[p.name]) if isinstance(p, _Slot) else p
            for p in compiled.params
        ]
        # Its statement's plan is the same whatever the values (see the module's doc).
        with prepared.cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchall()
        if compiled.converters:
            found = [_convert(row, compiled.converters, connection) for row in found]
        if compiled.shape == "model":
            return [compiled.model.from_db(using, compiled.attnames, row) for row in found]
        if compiled.shape == "flat":
            return [row[0] for row in found]
        return [tuple(row) for row in found]

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values):
        found = self.rows(using=using, **values)
        return found[0] if found else None

    def _compiled_for(self, using: str, values: dict) -> _Compiled:
        key = (using, tuple(sorted((name, type(value)) for name, value in values.items())))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(using, values)
            with self._lock:
                self._compiled[key] = compiled
        return compiled

    def _compile(self, using: str, values: dict) -> _Compiled:
        connection = connections[using]
        names = sorted(values)
        stand_ins = {name: _stand_in(values[name], i) for i, name in enumerate(names)}
        queryset = self._build(SimpleNamespace(**stand_ins))
        compiler = queryset.query.get_compiler(using=using)
        sql, raw_params = compiler.as_sql()
        params: list = []
        seen: set[str] = set()
        for param in raw_params:
            slot = next(
                (
                    _Slot(name, adapt)
                    for name, stand_in in stand_ins.items()
                    for form, adapt in _forms(stand_in, param, connection)
                    if type(param) is type(form) and param == form
                ),
                None,
            )
            if slot is not None:
                seen.add(slot.name)
            params.append(slot if slot is not None else param)
        missing = set(names) - seen
        if missing:
            raise ValueError(
                f"compiled read: {sorted(missing)} did not reach the statement as given "
                "(a lookup that transforms its value cannot be compiled)"
            )
        columns = [expression for expression, _sql, _alias in compiler.select]
        converters = tuple(
            (position, tuple(found), expression)
            for position, (found, expression) in compiler.get_converters(columns).items()
        )
        iterable = queryset._iterable_class
        if iterable is ModelIterable:
            model = queryset.model
            own = all(isinstance(c, Col) and c.target.model is model for c in columns)
            if (
                not own
                or compiler.klass_info is None
                or compiler.klass_info.get("related_klass_infos")
            ):
                raise ValueError("compiled read: a model read of the model's own columns only")
            attnames = tuple(c.target.attname for c in columns)
            return _Compiled(sql, tuple(params), "model", model, attnames, converters)
        if iterable in (ValuesListIterable, FlatValuesListIterable):
            shape = "flat" if iterable is FlatValuesListIterable else "tuples"
            return _Compiled(sql, tuple(params), shape, None, (), converters)
        raise ValueError("compiled read: a model queryset or values_list() only")


def _forms(stand_in: Any, param: Any, connection) -> list[tuple[Any, Callable | None]]:
    """The forms a value can take among a statement's parameters, and how to make each: as
    given, in the driver's typed wrapper (psycopg's Int8 for a big integer column), or as the
    backend writes a datetime (text on SQLite)."""
    forms: list[tuple[Any, Callable | None]] = [(stand_in, None)]
    wrapper = type(param)
    if wrapper is not type(stand_in) and isinstance(param, type(stand_in)):
        forms.append((wrapper(stand_in), wrapper))
    if isinstance(stand_in, datetime):
        adapt = connection.ops.adapt_datetimefield_value
        forms.append((adapt(stand_in), adapt))
    return forms


def _convert(row, converters, connection) -> list:
    row = list(row)
    for position, functions, expression in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row
