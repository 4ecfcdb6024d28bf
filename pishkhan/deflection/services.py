"""Every write of deflection (T-11): search logging, and a visit's shown / opened / submitted.

None of these ever refuses a customer: recording is a by-product of helping them, so odd input
(an unknown key, someone else's key, a huge query) records nothing or a truncated value rather
than an error on the page they are using."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from pishkhan.core import clock
from pishkhan.core.persian import normalize
from pishkhan.deflection.models import KEY_MAX, QUERY_MAX, SearchLog, SearchSource, Visit

_KEY_RE = re.compile(rf"^[A-Za-z0-9_-]{{16,{KEY_MAX}}}$")
# A visit keeps at most this many ids per list: enough for every suggestion a form can show.
IDS_MAX = 200


def _clean(text, limit: int = QUERY_MAX) -> str:
    """Text safe to store in any database: no NUL (PostgreSQL refuses it), no lone surrogates,
    one line of collapsed whitespace, cut to the column."""
    text = str(text or "").replace("\x00", " ")
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return " ".join(text.split())[:limit]


def search_record(*, tenant, source: str, query: str, results: int, customer=None) -> None:
    """Keep one search for the "searches that found nothing" report. Cheap, and called inside
    the caller's request; a blank query is not a search."""
    typed = _clean(query)
    normalized = _clean(normalize(typed))
    if not normalized:
        return
    if source not in SearchSource.values:
        source = _clean(source, 16) or SearchSource.HELP_CENTRE
    if customer is not None and getattr(customer, "tenant_id", None) != tenant.pk:
        customer = None
    try:
        count = max(0, int(results))
    except (TypeError, ValueError):
        count = 0
    SearchLog.objects.create(
        tenant=tenant,
        source=source,
        query=typed,
        normalized=normalized,
        results=count,
        customer=customer,
        at=clock.now(),
    )


def visit_key_new() -> str:
    return secrets.token_urlsafe(24)


def is_visit_key(key) -> bool:
    return isinstance(key, str) and bool(_KEY_RE.match(key))


def _visit_locked(*, tenant, customer, key: str) -> Visit | None:
    """The customer's visit with this key, locked for the update, started on first use. A key
    that names another customer's visit (or is not a key) gives None: nothing is recorded."""
    if not is_visit_key(key) or customer is None or customer.tenant_id != tenant.pk:
        return None
    visit = Visit.objects.for_tenant(tenant).select_for_update().filter(key=key).first()
    if visit is None:
        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    tenant=tenant, customer=customer, key=key, started_at=clock.now()
                )
        except IntegrityError:
            # Two requests of the same form raced to start it: use the one that won.
            visit = Visit.objects.for_tenant(tenant).select_for_update().filter(key=key).first()
    if visit is None or visit.customer_id != customer.pk:
        return None
    return visit


def _merge(ids: list, new: Iterable[int]) -> list:
    seen = set(ids)
    merged = list(ids)
    for raw in new:
        value = int(raw)
        if value not in seen and len(merged) < IDS_MAX:
            seen.add(value)
            merged.append(value)
    return merged


def visit_show(
    *, tenant, customer, key: str, query: str, article_ids: Iterable[int]
) -> Visit | None:
    """The form suggested these articles for this text."""
    ids = [int(i) for i in article_ids]
    with transaction.atomic():
        visit = _visit_locked(tenant=tenant, customer=customer, key=key)
        if visit is None or visit.submitted_at is not None:
            return visit
        visit.query = _clean(query)
        visit.query_results = len(ids)
        visit.shown = _merge(visit.shown, ids)
        visit.save(update_fields=["query", "query_results", "shown"])
    return visit


def visit_open(*, tenant, customer, key: str, article_id: int) -> Visit | None:
    """The customer opened a suggested article (opening implies it was shown)."""
    with transaction.atomic():
        visit = _visit_locked(tenant=tenant, customer=customer, key=key)
        if visit is None or visit.submitted_at is not None:
            return visit
        visit.shown = _merge(visit.shown, [article_id])
        visit.opened = _merge(visit.opened, [article_id])
        visit.save(update_fields=["shown", "opened"])
    return visit


def visit_submit(*, tenant, customer, key: str, ticket) -> Visit | None:
    """The form's request became this ticket. Call it only once the ticket is committed: a
    refused submission is not a submission. The text the form last searched is logged as a
    portal search, so requests the knowledge base had nothing for show in the report."""
    if ticket.tenant_id != tenant.pk or ticket.customer_id != getattr(customer, "pk", None):
        return None
    with transaction.atomic():
        visit = _visit_locked(tenant=tenant, customer=customer, key=key)
        if visit is None or visit.submitted_at is not None:
            return visit
        visit.ticket = ticket
        visit.submitted_at = clock.now()
        visit.save(update_fields=["ticket", "submitted_at"])
        search_record(
            tenant=tenant,
            source=SearchSource.PORTAL,
            query=visit.query or ticket.subject,
            results=visit.query_results,
            customer=customer,
        )
    return visit
