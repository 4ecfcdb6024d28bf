"""Isolation cases of the search page (tests/web/test_isolation.py): it takes no object in its
address, so a cross-tenant case is a search for another tenant's words (tests/search)."""

ROUTES: dict = {"search": {}}
POST_ROUTES: tuple = ()


def beta_objects(beta) -> dict:
    return {}
