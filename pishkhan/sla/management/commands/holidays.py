"""`pishkhan holidays`: the operator's corrections of Iran's official holidays, for every tenant.

    pishkhan holidays list [--year 1405]
    pishkhan holidays add 1405/11/03 --name "..."      a day off the list lacks (announced)
    pishkhan holidays remove 1405/11/04                a listed day that is not a holiday
    pishkhan holidays clear 1405/11/04                 forget the correction

Lunar holidays move with the sighting of the crescent, so when a date is announced a day later
than the official calendar predicted, the operator removes the old day and adds the new one.
Every running SLA clock that counts on official holidays gets new due times at once.
"""

from datetime import timedelta

import jdatetime
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pishkhan.core.iran_calendar import DEFAULT_HOLIDAY_YEARS, OFFICIAL_HOLIDAYS, official_holidays
from pishkhan.core.jalali import parse_date
from pishkhan.core.persian import to_persian_digits
from pishkhan.sla.calendars import official_with_overrides
from pishkhan.sla.selectors import holiday_override_list
from pishkhan.sla.services import holiday_override_delete, holiday_override_set


def _jalali(day) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


class Command(BaseCommand):
    help = "List or correct Iran's official holidays (for every tenant)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the holidays of a Jalali year, with corrections")
        listing.add_argument("--year", type=int, help="Jalali year, e.g. 1405 (default: this one)")
        for name, text in (
            ("add", "make a date a holiday"),
            ("remove", "make a listed holiday a working day"),
            ("clear", "drop the correction of a date"),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("date", help="Jalali 1405/11/03 or Gregorian 2027-01-23")
            if name == "add":
                command.add_argument("--name", default="", help="what the holiday is")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "list":
            return self._list(options.get("year"))
        try:
            day = parse_date(options["date"])
        except ValueError as exc:
            raise CommandError(
                "تاریخ نادرست است (نمونه: 1405/11/03) / bad date (e.g. 1405/11/03 or 2027-01-23)"
            ) from exc
        try:
            if action == "clear":
                found = holiday_override_delete(day=day)
                self.stdout.write(
                    f"{_jalali(day)} {day}: " + ("cleared" if found else "no correction to clear")
                )
                return None
            holiday_override_set(day=day, action=action, name=options.get("name", ""))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{_jalali(day)} {day}: {action}")
        return None

    def _list(self, year: int | None) -> None:
        if year is None:
            year = jdatetime.date.today().year
        first = jdatetime.date(year, 1, 1).togregorian()
        last = jdatetime.date(year + 1, 1, 1).togregorian() - timedelta(days=1)
        if first.year not in DEFAULT_HOLIDAY_YEARS:
            raise CommandError(f"سال {year} پشتیبانی نمی‌شود / year {year} is not supported")
        # One date can carry two holidays (Nowruz and Eid al-Fitr both fell on 1405/01/01).
        table: dict = {}
        for holiday in OFFICIAL_HOLIDAYS:
            table.setdefault(holiday.date, []).append(holiday)
        corrections = {o.date: o for o in holiday_override_list()}
        base = official_holidays(range(first.year, last.year + 1))
        effective = official_with_overrides()
        for day in sorted({d for d in base | set(corrections) if first <= d <= last}):
            listed = table.get(day, [])
            correction = corrections.get(day)
            name = correction.name if correction and correction.name else ""
            if not name:
                name = " / ".join(holiday.name for holiday in listed)
            marks = []
            if any(holiday.predicted for holiday in listed):
                marks.append("predicted")
            if correction is not None:
                marks.append(f"operator:{correction.action}")
            state = "holiday" if day in effective else "working day"
            note = f" [{', '.join(marks)}]" if marks else ""
            self.stdout.write(
                f"{to_persian_digits(_jalali(day))}  {day}  {state}  {name}{note}".rstrip()
            )
