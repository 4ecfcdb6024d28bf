"""X-2 through the API: tags, customers and department names compare as spelled any way
(Arabic or Persian letters, ZWNJ, a space or none, kashida, letter case, Persian digits)."""

import pytest

from pishkhan.tickets.models import Department, Tag
from tests.api.helpers import API, assert_error, send, snapshot

ZWNJ = "\u200c"
# Seed 001 writes Arabic ي/ك and glues what seed 003 writes with a space.
SOFTWARE_001 = "نرمافزاري"
SOFTWARE_003 = "نرم افزاری"


def _tags(api, number: int, tags: list[str]) -> list[str]:
    response = send(api, "PATCH", f"/tickets/{number}", {"tags": tags})
    assert response.status_code == 200, response.content
    return response.json()["tags"]


def _tagged(api, tag: str) -> list[int]:
    response = api.get(API + "/tickets", {"tag": tag})
    assert response.status_code == 200, response.content
    return [t["number"] for t in response.json()["items"]]


def test_spellings_of_one_tag_are_stored_once_as_first_given(alpha):
    # given the tester's six spellings of two tags
    spellings = ["VIP", "vip", "ويژه", "ویژه", f"وی{ZWNJ}ژه", "ویـــژه"]
    # when they are set on a ticket
    tags = _tags(alpha.api(), alpha.ticket.number, spellings)
    # then each tag is kept once, in the first spelling given
    assert tags == sorted(["VIP", "ويژه"])
    assert sorted(Tag.objects.filter(tenant=alpha.tenant).values_list("name", flat=True)) == tags


def test_a_new_spelling_takes_the_tenants_existing_tag(alpha):
    api = alpha.api()
    _tags(api, alpha.ticket.number, [SOFTWARE_003])
    other = alpha.submit("قطعی سرویس ایمیل")
    # when another ticket is tagged with seed 001's spelling, glued, in Arabic letters
    assert _tags(api, other.number, [SOFTWARE_001, "Urgent"]) == sorted([SOFTWARE_003, "Urgent"])
    # then both tickets carry the one tag, and sending another spelling again changes nothing
    assert Tag.objects.filter(tenant=alpha.tenant, name=SOFTWARE_003).count() == 1
    assert _tags(api, other.number, [SOFTWARE_001, "URGENT"]) == sorted([SOFTWARE_003, "Urgent"])
    assert Tag.objects.filter(tenant=alpha.tenant).count() == 2


@pytest.mark.parametrize("asked", ["ویژه", "ويژه", f"وی{ZWNJ}ژه", "ویـژه", " ویژه "])
def test_tag_filter_finds_every_spelling(alpha, asked):
    # given a ticket tagged in Arabic letters and one untagged
    _tags(alpha.api(), alpha.ticket.number, ["ويژه"])
    alpha.submit("قطعی سرویس ایمیل")
    # when the list is filtered by any spelling, then only the tagged ticket is listed
    assert _tagged(alpha.api(), asked) == [alpha.ticket.number]


def test_tag_filter_and_tags_stay_within_the_tenant(alpha, beta):
    # given the same tag in two tenants
    _tags(alpha.api(), alpha.ticket.number, ["ويژه"])
    _tags(beta.api(), beta.ticket.number, ["ویژه"])
    # then each tenant keeps its own tag, its own spelling, and lists only its own tickets
    assert beta.api().get(f"{API}/tickets/{beta.ticket.number}").json()["tags"] == ["ویژه"]
    assert Tag.objects.filter(tenant=alpha.tenant).get().name == "ويژه"
    assert _tagged(alpha.api(), "ویژه") == [alpha.ticket.number]
    assert _tagged(beta.api(), "ويژه") == [beta.ticket.number]


def _customer(api, **fields) -> int:
    response = send(api, "POST", "/customers", fields)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _found(api, query: str) -> list[int]:
    response = api.get(API + "/customers", {"q": query, "page_size": 100})
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


