"""The deflection report: visits, submissions, deflected requests per article, and the
searches that found nothing — from a known set of visits."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from pishkhan.deflection import selectors, services
from pishkhan.deflection.models import SearchLog
from tests.conftest import SEED_SUBJECT

pytestmark = pytest.mark.django_db

# 1405/09/10 at noon in Tehran; the period is the Jalali month's first half.
IN_PERIOD = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
BEFORE = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
START, END = date(2026, 11, 22), date(2026, 12, 6)


def _visit(world, key, *, shown=(), opened=(), submit=False):
    services.visit_show(
        tenant=world.tenant, customer=world.customer, key=key, query="ماژول", article_ids=shown
    )
    for pk in opened:
        services.visit_open(tenant=world.tenant, customer=world.customer, key=key, article_id=pk)
    if submit:
        services.visit_submit(
            tenant=world.tenant, customer=world.customer, key=key, ticket=world.submit(SEED_SUBJECT)
        )


def _key(n: int) -> str:
    return f"report-visit-key-{n:04d}"


def known_visits(world, kb):
    """Five visits in the period and one before it."""
    m, h, e = kb.modules.pk, kb.hours.pk, kb.modules_en.pk
    with time_machine.travel(IN_PERIOD, tick=False):
        _visit(world, _key(1), shown=[m, h], opened=[m])  # read, left: deflected by m
        _visit(world, _key(2), shown=[m, e], opened=[m, e])  # read two, left: both deflect
        _visit(world, _key(3), shown=[m, h], opened=[h], submit=True)  # read, still submitted
        _visit(world, _key(4), shown=[h])  # saw, did not open, left: not deflected
        _visit(world, _key(5), submit=True)  # nothing to suggest, submitted
    with time_machine.travel(BEFORE, tick=False):
        _visit(world, _key(6), shown=[m], opened=[m])


def test_report_counts_visits_submissions_and_deflected_requests(alpha, kb):
    # given the known visits
    known_visits(alpha, kb)
    # when the report covers the period
    report = selectors.deflection_report(tenant=alpha.tenant, start=START, end=END)
    # then the totals
    assert (report.visits, report.submitted, report.deflected) == (5, 2, 2)
    assert (report.with_suggestions, report.with_opened) == (4, 3)
    assert report.deflected_percent == 67
    # and per article: shown, opened, deflected, the most deflecting first
    rows = {r.article_id: (r.shown, r.opened, r.deflected) for r in report.articles}
    assert rows == {
        kb.modules.pk: (3, 2, 2),
        kb.modules_en.pk: (1, 1, 1),
        kb.hours.pk: (3, 1, 0),
    }
    assert report.articles[0].article_id == kb.modules.pk
    assert report.articles[0].title == kb.modules.title


def test_report_of_another_tenant_sees_none_of_these_visits(alpha, beta, kb):
    known_visits(alpha, kb)
    report = selectors.deflection_report(tenant=beta.tenant, start=START, end=END)
    assert (report.visits, report.articles) == (0, [])


def test_searches_that_found_nothing_are_grouped_by_spelling(alpha, beta):
    # given the same words typed with Arabic and Persian letters, a search that found
    # something, and beta's empty search
    with time_machine.travel(IN_PERIOD, tick=False):
        for query, source in (
            ("گواهي SSL", "help_centre"),
            ("گواهی ssl", "agent"),
            ("گواهی  SSL", "help_centre"),
            ("ریست سرور", "portal"),
            ("ماژول", "help_centre"),
        ):
            services.search_record(
                tenant=alpha.tenant,
                source=source,
                query=query,
                results=3 if query == "ماژول" else 0,
            )
        services.search_record(tenant=beta.tenant, source="help_centre", query="بتا", results=0)
    # when the report lists them
    rows = list(selectors.empty_search_list(tenant=alpha.tenant, start=START, end=END))
    # then one row per search, most frequent first, with its count and where it came from
    assert [(r["count"], r["sources"]) for r in rows] == [(3, 2), (1, 1)]
    assert rows[0]["normalized"] == SearchLog.objects.filter(query="گواهی ssl").get().normalized
    assert rows[1]["query"] == "ریست سرور" and rows[1]["source"] == "portal"
    assert rows[0]["last_at"] == IN_PERIOD


def test_report_reads_a_fixed_number_of_queries(alpha, kb, django_assert_max_num_queries):
    # given many visits over many articles
    known_visits(alpha, kb)
    with time_machine.travel(IN_PERIOD, tick=False):
        for n in range(10, 40):
            _visit(alpha, _key(n), shown=[kb.modules.pk, kb.hours.pk], opened=[kb.hours.pk])
            services.search_record(
                tenant=alpha.tenant, source="help_centre", query=f"چیزی {n}", results=0
            )
    # then the report and a page of empty searches still take a handful of queries
    with django_assert_max_num_queries(3):
        report = selectors.deflection_report(tenant=alpha.tenant, start=START, end=END)
        rows = list(selectors.empty_search_list(tenant=alpha.tenant, start=START, end=END)[:50])
    # (the 31st: the request of visit 5, submitted although nothing matched)
    assert report.visits == 35 and len(rows) == 31
