"""Clock arithmetic: what is left of a clock's budget at an instant, when it falls due, when it
becomes at risk. Pure functions over a clock's fields and the engine's calendar; the services
decide when to call them and save the result."""

from __future__ import annotations

from datetime import datetime, timedelta

from pishkhan.core.businesstime import (
    Calendar,
    Target,
    Unit,
    add_business_time,
    business_time_between,
    next_working_instant,
    parse_target,
)

US = timedelta(microseconds=1)


def budget_us(target: Target, calendar: Calendar) -> int:
    if target.unit is Unit.MINUTES:
        return target.amount * 60_000_000
    if target.unit is Unit.BUSINESS_HOURS:
        return target.amount * 3_600_000_000
    return round(target.amount * calendar.working_day / US)


def effective_start(now: datetime, target: Target, calendar: Calendar) -> datetime:
    # S-3: business targets start counting at the next working instant; minute targets are
    # round-the-clock promises and start at once.
    if target.unit is Unit.MINUTES:
        return now
    return next_working_instant(now, calendar)


def spent_us(unit: Unit, calendar: Calendar, a: datetime, b: datetime) -> int:
    if unit is Unit.MINUTES:
        return (b - a) // US
    return business_time_between(a, b, calendar) // US


def advance(unit: Unit, calendar: Calendar, start: datetime, amount_us: int) -> datetime:
    if unit is Unit.MINUTES:
        return start + timedelta(microseconds=amount_us)
    return add_business_time(start, timedelta(microseconds=amount_us), calendar)


def remaining_at(clock, calendar: Calendar, instant: datetime) -> int:
    """Budget left at `instant`, in microseconds (negative once the clock is overdue)."""
    if clock.anchor_at is None:
        return clock.remaining_us
    unit = parse_target(clock.target).unit
    return clock.remaining_us - spent_us(unit, calendar, clock.anchor_at, instant)


def overdue(clock, calendar: Calendar, instant: datetime, *, left: int | None = None) -> bool:
    """Whether the clock is past its promise at `instant`. A running clock is late once its due
    instant has passed, even when no working time has passed since (an answer at 17:00 to a
    target due at 16:00 is late); a stopped or paused one when it was marked breached or its
    budget went below zero. `left`: `remaining_at` of the same instant, when the caller has it
    (a sum of business time over a long delay is not free)."""
    if clock.breached_at is not None:
        return True
    if clock.anchor_at is not None and clock.due_at is not None and instant > clock.due_at:
        return True
    return (remaining_at(clock, calendar, instant) if left is None else left) < 0


def plan(clock, calendar: Calendar, at_risk_percent: int) -> None:
    """Set `due_at` and `at_risk_at` of a running clock from its anchor and what is left."""
    unit = parse_target(clock.target).unit
    anchor = clock.anchor_at
    if clock.remaining_us <= 0:
        # Already overdue when (re)started: it fell due when it was breached, or now.
        clock.due_at = clock.breached_at or clock.due_at or anchor
        clock.at_risk_at = clock.due_at
        return
    clock.due_at = advance(unit, calendar, anchor, clock.remaining_us)
    reserve = clock.budget_us * (100 - at_risk_percent) // 100
    if clock.remaining_us > reserve:
        clock.at_risk_at = advance(unit, calendar, anchor, clock.remaining_us - reserve)
    else:
        clock.at_risk_at = anchor


def used_percent(clock, calendar: Calendar, instant: datetime, *, left: int | None = None) -> int:
    if clock.budget_us <= 0:
        return 100
    if left is None:
        left = remaining_at(clock, calendar, instant)
    return max(0, round(100 * (clock.budget_us - left) / clock.budget_us))
