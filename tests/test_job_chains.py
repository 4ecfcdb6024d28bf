"""The self-renewing jobs (the SLA sweep, the IMAP poll) each keep one round waiting. A round
plans the next itself, but if that one write fails nothing would run the chain again until a
worker restarted, and breaches would go untold in silence: every worker looks each minute and
plans a round for a chain that has none (`job_worker.keep_chains`)."""

import time
from datetime import timedelta

import pytest
import time_machine
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pishkhan import job_worker, jobs
from pishkhan.core import clock
from pishkhan.mail.tasks import poll_mailboxes
from pishkhan.sla.tasks import clocks_sweep


@pytest.fixture
def stored_jobs(settings, transactional_db):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _rounds(task, status=TaskResultStatus.READY) -> int:
    return DBTaskResult.objects.filter(task_path=task.module_path, status=status).count()


def _lose_the_sweeps_round() -> None:
    """What a round whose planning of the next failed leaves behind: no round waiting."""
    DBTaskResult.objects.filter(task_path=clocks_sweep.module_path).delete()


def test_a_lost_round_is_planned_again_and_only_that_one(stored_jobs):
    job_worker.prepare()
    _lose_the_sweeps_round()

    assert job_worker.keep_chains() == ["sla_sweep"]
    assert (_rounds(clocks_sweep), _rounds(poll_mailboxes)) == (1, 1)
    # and looking again, from this worker or another, adds nothing
    assert job_worker.keep_chains() == []
    assert job_worker.keep_chains() == []
    assert (_rounds(clocks_sweep), _rounds(poll_mailboxes)) == (1, 1)


def test_the_waiting_round_comes_a_sweep_interval_later(stored_jobs, settings):
    settings.SLA_SWEEP_SECONDS = 20
    job_worker.prepare()
    _lose_the_sweeps_round()
    moment = clock.now()
    with time_machine.travel(moment, tick=False):
        job_worker.keep_chains()
    waiting = DBTaskResult.objects.get(task_path=clocks_sweep.module_path)
    assert waiting.run_after == moment + timedelta(seconds=20)


def test_a_running_round_keeps_its_chain_until_its_worker_is_taken_for_dead(stored_jobs):
    # given the mail poll's round taken by a worker (it plans its next one when it ends)
    job_worker.prepare()
    running = DBTaskResult.objects.get(task_path=poll_mailboxes.module_path)
    running.claim("worker-a")

    # then while it runs, nobody plans another beside it
    assert job_worker.keep_chains() == []
    assert _rounds(poll_mailboxes) == 0

    # but a round running for more than a quarter of an hour is one whose worker died in it
    later = clock.now() + jobs.ROUND_RUNNING_LIMIT + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert job_worker.keep_chains() == ["mail_poll"]
    assert _rounds(poll_mailboxes) == 1


def test_a_sweep_round_left_running_is_no_sign_of_life(stored_jobs):
    # given the sweep's round taken by a worker that then lost the database: the round stays
    # running, and the next round it plans first was never written
    job_worker.prepare()
    DBTaskResult.objects.get(task_path=clocks_sweep.module_path).claim("worker-a")
    assert _rounds(clocks_sweep) == 0
    # then the next look plans one at once, not a quarter of an hour later
    assert job_worker.keep_chains() == ["sla_sweep"]
    assert _rounds(clocks_sweep) == 1


def test_a_queue_that_cannot_be_asked_gets_no_extra_chains(settings, db):
    # A broker's queue (here the dummy backend, which can defer) cannot say what waits in it:
    # a look every minute there would add a chain every minute.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    backend = clocks_sweep.get_backend()
    backend.clear()
    for _ in range(3):
        assert job_worker.keep_chains() == []
    assert backend.results == []


def test_every_worker_looks_on_its_own_thread(stored_jobs):
    job_worker.prepare()
    stop = job_worker.start_chain_keeper(seconds=0.05)
    try:
        _lose_the_sweeps_round()
        deadline = time.monotonic() + 10
        while _rounds(clocks_sweep) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop()
    assert _rounds(clocks_sweep) == 1
