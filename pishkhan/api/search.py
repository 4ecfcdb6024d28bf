"""The agent's search over the API: the same engine and results as the search page
(tickets, thread messages, customers and articles; a ticket number; any spelling)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router
from pydantic import field_validator

from pishkhan.api.errors import invalid
from pishkhan.api.schemas import MAX_PAGE_SIZE, CalendarDate, ErrorOut, Id, Out, TextInput
from pishkhan.knowledge.selectors import article_url, articles_by_ids
from pishkhan.search.desk import MAX_PAGE, DeskFilters, desk_search
from pishkhan.tickets.models import Status

router = Router(tags=["search"])

Kind = Literal["ticket", "message", "customer", "article"]


class SearchQuery(TextInput):
    q: str = Field(
        "",
        max_length=200,
        description="A ticket number (#12, ۱۲), an email, a phone number, or words in any "
        "spelling (ي/ی, ك/ک, half-space or space, Persian or ASCII digits).",
    )
    kind: list[Kind] = Field([], description="Repeat or separate by commas; default: all.")
    status: list[Status] = Field([], description="Tickets and messages of these statuses.")
    department: Id | None = None
    date_from: CalendarDate | None = Field(
        None, description="Last activity on or after (YYYY-MM-DD)."
    )
    date_to: CalendarDate | None = Field(
        None, description="Last activity on or before (YYYY-MM-DD)."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("kind", "status", mode="before")
    @classmethod
    def _comma_lists(cls, value):
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value


class TicketRef(Out):
    id: int
    number: int
    subject: str
    status: str


class SearchCustomerRef(Out):
    id: int
    name: str
    email: str
    phone: str


class ArticleRef(Out):
    id: int
    title: str
    status: str
    url: str = Field(..., description="The help-centre address.")


class SearchItem(Out):
    kind: Kind
    id: int = Field(..., description="The ticket's, message's, customer's or article's id.")
    title: str
    snippet: str = Field(..., description="HTML: matches in <mark>, everything else escaped.")
    score: float = Field(..., description="How many of the query's words the item matches.")
    updated_at: datetime | None
    ticket: TicketRef | None = Field(None, description="The ticket (of a message).")
    customer: SearchCustomerRef | None = None
    article: ArticleRef | None = None


class SearchOut(Out):
    items: list[SearchItem]
    ticket: TicketRef | None = Field(
        None, description="The ticket whose number the query is, if there is one."
    )
    page: int
    page_size: int
    has_more: bool


def _ticket(ticket) -> dict | None:
    if ticket is None:
        return None
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
    }


@router.get("/search", response={200: SearchOut, 400: ErrorOut})
def search(request, filters: Query[SearchQuery]):
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise invalid("date_to", "range_order")
    desk_filters = DeskFilters(
        kinds=tuple(filters.kind) or DeskFilters().kinds,
        status=tuple(filters.status),
        department=filters.department,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = desk_search(
        tenant=request.tenant,
        query=filters.q.strip(),
        filters=desk_filters,
        page=filters.page,
        per_page=filters.page_size,
    )
    articles = {
        a.pk: a
        for a in articles_by_ids(
            tenant=request.tenant,
            ids=[r.hit.object_id for r in page.results if r.kind == "article"],
        )
    }
    items = []
    for result in page.results:
        hit = result.hit
        item = {
            "kind": hit.kind,
            "id": hit.object_id,
            "title": hit.title,
            "snippet": hit.snippet,
            "score": hit.score,
            "updated_at": hit.updated_at,
            "ticket": _ticket(result.ticket),
        }
        if hit.kind == "message" and result.ticket is not None:
            item["title"] = result.ticket.subject
        if result.customer is not None:
            c = result.customer
            item["customer"] = {"id": c.pk, "name": c.name, "email": c.email, "phone": c.phone}
        if hit.kind == "article":
            article = articles.get(hit.object_id)
            if article is None:
                continue
            item["title"] = article.title
            item["article"] = {
                "id": article.pk,
                "title": article.title,
                "status": article.status,
                "url": article_url(article),
            }
        items.append(item)
    return {
        "items": items,
        "ticket": _ticket(page.ticket),
        "page": page.page,
        "page_size": filters.page_size,
        "has_more": page.has_more,
    }
