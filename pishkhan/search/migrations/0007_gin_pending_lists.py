"""PostgreSQL: bounded pending lists for the search's two GIN indexes.

A GIN index takes new entries into an unsorted pending list, merged into the index by
(auto)vacuum or once the list reaches `gin_pending_list_limit` (4 MB by default), and every
search reads the whole list linearly. These tables only grow, so autovacuum comes rarely (after
a fifth of the table is new), and the intake kept the lists near their 4 MB: at the
200,000-ticket tenant a word's infix look-up in the vocabulary (`word LIKE '%…%'`) read 249
pending pages and took 9 ms, 0.5 ms once they were merged (BENCHMARKS.md).

Both now keep at most 128 kB (16 pages) pending: their inserts stay batched (a ticket brings
a document and, with its numbers, addresses and names, a few words the vocabulary has not
seen), and a search reads at most that much of a list (~0.5 ms). Taking the vocabulary's
entries directly (`fastupdate = off`) would spare a search those pages too, but would write
each new word's ten or so trigrams into the index one by one, inside every ticket's request.

SQLite: nothing to change (FTS5 has no such list)."""

from django.db import migrations

from pishkhan.indexes import postgresql_only

FORWARD = [
    "ALTER INDEX search_term_trgm SET (gin_pending_list_limit = 128)",
    "SELECT gin_clean_pending_list('search_term_trgm')",
    "ALTER INDEX search_document_tsv SET (gin_pending_list_limit = 128)",
    "SELECT gin_clean_pending_list('search_document_tsv')",
]
BACKWARD = [
    "ALTER INDEX search_term_trgm RESET (gin_pending_list_limit)",
    "ALTER INDEX search_document_tsv RESET (gin_pending_list_limit)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0006_scoped_words")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
