"""New rows sent together (pishkhan.deferred_writes): inside `deferred()` an insert's row has
its key at once, the database sees it before the transaction's next statement, the same rows
are stored as without it, an error in a kept row is raised and nothing of it stays, and a
submitted ticket sends its rows in one message. On SQLite nothing is kept."""

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg import pq

from pishkhan import compiled_inserts, deferred_writes, process_cache
from pishkhan.core import clock
from pishkhan.sla.models import SlaClock
from pishkhan.tickets.models import Message, Ticket
from pishkhan.trust.models import AuditEvent

pytestmark = pytest.mark.django_db

# Only PostgreSQL sends several statements in one message, so only there are writes kept; the
# suite runs on both databases (run.py test), and each of these runs in one of the two.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several statements in one message: PostgreSQL only"
)


def _event(alpha, action: str, **values) -> AuditEvent:
    return AuditEvent(
        tenant=alpha.tenant,
        actor=alpha.agent,
        action=action,
        object_type="ticket",
        object_id=str(alpha.ticket.pk),
        changes={"متن": "سرور من از دیروز در دسترس نیست."},
        via="web",
        created_at=clock.now(),
        **values,
    )


@pytest.fixture
def sent():
    """The messages the connection sends to PostgreSQL, in order, each as its statements: rows
    kept by deferred_writes travel in a pipeline opened by the statement that carries them,
    ahead of it, and so belong to that statement's message."""
    messages: list[list[str]] = []

    def record(execute, sql, params, many, context):
        raw = context["connection"].connection
        if raw is not None and raw.pgconn.pipeline_status != pq.PipelineStatus.OFF:
            messages[-1].insert(len(messages[-1]) - 1, sql)
        else:
            messages.append([sql])
        return execute(sql, params, many, context)

    if connection.vendor != "postgresql":
        yield messages
        return
    with connection.execute_wrapper(record):
        yield messages


def test_a_kept_row_has_its_key_and_is_read_back_in_the_same_transaction(alpha, sent):
    with transaction.atomic(), deferred_writes.deferred():
        event = _event(alpha, "ticket.note")
        compiled_inserts.insert([event])
        assert event.pk is not None and not event._state.adding
        # the next statement reads what the block wrote
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "ticket.note"
    assert stored.changes == {"متن": "سرور من از دیروز در دسترس نیست."}
    if connection.vendor == "postgresql":
        # the INSERT travelled in front of the read, in one message
        carried = [m for m in sent if "INSERT INTO" in m[0] and m[-1].startswith("SELECT")]
        assert len(carried) == 1


def test_a_kept_row_is_read_back_by_a_streamed_read(alpha):
    # QuerySet.iterator() reads through a named cursor on PostgreSQL, which cannot travel in a
    # pipeline: the kept rows go just before it
    with transaction.atomic(), deferred_writes.deferred():
        event = _event(alpha, "ticket.streamed")
        compiled_inserts.insert([event])
        streamed = list(AuditEvent.objects.filter(action="ticket.streamed").iterator())
    assert [e.pk for e in streamed] == [event.pk]


def test_rows_kept_to_the_end_of_the_block_are_stored(alpha):
    with transaction.atomic(), deferred_writes.deferred():
        events = [_event(alpha, f"ticket.tag.{n}") for n in range(3)]
        compiled_inserts.insert(events)
        keys = [e.pk for e in events]
    assert len(set(keys)) == 3 and all(keys)
    assert sorted(AuditEvent.objects.filter(pk__in=keys).values_list("action", flat=True)) == [
        "ticket.tag.0",
        "ticket.tag.1",
        "ticket.tag.2",
    ]


def test_rows_kept_across_a_refill_of_keys_are_all_stored(alpha, monkeypatch):
    # given keys taken ahead three at a time, and none left in this process
    monkeypatch.setattr(deferred_writes, "KEY_BLOCK", 3)
    monkeypatch.setitem(deferred_writes._keys, AuditEvent, deferred_writes.deque())
    with transaction.atomic(), deferred_writes.deferred():
        events = [_event(alpha, f"ticket.refill.{n}") for n in range(8)]
        for event in events:  # one at a time: a refill falls between kept rows
            compiled_inserts.insert([event])
    # then every row is stored under the key its instance was given
    stored = dict(
        AuditEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", "action")
    )
    assert stored == {e.pk: e.action for e in events}


