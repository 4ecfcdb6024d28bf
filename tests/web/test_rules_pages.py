"""The support rules in the agent workspace (T-4 … T-12): the settings page, the violations
report, fines, customers' services, and the rule actions on a ticket.

Times are Tehran's; Saturday 1405/09/07 is 2026-11-28."""

import csv
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer, OwnedService
from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.accounts.services import customer_signup, staff_user_create
from pishkhan.policies.models import DepartmentRules, Fine, RuleSettings, Violation
from pishkhan.policies.services import fine_charge, rule_settings_update
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Message, Status, Ticket, TimeEntry
from pishkhan.tickets.services import ticket_close_with_reason, ticket_update
from tests.conftest import PASSWORD, SEED_BODY, SEED_SUBJECT

TEHRAN = ZoneInfo("Asia/Tehran")
SATURDAY_11 = datetime(2026, 11, 28, 11, 0, tzinfo=TEHRAN)  # 1405/09/07

# Seed 002, the hosting company's support policy: each rule is a different request.
R5_CMS = (
    "پشتیبانی فقط شامل ماژول های طراحی شده توسط شرکت و مشکلات مربوط به آپتایم شبکه و سرورها "
    "می باشد و هیچ گونه پشتیبانی بابت مشکلات سیستم های مدیریت محتوا ارائه نمی شود"
)
R11_DATACENTRE = (
    "اگر به دلیل مشکل سرور مشتری ، تنکنسین ها و یا کارمندان شرکت ناگذیر شوند برای رفع مشکل به "
    "دیتاسنتر مراجعه نمایند هزینه ایاب و ذهاب به عهده مشتری می باشد"
)
R13_INCOMPLETE = "در صورتی که اطلاعات به صورت ناقص یا اشتباه ارسال شود تیکت بدون پاسخ بسته خواهد شد"
R14_URGENT = "وضعیت ضروری: قطع شدن سرور یا سرویس"
LOWER_REASON = "سرور در دسترس است؛ فقط کندی گزارش شده"


def _finance(world):
    user = staff_user_create(
        email=f"finance@{world.tenant.slug}.example", password=PASSWORD, full_name="واحد مالی"
    )
    membership_grant(tenant=world.tenant, user=user, role=Role.FINANCE)
    return user


def _in_english(user):
    # New interface strings get their Persian later; asserting on the English ones keeps these
    # tests about behaviour, not about the catalogue.
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def _lowered(world, ticket, reason: str = LOWER_REASON):
    """The customer chose urgent; the agent lowers it with a reason (a violation)."""
    ticket_update(tenant=world.tenant, ticket=ticket, actor=world.agent, priority="urgent")
    ticket_update(
        tenant=world.tenant, ticket=ticket, actor=world.agent, priority="normal", reason=reason
    )
    return Violation.objects.for_tenant(world.tenant).filter(ticket=ticket).latest("id")


def _other_customer(world, name="مریم احمدی", email=None):
    user = customer_signup(
        tenant=world.tenant,
        name=name,
        email=email or f"maryam@{world.tenant.slug}.example",
        password=PASSWORD,
    )
    return Customer.objects.get(user=user), user


def _settings_post(page, **changes) -> dict:
    """The settings form as the page shows it, with some values changed."""
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if field.widget.input_type == "checkbox":
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _reply_form(response) -> str:
    return response.content.decode().split('id="reply"')[1].split("</form>")[0]


# --- settings --------------------------------------------------------------------------------


