"""Support rules in the API (T-4 … T-12): the workspace's and each department's settings, the
violations the rules record, the fines the finance unit charges for them [002 r19], and module
installations on a ticket (one free installation per module per service, T-10)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Query, Router
from ninja import Status as HttpStatus
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from pishkhan.accounts.selectors import customer_get, service_get
from pishkhan.api.errors import invalid, not_found
from pishkhan.api.schemas import (
    MAX_ID,
    CalendarDate,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    PageQuery,
    ServiceRef,
    TextInput,
    display,
    paginate,
)
from pishkhan.api.tickets import MAX_NUMBER, CustomerRef, Minutes, UserRef
from pishkhan.core import clock
from pishkhan.core.money import CURRENCIES, format_money
from pishkhan.policies import selectors, services
from pishkhan.policies.models import (
    Currency,
    DepartmentMode,
    FineStatus,
    Mode,
    ViolationKind,
)
from pishkhan.tickets import selectors as ticket_selectors

router = Router(tags=["rules"])


def _amount_text(value):
    # Exact decimals travel as text: a JSON 12.5 is a binary float before anyone reads it. A
    # whole number is exact either way, so it may come as a JSON number.
    if isinstance(value, float):
        raise PydanticCustomError("amount_text", "Send an amount with decimals as text.")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Amount = Annotated[str, BeforeValidator(_amount_text), Field(max_length=40)]
AMOUNT_HELP = (
    'Text, e.g. "12.50": Toman in whole units, US dollars to the cent. Persian digits and '
    "thousands separators are accepted; a whole number may also be a JSON number."
)


def amount_text(value: Decimal, currency: str) -> str:
    """An amount with exactly its currency's decimals: "100000" Toman, "12.50" dollars."""
    places = CURRENCIES.get(currency, (2,))[0]
    return format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")


def _existing_id(value: int) -> bool:
    # Above the largest id a database column holds: no such row can exist.
    return 1 <= value <= MAX_ID


def _period(request, since: dt.date | None, until: dt.date | None):
    """Whole days in the workspace's time zone, `until` included, as instants."""
    if since is not None and until is not None and until < since:
        raise invalid("until", "range_order")
    zone = ZoneInfo(request.tenant.time_zone)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone) if since else None
    end = None
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _customer_filter(request, customer_id: int | None):
    if customer_id is None:
        return None
    customer = customer_get(tenant=request.tenant, customer_id=customer_id)
    if customer is None:
        raise not_found("customer_id")
    return customer


# --- the workspace's rules -------------------------------------------------------------------


class RulesOut(Out):
    # T-4 [002 r15-16]
    duplicates: str = Field(
        ...,
        description="A near-duplicate of the customer's open ticket: off, flag (accept and "
        "record a violation) or block (refuse with the matching ticket).",
    )
    # T-7 [002 r1]
    persian_only: str = Field(..., description="Requests in Persian only: off, flag, block.")
    # T-8 [002 r3]
    ownership_required: bool = Field(
        ..., description="Support about a service only to its verified owner."
    )
    # T-6 [002 r13]
    incomplete_wait_hours: int = Field(
        ...,
        description="Hours a mailed or phoned request waits for its missing fields before it "
        "is closed without an answer.",
    )
    # T-12 [002 r19]
    suspend_on_unpaid_fine: bool = Field(
        ..., description="An unpaid fine past its due date suspends new tickets."
    )
    fine_currency: str = Field(..., description="IRT (Toman) or USD.")
    fine_due_days: int
    fine_duplicate: str = Field(..., description="Default fine per kind, in fine_currency.")
    fine_reopen: str
    fine_incomplete: str
    fine_not_persian: str
    fine_wrong_priority: str
    updated_at: dt.datetime | None


FINE_FIELDS = tuple(f"fine_{kind}" for kind in ViolationKind.values)


def _rules_out(rules) -> dict:
    out = {
        name: getattr(rules, name)
        for name in (
            "duplicates",
            "persian_only",
            "ownership_required",
            "incomplete_wait_hours",
            "suspend_on_unpaid_fine",
            "fine_currency",
            "fine_due_days",
            "updated_at",
        )
    }
    for name in FINE_FIELDS:
        out[name] = amount_text(getattr(rules, name), rules.fine_currency)
    return out


