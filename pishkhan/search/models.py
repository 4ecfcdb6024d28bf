"""The search index: one row per document, and each tenant's vocabulary.

`terms` holds the document's normalised words (search.text); each backend indexes that column
with its own full-text machinery, created in the migrations: on PostgreSQL a generated
`tsvector` column (`simple` configuration) under a GIN index that leads with the tenant; on
SQLite an FTS5 table kept in step by triggers. Both therefore change in the same transaction as
the row, which changes in the same transaction as the ticket, message or article it describes.
"""

from django.db import models

from pishkhan.tenancy.models import Tenant, TenantScopedManager


class SearchDocument(models.Model):
    # Every index of the table leads with the tenant, which serves the key too.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    # The ticket a message belongs to (filters["ticket"]), so a ticket's changes reach them.
    parent_id = models.BigIntegerField(null=True, blank=True)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    audience = models.CharField(max_length=8, default="agent")
    # Filter values, all stored as strings so "2" from a URL equals the department 2.
    filters = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()

    objects = TenantScopedManager()

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "object_id"], name="search_document_unique"
            ),
        ]
        indexes = [
            # Results come newest first: a frequent word is answered by walking this index.
            models.Index(fields=["tenant", "updated_at", "id"], name="search_doc_recent"),
            # A search of one kind (the queue's tickets, the help centre's articles) walks only
            # that kind's newest rows, not the other kinds' rows between them.
            models.Index(
                fields=["tenant", "kind", "updated_at", "id"], name="search_doc_kind_recent"
            ),
            models.Index(fields=["tenant", "kind", "parent_id"], name="search_doc_parent"),
        ]


class SearchTerm(models.Model):
    """A word seen in a tenant's documents. Only ever added to between rebuilds: a word that
    left the documents costs a query nothing. Query words are looked up here for the words
    that contain them and for near misses (typos), on both backends alike."""

    # The unique (tenant, word) index serves the key.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    word = models.CharField(max_length=64)

    objects = TenantScopedManager()

    class Meta:
        db_table = "search_term"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "word"], name="search_term_unique"),
        ]
