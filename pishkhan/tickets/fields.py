"""A department's required fields [002 r13]: checking the definitions and the values."""

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from pishkhan.core.persian import normalize, to_ascii_digits
from pishkhan.tickets.models import FieldKind

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?!-)(?:[a-z0-9-]{1,63}(?<!-)\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
MAX_VALUE_LENGTH = 500
# "Label: value" on a line of its own, maybe as a list item; ":" in either width.
LABELLED_LINE = re.compile(
    r"^\s*(?:[-*•]\s*)?([^:：\n]{1,80}?)\s*[:：]\s*(\S.*?)\s*$", re.MULTILINE
)


def clean_definitions(raw) -> list[dict]:
    """Validate a department's field list; returns it in canonical form."""
    if not isinstance(raw, list):
        raise ValidationError({"fields": [_("Fields must be a list.")]})
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationError(
                {"fields": [_("Field %(n)s is not an object.") % {"n": index + 1}]}
            )
        key = str(item.get("key", "")).strip()
        if not KEY_RE.match(key):
            raise ValidationError(
                {
                    "fields": [
                        _("Field key %(key)r must be lowercase Latin letters, digits or _.")
                        % {"key": key}
                    ]
                }
            )
        if key in seen:
            raise ValidationError({"fields": [_("Field key %(key)r is repeated.") % {"key": key}]})
        seen.add(key)
        kind = item.get("kind", FieldKind.TEXT)
        if kind not in FieldKind.values:
            raise ValidationError({"fields": [_("Unknown field kind %(kind)r.") % {"kind": kind}]})
        label_fa = str(item.get("label_fa", "")).strip()
        if not label_fa:
            raise ValidationError(
                {"fields": [_("Field %(key)r needs a Persian label.") % {"key": key}]}
            )
        cleaned.append(
            {
                "key": key,
                "label_fa": label_fa,
                "label_en": str(item.get("label_en", "")).strip() or label_fa,
                "kind": kind,
                "required": bool(item.get("required", True)),
            }
        )
    return cleaned


def field_label(definition: dict, language: str) -> str:
    return definition["label_en"] if language == "en" else definition["label_fa"]


def _clean_value(kind: str, value: str) -> str:
    if kind == FieldKind.NUMBER:
        value = to_ascii_digits(value).replace(",", "").replace("٬", "")
        if not value.isdigit():
            raise ValidationError(_("Enter a number."))
    elif kind == FieldKind.DOMAIN:
        value = value.lower().removeprefix("http://").removeprefix("https://").rstrip("/")
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValidationError(_("Enter a domain name such as example.ir.")) from exc
        if not DOMAIN_RE.match(value):
            raise ValidationError(_("Enter a domain name such as example.ir."))
    elif kind == FieldKind.IP:
        try:
            value = str(ipaddress.ip_address(to_ascii_digits(value)))
        except ValueError as exc:
            raise ValidationError(_("Enter a valid IPv4 or IPv6 address.")) from exc
    elif kind == FieldKind.EMAIL:
        EmailValidator(message=_("Enter a valid email address."))(value)
    elif kind == FieldKind.URL:
        URLValidator(message=_("Enter a valid web address."))(value)
    return value


def clean_values(definitions: list[dict], raw: dict | None, *, missing: list | None = None) -> dict:
    """Check submitted values against the definitions. Unknown keys are refused rather than
    silently dropped, so an integration learns of its typo. With `missing`, a required field
    without a value is listed there instead of refused (mail and phone intake ask for it)."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValidationError({"fields": [_("Fields must be an object of key: value.")]})
    known = {d["key"] for d in definitions}
    errors: dict[str, list[str]] = {}
    for key in raw:
        if key not in known:
            errors[f"fields.{key}"] = [_("This department has no field %(key)r.") % {"key": key}]
    values: dict[str, str] = {}
    for definition in definitions:
        key = definition["key"]
        value = raw.get(key)
        value = "" if value is None else str(value).strip()
        if not value:
            if definition["required"] and missing is not None:
                missing.append(key)
            elif definition["required"]:
                errors[f"fields.{key}"] = [_("This field is required.")]
            continue
        if len(value) > MAX_VALUE_LENGTH:
            errors[f"fields.{key}"] = [
                _("Too long (at most %(n)s characters).") % {"n": MAX_VALUE_LENGTH}
            ]
            continue
        try:
            values[key] = _clean_value(definition["kind"], value)
        except ValidationError as exc:
            errors[f"fields.{key}"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return values


def values_from_text(definitions: list[dict], text: str) -> dict[str, str]:
    """Field values written in a message as "Label: value" lines (the Persian or English
    label, or the key), for channels without a form: a mailed request, or the answer to our
    mail asking for the missing fields (T-6). Only values that pass the field's check are
    taken; the first line for a field wins. Anything else stays in the text for the agent."""
    by_name: dict[str, dict] = {}
    for definition in definitions:
        for name in (definition["label_fa"], definition["label_en"], definition["key"]):
            by_name.setdefault(normalize(name), definition)
    values: dict[str, str] = {}
    for match in LABELLED_LINE.finditer(text or ""):
        definition = by_name.get(normalize(match.group(1)))
        if definition is None or definition["key"] in values:
            continue
        value = match.group(2)
        if len(value) > MAX_VALUE_LENGTH:
            continue
        try:
            values[definition["key"]] = _clean_value(definition["kind"], value)
        except ValidationError:
            continue
    return values
