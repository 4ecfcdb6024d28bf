"""Jobs are stored with the write that calls for them: with the database job backend a
ticket's notification commits in the ticket's own transaction, so a rolled-back submission
leaves no job and a committed one never lacks its jobs. Deadlines need no job per clock: the
worker's sweep reads them from the clocks themselves (tests/sla/test_jobs.py)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult, get_date_max

from pishkhan.sla.models import SlaClock
from pishkhan.tickets.services import ticket_reply


@pytest.fixture
def stored_jobs(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _paths() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_a_submission_stores_its_jobs_before_it_commits(alpha, stored_jobs):
    # given no jobs waiting
    DBTaskResult.objects.all().delete()
    # when a request is filed, and seen from inside its transaction
    with transaction.atomic():
        ticket = alpha.submit("سایت بالا نمی‌آید")
        inside = _paths()
    # then its received mail was already stored, and nothing per SLA clock
    assert SlaClock.objects.filter(ticket=ticket, status="running").count() >= 1
    assert inside == ["pishkhan.tickets.tasks.notify_ticket_received"]
    assert _paths() == inside


def test_a_rolled_back_submission_leaves_no_job(alpha, stored_jobs):
    DBTaskResult.objects.all().delete()

    # when the write that called for the jobs fails after enqueueing them
    class Abort(Exception):
        pass

    def submit_then_fail():
        with transaction.atomic():
            alpha.submit("سایت بالا نمی‌آید")
            assert _paths()  # enqueued with the write…
            raise Abort

    with pytest.raises(Abort):
        submit_then_fail()
    # then nothing of it is left to run
    assert _paths() == []


def test_a_tickets_clocks_moving_plan_no_jobs(alpha, stored_jobs):
    # given a filed request, its received mail aside
    ticket = alpha.submit("سایت بالا نمی‌آید")
    DBTaskResult.objects.all().delete()

    # when the customer writes again, then the agent's reply and the customer's answer stop,
    # pause and resume its clocks
    ticket_reply(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.customer_user,
        body="هنوز هم سایت در دسترس نیست.",
    )
    ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="لطفا لاگ را بفرستید")
    ticket_reply(
        tenant=alpha.tenant, ticket=ticket, actor=alpha.customer_user, body="لاگ پیوست شد."
    )

    # then the clocks moved, and nothing was planned for a later moment
    assert SlaClock.objects.filter(ticket=ticket).exclude(status="running").exists()
    assert not DBTaskResult.objects.exclude(run_after=get_date_max()).exists()
