"""Persian text helpers: a search-and-compare form, and digit conversion.

`normalize()` is for *comparing and indexing* text, never for display: it deliberately throws
information away (diacritics, ZWNJ, letter variants, case) so that the many ways people type the
same Persian word collapse to one string. Store what the user wrote; compare normalised forms.
"""

import re
import unicodedata

__all__ = [
    "PERSIAN_DECIMAL_SEPARATOR",
    "is_blank",
    "name_key",
    "normalize",
    "to_ascii_digits",
    "to_persian_digits",
    "to_persian_number",
]

_ASCII_DIGITS = "0123456789"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9, "extended Arabic-Indic" (Persian shapes)
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669, what Arabic keyboards and some OCR produce

_TO_ASCII_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, _ASCII_DIGITS * 2)
_TO_PERSIAN_DIGITS = str.maketrans(_ASCII_DIGITS + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)

YEH = "\u06cc"  # ی  Persian yeh: the one Iranian keyboards produce
KEHEH = "\u06a9"  # ک  Persian kaf
HEH = "\u0647"  # ه
ALEF = "\u0627"  # ا
WAW = "\u0648"  # و

_LETTER_FOLDS: dict[str, str] = {
    # Yeh: Arabic keyboards (and the 001 seed) type ي; ى is visually identical in final position;
    # ئ/ٸ are hamza spellings of the same sound ("پائیز"/"پاییز", "آئین"/"آیین").
    "\u064a": YEH,  # ي
    "\u0649": YEH,  # ى
    "\u0626": YEH,  # ئ
    "\u06cd": YEH,  # ۍ
    "\u06d0": YEH,  # ې
    # Kaf: Arabic ك and the swash form ڪ render like ک in most fonts.
    "\u0643": KEHEH,  # ك
    "\u06aa": KEHEH,  # ڪ
    # Heh: ة (Arabic loanwords) and the ezafe forms ۀ/ۂ are written as plain ه just as often
    # ("همۀ"/"همه", "ارائۀ"/"ارائه"); ە/ہ are regional shapes of the same letter.
    "\u0629": HEH,  # ة
    "\u06c0": HEH,  # ۀ
    "\u06c2": HEH,  # ۂ
    "\u06c1": HEH,  # ہ
    "\u06d5": HEH,  # ە
    # Alef: أ إ ٱ ٲ ٳ are Arabic-orthography spellings of ا ("تأکید"/"تاکید").
    # آ is folded too, although it is a distinct letter: Persian text itself spells the same
    # word both ways (the 001 seed has "فرآيند" and "فرايند"), and phone keyboards often lack
    # it; the rare collisions ("آش"/"اش") cost a little precision, never a missed match.
    "\u0623": ALEF,  # أ
    "\u0625": ALEF,  # إ
    "\u0622": ALEF,  # آ
    "\u0671": ALEF,  # ٱ
    "\u0672": ALEF,  # ٲ
    "\u0673": ALEF,  # ٳ
    # Waw with hamza: "مسؤول" next to "مسوول".
    "\u0624": WAW,  # ؤ
    # Arabic separators -> their ASCII twins, so "۳٫۵" compares equal to "3.5".
    "\u066b": ".",  # ٫ Arabic decimal separator
    "\u066c": ",",  # ٬ Arabic thousands separator
    "\u066a": "%",  # ٪ Arabic percent sign
}

# Invisible characters that stand *between* words (or parts of a compound): they become a space
# so that "می‌خواهم" (ZWNJ) and "می خواهم" (space) end up identical.
_SEPARATORS = (
    "\u200c",  # ZERO WIDTH NON-JOINER: the standard Persian half-space
    "\u200b",  # ZERO WIDTH SPACE: pasted from web pages in place of ZWNJ
)

# Invisible characters that carry no word boundary (joiners, hints, direction marks): deleted.
_REMOVED = (
    "\u200d",  # ZERO WIDTH JOINER: asks for *more* joining, so it never separates
    "\u00ad",  # SOFT HYPHEN: a hyphenation hint inside one word
    "\ufeff",  # BOM / ZERO WIDTH NO-BREAK SPACE: a joiner by definition
    "\u2060",  # WORD JOINER
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u061c",  # ARABIC LETTER MARK
    *(chr(c) for c in range(0x202A, 0x202F)),  # LRE RLE PDF LRO RLO: bidi embeddings/overrides
    *(chr(c) for c in range(0x2066, 0x206A)),  # LRI RLI FSI PDI: bidi isolates
    "\u0640",  # TATWEEL (kashida): pure justification stretch, "مـــــن" is "من"
    "\u0674",  # ARABIC LETTER HIGH HAMZA: what NFKC leaves of ٵ ٶ ٷ ٸ beside the base letter
)

# Vowel marks and Quranic annotations: optional in Persian writing, so most text omits them.
_DIACRITICS = (
    *(chr(c) for c in range(0x064B, 0x0660)),  # harakat: fatha, kasra, damma, tanwin, shadda, ...
    "\u0670",  # superscript alef
    *(chr(c) for c in range(0x0610, 0x061B)),  # honorific signs written above words
    *(chr(c) for c in range(0x06D6, 0x06DD)),  # Quranic small high ligatures
    *(chr(c) for c in range(0x06DF, 0x06E5)),
    "\u06e7",
    "\u06e8",
    *(chr(c) for c in range(0x06EA, 0x06EE)),
)

