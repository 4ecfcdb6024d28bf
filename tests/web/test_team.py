"""Owners and portal admins manage seats and API tokens."""

from pishkhan.tenancy.models import ApiToken, Membership
from tests.conftest import PASSWORD


def test_owner_adds_an_agent_who_can_then_log_in(alpha):
    client = alpha.client(alpha.owner)
    response = client.post(
        "/agent/members/",
        {"email": "new@alpha.example", "full_name": "نیما", "role": "agent", "password": PASSWORD},
    )
    assert response.status_code == 302
    login = alpha.client().post("/login/", {"email": "new@alpha.example", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/agent/"


def test_existing_staff_of_another_tenant_gets_a_seat_without_a_new_login(alpha, beta):
    client = alpha.client(alpha.owner)
    client.post("/agent/members/", {"email": beta.agent.email, "role": "supervisor"})
    assert Membership.objects.get(tenant=alpha.tenant, user=beta.agent).role == "supervisor"


def test_bad_seat_is_refused_and_nothing_changes(alpha):
    before = Membership.objects.count()
    response = alpha.client(alpha.owner).post(
        "/agent/members/", {"email": "x@alpha.example", "role": "agent", "password": ""}
    )
    assert response.status_code == 400 and b"field-error" in response.content
    assert Membership.objects.count() == before


def test_last_owner_cannot_step_down(alpha):
    seat = alpha.owner.memberships.get(tenant=alpha.tenant)
    alpha.client(alpha.owner).post(
        f"/agent/members/{seat.pk}/", {"role": "agent", "is_active": "on"}
    )
    seat.refresh_from_db()
    assert seat.role == "owner"


def test_deactivated_agent_loses_the_workspace(alpha):
    seat = alpha.agent.memberships.get(tenant=alpha.tenant)
    alpha.client(alpha.owner).post(f"/agent/members/{seat.pk}/", {"role": "agent"})
    assert alpha.client(alpha.agent).get("/agent/").status_code == 302  # anonymous → login


def test_agents_cannot_manage_the_team(alpha):
    assert alpha.client(alpha.agent).get("/agent/members/").status_code == 404
    assert alpha.client(alpha.agent).get("/agent/tokens/").status_code == 404


def test_token_is_shown_once_works_and_can_be_revoked(alpha):
    client = alpha.client(alpha.owner)
    page = client.post("/agent/tokens/", {"name": "فروشگاه"}).content.decode()
    raw = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    token = ApiToken.objects.get(name="فروشگاه")
    assert raw.startswith("pk_") and token.token_hash != raw
    api = alpha.api(raw)
    assert api.get("/api/v1/departments").status_code == 200
    client.post(f"/agent/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/departments").status_code == 401
