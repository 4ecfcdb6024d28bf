"""A request's tenant and its API token are kept in each process between requests
(process_cache), as production does with a cache every process shares: a known tenant and
token are let in without reading their rows, and yet a revocation, a removed seat, a
deactivated user, a switched-off tenant or a moved address counts from the very next request —
through a service, a model's save or a queryset's update — and a rolled-back one never. These
tests commit (transactional database), so the stamps are renewed as in production."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pishkhan import process_cache
from pishkhan.core import clock
from pishkhan.tenancy.models import ApiToken, Domain, Membership, Tenant, hash_token
from pishkhan.tenancy.selectors import api_access_get, tenant_get_by_slug
from pishkhan.tenancy.services import api_token_revoke, membership_update
from tests.api.helpers import API, REACHED_BY, assert_error, client_reaching, token_for
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kept_per_process")]


def warm(client: Client, path: str = "/departments") -> None:
    """Enough requests for the tenant and token to be kept: the first finds which tenant the
    address leads to, the next keeps what it reads under that tenant's stamp."""
    for _ in range(3):
        assert client.get(API + path).status_code == 200


def access_reads(client: Client, path: str = "/departments") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API + path)
    tables = ("tenancy_tenant", "tenancy_apitoken", "tenancy_domain")
    return response.status_code, [q["sql"] for q in captured if any(t in q["sql"] for t in tables)]


def by_header(world, token: str | None = None) -> Client:
    return Client(
        HTTP_HOST="api.example.com",
        HTTP_X_TENANT=world.tenant.slug,
        HTTP_AUTHORIZATION=f"Bearer {token or world.token}",
    )


def test_known_tenant_and_token_are_let_in_without_reading_their_rows(alpha):
    client = alpha.api()
    warm(client)
    status, reads = access_reads(client)
    assert status == 200
    assert reads == []


def test_revoked_token_is_refused_on_the_next_request(alpha):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    token = ApiToken.objects.for_tenant(alpha.tenant).get(last_four=raw[-4:])
    api_token_revoke(tenant=alpha.tenant, token=token, actor=alpha.owner)
    assert_error(client.get(API + "/departments"), 401, "unauthorized")
    # and the tenant's other tokens still work
    assert alpha.api().get(API + "/departments").status_code == 200


def test_a_revocation_rolled_back_never_counts(alpha):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    token = ApiToken.objects.for_tenant(alpha.tenant).get(last_four=raw[-4:])

    def revoke_then_fail():
        with transaction.atomic():
            api_token_revoke(tenant=alpha.tenant, token=token, actor=alpha.owner)
            raise RuntimeError("the surrounding work failed")

    with pytest.raises(RuntimeError):
        revoke_then_fail()
    status, reads = access_reads(client)
    assert status == 200
    assert reads == []  # still the copy kept before: nothing committed changed it


@pytest.mark.parametrize("how", ["service", "queryset"])
def test_removed_seat_is_refused_on_the_next_request(alpha, how):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    seat = Membership.objects.for_tenant(alpha.tenant).get(user=alpha.agent)
    if how == "service":
        membership_update(
            tenant=alpha.tenant, actor=alpha.owner, membership=seat, role=seat.role, is_active=False
        )
    else:
        Membership.objects.filter(pk=seat.pk).update(is_active=False)
    assert_error(client.get(API + "/departments"), 401, "unauthorized")


def test_a_lowered_role_counts_on_the_next_request(alpha):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    Membership.objects.filter(tenant=alpha.tenant, user=alpha.agent).update(role="readonly")
    response = client.patch(
        API + f"/tickets/{alpha.ticket.number}",
        data={"priority": "urgent"},
        content_type="application/json",
    )
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("how", ["save", "queryset"])
def test_deactivated_user_is_refused_in_every_tenant_on_the_next_request(alpha, beta, how):
    # given alice, staff of both tenants, with a token in each, both kept
    Membership.objects.create(tenant=beta.tenant, user=alpha.agent, role="agent")
    in_alpha = alpha.api(token_for(alpha, alpha.agent))
    in_beta = beta.api(token_for(beta, alpha.agent))
    warm(in_alpha)
    warm(in_beta)
    # when she is switched off
    user = type(alpha.agent).objects.get(pk=alpha.agent.pk)
    if how == "save":
        user.is_active = False
        user.save()
    else:
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    # then neither token opens anything
    assert_error(in_alpha.get(API + "/departments"), 401, "unauthorized")
    assert_error(in_beta.get(API + "/departments"), 401, "unauthorized")


