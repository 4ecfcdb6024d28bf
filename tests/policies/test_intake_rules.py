"""The support rules (T-4 … T-12) through the one intake path, channel by channel. Each test
submits through `ticket_submit` (what the portal, the API, mail and phone all call) and looks
at what a customer and an agent would see: a refusal and why, a ticket, a violation."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.core import clock
from pishkhan.core.persian import to_persian_digits
from pishkhan.policies.models import Violation
from pishkhan.policies.services import (
    department_rules_update,
    fine_charge,
    fine_mark_paid,
    fine_waive,
    rule_settings_update,
)
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Channel, Status, Ticket
from pishkhan.tickets.services import (
    customer_message_receive,
    ticket_reply,
    ticket_submit_for_contact,
    ticket_update,
)
from pishkhan.trust.models import AuditEvent
from tests.conftest import GOOD_FIELDS

# Two wordings of one request, and a different request about the same domain [002 r15-16].
SITE_DOWN = (
    "سایت example.ir از دسترس خارج شده",
    "سلام، از صبح امروز سایت example.ir باز نمی‌شود و خطای ۵۰۳ می‌دهد. لطفاً بررسی کنید.",
)
SITE_DOWN_AGAIN = (
    "باز نشدن وب‌سایت example.ir",
    "با سلام. وبسایت example.ir از امروز صبح بالا نمیاد و ارور 503 میده. لطفا رسیدگی کنید.",
)
MAIL_PROBLEM = (
    "ایمیل‌های دامنه example.ir دریافت نمی‌شود",
    "سلام، از دیروز هیچ ایمیلی به صندوق info@example.ir نمی‌رسد ولی ارسال درست کار می‌کند.",
)


@pytest.fixture
def strict(alpha):
    """alpha with the seeds' rules, duplicates included (tests/conftest.py turns that off)."""
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, duplicates="block")
    return alpha


def violations(world, **filters):
    return list(Violation.objects.for_tenant(world.tenant).filter(**filters))


# --- T-4 duplicates ---------------------------------------------------------------------------


def test_a_reworded_request_is_refused_with_the_open_ticket_it_repeats(strict):
    first = strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])
    before = Ticket.objects.count()

    with pytest.raises(PolicyRefusal) as refused:
        strict.submit(SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1])

    assert refused.value.code == "duplicate_request"
    assert refused.value.status == 409
    assert refused.value.detail["ticket"]["number"] == first.number
    assert f"#{first.number}" in refused.value.message_en
    assert "#" + "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in str(first.number)) in (
        refused.value.message_fa
    )
    assert Ticket.objects.count() == before
    # Being shown the existing ticket is not yet a violation: the customer may comply.
    assert violations(strict) == []


def test_a_different_request_about_the_same_domain_is_accepted(strict):
    strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])

    ticket = strict.submit(MAIL_PROBLEM[0], body=MAIL_PROBLEM[1])

    assert ticket.duplicate_of is None


def test_a_customer_who_explains_the_difference_is_believed_and_agents_see_the_match(strict):
    first = strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])

    ticket = strict.submit(
        SITE_DOWN_AGAIN[0],
        body=SITE_DOWN_AGAIN[1],
        different_reason="این مورد مربوط به سرور دوم است، نه سرور اصلی.",
    )

    assert ticket.duplicate_of == first
    assert ticket.different_reason.startswith("این مورد")
    assert violations(strict) == []


def test_a_closed_ticket_is_not_a_duplicate_candidate(strict):
    first = strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])
    ticket_update(tenant=strict.tenant, ticket=first, actor=strict.agent, status="closed")

    assert strict.submit(SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1]).pk != first.pk


def test_flag_mode_accepts_the_duplicate_and_records_it(strict):
    rule_settings_update(tenant=strict.tenant, actor=strict.owner, duplicates="flag")
    first = strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])

    ticket = strict.submit(SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1])

    assert ticket.duplicate_of == first
    (violation,) = violations(strict)
    assert (violation.kind, violation.ticket, violation.refused) == ("duplicate", ticket, False)
    assert violation.detail["of"] == first.number


