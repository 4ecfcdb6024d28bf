"""The knowledge base through the API: categories and articles CRUD, publish, revisions,
files, feedback; read-only tokens read but never write."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.knowledge.models import Article, Category
from pishkhan.search.selectors import search
from tests.api.helpers import PDF_BYTES, assert_error, b64, send, token_for
from tests.knowledge.conftest import PNG, SCOPE_BODY, SCOPE_TITLE, TICKET_BODY, TICKET_TITLE


def _found(tenant, query) -> list[int]:
    page = search(tenant=tenant, query=query, kinds=["article"], audience="public")
    return [hit.object_id for hit in page.hits]


def test_integration_writes_publishes_and_reads_an_article(alpha):
    client = alpha.api()
    # when an integration creates a category and a draft in it
    category = send(client, "POST", "/kb/categories", {"name": "راهنمای تیکت"})
    assert category.status_code == 201, category.content
    assert category.json()["slug"] == "راهنمای-تیکت"
    created = send(
        client,
        "POST",
        "/kb/articles",
        {"title": TICKET_TITLE, "body": TICKET_BODY, "category_id": category.json()["id"]},
    )
    # then it is a draft, not findable yet
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["status"] == "draft"
    assert article["url"].startswith("/help/")
    assert _found(alpha.tenant, "مقالات") == []
    # when it is published
    published = send(client, "POST", f"/kb/articles/{article['id']}/publish")
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    # then it is found and listed
    assert _found(alpha.tenant, "مقالات") == [article["id"]]
    listed = send(client, "GET", "/kb/articles?status=published").json()
    assert [item["id"] for item in listed["items"]] == [article["id"]]
    # and a change of text is a new revision
    send(client, "PATCH", f"/kb/articles/{article['id']}", {"body": "متن دوم"})
    revisions = send(client, "GET", f"/kb/articles/{article['id']}/revisions").json()
    assert [r["number"] for r in revisions] == [2, 1]
    first = send(client, "GET", f"/kb/articles/{article['id']}/revisions/1").json()
    assert "کلیه مشتریان" in first["body"]
    restored = send(client, "POST", f"/kb/articles/{article['id']}/revisions/1/restore")
    assert restored.json()["body"] == first["body"]
    # when it is unpublished, search no longer finds it
    send(client, "POST", f"/kb/articles/{article['id']}/unpublish")
    assert _found(alpha.tenant, "مقالات") == []


def test_bad_article_input_is_refused_in_both_languages(alpha, kb):
    response = send(
        alpha.api(),
        "POST",
        "/kb/articles",
        {"title": "", "body": "<p></p>", "category_id": kb.category.pk, "language": "de"},
    )
    error = assert_error(response, 400, "invalid")
    assert "language" in error["fields"]
    assert not Article.objects.exists()
    response = send(
        alpha.api(),
        "POST",
        "/kb/articles",
        {"title": " ", "body": "<script></script>", "category_id": kb.category.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"title", "body"}
    assert error["message"] == "Some fields are invalid."


def test_read_only_token_reads_but_cannot_write(alpha, kb):
    article = kb.article()
    client = alpha.api(token_for(alpha, alpha.viewer))
    assert send(client, "GET", f"/kb/articles/{article.pk}").status_code == 200
    assert_error(send(client, "POST", f"/kb/articles/{article.pk}/unpublish"), 403, "forbidden")
    assert_error(send(client, "POST", "/kb/categories", {"name": "x"}), 403, "forbidden")
    article.refresh_from_db()
    assert article.is_published


def test_translation_link_through_the_api(alpha, kb):
    persian = kb.article()
    client = alpha.api()
    english = send(
        client,
        "POST",
        "/kb/articles",
        {
            "title": "How to open a proper ticket",
            "body": "Read the articles first.",
            "category_id": kb.category.pk,
            "language": "en",
            "translation_id": persian.pk,
            "publish": True,
        },
    ).json()
    assert english["translation_id"] == persian.pk
    assert (
        send(client, "GET", f"/kb/articles/{persian.pk}").json()["translation_id"]
        == (english["id"])
    )
    send(client, "PATCH", f"/kb/articles/{english['id']}", {"translation_id": None})
    assert send(client, "GET", f"/kb/articles/{persian.pk}").json()["translation_id"] is None


def test_files_through_the_api(alpha, kb):
    article = kb.article()
    client = alpha.api()
    added = send(
        client,
        "POST",
        f"/kb/articles/{article.pk}/files",
        {"files": [{"filename": "نمونه.png", "content_base64": b64(PNG)}]},
    )
    assert added.status_code == 201, added.content
    (image,) = added.json()
    # the image can be shown in the body by its address
    send(
        client,
        "PATCH",
        f"/kb/articles/{article.pk}",
        {"body": f'<p>شکل:</p><img src="{image["url"]}" alt="">'},
    )
    assert image["url"] in send(client, "GET", f"/kb/articles/{article.pk}").json()["body"]
    download = client.get(f"/api/v1/kb/articles/{article.pk}/files/{image['id']}")
    assert b"".join(download.streaming_content) == PNG
    # a file whose content does not match its name is refused
    bad = send(
        client,
        "POST",
        f"/kb/articles/{article.pk}/files",
        {"files": [{"filename": "fake.png", "content_base64": b64(PDF_BYTES)}]},
    )
    assert "files" in assert_error(bad, 400, "invalid")["fields"]
    assert send(client, "DELETE", f"/kb/articles/{article.pk}/files/{image['id']}").status_code == (
        204
    )
    assert send(client, "GET", f"/kb/articles/{article.pk}/files").json() == []


def test_feedback_is_listed_for_staff(alpha, kb):
    article = kb.article()
    visitor = alpha.client()
    visitor.get(f"/help/{kb.category.slug}/{article.slug}/")
    visitor.post(f"/help/articles/{article.pk}/feedback/", {"helpful": "no", "comment": "ناقص"})
    body = send(alpha.api(), "GET", f"/kb/articles/{article.pk}/feedback").json()
    assert (body["helpful_count"], body["not_helpful_count"], body["count"]) == (0, 1, 1)
    assert body["items"][0]["comment"] == "ناقص"
    assert body["items"][0]["customer_id"] is None


def test_category_with_articles_is_not_deleted(alpha, kb):
    kb.article()
    response = send(alpha.api(), "DELETE", f"/kb/categories/{kb.category.pk}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "category_not_empty"
    # the reason in each language, whichever the request asked for
    assert error["message_fa"] == "این دسته هنوز مقاله دارد. نخست مقاله‌ها را جابه‌جا یا حذف کنید."
    assert error["message_en"] == "This category still has articles. Move or delete them first."
    assert error["message"] == error["message_fa"]
    assert Category.objects.filter(pk=kb.category.pk).exists()


def test_article_list_queries_do_not_grow(alpha, kb):
    kb.article()
    client = alpha.api()
    send(client, "GET", "/kb/articles")
    with CaptureQueriesContext(connection) as few:
        send(client, "GET", "/kb/articles")
    for n in range(10):
        kb.article(title=f"{SCOPE_TITLE} {n}", body=SCOPE_BODY)
    with CaptureQueriesContext(connection) as many:
        response = send(client, "GET", "/kb/articles")
    assert response.json()["count"] == 11
    assert len(many) <= len(few)
