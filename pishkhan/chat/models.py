"""Live chat (C-2): a tenant's widget settings, the visitors who write to it, their chats and
every line of them, and each agent's chat seat (presence and how many chats they can hold).

A chat's messages are numbered 1, 2, 3… per chat (`seq`). The number is what clients remember
across reconnects ("send me what came after 41"), so it is assigned under the chat's row lock
and never reused; `client_id` lets a client resend a message it never saw acknowledged without
the message being stored twice."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import Customer
from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Department, Ticket

DEFAULT_OFFER_SECONDS = 30
DEFAULT_CAPACITY = 3


def new_key() -> str:
    return secrets.token_urlsafe(24)


class ChatSettings(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("chat enabled"), default=True)
    # Exact origins ("https://shop.example.ir") whose pages may open the visitor socket; the
    # tenant's own host is always allowed.
    allowed_origins = models.JSONField(default=list, blank=True)
    greeting_fa = models.CharField(_("greeting (Persian)"), max_length=300, blank=True)
    greeting_en = models.CharField(_("greeting (English)"), max_length=300, blank=True)
    offer_seconds = models.PositiveSmallIntegerField(
        _("seconds an agent has to accept"), default=DEFAULT_OFFER_SECONDS
    )
    default_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("chats an agent holds at once"), default=DEFAULT_CAPACITY
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    def greeting(self, language: str) -> str:
        return self.greeting_en if language == "en" else self.greeting_fa


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentSeat(models.Model):
    """One staff member's place in the chat rotation of one tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Empty: the tenant's default capacity.
    capacity = models.PositiveSmallIntegerField(_("max concurrent chats"), null=True, blank=True)
    status = models.CharField(max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    # Open agent sockets: an agent with two tabs stays online until the last one closes.
    connections = models.PositiveIntegerField(default=0)
    last_offered_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="chat_agentseat_unique_user")
        ]
        indexes = [models.Index(fields=["tenant", "status"])]


class Visitor(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    # The visitor's secret (kept by the widget in localStorage); it names them to us only on
    # their tenant's host.
    key = models.CharField(max_length=64, unique=True, default=new_key)
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="fa")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "email"])]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"#{self.pk}"


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Chat(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True, default=new_key)
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="chats")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=8, blank=True)
    # The satisfaction survey's link, once the chat has ended (shown again after a reload).
    survey_url = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last seq handed out; the next message takes last_seq + 1 under the row lock.
    last_seq = models.PositiveIntegerField(default=0)
    # Read state: the highest seq each side has seen.
    visitor_read_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    # Routing: who holds the current offer, until when, and who was asked already this round.
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_round = models.PositiveIntegerField(default=0)
    offered_ids = models.JSONField(default=list, blank=True)

    objects = TenantScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "started_at"]),
            models.Index(fields=["tenant", "agent", "status"]),
            models.Index(fields=["tenant", "visitor", "started_at"]),
            models.Index(fields=["tenant", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status != ChatStatus.ENDED


class AuthorKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")
    # Staff only: a supervisor's word to the agent, and the agent's own notes.
    WHISPER = "whisper", _("Whisper")
    NOTE = "note", _("Internal note")


PUBLIC_KINDS = (AuthorKind.VISITOR, AuthorKind.AGENT, AuthorKind.SYSTEM)


def attachment_path(instance, filename: str) -> str:
    return f"chat/{instance.tenant_id}/{secrets.token_hex(8)}/{filename[-100:]}"


class ChatAttachment(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "chat"])]


class ChatMessage(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=AuthorKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    # A system line in every language ({"fa": …, "en": …}), so that each reader (the page, a
    # socket) shows it in their own; `text` is the visitor's, the one transcript sent to both
    # sides. Null for the other lines (and for system lines older than this field).
    wording = models.JSONField(null=True, blank=True)
    attachment = models.ForeignKey(
        ChatAttachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "chat", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["tenant", "chat", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id",
            ),
        ]

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS

    def text_in(self, language: str) -> str:
        """The line as a reader of `language` reads it."""
        return (self.wording or {}).get(language) or self.text
