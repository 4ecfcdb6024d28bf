"""Deflection (T-11) in the API: the public articles to suggest for a text (for a tenant's own
portal or widget), and the report of what the knowledge base saved."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ninja import Field, Query, Router

from pishkhan.api.periods import period_error
from pishkhan.api.schemas import ErrorOut, Out, PageQuery, TextInput, paginate
from pishkhan.deflection import selectors
from pishkhan.knowledge.models import Language
from pishkhan.sla import reports as periods

router = Router(tags=["deflection"])


class SuggestionQuery(TextInput):
    q: str = Field(
        "",
        max_length=2000,
        description="What the customer typed (subject and body); only its start is searched.",
    )
    language: Language | None = Field(
        None, description="The customer's language: its articles come first (default: fa)."
    )
    limit: int = Field(selectors.SUGGEST_LIMIT, ge=1, le=20)


class SuggestionOut(Out):
    id: int
    title: str
    language: str
    url: str = Field(..., description="The article in the tenant's help centre (absolute).")
    snippet: str = Field(..., description="Safe HTML: the matching words in <mark>.")


@router.get("/deflection/suggestions", response={200: list[SuggestionOut], 400: ErrorOut})
def suggestions(request, filters: Query[SuggestionQuery]):
    found = selectors.article_suggestions(
        tenant=request.tenant,
        text=filters.q,
        language=filters.language or "fa",
        limit=filters.limit,
    )
    return [
        {
            "id": s.pk,
            "title": s.article.title,
            "language": s.article.language,
            "url": request.build_absolute_uri(s.url),
            "snippet": s.snippet,
        }
        for s in found
    ]


class ReportQuery(PageQuery):
    start: str | None = Field(
        None,
        alias="from",
        max_length=40,
        description="First day (YYYY-MM-DD, or Jalali 1405/09/01); default: the current Jalali "
        "month's first day.",
    )
    end: str | None = Field(
        None,
        alias="to",
        max_length=40,
        description="Last day, included; default: the current Jalali month's last day.",
    )


class ArticleRowOut(Out):
    article_id: int
    title: str = Field(..., description="Empty for an article deleted since.")
    shown: int = Field(..., description="Visits that suggested it.")
    opened: int = Field(..., description="Visits that opened it.")
    deflected: int = Field(..., description="Visits that opened it and submitted nothing.")


class EmptySearchOut(Out):
    normalized: str
    query: str = Field(..., description="One spelling as typed.")
    count: int
    last_at: datetime
    source: str = Field(..., description="help_centre, portal or agent; 'several' if mixed.")


class EmptySearchPage(Out):
    count: int
    page: int
    page_size: int
    items: list[EmptySearchOut]


class DeflectionReportOut(Out):
    from_date: date
    to_date: date
    time_zone: str
    visits: int = Field(..., description="New-request forms the customer typed in or submitted.")
    with_suggestions: int
    with_opened: int
    submitted: int
    deflected: int = Field(..., description="Opened an article and submitted nothing.")
    articles: list[ArticleRowOut]
    empty_searches: EmptySearchPage = Field(
        ..., description="Searches that found nothing, most frequent first (paged)."
    )


@router.get("/reports/deflection", response={200: DeflectionReportOut, 400: ErrorOut})
def deflection_report(request, filters: Query[ReportQuery]):
    try:
        start, end = periods.period_from(
            filters.start, filters.end, tz=ZoneInfo(request.tenant.time_zone)
        )
    except periods.PeriodError as exc:
        return period_error(request, exc)
    report = selectors.deflection_report(tenant=request.tenant, start=start, end=end)
    searches, envelope = paginate(
        selectors.empty_search_list(tenant=request.tenant, start=start, end=end),
        page=filters.page,
        page_size=filters.page_size,
    )
    return {
        "from_date": start,
        "to_date": end,
        "time_zone": report.time_zone,
        "visits": report.visits,
        "with_suggestions": report.with_suggestions,
        "with_opened": report.with_opened,
        "submitted": report.submitted,
        "deflected": report.deflected,
        "articles": selectors.article_rows(report),
        "empty_searches": {
            **envelope,
            "items": [
                {
                    "normalized": row["normalized"],
                    "query": row["query"],
                    "count": row["count"],
                    "last_at": row["last_at"],
                    "source": row["source"] if row["sources"] == 1 else "several",
                }
                for row in searches
            ],
        },
    }
