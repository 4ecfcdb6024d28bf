"""The calendars' engines the agent queue works out time left on are kept in each process
under the tenant's stamp (process_cache): a page reads no calendar while nothing changed, and a
change to a calendar or its days counts from the next page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.core.businesstime import business_time_between
from pishkhan.sla.models import BusinessCalendar
from pishkhan.sla.selectors import kept_engine
from pishkhan.sla.services import calendar_day_set, sla_defaults_ensure

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kept_per_process")]

TEHRAN = ZoneInfo("Asia/Tehran")
SUNDAY_8 = datetime(2026, 11, 29, 8, 0, tzinfo=TEHRAN)  # 1405/09/08, a working day


def _working_hours(engine) -> float:
    return business_time_between(SUNDAY_8, SUNDAY_8 + timedelta(hours=12), engine) / timedelta(
        hours=1
    )


def test_a_kept_engine_reads_nothing_and_a_day_off_counts_from_the_next_page(alpha, beta):
    sla_defaults_ensure(tenant=alpha.tenant)
    sla_defaults_ensure(tenant=beta.tenant)
    office = BusinessCalendar.objects.get(tenant=alpha.tenant, name="office")
    beta_office = BusinessCalendar.objects.get(tenant=beta.tenant, name="office")

    assert _working_hours(kept_engine(tenant=alpha.tenant, calendar_id=office.pk)) == 8
    with CaptureQueriesContext(connection) as again:
        engine = kept_engine(tenant=alpha.tenant, calendar_id=office.pk)
    assert len(again) == 0
    assert _working_hours(engine) == 8
    assert _working_hours(kept_engine(tenant=beta.tenant, calendar_id=beta_office.pk)) == 8

    # when alpha's admin closes that Sunday
    calendar_day_set(
        tenant=alpha.tenant,
        actor=alpha.owner,
        calendar=office,
        day=date(2026, 11, 29),
        kind="closed",
    )

    # then alpha's next reading counts no working time that day; beta's calendar is its own
    assert _working_hours(kept_engine(tenant=alpha.tenant, calendar_id=office.pk)) == 0
    assert _working_hours(kept_engine(tenant=beta.tenant, calendar_id=beta_office.pk)) == 8


def test_an_operators_holiday_counts_for_every_tenants_kept_engine(alpha, beta):
    from pishkhan.sla.services import holiday_override_set

    sla_defaults_ensure(tenant=alpha.tenant)
    sla_defaults_ensure(tenant=beta.tenant)
    offices = [
        (world.tenant, BusinessCalendar.objects.get(tenant=world.tenant, name="office").pk)
        for world in (alpha, beta)
    ]
    for tenant, calendar_id in offices:
        assert _working_hours(kept_engine(tenant=tenant, calendar_id=calendar_id)) == 8

    # when the operator declares that Sunday an official holiday (`pishkhan holidays add`)
    holiday_override_set(day=date(2026, 11, 29), action="add", name="تعطیل رسمی")

    # then both tenants' next readings count no working time that day
    for tenant, calendar_id in offices:
        assert _working_hours(kept_engine(tenant=tenant, calendar_id=calendar_id)) == 0
