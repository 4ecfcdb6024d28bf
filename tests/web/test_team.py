"""Owners and portal admins manage seats and API tokens."""

from pishkhan.tenancy.models import ApiToken


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
