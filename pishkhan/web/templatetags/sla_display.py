"""Service levels in words of the reader's language: targets («۲ ساعت کاری»), business time
left or overdue, clock kinds and states."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pishkhan.core.businesstime import Unit, parse_target
from pishkhan.sla.models import ClockKind
from pishkhan.sla.selectors import State
from pishkhan.web.templatetags.pishkhan import digits

register = template.Library()


def state_labels() -> dict[str, str]:
    return {
        State.ON_TRACK: _("On track"),
        State.AT_RISK: _("At risk"),
        State.BREACHED: _("Breached"),
        State.PAUSED: _("Paused"),
        State.MET: _("Met"),
        State.MISSED: _("Missed"),
        State.LAPSED: _("Lapsed"),
    }


@register.filter
def sla_target(text) -> str:
    """ "2bh" → «۲ ساعت کاری» / "2 business hours"; a blank or unreadable target as a dash."""
    if not text:
        return "—"
    try:
        target = parse_target(str(text))
    except ValueError:
        return str(text)
    n = target.amount
    if target.unit is Unit.BUSINESS_HOURS:
        words = ngettext("%(n)s business hour", "%(n)s business hours", n)
    elif target.unit is Unit.BUSINESS_DAYS:
        words = ngettext("%(n)s business day", "%(n)s business days", n)
    else:
        words = ngettext("%(n)s minute", "%(n)s minutes", n)
    return digits(words % {"n": n})


def _duration(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if minutes or not hours:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return digits(_(" and ").join(parts) if len(parts) > 1 else parts[0])


@register.filter
def sla_left(seconds) -> str:
    """Business time left, or how long overdue, in hours and minutes."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 0:
        return _("overdue by %(time)s") % {"time": _duration(-seconds)}
    return _("%(time)s left") % {"time": _duration(seconds)}


@register.filter
def sla_state(state: str) -> str:
    return state_labels().get(state, state)


@register.filter
def sla_kind(kind: str) -> str:
    return dict(ClockKind.choices).get(kind, kind)
