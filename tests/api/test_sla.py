"""Service levels through the API (SPEC S): business calendars and their dates, SLA policies,
the policy a department follows, and a ticket's clocks with the restore and not-a-fault actions.

Times are worked by hand on the seed's office calendar [003 4.2.3]: Saturday to Wednesday
08:00-16:00 Tehran time; Azar 1405 (late November 2026) has no holiday."""

from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.sla.models import BillableTime, BusinessCalendar, SlaPolicy
from pishkhan.tickets.models import Status
from pishkhan.tickets.services import ticket_update
from tests.api.helpers import assert_error, send, snapshot, token_for
from tests.conftest import GOOD_FIELDS, SEED_BODY

TEHRAN = ZoneInfo("Asia/Tehran")


def tehran(*args) -> datetime:
    return datetime(*args, tzinfo=TEHRAN)


# Wednesday 1405/09/04 (2026-11-25); Saturday 1405/09/07 (2026-11-28) follows the weekend.
WEDNESDAY_10 = tehran(2026, 11, 25, 10, 0)
WEDNESDAY_15 = tehran(2026, 11, 25, 15, 0)

WORKDAYS = (5, 6, 0, 1, 2)  # Saturday to Wednesday, as date.weekday() numbers them
LUNCH_BREAK_DAY = [["08:00", "12:00"], ["13:00", "16:00"]]
LUNCH_BREAK_WEEK = [LUNCH_BREAK_DAY if day in WORKDAYS else [] for day in range(7)]
# [003 4.2.2] "پاسخ به تماس : 2 ساعت کاری" / "بازیابی سیستم : 8 ساعت کاری"
SEED_POLICY_NAME = "رسیدگی ساعت اداری"


def _calendar(world, name: str = "office") -> BusinessCalendar:
    return BusinessCalendar.objects.get(tenant=world.tenant, name=name)


def _default_policy(world) -> SlaPolicy:
    return SlaPolicy.objects.get(tenant=world.tenant, is_default=True)


def _due(client, calendar_id: int, start: str, target: str, **headers):
    query = urlencode({"from": start, "target": target})
    return send(client, "GET", f"/calendars/{calendar_id}/due?{query}", **headers)


