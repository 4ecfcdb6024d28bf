"""Cross-tenant cases of the search API routes (merged into tests/api/test_isolation.py)."""

# (method, path template) -> request body (or None) for routes naming one of beta's objects.
PATH_CASES: dict = {}
# (method, path template) -> check(client, alpha, beta, beta_only) for collection routes.
COLLECTION_CASES: dict = {}


def beta_objects(beta) -> dict:
    """beta's objects, as path parameter name -> value."""
    return {}
