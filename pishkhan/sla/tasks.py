"""Deadline jobs: the sweep that tells of at-risk and breached clocks, and the notices it
sends. Each is safe to run twice: the service it calls acts on the clock as it is when the job
runs, and marks what it did."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def clocks_sweep() -> dict[str, int]:
    """Every SLA_SWEEP_SECONDS: tell of each running clock whose at-risk or due moment has
    passed (`services.clocks_sweep`). The next round is planned first, so that a round that
    fails half-way (the database gone, say) still leaves one waiting and the chain never
    breaks; while clocks are left over, another round follows at once beside it."""
    from pishkhan import jobs
    from pishkhan.sla.services import clocks_sweep as sweep

    sweep_schedule()
    result = sweep()
    if result.more:
        jobs.enqueue(clocks_sweep)
    return {**sweep_report(result.told, result.failed), "more": int(result.more)}


def sweep_report(told: list[str], failed: int) -> dict[str, int]:
    """What sweeps told, counted into the metrics (`/metrics`) and for the caller's report."""
    from pishkhan.ops.metrics import sla_event

    for outcome in told:
        sla_event(outcome)
    return {"breach": told.count("breach"), "at_risk": told.count("at_risk"), "failed": failed}


def sweep_schedule(*, seconds: float | None = None) -> bool:
    """Plan the next sweep (after `seconds`, by default SLA_SWEEP_SECONDS) unless one is
    already waiting (`jobs.schedule_round`). True when one was planned."""
    from pishkhan import jobs

    if seconds is None:
        seconds = settings.SLA_SWEEP_SECONDS
    return jobs.schedule_round(clocks_sweep, seconds=seconds)


@task()
def clock_check(clock_id: int) -> str | None:
    """One clock's check, as planned at its moments before the sweep did it for every clock:
    kept so that such jobs still waiting in a queue run."""
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
