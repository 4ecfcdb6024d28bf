"""Text rules shared by both backends, so SQLite and PostgreSQL see exactly the same words.

A word is a run of letters, digits and marks in the *normalised* text (core.persian.normalize):
so "ي/ی", "ك/ک", ZWNJ or space, and Persian/Arabic/ASCII digits are already one spelling when a
word is cut. We cut the words ourselves and give the database plain space-separated words, so
neither PostgreSQL's parser nor SQLite's tokenizer has a say in what a word is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape

from pishkhan.core.persian import normalize

# Longest word kept in the index: longer runs are keys, hashes or base64, never searched for.
MAX_WORD = 60
# Text indexed per document: a thread message longer than this is searched on its start.
MAX_INDEXED = 20_000
# A query word this long or longer matches words that start with it ("سرو" finds "سرور");
# shorter ones must match a whole word, or the prefix would match half the index.
PREFIX_MIN = 3
# A query word this long or longer also matches words that contain it ("افزار" finds
# "نرمافزار") and, when it matches nothing at all, words one or two typos away.
INFIX_MIN = 4
TYPO_MIN = 4
MAX_QUERY_WORDS = 16
# pg_trgm's default similarity threshold; the SQLite backend applies the same formula.
TRIGRAM_THRESHOLD = 0.3

# Words that say nothing about a request: dropped from queries (unless nothing else is left),
# so a whole typed request can be matched word by word (match="any").
STOPWORDS = frozenset(
    normalize(word)
    for word in (
        "و در به از که این آن را با است برای تا یا هم بر هر یک می نمی شد شده شود بود باشد "
        "کرد کرده کنم کنید کند داریم دارد دارم ما من شما او ایشان خود اگر اما ولی چه چون "
        "نیز همه هیچ دیگر باید آیا لطفا سلام ممنون باتشکر تشکر "
        "the a an and or of to in on at is are was be been for with my me i you it its this "
        "that not no do does can please hi hello thanks thank from by as we our your"
    ).split()
)


def _is_word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


class _WordCut(dict):
    """A `str.translate` table that keeps a word's characters and turns every other one into a
    space, filled in as characters are met (a few hundred distinct ones in practice): the cut
    runs in C instead of a Python step per character, three times as fast on a ticket."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kept = char if _is_word_char(char) else " "
        if len(self) < WORD_CUT_MAX:  # text made of rare characters cannot grow it unbounded
            self[code] = kept
        return kept


WORD_CUT_MAX = 20_000
_WORD_CUT = _WordCut()


def words(normalised: str) -> list[str]:
    """The words of already normalised text, in order (repeats kept). No word character is
    white space, so splitting the cut text on white space leaves exactly the runs of them."""
    return [w for w in normalised.translate(_WORD_CUT).split() if len(w) <= MAX_WORD]


def index_terms(*parts: str) -> str:
    """What the database indexes for a document: its normalised words, space-separated."""
    text = " ".join(p[:MAX_INDEXED] for p in parts if p)
    found = words(normalize(text))
    # A phone number anywhere (a message's signature, a field) is also indexed as its national
    # number, which is what a phone-like query looks for (see `parse`).
    extra = [national_number(w) for w in found if w.isdigit() and _PHONE_LENGTHS[0] <= len(w)]
    extra = [n for n in extra if n and n not in found and len(n) <= _PHONE_LENGTHS[1]]
    return " ".join(found + sorted(set(extra)))


def national_number(phone: str) -> str:
    """The number without the country code or trunk zero: 09121234567, +989121234567 and
    00989121234567 are all 9121234567."""
    digits = "".join(c for c in normalize(phone) if c.isdigit())
    for prefix in ("0098", "98", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
            return digits[len(prefix) :]
    return digits


def phone_variants(phone: str) -> list[str]:
    """A phone number as stored and as its national number, so every way people type it finds
    the same customer (the query side uses `national_number`)."""
    digits = "".join(c for c in normalize(phone) if c.isdigit())
    return sorted({digits, national_number(phone)} - {""})


_PHONE_LENGTHS = (7, 16)


def looks_like_phone(query: str) -> bool:
    text = normalize(query).replace(" ", "").replace("-", "").lstrip("+")
    return text.isdigit() and _PHONE_LENGTHS[0] <= len(text) <= _PHONE_LENGTHS[1]


@dataclass(frozen=True)
class Query:
    """A parsed query: the words to match, each with the extra words it stands for."""

    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)


