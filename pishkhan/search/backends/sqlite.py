"""SQLite: an FTS5 table over `terms` (external content, kept by triggers). Its tokenizer is
unicode61 with the same word characters as search.text, and queries use prefix terms: the
trigram tokenizer would match inside words, which PostgreSQL's word index cannot mirror; words
inside words come from the vocabulary on both backends instead."""

from contextlib import contextmanager

from django.db import connection

from pishkhan.search import text

Clause = tuple[str, frozenset[str]]

FTS = "search_document_fts"


def _group(word: str, expansions: frozenset[str]) -> str:
    alternatives = [f'"{word}"*' if text.is_prefix_word(word) else f'"{word}"']
    alternatives += [f'"{w}"' for w in sorted(expansions)]
    return "(" + " OR ".join(alternatives) + ")"


def _in_fts() -> str:
    # FTS is a constant; the query itself is always a bound parameter.
    return f"search_document.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"  # noqa: S608


def where(clauses: list[Clause], match: str, **_scope) -> tuple[str, list[str]]:
    # One FTS table for every tenant and kind: those are the query's own row filters.
    joiner = " AND " if match == "all" else " OR "
    return _in_fts(), [joiner.join(_group(*c) for c in clauses)]


def matched(clauses: list[Clause], **_scope) -> tuple[str, list[str]]:
    sql = " + ".join(f"({_in_fts()})" for _ in clauses)
    return sql, [_group(*c) for c in clauses]


def rows_with_words(words: str) -> str:
    """The documents with the words (`where`'s SQL), as a FROM source of that name for a query
    to filter further."""
    # The table's name is fixed; the words' SQL is `where`'s, its values bound parameters.
    return f"(SELECT * FROM search_document WHERE {words}) AS search_document"  # noqa: S608


def containing(tenant_id: int, word: str, limit: int) -> list[str]:
    # instr, not LIKE: SQLite's LIKE folds ASCII case, and the words are folded already.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id = %s AND instr(word, %s) > 0 "
            "ORDER BY word LIMIT %s",
            [tenant_id, word, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def typo_candidates(tenant_id: int, word: str) -> list[str]:
    """Words of a near length; search.text.is_typo_of then applies pg_trgm's own formula."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM search_term WHERE tenant_id = %s AND length(word) BETWEEN %s AND %s",
            [tenant_id, len(word) - 2, len(word) + 2],
        )
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def plan(name: str):
    """SQLite's planner needs no help here (see the PostgreSQL backend)."""
    yield
