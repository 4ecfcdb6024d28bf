"""Every page speaks the reader's language whole (X-1): Persian words, digits and signs on
Persian pages, English names and Latin digits on English ones, no requirement references, and
one id per control."""

import re
from collections import Counter

from django.core import mail

from pishkhan.accounts.ownership import service_register
from pishkhan.chat.services import chat_accept, chat_start, visitor_identify
from pishkhan.mail.services import mailbox_create
from pishkhan.quality.services import review_create
from pishkhan.sla.models import BusinessCalendar, SlaPolicy
from tests.chat.conftest import online, open_all_hours
from tests.quality.conftest import make_scorecard, marks_for, resolve

PERSIAN_NAME = "پشتیبانی فنی"  # the world's department; its English name is "Technical"
PERSIAN_LABELS = ("دامنه سرویس", "آی‌پی سرور")
ENGLISH_LABELS = ("Service domain", "Server IP")
REFERENCE = re.compile(r"\[00[0-4][ \]]|\b[ST]-\d")
LATIN_DIGIT = re.compile(r"[0-9]")


def _in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def _errors(page: str) -> list[str]:
    return re.findall(r'<div class="field-error"[^>]*>(.*?)</div>', page, re.S)


def _chat(world):
    open_all_hours(world.tenant)
    online(world, world.agent)
    visitor = visitor_identify(
        tenant=world.tenant, key=None, name="مریم احمدی", email="maryam@alpha.example"
    )
    chat = chat_start(
        tenant=world.tenant, visitor=visitor, text="سلام", department=world.department.pk
    )
    chat_accept(tenant=world.tenant, chat=chat, actor=world.agent)
    return chat


# --- the password of a new seat ----------------------------------------------------------------


