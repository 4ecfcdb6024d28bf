"""Deflection (T-11) in the browser: articles suggested while a customer writes a request, the
route that opens one (recording it), the agents' article search that inserts a link into a
reply, and the report of what the knowledge base saved.

Suggestions never stand in the customer's way: a failure to record is logged, never shown, and
the form works without JavaScript (the suggestions then appear when the form is shown again)."""

import csv
import io
import logging
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.encoding import uri_to_iri
from django.utils.translation import gettext as _

from pishkhan.deflection import selectors, services
from pishkhan.deflection.models import SearchSource
from pishkhan.knowledge import selectors as knowledge
from pishkhan.sla import reports as periods
from pishkhan.web.periods import day_input, period_message
from pishkhan.web.views.access import customer_required, staff_required

log = logging.getLogger(__name__)

VISIT_FIELD = "deflection_visit"
PAGE_SIZE = 50
QUERY_MAX = 200
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel reads a UTF-8 file without a BOM in the machine's legacy code page (mojibake).
UTF8_BOM = "\ufeff"


def _language() -> str:
    return "en" if (translation.get_language() or "fa").startswith("en") else "fa"


# --- the portal's new-ticket form ------------------------------------------------------------


def visit_key(request) -> str:
    """The form's visit: the key it carries, or a new one."""
    key = request.POST.get(VISIT_FIELD) or request.GET.get(VISIT_FIELD) or ""
    return key if services.is_visit_key(key) else services.visit_key_new()


def suggest_and_record(request, *, key: str, subject: str, body: str) -> list:
    """The articles to suggest for what the customer typed, recorded on the visit — also when
    nothing matched: the visit then still counts, and its text is what the report lists as a
    request the knowledge base had no answer for."""
    text = selectors.suggestion_text(subject, body)
    found = selectors.article_suggestions(
        tenant=request.tenant, text=text, language=request.customer.language or _language()
    )
    if text:
        try:
            services.visit_show(
                tenant=request.tenant,
                customer=request.customer,
                key=key,
                query=text,
                article_ids=[s.pk for s in found],
            )
        except DatabaseError:
            log.exception("deflection: could not record shown articles")
    return found


def record_submitted(request, *, key: str, ticket) -> None:
    """The form's request became `ticket` (already committed)."""
    try:
        services.visit_submit(
            tenant=request.tenant, customer=request.customer, key=key, ticket=ticket
        )
    except DatabaseError:
        # The ticket is registered; losing its visit only loses a figure of the report.
        log.exception("deflection: could not record a submitted request")


def suggestion_attrs() -> dict:
    """What the subject and body inputs carry so that typing asks for suggestions (htmx)."""
    form = "#new-ticket-form "
    return {
        "hx-get": reverse("web:deflection_suggest"),
        "hx-trigger": "input changed delay:400ms",
        "hx-target": "#deflection-suggestions",
        "hx-include": f"{form}[name=subject], {form}[name=body], {form}[name={VISIT_FIELD}]",
        "hx-sync": "#new-ticket-form:replace",
    }


@customer_required
def suggest(request):
    key = request.GET.get(VISIT_FIELD, "")
    found = []
    if services.is_visit_key(key):
        found = suggest_and_record(
            request,
            key=key,
            subject=request.GET.get("subject", "")[:QUERY_MAX],
            body=request.GET.get("body", "")[: selectors.SUGGEST_TEXT_MAX],
        )
    return render(
        request,
        "web/deflection/_suggestions.html",
        {"suggestions": found, "deflection_key": key},
    )


@customer_required
def article_open(request, pk: int):
    """A suggested article, opened from the form: recorded on the visit, then shown in the
    help centre. Only the tenant's published public articles open here."""
    article = knowledge.article_get_public(tenant=request.tenant, pk=pk)
    if article is None:
        raise Http404
    key = request.GET.get("visit", "")
    if services.is_visit_key(key):
        try:
            services.visit_open(
                tenant=request.tenant, customer=request.customer, key=key, article_id=article.pk
            )
        except DatabaseError:
            log.exception("deflection: could not record an opened article")
    return redirect(knowledge.article_url(article))


# --- the agent's reply box -------------------------------------------------------------------


