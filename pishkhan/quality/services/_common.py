"""What the quality services share: who may do what, and text checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from pishkhan.core.persian import to_persian_number
from pishkhan.tenancy.models import Membership, Role, Tenant
from pishkhan.tenancy.permissions import require_member

# Who scores work and answers disputes: the owner, portal admins and supervisors.
REVIEWER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SUPERVISOR})


def is_reviewer(membership: Membership | None) -> bool:
    return membership is not None and membership.role in REVIEWER_ROLES


def require_reviewer(*, tenant: Tenant, user) -> Membership:
    membership = require_member(tenant=tenant, user=user)
    if not is_reviewer(membership):
        raise PermissionDenied(_("Only a supervisor, a portal admin or the owner may do this."))
    return membership


def number(value) -> str:
    """A number inside a message, in the reader's digits: «۵» or «۲٫۵» on a Persian page, 5 or
    2.5 in English."""
    text = str(value)
    return to_persian_number(text) if (translation.get_language() or "fa")[:2] == "fa" else text


def clean_text(value, *, field: str, limit: int, required: bool, errors: dict) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("This text has a forbidden character."))
    elif required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(
            _("At most %(n)s characters (this has %(count)s).")
            % {"n": number(limit), "count": number(len(value))}
        )
    return value
