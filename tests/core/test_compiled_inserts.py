"""Hot inserts (pishkhan.compiled_inserts) store exactly what `Model.objects.create` stores —
every field, the new key on the instance — on SQLite and on PostgreSQL, in one statement; a
unique conflict is skipped when asked; and a model whose saving does more than write its row
(its own save(), save signals) is still saved through save()."""

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from pishkhan import compiled_inserts
from pishkhan.core import clock
from pishkhan.outbox.models import ThreadId
from pishkhan.policies.models import RuleSettings
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
