"""Deadlines (S-6): at 80% of a target the people responsible are told, at the due time the
breach is told and escalated as the policy says. The worker's sweep finds the clocks come due
in their own rows, so nothing is planned per clock and nothing is lost with a worker: each test
runs a fresh worker process-equivalent (`db_worker --batch`) at several moments, as a
restarted worker would."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from pishkhan import job_worker
from pishkhan.core.persian import to_persian_digits
from pishkhan.sla.models import SlaClock
from pishkhan.sla.selectors import policy_list
from pishkhan.sla.services import clock_deadline_check, policy_update
from pishkhan.tickets.models import Priority, Severity
from pishkhan.tickets.services import ticket_reply, ticket_update
from pishkhan.trust.models import AuditEvent

TEHRAN = ZoneInfo("Asia/Tehran")


def tehran(*args) -> datetime:
    return datetime(*args, tzinfo=TEHRAN)


SATURDAY_9 = tehran(2026, 11, 28, 9, 0)  # 1405/09/07


@pytest.fixture
def stored_jobs(settings, transactional_db):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_worker_at(moment: datetime) -> None:
    """What `pishkhan worker` does, started at `moment`: its chains (the SLA sweep among them)
    started if none waits, then every job due."""
    with time_machine.travel(moment, tick=False):
        job_worker.prepare()
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False)


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def critical_ticket(world):
    """A critical fault filed Saturday 09:00: first response due 11:00, at risk from 10:36.
    The world's own earlier ticket is closed first, so only this one's clocks run."""
    ticket_update(tenant=world.tenant, ticket=world.ticket, actor=world.owner, status="closed")
    with time_machine.travel(SATURDAY_9, tick=False):
        ticket = world.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)
    run_worker_at(SATURDAY_9)  # sends the customers' "received" mails
    mail.outbox.clear()
    return ticket


def test_at_risk_then_breach_are_told_once_each_and_the_breach_escalates(alpha, stored_jobs):
    policy = policy_list(tenant=alpha.tenant).get(is_default=True)
    policy_update(
        tenant=alpha.tenant,
        actor=alpha.owner,
        policy=policy,
        raise_priority=True,
        reassign_to=alpha.agent,
    )
    ticket = critical_ticket(alpha)

    run_worker_at(tehran(2026, 11, 28, 9, 30))
    assert mail.outbox == []

    run_worker_at(tehran(2026, 11, 28, 10, 40))
    assert len(mail.outbox) == 1
    # Nobody is assigned yet, so the supervisors (here the owner) hear of the risk.
    assert mail.outbox[0].to == [alpha.owner.email]
    assert f"#{to_persian_digits(str(ticket.number))}" in mail.outbox[0].subject

    run_worker_at(tehran(2026, 11, 28, 11, 1))
    breach_mails = mail.outbox[1:]
    # The supervisors, and the agent the escalation handed the ticket to.
    assert sorted(m.to[0] for m in breach_mails) == sorted([alpha.owner.email, alpha.agent.email])
    ticket.refresh_from_db()
    assert ticket.priority == Priority.IMPORTANT  # raised one step
    assert ticket.assignee == alpha.agent  # reassigned
    first = SlaClock.objects.get(ticket=ticket, kind="first_response")
    assert first.breached_at == tehran(2026, 11, 28, 11, 0)

    # A second worker pass, and the same check run by hand, tell nobody again.
    sent = len(mail.outbox)
    run_worker_at(tehran(2026, 11, 28, 11, 5))
    assert clock_deadline_check(clock_id=first.pk) is None
    assert len(mail.outbox) == sent
    assert AuditEvent.objects.filter(action="sla.breach", object_id=str(ticket.pk)).count() == 1


def test_a_paused_clock_is_not_reported(alpha, stored_jobs):
    ticket = critical_ticket(alpha)
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, assignee=alpha.agent)
    with time_machine.travel(tehran(2026, 11, 28, 9, 10), tick=False):
        # The first reply meets the first response and leaves the ticket waiting.
        ticket_reply(
            tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="لطفا لاگ را بفرستید"
        )
    run_worker_at(tehran(2026, 11, 29, 15, 0))  # long after the restore target would have run out
    # Only the customer hears anything: the agent's reply.
    assert [m.to for m in mail.outbox] == [[alpha.customer.email]]
    assert not AuditEvent.objects.filter(action__startswith="sla.").exists()


def test_at_risk_goes_to_the_assignee_in_their_language(alpha, stored_jobs):
    alpha.agent.language = "en"
    alpha.agent.save(update_fields=["language"])
    ticket = critical_ticket(alpha)
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.owner, assignee=alpha.agent)
    run_worker_at(tehran(2026, 11, 28, 10, 40))
    assert [m.to for m in mail.outbox] == [[alpha.agent.email]]
    assert "at risk" in mail.outbox[0].subject


def _waiting_sweeps() -> list:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path="pishkhan.sla.tasks.clocks_sweep", status="READY"
        ).values_list("run_after", flat=True)
    )


def test_one_sweep_tells_every_tenants_clocks_come_due_once(alpha, beta, stored_jobs):
    # given a critical fault at each of two tenants, filed at the same moment
    alpha_ticket = critical_ticket(alpha)
    beta_ticket = critical_ticket(beta)

    # when one worker passes after both first responses ran out (11:00)
    run_worker_at(tehran(2026, 11, 28, 11, 1))

    # then each tenant's breach is recorded and told, under its own tenant
    for world, ticket in ((alpha, alpha_ticket), (beta, beta_ticket)):
        breach = AuditEvent.objects.get(action="sla.breach", object_id=str(ticket.pk))
        assert breach.tenant_id == world.tenant.pk
        assert world.owner.email in [m.to[0] for m in mail.outbox]
    told = len(mail.outbox)
    # and a later pass tells nobody again
    run_worker_at(tehran(2026, 11, 28, 11, 30))
    assert len(mail.outbox) == told
    assert AuditEvent.objects.filter(action="sla.breach").count() == 2


def test_a_submission_plans_nothing_per_clock_and_workers_keep_one_sweep(alpha, stored_jobs):
    from django_tasks_db.models import DBTaskResult

    ticket = critical_ticket(alpha)
    assert SlaClock.objects.filter(ticket=ticket, status="running").count() >= 1
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "pishkhan.sla.tasks.clock_check" not in paths

    # Two workers starting at once, and again later, leave one sweep waiting, 15 s ahead.
    with time_machine.travel(tehran(2026, 11, 28, 9, 5), tick=False):
        job_worker.prepare()
        job_worker.prepare()
    run_worker_at(tehran(2026, 11, 28, 9, 6))
    assert _waiting_sweeps() == [tehran(2026, 11, 28, 9, 6, 15)]


def test_a_backlog_is_swept_in_rounds_that_follow_at_once(
    alpha, stored_jobs, monkeypatch, settings
):
    from pishkhan.sla.services import clocks as clock_services

    # given three tickets whose first responses all ran out (11:00) while no worker ran
    tickets = [critical_ticket(alpha)]
    with time_machine.travel(SATURDAY_9, tick=False):
        tickets += [alpha.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)]
        tickets += [alpha.submit("قطعی کامل ایمیل سازمانی", severity=Severity.CRITICAL)]
    settings.SLA_SWEEP_SECONDS = 600
    # when a sweep may take only one clock of each kind
    monkeypatch.setattr(clock_services, "SWEEP_LIMIT", 1)
    run_worker_at(tehran(2026, 11, 28, 11, 1))
    # then the rounds followed one another in the same pass until every breach was told
    for ticket in tickets:
        assert AuditEvent.objects.filter(action="sla.breach", object_id=str(ticket.pk)).exists()
    # and only then is the next round 10 minutes ahead
    assert _waiting_sweeps() == [tehran(2026, 11, 28, 11, 11)]


def test_the_sweep_reads_the_clocks_come_due_from_their_own_indexes(alpha):
    from django.db import connection, transaction

    from pishkhan.sla.selectors import untold_moments

    with time_machine.travel(SATURDAY_9, tick=False):
        alpha.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A table this small is read whole; the question is whether the index can serve.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        breached, at_risk = untold_moments(now=tehran(2026, 11, 28, 11, 1))
        assert "slaclock_breach_untold" in breached.explain()
        assert "slaclock_risk_untold" in at_risk.explain()


def test_a_clock_whose_check_fails_holds_back_no_other(alpha, beta, stored_jobs, monkeypatch):
    from pishkhan.sla.services import clocks as clock_services

    monkeypatch.setattr(clock_services, "_failing", {})
    # given alpha's first response due at 11:00 and beta's at 11:01, and sweeps that take one
    # clock of each kind at a time
    alpha_ticket = critical_ticket(alpha)
    with time_machine.travel(tehran(2026, 11, 28, 9, 1), tick=False):
        beta_ticket = beta.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)
    monkeypatch.setattr(clock_services, "SWEEP_LIMIT", 1)
    broken = SlaClock.objects.get(ticket=alpha_ticket, kind="first_response")
    checked = clock_services.clock_deadline_check

    def failing(*, clock_id):
        if clock_id == broken.pk:
            raise RuntimeError("the database refused the audit entry")
        return checked(clock_id=clock_id)

    def breached(ticket) -> bool:
        return AuditEvent.objects.filter(action="sla.breach", object_id=str(ticket.pk)).exists()

    # when the check of alpha's clock, the first to come due, fails
    monkeypatch.setattr(clock_services, "clock_deadline_check", failing)
    run_worker_at(tehran(2026, 11, 28, 11, 2))
    assert not breached(alpha_ticket)
    broken.refresh_from_db()
    assert broken.breach_notified_at is None

    # then the next sweep reads past it while it rests, and beta's breach is told
    run_worker_at(tehran(2026, 11, 28, 11, 2, 20))
    assert breached(beta_ticket)
    assert not breached(alpha_ticket)
    # and once its check works again, a later sweep tells alpha's
    monkeypatch.setattr(clock_services, "clock_deadline_check", checked)
    run_worker_at(tehran(2026, 11, 28, 11, 3))
    assert breached(alpha_ticket)


def test_the_sweep_command_tells_what_the_worker_would(alpha):
    from io import StringIO

    from pishkhan.cli import DASHED

    # given a critical fault whose first response ran out with no worker running
    with time_machine.travel(SATURDAY_9, tick=False):
        ticket = alpha.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)
    # when the operator runs `pishkhan sla-sweep` by hand (a backend that cannot wait, cron)
    first, second = StringIO(), StringIO()
    with time_machine.travel(tehran(2026, 11, 28, 11, 1), tick=False):
        call_command(DASHED["sla-sweep"], stdout=first)
        call_command(DASHED["sla-sweep"], stdout=second)
    # then the breach is recorded once, and the command says so, then that nothing was left
    assert AuditEvent.objects.filter(action="sla.breach", object_id=str(ticket.pk)).count() == 1
    assert '"breach": 1' in first.getvalue()
    assert '"breach": 0' in second.getvalue() and '"at_risk": 0' in second.getvalue()
