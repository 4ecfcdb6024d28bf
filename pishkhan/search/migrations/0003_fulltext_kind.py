"""PostgreSQL: the word index also leads with the kind, so a search of one kind (the help
centre's and the portal's articles) reads only that kind's part of each word's posting list
instead of fetching every ticket and message that shares a word. SQLite: nothing to change."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, kind, tsv)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, tsv)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
