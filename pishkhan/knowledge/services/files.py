"""An article's files: images shown in its text and documents to download."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.knowledge import html
from pishkhan.knowledge.models import Article, ArticleFile
from pishkhan.knowledge.services._common import (
    MAX_FILES_PER_ARTICLE,
    _image_urls,
    _locked,
    _reindex,
    _remove_stored,
    _revise,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.tickets.attachments import check_files
from pishkhan.trust.services import audit_record


@transaction.atomic
def file_add(*, tenant: Tenant, actor, article: Article, files: list, via: str = "web") -> list:
    """Attach files (images to show in the text, documents to download) to an article, with
    the same limits as ticket attachments: type, size, content matching the name."""
    require_writer(tenant=tenant, user=actor)
    article = _locked(tenant, article)
    if not files:
        raise ValidationError({"files": [_("Choose at least one file.")]})
    try:
        checked = check_files(tenant=tenant, files=list(files))
    except ValidationError as exc:
        raise ValidationError({"files": exc.message_dict.get("attachments", exc.messages)}) from exc
    existing = ArticleFile.objects.for_tenant(tenant).filter(article=article).count()
    if existing + len(checked) > MAX_FILES_PER_ARTICLE:
        raise ValidationError(
            {"files": [_("At most %(n)s files per article.") % {"n": MAX_FILES_PER_ARTICLE}]}
        )
    now = clock.now()
    stored = []
    for item in checked:
        row = ArticleFile(
            tenant=tenant,
            article=article,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=actor,
            created_at=now,
        )
        row.file.save(item.filename, item.upload, save=False)
        row.save()
        stored.append(row)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.files_add",
        obj=article,
        via=via,
        changes={"files": [row.filename for row in stored]},
    )
    return stored


@transaction.atomic
def file_delete(*, tenant: Tenant, actor, file: ArticleFile, via: str = "web") -> None:
    """Remove a file; the article's text drops any image that showed it."""
    require_writer(tenant=tenant, user=actor)
    file = ArticleFile.objects.for_tenant(tenant).select_related("article").get(pk=file.pk)
    article = _locked(tenant, file.article)
    name = file.file.name
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.file_delete",
        obj=article,
        via=via,
        changes={"file": file.filename},
    )
    file.delete()
    body = html.sanitise(article.body, image_urls=_image_urls(tenant=tenant, article=article))
    if body != article.body:
        article.body = body
        article.updated_at = clock.now()
        article.save(update_fields=["body", "updated_at"])
        _revise(
            tenant=tenant,
            article=article,
            actor=actor,
            now=article.updated_at,
            note=_("A file was removed"),
        )
        _reindex(tenant=tenant, article=article)
    transaction.on_commit(lambda: _remove_stored([name]))
