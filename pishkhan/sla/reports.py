"""SLA reports (SPEC S-4, S-6): how a period's tickets fared against their targets, per
department, agent, priority or severity, and the round-the-clock first-response promise.

Pure reads. A report covers the tickets *created* in a period of whole days in the tenant's
time zone; each ticket is judged as it stands now (a clock still running past its due time
already counts as missed).

Two measures of the first response are given side by side, and they answer different
questions:

* business time: what the first-response clock counted (its budget minus what was left when
  it stopped) — working hours of the ticket's SLA calendar, the measure the targets of S-2 are
  written in;
* wall-clock time: from the ticket's creation to its first staff reply, nights and holidays
  included — what the customer waited, and the measure of S-4 [002 r17].

Everything is aggregated in Python over two bounded `.values()` queries (tickets, then their
clocks), so the number of queries does not grow with the number of tickets or groups.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jdatetime
from django.utils.translation import gettext as _
from django.utils.translation import override

from pishkhan.core import clock as wall_clock
from pishkhan.core.businesstime import Calendar, is_working_time
from pishkhan.core.iran_calendar import default_calendar
from pishkhan.core.persian import to_ascii_digits
from pishkhan.sla.calendars import engine_calendar
from pishkhan.sla.models import CLOCK_KINDS, ClockKind, ClockStatus, SlaClock
from pishkhan.sla.selectors import calendar_get_by_name
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Priority, Severity, Ticket

# S-4 [002 r17]: "the average time to answer tickets is 1 hour in office hours and 3 hours
# outside office hours and on holidays". Averages of wall-clock first responses.
OFFICE_HOURS_TARGET_MINUTES = 60
OUTSIDE_OFFICE_HOURS_TARGET_MINUTES = 180
# The calendar that says what "office hours" are for S-4: the tenant's own calendar of this
# name, else the built-in one (Saturday to Wednesday 08:00-16:00, official holidays off).
OFFICE_CALENDAR_NAME = "office"

# A report spans at most a year (a leap year's 366 days), which also bounds its queries.
MAX_PERIOD_DAYS = 366

GROUP_BY_CHOICES = ("department", "agent", "priority", "severity", "none")

US_PER_SECOND = 1_000_000


# --- the period ------------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period that cannot be reported on. `code` is one of "bad_date" (with `field`),
    "reversed" (from after to) or "too_long" (more than MAX_PERIOD_DAYS)."""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
# Years below this are Solar Hijri (1405 is 2026): the two calendars never meet in practice.
_FIRST_GREGORIAN_YEAR = 1700
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def parse_day(text: str) -> date:
    """A calendar day from what a person or an integration types: Jalali ("1405/09/08",
    "۱۴۰۵/۰۹/۰۸") or Gregorian ISO ("2026-11-29"), in Persian, Arabic or ASCII digits.
    ValueError when it is not a real day."""
    match = _DATE.match(to_ascii_digits(str(text or "")))
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    try:
        if year < _FIRST_GREGORIAN_YEAR:
            day_ = jdatetime.date(year, month, day).togregorian()
        else:
            day_ = date(year, month, day)
    except (ValueError, OverflowError) as exc:
        raise ValueError(text) from exc
    # Far outside any ticket's life; refused rather than carried to the database's edges.
    if not EARLIEST_DAY <= day_ <= LATEST_DAY:
        raise ValueError(text)
    return day_


def current_jalali_month(*, tz: ZoneInfo, now: datetime | None = None) -> tuple[date, date]:
    """First and last day of the Jalali month that is current in `tz` (the default period)."""
    today = jdatetime.date.fromgregorian(date=(now or wall_clock.now()).astimezone(tz).date())
    first = jdatetime.date(today.year, today.month, 1)
    if today.month == 12:
        following = jdatetime.date(today.year + 1, 1, 1)
    else:
        following = jdatetime.date(today.year, today.month + 1, 1)
    return first.togregorian(), following.togregorian() - timedelta(days=1)


def period_from(
    start_text: str | None, end_text: str | None, *, tz: ZoneInfo, now: datetime | None = None
) -> tuple[date, date]:
    """The period a request asks for; a bound left blank comes from the current Jalali month.
    PeriodError names what is wrong."""
    default_start, default_end = current_jalali_month(tz=tz, now=now)
    days = []
    for text, default, name in ((start_text, default_start, "from"), (end_text, default_end, "to")):
        if text is None or not str(text).strip():
            days.append(default)
            continue
        try:
            days.append(parse_day(text))
        except ValueError as exc:
            raise PeriodError("bad_date", name) from exc
    start, end = days
    if start > end:
        raise PeriodError("reversed", "to")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError("too_long", "to")
    return start, end


# --- the figures -----------------------------------------------------------------------------


