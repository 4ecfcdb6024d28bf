"""Business calendars, SLA policies and the ticket's SLA actions in the agent workspace.

Every member of the staff may read calendars and policies; owners and admins change them. A
ticket's "restored" and "not a software fault" marks are for members who may write."""

import re
from datetime import timedelta

import holidays as holidays_package
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.core import clock as wall_clock
from pishkhan.core.iran_calendar import OFFICIAL_HOLIDAYS
from pishkhan.core.persian import to_persian_digits
from pishkhan.sla import selectors as sla_selectors
from pishkhan.sla.calendars import WEEK_ORDER, WEEKDAY_NAMES, holidays_between
from pishkhan.sla.models import CLOCK_KINDS, DayKind
from pishkhan.sla.services import (
    DEFAULT_TARGETS,
    calendar_create,
    calendar_day_delete,
    calendar_day_set,
    calendar_delete,
    calendar_update,
    department_policy_set,
    policy_create,
    policy_delete,
    policy_update,
    sla_defaults_ensure,
)
from pishkhan.tenancy.selectors import member_list
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.models import Priority, Severity
from pishkhan.tickets.services import ticket_mark_not_a_fault, ticket_mark_restored
from pishkhan.web.forms import (
    INTERVAL_ROWS,
    CalendarDayForm,
    CalendarForm,
    DepartmentPolicyForm,
    NotFaultForm,
    PolicyForm,
    apply_errors,
    parse_day,
)
from pishkhan.web.views.access import admin_required, staff_required

HOLIDAY_HORIZON_DAYS = 366


def _error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- calendars -----------------------------------------------------------------------------


def _calendar_or_404(request, pk: int):
    calendar = sla_selectors.calendar_get(tenant=request.tenant, calendar_id=pk)
    if calendar is None:
        raise Http404
    return calendar


def _week_rows(week) -> list[tuple[str, list]]:
    return [(WEEKDAY_NAMES[weekday], week[weekday] if week else []) for weekday in WEEK_ORDER]


@staff_required
def calendar_list(request):
    sla_defaults_ensure(tenant=request.tenant)
    calendars = [
        (calendar, _week_rows(calendar.week))
        for calendar in sla_selectors.calendar_list(tenant=request.tenant)
    ]
    return render(request, "web/agent/sla/calendars.html", {"calendars": calendars})


def _digits(text: str, language: str) -> str:
    return to_persian_digits(text) if language == "fa" else text


def _holiday_names(first, last, language: str) -> dict:
    """date → the names of Iran's official holidays on it in the reader's language: the
    official table's where it has the date, else the `holidays` package's (or the operator's)."""
    years = list(range(first.year, last.year + 1))
    package = holidays_package.country_holidays(
        "IR", years=years, language="fa_IR" if language == "fa" else "en_US"
    )
    names: dict = {}
    for day, name in package.items():
        # The package joins two holidays on one date with ";" (its Persian names with «؛»).
        parts = (part.strip() for part in re.split(r"[;؛]", str(name)))
        names[day] = [_digits(part, language) for part in parts if part]
    # The table is the truth for its years, in either language: its dates the package lacks
    # (decrees, the official predictions) are named in the reader's language too.
    table: dict = {}
    for holiday in OFFICIAL_HOLIDAYS:
        table.setdefault(holiday.date, []).append(holiday.name_in(language))
    names.update(table)
    for override in sla_selectors.holiday_override_list():
        if override.name:
            names[override.date] = [override.name]
    return names


def _holidays(request, calendar, own_days) -> list[dict]:
    """The dates this calendar does not work in the coming year, with what each one is."""
    first = wall_clock.now().date()
    last = first + timedelta(days=HOLIDAY_HORIZON_DAYS)
    names = (
        _holiday_names(first, last, request.LANGUAGE_CODE[:2]) if calendar.official_holidays else {}
    )
    own = {day.date: day for day in own_days}
    rows = []
    for day in holidays_between(calendar, first, last):
        entry = own.get(day)
        rows.append(
            {
                "date": day,
                "names": names.get(day, []),
                "own": entry.note if entry is not None else None,
            }
        )
    return rows


@staff_required
def calendar_detail(request, pk: int):
    calendar = _calendar_or_404(request, pk)
    return _render_calendar(request, calendar, day_form=CalendarDayForm())


def _render_calendar(request, calendar, *, day_form, status=200):
    days = list(sla_selectors.calendar_day_list(tenant=request.tenant, calendar=calendar))
    return render(
        request,
        "web/agent/sla/calendar_detail.html",
        {
            "calendar": calendar,
            "week": _week_rows(calendar.week),
            "days": days,
            "holidays": _holidays(request, calendar, days),
            "day_form": day_form,
            "day_kinds": dict(DayKind.choices),
        },
        status=status,
    )


def _rows_for(week) -> int:
    return max([INTERVAL_ROWS, *(len(day) for day in week or [])])


