"""Authoring in the agent workspace: list with filters, write, publish, revisions, files,
categories."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.knowledge import selectors, services
from pishkhan.knowledge.models import Article, ArticleStatus, Category
from tests.knowledge.conftest import SCOPE_BODY, SCOPE_TITLE, TICKET_BODY, TICKET_TITLE, png


def test_agent_writes_and_publishes_an_article(alpha, kb):
    client = alpha.client(alpha.agent)
    # when the agent fills the new-article form and chooses "publish"
    response = client.post(
        "/agent/kb/new/",
        {
            "title": TICKET_TITLE,
            "category": kb.category.pk,
            "language": "fa",
            "visibility": "public",
            "body": TICKET_BODY,
            "action": "publish",
        },
    )
    # then the article is published and the help centre shows it
    article = Article.objects.get(tenant=alpha.tenant)
    assert response.status_code == 302
    assert article.status == ArticleStatus.PUBLISHED
    assert article.author == alpha.agent
    assert alpha.client().get(selectors.article_url(article)).status_code == 200


def test_new_article_form_shows_errors_and_writes_nothing(alpha, kb):
    response = alpha.client(alpha.agent).post(
        "/agent/kb/new/",
        {"title": "", "category": kb.category.pk, "language": "xx", "visibility": "public"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"title", "language", "body"}
    assert not Article.objects.exists()


def test_unpublish_and_publish_buttons(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.agent)
    client.post(f"/agent/kb/{article.pk}/unpublish/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert alpha.client().get(selectors.article_url(article)).status_code == 404
    client.post(f"/agent/kb/{article.pk}/publish/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_read_only_member_sees_but_cannot_change(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.viewer)
    page = client.get(f"/agent/kb/{article.pk}/")
    assert page.status_code == 200
    assert "kb-publish" not in page.content.decode()
    client.post(f"/agent/kb/{article.pk}/unpublish/")
    client.post(f"/agent/kb/{article.pk}/", {"title": "x", "body": "y"})
    article.refresh_from_db()
    assert (article.status, article.title) == (ArticleStatus.PUBLISHED, TICKET_TITLE)


def test_read_only_member_gets_no_new_article_form(alpha, kb):
    # given a member who may read but not write articles
    client = alpha.client(alpha.viewer)
    # when they open the new-article page, or send it anyway
    opened = client.get("/agent/kb/new/")
    sent = client.post(
        "/agent/kb/new/",
        {
            "title": TICKET_TITLE,
            "category": kb.category.pk,
            "language": "fa",
            "visibility": "public",
            "body": TICKET_BODY,
        },
    )
    # then, as on the other pages they may not write on, there is no such page for them
    assert (opened.status_code, sent.status_code) == (404, 404)
    assert not Article.objects.exists()
    # and the article list offers them no "new article" link
    assert "/agent/kb/new/" not in client.get("/agent/kb/").content.decode()


def test_customer_cannot_open_authoring_pages(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.customer_user)
    assert client.get("/agent/kb/").status_code == 404
    assert client.get(f"/agent/kb/{article.pk}/").status_code == 404


def test_edit_keeps_revisions_and_restore_from_page(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.agent)
    client.post(
        f"/agent/kb/{article.pk}/",
        {
            "title": "عنوان تازه",
            "category": kb.category.pk,
            "language": "fa",
            "visibility": "public",
            "body": "متن تازه",
        },
    )
    revisions = client.get(f"/agent/kb/{article.pk}/revisions/").content.decode()
    assert "عنوان تازه" in revisions
    assert TICKET_TITLE in revisions
    old = client.get(f"/agent/kb/{article.pk}/revisions/1/")
    assert "کلیه مشتریان موظف" in old.content.decode()
    client.post(f"/agent/kb/{article.pk}/revisions/1/restore/")
    article.refresh_from_db()
    assert article.title == TICKET_TITLE


def test_upload_file_from_the_edit_page(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.agent)
    response = client.post(f"/agent/kb/{article.pk}/files/", {"files": [png("شکل ۱.png")]})
    assert response.status_code == 302
    (stored,) = selectors.file_list(tenant=alpha.tenant, article=article)
    assert stored.filename == "شکل ۱.png"
    page = client.get(f"/agent/kb/{article.pk}/").content.decode()
    assert services.file_url(stored) in page
    client.post(f"/agent/kb/{article.pk}/files/{stored.pk}/delete/")
    assert not selectors.file_list(tenant=alpha.tenant, article=article)


def test_list_filters_by_status_language_and_category(alpha, kb):
    published = kb.article()
    draft = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, publish=False)
    english = kb.article(title="Proper tickets", body="Read first.", language="en")
    client = alpha.client(alpha.agent)
    drafts = client.get("/agent/kb/", {"status": "draft"}).context["page"].object_list
    assert list(drafts) == [draft]
    english_only = client.get("/agent/kb/", {"language": "en"}).context["page"].object_list
    assert list(english_only) == [english]
    in_category = client.get("/agent/kb/", {"category": kb.category.pk}).context["page"]
    assert set(in_category.object_list) == {published, draft, english}


def test_article_list_queries_do_not_grow(alpha, kb):
    kb.article()
    client = alpha.client(alpha.agent)
    client.get("/agent/kb/")
    with CaptureQueriesContext(connection) as few:
        client.get("/agent/kb/")
    for n in range(15):
        kb.article(title=f"مقاله {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/agent/kb/")
    assert len(response.context["page"].object_list) == 16
    assert len(many) <= len(few)


def test_categories_page_adds_edits_and_deletes(alpha):
    client = alpha.client(alpha.owner)
    client.post("/agent/kb/categories/", {"name": "گواهی SSL", "name_en": "SSL", "position": 2})
    category = Category.objects.get(tenant=alpha.tenant)
    assert category.slug == "گواهی-ssl"
    client.post(
        f"/agent/kb/categories/{category.pk}/",
        {"name": "گواهی امنیتی SSL", "position": 1},
    )
    category.refresh_from_db()
    assert category.name == "گواهی امنیتی SSL"
    client.post(f"/agent/kb/categories/{category.pk}/delete/")
    assert not Category.objects.exists()


def test_duplicate_category_name_shows_error(alpha, kb):
    response = alpha.client(alpha.owner).post("/agent/kb/categories/", {"name": "راهنمای تیکت"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_nav_links_to_knowledge_base_and_help_centre(alpha):
    assert "/agent/kb/" in alpha.client(alpha.agent).get("/agent/").content.decode()
    assert "/help/" in alpha.client(alpha.customer_user).get("/tickets/").content.decode()
    assert "/help/" in alpha.client().get("/login/").content.decode()


def test_english_interface_renders_the_pages(alpha, kb):
    article = kb.article()
    client = alpha.client(alpha.agent)
    client.cookies["django_language"] = "en"
    for url in ("/agent/kb/", f"/agent/kb/{article.pk}/", "/agent/kb/categories/", "/help/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url


def test_new_article_on_the_english_interface_starts_left_to_right(alpha, kb):
    # given an agent whose interface is English: a new article starts in English
    alpha.agent.language = "en"
    alpha.agent.save(update_fields=["language"])
    page = alpha.client(alpha.agent).get("/agent/kb/new/").content.decode()
    # then its title and text are typed left to right from the first key
    title = re.search(r"<input[^>]*name=\"title\"[^>]*>", page).group(0)
    body = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page).group(0)
    assert 'dir="ltr"' in title and 'dir="ltr"' in body
    assert 'lang="en"' in title and 'lang="en"' in body


def test_revision_page_shows_what_restoring_would_change(alpha, kb):
    # given an article whose second paragraph was rewritten
    article = kb.article(body="بند اول\n\nبند دوم")
    services.article_update(
        tenant=alpha.tenant, actor=alpha.agent, article=article, body="بند اول\n\nبند تازه"
    )
    # when the author looks at revision 1
    response = alpha.client(alpha.agent).get(f"/agent/kb/{article.pk}/revisions/1/")
    # then the old paragraph would come back and the new one go
    changes = [(line.kind, line.text) for line in response.context["changes"]]
    assert ("added", "بند دوم") in changes
    assert ("removed", "بند تازه") in changes
    assert ("same", "بند اول") in changes


def _translation_select(page: str) -> str:
    return re.search(r'<select name="translation".*?</select>', page, re.S).group(0)


def test_new_english_article_can_link_the_persian_one_from_the_first_form(alpha, kb):
    # given a Persian article and an English one
    persian = kb.article()
    english = kb.article("How to open a proper ticket", "One request, one ticket.", language="en")
    client = alpha.client(alpha.agent)
    # when the agent opens a new article (Persian by default), the translation list offers
    # the articles of both languages, so changing the language there still finds its twin
    offered = _translation_select(client.get("/agent/kb/new/").content.decode())
    assert TICKET_TITLE in offered and "How to open a proper ticket" in offered
    # and an English article linked to the Persian one is saved with the link both ways
    response = client.post(
        "/agent/kb/new/",
        {
            "title": "Opening a ticket the right way",
            "category": kb.category.pk,
            "language": "en",
            "visibility": "public",
            "translation": persian.pk,
            "body": "Read the knowledge base first, then send one ticket per request.",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    written = Article.objects.get(tenant=alpha.tenant, title="Opening a ticket the right way")
    persian.refresh_from_db()
    assert written.translation_id == persian.pk and persian.translation_id == written.pk
    # while an English article linked to another English one is told why, beside the field
    response = client.post(
        "/agent/kb/new/",
        {
            "title": "Opening a ticket, again",
            "category": kb.category.pk,
            "language": "en",
            "visibility": "public",
            "translation": english.pk,
            "body": "One request, one ticket.",
        },
    )
    assert response.context["form"].errors["translation"] == ["ترجمه باید به زبان دیگر باشد."]
