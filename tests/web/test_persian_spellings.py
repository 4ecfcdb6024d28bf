"""X-2 in the agent's workspace: the queue's tag filter, the customer search and the
department form compare names as spelled any way."""

from pishkhan.tickets.models import Department
from pishkhan.tickets.services import ticket_update

ZWNJ = "\u200c"


def _department_form(name: str) -> dict:
    return {
        "name": name,
        "name_en": "",
        "description": "",
        "is_active": "on",
        "f-TOTAL_FORMS": "0",
        "f-INITIAL_FORMS": "0",
        "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "20",
    }


def test_department_form_refuses_another_spelling_of_a_name(alpha):
    client = alpha.client(alpha.owner)
    assert (
        client.post("/agent/departments/new/", _department_form("پشتیبانی ایمیل")).status_code
        == 302
    )
    # when the admin types the name in Arabic letters, or with ZWNJ for the space
    for spelling in ("پشتيباني ايميل", f"پشتیبانی{ZWNJ}ایمیل"):
        response = client.post("/agent/departments/new/", _department_form(spelling))
        # then the form says so on the name, and nothing is made
        assert response.status_code == 400
        assert "واحدی با این نام از قبل وجود دارد." in response.content.decode()
    assert Department.objects.filter(tenant=alpha.tenant).count() == 2
    # nor may another department be renamed to it
    edit = f"/agent/departments/{alpha.department.pk}/"
    assert client.post(edit, _department_form("پشتيباني ايميل")).status_code == 400
    assert Department.objects.get(pk=alpha.department.pk).name == "پشتیبانی فنی"


def test_queue_tag_filter_finds_every_spelling(alpha, beta):
    # given a ticket tagged in seed 001's Arabic letters, and another of the tenant's
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, tags=["مشتري ويژه"])
    other = alpha.submit("قطعی سرویس ایمیل")
    ticket_update(tenant=beta.tenant, ticket=beta.ticket, actor=beta.agent, tags=["مشتری ویژه"])
    client = alpha.client(alpha.agent)
    for asked in ("مشتری ویژه", f"مشتری{ZWNJ}ویژه", "مشتريويژه"):
        page = client.get("/agent/", {"tag": asked})
        numbers = [row["number"] for row in page.context["rows"]]
        # then only that ticket of this tenant is listed
        assert numbers == [alpha.ticket.number], asked
        assert other.number not in numbers


def test_customer_find_matches_every_spelling_and_digits(alpha, beta):
    from pishkhan.accounts.services import customer_create

    wanted = customer_create(
        tenant=alpha.tenant, actor=alpha.agent, name="حسين كاظمي", phone="۰۹۱۲۱۲۳۴۵۶۷"
    )
    customer_create(tenant=beta.tenant, actor=beta.agent, name="حسین کاظمی", phone="09121234567")
    client = alpha.client(alpha.agent)
    for asked in ("حسین کاظمی", "کاظمی", "۰۹۱۲۱۲۳۴۵۶۷", "09121234567"):
        found = client.get("/agent/rules/services/", {"find": asked})
        assert [c.pk for c, _form in found.context["matches"]] == [wanted.pk], asked
