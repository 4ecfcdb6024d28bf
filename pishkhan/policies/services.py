"""Writes of the support rules: settings, fines, module installations, and the job that closes
requests whose missing information never came (T-6 … T-12). One transaction each; permission
and tenant checks here."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pishkhan import jobs
from pishkhan.accounts.models import OwnedService, User
from pishkhan.core import clock
from pishkhan.core.persian import is_blank, normalize, to_ascii_digits, to_persian_digits
from pishkhan.policies import selectors
from pishkhan.policies.models import (
    Currency,
    DepartmentMode,
    DepartmentRules,
    Fine,
    FineStatus,
    Mode,
    ModuleInstallation,
    RuleSettings,
    Violation,
    ViolationKind,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_admin, require_finance, require_writer
from pishkhan.tickets.models import CloseReason, Department, Ticket, TimeEntry, WorkKind
from pishkhan.tickets.services import ticket_close_with_reason
from pishkhan.trust.services import audit_record
from pishkhan.validation import choice, collect

# What the amount columns hold in whole units (max_digits=14 with 2 decimals).
AMOUNT_MAX = Decimal("999999999999")
# Digits, grouped by thousands or not, with a decimal part; a leading minus is read so that a
# negative amount hears "greater than zero" rather than "not a number".
_PLAIN_AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:[,٬][0-9]{3})+|[0-9]+)(?:[.٫][0-9]+)?")
NOTE_MAX = 500
WAIT_HOURS_MAX = 24 * 90
DUE_DAYS_MAX = 365
MODULE_MAX = 120

FINE_FIELDS = {kind: f"fine_{kind}" for kind in ViolationKind.values}


def clean_amount(value, currency: str, *, field: str = "amount") -> Decimal:
    """An exact amount: Toman in whole units, dollars to the cent; Persian digits and
    thousands separators welcome. Never a float."""
    if isinstance(value, Decimal):
        value = format(value, "f")  # a stored amount, never in exponent form
    text = to_ascii_digits(str(value if value is not None else "")).strip()
    # Only plain digits, as written on an invoice: Decimal() would also read "1e9", "inf",
    # "nan", "1_000" and "+5", none of which a person means as an amount of money.
    if _PLAIN_AMOUNT.fullmatch(text) is None:
        raise ValidationError({field: [_("Enter an amount greater than zero.")]})
    # Thousands separators go; the Persian decimal separator (U+066B) is a decimal point.
    amount = Decimal(text.replace(",", "").replace("٬", "").replace("٫", "."))
    if amount <= 0:
        raise ValidationError({field: [_("Enter an amount greater than zero.")]})
    if amount > AMOUNT_MAX:
        raise ValidationError(
            {field: [_("Too large: at most %(max)s.") % {"max": _grouped(AMOUNT_MAX)}]}
        )
    places = Decimal("1") if currency == Currency.TOMAN else Decimal("0.01")
    if amount != amount.quantize(places):
        message = (
            _("Toman amounts are whole numbers.")
            if currency == Currency.TOMAN
            else _("Dollar amounts have at most two decimals.")
        )
        raise ValidationError({field: [message]})
    return amount.quantize(places)


def _grouped(amount: Decimal) -> str:
    text = f"{amount:,}"
    if (get_language() or "fa").startswith("fa"):
        return to_persian_digits(text.replace(",", "٬"))
    return text


def _whole(value, *, field: str, low: int, high: int) -> int:
    try:
        number = int(to_ascii_digits(str(value)).strip())
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise ValidationError(
            {field: [_("Enter a whole number from %(a)s to %(b)s.") % {"a": low, "b": high}]}
        )
    return number


def _note(value: str, *, field: str = "note", required: bool = False) -> str:
    text = " ".join((value or "").split())
    # Invisible marks alone (ZWNJ, ZWSP) read as nothing: no reason was given.
    if is_blank(text):
        if required:
            raise ValidationError({field: [_("This field is required.")]})
        return ""
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {field: [_("Too long (at most %(n)s characters).") % {"n": NOTE_MAX}]}
        )
    return text


@transaction.atomic
def rule_settings_update(
    *, tenant: Tenant, actor: User, via: str = "web", **values
) -> RuleSettings:
    """An admin changes the workspace's rules. Unknown names are refused."""
    require_admin(tenant=tenant, user=actor)
    rules = RuleSettings.objects.select_for_update().filter(tenant=tenant).first() or RuleSettings(
        tenant=tenant
    )
    currency = values.get("fine_currency", rules.fine_currency)
    checks = {}
    for name, value in values.items():
        if name in ("duplicates", "persian_only"):
            checks[name] = lambda v=value, n=name: choice(v, Mode, field=n)
        elif name in ("ownership_required", "suspend_on_unpaid_fine"):
            checks[name] = lambda v=value, n=name: _boolean(v, field=n)
        elif name == "incomplete_wait_hours":
            checks[name] = lambda v=value: _whole(
                v, field="incomplete_wait_hours", low=1, high=WAIT_HOURS_MAX
            )
        elif name == "fine_due_days":
            checks[name] = lambda v=value: _whole(
                v, field="fine_due_days", low=1, high=DUE_DAYS_MAX
            )
        elif name == "fine_currency":
            checks[name] = lambda v=value: choice(v, Currency, field="fine_currency")
        elif name in FINE_FIELDS.values():
            checks[name] = lambda v=value, n=name: clean_amount(v, currency, field=n)
        else:
            checks[name] = lambda n=name: _unknown(n)
    cleaned, errors = collect(checks)
    if errors:
        raise ValidationError(errors)
    if "fine_currency" in cleaned and cleaned["fine_currency"] != rules.fine_currency:
        # Amounts kept from the other currency must still be exact in the new one.
        for field in FINE_FIELDS.values():
            if field not in cleaned:
                try:
                    clean_amount(getattr(rules, field), cleaned["fine_currency"], field=field)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
    changes = {}
    for name, value in cleaned.items():
        if getattr(rules, name) != value:
            changes[name] = [str(getattr(rules, name)), str(value)]
            setattr(rules, name, value)
    rules.updated_at = clock.now()
    rules.save()
    if changes:
        audit_record(
            tenant=tenant, actor=actor, action="rules.update", obj=rules, via=via, changes=changes
        )
    return rules


