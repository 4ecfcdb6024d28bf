"""PostgreSQL: the word index also leads with the kind, so a search of one kind (the help
centre's and the portal's articles) reads only that kind's part of each word's posting list
instead of fetching every ticket and message that shares a word. SQLite: nothing to change."""

from django.db import migrations

from pishkhan.indexes import postgresql_only

FORWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, kind, tsv)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, tsv)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