def test_weak_first_password_is_refused_in_the_products_persian_beside_the_field(
    alpha, django_capture_on_commit_callbacks
):
    # The first password of a new seat is the invitee's own, chosen through the mailed link.
    with django_capture_on_commit_callbacks(execute=True):
        alpha.client(alpha.owner).post(
            "/agent/members/", {"email": "new@alpha.example", "full_name": "نیما", "role": "agent"}
        )
    link = re.search(r"(/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)
    response = alpha.client().post(link, {"full_name": "نیما", "password": "123"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "لطفاً خطاهای زیر را برطرف کنید." in page
    errors = " ".join(_errors(page))
    assert "گذرواژه" in errors and "۸" in errors
    assert "رمز" not in errors and "password" not in errors.lower()
    assert not LATIN_DIGIT.search(errors)


# --- department names and field labels in the reader's language -------------------------------


def test_english_chat_pages_name_the_department_and_its_fields_in_english(alpha):
    chat = _chat(alpha)
    client = alpha.client(_in_english(alpha.owner))
    for path in ("/agent/chats/settings/", f"/agent/chats/{chat.pk}/"):
        page = client.get(path).content.decode()
        assert "Technical" in page and PERSIAN_NAME not in page, path
    page = client.get(f"/agent/chats/{chat.pk}/").content.decode()
    assert "Department: Technical" in page
    assert all(label in page for label in ENGLISH_LABELS)
    assert not any(label in page for label in PERSIAN_LABELS)


def test_persian_chat_page_keeps_the_persian_names(alpha):
    chat = _chat(alpha)
    page = alpha.client(alpha.owner).get(f"/agent/chats/{chat.pk}/").content.decode()
    assert PERSIAN_NAME in page and all(label in page for label in PERSIAN_LABELS)
    assert "Technical" not in page


def test_english_mailbox_list_names_the_department_once_in_english(alpha):
    mailbox_create(
        tenant=alpha.tenant,
        actor=alpha.owner,
        address="support@alpha.example",
        department=alpha.department,
    )
    page = alpha.client(_in_english(alpha.owner)).get("/agent/mail/").content.decode()
    assert "Technical" in page and PERSIAN_NAME not in page


# --- quality in the reader's language ----------------------------------------------------------


def _reviewed(world):
    scorecard = make_scorecard(world)
    ticket = resolve(world)
    review_create(
        tenant=world.tenant,
        actor=world.owner,
        scorecard=scorecard,
        subject_kind="ticket",
        subject_id=ticket.number,
        marks=marks_for(scorecard, 1, 4, 1),
        comment="پاسخ کامل بود",
    )
    return ticket


def test_english_reviews_name_the_ticket_and_score_in_english(alpha):
    ticket = _reviewed(alpha)
    page = alpha.client(_in_english(alpha.owner)).get("/agent/quality/").content.decode()
    assert f"Ticket #{ticket.number}: {ticket.subject}" in page
    assert "70.83%" in page
    assert "تیکت #" not in page and "٪" not in page


def test_persian_reviews_name_the_ticket_and_score_in_persian(alpha):
    _reviewed(alpha)
    page = alpha.client(alpha.owner).get("/agent/quality/").content.decode()
    assert "تیکت #۱:" in page and "۷۰٫۸۳٪" in page


# --- the portal's service choice -----------------------------------------------------------------


def test_pending_service_reads_awaiting_verification_in_persian(alpha):
    service_register(
        tenant=alpha.tenant,
        customer=alpha.customer,
        actor=alpha.customer_user,
        kind="domain",
        identifier="shop.example.ir",
    )
    page = (
        alpha.client(alpha.customer_user)
        .get(f"/tickets/new/?department={alpha.department.pk}")
        .content.decode()
    )
    assert "shop.example.ir — در انتظار تأیید" in page
    assert "awaiting verification" not in page


# --- service level policies: Persian digits and signs, one language at a time -----------------


def test_persian_policies_page_writes_the_percent_sign_in_persian(alpha):
    page = alpha.client(alpha.owner).get("/agent/policies/").content.decode()
    assert "مصرف ۸۰٪ از مهلت" in page
    assert "%" not in re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)


def test_policy_form_error_is_written_in_persian_digits(alpha):
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    office = BusinessCalendar.objects.get(tenant=alpha.tenant, pk=default.calendar_id)
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
    errors = _errors(response.content.decode())
    assert errors and not any(LATIN_DIGIT.search(e) for e in errors)


def test_policy_units_legend_is_in_the_readers_language_only(alpha):
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    path = f"/agent/policies/{default.pk}/"
    persian = alpha.client(alpha.owner).get(path).content.decode()
    assert "ساعت کاری" in persian and "business hours" not in persian
    english = alpha.client(_in_english(alpha.owner)).get(path).content.decode()
    assert "business hours" in english and "ساعت کاری" not in english


# --- no requirement references on any page ------------------------------------------------------


def test_pages_show_no_requirement_references(alpha):
    for client in (alpha.client(alpha.owner), alpha.client(_in_english(alpha.agent))):
        for path in (
            "/agent/policies/",
            "/agent/rules/",
            "/agent/rules/fines/",
            "/agent/rules/violations/",
            "/agent/rules/services/",
            f"/agent/tickets/{alpha.ticket.number}/",
        ):
            response = client.get(path)
            if response.status_code == 404:  # a page the agent may not open
                continue
            page = response.content.decode()
            assert not REFERENCE.search(page), (path, REFERENCE.search(page).group())


def test_default_policy_is_not_named_after_a_requirement_table(alpha):
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)
    assert not REFERENCE.search(default.name)


# --- the ticket page: one id per control -------------------------------------------------------


def test_ticket_page_ids_are_unique_and_labels_point_to_their_own_form(alpha):
    page = alpha.client(alpha.agent).get(f"/agent/tickets/{alpha.ticket.number}/")
    html = page.content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert ids[target] == 1, target


def test_properties_form_still_saves_with_its_own_ids(alpha):
    client = alpha.client(alpha.agent)
    response = client.post(
        f"/agent/tickets/{alpha.ticket.number}/properties/",
        {
            "status": "open",
            "priority": alpha.ticket.priority,
            "severity": alpha.ticket.severity,
            "department": alpha.department.pk,
            "tags": "",
        },
    )
    assert response.status_code == 302
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == "open"
