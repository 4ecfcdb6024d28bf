"""The full-text machinery of each backend (see search.models and search.backends).

PostgreSQL: pg_trgm and btree_gin; a generated tsvector of the normalised words in the `simple`
configuration, GIN-indexed with the tenant first; the vocabulary in code point order ("C") and
trigram-indexed. SQLite: an FTS5 table over the same words, kept in step by triggers.

Note for later migrations on SQLite: rebuilding `search_document` (what SQLite's schema editor
does for most column changes) drops the triggers; such a migration must run this one's SQLite
statements again and then `search_rebuild`."""

from django.db import migrations

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "ALTER TABLE search_document ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, tsv)",
    'ALTER TABLE search_term ALTER COLUMN word TYPE varchar(64) COLLATE "C"',
    "CREATE INDEX search_term_trgm ON search_term USING gin (tenant_id, word gin_trgm_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
]

SQLITE = [
    "CREATE VIRTUAL TABLE search_document_fts USING fts5(terms, content='search_document', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\", "
    "prefix='3')",
    "CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_document_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_document_fts_update AFTER UPDATE OF terms ON search_document BEGIN "
    "INSERT INTO search_document_fts(search_document_fts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_document_fts(rowid, terms) VALUES (new.id, new.terms); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_document_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
