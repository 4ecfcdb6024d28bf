"""The deflection report in the agent workspace (page and CSV) and in the API."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.deflection import services
from tests.api.helpers import assert_error
from tests.deflection.test_report import IN_PERIOD, _key, _visit, known_visits

pytestmark = pytest.mark.django_db

URL = "/agent/reports/deflection/"
PERIOD = {"from": "1405/09/01", "to": "1405/09/15"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _empty_searches(world):
    import time_machine

    with time_machine.travel(IN_PERIOD, tick=False):
        for query in ("گواهي اس اس ال", "گواهی اس اس ال"):
            services.search_record(
                tenant=world.tenant, source="help_centre", query=query, results=0
            )


def test_report_page_shows_totals_articles_and_empty_searches(alpha, kb):
    # given the known visits and one search typed in two spellings
    known_visits(alpha, kb)
    _empty_searches(alpha)
    # when a supervisor opens the report for the period
    response = alpha.client(alpha.agent).get(URL, PERIOD)
    # then the totals, in Persian digits
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="total-visits">۵<', html)
    assert re.search(r'id="total-submitted">۲<', html)
    assert re.search(r'id="total-deflected">۲', html)
    # and the article that deflected most first: shown 3, opened 2, deflected 2
    row = re.search(rf'<tr id="article-{kb.modules.pk}">(.*?)</tr>', html, re.S).group(1)
    assert kb.modules.title in row
    assert re.findall(r'class="num">([^<]+)<', row) == ["۳", "۲", "۲"]
    assert html.index(f'id="article-{kb.modules.pk}"') < html.index(f'id="article-{kb.hours.pk}"')
    # and the search that found nothing, once for both spellings, before visit 5's request
    searches = re.search(r'id="search-rows">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", searches, re.S)[1:]
    assert len(rows) == 2
    assert "اس اس ال" in rows[0] and re.search(r'class="num">۲<', rows[0])
    assert "مرکز راهنما" in rows[0] and "فرم درخواست جدید" in rows[1]


def test_read_only_member_may_view_the_report(alpha):
    assert alpha.client(alpha.viewer).get(URL).status_code == 200


def test_customers_and_strangers_cannot_see_the_report(alpha):
    assert alpha.client(alpha.customer_user).get(URL).status_code == 404
    assert alpha.client().get(URL).status_code == 302


def test_bad_period_is_shown_next_to_its_field(alpha):
    response = alpha.client(alpha.agent).get(URL, {"from": "1405/13/40"})
    assert response.status_code == 400
    assert 'id="report-from-error"' in response.content.decode()
    response = alpha.client(alpha.agent).get(URL, {"from": "1405/09/10", "to": "1405/09/01"})
    assert response.status_code == 400 and 'id="report-to-error"' in response.content.decode()


def test_csv_of_articles_and_of_empty_searches(alpha, kb):
    known_visits(alpha, kb)
    _empty_searches(alpha)
    client = alpha.client(alpha.agent)
    response = client.get(URL, {**PERIOD, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["شناسه مقاله", "مقاله", "دفعات پیشنهاد", "دفعات باز شدن", rows[0][4]]
    assert rows[1] == [str(kb.modules.pk), kb.modules.title, "3", "2", "2"]
    response = client.get(URL, {**PERIOD, "format": "searches_csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["2", "1"]


def test_report_page_reads_the_same_queries_for_many_visits(alpha, kb):
    # given the known visits, then many more over the same articles
    known_visits(alpha, kb)
    client = alpha.client(alpha.agent)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, PERIOD)
    import time_machine

    with time_machine.travel(IN_PERIOD, tick=False):
        for n in range(10, 40):
            _visit(alpha, _key(n), shown=[kb.modules.pk, kb.hours.pk], opened=[kb.hours.pk])
            services.search_record(
                tenant=alpha.tenant, source="portal", query=f"چیزی {n}", results=0
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, PERIOD)
    assert "۳۵" in text_of(response)
    assert len(many) <= len(few) + 2  # the search table appears: its count and its page


def test_nav_links_to_the_report(alpha):
    page = alpha.client(alpha.agent).get("/agent/")
    assert f'href="{URL}"' in page.content.decode()


# --- API ---------------------------------------------------------------------------------------


def test_api_report_gives_the_figures_and_the_empty_searches(alpha, kb):
    known_visits(alpha, kb)
    _empty_searches(alpha)
    report = alpha.api().get("/api/v1/reports/deflection?from=2026-11-22&to=2026-12-06").json()
    assert (report["visits"], report["submitted"], report["deflected"]) == (5, 2, 2)
    assert report["articles"][0] == {
        "article_id": kb.modules.pk,
        "title": kb.modules.title,
        "shown": 3,
        "opened": 2,
        "deflected": 2,
    }
    searches = report["empty_searches"]
    assert searches["count"] == 2  # the one typed twice, and visit 5's request
    assert searches["items"][0]["count"] == 2
    assert searches["items"][0]["source"] == "help_centre"


def test_api_report_bad_period_is_refused_in_both_languages(alpha):
    response = alpha.api().get("/api/v1/reports/deflection?from=yesterday")
    error = assert_error(response, 400, "invalid")
    assert "from" in error["fields"]


def test_api_suggests_public_articles_with_their_help_centre_address(alpha, kb):
    found = alpha.api().get("/api/v1/deflection/suggestions", {"q": "راه اندازی مجدد ماژول"}).json()
    assert found[0]["id"] == kb.modules.pk
    assert found[0]["url"].startswith("http://alpha.localhost/")
    ids = {item["id"] for item in found}
    assert kb.internal.pk not in ids and kb.draft.pk not in ids


def test_api_suggestions_for_nothing_typed_are_empty(alpha, kb):
    assert alpha.api().get("/api/v1/deflection/suggestions?q=%20").json() == []


def test_api_needs_a_token(alpha):
    from django.test import Client

    response = Client(HTTP_HOST=alpha.host).get("/api/v1/deflection/suggestions?q=x")
    assert_error(response, 401, "unauthorized")
