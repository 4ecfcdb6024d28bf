"""The index follows tickets, thread messages and customers inside their transactions."""

import pytest
from django.db import transaction

from pishkhan.accounts.services import customer_create, customer_update
from pishkhan.search.selectors import search
from pishkhan.tickets.services import ticket_add_note, ticket_reply, ticket_update

REPLY = "سرور مجازی شما در دیتاسنتر راه اندازی شد"
NOTE = "پیگیری با واحد فروش انجام شود"


def found(world, query, kinds, **kwargs):
    return search(tenant=world.tenant, query=query, kinds=kinds, **kwargs).hits


def test_a_submitted_ticket_is_found_by_subject_body_and_field_values(alpha):
    # given the fixture's ticket (submitted through the ticket services)
    # then its subject, its request and its field values find it
    for query in ("ماژول", "رایگان", "example.ir", "185.8.172.10"):
        hits = found(alpha, query, ["ticket"])
        assert [h.object_id for h in hits] == [alpha.ticket.pk], query


def test_replies_and_notes_are_found_as_messages_of_their_ticket(alpha):
    # given an agent's reply and an internal note on the ticket
    reply = ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=REPLY)
    note = ticket_add_note(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=NOTE)
    # then each is found by its words, as a message of that ticket
    (hit,) = found(alpha, "دیتاسنتر", ["message"])
    assert (hit.object_id, hit.filters["ticket"]) == (reply.pk, str(alpha.ticket.pk))
    (hit,) = found(alpha, "واحد فروش", ["message"])
    assert (hit.object_id, hit.filters["note"]) == (note.pk, "1")
    # and the ticket's own document is not repeated for the reply's words
    assert found(alpha, "دیتاسنتر", ["ticket"]) == []


def test_a_status_change_reaches_the_ticket_and_its_messages(alpha):
    # given a reply, and then the ticket closed
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=REPLY)
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, status="closed")
    # then filtering on the new status finds both, on the old one neither
    closed = {"status": "closed"}
    assert len(found(alpha, "ماژول", ["ticket"], filters=closed)) == 1
    assert len(found(alpha, "دیتاسنتر", ["message"], filters=closed)) == 1
    assert found(alpha, "دیتاسنتر", ["message"], filters={"status": "waiting"}) == []


def test_a_reply_that_rolls_back_leaves_nothing_in_the_index(alpha):
    # given a reply whose transaction fails after it was written
    def reply_then_fail():
        with transaction.atomic():
            ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body=REPLY)
            raise RuntimeError("a later step of the request failed")

    with pytest.raises(RuntimeError):
        reply_then_fail()
    # then its words find nothing
    assert found(alpha, "دیتاسنتر", ["message", "ticket"]) == []


def test_customers_are_found_by_name_email_and_phone_as_typed(alpha):
    # given a customer created by an agent, with a mobile number
    customer = customer_create(
        tenant=alpha.tenant,
        actor=alpha.agent,
        name="مریم کاظمی",
        email="maryam.kazemi@example.ir",
        phone="09121234567",
    )
    # then the name in Arabic letters, the email and the number in every usual form find her
    for query in (
        "مريم",
        "maryam.kazemi@example.ir",
        "kazemi",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "+989121234567",
        "0912 123 4567",
        "9121234567",
    ):
        assert [h.object_id for h in found(alpha, query, ["customer"])] == [customer.pk], query


def test_a_customer_edit_replaces_what_finds_them(alpha):
    customer_update(
        tenant=alpha.tenant,
        actor=alpha.agent,
        customer=alpha.customer,
        fields={"email": "new.address@example.ir"},
    )
    assert [h.object_id for h in found(alpha, "new.address", ["customer"])] == [alpha.customer.pk]
    assert found(alpha, "customer@alpha.example", ["customer"]) == []


def test_a_phone_number_in_a_message_is_found_however_it_is_typed(alpha):
    # given a reply that mentions a mobile number
    ticket_reply(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        body="با شماره ۰۹۳۵۱۱۱۲۲۳۳ تماس بگیرید",
    )
    # then the number in international or local form finds it
    for query in ("+989351112233", "09351112233", "0935 111 2233"):
        assert len(found(alpha, query, ["message"])) == 1, query


def test_a_customer_who_signs_up_is_found(alpha):
    from pishkhan.accounts.services import customer_signup

    # given a customer who opened a portal account
    customer_signup(
        tenant=alpha.tenant,
        name="نیلوفر صدری",
        email="niloofar@example.ir",
        password="Sadri-1405!x",
    )
    # then their name finds them at once
    hits = found(alpha, "نیلوفر", ["customer"])
    assert [h.title for h in hits] == ["نیلوفر صدری"]


def _phoned_without_the_ip(world):
    from pishkhan.tickets.models import Channel
    from pishkhan.tickets.services import ticket_submit_for_contact

    return ticket_submit_for_contact(
        tenant=world.tenant,
        contact={"email": world.customer.email},
        department=world.department,
        subject="سرور مجازی پاسخ نمی‌دهد",
        body="سرور مجازی من از ساعت ۱۰ پاسخ نمی‌دهد.",
        fields={"domain": "sara.ir"},
        channel=Channel.PHONE,
        actor=world.agent,
    )


def test_information_filled_in_later_finds_the_ticket(alpha):
    # given a phoned request without its server's address
    ticket = _phoned_without_the_ip(alpha)
    assert found(alpha, "185.8.172.99", ["ticket"]) == []
    # when an agent fills it in
    ticket_update(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.agent,
        fields={"domain": "sara.ir", "server_ip": "185.8.172.99"},
    )
    # then the address finds the ticket, and so do its request's words still
    assert [h.object_id for h in found(alpha, "185.8.172.99", ["ticket"])] == [ticket.pk]
    assert ticket.pk in [h.object_id for h in found(alpha, "پاسخ نمی‌دهد", ["ticket"])]


def test_information_the_customer_gives_in_a_reply_finds_the_ticket(alpha):
    ticket = _phoned_without_the_ip(alpha)
    ticket_reply(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.customer_user,
        body="این هم آی‌پی سرور",
        fields={"server_ip": "185.8.172.98"},
    )
    assert [h.object_id for h in found(alpha, "185.8.172.98", ["ticket"])] == [ticket.pk]
