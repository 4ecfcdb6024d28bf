"""Iran's official holidays and the default business calendars: `office`, `support` and `24x7`.

Where the holidays come from
----------------------------
* For Solar Hijri 1403, 1404 and 1405 the table `OFFICIAL_HOLIDAYS` below is the truth: the
  official calendar (extracted by the Calendar Center of the University of Tehran's Geophysics
  Institute, holidays as approved by the Public Culture Council), with every lunar date checked
  against the Hijri month starts Iran observed (the Calendar Center's record, up to Shawwal 1447),
  plus the nationwide holidays the government declared during the year. It is the override
  list: where the `holidays` package disagrees for these years, the table wins, and
  `HOLIDAYS_PACKAGE_DIFFERENCES` names every such date and why (a test keeps that list exact).
* For other years the `holidays` package (country "IR") is used as is. Its lunar dates are
  estimates outside the years its maintainers confirmed, so operators are expected to add or remove
  dates as the lunar months are announced (`apply_overrides`, `with_overrides`).

Lunar holidays move with the sighting of the crescent, so a printed date can shift by a day when
the month is announced. Entries still in the future when this table was written are marked
`predicted=True`: they are the official calendar's prediction, not an announcement.

Thursday and Friday are the weekend of Iran's working week; the default office and support
calendars work Saturday to Wednesday [003 4.2.3], [002 r2].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal

import holidays as holidays_package
import jdatetime  # type: ignore[import-untyped]  # ships no py.typed marker

from pishkhan.core.businesstime import (
    MIDNIGHT,
    MONDAY,
    SATURDAY,
    SUNDAY,
    TEHRAN,
    TUESDAY,
    WEDNESDAY,
    Calendar,
    weekly_schedule,
)

__all__ = [
    "DEFAULT_CALENDAR_NAMES",
    "ENGLISH_NAMES",
    "HOLIDAYS_PACKAGE_DIFFERENCES",
    "IRAN_WORKWEEK",
    "OFFICIAL_HOLIDAYS",
    "TABLE_YEARS",
    "OfficialHoliday",
    "PackageDifference",
    "apply_overrides",
    "default_calendar",
    "default_calendars",
    "holidays_package_dates",
    "jalali_to_date",
    "official_holidays",
    "table_dates",
    "with_overrides",
]

IRAN_WORKWEEK = (SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY)

HolidayKind = Literal["solar", "lunar", "decree"]


def jalali_to_date(jalali: str) -> date:
    """Convert a Jalali date written as in the official calendar: 1405/01/01 -> 2026-03-21."""
    year, month, day = (int(part) for part in jalali.split("/"))
    result: date = jdatetime.date(year, month, day).togregorian()
    return result


@dataclass(frozen=True)
class OfficialHoliday:
    """One official holiday of the table, dated in the Solar Hijri calendar.

    kind: "solar" (fixed Jalali date), "lunar" (follows the Hijri lunar calendar as observed in
    Iran) or "decree" (a one-off nationwide holiday the government declared).
    predicted: a lunar date still ahead when the table was written: the official calendar's
    prediction, which a moon-sighting announcement may move by a day.
    """

    jalali: str
    name: str
    kind: HolidayKind
    predicted: bool = False

    @property
    def date(self) -> date:
        return jalali_to_date(self.jalali)

    @property
    def name_en(self) -> str:
        """The holiday's name on English pages (worded as the `holidays` package words it)."""
        return ENGLISH_NAMES[self.name]

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" else self.name


def _solar(jalali: str, name: str) -> OfficialHoliday:
    return OfficialHoliday(jalali, name, "solar")


def _lunar(jalali: str, name: str, *, predicted: bool = False) -> OfficialHoliday:
    return OfficialHoliday(jalali, name, "lunar", predicted)


def _decree(jalali: str, name: str) -> OfficialHoliday:
    return OfficialHoliday(jalali, name, "decree")