@dataclass
class KindCounts:
    """How one kind of clock fared on a group's tickets."""

    kind: str
    met: int = 0
    # Stopped late, or still open past its due time.
    missed: int = 0
    # Still running or paused, not yet past due.
    open: int = 0
    # Not a software fault: the obligation lapsed (S-5).
    lapsed: int = 0

    @property
    def total(self) -> int:
        return self.met + self.missed + self.open + self.lapsed

    @property
    def met_percent(self) -> int | None:
        """Share met of the clocks already decided (met or missed); None before any is."""
        decided = self.met + self.missed
        return round(100 * self.met / decided) if decided else None


@dataclass
class Durations:
    """Summary of a list of durations, in whole seconds."""

    count: int
    median_seconds: int | None
    average_seconds: int | None

    @classmethod
    def of(cls, seconds: list[float]) -> Durations:
        if not seconds:
            return cls(0, None, None)
        return cls(
            len(seconds),
            round(statistics.median(seconds)),
            round(statistics.fmean(seconds)),
        )


@dataclass
class GroupReport:
    """One row of the report: a department, an agent, a priority, a severity, or everything.
    `key` is the department or user id, the priority or severity value, or None (no agent /
    everything); `name` and `name_en` are what to call it (empty for a choice value, whose
    label comes from its choices)."""

    key: int | str | None
    name: str = ""
    name_en: str = ""
    tickets: int = 0
    kinds: dict[str, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts(kind) for kind in CLOCK_KINDS}
    )
    # Tickets that have had no staff reply yet.
    unanswered: int = 0
    # Business time the first-response clock counted (met or missed, stopped by a reply).
    first_response_business: Durations = field(default_factory=lambda: Durations.of([]))
    # Wall-clock time from creation to the first staff reply.
    first_response_wall: Durations = field(default_factory=lambda: Durations.of([]))


@dataclass
class OfficeHoursRow:
    """S-4 for one side of the split: tickets created in office hours, or outside office
    hours and on holidays."""

    key: str  # "office" | "outside"
    target_minutes: int
    tickets: int
    answered: int
    # Not answered yet: not in the average (there is no response time yet), counted here.
    unanswered: int
    # …of which already waiting longer than the target.
    unanswered_past_target: int
    # Answered within the target minutes.
    within_target: int
    wall: Durations

    @property
    def met(self) -> bool | None:
        """The average is within the target; None while nothing was answered."""
        if self.wall.average_seconds is None:
            return None
        return self.wall.average_seconds <= self.target_minutes * 60


@dataclass
class SlaReport:
    start: date
    end: date
    time_zone: str
    group_by: str
    department_id: int | None
    assignee_id: int | None
    priority: str | None
    generated_at: datetime
    groups: list[GroupReport]
    total: GroupReport
    office_hours: list[OfficeHoursRow]
    office_calendar: str


# --- building it -----------------------------------------------------------------------------


def _office_calendar(tenant: Tenant) -> tuple[Calendar, str]:
    stored = calendar_get_by_name(tenant=tenant, name=OFFICE_CALENDAR_NAME)
    if stored is not None:
        return engine_calendar(stored), stored.label or stored.name
    return default_calendar(OFFICE_CALENDAR_NAME), OFFICE_CALENDAR_NAME


def _is_missed(clock: dict, now: datetime) -> bool:
    status = clock["status"]
    if status == ClockStatus.MISSED:
        return True
    if status not in (ClockStatus.RUNNING, ClockStatus.PAUSED):
        return False
    if clock["breached_at"] is not None or clock["remaining_us"] < 0:
        return True
    # A running clock's due time is the instant its budget runs out; it is breached once that
    # instant has passed (answered exactly at the due time is met).
    return status == ClockStatus.RUNNING and clock["due_at"] is not None and now > clock["due_at"]


def _group_key(row: dict, group_by: str):
    if group_by == "department":
        return row["department_id"]
    if group_by == "agent":
        return row["assignee_id"]
    if group_by in ("priority", "severity"):
        return row[group_by]
    return None


def _new_group(row: dict, group_by: str) -> GroupReport:
    key = _group_key(row, group_by)
    if group_by == "department":
        return GroupReport(key, row["department__name"], row["department__name_en"])
    if group_by == "agent" and key is not None:
        name = row["assignee__full_name"] or row["assignee__email"]
        return GroupReport(key, name, name)
    return GroupReport(key)


