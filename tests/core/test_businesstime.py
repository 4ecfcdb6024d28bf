"""Tests for pishkhan.core.businesstime: the business-time engine behind every SLA clock.

Worked examples come from the seeds' rules ([003 4.2.3]: office hours 08:00-16:00 Saturday to
Wednesday, holidays excluded, requests outside office hours count from the start of the next
working day; [002 r2]: support 09:00-17:00). Every Jalali date below is built through `tehran()`,
which first checks with jdatetime that the date falls on the weekday the example assumes.

Property tests compare the engine with an independent oracle that measures working time day by
day from the calendar's definition (no prefix sums, no bisection) and check the promises the
module makes: adding then measuring round-trips, results lie in working time or exactly at an
interval's end, and the result is monotonic in start and in duration.
"""

import ast
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime  # type: ignore[import-untyped]
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pishkhan.core import businesstime
from pishkhan.core.businesstime import (
    FRIDAY,
    MIDNIGHT,
    SATURDAY,
    TEHRAN,
    THURSDAY,
    Calendar,
    Target,
    Unit,
    add_business_time,
    business_time_between,
    due,
    is_working_time,
    next_working_instant,
    parse_target,
    weekly_schedule,
)
from pishkhan.core.iran_calendar import IRAN_WORKWEEK, default_calendar

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = default_calendar("office")
SUPPORT = default_calendar("support")
ROUND_THE_CLOCK = default_calendar("24x7")
LUNCH_BREAK = Calendar(
    name="office-with-lunch",
    week=weekly_schedule(IRAN_WORKWEEK, (time(8), time(12)), (time(13), time(16))),
    hours_per_day=7,
    holidays=OFFICE.holidays,
)
# A zone that still changes its clocks, with working time on both sides of the night it happens.
DST_NIGHT_SHIFT = Calendar(
    name="berlin-nights",
    week=weekly_schedule(range(7), (time(1), time(4)), (time(22), MIDNIGHT)),
    hours_per_day=5,
    tz=BERLIN,
)
FIXED_CALENDARS = [OFFICE, SUPPORT, ROUND_THE_CLOCK, LUNCH_BREAK, DST_NIGHT_SHIFT]
HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)


