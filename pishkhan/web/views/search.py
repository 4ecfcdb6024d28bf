"""The agent's search page: one box over tickets, messages, customers and articles."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pishkhan.core.jalali import parse_date
from pishkhan.knowledge.selectors import articles_by_ids
from pishkhan.search.desk import KINDS, DeskFilters, desk_search
from pishkhan.tickets.models import Status
from pishkhan.tickets.selectors import department_list
from pishkhan.web.views.access import staff_required

MAX_QUERY = 200


def kind_labels() -> list[tuple[str, str]]:
    names = {
        "ticket": pgettext("search kinds", "Tickets"),
        "message": pgettext("search kinds", "Messages"),
        "customer": pgettext("search kinds", "Customers"),
        "article": pgettext("search kinds", "Articles"),
    }
    return [(kind, names[kind]) for kind in KINDS]


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 18 else None


def filters_from(request) -> tuple[DeskFilters, dict, dict]:
    """Filters from the query string: unknown values are dropped; a date that cannot be read
    is an error shown beside its field (and the search runs without it)."""
    get = request.GET
    errors: dict[str, str] = {}
    days = {}
    for name in ("date_from", "date_to"):
        text = get.get(name, "").strip()[:40]
        days[name] = None
        if text:
            try:
                days[name] = parse_date(text)
            except ValueError:
                errors[name] = _("Give the date like 1405/09/01 (Jalali) or 2026-11-22.")
    if days["date_from"] and days["date_to"] and days["date_to"] < days["date_from"]:
        errors["date_to"] = _("The end date must not be before the start date.")
        days["date_to"] = None
    filters = DeskFilters(
        kinds=tuple(k for k in get.getlist("kind") if k in KINDS) or KINDS,
        status=tuple(s for s in get.getlist("status") if s in Status.values),
        department=_int_or_none(get.get("department")),
        **days,
    )
    state = {
        "q": get.get("q", "").strip()[:MAX_QUERY],
        "kinds": [k for k in get.getlist("kind") if k in KINDS],
        "status": list(filters.status),
        "department": filters.department,
        "date_from": get.get("date_from", "").strip()[:40],
        "date_to": get.get("date_to", "").strip()[:40],
    }
    return filters, state, errors


def article_links(request, results) -> dict[int, object]:
    """The articles among the results, by id, with one query."""
    ids = [r.hit.object_id for r in results if r.kind == "article"]
    return {a.pk: a for a in articles_by_ids(tenant=request.tenant, ids=ids)}


@staff_required
def search_page(request):
    filters, state, errors = filters_from(request)
    page_number = _int_or_none(request.GET.get("page")) or 1
    page = None
    if state["q"]:
        page = desk_search(
            tenant=request.tenant, query=state["q"], filters=filters, page=page_number
        )
        if page.exact_number:
            # "#12" is a request to open ticket 12, as in the queue's search box.
            return redirect("web:agent_ticket", number=page.ticket.number)
        articles = article_links(request, page.results)
        for result in page.results:
            if result.kind == "article":
                result.article = articles.get(result.hit.object_id)
        page.results = [r for r in page.results if r.kind != "article" or r.article]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/agent/search/search.html",
        {
            "page": page,
            "state": state,
            "errors": errors,
            "query": query.urlencode(),
            "kinds": kind_labels(),
            "statuses": Status.choices,
            "departments": department_list(tenant=request.tenant, active_only=False),
        },
    )


urls: list = [path("agent/search/", search_page, name="search")]
