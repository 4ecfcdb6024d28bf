"""The SLA report page of the agent workspace: the week of tests/sla/test_reports.py as a
supervisor reads it in the browser, and its CSV."""

import csv
import io
import re
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from tests.sla.test_reports import READ_AT, build_week, world_before_the_week

URL = reverse("web:sla_report")
WEEK = {"from": "1405/09/05", "to": "1405/09/07"}


@pytest.fixture
def alpha(db):
    return world_before_the_week("alpha", "alice")


@pytest.fixture
def beta(db):
    return world_before_the_week("beta", "bob")


def get(client, params=None, **headers):
    with time_machine.travel(READ_AT, tick=False):
        return client.get(URL, params or {}, **headers)


def text_of(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def cells(response, row_id: str) -> list[str]:
    html = response.content.decode()
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, row_id
    found = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in found]


def row_text(response, row_id: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, row_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_page_shows_the_week_with_persian_digits(alpha):
    # given the week's tickets
    build_week(alpha)
    # when the supervisor opens the report for 1405/09/05 to 1405/09/07 (Persian UI)
    response = get(alpha.client(alpha.owner), {"from": "۱۴۰۵/۰۹/۰۵", "to": "1405/09/07"})
    assert response.status_code == 200
    page = text_of(response)
    # then the period is read back in Jalali
    assert "۵ آذر ۱۴۰۵" in page
    assert "۷ آذر ۱۴۰۵" in page
    assert 'value="۱۴۰۵/۰۹/۰۵"' in response.content.decode()
    # and the department's first response row: 3 met, 2 missed, 0 open, 1 lapsed, 60 %
    targets = response.content.decode().split('id="sla-targets"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", targets, re.S)
    first_response = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[1], re.S)]
    assert first_response[1:] == ["۳", "۲", "۰", "۱", "۶۰٪"]
    # S-4: in office hours 4 tickets, 2 answered, on average in 1 h 45 min: not met
    office = cells(response, "office-hours-office")
    assert office[1:3] == ["۴", "۲"]
    assert re.findall(r"[۰-۹]+", office[3]) == ["۱", "۴۵"]
    assert office[5:8] == ["۱", "۲", "۲"]
    # outside office hours: 2 tickets, both answered, on average in 17 h 45 min
    outside = cells(response, "office-hours-outside")
    assert outside[1:3] == ["۲", "۲"]
    assert re.findall(r"[۰-۹]+", outside[3]) == ["۱۷", "۴۵"]


def test_whole_hours_read_as_hours_and_less_than_an_hour_as_minutes(alpha):
    # given the week's tickets: office hours aim at 1 hour, the rest at 3 hours
    build_week(alpha)
    client = alpha.client(alpha.owner)
    # when the report is read, grouped by agent
    response = get(client, {**WEEK, "group_by": "agent"})
    # then a whole hour reads «۱ ساعت», with no «و ۰ دقیقه» after it
    assert cells(response, "office-hours-office")[0] == "۱ ساعت"
    assert cells(response, "office-hours-outside")[0] == "۳ ساعت"
    assert "و ۰ دقیقه" not in text_of(response)
    # and half an hour reads in minutes alone
    first = response.content.decode().split('id="first-response"')[1].split("</table>")[0]
    alice = re.search(r"<th scope=\"row\">alice</th>(.*?)</tr>", first, re.S).group(1)
    found = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", alice, re.S)]
    assert found[2:5] == ["۳۰ دقیقه", "۱ ساعت و ۱۰ دقیقه", "۱ ساعت"]


def test_persian_page_writes_the_percent_sign_in_persian(alpha):
    build_week(alpha)
    response = get(alpha.client(alpha.owner), WEEK)
    targets = response.content.decode().split('id="sla-targets"')[1].split("</table>")[0]
    head = re.sub(r"<[^>]+>", " ", targets.split("</thead>")[0])
    assert "رعایت‌شده (٪)" in head
    assert "%" not in text_of(response)