NOWRUZ = "آغاز نوروز"
NOWRUZ_HOLIDAY = "عید نوروز"
REPUBLIC_DAY = "روز جمهوری اسلامی ایران"
NATURE_DAY = "روز طبیعت"
KHOMEINI = "رحلت حضرت امام خمینی (ره)"
KHORDAD_15 = "قیام ۱۵ خرداد"
REVOLUTION_DAY = "پیروزی انقلاب اسلامی ایران"
OIL_DAY = "روز ملی شدن صنعت نفت ایران"
TASUA = "تاسوعای حسینی"
ASHURA = "عاشورای حسینی"
ARBAEEN = "اربعین حسینی"
PROPHET_DEMISE = "رحلت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)"
IMAM_REZA = "شهادت امام رضا (ع)"
IMAM_HASSAN_ASKARI = "شهادت امام حسن عسکری (ع)"
PROPHET_BIRTHDAY = "میلاد رسول اکرم (ص) و امام جعفر صادق (ع)"
FATIMA = "شهادت حضرت فاطمه زهرا (س)"
IMAM_ALI_BIRTHDAY = "ولادت امام علی (ع) و روز پدر"
MABATH = "مبعث رسول اکرم (ص)"
IMAM_MAHDI_BIRTHDAY = "ولادت حضرت قائم (عج) و جشن نیمه شعبان"
IMAM_ALI_MARTYRDOM = "شهادت حضرت علی (ع)"
EID_AL_FITR = "عید سعید فطر"
EID_AL_FITR_HOLIDAY = "تعطیل به مناسبت عید سعید فطر"
IMAM_SADEGH = "شهادت امام جعفر صادق (ع)"
EID_AL_ADHA = "عید سعید قربان"
EID_AL_GHADIR = "عید سعید غدیر خم"
PUBLIC_HOLIDAY = "تعطیل عمومی (مصوب دولت)"
LAST_DAY_OF_YEAR = "آخرین روز سال (تعطیلات نوروز)"

# Every name of the table in English, so an English page never shows a Persian name where the
# table has a date the package lacks (a decree, an official prediction).
ENGLISH_NAMES: Mapping[str, str] = MappingProxyType(
    {
        NOWRUZ: "Nowruz",
        NOWRUZ_HOLIDAY: "Nowruz Holiday",
        REPUBLIC_DAY: "Islamic Republic Day",
        NATURE_DAY: "Nature's Day",
        KHOMEINI: "Death of Imam Khomeini",
        KHORDAD_15: "15 Khordad Uprising",
        REVOLUTION_DAY: "Islamic Revolution Day",
        OIL_DAY: "Iranian Oil Industry Nationalization Day",
        TASUA: "Tasua",
        ASHURA: "Ashura",
        ARBAEEN: "Arbaeen",
        PROPHET_DEMISE: "Death of Prophet Muhammad and Martyrdom of Hasan ibn Ali",
        IMAM_REZA: "Martyrdom of Ali al-Rida",
        IMAM_HASSAN_ASKARI: "Martyrdom of Hasan al-Askari",
        PROPHET_BIRTHDAY: "Birthday of Muhammad and Imam Ja'far al-Sadiq",
        FATIMA: "Martyrdom of Fatima",
        IMAM_ALI_BIRTHDAY: "Birthday of Imam Ali",
        MABATH: "Isra' and Mi'raj",
        IMAM_MAHDI_BIRTHDAY: "Birthday of Mahdi",
        IMAM_ALI_MARTYRDOM: "Martyrdom of Imam Ali",
        EID_AL_FITR: "Eid al-Fitr",
        EID_AL_FITR_HOLIDAY: "Eid al-Fitr Holiday",
        IMAM_SADEGH: "Martyrdom of Imam Ja'far al-Sadiq",
        EID_AL_ADHA: "Eid al-Adha",
        EID_AL_GHADIR: "Eid al-Ghadir",
        PUBLIC_HOLIDAY: "Public Holiday (government decree)",
        LAST_DAY_OF_YEAR: "Last Day of the Year (Nowruz holidays)",
    }
)

