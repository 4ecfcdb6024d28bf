"""What the customer actually wrote in a reply: quoted history and signatures cut away.

Mail clients append the whole conversation to every reply. Kept as it is, a ticket's thread
repeats itself in every message and the agent scrolls past our own words to find the new
sentence. The cut is conservative: it removes only what a known client marks as history
(attribution lines, Outlook header blocks, ">" quotes, signature separators), and when that
would leave nothing the original is returned, since an empty message is worse than a long one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "trim_reply"]

# Direction marks and isolates Gmail and Outlook wrap around Persian attribution lines.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

_ATTRIBUTION_END = re.compile(
    r"(?:\bwrote|\ba\s+écrit|\bschrieb|\bescribió|نوشت(?:ه\s+است)?|نوشته|كتب|كتبت)\s*[:：]$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(?:On\s|Le\s|Am\s|El\s|در\s+تاریخ|در\s|تاریخ\s)", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine"
    r"|پیام\s+اصلی|پیغام\s+اصلی|نامه\s+اصلی|الرسالة\s+الأصلية)\s*-{2,}$",
    re.IGNORECASE,
)
# A forward is content the customer chose to send: nothing after its marker is trimmed.
_FORWARD = re.compile(
    r"^(?:-{3,}\s*(?:forwarded\s+message|پیام\s+(?:هدایت|ارسال|باز\s*ارسال)\s+شده)\s*-*"
    r"|begin\s+forwarded\s+message\s*:)$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^(?:_{8,}|-{20,}|={20,})$")
_SIGNATURE = re.compile(r"^--\s*$|^—\s*$")
_SENT_FROM = re.compile(
    r"^(?:sent\s+from\s+my\s+\w+|sent\s+from\s+(?:outlook|yahoo\s+mail|mail\s+for\s+windows)"
    r"|get\s+outlook\s+for\s+\w+|sent\s+with\s+\w+"
    r"|(?:ارسال|فرستاده)\s+شده\s+(?:از|با)\s+(?:[A-Za-z]|آیفون|آی‌فون|گوشی|تلفن|موبایل|اندروید|تبلت"
    r"|آیپد|آی‌پد).*)$",
    re.IGNORECASE,
)
# Outlook's reply header, in the languages our customers' Outlook speaks.
_HEADER_FROM = re.compile(r"^\*?(?:from|از|de|von|المرسل)\s*\*?\s*[:：]", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\*?(?:sent|date|to|cc|subject|ارسال\s+شده|فرستاده\s+شده|تاریخ|به|رونوشت|موضوع"
    r"|envoyé|gesendet|betreff|objet|an|à|المرسل\s+إليه|التاريخ|الموضوع)\s*\*?\s*[:：]",
    re.IGNORECASE,
)


def _clean(line: str) -> str:
    return _BIDI.sub("", line).strip()


def _quoted(line: str) -> bool:
    return _clean(line).startswith(">")


def _next_content(lines: list[str], start: int) -> int:
    """Index of the first non-blank line at or after start (len(lines) if none)."""
    index = start
    while index < len(lines) and not _clean(lines[index]):
        index += 1
    return index


def _header_block(lines: list[str], index: int) -> bool:
    """An Outlook "From: … / Sent: … / To: … / Subject: …" block starts at index."""
    if not _HEADER_FROM.match(_clean(lines[index])):
        return False
    found = 0
    for line in lines[index + 1 : index + 7]:
        if _HEADER_OTHER.match(_clean(line)):
            found += 1
    return found >= 2


def _attribution(lines: list[str], index: int) -> int:
    """How many lines (0, 1 or 2) the "On … wrote:" line starting at index takes."""
    line = _clean(lines[index])
    if not line or _quoted(line):
        return 0
    following = _next_content(lines, index + 1)
    follows_quote = following < len(lines) and _quoted(lines[following])
    if _ATTRIBUTION_END.search(line) and len(line) <= 300:
        if _ATTRIBUTION_START.match(line) or follows_quote or "@" in line:
            return 1
    if index + 1 < len(lines) and _ATTRIBUTION_START.match(line):
        # Clients wrap a long attribution: "On Tue, 3 Oct 2023, Support <" / "x@y> wrote:".
        joined = f"{line} {_clean(lines[index + 1])}"
        if _ATTRIBUTION_END.search(joined) and len(joined) <= 300:
            return 2
    return 0


def _history_starts(lines: list[str], index: int) -> bool:
    """From this line on everything is history or signature."""
    line = _clean(lines[index])
    if _ORIGINAL_MESSAGE.match(line) or _SIGNATURE.match(line):
        return True
    if len(line) <= 80 and _SENT_FROM.match(line):
        return True
    if _header_block(lines, index):
        return True
    if _RULE.match(line):
        following = _next_content(lines, index + 1)
        return following < len(lines) and _header_block(lines, following)
    return False


def trim_reply(text: str) -> str:
    """The new part of a reply: quoted history, attribution lines and signature removed.

    Interleaved answers (quote, answer, quote, answer) keep their quotes, since the answers
    make no sense without them; a quoted block at the end, or one introduced by an attribution
    line, is history."""
    source = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = source.split("\n")
    kept: list[str] = []
    index = 0
    forwarded: list[str] = []
    while index < len(lines):
        if _FORWARD.match(_clean(lines[index])):
            forwarded = lines[index:]
            break
        if _history_starts(lines, index):
            break
        taken = _attribution(lines, index)
        if taken:
            after = _next_content(lines, index + taken)
            if after < len(lines) and _quoted(lines[after]):
                # Bottom-posting: skip the attribution and its quote, keep what follows.
                while after < len(lines) and (_quoted(lines[after]) or not _clean(lines[after])):
                    after += 1
                index = after
                continue
            break
        kept.append(lines[index])
        index += 1
    while kept and (not _clean(kept[-1]) or _quoted(kept[-1])):
        kept.pop()
    if forwarded:
        kept += ["", *forwarded]
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in kept)).strip()
    return result or source.strip()


# --- HTML ---------------------------------------------------------------------------------

_BLOCK = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
    "fieldset", "figure", "footer", "form", "header", "hr", "li", "main", "nav", "ol",
    "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
}  # fmt: skip
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
_INVISIBLE = {"script", "style", "head", "title", "template", "xml", "o:p"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
# Containers that hold only quoted history or a signature (Gmail, Thunderbird, Apple Mail,
# Yahoo): dropped with their content, the rest of the message stays.
_QUOTE_CLASSES = {
    "gmail_quote",
    "gmail_quote_container",
    "gmail_signature",
    "moz-cite-prefix",
    "moz-signature",
    "yahoo_quoted",
    "ymail_android_signature",
    "protonmail_quote",
    "zmail_extra",
}
# Outlook starts history with a header block: everything from it to the end is history.
_OUTLOOK_IDS = {
    "divrplyfwdmsg",
    "x_divrplyfwdmsg",
    "appendonsend",
    "stopspelling",
    "x_stopspelling",
}
_OUTLOOK_BORDER = re.compile(r"border-top\s*:\s*solid\s+#(?:e1e1e1|b5c4df)", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self, *, trim: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.trim = trim
        self.parts: list[str] = []
        self.hidden: list[str] = []  # stack of invisible tags we are inside
        self.skip_tag = ""  # the tag of a dropped quote container
        self.skip_depth = 0
        self.stopped = False
        self.pre = 0
        self.trailing = 0  # newlines at the end of the output so far

    def _newline(self, count: int = 1) -> None:
        """Ensure a line (1) or paragraph (2) break: nested blocks do not stack blank lines."""
        if self.parts and count > self.trailing:
            self.parts.append("\n" * (count - self.trailing))
            self.trailing = count

    def _is_quote(self, tag: str, attrs: dict[str, str]) -> bool:
        classes = set((attrs.get("class") or "").lower().split())
        if classes & _QUOTE_CLASSES:
            return True
        return tag == "blockquote" and (attrs.get("type") or "").lower() == "cite"

    def _is_outlook_history(self, attrs: dict[str, str]) -> bool:
        if (attrs.get("id") or "").lower() in _OUTLOOK_IDS:
            return True
        style = attrs.get("style") or ""
        return bool(_OUTLOOK_BORDER.search(style)) and "border:none" in style.replace(" ", "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        values = {name.lower(): value or "" for name, value in attrs}
        if self.trim:
            if self._is_outlook_history(values):
                self.stopped = True
                return
            if self._is_quote(tag, values) and tag not in _VOID:
                self.skip_tag, self.skip_depth = tag, 1
                return
        if tag in _INVISIBLE:
            self.hidden.append(tag)
        elif tag == "br":
            self.parts.append("\n")
            self.trailing += 1
        elif tag in _PARAGRAPH:
            self._newline(2)
            self.pre += tag == "pre"
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.parts.append("- ")
                self.trailing = 0
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if self.hidden:
            if tag in self.hidden:
                while self.hidden and self.hidden.pop() != tag:
                    pass
            return
        if tag in _PARAGRAPH:
            self._newline(2)
            self.pre -= tag == "pre" and self.pre > 0
        elif tag in _BLOCK and tag != "li":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.stopped or self.skip_depth or self.hidden:
            return
        data = data.replace("\xa0", " ")
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        if data.strip():
            self.trailing = 0
        elif self.trailing:
            return
        self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [line.strip(" \t") for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, *, trim: bool = False) -> str:
    """Readable plain text of an HTML body: paragraphs and line breaks kept, entities
    unescaped, scripts and styles dropped. With trim, quoted history containers of the
    common clients are left out as well."""
    extractor = _TextExtractor(trim=trim)
    try:
        extractor.feed(html or "")
        extractor.close()
    except (AssertionError, ValueError):
        # HTMLParser gives up on some broken markup; what it read so far is still the text.
        pass
    return extractor.text()
