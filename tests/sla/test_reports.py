"""SLA reports as a supervisor reads them, worked by hand from the seed's rules: the office
calendar works Saturday to Wednesday 08:00-16:00 Tehran time and Azar 1405 has no holiday;
the default targets of S-2 [003 4.2.2] give a critical fault 2 business hours to a first
response and 8 to a restore, a major one 4 and 2 business days, a normal fault 8 and 3 days.

The week (all in alpha's technical department, the report read on Saturday at 16:30):

  ticket  created (Tehran)          severity  priority   agent   first staff reply
  A       Sat 1405/09/07 09:00      critical  urgent     alice   Sat 09:30
  B       Sat 1405/09/07 10:00      critical  normal     alice   Sat 13:00 (1 h late)
  C       Thu 1405/09/05 22:00      critical  urgent     owner   Sat 08:30
  D       Sat 1405/09/07 11:00      major     important  —       none yet (due 15:00)
  E       Fri 1405/09/06 20:00      bug       normal     alice   Fri 21:00
  F       Sat 1405/09/07 12:00      bug       normal     alice   none; not a fault at 14:00
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.sla import reports
from pishkhan.sla.reports import PeriodError, parse_day, period_from, report
from pishkhan.sla.selectors import calendar_get_by_name
from pishkhan.sla.services import calendar_day_set
from pishkhan.tickets.models import Priority, Severity, Status
from pishkhan.tickets.services import (
    department_create,
    ticket_mark_not_a_fault,
    ticket_reply,
    ticket_update,
)
from tests.conftest import World

TEHRAN = ZoneInfo("Asia/Tehran")
HOUR = 3600


def tehran(*args) -> datetime:
    return datetime(*args, tzinfo=TEHRAN)


THURSDAY = date(2026, 11, 26)  # 1405/09/05
SATURDAY = date(2026, 11, 28)  # 1405/09/07
READ_AT = tehran(2026, 11, 28, 16, 30)
# The shared fixtures file a ticket when they are built; build them well before the week.
BEFORE = tehran(2026, 11, 1, 10, 0)


def world_before_the_week(slug: str, name: str) -> World:
    with time_machine.travel(BEFORE, tick=False):
        return World(slug, name)


@pytest.fixture
def alpha(db) -> World:
    return world_before_the_week("alpha", "alice")


def _file(world, when, subject, *, severity, priority, assignee=None):
    with time_machine.travel(when, tick=False):
        ticket = world.submit(subject, severity=severity, priority=priority)
        if assignee is not None:
            ticket_update(tenant=world.tenant, ticket=ticket, actor=world.owner, assignee=assignee)
    return ticket


def _answer(world, ticket, when, body="در حال بررسی هستیم"):
    with time_machine.travel(when, tick=False):
        ticket_reply(
            tenant=world.tenant, ticket=ticket, actor=world.agent, body=body, status=Status.OPEN
        )


def build_week(world) -> dict:
    """The six tickets of the table above, in `world`."""
    t = {}
    t["A"] = _file(
        world,
        tehran(2026, 11, 28, 9),
        "قطعی کامل سرویس",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        assignee=world.agent,
    )
    _answer(world, t["A"], tehran(2026, 11, 28, 9, 30))
    t["B"] = _file(
        world,
        tehran(2026, 11, 28, 10),
        "سرور پاسخ نمی دهد",
        severity=Severity.CRITICAL,
        priority=Priority.NORMAL,
        assignee=world.agent,
    )
    _answer(world, t["B"], tehran(2026, 11, 28, 13))
    t["C"] = _file(
        world,
        tehran(2026, 11, 26, 22),
        "مشکلات مربوط به آپتایم شبکه و سرورها",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        assignee=world.owner,
    )
    _answer(world, t["C"], tehran(2026, 11, 28, 8, 30))
    t["D"] = _file(
        world,
        tehran(2026, 11, 28, 11),
        "کندی سایت",
        severity=Severity.MAJOR,
        priority=Priority.IMPORTANT,
    )
    t["E"] = _file(
        world,
        tehran(2026, 11, 27, 20),
        "خطای نرم افزار",
        severity=Severity.BUG,
        priority=Priority.NORMAL,
        assignee=world.agent,
    )
    _answer(world, t["E"], tehran(2026, 11, 27, 21))
    t["F"] = _file(
        world,
        tehran(2026, 11, 28, 12),
        "مشکلات سیستم های مدیریت محتوا",
        severity=Severity.BUG,
        priority=Priority.NORMAL,
        assignee=world.agent,
    )
    with time_machine.travel(tehran(2026, 11, 28, 14), tick=False):
        ticket_mark_not_a_fault(tenant=world.tenant, ticket=t["F"], actor=world.agent)
    return t


def read(world, **kwargs):
    with time_machine.travel(READ_AT, tick=False):
        return report(tenant=world.tenant, start_date=THURSDAY, end_date=SATURDAY, **kwargs)


def counts(group, kind) -> tuple[int, int, int, int]:
    c = group.kinds[kind]
    return (c.met, c.missed, c.open, c.lapsed)


def test_targets_met_and_missed_for_the_week(alpha):
    # given the week's six tickets
    build_week(alpha)
    # when the supervisor reads the report on Saturday at 16:30
    found = read(alpha)
    # then one department holds them all, and the fixture's ticket of Aban is not in it
    assert [g.key for g in found.groups] == [alpha.department.pk]
    total = found.total
    assert total.tickets == 6
    # first response (met, missed, open, lapsed): A, C and E in time; B late; D unanswered
    # past its 15:00 due time counts as missed although its clock still runs; F lapsed
    assert counts(total, "first_response") == (3, 2, 0, 1)
    assert total.kinds["first_response"].met_percent == 60
    # restore: C (8 business hours from Saturday 08:00) fell due at 16:00 and is still open
    assert counts(total, "restore") == (0, 1, 4, 1)
    # resolution: only critical and major faults have one (A, B, C, D), none is due yet
    assert counts(total, "resolution") == (0, 0, 4, 0)
    assert total.kinds["resolution"].met_percent is None
    assert total.unanswered == 2


def test_first_response_business_and_wall_clock_times(alpha):
    build_week(alpha)
    total = read(alpha).total
    # business time the clocks counted: A 30 min, B 3 h, C 30 min (from Saturday 08:00),
    # E none (answered on Friday night, before the office opened)
    business = total.first_response_business
    assert business.count == 4
    assert business.median_seconds == 30 * 60
    assert business.average_seconds == HOUR  # (0 + 1800 + 1800 + 10800) / 4
    # wall clock: A 30 min, E 1 h, B 3 h, C 34 h 30 min (Thursday 22:00 to Saturday 08:30)
    wall = total.first_response_wall
    assert wall.count == 4
    assert wall.median_seconds == 2 * HOUR  # between 1 h and 3 h
    assert wall.average_seconds == (1800 + 3600 + 10800 + 124200) // 4


def test_office_hours_and_outside_against_one_and_three_hours(alpha):
    # S-4 [002 r17]
    build_week(alpha)
    office, outside = read(alpha).office_hours
    # in office hours: A, B, D and F came in on Saturday morning; A and B were answered
    assert (office.key, office.target_minutes) == ("office", 60)
    assert (office.tickets, office.answered, office.unanswered) == (4, 2, 2)
    assert office.wall.average_seconds == (1800 + 10800) // 2  # 1 h 45 min
    assert office.within_target == 1
    assert office.unanswered_past_target == 2
    assert office.met is False
    # outside office hours and holidays: C on Thursday night, E on Friday night
    assert (outside.key, outside.target_minutes) == ("outside", 180)
    assert (outside.tickets, outside.answered, outside.unanswered) == (2, 2, 0)
    assert outside.wall.average_seconds == (124200 + 3600) // 2
    assert outside.within_target == 1
    assert outside.met is False


def test_outside_office_hours_target_is_met_when_the_average_is_within_three_hours(alpha):
    build_week(alpha)
    # normal priority only: B (office, 3 h) and E (Friday night, 1 h) and F (unanswered)
    office, outside = read(alpha, priority=Priority.NORMAL).office_hours
    assert (office.tickets, office.answered, office.wall.average_seconds) == (2, 1, 3 * HOUR)
    assert office.met is False
    assert (outside.tickets, outside.wall.average_seconds, outside.met) == (1, HOUR, True)


def test_a_holiday_counts_as_outside_office_hours(alpha):
    # 1405/09/08 Sunday 10:00 is office time; the tenant closes that day for a holiday
    office = calendar_get_by_name(tenant=alpha.tenant, name="office")
    calendar_day_set(
        tenant=alpha.tenant,
        actor=alpha.owner,
        calendar=office,
        day=date(2026, 11, 29),
        kind="closed",
        note="تعطیل",
    )
    ticket = _file(
        alpha,
        tehran(2026, 11, 29, 10),
        "درخواست روز تعطیل",
        severity=Severity.OTHER,
        priority=Priority.NORMAL,
    )
    _answer(alpha, ticket, tehran(2026, 11, 29, 12))
    with time_machine.travel(tehran(2026, 11, 29, 13), tick=False):
        office_row, outside_row = report(
            tenant=alpha.tenant, start_date=date(2026, 11, 29), end_date=date(2026, 11, 29)
        ).office_hours
    assert (office_row.tickets, outside_row.tickets) == (0, 1)
    assert (outside_row.wall.average_seconds, outside_row.met) == (2 * HOUR, True)


def test_grouped_by_agent_names_people_and_puts_unassigned_last(alpha):
    build_week(alpha)
    groups = read(alpha, group_by="agent").groups
    assert [g.key for g in groups] == [alpha.agent.pk, alpha.owner.pk, None]
    assert [reports.group_label(g, "agent", "en") for g in groups] == [
        "alice",
        "owner alpha",
        "Unassigned",
    ]
    alice, owner, nobody = groups
    # alice: A and E in time, B late, F lapsed
    assert alice.tickets == 4
    assert counts(alice, "first_response") == (2, 1, 0, 1)
    assert alice.first_response_business.median_seconds == 30 * 60
    assert alice.first_response_wall.median_seconds == HOUR
    assert alice.first_response_wall.average_seconds == (1800 + 3600 + 10800) // 3
    assert counts(owner, "restore") == (0, 1, 0, 0)
    assert counts(nobody, "first_response") == (0, 1, 0, 0)
    assert nobody.first_response_wall.count == 0


def test_grouped_by_priority_and_severity_follow_their_order(alpha):
    build_week(alpha)
    by_priority = read(alpha, group_by="priority").groups
    assert [(g.key, g.tickets) for g in by_priority] == [
        ("urgent", 2),
        ("important", 1),
        ("normal", 3),
    ]
    assert counts(by_priority[0], "first_response") == (2, 0, 0, 0)
    by_severity = read(alpha, group_by="severity").groups
    assert [(g.key, g.tickets) for g in by_severity] == [
        ("critical", 3),
        ("major", 1),
        ("bug", 2),
    ]
    assert reports.group_label(by_severity[0], "severity", "en") == "Critical fault"


def test_filters_narrow_the_tickets(alpha):
    t = build_week(alpha)
    assert read(alpha, assignee_id=alpha.owner.pk).total.tickets == 1
    assert read(alpha, priority=Priority.URGENT).total.tickets == 2
    # a second department has none of the week's tickets
    sales = department_create(tenant=alpha.tenant, actor=alpha.owner, name="فروش")
    assert read(alpha, department_id=sales.pk).total.tickets == 0
    assert read(alpha, department_id=alpha.department.pk).total.tickets == len(t)
    nothing = read(alpha, group_by="none")
    assert [g.tickets for g in nothing.groups] == [6]


def test_report_of_one_tenant_never_counts_anothers_tickets(alpha):
    beta = world_before_the_week("beta", "bob")
    build_week(beta)
    assert read(alpha).total.tickets == 0
    assert read(alpha, department_id=beta.department.pk).groups == []
    assert read(beta).total.tickets == 6


def test_queries_do_not_grow_with_tickets(alpha):
    build_week(alpha)
    with CaptureQueriesContext(connection) as few:
        read(alpha, group_by="agent")
    build_week(alpha)
    with CaptureQueriesContext(connection) as more:
        assert read(alpha, group_by="agent").total.tickets == 12
    assert len(more) == len(few) <= 6


def test_csv_has_a_bom_a_header_in_the_language_and_a_row_per_group_and_target(alpha):
    build_week(alpha)
    found = read(alpha, group_by="agent")
    persian = reports.report_csv(found, "fa")
    assert persian.startswith("\ufeff")
    lines = persian.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[0] == "کارشناس"  # "Agent"
    # three agents and the total, three targets each
    assert len(lines) == 1 + 4 * 3
    english = reports.report_csv(found, "en").lstrip("\ufeff").splitlines()
    assert english[0].startswith("Agent,Target,Tickets,Met,Missed,Open,Lapsed,Met (%)")
    # alice's first-response row: 4 tickets, 2 met, 1 missed, 0 open, 1 lapsed, 67 %,
    # 1 unanswered, business median 30 min and average 70 min, wall median 60, average 90
    assert english[1] == "alice,First response,4,2,1,0,1,67,1,30.0,70.0,60.0,90.0"
    assert english[-1].startswith("All tickets,Resolution,6,0,0,4,0,,")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1405/09/07", date(2026, 11, 28)),
        ("۱۴۰۵/۰۹/۰۷", date(2026, 11, 28)),
        ("١٤٠٥-٠٩-٠٧", date(2026, 11, 28)),
        ("1405/9/7", date(2026, 11, 28)),
        ("2026-11-28", date(2026, 11, 28)),
        (" 2026/11/28 ", date(2026, 11, 28)),
        ("1403/12/30", date(2025, 3, 20)),  # 1403 is a leap year
    ],
)
def test_days_are_read_in_jalali_or_gregorian_with_any_digits(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1405/13/01",
        "1404/12/30",
        "2026-02-30",
        "tomorrow",
        "1405/09",
        "0001-01-01",
        "9999-12-31",
    ],
)
def test_days_that_do_not_exist_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011 - every bad day is a plain ValueError
        parse_day(text)


def test_period_defaults_to_the_current_jalali_month():
    now = tehran(2026, 11, 28, 16, 30)
    assert period_from(None, "", tz=TEHRAN, now=now) == (date(2026, 11, 22), date(2026, 12, 21))
    # Esfand runs into the next year's Farvardin
    esfand = tehran(2027, 3, 1, 12)
    assert period_from(None, None, tz=TEHRAN, now=esfand) == (date(2027, 2, 20), date(2027, 3, 20))
    assert period_from("1405/09/05", None, tz=TEHRAN, now=now) == (
        date(2026, 11, 26),
        date(2026, 12, 21),
    )


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        ("1405/13/01", "1405/09/07", "bad_date", "from"),
        ("1405/09/01", "yesterday", "bad_date", "to"),
        ("1405/09/07", "1405/09/05", "reversed", "to"),
        ("2026-01-01", "2027-01-02", "too_long", "to"),
    ],
)
def test_bad_periods_say_what_is_wrong(start, end, code, field):
    with pytest.raises(PeriodError) as caught:
        period_from(start, end, tz=TEHRAN)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_a_leap_year_of_366_days_is_allowed():
    assert period_from("2028-01-01", "2028-12-31", tz=TEHRAN) == (
        date(2028, 1, 1),
        date(2028, 12, 31),
    )
