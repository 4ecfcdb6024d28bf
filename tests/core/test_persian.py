"""Tests for pishkhan.core.persian: the search-and-compare form of Persian text.

Persian samples come from the seed documents beside SPEC.md. They are copied in here (not
read from disk) so the suite runs anywhere. Seed 001 was typed on an Arabic keyboard: it uses
Arabic yeh (U+064A) and Arabic kaf (U+0643), which is exactly the case normalize() exists for.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pishkhan.core.persian import (
    is_blank,
    normalize,
    to_ascii_digits,
    to_persian_digits,
    to_persian_number,
)

ZWNJ = "\u200c"
ARABIC_YEH = "\u064a"
ARABIC_KAF = "\u0643"

# Verbatim from seed 001 (Arabic letters), paragraph 1, sentences 1-3, and paragraph 3.
SEED_001_SENTENCE_1 = (
    "هومينو عامل ارائه خدمات نيست ، بلكه تنها يك خدمات نرمافزاري است كه از اين طريق "
    "ارتباط بين مشتريان و متخصصين را بر انجام يك خدمت فراهم آورده و تلاش دارد تا "
    "فرايند انجام خدمات يادشده را تسهيل نمايد."
)
SEED_001_SENTENCE_2 = (
    "لذا هر نوع خدماتي كه در قالب اين پلتفرم صورت ميگيرد يك قرارداد مستقل فيمابين "
    "مشتري و متخصص است و هومينو تنها زمينهي انعقاد اين قرارداد را مهيا ميكند."
)
SEED_001_SENTENCE_3 = (
    "تأكيد ميشود كه شركت هيچگونه مسئوليتي - اعم از حقوقي و كيفري - در قبال اتفاقات "
    "حين انجام خدمات در مقابل كاربران - اعم از مشتريان و متخصصان - و اشخاص ثالث "
    "نخواهد داشت."
)
SEED_001_PARAGRAPH_3 = (
    "3. هومينو متعهد به تلاش ، براي ارائهي خدمات باكيفيت است و ميكوشد تا با "
    "بهروزرساني نرمافزارها متناسب با نياز كاربران ،كيفيت و نوع خدمات ارائه شده را "
    "ارتقا بخشد."
)
# Verbatim from seed 001: the opening paragraphs 1-4.
SEED_001_EXCERPT = (
    "1. هومينو عامل ارائه خدمات نيست ، بلكه تنها يك خدمات نرمافزاري است كه از اين "
    "طريق ارتباط بين مشتريان و متخصصين را بر انجام يك خدمت فراهم آورده و تلاش دارد "
    "تا فرايند انجام خدمات يادشده را تسهيل نمايد. لذا هر نوع خدماتي كه در قالب اين "
    "پلتفرم صورت ميگيرد يك قرارداد مستقل فيمابين مشتري و متخصص است و هومينو تنها "
    "زمينهي انعقاد اين قرارداد را مهيا ميكند. تأكيد ميشود كه شركت هيچگونه مسئوليتي "
    "- اعم از حقوقي و كيفري - در قبال اتفاقات حين انجام خدمات در مقابل كاربران - "
    "اعم از مشتريان و متخصصان - و اشخاص ثالث نخواهد داشت.\n2. هومينو با تمام امكانات "
    "خود از جمله مركز تماس ۲۴ ساعته، واحد رسيدگي به شكايات و فرآيند ميانجيگري تمامي "
    "تلاش خود را جهت رضايت كاربران ورفع اختلافات ايجاد شده در زمان ارائه خدمات و "
    "نيز ايجاد صلح و سازش في مابين مشتريان و متخصصان ميكند. چنانچه هر يك از كاربران "
    "هومينو در زمان استفاده از خدمات آن با مشكلي مواجه شوند برابر شرايط فوق "
    "ميتوانند شكايت خود را از طريق مركز تماس ۲۴ ساعته و واحد رسيدگي به شكايات "
    "هومينو مطرح و شركت پيگيري لازم و تلاش خود را جهت حل و فصل اختلافات بعمل خواهد "
    "آورد.\n3. هومينو متعهد به تلاش ، براي ارائهي خدمات باكيفيت است و ميكوشد تا با "
    "بهروزرساني نرمافزارها متناسب با نياز كاربران ،كيفيت و نوع خدمات ارائه شده را "
    "ارتقا بخشد.\n4. هومينو تلاش خود را جهت فراهم نمودن امكان استفاده از خدمات "
    "نرمافزاري خود توسط دستگاههاي كاربران محترم ميكند . اما تضميني نسبت به اجرا شدن "
    "آن روي همۀ دستگاهها يا همۀ شبكههاي ارتباطي (اينترنت، شبكه تلفنهمراه و …) "
    "نخواهد داد."
)

# The same sentences retyped by hand on a Persian keyboard (ی U+06CC, ک U+06A9), keeping every
# other spelling choice of the original.
PERSIAN_SENTENCE_1 = (
    "هومینو عامل ارائه خدمات نیست ، بلکه تنها یک خدمات نرمافزاری است که از این طریق ارتباط بین "
    "مشتریان و متخصصین را بر انجام یک خدمت فراهم آورده و تلاش دارد تا فرایند انجام خدمات یادشده "
    "را تسهیل نماید."
)
PERSIAN_SENTENCE_2 = (
    "لذا هر نوع خدماتی که در قالب این پلتفرم صورت میگیرد یک قرارداد مستقل فیمابین مشتری و متخصص "
    "است و هومینو تنها زمینهی انعقاد این قرارداد را مهیا میکند."
)
PERSIAN_PARAGRAPH_3 = (
    "3. هومینو متعهد به تلاش ، برای ارائهی خدمات باکیفیت است و میکوشد تا با بهروزرسانی نرمافزارها "
    "متناسب با نیاز کاربران ،کیفیت و نوع خدمات ارائه شده را ارتقا بخشد."
)


def test_seed_excerpts_really_use_arabic_letters() -> None:
    # Given the copied seed text, then it still has the Arabic letters the other tests rely on
    # (guards against an editor silently "fixing" the fixture).
    assert ARABIC_YEH in SEED_001_EXCERPT
    assert ARABIC_KAF in SEED_001_EXCERPT
    for sentence in (SEED_001_SENTENCE_1, SEED_001_SENTENCE_2, SEED_001_PARAGRAPH_3):
        assert ARABIC_YEH in sentence
        assert ARABIC_KAF in sentence


@pytest.mark.parametrize(
    ("arabic_keyboard", "persian_keyboard"),
    [
        (SEED_001_SENTENCE_1, PERSIAN_SENTENCE_1),
        (SEED_001_SENTENCE_2, PERSIAN_SENTENCE_2),
        (SEED_001_PARAGRAPH_3, PERSIAN_PARAGRAPH_3),
    ],
    ids=["sentence-1", "sentence-2", "paragraph-3"],
)
def test_seed_sentence_in_arabic_letters_equals_persian_letter_rewrite(
    arabic_keyboard: str, persian_keyboard: str
) -> None:
    # Given a seed sentence typed with ي/ك and the same sentence typed with ی/ک
    # When both are normalised
    # Then they are the same string
    assert normalize(arabic_keyboard) == normalize(persian_keyboard)


def test_seed_sentence_retyped_with_zwnj_and_hamza_equals_seed() -> None:
    # Given seed sentence 3 ("تأكيد ميشود ...", glued prefix, Arabic letters) and a careful
    # Persian rewrite (ZWNJ after می, no hamza on alef)
    persian = (
        f"تاکید می{ZWNJ}شود که شرکت هیچگونه مسئولیتی - اعم از حقوقی و کیفری - در قبال اتفاقات حین "
        "انجام خدمات در مقابل کاربران - اعم از مشتریان و متخصصان - و اشخاص ثالث نخواهد داشت."
    )
    # When / Then
    assert normalize(SEED_001_SENTENCE_3) == normalize(persian)


def test_seed_sentence_retyped_with_zwnj_affixes_equals_seed() -> None:
    # Given seed sentence 2 written glued ("ميگيرد", "زمينهي", "ميكند") and the textbook
    # spelling with ZWNJ ("می‌گیرد", "زمینه‌ی", "می‌کند")
    persian = (
        f"لذا هر نوع خدماتی که در قالب این پلتفرم صورت می{ZWNJ}گیرد یک قرارداد مستقل فیمابین "
        f"مشتری و متخصص است و هومینو تنها زمینه{ZWNJ}ی انعقاد این قرارداد را مهیا می{ZWNJ}کند."
    )
    # When / Then
    assert normalize(SEED_001_SENTENCE_2) == normalize(persian)


def test_normalized_seed_text_contains_no_arabic_yeh_or_kaf() -> None:
    # Given four paragraphs of seed 001 (full of ي and ك)
    # When normalised
    result = normalize(SEED_001_EXCERPT)
    # Then only the Persian letters remain
    assert ARABIC_YEH not in result
    assert ARABIC_KAF not in result
    assert "\u06cc" in result
    assert "\u06a9" in result


@pytest.mark.parametrize(
    "spelling",
    [
        f"می{ZWNJ}کنید",  # textbook: ZWNJ
        "می کنید",  # seed 003: "ثبت می کنید"
        "میکنید",  # seed 000 style: "میکند"
        "ميكنيد",  # seed 001 style: Arabic letters, glued
        f"می{ZWNJ} کنید",  # ZWNJ and a space
        "می\u200bکنید",  # ZWSP pasted from a web page
    ],
)
def test_verb_prefix_spellings_all_normalize_equal(spelling: str) -> None:
    # Given one of the ways people write the present-tense prefix می
    # When normalised / Then it matches the glued form
    assert normalize(spelling) == "میکنید"


@pytest.mark.parametrize("spelling", [f"نمی{ZWNJ}خواهم", "نمی خواهم", "نمیخواهم", "نمي‌خواهم"])
def test_negative_verb_prefix_spellings_all_normalize_equal(spelling: str) -> None:
    assert normalize(spelling) == "نمیخواهم"


@pytest.mark.parametrize(
    "spelling",
    [
        "سيستم هاي پشتيباني",  # seed 001, verbatim
        f"سیستم{ZWNJ}های پشتیبانی",
        "سیستمهای پشتیبانی",
    ],
)
def test_plural_suffix_spellings_all_normalize_equal(spelling: str) -> None:
    assert normalize(spelling) == "سیستمهای پشتیبانی"


def test_zwnj_inside_other_compounds_becomes_a_space() -> None:
    # Given a compound that is not one of the glued affixes (seed 003 writes "نرم افزار")
    # When typed with ZWNJ / Then it matches the spaced spelling, not the glued one
    assert normalize(f"نرم{ZWNJ}افزار") == normalize("نرم افزار") == "نرم افزار"
    assert normalize("نرمافزار") == "نرمافزار"


@pytest.mark.parametrize(
    "mark",
    [
        "\u200d",  # ZWJ
        "\u00ad",  # soft hyphen
        "\ufeff",  # BOM / zero width no-break space
        "\u2060",  # word joiner
        "\u200e",  # LRM
        "\u200f",  # RLM
        "\u061c",  # Arabic letter mark
        "\u202b",  # RLE
        "\u2067",  # RLI
    ],
)
def test_invisible_marks_inside_a_word_vanish(mark: str) -> None:
    # Given "پشتیبانی" with an invisible mark in the middle
    # When normalised / Then the word is intact, with no space inserted
    assert normalize(f"پشتی{mark}بانی") == "پشتیبانی"


@pytest.mark.parametrize(
    "spelling",
    [
        "مركز تماس ۲۴ ساعته",  # seed 001, verbatim (Persian digits, Arabic kaf)
        "مرکز تماس 24 ساعته",  # ASCII digits
        "مرکز تماس ٢٤ ساعته",  # Arabic-Indic digits
    ],
)
def test_persian_arabic_and_ascii_digits_normalize_equal(spelling: str) -> None:
    assert normalize(spelling) == "مرکز تماس 24 ساعته"


def test_seed_address_with_ascii_digits_matches_persian_digits() -> None:
    # Given seed 001's "پلاك 126" (Arabic kaf, ASCII digits) and a Persian-keyboard query
    # When / Then
    assert normalize("پلاك 126") == normalize("پلاک ۱۲۶")


def test_arabic_decimal_thousands_and_percent_signs_become_ascii() -> None:
    assert normalize("۱٬۲۳۴٫۵ ٪") == "1,234.5 %"


@pytest.mark.parametrize(
    ("with_marks", "without_marks"),
    [
        ("شایانِ بیان", "شایان بیان"),  # seed 000: kasra (ezafe)
        ("مشتریِ همکال", "مشتری همکال"),  # seed 000
        ("قبلاً", "قبلا"),  # seed 003: fathatan
        ("تماماً", "تماما"),  # seed 003
        ("محمّد", "محمد"),  # shadda
        ("رحمٰن", "رحمن"),  # superscript alef
        ("کُتُب", "کتب"),  # damma
    ],
)
def test_diacritics_vanish(with_marks: str, without_marks: str) -> None:
    assert normalize(with_marks) == without_marks


def test_kashida_vanishes() -> None:
    # Given a title stretched with tatweel for visual justification
    # When normalised / Then it is the plain word
    assert normalize("پشتـــــیبانی") == "پشتیبانی"


def test_arabic_presentation_forms_fold_to_letters() -> None:
    # Given "سلام" as isolated/final presentation forms (old PDFs and some copy-paste paths)
    presentation = "\ufeb3\ufefc\ufee1"  # ﺳ ﻼ ﻡ
    # When / Then
    assert normalize(presentation) == "سلام"


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("تأكيد", "تاکید"),  # seed 001: alef with hamza above, Arabic kaf and yeh
        ("فرآيند", "فرایند"),  # seed 001 spells this word both ways
        ("فرايند", "فرایند"),
        ("إسلام", "اسلام"),  # alef with hamza below
        ("همۀ", "همه"),  # seed 001: heh with yeh above
        ("همهٔ", "همه"),  # the same ezafe as heh + hamza mark
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("پائیز", "پاییز"),  # yeh with hamza
        ("علىٰ", "علی"),  # alef maksura + superscript alef
        ("مسؤول", "مسوول"),  # waw with hamza
    ],
)
def test_letter_variants_fold_to_one_spelling(variant: str, expected: str) -> None:
    assert normalize(variant) == expected


def test_latin_text_is_casefolded() -> None:
    assert normalize("Pishkhan HELP Straße") == normalize("pishkhan help STRASSE")
    assert normalize("Terms of Use") == "terms of use"


def test_whitespace_runs_collapse_and_ends_are_stripped() -> None:
    # Given tabs, newlines and NBSP (seed 000 uses U+00A0) around and between words
    text = "\t  شرایط\u00a0\u00a0و \n\n قوانین  "
    # When / Then
    assert normalize(text) == "شرایط و قوانین"


def test_affix_is_not_glued_to_non_persian_tokens() -> None:
    # Given the prefix next to a number and a Latin word
    # When / Then the space stays: gluing only applies between Persian letters
    assert normalize("می 5") == "می 5"
    assert normalize("ticket ها") == "ticket ها"


def test_normalize_of_seed_excerpt_is_idempotent() -> None:
    once = normalize(SEED_001_EXCERPT)
    assert normalize(once) == once


@given(st.text())
def test_normalize_is_idempotent_for_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


# Characters that exercise every rule, so generated strings hit the interesting interactions
# (affix gluing, combining marks next to removed characters, compatibility forms).
_PERSIAN_HEAVY = st.sampled_from(
    list("میينهاكکیآأۀەئؤة۱١1Aİß ")
    + [ZWNJ, "\u200b", "\u200d", "\u0640", "\u064b", "\u0650", "\u0653", "\u0654", "\u0670"]
    + ["\u0301", "\ufefb", "\u00a0", "\t", "\u066b", "\ufdf2", "\u200f"]
)


@settings(max_examples=500)
@given(st.text(alphabet=_PERSIAN_HEAVY))
@example("م ی خواهم")  # gluing the suffix ی creates a new "می" token
@example("می می خواهم")
@example("کتاب ها ها")
def test_normalize_is_idempotent_for_persian_heavy_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_is_blank_agrees_with_normalize(text: str) -> None:
    assert is_blank(text) == (normalize(text) == "")


@pytest.mark.parametrize(
    "text", ["", "   ", ZWNJ, f" {ZWNJ} {ZWNJ} ", "\u0640\u0640", "\u200f\u200e\t\n", "\u064e"]
)
def test_is_blank_is_true_for_invisible_only_input(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["۰", "0", f"{ZWNJ}سلام{ZWNJ}", "a", "؟"])
def test_is_blank_is_false_for_visible_input(text: str) -> None:
    assert not is_blank(text)


def test_to_persian_number_writes_the_persian_decimal_separator() -> None:
    assert to_persian_number("90.63") == "۹۰٫۶۳"
    assert to_persian_number("-1.5") == "-۱٫۵"
    # only a point between digits is a decimal point: a full stop stays
    assert to_persian_number("3.") == "۳."
    # and the separator compares equal to the point, so search still finds "3.5"
    assert normalize(to_persian_number("3.5")) == "3.5"


def test_to_persian_digits_converts_ascii_and_arabic_indic_digits() -> None:
    assert to_persian_digits("کد 0123456789 و ٠١٢٣٤٥٦٧٨٩") == "کد ۰۱۲۳۴۵۶۷۸۹ و ۰۱۲۳۴۵۶۷۸۹"


def test_to_ascii_digits_converts_persian_and_arabic_indic_digits_only() -> None:
    assert to_ascii_digits("پلاک ۱۲۶، واحد ٣ - Ticket #7") == "پلاک 126، واحد 3 - Ticket #7"


@given(st.integers())
def test_integer_digits_round_trip_through_persian(n: int) -> None:
    # Given an integer written in ASCII
    ascii_form = str(n)
    # When converted to Persian digits and back
    persian_form = to_persian_digits(ascii_form)
    # Then no ASCII digit is left in between, and the round trip is lossless
    assert not any(ch in "0123456789" for ch in persian_form)
    assert to_ascii_digits(persian_form) == ascii_form


@given(st.text())
def test_digit_conversions_round_trip_for_any_text(text: str) -> None:
    assert to_ascii_digits(to_persian_digits(text)) == to_ascii_digits(text)
    assert to_persian_digits(to_ascii_digits(text)) == to_persian_digits(text)


@given(st.text())
def test_normalize_ignores_which_digit_script_is_used(text: str) -> None:
    assert normalize(to_persian_digits(text)) == normalize(to_ascii_digits(text))
