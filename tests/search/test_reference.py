"""Both backends against one reference: the engine's answers on real request texts equal what
the meaning written down in search.text computes in plain Python. As the suite runs on SQLite
and on PostgreSQL, this is what makes the two backends return the same results."""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pishkhan.search import selectors, text
from pishkhan.search.documents import Document
from pishkhan.search.selectors import MAX_EXPANSIONS, search, search_object_ids
from pishkhan.search.services import document_put
from pishkhan.tenancy.services import tenant_create

PAIRS = Path(__file__).resolve().parents[1] / "data" / "duplicates.jsonl"
ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})


def _expansions(word: str, vocabulary: set[str]) -> frozenset[str]:
    if len(word) < text.INFIX_MIN or word.isdigit():
        return frozenset()
    containing = sorted(v for v in vocabulary if word in v)[: MAX_EXPANSIONS + 1]
    if containing:
        return frozenset([v for v in containing if not v.startswith(word)][:MAX_EXPANSIONS])
    if len(word) < text.TYPO_MIN:
        return frozenset()
    return frozenset(sorted(v for v in vocabulary if text.is_typo_of(word, v))[:MAX_EXPANSIONS])


def reference(documents: dict, query: str, match: str) -> list[int]:
    """documents: id -> (terms, updated_at). The ids search() must return, in order."""
    vocabulary = {t for terms, _ in documents.values() for t in terms}
    words = text.parse(query).words
    if match == "all":
        clauses = [(w, _expansions(w, vocabulary)) for w in words]
    else:
        clauses = [(w, frozenset()) for w in words]
    scored = []
    for pk, (terms, updated) in documents.items():
        count = sum(any(text.word_matches(w, t, e) for t in terms) for w, e in clauses)
        if count and (match == "any" or count == len(clauses)):
            scored.append((count if match == "any" else 0, updated, pk))
    return [pk for *_ignored, pk in sorted(scored, reverse=True)]


@pytest.fixture
def corpus(db):
    tenant = tenant_create(slug="reference", name="مرجع")
    rng = random.Random(1405)
    lines = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]
    documents = {}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for pk, pair in enumerate(lines[:40], 1):
        side = pair["a"] if pk % 2 else pair["b"]
        updated = start + timedelta(hours=rng.randint(0, 5000), seconds=pk)
        document = Document(
            kind="article",
            object_id=pk,
            title=side["subject"],
            body=side["body"],
            updated_at=updated,
        )
        document_put(tenant=tenant, document=document)
        documents[pk] = (set(text.index_terms(side["subject"], side["body"]).split()), updated)
    return tenant, documents, rng


def _queries(documents: dict, rng: random.Random) -> list[tuple[str, str]]:
    words = sorted({t for terms, _ in documents.values() for t in terms if len(t) >= 4})
    made = []
    for _ in range(25):
        word = rng.choice(words)
        made.append(("all", word))
        made.append(("all", word.translate(ARABIC_KEYBOARD)))
        made.append(("all", word[: max(3, len(word) - 2)]))
        made.append(("all", word[1:]))  # a word inside a longer one
        cut = rng.randrange(1, len(word) - 1)
        made.append(("all", word[:cut] + word[cut + 1 :]))  # a letter missing
        made.append(("all", f"{word} {rng.choice(words)}"))
        made.append(("any", " ".join(rng.sample(words, 4))))
    # Only numbers (an invoice, a phone) are not looked for among the newest first.
    numbers = sorted({t for terms, _ in documents.values() for t in terms if t.isdigit()})
    made += [("all", number) for number in numbers[:10]]
    return made


# The ways a page of matches newest first is put together (selectors._newest_first), each
# forced by its knobs: the tenant walked whole; a first look, then walking on; a first look,
# then the word index sorting every match; a first look, then the word index finding too
# many, then the walk by date.
def _unknown_rate(look: str, *, walked_past: bool) -> dict:
    """Knobs for a query of an unknown rate (only numbers; or words the first look did not
    find) with more matches than the word index may read first, the tenant's size known: a
    walk by date bounded by that size finds the page; or, `walked_past`, does not, and then
    the word index is read further, then the walk by date after all."""
    knobs = {look: (4, 0), "RARE": 0, "_crossing": lambda wanted, documents: 1}
    if walked_past:
        return {**knobs, "MOST": 1, "documents": 1}
    return {**knobs, "documents": 10**6}


WAYS = {
    "walked-whole": {"ONE_KIND": (3000, 0)},
    "walked-on": {"ONE_KIND": (4, 10**6)},
    "word-index": {"ONE_KIND": (4, 0), "RARE": 10**6},
    "word-index-then-walk": {"ONE_KIND": (4, 0), "RARE": 0, "MOST": 3},
    # searched among several kinds, which has knobs of its own
    "several-kinds-walked-on": {"SEVERAL_KINDS": (4, 10**6)},
    "several-kinds-word-index": {"SEVERAL_KINDS": (4, 0), "RARE": 10**6},
    # the desk search, which knows at least how many documents (the tenant's tickets)
    "several-kinds-rare-walked": _unknown_rate("SEVERAL_KINDS", walked_past=False),
    "several-kinds-rare-walked-past": _unknown_rate("SEVERAL_KINDS", walked_past=True),
    # the ids alone, for a caller that knows the tenant's documents of the kind (the queue):
    # walking on and the word index weighed by cost, which the count given tips either way
    "weighed-walked-on": {"ONE_KIND": (4, 0), "documents": 10**9},
    "weighed-word-index": {"ONE_KIND": (4, 0), "documents": 1},
    "weighed-word-index-then-walk": {"ONE_KIND": (4, 0), "documents": 1, "RARE": 0},
    # and a query of an unknown rate there
    "weighed-rare-walked": _unknown_rate("ONE_KIND", walked_past=False),
    "weighed-rare-walked-past": _unknown_rate("ONE_KIND", walked_past=True),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_both_backends_answer_as_the_reference(corpus, way, monkeypatch):
    # given the request texts indexed, and pages put together in each of the ways there are
    knobs = dict(WAYS[way])
    tenant_documents = knobs.pop("documents", None)
    for knob, value in knobs.items():
        monkeypatch.setattr(selectors, knob, value)
    tenant, documents, rng = corpus
    # when searched in every way people type, then the answers are the reference's
    for match, query in _queries(documents, rng):
        expected = reference(documents, query, match)
        kinds = ["article", "ticket"] if way.startswith("several") else ["article"]
        page = search(
            tenant=tenant,
            query=query,
            kinds=kinds,
            match=match,
            limit=100,
            documents=tenant_documents,
        )
        assert [h.object_id for h in page.hits] == expected, (match, query)
        if match == "all":
            # and the ids alone, a page at a time, are the same
            first = search_object_ids(
                tenant=tenant, query=query, kind="article", limit=5, documents=tenant_documents
            )
            assert first.object_ids == expected[:5], query
            assert first.has_more == (len(expected) > 5), query
