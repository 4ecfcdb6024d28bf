"""Jobs of the support rules. Each takes ids, is enqueued on commit, and is safe to run twice."""

from datetime import datetime, timedelta

from django_tasks import task

from pishkhan import jobs


@task()
def close_unanswered(ticket_id: int, requested_at: str) -> bool:
    """T-6: the customer did not supply the missing information in time. Does nothing when
    they answered (the request time was cleared) or asked again later (it changed)."""
    from pishkhan.policies.services import ticket_close_unanswered

    return ticket_close_unanswered(
        ticket_id=ticket_id, requested_at=datetime.fromisoformat(requested_at)
    )


def schedule_unanswered_close(*, ticket_id: int, requested_at: datetime, hours: int) -> None:
    jobs.enqueue(
        close_unanswered,
        ticket_id,
        requested_at.isoformat(),
        run_after=requested_at + timedelta(hours=hours),
    )


@task()
def notify_fine_charged(fine_id: int) -> None:
    """Tell the customer of a fine: what for, how much, by when, and what happens if unpaid.
    A matter of the account, not of a ticket's conversation, so it is not threaded on one."""
    from pishkhan.outbox.services import mail_send
    from pishkhan.policies.models import Fine

    fine = (
        Fine.objects.select_related("customer", "tenant", "ticket", "violation")
        .filter(pk=fine_id)
        .first()
    )
    if fine is None or not fine.customer.email:
        return
    mail_send(
        tenant=fine.tenant,
        to=fine.customer.email,
        language=fine.customer.language,
        template="policies/mail/fine_charged",
        context={"fine": fine, "tenant": fine.tenant},
    )
