"""Shared fixtures: two tenants side by side (alice works in alpha, bob in beta), each with a
department that requires fields, a customer with a portal login and a ticket."""

import pytest
from django.test import Client

from pishkhan import process_cache
from pishkhan.accounts.middleware import SESSION_TENANT_KEY
from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_signup, staff_user_create
from pishkhan.policies.services import rule_settings_update
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import api_token_create, membership_grant, tenant_create
from pishkhan.tickets.services import department_create, ticket_submit

PASSWORD = "correct-horse-1405"

# Persian text from the seeds (002: the hosting company's support policy).
SEED_SUBJECT = "پشتیبانی ماژول های طراحی شده توسط شرکت"
SEED_BODY = (
    "نصب و راه اندازی ماژول هایی که توسط سایت کام به کام ارائه می گردد فقط یکبار به صورت "
    "رایگان انجام خواهد شد"
)
DEPARTMENT_FIELDS = [
    {
        "key": "domain",
        "label_fa": "دامنه سرویس",
        "label_en": "Service domain",
        "kind": "domain",
        "required": True,
    },
    {
        "key": "server_ip",
        "label_fa": "آی‌پی سرور",
        "label_en": "Server IP",
        "kind": "ip",
        "required": True,
    },
]
GOOD_FIELDS = {"domain": "example.ir", "server_ip": "185.8.172.10"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is slow on purpose; tests that are not about hashing need not pay for it
    # (tests/accounts checks that production settings put Argon2 first).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _nothing_kept_from_an_earlier_test():
    """What a process keeps between requests (process_cache) is renewed by the writes that
    change it; emptying the database between tests sends none, and the next test's "alpha"
    is a new tenant under the same name."""
    process_cache.forget()


@pytest.fixture(autouse=True)
def _the_products_language():
    """Each test starts in the product's language (Persian), whatever an earlier test in the
    same process activated and left behind (a code path that activates a reader's language)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def kept_per_process(monkeypatch):
    """Copies kept between requests (process_cache), whatever the test cache is: as in
    production, where every process shares one cache. A test runs in one process, which sees
    every change it makes."""
    monkeypatch.setattr(process_cache, "force_enabled", True)
    process_cache.forget()
    yield
    process_cache.forget()


@pytest.fixture(autouse=True)
def _release_socket_connections():
    """The chat sockets' database threads keep their connections between calls: close them
    after each test, before its database is emptied (and, at the end, dropped)."""
    yield
    from pishkhan.chat import db

    db.release()


class World:
    """Everything of one tenant a test may need."""

    def __init__(self, slug: str, staff_name: str):
        self.tenant = tenant_create(slug=slug, name=f"شرکت {slug}")
        self.host = f"{slug}.localhost"
        self.agent = staff_user_create(
            email=f"{staff_name}@{slug}.example", password=PASSWORD, full_name=staff_name
        )
        self.owner = staff_user_create(
            email=f"owner@{slug}.example", password=PASSWORD, full_name=f"owner {slug}"
        )
        self.viewer = staff_user_create(
            email=f"viewer@{slug}.example", password=PASSWORD, full_name=f"viewer {slug}"
        )
        membership_grant(tenant=self.tenant, user=self.owner, role=Role.OWNER)
        membership_grant(tenant=self.tenant, user=self.agent, role=Role.AGENT)
        membership_grant(tenant=self.tenant, user=self.viewer, role=Role.READ_ONLY)
        # Most tests file several requests with the seed's text, which the duplicate rule (T-4)
        # would rightly refuse; the tests of the rules (tests/policies) switch it back on.
        rule_settings_update(tenant=self.tenant, actor=self.owner, duplicates="off")
        self.department = department_create(
            tenant=self.tenant,
            actor=self.owner,
            name="پشتیبانی فنی",
            name_en="Technical",
            fields=DEPARTMENT_FIELDS,
        )
        self.customer_user = customer_signup(
            tenant=self.tenant,
            name="علی رضایی",
            email=f"customer@{slug}.example",
            password=PASSWORD,
        )
        self.customer = Customer.objects.get(user=self.customer_user)
        self.ticket = ticket_submit(
            tenant=self.tenant,
            customer=self.customer,
            department=self.department,
            actor=self.customer_user,
            subject=SEED_SUBJECT,
            body=SEED_BODY,
            fields=GOOD_FIELDS,
        )
        _token, self.token = api_token_create(tenant=self.tenant, user=self.owner, name="test")

    def submit(self, subject: str, **kwargs):
        """The customer files a complete request to the department (override any argument)."""
        arguments = {
            "tenant": self.tenant,
            "customer": self.customer,
            "department": self.department,
            "actor": self.customer_user,
            "subject": subject,
            "body": SEED_BODY,
            "fields": GOOD_FIELDS,
            **kwargs,
        }
        return ticket_submit(**arguments)

    def client(self, user=None) -> Client:
        """A browser on this tenant's host, logged in as `user` if given."""
        client = Client(HTTP_HOST=self.host)
        if user is not None:
            login(client, user, self.tenant)
        return client

    def api(self, token: str | None = None) -> Client:
        return Client(HTTP_HOST=self.host, HTTP_AUTHORIZATION=f"Bearer {token or self.token}")


def login(client: Client, user, tenant) -> None:
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = tenant.pk
    session.save()


@pytest.fixture
def alpha(db) -> World:
    return World("alpha", "alice")


@pytest.fixture
def beta(db) -> World:
    return World("beta", "bob")