def _sort_groups(groups: dict, group_by: str, order: dict) -> list[GroupReport]:
    if group_by == "priority":
        rank = {value: i for i, value in enumerate(Priority.values)}
        return sorted(groups.values(), key=lambda g: rank.get(g.key, len(rank)))
    if group_by == "severity":
        rank = {value: i for i, value in enumerate(Severity.values)}
        return sorted(groups.values(), key=lambda g: rank.get(g.key, len(rank)))
    if group_by == "agent":
        # People by name; "no agent" last.
        return sorted(groups.values(), key=lambda g: (g.key is None, g.name.casefold(), g.key or 0))
    return sorted(groups.values(), key=lambda g: order.get(g.key, (0, 0)))


@dataclass
class _Collect:
    """Durations of one group, kept until the group is complete."""

    business: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


def _count(group: GroupReport, collect: _Collect, ticket: dict, clocks: Iterable[dict], now):
    group.tickets += 1
    answered_at = ticket["first_response_at"]
    if answered_at is None:
        group.unanswered += 1
    else:
        collect.wall.append(max(0.0, (answered_at - ticket["created_at"]).total_seconds()))
    for clock in clocks:
        counts = group.kinds[clock["kind"]]
        if clock["status"] == ClockStatus.LAPSED:
            counts.lapsed += 1
        elif _is_missed(clock, now):
            counts.missed += 1
        elif clock["status"] == ClockStatus.MET:
            counts.met += 1
        else:
            counts.open += 1
        if (
            clock["kind"] == ClockKind.FIRST_RESPONSE
            and clock["status"] in (ClockStatus.MET, ClockStatus.MISSED)
            and answered_at is not None
        ):
            used = max(0, clock["budget_us"] - clock["remaining_us"])
            collect.business.append(used / US_PER_SECOND)


def _finish(group: GroupReport, collect: _Collect) -> None:
    group.first_response_business = Durations.of(collect.business)
    group.first_response_wall = Durations.of(collect.wall)


def _office_hours(tickets: list[dict], calendar: Calendar, now: datetime) -> list[OfficeHoursRow]:
    sides: dict[str, list[dict]] = {"office": [], "outside": []}
    for ticket in tickets:
        inside = is_working_time(ticket["created_at"], calendar)
        sides["office" if inside else "outside"].append(ticket)
    rows = []
    targets = {
        "office": OFFICE_HOURS_TARGET_MINUTES,
        "outside": OUTSIDE_OFFICE_HOURS_TARGET_MINUTES,
    }
    for key, chosen in sides.items():
        limit = timedelta(minutes=targets[key])
        waits = [
            max(timedelta(0), t["first_response_at"] - t["created_at"])
            for t in chosen
            if t["first_response_at"] is not None
        ]
        waiting = [t for t in chosen if t["first_response_at"] is None]
        rows.append(
            OfficeHoursRow(
                key=key,
                target_minutes=targets[key],
                tickets=len(chosen),
                answered=len(waits),
                unanswered=len(waiting),
                unanswered_past_target=sum(1 for t in waiting if now - t["created_at"] > limit),
                within_target=sum(1 for wait in waits if wait <= limit),
                wall=Durations.of([wait.total_seconds() for wait in waits]),
            )
        )
    return rows


TICKET_FIELDS = (
    "id",
    "created_at",
    "first_response_at",
    "priority",
    "severity",
    "department_id",
    "department__name",
    "department__name_en",
    "department__position",
    "assignee_id",
    "assignee__full_name",
    "assignee__email",
)
CLOCK_FIELDS = (
    "ticket_id",
    "kind",
    "status",
    "budget_us",
    "remaining_us",
    "due_at",
    "breached_at",
)


