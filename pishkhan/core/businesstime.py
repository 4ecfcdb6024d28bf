"""Business-time arithmetic: which instant lies a given amount of working time after another, and
how much working time lies between two instants.

Each calendar's working time is turned, one (local, Gregorian) year at a time, into a sorted list
of disjoint intervals in UTC epoch microseconds plus prefix sums of their lengths. A question is
then two bisections and a subtraction — O(log n), never stepping minute by minute — so an SLA
clock costs the same whether its target is 90 minutes or 30 business days (DESIGN.md,
"Principles 3. Time").

Conventions, chosen once here so that every caller (models, jobs, reports, `pishkhan sla-due`)
agrees:

* Working intervals are half-open, [start, end). An instant exactly at an interval's end is
  outside working time, so a request filed at 16:00 on an 08:00-16:00 calendar starts its clock at
  08:00 on the next working day [003 4.2.3] / SPEC S-3.
* A positive duration that is used up exactly at an interval's end is due *at that end* (16:00),
  not at the next interval's start (08:00 the next morning): the promise was kept at 16:00, and
  the earliest instant at which the required working time has elapsed is the honest due time.
* A zero duration is due at the effective start: the start itself when it is inside working time,
  otherwise the next working instant.
* Instants are aware datetimes; a naive one raises ValueError, because guessing a zone would
  silently move deadlines. Results come back in the calendar's zone.

Only the standard library is used (zoneinfo for wall-time conversion), so the engine runs the same
inside Django, in a job worker or on the command line.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "FRIDAY",
    "MAX_TARGET_AMOUNT",
    "MIDNIGHT",
    "MONDAY",
    "SATURDAY",
    "SUNDAY",
    "TEHRAN",
    "THURSDAY",
    "TUESDAY",
    "WEDNESDAY",
    "Calendar",
    "DaySchedule",
    "Target",
    "Unit",
    "WorkingInterval",
    "add_business_time",
    "business_time_between",
    "due",
    "is_working_time",
    "next_working_instant",
    "parse_target",
    "weekly_schedule",
]

TEHRAN = ZoneInfo("Asia/Tehran")

# Weekday numbers as datetime.date.weekday() counts them (Monday is 0). Iran's working week is
# Saturday to Wednesday; Thursday and Friday are the weekend.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

# As an interval's *end*, midnight means 24:00 (the end of that day); `time` cannot say 24:00.
MIDNIGHT = time(0)

WorkingInterval = tuple[time, time]
DaySchedule = tuple[WorkingInterval, ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3_600 * _US_PER_SECOND
_ONE_DAY = timedelta(days=1)
# Year caches are built for date(year + 1, 1, 1), so the last usable year is 9998.
_FIRST_YEAR, _LAST_YEAR = 2, 9998


def weekly_schedule(days: Iterable[int], *intervals: WorkingInterval) -> tuple[DaySchedule, ...]:
    """The same working intervals on each of `days` (weekday numbers, Monday 0), none otherwise.

    >>> week = weekly_schedule([SATURDAY, SUNDAY], (time(8), time(16)))
    >>> week[SATURDAY], week[FRIDAY]
    (((datetime.time(8, 0), datetime.time(16, 0)),), ())
    """
    chosen = set(days)
    unknown = chosen - set(range(7))
    if unknown:
        raise ValueError(f"weekday numbers are 0 (Monday) to 6 (Sunday), not {sorted(unknown)}")
    return tuple(tuple(intervals) if day in chosen else () for day in range(7))


@dataclass(frozen=True)
class Calendar:
    """When work happens: a weekly schedule in a time zone, minus holidays.

    `week` has seven entries indexed by `date.weekday()` (Monday 0 ... Sunday 6); each is a tuple
    of (start, end) local wall times, sorted and not overlapping, so a lunch break is simply two
    intervals (08:00-12:00 and 13:00-16:00). An end of 00:00 means 24:00, so a round-the-clock day
    is (00:00, 00:00). Intervals belong to the local date they start on: a holiday removes all of
    them, and a night shift is written as its two halves on their two dates.

    `hours_per_day` is the length of one standard working day; `bd` targets count in it (3 business
    days = 24 business hours on an 8-hour office day).

    Wall times become instants through zoneinfo, so the calendar follows its zone's real history:
    Tehran has been UTC+03:30 all year since Iran abolished DST in 2022, and in a zone that still
    changes clocks, a 09:00-17:00 day is eight real hours on both sides of the change. A wall time
    that a spring-forward change skips is read with the offset in force before the change (PEP 495,
    fold=0); a repeated autumn hour is read as its first occurrence.
    """

    name: str
    week: tuple[DaySchedule, ...]
    hours_per_day: float
    tz: ZoneInfo = TEHRAN
    # Left out of repr: thousands of dates would bury every error message that shows a calendar.
    holidays: frozenset[date] = field(default=frozenset(), repr=False)
    _index: _Index = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"calendar {self.name!r}: week needs 7 days, got {len(self.week)}")
        if not isinstance(self.tz, ZoneInfo):
            # Fixed offsets (datetime.timezone) would silently ignore a zone's DST history.
            raise TypeError(f"calendar {self.name!r}: tz must be a zoneinfo.ZoneInfo")
        for weekday, day in enumerate(self.week):
            _check_day(self.name, weekday, day)
        if not any(self.week):
            raise ValueError(f"calendar {self.name!r} has no working time in its week")
        if not self.hours_per_day > 0:
            raise ValueError(f"calendar {self.name!r}: hours_per_day must be positive")
        # The dataclass is frozen so that calendars can be shared and used as dict keys; the index
        # is a cache derived from the fields, so setting it once here does not break that promise.
        object.__setattr__(self, "_index", _Index(self))

    @property
    def working_day(self) -> timedelta:
        """One standard working day as business time: what one `bd` is worth."""
        return timedelta(hours=self.hours_per_day)


def _check_day(name: str, weekday: int, day: DaySchedule) -> None:
    previous_end = -1
    for start, end in day:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"calendar {name!r}: working times are local wall times, not aware")
        start_us, end_us = _time_us(start), _time_us(end)
        if end == MIDNIGHT:
            end_us = 24 * _US_PER_HOUR
        if start_us >= end_us:
            raise ValueError(f"calendar {name!r}, weekday {weekday}: {start} is not before {end}")
        if start_us < previous_end:
            raise ValueError(f"calendar {name!r}, weekday {weekday}: intervals overlap or unsorted")
        previous_end = end_us


def _time_us(value: time) -> int:
    return (
        (value.hour * 60 + value.minute) * 60 + value.second
    ) * _US_PER_SECOND + value.microsecond


class _Year:
    """Working time of one local calendar year, ready for bisection.

    starts/ends: the intervals in UTC epoch microseconds, sorted, disjoint, touching ones merged.
    before[i]: working microseconds of this year before interval i; through[i]: including it.
    """

    __slots__ = ("before", "begin", "end", "ends", "number", "starts", "through", "total")

    def __init__(
        self, number: int, begin: int, end: int, starts: list[int], ends: list[int]
    ) -> None:
        self.number = number
        self.begin = begin
        self.end = end
        self.starts = starts
        self.ends = ends
        self.before: list[int] = []
        self.through: list[int] = []
        running = 0
        for start, stop in zip(starts, ends, strict=True):
            self.before.append(running)
            running += stop - start
            self.through.append(running)
        self.total = running


class _Index:
    """Per-calendar cache of _Year objects, built lazily: only the (local, Gregorian) years that
    some computation touches are ever built, typically one or two."""

    __slots__ = ("_calendar", "_years", "working_day")

    def __init__(self, calendar: Calendar) -> None:
        self._calendar = calendar
        self._years: dict[int, _Year] = {}
        self.working_day = round(calendar.hours_per_day * _US_PER_HOUR)  # one `bd`, microseconds

    def year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build(year)
        return cached

    def _build(self, year: int) -> _Year:
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise ValueError(f"year {year} is outside the supported range")
        calendar = self._calendar
        tz, week, holidays = calendar.tz, calendar.week, calendar.holidays
        begin = _local_us(date(year, 1, 1), MIDNIGHT, tz)
        end_of_year = _local_us(date(year + 1, 1, 1), MIDNIGHT, tz)
        spans: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        last = date(year, 12, 31)
        while day <= last:
            schedule = week[day.weekday()]
            if schedule and day not in holidays:
                for start_time, end_time in schedule:
                    end_day = day + _ONE_DAY if end_time == MIDNIGHT else day
                    spans.append((_local_us(day, start_time, tz), _local_us(end_day, end_time, tz)))
            day += _ONE_DAY
        # Around a DST change wall times can map to instants out of order or overlapping (a time
        # the clocks skip is read with the old offset), so the working time is the union of the
        # spans, sorted and merged; every bisection relies on disjoint sorted intervals. Clipping
        # to the year keeps neighbouring years from counting the same instant twice. Touching
        # spans merge too: 24x7 becomes one interval a year instead of 365.
        spans.sort()
        starts: list[int] = []
        ends: list[int] = []
        for raw_start, raw_end in spans:
            start, end = max(raw_start, begin), min(raw_end, end_of_year)
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            elif start < end:
                starts.append(start)
                ends.append(end)
        return _Year(year, begin, end_of_year, starts, ends)

    def year_of(self, instant: int, guess: int) -> _Year:
        # The caller's own `.year` is right unless its zone and the calendar's disagree about
        # which side of New Year the instant is on; then one step fixes it.
        year = self.year(guess)
        while instant < year.begin:
            year = self.year(guess := guess - 1)
        while instant >= year.end:
            year = self.year(guess := guess + 1)
        return year

    def add(self, instant: int, guess: int, duration: int) -> int:
        # The hot path of every due-time computation: kept to dict lookups, comparisons and two
        # bisections (year_of is inlined for the common case of the caller's year being right).
        year = self._years.get(guess)
        if year is None or not year.begin <= instant < year.end:
            year = self.year_of(instant, guess)
        i = bisect_right(year.ends, instant)
        hops = 0
        while i == len(year.ends):  # no working time left this year: start at the next one's first
            year = self._after(year, hops := hops + 1)
            instant = year.begin
            i = 0
        start = max(instant, year.starts[i])
        target = year.before[i] + (start - year.starts[i]) + duration
        while target > year.total:
            target -= year.total
            year = self._after(year, hops := hops + 1)
            i = 0
        # bisect_left picks the first interval whose running total reaches the target, so a
        # duration used up exactly at an interval's end is due at that end (see module docstring);
        # lo=i keeps a zero duration from stepping back into an earlier interval.
        j = bisect_left(year.through, target, i)
        return year.starts[j] + (target - year.before[j])

    def position(self, instant: int, guess: int) -> tuple[int, int]:
        """(year, working microseconds from that year's start up to `instant`)."""
        year = self.year_of(instant, guess)
        i = bisect_right(year.starts, instant) - 1
        if i < 0:
            return year.number, 0
        return year.number, year.before[i] + min(instant, year.ends[i]) - year.starts[i]

    def between(self, a: int, a_guess: int, b: int, b_guess: int) -> int:
        if b < a:
            return -self.between(b, b_guess, a, a_guess)
        year_a, pos_a = self.position(a, a_guess)
        year_b, pos_b = self.position(b, b_guess)
        whole_years = sum(self.year(number).total for number in range(year_a, year_b))
        return whole_years - pos_a + pos_b

    def is_working(self, instant: int, guess: int) -> bool:
        year = self.year_of(instant, guess)
        i = bisect_right(year.starts, instant) - 1
        return i >= 0 and instant < year.ends[i]

    def _after(self, year: _Year, hops: int) -> _Year:
        # A calendar whose holidays swallow every working day (or a huge target on a calendar with
        # an hour a week) would otherwise walk on, building years, until year 9998.
        if hops > 1_000:
            raise ValueError(
                f"calendar {self._calendar.name!r}: the due time is more than a thousand years away"
            )
        return self.year(year.number + 1)


def _local_us(day: date, wall: time, tz: ZoneInfo) -> int:
    return (datetime.combine(day, wall, tzinfo=tz) - _EPOCH) // _ONE_US


def _instant_us(value: datetime, what: str) -> int:
    if value.tzinfo is not None:
        try:
            return (value - _EPOCH) // _ONE_US
        except TypeError:
            pass  # a tzinfo whose utcoffset() is None: naive in all but name
    raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


def _datetime(instant: int, tz: ZoneInfo) -> datetime:
    seconds, micro = divmod(instant, _US_PER_SECOND)
    result = datetime.fromtimestamp(seconds, tz)
    return result.replace(microsecond=micro) if micro else result


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The earliest instant by which `duration` of working time has elapsed after `start`.

    A start outside working time counts from the next working instant (S-3). The result is in the
    calendar's zone and may be exactly an interval's end. Raises ValueError for a naive start or a
    negative duration.
    """
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    index = calendar._index
    instant = index.add(_instant_us(start, "start"), start.year, duration // _ONE_US)
    return _datetime(instant, calendar.tz)


def business_time_between(a: datetime, b: datetime, calendar: Calendar) -> timedelta:
    """Working time in [a, b); negative when b is before a (time left on an overdue clock)."""
    micros = calendar._index.between(_instant_us(a, "a"), a.year, _instant_us(b, "b"), b.year)
    return timedelta(microseconds=micros)


def next_working_instant(instant: datetime, calendar: Calendar) -> datetime:
    """`instant` itself inside working time, else the start of the next working interval (S-3)."""
    return add_business_time(instant, timedelta(0), calendar)


def is_working_time(instant: datetime, calendar: Calendar) -> bool:
    """Whether `instant` falls inside a working interval (end excluded); S-4 reports use this to
    split first responses into office hours and outside office hours and holidays."""
    return calendar._index.is_working(_instant_us(instant, "instant"), instant.year)


class Unit(StrEnum):
    """SLA target units, as written in policies and on the command line (DESIGN.md)."""

    BUSINESS_HOURS = "bh"
    BUSINESS_DAYS = "bd"
    MINUTES = "m"


# Large enough for any real SLA (100,000 business days is centuries), small enough that a typo
# cannot make a job walk tens of thousands of calendar years.
MAX_TARGET_AMOUNT = 100_000


@dataclass(frozen=True)
class Target:
    """An SLA target such as 2 business hours, 3 business days or 90 calendar minutes."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if not 0 <= self.amount <= MAX_TARGET_AMOUNT:
            raise ValueError(f"target amount must be 0 to {MAX_TARGET_AMOUNT}, got {self.amount}")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


_TARGET = re.compile(r"\s*(\d+)\s*(bh|bd|m)\s*", re.IGNORECASE)


@lru_cache(maxsize=1024)
def parse_target(text: str) -> Target:
    """Parse "2bh", "3bd" or "90m" (case-insensitive; Persian digits accepted: "۲bh").

    Cached: the same few policy targets are parsed over and over by jobs and the CLI's batch mode.
    Raises ValueError for anything else.
    """
    match = _TARGET.fullmatch(text)
    if match is None:
        raise ValueError(f"bad target {text!r}: expected a whole number and bh, bd or m (e.g. 2bh)")
    # \d also matches Persian and Arabic-Indic digits, and int() reads them.
    amount = int(match.group(1))
    return Target(amount, Unit(match.group(2).lower()))


def due(start: datetime, target: Target | str, calendar: Calendar) -> datetime:
    """When an SLA target that starts counting at `start` falls due, in the calendar's zone.

    * bh: that many hours of working time after the effective start (S-3 applies).
    * bd: that many standard working days of working time (`hours_per_day` each), so on `office`
      3bd from Saturday 10:00 is Tuesday 10:00, not "the end of the third day".
    * m: that many elapsed minutes after `start` as given, working time or not: minute targets are
      round-the-clock promises (S-4), so they neither wait for office hours nor skip holidays.
      Elapsed, not wall-clock, arithmetic: 90m across a DST change is still 90 real minutes (the
      two agree in Tehran, which has no DST).
    """
    parsed = parse_target(target) if isinstance(target, str) else target
    if parsed.unit is Unit.MINUTES:
        # Through epoch microseconds, not `start + timedelta`: Python adds a timedelta to an
        # aware datetime on its wall clock, which is wrong across a DST change.
        instant = _instant_us(start, "start") + parsed.amount * 60 * _US_PER_SECOND
        return _datetime(instant, calendar.tz)
    index = calendar._index
    if parsed.unit is Unit.BUSINESS_HOURS:
        duration = parsed.amount * _US_PER_HOUR
    else:
        duration = parsed.amount * index.working_day
    return _datetime(index.add(_instant_us(start, "start"), start.year, duration), calendar.tz)
