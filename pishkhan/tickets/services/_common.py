"""Helpers shared by the ticket services: author roles, files, numbering, search text."""

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from pishkhan import compiled_inserts, deferred_writes, prepared
from pishkhan.accounts.models import Customer, User
from pishkhan.core.persian import normalize, to_ascii_digits
from pishkhan.counters import increment_returning
from pishkhan.sql_names import table_and_columns
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import staff_membership
from pishkhan.tickets import events
from pishkhan.tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketCounter,
)
from pishkhan.trust.services import audit_record
from pishkhan.validation import choice, required_text

SUBJECT_MAX = 200
BODY_MAX = 20_000
TAG_MAX = 50
TAGS_PER_TICKET = 20


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


_clean_text = required_text
_choice = choice


def _number_ticket(tenant: Tenant, ticket: Ticket) -> None:
    """Give a ticket created in this transaction its number, as the transaction's last work.
    The counter's UPDATE holds the counter row's lock until commit, so concurrent submissions
    in one tenant queue there; taken last, the queue is as short as one statement and the
    commit, not the whole intake (which capped one tenant near 50 tickets/s)."""
    if connection.vendor == "postgresql":
        kept = deferred_writes.take_back((Ticket, ticket.pk))
        if kept is not None:
            number = _inserted_with_number(tenant, ticket, kept[1])
        else:  # its row went out with an earlier statement
            number = _numbered_in_one_statement(tenant, ticket)
        if number is not None:
            ticket.number = number
            return
    ticket.number = _next_number(tenant)
    # With the due time the SLA clocks set on it meanwhile, which waited for this write.
    Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number, sla_due_at=ticket.sla_due_at)


