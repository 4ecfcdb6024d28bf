"""Readable slugs for help-centre addresses, Persian letters kept ("باز-کردن-تیکت")."""

import re

from django.utils.text import slugify

from pishkhan.knowledge.models import SLUG_MAX

ZWNJ = "\u200c"
# Arabic-keyboard letters folded to the Persian ones, so one title has one address whichever
# keyboard typed it.
_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
# Kashida stretches a word without changing it.
_KASHIDA = "\u0640"


def make_slug(text: str, *, limit: int = 80) -> str:
    """The slug of a title: lowercase, words joined by hyphens. A ZWNJ (نیم‌فاصله) separates
    parts of one word; it becomes a hyphen rather than vanishing, because an invisible
    character in an address breaks copying it, while dropping it would glue the parts into a
    different-looking word. Empty when the title has no letters or digits."""
    text = (text or "").translate(_LETTERS).replace(_KASHIDA, "")
    text = text.replace(ZWNJ, " ").replace("\u200d", "")
    slug = slugify(text, allow_unicode=True)
    slug = re.sub(r"[-_]+", "-", slug).strip("-_")
    if len(slug) > limit:
        # Cut at a word boundary when there is one, so the address never ends mid-word.
        cut = slug[:limit]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug[:SLUG_MAX]


def unique_slug(base: str, *, fallback: str, taken) -> str:
    """`base` (or `fallback` when empty), with -2, -3 … appended until `taken(slug)` is
    false."""
    base = base or fallback
    candidate = base
    number = 2
    while taken(candidate):
        candidate = f"{base}-{number}"
        number += 1
    return candidate
