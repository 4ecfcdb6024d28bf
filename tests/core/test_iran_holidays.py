"""Tests for pishkhan.core.iran_calendar: the official holidays of 1403-1405, how they differ from
the `holidays` package, operator overrides, and the default calendars.

Weekdays quoted below are the ones printed in the published holiday lists (the 1403 list of the
Public Culture Council and the press summary of the 1405 calendar), so a wrong Jalali date in the
table shows up as a wrong weekday.
"""

from datetime import date, time, timedelta

import jdatetime  # type: ignore[import-untyped]
import pytest

from pishkhan.core.businesstime import FRIDAY, MIDNIGHT, TEHRAN, THURSDAY, due
from pishkhan.core.iran_calendar import (
    ARBAEEN,
    ASHURA,
    EID_AL_ADHA,
    EID_AL_FITR,
    EID_AL_FITR_HOLIDAY,
    EID_AL_GHADIR,
    HOLIDAYS_PACKAGE_DIFFERENCES,
    IMAM_ALI_BIRTHDAY,
    IMAM_HASSAN_ASKARI,
    IMAM_REZA,
    IMAM_SADEGH,
    IRAN_WORKWEEK,
    MABATH,
    OFFICIAL_HOLIDAYS,
    PROPHET_BIRTHDAY,
    PROPHET_DEMISE,
    TABLE_YEARS,
    TASUA,
    apply_overrides,
    default_calendar,
    default_calendars,
    holidays_package_dates,
    jalali_to_date,
    official_holidays,
    table_dates,
    with_overrides,
)

PERSIAN_LETTERS = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
LUNAR_NAMES = {
    TASUA,
    ASHURA,
    ARBAEEN,
    PROPHET_DEMISE,
    IMAM_REZA,
    IMAM_HASSAN_ASKARI,
    PROPHET_BIRTHDAY,
    "شهادت حضرت فاطمه زهرا (س)",
    IMAM_ALI_BIRTHDAY,
    MABATH,
    "ولادت حضرت قائم (عج) و جشن نیمه شعبان",
    "شهادت حضرت علی (ع)",
    EID_AL_FITR,
    EID_AL_FITR_HOLIDAY,
    IMAM_SADEGH,
    EID_AL_ADHA,
    EID_AL_GHADIR,
}


def _dates_named(name: str) -> list[date]:
    return sorted(h.date for h in OFFICIAL_HOLIDAYS if h.name == name)


def _in_solar_year(year: int) -> set[date]:
    first = jalali_to_date(f"{year}/01/01")
    last = jalali_to_date(f"{year + 1}/01/01") - timedelta(days=1)
    return {d for d in table_dates() if first <= d <= last}


