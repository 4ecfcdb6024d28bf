"""Reads of deflection (T-11): the articles to suggest for a text, and the report of what the
knowledge base saved — visits, submissions, deflected requests per article, and the searches
that found nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min

from pishkhan.deflection.models import SearchLog, Visit
from pishkhan.knowledge import selectors as knowledge
from pishkhan.search import selectors as search

# How much of a typed request is searched: the subject and the start of the body say what it
# is about; a long body only adds noise (and cost) to a ranking by matching words.
SUGGEST_TEXT_MAX = 400
SUGGEST_LIMIT = 5
AGENT_LIMIT = 10


@dataclass(frozen=True)
class Suggestion:
    article: object
    snippet: str
    url: str

    @property
    def pk(self) -> int:
        return self.article.pk


def _articles_for_hits(*, tenant, hits, staff: bool) -> list:
    """The hits' articles this reader may see, in the hits' order."""
    found = knowledge.articles_visible_by_ids(
        tenant=tenant, ids=[hit.object_id for hit in hits], staff=staff
    )
    return [(found[hit.object_id], hit) for hit in hits if hit.object_id in found]


def searchable(text) -> str:
    """Typed text safe to hand to any database: no NUL (PostgreSQL refuses it in a query), no
    lone surrogates, whitespace collapsed."""
    text = str(text or "").replace("\x00", " ").encode("utf-8", "ignore").decode("utf-8")
    return " ".join(text.split())


def suggestion_text(subject: str, body: str) -> str:
    return searchable(f"{subject or ''} {body or ''}")[:SUGGEST_TEXT_MAX]


def article_suggestions(
    *, tenant, text: str, language: str = "fa", limit: int = SUGGEST_LIMIT
) -> list[Suggestion]:
    """Published public articles matching a typed request, best first, the reader's language
    before the other (a Persian request gets Persian articles first)."""
    text = searchable(text)[:SUGGEST_TEXT_MAX]
    if not text:
        return []
    page = search.search(
        tenant=tenant,
        query=text,
        kinds=["article"],
        audience="public",
        match="any",
        # Room for the other language's hits to be moved down rather than cut.
        limit=limit * 2,
    )
    pairs = _articles_for_hits(tenant=tenant, hits=page.hits, staff=False)
    pairs.sort(key=lambda pair: pair[0].language != language)
    return [
        Suggestion(article=article, snippet=hit.snippet, url=knowledge.article_url(article))
        for article, hit in pairs[:limit]
    ]


def agent_article_search(*, tenant, query: str, limit: int = AGENT_LIMIT) -> list[Suggestion]:
    """Published articles, internal ones included, for an agent's search box (every word)."""
    query = searchable(query)
    if not query:
        return []
    page = search.search(
        tenant=tenant, query=query, kinds=["article"], audience="agent", match="all", limit=limit
    )
    return [
        Suggestion(article=article, snippet=hit.snippet, url=knowledge.article_url(article))
        for article, hit in _articles_for_hits(tenant=tenant, hits=page.hits, staff=True)
    ]


def visit_get(*, tenant, customer, key: str) -> Visit | None:
    if not key or customer is None:
        return None
    return Visit.objects.for_tenant(tenant).filter(key=key, customer=customer).first()


# --- the report ------------------------------------------------------------------------------


@dataclass
class ArticleRow:
    article_id: int
    article: object | None
    shown: int = 0
    opened: int = 0
    deflected: int = 0

    @property
    def title(self) -> str:
        return self.article.title if self.article is not None else f"#{self.article_id}"


@dataclass
class DeflectionReport:
    start: date
    end: date
    time_zone: str
    visits: int = 0
    # Visits where at least one article was suggested / opened.
    with_suggestions: int = 0
    with_opened: int = 0
    submitted: int = 0
    # Opened an article and submitted nothing: a request the knowledge base answered.
    deflected: int = 0
    articles: list[ArticleRow] = field(default_factory=list)

    @property
    def deflected_percent(self) -> int | None:
        return round(100 * self.deflected / self.with_opened) if self.with_opened else None


def article_rows(report: DeflectionReport) -> list[dict]:
    """The per-article figures as plain data (API and command line)."""
    return [
        {
            "article_id": r.article_id,
            # Empty for an article deleted since.
            "title": r.article.title if r.article is not None else "",
            "shown": r.shown,
            "opened": r.opened,
            "deflected": r.deflected,
        }
        for r in report.articles
    ]


def period_bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """From the first day's midnight to the midnight after the last, in the tenant's zone."""
    tz = ZoneInfo(zone)
    return (
        datetime.combine(start, time(0), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz),
    )


def deflection_report(*, tenant, start: date, end: date) -> DeflectionReport:
    """The visits started in the period (days in the tenant's zone, both included)."""
    since, until = period_bounds(start, end, tenant.time_zone)
    report = DeflectionReport(start=start, end=end, time_zone=tenant.time_zone)
    rows: dict[int, ArticleRow] = {}
    visits = (
        Visit.objects.for_tenant(tenant)
        .filter(started_at__gte=since, started_at__lt=until)
        .values_list("shown", "opened", "submitted_at")
    )
    for shown, opened, submitted_at in visits.iterator(chunk_size=2000):
        report.visits += 1
        submitted = submitted_at is not None
        report.submitted += submitted
        report.with_suggestions += bool(shown)
        report.with_opened += bool(opened)
        deflected = bool(opened) and not submitted
        report.deflected += deflected
        for pk in shown or ():
            rows.setdefault(pk, ArticleRow(pk, None)).shown += 1
        for pk in opened or ():
            row = rows.setdefault(pk, ArticleRow(pk, None))
            row.opened += 1
            row.deflected += deflected
    articles = {a.pk: a for a in knowledge.articles_by_ids(tenant=tenant, ids=list(rows))}
    for row in rows.values():
        row.article = articles.get(row.article_id)
    report.articles = sorted(
        rows.values(), key=lambda r: (-r.deflected, -r.opened, -r.shown, r.article_id)
    )
    return report


def empty_search_list(*, tenant, start: date, end: date):
    """The searches that found nothing in the period, one row per normalised query: how many
    times, when last, one spelling as typed, and from where. Most frequent first."""
    since, until = period_bounds(start, end, tenant.time_zone)
    return (
        SearchLog.objects.for_tenant(tenant)
        .filter(results=0, at__gte=since, at__lt=until)
        .values("normalized")
        .annotate(
            count=Count("id"),
            last_at=Max("at"),
            query=Min("query"),
            sources=Count("source", distinct=True),
            source=Min("source"),
        )
        .order_by("-count", "-last_at", "normalized")
    )
