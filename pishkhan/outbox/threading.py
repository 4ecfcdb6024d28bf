"""The ticket reference in a mail's subject, `[#123]`: the fallback that threads a customer's
answer when their client dropped In-Reply-To and References (webmail forwards, copy-paste).

Written with ASCII digits so every client, filter and search box sees the same key; read in any
digits, because Persian keyboards and some mobile clients rewrite them."""

import re

from pishkhan.core.persian import to_ascii_digits

_REFERENCE = re.compile(r"\[#\s*([0-9\u06f0-\u06f9\u0660-\u0669]{1,18})\s*\]")


def subject_reference(number: int) -> str:
    return f"[#{int(number)}]"


def parse_subject_reference(subject: str) -> int | None:
    """The first `[#n]` of a subject (the outermost one in "Re: [#12] Fwd: [#5] …")."""
    match = _REFERENCE.search(subject or "")
    if match is None:
        return None
    number = int(to_ascii_digits(match.group(1)))
    return number or None
