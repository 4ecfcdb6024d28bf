"""Notifications to the customer, sent through the outbox in the customer's language and
threaded on the ticket (Message-ID, In-Reply-To, References, `[#number]` in the subject).

Jobs take ids, are enqueued on commit, and are safe to run twice: a repeat stores and sends a
repeat mail, never a wrong one, and the outbox never sends one stored mail twice."""

from django_tasks import task

from pishkhan.outbox.services import mail_send


def _send(ticket, template: str, **context) -> None:
    mail_send(
        tenant=ticket.tenant,
        to=ticket.customer.email,
        language=ticket.customer.language,
        template=f"tickets/mail/{template}",
        context={"ticket": ticket, "tenant": ticket.tenant, **context},
        ticket_id=ticket.pk,
        ticket_number=ticket.number,
    )


def _ticket(ticket_id: int):
    from pishkhan.tickets.models import Ticket

    ticket = (
        Ticket.objects.select_related(
            "customer", "tenant", "department", "follow_up_of", "merged_into"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not ticket.customer.email:
        return None
    return ticket


@task()
def notify_ticket_received(ticket_id: int) -> None:
    """The customer learns their ticket's number (the key of every later mail)."""
    ticket = _ticket(ticket_id)
    if ticket is not None:
        _send(ticket, "ticket_received")


@task()
def notify_agent_reply(message_id: int) -> None:
    from pishkhan.tickets.models import Message

    message = (
        Message.objects.select_related(
            "ticket__customer", "ticket__tenant", "ticket__department", "author_user"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None or not message.is_public or not message.ticket.customer.email:
        return
    _send(message.ticket, "agent_reply", message=message)


@task()
def notify_follow_up_opened(ticket_id: int) -> None:
    """T-5: the customer wrote on a closed ticket; say why a new ticket holds their message."""
    ticket = _ticket(ticket_id)
    if ticket is not None:
        _send(ticket, "follow_up_opened")


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
    _send(ticket, "info_requested", missing=labels)


@task()
def notify_closed_with_reason(ticket_id: int) -> None:
    """A ticket closed without being solved (incomplete, wrong information, no answer, merged):
    the customer is told why [002 r13]."""
    ticket = _ticket(ticket_id)
    if ticket is not None:
        _send(ticket, "closed_with_reason")


@task()
def notify_status_changed(ticket_id: int, status: str) -> None:
    """The ticket was resolved or closed. Says nothing when the status has moved on since the
    job was planned (the customer would read a stale state), and nothing for a close with a
    reason, whose own mail explains it."""
    from pishkhan.tickets.models import Status

    if status not in (Status.RESOLVED, Status.CLOSED):
        return
    ticket = _ticket(ticket_id)
    if ticket is None or ticket.status != status:
        return
    if status == Status.CLOSED and ticket.close_reason:
        return
    changed_at = ticket.resolved_at if status == Status.RESOLVED else ticket.closed_at
    _send(ticket, "status_changed", status=status, changed_at=changed_at)