def test_page_in_english_reads_iso_dates_and_names_both_measures(alpha):
    build_week(alpha)
    client = alpha.client(alpha.agent)
    client.post("/language/", {"language": "en", "next": URL})
    response = get(client, {"from": "2026-11-26", "to": "2026-11-28", "group_by": "agent"})
    assert response.status_code == 200
    page = text_of(response)
    assert "26 Nov 2026" in page and "28 Nov 2026" in page
    assert "Business time" in page and "Wall clock" in page
    assert "Unassigned" in page
    office = row_text(response, "office-hours-office")
    assert office.startswith("In office hours 1 h 4 2 1 h 45 min 1 h 45 min 1 2 2")
    assert office.endswith("Not met")
    outside = row_text(response, "office-hours-outside")
    assert outside.startswith("Outside office hours and on holidays 3 h 2 2 17 h 45 min")
    first = response.content.decode().split('id="first-response"')[1].split("</table>")[0]
    alice = re.search(r"<th scope=\"row\">alice</th>(.*?)</tr>", first, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", alice, re.S)]
    # answered, unanswered, business median and average, wall median and average
    assert cells == ["3", "1", "30 min", "1 h 10 min", "1 h", "1 h 30 min"]


def test_read_only_member_may_view_the_report(alpha):
    build_week(alpha)
    response = get(alpha.client(alpha.viewer), WEEK)
    assert response.status_code == 200
    assert b'id="sla-targets"' in response.content


def test_default_period_is_the_current_jalali_month(alpha):
    build_week(alpha)
    response = get(alpha.client(alpha.owner))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="۱۴۰۵/۰۹/۰۱"' in html
    assert 'value="۱۴۰۵/۰۹/۳۰"' in html
    assert b'id="sla-targets"' in response.content


def test_csv_link_keeps_the_filters_and_serves_a_bom_and_persian_header(alpha):
    build_week(alpha)
    client = alpha.client(alpha.owner)
    params = {**WEEK, "group_by": "priority"}
    page = get(client, params).content.decode()
    link = re.search(r'id="csv-link" href="\?([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "format=csv" in link and "group_by=priority" in link
    assert "from=" + quote("1405/09/05", safe="") in link
    with time_machine.travel(READ_AT, tick=False):
        response = client.get(f"{URL}?{link}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "اولویت"  # "Priority"
    # urgent, important and normal, then all tickets: three targets each
    assert len(rows) == 1 + 4 * 3
    assert [row[2] for row in rows[1::3]] == ["2", "1", "3", "6"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "1405/13/01", "to": "1405/09/07"}, "from"),
        ({"from": "1405/09/07", "to": "1405/09/05"}, "to"),
        ({"from": "1404/01/01", "to": "1405/09/07"}, "to"),
        ({"from": "1405/09/01", "to": "<script>"}, "to"),
    ],
)
def test_bad_period_is_shown_next_to_its_field(alpha, params, field):
    response = get(alpha.client(alpha.owner), {**params, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'id="report-{field}-error"' in html
    assert "<script>" not in html.split("<main")[1]
    assert 'id="sla-targets"' not in html


def test_unknown_filters_are_ignored(alpha):
    build_week(alpha)
    response = get(
        alpha.client(alpha.owner),
        {**WEEK, "department": "x", "agent": "9" * 30, "priority": "high", "group_by": "team"},
    )
    assert response.status_code == 200
    assert b'id="sla-targets"' in response.content


def test_customers_and_strangers_cannot_see_reports(alpha):
    assert get(alpha.client(alpha.customer_user), WEEK).status_code == 404
    response = get(alpha.client(), WEEK)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_other_tenants_report_never_includes_these_tickets(alpha, beta):
    # given alpha's week
    build_week(alpha)
    # when beta's owner reads the same week, even naming alpha's department and agent
    client = beta.client(beta.owner)
    for extra in ({}, {"department": alpha.department.pk}, {"agent": alpha.agent.pk}):
        response = get(client, {**WEEK, **extra})
        assert response.status_code == 200
        # then nothing of alpha's shows
        assert b'id="sla-targets"' not in response.content
        assert b"alice" not in response.content
        # target, tickets, answered: none
        assert cells(response, "office-hours-office")[1:3] == ["۰", "۰"]
    with time_machine.travel(READ_AT, tick=False):
        response = client.get(URL, {**WEEK, "format": "csv", "group_by": "agent"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["0", "0", "0"]
    # and alice's session is no one on beta's host
    intruder = alpha.client(alpha.owner)
    intruder.defaults["HTTP_HOST"] = beta.host
    assert get(intruder, WEEK).status_code in (302, 404)


def test_nav_links_to_the_report(alpha):
    with time_machine.travel(READ_AT, tick=False):
        page = alpha.client(alpha.agent).get(reverse("web:queue")).content.decode()
    assert f'href="{URL}"' in page
