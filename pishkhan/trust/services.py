from typing import Any

from pishkhan import compiled_inserts
from pishkhan.core import clock
from pishkhan.tenancy.models import Tenant
from pishkhan.trust.models import AuditEvent


def audit_record(
    *,
    tenant: Tenant,
    actor,
    action: str,
    obj: Any,
    changes: dict | None = None,
    via: str = "web",
) -> AuditEvent:
    """Append one entry to the activity log. Call inside the transaction of the change it
    describes, so the log and the change commit or vanish together."""
    return compiled_inserts.create(
        AuditEvent,
        tenant=tenant,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        changes=changes or {},
        via=via,
        created_at=clock.now(),
    )
