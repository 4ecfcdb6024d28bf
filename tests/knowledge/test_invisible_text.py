"""Text made only of invisible marks (a ZWNJ, a zero-width space) is no text: a required field
of the knowledge base stays unfilled, through the API and the agent's pages alike, as it does
for tickets and customers."""

import pytest

from pishkhan.knowledge.models import Article, Category, Revision
from tests.api.helpers import assert_error, send
from tests.knowledge.conftest import TICKET_BODY, TICKET_TITLE

ZWNJ = "\u200c"
ZWSP = "\u200b"
INVISIBLE = [ZWNJ, ZWNJ + ZWNJ, ZWSP, f" {ZWNJ}\u200e "]


def _rows() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Article, Category, Revision)
    }


@pytest.mark.parametrize("text", INVISIBLE)
@pytest.mark.parametrize("field", ["title", "body"])
def test_invisible_title_or_body_of_an_article_is_refused(alpha, kb, field, text):
    # given a published article
    article = kb.article()
    before = _rows()
    # when an integration replaces its title or its text with invisible marks
    response = send(alpha.api(), "PATCH", f"/kb/articles/{article.pk}", {field: text})
    # then the field is named as required, and the article is as it was
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    assert _rows() == before


@pytest.mark.parametrize("text", INVISIBLE)
def test_new_article_with_an_invisible_title_is_refused(alpha, kb, text):
    before = _rows()
    body = {"title": text, "body": TICKET_BODY, "category_id": kb.category.pk}
    error = assert_error(send(alpha.api(), "POST", "/kb/articles", body), 400, "invalid")
    assert list(error["fields"]) == ["title"]
    assert _rows() == before


@pytest.mark.parametrize("text", INVISIBLE)
def test_category_with_an_invisible_name_is_refused(alpha, kb, text):
    before = _rows()
    client = alpha.api()
    error = assert_error(send(client, "POST", "/kb/categories", {"name": text}), 400, "invalid")
    assert list(error["fields"]) == ["name"]
    path = f"/kb/categories/{kb.category.pk}"
    error = assert_error(send(client, "PATCH", path, {"name": text}), 400, "invalid")
    assert list(error["fields"]) == ["name"]
    assert _rows() == before


def test_invisible_optional_text_is_kept_empty(alpha):
    response = send(alpha.api(), "POST", "/kb/categories", {"name": "دامنه", "name_en": ZWNJ})
    assert response.status_code == 201, response.content
    assert Category.objects.get(tenant=alpha.tenant).name_en == ""


def test_article_form_refuses_an_invisible_title_and_body(alpha, kb):
    response = alpha.client(alpha.agent).post(
        "/agent/kb/new/",
        {
            "title": ZWNJ + ZWNJ,
            "category": kb.category.pk,
            "language": "fa",
            "visibility": "public",
            "body": ZWSP,
            "action": "publish",
        },
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors.keys() >= {"title", "body"}
    assert not Article.objects.exists()


def test_article_form_refuses_an_invisible_title_on_edit(alpha, kb):
    article = kb.article()
    alpha.client(alpha.agent).post(
        f"/agent/kb/{article.pk}/",
        {
            "title": ZWNJ,
            "category": kb.category.pk,
            "language": "fa",
            "visibility": "public",
            "body": TICKET_BODY,
        },
    )
    article.refresh_from_db()
    assert article.title == TICKET_TITLE


def test_category_form_refuses_an_invisible_name(alpha):
    response = alpha.client(alpha.owner).post("/agent/kb/categories/", {"name": ZWNJ})
    assert response.status_code in (200, 400)
    assert "name" in response.context["form"].errors
    assert not Category.objects.exists()
