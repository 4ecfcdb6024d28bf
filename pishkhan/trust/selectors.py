from pishkhan.tenancy.models import Tenant
from pishkhan.trust.models import AuditEvent


def audit_list_for_object(*, tenant: Tenant, obj, limit: int = 100):
    return (
        AuditEvent.objects.for_tenant(tenant)
        .filter(object_type=obj._meta.model_name, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
