"""Service levels in the agent workspace: business calendars and policies edited through the
browser, the SLA panel on a ticket and the queue's due column.

Times are Tehran's; Saturday 1405/09/07 is 2026-11-28 (Azar 1405 has no official holiday)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pishkhan.sla.models import BillableTime, BusinessCalendar, CalendarDay, SlaPolicy
from pishkhan.sla.services import (
    calendar_create,
    department_policy_set,
    policy_create,
    sla_defaults_ensure,
)
from pishkhan.tickets.models import Severity, Status, Ticket
from pishkhan.tickets.services import ticket_mark_not_a_fault, ticket_update

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_11 = datetime(2026, 11, 28, 11, 0, tzinfo=TEHRAN)
# Seed 003 4.2.3: office hours are 8 to 16, Saturday to Wednesday.
OFFICE_NOTE = "مبنای محاسبه زمان رسیدگی از زمان اعلام رسمی شما در ساعات اداری"


def _week_post(days: dict[int, list[tuple[str, str]]]) -> dict:
    """Form fields for a week: {weekday (Monday 0): [(start, end), ...]}."""
    data = {}
    for weekday, intervals in days.items():
        for row, (start, end) in enumerate(intervals):
            data[f"w{weekday}_{row}_start"] = start
            data[f"w{weekday}_{row}_end"] = end
    return data


SAT_TO_WED = (5, 6, 0, 1, 2)
LUNCH_BREAK_WEEK = _week_post({day: [("08:00", "12:00"), ("۱۳:۰۰", "۱۷:۰۰")] for day in SAT_TO_WED})


def _office(world) -> BusinessCalendar:
    sla_defaults_ensure(tenant=world.tenant)
    return BusinessCalendar.objects.get(tenant=world.tenant, name="office")


# --- calendars -----------------------------------------------------------------------------


def test_calendar_list_shows_the_default_calendars_to_every_staff_member(alpha):
    # given a fresh workspace, when a read-only member opens the calendars page
    response = alpha.client(alpha.viewer).get("/agent/calendars/")
    # then the three default calendars are there, Saturday first, and nothing can be changed
    page = response.content.decode()
    assert response.status_code == 200
    assert "ساعات اداری (شنبه تا چهارشنبه ۸ تا ۱۶)" in page
    assert "شبانه‌روزی" in page
    assert "/agent/calendars/new/" not in page
    assert page.index("شنبه") < page.index("یکشنبه")


def test_admin_creates_a_calendar_with_a_lunch_break_and_new_tickets_count_on_it(alpha):
    client = alpha.client(alpha.owner)
    # given the owner creates a calendar with a lunch break (Persian digits in one interval)
    response = client.post(
        "/agent/calendars/new/",
        {
            "name": "lunch",
            "label": "اداری با ناهار",
            "time_zone": "Asia/Tehran",
            "day_minutes": "۴۸۰",
            "official_holidays": "on",
            **LUNCH_BREAK_WEEK,
        },
    )
    calendar = BusinessCalendar.objects.get(tenant=alpha.tenant, name="lunch")
    assert response.status_code == 302
    assert calendar.week[5] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert calendar.week[4] == []  # Friday
    page = client.get(f"/agent/calendars/{calendar.pk}/").content.decode()
    assert "۰۸:۰۰–۱۲:۰۰" in page and "۱۳:۰۰–۱۷:۰۰" in page
    # and a policy counting on it, which the department follows
    response = client.post(
        "/agent/policies/new/",
        {
            "name": "پشتیبانی با ناهار",
            "calendar": calendar.pk,
            "at_risk_percent": "80",
            "notify_supervisors": "on",
            "t_critical_first_response": "2bh",
            "t_critical_restore": "8bh",
            "t_critical_resolution": "3bd",
            "extra": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    policy = SlaPolicy.objects.get(tenant=alpha.tenant, name="پشتیبانی با ناهار")
    response = client.post(
        f"/agent/departments/{alpha.department.pk}/sla-policy/", {"policy": policy.pk}
    )
    assert response.status_code == 302
    # when a critical fault is filed on Saturday at 11:00
    with time_machine.travel(SATURDAY_11, tick=False):
        ticket = alpha.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)
        page = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/").content.decode()
    # then 2 business hours skip the lunch hour: 11-12 and 13-14, due at 14:00 (not 13:00)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == datetime(2026, 11, 28, 14, 0, tzinfo=TEHRAN)
    assert "۷ آذر ۱۴۰۵، ۱۴:۰۰" in page
    assert "sla-on_track" in page


def test_bad_week_shows_an_error_and_saves_nothing(alpha):
    client = alpha.client(alpha.owner)
    sla_defaults_ensure(tenant=alpha.tenant)
    before = BusinessCalendar.objects.count()
    # given an interval that ends before it starts and one with no end
    week = _week_post({5: [("12:00", "08:00")]})
    week["w6_0_start"] = "09:00"
    response = client.post(
        "/agent/calendars/new/",
        {"name": "bad", "time_zone": "Asia/Tehran", "day_minutes": "480", **week},
    )
    # then the form comes back with the errors and no calendar is made
    page = response.content.decode()
    assert response.status_code == 400
    assert "field-error" in page
    assert BusinessCalendar.objects.count() == before
    # and an interval in the wrong order is the service's error, shown at the top
    response = client.post(
        "/agent/calendars/new/",
        {
            "name": "bad",
            "time_zone": "Asia/Tehran",
            "day_minutes": "480",
            **_week_post({5: [("12:00", "08:00")]}),
        },
    )
    assert response.status_code == 400
    assert b"alert-error" in response.content
    assert BusinessCalendar.objects.count() == before


def test_editing_a_calendar_keeps_what_is_not_changed(alpha):
    office = _office(alpha)
    client = alpha.client(alpha.owner)
    page = client.get(f"/agent/calendars/{office.pk}/edit/").content.decode()
    assert 'value="08:00"' in page and 'value="16:00"' in page
    response = client.post(
        f"/agent/calendars/{office.pk}/edit/",
        {
            "label": office.label,
            "time_zone": "Asia/Tehran",
            "day_minutes": "420",
            "official_holidays": "on",
            **LUNCH_BREAK_WEEK,
        },
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.day_minutes == 420 and office.name == "office"
    assert office.week[0] == [["08:00", "12:00"], ["13:00", "17:00"]]


@pytest.mark.parametrize("who", ["viewer", "agent"])
def test_members_who_are_not_admins_read_calendars_and_policies_but_cannot_change_them(alpha, who):
    office = _office(alpha)
    policy = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    client = alpha.client(getattr(alpha, who))
    # they can read
    assert client.get(f"/agent/calendars/{office.pk}/").status_code == 200
    page = client.get("/agent/policies/").content.decode()
    assert policy.name in page and "/agent/policies/new/" not in page
    # and every change answers 404, as the other admin pages do, and changes nothing
    posts = {
        "/agent/calendars/new/": {"name": "x", **LUNCH_BREAK_WEEK},
        f"/agent/calendars/{office.pk}/edit/": {"day_minutes": "60", **LUNCH_BREAK_WEEK},
        f"/agent/calendars/{office.pk}/delete/": {},
        f"/agent/calendars/{office.pk}/days/": {"day": "1405/09/12", "kind": "closed"},
        "/agent/policies/new/": {"name": "x", "calendar": office.pk},
        f"/agent/policies/{policy.pk}/": {"name": "x", "calendar": office.pk},
        f"/agent/departments/{alpha.department.pk}/sla-policy/": {"policy": ""},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    office.refresh_from_db()
    assert office.day_minutes == 480
    assert not CalendarDay.objects.exists()
    assert BusinessCalendar.objects.filter(tenant=alpha.tenant).count() == 3


def test_admin_adds_a_jalali_day_off_and_removes_it(alpha):
    office = _office(alpha)
    client = alpha.client(alpha.owner)
    with time_machine.travel(SATURDAY_11, tick=False):
        # given a day off typed in Jalali with Persian digits
        response = client.post(
            f"/agent/calendars/{office.pk}/days/",
            {"day": "۱۴۰۵/۰۹/۱۲", "kind": "closed", "note": "تعطیلی شرکت"},
        )
        assert response.status_code == 302
        # and a working day on an ISO date
        client.post(f"/agent/calendars/{office.pk}/days/", {"day": "2026-12-05", "kind": "open"})
        page = client.get(f"/agent/calendars/{office.pk}/").content.decode()
    # then both are stored and the day off is among the coming holidays, in Jalali
    assert list(CalendarDay.objects.values_list("date", "kind")) == [
        (date(2026, 12, 3), "closed"),
        (date(2026, 12, 5), "open"),
    ]
    assert "۱۲ آذر ۱۴۰۵" in page and "تعطیلی شرکت" in page
    # when it is removed, it is gone
    response = client.post(f"/agent/calendars/{office.pk}/days/2026-12-03/delete/")
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2026, 12, 3)).exists()


def test_a_date_that_does_not_exist_is_refused(alpha):
    office = _office(alpha)
    response = alpha.client(alpha.owner).post(
        f"/agent/calendars/{office.pk}/days/", {"day": "1405/13/40", "kind": "closed"}
    )
    assert response.status_code == 400
    assert b"field-error" in response.content
    assert not CalendarDay.objects.exists()


def test_calendar_page_names_the_official_holidays_of_the_coming_year(alpha):
    office = _office(alpha)
    with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=TEHRAN), tick=False):
        page = alpha.client(alpha.agent).get(f"/agent/calendars/{office.pk}/").content.decode()
    assert "آغاز نوروز" in page
    assert "۱ فروردین ۱۴۰۵" in page
    # a round-the-clock calendar observes none
    round_the_clock = BusinessCalendar.objects.get(tenant=alpha.tenant, name="24x7")
    with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=TEHRAN), tick=False):
        page = alpha.client(alpha.agent).get(f"/agent/calendars/{round_the_clock.pk}/")
    assert "آغاز نوروز" not in page.content.decode()


def test_weekdays_are_written_with_the_zero_width_non_joiner(alpha):
    # given the default calendars
    office = _office(alpha)
    client = alpha.client(alpha.owner)
    # when the calendars, a calendar and its form are read on Persian pages
    for path in ("/agent/calendars/", f"/agent/calendars/{office.pk}/", "/agent/calendars/new/"):
        page = client.get(path).content.decode()
        # then Tuesday and Thursday read «سه‌شنبه» and «پنج‌شنبه», never «سه شنبه»/«پنجشنبه»
        assert "سه\u200cشنبه" in page and "پنج\u200cشنبه" in page, path
        assert "سه شنبه" not in page and "پنجشنبه" not in page, path
    # and in English as Django writes them
    alpha.owner.language = "en"
    alpha.owner.save(update_fields=["language"])
    english = alpha.client(alpha.owner).get(f"/agent/calendars/{office.pk}/").content.decode()
    assert "Tuesday" in english and "Thursday" in english


def test_calendar_form_numbers_its_interval_columns_in_the_readers_digits(alpha):
    page = alpha.client(alpha.owner).get("/agent/calendars/new/").content.decode()
    head = re.search(r'<table class="table week-editor".*?</thead>', page, re.S).group(0)
    assert "بازه ۱" in head and "بازه ۳" in head
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", head))


def test_holiday_names_of_later_years_are_written_in_persian_digits_one_by_one(alpha):
    # given a day in Azar 1405: the coming year's 1406 holidays come from the package's names
    office = _office(alpha)
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=TEHRAN), tick=False):
        page = alpha.client(alpha.agent).get(f"/agent/calendars/{office.pk}/").content.decode()
    names = re.findall(r'<span class="holiday-name"[^>]*>(.*?)</span>', page, re.S)
    # then 15 Khordad reads «قیام ۱۵ خرداد», and two holidays on one day are two names
    assert any("۱۵ خرداد" in name for name in names), names
    assert not [name for name in names if re.search(r"[0-9]", name)]
    assert not [name for name in names if "؛" in name or ";" in name]


def test_deleting_a_calendar_a_policy_counts_on_shows_why_and_keeps_it(alpha):
    office = _office(alpha)
    client = alpha.client(alpha.owner)
    response = client.post(f"/agent/calendars/{office.pk}/delete/", follow=True)
    assert BusinessCalendar.objects.filter(pk=office.pk).exists()
    assert b"messages" in response.content and b"error" in response.content
    # an unused calendar goes
    spare = calendar_create(tenant=alpha.tenant, actor=alpha.owner, name="spare", week=office.week)
    client.post(f"/agent/calendars/{spare.pk}/delete/")
    assert not BusinessCalendar.objects.filter(pk=spare.pk).exists()


# --- policies ------------------------------------------------------------------------------


def test_policy_form_saves_targets_per_class_and_per_priority(alpha):
    office = _office(alpha)
    client = alpha.client(alpha.owner)
    page = client.get("/agent/policies/new/").content.decode()
    assert "bh" in page and 'value="2bh"' in page  # the S-2 table to start from
    response = client.post(
        "/agent/policies/new/",
        {
            "name": "قرارداد طلایی",
            "calendar": office.pk,
            "at_risk_percent": "۷۵",
            "raise_priority": "on",
            "reassign_to": alpha.agent.pk,
            "t_critical_first_response": "۱bh",
            "t_critical_restore": "4bh",
            "t_major_first_response": "90m",
            "x0_severity": "critical",
            "x0_priority": "urgent",
            "x0_first_response": "30m",
            "extra": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    policy = SlaPolicy.objects.get(name="قرارداد طلایی")
    assert (policy.at_risk_percent, policy.raise_priority, policy.reassign_to) == (
        75,
        True,
        alpha.agent,
    )
    assert not policy.notify_supervisors
    rows = {(t.severity, t.priority): t for t in policy.targets.all()}
    assert rows[("critical", "")].first_response == "1bh"
    assert rows[("critical", "urgent")].first_response == "30m"
    assert rows[("bug", "")].first_response == ""
    # the list shows it in words
    page = client.get("/agent/policies/").content.decode()
    assert "قرارداد طلایی" in page
    # and its edit page shows the priority row again
    page = client.get(f"/agent/policies/{policy.pk}/").content.decode()
    assert 'value="30m"' in page


def test_a_bad_target_is_shown_beside_its_cell_and_nothing_is_saved(alpha):
    office = _office(alpha)
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    response = alpha.client(alpha.owner).post(
        f"/agent/policies/{default.pk}/",
        {
            "name": default.name,
            "calendar": office.pk,
            "at_risk_percent": "80",
            "is_default": "on",
            "t_critical_first_response": "دو ساعت",
            "extra": "2",
        },
    )
    assert response.status_code == 400
    assert b"field-error" in response.content
    first = default.targets.get(severity="critical", priority="")
    assert first.first_response == "2bh"


def test_default_policy_cannot_be_deleted_and_another_can(alpha):
    office = _office(alpha)
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    other = policy_create(tenant=alpha.tenant, actor=alpha.owner, name="دیگر", calendar=office)
    client = alpha.client(alpha.owner)
    page = client.get("/agent/policies/").content.decode()
    assert f"/agent/policies/{default.pk}/delete/" not in page
    client.post(f"/agent/policies/{default.pk}/delete/")
    assert SlaPolicy.objects.filter(pk=default.pk).exists()
    client.post(f"/agent/policies/{other.pk}/delete/")
    assert not SlaPolicy.objects.filter(pk=other.pk).exists()


def test_policies_page_shows_which_departments_follow_each_policy(alpha):
    office = _office(alpha)
    other = policy_create(tenant=alpha.tenant, actor=alpha.owner, name="ویژه", calendar=office)
    department_policy_set(
        tenant=alpha.tenant, actor=alpha.owner, department=alpha.department, policy=other
    )
    response = alpha.client(alpha.viewer).get("/agent/policies/")
    rows = {policy.name: departments for policy, _t, departments in response.context["policies"]}
    assert rows["ویژه"] == [alpha.department]
    assert rows[SlaPolicy.objects.get(is_default=True).name] == []


# --- the ticket's SLA panel ----------------------------------------------------------------


def _critical(world):
    with time_machine.travel(SATURDAY_11, tick=False):
        return world.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)


def test_ticket_page_shows_each_clock_with_its_target_state_and_time_left(alpha):
    ticket = _critical(alpha)
    with time_machine.travel(datetime(2026, 11, 28, 12, 40, tzinfo=TEHRAN), tick=False):
        page = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/")
    text = page.content.decode()
    clocks = page.context["sla_clocks"]
    assert [c.kind for c in clocks] == ["first_response", "restore", "resolution"]
    # 2bh from 11:00: at 12:40 20 minutes are left, past 80% of the target (at risk); due 13:00
    assert clocks[0].left_seconds == 20 * 60
    assert "sla-at_risk" in text
    assert "۲۰" in text and "۷ آذر ۱۴۰۵، ۱۳:۰۰" in text
    # the buttons are there for an agent
    assert f"/agent/tickets/{ticket.number}/restored/" in text
    assert f"/agent/tickets/{ticket.number}/not-a-fault/" in text


def test_overdue_clock_says_by_how_much(alpha):
    ticket = _critical(alpha)
    with time_machine.travel(datetime(2026, 11, 28, 14, 30, tzinfo=TEHRAN), tick=False):
        response = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/")
    first = response.context["sla_clocks"][0]
    assert first.state == "breached" and first.left_seconds == -90 * 60
    assert "sla-breached" in response.content.decode()


def test_agent_marks_the_ticket_restored(alpha):
    ticket = _critical(alpha)
    client = alpha.client(alpha.agent)
    with time_machine.travel(datetime(2026, 11, 28, 12, 0, tzinfo=TEHRAN), tick=False):
        response = client.post(f"/agent/tickets/{ticket.number}/restored/")
        page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.restored_at is not None
    assert "sla-met" in page  # the restore target is met
    assert f"/agent/tickets/{ticket.number}/restored/" not in page
    # marking it twice is refused with a message and changes nothing
    again = client.post(f"/agent/tickets/{ticket.number}/restored/", follow=True)
    assert b'class="error"' in again.content


def test_agent_marks_not_a_software_fault_with_billable_minutes(alpha):
    ticket = _critical(alpha)
    client = alpha.client(alpha.agent)
    with time_machine.travel(datetime(2026, 11, 28, 12, 0, tzinfo=TEHRAN), tick=False):
        # given a bad number of minutes, nothing happens and the agent is told
        response = client.post(
            f"/agent/tickets/{ticket.number}/not-a-fault/", {"minutes": "یک ساعت"}, follow=True
        )
        assert b'class="error"' in response.content
        ticket.refresh_from_db()
        assert ticket.not_fault_at is None and not BillableTime.objects.exists()
        # when the agent gives 45 minutes in Persian digits and a note
        client.post(
            f"/agent/tickets/{ticket.number}/not-a-fault/",
            {"minutes": "۴۵", "note": "پیکربندی اشتباه سمت مشتری"},
        )
        page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    # then the clocks lapse and the time is billable
    ticket.refresh_from_db()
    assert ticket.not_fault_at is not None
    assert BillableTime.objects.get(ticket=ticket).minutes == 45
    assert "sla-lapsed" in page and "پیکربندی اشتباه سمت مشتری" in page and "۴۵" in page
    assert f"/agent/tickets/{ticket.number}/not-a-fault/" not in page


def test_read_only_member_sees_the_panel_but_cannot_mark(alpha):
    ticket = _critical(alpha)
    client = alpha.client(alpha.viewer)
    page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert 'id="sla"' in page and "sla-clock" in page
    assert f"/agent/tickets/{ticket.number}/restored/" not in page
    assert client.post(f"/agent/tickets/{ticket.number}/restored/").status_code == 404
    assert client.post(f"/agent/tickets/{ticket.number}/not-a-fault/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.restored_at is None and ticket.not_fault_at is None


def test_closed_ticket_offers_no_sla_marks(alpha):
    ticket = _critical(alpha)
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status=Status.CLOSED)
    page = alpha.client(alpha.agent).get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert f"/agent/tickets/{ticket.number}/restored/" not in page
    assert f"/agent/tickets/{ticket.number}/not-a-fault/" not in page


# --- the queue -----------------------------------------------------------------------------


def test_queue_shows_the_nearest_due_and_sorts_by_it(alpha):
    with time_machine.travel(SATURDAY_11, tick=False):
        major = alpha.submit("کندی سرویس", severity=Severity.MAJOR)  # 4bh: 15:00
        critical = alpha.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)  # 2bh: 13:00
        lapsed = alpha.submit("سوال مالی", severity=Severity.OTHER)
        ticket_mark_not_a_fault(tenant=alpha.tenant, ticket=lapsed, actor=alpha.agent)
    with time_machine.travel(datetime(2026, 11, 28, 11, 30, tzinfo=TEHRAN), tick=False):
        response = alpha.client(alpha.agent).get("/agent/?sort=due")
    numbers = [r["number"] for r in response.context["rows"]]
    # nearest due first; a ticket without a running clock last
    assert numbers.index(critical.number) < numbers.index(major.number)
    assert numbers[-1] == lapsed.number or Ticket.objects.get(pk=numbers[-1]).sla_due_at is None
    page = response.content.decode()
    assert "۷ آذر ۱۴۰۵، ۱۳:۰۰" in page and "۷ آذر ۱۴۰۵، ۱۵:۰۰" in page
    assert "sla-on_track" in page
    assert 'value="due" selected' in page


def test_each_queue_row_shows_its_running_clock_due_first_else_a_paused_one(alpha):
    from django.utils import timezone

    from pishkhan.sla.models import SlaClock
    from pishkhan.tickets.services import ticket_reply

    with time_machine.travel(SATURDAY_11, tick=False):
        untouched = alpha.submit("قطعی کامل سرویس", severity=Severity.CRITICAL)
        answered = alpha.submit("قطعی سرویس ایمیل", severity=Severity.CRITICAL)
        waiting = alpha.submit("کندی شدید سرور", severity=Severity.CRITICAL)
        reply = {"tenant": alpha.tenant, "actor": alpha.agent}
        ticket_reply(ticket=answered, body="در حال بررسی هستیم", status=Status.OPEN, **reply)
        ticket_reply(ticket=waiting, body="لطفا لاگ را بفرستید", **reply)  # waits on the customer
    with time_machine.travel(datetime(2026, 11, 28, 11, 30, tzinfo=TEHRAN), tick=False):
        response = alpha.client(alpha.agent).get("/agent/?status=new&status=open&status=waiting")
    shown = {row["number"]: row["sla"] for row in response.context["rows"]}

    def due(ticket, kind) -> str:
        clock = SlaClock.objects.get(ticket=ticket, kind=kind)
        return timezone.localtime(clock.due_at).isoformat()

    # Untouched: the first response, due first of its three running clocks.
    assert shown[untouched.number]["due_iso"] == due(untouched, "first_response")
    assert shown[untouched.number]["state"] == "on_track"
    # Answered: its first response is met, so the restore target is what is due next.
    assert shown[answered.number]["due_iso"] == due(answered, "restore")
    # Waiting on the customer: every clock paused, and the row says so, without a due time.
    assert shown[waiting.number]["state"] == "paused"
    assert shown[waiting.number]["due_iso"] == ""

    # The statements do not grow with the tickets listed, running or paused.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pishkhan.sla.selectors import queue_clocks

    with CaptureQueriesContext(connection) as running_only:
        queue_clocks(tenant=alpha.tenant, ticket_ids=[untouched.pk])
    with CaptureQueriesContext(connection) as all_three:
        queue_clocks(tenant=alpha.tenant, ticket_ids=[untouched.pk, answered.pk, waiting.pk])
    assert len(all_three) == len(running_only)


def test_queue_costs_the_same_queries_with_clocks_on_few_and_many_tickets(alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = alpha.client(alpha.agent)
    client.get("/agent/?sort=due")  # warm the session and the default policy
    with CaptureQueriesContext(connection) as few:
        client.get("/agent/?sort=due")
    for severity in [Severity.CRITICAL, Severity.MAJOR, Severity.BUG] * 5:
        alpha.submit("قطعی", severity=severity)
    with CaptureQueriesContext(connection) as many:
        client.get("/agent/?sort=due")
    assert len(many) <= len(few)


def test_english_calendar_page_names_the_official_holidays_in_english(alpha):
    # given the coming year from Azar 1405: Imam Ali's martyrdom on 1405/12/09 (28 Feb 2027)
    # is the official calendar's date, which the `holidays` package does not have
    office = _office(alpha)
    alpha.owner.language = "en"
    alpha.owner.save(update_fields=["language"])
    # when the calendar is read on an English page
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=TEHRAN), tick=False):
        page = alpha.client(alpha.owner).get(f"/agent/calendars/{office.pk}/").content.decode()
    names = re.findall(r'<span class="holiday-name"[^>]*>(.*?)</span>', page, re.S)
    # then every holiday, that one included, is named in English
    assert "Martyrdom of Imam Ali" in names
    assert not [name for name in names if re.search(r"[\u0600-\u06ff]", name)], names
