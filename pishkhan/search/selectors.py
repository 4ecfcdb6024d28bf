"""Reads of the search index: `search()` for every search box of the product."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection
from django.utils import timezone

from pishkhan.search import backends, text
from pishkhan.search.documents import KINDS
from pishkhan.search.models import SearchDocument
from pishkhan.tenancy.models import Tenant

# How many vocabulary words one query word may stand for (words containing it, typos).
MAX_EXPANSIONS = 50
# Filter keys with a meaning of their own: a date range over the document's date.
DATE_FROM, DATE_TO = "date_from", "date_to"
# How a page of matches newest first is found (_newest_first): so many of the tenant's newest
# documents are looked through first, where a frequent word has a page of matches; then
# looking on by date goes on while a page is expected within so many more documents (walking
# costs ~3 µs a document, the word index ~1.5 µs a match, plus reading each word's whole
# posting list: small for one kind, large for several, messages above all);
ONE_KIND = (500, 1500)
SEVERAL_KINDS = (3000, 27000)
# else the word index, read for at most twice as many matches as that walk would look through,
# at least RARE and, where the first look gave no estimate, MOST; beyond that, the walk.
RARE = 500
MOST = 20000
# Where the caller knows how many documents of the kind the tenant has (the queue: its
# tickets), walking on and the word index are weighed instead: the word index reads every
# match in the tenant, each costing about so many documents walked (more for a frequent word
# among the query's, whose whole posting list is read however rare the words are together).
# Without an estimate, it then reads at most `_crossing()` matches, and past that a walk by
# date bounded by the tenant's size is tried before MOST.
MATCH_COST = 2.0


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    snippet: str  # safe HTML: the matches in <mark>, everything else escaped
    score: float
    updated_at: datetime | None = None
    filters: dict | None = None


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    has_more: bool


EMPTY = SearchPage(hits=[], has_more=False)


@dataclass(frozen=True)
class ObjectIdPage:
    object_ids: list[int]
    has_more: bool


def _expansions(tenant_id: int, word: str, backend) -> frozenset[str] | None:
    """The vocabulary words a query word stands for besides the words it starts: words that
    contain it, or, when nothing in the tenant contains it, its near misses (typos). None when
    the vocabulary shows it can match nothing at all (it holds every indexed word)."""
    if len(word) < text.INFIX_MIN or word.isdigit():
        # A number means itself (or the numbers it starts): "4217" inside an invoice or a
        # phone number is not what was asked for.
        return frozenset()
    containing = backend.containing(tenant_id, word, MAX_EXPANSIONS + 1)
    if containing:
        inner = [w for w in containing if not w.startswith(word)][:MAX_EXPANSIONS]
        return frozenset(inner)
    if len(word) < text.TYPO_MIN:
        return None
    near = sorted(w for w in backend.typo_candidates(tenant_id, word) if text.is_typo_of(word, w))
    return frozenset(near[:MAX_EXPANSIONS]) if near else None


def _moment(value, end: bool) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, date):
        moment = datetime.combine(value, time.max if end else time.min)
        return timezone.make_aware(moment)
    return None


def _filtered(qs, filters: dict):
    for key, value in filters.items():
        if value in (None, "", []):
            continue
        if key == DATE_FROM:
            moment = _moment(value, end=False)
            qs = qs.filter(updated_at__gte=moment) if moment else qs
        elif key == DATE_TO:
            moment = _moment(value, end=True)
            qs = qs.filter(updated_at__lte=moment) if moment else qs
        elif isinstance(value, list | tuple | set):
            qs = qs.filter(**{f"filters__{key}__in": [str(v) for v in value]})
        else:
            # "__exact" keeps a key named like a lookup ("contains") a key.
            qs = qs.filter(**{f"filters__{key}__exact": str(value)})
    return qs


def search(
    *,
    tenant: Tenant,
    query: str,
    kinds: Sequence[str],
    audience: str = "agent",
    filters: dict | None = None,
    match: str = "all",
    limit: int = 20,
    offset: int = 0,
    documents: int | None = None,
) -> SearchPage:
    """Documents of this tenant matching `query`, newest first (match="all": every word must
    match), or by how many words match, then newest (match="any"). Every spelling variant
    matches (ي/ی, ك/ک, ZWNJ or space, Persian/Arabic/ASCII digits); a word matches the words it
    starts; with match="all" also the words containing it, and when it is found nowhere, its
    near misses (typos).
    Empty or blank query, or no known kind: an empty page.

    `documents`, where the caller knows it, is about how many documents of `kinds` the tenant
    has, or for several kinds at least how many (`_newest_first`): it bounds what a query of
    only numbers reads, and for one kind it also weighs the ways to find words by cost."""
    fields = ("kind", "object_id", "title", "body", "terms", "updated_at", "filters")
    found = _matches(
        tenant=tenant,
        query=query,
        kinds=kinds,
        audience=audience,
        filters=filters,
        match=match,
        limit=limit,
        offset=offset,
        fields=fields,
        documents=documents,
    )
    if found is None:
        return EMPTY
    rows, words, expansions = found
    hits = [_hit(row, words, expansions) for row in rows[:limit]]
    return SearchPage(hits=hits, has_more=len(rows) > limit)


def search_object_ids(
    *,
    tenant: Tenant,
    query: str,
    kind: str,
    audience: str = "agent",
    filters: dict | None = None,
    limit: int = 20,
    documents: int | None = None,
) -> ObjectIdPage:
    """The object ids of what `search(match="all")` finds of one kind, in its order, without
    reading the documents' text or making snippets: for a caller that shows the objects
    themselves (the ticket queue narrowed to a search). `documents`, about how many documents
    of the kind the tenant has, where the caller knows, lets the search choose its way by
    cost (`_newest_first`)."""
    found = _matches(
        tenant=tenant,
        query=query,
        kinds=[kind],
        audience=audience,
        filters=filters,
        match="all",
        limit=limit,
        offset=0,
        fields=("object_id", "updated_at"),
        documents=documents,
    )
    if found is None:
        return ObjectIdPage(object_ids=[], has_more=False)
    rows = found[0]
    return ObjectIdPage(
        object_ids=[row.object_id for row in rows[:limit]], has_more=len(rows) > limit
    )


def _matches(
    *, tenant, query, kinds, audience, filters, match, limit, offset, fields, documents=None
) -> tuple[list[SearchDocument], tuple[str, ...], frozenset[str]] | None:
    """One page of matching rows (limit + 1 of them, to tell whether more follow) with `fields`
    loaded, and the query words and expansions that found them; None when nothing can match."""
    parsed = text.parse(query)
    kinds = list(dict.fromkeys(k for k in kinds if k in KINDS))
    if not parsed or not kinds or limit <= 0:
        return None
    backend = backends.current()
    # A whole typed request (match="any") has words enough: each matches the words it starts,
    # and the vocabulary (inner words, typos) is only asked for the few words of a search box.
    if match == "all":
        clauses = [(w, _expansions(tenant.pk, w, backend)) for w in parsed.words]
        if any(expansions is None for _word, expansions in clauses):
            return None  # a word found nowhere: no document has every word
    else:
        clauses = [(w, frozenset()) for w in parsed.words]
    qs = SearchDocument.objects.for_tenant(tenant)
    # PostgreSQL's word index holds each word within its tenant and kind, so these filters
    # change nothing there; they serve the walks by date (one kind has an index of its own).
    if len(kinds) == 1:
        qs = qs.filter(kind=kinds[0])
    elif set(kinds) != set(KINDS):
        # Several kinds: said as "not the others", a row filter, so the walk by date stays on
        # the tenant's index rather than merging one walk per kind.
        qs = qs.exclude(kind__in=[k for k in KINDS if k not in kinds])
    if audience != "agent":
        qs = qs.filter(audience="public")
    qs = _filtered(qs, {k: v for k, v in (filters or {}).items() if k.isidentifier()})
    scope = {"tenant_id": tenant.pk, "kinds": kinds}
    words = backend.where(clauses, "all" if match == "all" else "any", **scope)
    offset = max(0, offset)
    if match == "all":
        # An email address, or only numbers (a phone, an invoice): taken for rare, the word
        # index is asked first (a number that proves frequent is walked to, where the tenant's
        # size is known); anything with words is looked for among the newest documents first.
        rare = "@" in query or all(word.isdigit() for word in parsed.words)
        kind = kinds[0] if len(kinds) == 1 else None
        rows = _newest_first(
            tenant,
            qs,
            words,
            offset,
            limit + 1,
            fields,
            kind=kind,
            recent_first=not rare,
            documents=documents,
        )
    else:
        sql, select_params = backend.matched(clauses, **scope)
        # The backends' SQL is fixed text; the query's words are always bound parameters.
        ranked = _with_words(qs, words).extra(select={"matched": sql}, select_params=select_params)  # noqa: S610
        qs = ranked.order_by("-matched", "-updated_at", "-id")
        rows = list(qs.only(*fields)[offset : offset + limit + 1])
    return rows, parsed.words, frozenset().union(*(e for _, e in clauses))


def _with_words(qs, words: tuple[str, list]):
    # The backends' SQL is fixed text; the query's words are always bound parameters.
    return qs.extra(where=[words[0]], params=words[1])  # noqa: S610


def _newest_first(
    tenant,
    filtered,
    words: tuple[str, list],
    offset: int,
    count: int,
    fields,
    *,
    kind: str | None,
    recent_first: bool = True,
    documents: int | None = None,
) -> list[SearchDocument]:
    """One page of matches, newest first, fast for rare and for frequent words alike.

    A frequent word first: among the tenant's newest documents, a page of its
    matches is usually all there, and then it is the page (everything older comes after it).
    Walking those rows by date, stopping at a page, costs less than reading every match of a
    word that is everywhere from the word index. A tenant with fewer documents than that is
    walked whole, and that is every match.

    Otherwise, at the rate the first look found matches, walking on finds the rest of the page
    within so many documents: when few, walk on. When many (a word in a few per cent of the
    documents or fewer), ask the word index for the matches, unordered and at most about twice
    as many as that walk (it costs half a walk's row a match), and sort them; only when there
    are more than that, walk on after all. Asked instead for "matches ordered by date",
    PostgreSQL guesses how many rows match, and for a rare word it overestimates it walks the
    whole tenant by date. Each step is run with the plan it needs.

    Knowing the tenant's `documents` of the one kind, the choice is made by cost instead: the
    first look's rate also tells how many matches the word index would read in all. At a
    tenant of a few thousand documents it is always few; at 200,000 a word in a few per cent
    of them is cheaper walked to. Where no rate is known (a query taken for rare, or a first
    look that found nothing), the word index reads only as many matches as would cost a walk
    to a page (`_crossing`); a word with more is walked to within a bound set by the tenant's
    size, and only if they are not there (all old) read further as without the count. Of
    several kinds, `documents` may be a lower bound (the tickets alone, not their messages)
    and serves only this: smaller than the truth, it reads and walks less before the old way.

    `filtered` is the tenant's documents of the kinds and filters asked for, `words` the
    backend's condition for the query's words."""
    qs = _with_words(filtered, words)
    wanted = offset + count
    page: list[SearchDocument] = []
    after = None
    rest = None  # how many more documents walking on would look through, as far as known
    first_look, walk_on = ONE_KIND if kind is not None else SEVERAL_KINDS
    if recent_first:
        page, after = _walk(tenant, qs, kind, fields, None, first_look, wanted)
        if len(page) >= wanted or after is None:
            return page[offset:]  # a page, or the tenant's every document walked
        if page:
            rest = (wanted - len(page)) * first_look // len(page)
            if documents is not None and kind is not None:
                # A walk on as long as the word index's reading would cost, not longer.
                walk_on = int(MATCH_COST * len(page) * documents / first_look)
        if rest is not None and rest <= walk_on:
            window = 2 * walk_on
            rows, stopped = _walk(tenant, qs, kind, fields, after, window, wanted - len(page))
            page += rows
            if len(page) >= wanted or stopped is None:
                return page[offset:]
    if rest is None and documents is not None:
        # The words' rate is unknown: a query that looked rare (only numbers, an email) was
        # not looked for among the newest first, or the first look found nothing.
        cap = min(MOST, max(RARE, 1, _crossing(wanted, max(documents, 0))))
        found, rows = _newest_matches(filtered, words, cap, wanted, fields)
        if found <= cap:
            return rows[offset:]
        # Frequent after all: spread over the tenant's documents, a page's worth is within
        # so many of the newest. Bounded, because they may all be old (a year's number): then
        # the word index is read as for any query of an unknown rate. (Any first look found
        # nothing: the walk goes on from where it stopped.)
        window = max(wanted, 2 * wanted * documents // cap)
        rows, stopped = _walk(tenant, qs, kind, fields, after, window, wanted)
        if len(rows) >= wanted or stopped is None:
            return rows[offset:]
        cap = MOST
    elif rest is None:
        cap = MOST
    elif documents is None or kind is None:
        cap = min(MOST, 2 * rest)
    else:
        # Past so many matches, walking `rest` documents would have been the cheaper.
        cap = min(MOST, int(rest / MATCH_COST))
    cap = max(RARE, cap)
    found, rows = _newest_matches(filtered, words, cap, wanted, fields)
    if found <= cap:
        return rows[offset:]
    # More than `cap` matches: walking by date meets a page's worth within about
    # (offset + count) * N / cap of the tenant's N documents.
    with backends.current().plan("newest"):
        return list(qs.order_by("-updated_at", "-id").only(*fields)[offset : offset + count])


def _crossing(wanted: int, documents: int) -> int:
    """How many matches the word index may read for words of an unknown rate before a walk by
    date is tried. m matches cost MATCH_COST * m documents walked, and a walk meets `wanted`
    of them within wanted * documents / m documents: the two are equal at
    m = sqrt(wanted * documents / MATCH_COST). Twice that, because a reading cut short is
    wasted and the walk after it pays for the words on every row: at the 200,000-ticket tenant,
    numbers in 1-11 % of its tickets took 12-19 ms against 20-97 ms reading up to MOST, and
    numbers in under 1 % the same as before (once, twice and four times the crossing tried)."""
    return int(2 * math.sqrt(wanted * documents / MATCH_COST))


def _newest_matches(
    filtered, words: tuple[str, list], cap: int, wanted: int, fields
) -> tuple[int, list[SearchDocument]]:
    """How many of the documents with `words` pass `filtered`, counted up to cap + 1, and the
    newest `wanted` of them with `fields`, from the word index in one statement: the documents
    with the words are read unordered (the inner limit stops the reading), filtered, counted
    over the window, and only then sorted; the page's own rows are read last, by id."""
    compiler = filtered.query.get_compiler(connection=connection)
    where, where_params = compiler.compile(filtered.query.where)
    table = SearchDocument._meta.db_table
    columns = ", ".join(
        f"{table}.{SearchDocument._meta.get_field(name).column}" for name in ("id", *fields)
    )
    source = backends.current().rows_with_words(words[0])
    # Table and column names are the model's; every value is a bound parameter.
    sql = (
        f"SELECT {columns}, newest.found FROM ("  # noqa: S608
        "SELECT id, updated_at, COUNT(*) OVER () AS found FROM ("
        f"SELECT {table}.id, {table}.updated_at FROM {source} WHERE {where} LIMIT %s"
        ") AS matches ORDER BY updated_at DESC, id DESC LIMIT %s"
        f") AS newest JOIN {table} ON {table}.id = newest.id "
        "ORDER BY newest.updated_at DESC, newest.id DESC"
    )
    with backends.current().plan("matches"):
        rows = list(SearchDocument.objects.raw(sql, [*words[1], *where_params, cap + 1, wanted]))
    return (rows[0].found if rows else 0), rows


def _walk(tenant, qs, kind, fields, after, size: int, wanted: int):
    """The first `wanted` matches of `qs` among the tenant's next `size` documents (of `kind`)
    by date, newest first, older than `after` (the (updated_at, id) of the row a previous walk
    stopped at), in one statement; and where this walk stopped, or None when it found what was
    wanted or the tenant's documents ran out before `size` of them.

    The window is a subquery with a limit, which PostgreSQL neither flattens nor filters
    inside, so the word index cannot be chosen over the walk, and the walk stops at the last
    match wanted. (The plan is still said: for a tenant a few times the window's size,
    PostgreSQL would rather read all its rows in table order and sort them.) The window's last
    row comes back too, matching or not, to tell a walk that ran out of rows from one that ran
    out of window."""
    compiler = qs.query.get_compiler(connection=connection)
    where, where_params = compiler.compile(qs.query.where)
    table = SearchDocument._meta.db_table
    columns = ", ".join(
        f"{table}.{SearchDocument._meta.get_field(name).column}" for name in ("id", *fields)
    )
    window = ["tenant_id = %s"]
    window_params: list = [tenant.pk]
    if kind is not None:
        window.append("kind = %s")
        window_params.append(kind)
    if after is not None:
        window.append("(updated_at, id) < (%s, %s)")
        window_params += [connection.ops.adapt_datetimefield_value(after[0]), after[1]]
    order = "updated_at DESC, id DESC"
    # Table and column names are the model's; every value is a bound parameter.
    sql = (
        f"SELECT {columns}, ({where}) AS matched, walked FROM ("  # noqa: S608
        f"SELECT *, ROW_NUMBER() OVER (ORDER BY {order}) AS walked FROM {table} "
        f"WHERE {' AND '.join(window)} ORDER BY {order} LIMIT %s"
        f") AS {table} WHERE walked = %s OR ({where}) ORDER BY {order} LIMIT %s"
    )
    params = [*where_params, *window_params, size, size, *where_params, wanted]
    with backends.current().plan("newest"):
        rows = list(SearchDocument.objects.raw(sql, params))
    matches = [row for row in rows if row.matched]
    if len(matches) < wanted and rows and rows[-1].walked == size:
        return matches, (rows[-1].updated_at, rows[-1].id)
    return matches, None


def _hit(row: SearchDocument, words: tuple[str, ...], expansions: frozenset[str]) -> Hit:
    terms = set(row.terms.split())
    found = sum(1 for q in words if any(text.word_matches(q, w, expansions) for w in terms))
    snippet = text.snippet(row.body, words, expansions) if row.body else ""
    if "<mark>" not in snippet and row.title:
        # Only the title matched: show the title highlighted, then the body's start.
        snippet = text.snippet(row.title, words, expansions) or snippet
    return Hit(
        kind=row.kind,
        object_id=row.object_id,
        title=row.title,
        snippet=snippet,
        score=float(found),
        updated_at=row.updated_at,
        filters=row.filters,
    )
