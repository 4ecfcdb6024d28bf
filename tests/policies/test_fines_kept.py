"""The suspension rule (T-12) with what each process keeps between requests (process_cache):
whether a tenant has an unpaid fine at all is kept, and yet a fine charged, paid or waived
counts from the very next submission. These tests commit, as production does."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.core import clock
from pishkhan.policies.models import Violation
from pishkhan.policies.services import fine_charge, fine_mark_paid, fine_waive
from pishkhan.tickets.intake import PolicyRefusal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("kept_per_process"),
]


def _fine(world, due_days: int = 1):
    # an English request is refused (T-7) and the violation it leaves is charged
    with pytest.raises(PolicyRefusal):
        world.submit("Website down", body="My website has been down since this morning.")
    (violation,) = Violation.objects.for_tenant(world.tenant)
    return fine_charge(
        tenant=world.tenant, violation=violation, actor=world.owner, due_days=due_days
    )


def fine_reads(world, subject: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        world.submit(subject)
    return sum("policies_fine" in q["sql"] for q in captured.captured_queries)


def test_without_unpaid_fines_a_submission_does_not_look_for_one(alpha):
    alpha.submit("درخواست اول")  # the tenant's fines are now known: none
    assert fine_reads(alpha, "درخواست دوم") == 0


@pytest.mark.parametrize("settle", [fine_mark_paid, fine_waive])
def test_a_fine_charged_then_settled_counts_from_the_next_submission(alpha, settle):
    alpha.submit("درخواست اول")  # kept: no unpaid fine
    fine = _fine(alpha, due_days=1)
    with time_machine.travel(clock.now() + timedelta(days=2)):
        with pytest.raises(PolicyRefusal) as refused:
            alpha.submit("درخواست تازه")
        assert refused.value.code == "fine_overdue"
        settle(tenant=alpha.tenant, fine=fine, actor=alpha.owner, note="تسویه شد")
        assert alpha.submit("درخواست پس از تسویه").pk
        # and with nothing unpaid again, nothing is looked for
        assert fine_reads(alpha, "درخواست بعدی") == 0


def test_one_tenants_fine_does_not_suspend_another(alpha, beta):
    beta.submit("درخواست اول")
    _fine(alpha, due_days=1)
    with time_machine.travel(clock.now() + timedelta(days=2)):
        with pytest.raises(PolicyRefusal):
            alpha.submit("درخواست تازه")
        assert beta.submit("درخواست تازه").pk