class RulesPatch(InputSchema):
    """Only the keys sent change. Amounts are in `fine_currency` (the new one, if sent)."""

    duplicates: Mode = None
    persian_only: Mode = None
    ownership_required: bool = None
    incomplete_wait_hours: int = Field(None, ge=1, le=services.WAIT_HOURS_MAX)
    suspend_on_unpaid_fine: bool = None
    fine_currency: Currency = None
    fine_due_days: int = Field(None, ge=1, le=services.DUE_DAYS_MAX)
    fine_duplicate: Amount = Field(None, description=AMOUNT_HELP)
    fine_reopen: Amount = Field(None, description=AMOUNT_HELP)
    fine_incomplete: Amount = Field(None, description=AMOUNT_HELP)
    fine_not_persian: Amount = Field(None, description=AMOUNT_HELP)
    fine_wrong_priority: Amount = Field(None, description=AMOUNT_HELP)


@router.get("/rules", response={200: RulesOut})
def rules_detail(request):
    """The workspace's support rules; each default is the seed's value until an admin changes
    it."""
    return _rules_out(selectors.rule_settings_get(tenant=request.tenant))


@router.patch("/rules", response={200: RulesOut, 400: ErrorOut, 403: ErrorOut})
def rules_update(request, payload: RulesPatch):
    """The owner or a portal admin changes the rules; others get 403."""
    rules = services.rule_settings_update(
        tenant=request.tenant,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(mode="json", exclude_unset=True),
    )
    return _rules_out(rules)


# --- a department's rules --------------------------------------------------------------------


class DepartmentRulesOut(Out):
    department_id: int
    persian_only: str = Field(..., description="inherit (the workspace's), off, flag or block.")
    duplicates: str = Field(..., description="inherit, off, flag or block.")
    service_required: bool = Field(
        ..., description="Every request must name one of the customer's verified services."
    )
    effective_persian_only: str = Field(..., description="What applies: off, flag or block.")
    effective_duplicates: str


class DepartmentRulesIn(InputSchema):
    """The department's whole rule set: keys left out take their defaults."""

    persian_only: DepartmentMode = DepartmentMode.INHERIT
    duplicates: DepartmentMode = DepartmentMode.INHERIT
    service_required: bool = False


def _department(request, department_id: int):
    department = None
    if _existing_id(department_id):
        department = ticket_selectors.department_get(
            tenant=request.tenant, department_id=department_id
        )
    if department is None:
        raise not_found()
    return department


def _department_rules_out(request, department) -> dict:
    tenant = request.tenant
    rules = selectors.rule_settings_get(tenant=tenant)
    own = selectors.department_rules_get(tenant=tenant, department=department)
    return {
        "department_id": department.pk,
        "persian_only": own.persian_only,
        "duplicates": own.duplicates,
        "service_required": own.service_required,
        "effective_persian_only": selectors.effective_mode(rules, own, "persian_only"),
        "effective_duplicates": selectors.effective_mode(rules, own, "duplicates"),
    }


@router.get(
    "/departments/{int:department_id}/rules",
    response={200: DepartmentRulesOut, 404: ErrorOut},
)
def department_rules_detail(request, department_id: int):
    return _department_rules_out(request, _department(request, department_id))


@router.put(
    "/departments/{int:department_id}/rules",
    response={200: DepartmentRulesOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def department_rules_set(request, department_id: int, payload: DepartmentRulesIn):
    """The owner or a portal admin sets where the department differs from the workspace."""
    department = _department(request, department_id)
    services.department_rules_update(
        tenant=request.tenant,
        department=department,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(mode="json"),
    )
    return _department_rules_out(request, department)


# --- violations ------------------------------------------------------------------------------


class FineRef(Out):
    id: int
    amount: str
    currency: str
    status: str
    due_at: dt.datetime

    @staticmethod
    def resolve_amount(obj) -> str:
        return amount_text(obj.amount, obj.currency)


class ViolationOut(Out):
    id: int
    kind: str = Field(
        ..., description="duplicate, reopen, incomplete, not_persian or wrong_priority."
    )
    kind_label: str
    customer: CustomerRef
    ticket: int | None = Field(
        ...,
        description="The ticket's number: the new ticket when the rule only flagged, the "
        "ticket it concerned otherwise; null for a refused new request.",
    )
    refused: bool = Field(..., description="The request was refused; no ticket was created.")
    channel: str
    detail: dict = Field(
        ...,
        description="What the rule saw: the matching ticket and score, the language verdict, "
        "the missing fields, the agent's reason for a lowered priority.",
    )
    actor: UserRef | None
    created_at: dt.datetime
    created_at_display: str
    fine: FineRef | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_ticket(obj) -> int | None:
        return obj.ticket.number if obj.ticket_id is not None else None

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])

    @staticmethod
    def resolve_fine(obj):
        try:
            return obj.fine
        except ObjectDoesNotExist:
            return None


class ViolationPage(Out):
    items: list[ViolationOut]
    count: int
    page: int
    page_size: int


