"""Visitors: who is writing from the widget."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.accounts.selectors import customer_get_by_email
from pishkhan.chat.models import Visitor
from pishkhan.chat.selectors import visitor_get_by_key
from pishkhan.chat.services._common import NAME_MAX, PHONE_MAX
from pishkhan.core import clock
from pishkhan.core.persian import to_ascii_digits
from pishkhan.tenancy.models import Tenant
from pishkhan.validation import require_clean


def _text(value, *, field: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Give a text.")]})
    value = " ".join(value.replace("\x00", "").split())
    if len(value) > max_length:
        raise ValidationError(
            {field: [_("Too long (at most %(n)s characters).") % {"n": max_length}]}
        )
    return value


def _email(value) -> str:
    value = _text(value, field="email", max_length=254).lower()
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    return value


def _phone(value) -> str:
    value = to_ascii_digits(_text(value, field="phone", max_length=PHONE_MAX)).replace(" ", "")
    value = value.replace("-", "")
    if value and not (value.lstrip("+").isdigit() and 5 <= len(value) <= 16):
        raise ValidationError({"phone": [_("Enter a phone number of digits, e.g. 09121234567.")]})
    return value


@transaction.atomic
def visitor_identify(
    *,
    tenant: Tenant,
    key: str | None,
    name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
) -> Visitor:
    """The visitor behind a widget: recognised by their secret key (on this tenant only:
    another tenant's key names nobody here); otherwise a new visitor. Never by email: anyone
    can type someone's address, and being recognised hands over that visitor's key and their
    open chat. The email only links the visitor to the tenant's customer, and staff see the
    chats of every visitor with that address. Details given now replace the stored ones;
    details left empty keep them."""
    cleaned = require_clean(
        {
            "name": lambda: _text(name, field="name", max_length=NAME_MAX),
            "email": lambda: _email(email),
            "phone": lambda: _phone(phone),
        }
    )
    language = language if language in ("fa", "en") else tenant.default_language
    now = clock.now()
    visitor = visitor_get_by_key(tenant=tenant, key=key)
    if visitor is None:
        visitor = Visitor(tenant=tenant, created_at=now, language=language)
    for field, value in cleaned.items():
        if value:
            setattr(visitor, field, value)
    visitor.language = language
    visitor.last_seen_at = now
    if visitor.customer_id is None and visitor.email:
        visitor.customer = customer_get_by_email(tenant=tenant, email=visitor.email)
    visitor.save()
    return visitor
