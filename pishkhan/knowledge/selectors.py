"""Reads of the knowledge base for pages, the API and other apps (deflection)."""

from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse

from pishkhan.knowledge.models import (
    Article,
    ArticleFile,
    ArticleStatus,
    Category,
    Feedback,
    Revision,
    Visibility,
)
from pishkhan.tenancy.models import Tenant

# Above the largest id a database column holds (SQLite cannot even bind the number).
MAX_ID = 2**63 - 1


def _valid_id(pk) -> bool:
    return isinstance(pk, int) and 0 < pk <= MAX_ID


# --- categories ------------------------------------------------------------------------------


def category_list(*, tenant: Tenant) -> list[Category]:
    return list(Category.objects.for_tenant(tenant).order_by("position", "id"))


def category_get(*, tenant: Tenant, pk: int) -> Category | None:
    if not _valid_id(pk):
        return None
    return Category.objects.for_tenant(tenant).filter(pk=pk).first()


def category_get_by_slug(*, tenant: Tenant, slug: str) -> Category | None:
    return Category.objects.for_tenant(tenant).filter(slug=slug).first()


def category_list_with_counts(*, tenant: Tenant, staff: bool) -> list[Category]:
    """The help centre's categories, each with `article_count` (what this reader may see)."""
    visible = _visible_q(staff=staff, prefix="articles__")
    return list(
        Category.objects.for_tenant(tenant)
        .annotate(article_count=Count("articles", filter=visible))
        .order_by("position", "id")
    )


# --- articles --------------------------------------------------------------------------------


def _visible_q(*, staff: bool, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}status": ArticleStatus.PUBLISHED})
    if not staff:
        q &= Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    return q


def article_get(*, tenant: Tenant, pk: int) -> Article | None:
    """Any article of the tenant (for its authors), with its category."""
    if not _valid_id(pk):
        return None
    return (
        Article.objects.for_tenant(tenant)
        .select_related("category", "author", "translation")
        .filter(pk=pk)
        .first()
    )


def article_get_public(*, tenant: Tenant, pk: int) -> Article | None:
    """A published, public article, or None."""
    if not _valid_id(pk):
        return None
    return (
        Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=False), pk=pk)
        .first()
    )


def article_get_visible(*, tenant: Tenant, pk: int, staff: bool) -> Article | None:
    """A published article this reader may see (internal ones for staff only)."""
    if not _valid_id(pk):
        return None
    return (
        Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=staff), pk=pk)
        .first()
    )


def article_get_by_slug(
    *, tenant: Tenant, category_slug: str, slug: str, staff: bool, language: str = "fa"
) -> Article | None:
    """The published article at a help-centre address. Slugs are unique per language; should
    a Persian and an English article share one, the reader's language wins."""
    found = list(
        Article.objects.for_tenant(tenant)
        .select_related("category", "translation", "translation__category")
        .filter(_visible_q(staff=staff), slug=slug, category__slug=category_slug)[:2]
    )
    if not found:
        return None
    found.sort(key=lambda article: article.language != language)
    return found[0]


def article_find_moved(*, tenant: Tenant, slug: str, staff: bool) -> Article | None:
    """A published article with this slug in any category: the address of an article whose
    category changed still leads to it."""
    return (
        Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=staff), slug=slug)
        .first()
    )


def article_url(article: Article) -> str:
    """The article's help-centre address (path), with its readable slugs."""
    return reverse(
        "web:kb_article",
        kwargs={"category": article.category.slug, "slug": article.slug},
    )


