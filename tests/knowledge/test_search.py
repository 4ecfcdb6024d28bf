"""Articles in the search engine: published ones are found the moment they commit, drafts and
unpublished ones never; internal ones only by staff searches."""

from pishkhan.knowledge import services
from pishkhan.search.selectors import search
from pishkhan.search.services import index_rebuild
from tests.knowledge.conftest import SCOPE_BODY, SCOPE_TITLE


def _found(tenant, query, audience="public", **kwargs) -> list[int]:
    page = search(tenant=tenant, query=query, kinds=["article"], audience=audience, **kwargs)
    return [hit.object_id for hit in page.hits]


def test_published_article_is_found_and_draft_is_not(alpha, kb):
    # given a published article and a draft
    published = kb.article()
    draft = kb.article(title="پیش‌نویس تیکت", body="متن پیش‌نویس درباره تیکت", publish=False)
    # when a visitor searches for a word of both
    found = _found(alpha.tenant, "تیکت")
    # then only the published one is found
    assert published.pk in found
    assert draft.pk not in found


def test_unpublished_article_disappears_from_search(alpha, kb):
    article = kb.article()
    assert _found(alpha.tenant, "مقالات") == [article.pk]
    services.article_unpublish(tenant=alpha.tenant, actor=alpha.agent, article=article)
    assert _found(alpha.tenant, "مقالات") == []
    assert _found(alpha.tenant, "مقالات", audience="agent") == []


def test_arabic_keyboard_spelling_finds_the_article(alpha, kb):
    # given the seed's rule 5 article, written with Persian letters
    article = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY)
    # when someone types with Arabic ي and ك, and without the ZWNJ
    found = _found(alpha.tenant, "پشتيباني ماژول")
    # then it is found
    assert found == [article.pk]


def test_internal_article_is_found_by_staff_only(alpha, kb):
    internal = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    assert _found(alpha.tenant, "آپتایم") == []
    assert _found(alpha.tenant, "آپتایم", audience="agent") == [internal.pk]


def test_edited_text_is_searchable_at_once(alpha, kb):
    article = kb.article()
    services.article_update(
        tenant=alpha.tenant, actor=alpha.agent, article=article, body="گواهی SSL را نصب کنید"
    )
    assert _found(alpha.tenant, "گواهی") == [article.pk]
    assert _found(alpha.tenant, "مقالات") == []


def test_deleted_article_leaves_the_index(alpha, kb):
    article = kb.article()
    services.article_delete(tenant=alpha.tenant, actor=alpha.owner, article=article)
    assert _found(alpha.tenant, "مقالات", audience="agent") == []


def test_other_workspace_articles_are_never_found(alpha, beta, kb, beta_kb):
    beta_kb.article()
    assert _found(alpha.tenant, "مقالات") == []


def test_filters_by_category_and_language(alpha, kb):
    persian = kb.article()
    english = kb.article(title="Proper tickets", body="Read the articles first", language="en")
    assert _found(alpha.tenant, "articles", filters={"language": "en"}) == [english.pk]
    assert _found(alpha.tenant, "مقالات", filters={"category": kb.category.pk}) == [persian.pk]


def test_rebuild_restores_published_articles_only(alpha, kb):
    # given a published article and a draft, and an index that lost them
    published = kb.article()
    kb.article(title="پیش‌نویس", body="مقالات پیش‌نویس", publish=False)
    from pishkhan.search.models import SearchDocument

    SearchDocument.objects.filter(tenant=alpha.tenant, kind="article").delete()
    # when the index is rebuilt
    counts = index_rebuild(tenant=alpha.tenant, kinds=["article"])
    # then the published article is found again and the draft still is not
    assert counts == {"article": 1}
    assert _found(alpha.tenant, "مقالات") == [published.pk]
