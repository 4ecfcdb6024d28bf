"""What an admin writes into a service level is checked as a whole (S-2): no target of zero,
each row's targets in the order a ticket meets them, a policy name not another spelling of one
that exists; a calendar's dates in the path read as the rest of Pishkhan reads them (Jalali or
Gregorian, Persian digits too); and an action that takes no body refuses one."""

import pytest

from pishkhan.sla.models import BusinessCalendar, CalendarDay, SlaPolicy
from tests.api.helpers import assert_error, send, snapshot

# [003 4.2.2] "پاسخ به تماس : 2 ساعت کاری" / "بازیابی سیستم : 8 ساعت کاری"
SEED_POLICY_NAME = "رسیدگی ساعت اداری"


def _office(world) -> BusinessCalendar:
    return BusinessCalendar.objects.get(tenant=world.tenant, name="office")


def _policy(world, name: str, targets: list, **headers):
    body = {"name": name, "calendar_id": _office(world).pk, "targets": targets}
    return send(world.api(), "POST", "/sla-policies", body, **headers)


@pytest.mark.parametrize("field", ["first_response", "restore", "resolution"])
@pytest.mark.parametrize("zero", ["0bh", "0bd", "0m", "۰bh", "00bh"])
def test_zero_target_is_refused(alpha, field, zero):
    send(alpha.api(), "GET", "/calendars")  # the workspace's defaults exist
    before = snapshot()
    response = _policy(alpha, SEED_POLICY_NAME, [{"severity": "critical", field: zero}])
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [f"targets.0.{field}"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"first_response": "8bh", "restore": "2bh"}, "restore"),
        ({"first_response": "8bh", "resolution": "2bh"}, "resolution"),
        ({"first_response": "2bh", "restore": "8bh", "resolution": "4bh"}, "resolution"),
        ({"restore": "3bd", "resolution": "2bd"}, "resolution"),
        ({"first_response": "90m", "restore": "30m"}, "restore"),
        # unlike units, on the office calendar's 8-hour day: 1bd is 8bh
        ({"first_response": "9bh", "restore": "1bd"}, "restore"),
        ({"first_response": "1bd", "restore": "4bh"}, "restore"),
    ],
)
def test_later_target_shorter_than_an_earlier_one_is_refused(alpha, row, field):
    send(alpha.api(), "GET", "/calendars")
    before = snapshot()
    response = _policy(
        alpha, SEED_POLICY_NAME, [{"severity": "critical", **row}], HTTP_ACCEPT_LANGUAGE="en"
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [f"targets.0.{field}"]
    assert "shorter than" in error["fields"][f"targets.0.{field}"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    "row",
    [
        {"first_response": "2bh", "restore": "8bh", "resolution": "3bd"},  # the seed's critical
        {"first_response": "8bh", "restore": "1bd"},  # equal on an 8-hour day
        {"first_response": "4bh", "resolution": "6bd"},
        # calendar minutes run at night too: no business length to compare them with
        {"first_response": "90m", "restore": "1bh"},
    ],
)
def test_targets_in_order_are_accepted(alpha, row):
    send(alpha.api(), "GET", "/calendars")
    response = _policy(alpha, SEED_POLICY_NAME, [{"severity": "critical", **row}])
    assert response.status_code == 201, response.content


def test_patched_targets_out_of_order_are_refused(alpha):
    policy = _policy(alpha, SEED_POLICY_NAME, [{"severity": "major", "first_response": "4bh"}])
    before = snapshot()
    path = f"/sla-policies/{policy.json()['id']}"
    targets = [{"severity": "major", "first_response": "8bh", "restore": "2bh"}]
    response = send(alpha.api(), "PATCH", path, {"targets": targets})
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["targets.0.restore"]
    assert snapshot() == before


@pytest.mark.parametrize("spelling", ["سیاست ۳۱۷۷۱", "سياست 31771", "سیاست\u200c31771 "])
def test_policy_name_spelt_another_way_is_taken(alpha, spelling):
    first = _policy(alpha, "سیاست 31771", [{"severity": "critical", "first_response": "2bh"}])
    assert first.status_code == 201, first.content
    before = snapshot()
    response = _policy(alpha, spelling, [{"severity": "critical", "first_response": "2bh"}])
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["name"]
    # nor may another policy be renamed to it
    other = _policy(alpha, "سیاست دیگر", [{"severity": "major", "first_response": "4bh"}])
    before = snapshot()
    path = f"/sla-policies/{other.json()['id']}"
    response = send(alpha.api(), "PATCH", path, {"name": spelling})
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["name"]
    assert snapshot() == before
    # and renaming a policy to its own name spelt another way is no clash
    path = f"/sla-policies/{first.json()['id']}"
    assert send(alpha.api(), "PATCH", path, {"name": spelling}).status_code == 200


def test_policy_form_refuses_targets_out_of_order(alpha):
    send(alpha.api(), "GET", "/calendars")
    client = alpha.client(alpha.owner)
    form = client.get("/agent/policies/new/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": SEED_POLICY_NAME,
            "at_risk_percent": 80,
            "t_critical_first_response": "8bh",
            "t_critical_restore": "2bh",
        }
    )
    response = client.post("/agent/policies/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not SlaPolicy.objects.filter(name=SEED_POLICY_NAME).exists()


# --- calendar days in the path ---------------------------------------------------------------


@pytest.mark.parametrize(
    "day", ["1405-09-20", "۱۴۰۵-۰۹-۲۰", "2026-12-11", "۲۰۲۶-۱۲-۱۱"], ids=lambda d: d.encode().hex()
)
def test_calendar_day_in_the_path_may_be_jalali_or_in_persian_digits(alpha, day):
    office = _office(alpha)
    response = send(alpha.api(), "PUT", f"/calendars/{office.pk}/days/{day}", {"kind": "closed"})
    assert response.status_code == 200, response.content
    assert response.json()["date"] == "2026-12-11"
    assert [d.isoformat() for d in CalendarDay.objects.values_list("date", flat=True)] == [
        "2026-12-11"
    ]
    deleted = send(alpha.api(), "DELETE", f"/calendars/{office.pk}/days/{day}")
    assert deleted.status_code == 204
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("day", ["1899-12-31", "1278-01-01", "2200-01-01"])
def test_calendar_day_out_of_range_is_told_readably(alpha, day):
    office = _office(alpha)
    path = f"/calendars/{office.pk}/days/{day}"
    english = send(alpha.api(), "PUT", path, {"kind": "closed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 400, "invalid")["fields"] == {
        "date": ["Give a date between the years 1900 and 2199."]
    }
    persian = assert_error(send(alpha.api(), "PUT", path, {"kind": "closed"}), 400, "invalid")
    assert persian["fields"] == {"date": ["تاریخی میان سال‌های ۱۹۰۰ و ۲۱۹۹ میلادی بدهید."]}
    assert not CalendarDay.objects.exists()


# --- actions without a body --------------------------------------------------------------------


def test_restored_with_an_unknown_field_is_refused_and_changes_nothing(alpha):
    before = snapshot()
    path = f"/tickets/{alpha.ticket.number}/restored"
    response = send(alpha.api(), "POST", path, {"x": 1})
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"x": ["چنین فیلدی وجود ندارد."]}
    assert snapshot() == before
    # a body that is not an object, or not JSON, is refused too
    assert_error(send(alpha.api(), "POST", path, [1]), 400, "invalid")
    assert_error(send(alpha.api(), "POST", path, "{not json"), 400, "bad_request")
    assert snapshot() == before
    # while no body, or an empty object, is the action
    assert send(alpha.api(), "POST", path, {}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/tickets/{ticket}/unmerge"),
        ("POST", "/customers/{customer}/email-restored"),
        ("DELETE", "/calendars/{calendar}"),
    ],
)
def test_every_action_without_a_body_refuses_unknown_fields(alpha, method, path):
    send(alpha.api(), "GET", "/calendars")
    url = path.format(
        ticket=alpha.ticket.number, customer=alpha.customer.pk, calendar=_office(alpha).pk
    )
    before = snapshot()
    response = send(alpha.api(), method, url, {"x": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(response, 400, "invalid")["fields"] == {"x": ["Unknown field."]}
    assert snapshot() == before