def _new_ticket(world, subject: str, severity: str = "critical") -> dict:
    response = send(
        world.api(),
        "POST",
        "/tickets",
        {
            "department_id": world.department.pk,
            "customer_id": world.customer.pk,
            "subject": subject,
            "body": SEED_BODY,
            "fields": GOOD_FIELDS,
            "severity": severity,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def _sla(client, number: int) -> dict:
    response = send(client, "GET", f"/tickets/{number}/sla")
    assert response.status_code == 200, response.content
    return response.json()


def _clocks(client, number: int) -> dict[str, dict]:
    return {clock["kind"]: clock for clock in _sla(client, number)["clocks"]}


# --- calendars -----------------------------------------------------------------------------


def test_calendar_with_a_lunch_break_answers_its_due_time(alpha):
    client = alpha.api()
    # given the workspace's default calendars
    names = [c["name"] for c in send(client, "GET", "/calendars").json()]
    assert names == ["24x7", "office", "support"]
    # when a calendar with a lunch break is created
    response = send(
        client,
        "POST",
        "/calendars",
        {"name": "lunch", "label": "ساعات اداری با ناهار", "week": LUNCH_BREAK_WEEK},
    )
    assert response.status_code == 201, response.content
    calendar = response.json()
    assert calendar["week"] == LUNCH_BREAK_WEEK
    assert calendar["time_zone"] == "Asia/Tehran"
    assert calendar["day_minutes"] == 480
    # then two business hours from Wednesday 11:00 skip the lunch hour: 11-12 and 13-14
    response = _due(client, calendar["id"], "2026-11-25T11:00:00+03:30", "2bh")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "calendar": "lunch",
        "target": "2bh",
        "start": "2026-11-25T11:00:00+03:30",
        "due_at": "2026-11-25T14:00:00+03:30",
        "display": "۴ آذر ۱۴۰۵، ۱۴:۰۰",
    }
    # and from Wednesday 15:00 they run into Saturday over the weekend [003 4.2.3]
    answer = _due(client, calendar["id"], "2026-11-25T15:00:00+03:30", "2bh").json()
    assert answer["due_at"] == "2026-11-28T09:00:00+03:30"
    # and the same instant given in UTC, with Persian digits, is the same answer
    answer = _due(client, calendar["id"], "۲۰۲۶-۱۱-۲۵T۰۷:۳۰:۰۰Z", "2bh").json()
    assert answer["due_at"] == "2026-11-25T14:00:00+03:30"
    # and a day target is a standard working day of hours: 1bd from Wednesday 11:00 is four
    # hours on Wednesday and four on Saturday, Saturday 12:00 (the lunch hour never counts)
    answer = _due(client, calendar["id"], "2026-11-25T11:00:00+03:30", "1bd").json()
    assert answer["due_at"] == "2026-11-28T12:00:00+03:30"


def test_due_display_follows_the_language_asked_for(alpha):
    calendar = _calendar(alpha)
    response = _due(
        alpha.api(), calendar.pk, "2026-11-25T15:00:00+03:30", "2bh", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["display"] == "28 Nov 2026, 09:00"


def test_due_reads_a_plus_sent_unencoded_as_the_offset(alpha):
    # a "+" typed into a query string arrives as a space
    path = f"/calendars/{_calendar(alpha).pk}/due?from=2026-11-25T15:00:00+03:30&target=90m"
    response = send(alpha.api(), "GET", path)
    assert response.status_code == 200, response.content
    assert response.json()["due_at"] == "2026-11-25T16:30:00+03:30"


@pytest.mark.parametrize(
    ("start", "target", "field"),
    [
        ("فردا صبح", "2bh", "from"),
        ("2026-11-25T11:00:00", "2bh", "from"),  # no UTC offset: which 11:00?
        ("1800-01-01T00:00:00+00:00", "2bh", "from"),
        ("2026-11-25T11:00:00+03:30", "دو ساعت", "target"),
        ("2026-11-25T11:00:00+03:30", "2hours", "target"),
        ("2026-11-25T11:00:00+03:30", "100001bh", "target"),
    ],
)
def test_due_refuses_bad_input_in_both_languages(alpha, start, target, field):
    response = _due(alpha.api(), _calendar(alpha).pk, start, target)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]


def test_holidays_are_the_official_ones_and_the_calendars_own(alpha):
    client = alpha.api()
    office = _calendar(alpha)
    # given Nowruz 1405 (1-4 Farvardin = 21-24 March 2026)
    days = send(client, "GET", f"/calendars/{office.pk}/holidays?from=2026-03-19&to=2026-03-25")
    assert days.status_code == 200, days.content
    dates = [d["date"] for d in days.json()]
    assert {"2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24"} <= set(dates)
    assert days.json()[dates.index("2026-03-21")]["display"] == "۱ فروردین ۱۴۰۵"
    # when the company closes on a Saturday and opens on 4 Farvardin
    for date, kind, note in (
        ("2026-11-28", "closed", "تعطیلی شرکت"),
        ("2026-03-24", "open", "کار در روز تعطیل"),
    ):
        response = send(
            client, "PUT", f"/calendars/{office.pk}/days/{date}", {"kind": kind, "note": note}
        )
        assert response.status_code == 200, response.content
    # then the closed day is a holiday and the opened one is not
    november = send(client, "GET", f"/calendars/{office.pk}/holidays?from=2026-11-22&to=2026-11-30")
    assert [d["date"] for d in november.json()] == ["2026-11-28"]
    nowruz = send(client, "GET", f"/calendars/{office.pk}/holidays?from=2026-03-19&to=2026-03-25")
    assert "2026-03-24" not in [d["date"] for d in nowruz.json()]
    # and the due time steps over the closed day
    answer = _due(client, office.pk, "2026-11-25T15:00:00+03:30", "2bh").json()
    assert answer["due_at"] == "2026-11-29T09:00:00+03:30"
    # and a round-the-clock calendar keeps no holidays at all
    always = _calendar(alpha, "24x7")
    response = send(client, "GET", f"/calendars/{always.pk}/holidays?from=2026-03-19&to=2026-03-25")
    assert response.json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-25&to=2026-03-19", "to"),
        ("from=2026-01-01&to=2027-02-05", "to"),  # 401 days
        ("from=1899-01-01&to=1899-12-29", "from"),  # before the dates the API reasons about
        ("from=1278-01-01&to=1278-12-29", "from"),  # the same in Jalali years
        ("from=2026-02-30&to=2026-03-01", "from"),
        ("from=2026-03-01", "to"),
    ],
)
def test_holiday_range_must_be_real_ordered_and_bounded(alpha, query, field):
    path = f"/calendars/{_calendar(alpha).pk}/holidays?{query}"
    error = assert_error(send(alpha.api(), "GET", path), 400, "invalid")
    assert field in error["fields"], error


