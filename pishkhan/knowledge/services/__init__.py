"""Every write to the knowledge base: one transaction each, permission checked, audited, and
the search index kept in step inside the same transaction (a published article is findable
the moment it commits; an unpublished one stops being findable the same moment)."""

from pishkhan.knowledge.services._common import (
    BODY_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    KIND,
    MAX_FILES_PER_ARTICLE,
    NAME_MAX,
    RESERVED_CATEGORY_SLUGS,
    TITLE_MAX,
    article_document,
    file_url,
    published_documents,
)
from pishkhan.knowledge.services.articles import (
    article_create,
    article_delete,
    article_publish,
    article_unpublish,
    article_update,
    revision_restore,
)
from pishkhan.knowledge.services.categories import category_create, category_delete, category_update
from pishkhan.knowledge.services.files import file_add, file_delete
from pishkhan.knowledge.services.readers import article_view_count, feedback_submit, visitor_key

__all__ = [
    "BODY_MAX",
    "COMMENT_MAX",
    "DESCRIPTION_MAX",
    "KIND",
    "MAX_FILES_PER_ARTICLE",
    "NAME_MAX",
    "RESERVED_CATEGORY_SLUGS",
    "TITLE_MAX",
    "article_create",
    "article_delete",
    "article_document",
    "article_publish",
    "article_unpublish",
    "article_update",
    "article_view_count",
    "category_create",
    "category_delete",
    "category_update",
    "feedback_submit",
    "file_add",
    "file_delete",
    "file_url",
    "published_documents",
    "revision_restore",
    "visitor_key",
]
