"""Who gets in, in which language errors speak, and what the API says about itself."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from pishkhan.api.urls import docs_view
from pishkhan.core import clock
from pishkhan.tenancy.models import ApiToken, Domain, Membership, Role, Tenant
from pishkhan.tenancy.services import api_token_revoke, membership_grant
from tests.api.helpers import API, REACHED_BY, assert_error, client_reaching, send, token_for


def test_request_without_a_token_is_unauthorized(alpha):
    response = Client(HTTP_HOST=alpha.host).get(API + "/tickets")
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer pk_made-up", "Bearer ", "Token {token}", "bearer{token}"]
)
def test_malformed_or_unknown_token_is_unauthorized(alpha, header):
    client = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=header.format(token=alpha.token))
    assert_error(client.get(API + "/tickets"), 401, "unauthorized")


def test_revoked_token_is_unauthorized(alpha):
    # given a token that worked, when the owner revokes it
    raw = token_for(alpha, alpha.agent)
    assert alpha.api(raw).get(API + "/tickets").status_code == 200
    token = ApiToken.objects.for_tenant(alpha.tenant).get(last_four=raw[-4:])
    api_token_revoke(tenant=alpha.tenant, token=token, actor=alpha.owner)
    # then it no longer opens anything
    assert_error(alpha.api(raw).get(API + "/tickets"), 401, "unauthorized")


def test_token_of_a_member_who_left_is_unauthorized(alpha):
    raw = token_for(alpha, alpha.agent)
    Membership.objects.filter(tenant=alpha.tenant, user=alpha.agent).update(is_active=False)
    assert_error(alpha.api(raw).get(API + "/tickets"), 401, "unauthorized")


def test_token_whose_seat_was_removed_is_refused_on_the_next_request(alpha):
    # given a token that has just worked
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    assert client.get(API + "/tickets").status_code == 200
    # when its user's seat is removed, then the very next request is refused
    Membership.objects.filter(tenant=alpha.tenant, user=alpha.agent).delete()
    assert_error(client.get(API + "/tickets"), 401, "unauthorized")


def test_token_of_a_deactivated_user_is_unauthorized(alpha):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    assert client.get(API + "/tickets").status_code == 200
    type(alpha.agent).objects.filter(pk=alpha.agent.pk).update(is_active=False)
    assert_error(client.get(API + "/tickets"), 401, "unauthorized")


def test_a_seat_in_another_tenant_does_not_keep_a_token_alive(alpha, beta):
    # given alice, staff of both tenants, with a token of alpha
    membership_grant(tenant=beta.tenant, user=alpha.agent, role=Role.AGENT)
    raw = token_for(alpha, alpha.agent)
    # when she leaves alpha, then her seat in beta does not let alpha's token in anywhere
    Membership.objects.filter(tenant=alpha.tenant, user=alpha.agent).update(is_active=False)
    assert_error(alpha.api(raw).get(API + "/tickets"), 401, "unauthorized")
    assert_error(beta.api(raw).get(API + "/tickets"), 401, "unauthorized")


def test_token_acts_with_its_users_role(alpha):
    viewer = alpha.api(token_for(alpha, alpha.viewer))
    assert viewer.get(API + f"/tickets/{alpha.ticket.number}").status_code == 200
    response = send(viewer, "PATCH", f"/tickets/{alpha.ticket.number}", {"priority": "urgent"})
    assert_error(response, 403, "forbidden")


def test_token_is_let_in_with_one_read_of_token_user_and_seat(alpha):
    client = alpha.api()
    client.get(API + "/departments")  # the token's last use is written once a minute
    with CaptureQueriesContext(connection) as queries:
        assert client.get(API + "/departments").status_code == 200
    access = [q["sql"] for q in queries if "tenancy_apitoken" in q["sql"]]
    assert len(access) == 1
    assert "tenancy_membership" in access[0] and "accounts_user" in access[0]
    assert not [q for q in queries if "tenancy_membership" in q["sql"] and q["sql"] != access[0]]


def test_last_use_of_a_token_is_written_at_most_once_a_minute(alpha):
    token = ApiToken.objects.for_tenant(alpha.tenant).get()
    recently = clock.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    assert alpha.api().get(API + "/departments").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == recently
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now() - timedelta(minutes=2))
    assert alpha.api().get(API + "/departments").status_code == 200
    token.refresh_from_db()
    assert clock.now() - token.last_used_at < timedelta(seconds=30)


def test_tenant_is_found_by_a_host_of_its_own(alpha, beta):
    Domain.objects.create(tenant=alpha.tenant, host="support.alpha.example")
    client = Client(HTTP_HOST="support.alpha.example", HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    response = client.get(API + "/tickets")
    assert [t["subject"] for t in response.json()["items"]] == [alpha.ticket.subject]
    # and another tenant's token means nothing there
    beta_client = Client(
        HTTP_HOST="support.alpha.example", HTTP_AUTHORIZATION=f"Bearer {beta.token}"
    )
    assert_error(beta_client.get(API + "/tickets"), 401, "unauthorized")


@pytest.mark.parametrize("reached_by", REACHED_BY)
def test_inactive_tenant_is_no_tenant(alpha, reached_by):
    client = client_reaching(alpha, reached_by)
    # given a tenant its token reaches, when the tenant is switched off, then it is not there
    assert client.get(API + "/tickets").status_code == 200
    Tenant.objects.filter(pk=alpha.tenant.pk).update(is_active=False)
    assert_error(client.get(API + "/tickets"), 404, "tenant_not_found")


def test_other_tenants_token_on_this_host_is_unauthorized(alpha, beta):
    assert_error(
        alpha.api(beta.token).get(API + f"/tickets/{alpha.ticket.number}"), 401, "unauthorized"
    )


def test_tenant_may_be_chosen_by_header_instead_of_host(alpha, beta):
    # given a host that names no tenant
    client = Client(HTTP_HOST="api.example.com", HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    # when the tenant is named in X-Tenant, then the token works there
    response = client.get(API + "/tickets", HTTP_X_TENANT="alpha")
    assert response.status_code == 200
    assert [t["subject"] for t in response.json()["items"]] == [alpha.ticket.subject]
    # and naming another tenant does not carry the token over
    assert_error(client.get(API + "/tickets", HTTP_X_TENANT="beta"), 401, "unauthorized")
    assert_error(client.get(API + "/tickets"), 404, "tenant_not_found")


def test_errors_speak_persian_by_default_and_english_when_asked(alpha):
    bad = {"name": ""}
    # when no language is asked for, then the message is Persian
    persian = assert_error(send(alpha.api(), "POST", "/customers", bad), 400, "invalid")
    assert persian["message"] == persian["message_fa"] == "برخی از فیلدها نامعتبرند."
    # when English is asked for, then the message and the field texts are English
    english = assert_error(
        send(alpha.api(), "POST", "/customers", bad, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"),
        400,
        "invalid",
    )
    assert english["message"] == english["message_en"] == "Some fields are invalid."
    assert english["message_fa"] == persian["message_fa"]
    # and a missing key is named the same way in both languages
    persian = assert_error(send(alpha.api(), "POST", "/canned-replies", {}), 400, "invalid")
    english = assert_error(
        send(alpha.api(), "POST", "/canned-replies", {}, HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid"
    )
    assert persian["fields"] == {
        "title": ["این فیلد الزامی است."],
        "body": ["این فیلد الزامی است."],
    }
    assert english["fields"] == {
        "title": ["This field is required."],
        "body": ["This field is required."],
    }


def test_404_and_401_follow_the_language_too(alpha):
    english = assert_error(
        alpha.api().get(API + "/tickets/999", HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found"
    )
    assert english["message"] == "Not found."
    persian = assert_error(Client(HTTP_HOST=alpha.host).get(API + "/tickets"), 401, "unauthorized")
    assert persian["message"] == persian["message_fa"] != persian["message_en"]


def test_dates_are_shown_jalali_in_persian_and_gregorian_in_english(alpha):
    persian = alpha.api().get(API + f"/tickets/{alpha.ticket.number}").json()
    english = (
        alpha.api().get(API + f"/tickets/{alpha.ticket.number}", HTTP_ACCEPT_LANGUAGE="en").json()
    )
    assert persian["created_at"] == english["created_at"]
    # Jalali years are 14xx, Gregorian 20xx; Persian digits only in Persian
    assert "۱۴۰" in persian["created_at_display"]
    assert not any(ch.isascii() and ch.isdigit() for ch in persian["created_at_display"])
    assert " 20" in english["created_at_display"]
    assert english["created_at_display"].isascii()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/nothing-here",
        "/tickets/",
        "/tickets/abc",
        "/tickets/1/nope",
        "/v2/tickets",
        # Control characters, a newline above all, must not slip past the API's own 404.
        "/customers/%0A",
        "/customers/1%0D%0Ax",
        "/tickets/%19%C2%BF%0A%16",
    ],
)
def test_unknown_route_answers_404_in_the_error_shape(alpha, path):
    assert_error(alpha.api().get(API + path), 404, "not_found")
    assert_error(send(alpha.api(), "POST", path, {}), 404, "not_found")


def test_unknown_method_answers_405_in_the_error_shape(alpha):
    response = send(alpha.api(), "PUT", f"/tickets/{alpha.ticket.number}", {})
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


@pytest.mark.parametrize("number", ["0", "9223372036854775808", "99999999999999999999999"])
def test_ticket_numbers_out_of_range_are_simply_not_found(alpha, number):
    assert_error(alpha.api().get(f"{API}/tickets/{number}"), 404, "not_found")


@pytest.mark.parametrize("path", ["/customers/{n}", "/departments/{n}", "/attachments/{n}"])
def test_ids_out_of_range_are_simply_not_found(alpha, path):
    assert_error(alpha.api().get(API + path.format(n=10**25)), 404, "not_found")


@pytest.mark.parametrize(("path", "flag"), [("/departments", "all"), ("/agents", "assignable")])
def test_flag_that_is_not_a_boolean_is_refused(alpha, path, flag):
    error = assert_error(alpha.api().get(f"{API}{path}?{flag}=maybe"), 400, "invalid")
    assert set(error["fields"]) == {flag}


def test_every_operation_that_takes_input_declares_its_400(db):
    paths = Client(HTTP_HOST="localhost").get(API + "/openapi.json").json()["paths"]
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if (
            "requestBody" in operation
            or any(p["in"] == "query" for p in operation.get("parameters", []))
        )
        and "400" not in operation["responses"]
    ]
    assert undeclared == []


def test_every_operation_that_needs_a_token_declares_its_401(db):
    paths = Client(HTTP_HOST="localhost").get(API + "/openapi.json").json()["paths"]
    secured = [
        (f"{method.upper()} {path}", operation["responses"])
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get("security")
    ]
    assert len(secured) == sum(len(operations) for operations in paths.values())
    assert [name for name, responses in secured if "401" not in responses] == []


def test_openapi_schema_needs_no_token_and_no_tenant(db):
    response = Client(HTTP_HOST="localhost").get(API + "/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/tickets",
        "/api/v1/tickets/{number}/messages",
        "/api/v1/attachments/{attachment_id}",
    } <= set(paths)


def test_docs_page_points_at_the_schema(db):
    response = docs_view(RequestFactory().get("/api/docs"))
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