# Lunar dates of 1403 and 1404, and of 1405 up to Aban, follow the Hijri month starts Iran
# observed (Calendar Center data: 1 Ramadan 1445 = 1402/12/22 ... 1 Shawwal 1447 = 1405/01/01).
OFFICIAL_HOLIDAYS: tuple[OfficialHoliday, ...] = (
    # ---- 1403 (20 March 2024 - 20 March 2025; a leap year: Esfand has 30 days) ----
    _solar("1403/01/01", NOWRUZ),
    _solar("1403/01/02", NOWRUZ_HOLIDAY),
    _solar("1403/01/03", NOWRUZ_HOLIDAY),
    _solar("1403/01/04", NOWRUZ_HOLIDAY),
    _solar("1403/01/12", REPUBLIC_DAY),
    _solar("1403/01/13", NATURE_DAY),
    _lunar("1403/01/13", IMAM_ALI_MARTYRDOM),  # 21 Ramadan 1445
    _lunar("1403/01/22", EID_AL_FITR),
    _lunar("1403/01/23", EID_AL_FITR_HOLIDAY),
    _lunar("1403/02/15", IMAM_SADEGH),
    # Declared nationwide by the executive vice-president on 1403/02/31 for the funeral of
    # President Raisi ("چهارشنبه سراسر کشور تعطیل است"); not in the printed calendar.
    _decree("1403/03/02", PUBLIC_HOLIDAY),
    _solar("1403/03/14", KHOMEINI),
    _solar("1403/03/15", KHORDAD_15),
    _lunar("1403/03/28", EID_AL_ADHA),
    _lunar("1403/04/05", EID_AL_GHADIR),
    _lunar("1403/04/25", TASUA),
    _lunar("1403/04/26", ASHURA),
    _lunar("1403/06/04", ARBAEEN),
    _lunar("1403/06/12", PROPHET_DEMISE),
    _lunar("1403/06/14", IMAM_REZA),  # Safar 1446 had 30 days: the last day of Safar
    _lunar("1403/06/22", IMAM_HASSAN_ASKARI),
    _lunar("1403/06/31", PROPHET_BIRTHDAY),
    _lunar("1403/09/15", FATIMA),
    _lunar("1403/10/25", IMAM_ALI_BIRTHDAY),
    _lunar("1403/11/09", MABATH),
    _solar("1403/11/22", REVOLUTION_DAY),
    _lunar("1403/11/26", IMAM_MAHDI_BIRTHDAY),
    _solar("1403/12/29", OIL_DAY),
    # The 1359 law on official holidays makes 29 Esfand to 4 Farvardin a holiday, which in a leap
    # year includes 30 Esfand (the year 1404 began at 12:31 that day).
    _solar("1403/12/30", LAST_DAY_OF_YEAR),
    # ---- 1404 (21 March 2025 - 20 March 2026) ----
    _solar("1404/01/01", NOWRUZ),
    _solar("1404/01/02", NOWRUZ_HOLIDAY),
    _lunar("1404/01/02", IMAM_ALI_MARTYRDOM),  # 21 Ramadan 1446
    _solar("1404/01/03", NOWRUZ_HOLIDAY),
    _solar("1404/01/04", NOWRUZ_HOLIDAY),
    _lunar("1404/01/11", EID_AL_FITR),
    _lunar("1404/01/12", EID_AL_FITR_HOLIDAY),
    _solar("1404/01/12", REPUBLIC_DAY),
    _solar("1404/01/13", NATURE_DAY),
    _lunar("1404/02/04", IMAM_SADEGH),
    _solar("1404/03/14", KHOMEINI),
    _solar("1404/03/15", KHORDAD_15),
    _lunar("1404/03/16", EID_AL_ADHA),
    _lunar("1404/03/24", EID_AL_GHADIR),
    _lunar("1404/04/14", TASUA),
    _lunar("1404/04/15", ASHURA),
    _lunar("1404/05/23", ARBAEEN),
    _lunar("1404/05/31", PROPHET_DEMISE),
    _lunar("1404/06/02", IMAM_REZA),  # Safar 1447 had 30 days
    _lunar("1404/06/10", IMAM_HASSAN_ASKARI),
    _lunar("1404/06/19", PROPHET_BIRTHDAY),
    _lunar("1404/09/03", FATIMA),
    _lunar("1404/10/13", IMAM_ALI_BIRTHDAY),
    _lunar("1404/10/27", MABATH),
    _lunar("1404/11/15", IMAM_MAHDI_BIRTHDAY),
    _solar("1404/11/22", REVOLUTION_DAY),
    # Seven days of public holiday, 1-7 March 2026, declared by the cabinet together with forty
    # days of national mourning. Taken from the `holidays` package, which lists them as special
    # public holidays and cites the news reports of the decree; we could not read the decree.
    _decree("1404/12/10", PUBLIC_HOLIDAY),
    _decree("1404/12/11", PUBLIC_HOLIDAY),
    _decree("1404/12/12", PUBLIC_HOLIDAY),
    _decree("1404/12/13", PUBLIC_HOLIDAY),
    _decree("1404/12/14", PUBLIC_HOLIDAY),
    _decree("1404/12/15", PUBLIC_HOLIDAY),
    _decree("1404/12/16", PUBLIC_HOLIDAY),
    _lunar("1404/12/20", IMAM_ALI_MARTYRDOM),  # 21 Ramadan 1447
    _solar("1404/12/29", OIL_DAY),
    # ---- 1405 (21 March 2026 - 20 March 2027) ----
    # The official calendar counts 25 holidays for 1405 in the press summaries we found, listing
    # Farvardin with six; 25 Farvardin (25 Shawwal, Imam Sadegh) is missing from that list
    # although the law makes 25 Shawwal a holiday every year and 1 Shawwal was 1 Farvardin, so
    # we keep it (the `holidays` package has it too). That makes 26 dates here.
    _solar("1405/01/01", NOWRUZ),
    _lunar("1405/01/01", EID_AL_FITR),  # 1 Shawwal 1447
    _solar("1405/01/02", NOWRUZ_HOLIDAY),
    _lunar("1405/01/02", EID_AL_FITR_HOLIDAY),
    _solar("1405/01/03", NOWRUZ_HOLIDAY),
    _solar("1405/01/04", NOWRUZ_HOLIDAY),
    _solar("1405/01/12", REPUBLIC_DAY),
    _solar("1405/01/13", NATURE_DAY),
    _lunar("1405/01/25", IMAM_SADEGH),
    _lunar("1405/03/06", EID_AL_ADHA),
    _solar("1405/03/14", KHOMEINI),
    _lunar("1405/03/14", EID_AL_GHADIR),
    _solar("1405/03/15", KHORDAD_15),
    _lunar("1405/04/03", TASUA),
    _lunar("1405/04/04", ASHURA),
    _lunar("1405/05/13", ARBAEEN),
    _lunar("1405/05/21", PROPHET_DEMISE),
    _lunar("1405/05/22", IMAM_REZA),  # Safar 1448 has 29 days: 29 Safar
    _lunar("1405/05/30", IMAM_HASSAN_ASKARI),
    _lunar("1405/06/08", PROPHET_BIRTHDAY),
    _lunar("1405/08/22", FATIMA),
    # From here on the dates are the official calendar's predictions (not yet announced).
    _lunar("1405/10/02", IMAM_ALI_BIRTHDAY, predicted=True),  # 13 Rajab 1448
    _lunar("1405/10/16", MABATH, predicted=True),  # 27 Rajab 1448
    # 15 Sha'ban 1448. The conjunction is on 7 January 2027 at about 20:25 UTC, so the crescent
    # is some 17 hours old at sunset in Iran on the 8th: 1 Sha'ban is expected on 10 January.
    # If it is seen on the 8th after all, this moves to 1405/11/03.
    _lunar("1405/11/04", IMAM_MAHDI_BIRTHDAY, predicted=True),
    _solar("1405/11/22", REVOLUTION_DAY),
    # 21 Ramadan 1448, with 1 Ramadan on 8 February 2027 (crescent about 22 hours old at sunset on
    # the 7th). Not certain: if the month starts a day later this is 1405/12/10, the date the
    # `holidays` package estimates.
    _lunar("1405/12/09", IMAM_ALI_MARTYRDOM, predicted=True),
    _lunar("1405/12/19", EID_AL_FITR, predicted=True),  # 1 Shawwal 1448
    _lunar("1405/12/20", EID_AL_FITR_HOLIDAY, predicted=True),
    _solar("1405/12/29", OIL_DAY),
)

