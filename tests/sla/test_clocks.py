"""SLA clocks on tickets, worked by hand from the seed's rules [003 4.2.2-4.2.4]: the office
calendar works Saturday to Wednesday 08:00-16:00 Tehran time (Azar 1405 has no holiday)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from pishkhan.sla.models import BillableTime, ClockStatus, SlaClock
from pishkhan.sla.selectors import State, clock_list_for_ticket
from pishkhan.sla.services import department_policy_set, policy_create
from pishkhan.tickets.models import Priority, Severity, Status
from pishkhan.tickets.services import (
    ticket_mark_not_a_fault,
    ticket_mark_restored,
    ticket_reply,
    ticket_update,
)

TEHRAN = ZoneInfo("Asia/Tehran")


def tehran(*args) -> datetime:
    return datetime(*args, tzinfo=TEHRAN)


# 1405/09/04 is Wednesday 2026-11-25; 1405/09/05-06 Thursday and Friday; 1405/09/07 Saturday.
WEDNESDAY_15 = tehran(2026, 11, 25, 15, 0)
THURSDAY_10 = tehran(2026, 11, 26, 10, 0)
SATURDAY_8 = tehran(2026, 11, 28, 8, 0)


def clocks(ticket) -> dict[str, SlaClock]:
    return {c.kind: c for c in SlaClock.objects.filter(ticket=ticket)}


def test_critical_fault_filed_wednesday_afternoon_is_due_saturday_morning(alpha):
    # 2 business hours: one hour left on Wednesday (15:00-16:00), the weekend, then Saturday
    # 08:00-09:00 [003 4.2.2].
    with time_machine.travel(WEDNESDAY_15, tick=False):
        ticket = alpha.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)
    found = clocks(ticket)
    assert set(found) == {"first_response", "restore", "resolution"}
    assert found["first_response"].due_at == tehran(2026, 11, 28, 9, 0)
    # 8bh restore: 1h Wednesday + 7h Saturday = Saturday 15:00.
    assert found["restore"].due_at == tehran(2026, 11, 28, 15, 0)
    # 3bd = 24 business hours: 1 + 8 (Sat) + 8 (Sun) + 7 (Mon until 15:00).
    assert found["resolution"].due_at == tehran(2026, 11, 30, 15, 0)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == tehran(2026, 11, 28, 9, 0)


def test_request_filed_on_the_weekend_starts_counting_on_saturday(alpha):
    # S-3 [003 4.2.3]: outside business hours the clock starts at the next business day.
    with time_machine.travel(THURSDAY_10, tick=False):
        ticket = alpha.submit("خطای پرداخت", severity=Severity.MAJOR)
    first = clocks(ticket)["first_response"]
    assert first.started_at == SATURDAY_8
    assert first.due_at == tehran(2026, 11, 28, 12, 0)  # 4 business hours


def test_first_staff_reply_meets_the_first_response_target(alpha):
    with time_machine.travel(WEDNESDAY_15, tick=False):
        ticket = alpha.submit("قطعی", severity=Severity.CRITICAL)
    with time_machine.travel(tehran(2026, 11, 28, 8, 30), tick=False):
        ticket_reply(
            tenant=alpha.tenant,
            ticket=ticket,
            actor=alpha.agent,
            body="در حال بررسی هستیم",
            status=Status.OPEN,
        )
    first = clocks(ticket)["first_response"]
    assert first.status == ClockStatus.MET
    assert first.stop_reason == "replied"


def test_late_first_reply_is_missed(alpha):
    with time_machine.travel(WEDNESDAY_15, tick=False):
        ticket = alpha.submit("قطعی", severity=Severity.CRITICAL)
    with time_machine.travel(tehran(2026, 11, 28, 9, 30), tick=False):
        ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="پاسخ")
    assert clocks(ticket)["first_response"].status == ClockStatus.MISSED


def test_waiting_on_the_customer_pauses_the_clocks_and_their_reply_resumes_them(alpha):
    with time_machine.travel(tehran(2026, 11, 28, 9, 0), tick=False):  # Saturday 09:00
        ticket = alpha.submit("کندی سایت", severity=Severity.MAJOR)
    # restore: 2bd = 16 business hours: Saturday 09:00 + 7h
    # (to 16:00) + 8h (Sunday) + 1h = Monday 09:00.
    assert clocks(ticket)["restore"].due_at == tehran(2026, 11, 30, 9, 0)
    # The agent asks a question at Saturday 11:00 (2 business hours used); the ticket waits.
    with time_machine.travel(tehran(2026, 11, 28, 11, 0), tick=False):
        ticket_reply(
            tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="لطفا آدرس سایت را بفرستید"
        )
    restore = clocks(ticket)["restore"]
    assert restore.status == ClockStatus.PAUSED
    assert restore.due_at is None
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert ticket.sla_due_at is None
    # The customer answers on Monday 10:00: 14 business hours were left, so Monday 10:00 + 6h
    # (to 16:00) + 8h Tuesday = Tuesday 16:00.
    with time_machine.travel(tehran(2026, 11, 30, 10, 0), tick=False):
        ticket_reply(
            tenant=alpha.tenant, ticket=ticket, actor=alpha.customer_user, body="آدرس: example.ir"
        )
    restore = clocks(ticket)["restore"]
    assert restore.status == ClockStatus.RUNNING
    assert restore.due_at == tehran(2026, 12, 1, 16, 0)
    views = {v.kind: v for v in clock_list_for_ticket(tenant=alpha.tenant, ticket_id=ticket.pk)}
    assert views["first_response"].state == State.MET


def test_marking_restored_meets_the_restore_target_and_leaves_resolution_running(alpha):
    with time_machine.travel(tehran(2026, 11, 28, 9, 0), tick=False):
        ticket = alpha.submit("قطعی", severity=Severity.CRITICAL)
    with time_machine.travel(tehran(2026, 11, 28, 12, 0), tick=False):
        ticket_mark_restored(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent)
    found = clocks(ticket)
    assert found["restore"].status == ClockStatus.MET
    assert found["resolution"].status == ClockStatus.RUNNING
    with pytest.raises(ValidationError):
        ticket_mark_restored(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent)


def test_not_a_software_fault_lapses_the_sla_and_logs_billable_time(alpha):
    # S-5 [003 4.2.4]: filed Saturday 09:00, found not to be a software fault at 11:30.
    with time_machine.travel(tehran(2026, 11, 28, 9, 0), tick=False):
        ticket = alpha.submit("خطای نرم افزار", severity=Severity.BUG)
    with time_machine.travel(tehran(2026, 11, 28, 11, 30), tick=False):
        ticket_mark_not_a_fault(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent)
    assert {c.status for c in clocks(ticket).values()} == {ClockStatus.LAPSED}
    entry = BillableTime.objects.get(ticket=ticket)
    assert entry.minutes == 150
    assert entry.created_by == alpha.agent
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_agent_can_give_the_billable_minutes_and_bad_minutes_change_nothing(alpha):
    ticket = alpha.submit("مشکل ایمیل", severity=Severity.BUG)
    with pytest.raises(ValidationError) as caught:
        ticket_mark_not_a_fault(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, minutes=0)
    assert "minutes" in caught.value.message_dict
    assert not BillableTime.objects.filter(ticket=ticket).exists()
    ticket_mark_not_a_fault(
        tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, minutes=45, note="تنظیمات مرورگر"
    )
    assert BillableTime.objects.get(ticket=ticket).minutes == 45


def test_raising_the_severity_counts_the_time_used_against_the_tighter_target(alpha):
    with time_machine.travel(tehran(2026, 11, 28, 9, 0), tick=False):
        ticket = alpha.submit("درخواست", severity=Severity.OTHER)
    assert clocks(ticket)["first_response"].target == "2bd"
    with time_machine.travel(tehran(2026, 11, 28, 10, 0), tick=False):
        ticket_update(
            tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, severity=Severity.CRITICAL
        )
    first = clocks(ticket)["first_response"]
    assert first.target == "2bh"
    # One business hour used (09:00-10:00) of two: due at 11:00.
    assert first.due_at == tehran(2026, 11, 28, 11, 0)
    # The critical class promises a resolution; the clock starts from the ticket's start.
    assert clocks(ticket)["resolution"].target == "3bd"


def test_resolving_stops_the_clocks_and_the_customer_reopening_resumes_them(alpha):
    with time_machine.travel(tehran(2026, 11, 28, 9, 0), tick=False):
        ticket = alpha.submit("قطعی", severity=Severity.CRITICAL)
    with time_machine.travel(tehran(2026, 11, 28, 10, 0), tick=False):
        ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status=Status.RESOLVED)
    assert {c.status for c in clocks(ticket).values()} == {ClockStatus.MET}
    with time_machine.travel(tehran(2026, 11, 29, 9, 0), tick=False):
        ticket_reply(
            tenant=alpha.tenant, ticket=ticket, actor=alpha.customer_user, body="هنوز مشکل دارد"
        )
    found = clocks(ticket)
    assert found["resolution"].status == ClockStatus.RUNNING
    assert found["first_response"].status == ClockStatus.MET


def test_closing_stops_every_clock(alpha):
    ticket = alpha.submit("درخواست", severity=Severity.MAJOR)
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status=Status.CLOSED)
    assert all(c.status in (ClockStatus.MET, ClockStatus.MISSED) for c in clocks(ticket).values())
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_department_policy_with_minute_targets_counts_round_the_clock(alpha):
    # S-4 [002 r17]: a first response within 180 minutes, nights and holidays included.
    from pishkhan.sla.selectors import calendar_get_by_name

    policy = policy_create(
        tenant=alpha.tenant,
        actor=alpha.owner,
        name="سرور شبانه‌روزی",
        calendar=calendar_get_by_name(tenant=alpha.tenant, name="24x7"),
        targets=[{"severity": s, "first_response": "180m"} for s in Severity.values],
    )
    department_policy_set(
        tenant=alpha.tenant, actor=alpha.owner, department=alpha.department, policy=policy
    )
    with time_machine.travel(tehran(2026, 11, 27, 23, 0), tick=False):  # Friday night
        ticket = alpha.submit("سرور از دسترس خارج شده", priority=Priority.URGENT)
    assert clocks(ticket)["first_response"].due_at == tehran(2026, 11, 28, 2, 0)
    assert set(clocks(ticket)) == {"first_response"}


def test_answer_after_hours_to_a_target_due_at_closing_time_is_missed(alpha):
    # Filed Saturday 08:00, 8 business hours: due 16:00 the same day. Answering at 17:00 uses
    # no more working time, but the promise was 16:00.
    with time_machine.travel(tehran(2026, 11, 28, 8, 0), tick=False):
        ticket = alpha.submit("خطای نرم افزار", severity=Severity.BUG)
    assert clocks(ticket)["first_response"].due_at == tehran(2026, 11, 28, 16, 0)
    with time_machine.travel(tehran(2026, 11, 28, 17, 0), tick=False):
        views = {v.kind: v for v in clock_list_for_ticket(tenant=alpha.tenant, ticket_id=ticket.pk)}
        assert views["first_response"].state == State.BREACHED
        ticket_reply(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, body="بررسی شد")
    first = clocks(ticket)["first_response"]
    assert first.status == ClockStatus.MISSED
    assert first.breached_at == tehran(2026, 11, 28, 16, 0)