def _jalali(day: date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")


def test_table_entries_are_valid_jalali_dates_with_persian_names():
    for holiday in OFFICIAL_HOLIDAYS:
        # Given a table entry, its Jalali date converts and round-trips
        assert _jalali(holiday.date) == holiday.jalali
        assert int(holiday.jalali[:4]) in TABLE_YEARS
        # and its name is written in Persian
        assert set(holiday.name) & PERSIAN_LETTERS, holiday
        assert holiday.kind in ("solar", "lunar", "decree")
        assert not holiday.predicted or holiday.kind == "lunar"


@pytest.mark.parametrize("year", TABLE_YEARS)
def test_fixed_solar_holidays_are_in_every_year(year):
    solar = {h.jalali for h in OFFICIAL_HOLIDAYS if h.kind == "solar"}
    for month_day in ("01/01", "01/02", "01/03", "01/04", "01/12", "01/13", "03/14", "03/15"):
        assert f"{year}/{month_day}" in solar
    assert f"{year}/11/22" in solar
    assert f"{year}/12/29" in solar


@pytest.mark.parametrize("year", TABLE_YEARS)
def test_every_lunar_holiday_falls_at_least_once_in_each_solar_year(year):
    # A lunar year (354-355 days) is shorter than a solar one, so none can be missing.
    names = {h.name for h in OFFICIAL_HOLIDAYS if h.kind == "lunar" and h.jalali[:4] == str(year)}
    assert names == LUNAR_NAMES


@pytest.mark.parametrize(
    ("first", "second", "allowed_gaps"),
    [
        (TASUA, ASHURA, {1}),  # 9 -> 10 Muharram
        (ASHURA, ARBAEEN, {39, 40}),  # 10 Muharram -> 20 Safar (Muharram has 29 or 30 days)
        (ARBAEEN, PROPHET_DEMISE, {8}),  # 20 -> 28 Safar
        (PROPHET_DEMISE, IMAM_REZA, {1, 2}),  # 28 Safar -> last day of Safar
        (PROPHET_DEMISE, IMAM_HASSAN_ASKARI, {9, 10}),  # 28 Safar -> 8 Rabi al-Awwal
        (IMAM_HASSAN_ASKARI, PROPHET_BIRTHDAY, {9}),  # 8 -> 17 Rabi al-Awwal
        (IMAM_ALI_BIRTHDAY, MABATH, {14}),  # 13 -> 27 Rajab
        (EID_AL_FITR, EID_AL_FITR_HOLIDAY, {1}),  # 1 -> 2 Shawwal
        (EID_AL_FITR, IMAM_SADEGH, {24}),  # 1 -> 25 Shawwal
        (EID_AL_ADHA, EID_AL_GHADIR, {8}),  # 10 -> 18 Dhu al-Hijja
    ],
)
def test_lunar_holidays_keep_their_hijri_spacing(first, second, allowed_gaps):
    # A typo in one lunar date breaks its distance to its neighbours in the Hijri month.
    seconds = _dates_named(second)
    for start in _dates_named(first):
        following = [d for d in seconds if d >= start]
        if following:  # the table ends before some pairs complete
            assert (following[0] - start).days in allowed_gaps, (_jalali(start), second)


@pytest.mark.parametrize(
    ("jalali", "weekday"),
    [
        # 1403, as listed "approved by the Public Culture Council"
        ("1403/01/01", "Wednesday"),
        ("1403/01/13", "Monday"),
        ("1403/01/22", "Wednesday"),
        ("1403/01/23", "Thursday"),
        ("1403/02/15", "Saturday"),
        ("1403/03/14", "Monday"),
        ("1403/03/28", "Monday"),
        ("1403/04/05", "Tuesday"),
        ("1403/04/25", "Monday"),
        ("1403/04/26", "Tuesday"),
        ("1403/06/04", "Sunday"),
        ("1403/06/12", "Monday"),
        ("1403/06/14", "Wednesday"),
        ("1403/10/25", "Tuesday"),
        ("1403/11/09", "Tuesday"),
        ("1403/11/26", "Friday"),
        ("1403/12/30", "Thursday"),
        # 1404
        ("1404/06/02", "Sunday"),
        ("1404/10/13", "Saturday"),
        ("1404/10/27", "Saturday"),
        ("1404/11/15", "Wednesday"),
        # 1405, from the press summary of the official calendar
        ("1405/01/01", "Saturday"),
        ("1405/01/12", "Wednesday"),
        ("1405/01/13", "Thursday"),
        ("1405/03/06", "Wednesday"),
        ("1405/03/14", "Thursday"),
        ("1405/03/15", "Friday"),
        ("1405/04/03", "Wednesday"),
        ("1405/04/04", "Thursday"),
    ],
)
def test_table_dates_fall_on_the_published_weekdays(jalali, weekday):
    assert jalali in {h.jalali for h in OFFICIAL_HOLIDAYS}
    assert jalali_to_date(jalali).strftime("%A") == weekday


def test_1405_has_the_published_count_plus_imam_sadegh():
    # The published count is 25 days off, 6 of them on a Thursday and 3 on a Friday; its list
    # leaves out 25 Farvardin (Imam Sadegh, a Tuesday), which the table keeps (see the module).
    days = _in_solar_year(1405)
    assert len(days) == 26
    assert sum(d.weekday() == THURSDAY for d in days) == 6
    assert sum(d.weekday() == FRIDAY for d in days) == 3
    assert jalali_to_date("1405/01/25") in days


def test_differences_from_the_holidays_package_are_exactly_the_listed_overrides():
    # Given our table and the `holidays` package for Solar Hijri 1403-1405
    first = jalali_to_date("1403/01/01")
    last = jalali_to_date("1406/01/01") - timedelta(days=1)
    package = {d for d in holidays_package_dates(range(2024, 2028)) if first <= d <= last}
    ours = set(table_dates())
    added, removed = ours - package, package - ours
    print("table adds:", sorted(_jalali(d) for d in added))
    print("table removes:", sorted(_jalali(d) for d in removed))
    # Then every difference is one the module lists, with its reason, and no other
    listed_adds = {
        jalali_to_date(d.jalali) for d in HOLIDAYS_PACKAGE_DIFFERENCES if d.change == "add"
    }
    listed_removes = {
        jalali_to_date(d.jalali) for d in HOLIDAYS_PACKAGE_DIFFERENCES if d.change == "remove"
    }
    assert added == listed_adds
    assert removed == listed_removes
    assert all(len(d.reason) > 20 for d in HOLIDAYS_PACKAGE_DIFFERENCES)


def test_official_holidays_use_the_table_inside_1403_to_1405_and_the_package_outside():
    holidays = official_holidays(range(2022, 2030))
    # Inside the table's years the table decides, including what it removes
    assert jalali_to_date("1405/12/09") in holidays
    assert jalali_to_date("1405/12/10") not in holidays
    assert jalali_to_date("1403/03/02") in holidays
    # Outside them the package is used: Nowruz 1402 and 1406, 22 Bahman 1401
    assert jalali_to_date("1402/01/01") in holidays
    assert jalali_to_date("1406/01/01") in holidays
    assert jalali_to_date("1401/11/22") in holidays
    # and only the years asked for are there
    assert all(2022 <= d.year <= 2029 for d in holidays)


def test_apply_overrides_adds_and_removes_days():
    base = frozenset({date(2027, 2, 28), date(2027, 3, 10)})
    # When an operator moves a lunar holiday by a day after the moon-sighting announcement
    moved = apply_overrides(base, add=[date(2027, 3, 1)], remove=[date(2027, 2, 28)])
    # Then the new day is off and the old one is a working day again
    assert moved == frozenset({date(2027, 3, 1), date(2027, 3, 10)})
    assert base == frozenset({date(2027, 2, 28), date(2027, 3, 10)})  # the base is untouched
    # and removing a day that was never a holiday is harmless
    assert apply_overrides(base, remove=[date(2030, 1, 1)]) == base


def test_apply_overrides_refuses_a_day_both_added_and_removed():
    with pytest.raises(ValueError, match="both added and removed"):
        apply_overrides(frozenset(), add=[date(2027, 3, 1)], remove=[date(2027, 3, 1)])


def test_moving_a_holiday_moves_due_times():
    # Given a request on Saturday 8 Esfand 1405 at 15:00 with 2 business hours
    filed = jdatetime.datetime(1405, 12, 8, 15, 0).togregorian().replace(tzinfo=TEHRAN)
    assert filed.strftime("%A") == "Saturday"
    office = default_calendar("office")
    # Then with the predicted calendar Sunday 9 Esfand (Imam Ali's martyrdom) is off
    assert due(filed, "2bh", office).date() == jalali_to_date("1405/12/10")
    # and if the month starts a day later the operator moves the holiday to Monday
    announced = with_overrides(
        office, add=[jalali_to_date("1405/12/10")], remove=[jalali_to_date("1405/12/09")]
    )
    result = due(filed, "2bh", announced)
    assert result.date() == jalali_to_date("1405/12/09")
    assert result.time() == time(9)


def test_default_calendars_are_office_support_and_round_the_clock():
    calendars = default_calendars()
    assert set(calendars) == {"office", "support", "24x7"}
    office, support, always = calendars["office"], calendars["support"], calendars["24x7"]
    for weekday in range(7):
        working = weekday in IRAN_WORKWEEK
        assert office.week[weekday] == (((time(8), time(16)),) if working else ())
        assert support.week[weekday] == (((time(9), time(17)),) if working else ())
        assert always.week[weekday] == ((MIDNIGHT, MIDNIGHT),)
    assert office.week[THURSDAY] == office.week[FRIDAY] == ()
    assert office.hours_per_day == support.hours_per_day == 8
    assert always.hours_per_day == 24
    assert office.tz == support.tz == always.tz == TEHRAN
    assert jalali_to_date("1405/01/01") in office.holidays
    assert not always.holidays


def test_unknown_default_calendar_names_the_known_ones():
    with pytest.raises(KeyError, match="office, support, 24x7"):
        default_calendar("weekend")


def test_every_holiday_of_the_table_has_an_english_name():
    for holiday in OFFICIAL_HOLIDAYS:
        assert holiday.name_in("en") == holiday.name_en
        assert holiday.name_en.isascii(), holiday
        assert holiday.name_in("fa") == holiday.name
