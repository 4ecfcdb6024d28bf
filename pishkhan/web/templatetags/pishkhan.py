"""Persian at the edges: digits, Jalali dates and field labels in the active language."""

import re
from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone, translation

from pishkhan.core import jalali
from pishkhan.core.money import format_money
from pishkhan.core.persian import to_persian_digits, to_persian_number

register = template.Library()


def _language() -> str:
    return (translation.get_language() or "fa")[:2]


# A value that is one number written out ("65.28", "-1.5"), not a text with numbers in it.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@register.filter
def digits(value) -> str:
    """Persian digits in the Persian UI, as-is in English. A number keeps its fraction after
    the Persian decimal separator («۳٫۶۷»); in a text (an error message, an address) only the
    digits change, so "185.8.172.10" is not mistaken for a number."""
    text = "" if value is None else str(value)
    if _language() != "fa":
        return text
    if isinstance(value, int | float | Decimal) or _NUMBER.fullmatch(text):
        return to_persian_number(text)
    return to_persian_digits(text)


@register.filter
def percent(value) -> str:
    """A percentage in the active language: «۹۰٫۶۳٪» in Persian, "90.63%" in English."""
    if value is None or value == "":
        return ""
    return f"{digits(value)}{'٪' if _language() == 'fa' else '%'}"


@register.filter
def jdate(value, with_time: bool = True) -> str:
    """Jalali date (and time) in Persian, Gregorian in English, in the workspace's time zone
    (activated for its pages and mails; Tehran's where none is)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return jalali.format_datetime(
            value,
            language=_language(),
            tz=timezone.get_current_timezone(),
            with_time=bool(with_time),
        )
    if isinstance(value, date):
        return jalali.format_date(value, language=_language())
    return str(value)


@register.filter
def money(obj) -> str:
    """A fine (or anything with amount and currency) in the active language's digits."""
    return format_money(obj.amount, obj.currency, _language())


@register.filter
def label(obj) -> str:
    """A department's (or field definition's) name in the active language."""
    language = _language()
    if isinstance(obj, dict):
        return obj.get("label_en") if language == "en" else obj.get("label_fa", "")
    return obj.label(language) if hasattr(obj, "label") else str(obj)


@register.filter
def chat_text(message) -> str:
    """A chat line as the reader reads it: a system line in the active language."""
    return message.text_in(_language())


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def system_text(message) -> str:
    """System messages are stored as data ("status:old:new") and worded at display time, so
    each reader sees them in their own language."""
    from django.utils.translation import gettext as _

    from pishkhan.tickets.models import Status

    parts = message.body.split(":")
    if len(parts) == 3 and parts[0] == "status":
        labels = dict(Status.choices)
        return _("Status changed from %(old)s to %(new)s") % {
            "old": labels.get(parts[1], parts[1]),
            "new": labels.get(parts[2], parts[2]),
        }
    return message.body


@register.filter
def audit_text(event) -> str:
    """An activity-log entry in words of the reader's language."""
    from django.utils.translation import gettext as _

    words = {
        "ticket.submit": _("opened the ticket"),
        "ticket.reply": _("replied"),
        "ticket.note": _("added an internal note"),
        "ticket.status": _("changed the status"),
        "ticket.update": _("changed properties"),
        "ticket.restored": _("marked restored (workaround in place)"),
        "ticket.not_a_fault": _("marked as not a software fault"),
        "sla.at_risk": _("service level at risk"),
        "sla.breach": _("service level breached"),
        "ticket.merge": _("merged this ticket into another"),
        "ticket.unmerge": _("un-merged this ticket"),
        "ticket.close_with_reason": _("closed without an answer"),
        "ticket.out_of_scope": _("marked out of the support's scope"),
        "ticket.time": _("recorded time"),
        "module.install": _("recorded a module installation"),
    }
    text = words.get(event.action, event.action)
    if event.action.startswith("sla.") and event.changes.get("clock"):
        kinds = {
            "first_response": _("First response"),
            "restore": _("Restore"),
            "resolution": _("Resolution"),
        }
        kind = kinds.get(event.changes["clock"], event.changes["clock"])
        return f"{text}: {kind}"
    if event.action != "ticket.update":
        return text
    fields = {
        "status": _("Status"),
        "priority": _("Priority"),
        "severity": _("Severity"),
        "assignee": _("Assignee"),
        "department": _("Department"),
        "tags": _("Tags"),
    }
    changed = [str(fields[key]) for key in event.changes if key in fields]
    separator = "، " if _language() == "fa" else ", "
    return f"{text}: {separator.join(changed)}" if changed else text


@register.filter
def filesize(num_bytes) -> str:
    """A file size in the reader's language: «۱۰ مگابایت» / "10 MB"."""
    from django.utils.translation import gettext as _

    size = float(num_bytes or 0)
    units = (_("bytes"), _("KB"), _("MB"))
    for unit in units:
        if size < 1024 or unit == units[-1]:
            number = f"{size:.0f}" if size >= 10 or size == int(size) else f"{size:.1f}"
            return f"{digits(number)} {unit}"
        size /= 1024
    return ""
