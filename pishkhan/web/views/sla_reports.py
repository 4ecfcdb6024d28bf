"""SLA reports in the agent workspace (page and CSV). Every member may read them, read-only
members included."""

from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from pishkhan.sla import reports
from pishkhan.sla.models import CLOCK_KINDS
from pishkhan.tenancy.selectors import member_list
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.models import Priority
from pishkhan.web.periods import day_input, period_message
from pishkhan.web.views.access import staff_required


def _language() -> str:
    return "en" if (translation.get_language() or "fa").startswith("en") else "fa"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": minutes}
    if not minutes:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


def _filters(request) -> tuple[dict, dict]:
    """What the query string asks for. Unknown departments, agents or priorities are ignored
    (as in the queue); a bad period is reported next to its field."""
    get = request.GET
    language = _language()
    errors: dict[str, str] = {}
    start = end = None
    try:
        start, end = reports.period_from(
            get.get("from"), get.get("to"), tz=ZoneInfo(request.tenant.time_zone)
        )
    except reports.PeriodError as exc:
        errors[exc.field] = period_message(exc)
    group_by = get.get("group_by", "department")
    state = {
        "start": start,
        "end": end,
        "from": day_input(start, language) if start else get.get("from", "")[:40],
        "to": day_input(end, language) if end else get.get("to", "")[:40],
        "department": _int_or_none(get.get("department")),
        "agent": _int_or_none(get.get("agent")),
        "priority": get.get("priority") if get.get("priority") in Priority.values else None,
        "group_by": group_by if group_by in reports.GROUP_BY_CHOICES else "department",
    }
    return state, errors


def _group_rows(sla_report, language: str) -> list[dict]:
    rows = [(group, False) for group in sla_report.groups]
    if sla_report.group_by != "none" and sla_report.groups:
        rows.append((sla_report.total, True))
    return [
        {
            "label": reports.group_label(group, sla_report.group_by, language, total=is_total),
            "is_total": is_total,
            "group": group,
            "kinds": [
                {"label": reports.kind_label(kind, language), "counts": group.kinds[kind]}
                for kind in CLOCK_KINDS
            ],
            "business_median": _duration(group.first_response_business.median_seconds),
            "business_average": _duration(group.first_response_business.average_seconds),
            "wall_median": _duration(group.first_response_wall.median_seconds),
            "wall_average": _duration(group.first_response_wall.average_seconds),
        }
        for group, is_total in rows
    ]


def _office_rows(sla_report) -> list[dict]:
    labels = {
        "office": _("In office hours"),
        "outside": _("Outside office hours and on holidays"),
    }
    return [
        {
            "label": labels[row.key],
            "row": row,
            "target": _duration(row.target_minutes * 60),
            "average": _duration(row.wall.average_seconds),
            "median": _duration(row.wall.median_seconds),
        }
        for row in sla_report.office_hours
    ]


@staff_required
def sla_report(request):
    state, errors = _filters(request)
    sla_report = None
    if not errors:
        sla_report = reports.report(
            tenant=request.tenant,
            start_date=state["start"],
            end_date=state["end"],
            department_id=state["department"],
            assignee_id=state["agent"],
            priority=state["priority"],
            group_by=state["group_by"],
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                reports.report_csv(sla_report, _language()).encode("utf-8"),
                content_type=reports.CSV_CONTENT_TYPE,
            )
            filename = reports.csv_filename(sla_report)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    query = request.GET.copy()
    query["format"] = "csv"
    language = _language()
    group_choices = [
        ("department", _("Department")),
        ("agent", _("Agent")),
        ("priority", _("Priority")),
        ("severity", _("Severity")),
        ("none", _("No grouping")),
    ]
    return render(
        request,
        "web/agent/reports/sla.html",
        {
            "state": state,
            "errors": errors,
            "report": sla_report,
            "rows": _group_rows(sla_report, language) if sla_report else [],
            "office_rows": _office_rows(sla_report) if sla_report else [],
            "csv_query": query.urlencode(),
            "departments": ticket_selectors.department_list(
                tenant=request.tenant, active_only=False
            ),
            "members": member_list(tenant=request.tenant),
            "priorities": Priority.choices,
            "group_choices": group_choices,
            "group_title": ""
            if state["group_by"] == "none"
            else dict(group_choices)[state["group_by"]],
        },
        status=400 if errors else 200,
    )


urls: list = [
    path("agent/reports/sla/", sla_report, name="sla_report"),
]
