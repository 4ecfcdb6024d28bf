"""How the job queue is doing, for `/healthz` and `/metrics`: how many jobs are due and not yet
taken, and how long the oldest of them has waited. Both read the ready jobs' partial index
(status, priority, run_after, enqueued_at), and the count stops at a bound, so a backlog of
millions costs the same as an empty queue."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

# Counting stops here: past it the exact number does not change what an operator does.
READY_COUNT_BOUND = 100_000


@dataclass(frozen=True)
class JobStats:
    ready: int  # due now and waiting for a worker (counted up to READY_COUNT_BOUND each way)
    lag_seconds: float  # how long the oldest due job has waited (0 when none)


def job_stats(*, now: datetime) -> JobStats:
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    # A job without `run_after` is stored with the far-future sentinel; it is due since it was
    # enqueued. A deferred job is due since its `run_after`.
    undeferred = ready.filter(run_after=get_date_max())
    deferred_due = ready.filter(run_after__lte=now)
    count = sum(
        queryset.values("id")[:READY_COUNT_BOUND].count() for queryset in (undeferred, deferred_due)
    )
    since = [
        undeferred.aggregate(since=Min("enqueued_at"))["since"],
        deferred_due.aggregate(since=Min("run_after"))["since"],
    ]
    oldest = min((moment for moment in since if moment is not None), default=None)
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return JobStats(ready=count, lag_seconds=round(lag, 1))


def chains_alive() -> dict[str, bool | None]:
    """Whether each self-renewing job (the SLA sweep, the mail poll) has a round waiting or
    running: without one nobody is told of a breach. A worker plans a missing one within a
    minute (`job_worker.keep_chains`). None where the queue cannot be asked."""
    from pishkhan import job_worker, jobs

    return {
        name: jobs.round_alive(chain.task, running_for=chain.running_for)
        for name, chain in job_worker.chains().items()
    }