def _unknown(name: str):
    raise ValidationError({name: [_("Unknown field.")]})


def _boolean(value, *, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError({field: [_("Enter true or false.")]})


@transaction.atomic
def department_rules_update(
    *,
    tenant: Tenant,
    department: Department,
    actor: User,
    persian_only: str | None = None,
    duplicates: str | None = None,
    service_required: bool | None = None,
    via: str = "web",
) -> DepartmentRules:
    require_admin(tenant=tenant, user=actor)
    if department.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant department")
    checks = {}
    if persian_only is not None:
        checks["persian_only"] = lambda: choice(persian_only, DepartmentMode, field="persian_only")
    if duplicates is not None:
        checks["duplicates"] = lambda: choice(duplicates, DepartmentMode, field="duplicates")
    if service_required is not None:
        checks["service_required"] = lambda: _boolean(service_required, field="service_required")
    cleaned, errors = collect(checks)
    if errors:
        raise ValidationError(errors)
    rules, _created = DepartmentRules.objects.select_for_update().get_or_create(
        tenant=tenant, department=department
    )
    changes = {}
    for name, value in cleaned.items():
        if getattr(rules, name) != value:
            changes[name] = [str(getattr(rules, name)), str(value)]
            setattr(rules, name, value)
    if changes:
        rules.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="department_rules.update",
            obj=department,
            via=via,
            changes=changes,
        )
    return rules


# --- fines (T-12) -----------------------------------------------------------------------------


