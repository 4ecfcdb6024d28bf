"""Departments, tickets, their messages and attachments (T-1, T-2, T-3, T-13)."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import Customer, OwnedService
from pishkhan.indexes import only_where_set
from pishkhan.tenancy.models import Tenant, TenantScopedManager


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DOMAIN = "domain", _("Domain name")
    IP = "ip", _("IP address")
    EMAIL = "email", _("Email address")
    URL = "url", _("Web address")


class Department(models.Model):
    """A unit (واحد) that receives tickets. `fields` lists what a request to it must carry
    [002 r13]: [{"key", "label_fa", "label_en", "kind", "required"}]."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(_("name (Persian)"), max_length=120)
    # core.persian.name_key(name): "پشتيباني ايميل" and "پشتیبانی‌ایمیل" are the name
    # "پشتیبانی ایمیل" (tickets.services.setup).
    name_key = models.TextField(blank=True, default="")
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    fields = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="department_unique_name"),
            # Names are unique as they compare (name_key). A department made, before names were
            # compared so, under another spelling of an older one's name has no key (migration
            # 0009) until it is renamed; the service compares every name all the same.
            models.UniqueConstraint(
                fields=["tenant", "name_key"],
                condition=~models.Q(name_key=""),
                name="department_unique_name_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    IMPORTANT = "important", _("Important")
    NORMAL = "normal", _("Normal")


# Sort order for "most pressing first".
PRIORITY_RANK = {Priority.URGENT: 0, Priority.IMPORTANT: 1, Priority.NORMAL: 2}


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical fault")
    MAJOR = "major", _("Major fault")
    BUG = "bug", _("Normal fault")
    OTHER = "other", _("Other request")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class CloseReason(models.TextChoices):
    """Why a ticket was closed other than by being solved; shown to the customer."""

    MERGED = "merged", _("Merged into another ticket")
    INCOMPLETE = "incomplete", _("Required information missing")
    WRONG_INFORMATION = "wrong_information", _("Wrong information")
    NO_ANSWER = "no_answer", _("No answer from the customer")


class TicketCounter(models.Model):
    """The last ticket number issued in a tenant. Incremented inside the creating transaction,
    so a rolled-back submission gives its number back: numbers have no gaps."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveBigIntegerField(default=0)


class Ticket(models.Model):
    # Every index of the table leads with the tenant, so the foreign key needs none of its own;
    # each index is written again by every new ticket (see Meta).
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="tickets", db_index=False
    )
    # Given last in the creating transaction (tickets.services.intake): until that transaction's
    # final statements the row has none, which no other transaction ever sees.
    number = models.PositiveBigIntegerField(null=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tickets")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.OTHER)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,  # Meta: only where set
    )
    # Values of the department's required fields, by key.
    fields = models.JSONField(default=dict, blank=True)
    # Normalised subject, body and field values (core.persian.normalize) for search.
    search_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Meta: only where set
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # S-2 "restore": a workaround is in place; S-5: the fault proved not to be a software fault.
    restored_at = models.DateTimeField(null=True, blank=True)
    not_fault_at = models.DateTimeField(null=True, blank=True)
    # The nearest due time of the ticket's running SLA clocks (kept by the sla app), so the
    # queue can sort by it with an index instead of a join.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    # The customer's service the request is about (T-8: only its verified owner gets support).
    service = models.ForeignKey(
        OwnedService,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,  # Meta: only where set
    )
    # T-5: a closed ticket never reopens; a new request continues it and links back.
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        db_index=False,  # Meta: only where set
    )
    # T-4: the compact text fingerprint (core.similarity) compared with new requests.
    fingerprint = models.BinaryField(default=b"", blank=True)
    # An open ticket this one looked like at submission, and the customer's word on why it is a
    # different request (or a flagged duplicate when the tenant only flags).
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Meta: only where set
    )
    different_reason = models.TextField(blank=True)
    # Merged tickets close into their target; un-merging restores the status they had.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        db_index=False,  # Meta: only where set
    )
    status_before_merge = models.CharField(max_length=16, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(blank=True)
    # T-6 for mail and phone intake: required fields the request lacked, and when we asked.
    missing_fields = models.JSONField(default=list, blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    # T-9: outside the support's scope; answered, if at all, as billable extra service.
    out_of_scope_at = models.DateTimeField(null=True, blank=True)
    scope_note = models.TextField(blank=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="ticket_unique_number"),
        ]
        # The queue reads a page as one walk per status of an index holding the sort's
        # columns after the tenant and the status (tickets.selectors.ticket_page): one per
        # sort, and for the two filters that narrow it most, assignee and department, the
        # default sort. The id at the end makes the order total, as the cursor needs.
        indexes = [
            models.Index(fields=["tenant", "status", "updated_at", "id"]),
            models.Index(fields=["tenant", "status", "created_at", "id"]),
            models.Index(fields=["tenant", "status", "number"]),
            models.Index(fields=["tenant", "status", "sla_due_at", "-updated_at", "-id"]),
            # The "most pressing first" sort, one priority at a time, and the count of a
            # priority filter: without it PostgreSQL would rather scan the table for a rare
            # priority than read a status's every ticket to find it.
            models.Index(fields=["tenant", "status", "priority", "updated_at", "id"]),
            models.Index(fields=["tenant", "assignee", "status", "updated_at", "id"]),
            models.Index(fields=["tenant", "department", "status", "updated_at", "id"]),
            models.Index(fields=["tenant", "customer", "created_at"]),
            models.Index(fields=["tenant", "updated_at"]),
            models.Index(fields=["tenant", "customer", "status"]),
            # References that most tickets leave empty are indexed only where set: what looks
            # them up (a merge's tickets, a user's or a service's removal) asks for a value,
            # and a new ticket then writes none of these indexes.
            *only_where_set(
                "ticket",
                "assignee",
                "created_by",
                "service",
                "follow_up_of",
                "duplicate_of",
                "merged_into",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_out_of_scope(self) -> bool:
        return self.out_of_scope_at is not None


class Tag(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tags")
    # As first written in the tenant; later spellings of the same tag are this one.
    name = models.CharField(max_length=50)
    # core.persian.name_key(name): "ويژه", "ویـژه" and "وی‌ژه" are one tag, as are "VIP" and
    # "vip". A tag is asked for and kept by it (tickets.services.changes).
    key = models.TextField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="tag_unique_key")]

    def __str__(self) -> str:
        return self.name


class TicketTag(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ticket_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="ticket_tags")

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "tag"], name="tickettag_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "tag"])]


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


class Message(models.Model):
    """One entry in a ticket's thread. Notes are for staff only; customers never see them."""

    # Led by the tenant, the thread's index serves the tenant's key too.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.REPLY)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Meta: only where set (a customer's messages have none)
    )
    # Set when the customer wrote it (portal, email, API on their behalf).
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    # A mailed message's HTML as sanitised on arrival (C-1), kept beside the plain text in
    # `body`, which is what the thread shows and search reads.
    body_html = models.TextField(blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "ticket", "created_at"]),
            *only_where_set("message", "author_user"),
        ]

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE

    @property
    def from_customer(self) -> bool:
        return self.author_customer_id is not None


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under the tenant's own folder with a random name: the customer's file name never
    # reaches the file system, and one tenant's files never sit beside another's.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"tenants/{instance.tenant_id}/attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "message"])]


class WorkKind(models.TextChoices):
    WORK = "work", _("Work")
    EXTRA_SERVICE = "extra_service", _("Extra service")
    INSTALLATION = "installation", _("Module installation")
    DATACENTRE_VISIT = "datacentre_visit", _("Data-centre visit")


class TimeEntry(models.Model):
    """Time spent on a ticket (T-3), billable or not (T-9, T-10)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    kind = models.CharField(max_length=20, choices=WorkKind.choices, default=WorkKind.WORK)
    minutes = models.PositiveIntegerField()
    billable = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "ticket"])]


class CannedReply(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="canned_replies")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "title"], name="canned_unique_title"),
        ]
