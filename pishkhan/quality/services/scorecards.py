"""Scorecards (C-3): the tenant's criteria, their weights and scales, and the weighted score.

A scorecard that has been used keeps its criteria as they were: changing a weight afterwards
would silently change what every past review meant. It can still be renamed or retired; a new
scorecard carries the new criteria."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.core.persian import to_ascii_digits
from pishkhan.quality.models import SCALE_RANGE, Criterion, Review, Scale, Scorecard
from pishkhan.quality.services._common import clean_text, number
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin
from pishkhan.trust.services import audit_record

NAME_MAX = 120
DESCRIPTION_MAX = 500
LABEL_MAX = 200
MAX_CRITERIA = 30
WEIGHT_MAX = Decimal("1000")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def weighted_score(marks: list[tuple[Criterion, int]]) -> Decimal:
    """The weighted percentage: each mark as the share of its scale's range it reached, weighed
    by its criterion's weight; exact, rounded half-up to two places at the very end only."""
    total_weight = sum((c.weight for c, _v in marks), Decimal(0))
    if not total_weight:
        return Decimal("0.00")
    reached = sum(
        (c.weight * Decimal(value - c.low) / Decimal(c.high - c.low) for c, value in marks),
        Decimal(0),
    )
    return (reached * HUNDRED / total_weight).quantize(CENT, rounding=ROUND_HALF_UP)


def _weight(value, field: str, errors: dict) -> Decimal | None:
    # As a Persian keyboard types it too: «۱٫۵» (Persian digits, Arabic decimal separator).
    text = to_ascii_digits(str(value)).strip().replace("\u066b", ".")
    try:
        weight = Decimal(text)
    except (InvalidOperation, ValueError):
        weight = None
    if (
        weight is None
        or not weight.is_finite()
        or weight <= 0
        or weight > WEIGHT_MAX
        or weight != weight.quantize(CENT)
    ):
        errors.setdefault(field, []).append(
            _("Give a weight above 0 and at most %(max)s, with at most two decimals.")
            % {"max": number(WEIGHT_MAX)}
        )
        return None
    return weight


def _criteria(items, errors: dict) -> list[dict]:
    if not isinstance(items, list) or not items:
        errors.setdefault("criteria", []).append(_("Add at least one criterion."))
        return []
    if len(items) > MAX_CRITERIA:
        errors.setdefault("criteria", []).append(
            _("At most %(n)s criteria.") % {"n": number(MAX_CRITERIA)}
        )
        return []
    cleaned = []
    for index, item in enumerate(items):
        prefix = f"criteria.{index}"
        if not isinstance(item, dict):
            errors.setdefault(prefix, []).append(_("Send a JSON object."))
            continue
        label = clean_text(
            item.get("label"),
            field=f"{prefix}.label",
            limit=LABEL_MAX,
            required=True,
            errors=errors,
        )
        weight = _weight(item.get("weight"), f"{prefix}.weight", errors)
        scale = item.get("scale") or Scale.ONE_FIVE
        if scale not in Scale.values:
            errors.setdefault(f"{prefix}.scale", []).append(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(Scale.values)}
            )
            continue
        low, high = SCALE_RANGE[scale]
        below = item.get("comment_below")
        if below in ("", None):
            below = None
        elif isinstance(below, str) and below.strip().isdigit():
            below = int(below)
        if below is not None and (
            isinstance(below, bool) or not isinstance(below, int) or not low < below <= high
        ):
            errors.setdefault(f"{prefix}.comment_below", []).append(
                _("Give a mark above %(low)s and at most %(high)s, or leave it empty.")
                % {"low": number(low), "high": number(high)}
            )
            continue
        cleaned.append({"label": label, "weight": weight, "scale": scale, "comment_below": below})
    return cleaned


def _store_criteria(tenant: Tenant, scorecard: Scorecard, criteria: list[dict]) -> None:
    Criterion.objects.for_tenant(tenant).filter(scorecard=scorecard).delete()
    Criterion.objects.bulk_create(
        [
            Criterion(tenant=tenant, scorecard=scorecard, position=position, **item)
            for position, item in enumerate(criteria)
        ]
    )


def _name(tenant: Tenant, name, errors: dict, *, exclude: int | None = None) -> str:
    name = clean_text(name, field="name", limit=NAME_MAX, required=True, errors=errors)
    taken = Scorecard.objects.for_tenant(tenant).filter(name=name).exclude(pk=exclude)
    if name and "name" not in errors and taken.exists():
        errors.setdefault("name", []).append(_("Another scorecard has this name."))
    return name


@transaction.atomic
def scorecard_create(
    *,
    tenant: Tenant,
    actor,
    name: str,
    criteria: list[dict],
    description: str = "",
    is_active: bool = True,
    via: str = "web",
) -> Scorecard:
    require_admin(tenant=tenant, user=actor)
    errors: dict = {}
    name = _name(tenant, name, errors)
    description = clean_text(
        description, field="description", limit=DESCRIPTION_MAX, required=False, errors=errors
    )
    cleaned = _criteria(criteria, errors)
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    scorecard = Scorecard.objects.create(
        tenant=tenant,
        name=name,
        description=description,
        is_active=bool(is_active),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _store_criteria(tenant, scorecard, cleaned)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="quality_scorecard.create",
        obj=scorecard,
        via=via,
        changes={"name": scorecard.name, "criteria": len(cleaned)},
    )
    return scorecard


UNSET = object()


@transaction.atomic
def scorecard_update(
    *,
    tenant: Tenant,
    actor,
    scorecard: Scorecard,
    name=UNSET,
    description=UNSET,
    is_active=UNSET,
    criteria=UNSET,
    via: str = "web",
) -> Scorecard:
    require_admin(tenant=tenant, user=actor)
    scorecard = Scorecard.objects.for_tenant(tenant).select_for_update().get(pk=scorecard.pk)
    errors: dict = {}
    changed = ["updated_at"]
    if name is not UNSET:
        scorecard.name = _name(tenant, name, errors, exclude=scorecard.pk)
        changed.append("name")
    if description is not UNSET:
        scorecard.description = clean_text(
            description, field="description", limit=DESCRIPTION_MAX, required=False, errors=errors
        )
        changed.append("description")
    if is_active is not UNSET:
        scorecard.is_active = bool(is_active)
        changed.append("is_active")
    cleaned = None
    if criteria is not UNSET:
        if Review.objects.for_tenant(tenant).filter(scorecard=scorecard).exists():
            errors.setdefault("criteria", []).append(
                _(
                    "This scorecard has been used, so its criteria stay as they are; "
                    "make a new scorecard for new criteria."
                )
            )
        else:
            cleaned = _criteria(criteria, errors)
    if errors:
        raise ValidationError(errors)
    scorecard.updated_at = clock.now()
    scorecard.save(update_fields=changed)
    if cleaned is not None:
        _store_criteria(tenant, scorecard, cleaned)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="quality_scorecard.update",
        obj=scorecard,
        via=via,
        changes={
            "fields": [name for name in changed if name != "updated_at"],
            **({"criteria": len(cleaned)} if cleaned is not None else {}),
        },
    )
    return scorecard