def test_a_department_can_switch_duplicates_off(strict):
    department_rules_update(
        tenant=strict.tenant, department=strict.department, actor=strict.owner, duplicates="off"
    )
    strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])

    assert strict.submit(SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1]).duplicate_of is None


def test_a_mailed_duplicate_becomes_a_reply_on_the_open_ticket(strict):
    first = strict.submit(SITE_DOWN[0], body=SITE_DOWN[1])
    before = Ticket.objects.count()

    held_by = strict.submit(
        SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1], channel=Channel.EMAIL, actor=None
    )

    assert held_by == first
    assert Ticket.objects.count() == before
    last = first.messages.order_by("-created_at", "-id").first()
    assert "بالا نمیاد" in last.body
    assert last.author_customer == strict.customer
    (violation,) = violations(strict)
    assert (violation.kind, violation.ticket) == ("duplicate", first)


def test_other_customers_tickets_are_never_duplicates(strict, beta):
    other = ticket_submit_for_contact(
        tenant=strict.tenant,
        contact={"name": "مریم", "email": "maryam@example.ir"},
        department=strict.department,
        subject=SITE_DOWN[0],
        body=SITE_DOWN[1],
        fields=GOOD_FIELDS,
        actor=strict.agent,
        channel=Channel.PHONE,
    )

    mine = strict.submit(SITE_DOWN_AGAIN[0], body=SITE_DOWN_AGAIN[1])

    assert mine.duplicate_of is None and other.customer != mine.customer


# --- T-5 no reopen ----------------------------------------------------------------------------


def test_a_customer_reply_on_a_closed_ticket_is_refused_and_recorded(alpha):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed")

    with pytest.raises(PolicyRefusal) as refused:
        ticket_reply(
            tenant=alpha.tenant,
            ticket=alpha.ticket,
            actor=alpha.customer_user,
            body="هنوز مشکل دارم",
        )

    assert refused.value.code == "ticket_closed"
    assert alpha.ticket.messages.filter(body="هنوز مشکل دارم").count() == 0
    (violation,) = violations(alpha)
    assert (violation.kind, violation.ticket, violation.refused) == ("reopen", alpha.ticket, True)


def test_a_follow_up_links_to_the_closed_ticket(alpha):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed")

    follow_up = alpha.submit("پیگیری: نصب ماژول", follow_up_of=alpha.ticket)

    assert follow_up.follow_up_of == alpha.ticket
    assert list(alpha.ticket.follow_ups.all()) == [follow_up]
    assert violations(alpha) == []


def test_an_open_ticket_cannot_be_followed_up(alpha):
    with pytest.raises(ValidationError) as refused:
        alpha.submit("پیگیری", follow_up_of=alpha.ticket)

    assert "follow_up_of" in refused.value.message_dict


def test_a_mailed_reply_to_a_closed_ticket_opens_a_linked_ticket_and_explains(
    alpha, django_capture_on_commit_callbacks
):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        holder, message = customer_message_receive(
            tenant=alpha.tenant,
            ticket_id=alpha.ticket.pk,
            customer=alpha.customer,
            subject="Re: " + alpha.ticket.subject,
            body="ماژول دوباره از کار افتاده است.",
        )

    assert message is None and holder.follow_up_of == alpha.ticket
    assert holder.channel == "email"
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == Status.CLOSED
    (violation,) = violations(alpha)
    assert (violation.kind, violation.ticket) == ("reopen", alpha.ticket)
    number = to_persian_digits(str(holder.number))
    explained = [m for m in mail.outbox if "بسته" in m.body and f"#{number}" in m.subject]
    assert explained, [m.subject for m in mail.outbox]


# --- T-6 incomplete requests ------------------------------------------------------------------


