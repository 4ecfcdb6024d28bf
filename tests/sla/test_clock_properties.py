"""Properties of clock arithmetic (pishkhan.sla.clocks): however often a ticket waits on the
customer, the business time counted while the clock runs is exactly its budget when it falls
due — a pause neither loses nor adds working time."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from pishkhan.core.businesstime import business_time_between, parse_target
from pishkhan.core.iran_calendar import default_calendar
from pishkhan.sla import clocks as arithmetic

OFFICE = default_calendar("office")
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, Tehran 15:30

targets = st.sampled_from(["2bh", "8bh", "3bd", "6bd", "90m", "180m"])
# (running minutes before a pause, minutes paused) pairs.
waits = st.lists(st.tuples(st.integers(1, 3 * 24 * 60), st.integers(1, 10 * 24 * 60)), max_size=5)


def new_clock(text: str):
    target = parse_target(text)
    budget = arithmetic.budget_us(target, OFFICE)
    clock = SimpleNamespace(
        target=text,
        budget_us=budget,
        remaining_us=budget,
        anchor_at=START,
        breached_at=None,
        due_at=None,
        at_risk_at=None,
    )
    arithmetic.plan(clock, OFFICE, 80)
    return clock


def counted(unit, a: datetime, b: datetime) -> int:
    if unit.value == "m":
        return (b - a) // timedelta(microseconds=1)
    return business_time_between(a, b, OFFICE) // timedelta(microseconds=1)


@given(targets, waits)
def test_time_counted_while_running_equals_the_budget_at_the_due_time(text, pauses):
    clock = new_clock(text)
    unit = parse_target(text).unit
    running_segments = []
    now = START
    for run_minutes, pause_minutes in pauses:
        pause_at = now + timedelta(minutes=run_minutes)
        if clock.due_at <= pause_at:
            break
        clock.remaining_us = arithmetic.remaining_at(clock, OFFICE, pause_at)
        running_segments.append((clock.anchor_at, pause_at))
        clock.anchor_at = None
        now = pause_at + timedelta(minutes=pause_minutes)
        clock.anchor_at = now
        arithmetic.plan(clock, OFFICE, 80)
    running_segments.append((clock.anchor_at, clock.due_at))
    assert sum(counted(unit, a, b) for a, b in running_segments) == clock.budget_us


@given(targets, st.integers(0, 30 * 24 * 60))
def test_at_risk_comes_before_due_and_used_share_is_monotonic(text, minutes):
    clock = new_clock(text)
    assert START <= clock.at_risk_at <= clock.due_at
    instant = START + timedelta(minutes=minutes)
    later = instant + timedelta(hours=1)
    assert arithmetic.used_percent(clock, OFFICE, instant) <= arithmetic.used_percent(
        clock, OFFICE, later
    )
    # Overdue exactly once the due instant has passed, working time or not.
    assert arithmetic.overdue(clock, OFFICE, instant) == (instant > clock.due_at)