def test_holiday_range_of_400_days_is_answered(alpha):
    path = f"/calendars/{_calendar(alpha).pk}/holidays?from=2026-01-01&to=2027-02-04"
    assert send(alpha.api(), "GET", path).status_code == 200


def test_calendar_days_are_listed_and_removed(alpha):
    client = alpha.api()
    office = _calendar(alpha)
    send(client, "PUT", f"/calendars/{office.pk}/days/2026-11-28", {"kind": "closed"})
    # a second PUT on the same date replaces the entry
    response = send(
        client,
        "PUT",
        f"/calendars/{office.pk}/days/2026-11-28",
        {"kind": "closed", "note": "سالگرد تأسیس شرکت"},
    )
    assert response.json() == {
        "date": "2026-11-28",
        "kind": "closed",
        "note": "سالگرد تأسیس شرکت",
        "display": "۷ آذر ۱۴۰۵",
    }
    assert len(send(client, "GET", f"/calendars/{office.pk}/days").json()) == 1
    # when it is deleted, then it is gone, and deleting it again finds nothing
    response = send(client, "DELETE", f"/calendars/{office.pk}/days/2026-11-28")
    assert response.status_code == 204
    assert send(client, "GET", f"/calendars/{office.pk}/days").json() == []
    before = snapshot()
    response = send(client, "DELETE", f"/calendars/{office.pk}/days/2026-11-28")
    assert_error(response, 404, "not_found")
    assert snapshot() == before


def test_calendar_patch_changes_only_the_keys_sent_and_moves_running_clocks(alpha):
    client = alpha.api()
    office = _calendar(alpha)
    with time_machine.travel(WEDNESDAY_15, tick=False):
        ticket = _new_ticket(alpha, "قطعی کامل سرویس")
        assert _clocks(client, ticket["number"])["first_response"]["due_at"] == (
            "2026-11-28T05:30:00Z"  # Saturday 09:00 Tehran
        )
        # when the office also works on Thursday mornings
        week = send(client, "GET", f"/calendars/{office.pk}").json()["week"]
        week[3] = [["08:00", "12:00"]]
        response = send(client, "PATCH", f"/calendars/{office.pk}", {"week": week})
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["week"][3] == [["08:00", "12:00"]]
    assert changed["label"] == office.label
    # then the running clock falls due on Thursday: one hour left after Wednesday 16:00
    assert _clocks(client, ticket["number"])["first_response"]["due_at"] == (
        "2026-11-26T05:30:00Z"  # Thursday 09:00 Tehran
    )


def test_calendar_a_policy_counts_on_cannot_be_deleted(alpha):
    client = alpha.api()
    office = _calendar(alpha)
    before = snapshot()
    error = assert_error(send(client, "DELETE", f"/calendars/{office.pk}"), 400, "invalid")
    assert list(error["fields"]) == ["calendar"]
    assert snapshot() == before
    # but a calendar nothing counts on goes
    support = _calendar(alpha, "support")
    assert send(client, "DELETE", f"/calendars/{support.pk}").status_code == 204
    assert_error(send(client, "GET", f"/calendars/{support.pk}"), 404, "not_found")


BAD_CALENDARS = {
    "a week of six days": ({"week": LUNCH_BREAK_WEEK[:6]}, "week"),
    "an interval that ends before it starts": (
        {"week": [[["16:00", "08:00"]]] + [[]] * 6},
        "week",
    ),
    "overlapping intervals": (
        {"week": [[["08:00", "13:00"], ["12:00", "16:00"]]] + [[]] * 6},
        "week",
    ),
    "a week without working time": ({"week": [[]] * 7}, "week"),
    "a time of day that does not exist": ({"week": [[["08:00", "25:00"]]] + [[]] * 6}, "week"),
    "a name already taken": ({"name": "office"}, "name"),
    "a blank name": ({"name": "  "}, "name"),
    "an unknown time zone": ({"time_zone": "Asia/Esfahan"}, "time_zone"),
    "a working day of no minutes": ({"day_minutes": 0}, "day_minutes"),
    "a misspelt key": ({"time_zon": "Asia/Tehran"}, "time_zon"),
}


