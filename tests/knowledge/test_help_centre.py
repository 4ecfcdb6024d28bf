"""The public help centre: no login needed, per workspace host, internal articles for staff
only, readable Persian addresses, views counted once per visit, feedback, search."""

from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.deflection.models import SearchLog
from pishkhan.knowledge import selectors, services
from pishkhan.knowledge.models import Feedback
from tests.knowledge.conftest import SCOPE_BODY, SCOPE_TITLE, TICKET_TITLE, png


def test_visitor_sees_categories_and_articles_without_logging_in(alpha, kb):
    # given a published article
    article = kb.article()
    # when a visitor opens the help centre
    response = alpha.client().get("/help/")
    # then its category and the article are listed, with a search box
    assert response.status_code == 200
    page = response.content.decode()
    assert "راهنمای تیکت" in page
    assert TICKET_TITLE in page
    assert 'name="q"' in page
    # and the category page lists it
    category_page = alpha.client().get(f"/help/{quote(kb.category.slug)}/")
    assert TICKET_TITLE in category_page.content.decode()
    assert selectors.article_url(article) in category_page.content.decode()


def test_article_page_at_persian_address_reads_right_to_left(alpha, kb):
    # given a Persian article and an English one
    persian = kb.article()
    english = kb.article(title="What support covers", body="Only our own modules.", language="en")
    # when a visitor types the address with Persian letters (the browser percent-encodes it)
    response = alpha.client().get(f"/help/راهنمای-تیکت/{persian.slug}/")
    # then the article is shown right to left, the English one left to right
    assert response.status_code == 200
    assert 'lang="fa" dir="rtl"' in response.content.decode()
    english_page = alpha.client().get(selectors.article_url(english)).content.decode()
    assert 'lang="en" dir="ltr"' in english_page


def test_english_article_badge_reads_in_the_pages_language(alpha, kb):
    # given an English article in the help centre
    kb.article(title="What support covers", body="Only our own modules.", language="en")
    # when a visitor reads the Persian help centre, and then the English one
    persian = alpha.client().get("/help/").content.decode()
    reader = alpha.client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get("/help/").content.decode()
    # then the article's language is named in the page's language
    assert '<span class="badge kb-language">انگلیسی</span>' in persian
    assert ">English</span>" not in persian
    assert '<span class="badge kb-language">English</span>' in english


def test_internal_and_draft_articles_are_never_public(alpha, kb):
    # given an internal article and a draft
    internal = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    draft = kb.article(title="پیش‌نویس", publish=False)
    visitor = alpha.client()
    customer = alpha.client(alpha.customer_user)
    for client in (visitor, customer):
        # then neither a visitor nor a customer can open them or see them listed
        assert client.get(selectors.article_url(internal)).status_code == 404
        assert client.get(selectors.article_url(draft)).status_code == 404
        home = client.get("/help/").content.decode()
        assert SCOPE_TITLE not in home
        assert "پیش‌نویس" not in home
    # but staff read the internal one in the help centre, marked as internal
    staff_page = alpha.client(alpha.agent).get(selectors.article_url(internal))
    assert staff_page.status_code == 200
    assert "kb-internal" in staff_page.content.decode()


def test_files_of_internal_articles_are_not_served_to_visitors(alpha, kb):
    internal = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    public = kb.article()
    (secret,) = services.file_add(
        tenant=alpha.tenant, actor=alpha.agent, article=internal, files=[png()]
    )
    (shown,) = services.file_add(
        tenant=alpha.tenant, actor=alpha.agent, article=public, files=[png()]
    )
    assert alpha.client().get(services.file_url(secret)).status_code == 404
    assert alpha.client(alpha.agent).get(services.file_url(secret)).status_code == 200
    response = alpha.client().get(services.file_url(shown))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_other_workspace_host_never_shows_the_article(alpha, beta, kb, beta_kb):
    # given beta's article, at beta's address
    theirs = beta_kb.article()
    # when the same address is asked on alpha's host
    response = alpha.client().get(selectors.article_url(theirs))
    # then there is nothing there
    assert response.status_code == 404
    assert TICKET_TITLE not in alpha.client().get("/help/").content.decode()


def test_views_are_counted_once_per_visit(alpha, kb):
    article = kb.article()
    url = selectors.article_url(article)
    # when one visitor reads it three times and another once
    first = alpha.client()
    for _ in range(3):
        first.get(url)
    alpha.client().get(url)
    # and the author checks it (staff are not readers)
    alpha.client(alpha.agent).get(url)
    # then it was read twice
    article.refresh_from_db()
    assert article.views == 2


