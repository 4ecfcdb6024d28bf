"""What changed between two versions of an article, paragraph by paragraph, for an author
deciding whether to restore an older revision."""

import difflib
import re
from dataclasses import dataclass

from pishkhan.knowledge.html import plain_text

_BLOCK_END = re.compile(r"</(?:p|h2|h3|h4|li|pre|blockquote)>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    kind: str  # "same" | "added" | "removed"
    text: str


def _paragraphs(body: str) -> list[str]:
    texts = (plain_text(part) for part in _BLOCK_END.split(body or ""))
    return [text for text in texts if text]


def changes(older: str, newer: str, *, title_older: str = "", title_newer: str = "") -> list:
    """The paragraphs of `newer` against `older`: kept, added, removed (in reading order)."""
    before = ([title_older] if title_older else []) + _paragraphs(older)
    after = ([title_newer] if title_newer else []) + _paragraphs(newer)
    lines = []
    for op in difflib.ndiff(before, after):
        code, text = op[:2], op[2:]
        if code == "  ":
            lines.append(Line("same", text))
        elif code == "- ":
            lines.append(Line("removed", text))
        elif code == "+ ":
            lines.append(Line("added", text))
    return lines
