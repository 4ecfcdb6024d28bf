"""Isolation cases of the knowledge base pages (merged into tests/web/test_isolation.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pishkhan.knowledge.services import article_create, article_update, category_create, file_add

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# name -> kwargs naming keys of the objects below
ROUTES: dict = {
    "kb_home": {},
    "kb_search": {},
    "kb_file": {"pk": "kb_file"},
    "kb_feedback": {"pk": "kb_article"},
    "kb_category": {"category": "kb_category_slug"},
    "kb_article": {"category": "kb_category_slug", "slug": "kb_article_slug"},
    "kb_articles": {},
    "kb_article_new": {},
    "kb_article_edit": {"pk": "kb_article"},
    "kb_article_publish": {"pk": "kb_article"},
    "kb_article_unpublish": {"pk": "kb_article"},
    "kb_article_delete": {"pk": "kb_article"},
    "kb_revisions": {"pk": "kb_article"},
    "kb_revision": {"pk": "kb_article", "number": "kb_revision"},
    "kb_revision_restore": {"pk": "kb_article", "number": "kb_revision"},
    "kb_files": {"pk": "kb_article"},
    "kb_file_delete": {"pk": "kb_article", "file_pk": "kb_file"},
    "kb_categories": {},
    "kb_category_edit": {"pk": "kb_category"},
    "kb_category_delete": {"pk": "kb_category"},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = (
    "kb_feedback",
    "kb_article_publish",
    "kb_article_unpublish",
    "kb_article_delete",
    "kb_revision_restore",
    "kb_files",
    "kb_file_delete",
    "kb_category_delete",
)


def beta_objects(beta) -> dict:
    """A published public article of beta's, edited once (two revisions), with an image."""
    category = category_create(tenant=beta.tenant, actor=beta.owner, name="دامنه و DNS")
    article = article_create(
        tenant=beta.tenant,
        actor=beta.owner,
        category=category,
        title="تنظیم رکوردهای DNS",
        body="رکورد A را به آی‌پی سرور اشاره دهید.",
        publish=True,
    )
    (image,) = file_add(
        tenant=beta.tenant,
        actor=beta.owner,
        article=article,
        files=[SimpleUploadedFile("نمونه.png", PNG, content_type="image/png")],
    )
    article_update(tenant=beta.tenant, actor=beta.owner, article=article, body="متن تازهٔ راهنما")
    return {
        "kb_category": category.pk,
        "kb_category_slug": category.slug,
        "kb_article": article.pk,
        "kb_article_slug": article.slug,
        "kb_revision": 1,
        "kb_file": image.pk,
    }
