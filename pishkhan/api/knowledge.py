"""The knowledge base in the API: categories, articles (publish, unpublish, revisions and
restore, files) and readers' feedback, for a workspace's staff tokens. Reading needs any
member; writing needs a role that may write (read-only tokens get 403).

Readers do not use the API: the help centre (/help/ on the workspace's host) shows published
articles without a login, and the portal reads them directly."""

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import not_found
from pishkhan.api.schemas import (
    MAX_ID,
    AttachmentIn,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    PageQuery,
    display,
    field_names,
    paginate,
    uploads,
)
from pishkhan.knowledge import selectors, services
from pishkhan.knowledge.models import Article
from pishkhan.tenancy.permissions import require_member

router = Router(tags=["knowledge"])

Language = Literal["fa", "en"]
Visibility = Literal["public", "internal"]
ArticleStatus = Literal["draft", "published"]


def _member(request) -> None:
    require_member(tenant=request.tenant, user=request.auth.user)


def _existing_id(value: int) -> bool:
    return 1 <= value <= MAX_ID


_READ_ERRORS = {403: ErrorOut, 404: ErrorOut}
_WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- categories ------------------------------------------------------------------------------


class CategoryOut(Out):
    id: int
    name: str = Field(..., description="Persian name.")
    name_en: str
    slug: str = Field(..., description="Its help-centre address: /help/<slug>/.")
    description: str
    position: int
    created_at: datetime


class CategoryIn(InputSchema):
    name: str = Field(..., max_length=services.NAME_MAX)
    name_en: str = Field("", max_length=services.NAME_MAX)
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    position: int = Field(0, ge=0, le=32767)
    slug: str = Field(
        "",
        max_length=120,
        description="Empty: made from the name, Persian letters kept (e.g. دامنه-و-dns).",
    )


class CategoryPatch(InputSchema):
    name: str = Field(None, max_length=services.NAME_MAX)
    name_en: str = Field(None, max_length=services.NAME_MAX)
    description: str = Field(None, max_length=services.DESCRIPTION_MAX)
    position: int = Field(None, ge=0, le=32767)
    slug: str = Field(None, max_length=120)


def _category(request, category_id: int):
    category = None
    if _existing_id(category_id):
        category = selectors.category_get(tenant=request.tenant, pk=category_id)
    if category is None:
        raise not_found()
    return category


@router.get("/kb/categories", response={200: list[CategoryOut], 403: ErrorOut})
def category_list(request):
    """The categories in their order."""
    _member(request)
    return selectors.category_list(tenant=request.tenant)


@router.post("/kb/categories", response={201: CategoryOut, **_WRITE_ERRORS})
def category_add(request, payload: CategoryIn):
    category = services.category_create(
        tenant=request.tenant, actor=request.auth.user, via="api", **payload.model_dump()
    )
    return HttpStatus(201, category)


@router.get("/kb/categories/{int:category_id}", response={200: CategoryOut, **_READ_ERRORS})
def category_detail(request, category_id: int):
    _member(request)
    return _category(request, category_id)


