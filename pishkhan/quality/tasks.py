"""Jobs of the satisfaction survey. They take ids, run after the write commits and are safe to
run twice: a survey already mailed is not mailed again."""

from django_tasks import task

from pishkhan.core import clock


@task()
def ticket_survey_send(ticket_id: int) -> None:
    """A ticket was resolved: ask its customer, unless it was reopened since. A customer
    without an email address is not asked: a survey nobody can reach would only lower the
    answer rate."""
    from pishkhan.quality.services import survey_request
    from pishkhan.tickets.models import Status, Ticket

    ticket = Ticket.objects.select_related("customer", "tenant").filter(pk=ticket_id).first()
    if ticket is None or ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return
    if not ticket.customer.email:
        return
    survey_request(
        tenant=ticket.tenant,
        subject_kind="ticket",
        subject_id=ticket.number,
        customer_email=ticket.customer.email or "",
        language=ticket.customer.language,
    )


@task()
def survey_mail_send(survey_id: int) -> None:
    from pishkhan.outbox.services import mail_send
    from pishkhan.quality.models import Survey
    from pishkhan.quality.services import survey_url
    from pishkhan.quality.subjects import subject_get

    survey = Survey.objects.select_related("tenant").filter(pk=survey_id).first()
    if survey is None or survey.mailed_at or survey.is_answered or not survey.customer_email:
        return
    # Claimed first: a second run of this job finds it mailed and stops.
    if not Survey.objects.filter(pk=survey.pk, mailed_at__isnull=True).update(
        mailed_at=clock.now()
    ):
        return
    subject = subject_get(
        tenant=survey.tenant, kind=survey.subject_kind, subject_id=survey.subject_id
    )
    ticket = subject.obj if subject is not None and survey.subject_kind == "ticket" else None
    mail_send(
        tenant=survey.tenant,
        to=survey.customer_email,
        language=survey.language,
        template="quality/mail/survey_request",
        context={
            "tenant": survey.tenant,
            "ticket": ticket,
            "subject_title": subject.title(survey.language) if subject else "",
            "survey_url": survey_url(survey),
            "score_urls": [(n, survey_url(survey, n)) for n in range(5, 0, -1)],
            "closes_at": survey.closes_at,
        },
        ticket_id=ticket.pk if ticket else None,
        ticket_number=ticket.number if ticket else None,
    )