@admin_required
def calendar_edit(request, pk: int | None = None):
    calendar = _calendar_or_404(request, pk) if pk is not None else None
    if calendar is None:
        initial = {"time_zone": "Asia/Tehran", "day_minutes": "480", "official_holidays": True}
        rows = INTERVAL_ROWS
    else:
        initial = {
            "label": calendar.label,
            "time_zone": calendar.time_zone,
            "day_minutes": str(calendar.day_minutes),
            "official_holidays": calendar.official_holidays,
            **CalendarForm.initial_for(calendar.week),
        }
        rows = _rows_for(calendar.week)
    form = CalendarForm(
        request.POST or None, initial=initial, with_name=calendar is None, rows=rows
    )
    if request.method == "POST" and form.is_valid():
        try:
            if calendar is None:
                calendar = calendar_create(
                    tenant=request.tenant, actor=request.user, **form.service_arguments()
                )
            else:
                calendar_update(
                    tenant=request.tenant,
                    actor=request.user,
                    calendar=calendar,
                    **form.service_arguments(),
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("web:sla_calendar", pk=calendar.pk)
    return render(
        request,
        "web/agent/sla/calendar_form.html",
        {"form": form, "calendar": calendar},
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_POST
def calendar_remove(request, pk: int):
    calendar = _calendar_or_404(request, pk)
    try:
        calendar_delete(tenant=request.tenant, actor=request.user, calendar=calendar)
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("web:sla_calendar", pk=calendar.pk)
    messages.success(request, _("Calendar deleted."))
    return redirect("web:sla_calendars")


@admin_required
@require_POST
def calendar_day_add(request, pk: int):
    calendar = _calendar_or_404(request, pk)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            calendar_day_set(
                tenant=request.tenant,
                actor=request.user,
                calendar=calendar,
                day=form.cleaned_data["day"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"date": "day"})
        else:
            messages.success(request, _("Date saved."))
            return redirect("web:sla_calendar", pk=calendar.pk)
    return _render_calendar(request, calendar, day_form=form, status=400)


@admin_required
@require_POST
def calendar_day_remove(request, pk: int, day: str):
    calendar = _calendar_or_404(request, pk)
    when = parse_day(day)
    if when is None:
        raise Http404
    calendar_day_delete(tenant=request.tenant, actor=request.user, calendar=calendar, day=when)
    messages.success(request, _("Date removed."))
    return redirect("web:sla_calendar", pk=calendar.pk)


# --- policies ------------------------------------------------------------------------------


def _policy_or_404(request, pk: int):
    policy = sla_selectors.policy_get(tenant=request.tenant, policy_id=pk)
    if policy is None:
        raise Http404
    return policy


@staff_required
def policy_list(request):
    sla_defaults_ensure(tenant=request.tenant)
    policies = list(sla_selectors.policy_list(tenant=request.tenant))
    own = sla_selectors.department_policy_map(tenant=request.tenant)
    departments = list(ticket_selectors.department_list(tenant=request.tenant, active_only=False))
    default = next((p for p in policies if p.is_default), None)
    used_by: dict[int, list] = {p.pk: [] for p in policies}
    assignments = []
    for department in departments:
        policy = own.get(department.pk)
        follows = policy or default
        if follows is not None:
            used_by.setdefault(follows.pk, []).append(department)
        assignments.append(
            (
                department,
                policy,
                DepartmentPolicyForm(
                    initial={"policy": policy.pk if policy else None},
                    policies=policies,
                    auto_id=f"id_d{department.pk}_%s",
                ),
            )
        )
    rows = []
    for policy in policies:
        targets = sorted(
            policy.targets.all(),
            key=lambda t: (
                Severity.values.index(t.severity),
                Priority.values.index(t.priority) if t.priority else -1,
            ),
        )
        rows.append((policy, targets, used_by.get(policy.pk, [])))
    return render(
        request,
        "web/agent/sla/policies.html",
        {"policies": rows, "assignments": assignments},
    )


def _policy_form(request, policy=None):
    calendars = list(sla_selectors.calendar_list(tenant=request.tenant))
    members = member_list(tenant=request.tenant, writers_only=True)
    if policy is None:
        initial = {"calendar": next((c.pk for c in calendars if c.name == "office"), None)}
        for severity, values in DEFAULT_TARGETS.items():
            for kind, value in zip(CLOCK_KINDS, values, strict=True):
                initial[f"t_{severity}_{kind}"] = value
        extra = None
    else:
        initial, extra = PolicyForm.initial_for(policy)
    kwargs = {"extra_rows": extra} if extra is not None else {}
    return PolicyForm(
        request.POST or None, initial=initial, calendars=calendars, members=members, **kwargs
    )


@admin_required
def policy_edit(request, pk: int | None = None):
    sla_defaults_ensure(tenant=request.tenant)
    policy = _policy_or_404(request, pk) if pk is not None else None
    form = _policy_form(request, policy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows, field_map = form.targets()
        calendar = sla_selectors.calendar_get(tenant=request.tenant, calendar_id=data["calendar"])
        reassign = None
        if data["reassign_to"]:
            member = _writer_member(request, data["reassign_to"])
            reassign = member.user if member is not None else None
        arguments = {
            "name": data["name"],
            "calendar": calendar,
            "targets": rows,
            "at_risk_percent": data["at_risk_percent"],
            "notify_supervisors": data["notify_supervisors"],
            "raise_priority": data["raise_priority"],
            "reassign_to": reassign,
        }
        try:
            if policy is None:
                # The create service has no "default" switch: both steps or neither.
                with transaction.atomic():
                    policy = policy_create(tenant=request.tenant, actor=request.user, **arguments)
                    if data["is_default"]:
                        policy_update(
                            tenant=request.tenant,
                            actor=request.user,
                            policy=policy,
                            is_default=True,
                        )
            else:
                if data["is_default"] or policy.is_default:
                    arguments["is_default"] = data["is_default"]
                policy_update(tenant=request.tenant, actor=request.user, policy=policy, **arguments)
        except ValidationError as exc:
            apply_errors(form, exc, field_map)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("web:sla_policies")
    return render(
        request,
        "web/agent/sla/policy_form.html",
        {"form": form, "policy": policy},
        status=400 if request.method == "POST" else 200,
    )


def _writer_member(request, user_id: int):
    return next(
        (m for m in member_list(tenant=request.tenant, writers_only=True) if m.user_id == user_id),
        None,
    )


@admin_required
@require_POST
def policy_remove(request, pk: int):
    policy = _policy_or_404(request, pk)
    try:
        policy_delete(tenant=request.tenant, actor=request.user, policy=policy)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Policy deleted."))
    return redirect("web:sla_policies")


@admin_required
@require_POST
def department_policy(request, pk: int):
    department = ticket_selectors.department_get(tenant=request.tenant, department_id=pk)
    if department is None:
        raise Http404
    policies = list(sla_selectors.policy_list(tenant=request.tenant))
    form = DepartmentPolicyForm(request.POST, policies=policies)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("web:sla_policies")
    chosen = form.cleaned_data["policy"]
    policy = next((p for p in policies if p.pk == chosen), None)
    try:
        department_policy_set(
            tenant=request.tenant, actor=request.user, department=department, policy=policy
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            _("%(department)s now follows %(policy)s.")
            % {
                "department": department.label(request.LANGUAGE_CODE),
                "policy": policy.name if policy else _("the default policy"),
            },
        )
    return redirect("web:sla_policies")


# --- a ticket's SLA marks ------------------------------------------------------------------


def _writable_ticket_or_404(request, number: int):
    if not request.membership.can_write:
        raise Http404
    ticket = ticket_selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise Http404
    return ticket


@staff_required
@require_POST
def ticket_restored(request, number: int):
    ticket = _writable_ticket_or_404(request, number)
    try:
        ticket_mark_restored(tenant=request.tenant, ticket=ticket, actor=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked restored: a workaround is in place."))
    return redirect("web:agent_ticket", number=ticket.number)


@staff_required
@require_POST
def ticket_not_fault(request, number: int):
    ticket = _writable_ticket_or_404(request, number)
    form = NotFaultForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("web:agent_ticket", number=ticket.number)
    try:
        ticket_mark_not_a_fault(
            tenant=request.tenant,
            ticket=ticket,
            actor=request.user,
            minutes=form.cleaned_data["minutes"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Marked as not a software fault: the SLA lapsed and the time is billable.")
        )
    return redirect("web:agent_ticket", number=ticket.number)


urls: list = [
    path("agent/calendars/", calendar_list, name="sla_calendars"),
    path("agent/calendars/new/", calendar_edit, name="sla_calendar_new"),
    path("agent/calendars/<int:pk>/", calendar_detail, name="sla_calendar"),
    path("agent/calendars/<int:pk>/edit/", calendar_edit, name="sla_calendar_edit"),
    path("agent/calendars/<int:pk>/delete/", calendar_remove, name="sla_calendar_delete"),
    path("agent/calendars/<int:pk>/days/", calendar_day_add, name="sla_calendar_day_add"),
    path(
        "agent/calendars/<int:pk>/days/<str:day>/delete/",
        calendar_day_remove,
        name="sla_calendar_day_delete",
    ),
    path("agent/policies/", policy_list, name="sla_policies"),
    path("agent/policies/new/", policy_edit, name="sla_policy_new"),
    path("agent/policies/<int:pk>/", policy_edit, name="sla_policy_edit"),
    path("agent/policies/<int:pk>/delete/", policy_remove, name="sla_policy_delete"),
    path(
        "agent/departments/<int:pk>/sla-policy/",
        department_policy,
        name="sla_department_policy",
    ),
    path("agent/tickets/<int:number>/restored/", ticket_restored, name="sla_ticket_restored"),
    path("agent/tickets/<int:number>/not-a-fault/", ticket_not_fault, name="sla_ticket_not_fault"),
]
