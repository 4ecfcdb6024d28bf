"""Tickets as a subject of surveys and reviews, and the survey sent when one is resolved."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from pishkhan import jobs
from pishkhan.core.persian import to_persian_digits
from pishkhan.quality.subjects import register_subject
from pishkhan.tickets import events
from pishkhan.tickets.models import Status, Ticket

KIND = "ticket"


def _get(tenant, number: int):
    return (
        Ticket.objects.for_tenant(tenant)
        .select_related("assignee", "department", "customer")
        .filter(number=number)
        .first()
    )


def _get_many(tenant, numbers: list[int]) -> dict:
    tickets = Ticket.objects.for_tenant(tenant).filter(number__in=numbers).only("number", "subject")
    return {ticket.number: ticket for ticket in tickets}


def _title(ticket, language: str) -> str:
    with override(language):
        number = str(ticket.number) if language == "en" else to_persian_digits(str(ticket.number))
        return _("Ticket #%(number)s: %(subject)s") % {"number": number, "subject": ticket.subject}


def register() -> None:
    register_subject(
        KIND,
        get=_get,
        title=_title,
        agent_of=lambda ticket: ticket.assignee,
        url=lambda ticket: reverse("web:agent_ticket", kwargs={"number": ticket.number}),
        department_of=lambda ticket: ticket.department,
        is_finished=lambda ticket: ticket.status in (Status.RESOLVED, Status.CLOSED),
        get_many=_get_many,
    )


def on_ticket_event(event: events.TicketEvent) -> None:
    """A ticket just resolved gets its survey once the change commits (the job decides
    whether the tenant wants one and whether the customer has an address)."""
    if event.kind != events.STATUS_CHANGED or event.data.get("new") != Status.RESOLVED:
        return
    from pishkhan.quality import tasks

    jobs.enqueue(tasks.ticket_survey_send, event.ticket.pk)
