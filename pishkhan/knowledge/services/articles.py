"""Articles: write, publish, unpublish, delete, restore a revision; the search index follows
in the same transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pishkhan.core import clock
from pishkhan.core.persian import is_blank
from pishkhan.knowledge import html, slugs
from pishkhan.knowledge.models import (
    Article,
    ArticleFile,
    ArticleStatus,
    Category,
    Language,
    Revision,
    Visibility,
)
from pishkhan.knowledge.services._common import (
    ARTICLE_FIELDS,
    BODY_MAX,
    KIND,
    TITLE_MAX,
    _choice,
    _identity,
    _image_urls,
    _locked,
    _reindex,
    _reject_unknown,
    _remove_stored,
    _revise,
    _slug_given,
    _text,
)
from pishkhan.search.services import document_delete
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.trust.services import audit_record


def _article_values(values: dict, *, tenant: Tenant, article: Article | None) -> dict:
    errors: dict = {}
    title = _text(
        values.get("title", article.title if article else ""),
        field="title",
        limit=TITLE_MAX,
        required=True,
        errors=errors,
    )
    raw_body = values.get("body", article.body if article else "")
    raw_body = str(raw_body or "")
    body = ""
    if "\x00" in raw_body:
        errors.setdefault("body", []).append(_("This text has a forbidden character."))
    elif len(raw_body) > BODY_MAX:
        errors.setdefault("body", []).append(
            _("At most %(n)s characters (this has %(count)s).")
            % {"n": BODY_MAX, "count": len(raw_body)}
        )
    else:
        body = html.sanitise(raw_body, image_urls=_image_urls(tenant=tenant, article=article))
        # Invisible marks alone (a ZWSP, a ZWNJ) are no text: the article would read empty.
        if is_blank(html.plain_text(body)) and "<img" not in body:
            errors.setdefault("body", []).append(_("Write the article's text."))
    language = _choice(
        values.get("language", article.language if article else Language.PERSIAN),
        field="language",
        choices=Language,
        errors=errors,
    )
    visibility = _choice(
        values.get("visibility", article.visibility if article else Visibility.PUBLIC),
        field="visibility",
        choices=Visibility,
        errors=errors,
    )
    category = values.get("category", article.category if article else None)
    if category is None:
        errors.setdefault("category", []).append(_("Choose a category."))
    elif not isinstance(category, Category) or category.tenant_id != tenant.pk:
        errors.setdefault("category", []).append(_("Not found in this workspace."))
    translation = values.get("translation", article.translation if article else None)
    if translation is not None:
        if not isinstance(translation, Article) or translation.tenant_id != tenant.pk:
            errors.setdefault("translation", []).append(_("Not found in this workspace."))
        elif article is not None and translation.pk == article.pk:
            errors.setdefault("translation", []).append(
                _("An article cannot be its own translation.")
            )
        elif translation.language == language:
            errors.setdefault("translation", []).append(
                _("The translation must be in the other language.")
            )
    slug = _slug_given(values.get("slug", ""), field="slug", errors=errors)
    if errors:
        raise ValidationError(errors)
    others = Article.objects.for_tenant(tenant)
    if article is not None:
        others = others.exclude(pk=article.pk)
    if slug:
        if others.filter(slug=slug).exists():
            raise ValidationError({"slug": [_("Another article has this address.")]})
    elif (
        article is not None
        and "slug" not in values
        # Not asked for a new address: a published article keeps the one readers know, a
        # draft follows its title.
        and (article.published_at is not None or title == article.title)
    ):
        slug = article.slug
    else:
        # Unique across both languages, although the database only demands it per language:
        # then a help-centre address never needs the language to tell two articles apart.
        slug = slugs.unique_slug(
            slugs.make_slug(title),
            fallback="article",
            taken=lambda s: others.filter(slug=s).exists(),
        )
    return {
        "title": title,
        "body": body,
        "language": language,
        "visibility": visibility,
        "category": category,
        "translation": translation,
        "slug": slug,
    }


def _link_translation(*, tenant: Tenant, article: Article, old: Article | None) -> None:
    """Keep the link symmetric: A ↔ B. Linking A to B unlinks whatever B pointed at before."""
    new = article.translation
    if old is not None and (new is None or old.pk != new.pk):
        Article.objects.for_tenant(tenant).filter(pk=old.pk, translation=article).update(
            translation=None
        )
    if new is not None:
        # Anyone else who claimed B or A as their translation lets go first (one-to-one).
        Article.objects.for_tenant(tenant).filter(translation=new).exclude(pk=article.pk).update(
            translation=None
        )
        Article.objects.for_tenant(tenant).filter(translation=article).exclude(pk=new.pk).update(
            translation=None
        )
        Article.objects.for_tenant(tenant).filter(pk=new.pk).update(translation=article)


def _save_unique(article: Article, **kwargs) -> None:
    """Save, turning a slug taken in a race into a field error rather than a server error."""
    try:
        with transaction.atomic():
            article.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError({"slug": [_("Another article has this address.")]}) from exc


@transaction.atomic
def article_create(*, tenant: Tenant, actor, via: str = "web", publish: bool = False, **values):
    """A new article, as a draft unless `publish`. Its first revision is its first text."""
    require_writer(tenant=tenant, user=actor)
    _reject_unknown(values, ARTICLE_FIELDS)
    cleaned = _article_values(values, tenant=tenant, article=None)
    now = clock.now()
    article = Article(
        tenant=tenant,
        author=actor,
        created_at=now,
        updated_at=now,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        published_at=now if publish else None,
        **cleaned,
    )
    _save_unique(article)
    _link_translation(tenant=tenant, article=article, old=None)
    _revise(tenant=tenant, article=article, actor=actor, now=now)
    _reindex(tenant=tenant, article=article)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.create",
        obj=article,
        via=via,
        changes={"title": article.title, "status": article.status},
    )
    return article


@transaction.atomic
def article_update(*, tenant: Tenant, actor, article: Article, via: str = "web", **values):
    """Change an article. A change of title or text is kept as a new revision."""
    require_writer(tenant=tenant, user=actor)
    _reject_unknown(values, ARTICLE_FIELDS)
    article = _locked(tenant, article)
    old_translation = article.translation
    cleaned = _article_values(values, tenant=tenant, article=article)
    changed = []
    for key, value in cleaned.items():
        if _identity(getattr(article, key)) != _identity(value):
            changed.append(key)
            setattr(article, key, value)
    if not changed:
        return article
    now = clock.now()
    article.updated_at = now
    _save_unique(article, update_fields=[*changed, "updated_at"])
    if "translation" in changed:
        _link_translation(tenant=tenant, article=article, old=old_translation)
    if {"title", "body"} & set(changed):
        _revise(tenant=tenant, article=article, actor=actor, now=now)
    _reindex(tenant=tenant, article=article)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.update",
        obj=article,
        via=via,
        changes={key: _audit_value(article, key) for key in changed},
    )
    return article


def _audit_value(article: Article, key: str) -> str:
    # The text itself is in the revisions; the log only says that it changed.
    if key == "body":
        return "…"
    value = getattr(article, key)
    if key in {"category", "translation"}:
        return str(value.pk) if value is not None else ""
    return str(value)


def _set_status(*, tenant: Tenant, actor, article: Article, status: str, via: str) -> Article:
    require_writer(tenant=tenant, user=actor)
    article = _locked(tenant, article)
    if article.status == status:
        return article
    now = clock.now()
    article.status = status
    article.updated_at = now
    fields = ["status", "updated_at"]
    if status == ArticleStatus.PUBLISHED:
        # The first publication is the date readers see; a republished article keeps it.
        if article.published_at is None:
            article.published_at = now
            fields.append("published_at")
    article.save(update_fields=fields)
    _reindex(tenant=tenant, article=article)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.publish"
        if status == ArticleStatus.PUBLISHED
        else "kb_article.unpublish",
        obj=article,
        via=via,
    )
    return article


@transaction.atomic
def article_publish(*, tenant: Tenant, actor, article: Article, via: str = "web") -> Article:
    return _set_status(
        tenant=tenant, actor=actor, article=article, status=ArticleStatus.PUBLISHED, via=via
    )


@transaction.atomic
def article_unpublish(*, tenant: Tenant, actor, article: Article, via: str = "web") -> Article:
    return _set_status(
        tenant=tenant, actor=actor, article=article, status=ArticleStatus.DRAFT, via=via
    )


@transaction.atomic
def article_delete(*, tenant: Tenant, actor, article: Article, via: str = "web") -> None:
    require_writer(tenant=tenant, user=actor)
    article = _locked(tenant, article)
    document_delete(tenant=tenant, kind=KIND, object_id=article.pk)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.delete",
        obj=article,
        via=via,
        changes={"title": article.title},
    )
    stored = [f.file.name for f in ArticleFile.objects.for_tenant(tenant).filter(article=article)]
    Article.objects.for_tenant(tenant).filter(translation=article).update(translation=None)
    article.delete()
    transaction.on_commit(lambda: _remove_stored(stored))


@transaction.atomic
def revision_restore(
    *, tenant: Tenant, actor, article: Article, number: int, via: str = "web"
) -> Article:
    """Bring back an older version's title and text. Nothing is lost: the restore is itself
    a new revision, and the versions after the restored one stay in the history."""
    require_writer(tenant=tenant, user=actor)
    article = _locked(tenant, article)
    revision = (
        Revision.objects.for_tenant(tenant).filter(article=article, number=number).first()
        if isinstance(number, int) and 0 < number < 2**63
        else None
    )
    if revision is None:
        raise ValidationError({"number": [_("No such revision of this article.")]})
    if revision.title == article.title and revision.body == article.body:
        return article
    now = clock.now()
    article.title = revision.title
    # Sanitised again: the allow-list may have narrowed since, and images whose files were
    # removed must not come back as dead links.
    article.body = html.sanitise(
        revision.body, image_urls=_image_urls(tenant=tenant, article=article)
    )
    article.updated_at = now
    article.save(update_fields=["title", "body", "updated_at"])
    _revise(
        tenant=tenant,
        article=article,
        actor=actor,
        now=now,
        note=_("Restored from revision %(n)s") % {"n": number},
    )
    _reindex(tenant=tenant, article=article)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_article.restore",
        obj=article,
        via=via,
        changes={"revision": number},
    )
    return article
