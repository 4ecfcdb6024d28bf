"""Helpers the staff rule pages share: messages, safe redirects, violations in words."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pishkhan.policies.models import ViolationKind
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.fields import field_label
from pishkhan.tickets.models import Priority
from pishkhan.web.templatetags.pishkhan import digits

PAGE_SIZE = 50
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 3660
CUSTOMER_MATCHES = 20
# A spreadsheet runs a cell that starts with one of these as a formula; a customer's name must
# never do that in the finance unit's copy of the report.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
UTF8_BOM = "\ufeff"  # Excel reads UTF-8 without it as the legacy code page: Persian mojibake


def _language() -> str:
    return "en" if (translation.get_language() or "fa").startswith("en") else "fa"


def _error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_error_messages(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)


def _back(request, fallback: str, **kwargs):
    """Where a small form on a list page returns: the page it was on (with its filters)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, **kwargs)


def _int_or_none(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 19 else None


# --- words -----------------------------------------------------------------------------------


def violation_words(violation, field_labels: dict | None = None) -> str:
    """What the rule saw, in the reader's language: "duplicate of #12 (score 0.83)"."""
    detail = violation.detail or {}
    kind = violation.kind
    priorities = dict(Priority.choices)
    if kind == ViolationKind.DUPLICATE:
        if "merged_into" in detail:
            return _("merged by staff into #%(number)s") % {"number": digits(detail["merged_into"])}
        if "of" in detail:
            score = detail.get("score")
            if score is None:
                return _("duplicate of #%(number)s") % {"number": digits(detail["of"])}
            return _("duplicate of #%(number)s (score %(score)s)") % {
                "number": digits(detail["of"]),
                "score": _decimal(float(score)),
            }
    elif kind == ViolationKind.REOPEN:
        if violation.ticket_id:
            return _("wrote on closed ticket #%(number)s") % {
                "number": digits(violation.ticket.number)
            }
        return _("wrote on a closed ticket")
    elif kind == ViolationKind.INCOMPLETE:
        if detail.get("missing"):
            labels = field_labels or {}
            separator = "، " if _language() == "fa" else ", "
            names = separator.join(str(labels.get(key, key)) for key in detail["missing"])
            return _("required information missing: %(fields)s") % {"fields": names}
        if detail.get("reason"):
            reasons = {
                "incomplete": _("required information missing"),
                "wrong_information": _("wrong information"),
            }
            reason = reasons.get(detail["reason"], detail["reason"])
            note = detail.get("note") or ""
            return (
                _("closed by staff, %(reason)s: %(note)s") % {"reason": reason, "note": note}
                if note
                else _("closed by staff, %(reason)s") % {"reason": reason}
            )
    elif kind == ViolationKind.NOT_PERSIAN:
        share = detail.get("persian_share")
        if share is not None:
            return _("not in Persian (Persian share %(share)s%%)") % {
                "share": digits(round(float(share) * 100))
            }
        return _("not in Persian")
    elif kind == ViolationKind.WRONG_PRIORITY:
        return _("lowered from %(old)s to %(new)s: %(reason)s") % {
            "old": priorities.get(detail.get("from"), detail.get("from", "")),
            "new": priorities.get(detail.get("to"), detail.get("to", "")),
            "reason": detail.get("reason", ""),
        }
    return ""


def _decimal(value: float) -> str:
    """0.83 as the reader writes it: «۰٫۸۳» (Persian decimal separator) or 0.83."""
    return digits(f"{value:.2f}")


def field_label_map(tenant, language: str) -> dict[int, dict[str, str]]:
    """department id → {field key: label}: missing fields in words without a query per row."""
    return {
        department.pk: {d["key"]: field_label(d, language) for d in department.fields}
        for department in ticket_selectors.department_list(tenant=tenant, active_only=False)
    }


def _fine_of(violation):
    # The reverse one-to-one raises when there is no fine; select_related has cached that.
    try:
        return violation.fine
    except violation.__class__.fine.RelatedObjectDoesNotExist:
        return None


def noted_action(request, form_class, action, *, done: str, back: str, **target):
    """A staff action that takes a note (settle a fine, verify a service): check the form, call
    the one service with the target and the note, say how it went, go back where the request
    came from. A refusal is a message and changes nothing."""
    form = form_class(request.POST)
    if not form.is_valid():
        _form_error_messages(request, form)
        return _back(request, back)
    try:
        action(tenant=request.tenant, actor=request.user, note=form.cleaned_data["note"], **target)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, done)
    return _back(request, back)
