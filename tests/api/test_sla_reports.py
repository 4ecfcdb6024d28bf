"""GET /reports/sla and /reports/sla.csv: the week of tests/sla/test_reports.py as an
integration reads it."""

import csv
import io
from urllib.parse import quote

import pytest
import time_machine

from tests.api.helpers import API, assert_error, token_for
from tests.sla.test_reports import READ_AT, build_week, world_before_the_week

WEEK = "from=2026-11-26&to=2026-11-28"


@pytest.fixture
def alpha(db):
    return world_before_the_week("alpha", "alice")


@pytest.fixture
def beta(db):
    return world_before_the_week("beta", "bob")


def get(client, path, **headers):
    with time_machine.travel(READ_AT, tick=False):
        return client.get(API + path, **headers)


def test_report_in_json_counts_the_week(alpha):
    # given the week's tickets
    build_week(alpha)
    # when an integration asks for the week, grouped by agent
    response = get(alpha.api(), f"/reports/sla?{WEEK}&group_by=agent")
    # then it reads what the supervisor reads
    assert response.status_code == 200
    data = response.json()
    assert (data["from_date"], data["to_date"]) == ("2026-11-26", "2026-11-28")
    assert data["from_display"] == "۵ آذر ۱۴۰۵"
    assert [g["key"] for g in data["groups"]] == [alpha.agent.pk, alpha.owner.pk, None]
    assert data["groups"][-1]["label"] == "بدون مسئول"
    total = data["total"]
    assert total["tickets"] == 6
    first = {c["kind"]: c for c in total["clocks"]}["first_response"]
    assert (first["met"], first["missed"], first["open"], first["lapsed"]) == (3, 2, 0, 1)
    assert first["met_percent"] == 60
    assert total["first_response_business"] == {
        "count": 4,
        "median_seconds": 1800,
        "average_seconds": 3600,
    }
    assert total["first_response_wall"]["median_seconds"] == 7200
    office, outside = data["office_hours"]
    assert office == {
        "key": "office",
        "label": "در ساعات اداری",
        "target_minutes": 60,
        "tickets": 4,
        "answered": 2,
        "unanswered": 2,
        "unanswered_past_target": 2,
        "within_target": 1,
        "average_seconds": 6300,
        "median_seconds": 6300,
        "met": False,
    }
    assert (outside["target_minutes"], outside["average_seconds"]) == (180, 63900)


def test_jalali_dates_in_persian_digits_and_filters_are_accepted(alpha):
    build_week(alpha)
    query = f"from={quote('۱۴۰۵/۰۹/۰۵')}&to={quote('1405/09/07')}&priority=normal"
    data = get(alpha.api(), f"/reports/sla?{query}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (data["from_date"], data["to_date"]) == ("2026-11-26", "2026-11-28")
    assert data["filters"] == {"department": None, "agent": None, "priority": "normal"}
    assert data["total"]["tickets"] == 3
    assert data["groups"][0]["label"] == "Technical"
    outside = data["office_hours"][1]
    assert (outside["label"], outside["met"]) == ("Outside office hours and on holidays", True)


def test_read_only_member_may_read_reports(alpha):
    build_week(alpha)
    response = get(alpha.api(token_for(alpha, alpha.viewer)), f"/reports/sla?{WEEK}")
    assert response.status_code == 200
    assert response.json()["total"]["tickets"] == 6


def test_csv_is_utf8_with_a_bom_and_a_persian_header(alpha):
    build_week(alpha)
    response = get(alpha.api(), f"/reports/sla.csv?{WEEK}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sla-report-2026-11-26-2026-11-28.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "واحد"  # "Department"
    # the department's three targets, then all tickets' three
    assert [row[0] for row in rows[1:]] == ["پشتیبانی فنی"] * 3 + [rows[4][0]] * 3
    assert rows[1][2:8] == ["6", "3", "2", "0", "1", "60"]


def test_csv_header_follows_the_language(alpha):
    build_week(alpha)
    response = get(alpha.api(), f"/reports/sla.csv?{WEEK}&group_by=none", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Group", "Target", "Tickets"]
    assert [row[0] for row in rows[1:]] == ["All tickets"] * 3


@pytest.mark.parametrize("path", ["/reports/sla", "/reports/sla.csv"])
@pytest.mark.parametrize(
    ("query", "field", "english"),
    [
        ("from=2026-02-30&to=2026-03-01", "from", "Give the date as YYYY-MM-DD"),
        ("from=1405/09/01&to=soon", "to", "Give the date as YYYY-MM-DD"),
        ("from=2026-11-28&to=2026-11-26", "to", "must not be before"),
        ("from=2026-01-01&to=2027-01-02", "to", "at most 366 days"),
    ],
)
def test_bad_period_is_refused_in_both_languages(alpha, path, query, field, english):
    error = assert_error(get(alpha.api(), f"{path}?{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]
    assert error["message"] == error["message_fa"]
    assert not error["fields"][field][0].isascii()
    error = assert_error(
        get(alpha.api(), f"{path}?{query}", HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid"
    )
    assert english in error["fields"][field][0]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group_by=team", "group_by"),
        ("priority=high", "priority"),
        ("department=0", "department"),
        ("agent=x", "agent"),
        ("from=" + "1" * 41, "from"),
    ],
)
def test_bad_filters_are_refused(alpha, query, field):
    error = assert_error(get(alpha.api(), f"/reports/sla?{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]


def test_other_tenants_report_never_includes_these_tickets(alpha, beta):
    # given alpha's week, and beta with only its fixture ticket of Aban
    build_week(alpha)
    # when beta asks for the same week, even naming alpha's department and agent
    for query in ("", f"&department={alpha.department.pk}", f"&agent={alpha.agent.pk}"):
        data = get(beta.api(), f"/reports/sla?{WEEK}{query}").json()
        # then none of alpha's tickets is counted
        assert data["total"]["tickets"] == 0
        assert data["groups"] == []
        assert [row["tickets"] for row in data["office_hours"]] == [0, 0]
    rows = list(
        csv.reader(
            io.StringIO(
                get(beta.api(), f"/reports/sla.csv?{WEEK}&group_by=agent").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [row[2] for row in rows[1:]] == ["0", "0", "0"]
    # and alpha's token is no token on beta's host
    assert_error(get(beta.api(alpha.token), f"/reports/sla?{WEEK}"), 401, "unauthorized")