@pytest.mark.parametrize(
    ("saved", "asked"),
    [
        ("حسين كاظمي", "حسین"),  # Arabic yeh and kaf saved, Persian asked
        ("حسین کاظمی", "حسين"),  # and the other way round
        ("مشتري ويژه", "مشتری ویژه"),  # seed 001's Arabic spelling
        ("محمدحسین کاظمی", "محمد حسین"),  # a name glued or spaced
        (f"محمد{ZWNJ}حسین کاظمي", "محمدحسين"),  # with ZWNJ
        ("مـــریم", "مریم"),  # kashida
    ],
)
def test_customer_search_finds_every_spelling_of_a_name(alpha, saved, asked):
    api = alpha.api()
    wanted = _customer(api, name=saved)
    _customer(api, name="نیما")
    assert _found(api, asked) == [wanted]


@pytest.mark.parametrize(
    "asked", ["۰۹۱۲۱۲۳۴۵۶۷", "09121234567", "٠٩١٢١٢٣٤٥٦٧", "۰۹۱۲ ۱۲۳ ۴۵۶۷", "0912-123-4567"]
)
def test_customer_search_finds_a_phone_in_any_digits(alpha, asked):
    api = alpha.api()
    # given a phone saved from Persian digits (kept as ASCII digits)
    wanted = _customer(api, name="سارا", phone="۰۹۱۲۱۲۳۴۵۶۷")
    _customer(api, name="نیما", phone="09351112233")
    assert _found(api, asked) == [wanted]


def test_customer_search_follows_a_changed_name_email_and_phone(alpha):
    api = alpha.api()
    customer = _customer(api, name="سارا", email="sara@example.ir")
    response = send(
        api,
        "PATCH",
        f"/customers/{customer}",
        {"name": "مريم", "email": "Maryam@Example.ir", "phone": "۰۹۱۲۱۲۳۴۵۶۷"},
    )
    assert response.status_code == 200, response.content
    assert _found(api, "سارا") == []
    assert _found(api, "مریم") == _found(api, "MARYAM@") == _found(api, "۱۲۳۴۵") == [customer]


def test_customer_search_stays_within_the_tenant(alpha, beta):
    _customer(beta.api(), name="حسين", phone="09121234567")
    assert _found(alpha.api(), "حسین") == _found(alpha.api(), "۰۹۱۲۱۲۳۴۵۶۷") == []
    assert len(_found(beta.api(), "حسین")) == 1


@pytest.mark.parametrize(
    "spelling",
    [
        "پشتيباني ايميل",  # Arabic ي
        f"پشتیبانی{ZWNJ}ایمیل",  # ZWNJ for the space
        "پشتیبانیایمیل",  # glued
        "پشتیبانی  ایمـیل",  # two spaces, kashida
    ],
)
def test_a_department_name_in_another_spelling_is_refused(alpha, spelling):
    api = alpha.api()
    assert send(api, "POST", "/departments", {"name": "پشتیبانی ایمیل"}).status_code == 201
    before = snapshot()
    # when another spelling of the name is sent, then it is refused like the same name, in
    # Persian and in English
    path, body = "/departments", {"name": spelling}
    persian = assert_error(send(api, "POST", path, body), 400, "invalid")
    english = assert_error(send(api, "POST", path, body, HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid")
    assert persian["fields"]["name"] == ["واحدی با این نام از قبل وجود دارد."]
    assert english["fields"]["name"] == ["A department with this name exists."]
    assert snapshot() == before
    # and so is renaming another department to it
    other = alpha.department.pk
    renamed = send(api, "PATCH", f"/departments/{other}", {"name": spelling})
    assert_error(renamed, 400, "invalid")
    assert Department.objects.get(pk=other).name == "پشتیبانی فنی"


def test_department_keeps_its_own_name_and_other_tenants_may_use_it(alpha, beta):
    api = alpha.api()
    # renaming a department to another spelling of its own name is allowed
    renamed = send(api, "PATCH", f"/departments/{alpha.department.pk}", {"name": "پشتيباني فني"})
    assert renamed.status_code == 200, renamed.content
    # and another tenant may have a name of this one's
    assert send(api, "POST", "/departments", {"name": "پشتیبانی ایمیل"}).status_code == 201
    created = send(beta.api(), "POST", "/departments", {"name": "پشتيباني ايميل"})
    assert created.status_code == 201, created.content
