"""Tenants never see each other: every page of one tenant, asked for another tenant's objects
or by another tenant's people, answers 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from pishkhan.accounts.invitations import member_invite
from pishkhan.sla.services import calendar_day_set, policy_create, sla_defaults_ensure
from pishkhan.tickets.services import canned_reply_create, ticket_reply
from tests.conftest import login
from tests.web import (
    routes_chat,
    routes_deflection,
    routes_knowledge,
    routes_mail,
    routes_portal_rules,
    routes_quality,
    routes_rules,
    routes_search,
    routes_widget,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def beta_objects(beta):
    # Numbers are per tenant: give beta a ticket whose number alpha does not have.
    for n in range(2):
        ticket = beta.submit(f"درخواست {n}")
    message = ticket_reply(
        tenant=beta.tenant,
        ticket=ticket,
        actor=beta.agent,
        body="پاسخ کارشناس",
        files=[SimpleUploadedFile("شکل.png", PNG, content_type="image/png")],
    )
    canned = canned_reply_create(
        tenant=beta.tenant, actor=beta.agent, title="سلام", body="سلام و احترام"
    )
    sla_defaults_ensure(tenant=beta.tenant)
    calendar = beta.tenant.calendars.get(name="office")
    calendar_day_set(
        tenant=beta.tenant, actor=beta.owner, calendar=calendar, day="2026-12-03", kind="closed"
    )
    policy = policy_create(
        tenant=beta.tenant, actor=beta.owner, name="سیاست بتا", calendar=calendar
    )
    # The link's raw token stands for itself as the "link".
    invited = member_invite(
        tenant=beta.tenant,
        actor=beta.owner,
        email="invited@beta.example",
        full_name="",
        role="agent",
        link_for=lambda raw: raw,
    )
    return {
        **routes_portal_rules.beta_objects(beta),
        **routes_rules.beta_objects(beta),
        **routes_mail.beta_objects(beta),
        **routes_search.beta_objects(beta),
        **routes_knowledge.beta_objects(beta),
        **routes_deflection.beta_objects(beta),
        **routes_quality.beta_objects(beta),
        **routes_chat.beta_objects(beta),
        **routes_widget.beta_objects(beta),
        "number": ticket.number,
        "calendar": calendar.pk,
        "day": "2026-12-03",
        "policy": policy.pk,
        "attachment": message.attachments.get().pk,
        "canned": canned.pk,
        "department": beta.department.pk,
        "membership": beta.owner.memberships.get().pk,
        "token": beta.owner.api_tokens.get().pk,
        "invitation": invited.invitation.pk,
        "invitation_token": invited.link,
    }


# Every named page, with the kwargs that point at beta's objects. A new route must be added
# here, or test_every_route_is_covered fails.
ROUTES = {
    "home": {},
    "login": {},
    "logout": {},
    "signup": {},
    "language": {},
    "password_reset": {},
    "password_reset_done": {},
    "password_reset_confirm": {"uidb64": "x", "token": "y"},
    "password_reset_complete": {},
    "portal": {},
    "ticket_new": {},
    "ticket": {"number": "number"},
    "attachment": {"pk": "attachment"},
    "queue": {},
    "agent_ticket_new": {},
    "agent_ticket": {"number": "number"},
    "agent_message": {"number": "number"},
    "agent_properties": {"number": "number"},
    "canned": {},
    "canned_delete": {"pk": "canned"},
    "departments": {},
    "department_new": {},
    "department_edit": {"pk": "department"},
    "members": {},
    "member_edit": {"pk": "membership"},
    "tokens": {},
    "token_revoke": {"pk": "token"},
    "sla_report": {},
    "sla_calendars": {},
    "sla_calendar_new": {},
    "sla_calendar": {"pk": "calendar"},
    "sla_calendar_edit": {"pk": "calendar"},
    "sla_calendar_delete": {"pk": "calendar"},
    "sla_calendar_day_add": {"pk": "calendar"},
    "sla_calendar_day_delete": {"pk": "calendar", "day": "day"},
    "sla_policies": {},
    "sla_policy_new": {},
    "sla_policy_edit": {"pk": "policy"},
    "sla_policy_delete": {"pk": "policy"},
    "sla_department_policy": {"pk": "department"},
    "sla_ticket_restored": {"number": "number"},
    "sla_ticket_not_fault": {"number": "number"},
    "agent_ticket_fields": {"number": "number"},
    "invitation": {"token": "invitation_token"},
    "invitation_withdraw": {"pk": "invitation"},
    **routes_portal_rules.ROUTES,
    **routes_rules.ROUTES,
    **routes_mail.ROUTES,
    **routes_search.ROUTES,
    **routes_knowledge.ROUTES,
    **routes_deflection.ROUTES,
    **routes_quality.ROUTES,
    **routes_chat.ROUTES,
    **routes_widget.ROUTES,
}
# Pages that only take a POST (a GET would answer 405 before looking at the object).
POST_ROUTES = (
    "agent_message",
    "agent_properties",
    "canned_delete",
    "member_edit",
    "token_revoke",
    "sla_calendar_delete",
    "sla_calendar_day_add",
    "sla_calendar_day_delete",
    "sla_policy_delete",
    "sla_department_policy",
    "sla_ticket_restored",
    "sla_ticket_not_fault",
    "agent_ticket_fields",
    "invitation_withdraw",
    *routes_portal_rules.POST_ROUTES,
    *routes_rules.POST_ROUTES,
    *routes_mail.POST_ROUTES,
    *routes_search.POST_ROUTES,
    *routes_knowledge.POST_ROUTES,
    *routes_deflection.POST_ROUTES,
    *routes_quality.POST_ROUTES,
    *routes_chat.POST_ROUTES,
    *routes_widget.POST_ROUTES,
)
# Pages whose object belongs to the tenant: asked from alpha's host with beta's ids, they 404.
OBJECT_ROUTES = [
    name for name, kwargs in ROUTES.items() if kwargs and name != "password_reset_confirm"
]


def _web_route_names() -> set[str]:
    _prefix, web = get_resolver().namespace_dict["web"]
    return {key for key in web.reverse_dict if isinstance(key, str)}


def test_every_route_is_covered():
    assert _web_route_names() == set(ROUTES)


def _url(name, beta_objects):
    from django.urls import reverse

    kwargs = {k: beta_objects.get(v, v) for k, v in ROUTES[name].items()}
    return reverse(f"web:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", OBJECT_ROUTES)
@pytest.mark.parametrize("who", ["owner", "agent", "customer_user"])
def test_other_tenant_gets_404(alpha, beta_objects, name, who):
    # given alice's people logged in on alpha, when they ask for beta's objects by id/number
    client = alpha.client(getattr(alpha, who))
    url = _url(name, beta_objects)
    response = (
        client.post(url, {"body": "x", "title": "x"}) if name in POST_ROUTES else client.get(url)
    )
    # then the answer is 404, as for something that does not exist
    assert response.status_code == 404, (name, who, response.status_code)


@pytest.mark.parametrize("name", [n for n in ROUTES if n not in ("logout", "language")])
def test_session_of_one_tenant_is_anonymous_on_another(alpha, beta, beta_objects, name):
    # given bob logged in on beta, when his cookie is sent to alpha's host
    client = beta.client(beta.owner)
    client.defaults["HTTP_HOST"] = alpha.host
    url = _url(name, beta_objects)
    response = client.get(url)
    # then alpha does not know him: public pages render as for a stranger, the rest 404 or
    # send him to log in
    assert response.status_code in (200, 302, 404, 405)
    if response.status_code == 200:
        assert beta.owner.email.encode() not in response.content
        assert b"bob" not in response.content


def test_unknown_host_is_404(db):
    from django.test import Client

    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404


def test_customer_of_beta_cannot_log_in_on_alpha(alpha, beta):
    from tests.conftest import PASSWORD

    response = alpha.client().post(
        "/login/", {"email": beta.customer_user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in alpha.client().session


def test_beta_attachment_is_not_served_to_beta_customer_on_alpha_host(alpha, beta, beta_objects):
    client = alpha.client()
    login(client, beta.customer_user, beta.tenant)  # session says beta, host says alpha
    assert client.get(_url("attachment", beta_objects)).status_code == 404


@pytest.mark.parametrize("slug", ["al\x00pha", "alpha beta", "x" * 300, "ALPHA'--"])
def test_impossible_tenant_header_is_simply_no_tenant(alpha, slug):
    from django.test import Client

    response = Client(HTTP_X_TENANT=slug, HTTP_AUTHORIZATION=f"Bearer {alpha.token}").get(
        "/api/v1/tickets"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"