@pytest.mark.parametrize("case", list(BAD_CALENDARS), ids=list(BAD_CALENDARS))
def test_bad_calendar_is_refused_and_changes_nothing(alpha, case):
    change, field = BAD_CALENDARS[case]
    body = {"name": "lunch", "week": LUNCH_BREAK_WEEK, **change}
    before = snapshot()
    error = assert_error(send(alpha.api(), "POST", "/calendars", body), 400, "invalid")
    assert any(key == field or key.startswith(field + ".") for key in error["fields"]), error
    assert snapshot() == before
    # and a patch with the same mistake is refused too (the name cannot be patched at all)
    patch = {k: v for k, v in change.items() if k != "name"}
    if patch:
        office = _calendar(alpha)
        response = send(alpha.api(), "PATCH", f"/calendars/{office.pk}", patch)
        assert_error(response, 400, "invalid")
        assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/days/2026-11-31", {"kind": "closed"}, "date"),
        ("/days/2026-11-28", {"kind": "holiday"}, "kind"),
        ("/days/2026-11-28", {"kind": "closed", "note": "ی" * 201}, "note"),
        ("/days/1899-12-31", {"kind": "closed"}, "date"),
        # pydantic alone reads a number as seconds since 1970: 0 is 1970-01-01
        ("/days/0", {"kind": "closed"}, "date"),
        ("/days/1700006400", {"kind": "closed"}, "date"),
    ],
)
def test_bad_calendar_day_is_refused_and_changes_nothing(alpha, path, body, field):
    before = snapshot()
    response = send(alpha.api(), "PUT", f"/calendars/{_calendar(alpha).pk}{path}", body)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    assert snapshot() == before


# --- policies ------------------------------------------------------------------------------


def test_policy_is_created_and_patched_with_its_targets(alpha):
    client = alpha.api()
    office = _calendar(alpha)
    # when a policy is created with the seed's critical row, the urgent ones tighter
    response = send(
        client,
        "POST",
        "/sla-policies",
        {
            "name": SEED_POLICY_NAME,
            "calendar_id": office.pk,
            "targets": [
                {"severity": "other", "first_response": "2bd", "restore": "8bd"},
                {
                    "severity": "critical",
                    "first_response": "۲bh",  # Persian digits, as typed
                    "restore": "8BH",
                    "resolution": "3bd",
                },
                {"severity": "critical", "priority": "urgent", "first_response": "90m"},
            ],
            "at_risk_percent": 75,
            "reassign_to_id": alpha.agent.pk,
        },
    )
    assert response.status_code == 201, response.content
    policy = response.json()
    # then the targets come back normalised, most severe first and "every priority" first
    assert policy["targets"] == [
        {
            "severity": "critical",
            "priority": None,
            "first_response": "2bh",
            "restore": "8bh",
            "resolution": "3bd",
        },
        {
            "severity": "critical",
            "priority": "urgent",
            "first_response": "90m",
            "restore": "",
            "resolution": "",
        },
        {
            "severity": "other",
            "priority": None,
            "first_response": "2bd",
            "restore": "8bd",
            "resolution": "",
        },
    ]
    assert policy["calendar"]["name"] == "office"
    assert policy["is_default"] is False
    assert policy["at_risk_percent"] == 75
    assert policy["reassign_to"]["id"] == alpha.agent.pk
    # when only its targets are patched, then the rest stays
    response = send(
        client,
        "PATCH",
        f"/sla-policies/{policy['id']}",
        {"targets": [{"severity": "major", "first_response": "4bh"}], "reassign_to_id": None},
    )
    assert response.status_code == 200, response.content
    patched = response.json()
    assert [(t["severity"], t["first_response"]) for t in patched["targets"]] == [("major", "4bh")]
    assert patched["reassign_to"] is None
    assert patched["name"] == SEED_POLICY_NAME
    assert patched["at_risk_percent"] == 75
    # and it is listed after the default
    listed = send(client, "GET", "/sla-policies").json()
    assert [p["id"] for p in listed] == [_default_policy(alpha).pk, policy["id"]]
    assert send(client, "GET", f"/sla-policies/{policy['id']}").json() == patched


