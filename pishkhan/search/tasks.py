"""The index's own jobs. Safe to run twice: each writes what the source says now."""

from django.db import transaction
from django_tasks import task

# Tickets rewritten per transaction: a customer with thousands holds no lock for long.
CHUNK = 500


@task()
def customer_tickets_reindex(tenant_id: int, customer_id: int) -> None:
    """A customer's name, email or phone changed: their tickets are found by the new ones."""
    from pishkhan.accounts.models import Customer
    from pishkhan.search import services, sources
    from pishkhan.tickets.models import Ticket

    customer = Customer.objects.filter(pk=customer_id, tenant_id=tenant_id).first()
    if customer is None:
        return
    keywords = sources.customer_keywords(customer)
    ids = Ticket.objects.filter(tenant_id=tenant_id, customer_id=customer_id).order_by("pk")
    last = 0
    while chunk := list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK]):
        with transaction.atomic():
            services.documents_rewrite_words(
                tenant=customer.tenant, kind="ticket", object_ids=chunk, keywords=keywords
            )
        last = chunk[-1]