def naive(*fields: int) -> datetime:
    """A zone-less datetime, on purpose: the refusal tests need one, and hypothesis takes its
    bounds as wall times and attaches the zones itself."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


def just_before(instant: datetime) -> datetime:
    # In UTC: Python adds and subtracts timedeltas on an aware datetime's wall clock, which
    # across a DST change is not "one microsecond earlier".
    return instant.astimezone(UTC) - US


def elapsed_after(instant: datetime, gap: timedelta) -> datetime:
    return instant.astimezone(UTC) + gap


def tehran(jalali: str, clock: str, weekday: str) -> datetime:
    """A Tehran instant from a Jalali date, after checking that it falls on `weekday`."""
    year, month, day = (int(part) for part in jalali.split("/"))
    jalali_day = jdatetime.date(year, month, day)
    assert jalali_day.strftime("%A") == weekday, f"{jalali} is a {jalali_day.strftime('%A')}"
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(jalali_day.togregorian(), time(hours, minutes), tzinfo=TEHRAN)


# ---------------------------------------------------------------- worked examples (office, S-3)


def test_wednesday_afternoon_request_is_due_after_the_thursday_friday_weekend():
    # Given a request filed on Wednesday 4 Azar 1405 at 15:00 with a 2 business hour target
    filed = tehran("1405/09/04", "15:00", "Wednesday")
    # When its due time is computed on the office calendar (08:00-16:00, Saturday-Wednesday)
    result = due(filed, "2bh", OFFICE)
    # Then one hour is used on Wednesday, Thursday and Friday are skipped, and the second hour
    # ends at 09:00 on Saturday 7 Azar
    assert result == tehran("1405/09/07", "09:00", "Saturday")


def test_thursday_request_starts_counting_on_saturday_morning():
    # Given a request filed on Thursday 5 Azar 1405 at 15:00 (the weekend, outside office hours)
    filed = tehran("1405/09/05", "15:00", "Thursday")
    # When a 2bh target is set
    # Then the clock starts at 08:00 on Saturday [003 4.2.3] and is due at 10:00
    assert due(filed, "2bh", OFFICE) == tehran("1405/09/07", "10:00", "Saturday")
    assert next_working_instant(filed, OFFICE) == tehran("1405/09/07", "08:00", "Saturday")


def test_friday_evening_request_starts_at_eight_on_saturday():
    filed = tehran("1405/09/06", "20:00", "Friday")
    assert due(filed, "2bh", OFFICE) == tehran("1405/09/07", "10:00", "Saturday")


def test_early_morning_request_starts_at_opening_time():
    filed = tehran("1405/09/09", "06:30", "Monday")
    assert due(filed, "8bh", OFFICE) == tehran("1405/09/09", "16:00", "Monday")


def test_due_time_may_land_exactly_at_closing_time():
    # Given a Sunday request at 14:00 with 2 business hours
    filed = tehran("1405/09/08", "14:00", "Sunday")
    # Then it is due at 16:00 that day, not at 08:00 the next morning
    assert due(filed, "2bh", OFFICE) == tehran("1405/09/08", "16:00", "Sunday")


def test_request_filed_at_closing_time_counts_from_the_next_working_day():
    # 16:00 itself is outside [08:00, 16:00): the clock starts on Monday morning
    filed = tehran("1405/09/08", "16:00", "Sunday")
    assert due(filed, "1bh", OFFICE) == tehran("1405/09/09", "09:00", "Monday")
    assert due(filed, "0bh", OFFICE) == tehran("1405/09/09", "08:00", "Monday")


def test_zero_target_inside_working_time_is_due_at_once():
    filed = tehran("1405/09/08", "10:17", "Sunday")
    assert due(filed, "0bh", OFFICE) == filed
    assert add_business_time(filed, timedelta(0), OFFICE) == filed


def test_three_business_days_are_twenty_four_office_hours():
    # Given a request on Saturday 7 Azar 1405 at 10:00 and the S-2 "critical" resolution target
    filed = tehran("1405/09/07", "10:00", "Saturday")
    # Then 3bd = 3 x 8 business hours: 6 h Saturday, 8 h Sunday, 8 h Monday, 2 h Tuesday
    assert due(filed, "3bd", OFFICE) == tehran("1405/09/10", "10:00", "Tuesday")
    assert due(filed, "3bd", OFFICE) == due(filed, "24bh", OFFICE)


def test_support_calendar_runs_nine_to_five():
    # [002 r2]: Saturday to Wednesday, 09:00 to 17:00
    filed = tehran("1405/09/04", "16:30", "Wednesday")
    assert due(filed, "1bh", SUPPORT) == tehran("1405/09/07", "09:30", "Saturday")


def test_lunch_break_is_not_working_time():
    # Given a calendar with 08:00-12:00 and 13:00-16:00
    filed = tehran("1405/09/08", "11:30", "Sunday")
    # Then an hour from 11:30 is 30 minutes before lunch and 30 after it
    assert due(filed, "1bh", LUNCH_BREAK) == tehran("1405/09/08", "13:30", "Sunday")
    # and a request filed during lunch starts at 13:00
    at_lunch = tehran("1405/09/08", "12:15", "Sunday")
    assert due(at_lunch, "2bh", LUNCH_BREAK) == tehran("1405/09/08", "15:00", "Sunday")
    # and a due time may be the start of lunch itself
    morning = tehran("1405/09/08", "11:00", "Sunday")
    assert due(morning, "1bh", LUNCH_BREAK) == tehran("1405/09/08", "12:00", "Sunday")
    assert not is_working_time(at_lunch, LUNCH_BREAK)


def test_lunch_calendar_business_day_is_seven_hours():
    filed = tehran("1405/09/07", "08:00", "Saturday")
    assert due(filed, "1bd", LUNCH_BREAK) == tehran("1405/09/07", "16:00", "Saturday")


def test_request_filed_on_nowruz_starts_after_the_holidays():
    # Given a request on 1 Farvardin 1405 (Nowruz, also Eid al-Fitr), a Saturday
    filed = tehran("1405/01/01", "10:00", "Saturday")
    # Then 1-4 Farvardin are holidays, and the clock starts on Wednesday 5 Farvardin at 08:00
    assert next_working_instant(filed, OFFICE) == tehran("1405/01/05", "08:00", "Wednesday")
    assert due(filed, "2bh", OFFICE) == tehran("1405/01/05", "10:00", "Wednesday")


def test_clock_started_before_nowruz_skips_the_new_year_holidays():
    # Given a request on Wednesday 27 Esfand 1404 at 15:00 with 8 business hours
    filed = tehran("1404/12/27", "15:00", "Wednesday")
    # Then: 1 h on Wednesday; Thursday, Friday (29 Esfand, oil nationalisation day) and
    # 1-4 Farvardin 1405 are off; the remaining 7 h end on Wednesday 5 Farvardin at 15:00
    assert due(filed, "8bh", OFFICE) == tehran("1405/01/05", "15:00", "Wednesday")


def test_clock_crosses_the_leap_year_end_of_1403():
    # Given Tuesday 28 Esfand 1403 at 15:00 (1403 is a leap year) and a 2bh target
    filed = tehran("1403/12/28", "15:00", "Tuesday")
    # Then 29 and 30 Esfand, then 1-4 Farvardin 1404 (2 Farvardin also Imam Ali's martyrdom)
    # are holidays: one hour on Tuesday, the second on Tuesday 5 Farvardin 1404 until 09:00
    assert due(filed, "2bh", OFFICE) == tehran("1404/01/05", "09:00", "Tuesday")


def test_clock_crosses_the_gregorian_new_year_and_a_lunar_holiday():
    # Given Wednesday 10 Dey 1404 (31 December 2025) at 15:00 and a 2bh target
    filed = tehran("1404/10/10", "15:00", "Wednesday")
    assert filed.date() == date(2025, 12, 31)
    # Then Thursday and Friday are the weekend and Saturday 13 Dey (Imam Ali's birthday) is a
    # holiday: the second hour is on Sunday 14 Dey 1404, 4 January 2026
    assert due(filed, "2bh", OFFICE) == tehran("1404/10/14", "09:00", "Sunday")


def test_lunar_holiday_in_the_middle_of_the_week_is_skipped():
    # Tasua and Ashura 1405 fell on Wednesday 3 and Thursday 4 Tir
    filed = tehran("1405/04/02", "15:00", "Tuesday")
    assert due(filed, "2bh", OFFICE) == tehran("1405/04/06", "09:00", "Saturday")


def test_business_time_between_counts_only_office_hours():
    start = tehran("1405/09/04", "15:00", "Wednesday")
    end = tehran("1405/09/07", "09:00", "Saturday")
    assert business_time_between(start, end, OFFICE) == 2 * HOUR
    # and it is negative the other way round: "overdue by two business hours"
    assert business_time_between(end, start, OFFICE) == -2 * HOUR


def test_business_time_over_nowruz_week_is_one_working_day():
    # Saturday 1 Farvardin 1405 to Saturday 8 Farvardin: only Wednesday 5 Farvardin works
    start = tehran("1405/01/01", "00:00", "Saturday")
    end = tehran("1405/01/08", "00:00", "Saturday")
    assert business_time_between(start, end, OFFICE) == 8 * HOUR


# ---------------------------------------------------------------- units and 24x7


def test_minutes_are_plain_elapsed_time_even_outside_office_hours():
    # Given a request on Friday night with a 90 minute target: minute targets run round the clock
    filed = tehran("1405/09/06", "23:00", "Friday")
    # Then it is due 90 minutes later, without waiting for Saturday's office hours
    assert due(filed, "90m", OFFICE) == tehran("1405/09/07", "00:30", "Saturday")


def test_minutes_across_a_dst_change_are_real_minutes():
    # Given 01:30 CET on the night Berlin moves its clocks forward (29 March 2026)
    start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    # Then 60 minutes later is 03:30 CEST (one real hour), not 02:30 (which does not exist)
    result = due(start, "60m", DST_NIGHT_SHIFT)
    assert result == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    # (same-zone subtraction in Python is wall-clock arithmetic, so compare in UTC)
    assert result.astimezone(UTC) - start.astimezone(UTC) == HOUR


def test_results_are_in_the_calendar_zone():
    filed = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)  # 15:00 in Tehran
    result = due(filed, "2bh", OFFICE)
    assert result.utcoffset() == timedelta(hours=3, minutes=30)
    assert result.isoformat() == "2026-11-28T09:00:00+03:30"


def test_round_the_clock_calendar_counts_every_hour_and_holiday():
    filed = tehran("1405/01/01", "23:00", "Saturday")  # Nowruz
    assert due(filed, "2bh", ROUND_THE_CLOCK) == tehran("1405/01/02", "01:00", "Sunday")
    assert due(filed, "1bd", ROUND_THE_CLOCK) == filed + timedelta(days=1)
    assert business_time_between(filed, filed + timedelta(days=400), ROUND_THE_CLOCK) == (
        timedelta(days=400)
    )


def test_dst_calendar_counts_real_hours_on_the_short_night():
    # Given 01:00-04:00 on the night the clocks jump from 02:00 to 03:00
    start = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    end = datetime(2026, 3, 29, 12, 0, tzinfo=BERLIN)
    # Then that night has two real working hours, the normal ones three
    assert business_time_between(start, end, DST_NIGHT_SHIFT) == 2 * HOUR
    normal = business_time_between(
        start - timedelta(days=7), end - timedelta(days=7), DST_NIGHT_SHIFT
    )
    assert normal == 3 * HOUR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2bh", Target(2, Unit.BUSINESS_HOURS)),
        ("8bh", Target(8, Unit.BUSINESS_HOURS)),
        ("3bd", Target(3, Unit.BUSINESS_DAYS)),
        ("90m", Target(90, Unit.MINUTES)),
        (" 3 BD ", Target(3, Unit.BUSINESS_DAYS)),
        ("۲bh", Target(2, Unit.BUSINESS_HOURS)),  # Persian digits, as a Persian keyboard types
        ("0bh", Target(0, Unit.BUSINESS_HOURS)),
    ],
)
def test_parse_target_reads_the_documented_units(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "2", "bh", "2h", "2 business hours", "-1bh", "1.5bh", "2bhx"])
def test_parse_target_refuses_anything_else(text):
    with pytest.raises(ValueError, match="target"):
        parse_target(text)


def test_target_amount_is_bounded():
    with pytest.raises(ValueError, match="0 to 100000"):
        parse_target("100001bd")


def test_target_prints_as_it_is_written():
    assert str(parse_target("3bd")) == "3bd"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_business_time(naive(2026, 11, 25, 15), HOUR, OFFICE),
        lambda: business_time_between(naive(2026, 11, 25), datetime.now(tz=UTC), OFFICE),
        lambda: business_time_between(datetime.now(tz=UTC), naive(2026, 11, 25), OFFICE),
        lambda: due(naive(2026, 11, 25, 15), "2bh", OFFICE),
        lambda: due(naive(2026, 11, 25, 15), "90m", OFFICE),
        lambda: is_working_time(naive(2026, 11, 25, 15), OFFICE),
        lambda: next_working_instant(naive(2026, 11, 25, 15), OFFICE),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(datetime.now(tz=UTC), -HOUR, OFFICE)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (weekly_schedule([SATURDAY], (time(16), time(8))), "not before"),
        (weekly_schedule([SATURDAY], (time(8), time(12)), (time(11), time(16))), "overlap"),
        (weekly_schedule([SATURDAY], (time(13), time(16)), (time(8), time(12))), "overlap"),
        (weekly_schedule([]), "no working time"),
        ((((time(8), time(16)),),) * 6, "7 days"),
    ],
)
def test_malformed_calendars_are_refused(week, message):
    with pytest.raises(ValueError, match=message):
        Calendar(name="bad", week=week, hours_per_day=8)


def test_calendar_needs_a_real_time_zone():
    # A fixed offset would silently ignore the zone's history (DST, Tehran's 2022 change).
    with pytest.raises(TypeError, match="ZoneInfo"):
        Calendar(
            name="fixed",
            week=weekly_schedule([SATURDAY], (time(8), time(16))),
            hours_per_day=8,
            tz=timezone(timedelta(hours=3, minutes=30)),  # type: ignore[arg-type]
        )


def test_unknown_weekday_numbers_are_refused():
    with pytest.raises(ValueError, match="weekday"):
        weekly_schedule([7], (time(8), time(16)))


def test_calendar_with_every_day_a_holiday_fails_instead_of_looping():
    # Given a calendar whose holidays cover every working day from now on
    days = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(366 * 1100))
    endless_holiday = Calendar(
        name="closed",
        week=weekly_schedule([THURSDAY], (time(8), time(16))),
        hours_per_day=8,
        holidays=days,
    )
    # Then asking for a due time says so
    with pytest.raises(ValueError, match="more than a thousand years away"):
        due(datetime(2026, 6, 1, tzinfo=TEHRAN), "1bh", endless_holiday)


def test_engine_module_uses_only_the_standard_library():
    # The engine must run anywhere (job, CLI, Django); DESIGN.md: core imports no Django or app.
    tree = ast.parse(Path(businesstime.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= sys.stdlib_module_names | {"__future__"}, imported


# ---------------------------------------------------------------- the oracle


def _oracle_spans(calendar: Calendar, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Working spans of local days first..last straight from the calendar's definition, as the
    union of the mapped intervals, each clipped to its local year (as the module documents)."""
    tz = calendar.tz
    raw: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day not in calendar.holidays:
            year_begin = datetime(day.year, 1, 1, tzinfo=tz).astimezone(UTC)
            year_end = datetime(day.year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
            for start, end in calendar.week[day.weekday()]:
                end_day = day + timedelta(days=1) if end == MIDNIGHT else day
                span_start = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
                span_end = datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)
                span_start, span_end = max(span_start, year_begin), min(span_end, year_end)
                if span_start < span_end:
                    raw.append((span_start, span_end))
        day += timedelta(days=1)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def oracle_between(a: datetime, b: datetime, calendar: Calendar) -> timedelta:
    local_a, local_b = a.astimezone(calendar.tz), b.astimezone(calendar.tz)
    spans = _oracle_spans(
        calendar, local_a.date() - timedelta(days=2), local_b.date() + timedelta(days=2)
    )
    # In UTC throughout: subtracting two datetimes of the same zone is wall-clock arithmetic.
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = timedelta(0)
    for start, end in spans:
        overlap = min(end, b) - max(start, a)
        if overlap > timedelta(0):
            total += overlap
    return total