class PeriodQuery(TextInput):
    since: CalendarDate | None = Field(
        None, description="First day (YYYY-MM-DD, in the workspace's time zone), included."
    )
    until: CalendarDate | None = Field(None, description="Last day, included.")


class ViolationQuery(PageQuery, PeriodQuery):
    kind: ViolationKind | None = None
    customer_id: Id | None = None


class KindCountOut(Out):
    kind: str
    label: str
    count: int


class CustomerCountOut(Out):
    customer: CustomerRef
    count: int


class ViolationSummaryOut(Out):
    since: dt.date | None
    until: dt.date | None
    total: int
    by_kind: list[KindCountOut] = Field(..., description="Every kind, none left out.")
    top_customers: list[CustomerCountOut] = Field(
        ..., description="The customers with the most violations, most first (at most 10)."
    )


def _violation(request, violation_id: int):
    violation = None
    if _existing_id(violation_id):
        violation = selectors.violation_get(tenant=request.tenant, pk=violation_id)
    if violation is None:
        raise not_found()
    return violation


@router.get("/violations", response={200: ViolationPage, 400: ErrorOut, 404: ErrorOut})
def violation_list(request, filters: Query[ViolationQuery]):
    """Broken support rules, newest first: refused requests and flagged tickets alike."""
    since, until = _period(request, filters.since, filters.until)
    qs = selectors.violation_list(
        tenant=request.tenant,
        kind=filters.kind,
        customer=_customer_filter(request, filters.customer_id),
        since=since,
        until=until,
    )
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.get("/violations/summary", response={200: ViolationSummaryOut, 400: ErrorOut})
def violation_summary(request, filters: Query[PeriodQuery]):
    """How many of each kind over the period, and who broke the rules most."""
    since, until = _period(request, filters.since, filters.until)
    counts = selectors.violation_counts(tenant=request.tenant, since=since, until=until)
    top = selectors.violation_top_customers(tenant=request.tenant, since=since, until=until)
    return {
        "since": filters.since,
        "until": filters.until,
        "total": sum(counts.values()),
        "by_kind": [
            {"kind": kind, "label": str(label), "count": counts.get(kind, 0)}
            for kind, label in ViolationKind.choices
        ],
        "top_customers": [
            {
                "customer": {
                    "id": row["customer_id"],
                    "name": row["customer__name"],
                    "email": row["customer__email"],
                },
                "count": row["n"],
            }
            for row in top
        ],
    }


@router.get("/violations/{int:violation_id}", response={200: ViolationOut, 404: ErrorOut})
def violation_detail(request, violation_id: int):
    return _violation(request, violation_id)


def _ticket(request, number: int):
    ticket = None
    if 1 <= number <= MAX_NUMBER:
        ticket = ticket_selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise not_found()
    return ticket


@router.get(
    "/tickets/{int:number}/violations",
    response={200: list[ViolationOut], 404: ErrorOut},
    tags=["tickets"],
)
def ticket_violation_list(request, number: int):
    ticket = _ticket(request, number)
    return list(selectors.violation_list(tenant=request.tenant, ticket=ticket))


# --- fines -----------------------------------------------------------------------------------


class ViolationRef(Out):
    id: int
    kind: str


class FineOut(Out):
    id: int
    violation: ViolationRef
    customer: CustomerRef
    ticket: int | None = Field(..., description="The violating ticket's number, if any.")
    amount: str = Field(..., description='Exact: "100000" Toman, "12.50" US dollars.')
    currency: str
    amount_display: str = Field(..., description="Grouped, with Persian digits for fa.")
    status: str = Field(..., description="unpaid, paid or waived.")
    overdue: bool = Field(
        ..., description="Unpaid past its due date: the customer may not open new tickets."
    )
    due_at: dt.datetime
    due_at_display: str
    note: str
    charged_at: dt.datetime
    settled_at: dt.datetime | None
    settle_note: str

    @staticmethod
    def resolve_ticket(obj) -> int | None:
        return obj.ticket.number if obj.ticket_id is not None else None

    @staticmethod
    def resolve_amount(obj) -> str:
        return amount_text(obj.amount, obj.currency)

    @staticmethod
    def resolve_amount_display(obj, context) -> str:
        return format_money(obj.amount, obj.currency, context["request"].LANGUAGE_CODE)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.status == FineStatus.UNPAID and obj.due_at < clock.now()

    @staticmethod
    def resolve_due_at_display(obj, context) -> str:
        return display(obj.due_at, context["request"])


class FinePage(Out):
    items: list[FineOut]
    count: int
    page: int
    page_size: int


class FineQuery(PageQuery):
    status: FineStatus | None = None
    customer_id: Id | None = None


