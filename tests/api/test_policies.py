"""The support rules through the API (T-4 … T-12), as an integration and the staff behind it
meet them: refusals that say why in both languages and name what to act on, the violations the
rules record, fines and what an overdue one suspends, and the staff actions on a ticket."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import staff_user_create
from pishkhan.core import clock
from pishkhan.core.persian import to_persian_digits
from pishkhan.policies import messages
from pishkhan.tenancy.models import Role, Tenant
from pishkhan.tenancy.services import api_token_create, membership_grant, tenant_create
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import department_create, ticket_reply
from tests.api.helpers import API, assert_error, send, token_for
from tests.conftest import GOOD_FIELDS, PASSWORD

# A request and its paraphrase (tests/data/duplicates.jsonl: "site down, 503 vs Service
# Unavailable").
SITE_DOWN = {
    "subject": "سایت از دسترس خارج شده",
    "body": "سلام وقت بخیر. سایت nikanshop.ir از حدود ساعت ۱۰ صبح باز نمیشه و خطای 503 میده. "
    "لطفا سریعتر بررسی کنید چون فروش ما متوقف شده. با تشکر",
}
SITE_DOWN_AGAIN = {
    "subject": "وبسایت بالا نمیاد",
    "body": "درود. از صبح امروز وب‌سایت nikanshop.ir بالا نمی‌آید و پیغام Service Unavailable "
    "نشان می‌دهد. مشتری‌ها نمی‌توانند سفارش ثبت کنند، لطفاً پیگیری کنید.",
}
# Requests of their own, from seed 002's rules.
DATACENTRE = {
    "subject": "مراجعه به دیتاسنتر",
    "body": "اگر به دلیل مشکل سرور مشتری، تکنسین ها ناگزیر شوند برای رفع مشکل به دیتاسنتر "
    "مراجعه نمایند هزینه ایاب و ذهاب به عهده مشتری می باشد؛ لطفاً زمان مراجعه را اعلام کنید.",
}
MANAGEMENT = {
    "subject": "خرید بسته مدیریت سرور",
    "body": "می خواهم برای رفع مشکلات سایت و سرور خود، پس از هماهنگی با شرکت، بسته مدیریت و "
    "عیب یابی بخرم. لطفاً قیمت بسته ها را بفرستید.",
}
ENGLISH = {
    "subject": "Website is down",
    "body": "Hello, our website nikanshop.ir has returned error 503 since this morning. Please "
    "check the server as soon as possible, our sales have stopped.",
}
# Seed 004 (Slovenian): Latin script, and not English either.
SLOVENIAN = {
    "subject": "Sprejem pogojev",
    "body": "Enota za kakovost lahko občasno spremeni te pogoje uporabe brez predhodnega "
    "obvestila. Spremenjeni pogoji in določila bodo začeli veljati ob objavi.",
}
ERROR_KEYS = {"code", "message", "message_fa", "message_en", "fields"}


def _new_ticket(world, text: dict, **extra) -> dict:
    return {
        "department_id": world.department.pk,
        "customer_id": world.customer.pk,
        "fields": GOOD_FIELDS,
        **text,
        **extra,
    }


def _submit(world, text: dict, api=None, **extra):
    return send(api or world.api(), "POST", "/tickets", _new_ticket(world, text, **extra))


def _created(response) -> dict:
    assert response.status_code == 201, response.content.decode()
    return response.json()


def _refused(response, status: int, code: str, message=None, **params) -> dict:
    """A rule's refusal: the one error shape, the rule's own message in both languages, and
    `detail` to act on."""
    assert response.status_code == status, response.content.decode()
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS | {"detail"}
    assert error["code"] == code
    assert error["message"] == error["message_fa"]
    assert error["message_fa"] and error["message_en"]
    if message is not None:
        assert (error["message_fa"], error["message_en"]) == messages.both(message, **params)
    return error


def _rules(world, **values) -> dict:
    response = send(world.api(), "PATCH", "/rules", values)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _staff_token(world, role: str, name: str) -> str:
    user = staff_user_create(
        email=f"{name}@{world.tenant.slug}.example", password=PASSWORD, full_name=name
    )
    membership_grant(tenant=world.tenant, user=user, role=role)
    return token_for(world, user)


def _violations(world, query: str = "") -> list[dict]:
    response = world.api().get(f"{API}/violations?{query}")
    assert response.status_code == 200, response.content.decode()
    return response.json()["items"]


def _service(world, identifier: str, *, customer_id=None, verify: bool = False) -> dict:
    customer_id = customer_id or world.customer.pk
    service = _created(
        send(
            world.api(),
            "POST",
            f"/customers/{customer_id}/services",
            {"kind": "domain", "identifier": identifier, "label": "فروشگاه اینترنتی"},
        )
    )
    if verify:
        response = send(
            world.api(),
            "POST",
            f"/services/{service['id']}/verify",
            {"note": "کارت ملی و ایمیل ثبت‌کننده دامنه بررسی و تطبیق داده شد"},
        )
        assert response.status_code == 200, response.content.decode()
        service = response.json()
    return service


# --- T-4 duplicates ----------------------------------------------------------------------------


def test_duplicate_is_refused_with_the_open_ticket_it_repeats(alpha):
    # given duplicates refused, and an open request about a site that is down
    _rules(alpha, duplicates="block")
    first = _created(_submit(alpha, SITE_DOWN))
    tickets = Ticket.objects.count()
    # when the same request comes again in other words
    response = _submit(alpha, SITE_DOWN_AGAIN)
    # then the refusal names the open ticket, in Persian digits in the Persian message
    error = _refused(response, 409, "duplicate_request", messages.DUPLICATE, number=first["number"])
    assert error["detail"]["ticket"] == {
        "number": first["number"],
        "subject": SITE_DOWN["subject"],
        "status": "new",
    }
    assert error["detail"]["score"] > 0
    assert to_persian_digits(str(first["number"])) in error["message_fa"]
    assert f"#{first['number']}" in error["message_en"]
    assert Ticket.objects.count() == tickets
    # when the customer says why it is a different request
    reason = "این درخواست برای سرور دوم فروشگاه است، نه سایت اصلی"
    ticket = _created(_submit(alpha, SITE_DOWN_AGAIN, different_reason=reason))
    # then it is accepted, with the match and the reason shown to the agents
    assert ticket["duplicate_of"] == first["number"]
    assert ticket["different_reason"] == reason


def test_duplicates_only_flagged_are_accepted_and_recorded(alpha):
    first = _created(_submit(alpha, SITE_DOWN))
    _rules(alpha, duplicates="flag")
    ticket = _created(_submit(alpha, SITE_DOWN_AGAIN))
    assert ticket["duplicate_of"] == first["number"]
    [violation] = _violations(alpha, "kind=duplicate")
    assert (violation["ticket"], violation["refused"]) == (ticket["number"], False)
    assert violation["detail"]["of"] == first["number"]


def test_rules_are_changed_by_an_admin_only(alpha):
    # given duplicates refused by the owner, and an open request
    before = _rules(alpha, duplicates="block")
    _created(_submit(alpha, SITE_DOWN))
    # when an agent tries to switch the duplicate rule off, then it is forbidden
    agent = alpha.api(token_for(alpha, alpha.agent))
    assert_error(send(agent, "PATCH", "/rules", {"duplicates": "off"}), 403, "forbidden")
    assert alpha.api().get(f"{API}/rules").json() == before
    _refused(_submit(alpha, SITE_DOWN_AGAIN), 409, "duplicate_request")
    # when the owner does, then the same request is taken as it comes
    changed = _rules(alpha, duplicates="off")
    assert changed["duplicates"] == "off"
    assert changed["persian_only"] == before["persian_only"] == "block"
    ticket = _created(_submit(alpha, SITE_DOWN_AGAIN))
    assert ticket["duplicate_of"] is None
    assert _violations(alpha) == []


def test_merge_and_unmerge_restore_the_ticket(alpha):
    # given two open tickets of the customer, the second one being worked on
    first = _created(_submit(alpha, SITE_DOWN))
    second = _created(_submit(alpha, SITE_DOWN_AGAIN, different_reason="سرور دیگری است"))
    send(alpha.api(), "PATCH", f"/tickets/{second['number']}", {"status": "open"})
    # when an agent finds it repeats the first after all and merges it
    response = send(
        alpha.api(), "POST", f"/tickets/{second['number']}/merge", {"into": first["number"]}
    )
    # then it is closed, pointing to the first, and recorded as the customer's duplicate
    assert response.status_code == 200, response.content.decode()
    merged = response.json()
    assert (merged["status"], merged["close_reason"], merged["merged_into"]) == (
        "closed",
        "merged",
        first["number"],
    )
    [violation] = alpha.api().get(f"{API}/tickets/{second['number']}/violations").json()
    assert violation["kind"] == "duplicate"
    # when the merge is undone, then the ticket is as it was and the violation withdrawn
    restored = send(alpha.api(), "POST", f"/tickets/{second['number']}/unmerge").json()
    assert (restored["status"], restored["close_reason"], restored["merged_into"]) == (
        "open",
        "",
        None,
    )
    assert restored["closed_at"] is None
    assert alpha.api().get(f"{API}/tickets/{second['number']}/violations").json() == []
    # and undoing it twice is a conflict
    assert_error(
        send(alpha.api(), "POST", f"/tickets/{second['number']}/unmerge"), 409, "not_merged"
    )


def test_merge_refuses_another_customers_ticket_in_both_languages(alpha):
    # given the same fault reported by a colleague, a customer of their own
    colleague = _created(
        _submit(
            alpha,
            SITE_DOWN_AGAIN,
            customer_id=None,
            customer={"name": "حمید همکار", "email": "hamid@nikanshop.ir"},
        )
    )
    path, into = f"/tickets/{colleague['number']}/merge", {"into": alpha.ticket.number}
    # when an agent merges it into the first customer's ticket, then it is refused, naming the
    # field, in Persian and in English
    persian = assert_error(send(alpha.api(), "POST", path, into), 400, "invalid")
    english = assert_error(
        send(alpha.api(), "POST", path, into, HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid"
    )
    assert "همان مشتری" in persian["fields"]["into"][0]
    assert "same customer" in english["fields"]["into"][0]
    # and the colleague's request stays open
    ticket = alpha.api().get(f"{API}/tickets/{colleague['number']}").json()
    assert (ticket["status"], ticket["merged_into"]) == ("new", None)


def test_merge_refuses_itself_and_a_missing_ticket(alpha):
    number = alpha.ticket.number
    error = assert_error(
        send(alpha.api(), "POST", f"/tickets/{number}/merge", {"into": number}), 400, "invalid"
    )
    assert list(error["fields"]) == ["into"]
    error = assert_error(
        send(alpha.api(), "POST", f"/tickets/{number}/merge", {"into": 999}), 404, "not_found"
    )
    assert list(error["fields"]) == ["into"]


# --- T-5 closed tickets ------------------------------------------------------------------------


def test_closed_ticket_is_not_reopened_and_the_attempt_is_recorded(alpha):
    # given a closed ticket
    number = alpha.ticket.number
    send(alpha.api(), "PATCH", f"/tickets/{number}", {"status": "closed"})
    # when staff answer on it through the API, then it is a conflict
    response = send(alpha.api(), "POST", f"/tickets/{number}/messages", {"body": "پاسخ دیرهنگام"})
    assert_error(response, 409, "ticket_closed")
    # when the customer writes on it in the portal, then they are refused and told to follow up
    with pytest.raises(PolicyRefusal) as refused:
        ticket_reply(
            tenant=alpha.tenant,
            ticket=alpha.ticket,
            actor=alpha.customer_user,
            body="مشکل دوباره پیش آمده است",
        )
    assert refused.value.detail == {"ticket": number, "follow_up": True}
    # and the attempt is listed among the violations, on that ticket
    [violation] = _violations(alpha, "kind=reopen")
    assert (violation["ticket"], violation["refused"]) == (number, True)
    assert violation["customer"]["id"] == alpha.customer.pk
    # when a follow-up is opened instead, then it links to the closed ticket
    ticket = _created(_submit(alpha, MANAGEMENT, follow_up_of=number))
    assert ticket["follow_up_of"] == number


def test_follow_up_of_an_open_ticket_is_refused(alpha):
    error = assert_error(
        _submit(alpha, MANAGEMENT, follow_up_of=alpha.ticket.number), 400, "invalid"
    )
    assert list(error["fields"]) == ["follow_up_of"]


# --- T-6 incomplete or wrong information --------------------------------------------------------


def test_ticket_closed_as_incomplete_shows_the_reason(alpha):
    number = alpha.ticket.number
    note = "آی‌پی سرور اعلام‌شده متعلق به سرویس شما نیست"
    response = send(
        alpha.api(),
        "POST",
        f"/tickets/{number}/close-incomplete",
        {"reason": "wrong_information", "note": note},
    )
    assert response.status_code == 200, response.content.decode()
    ticket = response.json()
    assert (ticket["status"], ticket["close_reason"], ticket["close_note"]) == (
        "closed",
        "wrong_information",
        note,
    )
    [violation] = _violations(alpha, "kind=incomplete")
    assert violation["detail"] == {"reason": "wrong_information", "note": note}
    # a closed ticket is not closed again
    again = {"reason": "incomplete"}
    response = send(alpha.api(), "POST", f"/tickets/{number}/close-incomplete", again)
    assert_error(response, 409, "ticket_closed")


# --- T-7 Persian only --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [ENGLISH, SLOVENIAN], ids=["english", "slovenian"])
def test_request_not_in_persian_is_refused_in_both_languages(alpha, text):
    tickets = Ticket.objects.count()
    error = _refused(_submit(alpha, text), 422, "not_persian", messages.NOT_PERSIAN)
    assert "Persian" in error["message_en"]
    assert error["detail"]["reason"]
    assert Ticket.objects.count() == tickets
    # and the refused request is recorded on the customer, without a ticket
    [violation] = _violations(alpha, f"kind=not_persian&customer_id={alpha.customer.pk}")
    assert (violation["refused"], violation["ticket"], violation["channel"]) == (True, None, "api")
    # and who asks in English reads the English message first
    english = send(
        alpha.api(), "POST", "/tickets", _new_ticket(alpha, text), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json()["error"]["message"] == error["message_en"]


def test_persian_request_with_addresses_and_log_lines_is_accepted(alpha):
    text = {
        "subject": "خطای کمبود حافظه در وردپرس",
        "body": "سلام، بعد از به‌روزرسانی افزونه‌ها صفحهٔ https://nikanshop.ir/wp-admin باز "
        "نمی‌شود. سرور 185.8.172.10 است و این خط در لاگ تکرار می‌شود:\n"
        "PHP Fatal error: Allowed memory size of 134217728 bytes exhausted in "
        "/home/nikan/public_html/wp-includes/class-wp-hook.php on line 324\n"
        "لطفاً بررسی کنید و نتیجه را به admin@nikanshop.ir خبر دهید.",
    }
    _created(_submit(alpha, text))


def test_department_may_accept_other_languages(alpha):
    path = f"/departments/{alpha.department.pk}/rules"
    assert alpha.api().get(API + path).json() == {
        "department_id": alpha.department.pk,
        "persian_only": "inherit",
        "duplicates": "inherit",
        "service_required": False,
        "effective_persian_only": "block",
        # the test workspaces accept duplicates (tests/conftest.py)
        "effective_duplicates": "off",
    }
    agent = alpha.api(token_for(alpha, alpha.agent))
    assert_error(send(agent, "PUT", path, {"persian_only": "off"}), 403, "forbidden")
    rules = send(alpha.api(), "PUT", path, {"persian_only": "off"}).json()
    assert (rules["persian_only"], rules["effective_persian_only"]) == ("off", "off")
    _created(_submit(alpha, ENGLISH))


# --- T-8 ownership -----------------------------------------------------------------------------


def test_ticket_about_another_customers_service_is_refused(alpha):
    # given a service verified as another customer's
    other = _created(
        send(alpha.api(), "POST", "/customers", {"name": "سارا کریمی", "email": "sara@ex.ir"})
    )
    service = _service(alpha, "nikanshop.ir", customer_id=other["id"], verify=True)
    assert service["verified"] is True
    assert service["verified_by"]["id"] == alpha.owner.pk
    # when alpha's customer files a ticket about it, chosen or named in a field
    for extra in (
        {"service": service["id"]},
        {"fields": {**GOOD_FIELDS, "domain": "NikanShop.ir"}},
    ):
        response = _submit(alpha, MANAGEMENT, **extra)
        message = messages.NOT_SERVICE_OWNER
        error = _refused(response, 403, "not_service_owner", message, service="nikanshop.ir")
        # then it is refused, naming the service
        assert error["detail"] == {"service": "nikanshop.ir"}
    # while its owner is served, the service found from the domain field
    ticket = _created(
        send(
            alpha.api(),
            "POST",
            "/tickets",
            {
                **_new_ticket(alpha, MANAGEMENT, fields={**GOOD_FIELDS, "domain": "nikanshop.ir"}),
                "customer_id": other["id"],
            },
        )
    )
    assert ticket["service"] == {
        "id": service["id"],
        "kind": "domain",
        "identifier": "nikanshop.ir",
        "verified": True,
    }


def test_own_service_is_served_once_verified(alpha):
    service = _service(alpha, "ariantebb.ir")
    response = _submit(alpha, MANAGEMENT, service=service["id"])
    message = messages.SERVICE_UNVERIFIED
    error = _refused(response, 403, "service_unverified", message, service="ariantebb.ir")
    assert error["detail"] == {"service": "ariantebb.ir"}
    response = send(alpha.api(), "POST", f"/services/{service['id']}/verify", {"note": "مدارک"})
    assert response.json()["verified"] is True
    assert_error(
        send(alpha.api(), "POST", f"/services/{service['id']}/verify", {"note": "مدارک"}),
        409,
        "already_verified",
    )
    ticket = _created(_submit(alpha, MANAGEMENT, service=service["id"]))
    assert ticket["service"]["verified"] is True


def test_one_identifier_is_verified_for_one_owner_at_a_time(alpha):
    other = _created(send(alpha.api(), "POST", "/customers", {"name": "نیما", "email": "n@ex.ir"}))
    theirs = _service(alpha, "gol-tehran.com", customer_id=other["id"], verify=True)
    mine = _service(alpha, "gol-tehran.com")
    verify = {"note": "مدارک"}
    response = send(alpha.api(), "POST", f"/services/{mine['id']}/verify", verify)
    assert_error(response, 409, "owned_by_another")
    # when the other claim is withdrawn, then this one can be verified
    response = send(alpha.api(), "POST", f"/services/{theirs['id']}/unverify", verify)
    assert response.json()["verified"] is False
    assert_error(
        send(alpha.api(), "POST", f"/services/{theirs['id']}/unverify", verify),
        409,
        "not_verified",
    )
    assert send(alpha.api(), "POST", f"/services/{mine['id']}/verify", verify).status_code == 200
    listed = alpha.api().get(f"{API}/services?verified=true").json()
    assert [s["id"] for s in listed["items"]] == [mine["id"]]
    own = alpha.api().get(f"{API}/customers/{other['id']}/services").json()
    assert [(s["id"], s["verified"]) for s in own] == [(theirs["id"], False)]
    # and a withdrawn claim can be removed
    assert send(alpha.api(), "DELETE", f"/services/{theirs['id']}").status_code == 204
    assert alpha.api().get(f"{API}/customers/{other['id']}/services").json() == []


def test_operator_desk_takes_tickets_from_portal_admins_only(alpha):
    # given the operator's own desk, whose customers are other workspaces' people
    desk = tenant_create(slug="desk", name="پشتیبانی پیشخوان")
    Tenant.objects.filter(pk=desk.pk).update(is_operator_desk=True)
    desk.refresh_from_db()
    operator = staff_user_create(email="op@desk.example", password=PASSWORD, full_name="اپراتور")
    membership_grant(tenant=desk, user=operator, role=Role.OWNER)
    department = department_create(tenant=desk, actor=operator, name="پشتیبانی مشتریان")
    _token, raw = api_token_create(tenant=desk, user=operator, name="desk")
    api = Client(HTTP_HOST="desk.localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    alpha_owner = Customer.objects.create(
        tenant=desk, user=alpha.owner, name="مدیر آلفا", email=alpha.owner.email
    )
    body = {"department_id": department.pk, **MANAGEMENT}
    # when someone who runs no workspace writes in, then they are refused
    response = send(
        api, "POST", "/tickets", {**body, "customer": {"name": "رضا", "email": "r@x.ir"}}
    )
    _refused(response, 403, "not_portal_admin", messages.NOT_PORTAL_ADMIN)
    assert not Customer.objects.filter(tenant=desk, email="r@x.ir").exists()
    # while alpha's owner is served
    _created(send(api, "POST", "/tickets", {**body, "customer_id": alpha_owner.pk}))


# --- T-9 scope, T-10 entitlements, T-3 time --------------------------------------------------


def test_out_of_scope_answers_are_billed_by_their_minutes(alpha):
    number = alpha.ticket.number
    note = "مشکل از قالب وردپرس سایت مشتری است و در حیطه پشتیبانی نیست"
    response = send(alpha.api(), "POST", f"/tickets/{number}/out-of-scope", {"note": note})
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["out_of_scope"], response.json()["scope_note"]) == (True, note)
    again = send(alpha.api(), "POST", f"/tickets/{number}/out-of-scope", {"note": note})
    assert_error(again, 409, "already_out_of_scope")
    # when staff answer without saying how long it took, then the answer is refused
    path = f"/tickets/{number}/messages"
    error = assert_error(send(alpha.api(), "POST", path, {"body": "راهنمایی شد"}), 400, "invalid")
    assert list(error["fields"]) == ["minutes"]
    # when with the minutes, then they are logged as a billable extra service
    response = send(alpha.api(), "POST", path, {"body": "راهنمایی شد", "minutes": 30})
    assert response.status_code == 201, response.content.decode()
    entries = alpha.api().get(f"{API}/tickets/{number}/time-entries").json()
    assert [(e["kind"], e["minutes"], e["billable"]) for e in entries["items"]] == [
        ("extra_service", 30, True)
    ]
    assert (entries["total_minutes"], entries["billable_minutes"]) == (30, 30)
    ticket = alpha.api().get(f"{API}/tickets/{number}").json()
    assert (ticket["time_minutes"], ticket["billable_minutes"]) == (30, 30)


def test_module_installation_is_free_once_per_service(alpha):
    service = _service(alpha, "nikanshop.ir", verify=True)
    path = f"/tickets/{alpha.ticket.number}/installations"
    first = {"service": service["id"], "module": "ماژول پرداخت زرین‌پال", "minutes": 20}
    response = send(alpha.api(), "POST", path, first)
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["billable"], response.json()["minutes"]) == (False, 20)
    repeat = {**first, "module": "  ماژول  پرداخت زرین‌پال ", "minutes": 15}
    assert send(alpha.api(), "POST", path, repeat).json()["billable"] is True
    entries = alpha.api().get(f"{API}/tickets/{alpha.ticket.number}/time-entries").json()
    assert [(e["kind"], e["billable"]) for e in entries["items"]] == [
        ("installation", False),
        ("installation", True),
    ]
    assert (entries["total_minutes"], entries["billable_minutes"]) == (35, 15)


def test_installation_goes_only_on_the_tickets_customers_service(alpha):
    other = _created(send(alpha.api(), "POST", "/customers", {"name": "نیما", "email": "n@ex.ir"}))
    service = _service(alpha, "gol-tehran.com", customer_id=other["id"])
    body = {"service": service["id"], "module": "ماژول پیامک", "minutes": 10}
    response = send(alpha.api(), "POST", f"/tickets/{alpha.ticket.number}/installations", body)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["service"]


def test_data_centre_visit_is_always_billable(alpha):
    path = f"/tickets/{alpha.ticket.number}/time-entries"
    visit = {"minutes": 90, "kind": "datacentre_visit", "billable": False, "note": "تعویض دیسک"}
    response = send(alpha.api(), "POST", path, visit)
    assert response.status_code == 201, response.content.decode()
    assert (response.json()["billable"], response.json()["user"]["id"]) == (True, alpha.owner.pk)
    work = send(alpha.api(), "POST", path, {"minutes": 15}).json()
    assert (work["kind"], work["billable"]) == ("work", False)


# --- T-12 violations and fines -----------------------------------------------------------------


def _wrong_priority(world) -> dict:
    """The customer chose "urgent"; an agent lowers it and says why."""
    number = world.ticket.number
    send(world.api(), "PATCH", f"/tickets/{number}", {"priority": "urgent"})
    reason = "سرویس قطع نیست؛ فقط یک صفحه کند است"
    response = send(
        world.api(), "PATCH", f"/tickets/{number}", {"priority": "normal", "reason": reason}
    )
    assert response.status_code == 200, response.content.decode()
    [violation] = _violations(world, "kind=wrong_priority")
    return violation


def test_lowered_priority_with_a_reason_is_a_violation(alpha):
    # raising it, even with a reason, is not the customer's fault
    send(
        alpha.api(),
        "PATCH",
        f"/tickets/{alpha.ticket.number}",
        {"priority": "important", "reason": "مهم است"},
    )
    assert _violations(alpha) == []
    violation = _wrong_priority(alpha)
    assert violation["detail"] == {
        "from": "urgent",
        "to": "normal",
        "reason": "سرویس قطع نیست؛ فقط یک صفحه کند است",
    }
    assert (violation["ticket"], violation["actor"]["id"]) == (alpha.ticket.number, alpha.owner.pk)
    assert violation["fine"] is None


def test_finance_charges_the_default_fine_in_exact_decimals(alpha):
    # given dollar fines of 12.50 for a wrong priority, and one such violation
    rules = send(
        alpha.api(),
        "PATCH",
        "/rules",
        {"fine_currency": "USD", "fine_wrong_priority": "12.50", "fine_duplicate": 3},
    )
    assert rules.status_code == 200, rules.content.decode()
    assert (rules.json()["fine_wrong_priority"], rules.json()["fine_duplicate"]) == (
        "12.50",
        "3.00",
    )
    violation = _wrong_priority(alpha)
    path = f"/violations/{violation['id']}/fine"
    # when an agent tries to fine it, then only the finance unit may
    agent = alpha.api(token_for(alpha, alpha.agent))
    assert_error(send(agent, "POST", path, {}), 403, "forbidden")
    # when the finance unit charges it with the defaults
    finance = alpha.api(_staff_token(alpha, Role.FINANCE, "mali"))
    response = send(finance, "POST", path, {})
    # then it is exactly 12.50 dollars, due in the workspace's days
    fine = _created(response)
    assert (fine["amount"], fine["currency"], fine["status"]) == ("12.50", "USD", "unpaid")
    assert fine["violation"] == {"id": violation["id"], "kind": "wrong_priority"}
    assert fine["ticket"] == alpha.ticket.number
    assert fine["overdue"] is False
    english = finance.get(f"{API}/fines/{fine['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["amount_display"] == "12.50 USD"
    assert finance.get(f"{API}/fines/{fine['id']}").json()["amount_display"] == "۱۲٫۵۰ دلار"
    assert (
        alpha.api().get(f"{API}/violations/{violation['id']}").json()["fine"]["amount"] == "12.50"
    )
    # and a violation is fined once
    assert_error(send(finance, "POST", path, {"amount": "5"}), 409, "already_fined")


def test_fine_amount_in_toman_is_whole(alpha):
    violation = _wrong_priority(alpha)
    path = f"/violations/{violation['id']}/fine"
    error = assert_error(send(alpha.api(), "POST", path, {"amount": "1500.5"}), 400, "invalid")
    assert list(error["fields"]) == ["amount"]
    fine = _created(send(alpha.api(), "POST", path, {"amount": "۲۵۰٬۰۰۰", "due_days": 3}))
    assert (fine["amount"], fine["currency"]) == ("250000", "IRT")
    listed = alpha.api().get(f"{API}/fines?status=unpaid&customer_id={alpha.customer.pk}").json()
    assert [f["id"] for f in listed["items"]] == [fine["id"]]


@pytest.mark.parametrize(
    ("action", "note", "status"),
    [("paid", "رسید ۴۵۱۲", "paid"), ("waive", "مشتری قدیمی؛ بار اول", "waived")],
)
def test_overdue_fine_suspends_new_tickets_until_settled(alpha, action, note, status):
    # given a fine due in a week
    violation = _wrong_priority(alpha)
    fine = _created(send(alpha.api(), "POST", f"/violations/{violation['id']}/fine", {}))
    # when the week has passed unpaid
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        # then the customer may not open a new ticket, and is pointed to the fine
        response = _submit(alpha, DATACENTRE)
        amount = lambda language: messages.money(Decimal(100000), "IRT", language)  # noqa: E731
        error = _refused(response, 403, "fine_overdue", messages.FINE_OVERDUE, amount=amount)
        assert error["detail"]["fine"] == fine["id"]
        assert error["detail"]["currency"] == "IRT"
        assert alpha.api().get(f"{API}/fines/{fine['id']}").json()["overdue"] is True
        # while the open ticket still goes on
        path = f"/tickets/{alpha.ticket.number}/messages"
        assert send(alpha.api(), "POST", path, {"body": "در حال بررسی"}).status_code == 201
        # when the fine is settled, then new tickets are welcome again
        response = send(alpha.api(), "POST", f"/fines/{fine['id']}/{action}", {"note": note})
        assert response.status_code == 200, response.content.decode()
        assert (response.json()["status"], response.json()["settle_note"]) == (status, note)
        _created(_submit(alpha, DATACENTRE))
        # and it is not settled twice
        again = send(alpha.api(), "POST", f"/fines/{fine['id']}/{action}", {"note": note})
        assert_error(again, 409, "fine_settled")


def test_waiving_needs_a_reason(alpha):
    violation = _wrong_priority(alpha)
    # (the body may be left out altogether)
    path = f"/api/v1/violations/{violation['id']}/fine"
    fine = _created(alpha.api().post(path, data=b"", content_type="application/json"))
    error = assert_error(
        send(alpha.api(), "POST", f"/fines/{fine['id']}/waive", {"note": " "}), 400, "invalid"
    )
    assert list(error["fields"]) == ["note"]


def test_violation_summary_counts_each_kind_and_names_who_broke_the_rules(alpha):
    _wrong_priority(alpha)
    _refused(_submit(alpha, ENGLISH), 422, "not_persian")
    _refused(_submit(alpha, SLOVENIAN), 422, "not_persian")
    summary = alpha.api().get(f"{API}/violations/summary").json()
    assert summary["total"] == 3
    counts = {row["kind"]: row["count"] for row in summary["by_kind"]}
    assert counts == {
        "duplicate": 0,
        "reopen": 0,
        "incomplete": 0,
        "not_persian": 2,
        "wrong_priority": 1,
    }
    assert summary["top_customers"] == [
        {
            "customer": {
                "id": alpha.customer.pk,
                "name": alpha.customer.name,
                "email": alpha.customer.email,
            },
            "count": 3,
        }
    ]
    # a period before any of them counts none
    empty = alpha.api().get(f"{API}/violations/summary?since=2020-01-01&until=2020-12-31").json()
    assert (empty["total"], empty["top_customers"]) == (0, [])
    assert_error(
        alpha.api().get(f"{API}/violations?since=2026-02-01&until=2026-01-01"), 400, "invalid"
    )


def test_ticket_list_with_links_costs_the_same_queries_for_few_and_many(alpha, beta):
    # given tickets that link to others, name a service and carry time
    for world, count in ((alpha, 1), (beta, 12)):
        service = _service(world, f"shop-{world.tenant.slug}.ir", verify=True)
        for _ in range(count):
            ticket = _created(_submit(world, MANAGEMENT, service=service["id"]))
            number = ticket["number"]
            send(world.api(), "POST", f"/tickets/{number}/time-entries", {"minutes": 5})
            send(world.api(), "POST", f"/tickets/{number}/merge", {"into": world.ticket.number})
    costs = []
    for world in (alpha, beta):
        world.api().get(f"{API}/tickets?page_size=100")
        with CaptureQueriesContext(connection) as queries:
            page = world.api().get(f"{API}/tickets?page_size=100").json()
        costs.append(len(queries))
        merged = [t for t in page["items"] if t["merged_into"]]
        assert all(t["service"]["verified"] and t["time_minutes"] == 5 for t in merged)
    assert costs[0] == costs[1]
