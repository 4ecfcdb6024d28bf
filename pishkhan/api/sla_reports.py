"""SLA reports (JSON and CSV): met and missed per target, first-response times, and the
round-the-clock targets of S-4 [002 r17]."""

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from ninja import Field, Query, Router

from pishkhan.api.periods import period_error
from pishkhan.api.schemas import ErrorOut, Id, Out, TextInput
from pishkhan.core.jalali import format_date
from pishkhan.sla import reports
from pishkhan.tickets.models import Priority

router = Router(tags=["sla reports"])


class SlaReportQuery(TextInput):
    start: str | None = Field(
        None,
        alias="from",
        max_length=40,
        description="First day (YYYY-MM-DD, or Jalali 1405/09/01); default: the current Jalali "
        "month's first day.",
    )
    end: str | None = Field(
        None,
        alias="to",
        max_length=40,
        description="Last day, included; default: the current Jalali month's last day.",
    )
    department: Id | None = None
    agent: Id | None = Field(None, description="A user id from /agents: their assigned tickets.")
    priority: Priority | None = None
    group_by: Literal["department", "agent", "priority", "severity", "none"] = "department"


class KindOut(Out):
    kind: str
    label: str
    met: int
    missed: int = Field(..., description="Stopped late, or still open past its due time.")
    open: int = Field(..., description="Still running or paused, not yet due.")
    # S-5 [003 4.2.4]
    lapsed: int = Field(..., description="Not a software fault: the obligation lapsed.")
    total: int
    met_percent: int | None = Field(..., description="Met of met + missed; null before any.")


class DurationsOut(Out):
    count: int
    median_seconds: int | None
    average_seconds: int | None


class GroupOut(Out):
    key: int | str | None = Field(
        ..., description="Department or user id, priority or severity; null: none / all."
    )
    label: str
    tickets: int
    unanswered: int = Field(..., description="Tickets without a staff reply yet.")
    clocks: list[KindOut]
    first_response_business: DurationsOut = Field(
        ...,
        description="Business time the first-response clock counted (working hours of the "
        "ticket's SLA calendar), over answered tickets.",
    )
    first_response_wall: DurationsOut = Field(
        ...,
        description="Wall-clock time from creation to the first staff reply, nights and "
        "holidays included, over answered tickets.",
    )


class OfficeHoursOut(Out):
    key: Literal["office", "outside"] = Field(
        ..., description="Created in office hours, or outside office hours and on holidays."
    )
    label: str
    target_minutes: int
    tickets: int
    answered: int
    unanswered: int = Field(..., description="Not in the average: no response yet.")
    unanswered_past_target: int
    within_target: int
    average_seconds: int | None = Field(..., description="Wall clock, creation to first reply.")
    median_seconds: int | None
    met: bool | None = Field(..., description="Average within the target; null: none answered.")


class FiltersOut(Out):
    department: int | None
    agent: int | None
    priority: str | None


class SlaReportOut(Out):
    from_date: date
    to_date: date
    from_display: str
    to_display: str
    time_zone: str
    group_by: str
    filters: FiltersOut
    generated_at: datetime
    groups: list[GroupOut]
    total: GroupOut
    # S-4 [002 r17]
    office_hours: list[OfficeHoursOut] = Field(
        ...,
        description="The round-the-clock first-response targets, measured apart: the average "
        "for tickets created in office hours, and for those created outside office hours and "
        "on holidays, each against its own target.",
    )
    office_calendar: str


def _language(request) -> str:
    return "en" if (request.LANGUAGE_CODE or "fa").startswith("en") else "fa"


def _build(request, filters: SlaReportQuery):
    zone = ZoneInfo(request.tenant.time_zone)
    start, end = reports.period_from(filters.start, filters.end, tz=zone)
    return reports.report(
        tenant=request.tenant,
        start_date=start,
        end_date=end,
        department_id=filters.department,
        assignee_id=filters.agent,
        priority=filters.priority,
        group_by=filters.group_by,
    )


def _group(group, sla_report, language: str, *, total: bool = False) -> dict:
    return {
        "key": group.key,
        "label": reports.group_label(group, sla_report.group_by, language, total=total),
        "tickets": group.tickets,
        "unanswered": group.unanswered,
        "clocks": [
            {
                "kind": counts.kind,
                "label": reports.kind_label(counts.kind, language),
                "met": counts.met,
                "missed": counts.missed,
                "open": counts.open,
                "lapsed": counts.lapsed,
                "total": counts.total,
                "met_percent": counts.met_percent,
            }
            for counts in group.kinds.values()
        ],
        "first_response_business": vars(group.first_response_business),
        "first_response_wall": vars(group.first_response_wall),
    }


def _office_label(key: str, language: str) -> str:
    labels = {
        "office": ("در ساعات اداری", "In office hours"),
        "outside": ("خارج از ساعات اداری و روزهای تعطیل", "Outside office hours and on holidays"),
    }
    fa, en = labels[key]
    return en if language == "en" else fa


def _out(request, sla_report) -> dict:
    language = _language(request)
    zone = sla_report.time_zone
    return {
        "from_date": sla_report.start,
        "to_date": sla_report.end,
        "from_display": format_date(sla_report.start, language=language),
        "to_display": format_date(sla_report.end, language=language),
        "time_zone": zone,
        "group_by": sla_report.group_by,
        "filters": {
            "department": sla_report.department_id,
            "agent": sla_report.assignee_id,
            "priority": sla_report.priority,
        },
        "generated_at": sla_report.generated_at,
        "groups": [_group(g, sla_report, language) for g in sla_report.groups],
        "total": _group(sla_report.total, sla_report, language, total=True),
        "office_hours": [
            {
                "key": row.key,
                "label": _office_label(row.key, language),
                "target_minutes": row.target_minutes,
                "tickets": row.tickets,
                "answered": row.answered,
                "unanswered": row.unanswered,
                "unanswered_past_target": row.unanswered_past_target,
                "within_target": row.within_target,
                "average_seconds": row.wall.average_seconds,
                "median_seconds": row.wall.median_seconds,
                "met": row.met,
            }
            for row in sla_report.office_hours
        ],
        "office_calendar": sla_report.office_calendar,
    }


@router.get("/reports/sla", response={200: SlaReportOut, 400: ErrorOut})
def sla_report(request, filters: Query[SlaReportQuery]):
    try:
        sla_report = _build(request, filters)
    except reports.PeriodError as exc:
        return period_error(request, exc)
    return _out(request, sla_report)


@router.get(
    "/reports/sla.csv",
    response={400: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "One row per group and target; UTF-8 with a BOM, header in the "
                "request's language.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def sla_report_csv(request, filters: Query[SlaReportQuery]):
    try:
        sla_report = _build(request, filters)
    except reports.PeriodError as exc:
        return period_error(request, exc)
    response = HttpResponse(
        reports.report_csv(sla_report, _language(request)).encode("utf-8"),
        content_type=reports.CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{reports.csv_filename(sla_report)}"'
    return response
