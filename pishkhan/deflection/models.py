"""Deflection (T-11): what a customer was shown while writing a request, what they opened, and
whether they still submitted — and the searches that found nothing, from every search box.

A visit is one portal new-ticket form. Its key rides in the form (a hidden field), so the
suggestions, the articles opened and the submission all land on the same row; a customer who
opened an article and never submitted is a request the knowledge base answered."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import Customer
from pishkhan.tenancy.models import Tenant, TenantScopedManager
from pishkhan.tickets.models import Ticket

KEY_MAX = 64
QUERY_MAX = 300


class Visit(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    # Random and unguessable: it is all the form carries, and it only ever names a visit of the
    # same tenant and customer.
    key = models.CharField(max_length=KEY_MAX)
    started_at = models.DateTimeField()
    # The text the suggestions were last computed for (subject and body as typed).
    query = models.CharField(max_length=QUERY_MAX, blank=True)
    query_results = models.PositiveIntegerField(default=0)
    # Article ids in the order first shown / first opened, each once.
    shown = models.JSONField(default=list)
    opened = models.JSONField(default=list)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="deflection_visit_key"),
        ]
        indexes = [models.Index(fields=["tenant", "started_at"])]

    @property
    def deflected(self) -> bool:
        return bool(self.opened) and self.submitted_at is None


class SearchSource(models.TextChoices):
    HELP_CENTRE = "help_centre", _("Help centre")
    PORTAL = "portal", _("New request form")
    AGENT = "agent", _("Agent reply box")


class SearchLog(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=SearchSource.choices)
    query = models.CharField(max_length=QUERY_MAX)
    # The compare form (pishkhan.core.persian.normalize): ي/ی and friends count as one search.
    normalized = models.CharField(max_length=QUERY_MAX)
    results = models.PositiveIntegerField()
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [
            # "Searches that found nothing" in a period.
            models.Index(fields=["tenant", "results", "at"], name="deflection_search_empty"),
        ]
