"""Automatic answers of the mail channel, sent by jobs after the ingest commits."""

from django_tasks import task


@task()
def send_refusal(tenant_id: int, customer_id: int, context: dict) -> None:
    """Tell a customer in both languages why their mailed request was not accepted (T-7:
    the refusal names the rule). Marked as an automatic reply, so it never starts a loop."""
    from pishkhan.accounts.models import Customer
    from pishkhan.outbox.services import mail_send

    customer = (
        Customer.objects.select_related("tenant")
        .filter(pk=customer_id, tenant_id=tenant_id)
        .first()
    )
    if customer is None or not customer.email:
        return
    mail_send(
        tenant=customer.tenant,
        to=customer.email,
        language=customer.language,
        template="mail/refused",
        context={**context, "tenant": customer.tenant},
        auto_reply=True,
    )
