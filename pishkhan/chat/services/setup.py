"""Chat settings and agents' seats (capacity)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.chat.models import AgentSeat, ChatSettings
from pishkhan.chat.selectors import chat_settings_get
from pishkhan.core import clock
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, require_member
from pishkhan.tickets.models import Department
from pishkhan.trust.services import audit_record
from pishkhan.validation import require_clean

GREETING_MAX = 300
MAX_ORIGINS = 50
OFFER_SECONDS_RANGE = (5, 600)
CAPACITY_RANGE = (1, 50)


def clean_origin(value: str) -> str:
    """`https://shop.example.ir` (scheme and host, a port if any, nothing else)."""
    raw = (value or "").strip().rstrip("/")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ValidationError(
            _("%(origin)s is not an origin like https://shop.example.ir.") % {"origin": raw[:80]}
        )
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _origins(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("Give a list of origins."))
    cleaned = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(_("Give a list of origins."))
        if item.strip():
            origin = clean_origin(item)
            if origin not in cleaned:
                cleaned.append(origin)
    if len(cleaned) > MAX_ORIGINS:
        raise ValidationError(_("At most %(max)d origins.") % {"max": MAX_ORIGINS})
    return cleaned


def _number(value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise ValidationError(
            _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return number


def _greeting(value) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("Give a text."))
    value = value.strip()
    if len(value) > GREETING_MAX:
        raise ValidationError(_("At most %(max)d characters.") % {"max": GREETING_MAX})
    return value


def _department(value, *, tenant: Tenant):
    if value in (None, ""):
        return None
    if isinstance(value, Department):
        value = value.pk
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    found = (
        Department.objects.for_tenant(tenant).filter(pk=pk, is_active=True).first() if pk else None
    )
    if found is None:
        raise ValidationError(_("Not found in this workspace."))
    return found


@transaction.atomic
def chat_settings_update(*, tenant: Tenant, actor, via: str = "web", **fields) -> ChatSettings:
    require_admin(tenant=tenant, user=actor)
    known = {
        "enabled": lambda v: bool(v),
        "allowed_origins": _origins,
        "greeting_fa": _greeting,
        "greeting_en": _greeting,
        "offer_seconds": lambda v: _number(v, *OFFER_SECONDS_RANGE),
        "default_capacity": lambda v: _number(v, *CAPACITY_RANGE),
        "default_department": lambda v: _department(v, tenant=tenant),
    }
    unknown = set(fields) - set(known)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    cleaned = require_clean({name: _check(known[name], value) for name, value in fields.items()})
    chat_settings_get(tenant=tenant)
    current = ChatSettings.objects.select_for_update().get(tenant=tenant)
    changes = {}
    for name, value in cleaned.items():
        old = getattr(current, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(current, name, value)
    if changes:
        current.updated_at = clock.now()
        current.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="chat.settings",
            obj=current,
            changes=changes,
            via=via,
        )
    return current


def _check(function, value):
    return lambda: function(value)


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def seat_update(*, tenant: Tenant, actor, user, capacity) -> AgentSeat:
    """An agent's own capacity: owner or admin sets it (empty: the tenant's default)."""
    require_admin(tenant=tenant, user=actor)
    require_member(tenant=tenant, user=user)
    if capacity in (None, ""):
        value = None
    else:
        try:
            value = _number(capacity, *CAPACITY_RANGE)
        except ValidationError as exc:
            raise ValidationError({"capacity": exc.messages}) from exc
    seat, _created = AgentSeat.objects.get_or_create(tenant=tenant, user=user)
    seat.capacity = value
    seat.save(update_fields=["capacity"])
    return seat
