"""Jobs are stored with the write that calls for them: with the database job backend a
ticket's notification and deadline jobs commit in the ticket's own transaction, so a
rolled-back submission leaves no job and a committed one never lacks its jobs."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

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
    # then its received mail and one deadline check per running clock were already stored
    clocks = SlaClock.objects.filter(ticket=ticket).count()
    assert clocks >= 1
    assert inside.count("pishkhan.tickets.tasks.notify_ticket_received") == 1
    assert inside.count("pishkhan.sla.tasks.clock_check") == clocks
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


def test_a_customer_message_plans_no_new_deadline_jobs(alpha, stored_jobs):
    # given a filed request with its deadline checks planned
    ticket = alpha.submit("سایت بالا نمی‌آید")
    planned = _paths().count("pishkhan.sla.tasks.clock_check")

    # when the customer adds a message (no clock moves)
    ticket_reply(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.customer_user,
        body="هنوز هم سایت در دسترس نیست.",
    )
    # then no other check is planned
    assert _paths().count("pishkhan.sla.tasks.clock_check") == planned