def test_a_phoned_request_without_required_fields_waits_for_them(
    alpha, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_submit_for_contact(
            tenant=alpha.tenant,
            contact={"name": "سارا", "email": "sara@example.ir"},
            department=alpha.department,
            subject="سرور مجازی پاسخ نمی‌دهد",
            body="سرور مجازی من از ساعت ۱۰ پاسخ نمی‌دهد.",
            fields={"domain": "sara.ir"},
            channel=Channel.PHONE,
            actor=alpha.agent,
        )

    assert ticket.status == Status.WAITING
    assert ticket.missing_fields == ["server_ip"]
    (violation,) = violations(alpha)
    assert violation.kind == "incomplete" and violation.detail["missing"] == ["server_ip"]
    asked = [m for m in mail.outbox if "آی‌پی سرور" in m.body]
    assert asked and asked[0].to == ["sara@example.ir"]


def test_the_portal_still_refuses_a_request_without_required_fields(alpha):
    with pytest.raises(ValidationError) as refused:
        alpha.submit("بدون آی‌پی", fields={"domain": "example.ir"})

    assert "fields.server_ip" in refused.value.message_dict


def test_an_agent_closes_a_request_with_wrong_information_and_the_customer_reads_why(
    alpha, django_capture_on_commit_callbacks
):
    from pishkhan.tickets.services import ticket_close_with_reason

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_close_with_reason(
            tenant=alpha.tenant,
            ticket=alpha.ticket,
            actor=alpha.agent,
            reason="wrong_information",
            note="آی‌پی سرور اعلام‌شده متعلق به شما نیست.",
        )

    alpha.ticket.refresh_from_db()
    assert (alpha.ticket.status, alpha.ticket.close_reason) == (Status.CLOSED, "wrong_information")
    (told,) = [m for m in mail.outbox if m.to == [alpha.customer.email]]
    assert "آی‌پی سرور اعلام‌شده متعلق به شما نیست." in told.body
    assert violations(alpha)[0].kind == "incomplete"


# --- T-7 Persian only -------------------------------------------------------------------------


def test_an_english_request_is_refused_in_both_languages_and_recorded(alpha):
    before = Ticket.objects.count()

    with pytest.raises(PolicyRefusal) as refused:
        alpha.submit("Website down", body="Hello, my website has been down since this morning.")

    assert refused.value.code == "not_persian" and refused.value.status == 422
    assert "فارسی" in refused.value.message_fa and "Persian" in refused.value.message_en
    assert Ticket.objects.count() == before
    (violation,) = violations(alpha)
    assert (violation.kind, violation.refused, violation.ticket) == ("not_persian", True, None)


def test_persian_with_addresses_logs_and_product_names_is_accepted(alpha):
    ticket = alpha.submit(
        "خطای WordPress روی cPanel",
        body=(
            "سلام، بعد از به‌روزرسانی PHP 8.1 سایت https://example.ir/wp-admin خطا می‌دهد:\n"
            "[error] 1234#0: *5 FastCGI sent in stderr: PHP Fatal error: Uncaught Error\n"
            "آی‌پی سرور 185.8.172.10 است. لطفاً بررسی کنید."
        ),
    )

    assert ticket.pk


def test_a_department_may_accept_other_languages(alpha):
    department_rules_update(
        tenant=alpha.tenant, department=alpha.department, actor=alpha.owner, persian_only="off"
    )

    assert alpha.submit("Website down", body="My website has been down since this morning.").pk


def test_flagged_language_is_accepted_and_recorded_on_the_ticket(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="flag")

    ticket = alpha.submit("Website down", body="My website has been down since this morning.")

    (violation,) = violations(alpha)
    assert (violation.kind, violation.ticket, violation.refused) == ("not_persian", ticket, False)


def test_a_refused_first_contact_leaves_no_customer_and_no_violation(alpha):
    from pishkhan.accounts.models import Customer

    before = Customer.objects.count()
    with pytest.raises(PolicyRefusal):
        ticket_submit_for_contact(
            tenant=alpha.tenant,
            contact={"name": "John", "email": "john@example.com"},
            department=alpha.department,
            subject="Server down",
            body="Our server is not responding since the morning.",
            fields=GOOD_FIELDS,
            actor=alpha.agent,
        )

    assert Customer.objects.count() == before
    assert violations(alpha) == []


# --- T-8 ownership ----------------------------------------------------------------------------


def _verified(world, customer, user, identifier="example.ir"):
    service = service_register(
        tenant=world.tenant, customer=customer, actor=user, kind="domain", identifier=identifier
    )
    return service_verify(
        tenant=world.tenant, service=service, actor=world.agent, note="کارت ملی و ایمیل مالک دامنه"
    )


def test_a_ticket_about_another_customers_verified_domain_is_refused(alpha):
    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.services import customer_create

    owner = customer_create(tenant=alpha.tenant, actor=alpha.agent, name="مالک", email="o@x.ir")
    _verified(alpha, owner, alpha.agent, "shop.ir")

    with pytest.raises(PolicyRefusal) as refused:
        alpha.submit("فروشگاه باز نمی‌شود", fields={**GOOD_FIELDS, "domain": "shop.ir"})

    assert refused.value.code == "not_service_owner" and refused.value.status == 403
    assert "shop.ir" in refused.value.message_fa
    assert Customer.objects.get(pk=owner.pk).tickets.count() == 0


def test_the_verified_owner_gets_support_and_the_ticket_names_the_service(alpha):
    service = _verified(alpha, alpha.customer, alpha.customer_user, "example.ir")

    ticket = alpha.submit("گواهی SSL منقضی شده")

    assert ticket.service == service


def test_an_unverified_claim_is_not_enough(alpha):
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.customer_user,
        kind="hosting",
        identifier="plan-gold-42",
    )

    with pytest.raises(PolicyRefusal) as refused:
        alpha.submit("افزایش فضای هاست", service=service)

    assert refused.value.code == "service_unverified"


