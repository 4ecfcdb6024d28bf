"""Notifications to the customer. Jobs take ids, are enqueued on commit, and are safe to run
twice (a repeat sends a repeat mail, never a wrong one)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


def _send(*, to: str, language: str, template: str, context: dict) -> None:
    with translation.override(language):
        subject = render_to_string(f"tickets/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"tickets/mail/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


@task()
def notify_ticket_received(ticket_id: int) -> None:
    from pishkhan.tickets.models import Ticket

    ticket = Ticket.objects.select_related("customer", "tenant").filter(pk=ticket_id).first()
    if ticket is None or not ticket.customer.email:
        return
    _send(
        to=ticket.customer.email,
        language=ticket.customer.language,
        template="ticket_received",
        context={"ticket": ticket, "tenant": ticket.tenant},
    )


@task()
def notify_agent_reply(message_id: int) -> None:
    from pishkhan.tickets.models import Message

    message = (
        Message.objects.select_related("ticket__customer", "ticket__tenant", "author_user")
        .filter(pk=message_id)
        .first()
    )
    if message is None or not message.is_public or not message.ticket.customer.email:
        return
    ticket = message.ticket
    _send(
        to=ticket.customer.email,
        language=ticket.customer.language,
        template="agent_reply",
        context={"ticket": ticket, "tenant": ticket.tenant, "message": message},
    )


def _ticket(ticket_id: int):
    from pishkhan.tickets.models import Ticket

    ticket = (
        Ticket.objects.select_related("customer", "tenant", "department", "follow_up_of")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not ticket.customer.email:
        return None
    return ticket


def _notify(ticket_id: int, template: str, **context) -> None:
    ticket = _ticket(ticket_id)
    if ticket is None:
        return
    _send(
        to=ticket.customer.email,
        language=ticket.customer.language,
        template=template,
        context={"ticket": ticket, "tenant": ticket.tenant, **context},
    )


@task()
def notify_follow_up_opened(ticket_id: int) -> None:
    """T-5: the customer wrote on a closed ticket; say why a new ticket holds their message."""
    _notify(ticket_id, "follow_up_opened")


@task()
def notify_info_requested(ticket_id: int) -> None:
    """T-6: ask for the required fields a mailed or phoned request lacked."""
    from pishkhan.tickets.fields import field_label

    ticket = _ticket(ticket_id)
    if ticket is None or not ticket.missing_fields:
        return
    language = ticket.customer.language
    labels = [
        field_label(d, language)
        for d in ticket.department.fields
        if d["key"] in ticket.missing_fields
    ]
    _notify(ticket_id, "info_requested", missing=labels)


@task()
def notify_closed_with_reason(ticket_id: int) -> None:
    """A ticket closed without being solved (incomplete, wrong information, no answer, merged):
    the customer is told why [002 r13]."""
    _notify(ticket_id, "closed_with_reason")