def test_policy_without_targets_starts_from_the_s2_table(alpha):
    response = send(
        alpha.api(),
        "POST",
        "/sla-policies",
        {"name": SEED_POLICY_NAME, "calendar_id": _calendar(alpha, "support").pk},
    )
    assert response.status_code == 201, response.content
    rows = {t["severity"]: t for t in response.json()["targets"]}
    assert rows["critical"]["first_response"] == "2bh"
    assert rows["major"]["restore"] == "2bd"
    assert rows["bug"]["resolution"] == ""


BAD_POLICIES = {
    "a target without a unit": (
        {"targets": [{"severity": "critical", "first_response": "2"}]},
        "targets.0.first_response",
    ),
    "a target in words": (
        {"targets": [{"severity": "critical", "restore": "دو روز"}]},
        "targets.0.restore",
    ),
    "a target beyond the largest": (
        {"targets": [{"severity": "major", "resolution": "100001bd"}]},
        "targets.0.resolution",
    ),
    "an unknown severity": ({"targets": [{"severity": "urgent"}]}, "targets.0.severity"),
    "an unknown priority": (
        {"targets": [{"severity": "major", "priority": "high"}]},
        "targets.0.priority",
    ),
    "a class listed twice": (
        {"targets": [{"severity": "major"}, {"severity": "major", "first_response": "1bh"}]},
        "targets.1",
    ),
    "a misspelt target key": (
        {"targets": [{"severity": "major", "first_responce": "1bh"}]},
        "targets.0.first_responce",
    ),
    "targets that are not a list": ({"targets": {"severity": "major"}}, "targets"),
    "an at-risk share of 100%": ({"at_risk_percent": 100}, "at_risk_percent"),
    "a blank name": ({"name": " "}, "name"),
}


@pytest.mark.parametrize("case", list(BAD_POLICIES), ids=list(BAD_POLICIES))
def test_bad_policy_is_refused_and_changes_nothing(alpha, case):
    change, field = BAD_POLICIES[case]
    client = alpha.api()
    before = snapshot()
    body = {"name": SEED_POLICY_NAME, "calendar_id": _calendar(alpha).pk, **change}
    error = assert_error(send(client, "POST", "/sla-policies", body), 400, "invalid")
    assert field in error["fields"], error
    assert error["fields"][field][0]
    # and on a patch of the default policy
    response = send(client, "PATCH", f"/sla-policies/{_default_policy(alpha).pk}", change)
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert snapshot() == before


def test_policy_name_is_unique_and_references_must_exist(alpha):
    client = alpha.api()
    before = snapshot()
    taken = {"name": _default_policy(alpha).name, "calendar_id": _calendar(alpha).pk}
    error = assert_error(send(client, "POST", "/sla-policies", taken), 400, "invalid")
    assert list(error["fields"]) == ["name"]
    missing = {"name": SEED_POLICY_NAME, "calendar_id": 10**9}
    error = assert_error(send(client, "POST", "/sla-policies", missing), 404, "not_found")
    assert list(error["fields"]) == ["calendar_id"]
    # a read-only member is staff but may not take over breached tickets
    viewer = {**missing, "calendar_id": _calendar(alpha).pk, "reassign_to_id": alpha.viewer.pk}
    error = assert_error(send(client, "POST", "/sla-policies", viewer), 400, "invalid")
    assert list(error["fields"]) == ["reassign_to_id"]
    assert snapshot() == before


def test_default_policy_stays_until_another_takes_its_place(alpha):
    client = alpha.api()
    default = _default_policy(alpha)
    before = snapshot()
    assert_error(send(client, "DELETE", f"/sla-policies/{default.pk}"), 400, "invalid")
    response = send(client, "PATCH", f"/sla-policies/{default.pk}", {"is_default": False})
    assert_error(response, 400, "invalid")
    assert snapshot() == before
    # when another policy is made the default, then the first one may go
    other = send(
        client,
        "POST",
        "/sla-policies",
        {"name": SEED_POLICY_NAME, "calendar_id": default.calendar_id},
    ).json()
    response = send(client, "PATCH", f"/sla-policies/{other['id']}", {"is_default": True})
    assert response.json()["is_default"] is True
    assert send(client, "DELETE", f"/sla-policies/{default.pk}").status_code == 204
    assert [p["id"] for p in send(client, "GET", "/sla-policies").json()] == [other["id"]]


