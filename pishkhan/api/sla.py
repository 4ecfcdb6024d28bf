"""Service levels (SPEC S): business calendars and their own dates, SLA policies with their
targets, which policy a department follows, and a ticket's clocks with the restore and
not-a-fault actions."""

import datetime as dt
import re
from typing import Annotated

from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import invalid, not_found
from pishkhan.api.schemas import (
    EARLIEST_DAY,
    LATEST_DAY,
    MAX_ID,
    CalendarDate,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    TextInput,
    display,
    field_names,
)
from pishkhan.api.tickets import MAX_NUMBER
from pishkhan.core.businesstime import due, parse_target
from pishkhan.core.jalali import format_date, format_datetime
from pishkhan.core.persian import to_ascii_digits
from pishkhan.sla import selectors, services
from pishkhan.sla.calendars import engine_calendar, holidays_between
from pishkhan.sla.models import DayKind
from pishkhan.tenancy.selectors import member_get
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets import services as ticket_services
from pishkhan.tickets.models import Priority, Severity

router = Router(tags=["sla"])

# A longer range is a report, not a look-up.
MAX_HOLIDAY_RANGE_DAYS = 400

TIME_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
WallTime = Annotated[str, Field(pattern=TIME_PATTERN)]
Interval = Annotated[list[WallTime], Field(min_length=2, max_length=2)]
Week = Annotated[
    list[Annotated[list[Interval], Field(max_length=6)]],
    Field(
        min_length=7,
        max_length=7,
        description=(
            "Seven days, Monday first (like Python's date.weekday()), each a list of "
            '["HH:MM", "HH:MM"] working intervals in order; "24:00" may end one. A lunch break '
            'is two intervals: [["08:00", "12:00"], ["13:00", "16:00"]].'
        ),
    ),
]
TargetText = Annotated[
    str,
    Field(
        max_length=12,
        description="A whole number and bh (business hours), bd (business days) or m "
        '(calendar minutes), e.g. "2bh"; empty: no target.',
    ),
]


def _existing_id(value: int) -> bool:
    # Above the largest id a database column holds: no such row can exist.
    return 1 <= value <= MAX_ID


# --- calendars -----------------------------------------------------------------------------


class CalendarOut(Out):
    id: int
    name: str
    label: str
    time_zone: str
    week: list[list[list[str]]]
    day_minutes: int = Field(..., description="One standard working day: what `1bd` is worth.")
    official_holidays: bool
    updated_at: dt.datetime


class CalendarIn(InputSchema):
    name: str = Field(..., max_length=40, description="Unique in the workspace, e.g. `office`.")
    label: str = Field("", max_length=120)
    week: Week
    time_zone: str = Field("Asia/Tehran", max_length=64)
    day_minutes: int = Field(480, ge=1, le=1440)
    official_holidays: bool = Field(True, description="Closed on Iran's official holidays.")


class CalendarPatch(InputSchema):
    """Only the keys sent change; running clocks on the calendar get new due times."""

    label: str = Field(None, max_length=120)
    week: Week = None
    time_zone: str = Field(None, max_length=64)
    day_minutes: int = Field(None, ge=1, le=1440)
    official_holidays: bool = None


class CalendarDayOut(Out):
    date: dt.date
    kind: str
    note: str
    display: str

    @staticmethod
    def resolve_display(obj, context) -> str:
        return format_date(obj.date, language=context["request"].LANGUAGE_CODE)


class CalendarDayIn(InputSchema):
    kind: DayKind = Field(
        ..., description="closed: an extra day off; open: work on an official holiday."
    )
    note: str = Field("", max_length=200)


class HolidayOut(Out):
    date: dt.date
    display: str


class HolidayRange(TextInput):
    first: CalendarDate = Field(..., alias="from", description="YYYY-MM-DD, included.")
    last: CalendarDate = Field(
        ...,
        alias="to",
        description=f"YYYY-MM-DD, included; at most {MAX_HOLIDAY_RANGE_DAYS} days after `from`.",
    )


class DueOut(Out):
    calendar: str
    target: str
    start: dt.datetime = Field(..., description="The instant given, in the calendar's zone.")
    due_at: dt.datetime = Field(..., description="ISO 8601 with the calendar's UTC offset.")
    display: str = Field(..., description="Jalali with Persian digits for fa.")


