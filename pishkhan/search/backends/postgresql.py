"""PostgreSQL: `tsv` holds the normalised words (to_tsvector('simple', terms)) each scoped to
its tenant and kind, `12t:باند` (migration 0006), generated and GIN-indexed: a word's posting
list holds only one tenant's documents of one kind, whatever the size of the others. `pg_trgm`
indexes the vocabulary (every tenant's words) for words containing a query word and typos."""

from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection, transaction

from pishkhan.search import text

Clause = tuple[str, frozenset[str]]


def scope(tenant_id: int, kind: str) -> str:
    """What every word of a tenant's documents of `kind` starts with in the word index; the
    migration's `search_scoped_words` writes the same."""
    return f"{tenant_id}{kind[0]}:"


def _group(word: str, expansions: frozenset[str], scopes: list[str]) -> str:
    # Words are letters, digits and marks only (text.words), so quoting cannot be broken.
    alternatives = []
    for prefix in scopes:
        alternatives.append(
            f"'{prefix}{word}':*" if text.is_prefix_word(word) else f"'{prefix}{word}'"
        )
        alternatives += [f"'{prefix}{w}'" for w in sorted(expansions)]
    return "(" + " | ".join(alternatives) + ")"


def where(
    clauses: list[Clause], match: str, *, tenant_id: int, kinds: Sequence[str]
) -> tuple[str, list[str]]:
    joiner = " & " if match == "all" else " | "
    scopes = [scope(tenant_id, kind) for kind in kinds]
    return "search_document.tsv @@ %s::tsquery", [joiner.join(_group(*c, scopes) for c in clauses)]


def matched(
    clauses: list[Clause], *, tenant_id: int, kinds: Sequence[str]
) -> tuple[str, list[str]]:
    """How many of the query words a row matches, for match="any"."""
    scopes = [scope(tenant_id, kind) for kind in kinds]
    sql = " + ".join("(search_document.tsv @@ %s::tsquery)::int" for _ in clauses)
    return sql, [_group(*c, scopes) for c in clauses]


def rows_with_words(words: str) -> str:
    """The documents with the words (`where`'s SQL), as a FROM source of that name for a query
    to filter further. OFFSET 0 keeps the further filter out of it: given the tenant too,
    PostgreSQL would intersect a word's few thousand matches with the tenant's whole index
    (200,000 entries, 18 ms) to fetch fewer rows, which costs a tenth of that."""
    # The table's name is fixed; the words' SQL is `where`'s, its values bound parameters.
    return f"(SELECT * FROM search_document WHERE {words} OFFSET 0) AS search_document"  # noqa: S608


# The vocabulary is read by its trigram index, which holds every tenant's words: a query word's
# trigrams match a few hundred words in all, of which the tenant's are kept. Said as
# "tenant_id + 0", the tenant cannot lead PostgreSQL to the (tenant, word) index instead, which
# it would walk through the tenant's whole vocabulary (290,000 words at a tenant of 200,000
# tickets: 35 ms for the words containing one, 160 ms for its typos; by trigrams, 0.3 and 7).


def containing(tenant_id: int, word: str, limit: int) -> list[str]:
    """Vocabulary words containing `word` (itself included), in code point order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id + 0 = %s AND word LIKE %s "
            'ORDER BY word COLLATE "C" LIMIT %s',
            [tenant_id, f"%{word}%", limit],
        )
        return [row[0] for row in cursor.fetchall()]


def typo_candidates(tenant_id: int, word: str) -> list[str]:
    """Vocabulary words at least as trigram-similar as pg_trgm's default threshold."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id + 0 = %s AND word %% %s",
            [tenant_id, word],
        )
        return [row[0] for row in cursor.fetchall()]


# The two plans `selectors._newest_first` relies on, by name. PostgreSQL cannot estimate how
# many rows a text query matches within one tenant (its statistics are global), and a wrong
# guess costs a walk over the whole tenant; what each step needs is known, so it is said.
_PLANS = {
    # "Which rows match, at most N": the word index, whatever the guess.
    "matches": {"enable_indexscan": "off", "enable_seqscan": "off"},
    # "The newest matches of a frequent word": walk the tenant's rows by date.
    "newest": {"enable_bitmapscan": "off", "enable_seqscan": "off", "enable_sort": "off"},
}


@contextmanager
def plan(name: str):
    """Run the queries inside with the plan named; the settings are put back afterwards, also
    inside a caller's longer transaction. Outside one, the transaction opened here ends them;
    inside one, two round trips: the select list is evaluated left to right, so each setting
    is read before it is changed."""
    names = list(_PLANS[name])
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if not nested:
            change = ", ".join("set_config(%s, %s, true)" for _ in names)
            cursor.execute(
                f"SELECT {change}", [p for key in names for p in (key, _PLANS[name][key])]
            )
            yield
            return
        change = ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names)
        params = [p for key in names for p in (key, key, _PLANS[name][key])]
        cursor.execute(f"SELECT {change}", params)
        row = cursor.fetchone()
        before = {key: row[index * 2] for index, key in enumerate(names)}
        try:
            yield
        finally:
            restore = ", ".join("set_config(%s, %s, true)" for _ in names)
            cursor.execute(f"SELECT {restore}", [p for key in names for p in (key, before[key])])
