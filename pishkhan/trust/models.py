"""The activity log (P-3): who changed what, when. Rows are only ever added."""

from django.conf import settings
from django.db import models

from pishkhan.indexes import only_where_set
from pishkhan.tenancy.models import Tenant, TenantScopedManager


class AuditEvent(models.Model):
    # Both indexes lead with the tenant, which serves the key too.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="audit_events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Meta: only where set (the system's own entries have none)
    )
    action = models.CharField(max_length=64)  # e.g. "ticket.assign"
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    # {"field": [old, new]} for changes; free-form details for other actions.
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=16, default="web")  # web / api / system
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id", "created_at"]),
            models.Index(fields=["tenant", "created_at"]),
            *only_where_set("audit", "actor"),
        ]