@router.patch("/kb/categories/{int:category_id}", response={200: CategoryOut, **_WRITE_ERRORS})
def category_change(request, category_id: int, payload: CategoryPatch):
    return services.category_update(
        tenant=request.tenant,
        actor=request.auth.user,
        category=_category(request, category_id),
        via="api",
        **payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/kb/categories/{int:category_id}",
    response={204: None, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def category_remove(request, category_id: int):
    """Only an empty category can be deleted (400 `category_not_empty` otherwise)."""
    services.category_delete(
        tenant=request.tenant,
        actor=request.auth.user,
        category=_category(request, category_id),
        via="api",
    )
    return HttpStatus(204, None)


# --- articles --------------------------------------------------------------------------------


class CategoryRef(Out):
    id: int
    name: str
    name_en: str
    slug: str


class ArticleItemOut(Out):
    id: int
    title: str
    slug: str
    url: str = Field(..., description="Its help-centre address (path), Persian letters kept.")
    language: str = Field(..., description="fa or en.")
    category: CategoryRef
    translation_id: int | None = Field(
        ..., description="The same article in the other language, if linked."
    )
    status: str = Field(..., description="draft or published (only published ones are read).")
    visibility: str = Field(..., description="public, or internal (staff only).")
    author_id: int | None
    views: int
    helpful_count: int
    not_helpful_count: int
    created_at: datetime
    updated_at: datetime
    updated_at_display: str
    published_at: datetime | None

    @staticmethod
    def resolve_url(obj) -> str:
        return selectors.article_url(obj)

    @staticmethod
    def resolve_updated_at_display(obj, context) -> str:
        return display(obj.updated_at, context["request"])


class ArticleOut(ArticleItemOut):
    body: str = Field(..., description="Sanitised HTML, as the help centre shows it.")


class ArticlePage(Out):
    items: list[ArticleItemOut]
    count: int
    page: int
    page_size: int


class ArticleQuery(PageQuery):
    category_id: Id | None = None
    language: Language | None = None
    status: ArticleStatus | None = None
    visibility: Visibility | None = None


BODY_HELP = (
    "Plain text (a blank line starts a paragraph) or simple HTML: p, br, h2-h4, ul/ol/li, a, "
    "strong/b, em/i, code, pre, blockquote, and img whose src is one of this article's files "
    "(/help/files/<id>/). Anything else is removed; the stored body is returned."
)


class ArticleIn(InputSchema):
    title: str = Field(..., max_length=services.TITLE_MAX)
    body: str = Field(..., max_length=services.BODY_MAX, description=BODY_HELP)
    category_id: Id
    language: Language = "fa"
    visibility: Visibility = "public"
    translation_id: Id | None = Field(None, description="An article in the other language.")
    slug: str = Field("", max_length=120, description="Empty: made from the title.")
    publish: bool = Field(False, description="Publish at once instead of saving a draft.")


class ArticlePatch(InputSchema):
    """Only the keys sent change. `translation_id: null` removes the link."""

    title: str = Field(None, max_length=services.TITLE_MAX)
    body: str = Field(None, max_length=services.BODY_MAX, description=BODY_HELP)
    category_id: Id = None
    language: Language = None
    visibility: Visibility = None
    translation_id: Id | None = None
    slug: str = Field(None, max_length=120)


def _article(request, article_id: int) -> Article:
    article = None
    if _existing_id(article_id):
        article = selectors.article_get(tenant=request.tenant, pk=article_id)
    if article is None:
        raise not_found()
    return article


def _values(request, values: dict) -> dict:
    """The service's arguments: the category and translation named by id, in this workspace
    only."""
    if "category_id" in values:
        category_id = values.pop("category_id")
        values["category"] = selectors.category_get(tenant=request.tenant, pk=category_id)
        if values["category"] is None:
            raise not_found("category_id")
    if "translation_id" in values:
        translation_id = values.pop("translation_id")
        values["translation"] = None
        if translation_id is not None:
            values["translation"] = selectors.article_get(tenant=request.tenant, pk=translation_id)
            if values["translation"] is None:
                raise not_found("translation_id")
    return values


def _fresh(request, article: Article) -> Article:
    return selectors.article_get(tenant=request.tenant, pk=article.pk)


@router.get("/kb/articles", response={200: ArticlePage, 400: ErrorOut, 403: ErrorOut})
def article_list(request, filters: Query[ArticleQuery]):
    """Every article, drafts too, the most recently changed first."""
    _member(request)
    category = None
    if filters.category_id is not None:
        category = selectors.category_get(tenant=request.tenant, pk=filters.category_id)
        if category is None:
            return {"items": [], "count": 0, "page": filters.page, "page_size": filters.page_size}
    articles = selectors.article_list(
        tenant=request.tenant,
        category=category,
        language=filters.language or "",
        status=filters.status or "",
        visibility=filters.visibility or "",
    )
    items, envelope = paginate(articles, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.post("/kb/articles", response={201: ArticleOut, **_WRITE_ERRORS})
def article_add(request, payload: ArticleIn):
    """A new article (a draft unless `publish`). Its first revision is its first text."""
    values = payload.model_dump()
    publish = values.pop("publish")
    with field_names(category="category_id", translation="translation_id"):
        article = services.article_create(
            tenant=request.tenant,
            actor=request.auth.user,
            via="api",
            publish=publish,
            **_values(request, values),
        )
    return HttpStatus(201, _fresh(request, article))


@router.get("/kb/articles/{int:article_id}", response={200: ArticleOut, **_READ_ERRORS})
def article_detail(request, article_id: int):
    _member(request)
    return _article(request, article_id)


@router.patch("/kb/articles/{int:article_id}", response={200: ArticleOut, **_WRITE_ERRORS})
def article_change(request, article_id: int, payload: ArticlePatch):
    """Change an article; a change of title or body is kept as a new revision. A published
    article stays published (and is found by search with its new text at once)."""
    article = _article(request, article_id)
    with field_names(category="category_id", translation="translation_id"):
        services.article_update(
            tenant=request.tenant,
            actor=request.auth.user,
            article=article,
            via="api",
            **_values(request, payload.model_dump(exclude_unset=True)),
        )
    return _fresh(request, article)


@router.delete("/kb/articles/{int:article_id}", response={204: None, **_READ_ERRORS})
def article_remove(request, article_id: int):
    """Delete an article with its revisions, files and feedback. Unpublish to keep it."""
    services.article_delete(
        tenant=request.tenant,
        actor=request.auth.user,
        article=_article(request, article_id),
        via="api",
    )
    return HttpStatus(204, None)


@router.post("/kb/articles/{int:article_id}/publish", response={200: ArticleOut, **_READ_ERRORS})
def article_publish(request, article_id: int):
    """Publish: public articles appear in the help centre and its search, internal ones for
    staff. Publishing a published article changes nothing."""
    article = services.article_publish(
        tenant=request.tenant,
        actor=request.auth.user,
        article=_article(request, article_id),
        via="api",
    )
    return _fresh(request, article)


@router.post("/kb/articles/{int:article_id}/unpublish", response={200: ArticleOut, **_READ_ERRORS})
def article_unpublish(request, article_id: int):
    """Back to draft: gone from the help centre and from search at once."""
    article = services.article_unpublish(
        tenant=request.tenant,
        actor=request.auth.user,
        article=_article(request, article_id),
        via="api",
    )
    return _fresh(request, article)


# --- revisions -------------------------------------------------------------------------------


class RevisionItemOut(Out):
    number: int
    title: str
    editor_id: int | None
    editor_name: str | None
    note: str = Field(..., description="e.g. which revision a restore brought back.")
    created_at: datetime
    created_at_display: str

    @staticmethod
    def resolve_editor_name(obj) -> str | None:
        return obj.editor.display_name if obj.editor_id else None

    @staticmethod
    def resolve_created_at_display(obj, context) -> str:
        return display(obj.created_at, context["request"])


class RevisionOut(RevisionItemOut):
    body: str


@router.get(
    "/kb/articles/{int:article_id}/revisions",
    response={200: list[RevisionItemOut], **_READ_ERRORS},
)
def revision_list(request, article_id: int):
    """Every saved version, the newest (the current text) first."""
    _member(request)
    return selectors.revision_list(tenant=request.tenant, article=_article(request, article_id))


def _revision(request, article, revision: int):
    found = selectors.revision_get(tenant=request.tenant, article=article, number=revision)
    if found is None:
        raise not_found()
    return found


@router.get(
    "/kb/articles/{int:article_id}/revisions/{int:revision}",
    response={200: RevisionOut, **_READ_ERRORS},
)
def revision_detail(request, article_id: int, revision: int):
    _member(request)
    return _revision(request, _article(request, article_id), revision)


@router.post(
    "/kb/articles/{int:article_id}/revisions/{int:revision}/restore",
    response={200: ArticleOut, **_WRITE_ERRORS},
)
def revision_restore(request, article_id: int, revision: int):
    """Bring back this revision's title and body, kept as a new revision (nothing is lost)."""
    article = _article(request, article_id)
    _revision(request, article, revision)
    services.revision_restore(
        tenant=request.tenant, actor=request.auth.user, article=article, number=revision, via="api"
    )
    return _fresh(request, article)


# --- files -----------------------------------------------------------------------------------


class FileOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    url: str = Field(
        ...,
        description="Where the help centre serves it; use it as an img src in the body. "
        "Served to whoever may read the article.",
    )
    created_at: datetime

    @staticmethod
    def resolve_url(obj) -> str:
        return services.file_url(obj)


class FilesIn(InputSchema):
    files: list[AttachmentIn] = Field(..., min_length=1, max_length=5)


@router.get("/kb/articles/{int:article_id}/files", response={200: list[FileOut], **_READ_ERRORS})
def file_list(request, article_id: int):
    _member(request)
    return selectors.file_list(tenant=request.tenant, article=_article(request, article_id))


@router.post("/kb/articles/{int:article_id}/files", response={201: list[FileOut], **_WRITE_ERRORS})
def file_upload(request, article_id: int, payload: FilesIn):
    """Attach files (the same types and size limit as ticket attachments)."""
    added = services.file_add(
        tenant=request.tenant,
        actor=request.auth.user,
        article=_article(request, article_id),
        files=uploads(payload.files),
        via="api",
    )
    return HttpStatus(201, added)


def _file(request, article, file_id: int):
    found = None
    if _existing_id(file_id):
        found = selectors.file_get(tenant=request.tenant, article=article, pk=file_id)
    if found is None:
        raise not_found()
    return found


@router.get(
    "/kb/articles/{int:article_id}/files/{int:file_id}",
    response={200: None, **_READ_ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file's bytes.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def file_download(request, article_id: int, file_id: int):
    _member(request)
    found = _file(request, _article(request, article_id), file_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/kb/articles/{int:article_id}/files/{int:file_id}", response={204: None, **_READ_ERRORS}
)
def file_remove(request, article_id: int, file_id: int):
    """Remove a file; an image of it disappears from the body (a new revision)."""
    found = _file(request, _article(request, article_id), file_id)
    services.file_delete(tenant=request.tenant, actor=request.auth.user, file=found, via="api")
    return HttpStatus(204, None)


# --- feedback --------------------------------------------------------------------------------


class FeedbackOut(Out):
    helpful: bool
    comment: str
    customer_id: int | None = Field(..., description="null for an anonymous visitor.")
    created_at: datetime
    updated_at: datetime


class FeedbackPage(Out):
    items: list[FeedbackOut]
    count: int
    page: int
    page_size: int
    helpful_count: int
    not_helpful_count: int


@router.get(
    "/kb/articles/{int:article_id}/feedback",
    response={200: FeedbackPage, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def feedback_list(request, article_id: int, page: Query[PageQuery]):
    """Readers' answers to "was this helpful?", the latest first (one per reader)."""
    _member(request)
    article = _article(request, article_id)
    qs = selectors.feedback_queryset(tenant=request.tenant, article=article)
    items, envelope = paginate(qs, page=page.page, page_size=page.page_size)
    return {
        "items": items,
        **envelope,
        "helpful_count": article.helpful_count,
        "not_helpful_count": article.not_helpful_count,
    }
