"""What the finance unit types for a fine (T-12) is read strictly: an amount in plain digits
(ASCII or Persian, grouped by thousands or not) within what the column holds, and a waiver's
reason that says something, through the API and the staff pages alike."""

from decimal import Decimal

import pytest

from pishkhan.policies.models import Fine, Violation
from pishkhan.policies.services import fine_charge
from pishkhan.tickets.services import ticket_update
from tests.api.helpers import assert_error, send

LOWER_REASON = "سرور در دسترس است؛ فقط کندی گزارش شده"
WAIVE_REASON = "مشتری قدیمی؛ بار اول"


def _violation(world) -> Violation:
    """The customer chose urgent; the agent lowers it with a reason (a violation)."""
    ticket_update(tenant=world.tenant, ticket=world.ticket, actor=world.owner, priority="urgent")
    ticket_update(
        tenant=world.tenant,
        ticket=world.ticket,
        actor=world.owner,
        priority="normal",
        reason=LOWER_REASON,
    )
    return Violation.objects.for_tenant(world.tenant).latest("id")


def _fines() -> list:
    return list(Fine.objects.order_by("pk").values())


@pytest.mark.parametrize(
    "amount", ["1e9", "1E9", "inf", "-inf", "nan", "Infinity", "1_000", "+5000", "0x10", "5 000"]
)
def test_amount_not_in_plain_digits_is_refused(alpha, amount):
    violation = _violation(alpha)
    path = f"/violations/{violation.pk}/fine"
    error = assert_error(send(alpha.api(), "POST", path, {"amount": amount}), 400, "invalid")
    assert list(error["fields"]) == ["amount"]
    assert _fines() == []


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("250000", "250000"), ("۲۵۰۰۰۰", "250000"), ("250,000", "250000"), ("۲۵۰٬۰۰۰", "250000")],
)
def test_amount_in_plain_digits_is_charged(alpha, amount, stored):
    violation = _violation(alpha)
    path = f"/violations/{violation.pk}/fine"
    response = send(alpha.api(), "POST", path, {"amount": amount})
    assert response.status_code == 201, response.content
    assert Fine.objects.get().amount == Decimal(stored)


@pytest.mark.parametrize("amount", ["9" * 38, "1000000000000"])
def test_amount_too_large_says_so(alpha, amount):
    violation = _violation(alpha)
    path = f"/violations/{violation.pk}/fine"
    response = send(alpha.api(), "POST", path, {"amount": amount}, HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"amount": ["Too large: at most 999,999,999,999."]}
    persian = send(alpha.api(), "POST", path, {"amount": amount})
    [message] = assert_error(persian, 400, "invalid")["fields"]["amount"]
    assert "۹۹۹٬۹۹۹٬۹۹۹٬۹۹۹" in message
    assert "صفر" not in message  # not "enter an amount above zero"
    assert _fines() == []


def test_largest_amount_is_charged(alpha):
    violation = _violation(alpha)
    path = f"/violations/{violation.pk}/fine"
    response = send(alpha.api(), "POST", path, {"amount": "999999999999"})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("note", ["\u200c", "\u200b\u200c", " \u200c ", "\u200f"])
def test_waiver_with_an_invisible_reason_is_refused(alpha, note):
    fine = fine_charge(tenant=alpha.tenant, violation=_violation(alpha), actor=alpha.owner)
    before = _fines()
    response = send(alpha.api(), "POST", f"/fines/{fine.pk}/waive", {"note": note})
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["note"]
    assert _fines() == before


def test_waive_form_refuses_an_invisible_reason(alpha):
    fine = fine_charge(tenant=alpha.tenant, violation=_violation(alpha), actor=alpha.owner)
    client = alpha.client(alpha.owner)
    client.post(f"/agent/rules/fines/{fine.pk}/waive/", {"note": "\u200c"})
    assert Fine.objects.get(pk=fine.pk).status == "unpaid"
    client.post(f"/agent/rules/fines/{fine.pk}/waive/", {"note": WAIVE_REASON})
    assert Fine.objects.get(pk=fine.pk).status == "waived"


def test_fine_form_refuses_an_amount_in_exponent_form(alpha):
    violation = _violation(alpha)
    alpha.client(alpha.owner).post(
        f"/agent/rules/violations/{violation.pk}/fine/", {"amount": "1e9"}
    )
    assert _fines() == []
