"""Keeping the index in step with tickets and customers, inside their transactions."""

from __future__ import annotations

from pishkhan import jobs
from pishkhan.search import services, sources, tasks
from pishkhan.tickets import events
from pishkhan.tickets.models import MessageKind

# Changes that alter what a ticket's documents are filtered on.
_REFILTER = {events.STATUS_CHANGED, events.RECLASSIFIED}


def on_ticket_event(event: events.TicketEvent) -> None:
    tenant, ticket = event.tenant, event.ticket
    if event.kind == events.SUBMITTED:
        request = event.data["message"]
        services.document_put(tenant=tenant, document=sources.ticket_document(ticket, request))
    elif event.kind == events.MESSAGE_ADDED:
        message = event.data["message"]
        if message.kind != MessageKind.SYSTEM:
            document = sources.message_document(message, ticket)
            services.document_put(tenant=tenant, document=document)
        # A new message moves the ticket's date; what its messages are filtered on is
        # unchanged (a status change comes as an event of its own).
        services.documents_touch(
            tenant=tenant,
            kind="ticket",
            object_id=ticket.pk,
            filters=sources.ticket_filters(ticket),
            updated_at=ticket.updated_at,
            children=False,
        )
    elif event.kind == events.FIELDS_CHANGED:
        # The ticket's document holds its field values: written again with the request.
        request = sources.first_messages(tenant, [ticket.pk]).get(ticket.pk)
        services.document_put(tenant=tenant, document=sources.ticket_document(ticket, request))
    elif event.kind in _REFILTER:
        services.documents_touch(
            tenant=tenant,
            kind="ticket",
            object_id=ticket.pk,
            filters=sources.ticket_filters(ticket),
            updated_at=ticket.updated_at,
        )


def on_customer_changed(customer, *, found_by: bool = False) -> None:
    services.document_put(tenant=customer.tenant, document=sources.customer_document(customer))
    if found_by:
        # Their tickets are found by the new name, email or phone once the worker has rewritten
        # their words: a customer may have thousands, too many to rewrite in an edit.
        jobs.enqueue(tasks.customer_tickets_reindex, customer.tenant_id, customer.pk)
