"""The search engine's meaning, the same on SQLite and PostgreSQL (the suite runs on both).
Texts come from the seeds: 001 (typed on an Arabic keyboard, ي/ك), 002 and 003."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from pishkhan.search import text
from pishkhan.search.documents import Document
from pishkhan.search.models import SearchDocument, SearchTerm
from pishkhan.search.selectors import search
from pishkhan.search.services import document_delete, document_put

# 001, as written: Arabic yeh and kaf, words glued without the half-space.
SEED_001 = (
    "هومينو عامل ارائه خدمات نيست ، بلكه تنها يك خدمات نرمافزاري است كه از اين طريق ارتباط "
    "بين مشتريان و متخصصين را بر انجام يك خدمت فراهم آورده"
)
# 002, as written: Persian letters, a mix of ASCII and Persian digits.
SEED_002 = (
    "زمان ارائه مشاوره فروش و پشتیبانی به صورت تلفنی توسط سایت کام به کام از شنبه تا "
    "چهارشنبه از ساعت ۹ لغایت 17 و خارج از ساعت اداری"
)
# 003: a half-space (ZWNJ) inside the compounds.
SEED_003 = "استفاده از سرویس‌های نرم‌افزاری و اطلاعات ما، این متن را دقیق مطالعه کرده"


def put(world, object_id, title, body="", kind="article", **kwargs):
    document = Document(kind=kind, object_id=object_id, title=title, body=body, **kwargs)
    document_put(tenant=world.tenant, document=document)


def found(world, query, kinds=("article",), **kwargs):
    page = search(tenant=world.tenant, query=query, kinds=list(kinds), **kwargs)
    return [hit.object_id for hit in page.hits]


def test_every_spelling_variant_finds_the_same_text(alpha):
    # given text typed on an Arabic keyboard, and text with half-spaces and Persian digits
    put(alpha, 1, "تعهدات هومینو", SEED_001)
    put(alpha, 2, "قوانین پشتیبانی", SEED_002)
    put(alpha, 3, "توافقنامه", SEED_003)
    # when an agent types the other spelling of a word: Persian ی/ک for Arabic ي/ك and back,
    # a space or nothing for the half-space, other digits
    cases = {
        "نرم افزاری": [3, 1],
        "نرم‌افزاري": [3, 1],
        "بلکه خدمات": [1],
        "يك": [1],
        "چهارشنبه ساعت ٩": [2],
        "۱۷": [2],
        "سرویس های": [3],
        "سرویسهای": [3],
    }
    # then each finds its documents, newest first
    for query, expected in cases.items():
        assert found(alpha, query) == expected, query


def test_a_word_finds_longer_words_it_starts_and_compounds_it_is_part_of(alpha):
    # given "نرمافزاري" glued (001) and "پشتیبانی" (002)
    put(alpha, 1, "تعهدات", SEED_001)
    put(alpha, 2, "قوانین", SEED_002)
    # when an agent types the start of a word, or the second half of a compound
    # then the documents with the longer word are found
    assert found(alpha, "پشتیب") == [2]
    assert found(alpha, "افزار") == [1]


def test_a_typo_still_finds_the_word_when_nothing_matches_as_typed(alpha):
    # given "پشتیبانی" in a document and "مشاوره" in another
    put(alpha, 1, "قوانین", SEED_002)
    put(alpha, 2, "راهنما", "مشاوره رایگان")
    # when an agent misses a letter or hits a neighbour
    # then the near misses are found
    assert found(alpha, "پشتیبانى") == [1]  # a folded variant, not a typo
    assert found(alpha, "پشتبانی") == [1]  # one letter missing
    assert found(alpha, "مشاوزه") == [2, 1]  # one letter wrong
    # and a word that is nowhere near anything finds nothing
    assert found(alpha, "کهکشان") == []


def test_match_all_needs_every_word_match_any_ranks_by_how_many(alpha):
    # given three articles sharing some words
    put(alpha, 1, "نصب ماژول", "نصب ماژول رایگان است")
    put(alpha, 2, "نصب سرور", "نصب سرور مجازی")
    put(alpha, 3, "ماژول پرداخت", "ماژول پرداخت رایگان")
    # when searched with every word required: only the article with all of them
    assert found(alpha, "نصب ماژول رایگان") == [1]
    # when any word may match: every article, the one matching most first, then newest
    assert found(alpha, "نصب ماژول رایگان", match="any") == [1, 3, 2]


def test_stop_words_do_not_make_every_document_match(alpha):
    # given two articles that both contain "و" and "از"
    put(alpha, 1, "قوانین", SEED_002)
    put(alpha, 2, "تعهدات", SEED_001)
    # when a whole typed request is matched word by word
    # then only the article sharing a meaningful word is found
    assert found(alpha, "سلام، من از ساعت کاری و تلفنی سوال دارم", match="any") == [1]


def test_public_audience_sees_only_public_documents(alpha):
    # given a public article and an internal one with the same words
    put(alpha, 1, "نصب ماژول", audience="public")
    put(alpha, 2, "نصب ماژول داخلی", audience="agent")
    # then the help centre sees the public one, agents both
    assert found(alpha, "ماژول", audience="public") == [1]
    assert found(alpha, "ماژول") == [2, 1]


def test_filters_narrow_by_value_and_date(alpha):
    # given tickets (numbered apart from the fixture's) in two statuses and departments, on two days
    day = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    put(
        alpha,
        9001,
        "درگاه پرداخت",
        kind="ticket",
        filters={"status": "open", "department": 2},
        updated_at=day,
    )
    put(
        alpha,
        9002,
        "درگاه پرداخت",
        kind="ticket",
        filters={"status": "closed", "department": 3},
        updated_at=day + timedelta(days=2),
    )
    # then each filter keeps only what it names (values compared as text: "2" is 2)
    assert found(alpha, "پرداخت", ["ticket"], filters={"status": "open"}) == [9001]
    assert found(alpha, "پرداخت", ["ticket"], filters={"department": "3"}) == [9002]
    assert found(alpha, "پرداخت", ["ticket"], filters={"status": ["open", "closed"]}) == [
        9002,
        9001,
    ]
    assert found(alpha, "پرداخت", ["ticket"], filters={"date_from": date(2026, 11, 21)}) == [9002]
    assert found(alpha, "پرداخت", ["ticket"], filters={"date_to": "2026-11-20"}) == [9001]


def test_a_filter_key_named_like_a_lookup_is_still_a_key(alpha):
    put(alpha, 9001, "درگاه پرداخت", filters={"contains": "x", "in": "y"})
    assert found(alpha, "پرداخت", filters={"contains": "x"}) == [9001]
    assert found(alpha, "پرداخت", filters={"in": "z"}) == []


def test_kinds_choose_what_is_searched(alpha):
    put(alpha, 9001, "درگاه پرداخت", kind="ticket")
    put(alpha, 9002, "درگاه پرداخت", kind="article")
    assert found(alpha, "پرداخت", ["article"]) == [9002]
    assert found(alpha, "پرداخت", ["ticket"]) == [9001]
    assert found(alpha, "پرداخت", []) == []


def test_one_tenant_never_finds_another_tenants_documents(alpha, beta):
    # given the same words in both tenants
    put(alpha, 1, "نصب ماژول")
    put(beta, 1, "نصب ماژول سرور")
    # then each tenant finds only its own, and a word only the other has finds nothing
    assert [
        h.title for h in search(tenant=alpha.tenant, query="ماژول", kinds=["article"]).hits
    ] == ["نصب ماژول"]
    assert found(alpha, "سرور") == []
    # nor does the other tenant's vocabulary lend typos or inner words
    assert found(alpha, "سزور") == []


def test_blank_and_punctuation_only_queries_find_nothing(alpha):
    put(alpha, 1, "نصب ماژول")
    for query in ("", "   ", "\u200c", "،؟!", "*"):
        assert search(tenant=alpha.tenant, query=query, kinds=["article"]).hits == [], query


def test_putting_a_document_again_replaces_it_and_delete_removes_it(alpha):
    put(alpha, 1, "نصب ماژول")
    put(alpha, 1, "پرداخت آنلاین")
    assert found(alpha, "ماژول") == []
    assert found(alpha, "پرداخت") == [1]
    document_delete(tenant=alpha.tenant, kind="article", object_id=1)
    assert found(alpha, "پرداخت") == []


def test_pages_follow_each_other_without_gaps(alpha):
    for number in range(1, 8):
        put(
            alpha,
            number,
            f"ماژول شماره {number}",
            updated_at=datetime(2026, 1, number, tzinfo=UTC),
        )
    first = search(tenant=alpha.tenant, query="ماژول", kinds=["article"], limit=3)
    second = search(tenant=alpha.tenant, query="ماژول", kinds=["article"], limit=3, offset=3)
    last = search(tenant=alpha.tenant, query="ماژول", kinds=["article"], limit=3, offset=6)
    assert [h.object_id for h in first.hits + second.hits + last.hits] == [7, 6, 5, 4, 3, 2, 1]
    assert first.has_more and second.has_more and not last.has_more


@pytest.mark.parametrize(
    "knobs",
    [
        {"ONE_KIND": (2, 10**6)},
        {"ONE_KIND": (3, 0)},
        {"ONE_KIND": (3, 0), "RARE": 0, "MOST": 2},
    ],
    ids=["walked-on", "word-index", "word-index-then-walk"],
)
def test_pages_follow_each_other_across_walked_windows(alpha, knobs, monkeypatch):
    # given more matches than the newest documents looked through first
    from pishkhan.search import selectors

    for knob, value in knobs.items():
        monkeypatch.setattr(selectors, knob, value)
    for number in range(1, 8):
        put(
            alpha, number, f"ماژول شماره {number}", updated_at=datetime(2026, 1, number, tzinfo=UTC)
        )
    put(alpha, 8, "چیز دیگری", updated_at=datetime(2026, 1, 9, tzinfo=UTC))
    # when paged through, then every match comes once, newest first
    pages = [
        search(tenant=alpha.tenant, query="ماژول", kinds=["article"], limit=3, offset=offset)
        for offset in (0, 3, 6)
    ]
    assert [h.object_id for p in pages for h in p.hits] == [7, 6, 5, 4, 3, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]


def test_snippet_marks_matches_and_escapes_everything_else(alpha):
    # given a body with markup in it
    put(alpha, 1, "راهنما", "برای نصب <script>alert(1)</script> ماژول های رایگان & سریع")
    hit = search(tenant=alpha.tenant, query="ماژول", kinds=["article"]).hits[0]
    # then the match is marked, and the markup is shown as text
    assert "<mark>ماژول</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet


def test_snippet_marks_the_word_as_written(alpha):
    put(alpha, 1, "تعهدات", SEED_001)
    hit = search(tenant=alpha.tenant, query="نرم افزاری", kinds=["article"]).hits[0]
    assert "<mark>نرمافزاري</mark>" in hit.snippet


def test_a_rolled_back_write_leaves_no_document(alpha):
    # given a write that fails after indexing
    def write_then_fail():
        with transaction.atomic():
            put(alpha, 1, "نصب ماژول")
            raise RuntimeError("the caller's write failed")

    with pytest.raises(RuntimeError):
        write_then_fail()
    # then neither the document nor its words remain
    assert found(alpha, "ماژول") == []
    assert not SearchDocument.objects.filter(tenant=alpha.tenant, kind="article").exists()
    assert not SearchTerm.objects.filter(tenant=alpha.tenant, word="ماژول").exists()


def test_rebuild_restores_a_dropped_index(alpha):
    # given a ticket and a reply, and an index that was lost
    from pishkhan.tickets.services import ticket_reply

    ticket_reply(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        body="سرور مجازی شما راه اندازی شد",
    )
    SearchDocument.objects.filter(tenant=alpha.tenant).delete()
    SearchTerm.objects.filter(tenant=alpha.tenant).delete()
    assert found(alpha, "ماژول", ["ticket", "message", "customer"]) == []
    # when the rebuild runs for the tenant
    call_command("search_rebuild", "--tenant", "alpha", stdout=open("/dev/null", "w"))
    # then the ticket, the reply and the customer are found again
    assert found(alpha, "ماژول", ["ticket"]) == [alpha.ticket.pk]
    assert len(found(alpha, "مجازی", ["message"])) == 1
    assert found(alpha, "رضایی", ["customer"]) == [alpha.customer.pk]
    assert found(alpha, "پشتبانی", ["ticket"]) == [alpha.ticket.pk]  # the vocabulary too


def test_rebuild_of_one_tenant_leaves_the_others_alone(alpha, beta):
    SearchDocument.objects.filter(tenant=beta.tenant).delete()
    call_command("search_rebuild", "--tenant", "alpha", stdout=open("/dev/null", "w"))
    assert not SearchDocument.objects.filter(tenant=beta.tenant).exists()
    assert SearchDocument.objects.filter(tenant=alpha.tenant, kind="ticket").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word index")
def test_postgresql_indexes_each_word_within_its_tenant_and_kind(alpha, beta):
    # The words are scoped in the database (migration 0006) and the query words in Python
    # (backends.postgresql.scope): the two must write the same, or nothing is ever found.
    from pishkhan.search.backends.postgresql import scope
    from pishkhan.search.documents import KINDS

    assert len({kind[0] for kind in KINDS}) == len(KINDS), "kinds must differ in the scope"
    put(alpha, 9001, "نصب ماژول", kind="article")
    put(beta, 9001, "نصب ماژول", kind="customer")
    for world, kind in ((alpha, "article"), (beta, "customer")):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tsvector_to_array(tsv) FROM search_document "
                "WHERE tenant_id = %s AND kind = %s AND object_id = 9001",
                [world.tenant.pk, kind],
            )
            lexemes = set(cursor.fetchone()[0])
        prefix = scope(world.tenant.pk, kind)
        assert lexemes == {prefix + "نصب", prefix + "ماژول"}
    # and each tenant finds its own document by it, of its own kind only
    assert found(alpha, "ماژول", ["article"]) == [9001]
    assert found(beta, "ماژول", ["customer"]) == [9001]
    assert 9001 not in found(alpha, "ماژول", ["ticket", "message", "customer"])
    assert 9001 not in found(beta, "ماژول", ["ticket", "message", "article"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own parser")
@pytest.mark.django_db
def test_postgresql_indexes_exactly_the_words_search_cuts():
    # The engine cuts words itself; PostgreSQL's `simple` parser must keep each one whole, or a
    # word would be found on SQLite and missed on PostgreSQL.
    import json
    from pathlib import Path

    pairs = Path(__file__).resolve().parents[1] / "data" / "duplicates.jsonl"
    samples = [SEED_001, SEED_002, SEED_003, "ali.rezaei@example.com 0912-123-4567 1e5 a1b2"]
    for line in pairs.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        samples += [f"{side['subject']} {side['body']}" for side in (pair["a"], pair["b"])]
    for sample in samples:
        terms = text.index_terms(sample)
        with connection.cursor() as cursor:
            cursor.execute("SELECT tsvector_to_array(to_tsvector('simple', %s))", [terms])
            lexemes = set(cursor.fetchone()[0])
        assert lexemes == set(terms.split())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_planner_settings_are_put_back_after_a_search(alpha, monkeypatch):
    # given a search that takes every step (a frequent word in a tenant larger than the
    # windows looked through first), inside a caller's transaction
    from pishkhan.search import selectors

    monkeypatch.setattr(selectors, "ONE_KIND", (1, 0))
    monkeypatch.setattr(selectors, "RARE", 0)
    monkeypatch.setattr(selectors, "MOST", 0)
    put(alpha, 1, "نصب ماژول")
    put(alpha, 2, "نصب سرور")
    with transaction.atomic():
        assert found(alpha, "نصب") == [2, 1]
        # then the rest of the transaction plans its queries as usual
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_indexscan'), current_setting('enable_bitmapscan'),"
                " current_setting('enable_sort'), current_setting('enable_seqscan')"
            )
            assert cursor.fetchone() == ("on", "on", "on", "on")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN pending lists")
def test_new_words_wait_in_no_long_list_that_every_search_reads(alpha):
    # A GIN index keeps new entries in a pending list that every search reads whole, merged
    # only by vacuum or at gin_pending_list_limit (4 MB by default): on a table that only
    # grows, a word's look-up in the vocabulary read 249 such pages (9 ms instead of 0.5).
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    # when requests bring words the vocabulary has not seen
    for n in range(20):
        alpha.submit(f"سرور مجازی{n} پاسخ نمی‌دهد nameserver{n}x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pending_pages FROM pgstatginindex('search_term_trgm')")
        vocabulary_pending = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('search_term_trgm', 'search_document_tsv')"
        )
        options = dict(cursor.fetchall())
    # then each index keeps at most 128 kB (16 pages) pending
    assert vocabulary_pending <= 16
    assert options["search_term_trgm"] == ["gin_pending_list_limit=128"]
    assert options["search_document_tsv"] == ["gin_pending_list_limit=128"]
