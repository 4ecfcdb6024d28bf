"""Jobs of the outbox. Each takes ids and is safe to run twice: a mail already sent is not sent
again, and a mail not yet due is left to the job planned for its due time."""

from django_tasks import task


@task()
def send_outbound(outbound_id: int) -> str | None:
    """Try again to send a stored mail whose earlier attempt failed (planned with run_after)."""
    from pishkhan.outbox.services import outbound_deliver

    row = outbound_deliver(outbound_id=outbound_id)
    return None if row is None else row.status