def test_a_department_that_requires_a_service_asks_for_one(alpha):
    department_rules_update(
        tenant=alpha.tenant, department=alpha.department, actor=alpha.owner, service_required=True
    )

    with pytest.raises(ValidationError) as refused:
        alpha.submit("افزایش فضای هاست")

    assert "service" in refused.value.message_dict


def test_only_a_tenants_portal_admin_may_open_tickets_at_the_operators_desk(alpha, beta):
    from pishkhan.accounts.models import Customer
    from pishkhan.accounts.services import customer_create

    alpha.tenant.is_operator_desk = True
    alpha.tenant.save(update_fields=["is_operator_desk"])
    # beta's owner and beta's agent both write to the operator (alpha) as its customers.
    as_owner = customer_create(tenant=alpha.tenant, actor=alpha.agent, name="owner beta")
    as_agent = customer_create(tenant=alpha.tenant, actor=alpha.agent, name="agent beta")
    Customer.objects.filter(pk=as_owner.pk).update(user=beta.owner)
    Customer.objects.filter(pk=as_agent.pk).update(user=beta.agent)
    as_owner.refresh_from_db()
    as_agent.refresh_from_db()

    ticket = alpha.submit("تمدید اشتراک", customer=as_owner, actor=alpha.agent)
    with pytest.raises(PolicyRefusal) as refused:
        alpha.submit("تمدید اشتراک", customer=as_agent, actor=alpha.agent)

    assert ticket.pk and refused.value.code == "not_portal_admin"


# --- T-12 violations and fines ----------------------------------------------------------------


def test_an_agent_lowering_the_priority_with_a_reason_records_it(alpha):
    ticket = alpha.submit("قطع کامل سرور", priority="urgent")

    ticket_update(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.agent,
        priority="normal",
        reason="سرور در دسترس است؛ فقط یک صفحه کند است.",
    )

    (violation,) = violations(alpha)
    assert violation.kind == "wrong_priority" and violation.actor == alpha.agent
    assert violation.detail == {
        "from": "urgent",
        "to": "normal",
        "reason": "سرور در دسترس است؛ فقط یک صفحه کند است.",
    }


def test_raising_a_priority_or_lowering_without_a_reason_records_nothing(alpha):
    ticket = alpha.submit("کندی سایت", priority="normal")
    ticket_update(
        tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, priority="urgent", reason="جدی است"
    )
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, priority="normal")

    assert violations(alpha) == []


def _fined(world, **kwargs):
    with pytest.raises(PolicyRefusal):
        world.submit("Website down", body="My website has been down since this morning.")
    (violation,) = violations(world)
    return fine_charge(tenant=world.tenant, violation=violation, actor=world.owner, **kwargs)


