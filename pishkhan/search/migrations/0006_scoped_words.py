"""PostgreSQL: each indexed word carries its tenant and kind (`12t:باند`, see
search.backends.postgresql), so a word's posting list in the word index holds only that
tenant's documents of that kind. Before, the index was (tenant_id, kind, tsv) and a search had
to intersect the word's posting list with its tenant's: 440,000 entries at a tenant of 200,000
tickets, 50-70 ms, so a word in 1 % of the documents was found by walking the newest few
thousand documents instead (~20 ms). Now the word index answers it in ~3 ms (BENCHMARKS.md).
The vocabulary's trigram index no longer leads with the tenant, for the same reason: the
tenant's words are kept from a word's few hundred trigram matches (search.backends.postgresql).

SQLite: nothing to change (its FTS5 table is per database; tenants are filtered by rowid)."""

from django.db import migrations

from pishkhan.indexes import postgresql_only

# The scope is written here and in search.backends.postgresql.scope alike:
# the tenant's id, the kind's first letter (search.documents.KINDS differ in it), a colon.
SCOPED = (
    "CREATE OR REPLACE FUNCTION search_scoped_words(tenant bigint, kind text, terms text) "
    "RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
    "SELECT array_to_tsvector(coalesce(array_agg(tenant::text || left(kind, 1) || ':' || word), "
    "'{}')) FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, terms))) AS word $$"
)
FORWARD = [
    SCOPED,
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN tsv",
    "ALTER TABLE search_document ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (search_scoped_words(tenant_id, kind, terms)) STORED",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tsv)",
    "DROP INDEX IF EXISTS search_term_trgm",
    "CREATE INDEX search_term_trgm ON search_term USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN tsv",
    "ALTER TABLE search_document ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tenant_id, kind, tsv)",
    "DROP FUNCTION IF EXISTS search_scoped_words(bigint, text, text)",
    "DROP INDEX IF EXISTS search_term_trgm",
    "CREATE INDEX search_term_trgm ON search_term USING gin (tenant_id, word gin_trgm_ops)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_tenant_key_served_by_indexes")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
