"""Cross-tenant cases of the search API routes (merged into tests/api/test_isolation.py)."""

from tests.api.helpers import send

# (method, path template) -> request body (or None) for routes naming one of beta's objects.
PATH_CASES: dict = {}


def _search(client, alpha, beta, beta_only):
    # beta's ticket subject ("درخواست محرمانه بتا"), number, customer and department
    for query in ("محرمانه", f"{beta_only.ticket.number}", beta.customer.email, "بتا"):
        body = send(client, "GET", f"/search?q={query}").json()
        assert all(item["id"] != beta_only.ticket.pk for item in body["items"]), query
        assert body["ticket"] is None or body["ticket"]["id"] != beta_only.ticket.pk
    body = send(client, "GET", f"/search?q=%23{beta_only.ticket.number}").json()
    assert body["ticket"] is None
    # filtering on beta's department finds none of beta's tickets (the ids are beta's only)
    body = send(client, "GET", f"/search?q=درخواست&department={beta.department.pk}").json()
    assert body["items"] == []


# (method, path template) -> check(client, alpha, beta, beta_only) for collection routes.
COLLECTION_CASES: dict = {("GET", "/search"): _search}


def beta_objects(beta) -> dict:
    """beta's objects, as path parameter name -> value."""
    return {}
