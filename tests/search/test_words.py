"""Where the search cuts words (search.text.words): a run of letters, digits and marks in the
normalised text, the same for every text however it is cut."""

import unicodedata

import pytest

from pishkhan.search import text
from pishkhan.search.text import normalize


def words_one_by_one(normalised: str) -> list[str]:
    """The definition, a character at a time: what the cut must always agree with."""
    out, current = [], ""
    for char in normalised:
        category = unicodedata.category(char)
        if category[0] in "LNM" or category == "Co":
            current += char
        elif current:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return [w for w in out if len(w) <= text.MAX_WORD]


def test_persian_and_english_request_is_cut_at_spaces_and_punctuation():
    request = normalize("سلام، نمي توانم وارد كنترل پنل cPanel هاست بشوم. يوزرنيم: farzad_kh")
    assert text.words(request) == [
        "سلام", "نمیتوانم", "وارد", "کنترل", "پنل", "cpanel", "هاست", "بشوم",
        "یوزرنیم", "farzad", "kh",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("كَتاب", ["كَتاب"]),  # a vowel mark stays inside its word
        ("cafe\u0301 menu", ["cafe\u0301", "menu"]),  # so does a combining accent
        ("\ue000\ue001-x", ["\ue000\ue001", "x"]),  # private-use characters are letters too
        ("a\u200cb", ["a", "b"]),  # a half-space is not part of a word
        ("x" * (text.MAX_WORD + 1) + " ok", ["ok"]),  # a key or hash is not a word
    ],
)
def test_marks_and_private_use_characters_belong_to_words(written, expected):
    # cut as given: normalising first would take some of these marks away
    assert text.words(written) == expected


def test_the_cut_agrees_with_the_definition_for_every_character():
    # every code point once, in runs that mix words and separators
    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
    for start in range(0, len(every), 4096):
        chunk = every[start : start + 4096]
        assert text.words(chunk) == words_one_by_one(chunk)


def test_the_cut_is_the_same_once_its_table_is_full(monkeypatch):
    monkeypatch.setattr(text, "_WORD_CUT", text._WordCut())
    monkeypatch.setattr(text, "WORD_CUT_MAX", 3)
    request = normalize("پشتیبانی ماژول های طراحی شده توسط شرکت")
    assert text.words(request) == words_one_by_one(request)
    assert len(text._WORD_CUT) == 3
    assert text.words(request) == words_one_by_one(request)