TABLE_YEARS = (1403, 1404, 1405)
_TABLE_FIRST_DAY = jalali_to_date(f"{TABLE_YEARS[0]}/01/01")
_TABLE_LAST_DAY = jalali_to_date(f"{TABLE_YEARS[-1] + 1}/01/01") - timedelta(days=1)


@dataclass(frozen=True)
class PackageDifference:
    """A date on which our table and the `holidays` package disagree for 1403-1405."""

    jalali: str
    change: Literal["add", "remove"]  # what our table does to the package's dates
    reason: str


HOLIDAYS_PACKAGE_DIFFERENCES: tuple[PackageDifference, ...] = (
    PackageDifference(
        "1403/03/02",
        "add",
        "nationwide public holiday for President Raisi's funeral, declared on 1403/02/31 by the "
        "executive vice-president and reported by the news agencies; the package lacks it",
    ),
    PackageDifference(
        "1405/12/09",
        "add",
        "Imam Ali's martyrdom (21 Ramadan 1448) as the official 1405 calendar predicts it; the "
        "package's date for 2027 is its own estimate (Umm al-Qura plus one day)",
    ),
    PackageDifference(
        "1405/12/10",
        "remove",
        "the package's estimate for the same holiday, one day later than the official calendar",
    ),
)


def table_dates() -> frozenset[date]:
    """The Gregorian dates of every holiday in the table (1403-1405)."""
    return frozenset(holiday.date for holiday in OFFICIAL_HOLIDAYS)