def report(
    *,
    tenant: Tenant,
    start_date: date,
    end_date: date,
    department_id: int | None = None,
    assignee_id: int | None = None,
    priority: str | None = None,
    group_by: str = "department",
    now: datetime | None = None,
) -> SlaReport:
    """The SLA report of the tickets created from `start_date` to `end_date` (both included,
    days in the tenant's zone), narrowed by department, assignee and priority."""
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"group_by must be one of {GROUP_BY_CHOICES}")
    if start_date > end_date or (end_date - start_date).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError("too_long" if start_date <= end_date else "reversed", "to")
    now = now or wall_clock.now()
    zone = ZoneInfo(tenant.time_zone)
    since = datetime.combine(start_date, time(0), tzinfo=zone)
    until = datetime.combine(end_date + timedelta(days=1), time(0), tzinfo=zone)

    tickets_qs = Ticket.objects.for_tenant(tenant).filter(
        created_at__gte=since, created_at__lt=until
    )
    if department_id is not None:
        tickets_qs = tickets_qs.filter(department_id=department_id)
    if assignee_id is not None:
        tickets_qs = tickets_qs.filter(assignee_id=assignee_id)
    if priority:
        tickets_qs = tickets_qs.filter(priority=priority)

    tickets = list(tickets_qs.order_by("created_at", "id").values(*TICKET_FIELDS))
    clocks_by_ticket: dict[int, list[dict]] = {}
    if tickets:
        clocks = (
            SlaClock.objects.for_tenant(tenant)
            .filter(ticket_id__in=tickets_qs.values("id"))
            .values(*CLOCK_FIELDS)
        )
        for clock in clocks:
            clocks_by_ticket.setdefault(clock["ticket_id"], []).append(clock)

    groups: dict = {}
    collects: dict = {}
    total, total_collect = GroupReport(None), _Collect()
    # Departments are listed in the workspace's order (position, then id).
    order: dict = {}
    for ticket in tickets:
        mine = clocks_by_ticket.get(ticket["id"], [])
        _count(total, total_collect, ticket, mine, now)
        if group_by == "none":
            continue
        key = _group_key(ticket, group_by)
        if key not in groups:
            groups[key] = _new_group(ticket, group_by)
            collects[key] = _Collect()
        order.setdefault(
            ticket["department_id"], (ticket["department__position"], ticket["department_id"])
        )
        _count(groups[key], collects[key], ticket, mine, now)
    for key, group in groups.items():
        _finish(group, collects[key])
    _finish(total, total_collect)
    if group_by == "none" and tickets:
        groups = {None: total}

    calendar, calendar_name = _office_calendar(tenant)
    return SlaReport(
        start=start_date,
        end=end_date,
        time_zone=tenant.time_zone,
        group_by=group_by,
        department_id=department_id,
        assignee_id=assignee_id,
        priority=priority or None,
        generated_at=now,
        groups=_sort_groups(groups, group_by, order),
        total=total,
        office_hours=_office_hours(tickets, calendar, now),
        office_calendar=calendar_name,
    )


# --- words for people --------------------------------------------------------------------------


def group_label(group: GroupReport, group_by: str, language: str, *, total: bool = False) -> str:
    """What a row is called in `language` ("fa" or "en"); `total` for the row of everything."""
    with override(language):
        if total or group_by == "none":
            return _("All tickets")
        if group_by == "department":
            return group.name_en if language == "en" and group.name_en else group.name
        if group_by == "agent":
            return group.name if group.key is not None else _("Unassigned")
        choices = Priority if group_by == "priority" else Severity
        return str(dict(choices.choices).get(group.key, group.key))


def kind_label(kind: str, language: str) -> str:
    with override(language):
        return str(ClockKind(kind).label)


# --- CSV -------------------------------------------------------------------------------------

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel opens a UTF-8 file as the machine's legacy code page unless it starts with a BOM, which
# would turn every Persian letter into mojibake.
UTF8_BOM = "\ufeff"


def _minutes(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _group_by_title(group_by: str) -> str:
    return {
        "department": _("Department"),
        "agent": _("Agent"),
        "priority": _("Priority"),
        "severity": _("Severity"),
        "none": _("Group"),
    }[group_by]


def csv_filename(sla_report: SlaReport) -> str:
    return f"sla-report-{sla_report.start.isoformat()}-{sla_report.end.isoformat()}.csv"


def report_csv(sla_report: SlaReport, language: str) -> str:
    """One row per group and kind of clock (and the same for all tickets), with a header in
    `language`; numbers in ASCII digits so a spreadsheet reads them as numbers. Durations are
    minutes with one decimal; the first-response columns are filled on first-response rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with override(language):
        writer.writerow(
            [
                _group_by_title(sla_report.group_by),
                _("Target"),
                _("Tickets"),
                _("Met"),
                _("Missed"),
                _("Open"),
                _("Lapsed"),
                _("Met (%)"),
                _("Unanswered"),
                _("Median first response, business time (min)"),
                _("Average first response, business time (min)"),
                _("Median first response, wall clock (min)"),
                _("Average first response, wall clock (min)"),
            ]
        )
        rows = [(group, False) for group in sla_report.groups]
        if sla_report.group_by != "none":
            rows.append((sla_report.total, True))
        for group, is_total in rows:
            name = group_label(group, sla_report.group_by, language, total=is_total)
            for kind in CLOCK_KINDS:
                counts = group.kinds[kind]
                first = kind == ClockKind.FIRST_RESPONSE
                percent = counts.met_percent
                writer.writerow(
                    [
                        name,
                        kind_label(kind, language),
                        group.tickets,
                        counts.met,
                        counts.missed,
                        counts.open,
                        counts.lapsed,
                        "" if percent is None else percent,
                        group.unanswered if first else "",
                        _minutes(group.first_response_business.median_seconds) if first else "",
                        _minutes(group.first_response_business.average_seconds) if first else "",
                        _minutes(group.first_response_wall.median_seconds) if first else "",
                        _minutes(group.first_response_wall.average_seconds) if first else "",
                    ]
                )
    return UTF8_BOM + buffer.getvalue()