def test_a_login_does_not_renew_what_is_kept(alpha):
    client = alpha.api()
    warm(client)
    # a login writes the user's last_login, which lets in no more and no less than before
    before = type(alpha.agent).objects.get(pk=alpha.agent.pk).last_login
    signed_in = alpha.client().post("/login/", {"email": alpha.agent.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert type(alpha.agent).objects.get(pk=alpha.agent.pk).last_login != before
    assert access_reads(client) == (200, [])


@pytest.mark.parametrize("how", ["save", "queryset"])
@pytest.mark.parametrize("reached_by", REACHED_BY)
def test_switched_off_tenant_is_no_tenant_on_the_next_request(alpha, how, reached_by):
    client = client_reaching(alpha, reached_by)
    warm(client)
    assert access_reads(client) == (200, [])
    if how == "save":
        tenant = Tenant.objects.get(pk=alpha.tenant.pk)
        tenant.is_active = False
        tenant.save()
    else:
        Tenant.objects.filter(pk=alpha.tenant.pk).update(is_active=False)
    assert_error(client.get(API + "/departments"), 404, "tenant_not_found")


def test_a_slug_given_to_another_tenant_leads_there_at_once(alpha, beta):
    to_alpha = by_header(alpha)
    warm(to_alpha)
    # when alpha gives up its name and beta takes it
    Tenant.objects.filter(pk=alpha.tenant.pk).update(slug="alpha-old")
    Tenant.objects.filter(pk=beta.tenant.pk).update(slug="alpha")
    # then "alpha" is beta: alpha's token is nobody there, beta's works
    assert_error(to_alpha.get(API + "/departments"), 401, "unauthorized")
    beta_there = Client(
        HTTP_HOST="api.example.com",
        HTTP_X_TENANT="alpha",
        HTTP_AUTHORIZATION=f"Bearer {beta.token}",
    )
    names = [d["name"] for d in beta_there.get(API + "/departments").json()]
    assert names == [beta.department.name]


def test_a_host_moved_to_another_tenant_leads_there_at_once(alpha, beta):
    domain = Domain.objects.create(tenant=alpha.tenant, host="support.example.ir")
    to_alpha = Client(HTTP_HOST="support.example.ir", HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    warm(to_alpha)
    domain.tenant = beta.tenant
    domain.save()
    assert_error(to_alpha.get(API + "/departments"), 401, "unauthorized")
    to_beta = Client(HTTP_HOST="support.example.ir", HTTP_AUTHORIZATION=f"Bearer {beta.token}")
    assert to_beta.get(API + "/departments").status_code == 200
    # and a host taken away leads nowhere
    domain.delete()
    assert_error(to_beta.get(API + "/departments"), 404, "tenant_not_found")


def test_a_kept_tenant_cannot_answer_for_another(alpha, beta):
    warm(alpha.api())
    warm(beta.api())
    assert_error(alpha.api(beta.token).get(API + "/departments"), 401, "unauthorized")
    names = [d["name"] for d in beta.api().get(API + "/departments").json()]
    assert names == [beta.department.name]


def test_each_request_gets_its_own_copy_of_the_tenant(alpha):
    for _ in range(3):
        first = tenant_get_by_slug(slug="alpha")
    first.name = "changed by one request, never saved"
    assert tenant_get_by_slug(slug="alpha").name == alpha.tenant.name


def test_last_use_of_a_kept_token_is_written_once_a_minute(alpha):
    client = alpha.api()
    token = ApiToken.objects.for_tenant(alpha.tenant).get()
    with time_machine.travel(clock.now(), tick=False) as traveller:
        warm(client)
        token.refresh_from_db()
        first = token.last_used_at
        assert first == clock.now()
        # within the minute, calls write nothing
        traveller.shift(timedelta(seconds=50))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(API + "/departments").status_code == 200
        assert not [q for q in captured if q["sql"].startswith("UPDATE")]
        # past it, one call writes it again, though the kept row still holds the first time
        traveller.shift(timedelta(seconds=20))
        for _ in range(3):
            assert client.get(API + "/departments").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == first + timedelta(seconds=70)


@pytest.mark.parametrize("how", ["save", "queryset", "upsert"])
def test_a_host_moved_in_any_way_leads_to_its_new_tenant_at_once(alpha, beta, how):
    domain = Domain.objects.create(tenant=alpha.tenant, host="support.example.ir")
    to_alpha = Client(HTTP_HOST="support.example.ir", HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    warm(to_alpha)
    if how == "save":
        domain.tenant = beta.tenant
        domain.save()
    elif how == "queryset":
        Domain.objects.filter(pk=domain.pk).update(tenant=beta.tenant)
    else:
        Domain.objects.bulk_create(
            [Domain(tenant=beta.tenant, host="support.example.ir")],
            update_conflicts=True,
            unique_fields=["host"],
            update_fields=["tenant"],
        )
    assert_error(to_alpha.get(API + "/departments"), 401, "unauthorized")


def test_deleting_a_host_through_an_old_copy_counts_for_its_tenant_now(alpha, beta):
    domain = Domain.objects.create(tenant=alpha.tenant, host="support.example.ir")
    old_copy = Domain.objects.get(pk=domain.pk)
    Domain.objects.filter(pk=domain.pk).update(tenant=beta.tenant)
    to_beta = Client(HTTP_HOST="support.example.ir", HTTP_AUTHORIZATION=f"Bearer {beta.token}")
    warm(to_beta)
    old_copy.delete()  # still says alpha
    assert_error(to_beta.get(API + "/departments"), 404, "tenant_not_found")


def test_a_slug_renamed_by_save_leads_nowhere_at_once(alpha):
    to_alpha = by_header(alpha)
    warm(to_alpha)
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    tenant.slug = "alpha-renamed"
    tenant.save()
    assert_error(to_alpha.get(API + "/departments"), 404, "tenant_not_found")


@pytest.mark.parametrize("how", ["queryset", "related", "delete"])
def test_a_token_taken_away_in_any_way_is_refused_on_the_next_request(alpha, how):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    tokens = ApiToken.objects.for_tenant(alpha.tenant).filter(last_four=raw[-4:])
    if how == "queryset":
        tokens.update(revoked_at=clock.now())
    elif how == "related":
        alpha.agent.api_tokens.update(revoked_at=clock.now())
    else:
        tokens.get().delete()
    assert_error(client.get(API + "/departments"), 401, "unauthorized")


# A tenant with data cannot be deleted (its tickets protect it); switching it off is above.
@pytest.mark.parametrize("how", ["seat deleted", "user deleted"])
def test_deletions_count_on_the_next_request(alpha, how):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    if how == "seat deleted":
        Membership.objects.get(tenant=alpha.tenant, user=alpha.agent).delete()
    else:
        type(alpha.agent).objects.get(pk=alpha.agent.pk).delete()
    assert_error(client.get(API + "/departments"), 401, "unauthorized")


def test_a_role_lowered_by_the_service_counts_on_the_next_request(alpha):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)
    seat = Membership.objects.for_tenant(alpha.tenant).get(user=alpha.agent)
    membership_update(
        tenant=alpha.tenant, actor=alpha.owner, membership=seat, role="readonly", is_active=True
    )
    response = client.patch(
        API + f"/tickets/{alpha.ticket.number}",
        data={"priority": "urgent"},
        content_type="application/json",
    )
    assert_error(response, 403, "forbidden")


def test_what_a_rolled_back_transaction_read_is_not_kept(alpha):
    # given a token created in a transaction that then fails
    def create_then_fail():
        with transaction.atomic():
            ApiToken.objects.bulk_create(
                [
                    ApiToken(
                        tenant=alpha.tenant,
                        user=alpha.agent,
                        name="short-lived",
                        token_hash=hash_token("pk_never-committed"),
                        last_four="tted",
                    )
                ]
            )
            for _ in range(3):
                assert api_access_get(tenant=alpha.tenant, raw_token="pk_never-committed")
            raise RuntimeError("the surrounding work failed")

    with pytest.raises(RuntimeError):
        create_then_fail()
    # then the token it read inside lets nobody in
    assert_error(alpha.api("pk_never-committed").get(API + "/departments"), 401, "unauthorized")


def test_a_renewal_lost_on_the_way_costs_at_most_the_kept_copies_age(alpha, monkeypatch):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    token = ApiToken.objects.for_tenant(alpha.tenant).get(last_four=raw[-4:])
    with time_machine.travel(clock.now(), tick=False) as traveller:
        warm(client)

        # when the shared cache cannot be written the moment the revocation commits
        def unreachable(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(process_cache.cache, "set", unreachable)
        api_token_revoke(tenant=alpha.tenant, token=token, actor=alpha.owner)
        monkeypatch.undo()
        # then the revocation stands, and no process lets the token in past the kept age
        token.refresh_from_db()
        assert token.revoked_at is not None
        traveller.shift(timedelta(seconds=process_cache.KEPT_SECONDS + 1))
        assert_error(client.get(API + "/departments"), 401, "unauthorized")


def test_without_the_shared_cache_requests_read_the_database(alpha, monkeypatch):
    raw = token_for(alpha, alpha.agent)
    client = alpha.api(raw)
    warm(client)

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(process_cache.cache, "get_many", unreachable)
    # the API still answers, reading tenant and token each time
    status, reads = access_reads(client)
    assert status == 200
    assert reads
    # and a revocation meanwhile counts at once
    token = ApiToken.objects.for_tenant(alpha.tenant).get(last_four=raw[-4:])
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    assert_error(client.get(API + "/departments"), 401, "unauthorized")