def test_admin_turns_duplicates_off_and_a_repeat_is_then_accepted(alpha):
    # given the seed's default (the test world turns it off): a repeat is refused [002 r15-16]
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, duplicates="block")
    with pytest.raises(PolicyRefusal) as refused:
        alpha.submit(SEED_SUBJECT, body=SEED_BODY)
    assert refused.value.code == "duplicate_request"
    client = alpha.client(alpha.owner)
    page = client.get("/agent/rules/")
    assert page.status_code == 200
    # the rule is explained beside the setting in words, without the seed's reference
    assert "هر درخواست، یک تیکت" in page.content.decode()
    assert "[002" not in page.content.decode()
    # when the owner turns the duplicate check off (hours in Persian digits)
    response = client.post(
        "/agent/rules/",
        _settings_post(page, duplicates="off", incomplete_wait_hours="۴۸"),
    )
    assert response.status_code == 302
    rules = RuleSettings.objects.get(tenant=alpha.tenant)
    assert (rules.duplicates, rules.incomplete_wait_hours) == ("off", 48)
    # then the same request is accepted as a ticket of its own
    repeat = alpha.submit(SEED_SUBJECT, body=SEED_BODY)
    assert repeat.pk != alpha.ticket.pk and repeat.duplicate_of is None


def test_admin_sets_fine_amounts_in_dollars_to_the_cent(alpha):
    client = alpha.client(alpha.owner)
    page = client.get("/agent/rules/")
    response = client.post(
        "/agent/rules/",
        _settings_post(
            page,
            fine_currency="USD",
            fine_duplicate="12.50",
            fine_reopen="5",
            fine_incomplete="7.25",
            fine_not_persian="3",
            fine_wrong_priority="۱۰",
        ),
    )
    assert response.status_code == 302
    rules = RuleSettings.objects.get(tenant=alpha.tenant)
    assert rules.fine_currency == "USD"
    assert rules.fine_duplicate == Decimal("12.50")
    assert rules.fine_wrong_priority == Decimal("10.00")
    # a Toman amount with decimals is refused beside its field, and nothing changes
    page = client.get("/agent/rules/")
    response = client.post(
        "/agent/rules/", _settings_post(page, fine_currency="IRT", fine_duplicate="1000.5")
    )
    assert response.status_code == 400
    assert b"field-error" in response.content
    assert RuleSettings.objects.get(tenant=alpha.tenant).fine_currency == "USD"


def test_agent_reads_the_settings_but_cannot_change_them(alpha):
    _in_english(alpha.agent)
    client = alpha.client(alpha.agent)
    page = client.get("/agent/rules/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Only the owner or a portal admin may change these rules." in html
    assert 'name="duplicates"' in html and "disabled" in html
    response = client.post("/agent/rules/", _settings_post(page, duplicates="block"))
    assert response.status_code == 403
    assert "Only the owner or a portal admin may do this." in response.content.decode()
    assert RuleSettings.objects.get(tenant=alpha.tenant).duplicates == "off"
    # nor a department's rules
    response = client.post(
        f"/agent/rules/departments/{alpha.department.pk}/",
        {"persian_only": "off", "duplicates": "inherit"},
        follow=True,
    )
    assert "Only the owner or a portal admin may do this." in response.content.decode()
    assert not DepartmentRules.objects.filter(department=alpha.department).exists()


def test_admin_lets_one_department_accept_english(alpha):
    client = alpha.client(alpha.owner)
    response = client.post(
        f"/agent/rules/departments/{alpha.department.pk}/",
        {"persian_only": "off", "duplicates": "inherit", "service_required": "on"},
    )
    assert response.status_code == 302
    rules = DepartmentRules.objects.get(department=alpha.department)
    assert (rules.persian_only, rules.duplicates, rules.service_required) == (
        "off",
        "inherit",
        True,
    )
    page = client.get("/agent/rules/").content.decode()
    assert f'id="department-{alpha.department.pk}"' in page
    assert 'form="department-form-' in page


def test_finance_member_reaches_the_rule_pages_from_the_menu(alpha):
    finance = _finance(alpha)
    client = alpha.client(finance)
    menu = client.get("/agent/rules/violations/").content.decode()
    for url in ("/agent/rules/", "/agent/rules/violations/", "/agent/rules/fines/"):
        assert f'href="{url}"' in menu
        assert client.get(url).status_code == 200
    assert client.get("/agent/rules/services/").status_code == 200


# --- violations report -----------------------------------------------------------------------


def _violation_world(alpha):
    """Violations of two customers: one 58 days before Saturday 1405/09/07, three on it."""
    maryam, maryam_user = _other_customer(alpha)
    with time_machine.travel(SATURDAY_11 - timedelta(days=58), tick=False):
        old = alpha.submit("کندی سرور", body=R14_URGENT)
        _lowered(alpha, old, "قدیمی")
    with time_machine.travel(SATURDAY_11, tick=False):
        first = _lowered(alpha, alpha.ticket)
        other = alpha.submit(
            "نصب ماژول", body=R5_CMS, customer=maryam, actor=maryam_user, priority="urgent"
        )
        second = _lowered(alpha, other, "مشکل از سیستم مدیریت محتوای مشتری است")
        incomplete = alpha.submit("اطلاعات ناقص", body=R13_INCOMPLETE)
        ticket_close_with_reason(
            tenant=alpha.tenant,
            ticket=incomplete,
            actor=alpha.agent,
            reason="incomplete",
            note="آی‌پی سرور اشتباه است",
        )
    return {"maryam": maryam, "first": first, "second": second, "incomplete": incomplete}


def test_violations_report_counts_kinds_and_top_customers_over_the_period(alpha):
    made = _violation_world(alpha)
    client = alpha.client(_in_english(alpha.agent))
    with time_machine.travel(SATURDAY_11 + timedelta(hours=1), tick=False):
        response = client.get("/agent/rules/violations/")
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["counts"]}
    # the default period is the last 30 days: the old one is not counted
    assert counts["wrong_priority"] == 2 and counts["incomplete"] == 1
    assert response.context["total"] == 3
    top = response.context["top"]
    assert [(c["customer__name"], c["n"]) for c in top] == [("علی رضایی", 2), ("مریم احمدی", 1)]
    page = response.content.decode()
    assert "lowered from Urgent to Normal: " + LOWER_REASON in page
    assert "closed by staff, required information missing: آی‌پی سرور اشتباه است" in page
    assert f'href="/agent/tickets/{made["incomplete"].number}/"' in page


