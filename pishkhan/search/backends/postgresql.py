"""PostgreSQL: `tsv` is to_tsvector('simple', terms), generated and GIN-indexed together with
the tenant (btree_gin), so a word's posting list is cut down to one tenant inside the index;
`pg_trgm` indexes the vocabulary for words containing a query word and for typos."""

from contextlib import contextmanager

from django.db import connection, transaction

from pishkhan.search import text

Clause = tuple[str, frozenset[str]]


def _group(word: str, expansions: frozenset[str]) -> str:
    # Words are letters, digits and marks only (text.words), so quoting cannot be broken.
    alternatives = [f"'{word}':*" if text.is_prefix_word(word) else f"'{word}'"]
    alternatives += [f"'{w}'" for w in sorted(expansions)]
    return "(" + " | ".join(alternatives) + ")"


def where(clauses: list[Clause], match: str) -> tuple[str, list[str]]:
    joiner = " & " if match == "all" else " | "
    return "search_document.tsv @@ %s::tsquery", [joiner.join(_group(*c) for c in clauses)]


def matched(clauses: list[Clause]) -> tuple[str, list[str]]:
    """How many of the query words a row matches, for match="any"."""
    sql = " + ".join("(search_document.tsv @@ %s::tsquery)::int" for _ in clauses)
    return sql, [_group(*c) for c in clauses]


def containing(tenant_id: int, word: str, limit: int) -> list[str]:
    """Vocabulary words containing `word` (itself included), in code point order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id = %s AND word LIKE %s "
            'ORDER BY word COLLATE "C" LIMIT %s',
            [tenant_id, f"%{word}%", limit],
        )
        return [row[0] for row in cursor.fetchall()]


def typo_candidates(tenant_id: int, word: str) -> list[str]:
    """Vocabulary words at least as trigram-similar as pg_trgm's default threshold."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id = %s AND word %% %s",
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
