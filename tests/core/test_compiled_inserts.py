"""Hot inserts (pishkhan.compiled_inserts) store exactly what `Model.objects.create` stores —
every field, the new key on the instance — on SQLite and on PostgreSQL, in one statement; a
unique conflict is skipped when asked; and a model whose saving does more than write its row
(its own save(), save signals) is still saved through save()."""

import warnings
from datetime import datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from pishkhan import compiled_inserts
from pishkhan.core import clock
from pishkhan.outbox.models import ThreadId
from pishkhan.policies.models import RuleSettings
from pishkhan.sla.models import SlaClock
from pishkhan.tickets.models import Message, Status, Ticket
from pishkhan.trust.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_inserted_row_reads_back_as_created(alpha):
    now = clock.now()
    with CaptureQueriesContext(connection) as captured:
        event = compiled_inserts.create(
            AuditEvent,
            tenant=alpha.tenant,
            actor=alpha.agent,
            action="ticket.reply",
            object_type="ticket",
            object_id=str(alpha.ticket.pk),
            changes={"متن": "سلام، سرور من از دیروز در دسترس نیست."},
            via="mail",
            created_at=now,
        )
    assert len(captured.captured_queries) == 1
    assert event.pk is not None and not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.tenant_id == alpha.tenant.pk
    assert stored.actor_id == alpha.agent.pk
    assert stored.changes == {"متن": "سلام، سرور من از دیروز در دسترس نیست."}
    assert stored.created_at == now


def test_several_rows_get_their_own_keys_in_order(alpha):
    events = [
        AuditEvent(
            tenant=alpha.tenant,
            action=f"bench.{n}",
            object_type="ticket",
            object_id=str(n),
            via="web",
            created_at=clock.now(),
        )
        for n in range(3)
    ]
    compiled_inserts.insert(events)
    for event in events:
        assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_a_conflict_is_skipped_when_asked(alpha):
    def thread_id(ticket_id):
        return ThreadId(
            tenant=alpha.tenant,
            ticket_id=ticket_id,
            message_id="once@mail.example.ir",
            created_at=clock.now(),
        )

    compiled_inserts.insert([thread_id(alpha.ticket.pk)], ignore_conflicts=True)
    compiled_inserts.insert([thread_id(alpha.ticket.pk + 1)], ignore_conflicts=True)

    kept = ThreadId.objects.filter(tenant=alpha.tenant, message_id="once@mail.example.ir")
    assert list(kept.values_list("ticket_id", flat=True)) == [alpha.ticket.pk]


def test_a_model_with_save_signals_is_saved_through_save(beta):
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.tenant_id, created))

    post_save.connect(receiver, sender=RuleSettings)
    try:
        RuleSettings.objects.filter(tenant=beta.tenant).delete()
        compiled_inserts.insert([RuleSettings(tenant=beta.tenant)])
    finally:
        post_save.disconnect(receiver, sender=RuleSettings)
    assert heard == [(beta.tenant.pk, True)]


def _as_django_prepares(obj) -> list:
    """The row's values as Django's own insert makes them: each field's pre_save, then its
    database preparation."""
    return [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection)
        for field in compiled_inserts.fields_with_key(type(obj))
    ]


def _as_written(obj) -> list:
    model = type(obj)
    return compiled_inserts._values(
        obj,
        compiled_inserts.fields_with_key(model),
        compiled_inserts._as_is(model, True, connection),
        connection,
    )


def _same(ours: list, django: list) -> None:
    assert len(ours) == len(django)
    for mine, theirs in zip(ours, django, strict=True):
        # an adapter (a JSON value) is compared by what it holds
        assert type(mine) is type(theirs)
        assert getattr(mine, "obj", mine) == getattr(theirs, "obj", theirs)


def test_the_values_written_are_those_django_prepares(alpha):
    # a ticket and what its submission wrote: text, numbers, keys, times, flags, JSON, bytes
    ticket = alpha.submit("سایت بالا نمی‌آید")
    rows = [
        Ticket.objects.get(pk=ticket.pk),
        *Message.objects.filter(ticket=ticket),
        *SlaClock.objects.filter(ticket=ticket),
        *AuditEvent.objects.filter(object_id=str(ticket.pk)),
        *DBTaskResult.objects.all()[:3],
    ]
    assert len(rows) >= 5
    for row in rows:
        _same(_as_written(row), _as_django_prepares(row))


def test_values_of_other_kinds_are_prepared_by_django(alpha, settings):
    # a choice member, a lazy translation, a naive time, a number as text, a flag as a number:
    # each is written as Django prepares it, not as it was given
    settings.USE_TZ = True
    ticket = Ticket.objects.get(pk=alpha.ticket.pk)
    ticket.status = Status.OPEN
    ticket.subject = gettext_lazy("Website down")
    ticket.created_at = datetime(2026, 12, 7, 10, 30)  # noqa: DTZ001 - naive, on purpose
    ticket.number = "42"
    event = AuditEvent(tenant=alpha.tenant, action="ticket.reply", object_type="ticket")
    event.object_id = 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Django's warning on the naive time
        for row in (ticket, event):
            _same(_as_written(row), _as_django_prepares(row))
        written = _as_written(ticket)
    by_name = {
        field.name: value
        for field, value in zip(compiled_inserts.fields_with_key(Ticket), written, strict=True)
    }
    assert by_name["number"] == 42 and by_name["subject"] == "Website down"
    if connection.vendor == "postgresql":  # SQLite's backend writes times as text
        assert by_name["created_at"].tzinfo is not None
