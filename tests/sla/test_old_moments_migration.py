"""Upgrading to the deadline sweep (sla 0004): moments that passed more than a day before
the upgrade and were never told are marked told without telling, so the first sweep does not
mail and escalate months-old tickets at once; recent ones are left for the sweep to tell."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pishkhan.core import clock
from pishkhan.sla.models import SlaClock

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_upgrade_marks_only_long_past_moments_told(alpha):
    now = clock.now()
    long_ago = alpha.submit("قطعی کامل سرویس میزبانی")
    recent = alpha.submit("قطعی سرویس ایمیل")
    SlaClock.objects.filter(ticket=long_ago).update(
        due_at=now - timedelta(days=30), at_risk_at=now - timedelta(days=31)
    )
    SlaClock.objects.filter(ticket=recent).update(
        due_at=now - timedelta(hours=2), at_risk_at=now - timedelta(hours=3)
    )

    executor = MigrationExecutor(connection)
    executor.migrate([("sla", "0003_clocks_untold_moments")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("sla", "0004_old_moments_told")])

    for old in SlaClock.objects.filter(ticket=long_ago):
        assert old.breach_notified_at == old.due_at == old.breached_at
        assert old.at_risk_notified_at is not None  # a breach says the risk too, as the check does
    for new in SlaClock.objects.filter(ticket=recent):
        assert new.breach_notified_at is None and new.at_risk_notified_at is None
