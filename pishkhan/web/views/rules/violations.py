"""The violations report (with CSV) and the fines the finance unit charges and settles."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts import selectors as account_selectors
from pishkhan.core import clock
from pishkhan.core.jalali import parse_date
from pishkhan.policies import selectors as rule_selectors
from pishkhan.policies.models import FineStatus, ViolationKind
from pishkhan.policies.services import (
    fine_charge,
    fine_mark_paid,
    fine_waive,
)
from pishkhan.web.forms import (
    FineChargeForm,
    FinePaidForm,
    FineWaiveForm,
)
from pishkhan.web.periods import day_input
from pishkhan.web.views.access import staff_required
from pishkhan.web.views.rules._common import (
    CSV_CONTENT_TYPE,
    DEFAULT_PERIOD_DAYS,
    FORMULA_STARTS,
    MAX_PERIOD_DAYS,
    PAGE_SIZE,
    UTF8_BOM,
    _back,
    _error_messages,
    _fine_of,
    _form_error_messages,
    _int_or_none,
    _language,
    field_label_map,
    noted_action,
    violation_words,
)

# --- violations report -----------------------------------------------------------------------


def _period(request, errors: dict) -> tuple[date | None, date | None]:
    """The days the report covers: as typed (Jalali or Gregorian), else the last 30 days."""
    zone = ZoneInfo(request.tenant.time_zone)
    today = clock.now().astimezone(zone).date()
    days = {}
    for name, default in (("from", today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)), ("to", today)):
        text = request.GET.get(name, "").strip()[:40]
        if not text:
            days[name] = default
            continue
        try:
            days[name] = parse_date(text)
        except ValueError:
            errors[name] = _("Give the date like 1405/09/01 (Jalali) or 2026-11-22.")
            days[name] = None
    start, end = days["from"], days["to"]
    if start and end and end < start:
        errors["to"] = _("The end date must not be before the start date.")
    elif start and end and (end - start).days > MAX_PERIOD_DAYS:
        errors["to"] = _("A report covers at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
    return start, end


def _bounds(request, start: date, end: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(request.tenant.time_zone)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _customer_filter(request, errors: dict):
    """The customer the list is narrowed to: an id (from the top-customers table) or an
    e-mail address as typed."""
    text = request.GET.get("customer", "").strip()[:254]
    if not text:
        return None, ""
    number = _int_or_none(text)
    customer = (
        account_selectors.customer_get(tenant=request.tenant, customer_id=number)
        if number is not None
        else account_selectors.customer_get_by_email(tenant=request.tenant, email=text)
    )
    if customer is None:
        errors["customer"] = _("No customer with this e-mail address.")
        return None, text
    return customer, (customer.email or str(customer.pk))


def _report_state(request):
    errors: dict[str, str] = {}
    language = _language()
    start, end = _period(request, errors)
    customer, customer_text = _customer_filter(request, errors)
    kind = request.GET.get("kind", "")
    state = {
        "from": day_input(start, language) if start else request.GET.get("from", "")[:40],
        "to": day_input(end, language) if end else request.GET.get("to", "")[:40],
        "start": start,
        "end": end,
        "kind": kind if kind in ViolationKind.values else "",
        "customer": customer,
        "customer_text": customer_text,
    }
    return state, errors


def violation_rows(violations, labels: dict) -> list[dict]:
    """Each violation with its detail in words and its fine (or None)."""
    return [
        {
            "violation": v,
            "words": violation_words(v, labels.get(v.ticket.department_id) if v.ticket else None),
            "fine": _fine_of(v),
        }
        for v in violations
    ]


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _violations_csv(request, violations, labels: dict, state: dict) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Date"),
            _("Kind"),
            _("Customer"),
            _("Email"),
            _("Ticket"),
            _("Refused"),
            _("Channel"),
            _("Detail"),
            _("Fine"),
            _("Amount"),
            _("Currency"),
        ]
    )
    kinds = dict(ViolationKind.choices)
    statuses = dict(FineStatus.choices)
    zone = ZoneInfo(request.tenant.time_zone)
    # Digits stay ASCII here so that a spreadsheet reads them as numbers.
    with translation.override(_language()):
        for row in violation_rows(violations, labels):
            v, fine, words = row["violation"], row["fine"], row["words"]
            writer.writerow(
                [
                    _cell(v.created_at.astimezone(zone).isoformat(timespec="minutes")),
                    _cell(kinds.get(v.kind, v.kind)),
                    _cell(v.customer.name),
                    _cell(v.customer.email or ""),
                    v.ticket.number if v.ticket else "",
                    _("yes") if v.refused else _("no"),
                    _cell(v.channel),
                    _cell(_ascii(words)),
                    _cell(statuses.get(fine.status, fine.status)) if fine else "",
                    str(fine.amount) if fine else "",
                    fine.currency if fine else "",
                ]
            )
    response = HttpResponse(
        (UTF8_BOM + buffer.getvalue()).encode("utf-8"), content_type=CSV_CONTENT_TYPE
    )
    name = f"violations-{state['start'].isoformat()}-{state['end'].isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _ascii(text: str) -> str:
    from pishkhan.core.persian import to_ascii_digits

    return to_ascii_digits(text)


@staff_required
def violations_report(request):
    state, errors = _report_state(request)
    context = {
        "state": state,
        "errors": errors,
        "kinds": ViolationKind.choices,
        "counts": [],
        "top": [],
        "page": None,
        "rows": [],
    }
    if errors:
        return render(request, "web/agent/rules/violations.html", context, status=400)
    since, until = _bounds(request, state["start"], state["end"])
    violations = rule_selectors.violation_list(
        tenant=request.tenant,
        kind=state["kind"] or None,
        customer=state["customer"],
        since=since,
        until=until,
    )
    labels = field_label_map(request.tenant, request.LANGUAGE_CODE)
    if request.GET.get("format") == "csv":
        return _violations_csv(request, violations, labels, state)
    counts = rule_selectors.violation_counts(tenant=request.tenant, since=since, until=until)
    page = Paginator(violations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = request.GET.copy()
    csv_query.pop("page", None)
    csv_query["format"] = "csv"
    rules = rule_selectors.rule_settings_get(tenant=request.tenant)
    rows = violation_rows(page.object_list, labels)
    if request.membership.is_finance:
        for row in rows:
            if row["fine"] is None:
                v = row["violation"]
                row["charge_form"] = FineChargeForm(
                    initial=FineChargeForm.initial_for(rules, v.kind), auto_id=f"id_v{v.pk}_%s"
                )
    context.update(
        {
            "counts": [
                (value, label, counts.get(value, 0)) for value, label in ViolationKind.choices
            ],
            "total": sum(counts.values()),
            "top": rule_selectors.violation_top_customers(
                tenant=request.tenant, since=since, until=until
            ),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
            "period_query": f"from={state['start'].isoformat()}&to={state['end'].isoformat()}",
        }
    )
    return render(request, "web/agent/rules/violations.html", context)


@staff_required
@require_POST
def violation_fine(request, pk: int):
    violation = rule_selectors.violation_get(tenant=request.tenant, pk=pk)
    if violation is None:
        raise Http404
    form = FineChargeForm(request.POST)
    if not form.is_valid():
        _form_error_messages(request, form)
        return _back(request, "web:rules_violations")
    try:
        fine = fine_charge(
            tenant=request.tenant, violation=violation, actor=request.user, **form.cleaned_data
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            _("Fine of %(amount)s charged to %(customer)s.")
            % {"amount": _money(fine), "customer": violation.customer.name},
        )
    return _back(request, "web:rules_violations")


def _money(fine) -> str:
    from pishkhan.core.money import format_money

    return format_money(fine.amount, fine.currency, _language())


# --- fines -----------------------------------------------------------------------------------


@staff_required
def fines_page(request):
    status = request.GET.get("status", "")
    status = status if status in FineStatus.values else ""
    fines = rule_selectors.fine_list(tenant=request.tenant, status=status or None).select_related(
        "charged_by", "settled_by"
    )
    page = Paginator(fines, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    now = clock.now()
    kinds = dict(ViolationKind.choices)
    rows = []
    for fine in page.object_list:
        row = {
            "fine": fine,
            "overdue": fine.status == FineStatus.UNPAID and fine.due_at < now,
            "kind": kinds.get(fine.violation.kind, ""),
        }
        if fine.status == FineStatus.UNPAID and request.membership.is_finance:
            row["paid_form"] = FinePaidForm(auto_id=f"id_paid{fine.pk}_%s")
            row["waive_form"] = FineWaiveForm(auto_id=f"id_waive{fine.pk}_%s")
        rows.append(row)
    return render(
        request,
        "web/agent/rules/fines.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": FineStatus.choices,
            "query": query.urlencode(),
        },
    )


def _fine_or_404(request, pk: int):
    fine = rule_selectors.fine_get(tenant=request.tenant, pk=pk)
    if fine is None:
        raise Http404
    return fine


@staff_required
@require_POST
def fine_paid(request, pk: int):
    fine = _fine_or_404(request, pk)
    return noted_action(
        request,
        FinePaidForm,
        fine_mark_paid,
        fine=fine,
        done=_("Fine marked paid."),
        back="web:rules_fines",
    )


@staff_required
@require_POST
def fine_waived(request, pk: int):
    fine = _fine_or_404(request, pk)
    return noted_action(
        request,
        FineWaiveForm,
        fine_waive,
        fine=fine,
        done=_("Fine waived."),
        back="web:rules_fines",
    )
