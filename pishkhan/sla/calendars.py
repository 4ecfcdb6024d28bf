"""From stored calendars to the engine's `Calendar` (pure, `core.businesstime`), and the
week-schedule format both the admin form and the API use.

A stored week is a list of seven lists (Monday first, like `date.weekday()`) of
["HH:MM", "HH:MM"] intervals; "24:00" may end an interval.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from pishkhan.core.businesstime import MIDNIGHT, Calendar, DaySchedule
from pishkhan.core.iran_calendar import (
    DEFAULT_HOLIDAY_YEARS,
    IRAN_WORKWEEK,
    apply_overrides,
    official_holidays,
)
from pishkhan.sla.models import (
    BusinessCalendar,
    CalendarDay,
    DayKind,
    HolidayOverride,
    OverrideAction,
)

# Weekdays in the order an Iranian week is read: Saturday first.
WEEK_ORDER = (5, 6, 0, 1, 2, 3, 4)
# Weekday names (Monday 0), ours rather than Django's: its Persian catalogue writes «سه شنبه»
# and «پنجشنبه», where Persian writes «سه‌شنبه» and «پنج‌شنبه» with a zero-width non-joiner.
WEEKDAY_NAMES = {
    0: pgettext_lazy("weekday", "Monday"),
    1: pgettext_lazy("weekday", "Tuesday"),
    2: pgettext_lazy("weekday", "Wednesday"),
    3: pgettext_lazy("weekday", "Thursday"),
    4: pgettext_lazy("weekday", "Friday"),
    5: pgettext_lazy("weekday", "Saturday"),
    6: pgettext_lazy("weekday", "Sunday"),
}
MAX_INTERVALS_PER_DAY = 6


def default_week(days, start: str, end: str) -> list[list[list[str]]]:
    chosen = set(days)
    return [[[start, end]] if day in chosen else [] for day in range(7)]


# [003 4.2.3] office hours; [002 r2] telephone support hours; [002 r10, r17] round the clock.
DEFAULT_CALENDARS = {
    "office": {
        "label": "ساعات اداری (شنبه تا چهارشنبه ۸ تا ۱۶)",
        "week": default_week(IRAN_WORKWEEK, "08:00", "16:00"),
        "day_minutes": 480,
        "official_holidays": True,
    },
    "support": {
        "label": "پشتیبانی (شنبه تا چهارشنبه ۹ تا ۱۷)",
        "week": default_week(IRAN_WORKWEEK, "09:00", "17:00"),
        "day_minutes": 480,
        "official_holidays": True,
    },
    "24x7": {
        "label": "شبانه‌روزی",
        "week": default_week(range(7), "00:00", "24:00"),
        "day_minutes": 1440,
        "official_holidays": False,
    },
}


def _parse_wall(text: str, *, is_end: bool) -> time:
    text = str(text).strip()
    if is_end and text == "24:00":
        return MIDNIGHT
    try:
        hours, minutes = text.split(":")
        if len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise ValueError(text) from exc


def parse_week(raw) -> tuple[DaySchedule, ...]:
    """The engine's week from the stored form; ValidationError (field "week") when it is not
    seven days of sorted, non-overlapping HH:MM intervals with some working time."""

    def bad(message: str) -> ValidationError:
        return ValidationError({"week": [message]})

    if not isinstance(raw, list | tuple) or len(raw) != 7:
        raise bad(_("Give the working hours of all seven weekdays."))
    week = []
    for day in raw:
        if not isinstance(day, list | tuple) or len(day) > MAX_INTERVALS_PER_DAY:
            raise bad(
                _("A day has at most %(n)s working intervals.") % {"n": MAX_INTERVALS_PER_DAY}
            )
        intervals = []
        previous_end = -1
        for interval in day:
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise bad(_("An interval is a start and an end time, like 08:00-12:00."))
            try:
                start = _parse_wall(interval[0], is_end=False)
                end = _parse_wall(interval[1], is_end=True)
            except ValueError as exc:
                raise bad(
                    _("“%(value)s” is not a time of day (HH:MM, 00:00 to 24:00).")
                    % {"value": exc.args[0]}
                ) from exc
            start_minutes = start.hour * 60 + start.minute
            end_minutes = 1440 if end == MIDNIGHT else end.hour * 60 + end.minute
            if end_minutes <= start_minutes:
                raise bad(_("Each interval must end after it starts."))
            if start_minutes < previous_end:
                raise bad(_("A day's intervals must be in order and must not overlap."))
            previous_end = end_minutes
            intervals.append((start, end))
        week.append(tuple(intervals))
    if not any(week):
        raise bad(_("A calendar needs some working time in its week."))
    return tuple(week)


def format_week(week: tuple[DaySchedule, ...]) -> list[list[list[str]]]:
    def wall(value: time, *, is_end: bool) -> str:
        return "24:00" if is_end and value == MIDNIGHT else value.strftime("%H:%M")

    return [
        [[wall(start, is_end=False), wall(end, is_end=True)] for start, end in day] for day in week
    ]


def check_time_zone(name: str) -> ZoneInfo:
    try:
        if name not in _zone_names():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            {"time_zone": [_("Unknown time zone (for example Asia/Tehran).")]}
        ) from exc


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def official_with_overrides() -> frozenset[date]:
    """Iran's official holidays with the operator's overrides applied."""
    stamp = HolidayOverride.objects.aggregate(n=Count("id"), last=Max("created_at"))
    return _official_with_overrides(stamp["n"], stamp["last"])


@lru_cache(maxsize=4)
def _official_with_overrides(_count, _last) -> frozenset[date]:
    # Keyed by the table's row count and last change, so every process sees an operator's
    # change on its next calculation without a cache to invalidate by hand.
    overrides = list(HolidayOverride.objects.values_list("date", "action"))
    return apply_overrides(
        official_holidays(DEFAULT_HOLIDAY_YEARS),
        add=[d for d, action in overrides if action == OverrideAction.ADD],
        remove=[d for d, action in overrides if action == OverrideAction.REMOVE],
    )


def engine_calendar(calendar: BusinessCalendar) -> Calendar:
    """The engine's calendar for a stored one, cached per process until it or the holiday
    overrides change (building a year's intervals is the expensive part of the engine)."""
    return engine_of(engine_key(calendar))


def engine_key(calendar: BusinessCalendar) -> tuple:
    """What a calendar's engine is built from, its days and holidays read: small, so it can
    be kept where the engine (a year's intervals each) would cost memory (`engine_of`)."""
    holidays = official_with_overrides() if calendar.official_holidays else frozenset()
    days = tuple(
        CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind").order_by("date")
    )
    return (
        calendar.pk,
        calendar.name,
        calendar.time_zone,
        tuple(tuple(tuple(interval) for interval in day) for day in calendar.week),
        calendar.day_minutes,
        holidays,
        days,
    )


def engine_of(key: tuple) -> Calendar:
    """The engine `engine_key` describes, built at most once per process while it is among
    the 256 most recently used."""
    return _engine_calendar(*key)


@lru_cache(maxsize=256)
def _engine_calendar(_pk, name, zone, week, day_minutes, holidays, days) -> Calendar:
    closed = {d for d, kind in days if kind == DayKind.CLOSED}
    opened = {d for d, kind in days if kind == DayKind.OPEN}
    return Calendar(
        name=name,
        week=parse_week(week),
        hours_per_day=day_minutes / 60,
        tz=ZoneInfo(zone),
        holidays=frozenset((set(holidays) - opened) | closed),
    )


def holidays_between(calendar: BusinessCalendar, first: date, last: date) -> list[date]:
    """The dates between first and last (inclusive) on which this calendar does not work
    because of a holiday (official, operator's or the tenant's own)."""
    engine = engine_calendar(calendar)
    days = []
    day = first
    while day <= last:
        if day in engine.holidays:
            days.append(day)
        day += timedelta(days=1)
    return days
