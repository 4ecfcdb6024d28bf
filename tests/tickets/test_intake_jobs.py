"""A submission's job — the customer's "received" mail — is stored in one statement with the
ticket, as the worker expects it: to go at once. Its SLA clocks plan no job (the worker's
sweep reads their moments from the clocks)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from pishkhan.sla.models import SlaClock


@pytest.fixture
def stored_jobs(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_a_submissions_job_is_stored_in_one_statement(alpha, stored_jobs):
    DBTaskResult.objects.all().delete()

    with CaptureQueriesContext(connection) as captured:
        ticket = alpha.submit("سایت بالا نمی‌آید")

    # (On PostgreSQL the INSERT travels in one message with other statements: counted in text.)
    into = f'INSERT INTO "{DBTaskResult._meta.db_table}"'
    assert sum(q["sql"].count(into) for q in captured.captured_queries) == 1
    jobs = {job.task_path: job for job in DBTaskResult.objects.all()}
    assert list(jobs) == ["pishkhan.tickets.tasks.notify_ticket_received"]
    assert SlaClock.objects.filter(ticket=ticket).count() >= 1
    received = jobs["pishkhan.tickets.tasks.notify_ticket_received"]
    assert received.run_after == get_date_max()
    assert received.args_kwargs == {"args": [ticket.pk], "kwargs": {}}
    assert received.status == "READY"
