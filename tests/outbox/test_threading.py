"""Which ticket a customer's mail answers: by the Message-IDs it quotes (only ever within the
tenant that received it), else by the `[#number]` in its subject, in any digits."""

import pytest

from pishkhan.outbox.models import ThreadId
from pishkhan.outbox.selectors import thread_ticket_id
from pishkhan.outbox.services import thread_id_record
from pishkhan.outbox.threading import parse_subject_reference, subject_reference


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[#12] تیکت #۱۲: سرور پاسخ نمی‌دهد", 12),
        ("پاسخ: [#۱۲] سرور پاسخ نمی‌دهد", 12),
        ("RE: [#١٢] Server down", 12),
        ("Re: [# 7 ] Fwd: [#5] the older one", 7),
        ("تیکت #۱۲ بدون کروشه", None),
        ("[#0] nothing", None),
        ("", None),
    ],
)
def test_the_ticket_reference_is_read_in_any_digits(subject, number):
    assert parse_subject_reference(subject) == number


def test_the_reference_is_written_in_ascii_digits():
    assert subject_reference(1405) == "[#1405]"
    assert parse_subject_reference(subject_reference(1405)) == 1405


def test_one_message_id_in_two_tenants_leads_to_each_tenants_own_ticket(alpha, beta):
    # One mail sent to both desks: each recorded it on its own ticket.
    shared = "<CAF3x+shared-1405@mail.gmail.com>"
    thread_id_record(tenant=alpha.tenant, ticket_id=alpha.ticket.pk, message_id=shared)
    thread_id_record(tenant=beta.tenant, ticket_id=beta.ticket.pk, message_id=shared)

    assert thread_ticket_id(tenant=alpha.tenant, message_ids=[shared]) == alpha.ticket.pk
    assert thread_ticket_id(tenant=beta.tenant, message_ids=[shared]) == beta.ticket.pk


def test_another_tenants_message_id_finds_nothing(alpha, beta):
    thread_id_record(tenant=beta.tenant, ticket_id=beta.ticket.pk, message_id="only-beta@x.ir")

    assert thread_ticket_id(tenant=alpha.tenant, message_ids=["only-beta@x.ir"]) is None


def test_the_most_direct_answer_wins(alpha):
    other = alpha.submit("درخواست دیگر")
    thread_id_record(tenant=alpha.tenant, ticket_id=alpha.ticket.pk, message_id="old@pishkhan")
    thread_id_record(tenant=alpha.tenant, ticket_id=other.pk, message_id="new@pishkhan")

    # In-Reply-To first, then References newest first (the caller's order).
    ids = ["<new@pishkhan>", "unknown@client", "old@pishkhan"]
    assert thread_ticket_id(tenant=alpha.tenant, message_ids=ids) == other.pk
    assert thread_ticket_id(tenant=alpha.tenant, message_ids=["nobody@x", ""]) is None
    assert thread_ticket_id(tenant=alpha.tenant, message_ids=[]) is None


def test_recording_a_message_id_twice_keeps_its_first_ticket(alpha):
    other = alpha.submit("درخواست دیگر")
    thread_id_record(tenant=alpha.tenant, ticket_id=alpha.ticket.pk, message_id="<a@b>")
    thread_id_record(tenant=alpha.tenant, ticket_id=other.pk, message_id="a@b")

    rows = ThreadId.objects.filter(tenant=alpha.tenant, message_id="a@b")
    assert [row.ticket_id for row in rows] == [alpha.ticket.pk]
    assert thread_ticket_id(tenant=alpha.tenant, message_ids=["a@b"]) == alpha.ticket.pk
    # an id that cannot be stored is skipped
    thread_id_record(tenant=alpha.tenant, ticket_id=other.pk, message_id="<>")
    assert not ThreadId.objects.filter(tenant=alpha.tenant, message_id="").exists()