def test_policy_list_costs_the_same_queries_for_2_and_6_policies(alpha):
    client = alpha.api()
    send(client, "GET", "/sla-policies")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert send(client, "GET", "/sla-policies").status_code == 200
        return len(queries)

    calendar = _calendar(alpha)
    for n in range(5):
        body = {"name": f"سیاست {n}", "calendar_id": calendar.pk, "reassign_to_id": alpha.agent.pk}
        assert send(client, "POST", "/sla-policies", body).status_code == 201
        if n == 0:
            few = count()
    assert count() == few


# --- departments ---------------------------------------------------------------------------


def test_department_policy_changes_a_new_tickets_targets(alpha):
    client = alpha.api()
    # given a tighter policy on the round-the-clock calendar
    policy = send(
        client,
        "POST",
        "/sla-policies",
        {
            "name": "طلایی شبانه‌روزی",
            "calendar_id": _calendar(alpha, "24x7").pk,
            "targets": [{"severity": "critical", "first_response": "1bh", "restore": "4bh"}],
        },
    ).json()
    # when the department follows it
    path = f"/departments/{alpha.department.pk}/sla-policy"
    response = send(client, "PUT", path, {"policy_id": policy["id"]})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "department_id": alpha.department.pk,
        "policy": {"id": policy["id"], "name": "طلایی شبانه‌روزی"},
        "follows_default": False,
    }
    # then a critical ticket filed on Wednesday evening is due an hour later, that evening
    with time_machine.travel(tehran(2026, 11, 25, 20, 0), tick=False):
        ticket = _new_ticket(alpha, "قطعی کامل سرویس")
    clocks = _clocks(client, ticket["number"])
    assert set(clocks) == {"first_response", "restore"}
    assert clocks["first_response"]["target"] == "1bh"
    assert clocks["first_response"]["due_at"] == "2026-11-25T17:30:00Z"  # 21:00 Tehran
    assert ticket["sla_due_at"] == "2026-11-25T17:30:00Z"
    # when it goes back to the default, then new tickets get the S-2 table on office hours
    response = send(client, "PUT", path, {"policy_id": None})
    assert response.json()["follows_default"] is True
    assert response.json()["policy"]["id"] == _default_policy(alpha).pk
    with time_machine.travel(tehran(2026, 11, 25, 20, 0), tick=False):
        ticket = _new_ticket(alpha, "قطعی دوباره")
    clocks = _clocks(client, ticket["number"])
    assert clocks["first_response"]["target"] == "2bh"
    assert clocks["first_response"]["due_at"] == "2026-11-28T06:30:00Z"  # Saturday 10:00


def test_department_policy_refuses_a_missing_policy_and_changes_nothing(alpha):
    before = snapshot()
    path = f"/departments/{alpha.department.pk}/sla-policy"
    error = assert_error(send(alpha.api(), "PUT", path, {"policy_id": 10**9}), 404, "not_found")
    assert list(error["fields"]) == ["policy_id"]
    error = assert_error(send(alpha.api(), "PUT", path, {}), 400, "invalid")
    assert list(error["fields"]) == ["policy_id"]
    assert snapshot() == before


# --- a ticket's clocks ---------------------------------------------------------------------


def test_ticket_sla_view_after_submit(alpha):
    client = alpha.api()
    # given a critical fault filed on Wednesday at 15:00 [003 4.2.2]
    with time_machine.travel(WEDNESDAY_15, tick=False):
        ticket = _new_ticket(alpha, "قطعی کامل سرویس")
        sla = _sla(client, ticket["number"])
    # then its three clocks run on office hours, the nearest due on Saturday at 09:00
    assert [c["kind"] for c in sla["clocks"]] == ["first_response", "restore", "resolution"]
    first = sla["clocks"][0]
    assert first == {
        "kind": "first_response",
        "target": "2bh",
        "status": "running",
        "state": "on_track",
        "due_at": "2026-11-28T05:30:00Z",
        "due_at_display": "۷ آذر ۱۴۰۵، ۰۹:۰۰",
        "left_seconds": 7200,
        "used_percent": 0,
        "started_at": "2026-11-25T11:30:00Z",
        "stopped_at": None,
        "stop_reason": "",
        "breached_at": None,
    }
    assert [c["target"] for c in sla["clocks"]] == ["2bh", "8bh", "3bd"]
    assert sla["sla_due_at"] == "2026-11-28T05:30:00Z"
    assert sla["sla_due_at_display"] == "۷ آذر ۱۴۰۵، ۰۹:۰۰"
    assert sla["restored_at"] is None
    assert sla["not_fault_at"] is None
    assert sla["billable"] == []
    # and the ticket itself carries its nearest due time
    detail = send(client, "GET", f"/tickets/{ticket['number']}").json()
    assert detail["sla_due_at"] == "2026-11-28T05:30:00Z"
    # when Saturday 08:45 comes, 105 of its 120 minutes are used: past the 80% mark
    with time_machine.travel(tehran(2026, 11, 28, 8, 45), tick=False):
        first = _clocks(client, ticket["number"])["first_response"]
    assert first["left_seconds"] == 15 * 60
    assert first["used_percent"] == 88
    assert first["state"] == "at_risk"


