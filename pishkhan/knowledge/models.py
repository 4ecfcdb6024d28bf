"""The knowledge base (بخش آموزش و مقالات, [002 r12]): categories, articles in Persian or
English, every saved version of an article, its files, and readers' "was this helpful?" votes.

Counters (views, helpful, not helpful) live on the article so the help centre shows them
without counting rows; the feedback rows are the record behind the vote counters."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import Customer
from pishkhan.tenancy.models import Tenant, TenantScopedManager

SLUG_MAX = 120


class Category(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name (Persian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    # Readable in the address bar: Persian letters kept ("راهنمای-دامنه").
    slug = models.CharField(max_length=SLUG_MAX)
    description = models.CharField(_("description"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="kb_category_unique_slug"),
            models.UniqueConstraint(fields=["tenant", "name"], name="kb_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Language(models.TextChoices):
    PERSIAN = "fa", _("Persian")
    ENGLISH = "en", _("English")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (staff only)")


class Article(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    # PROTECT: a category that still holds articles cannot vanish under them.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.PERSIAN)
    # The other language's version of the same article; kept symmetric by the services.
    # One-to-one in practice; a plain key so that its index, like every other, leads with the
    # tenant.
    translation = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (see knowledge.html): what the help centre shows, as stored.
    body = models.TextField(_("body"))
    slug = models.CharField(max_length=SLUG_MAX)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "language", "slug"], name="kb_article_unique_slug"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "visibility", "category"]),
            models.Index(fields=["tenant", "-updated_at"]),
            models.Index(fields=["tenant", "translation"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def direction(self) -> str:
        return "ltr" if self.language == Language.ENGLISH else "rtl"


class Revision(models.Model):
    """One saved version of an article: every change is kept, numbered from 1."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What made this version: an edit, or the restore of an older one.
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "article", "number"], name="kb_revision_unique_number"
            ),
        ]


def attachment_path(instance: "ArticleFile", filename: str) -> str:
    # As for ticket attachments: the tenant's own folder, a random name, never the uploader's.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"tenants/{instance.tenant_id}/kb/{uuid.uuid4().hex}{suffix}"


class ArticleFile(models.Model):
    """An attachment or image of an article; served to whoever may read the article."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["tenant", "article"])]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Feedback(models.Model):
    """A reader's vote on an article. One per visitor and article: voting again changes it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    # "c:<customer id>" for a logged-in customer, "s:<digest of the session key>" for an
    # anonymous visitor: the same person votes once whichever device session they use.
    visitor = models.CharField(max_length=80)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful = models.BooleanField()
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "article", "visitor"], name="kb_feedback_one_vote"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "article", "-updated_at"])]