def test_a_fine_uses_the_tenants_amount_and_exact_decimals(alpha):
    rule_settings_update(
        tenant=alpha.tenant, actor=alpha.owner, fine_currency="USD", fine_not_persian="12.50"
    )

    fine = _fined(alpha)

    fine.refresh_from_db()
    assert (fine.amount, fine.currency) == (Decimal("12.50"), "USD")
    assert fine.customer == alpha.customer


def test_toman_fines_are_whole_and_a_violation_is_fined_once(alpha):
    with pytest.raises(ValidationError):
        _fined(alpha, amount="1500.5")
    (violation,) = violations(alpha)
    fine_charge(tenant=alpha.tenant, violation=violation, actor=alpha.owner, amount="۱۵۰٬۰۰۰")

    with pytest.raises(ValidationError) as again:
        fine_charge(tenant=alpha.tenant, violation=violation, actor=alpha.owner)

    assert again.value.code == "already_fined"
    assert Violation.objects.get(pk=violation.pk).fine.amount == Decimal("150000")


def test_an_agent_cannot_charge_a_fine(alpha):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _fined_by(alpha, alpha.agent)


def _fined_by(world, user):
    with pytest.raises(PolicyRefusal):
        world.submit("Website down", body="My website has been down since this morning.")
    (violation,) = violations(world)
    return fine_charge(tenant=world.tenant, violation=violation, actor=user)


def test_an_overdue_fine_suspends_new_tickets_until_paid_and_nothing_else(alpha):
    fine = _fined(alpha, due_days=3)
    open_ticket = alpha.ticket

    with time_machine.travel(clock.now() + timedelta(days=4)):
        with pytest.raises(PolicyRefusal) as refused:
            alpha.submit("درخواست تازه")
        # Their open ticket is untouched: they can still write on it.
        ticket_reply(
            tenant=alpha.tenant, ticket=open_ticket, actor=alpha.customer_user, body="پیگیری"
        )
        fine_mark_paid(tenant=alpha.tenant, fine=fine, actor=alpha.owner, note="واریز شد")
        after = alpha.submit("درخواست تازه")

    assert refused.value.code == "fine_overdue" and refused.value.status == 403
    assert refused.value.detail["fine"] == fine.pk
    assert "۱۰۰٬۰۰۰ تومان" in refused.value.message_fa
    assert after.pk


def test_a_fine_not_yet_due_or_waived_does_not_suspend(alpha):
    fine = _fined(alpha, due_days=3)
    assert alpha.submit("پیش از سررسید").pk

    with time_machine.travel(clock.now() + timedelta(days=4)):
        fine_waive(tenant=alpha.tenant, fine=fine, actor=alpha.owner, note="بار اول")
        assert alpha.submit("پس از بخشودگی").pk


def test_suspension_can_be_switched_off(alpha):
    _fined(alpha, due_days=1)
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, suspend_on_unpaid_fine=False)

    with time_machine.travel(clock.now() + timedelta(days=2)):
        assert alpha.submit("درخواست تازه").pk


def test_settings_refuse_bad_values_and_change_nothing(alpha):
    with pytest.raises(ValidationError) as refused:
        rule_settings_update(
            tenant=alpha.tenant,
            actor=alpha.owner,
            duplicates="sometimes",
            fine_reopen="-5",
            incomplete_wait_hours="0",
        )

    assert set(refused.value.message_dict) == {"duplicates", "fine_reopen", "incomplete_wait_hours"}
    from pishkhan.policies.selectors import rule_settings_get

    rules = rule_settings_get(tenant=alpha.tenant)
    assert (rules.duplicates, rules.incomplete_wait_hours) == ("off", 72)


