"""A submission's jobs — the customer's "received" mail and one deadline check per SLA
clock — are stored together in one statement, each as the worker expects it: the deadline
checks wait for their moment, the mail goes at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from pishkhan.core import clock
from pishkhan.sla.models import SlaClock


@pytest.fixture
def stored_jobs(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_a_submissions_jobs_are_stored_in_one_statement(alpha, stored_jobs):
    DBTaskResult.objects.all().delete()

    with CaptureQueriesContext(connection) as captured:
        ticket = alpha.submit("سایت بالا نمی‌آید")

    # (On PostgreSQL the INSERT travels in one message with other statements: counted in text.)
    into = f'INSERT INTO "{DBTaskResult._meta.db_table}"'
    assert sum(q["sql"].count(into) for q in captured.captured_queries) == 1
    jobs = {job.task_path: job for job in DBTaskResult.objects.all()}
    checks = DBTaskResult.objects.filter(task_path="pishkhan.sla.tasks.clock_check")
    assert checks.count() == SlaClock.objects.filter(ticket=ticket).count() >= 1
    assert all(job.run_after > clock.now() for job in checks)
    received = jobs["pishkhan.tickets.tasks.notify_ticket_received"]
    assert received.run_after == get_date_max()
    assert received.args_kwargs == {"args": [ticket.pk], "kwargs": {}}
    assert received.status == "READY"
