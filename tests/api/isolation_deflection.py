"""Cross-tenant cases of the deflection API routes (T-11), merged into test_isolation.py."""

from pishkhan.deflection import services
from tests.api.helpers import send
from tests.web.routes_deflection import beta_article

BETA_KEY = "beta-visit-key-isolation-0001"

# (method, path template) -> request body (or None) for routes naming one of beta's objects.
PATH_CASES: dict = {}


def _suggestions(client, alpha, beta, beta_only):
    # beta's article matches the words, yet alpha's host never suggests it
    beta_id = beta_only.area_values["deflection_beta_article"]
    found = send(client, "GET", "/deflection/suggestions?q=راهنمای محرمانه بتا ماژول").json()
    assert beta_id not in [item["id"] for item in found]
    assert all("بتا" not in item["title"] for item in found)


def _report(client, alpha, beta, beta_only):
    # beta's visit and beta's empty search are not in alpha's report
    report = send(client, "GET", "/reports/deflection").json()
    beta_id = beta_only.area_values["deflection_beta_article"]
    assert beta_id not in [row["article_id"] for row in report["articles"]]
    assert "بتا" not in {row["query"] for row in report["empty_searches"]["items"]}
    assert report["visits"] == 0


# (method, path template) -> check(client, alpha, beta, beta_only) for collection routes.
COLLECTION_CASES: dict = {
    ("GET", "/deflection/suggestions"): _suggestions,
    ("GET", "/reports/deflection"): _report,
}


def beta_objects(beta) -> dict:
    """beta's objects, as path parameter name -> value: an article beta's customer opened and
    a search of beta's that found nothing."""
    article = beta_article(beta)
    services.visit_open(
        tenant=beta.tenant, customer=beta.customer, key=BETA_KEY, article_id=article.pk
    )
    services.search_record(tenant=beta.tenant, source="help_centre", query="جستجوی بتا", results=0)
    return {"deflection_beta_article": article.pk}
