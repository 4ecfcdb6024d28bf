"""A visit key or an article of beta's is useless on alpha's host."""

import pytest

from pishkhan.deflection import services
from pishkhan.deflection.models import Visit
from tests.deflection.conftest import KEY_B, make_kb

pytestmark = pytest.mark.django_db


def test_betas_visit_key_on_alphas_host_never_touches_betas_visit(alpha, beta, kb):
    # given beta's customer's visit, which opened beta's article
    beta_kb = make_kb(beta)
    services.visit_open(
        tenant=beta.tenant, customer=beta.customer, key=KEY_B, article_id=beta_kb.modules.pk
    )
    before = Visit.objects.get(tenant=beta.tenant).opened
    # when alpha's customer presents the same key on alpha's host, opens and submits
    client = alpha.client(alpha.customer_user)
    client.get(
        "/tickets/new/suggestions/",
        {"subject": "ماژول", "body": "", "deflection_visit": KEY_B},
        HTTP_HX_REQUEST="true",
    )
    client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_B}")
    # then beta's visit is as it was; alpha's is its own
    assert Visit.objects.get(tenant=beta.tenant).opened == before
    mine = Visit.objects.get(tenant=alpha.tenant)
    assert mine.customer == alpha.customer and mine.opened == [kb.modules.pk]


def test_betas_article_does_not_open_or_get_suggested_on_alphas_host(alpha, beta, kb):
    beta_kb = make_kb(beta)
    client = alpha.client(alpha.customer_user)
    assert client.get(f"/tickets/new/articles/{beta_kb.modules.pk}/").status_code == 404
    html = client.get(
        "/tickets/new/suggestions/",
        {"subject": "راه اندازی مجدد ماژول", "body": "", "deflection_visit": KEY_B},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f"/articles/{beta_kb.modules.pk}/" not in html
    assert f"/articles/{kb.modules.pk}/" in html
    assert not Visit.objects.filter(tenant=beta.tenant).exists()


def test_betas_customer_session_is_nobody_on_alphas_host(alpha, beta, kb):
    client = beta.client(beta.customer_user)
    client.defaults["HTTP_HOST"] = alpha.host
    response = client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_B}")
    assert response.status_code in (302, 404)
    assert not Visit.objects.exists()


def test_agents_find_only_their_own_tenants_articles(alpha, beta, kb):
    make_kb(beta)
    html = (
        alpha.client(alpha.agent)
        .get("/agent/articles/find/", {"q": "ماژول"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "http://alpha.localhost/" in html and "beta.localhost" not in html
    count = html.count("data-kb-insert")
    # alpha's three published articles that mention it (two public, one internal)
    assert count == 3
