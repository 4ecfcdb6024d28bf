"""Isolation cases of the search pages (merged into tests/web/test_isolation.py)."""

# name -> kwargs naming keys of the objects below
ROUTES: dict = {}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = ()


def beta_objects(beta) -> dict:
    """beta's objects, by the keys ROUTES names."""
    return {}
