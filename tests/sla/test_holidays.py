"""The operator's corrections of Iran's official holidays (`pishkhan holidays`): a lunar holiday
announced a day off its predicted date moves every running clock that counts on holidays."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from pishkhan.sla.models import HolidayOverride, SlaClock
from pishkhan.tickets.models import Severity

TEHRAN = ZoneInfo("Asia/Tehran")
# 1405/11/03, a Saturday; the official calendar predicts the mid-Sha'ban holiday on 1405/11/04.
SATURDAY_9 = datetime(2027, 1, 23, 9, 0, tzinfo=TEHRAN)


def holidays(*args) -> str:
    out = StringIO()
    call_command("holidays", *args, stdout=out)
    return out.getvalue()


def test_announced_lunar_holiday_moves_running_due_times(alpha):
    with time_machine.travel(SATURDAY_9, tick=False):
        ticket = alpha.submit("قطعی سرویس", severity=Severity.CRITICAL)
        resolution = SlaClock.objects.get(ticket=ticket, kind="resolution")
        # 3 business days = 24 h: Saturday 7 h, Sunday (predicted holiday) skipped, Monday and
        # Tuesday 8 h each, Wednesday 1 h.
        assert resolution.due_at == datetime(2027, 1, 27, 9, 0, tzinfo=TEHRAN)

        # The crescent is seen a day early: Saturday is the holiday, Sunday a working day.
        holidays("remove", "۱۴۰۵/۱۱/۰۴")
        holidays("add", "1405/11/03", "--name", "ولادت حضرت قائم (عج)")

        resolution.refresh_from_db()
        # Nothing was worked today after all: Sunday, Monday and Tuesday, 8 h each.
        assert resolution.due_at == datetime(2027, 1, 26, 16, 0, tzinfo=TEHRAN)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == SlaClock.objects.get(ticket=ticket, kind="first_response").due_at


def test_list_shows_official_names_and_corrections(db):
    holidays("remove", "1405/11/04")
    listing = holidays("list", "--year", "1405")
    assert "آغاز نوروز" in listing
    line = next(row for row in listing.splitlines() if "2027-01-24" in row)
    assert "working day" in line
    assert "operator:remove" in line
    holidays("clear", "1405/11/04")
    assert not HolidayOverride.objects.exists()


def test_bad_date_is_refused_in_both_languages_and_changes_nothing(db):
    with pytest.raises(CommandError) as caught:
        holidays("add", "1405/13/01")
    assert "تاریخ نادرست" in str(caught.value)
    assert "bad date" in str(caught.value)
    assert not HolidayOverride.objects.exists()