def test_marking_restored_meets_the_restore_target_once(alpha):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        ticket = _new_ticket(alpha, "قطعی کامل سرویس")
    path = f"/tickets/{ticket['number']}/restored"
    # when the agent puts a workaround in place three hours later
    agent = alpha.api(token_for(alpha, alpha.agent))
    with time_machine.travel(tehran(2026, 11, 25, 13, 0), tick=False):
        response = send(agent, "POST", path)
    assert response.status_code == 200, response.content
    sla = response.json()
    assert sla["restored_at"] == "2026-11-25T09:30:00Z"
    clocks = {c["kind"]: c for c in sla["clocks"]}
    # then the restore clock is met and stopped, and the others run on
    assert clocks["restore"]["status"] == "met"
    assert clocks["restore"]["state"] == "met"
    assert clocks["restore"]["stop_reason"] == "restored"
    assert clocks["restore"]["stopped_at"] == "2026-11-25T09:30:00Z"
    assert clocks["restore"]["left_seconds"] is None
    assert clocks["resolution"]["status"] == "running"
    # when it is marked again, then that is a conflict and nothing changes
    before = snapshot()
    with time_machine.travel(tehran(2026, 11, 25, 14, 0), tick=False):
        error = assert_error(send(agent, "POST", path), 409, "already_restored")
    assert error["message_en"] == "This ticket is already marked restored."
    assert snapshot() == before


def test_not_a_fault_lapses_the_clocks_and_bills_the_time_spent(alpha):
    client = alpha.api()
    with time_machine.travel(WEDNESDAY_10, tick=False):
        ticket = _new_ticket(alpha, "خطای پرداخت", severity="major")
    path = f"/tickets/{ticket['number']}/not-a-fault"
    # when, at 11:30, the fault proves to be the customer's own [003 4.2.4]
    note = "مشکل از تنظیمات سرور مشتری بود، نه از نرم‌افزار"
    with time_machine.travel(tehran(2026, 11, 25, 11, 30), tick=False):
        response = send(client, "POST", path, {"note": note})
    assert response.status_code == 200, response.content
    sla = response.json()
    # then every clock lapses and the business time used (90 minutes) is billable
    assert {c["status"] for c in sla["clocks"]} == {"lapsed"}
    assert {c["state"] for c in sla["clocks"]} == {"lapsed"}
    assert sla["not_fault_at"] == "2026-11-25T08:00:00Z"
    assert sla["sla_due_at"] is None
    [entry] = sla["billable"]
    assert entry["minutes"] == 90
    assert entry["note"] == note
    assert entry["created_by"]["id"] == alpha.owner.pk
    assert entry["created_at_display"] == "۴ آذر ۱۴۰۵، ۱۱:۳۰"
    # when it is marked again, then that is a conflict and nothing changes
    before = snapshot()
    error = assert_error(send(client, "POST", path, {"minutes": 30}), 409, "already_not_fault")
    assert error["message_fa"]
    assert snapshot() == before
    assert BillableTime.objects.filter(ticket__number=ticket["number"]).count() == 1


def test_not_a_fault_takes_the_agents_own_count_of_minutes(alpha):
    ticket = _new_ticket(alpha, "خطای پرداخت")
    response = send(
        alpha.api(), "POST", f"/tickets/{ticket['number']}/not-a-fault", {"minutes": 45}
    )
    assert [e["minutes"] for e in response.json()["billable"]] == [45]


