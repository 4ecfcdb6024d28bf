"""Enqueueing a job together with the write that calls for it (DESIGN.md "enqueue in the same
transaction as the write").

With the database job backend the job's row is inserted inside the caller's transaction: it
commits with the write or not at all (a rolled-back write leaves no job, a committed one never
lacks its job, even if the process dies at the commit), and a write with five jobs costs one
commit instead of six. Any other backend is asked only once the write has committed: the inline
one used by tests would otherwise run the job before the write is visible, and a broker cannot
take part in our transaction."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django_tasks_db import DatabaseBackend

from pishkhan.core import clock


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
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
