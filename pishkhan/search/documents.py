"""What the search engine indexes: one `Document` per searchable thing of a tenant.

The owning app builds documents from its own objects (tickets, messages, customers here; the
knowledge app builds articles) and hands them to `services.document_put`; the engine never reads
another app's tables to decide what a document says."""

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("ticket", "message", "customer", "article")
AUDIENCES = ("agent", "public")


@dataclass(frozen=True)
class Document:
    kind: str  # one of KINDS
    object_id: int
    title: str  # as written; the engine normalises (pishkhan.core.persian.normalize)
    body: str  # plain text as written (HTML stripped by the caller)
    # Words that also find the document and are never shown with it (a ticket's customer).
    keywords: str = ""
    language: str = ""  # "fa" | "en" | ""
    audience: str = "agent"  # "agent": staff only; "public": help centre and portal too
    # Small str/int values to filter on, e.g. {"status": "open", "department": 2}. The key
    # "ticket" names the ticket a message belongs to, so the ticket's changes reach it.
    filters: dict = field(default_factory=dict)
    updated_at: datetime | None = None
