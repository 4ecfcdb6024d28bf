"""Deadline jobs (S-6): at 80% of a target the people responsible are told, at the due time the
breach is told and escalated as the policy says. Jobs are stored in the database with
`run_after`, so they outlive any worker: each test runs a fresh worker process-equivalent
(`db_worker --batch`) at several moments, as a restarted worker would."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

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
    with time_machine.travel(moment, tick=False):
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

    # A second worker pass, and the same job run by hand, tell nobody again.
    sent = len(mail.outbox)
    run_worker_at(tehran(2026, 11, 28, 11, 5))
    assert clock_deadline_check(clock_id=first.pk) is None
    assert len(mail.outbox) == sent
    assert AuditEvent.objects.filter(action="sla.breach", object_id=str(ticket.pk)).count() == 1


def test_a_paused_clock_is_not_reported_by_jobs_planned_before_the_pause(alpha, stored_jobs):
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
