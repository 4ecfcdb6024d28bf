"""Human-readable dates and numbers: Jalali + Persian digits for "fa", Gregorian for "en".

Month names and separators are spelled out here rather than taken from strftime/locale, so the
output is the same on every machine whatever its C locale is.
"""

import functools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jdatetime  # type: ignore[import-untyped]  # ships no py.typed marker

from pishkhan.core.persian import to_ascii_digits, to_persian_digits

__all__ = ["format_date", "format_datetime", "format_number", "parse_date"]

DEFAULT_TZ = "Asia/Tehran"

JALALI_MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)

GREGORIAN_MONTHS_EN = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

PERSIAN_COMMA = "،"  # U+060C, between date and time in Persian
PERSIAN_THOUSANDS_SEPARATOR = "٬"  # U+066C, the Arabic thousands separator Persian typesetting uses


def _language(language: str) -> str:
    # Accept what Django/browsers hand us ("fa", "fa-IR", "en_US", "EN") but refuse anything else:
    # silently rendering an unsupported language in English would hide a configuration bug.
    primary = language.replace("_", "-").split("-", 1)[0].lower()
    if primary not in ("fa", "en"):
        raise ValueError(f"unsupported language {language!r}; expected 'fa' or 'en'")
    return primary


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _localize(value: datetime, tz: ZoneInfo | str) -> datetime:
    # A naive datetime has no single meaning (server zone? UTC? Tehran?), so guessing would show
    # a wrong time to someone; the caller must say which instant it means.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(_zone(tz))


# A page of tickets shows a few distinct days many times over; the calendar conversion was
# most of what showing a date cost.
@functools.lru_cache(maxsize=4096)
def _date_text(day: date, language: str) -> str:
    if language == "fa":
        j = jdatetime.date.fromgregorian(date=day)
        return to_persian_digits(f"{j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}")
    return f"{day.day} {GREGORIAN_MONTHS_EN[day.month - 1]} {day.year}"


def format_datetime(
    value: datetime,
    *,
    language: str,
    tz: ZoneInfo | str = DEFAULT_TZ,
    with_time: bool = True,
) -> str:
    """Render an aware datetime in `tz`: "۲ آذر ۱۴۰۵، ۱۵:۳۰" (fa) or "23 Nov 2026, 15:30" (en).

    Raises ValueError for a naive datetime or an unsupported language.
    """
    lang = _language(language)
    local = _localize(value, tz)
    # The calendar day is taken *after* conversion: 21:00 UTC on 20 March is already
    # 1 Farvardin (Nowruz) in Tehran.
    text = _date_text(local.date(), lang)
    if not with_time:
        return text
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if lang == "fa":
        return f"{text}{PERSIAN_COMMA} {to_persian_digits(clock)}"
    return f"{text}, {clock}"


def format_date(
    value: date | datetime,
    *,
    language: str,
    tz: ZoneInfo | str = DEFAULT_TZ,
) -> str:
    """Render a date: "۲ آذر ۱۴۰۵" (fa) or "23 Nov 2026" (en).

    A datetime must be aware and is converted to `tz` first; a plain date is a calendar day
    with no zone, so `tz` does not apply to it.
    """
    if isinstance(value, datetime):  # checked first: datetime is a subclass of date
        return format_datetime(value, language=language, tz=tz, with_time=False)
    return _date_text(value, _language(language))


def format_number(n: int, *, language: str) -> str:
    """Group thousands: "۱٬۲۳۴٬۵۶۷" (fa) or "1,234,567" (en). Negative numbers keep an ASCII "-"."""
    lang = _language(language)
    grouped = f"{n:,d}"
    if lang == "fa":
        return to_persian_digits(grouped.replace(",", PERSIAN_THOUSANDS_SEPARATOR))
    return grouped


_DATE = re.compile(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})")
# Solar Hijri years are about 621 behind Gregorian ones: a four-digit year below this is Jalali.
_JALALI_YEAR_LIMIT = 1700


def parse_date(text: str) -> date:
    """A date as people type it here: Jalali (1405/09/12) or Gregorian (2026-12-03), in
    Persian, Arabic-Indic or ASCII digits, with /, - or . between the parts. The year tells the
    calendars apart. ValueError for anything else or a day that does not exist."""
    match = _DATE.fullmatch(to_ascii_digits(str(text)).strip())
    if match is None:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    if year < _JALALI_YEAR_LIMIT:
        result: date = jdatetime.date(year, month, day).togregorian()
        return result
    return date(year, month, day)