@staff_required
def agent_search(request):
    query = selectors.searchable(request.GET.get("q", ""))[:QUERY_MAX]
    found = selectors.agent_article_search(tenant=request.tenant, query=query)
    if query:
        services.search_record(
            tenant=request.tenant, source=SearchSource.AGENT, query=query, results=len(found)
        )
    # Public articles first: a link in a reply is for the customer, and an internal one would
    # not open for them. The address is shown and inserted readable (Persian letters, not
    # percent escapes); the link itself stays encoded.
    found.sort(key=lambda s: not s.article.is_public)
    results = [
        {
            "item": s,
            "absolute_url": request.build_absolute_uri(s.url),
            "readable_url": uri_to_iri(request.build_absolute_uri(s.url)),
        }
        for s in found
    ]
    template = (
        "web/deflection/_agent_results.html"
        if request.headers.get("HX-Request")
        else "web/deflection/agent_search.html"
    )
    return render(request, template, {"query": query, "results": results})


# --- the report ------------------------------------------------------------------------------


def _period(request) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    start = end = None
    try:
        start, end = periods.period_from(
            request.GET.get("from"), request.GET.get("to"), tz=ZoneInfo(request.tenant.time_zone)
        )
    except periods.PeriodError as exc:
        errors[exc.field] = period_message(exc)
    language = _language()
    state = {
        "start": start,
        "end": end,
        "from": day_input(start, language) if start else request.GET.get("from", "")[:40],
        "to": day_input(end, language) if end else request.GET.get("to", "")[:40],
    }
    return state, errors


def _source_label(row: dict) -> str:
    if row["sources"] > 1:
        return _("Several")
    try:
        return str(SearchSource(row["source"]).label)
    except ValueError:
        return row["source"]


def _csv_response(rows: list[list], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _articles_csv(report) -> HttpResponse:
    rows = [
        [
            _("Article id"),
            _("Article"),
            _("Times suggested"),
            _("Times opened"),
            _("Requests deflected"),
        ]
    ]
    rows += [[r.article_id, r.title, r.shown, r.opened, r.deflected] for r in report.articles]
    rows.append([])
    rows.append([_("Visits"), report.visits])
    rows.append([_("Visits with suggestions"), report.with_suggestions])
    rows.append([_("Visits that opened an article"), report.with_opened])
    rows.append([_("Tickets submitted"), report.submitted])
    rows.append([_("Deflected requests"), report.deflected])
    return _csv_response(
        rows, f"deflection-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    )


def _searches_csv(searches, state) -> HttpResponse:
    rows = [[_("Search"), _("As typed"), _("Searches"), _("Last searched"), _("Where")]]
    rows += [
        [
            r["normalized"],
            r["query"],
            r["count"],
            r["last_at"].isoformat(),
            _source_label(r),
        ]
        for r in searches
    ]
    return _csv_response(
        rows,
        f"searches-without-results-{state['start'].isoformat()}-{state['end'].isoformat()}.csv",
    )


@staff_required
def report(request):
    state, errors = _period(request)
    report = None
    articles_page = searches_page = None
    if not errors:
        report = selectors.deflection_report(
            tenant=request.tenant, start=state["start"], end=state["end"]
        )
        searches = selectors.empty_search_list(
            tenant=request.tenant, start=state["start"], end=state["end"]
        )
        wanted = request.GET.get("format")
        if wanted == "csv":
            return _articles_csv(report)
        if wanted == "searches_csv":
            return _searches_csv(searches, state)
        articles_page = Paginator(report.articles, PAGE_SIZE).get_page(request.GET.get("page"))
        searches_page = Paginator(searches, PAGE_SIZE).get_page(request.GET.get("spage"))
        for row in searches_page.object_list:
            row["where"] = _source_label(row)
    query = request.GET.copy()
    for name in ("format", "page", "spage"):
        query.pop(name, None)
    return render(
        request,
        "web/deflection/report.html",
        {
            "state": state,
            "errors": errors,
            "report": report,
            "articles_page": articles_page,
            "searches_page": searches_page,
            "base_query": query.urlencode(),
        },
        status=400 if errors else 200,
    )


urls: list = [
    path("tickets/new/suggestions/", suggest, name="deflection_suggest"),
    path("tickets/new/articles/<int:pk>/", article_open, name="deflection_open"),
    path("agent/articles/find/", agent_search, name="deflection_agent_search"),
    path("agent/reports/deflection/", report, name="deflection_report"),
]