def _calendar(request, calendar_id: int):
    calendar = None
    if _existing_id(calendar_id):
        calendar = selectors.calendar_get(tenant=request.tenant, calendar_id=calendar_id)
    if calendar is None:
        raise not_found()
    return calendar


@router.get("/calendars", response={200: list[CalendarOut]})
def calendar_list(request):
    # A workspace's default calendars exist from the first time anything asks for them.
    services.sla_defaults_ensure(tenant=request.tenant)
    return list(selectors.calendar_list(tenant=request.tenant))


@router.post("/calendars", response={201: CalendarOut, 400: ErrorOut, 403: ErrorOut})
def calendar_create(request, payload: CalendarIn):
    calendar = services.calendar_create(
        tenant=request.tenant,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(),
    )
    return HttpStatus(201, calendar)


@router.get("/calendars/{int:calendar_id}", response={200: CalendarOut, 404: ErrorOut})
def calendar_detail(request, calendar_id: int):
    return _calendar(request, calendar_id)


@router.patch(
    "/calendars/{int:calendar_id}",
    response={200: CalendarOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def calendar_update(request, calendar_id: int, payload: CalendarPatch):
    calendar = _calendar(request, calendar_id)
    return services.calendar_update(
        tenant=request.tenant,
        actor=request.auth.user,
        calendar=calendar,
        via="api",
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/calendars/{int:calendar_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def calendar_delete(request, calendar_id: int):
    calendar = _calendar(request, calendar_id)
    services.calendar_delete(
        tenant=request.tenant, actor=request.auth.user, calendar=calendar, via="api"
    )
    return HttpStatus(204, None)


@router.get(
    "/calendars/{int:calendar_id}/days", response={200: list[CalendarDayOut], 404: ErrorOut}
)
def calendar_day_list(request, calendar_id: int):
    calendar = _calendar(request, calendar_id)
    return list(selectors.calendar_day_list(tenant=request.tenant, calendar=calendar))


@router.put(
    "/calendars/{int:calendar_id}/days/{date}",
    response={200: CalendarDayOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def calendar_day_set(request, calendar_id: int, date: CalendarDate, payload: CalendarDayIn):
    calendar = _calendar(request, calendar_id)
    return services.calendar_day_set(
        tenant=request.tenant,
        actor=request.auth.user,
        calendar=calendar,
        day=date,
        kind=payload.kind,
        note=payload.note,
        via="api",
    )


@router.delete(
    "/calendars/{int:calendar_id}/days/{date}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def calendar_day_delete(request, calendar_id: int, date: CalendarDate):
    calendar = _calendar(request, calendar_id)
    days = selectors.calendar_day_list(tenant=request.tenant, calendar=calendar)
    if not days.filter(date=date).exists():
        raise not_found()
    services.calendar_day_delete(
        tenant=request.tenant, actor=request.auth.user, calendar=calendar, day=date, via="api"
    )
    return HttpStatus(204, None)


@router.get(
    "/calendars/{int:calendar_id}/holidays",
    response={200: list[HolidayOut], 400: ErrorOut, 404: ErrorOut},
)
def calendar_holidays(request, calendar_id: int, filters: Query[HolidayRange]):
    """The dates in the range on which the calendar does not work because of a holiday: Iran's
    official ones (if it follows them, with the operator's corrections) and its own dates."""
    first, last = filters.first, filters.last
    calendar = _calendar(request, calendar_id)
    if last < first:
        raise invalid("to", "range_order")
    if (last - first).days >= MAX_HOLIDAY_RANGE_DAYS:
        raise invalid("to", "range_too_long")
    language = request.LANGUAGE_CODE
    return [
        {"date": day, "display": format_date(day, language=language)}
        for day in holidays_between(calendar, first, last)
    ]


# A "+" left unencoded in a query string arrives as a space: "…T15:00:00 03:30".
_SPACE_FOR_PLUS = re.compile(r" (\d\d:?\d\d)$")


def _instant(text: str) -> dt.datetime:
    cleaned = _SPACE_FOR_PLUS.sub(r"+\1", to_ascii_digits(text.strip()))
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise invalid("from", "iso_datetime") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise invalid("from", "iso_datetime")
    if not EARLIEST_DAY <= value.date() <= LATEST_DAY:
        raise invalid("from", "date_window")
    return value


@router.get(
    "/calendars/{int:calendar_id}/due",
    response={200: DueOut, 400: ErrorOut, 404: ErrorOut},
)
def calendar_due(
    request,
    calendar_id: int,
    start: str = Query(
        ...,
        alias="from",
        max_length=64,
        description="ISO 8601 with a UTC offset, e.g. 2026-11-25T15:00:00+03:30.",
    ),
    target: str = Query(..., max_length=32, description="e.g. 2bh, 8bh, 3bd or 90m."),
):
    """When a target counted from `from` falls due on this calendar (as `pishkhan sla-due`)."""
    calendar = _calendar(request, calendar_id)
    begin = _instant(start)
    try:
        parsed = parse_target(to_ascii_digits(target))
    except ValueError:
        raise invalid("target", "sla_target") from None
    engine = engine_calendar(calendar)
    try:
        when = due(begin, parsed, engine)
    except (ValueError, OverflowError):
        # Out of the calendar's reach: a working time too rare for so long a target.
        raise invalid("target", "due_unreachable") from None
    if when.date() > LATEST_DAY:
        raise invalid("target", "due_unreachable")
    return {
        "calendar": calendar.name,
        "target": str(parsed),
        "start": begin.astimezone(engine.tz),
        "due_at": when,
        "display": format_datetime(when, language=request.LANGUAGE_CODE, tz=engine.tz),
    }


# --- policies ------------------------------------------------------------------------------


class CalendarRef(Out):
    id: int
    name: str
    label: str


class UserRef(Out):
    id: int
    full_name: str
    email: str


class TargetOut(Out):
    severity: str
    priority: str | None = Field(..., description="null: every priority of this severity.")
    first_response: str
    restore: str
    resolution: str

    @staticmethod
    def resolve_priority(obj) -> str | None:
        return obj.priority or None


SEVERITY_ORDER = {value: index for index, value in enumerate(Severity.values)}
PRIORITY_ORDER = {"": -1, **{value: index for index, value in enumerate(Priority.values)}}


class PolicyOut(Out):
    id: int
    name: str
    calendar: CalendarRef
    is_default: bool
    at_risk_percent: int
    notify_supervisors: bool
    raise_priority: bool
    reassign_to: UserRef | None
    targets: list[TargetOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_targets(obj) -> list:
        return sorted(
            obj.targets.all(),
            key=lambda t: (SEVERITY_ORDER.get(t.severity, 99), PRIORITY_ORDER.get(t.priority, 99)),
        )


class TargetIn(InputSchema):
    severity: Severity
    priority: Priority | None = Field(None, description="null: every priority of this severity.")
    first_response: TargetText = ""
    restore: TargetText = ""
    resolution: TargetText = ""


class PolicyIn(InputSchema):
    name: str = Field(..., max_length=120)
    calendar_id: Id
    # Omitted: S-2 [003 4.2.2], as in sla.services.defaults.DEFAULT_TARGETS.
    targets: list[TargetIn] | None = Field(
        None,
        description="One row per severity (and priority); omitted: the standard targets "
        "(first response / restore / resolution): critical 2bh / 8bh / 3bd, major 4bh / 2bd / "
        "6bd, bug 8bh / 3bd / none, other 2bd / 8bd / none.",
    )
    at_risk_percent: int = Field(80, ge=1, le=99)
    notify_supervisors: bool = True
    raise_priority: bool = False
    reassign_to_id: Id | None = Field(None, description="On breach, reassign to this agent.")


class PolicyPatch(InputSchema):
    """Only the keys sent change; open tickets under the policy count their used time against
    the new targets."""

    name: str = Field(None, max_length=120)
    calendar_id: Id = None
    targets: list[TargetIn] = None
    at_risk_percent: int = Field(None, ge=1, le=99)
    notify_supervisors: bool = None
    raise_priority: bool = None
    reassign_to_id: Id | None = None
    is_default: bool = Field(None, description="true makes this the workspace's default.")


class DepartmentPolicyIn(InputSchema):
    policy_id: Id | None = Field(..., description="null: follow the workspace's default policy.")


class PolicyRef(Out):
    id: int
    name: str


class DepartmentPolicyOut(Out):
    department_id: int
    policy: PolicyRef = Field(..., description="The policy the department's tickets follow.")
    follows_default: bool


def _policy(request, policy_id: int):
    policy = None
    if _existing_id(policy_id):
        policy = selectors.policy_get(tenant=request.tenant, policy_id=policy_id)
    if policy is None:
        raise not_found()
    return policy


def _policy_changes(request, payload: PolicyIn | PolicyPatch, *, partial: bool) -> dict:
    """The service's arguments from the keys sent, references resolved in this tenant."""
    data = payload.model_dump(mode="json", exclude_unset=partial)
    changes = {key: value for key, value in data.items() if not key.endswith("_id")}
    if changes.get("targets") is not None:
        # Every key of a row, sent or not (a partial dump would drop the defaults).
        changes["targets"] = [
            {**row.model_dump(mode="json"), "priority": row.priority or ""}
            for row in payload.targets
        ]
    if "calendar_id" in data:
        calendar = selectors.calendar_get(tenant=request.tenant, calendar_id=data["calendar_id"])
        if calendar is None:
            raise not_found("calendar_id")
        changes["calendar"] = calendar
    if "reassign_to_id" in data:
        changes["reassign_to"] = None
        if data["reassign_to_id"] is not None:
            membership = member_get(tenant=request.tenant, user_id=data["reassign_to_id"])
            if membership is None:
                raise not_found("reassign_to_id")
            changes["reassign_to"] = membership.user
    return changes


@router.get("/sla-policies", response={200: list[PolicyOut]})
def policy_list(request):
    services.sla_defaults_ensure(tenant=request.tenant)
    return list(selectors.policy_list(tenant=request.tenant))


@router.post(
    "/sla-policies", response={201: PolicyOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
)
def policy_create(request, payload: PolicyIn):
    changes = _policy_changes(request, payload, partial=False)
    with field_names(calendar="calendar_id", reassign_to="reassign_to_id"):
        policy = services.policy_create(
            tenant=request.tenant, actor=request.auth.user, via="api", **changes
        )
    return HttpStatus(201, selectors.policy_get(tenant=request.tenant, policy_id=policy.pk))


@router.get("/sla-policies/{int:policy_id}", response={200: PolicyOut, 404: ErrorOut})
def policy_detail(request, policy_id: int):
    return _policy(request, policy_id)


@router.patch(
    "/sla-policies/{int:policy_id}",
    response={200: PolicyOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def policy_update(request, policy_id: int, payload: PolicyPatch):
    policy = _policy(request, policy_id)
    changes = _policy_changes(request, payload, partial=True)
    with field_names(calendar="calendar_id", reassign_to="reassign_to_id"):
        services.policy_update(
            tenant=request.tenant, actor=request.auth.user, policy=policy, via="api", **changes
        )
    return selectors.policy_get(tenant=request.tenant, policy_id=policy.pk)


@router.delete(
    "/sla-policies/{int:policy_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def policy_delete(request, policy_id: int):
    policy = _policy(request, policy_id)
    services.policy_delete(tenant=request.tenant, actor=request.auth.user, policy=policy, via="api")
    return HttpStatus(204, None)


@router.put(
    "/departments/{int:department_id}/sla-policy",
    response={200: DepartmentPolicyOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def department_policy_set(request, department_id: int, payload: DepartmentPolicyIn):
    tenant = request.tenant
    department = None
    if _existing_id(department_id):
        department = ticket_selectors.department_get(tenant=tenant, department_id=department_id)
    if department is None:
        raise not_found()
    policy = None
    if payload.policy_id is not None:
        policy = selectors.policy_get(tenant=tenant, policy_id=payload.policy_id)
        if policy is None:
            raise not_found("policy_id")
    with field_names(policy="policy_id"):
        services.department_policy_set(
            tenant=tenant, actor=request.auth.user, department=department, policy=policy, via="api"
        )
    followed = services.policy_for_department(tenant=tenant, department_id=department.pk)
    return {
        "department_id": department.pk,
        "policy": followed,
        "follows_default": followed.is_default,
    }


# --- a ticket's clocks ---------------------------------------------------------------------


class ClockOut(Out):
    kind: str = Field(..., description="first_response, restore or resolution.")
    target: str
    status: str = Field(..., description="As stored: running, paused, met, missed or lapsed.")
    state: str = Field(
        ...,
        description="As an agent sees it: on_track, at_risk, breached, paused, met, missed "
        "or lapsed.",
    )
    due_at: dt.datetime | None
    due_at_display: str | None
    left_seconds: int | None = Field(
        ..., description="Business time left (negative: overdue by); null once stopped."
    )
    used_percent: int
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    stop_reason: str
    breached_at: dt.datetime | None


class BillableOut(Out):
    id: int
    minutes: int
    note: str
    created_by: UserRef | None
    created_at: dt.datetime
    created_at_display: str


class TicketSlaOut(Out):
    number: int
    sla_due_at: dt.datetime | None = Field(..., description="The nearest running due time.")
    sla_due_at_display: str | None
    restored_at: dt.datetime | None
    restored_at_display: str | None
    not_fault_at: dt.datetime | None
    not_fault_at_display: str | None
    clocks: list[ClockOut]
    # S-5 [003 4.2.4]
    billable: list[BillableOut] = Field(
        ...,
        description="Time the customer pays for, e.g. once the reported fault proved not to be "
        "a software fault.",
    )


class NotAFaultIn(InputSchema):
    minutes: int | None = Field(
        None,
        ge=1,
        le=ticket_services.BILLABLE_MINUTES_MAX,
        description="Billable minutes; omitted: the business time the clocks had used.",
    )
    note: str = Field("", max_length=500)


def _ticket(request, number: int):
    ticket = None
    if 1 <= number <= MAX_NUMBER:
        ticket = ticket_selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise not_found()
    return ticket


def _ticket_sla(request, ticket) -> dict:
    tenant = request.tenant
    clocks = [
        {
            "kind": view.kind,
            "target": view.target,
            "status": view.clock.status,
            "state": view.state,
            "due_at": view.due_at,
            "due_at_display": display(view.due_at, request),
            "left_seconds": view.left_seconds,
            "used_percent": view.used_percent,
            "started_at": view.clock.started_at,
            "stopped_at": view.clock.stopped_at,
            "stop_reason": view.clock.stop_reason,
            "breached_at": view.clock.breached_at,
        }
        for view in selectors.clock_list_for_ticket(tenant=tenant, ticket_id=ticket.pk)
    ]
    billable = [
        {
            "id": entry.pk,
            "minutes": entry.minutes,
            "note": entry.note,
            "created_by": entry.created_by,
            "created_at": entry.created_at,
            "created_at_display": display(entry.created_at, request),
        }
        for entry in selectors.billable_list_for_ticket(tenant=tenant, ticket_id=ticket.pk)
    ]
    return {
        "number": ticket.number,
        "sla_due_at": ticket.sla_due_at,
        "sla_due_at_display": display(ticket.sla_due_at, request),
        "restored_at": ticket.restored_at,
        "restored_at_display": display(ticket.restored_at, request),
        "not_fault_at": ticket.not_fault_at,
        "not_fault_at_display": display(ticket.not_fault_at, request),
        "clocks": clocks,
        "billable": billable,
    }


def _reloaded(request, ticket):
    return ticket_selectors.ticket_get(tenant=request.tenant, number=ticket.number)


@router.get("/tickets/{int:number}/sla", response={200: TicketSlaOut, 404: ErrorOut})
def ticket_sla(request, number: int):
    return _ticket_sla(request, _ticket(request, number))


@router.post(
    "/tickets/{int:number}/restored",
    response={200: TicketSlaOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def ticket_restored(request, number: int):
    """A workaround is in place: the restore target is met (or missed) now; the ticket stays
    open for the full resolution. 409 if it was already marked, or is closed."""
    ticket = ticket_services.ticket_mark_restored(
        tenant=request.tenant, ticket=_ticket(request, number), actor=request.auth.user, via="api"
    )
    return _ticket_sla(request, _reloaded(request, ticket))


@router.post(
    "/tickets/{int:number}/not-a-fault",
    response={200: TicketSlaOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def ticket_not_a_fault(request, number: int, payload: NotAFaultIn = None):
    """The reported fault proved not to be a software fault. The ticket's SLA obligations
    lapse and the time spent becomes billable. The body may be left out. 409 if it was already
    marked, or is closed."""
    # S-5 [003 4.2.4]
    payload = payload or NotAFaultIn()
    ticket = ticket_services.ticket_mark_not_a_fault(
        tenant=request.tenant,
        ticket=_ticket(request, number),
        actor=request.auth.user,
        minutes=payload.minutes,
        note=payload.note,
        via="api",
    )
    return _ticket_sla(request, _reloaded(request, ticket))
