"""Inbound mail (C-1): the mailboxes a tenant connects, each mapped to a department, and every
message received, kept raw beside what became of it — so a message is processed exactly once
(unique Message-ID per tenant), and one that cannot be read waits for an admin, never dropped."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Department, Message, Ticket


class Mailbox(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="mailboxes")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # The address customers write to. Mail delivered to it (SMTP/LMTP receiver) or fetched from
    # the IMAP box below lands in the department; it is also one of "our own" addresses.
    address = models.EmailField(_("address"), unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, default="INBOX")
    # Where a processed message is moved; empty: it is only flagged.
    imap_done_folder = models.CharField(_("folder for processed mail"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["address"]
        indexes = [models.Index(fields=["tenant", "address"])]

    @property
    def polls_imap(self) -> bool:
        return bool(self.imap_host)


class InboundStatus(models.TextChoices):
    TICKET = "ticket", _("New ticket")
    REPLY = "reply", _("Reply on a ticket")
    FOLLOW_UP = "follow_up", _("Follow-up of a closed ticket")
    REFUSED = "refused", _("Refused by a support rule")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    BOUNCE = "bounce", _("Delivery failure")
    FAILED = "failed", _("Could not be processed")


class InboundMail(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Message-ID without angle brackets, or "sha256:<digest of the raw bytes>" when the
    # message has none: the same message delivered twice is the same row.
    message_id = models.CharField(max_length=255)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=InboundStatus.choices)
    detail = models.CharField(max_length=500, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "message_id"], name="mail_inbound_once")
        ]
        indexes = [
            models.Index(fields=["tenant", "-received_at"]),
            models.Index(fields=["tenant", "status", "-received_at"]),
        ]