class FineIn(InputSchema):
    amount: Amount | None = Field(
        None,
        description="Default: the workspace's amount for the violation's kind (which needs "
        "the workspace's currency). " + AMOUNT_HELP,
    )
    currency: Currency | None = Field(None, description="Default: the workspace's.")
    due_days: int | None = Field(
        None, ge=1, le=services.DUE_DAYS_MAX, description="Default: the workspace's."
    )
    note: str = Field("", max_length=services.NOTE_MAX)


class FinePaidIn(InputSchema):
    note: str = Field("", max_length=services.NOTE_MAX, description="e.g. the receipt number.")


class FineWaiveIn(InputSchema):
    note: str = Field(..., max_length=services.NOTE_MAX, description="Why it is forgiven.")


def _fine(request, fine_id: int):
    fine = None
    if _existing_id(fine_id):
        fine = selectors.fine_get(tenant=request.tenant, pk=fine_id)
    if fine is None:
        raise not_found()
    return fine


def _fine_reloaded(request, fine):
    return selectors.fine_get(tenant=request.tenant, pk=fine.pk)


_FINANCE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("/violations/{int:violation_id}/fine", response={201: FineOut, **_FINANCE_ERRORS})
def fine_charge(request, violation_id: int, payload: FineIn = None):
    """The finance unit (owner, admin or finance role) fines one violation; the body may be
    left out to charge the workspace's defaults. 409 `already_fined`."""
    # T-12 [002 r19]
    payload = payload or FineIn()
    fine = services.fine_charge(
        tenant=request.tenant,
        violation=_violation(request, violation_id),
        actor=request.auth.user,
        via="api",
        **payload.model_dump(mode="json"),
    )
    return HttpStatus(201, _fine_reloaded(request, fine))


@router.get("/fines", response={200: FinePage, 400: ErrorOut, 404: ErrorOut})
def fine_list(request, filters: Query[FineQuery]):
    qs = selectors.fine_list(
        tenant=request.tenant,
        customer=_customer_filter(request, filters.customer_id),
        status=filters.status,
    )
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.get("/fines/{int:fine_id}", response={200: FineOut, 404: ErrorOut})
def fine_detail(request, fine_id: int):
    return _fine(request, fine_id)


@router.post("/fines/{int:fine_id}/paid", response={200: FineOut, **_FINANCE_ERRORS})
def fine_paid(request, fine_id: int, payload: FinePaidIn = None):
    """Payment received: the customer may open tickets again (unless another fine is overdue).
    409 `fine_settled`."""
    payload = payload or FinePaidIn()
    fine = services.fine_mark_paid(
        tenant=request.tenant,
        fine=_fine(request, fine_id),
        actor=request.auth.user,
        note=payload.note,
        via="api",
    )
    return _fine_reloaded(request, fine)


@router.post("/fines/{int:fine_id}/waive", response={200: FineOut, **_FINANCE_ERRORS})
def fine_waive(request, fine_id: int, payload: FineWaiveIn):
    """The fine is forgiven, for the reason given. 409 `fine_settled`."""
    fine = services.fine_waive(
        tenant=request.tenant,
        fine=_fine(request, fine_id),
        actor=request.auth.user,
        note=payload.note,
        via="api",
    )
    return _fine_reloaded(request, fine)


# --- module installations (T-10) -------------------------------------------------------------


class InstallationIn(InputSchema):
    service: Id = Field(..., description="The ticket's customer's service it went on.")
    module: str = Field(..., max_length=services.MODULE_MAX)
    minutes: Minutes


class InstallationOut(Out):
    id: int
    service: ServiceRef
    module: str
    # T-10 [002 r6]
    billable: bool = Field(
        ...,
        description="false for the first installation of this module on this service (free), "
        "true for a repeat.",
    )
    minutes: int
    time_entry_id: int
    created_at: dt.datetime

    @staticmethod
    def resolve_minutes(obj) -> int:
        return obj.time_entry.minutes


@router.post(
    "/tickets/{int:number}/installations",
    response={201: InstallationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["tickets"],
)
def installation_create(request, number: int, payload: InstallationIn):
    """A module installed on the customer's service; the time goes on the ticket, billable
    unless it is the module's first installation on that service."""
    ticket = _ticket(request, number)
    service = service_get(tenant=request.tenant, pk=payload.service)
    if service is None:
        raise not_found("service")
    installation = services.module_install_record(
        tenant=request.tenant,
        ticket=ticket,
        service=service,
        module=payload.module,
        actor=request.auth.user,
        minutes=payload.minutes,
        via="api",
    )
    return HttpStatus(201, installation)
