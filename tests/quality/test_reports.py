"""Quality reports from a known set: CSAT (share of 4-5), average and answer rate per agent,
department and period; review scores and disputes per agent. Page (Jalali), CSV and API."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pishkhan.accounts.services import staff_user_create
from pishkhan.core import clock
from pishkhan.quality.reports import csat_report, review_report
from pishkhan.quality.services import review_create, review_dispute, survey_answer, survey_request
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from pishkhan.tickets.services import department_create
from tests.api.helpers import send, token_for
from tests.conftest import GOOD_FIELDS, PASSWORD
from tests.quality.conftest import marks_for, resolve


def _today(world):
    return clock.now().astimezone(ZoneInfo(world.tenant.time_zone)).date()


class Known:
    """alice (technical): 5, 4, 2 and one unanswered; reza (sales): 1 changed to 3, and 5.
    Plus one of alice's surveys sent 60 days ago, and beta's, neither of which counts."""

    def __init__(self, alpha, beta):
        self.reza = staff_user_create(
            email="reza@alpha.example", password=PASSWORD, full_name="رضا"
        )
        membership_grant(tenant=alpha.tenant, user=self.reza, role=Role.AGENT)
        self.sales = department_create(tenant=alpha.tenant, actor=alpha.owner, name="فروش")
        plan = [
            (alpha.agent, alpha.department, [5]),
            (alpha.agent, alpha.department, [4]),
            (alpha.agent, alpha.department, [2]),
            (alpha.agent, alpha.department, []),
            (self.reza, self.sales, [1, 3]),
            (self.reza, self.sales, [5, 5]),
        ]
        for n, (agent, department, answers) in enumerate(plan):
            ticket = resolve(
                alpha,
                alpha.submit(
                    f"درخواست {n}",
                    department=department,
                    fields={} if department == self.sales else GOOD_FIELDS,
                ),
                assignee=agent,
            )
            survey = survey_request(
                tenant=alpha.tenant, subject_kind="ticket", subject_id=ticket.number
            )
            for score in answers:
                survey_answer(tenant=alpha.tenant, token=survey.token, score=score)
        old = resolve(alpha)
        stale = survey_request(
            tenant=alpha.tenant,
            subject_kind="ticket",
            subject_id=old.number,
            now=clock.now() - timedelta(days=60),
        )
        survey_answer(
            tenant=alpha.tenant,
            token=stale.token,
            score=1,
            now=stale.created_at + timedelta(days=1),
        )
        beta_survey = survey_request(
            tenant=beta.tenant, subject_kind="ticket", subject_id=resolve(beta).number
        )
        survey_answer(tenant=beta.tenant, token=beta_survey.token, score=1)
        self.start, self.end = _today(alpha) - timedelta(days=1), _today(alpha) + timedelta(days=1)


@pytest.fixture
def known(alpha, beta):
    return Known(alpha, beta)


def _figures(row):
    return (row.sent, row.answered, row.satisfied, row.csat_percent, row.average, row.answer_rate)


def test_csat_per_agent_from_a_known_set(alpha, known):
    report = csat_report(tenant=alpha.tenant, start=known.start, end=known.end, group_by="agent")
    rows = {row.key: row for row in report.rows}
    assert _figures(rows[alpha.agent.pk]) == (
        4,
        3,
        2,
        Decimal("66.7"),
        Decimal("3.67"),
        Decimal("75.0"),
    )
    assert _figures(rows[known.reza.pk]) == (
        2,
        2,
        1,
        Decimal("50.0"),
        Decimal("4.00"),
        Decimal("100.0"),
    )
    assert _figures(report.total) == (6, 5, 3, Decimal("60.0"), Decimal("3.80"), Decimal("83.3"))
    assert report.total.counts == {1: 0, 2: 1, 3: 1, 4: 1, 5: 2}


def test_csat_per_department_and_filtered(alpha, known):
    report = csat_report(
        tenant=alpha.tenant, start=known.start, end=known.end, group_by="department"
    )
    assert {row.label: row.sent for row in report.rows} == {"پشتیبانی فنی": 4, "فروش": 2}
    only_sales = csat_report(
        tenant=alpha.tenant,
        start=known.start,
        end=known.end,
        group_by="none",
        department_id=known.sales.pk,
    )
    assert _figures(only_sales.total)[:3] == (2, 2, 1)


def test_csat_period_counts_the_surveys_sent_in_it(alpha, known):
    earlier = csat_report(
        tenant=alpha.tenant,
        start=_today(alpha) - timedelta(days=61),
        end=_today(alpha) - timedelta(days=59),
        group_by="none",
    )
    assert _figures(earlier.total)[:3] == (1, 1, 0)


def test_csat_page_csv_and_api_agree(alpha, known):
    client = alpha.client(alpha.owner)
    query = f"from={known.start}&to={known.end}&group_by=agent"
    page = client.get(f"/agent/quality/reports/csat/?{query}")
    assert page.status_code == 200
    text = page.content.decode()
    # Jalali dates and Persian digits on the page
    # and numbers with a fraction after the Persian decimal separator, never a point
    assert "۶۰٫۰٪" in text  # CSAT of all
    assert "۳٫۸۰" in text  # the average answer
    assert not re.search(r"[۰-۹]\.[۰-۹]", text)
    assert "۱۴۰۵" in text
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/agent/quality/reports/csat/?{query}&format=csv").content.decode()
            )
        )
    )
    assert rows[-1][1:] == ["6", "5", "83.3", "3", "60.0", "3.80"]
    body = send(alpha.api(), "GET", f"/quality/reports/csat?{query}").json()
    assert Decimal(str(body["total"]["csat_percent"])) == Decimal("60.0")
    assert body["total"]["answered"] == 5
    csv_api = alpha.api().get(f"/api/v1/quality/reports/csat.csv?{query}")
    assert csv_api.status_code == 200 and csv_api.content.decode().splitlines()[-1].endswith("3.80")


def test_an_agent_cannot_read_another_agents_satisfaction(alpha, known):
    # given alice (an agent) and reza, each with surveys in the period
    period = f"from={known.start}&to={known.end}"
    client = alpha.client(alpha.agent)
    api = alpha.api(token_for(alpha, alpha.agent))
    for query in (f"{period}&agent={known.reza.pk}", f"{period}&group_by=department", period):
        # when alice asks for reza's line, or for every department, page, CSV or API
        page = client.get(f"/agent/quality/reports/csat/?{query}")
        sheet = client.get(f"/agent/quality/reports/csat/?{query}&format=csv").content.decode()
        body = send(api, "GET", f"/quality/reports/csat?{query}").json()
        api_sheet = api.get(f"/api/v1/quality/reports/csat.csv?{query}").content.decode()
        # then she reads her own four surveys, never reza's two
        assert page.status_code == 200
        assert _figures(page.context["report"].total)[:2] == (4, 3), query
        assert known.reza.pk not in {row.key for row in page.context["report"].rows}, query
        assert '<th scope="row">رضا</th>' not in page.content.decode(), query
        for lines in (sheet.splitlines(), api_sheet.splitlines()):
            assert not [line for line in lines if line.startswith("رضا,")], query
        assert (body["total"]["sent"], body["total"]["answered"]) == (4, 3), query
        assert known.reza.pk not in {row["key"] for row in body["rows"]}, query
    # and the page offers her no other agent to choose
    assert (
        f'value="{known.reza.pk}"'
        not in client.get("/agent/quality/reports/csat/").content.decode()
    )


def test_an_agent_reads_only_the_survey_answers_of_their_own_work(alpha, known, supervisor):
    from pishkhan.quality.models import Survey

    hers = Survey.objects.filter(tenant=alpha.tenant, agent=alpha.agent).count()
    assert hers and Survey.objects.filter(tenant=alpha.tenant, agent=known.reza).exists()
    api = alpha.api(token_for(alpha, alpha.agent))
    for query in ("page_size=100", f"page_size=100&agent={known.reza.pk}"):
        # when alice lists the surveys, or asks for reza's
        body = send(api, "GET", f"/quality/surveys?{query}")
        # then she gets her own, never reza's
        agents = {item["agent"]["id"] for item in body.json()["items"]}
        assert (body.json()["count"], agents) == (hers, {alpha.agent.pk}), query
    # and a supervisor reads reza's as before
    body = send(
        alpha.api(token_for(alpha, supervisor)), "GET", f"/quality/surveys?agent={known.reza.pk}"
    )
    assert {item["agent"]["id"] for item in body.json()["items"]} == {known.reza.pk}


def test_supervisors_and_owners_still_read_every_agents_satisfaction(alpha, known, supervisor):
    query = f"from={known.start}&to={known.end}&agent={known.reza.pk}"
    for user in (supervisor, alpha.owner):
        page = alpha.client(user).get(f"/agent/quality/reports/csat/?{query}")
        assert _figures(page.context["report"].total)[:2] == (2, 2)
        body = send(alpha.api(token_for(alpha, user)), "GET", f"/quality/reports/csat?{query}")
        assert body.json()["total"]["sent"] == 2


def test_a_bad_period_is_refused_in_both_languages(alpha):
    response = alpha.client(alpha.owner).get("/agent/quality/reports/csat/?from=1405/13/40")
    assert response.status_code == 400
    assert "۱۴۰۵/۰۹/۰۱" in response.content.decode()
    api = send(alpha.api(), "GET", "/quality/reports/csat?from=2026-01-10&to=2026-01-01")
    assert api.status_code == 400
    error = api.json()["error"]
    assert error["fields"]["to"] == ["تاریخ پایان باید پس از تاریخ شروع باشد."]


def test_review_report_per_agent(alpha, supervisor, scorecard):
    reviews = []
    for n, values in enumerate([(1, 5, 2), (1, 4, 1), (0, 3, 0)]):
        ticket = resolve(alpha, alpha.submit(f"گفتگو {n}"))
        reviews.append(
            review_create(
                tenant=alpha.tenant,
                actor=supervisor,
                scorecard=scorecard,
                subject_kind="ticket",
                subject_id=ticket.number,
                marks=marks_for(scorecard, *values),
            )
        )
    review_dispute(tenant=alpha.tenant, actor=alpha.agent, review=reviews[2], reason="ناعادلانه")
    today = _today(alpha)
    (row,) = review_report(tenant=alpha.tenant, start=today, end=today)
    # 100.00, 70.83 and (0 + 1.5 + 0)/6 = 25.00: average 65.28 (195.83 / 3 = 65.2766…)
    assert [r.score for r in reviews] == [Decimal("100.00"), Decimal("70.83"), Decimal("25.00")]
    assert (row.agent_id, row.reviews, row.average, row.disputes, row.revised) == (
        alpha.agent.pk,
        3,
        Decimal("65.28"),
        1,
        0,
    )
    body = send(alpha.api(), "GET", f"/quality/reports/reviews?from={today}&to={today}").json()
    assert body["rows"][0]["reviews"] == 3 and body["rows"][0]["disputes"] == 1
    page = alpha.client(alpha.agent).get(f"/agent/quality/reports/reviews/?from={today}&to={today}")
    assert "۶۵٫۲۸٪" in page.content.decode()


def test_cli_prints_the_csat_report_as_csv(alpha, known):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "quality_report",
        "--tenant=alpha",
        f"--from={known.start}",
        f"--to={known.end}",
        "--language=en",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][0] == "Agent"
    assert rows[-1] == ["All", "6", "5", "83.3", "3", "60.0", "3.80"]
