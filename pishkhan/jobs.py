"""Enqueueing a job together with the write that calls for it (DESIGN.md "enqueue in the same
transaction as the write").

With the database job backend the job's row is inserted inside the caller's transaction: it
commits with the write or not at all (a rolled-back write leaves no job, a committed one never
lacks its job, even if the process dies at the commit), and a write with five jobs costs one
commit instead of six. Any other backend is asked only once the write has committed: the inline
one used by tests would otherwise run the job before the write is visible, and a broker cannot
take part in our transaction.

Inside `batched()` (a ticket's submission, which enqueues its notification and one deadline
job per SLA clock) the database backend's rows are written by one INSERT at the end of the
block, still inside the caller's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django_tasks_db import DatabaseBackend

from pishkhan import compiled_inserts
from pishkhan.core import clock

# A round running longer than this is taken for one whose worker died in it (an IMAP poll of
# many mailboxes takes minutes; nothing else of ours comes near).
ROUND_RUNNING_LIMIT = timedelta(minutes=15)

# The rows waiting for the end of the current batched() block; None outside one.
_pending: ContextVar[list | None] = ContextVar("pishkhan_jobs_pending", default=None)


def enqueue(task, *args, run_after: datetime | None = None, **kwargs) -> None:
    """Enqueue `task(*args, **kwargs)` with the current write; `run_after` defers it."""
    backend = task.get_backend()
    if run_after is not None:
        if backend.supports_defer:
            task = task.using(run_after=run_after)
        elif run_after > clock.now():
            # A backend that cannot wait (the inline one) is only asked once the moment has
            # come; the job's own rerun (a sweep, a retry command) covers the rest.
            return
    if isinstance(backend, DatabaseBackend):
        pending = _pending.get()
        if pending is None:
            task.enqueue(*args, **kwargs)
        else:
            backend.validate_task(task)
            pending.append((backend, task, args, kwargs))
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))


@contextmanager
def batched() -> Iterator[None]:
    """The database backend's jobs enqueued inside the block are inserted together when it
    ends without an error. Open it directly inside the `transaction.atomic` block whose
    writes the jobs belong to: an error discards the jobs as the savepoint discards the
    writes. A nested block keeps its own jobs, for the same reason."""
    token = _pending.set([])
    try:
        yield
        pending = _pending.get()
    finally:
        _pending.reset(token)
    if pending:
        _insert(pending)


def _insert(pending: list) -> None:
    # What DatabaseBackend.enqueue writes for one job (its id function included), for several
    # in one statement; bulk creation sends no pre_save, whose handler there fills in "no
    # run_after".
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    rows = [
        DBTaskResult(
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for backend, task, args, kwargs in pending
    ]
    compiled_inserts.insert(rows, signals=False)
    for (backend, _task, _args, _kwargs), row in zip(pending, rows, strict=True):
        task_enqueued.send(type(backend), task_result=row.task_result)


def schedule_round(task, *, seconds: float) -> bool:
    """Enqueue the next round of a self-renewing job (`task()` without arguments: the mail
    poll, the SLA sweep) `seconds` from now, unless a round of it is already waiting. True when
    a round was enqueued.

    Safe to call from every worker at start-up and after every round: two chains started at
    the same moment may both enqueue once, but the next round of one of them finds the other
    waiting and ends its chain, so chains never multiply. A backend that cannot run jobs later
    (the inline one) gets no chain at all: there, a command runs the rounds."""
    if not task.get_backend().supports_defer or _round_waiting(task):
        return False
    task.using(run_after=clock.now() + timedelta(seconds=seconds)).enqueue()
    return True


def rounds_visible(task) -> bool:
    """Whether the queue of `task` can be asked what waits in it: the database backend's can;
    a broker's cannot, and there an extra round costs one idle pass."""
    return isinstance(task.get_backend(), DatabaseBackend)


def round_alive(task, *, running_for: timedelta = ROUND_RUNNING_LIMIT) -> bool | None:
    """Whether a round of `task` waits, or runs and started less than `running_for` ago
    (None where `rounds_visible` is not so): what keeps a chain alive. A chain whose rounds
    plan the next one first (the SLA sweep) has one waiting whenever one runs: for it,
    `running_for` is zero, and a round left running by a worker that lost the database in it
    counts for nothing."""
    from django.db.models import Q
    from django_tasks import TaskResultStatus

    if not rounds_visible(task):
        return None
    alive = Q(status=TaskResultStatus.READY)
    if running_for:
        alive |= Q(status=TaskResultStatus.RUNNING, started_at__gte=clock.now() - running_for)
    return _rounds(task).filter(alive).exists()


def _round_waiting(task) -> bool:
    from django_tasks import TaskResultStatus

    # A running round is not counted: it is the one asking, when it plans the next round.
    return rounds_visible(task) and _rounds(task).filter(status=TaskResultStatus.READY).exists()


def _rounds(task):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, backend_name=task.get_backend().alias
    )
