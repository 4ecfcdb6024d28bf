"""The customer meets the support rules in the portal (T-4 … T-12): a duplicate is shown with
the ticket it repeats, a closed ticket leads to a follow-up, a refusal keeps what was typed and
says what to do, and the customer's services and fines have their own pages."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from pishkhan.accounts.models import Customer, OwnedService
from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.accounts.services import customer_signup
from pishkhan.core import clock
from pishkhan.policies import messages as rule_messages
from pishkhan.policies.models import Fine, Violation, ViolationKind
from pishkhan.policies.services import (
    department_rules_update,
    fine_charge,
    rule_settings_update,
)
from pishkhan.tickets.models import CloseReason, Message, Ticket
from pishkhan.tickets.services import ticket_close_with_reason, ticket_submit, ticket_update
from tests.conftest import GOOD_FIELDS, PASSWORD, SEED_BODY, SEED_SUBJECT

# Other requests of the seed's support policy (002), each unlike the fixture's ticket.
DATACENTRE_SUBJECT = "هزینه ایاب و ذهاب به دیتاسنتر"
DATACENTRE_BODY = (
    "اگر به دلیل مشکل سرور مشتری ، تنکنسین ها و یا کارمندان شرکت ناگذیر شوند برای رفع مشکل "
    "به دیتاسنتر مراجعه نمایند هزینه ایاب و ذهاب به عهده مشتری می باشد"
)
CMS_SUBJECT = "پشتیبانی سیستم مدیریت محتوا"
CMS_BODY = (
    "هیچ گونه پشتیبانی بابت مشکلات سیستم های مدیریت محتوا و مشکلات موجود در سایت یا سرور "
    "مشتریان ارائه نمی شود و شرکت هیچ تعهدی در قبال حل این گونه مشکلات ندارد"
)
INCOMPLETE_BODY = (
    "کلیه مشتریان موظف می باشند در هنگام ارسال تیکت ، اطلاعات درخواستی مرتبط به هر واحد را "
    "به صورت دقیق و صحیح تکمیل نمایند"
)
REASON = "این درخواست مربوط به سرور دوم است و ربطی به ماژول ندارد"


def _request(world, **overrides) -> dict:
    data = {
        "department": world.department.pk,
        "subject": DATACENTRE_SUBJECT,
        "body": DATACENTRE_BODY,
        "priority": "normal",
        "field_domain": GOOD_FIELDS["domain"],
        "field_server_ip": GOOD_FIELDS["server_ip"],
    }
    data.update(overrides)
    return data


def _counts():
    return Ticket.objects.count(), Message.objects.count()


def _in_persian(text) -> str:
    with translation.override("fa"):
        return str(text)


def _other_customer(world, email="maryam@example.ir"):
    user = customer_signup(tenant=world.tenant, name="مریم", email=email, password=PASSWORD)
    return user, Customer.objects.get(user=user)


def _fine(world, *, customer=None, ticket=None, due_days=7):
    violation = Violation.objects.create(
        tenant=world.tenant,
        customer=customer or world.customer,
        ticket=ticket,
        kind=ViolationKind.DUPLICATE,
        created_at=clock.now(),
    )
    return fine_charge(
        tenant=world.tenant, violation=violation, actor=world.owner, due_days=due_days
    )


# --- T-4 duplicates --------------------------------------------------------------------------


@pytest.fixture
def refuse_duplicates(alpha):
    # The shared fixture files several requests with one text and so turns the rule off.
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, duplicates="block")
    return alpha


@pytest.mark.usefixtures("refuse_duplicates")
def test_duplicate_is_shown_with_the_open_ticket_and_nothing_is_created(alpha):
    # given the customer's open ticket about the seed's module support
    before = _counts()
    # when they submit the same request again
    response = alpha.client(alpha.customer_user).post(
        "/tickets/new/", _request(alpha, subject=SEED_SUBJECT, body=SEED_BODY)
    )
    # then the form comes back with everything typed and a panel naming the open ticket
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="duplicate-title"' in page
    assert f"«{SEED_SUBJECT}»" in page
    assert f'action="/tickets/{alpha.ticket.number}/"' in page
    assert f'value="{SEED_SUBJECT}"' in page and SEED_BODY in page
    assert 'name="different_reason" form="new-ticket-form"' in page
    assert _counts() == before


@pytest.mark.usefixtures("refuse_duplicates")
def test_duplicate_text_is_added_to_the_open_ticket_from_the_panel(alpha):
    client = alpha.client(alpha.customer_user)
    page = client.post(
        "/tickets/new/", _request(alpha, subject=SEED_SUBJECT, body=SEED_BODY)
    ).content.decode()
    # when the customer takes the panel's "add my message there" button
    action, body = re.search(
        r'<form class="stack" method="post" action="([^"]+)".*?name="body" value="([^"]*)"',
        page,
        re.S,
    ).groups()
    response = client.post(action, {"body": html.unescape(body)})
    # then the text is a new message on the open ticket, and no ticket was opened
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{alpha.ticket.number}/"
    assert Ticket.objects.filter(tenant=alpha.tenant).count() == 1
    added = alpha.ticket.messages.order_by("-id").first()
    assert SEED_BODY in added.body and added.author_customer == alpha.customer


@pytest.mark.usefixtures("refuse_duplicates")
def test_a_reason_for_a_different_request_creates_the_ticket(alpha):
    response = alpha.client(alpha.customer_user).post(
        "/tickets/new/",
        _request(alpha, subject=SEED_SUBJECT, body=SEED_BODY, different_reason=REASON),
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(tenant=alpha.tenant, number=alpha.ticket.number + 1)
    assert response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.duplicate_of == alpha.ticket and ticket.different_reason == REASON


# --- T-5 closed tickets and follow-ups ----------------------------------------------------


def _close(world):
    ticket_update(tenant=world.tenant, ticket=world.ticket, actor=world.agent, status="closed")
    world.ticket.refresh_from_db()


def test_closed_ticket_offers_a_follow_up_and_no_reply_form(alpha):
    _close(alpha)
    page = alpha.client(alpha.customer_user).get(f"/tickets/{alpha.ticket.number}/")
    content = page.content.decode()
    assert f'href="/tickets/new/?follow_up={alpha.ticket.number}"' in content
    assert 'name="body"' not in content


def test_reply_posted_to_a_closed_ticket_is_refused_and_adds_nothing(alpha):
    _close(alpha)
    before = _counts()
    response = alpha.client(alpha.customer_user).post(
        f"/tickets/{alpha.ticket.number}/", {"body": "هنوز مشکل دارم"}
    )
    assert response.status_code == 200 and b"alert-error" in response.content
    assert f"?follow_up={alpha.ticket.number}".encode() in response.content
    assert _counts() == before
    # the attempt itself is what the rules keep (T-12)
    assert Violation.objects.filter(ticket=alpha.ticket, kind="reopen", refused=True).exists()


def test_follow_up_form_is_prefilled_and_creates_a_linked_ticket(alpha):
    _close(alpha)
    client = alpha.client(alpha.customer_user)
    # given the follow-up button's form: the closed ticket's department and subject
    form = client.get(f"/tickets/new/?follow_up={alpha.ticket.number}").content.decode()
    assert f'value="پیگیری: {SEED_SUBJECT}"' in form
    assert f'name="follow_up" value="{alpha.ticket.number}"' in form
    assert f'href="/tickets/{alpha.ticket.number}/"' in form
    assert f'name="field_domain" value="{GOOD_FIELDS["domain"]}"' in form
    # when the customer explains what is still wrong and submits
    response = client.post(
        "/tickets/new/",
        _request(
            alpha,
            subject=f"پیگیری: {SEED_SUBJECT}",
            body=DATACENTRE_BODY,
            follow_up=alpha.ticket.number,
        ),
    )
    # then a new ticket follows the closed one, and each page links to the other
    assert response.status_code == 302
    follow_up = Ticket.objects.get(tenant=alpha.tenant, follow_up_of=alpha.ticket)
    assert response["Location"] == f"/tickets/{follow_up.number}/"
    new_page = client.get(response["Location"]).content.decode()
    assert f'href="/tickets/{alpha.ticket.number}/"' in new_page
    old_page = client.get(f"/tickets/{alpha.ticket.number}/").content.decode()
    assert f'href="/tickets/{follow_up.number}/"' in old_page


def test_follow_up_of_someone_elses_ticket_is_404(alpha):
    user, customer = _other_customer(alpha)
    theirs = ticket_submit(
        tenant=alpha.tenant,
        customer=customer,
        department=alpha.department,
        actor=user,
        subject=CMS_SUBJECT,
        body=CMS_BODY,
        fields=GOOD_FIELDS,
    )
    client = alpha.client(alpha.customer_user)
    assert client.get(f"/tickets/new/?follow_up={theirs.number}").status_code == 404
    response = client.post("/tickets/new/", _request(alpha, follow_up=theirs.number))
    assert response.status_code == 404


# --- T-6 close reasons and missing information --------------------------------------------


def test_close_reason_and_note_are_shown_to_the_customer(alpha):
    note = "آی‌پی سرور اعلام شده متعلق به سرویس شما نیست"
    ticket_close_with_reason(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        reason=CloseReason.WRONG_INFORMATION,
        note=note,
    )
    page = alpha.client(alpha.customer_user).get(f"/tickets/{alpha.ticket.number}/")
    content = page.content.decode()
    assert _in_persian(CloseReason.WRONG_INFORMATION.label) in content
    assert note in content


def test_missing_information_is_listed_in_the_customers_language_with_the_reply_box(alpha):
    # given a mailed request without the server's IP: accepted, waiting on the customer
    ticket = ticket_submit(
        tenant=alpha.tenant,
        customer=alpha.customer,
        department=alpha.department,
        actor=None,
        subject="اطلاعات تیکت",
        body=INCOMPLETE_BODY,
        fields={"domain": "example.ir"},
        channel="email",
    )
    assert ticket.missing_fields == ["server_ip"]
    client = alpha.client(alpha.customer_user)
    content = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "<li>آی‌پی سرور</li>" in content and 'name="body"' in content
    client.post("/language/", {"language": "en", "next": "/tickets/"})
    content = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "<li>Server IP</li>" in content


# --- T-7 Persian only ---------------------------------------------------------------------


def test_request_not_in_persian_is_refused_in_both_languages_and_kept(alpha):
    before = _counts()
    response = alpha.client(alpha.customer_user).post(
        "/tickets/new/",
        _request(
            alpha,
            subject="Server is down",
            body="My server has been down since this morning, please restart it.",
        ),
    )
    content = response.content.decode()
    message_fa, message_en = rule_messages.both(rule_messages.NOT_PERSIAN)
    assert response.status_code == 200
    assert html.escape(message_fa) in content and html.escape(message_en) in content
    assert 'value="Server is down"' in content
    assert _counts() == before


# --- T-8 services -------------------------------------------------------------------------


def _service(world, identifier, *, customer=None, user=None, verified=False):
    service = service_register(
        tenant=world.tenant,
        customer=customer or world.customer,
        actor=user or world.customer_user,
        kind="domain",
        identifier=identifier,
    )
    if verified:
        service = service_verify(
            tenant=world.tenant, service=service, actor=world.agent, note="کارت ملی بررسی شد"
        )
    return service


def test_customer_registers_and_removes_an_unverified_service(alpha):
    client = alpha.client(alpha.customer_user)
    response = client.post(
        "/my/services/", {"kind": "domain", "identifier": "Shop.Example.IR", "label": "فروشگاه"}
    )
    assert response.status_code == 302
    service = OwnedService.objects.get(tenant=alpha.tenant, customer=alpha.customer)
    assert service.identifier == "shop.example.ir" and not service.is_verified
    page = client.get("/my/services/").content.decode()
    assert "shop.example.ir" in page and "فروشگاه" in page
    response = client.post(f"/my/services/{service.pk}/remove/")
    assert response.status_code == 302
    assert not OwnedService.objects.filter(pk=service.pk).exists()


def test_bad_service_is_explained_and_a_verified_one_stays(alpha):
    client = alpha.client(alpha.customer_user)
    response = client.post("/my/services/", {"kind": "domain", "identifier": "بدون نقطه"})
    assert response.status_code == 200 and b"field-error" in response.content
    service = _service(alpha, "example.ir", verified=True)
    response = client.post(f"/my/services/{service.pk}/remove/", follow=True)
    assert OwnedService.objects.filter(pk=service.pk).exists()
    assert b"error" in response.content


def test_new_ticket_form_offers_own_services_verified_first(alpha):
    pending = _service(alpha, "a-pending.ir")
    verified = _service(alpha, "example.ir", verified=True)
    client = alpha.client(alpha.customer_user)
    form = client.get(f"/tickets/new/?department={alpha.department.pk}").content.decode()
    select = form[form.index('name="service"') :]
    assert select.index(f'value="{verified.pk}"') < select.index(f'value="{pending.pk}"')
    response = client.post("/tickets/new/", _request(alpha, service=verified.pk))
    assert response.status_code == 302
    ticket = Ticket.objects.get(tenant=alpha.tenant, number=alpha.ticket.number + 1)
    assert ticket.service == verified


def test_unverified_service_is_refused_clearly(alpha):
    pending = _service(alpha, "a-pending.ir")
    before = _counts()
    response = alpha.client(alpha.customer_user).post(
        "/tickets/new/", _request(alpha, service=pending.pk)
    )
    message_fa, _en = rule_messages.both(rule_messages.SERVICE_UNVERIFIED, service="a-pending.ir")
    assert response.status_code == 200
    assert html.escape(message_fa) in response.content.decode()
    assert b'href="/my/services/"' in response.content
    assert _counts() == before


def test_another_customers_service_cannot_be_chosen_or_named(alpha):
    user, customer = _other_customer(alpha)
    theirs = _service(alpha, "example.ir", customer=customer, user=user, verified=True)
    _service(alpha, "mine.ir", verified=True)
    client = alpha.client(alpha.customer_user)
    before = _counts()
    # not among the choices
    response = client.post("/tickets/new/", _request(alpha, service=theirs.pk))
    assert response.status_code == 200 and b"field-error" in response.content
    # named by the domain field: refused, it is someone else's verified service
    response = client.post("/tickets/new/", _request(alpha))
    message_fa, _en = rule_messages.both(rule_messages.NOT_SERVICE_OWNER, service="example.ir")
    assert html.escape(message_fa) in response.content.decode()
    assert _counts() == before


def test_department_that_requires_a_service_asks_for_one(alpha):
    department_rules_update(
        tenant=alpha.tenant, department=alpha.department, actor=alpha.owner, service_required=True
    )
    client = alpha.client(alpha.customer_user)
    before = _counts()
    response = client.post("/tickets/new/", _request(alpha, field_domain="other.ir"))
    assert response.status_code == 200
    assert _in_persian(rule_messages.SERVICE_REQUIRED) in response.content.decode()
    assert b'href="/my/services/"' in response.content
    assert _counts() == before
    # with a verified service chosen, it goes through
    verified = _service(alpha, "example.ir", verified=True)
    response = client.post("/tickets/new/", _request(alpha, service=verified.pk))
    assert response.status_code == 302


# --- T-12 fines ---------------------------------------------------------------------------


def test_fines_page_lists_only_the_customers_own_fines(alpha):
    own = _fine(alpha, ticket=alpha.ticket)
    _user, other = _other_customer(alpha)
    others = _fine(alpha, customer=other)
    content = alpha.client(alpha.customer_user).get("/my/fines/").content.decode()
    assert f'href="/my/fines/{own.pk}/"' in content
    assert f'href="/tickets/{alpha.ticket.number}/"' in content
    assert _in_persian(ViolationKind.DUPLICATE.label) in content
    assert f"/my/fines/{others.pk}/" not in content
    assert Fine.objects.filter(tenant=alpha.tenant).count() == 2


def test_another_customers_fine_and_service_are_404(alpha):
    user, other = _other_customer(alpha)
    fine = _fine(alpha, customer=other)
    service = _service(alpha, "theirs.ir", customer=other, user=user)
    client = alpha.client(alpha.customer_user)
    assert client.get(f"/my/fines/{fine.pk}/").status_code == 404
    assert client.post(f"/my/services/{service.pk}/remove/").status_code == 404
    assert OwnedService.objects.filter(pk=service.pk).exists()


@pytest.mark.parametrize("who", ["owner", "agent"])
def test_staff_have_no_customer_rule_pages(alpha, who):
    client = alpha.client(getattr(alpha, who))
    assert client.get("/my/services/").status_code == 404
    assert client.get("/my/fines/").status_code == 404


def test_overdue_fine_blocks_new_tickets_but_not_replies(alpha):
    fine = _fine(alpha, due_days=1)
    client = alpha.client(alpha.customer_user)
    with time_machine.travel(clock.now() + timedelta(days=2), tick=False):
        before = _counts()
        response = client.post("/tickets/new/", _request(alpha))
        assert response.status_code == 200
        assert f'href="/my/fines/{fine.pk}/"'.encode() in response.content
        assert _counts() == before
        page = client.get(f"/my/fines/{fine.pk}/")
        assert page.status_code == 200 and b"priority-urgent" in page.content
        response = client.post(f"/tickets/{alpha.ticket.number}/", {"body": "هنوز قطع است"})
        assert response.status_code == 302
        assert alpha.ticket.messages.filter(body="هنوز قطع است").exists()


def test_tickets_page_links_services_and_fines(alpha):
    content = alpha.client(alpha.customer_user).get("/tickets/").content.decode()
    assert 'href="/my/services/"' in content and 'href="/my/fines/"' in content
