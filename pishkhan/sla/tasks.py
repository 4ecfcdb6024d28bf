"""Deadline jobs. Each takes ids, is enqueued on commit, and is safe to run twice: the service it
calls acts on the clock as it is when the job runs, and marks what it did."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def clock_check(clock_id: int) -> str | None:
    """Planned at a clock's at-risk and due moments (`run_after`)."""
    from pishkhan.ops.metrics import sla_event
    from pishkhan.sla.services import clock_deadline_check

    outcome = clock_deadline_check(clock_id=clock_id)
    if outcome:
        sla_event(outcome)
    return outcome


@task()
def notify_clock(clock_id: int, event: str) -> int:
    """Mail the people who must act on an at-risk or breached clock, each in their language:
    the assignee; on a breach, or when nobody is assigned, the supervisors too (when the policy
    says so). Returns how many were told."""
    from pishkhan.sla.models import SlaClock
    from pishkhan.sla.selectors import clock_notice_recipients

    clock = (
        SlaClock.objects.select_related("ticket__tenant", "ticket__assignee", "policy")
        .filter(pk=clock_id)
        .first()
    )
    if clock is None:
        return 0
    sent = 0
    for user in clock_notice_recipients(clock=clock, event=event):
        with translation.override(user.language):
            context = {
                "clock": clock,
                "ticket": clock.ticket,
                "tenant": clock.ticket.tenant,
                "event": event,
                "user": user,
            }
            subject = render_to_string("sla/mail/notice_subject.txt", context)
            body = render_to_string("sla/mail/notice.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
