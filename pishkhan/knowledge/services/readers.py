"""What readers do: reading (views) and saying whether an article helped (feedback)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pishkhan.core import clock
from pishkhan.knowledge.models import Article, ArticleStatus, Feedback
from pishkhan.knowledge.services._common import COMMENT_MAX, _text
from pishkhan.tenancy.models import Tenant


def article_view_count(*, tenant: Tenant, article: Article) -> None:
    """One more reading. The caller decides what counts as one (once per visitor session);
    an atomic increment, so concurrent readers are all counted."""
    Article.objects.for_tenant(tenant).filter(pk=article.pk).update(views=F("views") + 1)


def visitor_key(*, customer=None, session_key: str = "") -> str:
    if customer is not None:
        return f"c:{customer.pk}"
    # Hashed: the feedback table never holds a usable session key.
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:64]


@transaction.atomic
def feedback_submit(
    *,
    tenant: Tenant,
    article: Article,
    helpful,
    comment: str = "",
    customer=None,
    session_key: str = "",
) -> Feedback:
    """A reader's "was this helpful?". Voting again replaces the reader's earlier vote (and
    comment, when one is given), so each reader counts once."""
    if not isinstance(helpful, bool):
        raise ValidationError({"helpful": [_("Answer yes or no.")]})
    errors: dict = {}
    comment = _text(comment, field="comment", limit=COMMENT_MAX, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    if customer is None and not session_key:
        raise PermissionDenied(_("Open the article in a browser to vote."))
    if article.status != ArticleStatus.PUBLISHED:
        # Lazy: the API answers with it in both languages.
        raise ValidationError(gettext_lazy("This article is not published."), code="not_published")
    visitor = visitor_key(customer=customer, session_key=session_key)
    now = clock.now()
    article = Article.objects.for_tenant(tenant).select_for_update().get(pk=article.pk)
    vote = (
        Feedback.objects.for_tenant(tenant)
        .select_for_update()
        .filter(article=article, visitor=visitor)
        .first()
    )
    counters = {}
    if vote is None:
        vote = Feedback.objects.create(
            tenant=tenant,
            article=article,
            visitor=visitor,
            customer=customer,
            helpful=helpful,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
        counters["helpful_count" if helpful else "not_helpful_count"] = 1
    else:
        if vote.helpful != helpful:
            counters["helpful_count" if helpful else "not_helpful_count"] = 1
            counters["not_helpful_count" if helpful else "helpful_count"] = -1
        vote.helpful = helpful
        if comment:
            vote.comment = comment
        vote.updated_at = now
        vote.save(update_fields=["helpful", "comment", "updated_at"])
    if counters:
        Article.objects.for_tenant(tenant).filter(pk=article.pk).update(
            **{key: F(key) + delta for key, delta in counters.items()}
        )
    return vote
