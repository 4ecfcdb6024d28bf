"""The job worker: as a process of its own (`pishkhan worker`, production) or as a thread of the
one process that `pishkhan serve` runs on a laptop.

Without Redis the chat's channel layer lives in memory and reaches only the sockets of its own
process. A job that speaks to a chat (an offer that was not answered in time moves on to the
next agent) must then run in the process that holds the sockets, or no one hears it: the agent's
desk would show the offer only after a reload, and the next agent would never see it."""

import threading

from django.utils.crypto import get_random_string

# How long a stopping server waits for the job in hand to finish.
STOP_WAIT_SECONDS = 10


def prepare() -> None:
    """What every worker does before its first job."""
    from pishkhan.mail.tasks import poll_schedule
    from pishkhan.sla.tasks import sweep_schedule

    # The IMAP mailboxes are fetched, and the SLA clocks come due are looked for, by
    # self-renewing jobs; a worker starts each chain (a second worker finds it waiting and adds
    # none).
    poll_schedule(seconds=0)
    sweep_schedule(seconds=0)


def start_thread():
    """Run the database backend's worker on a daemon thread of this process. Returns the
    function that stops it: the job in hand finishes (up to STOP_WAIT_SECONDS), no new one is
    taken."""
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    prepare()
    worker = Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=1,
        batch=False,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=_run, args=(worker,), daemon=True, name="job-worker")
    thread.start()

    def stop() -> None:
        worker.running = False
        thread.join(timeout=STOP_WAIT_SECONDS)

    return stop


def _run(worker) -> None:
    from django.db import connections

    try:
        worker.run()
    finally:
        connections.close_all()