def test_an_error_in_a_kept_row_is_raised_and_nothing_of_the_block_stays(alpha):
    before = AuditEvent.objects.count()

    def clashing_block():
        with transaction.atomic(), deferred_writes.deferred():
            first = _event(alpha, "ticket.kept")
            compiled_inserts.insert([first])
            clash = _event(alpha, "ticket.clash")
            clash.pk = first.pk  # the same key: the database refuses the second row
            compiled_inserts.insert([clash])

    with pytest.raises(IntegrityError):
        clashing_block()
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action__in=["ticket.kept", "ticket.clash"]).exists()


@on_postgresql
def test_a_submission_sends_its_new_rows_in_one_message(alpha, sent, monkeypatch):
    # Pools of keys of this test's own, which the first submission fills: the second takes
    # its keys without a refill (a refill would carry the rows kept before it, correctly).
    monkeypatch.setattr(deferred_writes, "_keys", {})
    alpha.submit("ایمیل‌ها برنمی‌گردند")  # the process now keeps the tenant's settings
    sent.clear()
    ticket = alpha.submit("سایت بالا نمی‌آید")
    inserts = [m for m in sent if any("INSERT INTO" in statement for statement in m)]
    # the ticket, its message, audit entry, clocks, search document and its words ride in
    # front of the statements that follow them (a read of the SLA policy, the numbering): no
    # INSERT makes a round trip of its own
    assert sum(statement.count("INSERT INTO") for m in inserts for statement in m) >= 6
    assert len(inserts) <= 2
    for message in inserts:
        assert not message[-1].startswith("INSERT"), message[-1][:200]
    assert inserts[-1][-1].rstrip().endswith('RETURNING "tickets_ticket"."number"')
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.number == ticket.number and stored.subject == ticket.subject
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert SlaClock.objects.filter(ticket=ticket).count() >= 1
    assert stored.sla_due_at == ticket.sla_due_at


def _ticket_row_writes() -> tuple[int, int]:
    """(inserted, updated) rows of the ticket table so far, by this connection's counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [Ticket._meta.db_table],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_submitted_ticket_is_written_once_with_its_number_and_due_time(alpha, monkeypatch):
    # as in production: the tenant's settings kept in the process (committed, so usable), so
    # nothing is read between the ticket's creation and its numbering
    monkeypatch.setattr(process_cache, "force_enabled", True)
    process_cache.forget()
    # and pools of keys of this test's own, which the first submission fills: a refill (one
    # ticket in KEY_BLOCK) would carry the ticket's row out early, to be numbered by UPDATE
    monkeypatch.setattr(deferred_writes, "_keys", {})
    alpha.submit("ایمیل‌ها برنمی‌گردند")
    # in one transaction, as what the counts hold besides it is sent to the statistics only
    # between transactions
    with transaction.atomic():
        inserted, updated = _ticket_row_writes()
        ticket = alpha.submit("سایت بالا نمی‌آید")
        # one new row and no second version of it: the number and the due time came with it
        assert _ticket_row_writes() == (inserted + 1, updated)
    process_cache.forget()
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.number == ticket.number == Ticket.objects.filter(tenant=alpha.tenant).count()
    assert stored.sla_due_at is not None and stored.sla_due_at == ticket.sla_due_at


@on_postgresql
def test_a_ticket_whose_row_was_sent_early_is_numbered_by_an_update(alpha, monkeypatch):
    # when a statement leaves between the ticket's creation and its numbering, the kept row
    # goes with it, numberless; the number and due time then come by the UPDATE, as before
    from pishkhan.tickets.services import _common

    numbering = _common._number_ticket

    def after_a_read(tenant, ticket):
        assert Ticket.objects.filter(pk=ticket.pk, number__isnull=True).exists()
        numbering(tenant, ticket)

    monkeypatch.setattr("pishkhan.tickets.services.intake._number_ticket", after_a_read)
    before = Ticket.objects.filter(tenant=alpha.tenant).count()
    ticket = alpha.submit("سایت بالا نمی‌آید")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.number == ticket.number == before + 1
    assert stored.sla_due_at == ticket.sla_due_at


# The embedded database's behaviour: on PostgreSQL the tests above show what is kept instead.
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded database's behaviour")
def test_sqlite_keeps_nothing(alpha):
    with transaction.atomic(), deferred_writes.deferred():
        assert not deferred_writes.keeping(connection)


@on_postgresql
def test_threads_taking_keys_at_once_each_get_their_own(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    monkeypatch.setattr(deferred_writes, "KEY_BLOCK", 2)
    monkeypatch.setattr(deferred_writes, "_keys", {})

    def take(_n: int) -> list[int]:
        try:
            return [deferred_writes.keys(Message, 1, connections["default"])[0] for _ in range(15)]
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=4) as pool:
        taken = [key for keys in pool.map(take, range(4)) for key in keys]
    assert len(taken) == 60 and len(set(taken)) == 60