def articles_by_ids(*, tenant: Tenant, ids: Sequence[int]) -> list[Article]:
    """These articles of the tenant, published or not, in the order of `ids`."""
    wanted = [pk for pk in ids if _valid_id(pk)]
    if not wanted:
        return []
    found = {
        article.pk: article
        for article in Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(pk__in=wanted)
    }
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def article_list(
    *,
    tenant: Tenant,
    category: Category | None = None,
    language: str = "",
    status: str = "",
    visibility: str = "",
):
    """The authors' list (a queryset, to page), newest change first, filtered."""
    qs = Article.objects.for_tenant(tenant).select_related("category", "author")
    if category is not None:
        qs = qs.filter(category=category)
    if language:
        qs = qs.filter(language=language)
    if status:
        qs = qs.filter(status=status)
    if visibility:
        qs = qs.filter(visibility=visibility)
    return qs.order_by("-updated_at", "-id")


def article_list_published(
    *, tenant: Tenant, staff: bool, category: Category | None = None, limit: int | None = None
):
    """What the help centre lists: published, public unless the reader is staff."""
    qs = (
        Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=staff))
    )
    if category is not None:
        qs = qs.filter(category=category)
    qs = qs.order_by("-published_at", "-id")
    return list(qs[:limit] if limit else qs)


def article_list_popular(*, tenant: Tenant, staff: bool, limit: int = 5) -> list[Article]:
    return list(
        Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=staff))
        .order_by("-views", "-id")[:limit]
    )


def articles_visible_by_ids(*, tenant: Tenant, ids: Sequence[int], staff: bool) -> dict:
    """{id: article} of the published articles among `ids` this reader may see (search hits)."""
    wanted = [pk for pk in ids if _valid_id(pk)]
    return {
        article.pk: article
        for article in Article.objects.for_tenant(tenant)
        .select_related("category")
        .filter(_visible_q(staff=staff), pk__in=wanted)
    }


def translation_choices(*, tenant: Tenant, exclude: int | None = None) -> list:
    """Articles that may be linked as a translation, in either language: the author may change
    the article's language on the same form, after the list was drawn."""
    qs = Article.objects.for_tenant(tenant).only("pk", "title", "language")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("title"))


# --- revisions, files, feedback --------------------------------------------------------------


def revision_list(*, tenant: Tenant, article: Article) -> list[Revision]:
    return list(
        Revision.objects.for_tenant(tenant)
        .filter(article=article)
        .select_related("editor")
        .order_by("-number")
    )


def revision_get(*, tenant: Tenant, article: Article, number: int) -> Revision | None:
    if not _valid_id(number):
        return None
    return (
        Revision.objects.for_tenant(tenant)
        .filter(article=article, number=number)
        .select_related("editor")
        .first()
    )


def file_list(*, tenant: Tenant, article: Article) -> list[ArticleFile]:
    return list(ArticleFile.objects.for_tenant(tenant).filter(article=article).order_by("id"))


def file_get(*, tenant: Tenant, article: Article, pk: int) -> ArticleFile | None:
    if not _valid_id(pk):
        return None
    return ArticleFile.objects.for_tenant(tenant).filter(article=article, pk=pk).first()


def file_get_visible(*, tenant: Tenant, pk: int, staff: bool) -> ArticleFile | None:
    """A file served in the help centre: its article must be one this reader may see. Staff
    also see the files of drafts (they preview them while writing)."""
    if not _valid_id(pk):
        return None
    qs = ArticleFile.objects.for_tenant(tenant).select_related("article").filter(pk=pk)
    if not staff:
        qs = qs.filter(
            article__status=ArticleStatus.PUBLISHED, article__visibility=Visibility.PUBLIC
        )
    return qs.first()


def feedback_get(*, tenant: Tenant, article: Article, visitor: str) -> Feedback | None:
    return Feedback.objects.for_tenant(tenant).filter(article=article, visitor=visitor).first()


def feedback_queryset(*, tenant: Tenant, article: Article):
    return (
        Feedback.objects.for_tenant(tenant)
        .filter(article=article)
        .select_related("customer")
        .order_by("-updated_at", "-id")
    )


def feedback_list(*, tenant: Tenant, article: Article, limit: int = 50) -> list[Feedback]:
    return list(feedback_queryset(tenant=tenant, article=article)[:limit])