def test_not_a_fault_may_be_sent_without_a_body(alpha):
    with time_machine.travel(WEDNESDAY_10, tick=False):
        ticket = _new_ticket(alpha, "خطای پرداخت")
    path = f"/api/v1/tickets/{ticket['number']}/not-a-fault"
    with time_machine.travel(tehran(2026, 11, 25, 10, 20), tick=False):
        response = alpha.api().post(path, data=b"", content_type="application/json")
    assert response.status_code == 200, response.content
    assert [e["minutes"] for e in response.json()["billable"]] == [20]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -5}, "minutes"),
        ({"minutes": 100_001}, "minutes"),
        ({"minutes": "چهل"}, "minutes"),
        ({"note": "ی" * 501}, "note"),
        ({"minute": 5}, "minute"),
    ],
)
def test_not_a_fault_refuses_bad_input_and_changes_nothing(alpha, body, field):
    before = snapshot()
    response = send(alpha.api(), "POST", f"/tickets/{alpha.ticket.number}/not-a-fault", body)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    assert snapshot() == before


@pytest.mark.parametrize("action", ["restored", "not-a-fault"])
def test_closed_ticket_cannot_be_marked(alpha, action):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, status=Status.CLOSED)
    before = snapshot()
    body = {} if action == "not-a-fault" else None
    response = send(alpha.api(), "POST", f"/tickets/{alpha.ticket.number}/{action}", body)
    assert_error(response, 409, "ticket_closed")
    assert snapshot() == before


def test_missing_ticket_has_no_sla(alpha):
    for method, suffix in (("GET", "sla"), ("POST", "restored"), ("POST", "not-a-fault")):
        body = {} if suffix == "not-a-fault" else None
        response = send(alpha.api(), method, f"/tickets/{2**63}/{suffix}", body)
        assert_error(response, 404, "not_found")


# --- who may do what -----------------------------------------------------------------------


def _writes(world) -> list[tuple[str, str, dict | None]]:
    office = _calendar(world)
    policy = _default_policy(world)
    number = world.ticket.number
    return [
        ("POST", "/calendars", {"name": "lunch", "week": LUNCH_BREAK_WEEK}),
        ("PATCH", f"/calendars/{office.pk}", {"label": "دفتر"}),
        ("DELETE", f"/calendars/{_calendar(world, 'support').pk}", None),
        ("PUT", f"/calendars/{office.pk}/days/2026-11-28", {"kind": "closed"}),
        ("POST", "/sla-policies", {"name": SEED_POLICY_NAME, "calendar_id": office.pk}),
        ("PATCH", f"/sla-policies/{policy.pk}", {"at_risk_percent": 50}),
        ("PUT", f"/departments/{world.department.pk}/sla-policy", {"policy_id": policy.pk}),
        ("POST", f"/tickets/{number}/restored", None),
        ("POST", f"/tickets/{number}/not-a-fault", {"minutes": 10}),
    ]


def test_read_only_token_reads_but_cannot_write(alpha):
    viewer = alpha.api(token_for(alpha, alpha.viewer))
    office = _calendar(alpha)
    # reads are for every member
    for path in (
        "/calendars",
        f"/calendars/{office.pk}",
        f"/calendars/{office.pk}/days",
        f"/calendars/{office.pk}/holidays?from=2026-03-01&to=2026-03-31",
        f"/calendars/{office.pk}/due?from={quote('2026-11-25T15:00:00+03:30')}&target=2bh",
        "/sla-policies",
        f"/sla-policies/{_default_policy(alpha).pk}",
        f"/tickets/{alpha.ticket.number}/sla",
    ):
        assert send(viewer, "GET", path).status_code == 200, path
    # and every write is refused without a change
    before = snapshot()
    for method, path, body in _writes(alpha):
        assert_error(send(viewer, method, path, body), 403, "forbidden")
    assert snapshot() == before


def test_agent_marks_tickets_but_only_admins_change_calendars_and_policies(alpha):
    agent = alpha.api(token_for(alpha, alpha.agent))
    before = snapshot()
    writes = _writes(alpha)
    for method, path, body in writes[:-2]:
        assert_error(send(agent, method, path, body), 403, "forbidden")
    assert snapshot() == before
    for method, path, body in writes[-2:]:
        assert send(agent, method, path, body).status_code == 200, path
