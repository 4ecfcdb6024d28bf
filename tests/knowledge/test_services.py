"""Writing the knowledge base: categories, articles, publication, revisions, files."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pishkhan.knowledge import selectors, services
from pishkhan.knowledge.models import Article, ArticleStatus, Revision
from pishkhan.trust.models import AuditEvent
from tests.knowledge.conftest import SCOPE_BODY, SCOPE_TITLE, TICKET_TITLE, png


def test_new_article_is_a_draft_with_a_persian_slug_and_first_revision(alpha, kb):
    # when an agent writes an article without publishing it
    article = kb.article(publish=False)
    # then it is a draft at a readable Persian address, its text kept as revision 1
    assert article.status == ArticleStatus.DRAFT
    assert article.published_at is None
    assert article.slug == "چگونه-یک-تیکت-درست-باز-کنیم"
    assert [r.number for r in selectors.revision_list(tenant=alpha.tenant, article=article)] == [1]
    assert AuditEvent.objects.filter(action="kb_article.create", object_id=str(article.pk)).exists()


def test_slug_folds_arabic_letters_and_turns_zwnj_into_a_hyphen(kb):
    # given a title typed on an Arabic keyboard, with a ZWNJ (نیم‌فاصله)
    article = kb.article(title="پشتيباني می‌شود؟ كامل")
    # then the address uses Persian letters and shows the word break
    assert article.slug == "پشتیبانی-می-شود-کامل"


def test_same_title_gets_a_numbered_slug(kb):
    first = kb.article()
    second = kb.article()
    assert first.slug != second.slug
    assert second.slug == first.slug + "-2"


def test_body_is_sanitised_and_plain_text_becomes_paragraphs(kb):
    # given HTML with a script, an event handler and a foreign image
    article = kb.article(
        body='<h2>DNS</h2><p onclick="x()">رکورد <script>alert(1)</script>A</p>'
        '<img src="https://tracker.example/p.png">'
    )
    # then only the allowed tags remain and the image loses its foreign source
    assert "<script" not in article.body
    assert "onclick" not in article.body
    assert "tracker.example" not in article.body
    assert "<h2>DNS</h2>" in article.body
    # and plain text is split into paragraphs at blank lines
    plain = kb.article(title="متن ساده", body="خط اول\nخط دوم\n\nبند دوم")
    assert plain.body == "<p>خط اول<br>خط دوم</p><p>بند دوم</p>"


def test_article_needs_title_text_and_category_of_the_same_workspace(alpha, kb, beta_kb):
    # when an article is written without a title or text, in beta's category
    with pytest.raises(ValidationError) as caught:
        services.article_create(
            tenant=alpha.tenant,
            actor=alpha.agent,
            category=beta_kb.category,
            title=" ",
            body="<p> </p>",
        )
    # then each field says what is wrong and nothing is written
    assert set(caught.value.message_dict) == {"title", "body", "category"}
    assert not Article.objects.filter(tenant=alpha.tenant).exists()


def test_read_only_member_cannot_write(alpha, kb):
    with pytest.raises(PermissionDenied):
        services.article_create(
            tenant=alpha.tenant, actor=alpha.viewer, category=kb.category, title="x", body="y"
        )
    with pytest.raises(PermissionDenied):
        services.category_create(tenant=alpha.tenant, actor=alpha.customer_user, name="x")


def test_every_change_is_a_revision_and_an_old_one_can_be_restored(alpha, kb):
    # given an article edited twice
    article = kb.article()
    services.article_update(
        tenant=alpha.tenant, actor=alpha.owner, article=article, title="عنوان دوم"
    )
    services.article_update(tenant=alpha.tenant, actor=alpha.agent, article=article, body="متن سوم")
    revisions = selectors.revision_list(tenant=alpha.tenant, article=article)
    assert [(r.number, r.title) for r in revisions] == [
        (3, "عنوان دوم"),
        (2, "عنوان دوم"),
        (1, TICKET_TITLE),
    ]
    assert revisions[1].editor == alpha.owner
    # when the first revision is restored
    services.revision_restore(tenant=alpha.tenant, actor=alpha.owner, article=article, number=1)
    # then the article has its first title and text again, and the restore is revision 4
    article.refresh_from_db()
    assert article.title == TICKET_TITLE
    assert article.body == revisions[2].body
    latest = selectors.revision_list(tenant=alpha.tenant, article=article)[0]
    assert latest.number == 4
    assert "1" in latest.note


def test_change_of_category_only_is_not_a_revision(alpha, kb):
    article = kb.article()
    other = services.category_create(tenant=alpha.tenant, actor=alpha.owner, name="SSL")
    services.article_update(tenant=alpha.tenant, actor=alpha.agent, article=article, category=other)
    assert Revision.objects.filter(article=article).count() == 1


def test_restoring_a_revision_that_does_not_exist_changes_nothing(alpha, kb):
    article = kb.article()
    with pytest.raises(ValidationError):
        services.revision_restore(tenant=alpha.tenant, actor=alpha.owner, article=article, number=9)
    assert Revision.objects.filter(article=article).count() == 1


def test_translation_link_is_kept_both_ways(alpha, kb):
    # given a Persian article and its English version linked to it
    persian = kb.article()
    english = kb.article(
        title="How to open a proper ticket",
        body="Read the articles first.",
        language="en",
        translation=persian,
    )
    persian.refresh_from_db()
    # then each points at the other
    assert persian.translation == english
    assert english.translation == persian
    # when the link is removed from one side, both forget it
    services.article_update(
        tenant=alpha.tenant, actor=alpha.agent, article=english, translation=None
    )
    persian.refresh_from_db()
    assert persian.translation is None


def test_translation_must_be_in_the_other_language(alpha, kb):
    persian = kb.article()
    with pytest.raises(ValidationError) as caught:
        kb.article(title="دیگری", translation=persian)
    assert "translation" in caught.value.message_dict


def test_image_from_the_articles_own_files_stays_in_the_text(alpha, kb):
    # given an article with an uploaded image
    article = kb.article()
    (image,) = services.file_add(
        tenant=alpha.tenant, actor=alpha.agent, article=article, files=[png()]
    )
    url = services.file_url(image)
    # when the text shows it
    services.article_update(
        tenant=alpha.tenant,
        actor=alpha.agent,
        article=article,
        body=f'<p>نمونه:</p><img src="{url}" alt="نمونه">',
    )
    article.refresh_from_db()
    # then the image is kept
    assert f'src="{url}"' in article.body
    # when the file is removed, the image goes from the text too (a new revision)
    services.file_delete(tenant=alpha.tenant, actor=alpha.agent, file=image)
    article.refresh_from_db()
    assert url not in article.body
    assert Revision.objects.filter(article=article).count() == 3


def test_files_follow_the_ticket_attachment_limits(alpha, kb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = kb.article()
    with pytest.raises(ValidationError) as caught:
        services.file_add(
            tenant=alpha.tenant,
            actor=alpha.agent,
            article=article,
            files=[SimpleUploadedFile("evil.html", b"<script>")],
        )
    assert "files" in caught.value.message_dict
    assert not selectors.file_list(tenant=alpha.tenant, article=article)


def test_category_with_articles_cannot_be_deleted(alpha, kb):
    kb.article()
    with pytest.raises(ValidationError):
        services.category_delete(tenant=alpha.tenant, actor=alpha.owner, category=kb.category)
    assert selectors.category_get(tenant=alpha.tenant, pk=kb.category.pk) is not None


def test_category_gets_a_readable_unique_slug(alpha, kb):
    # given a category named in Persian
    assert kb.category.slug == "راهنمای-تیکت"
    # when another has the same name
    with pytest.raises(ValidationError) as caught:
        services.category_create(tenant=alpha.tenant, actor=alpha.owner, name="راهنمای تیکت")
    # then it is refused with a reason on the name
    assert "name" in caught.value.message_dict


def test_category_never_takes_a_fixed_help_centre_address(alpha):
    category = services.category_create(tenant=alpha.tenant, actor=alpha.owner, name="search")
    assert category.slug != "search"


def test_publish_keeps_first_publication_date(alpha, kb):
    article = kb.article()
    first = article.published_at
    services.article_unpublish(tenant=alpha.tenant, actor=alpha.agent, article=article)
    services.article_publish(tenant=alpha.tenant, actor=alpha.agent, article=article)
    article.refresh_from_db()
    assert article.published_at == first


def test_selectors_for_deflection(alpha, kb, beta_kb):
    # given a published public article, an internal one, a draft, and beta's article
    public = kb.article()
    internal = kb.article(title=SCOPE_TITLE, body=SCOPE_BODY, visibility="internal")
    draft = kb.article(title="پیش‌نویس", publish=False)
    theirs = beta_kb.article()
    # then only the public published one is public, and only in its own workspace
    assert selectors.article_get_public(tenant=alpha.tenant, pk=public.pk) == public
    assert selectors.article_get_public(tenant=alpha.tenant, pk=internal.pk) is None
    assert selectors.article_get_public(tenant=alpha.tenant, pk=draft.pk) is None
    assert selectors.article_get_public(tenant=alpha.tenant, pk=theirs.pk) is None
    # and its address is readable
    assert selectors.article_url(public) == (
        "/help/%D8%B1%D8%A7%D9%87%D9%86%D9%85%D8%A7%DB%8C-%D8%AA%DB%8C%DA%A9%D8%AA/"
        "%DA%86%DA%AF%D9%88%D9%86%D9%87-%DB%8C%DA%A9-%D8%AA%DB%8C%DA%A9%D8%AA-%D8%AF%D8%B1%D8%B3"
        "%D8%AA-%D8%A8%D8%A7%D8%B2-%DA%A9%D9%86%DB%8C%D9%85/"
    )
    # and articles_by_ids keeps the order asked, any status, never another workspace's
    found = selectors.articles_by_ids(
        tenant=alpha.tenant, ids=[draft.pk, theirs.pk, public.pk, 2**70]
    )
    assert found == [draft, public]


def test_published_article_keeps_its_address_when_retitled(alpha, kb):
    # given a published article and a draft
    published = kb.article()
    draft = kb.article(title="پیش‌نویس", publish=False)
    # when both get a new title (no new address asked for)
    services.article_update(
        tenant=alpha.tenant, actor=alpha.agent, article=published, title="عنوان دیگر"
    )
    services.article_update(
        tenant=alpha.tenant, actor=alpha.agent, article=draft, title="عنوان پیش‌نویس"
    )
    published.refresh_from_db()
    draft.refresh_from_db()
    # then readers' links to the published one still work; the draft follows its title
    assert published.slug == "چگونه-یک-تیکت-درست-باز-کنیم"
    assert draft.slug == "عنوان-پیش-نویس"
    # and an empty address asks for a new one from the title
    services.article_update(tenant=alpha.tenant, actor=alpha.agent, article=published, slug="")
    published.refresh_from_db()
    assert published.slug == "عنوان-دیگر"
