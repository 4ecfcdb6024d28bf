"""The operator's own support desk (T-8) [003 4.2.6]: other tenants' staff sign in there as its
customers, and only a tenant's owner or portal admin may open a ticket."""

import pytest

from pishkhan.tenancy.services import tenant_create
from pishkhan.tickets.models import Ticket
from pishkhan.tickets.services import department_create
from tests.conftest import PASSWORD


@pytest.fixture
def desk(alpha, beta):
    tenant = tenant_create(slug="operator", name="پشتیبانی پیشخوان", is_operator_desk=True)
    department = department_create(tenant=tenant, actor=None, name="حساب و اشتراک")
    return tenant, department


def _signed_in(client, email: str):
    return client.post("/login/", {"email": email, "password": PASSWORD})


def _ask(client, department):
    return client.post(
        "/tickets/new/",
        {
            "department": department.pk,
            "subject": "تمدید اشتراک سالانه",
            "body": "لطفاً فاکتور تمدید اشتراک سالانهٔ محیط کاری ما را صادر کنید.",
            "priority": "normal",
        },
    )


def test_a_tenants_owner_signs_in_at_the_desk_and_opens_a_ticket(desk, beta, client):
    tenant, department = desk
    client.defaults["HTTP_HOST"] = "operator.localhost"

    signed_in = _signed_in(client, beta.owner.email)
    asked = _ask(client, department)

    assert signed_in.status_code == 302 and signed_in.url == "/tickets/"
    assert asked.status_code == 302
    ticket = Ticket.objects.for_tenant(tenant).get()
    assert ticket.customer.user == beta.owner and ticket.customer.email == beta.owner.email


def test_an_agent_of_a_tenant_is_told_only_admins_may_open_tickets(desk, beta, client):
    tenant, department = desk
    client.defaults["HTTP_HOST"] = "operator.localhost"

    _signed_in(client, beta.agent.email)
    asked = _ask(client, department)

    assert asked.status_code == 200
    assert "مدیر پورتال" in asked.content.decode()
    assert not Ticket.objects.for_tenant(tenant).exists()


def test_other_tenants_staff_cannot_sign_in_anywhere_but_the_desk(desk, alpha, beta, client):
    client.defaults["HTTP_HOST"] = alpha.host

    response = _signed_in(client, beta.owner.email)

    assert response.status_code == 200  # the form again: wrong email or password
    assert "_auth_user_id" not in client.session
