"""The job worker: as a process of its own (`pishkhan worker`, production) or as a thread of the
one process that `pishkhan serve` runs on a laptop.

Without Redis the chat's channel layer lives in memory and reaches only the sockets of its own
process. A job that speaks to a chat (an offer that was not answered in time moves on to the
next agent) must then run in the process that holds the sockets, or no one hears it: the agent's
desk would show the offer only after a reload, and the next agent would never see it."""

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.crypto import get_random_string

if TYPE_CHECKING:
    from django_tasks import Task

logger = logging.getLogger(__name__)

# How long a stopping server waits for the job in hand to finish.
STOP_WAIT_SECONDS = 10
# How often a worker makes sure each self-renewing job has a round waiting (`keep_chains`).
CHAIN_CHECK_SECONDS = 60


def chains() -> dict[str, tuple["Task", Callable[..., bool]]]:
    """The self-renewing jobs by name, each with the function that plans its next round unless
    one waits (`jobs.schedule_round`): the IMAP mailboxes fetched, the SLA clocks come due
    looked for."""
    from pishkhan.mail.tasks import poll_mailboxes, poll_schedule
    from pishkhan.sla.tasks import clocks_sweep, sweep_schedule

    return {
        "mail_poll": (poll_mailboxes, poll_schedule),
        "sla_sweep": (clocks_sweep, sweep_schedule),
    }


def prepare() -> None:
    """What every worker does before its first job: start each chain at once (a second worker
    finds it waiting and adds none)."""
    for _task, schedule in chains().values():
        schedule(seconds=0)


def keep_chains() -> list[str]:
    """Plan a round of each chain that has none waiting; the names of those planned.

    A round plans the next one before its own work, but that write can fail (the database
    gone at that very moment), and then nothing would run the chain again until a worker
    restarted: SLA breaches would go untold in silence. A round running now counts as alive (the
    mail poll plans its next round when it ends). Only where the backend can be asked what
    waits (the database one): elsewhere every call would add a chain."""
    from pishkhan import jobs

    return [
        name
        for name, (task, schedule) in chains().items()
        if jobs.round_alive(task) is False and schedule()
    ]


def start_chain_keeper(*, seconds: float = CHAIN_CHECK_SECONDS) -> Callable[[], None]:
    """Every `seconds`, on a daemon thread of this process, `keep_chains()`. Returns the
    function that stops it."""
    stopping = threading.Event()

    def keep() -> None:
        from django.db import connections

        while not stopping.wait(seconds):
            try:
                planned = keep_chains()
            except Exception:  # the next pass tries again; the database may be back by then
                logger.exception("the job chains could not be checked")
            else:
                if planned:
                    logger.warning("job chains found without a round, planned: %s", planned)
            finally:
                connections.close_all()

    thread = threading.Thread(target=keep, daemon=True, name="job-chain-keeper")
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join(timeout=STOP_WAIT_SECONDS)

    return stop


def start_thread():
    """Run the database backend's worker on a daemon thread of this process. Returns the
    function that stops it: the job in hand finishes (up to STOP_WAIT_SECONDS), no new one is
    taken."""
    from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    prepare()
    stop_keeper = start_chain_keeper()
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
        stop_keeper()
        thread.join(timeout=STOP_WAIT_SECONDS)

    return stop


def _run(worker) -> None:
    from django.db import connections

    try:
        worker.run()
    finally:
        connections.close_all()