def test_violations_report_filters_by_kind_customer_and_jalali_period(alpha):
    made = _violation_world(alpha)
    client = alpha.client(alpha.agent)
    with time_machine.travel(SATURDAY_11 + timedelta(hours=1), tick=False):
        by_kind = client.get("/agent/rules/violations/?kind=incomplete")
        by_customer = client.get(f"/agent/rules/violations/?customer={made['maryam'].email}")
        # Mehr 1405, in Persian digits: only the old violation
        by_period = client.get(
            "/agent/rules/violations/", {"from": "۱۴۰۵/۰۷/۰۱", "to": "۱۴۰۵/۰۸/۳۰"}
        )
        by_gregorian = client.get(
            "/agent/rules/violations/", {"from": "2026-11-28", "to": "2026-11-28"}
        )
        bad = client.get("/agent/rules/violations/", {"from": "1405/13/40"})
    assert [r["violation"].kind for r in by_kind.context["rows"]] == ["incomplete"]
    assert [r["violation"].pk for r in by_customer.context["rows"]] == [made["second"].pk]
    assert [r["violation"].detail["reason"] for r in by_period.context["rows"]] == ["قدیمی"]
    assert len(by_gregorian.context["rows"]) == 3
    assert bad.status_code == 400 and b"field-error" in bad.content


