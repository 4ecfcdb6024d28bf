"""Categories of articles: ordered, named in Persian (and English), at readable addresses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pishkhan.core import clock
from pishkhan.knowledge import slugs
from pishkhan.knowledge.models import Article, Category
from pishkhan.knowledge.services._common import (
    CATEGORY_FIELDS,
    DESCRIPTION_MAX,
    NAME_MAX,
    RESERVED_CATEGORY_SLUGS,
    _reject_unknown,
    _slug_given,
    _text,
)
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.trust.services import audit_record


def _category_values(values: dict, *, tenant: Tenant, category: Category | None) -> dict:
    errors: dict = {}
    current = category or Category(name="", name_en="", description="", slug="", position=0)
    name = _text(
        values.get("name", current.name), field="name", limit=NAME_MAX, required=True, errors=errors
    )
    name_en = _text(
        values.get("name_en", current.name_en),
        field="name_en",
        limit=NAME_MAX,
        required=False,
        errors=errors,
    )
    description = _text(
        values.get("description", current.description),
        field="description",
        limit=DESCRIPTION_MAX,
        required=False,
        errors=errors,
    )
    position = values.get("position", current.position)
    try:
        position = int(position or 0)
        if not 0 <= position <= 32767:
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault("position", []).append(_("Enter a whole number from 0 to 32767."))
        position = 0
    slug = _slug_given(values.get("slug", ""), field="slug", errors=errors)
    others = Category.objects.for_tenant(tenant)
    if category is not None:
        others = others.exclude(pk=category.pk)
    if name and others.filter(name=name).exists():
        errors.setdefault("name", []).append(_("A category with this name already exists."))
    if slug and (slug in RESERVED_CATEGORY_SLUGS or others.filter(slug=slug).exists()):
        errors.setdefault("slug", []).append(_("Another category has this address."))
    if errors:
        raise ValidationError(errors)
    if not slug:
        if category is not None and ("slug" not in values or name == category.name):
            # Addresses stay put when only the name changes: links to them keep working.
            slug = category.slug
        else:
            slug = slugs.unique_slug(
                # A name of symbols only falls back to the English name, then to "category".
                slugs.make_slug(name) or slugs.make_slug(name_en),
                fallback="category",
                taken=lambda s: s in RESERVED_CATEGORY_SLUGS or others.filter(slug=s).exists(),
            )
    return {
        "name": name,
        "name_en": name_en,
        "description": description,
        "position": position,
        "slug": slug,
    }


@transaction.atomic
def category_create(*, tenant: Tenant, actor, via: str = "web", **values) -> Category:
    require_writer(tenant=tenant, user=actor)
    _reject_unknown(values, CATEGORY_FIELDS)
    cleaned = _category_values(values, tenant=tenant, category=None)
    category = Category.objects.create(tenant=tenant, created_at=clock.now(), **cleaned)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_category.create",
        obj=category,
        via=via,
        changes={"name": category.name, "slug": category.slug},
    )
    return category


@transaction.atomic
def category_update(
    *, tenant: Tenant, actor, category: Category, via: str = "web", **values
) -> Category:
    require_writer(tenant=tenant, user=actor)
    _reject_unknown(values, CATEGORY_FIELDS)
    category = Category.objects.for_tenant(tenant).select_for_update().get(pk=category.pk)
    cleaned = _category_values(values, tenant=tenant, category=category)
    changed = [key for key, value in cleaned.items() if getattr(category, key) != value]
    for key in changed:
        setattr(category, key, cleaned[key])
    if changed:
        category.save(update_fields=changed)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="kb_category.update",
            obj=category,
            via=via,
            changes={key: str(cleaned[key]) for key in changed},
        )
    return category


@transaction.atomic
def category_delete(*, tenant: Tenant, actor, category: Category, via: str = "web") -> None:
    """Only an empty category goes: its articles would otherwise lose their home."""
    require_writer(tenant=tenant, user=actor)
    category = Category.objects.for_tenant(tenant).select_for_update().get(pk=category.pk)
    if Article.objects.for_tenant(tenant).filter(category=category).exists():
        raise ValidationError(
            # Lazy: the API answers with it in both languages.
            gettext_lazy("This category still has articles. Move or delete them first."),
            code="category_not_empty",
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="kb_category.delete",
        obj=category,
        via=via,
        changes={"name": category.name},
    )
    category.delete()
