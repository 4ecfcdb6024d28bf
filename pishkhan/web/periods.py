"""A report's period on the pages: the days as the filter shows them again, and what was wrong
with them (the reports of service levels, violations, deflection, satisfaction and quality)."""

from datetime import date

import jdatetime
from django.utils.translation import gettext as _

from pishkhan.core.persian import to_persian_digits
from pishkhan.sla.reports import MAX_PERIOD_DAYS, PeriodError


def day_input(day: date, language: str) -> str:
    """A day as typed in the filter: Jalali in Persian digits, or ISO in English."""
    if language == "en":
        return day.isoformat()
    return to_persian_digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))


def period_message(exc: PeriodError) -> str:
    if exc.code == "reversed":
        return _("The end date must not be before the start date.")
    if exc.code == "too_long":
        return _("A report covers at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
    return _("Give the date like 1405/09/01 (Jalali) or 2026-11-22.")