def test_violations_report_downloads_the_filtered_list_as_csv(alpha):
    made = _violation_world(alpha)
    client = alpha.client(_in_english(alpha.agent))
    with time_machine.travel(SATURDAY_11 + timedelta(hours=1), tick=False):
        response = client.get("/agent/rules/violations/?kind=wrong_priority&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:6] == ["Date", "Kind", "Customer", "Email", "Ticket", "Refused"]
    assert len(rows) == 3
    by_ticket = {row[4]: row for row in rows[1:]}
    row = by_ticket[str(made["second"].ticket.number)]
    assert row[2] == "مریم احمدی" and row[5] == "no"
    assert row[7] == "lowered from Urgent to Normal: مشکل از سیستم مدیریت محتوای مشتری است"


def test_violations_page_costs_the_same_queries_for_few_and_many(alpha):
    finance = _finance(alpha)
    client = alpha.client(finance)
    _lowered(alpha, alpha.ticket)
    client.get("/agent/rules/violations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/agent/rules/violations/")
    bodies = [R5_CMS, R11_DATACENTRE, R13_INCOMPLETE, R14_URGENT]
    for n, body in enumerate(bodies):
        violation = _lowered(alpha, alpha.submit(f"درخواست {n}", body=body))
        if n % 2:
            fine_charge(tenant=alpha.tenant, violation=violation, actor=finance)
    with CaptureQueriesContext(connection) as many:
        client.get("/agent/rules/violations/")
    assert len(many) <= len(few)


# --- fines -----------------------------------------------------------------------------------


def test_finance_charges_a_fine_with_the_default_prefilled_and_exact_decimals(alpha):
    violation = _lowered(alpha, alpha.ticket)
    finance = _in_english(_finance(alpha))
    client = alpha.client(finance)
    page = client.get("/agent/rules/violations/")
    form = page.context["rows"][0]["charge_form"]
    assert form.initial == {"amount": "100000", "currency": "IRT", "due_days": 7}
    # a Toman amount with decimals is refused and nothing is charged
    response = client.post(
        f"/agent/rules/violations/{violation.pk}/fine/",
        {"amount": "125000.5", "currency": "IRT", "due_days": "7", "note": ""},
        follow=True,
    )
    assert not Fine.objects.exists()
    assert "Toman amounts are whole numbers." in response.content.decode()
    # dollars to the cent are kept exactly
    with time_machine.travel(SATURDAY_11, tick=False):
        response = client.post(
            f"/agent/rules/violations/{violation.pk}/fine/",
            {"amount": "12.50", "currency": "USD", "due_days": "۱۰", "note": "تذکر اول"},
        )
    assert response.status_code == 302
    fine = Fine.objects.get(violation=violation)
    assert (fine.amount, fine.currency, fine.note) == (Decimal("12.50"), "USD", "تذکر اول")
    assert fine.due_at == SATURDAY_11 + timedelta(days=10)
    assert fine.charged_by == finance
    # the violation now shows its fine instead of the form
    row = client.get("/agent/rules/violations/").context["rows"][0]
    assert row["fine"] == fine and "charge_form" not in row


def test_agent_cannot_charge_a_fine(alpha):
    violation = _lowered(alpha, alpha.ticket)
    client = alpha.client(_in_english(alpha.agent))
    page = client.get("/agent/rules/violations/")
    assert "charge_form" not in page.context["rows"][0]
    response = client.post(
        f"/agent/rules/violations/{violation.pk}/fine/",
        {"amount": "100000", "currency": "IRT", "due_days": "7"},
        follow=True,
    )
    assert "Only the finance unit, the owner or a portal admin may do this." in (
        response.content.decode()
    )
    assert not Fine.objects.exists()


def test_finance_marks_a_fine_paid_and_waives_another_with_a_reason(alpha):
    finance = _finance(alpha)
    paid = fine_charge(tenant=alpha.tenant, violation=_lowered(alpha, alpha.ticket), actor=finance)
    other = alpha.submit("کندی سرور", body=R14_URGENT)
    waived = fine_charge(tenant=alpha.tenant, violation=_lowered(alpha, other), actor=finance)
    client = alpha.client(finance)
    page = client.get("/agent/rules/fines/?status=unpaid")
    assert {row["fine"].pk for row in page.context["rows"]} == {paid.pk, waived.pk}
    assert "۱۰۰٬۰۰۰ تومان" in page.content.decode()
    # a waiver needs its reason
    client.post(f"/agent/rules/fines/{waived.pk}/waive/", {"note": "  "})
    assert Fine.objects.get(pk=waived.pk).status == "unpaid"
    client.post(f"/agent/rules/fines/{waived.pk}/waive/", {"note": "مشتری قدیمی؛ بار اول"})
    client.post(f"/agent/rules/fines/{paid.pk}/paid/", {"note": "رسید ۱۲۳۴"})
    paid.refresh_from_db()
    waived.refresh_from_db()
    assert (paid.status, paid.settled_by, paid.settle_note) == ("paid", finance, "رسید ۱۲۳۴")
    assert (waived.status, waived.settle_note) == ("waived", "مشتری قدیمی؛ بار اول")
    assert client.get("/agent/rules/fines/?status=unpaid").context["rows"] == []
    # an agent can neither pay nor waive
    third = fine_charge(
        tenant=alpha.tenant,
        violation=_lowered(alpha, alpha.submit("درخواست سوم", body=R11_DATACENTRE)),
        actor=finance,
    )
    alpha.client(alpha.agent).post(f"/agent/rules/fines/{third.pk}/paid/", {"note": ""})
    assert Fine.objects.get(pk=third.pk).status == "unpaid"


# --- customers' services ---------------------------------------------------------------------


def test_agent_registers_and_verifies_a_service_recording_who_and_when(alpha):
    client = alpha.client(alpha.agent)
    # the agent finds the customer by e-mail and registers their domain
    found = client.get(f"/agent/rules/services/?find={alpha.customer.email}")
    assert [c.pk for c, _form in found.context["matches"]] == [alpha.customer.pk]
    response = client.post(
        "/agent/rules/services/new/",
        {"customer": alpha.customer.pk, "kind": "domain", "identifier": "Example.IR"},
    )
    assert response.status_code == 302
    service = OwnedService.objects.get(tenant=alpha.tenant, customer=alpha.customer)
    assert service.identifier == "example.ir" and not service.is_verified
    # pending claims come first
    verified_other = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.agent,
        kind="server",
        identifier="185.8.172.10",
    )
    service_verify(tenant=alpha.tenant, service=verified_other, actor=alpha.owner, note="قرارداد")
    listed = client.get("/agent/rules/services/").context["rows"]
    assert [row["service"].pk for row in listed] == [service.pk, verified_other.pk]
    # verifying needs the documents checked
    client.post(f"/agent/rules/services/{service.pk}/verify/", {"note": ""})
    assert not OwnedService.objects.get(pk=service.pk).is_verified
    with time_machine.travel(SATURDAY_11, tick=False):
        client.post(
            f"/agent/rules/services/{service.pk}/verify/",
            {"note": "کارت ملی و ایمیل ثبت‌کننده دامنه تطبیق داده شد"},
        )
    service.refresh_from_db()
    assert service.verified_by == alpha.agent and service.verified_at == SATURDAY_11
    page = client.get("/agent/rules/services/").content.decode()
    assert "۷ آذر ۱۴۰۵" in page and "alice" in page
    assert "کارت ملی و ایمیل ثبت‌کننده دامنه تطبیق داده شد" in page
    # withdrawing it needs a reason too, then it is pending again
    client.post(f"/agent/rules/services/{service.pk}/unverify/", {"note": "سرویس منتقل شد"})
    assert not OwnedService.objects.get(pk=service.pk).is_verified
    client.post(f"/agent/rules/services/{service.pk}/remove/")
    assert not OwnedService.objects.filter(pk=service.pk).exists()