@transaction.atomic
def fine_charge(
    *,
    tenant: Tenant,
    violation: Violation,
    actor: User,
    amount=None,
    currency: str | None = None,
    due_days=None,
    note: str = "",
    via: str = "web",
) -> Fine:
    """The finance unit fines one violation [002 r19]: by default the tenant's amount for its
    kind, due in the tenant's number of days. One fine per violation."""
    require_finance(tenant=tenant, user=actor)
    if violation.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant violation")
    rules = selectors.rule_settings_get(tenant=tenant)
    currency = currency or rules.fine_currency
    cleaned, errors = collect(
        {
            "currency": lambda: choice(currency, Currency, field="currency"),
            "due_days": lambda: _whole(
                rules.fine_due_days if due_days in (None, "") else due_days,
                field="due_days",
                low=1,
                high=DUE_DAYS_MAX,
            ),
            "note": lambda: _note(note),
        }
    )
    if "currency" in cleaned:
        default = rules.fine_amount(violation.kind) if currency == rules.fine_currency else None
        raw = default if amount in (None, "") else amount
        try:
            cleaned["amount"] = clean_amount(raw, cleaned["currency"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    try:
        with transaction.atomic():
            fine = Fine.objects.create(
                tenant=tenant,
                violation=violation,
                customer_id=violation.customer_id,
                ticket_id=violation.ticket_id,
                amount=cleaned["amount"],
                currency=cleaned["currency"],
                due_at=now + timedelta(days=cleaned["due_days"]),
                note=cleaned["note"],
                charged_by=actor,
                charged_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This violation is already fined."), code="already_fined") from exc
    audit_record(
        tenant=tenant,
        actor=actor,
        action="fine.charge",
        obj=fine,
        via=via,
        changes={"amount": str(fine.amount), "currency": fine.currency, "violation": violation.pk},
    )
    from pishkhan.policies.tasks import notify_fine_charged

    jobs.enqueue(notify_fine_charged, fine.pk)
    return fine


def _settle(*, tenant: Tenant, fine: Fine, actor: User, status: str, note: str, via: str) -> Fine:
    require_finance(tenant=tenant, user=actor)
    fine = Fine.objects.select_for_update().get(pk=fine.pk, tenant=tenant)
    if fine.status != FineStatus.UNPAID:
        raise ValidationError(_("This fine is already settled."), code="fine_settled")
    fine.status = status
    fine.settled_by = actor
    fine.settled_at = clock.now()
    fine.settle_note = note
    fine.save(update_fields=["status", "settled_by", "settled_at", "settle_note"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action=f"fine.{status}",
        obj=fine,
        via=via,
        changes={"note": note},
    )
    return fine


@transaction.atomic
def fine_mark_paid(
    *, tenant: Tenant, fine: Fine, actor: User, note: str = "", via: str = "web"
) -> Fine:
    """Payment received: the customer may open tickets again (if nothing else is overdue)."""
    return _settle(
        tenant=tenant, fine=fine, actor=actor, status=FineStatus.PAID, note=_note(note), via=via
    )


@transaction.atomic
def fine_waive(*, tenant: Tenant, fine: Fine, actor: User, note: str, via: str = "web") -> Fine:
    """The fine is forgiven; the reason is kept."""
    return _settle(
        tenant=tenant,
        fine=fine,
        actor=actor,
        status=FineStatus.WAIVED,
        note=_note(note, required=True),
        via=via,
    )


# --- entitlements (T-10) ----------------------------------------------------------------------


@transaction.atomic
def module_install_record(
    *,
    tenant: Tenant,
    ticket: Ticket,
    service: OwnedService,
    module: str,
    actor: User,
    minutes,
    via: str = "web",
) -> ModuleInstallation:
    """A module installed on the customer's service: the first of each module per service is
    free, a repeat is billable [002 r6]. The time goes on the ticket either way."""
    from pishkhan.tickets.services._common import clean_minutes

    require_writer(tenant=tenant, user=actor)
    if ticket.tenant_id != tenant.pk or service.tenant_id != tenant.pk:
        raise PermissionDenied("cross-tenant installation")
    cleaned, errors = collect(
        {
            "module": lambda: _module(module),
            "minutes": lambda: clean_minutes(minutes, required_message=_("Enter the minutes.")),
        }
    )
    if service.customer_id != ticket.customer_id:
        errors["service"] = [_("Choose one of this ticket's customer's services.")]
    if errors:
        raise ValidationError(errors)
    key = normalize(cleaned["module"])
    # Serialise installations on one service, so two agents cannot both install "first".
    OwnedService.objects.select_for_update().filter(pk=service.pk).first()
    repeat = selectors.installation_list(tenant=tenant, service=service).filter(module_key=key)
    billable = repeat.exists()
    now = clock.now()
    entry = TimeEntry.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=WorkKind.INSTALLATION,
        minutes=cleaned["minutes"],
        billable=billable,
        note=cleaned["module"],
        user=actor,
        created_at=now,
    )
    installation = ModuleInstallation.objects.create(
        tenant=tenant,
        service=service,
        ticket=ticket,
        module=cleaned["module"],
        module_key=key,
        billable=billable,
        time_entry=entry,
        created_at=now,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="module.install",
        obj=ticket,
        via=via,
        changes={"module": cleaned["module"], "service": service.identifier, "billable": billable},
    )
    return installation


def _module(value: str) -> str:
    text = " ".join((value or "").split())
    if is_blank(text):
        raise ValidationError({"module": [_("This field is required.")]})
    if len(text) > MODULE_MAX:
        raise ValidationError(
            {"module": [_("Too long (at most %(n)s characters).") % {"n": MODULE_MAX}]}
        )
    return text


# --- T-6 job ----------------------------------------------------------------------------------


def ticket_close_unanswered(*, ticket_id: int, requested_at: datetime) -> bool:
    """Close a request whose missing information did not come in time. True when it closed."""
    ticket = Ticket.objects.select_related("tenant").filter(pk=ticket_id).first()
    if ticket is None or ticket.is_closed or ticket.info_requested_at != requested_at:
        return False
    rules = selectors.rule_settings_get(tenant=ticket.tenant)
    if clock.now() < requested_at + timedelta(hours=rules.incomplete_wait_hours):
        return False  # the wait was lengthened since this job was planned
    ticket_close_with_reason(
        tenant=ticket.tenant,
        ticket=ticket,
        actor=None,
        reason=CloseReason.NO_ANSWER,
        note=_("The required information was not received."),
        via="job",
    )
    return True
