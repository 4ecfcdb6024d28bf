"""The job worker: as a process of its own (`pishkhan worker`, production) or as a thread of the
one process that `pishkhan serve` runs on a laptop.

Without Redis the chat's channel layer lives in memory and reaches only the sockets of its own
process. A job that speaks to a chat (an offer that was not answered in time moves on to the
next agent) must then run in the process that holds the sockets, or no one hears it: the agent's
desk would show the offer only after a reload, and the next agent would never see it."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.crypto import get_random_string

if TYPE_CHECKING:
    from django_tasks import Task

logger = logging.getLogger(__name__)

# How long a stopping server waits for the job in hand to finish.
STOP_WAIT_SECONDS = 10
# How often a worker makes sure each self-renewing job has a round waiting (`keep_chains`).
CHAIN_CHECK_SECONDS = 60


@dataclass(frozen=True)
class Chain:
    """A self-renewing job: its task, the function that plans its next round unless one waits
    (`jobs.schedule_round`), and how long a running round keeps the chain alive."""

    task: "Task"
    plan: Callable[..., bool]
    running_for: timedelta


def chains() -> dict[str, Chain]:
    """The self-renewing jobs by name: the IMAP mailboxes fetched (a round plans the next when
    it ends, and may run for minutes), the SLA clocks come due looked for (a round plans the
    next before its work, so a running one alone is no sign of life)."""
    from pishkhan import jobs
    from pishkhan.mail.tasks import poll_mailboxes, poll_schedule
    from pishkhan.sla.tasks import clocks_sweep, sweep_schedule

    return {
        "mail_poll": Chain(poll_mailboxes, poll_schedule, jobs.ROUND_RUNNING_LIMIT),
        "sla_sweep": Chain(clocks_sweep, sweep_schedule, timedelta(0)),
    }


def prepare() -> None:
    """What every worker does before its first job: start each chain at once (a second worker
    finds it waiting and adds none)."""
    for chain in chains().values():
        chain.plan(seconds=0)


def keep_chains() -> list[str]:
    """Plan a round of each chain that has none waiting; the names of those planned.

    A round plans the next one, but that write can fail (the database gone at that very
    moment), and then nothing would run the chain again until a worker restarted: SLA breaches
    would go untold in silence. A mail poll running now counts as alive (it plans its next round
    when it ends). Only where the backend can be asked what waits (the database one): elsewhere
    every call would add a chain."""
    from pishkhan import jobs

    return [
        name
        for name, chain in chains().items()
        if jobs.round_alive(chain.task, running_for=chain.running_for) is False and chain.plan()
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
            try:
                connections.close_all()
            except Exception:  # a connection already broken: the next pass opens a new one
                logger.exception("the job chain keeper's connection could not be closed")

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
