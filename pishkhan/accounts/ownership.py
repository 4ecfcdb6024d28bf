"""Customers' services and their verified owners (T-8) [002 r3]: the writes (reads are in
accounts.selectors).

A customer registers a service they hold (a domain, a hosting plan, a server); staff check the
owner's documents and verify the claim, recording who and when. Only one claim on an
identifier can be verified at a time."""

import ipaddress

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pishkhan.accounts.models import Customer, OwnedService, ServiceKind, User
from pishkhan.core import clock
from pishkhan.core.persian import to_ascii_digits
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer, staff_membership
from pishkhan.trust.services import audit_record
from pishkhan.validation import choice, collect

NOTE_MAX = 500
LABEL_MAX = 200


def clean_identifier(kind: str, value: str) -> str:
    """The compare form of a service's identifier: lower case, no scheme or trailing slash,
    domains in their ASCII (IDNA) form, IPs in their canonical form."""
    text = to_ascii_digits((value or "").strip()).lower()
    text = text.removeprefix("http://").removeprefix("https://").removeprefix("www.").rstrip("/")
    if not text:
        raise ValidationError({"identifier": [_("This field is required.")]})
    if len(text) > 253 or any(c.isspace() for c in text) or "\x00" in text:
        raise ValidationError({"identifier": [_("Enter one name, address or code.")]})
    if kind == ServiceKind.DOMAIN:
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValidationError(
                {"identifier": [_("Enter a domain name such as example.ir.")]}
            ) from exc
        if "." not in text:
            raise ValidationError({"identifier": [_("Enter a domain name such as example.ir.")]})
    elif kind == ServiceKind.SERVER:
        try:
            text = str(ipaddress.ip_address(text))
        except ValueError:
            pass  # a host name is fine too
    return text


def _may_manage(*, tenant: Tenant, customer: Customer, actor: User) -> str:
    """'staff' or 'customer' (the service's own customer); anyone else is refused."""
    if staff_membership(tenant=tenant, user=actor) is not None:
        require_writer(tenant=tenant, user=actor)
        return "staff"
    if customer.user_id is not None and customer.user_id == actor.pk:
        return "customer"
    raise PermissionDenied(_("You may not change this customer's services."))


@transaction.atomic
def service_register(
    *,
    tenant: Tenant,
    customer: Customer,
    actor: User,
    kind: str,
    identifier: str,
    label: str = "",
    via: str = "web",
) -> OwnedService:
    """A customer (or staff on their behalf) registers a service they hold, unverified."""
    if customer.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant customer")
    _may_manage(tenant=tenant, customer=customer, actor=actor)
    cleaned, errors = collect(
        {
            "kind": lambda: choice(kind, ServiceKind, field="kind"),
            "label": lambda: _clean_short(label, field="label", max_length=LABEL_MAX),
        }
    )
    if "kind" not in errors:
        try:
            cleaned["identifier"] = clean_identifier(cleaned["kind"], identifier)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            service = OwnedService.objects.create(
                tenant=tenant,
                customer=customer,
                kind=cleaned["kind"],
                identifier=cleaned["identifier"],
                label=cleaned["label"],
                created_at=clock.now(),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"identifier": [_("You have already registered this service.")]}
        ) from exc
    audit_record(
        tenant=tenant,
        actor=actor,
        action="service.register",
        obj=service,
        via=via,
        changes={"kind": service.kind, "identifier": service.identifier},
    )
    return service


def _clean_short(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > max_length:
        raise ValidationError(
            {field: [_("Too long (at most %(n)s characters).") % {"n": max_length}]}
        )
    if "\x00" in text:
        raise ValidationError({field: [_("This text has a forbidden character.")]})
    return text


@transaction.atomic
def service_verify(
    *, tenant: Tenant, service: OwnedService, actor: User, note: str, via: str = "web"
) -> OwnedService:
    """Staff checked the owner's identity and documents: record what, who and when."""
    require_writer(tenant=tenant, user=actor)
    note = _clean_short(note, field="note", max_length=NOTE_MAX, required=True)
    service = OwnedService.objects.select_for_update().get(pk=service.pk, tenant=tenant)
    if service.is_verified:
        raise ValidationError(_("This service is already verified."), code="already_verified")
    other = (
        OwnedService.objects.for_tenant(tenant)
        .filter(kind=service.kind, identifier=service.identifier, verified_at__isnull=False)
        .exclude(pk=service.pk)
        .select_related("customer")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("%(id)s is already verified as %(name)s's; withdraw that first.")
            % {"id": service.identifier, "name": other.customer.name},
            code="owned_by_another",
        )
    service.verified_at = clock.now()
    service.verified_by = actor
    service.verification_note = note
    service.save(update_fields=["verified_at", "verified_by", "verification_note"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="service.verify",
        obj=service,
        via=via,
        changes={"identifier": service.identifier, "note": note},
    )
    return service


@transaction.atomic
def service_unverify(
    *, tenant: Tenant, service: OwnedService, actor: User, note: str, via: str = "web"
) -> OwnedService:
    """Withdraw a verification (the service changed hands)."""
    require_writer(tenant=tenant, user=actor)
    note = _clean_short(note, field="note", max_length=NOTE_MAX, required=True)
    service = OwnedService.objects.select_for_update().get(pk=service.pk, tenant=tenant)
    if not service.is_verified:
        raise ValidationError(_("This service is not verified."), code="not_verified")
    service.verified_at = None
    service.verified_by = None
    service.verification_note = ""
    service.save(update_fields=["verified_at", "verified_by", "verification_note"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="service.unverify",
        obj=service,
        via=via,
        changes={"identifier": service.identifier, "note": note},
    )
    return service


@transaction.atomic
def service_remove(*, tenant: Tenant, service: OwnedService, actor: User, via: str = "web"):
    """A customer withdraws an unverified claim; staff may remove any."""
    role = _may_manage(tenant=tenant, customer=service.customer, actor=actor)
    if role == "customer" and service.is_verified:
        raise PermissionDenied(_("A verified service is removed by our staff."))
    audit_record(
        tenant=tenant,
        actor=actor,
        action="service.remove",
        obj=service,
        via=via,
        changes={"identifier": service.identifier},
    )
    service.delete()
