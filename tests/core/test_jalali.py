"""Tests for pishkhan.core.jalali: Jalali/Gregorian rendering of dates, times and numbers.

Expected strings are written out by hand. The conversions were checked against jdatetime and the
tz database: Tehran has been UTC+03:30 all year since Iran dropped DST in 2022.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import jdatetime  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.core.jalali import format_date, format_datetime, format_number
from pishkhan.core.persian import to_ascii_digits

TEHRAN = ZoneInfo("Asia/Tehran")
# 2 Azar 1405, 15:30 in Tehran.
AZAR_2_1405 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# 21 March 2026, 00:30 in Tehran (1 Farvardin 1405, Nowruz), while still 20 March in UTC.
NOWRUZ_1405_JUST_AFTER_MIDNIGHT = datetime(2026, 3, 20, 21, 0, tzinfo=UTC)


def test_fa_datetime_is_jalali_with_persian_digits_in_tehran_time() -> None:
    # Given 12:00 UTC on 23 Nov 2026
    # When formatted for Persian readers (default zone Tehran)
    result = format_datetime(AZAR_2_1405, language="fa")
    # Then it is 2 Azar 1405 at 15:30, with Persian digits and a Persian comma
    assert result == "۲ آذر ۱۴۰۵، ۱۵:۳۰"


def test_en_datetime_is_gregorian_in_tehran_time() -> None:
    assert format_datetime(AZAR_2_1405, language="en") == "23 Nov 2026, 15:30"


def test_datetime_in_another_zone_object_is_converted_first() -> None:
    # Given the same instant expressed with a +03:30 offset rather than in UTC
    same_instant = AZAR_2_1405.astimezone(timezone(timedelta(hours=3, minutes=30)))
    # When / Then the output does not depend on the input's zone
    assert format_datetime(same_instant, language="fa") == "۲ آذر ۱۴۰۵، ۱۵:۳۰"


@pytest.mark.parametrize("tz", ["UTC", ZoneInfo("UTC")])
def test_tz_accepts_a_name_or_a_zoneinfo(tz: ZoneInfo | str) -> None:
    assert format_datetime(AZAR_2_1405, language="fa", tz=tz) == "۲ آذر ۱۴۰۵، ۱۲:۰۰"
    assert format_datetime(AZAR_2_1405, language="en", tz=tz) == "23 Nov 2026, 12:00"


def test_midnight_crossing_in_tehran_moves_to_next_jalali_day_and_year() -> None:
    # Given 21:00 UTC on 20 March 2026 (still the last day of 1404 in UTC)
    # When formatted in Tehran time / Then it is already Nowruz 1405, half past midnight
    assert (
        format_datetime(NOWRUZ_1405_JUST_AFTER_MIDNIGHT, language="fa") == "۱ فروردین ۱۴۰۵، ۰۰:۳۰"
    )
    assert format_datetime(NOWRUZ_1405_JUST_AFTER_MIDNIGHT, language="en") == "21 Mar 2026, 00:30"


def test_one_hour_earlier_is_still_the_last_day_of_1404() -> None:
    an_hour_before = NOWRUZ_1405_JUST_AFTER_MIDNIGHT - timedelta(hours=1)
    assert format_datetime(an_hour_before, language="fa") == "۲۹ اسفند ۱۴۰۴، ۲۳:۳۰"


def test_with_time_false_leaves_out_the_time() -> None:
    assert format_datetime(AZAR_2_1405, language="fa", with_time=False) == "۲ آذر ۱۴۰۵"
    assert format_datetime(AZAR_2_1405, language="en", with_time=False) == "23 Nov 2026"


def test_naive_datetime_is_rejected() -> None:
    # Given a datetime with no zone
    naive = datetime(2026, 11, 23, 12, 0)  # noqa: DTZ001 - naive on purpose
    # When / Then both formatters refuse to guess its zone
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(naive, language="fa")
    with pytest.raises(ValueError, match="timezone-aware"):
        format_date(naive, language="en")


def test_format_date_of_aware_datetime_takes_the_day_in_the_zone() -> None:
    assert format_date(NOWRUZ_1405_JUST_AFTER_MIDNIGHT, language="fa") == "۱ فروردین ۱۴۰۵"
    assert format_date(NOWRUZ_1405_JUST_AFTER_MIDNIGHT, language="fa", tz="UTC") == "۲۹ اسفند ۱۴۰۴"
    assert format_date(NOWRUZ_1405_JUST_AFTER_MIDNIGHT, language="en") == "21 Mar 2026"


def test_format_date_of_plain_date_ignores_the_zone() -> None:
    day = date(2026, 11, 23)
    assert format_date(day, language="fa") == "۲ آذر ۱۴۰۵"
    assert format_date(day, language="fa", tz="Pacific/Kiritimati") == "۲ آذر ۱۴۰۵"
    assert format_date(day, language="en") == "23 Nov 2026"


@pytest.mark.parametrize(
    ("month", "name"),
    list(
        enumerate(
            [
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
            ],
            start=1,
        )
    ),
)
def test_every_jalali_month_has_its_persian_name(month: int, name: str) -> None:
    # Given the first day of each month of 1405
    first_day = jdatetime.date(1405, month, 1).togregorian()
    # When / Then
    assert format_date(first_day, language="fa") == f"۱ {name} ۱۴۰۵"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "5 Jan 2026"),
        (date(2026, 2, 28), "28 Feb 2026"),
        (date(2024, 2, 29), "29 Feb 2024"),
        (date(2026, 12, 31), "31 Dec 2026"),
    ],
)
def test_english_dates_use_short_month_names(day: date, expected: str) -> None:
    assert format_date(day, language="en") == expected


@pytest.mark.parametrize("language", ["fa-IR", "fa_IR", "FA"])
def test_language_tags_with_region_or_case_are_accepted(language: str) -> None:
    assert format_date(date(2026, 11, 23), language=language) == "۲ آذر ۱۴۰۵"


@pytest.mark.parametrize("language", ["de", "", "ar"])
def test_unsupported_language_is_rejected(language: str) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        format_datetime(AZAR_2_1405, language=language)
    with pytest.raises(ValueError, match="unsupported language"):
        format_number(1, language=language)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive by API
        max_value=datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_fa_date_reads_back_as_the_same_tehran_day(value: datetime) -> None:
    # Given any aware instant
    # When its Persian date is parsed back (day, month name, year)
    day_text, month_name, year_text = format_date(value, language="fa").split(" ")
    months = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور"]
    months += ["مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
    jalali = jdatetime.date(
        int(to_ascii_digits(year_text)),
        months.index(month_name) + 1,
        int(to_ascii_digits(day_text)),
    )
    # Then it is the calendar day of that instant in Tehran
    assert jalali.togregorian() == value.astimezone(TEHRAN).date()


@pytest.mark.parametrize(
    ("n", "fa", "en"),
    [
        (0, "۰", "0"),
        (999, "۹۹۹", "999"),
        (1000, "۱٬۰۰۰", "1,000"),
        (1234567, "۱٬۲۳۴٬۵۶۷", "1,234,567"),
        (-1234, "-۱٬۲۳۴", "-1,234"),
    ],
)
def test_format_number_groups_thousands(n: int, fa: str, en: str) -> None:
    assert format_number(n, language="fa") == fa
    assert format_number(n, language="en") == en


@given(st.integers())
def test_format_number_fa_reads_back_as_the_same_integer(n: int) -> None:
    text = format_number(n, language="fa")
    assert int(to_ascii_digits(text).replace("٬", "")) == n