def test_the_customer_supplies_the_missing_field_in_the_portal(alpha):
    from pishkhan.accounts.services import customer_signup

    user = customer_signup(
        tenant=alpha.tenant, name="سارا", email="sara@example.ir", password="correct-horse-1405"
    )
    ticket = ticket_submit_for_contact(
        tenant=alpha.tenant,
        contact={"email": "sara@example.ir"},
        department=alpha.department,
        subject="سرور مجازی پاسخ نمی‌دهد",
        body="سرور مجازی من از ساعت ۱۰ پاسخ نمی‌دهد.",
        fields={"domain": "sara.ir"},
        channel=Channel.PHONE,
        actor=alpha.agent,
    )
    page = alpha.client(user)

    wrong = page.post(
        f"/tickets/{ticket.number}/", {"body": "آی‌پی را نوشتم", "field_server_ip": "نمی‌دانم"}
    )
    ticket.refresh_from_db()
    unchanged = (ticket.missing_fields, ticket.messages.filter(kind="reply").count())
    page.post(f"/tickets/{ticket.number}/", {"body": "این هم آی‌پی", "field_server_ip": "۱۰.۰.۰.۷"})
    ticket.refresh_from_db()

    assert wrong.status_code == 200 and unchanged == (["server_ip"], 1)
    assert ticket.missing_fields == [] and ticket.fields["server_ip"] == "10.0.0.7"
    assert ticket.info_requested_at is None and ticket.status == Status.OPEN


def _phoned_without_ip(alpha):
    return ticket_submit_for_contact(
        tenant=alpha.tenant,
        contact={"name": "سارا", "email": "sara@example.ir"},
        department=alpha.department,
        subject="سرور مجازی پاسخ نمی‌دهد",
        body="سرور مجازی من از ساعت ۱۰ پاسخ نمی‌دهد.",
        fields={"domain": "sara.ir"},
        channel=Channel.PHONE,
        actor=alpha.agent,
    )


def test_an_agent_fills_in_what_a_phoned_request_lacked(alpha):
    # given a phoned request waiting for its server address
    ticket = _phoned_without_ip(alpha)
    assert ticket.info_requested_at is not None

    # when the agent enters the address the customer gave on the phone, in Persian digits
    ticket_update(
        tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, fields={"server_ip": "۱۰.۰.۰.۷"}
    )

    # then nothing is missing, nothing is awaited, the earlier value is kept, and it is audited
    ticket.refresh_from_db()
    assert ticket.fields == {"domain": "sara.ir", "server_ip": "10.0.0.7"}
    assert ticket.missing_fields == [] and ticket.info_requested_at is None
    assert AuditEvent.objects.filter(
        tenant=alpha.tenant, action="ticket.update", changes__has_key="fields"
    ).exists()


def test_a_wrong_value_from_an_agent_changes_nothing(alpha):
    ticket = _phoned_without_ip(alpha)
    before = (ticket.fields, ticket.missing_fields, ticket.info_requested_at)

    with pytest.raises(ValidationError) as refused:
        ticket_update(
            tenant=alpha.tenant,
            ticket=ticket,
            actor=alpha.agent,
            fields={"server_ip": "نمی‌دانم", "colour": "آبی"},
        )

    assert {"fields.server_ip", "fields.colour"} <= set(refused.value.message_dict)
    ticket.refresh_from_db()
    assert (ticket.fields, ticket.missing_fields, ticket.info_requested_at) == before


def test_the_agent_page_and_the_api_fill_in_fields(alpha):
    ticket = _phoned_without_ip(alpha)
    page = alpha.client(alpha.agent)

    # the page shows the form open, since information is missing
    shown = page.get(f"/agent/tickets/{ticket.number}/")
    assert 'id="ticket-fields" open' in shown.content.decode()
    refused = page.post(
        f"/agent/tickets/{ticket.number}/fields/",
        {"field_domain": "sara.ir", "field_server_ip": "x"},
    )
    assert refused.status_code == 400 and "field-error" in refused.content.decode()
    page.post(
        f"/agent/tickets/{ticket.number}/fields/",
        {"field_domain": "sara.ir", "field_server_ip": "10.0.0.7"},
    )
    ticket.refresh_from_db()
    assert ticket.missing_fields == [] and ticket.fields["server_ip"] == "10.0.0.7"

    # and through the API a value is corrected
    response = alpha.api().patch(
        f"/api/v1/tickets/{ticket.number}",
        data={"fields": {"server_ip": "10.0.0.8"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["fields"]["server_ip"] == "10.0.0.8"