def test_read_only_member_cannot_verify_a_service(alpha):
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.agent,
        kind="domain",
        identifier="example.ir",
    )
    client = alpha.client(alpha.viewer)
    assert b"/verify/" not in client.get("/agent/rules/services/").content
    client.post(f"/agent/rules/services/{service.pk}/verify/", {"note": "مدارک"})
    assert not OwnedService.objects.get(pk=service.pk).is_verified


# --- the ticket page -------------------------------------------------------------------------


def test_agent_merges_a_repeat_and_undoes_it_from_the_ticket_page(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, duplicates="flag")
    repeat = alpha.submit(SEED_SUBJECT, body=SEED_BODY)
    client = alpha.client(_in_english(alpha.agent))
    page = client.get(f"/agent/tickets/{repeat.number}/")
    # the flagged repeat points at the ticket it repeats, and the merge form is prefilled
    assert repeat.duplicate_of == alpha.ticket
    assert page.context["merge_form"].initial == {"into": alpha.ticket.number}
    assert 'id="duplicate-of"' in page.content.decode()
    # when the agent merges it into the first ticket
    response = client.post(f"/agent/tickets/{repeat.number}/merge/", {"into": "#۱"})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.merged_into == alpha.ticket and repeat.status == Status.CLOSED
    # then the first ticket shows the repeat's message, labelled
    page = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert f"from merged ticket #{repeat.number}" in page
    assert f'id="merged-tickets"><a href="/agent/tickets/{repeat.number}/"' in page
    # recorded once: flagged at submission; the merge confirms it rather than adding another
    assert Violation.objects.filter(ticket=repeat, kind="duplicate").count() == 1
    # and un-merging gives the repeat back its own status; what the intake flagged stays
    response = client.post(f"/agent/tickets/{repeat.number}/unmerge/")
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.merged_into is None and repeat.status == Status.NEW
    assert Violation.objects.filter(ticket=repeat, kind="duplicate").count() == 1
    assert "from merged ticket" not in (
        client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    )


