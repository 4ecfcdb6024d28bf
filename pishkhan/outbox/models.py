"""Mail we send (C-1): each one a row, so a failed send is retried with back-off and an admin
can see what went where; and the Message-IDs of a ticket's mail in both directions, so replies
thread in the customer's client and come back to the right ticket.

The outbox sits below tickets (tickets, policies and sla send through it; the inbound mail app
reads its thread ids), so it knows tickets only by id."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.tenancy.models import Tenant, TenantScopedManager


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent: the address is failing")


class OutboundMail(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    ticket_id = models.BigIntegerField(null=True, blank=True)
    template = models.CharField(max_length=80)
    to = models.EmailField()
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    # An answer to the customer's own mail (Auto-Submitted: auto-replied) rather than a
    # notification (auto-generated); kept so a retry sends the same headers.
    auto_reply = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(fields=["tenant", "status"]),
        ]


class ThreadId(models.Model):
    """One Message-ID of a ticket's mail: ours (outbound) or the customer's (inbound)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    ticket_id = models.BigIntegerField()
    message_id = models.CharField(max_length=255)
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "message_id"], name="outbox_thread_id_unique")
        ]
        indexes = [models.Index(fields=["tenant", "ticket_id", "created_at"])]
