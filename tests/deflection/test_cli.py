"""`pishkhan deflection_report`: the report from the command line."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.deflection.test_report import known_visits

pytestmark = pytest.mark.django_db


def test_command_prints_the_report_as_json(alpha, kb):
    known_visits(alpha, kb)
    out = io.StringIO()
    call_command(
        "deflection_report",
        "--tenant",
        "alpha",
        "--from",
        "1405/09/01",
        "--to",
        "2026-12-06",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["from"], report["to"]) == ("2026-11-22", "2026-12-06")
    assert (report["visits"], report["submitted"], report["deflected"]) == (5, 2, 2)
    assert report["articles"][0]["title"] == kb.modules.title
    assert report["empty_searches"][0]["query"] == "ماژول"


def test_command_refuses_an_unknown_tenant_or_a_bad_day(alpha):
    with pytest.raises(CommandError, match="no tenant"):
        call_command("deflection_report", "--tenant", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="bad period"):
        call_command(
            "deflection_report", "--tenant", "alpha", "--from", "1405/13/01", stdout=io.StringIO()
        )


def test_demo_figures_fill_the_report_once(alpha, kb):
    from pishkhan.deflection.demo import seed_deflection
    from pishkhan.deflection.models import Visit

    seed_deflection(tenant=alpha.tenant, customer=alpha.customer)
    seed_deflection(tenant=alpha.tenant, customer=alpha.customer)
    out = io.StringIO()
    call_command("deflection_report", "--tenant", "alpha", stdout=out)
    report = json.loads(out.getvalue())
    assert Visit.objects.count() == 4
    assert (report["visits"], report["deflected"], report["submitted"]) == (4, 3, 1)
    # the two spellings of one search are one row
    assert [row["count"] for row in report["empty_searches"]][0] == 2