def test_merging_into_a_missing_ticket_shows_an_error_and_changes_nothing(alpha):
    client = alpha.client(alpha.agent)
    response = client.post(f"/agent/tickets/{alpha.ticket.number}/merge/", {"into": "999"})
    assert response.status_code == 400 and b"field-error" in response.content
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/merge/", {"into": str(alpha.ticket.number)}
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=alpha.ticket.pk).merged_into is None


def test_agent_closes_an_incomplete_request_and_the_reason_shows(alpha):
    client = alpha.client(_in_english(alpha.agent))
    # a reason is required
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/close/", {"reason": "incomplete", "note": ""}
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=alpha.ticket.pk).status != Status.CLOSED
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/close/",
        {"reason": "wrong_information", "note": "آی‌پی سرور با سرویس شما مطابقت ندارد"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=alpha.ticket.pk)
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, "wrong_information")
    page = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert 'id="close-reason"' in page
    assert "Wrong information" in page
    assert "آی‌پی سرور با سرویس شما مطابقت ندارد" in page
    assert Violation.objects.filter(ticket=ticket, kind="incomplete").exists()


def test_out_of_scope_reply_needs_minutes_which_become_billable(alpha):
    client = alpha.client(alpha.agent)
    url = f"/agent/tickets/{alpha.ticket.number}/"
    assert 'name="minutes"' not in _reply_form(client.get(url))
    response = client.post(url + "out-of-scope/", {"note": "مشکل در سیستم مدیریت محتوای مشتری"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="out-of-scope"' in page and "مشکل در سیستم مدیریت محتوای مشتری" in page
    assert 'name="minutes"' in _reply_form(client.get(url))
    # a reply without the minutes is refused, beside the field
    before = Message.objects.filter(ticket=alpha.ticket).count()
    response = client.post(url + "message/", {"kind": "reply", "body": "راهنمایی شد"})
    assert response.status_code == 400 and b"field-error" in response.content
    assert Message.objects.filter(ticket=alpha.ticket).count() == before
    # with them, the answer goes out and the time is a billable extra service
    response = client.post(
        url + "message/", {"kind": "reply", "body": "راهنمایی شد", "minutes": "۳۰"}
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get(ticket=alpha.ticket)
    assert (entry.kind, entry.minutes, entry.billable) == ("extra_service", 30, True)


def test_module_installation_is_free_once_then_billable(alpha):
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.agent,
        kind="hosting",
        identifier="host-12",
    )
    client = alpha.client(_in_english(alpha.agent))
    url = f"/agent/tickets/{alpha.ticket.number}/"
    post = {"service": service.pk, "module": "ماژول پرداخت", "minutes": "20"}
    first = client.post(url + "install/", post, follow=True).content.decode()
    second = client.post(url + "install/", {**post, "minutes": "15"}, follow=True)
    assert "for the first time: free" in first
    assert "again: billable" in second.content.decode()
    entries = list(TimeEntry.objects.filter(ticket=alpha.ticket).order_by("id"))
    assert [(e.kind, e.minutes, e.billable) for e in entries] == [
        ("installation", 20, False),
        ("installation", 15, True),
    ]
    page = second.content.decode()
    assert "free (first installation)" in page
    assert "Total 35 minutes, of which 15 billable." in page


def test_time_entries_data_centre_visit_is_always_billable(alpha):
    client = alpha.client(alpha.agent)
    url = f"/agent/tickets/{alpha.ticket.number}/time/"
    client.post(url, {"kind": "work", "minutes": "۴۵", "note": "بررسی لاگ"})
    client.post(url, {"kind": "datacentre_visit", "minutes": "90"})
    response = client.post(url, {"kind": "work", "minutes": "0"})
    assert response.status_code == 400
    entries = list(TimeEntry.objects.filter(ticket=alpha.ticket).order_by("id"))
    assert [(e.kind, e.minutes, e.billable) for e in entries] == [
        ("work", 45, False),
        ("datacentre_visit", 90, True),
    ]
    context = client.get(f"/agent/tickets/{alpha.ticket.number}/").context
    assert (context["minutes_total"], context["minutes_billable"]) == (135, 90)


def test_lowering_the_priority_with_a_reason_records_a_violation(alpha):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, priority="urgent")
    client = alpha.client(_in_english(alpha.agent))
    data = {
        "status": "open",
        "priority": "normal",
        "severity": "other",
        "assignee": "",
        "department": alpha.department.pk,
        "tags": "",
        "reason": LOWER_REASON,
    }
    response = client.post(f"/agent/tickets/{alpha.ticket.number}/properties/", data)
    assert response.status_code == 302
    violation = Violation.objects.get(ticket=alpha.ticket)
    assert violation.kind == "wrong_priority"
    assert violation.detail == {"from": "urgent", "to": "normal", "reason": LOWER_REASON}
    page = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert "lowered from Urgent to Normal: " + LOWER_REASON in page
    # without a reason, lowering records nothing
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, priority="urgent")
    client.post(f"/agent/tickets/{alpha.ticket.number}/properties/", {**data, "reason": ""})
    assert Violation.objects.filter(ticket=alpha.ticket).count() == 1


