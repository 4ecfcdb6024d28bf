"""Isolation cases of the deflection (T-11) pages (merged into tests/web/test_isolation.py)."""

from pishkhan.knowledge.services import article_create, category_create

# name -> kwargs naming keys of the objects below
ROUTES: dict = {
    "deflection_suggest": {},
    "deflection_open": {"pk": "deflection_article"},
    "deflection_agent_search": {},
    "deflection_report": {},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = ()


def beta_article(beta):
    """A published public article of beta's: alpha's customers must not open it."""
    category = category_create(tenant=beta.tenant, actor=beta.owner, name="پرسش های بتا")
    return article_create(
        tenant=beta.tenant,
        actor=beta.owner,
        publish=True,
        category=category,
        title="راهنمای محرمانه بتا برای ماژول",
        body="<p>نصب ماژول بتا فقط برای مشتریان بتا.</p>",
    )


def beta_objects(beta) -> dict:
    """beta's objects, by the keys ROUTES names."""
    return {"deflection_article": beta_article(beta).pk}