# ---------------------------------------------------------------- properties

instants = st.datetimes(
    min_value=naive(2023, 1, 1),
    max_value=naive(2028, 12, 31),
    timezones=st.sampled_from([TEHRAN, UTC, BERLIN]),
    allow_imaginary=False,
)
business_durations = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=100)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
    st.integers(0, 60).map(lambda n: n * HOUR),  # whole hours land on interval ends often
)
zones = st.sampled_from(
    [
        TEHRAN,
        ZoneInfo("UTC"),
        BERLIN,
        ZoneInfo("America/New_York"),
        ZoneInfo("Australia/Lord_Howe"),  # a 30-minute DST change
        ZoneInfo("America/Santiago"),  # clocks change at midnight
    ]
)


@st.composite
def days_of_work(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    # Up to three intervals on whole quarter-hours; an end at midnight means 24:00.
    marks = sorted(draw(st.sets(st.integers(0, 96), min_size=0, max_size=6)))
    if len(marks) % 2:
        marks = marks[:-1]

    def wall(quarter: int) -> time:
        return MIDNIGHT if quarter == 96 else time(quarter // 4, quarter % 4 * 15)

    return tuple((wall(marks[i]), wall(marks[i + 1])) for i in range(0, len(marks), 2))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    week = tuple(draw(days_of_work()) for _ in range(7))
    assume(any(week))
    holidays = draw(st.frozensets(st.dates(date(2022, 12, 1), date(2029, 2, 1)), max_size=30))
    return Calendar(name="generated", week=week, hours_per_day=8, tz=draw(zones), holidays=holidays)


any_calendar = st.one_of(st.sampled_from(FIXED_CALENDARS), calendars())


@given(start=instants, duration=business_durations, calendar=any_calendar)
def test_adding_then_measuring_round_trips(start, duration, calendar):
    # Given any start and business duration
    end = add_business_time(start, duration, calendar)
    effective_start = next_working_instant(start, calendar)
    # Then the business time from the effective start to the result is exactly the duration
    assert business_time_between(effective_start, end, calendar) == duration
    # and so says the independent day-by-day oracle
    assert oracle_between(effective_start, end, calendar) == duration


@given(start=instants, duration=business_durations, calendar=any_calendar)
def test_result_is_the_earliest_instant_with_enough_working_time(start, duration, calendar):
    end = add_business_time(start, duration, calendar)
    assume(duration > timedelta(0))
    assert oracle_between(start, just_before(end), calendar) < duration


@given(start=instants, duration=business_durations, calendar=any_calendar)
def test_result_is_working_time_or_exactly_an_interval_end(start, duration, calendar):
    end = add_business_time(start, duration, calendar)
    assert end >= start
    assert is_working_time(end, calendar) or (
        is_working_time(just_before(end), calendar) and duration > timedelta(0)
    )
    assert end.tzinfo == calendar.tz


@given(
    first=instants,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    duration=business_durations,
    calendar=any_calendar,
)
def test_due_time_is_monotonic_in_the_start(first, gap, duration, calendar):
    later = elapsed_after(first, gap)
    assert add_business_time(first, duration, calendar) <= add_business_time(
        later, duration, calendar
    )


@given(start=instants, shorter=business_durations, extra=business_durations, calendar=any_calendar)
def test_due_time_is_monotonic_in_the_duration(start, shorter, extra, calendar):
    assert add_business_time(start, shorter, calendar) <= add_business_time(
        start, shorter + extra, calendar
    )


@given(
    a=instants,
    # Within 120 days of `a`, either way: keeps the oracle's day loop short without filtering.
    offset=st.timedeltas(min_value=timedelta(days=-120), max_value=timedelta(days=120)),
    calendar=any_calendar,
)
def test_business_time_between_matches_the_oracle(a, offset, calendar):
    low, high = sorted([a, a + offset])
    measured = business_time_between(low, high, calendar)
    assert measured == oracle_between(low, high, calendar)
    assert business_time_between(high, low, calendar) == -measured


@given(a=instants, b=instants, c=instants, calendar=any_calendar)
def test_business_time_between_adds_up(a, b, c, calendar):
    assert business_time_between(a, b, calendar) + business_time_between(
        b, c, calendar
    ) == business_time_between(a, c, calendar)


@given(instant=instants, calendar=any_calendar)
def test_next_working_instant_is_working_and_nothing_before_it_is(instant, calendar):
    nxt = next_working_instant(instant, calendar)
    assert is_working_time(nxt, calendar)
    assert nxt >= instant
    assert oracle_between(instant, nxt, calendar) == timedelta(0)


# Windows where the year turns: Gregorian New Year and Nowruz (Esfand 20 - Farvardin 15).
year_turns = st.one_of(
    st.datetimes(naive(2024, 12, 20), naive(2025, 1, 10), timezones=st.just(TEHRAN)),
    st.datetimes(naive(2025, 12, 20), naive(2026, 1, 10), timezones=st.just(TEHRAN)),
    st.datetimes(naive(2025, 3, 10), naive(2025, 4, 5), timezones=st.just(TEHRAN)),
    st.datetimes(naive(2026, 3, 10), naive(2026, 4, 5), timezones=st.just(TEHRAN)),
    st.datetimes(naive(2027, 3, 10), naive(2027, 4, 5), timezones=st.just(TEHRAN)),
)


@settings(max_examples=200)
@given(start=year_turns, hours=st.integers(0, 120))
def test_office_clock_across_year_turns_never_lands_on_a_day_off(start, hours):
    # Given a clock running across New Year or Nowruz on the office calendar
    end = due(start, f"{hours}bh", OFFICE)
    # Then the working time it used is on a working day: not Thursday, Friday or a holiday
    last_worked = just_before(end).astimezone(TEHRAN) if hours else end
    assert last_worked.weekday() not in (THURSDAY, FRIDAY)
    assert last_worked.date() not in OFFICE.holidays
    assert time(8) <= last_worked.time() < time(16)
    # and it round-trips through the whole holiday stretch
    effective = next_working_instant(start, OFFICE)
    assert business_time_between(effective, end, OFFICE) == hours * HOUR
    assert oracle_between(effective, end, OFFICE) == hours * HOUR