def test_ticket_page_shows_service_and_follow_up_links(alpha):
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.agent,
        kind="domain",
        identifier="example.ir",
    )
    service = service_verify(
        tenant=alpha.tenant, service=service, actor=alpha.agent, note="کارت ملی"
    )
    closed = ticket_update(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed"
    )
    follow_up = alpha.submit(
        "پیگیری درخواست قبلی", body=R11_DATACENTRE, follow_up_of=closed, service=service
    )
    client = alpha.client(_in_english(alpha.agent))
    page = client.get(f"/agent/tickets/{follow_up.number}/").content.decode()
    assert "example.ir" in page and "Verified owner" in page
    assert f'Follows up</dt><dd><a href="/agent/tickets/{alpha.ticket.number}/"' in page
    original = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert f'Follow-up tickets</dt><dd><a href="/agent/tickets/{follow_up.number}/"' in original


def test_finance_member_sees_the_ticket_without_rule_actions(alpha):
    client = alpha.client(_finance(alpha))
    page = client.get(f"/agent/tickets/{alpha.ticket.number}/").content.decode()
    assert "/merge/" not in page and "/time/" not in page
    client.post(f"/agent/tickets/{alpha.ticket.number}/time/", {"kind": "work", "minutes": "10"})
    assert not TimeEntry.objects.exists()


def test_a_flagged_language_reads_its_persian_share_with_the_persian_percent_sign(alpha):
    # given a request mostly in English that the rules let through, flagged
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="flag")
    alpha.submit("Website down", body="My website has been down since this morning.")
    # when the violations report is read on a Persian page
    page = alpha.client(alpha.agent).get("/agent/rules/violations/").content.decode()
    # then the share carries «٪», not a Latin percent sign
    share = re.search(r"غیرفارسی \(سهم فارسی ([^)]*)\)", page)
    assert share is not None
    assert share.group(1).endswith("٪") and "%" not in share.group(1)
