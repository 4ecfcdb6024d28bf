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