def _numbered_in_one_statement(tenant: Tenant, ticket: Ticket) -> int | None:
    """PostgreSQL: the counter's UPDATE feeding the ticket's, one round trip instead of two
    (every ticket takes this path). None before the tenant's counter exists."""
    with prepared.cursor(connection) as cursor:
        cursor.execute(_numbering_sql(), [tenant.pk, ticket.sla_due_at, ticket.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _inserted_with_number(tenant: Tenant, ticket: Ticket, values: list) -> int | None:
    """PostgreSQL, while the ticket's INSERT is still kept (deferred_writes): the INSERT sent
    last, taking its number from the counter's UPDATE in the same statement. Written once
    with its number and due time, the row is not written again (`_numbered_in_one_statement`
    changes indexed columns, so its new version of the row goes into every index of the
    table). The rows that name the ticket travel before it; their keys to it are checked at
    commit. None before the tenant's counter exists: then the row is in, numberless, and
    numbered as on other databases."""
    number_at, due_at = _numbered_insert_positions()
    params = list(values)
    params[due_at] = Ticket._meta.get_field("sla_due_at").get_db_prep_save(
        ticket.sla_due_at, connection=connection
    )
    del params[number_at]  # the statement takes it from the counter
    with prepared.cursor(connection) as cursor:
        cursor.execute(_numbered_insert_sql(), [tenant.pk, *params])
        return cursor.fetchone()[0]


@functools.cache
def _numbered_insert_positions() -> tuple[int, int]:
    """Where the number and the due time stand among a kept ticket INSERT's values."""
    names = [field.name for field in compiled_inserts.fields_with_key(Ticket)]
    return names.index("number"), names.index("sla_due_at")


def _counted() -> tuple[str, str]:
    """The counter's UPDATE as a `counted` CTE (its tenant the statement's first value), and
    the column it returns."""
    counters, counter = table_and_columns(TicketCounter)
    last = counter("last_number")
    return (
        f"WITH counted AS (UPDATE {counters} SET {last} = {last} + 1 "  # noqa: S608
        f"WHERE {counter('tenant')} = %s RETURNING {last}) ",
        last,
    )


@functools.cache
def _numbered_insert_sql() -> str:
    counted, last = _counted()
    tickets, column = table_and_columns(Ticket)
    fields = compiled_inserts.fields_with_key(Ticket)
    names = ", ".join(column(field.name) for field in fields)
    numbered = f"(SELECT {last} FROM counted)"  # noqa: S608 (names from the models)
    values = ", ".join(numbered if field.name == "number" else "%s" for field in fields)
    return (
        f"{counted}INSERT INTO {tickets} ({names}) VALUES ({values}) "  # noqa: S608
        f"RETURNING {column('number')}"
    )


@functools.cache
def _numbering_sql() -> str:
    counted, last = _counted()
    tickets, column = table_and_columns(Ticket)
    return (
        f"{counted}UPDATE {tickets} SET {column('number')} = counted.{last}, "  # noqa: S608
        f"{column('sla_due_at')} = %s FROM counted WHERE {tickets}.{column('id')} = %s "
        f"RETURNING {tickets}.{column('number')}"
    )


def _next_number(tenant: Tenant) -> int:
    # The UPDATE takes the counter row's lock until commit, so concurrent submissions in one
    # tenant queue here and each sees the previous one's number; on rollback it is given back.
    number = _bump_counter(tenant)
    if number is None:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(tenant=tenant, last_number=0)
        except IntegrityError:
            pass  # another transaction created it first; the update below waits for it
        number = _bump_counter(tenant)
    return number


def _bump_counter(tenant: Tenant) -> int | None:
    """The tenant's next ticket number, in one statement; None before its counter exists."""
    row = increment_returning(TicketCounter, "last_number", where={"tenant": tenant.pk})
    return row[0] if row else None


def _author_role(*, tenant: Tenant, ticket_customer: Customer, actor: User | None):
    """('staff', membership) or ('customer', customer) or ('system', None)."""
    if actor is None:
        return "system", None
    membership = staff_membership(tenant=tenant, user=actor)
    if membership is not None:
        # The membership just read says whether its role writes; asking require_writer would
        # read it again.
        if not membership.can_write:
            raise PermissionDenied(_("Your role is read-only."))
        return "staff", membership
    if ticket_customer.user_id is not None and ticket_customer.user_id == actor.pk:
        return "customer", ticket_customer
    raise PermissionDenied(_("You may not write to this ticket."))


def _store_files(*, tenant: Tenant, message: Message, checked, now) -> None:
    for item in checked:
        attachment = Attachment(
            tenant=tenant,
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            created_at=now,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        attachment.save()


def _search_text(subject: str, body: str, values: dict) -> str:
    return normalize(" ".join([subject, body, *map(str, values.values())]))


def _require_open(ticket: Ticket) -> None:
    if ticket.is_closed:
        raise ValidationError(
            _("This ticket is closed and cannot be reopened. Please open a new ticket."),
            code="ticket_closed",
        )


def _apply_status(*, tenant: Tenant, ticket: Ticket, status: str, actor, via: str, now) -> None:
    old = ticket.status
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.updated_at = now
    ticket.save(update_fields=fields)
    Message.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=MessageKind.SYSTEM,
        author_user=actor,
        body=f"status:{old}:{status}",
        created_at=now,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.status",
        obj=ticket,
        via=via,
        changes={"status": [old, status]},
    )
    events.publish(
        events.TicketEvent(
            events.STATUS_CHANGED, tenant, ticket, now, actor, {"old": old, "new": status}
        )
    )


MINUTES_MAX = 100_000


def clean_minutes(value, *, required_message: str | None = None) -> int | None:
    """Minutes of work: a whole number from 1 to MINUTES_MAX (Persian digits welcome)."""
    if value is None or str(value).strip() == "":
        if required_message:
            raise ValidationError(required_message)
        return None
    try:
        minutes = int(to_ascii_digits(str(value).strip()))
    except ValueError:
        minutes = -1
    if not 1 <= minutes <= MINUTES_MAX:
        raise ValidationError(_("Give the minutes spent, 1 to %(n)s.") % {"n": MINUTES_MAX})
    return minutes