_FOLD_TABLE = str.maketrans(
    {
        **{ord(k): v for k, v in _LETTER_FOLDS.items()},
        **{ord(c): " " for c in _SEPARATORS},
        **{ord(c): None for c in _REMOVED + _DIACRITICS},
    }
)

# Arabic-script letters a prefix/suffix may be glued to. Only base letters (combining class 0,
# never the second half of a canonical composition), so gluing cannot create a new composed
# character and break idempotence.
_LETTER = "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc]"

# The verbal prefix می/نمی, the plural ها/های/هایی and the ezafe/indefinite ی are written glued,
# with ZWNJ, or with a space ("میکند", "می‌کند", "می کند"; the seeds use all three). After ZWNJ
# became a space we glue them on, so every spelling compares equal. A lone token that is exactly
# one of these affixes is (almost) never a word of its own, which is what makes this safe. We do
# *not* glue other compounds ("نرم افزار"/"نرمافزار"): that would need a dictionary.
_PREFIX_GAP = re.compile(rf"(?<!\S)(ن?می) (?={_LETTER})")
_SUFFIX_GAP = re.compile(rf"(?<={_LETTER}) (هایی|های|ها|ی)(?!\S)")


def _nfkc_casefold(text: str) -> str:
    # Unicode's NFKC_Casefold recipe: casefold() alone can emit decomposed or non-NFKC text
    # ("İ" -> "i̇"), so a plain casefold after NFKC would not be idempotent.
    return unicodedata.normalize(
        "NFKC",
        unicodedata.normalize("NFKD", unicodedata.normalize("NFD", text).casefold()).casefold(),
    )


def normalize(text: str) -> str:
    """Return the search-and-compare form of `text`. Idempotent.

    Steps, in order (the order matters for idempotence):
    1. NFKC: folds Arabic presentation forms, fullwidth/compatibility characters, NBSP.
    2. Letter folds (ي ى ئ -> ی, ك -> ک, ة ۀ -> ه, أ إ آ -> ا, ؤ -> و), Persian/Arabic digits
       -> ASCII, Arabic separators -> ASCII; ZWNJ/ZWSP -> space; joiners, direction marks,
       tatweel and diacritics deleted.
    3. Case folding (Latin and every other cased script), re-normalised to NFKC: this runs
       *after* deletions because deleting a mark can bring a base and an accent together.
    4. Whitespace runs -> one space, ends stripped.
    5. Spaces before the suffixes ها/های/هایی/ی and after the prefixes می/نمی removed.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_TO_ASCII_DIGITS).translate(_FOLD_TABLE)
    text = _nfkc_casefold(text)
    text = " ".join(text.split())
    # Suffixes first: gluing "م ی" can create a new "می" token, which the prefix rule must then
    # see in this same pass (prefix gluing never creates a lone suffix token, so not vice versa).
    text = _SUFFIX_GAP.sub(r"\1", text)
    return _PREFIX_GAP.sub(r"\1", text)


def name_key(text: str) -> str:
    """The identity of a short name compared whole (a tag, a department, a person's name):
    `normalize(text)` without its spaces.

    Persian writes a compound glued, with ZWNJ or with a space, and text that passed through a
    tool without ZWNJ support comes out glued: the seeds write "نرمافزار" (001) beside
    "نرم افزار" (003), and people's names "علیرضا"/"علی رضا". `normalize()` already makes ZWNJ
    a space; only a dictionary could tell where a glued compound splits, so for names the
    spaces go instead. Two labels that differ only in where the spaces fall are not meant to
    be two things. Not for running text: there the words matter (search indexes words)."""
    return normalize(text).replace(" ", "")


def to_ascii_digits(text: str) -> str:
    """Replace Persian (۰-۹) and Arabic-Indic (٠-٩) digits with ASCII 0-9; nothing else."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    """Replace ASCII (0-9) and Arabic-Indic (٠-٩) digits with Persian ۰-۹; nothing else."""
    return text.translate(_TO_PERSIAN_DIGITS)


# ٫ what Persian writes between a number's whole and its fraction
PERSIAN_DECIMAL_SEPARATOR = "\u066b"
# Only a point with a digit on each side is a decimal point: a sentence's full stop stays.
_DECIMAL_POINT = re.compile(r"(?<=[0-9])\.(?=[0-9])")


def to_persian_number(text: str) -> str:
    """A number as Persian writes it: Persian digits and the Persian decimal separator,
    "90.63" -> «۹۰٫۶۳» (money, percentages, averages alike)."""
    return to_persian_digits(_DECIMAL_POINT.sub(PERSIAN_DECIMAL_SEPARATOR, text))


def is_blank(text: str) -> bool:
    """True when nothing is left after normalisation, e.g. only spaces, ZWNJs or tatweels."""
    return normalize(text) == ""