def parse(query: str) -> Query:
    """Normalise and cut a query. A phone number becomes its national number, and stop words go
    unless the query has nothing else."""
    query = (query or "")[:1000]
    if looks_like_phone(query):
        return Query(words=(national_number(query),))
    found: list[str] = []
    for word in words(normalize(query)):
        if word not in found:
            found.append(word)
    meaningful = [w for w in found if w not in STOPWORDS]
    return Query(words=tuple((meaningful or found)[:MAX_QUERY_WORDS]))


def is_prefix_word(word: str) -> bool:
    return len(word) >= PREFIX_MIN


def word_matches(query_word: str, word: str, expansions: frozenset[str] = frozenset()) -> bool:
    """Whether an indexed word answers a query word (what the backends compute in SQL)."""
    if word == query_word or word in expansions:
        return True
    return is_prefix_word(query_word) and word.startswith(query_word)


# --- typo tolerance: pg_trgm's similarity, and an edit distance to keep only near misses -------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all distinct trigrams of both words."""
    ta, tb = trigrams(a), trigrams(b)
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared) if ta or tb else 0.0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two neighbours counts one), capped at
    limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def is_typo_of(query_word: str, word: str) -> bool:
    """A near miss: trigram-similar (what pg_trgm's index finds) and one or two edits away."""
    limit = 1 if len(query_word) < 8 else 2
    return (
        word != query_word
        and similarity(query_word, word) >= TRIGRAM_THRESHOLD
        and edit_distance(query_word, word, limit) <= limit
    )


# --- snippets ----------------------------------------------------------------------------------

SNIPPET_WORDS = 28


@lru_cache(maxsize=50_000)
def _token_words(token: str) -> tuple[str, ...]:
    # Snippets look at the same few thousand words again and again: normalise each once.
    return tuple(words(normalize(token)))


_TOKEN = re.compile(r"\S+")


def snippet(text: str, query_words: tuple[str, ...], expansions: frozenset[str]) -> str:
    """A short piece of `text` around its first match, escaped, matched words in <mark>."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text[: MAX_INDEXED + 2000])]
    if not tokens:
        return ""

    def hit(start: int, end: int) -> bool:
        return any(
            word_matches(q, w, expansions)
            for w in _token_words(text[start:end])
            for q in query_words
        )

    # Only the words up to the first match and those in the window are normalised: a long
    # message costs no more than a short one once its first match is found.
    first = next((i for i, (a, b) in enumerate(tokens) if hit(a, b)), 0)
    begin = max(0, first - SNIPPET_WORDS // 3)
    end = min(len(tokens), begin + SNIPPET_WORDS)
    begin = max(0, min(begin, end - SNIPPET_WORDS))
    marks = {i: hit(*tokens[i]) for i in range(begin, end)}
    parts = []
    for index in range(begin, end):
        start, stop = tokens[index]
        piece = escape(text[start:stop])
        parts.append(f"<mark>{piece}</mark>" if marks[index] else piece)
    return ("… " if begin else "") + " ".join(parts) + (" …" if end < len(tokens) else "")


def highlight(text: str, query: str) -> str:
    """The whole of a short text (a title, a name), escaped, with the words the query's words
    start or equal in <mark>."""
    query_words = parse(query).words
    parts = []
    for match in _TOKEN.finditer(text):
        piece = escape(match.group())
        found = any(word_matches(q, w) for w in _token_words(match.group()) for q in query_words)
        parts.append(f"<mark>{piece}</mark>" if found else piece)
    return " ".join(parts)
