"""Checking many inputs at once, so a person sees every mistake in one answer, not one per try."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pishkhan.core.persian import is_blank


def collect(checks: dict[str, Callable[[], Any]]) -> tuple[dict[str, Any], dict[str, list]]:
    """Run each check; return the cleaned values and the errors by field. A check raises
    ValidationError, keyed by field or plain (then filed under the check's own name)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update(exc.message_dict)
            else:
                errors[name] = list(exc.messages)
    return cleaned, errors


def require_clean(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """`collect`, raising all errors together if there are any."""
    cleaned, errors = collect(checks)
    if errors:
        raise ValidationError(errors)
    return cleaned


def required_text(value: str | None, *, field: str, max_length: int) -> str:
    """Trimmed text that says something (not only spaces or invisible marks), at most
    `max_length` characters."""
    value = (value or "").strip()
    if is_blank(value):
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError(
            {field: [_("Too long (at most %(n)s characters).") % {"n": max_length}]}
        )
    return value


def choice(value, choices, *, field: str) -> str:
    """One of a TextChoices' values."""
    if value not in choices.values:
        raise ValidationError(
            {field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]}
        )
    return value
