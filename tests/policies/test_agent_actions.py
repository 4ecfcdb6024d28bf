"""The rule actions agents take on a ticket: merge and un-merge (T-3/T-4), out of scope (T-9),
time and module installations (T-10), and the job that closes a request whose missing
information never came (T-6)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.core import clock
from pishkhan.policies.models import Violation
from pishkhan.policies.services import fine_charge, module_install_record, rule_settings_update
from pishkhan.sla.models import SlaClock
from pishkhan.tickets.models import Channel, Status
from pishkhan.tickets.services import (
    ticket_mark_out_of_scope,
    ticket_merge,
    ticket_reply,
    ticket_submit_for_contact,
    ticket_unmerge,
    ticket_update,
    time_entry_add,
)


def test_merge_closes_the_repeat_into_the_original_and_unmerge_restores_it(alpha):
    repeat = alpha.submit("دوباره: نصب ماژول")
    ticket_update(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent, status="open")

    ticket_merge(tenant=alpha.tenant, ticket=repeat, into=alpha.ticket, actor=alpha.agent)
    repeat.refresh_from_db()
    merged_state = (repeat.status, repeat.close_reason, repeat.merged_into)
    (duplicate,) = Violation.objects.for_tenant(alpha.tenant)

    ticket_unmerge(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent)
    repeat.refresh_from_db()

    assert merged_state == (Status.CLOSED, "merged", alpha.ticket)
    assert (duplicate.kind, duplicate.ticket) == ("duplicate", repeat)
    assert (repeat.status, repeat.close_reason, repeat.merged_into) == ("open", "", None)
    # The merge proved wrong: the duplicate it recorded goes with it.
    assert not Violation.objects.for_tenant(alpha.tenant).exists()


def test_unmerge_starts_the_clocks_the_merge_stopped(alpha):
    repeat = alpha.submit("دوباره: نصب ماژول")
    running = set(
        SlaClock.objects.filter(ticket=repeat, status="running").values_list("kind", flat=True)
    )
    ticket_merge(tenant=alpha.tenant, ticket=repeat, into=alpha.ticket, actor=alpha.agent)
    assert not SlaClock.objects.filter(ticket=repeat, status="running").exists()

    ticket_unmerge(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent)

    again = set(
        SlaClock.objects.filter(ticket=repeat, status="running").values_list("kind", flat=True)
    )
    assert running and again == running - {"first_response"}


def test_a_fined_duplicate_stays_on_record_after_unmerge(alpha):
    repeat = alpha.submit("دوباره: نصب ماژول")
    ticket_merge(tenant=alpha.tenant, ticket=repeat, into=alpha.ticket, actor=alpha.agent)
    (duplicate,) = Violation.objects.for_tenant(alpha.tenant)
    fine_charge(tenant=alpha.tenant, violation=duplicate, actor=alpha.owner)

    ticket_unmerge(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent)

    assert Violation.objects.for_tenant(alpha.tenant).get() == duplicate


@pytest.mark.parametrize("target", ["itself", "closed", "other tenant"])
def test_a_merge_needs_another_open_ticket_of_the_tenant(alpha, beta, target):
    repeat = alpha.submit("دوباره: نصب ماژول")
    into = {"itself": repeat, "closed": alpha.ticket, "other tenant": beta.ticket}[target]
    if target == "closed":
        ticket_update(tenant=alpha.tenant, ticket=into, actor=alpha.agent, status="closed")

    with pytest.raises(ValidationError):
        ticket_merge(tenant=alpha.tenant, ticket=repeat, into=into, actor=alpha.agent)

    repeat.refresh_from_db()
    assert repeat.merged_into is None and repeat.status == Status.NEW


def test_another_customers_ticket_is_not_merged(alpha):
    # given a colleague's request about the same fault, from a customer of their own
    other = ticket_submit_for_contact(
        tenant=alpha.tenant,
        contact={"name": "همکار", "email": "colleague@example.ir"},
        department=alpha.department,
        subject="همان مشکل ماژول",
        body="ماژول نصب نمی‌شود",
        fields={"domain": "example.ir", "server_ip": "185.8.172.10"},
        actor=alpha.agent,
        channel=Channel.PHONE,
    )
    mail.outbox.clear()

    # when an agent merges it into the first customer's ticket, it is refused: the colleague
    # would be pointed to a ticket they cannot see and never hear its answer
    with pytest.raises(ValidationError) as refused:
        ticket_merge(tenant=alpha.tenant, ticket=other, into=alpha.ticket, actor=alpha.agent)

    assert "همان مشتری" in refused.value.message_dict["into"][0]
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Status.NEW, None)
    assert not Violation.objects.for_tenant(alpha.tenant).exists()
    assert mail.outbox == []


def test_out_of_scope_ends_the_sla_and_an_answer_is_billed(alpha):
    ticket_mark_out_of_scope(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        note="مشکل از قالب وردپرس مشتری است (CMS) [002 r5].",
    )
    assert not SlaClock.objects.filter(ticket=alpha.ticket, status="running").exists()

    with pytest.raises(ValidationError) as refused:
        ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="راهنمایی")
    ticket_reply(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="راهنمایی", minutes="۴۵"
    )

    assert "minutes" in refused.value.message_dict
    (entry,) = alpha.ticket.time_entries.all()
    assert (entry.kind, entry.minutes, entry.billable) == ("extra_service", 45, True)
    # The customer may still answer without minutes: only staff answers are billed.
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.customer_user, body="ممنون")


def test_a_data_centre_visit_is_always_billable(alpha):
    entry = time_entry_add(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        minutes=120,
        kind="datacentre_visit",
        billable=False,
        note="تعویض دیسک سرور مشتری",
    )

    assert entry.billable


@pytest.mark.parametrize("minutes", [0, -3, "ده", 10**9, None])
def test_time_needs_a_sensible_number_of_minutes(alpha, minutes):
    with pytest.raises(ValidationError):
        time_entry_add(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, minutes=minutes)

    assert not alpha.ticket.time_entries.exists()


def test_the_first_installation_of_a_module_is_free_and_a_repeat_is_billable(alpha):
    service = service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.customer_user,
        kind="domain",
        identifier="example.ir",
    )
    service_verify(tenant=alpha.tenant, service=service, actor=alpha.agent, note="مدارک کامل")

    first = module_install_record(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        service=service,
        module="ماژول پرداخت",
        actor=alpha.agent,
        minutes=30,
    )
    again = module_install_record(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        service=service,
        module="ماژول  پرداخت ",
        actor=alpha.agent,
        minutes=20,
    )

    assert (first.billable, again.billable) == (False, True)
    assert [e.billable for e in alpha.ticket.time_entries.order_by("id")] == [False, True]


# --- T-6: the job that closes a request nobody completed ------------------------------------


@pytest.fixture
def stored_jobs(settings, transactional_db):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_worker_at(moment) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False)


def _phoned_without_ip(world):
    return ticket_submit_for_contact(
        tenant=world.tenant,
        contact={"name": "سارا", "email": "sara@example.ir"},
        department=world.department,
        subject="سرور مجازی پاسخ نمی‌دهد",
        body="سرور مجازی من از ساعت ۱۰ پاسخ نمی‌دهد.",
        fields={"domain": "sara.ir"},
        channel=Channel.PHONE,
        actor=world.agent,
    )


def test_an_unanswered_request_for_information_closes_the_ticket_and_says_why(alpha, stored_jobs):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, incomplete_wait_hours=48)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        ticket = _phoned_without_ip(alpha)
    run_worker_at(start)
    mail.outbox.clear()

    run_worker_at(start + timedelta(hours=47))
    ticket.refresh_from_db()
    still_waiting = ticket.status
    run_worker_at(start + timedelta(hours=48, minutes=1))
    ticket.refresh_from_db()

    assert still_waiting == Status.WAITING
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, "no_answer")
    (told,) = [m for m in mail.outbox if m.to == ["sara@example.ir"]]
    assert "بسته" in told.subject or "بسته" in told.body


def test_an_answer_in_time_keeps_the_ticket_open(alpha, stored_jobs):
    start = clock.now()
    with time_machine.travel(start, tick=False):
        ticket = _phoned_without_ip(alpha)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        from pishkhan.tickets.services import customer_message_receive

        customer_message_receive(
            tenant=alpha.tenant,
            ticket_id=ticket.pk,
            customer=ticket.customer,
            subject="Re",
            body="آی‌پی سرور: 185.8.172.20",
        )

    run_worker_at(start + timedelta(hours=80))
    ticket.refresh_from_db()

    assert ticket.status == Status.OPEN and ticket.info_requested_at is None
