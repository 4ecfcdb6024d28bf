"""What the knowledge services share: limits, input checks, an article's search document,
locking and revisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from pishkhan.core.persian import is_blank
from pishkhan.knowledge import html, slugs
from pishkhan.knowledge.models import (
    SLUG_MAX,
    Article,
    ArticleFile,
    ArticleStatus,
    Category,
    Revision,
    Visibility,
)
from pishkhan.search.documents import Document
from pishkhan.search.services import document_delete, document_put
from pishkhan.tenancy.models import Tenant

KIND = "article"
TITLE_MAX = 200
BODY_MAX = 100_000
COMMENT_MAX = 1000
NAME_MAX = 120
DESCRIPTION_MAX = 500
MAX_FILES_PER_ARTICLE = 30
# The help centre's own addresses (/help/search/ …) come before category slugs.
RESERVED_CATEGORY_SLUGS = frozenset({"search", "files", "articles"})


# --- search index ----------------------------------------------------------------------------


def article_document(article: Article) -> Document:
    return Document(
        kind=KIND,
        object_id=article.pk,
        title=article.title,
        body=html.plain_text(article.body),
        language=article.language,
        audience="public" if article.visibility == Visibility.PUBLIC else "agent",
        filters={"category": article.category_id, "language": article.language},
        updated_at=article.updated_at,
    )


def _reindex(*, tenant: Tenant, article: Article) -> None:
    """Published articles are in the index (public ones for everyone, internal ones for
    staff); drafts are not."""
    if article.status == ArticleStatus.PUBLISHED:
        document_put(tenant=tenant, document=article_document(article))
    else:
        document_delete(tenant=tenant, kind=KIND, object_id=article.pk)


def published_documents(tenant: Tenant):
    """The index rebuild's source of articles."""
    articles = Article.objects.for_tenant(tenant).filter(status=ArticleStatus.PUBLISHED)
    for article in articles.iterator(chunk_size=500):
        yield article_document(article)


# --- validation helpers ----------------------------------------------------------------------


def _text(value, *, field: str, limit: int, required: bool, errors: dict) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("This text has a forbidden character."))
        return value
    if is_blank(value):
        # Only spaces or invisible marks (ZWNJ, ZWSP, direction marks): nothing a reader sees,
        # so a required field stays unfilled and an optional one is kept empty.
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return ""
    if len(value) > limit:
        errors.setdefault(field, []).append(
            _("At most %(n)s characters (this has %(count)s).") % {"n": limit, "count": len(value)}
        )
    return value


def _choice(value, *, field: str, choices, errors: dict) -> str:
    value = str(value or "")
    if value not in choices.values:
        errors.setdefault(field, []).append(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
        )
    return value


def _slug_given(value, *, field: str, errors: dict) -> str:
    """An author's own slug, reduced to the same readable form as a generated one."""
    raw = str(value or "").strip()
    if not raw:
        return ""
    slug = slugs.make_slug(raw, limit=SLUG_MAX)
    if not slug:
        errors.setdefault(field, []).append(_("Use letters or digits in the address."))
    return slug


CATEGORY_FIELDS = {"name", "name_en", "description", "position", "slug"}


def _reject_unknown(values: dict, allowed: set) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({key: [_("Unknown field.")] for key in sorted(unknown)})


ARTICLE_FIELDS = {"title", "body", "category", "language", "visibility", "translation", "slug"}


def file_url(file: ArticleFile) -> str:
    return reverse("web:kb_file", kwargs={"pk": file.pk})


def _image_urls(*, tenant: Tenant, article: Article | None) -> set[str]:
    if article is None or article.pk is None:
        return set()
    return {
        file_url(f)
        for f in ArticleFile.objects.for_tenant(tenant).filter(article=article).only("pk")
    }


def _revise(*, tenant: Tenant, article: Article, actor, now, note: str = "") -> Revision:
    last = (
        Revision.objects.for_tenant(tenant)
        .filter(article=article)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return Revision.objects.create(
        tenant=tenant,
        article=article,
        number=(last or 0) + 1,
        title=article.title,
        body=article.body,
        editor=actor,
        note=note,
        created_at=now,
    )


def _identity(value):
    """Rows compare by id (a freshly loaded category equals the one the form named)."""
    return value.pk if isinstance(value, Article | Category) else value


def _locked(tenant: Tenant, article: Article) -> Article:
    return (
        Article.objects.for_tenant(tenant)
        # Only the article's row: the translation is an outer join, which cannot be locked.
        .select_for_update(of=("self",))
        .select_related("category", "translation")
        .get(pk=article.pk)
    )


def _remove_stored(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
