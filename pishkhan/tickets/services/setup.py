"""Departments and canned replies: what admins and agents set up before tickets arrive."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pishkhan.accounts.models import User
from pishkhan.core import clock
from pishkhan.core.persian import name_key
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, require_writer
from pishkhan.tickets import fields as department_fields
from pishkhan.tickets.models import (
    CannedReply,
    Department,
)
from pishkhan.tickets.services._common import (
    BODY_MAX,
    UNSET,
    _clean_text,
)
from pishkhan.trust.services import audit_record


@transaction.atomic
def department_create(
    *,
    tenant: Tenant,
    actor: User | None,
    name: str,
    name_en: str = "",
    description: str = "",
    fields: list | None = None,
    is_active: bool = True,
    via: str = "web",
) -> Department:
    if actor is not None:
        require_admin(tenant=tenant, user=actor)
    name = _clean_text(name, field="name", max_length=120)
    definitions = department_fields.clean_definitions(fields or [])
    _require_unique_name(tenant, name)
    try:
        with transaction.atomic():
            department = Department.objects.create(
                tenant=tenant,
                name=name,
                name_key=name_key(name),
                name_en=(name_en or "").strip()[:120],
                description=(description or "").strip(),
                fields=definitions,
                is_active=is_active,
                position=Department.objects.for_tenant(tenant).count(),
            )
    except IntegrityError:
        # Another admin's spelling of the name was saved in between.
        raise ValidationError({"name": [_("A department with this name exists.")]}) from None
    audit_record(tenant=tenant, actor=actor, action="department.create", obj=department, via=via)
    return department


@transaction.atomic
def department_update(
    *,
    tenant: Tenant,
    department: Department,
    actor: User,
    name: str = UNSET,
    name_en: str = UNSET,
    description: str = UNSET,
    fields: list = UNSET,
    is_active: bool = UNSET,
    via: str = "web",
) -> Department:
    require_admin(tenant=tenant, user=actor)
    changes = {}
    if name is not UNSET:
        name = _clean_text(name, field="name", max_length=120)
        _require_unique_name(tenant, name, department=department)
        changes["name"] = name
        changes["name_key"] = name_key(name)
    if name_en is not UNSET:
        changes["name_en"] = (name_en or "").strip()[:120]
    if description is not UNSET:
        changes["description"] = (description or "").strip()
    if fields is not UNSET:
        changes["fields"] = department_fields.clean_definitions(fields)
    if is_active is not UNSET:
        changes["is_active"] = bool(is_active)
    for key, value in changes.items():
        setattr(department, key, value)
    if changes:
        try:
            with transaction.atomic():
                department.save(update_fields=list(changes))
        except IntegrityError:
            raise ValidationError({"name": [_("A department with this name exists.")]}) from None
        changes.pop("name_key", None)  # the name says it
        audit_record(
            tenant=tenant,
            actor=actor,
            action="department.update",
            obj=department,
            via=via,
            changes={k: str(v) for k, v in changes.items()},
        )
    return department


def _require_unique_name(tenant: Tenant, name: str, department: Department | None = None) -> None:
    """Department names are unique as they compare (name_key): "پشتيباني ايميل" (Arabic
    letters) and "پشتیبانی‌ایمیل" (ZWNJ) are "پشتیبانی ایمیل". Compared with every name in the
    tenant, not only with the stored keys, since departments older than the key may have
    none; a tenant has a few dozen departments."""
    key = name_key(name)
    others = Department.objects.for_tenant(tenant).values_list("name", flat=True)
    if department is not None:
        others = others.exclude(pk=department.pk)
    if any(name_key(other) == key for other in others):
        raise ValidationError({"name": [_("A department with this name exists.")]})


@transaction.atomic
def canned_reply_create(
    *, tenant: Tenant, actor: User, title: str, body: str, via: str = "web"
) -> CannedReply:
    require_writer(tenant=tenant, user=actor)
    title = _clean_text(title, field="title", max_length=120)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    if CannedReply.objects.for_tenant(tenant).filter(title=title).exists():
        raise ValidationError({"title": [_("A canned reply with this title exists.")]})
    reply = CannedReply.objects.create(
        tenant=tenant, title=title, body=body, created_by=actor, created_at=clock.now()
    )
    audit_record(tenant=tenant, actor=actor, action="canned_reply.create", obj=reply, via=via)
    return reply


@transaction.atomic
def canned_reply_delete(*, tenant: Tenant, actor: User, reply: CannedReply, via: str = "web"):
    require_writer(tenant=tenant, user=actor)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="canned_reply.delete",
        obj=reply,
        via=via,
        changes={"title": reply.title},
    )
    reply.delete()