def holidays_package_dates(gregorian_years: Iterable[int]) -> frozenset[date]:
    """What the `holidays` package says Iran's public holidays are in those Gregorian years."""
    return frozenset(holidays_package.country_holidays("IR", years=list(gregorian_years)).keys())


def official_holidays(gregorian_years: Iterable[int]) -> frozenset[date]:
    """Iran's official holidays in those Gregorian years: the table inside Solar Hijri 1403-1405
    (it replaces the package there, so its removals count too), the package outside."""
    years = sorted(set(gregorian_years))
    outside = {
        day
        for day in holidays_package_dates(years)
        if not _TABLE_FIRST_DAY <= day <= _TABLE_LAST_DAY
    }
    inside = {day for day in table_dates() if day.year in years}
    return frozenset(outside | inside)


def apply_overrides(
    base: AbstractSet[date], *, add: Iterable[date] = (), remove: Iterable[date] = ()
) -> frozenset[date]:
    """`base` with an operator's changes: `add` a day off (a lunar holiday announced a day later,
    a decree), `remove` one (a predicted date that did not happen). A date in both is refused:
    which of the two the operator meant cannot be guessed."""
    added, removed = set(add), set(remove)
    both = added & removed
    if both:
        listed = ", ".join(str(day) for day in sorted(both))
        raise ValueError(f"dates both added and removed: {listed}")
    return frozenset((set(base) - removed) | added)


def with_overrides(
    calendar: Calendar, *, add: Iterable[date] = (), remove: Iterable[date] = ()
) -> Calendar:
    """A copy of `calendar` with its holidays changed by `apply_overrides`."""
    return dataclasses.replace(
        calendar, holidays=apply_overrides(calendar.holidays, add=add, remove=remove)
    )


# Holidays are known (table) or estimated (package) this far; beyond it a calendar has weekends
# only, which errs towards earlier deadlines rather than later ones.
DEFAULT_HOLIDAY_YEARS = range(2020, 2041)
DEFAULT_CALENDAR_NAMES = ("office", "support", "24x7")


@cache
def default_calendars() -> Mapping[str, Calendar]:
    """The built-in calendars by name (cached: building the holiday set reads the package; the
    mapping is read-only because every caller shares it)."""
    holidays = official_holidays(DEFAULT_HOLIDAY_YEARS)
    calendars = {
        # [003 4.2.3]: office hours 08:00-16:00, Saturday to Wednesday, holidays excluded.
        "office": Calendar(
            name="office",
            week=weekly_schedule(IRAN_WORKWEEK, (time(8), time(16))),
            hours_per_day=8,
            tz=TEHRAN,
            holidays=holidays,
        ),
        # [002 r2]: telephone support Saturday to Wednesday, 09:00 to 17:00.
        "support": Calendar(
            name="support",
            week=weekly_schedule(IRAN_WORKWEEK, (time(9), time(17))),
            hours_per_day=8,
            tz=TEHRAN,
            holidays=holidays,
        ),
        # [002 r10, r17]: servers are watched round the clock; holidays do not stop this clock.
        "24x7": Calendar(
            name="24x7",
            week=weekly_schedule(range(7), (MIDNIGHT, MIDNIGHT)),
            hours_per_day=24,
            tz=TEHRAN,
        ),
    }
    return MappingProxyType(calendars)


def default_calendar(name: str) -> Calendar:
    """A built-in calendar by name; KeyError names the ones that exist."""
    calendars = default_calendars()
    if name not in calendars:
        raise KeyError(f"unknown calendar {name!r}; known: {', '.join(DEFAULT_CALENDAR_NAMES)}")
    return calendars[name]
