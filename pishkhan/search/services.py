"""Writes to the search index. Called inside the caller's transaction, never committing on
their own: a write that rolls back takes its index change with it."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.db import connection

from pishkhan import deferred_writes
from pishkhan.core import clock
from pishkhan.search import text
from pishkhan.search.documents import AUDIENCES, Document
from pishkhan.search.models import SearchDocument, SearchTerm
from pishkhan.sql_names import table_and_columns
from pishkhan.tenancy.models import Tenant

BATCH = 2000
# What a document put again replaces (all but its identity).
_REPLACED = ("parent_id", "title", "body", "terms", "language", "audience", "filters", "updated_at")


def _filters(document: Document) -> dict[str, str]:
    return {str(k)[:40]: str(v)[:100] for k, v in document.filters.items() if v is not None}


def _parent(filters: dict[str, str]) -> int | None:
    value = filters.get("ticket", "")
    return int(value) if value.isdigit() else None


def _row(tenant: Tenant, document: Document, now) -> SearchDocument:
    filters = _filters(document)
    return SearchDocument(
        tenant=tenant,
        kind=document.kind,
        object_id=document.object_id,
        parent_id=_parent(filters),
        title=document.title[:1000],
        body=document.body[: text.MAX_INDEXED],
        terms=text.index_terms(document.title, document.body, document.keywords),
        language=document.language[:8],
        audience=document.audience if document.audience in AUDIENCES else "agent",
        filters=filters,
        updated_at=document.updated_at or now,
    )


def _add_terms(tenant: Tenant, rows: Iterable[SearchDocument]) -> None:
    words = sorted({w for row in rows for w in row.terms.split()})
    # Sorted, so two transactions adding overlapping words lock them in the same order.
    SearchTerm.objects.bulk_create(
        [SearchTerm(tenant=tenant, word=w) for w in words], ignore_conflicts=True, batch_size=BATCH
    )


def document_put(*, tenant: Tenant, document: Document) -> None:
    """Insert or replace the document (kind, object_id) of this tenant."""
    row = _row(tenant, document, clock.now())
    if connection.vendor == "postgresql":
        # Every ticket, reply and new customer writes a document: one round trip for it and
        # its words instead of two ORM statements (a quarter of a mailed request's work).
        words = sorted(set(row.terms.split()))
        values = [
            json.dumps(row.filters) if field.name == "filters" else getattr(row, field.attname)
            for field in _put_fields()
        ]
        deferred_writes.execute_or_keep(connection, _put_sql(), [*values, tenant.pk, words])
        return
    # One INSERT … ON CONFLICT DO UPDATE (SQLite fires its UPDATE triggers, so the FTS table
    # follows) instead of an UPDATE and then maybe an INSERT.
    SearchDocument.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["tenant", "kind", "object_id"],
        update_fields=list(_REPLACED),
    )
    _add_terms(tenant, [row])


@functools.cache
def _put_fields() -> tuple:
    return tuple(f for f in SearchDocument._meta.concrete_fields if not f.primary_key)


@functools.cache
def _put_sql() -> str:
    """PostgreSQL: the document's upsert, and its new words added to the tenant's vocabulary
    (sorted, so two transactions adding overlapping words lock them in the same order)."""
    documents, document = table_and_columns(SearchDocument)
    vocabulary, term = table_and_columns(SearchTerm)
    fields = _put_fields()
    columns = ", ".join(document(f.name) for f in fields)
    values = ", ".join("%s::jsonb" if f.name == "filters" else "%s" for f in fields)
    unique = ", ".join(document(name) for name in ("tenant", "kind", "object_id"))
    replaced = ", ".join(f"{document(n)} = EXCLUDED.{document(n)}" for n in _REPLACED)
    return (
        f"WITH put AS (INSERT INTO {documents} ({columns}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({unique}) DO UPDATE SET {replaced} RETURNING 1) "
        f"INSERT INTO {vocabulary} ({term('tenant')}, {term('word')}) "
        "SELECT %s, word FROM unnest(%s::varchar[]) AS word ORDER BY word ON CONFLICT DO NOTHING"
    )


def document_delete(*, tenant: Tenant, kind: str, object_id: int) -> None:
    SearchDocument.objects.for_tenant(tenant).filter(kind=kind, object_id=object_id).delete()


def documents_touch(
    *,
    tenant: Tenant,
    kind: str,
    object_id: int,
    filters: dict,
    updated_at=None,
    children: bool = True,
) -> None:
    """Set the filter values (and date) of a document, and with `children` the same values on
    the documents under it (a ticket's messages), without re-reading any text: UPDATEs whose
    number does not grow with the thread."""
    values = {str(k)[:40]: str(v)[:100] for k, v in filters.items() if v is not None}
    own = SearchDocument.objects.for_tenant(tenant).filter(kind=kind, object_id=object_id)
    changes = {"filters": values}
    if updated_at is not None:
        changes["updated_at"] = updated_at
    own.update(**changes)
    if not children:
        return
    # A message's filters are its ticket's plus its own "ticket" and "note" keys: one UPDATE
    # per value of "note" writes them whole.
    under = SearchDocument.objects.for_tenant(tenant).filter(kind="message", parent_id=object_id)
    for note in ("0", "1"):
        under.filter(filters__note=note).update(
            filters={**values, "ticket": str(object_id), "note": note}
        )


def index_rebuild(*, tenant: Tenant, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Recovery: replace the tenant's documents of each registered kind with what its source
    says now, and its vocabulary with the words of the documents. One transaction per call
    (the caller's); returns the count per kind."""
    from pishkhan.search.registry import sources

    chosen = sources()
    if kinds is not None:
        chosen = {k: v for k, v in chosen.items() if k in set(kinds)}
    now = clock.now()
    counts: dict[str, int] = {}
    for kind, source in chosen.items():
        SearchDocument.objects.for_tenant(tenant).filter(kind=kind).delete()
        batch: list[SearchDocument] = []
        counts[kind] = 0
        for document in source(tenant):
            batch.append(_row(tenant, document, now))
            if len(batch) >= BATCH:
                SearchDocument.objects.bulk_create(batch)
                counts[kind] += len(batch)
                batch = []
        SearchDocument.objects.bulk_create(batch)
        counts[kind] += len(batch)
    SearchTerm.objects.for_tenant(tenant).delete()
    words: set[str] = set()
    for terms in (
        SearchDocument.objects.for_tenant(tenant).values_list("terms", flat=True).iterator()
    ):
        words.update(terms.split())
    SearchTerm.objects.bulk_create(
        [SearchTerm(tenant=tenant, word=w) for w in sorted(words)], batch_size=BATCH
    )
    return counts


def documents_rewrite_words(
    *, tenant: Tenant, kind: str, object_ids: list[int], keywords: str
) -> int:
    """Index the documents `object_ids` of `kind` again with these unshown `keywords` (a
    ticket's customer renamed), from the title and body they keep; their new words join the
    vocabulary. Returns how many documents were rewritten."""
    rows = list(
        SearchDocument.objects.for_tenant(tenant)
        .filter(kind=kind, object_id__in=object_ids)
        .only("id", "title", "body", "terms")
    )
    changed = []
    for row in rows:
        terms = text.index_terms(row.title, row.body, keywords)
        if terms != row.terms:
            row.terms = terms
            changed.append(row)
    SearchDocument.objects.bulk_update(changed, ["terms"], batch_size=BATCH)
    _add_terms(tenant, changed)
    return len(changed)
