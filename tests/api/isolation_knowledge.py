"""Cross-tenant cases of the knowledge base API routes (merged into tests/api/test_isolation.py)."""

from pishkhan.knowledge.services import category_create
from tests.api.helpers import assert_error, send
from tests.web import routes_knowledge

# (method, path template) -> request body (or None) for routes naming one of beta's objects.
PATH_CASES: dict = {
    ("GET", "/kb/categories/{category_id}"): None,
    ("PATCH", "/kb/categories/{category_id}"): {"name": "ربوده"},
    ("DELETE", "/kb/categories/{category_id}"): None,
    ("GET", "/kb/articles/{article_id}"): None,
    ("PATCH", "/kb/articles/{article_id}"): {"title": "ربوده"},
    ("DELETE", "/kb/articles/{article_id}"): None,
    ("POST", "/kb/articles/{article_id}/publish"): None,
    ("POST", "/kb/articles/{article_id}/unpublish"): None,
    ("GET", "/kb/articles/{article_id}/revisions"): None,
    ("GET", "/kb/articles/{article_id}/revisions/{revision}"): None,
    ("POST", "/kb/articles/{article_id}/revisions/{revision}/restore"): None,
    ("GET", "/kb/articles/{article_id}/files"): None,
    ("POST", "/kb/articles/{article_id}/files"): {
        "files": [{"filename": "a.txt", "content_base64": "YQ=="}]
    },
    ("GET", "/kb/articles/{article_id}/files/{file_id}"): None,
    ("DELETE", "/kb/articles/{article_id}/files/{file_id}"): None,
    ("GET", "/kb/articles/{article_id}/feedback"): None,
}


def _ids(response) -> set[int]:
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def _categories_list(client, alpha, beta, beta_only):
    assert beta_only.area_values["category_id"] not in _ids(send(client, "GET", "/kb/categories"))


def _categories_create(client, alpha, beta, beta_only):
    # A name beta uses is free in alpha: names are unique per workspace only.
    response = send(client, "POST", "/kb/categories", {"name": "دامنه و DNS"})
    assert response.status_code == 201, response.content
    assert response.json()["id"] != beta_only.area_values["category_id"]


def _articles_list(client, alpha, beta, beta_only):
    values = beta_only.area_values
    assert values["article_id"] not in _ids(send(client, "GET", "/kb/articles?page_size=100"))
    filtered = send(client, "GET", f"/kb/articles?category_id={values['category_id']}")
    assert filtered.json()["count"] == 0


def _articles_create(client, alpha, beta, beta_only):
    values = beta_only.area_values
    # beta's category and article cannot be named from alpha
    response = send(
        client,
        "POST",
        "/kb/articles",
        {"title": "x", "body": "y", "category_id": values["category_id"]},
    )
    assert_error(response, 404, "not_found")
    own = category_create(tenant=alpha.tenant, actor=alpha.owner, name="بخش آلفا").pk
    response = send(
        client,
        "POST",
        "/kb/articles",
        {
            "title": "x",
            "body": "y",
            "category_id": own,
            "language": "en",
            "translation_id": values["article_id"],
        },
    )
    assert_error(response, 404, "not_found")


# (method, path template) -> check(client, alpha, beta, beta_only) for collection routes.
COLLECTION_CASES: dict = {
    ("GET", "/kb/categories"): _categories_list,
    ("POST", "/kb/categories"): _categories_create,
    ("GET", "/kb/articles"): _articles_list,
    ("POST", "/kb/articles"): _articles_create,
}


def beta_objects(beta) -> dict:
    """beta's objects, as path parameter name -> value."""
    objects = routes_knowledge.beta_objects(beta)
    return {
        "category_id": objects["kb_category"],
        "article_id": objects["kb_article"],
        "revision": objects["kb_revision"],
        "file_id": objects["kb_file"],
    }