def test_visitor_votes_once_and_may_change_the_vote(alpha, kb):
    article = kb.article()
    visitor = alpha.client()
    visitor.get(selectors.article_url(article))
    feedback_url = f"/help/articles/{article.pk}/feedback/"
    # when the visitor answers "yes" with htmx, then again "no" with a comment
    response = visitor.post(feedback_url, {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "kb-thanks" in response.content.decode()
    visitor.post(feedback_url, {"helpful": "no", "comment": "راه حل DNS را پیدا نکردم"})
    # then one vote is kept: the latest, with the comment
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (0, 1)
    vote = Feedback.objects.get(article=article)
    assert vote.comment == "راه حل DNS را پیدا نکردم"
    # and a logged-in customer's vote counts separately
    alpha.client(alpha.customer_user).post(feedback_url, {"helpful": "yes"})
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    assert Feedback.objects.get(article=article, customer=alpha.customer).helpful is True


def test_feedback_without_an_answer_is_refused(alpha, kb):
    article = kb.article()
    response = alpha.client().post(
        f"/help/articles/{article.pk}/feedback/", {"helpful": "maybe"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_on_internal_article_by_visitor_is_404(alpha, kb):
    internal = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    response = alpha.client().post(f"/help/articles/{internal.pk}/feedback/", {"helpful": "yes"})
    assert response.status_code == 404


def test_search_finds_arabic_keyboard_spelling_and_is_logged(alpha, kb):
    # given the seed's rule 5 article
    article = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY)
    # when a visitor searches with Arabic ي
    response = alpha.client().get("/help/search/", {"q": "پشتيباني ماژول"})
    # then the article is found with the match marked
    page = response.content.decode()
    assert selectors.article_url(article) in page
    assert "<mark>" in page
    # and the search is kept for the deflection report
    log = SearchLog.objects.get(tenant=alpha.tenant)
    assert (log.source, log.results) == ("help_centre", 1)


def test_search_that_finds_nothing_is_logged_with_zero(alpha, kb):
    kb.article()
    response = alpha.client().get("/help/search/", {"q": "وردپرس"})
    assert "kb-no-results" in response.content.decode()
    assert SearchLog.objects.get(tenant=alpha.tenant).results == 0


def test_search_never_shows_internal_articles_to_visitors(alpha, kb):
    kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    assert SCOPE_TITLE not in alpha.client().get("/help/search/", {"q": "آپتایم"}).content.decode()
    staff = alpha.client(alpha.agent).get("/help/search/", {"q": "آپتایم"}).content.decode()
    assert SCOPE_TITLE in staff


def test_moved_article_address_redirects(alpha, kb):
    article = kb.article()
    old = selectors.article_url(article)
    other = services.category_create(tenant=alpha.tenant, actor=alpha.owner, name="دامنه")
    services.article_update(tenant=alpha.tenant, actor=alpha.owner, article=article, category=other)
    response = alpha.client().get(old)
    assert response.status_code == 301
    article.refresh_from_db()
    assert response["Location"] == selectors.article_url(article)


def test_help_home_queries_do_not_grow_with_articles(alpha, kb):
    kb.article()
    client = alpha.client()
    client.get("/help/")
    with CaptureQueriesContext(connection) as few:
        client.get("/help/")
    for n in range(12):
        other = services.category_create(tenant=alpha.tenant, actor=alpha.owner, name=f"دسته {n}")
        kb.article(title=f"مقاله {n}", category=other)
    with CaptureQueriesContext(connection) as many:
        client.get("/help/")
    assert len(many) <= len(few)


def test_article_offers_its_documents_for_download(alpha, kb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.helpers import PDF_BYTES, PDF_NAME

    article = kb.article()
    (pdf,) = services.file_add(
        tenant=alpha.tenant,
        actor=alpha.agent,
        article=article,
        files=[SimpleUploadedFile(PDF_NAME, PDF_BYTES)],
    )
    page = alpha.client().get(selectors.article_url(article)).content.decode()
    assert services.file_url(pdf) in page
    assert PDF_NAME in page
    download = alpha.client().get(services.file_url(pdf))
    assert download["Content-Type"] == "application/pdf"


def test_search_page_queries_do_not_grow_with_results(alpha, kb):
    kb.article()
    client = alpha.client()
    client.get("/help/search/", {"q": "تیکت"})
    with CaptureQueriesContext(connection) as few:
        client.get("/help/search/", {"q": "تیکت"})
    for n in range(10):
        kb.article(title=f"تیکت شماره {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/help/search/", {"q": "تیکت"})
    assert len(response.context["results"]) == 11
    assert len(many) <= len(few)
