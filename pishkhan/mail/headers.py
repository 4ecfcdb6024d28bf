"""Header values and charsets, decoded the way Persian mail needs.

Messages are parsed with the compat32 policy, which keeps every header as the text that was
received; decoding is done here, only for the headers that are read. That is cheaper than
the default policy's header objects, and more faithful: an encoded word that splits a
Persian letter with the next one still reads, and a raw 8-bit value is read as UTF-8 or
windows-1256 instead of as unknown bytes.
"""

from __future__ import annotations

import codecs
import re
from email import errors as email_errors
from email.header import decode_header, make_header
from email.message import Message
from email.utils import collapse_rfc2231_value, decode_rfc2231, getaddresses
from urllib.parse import unquote_to_bytes

__all__ = [
    "HeaderIndex",
    "content_params",
    "decode_bytes",
    "decode_value",
    "has_surrogates",
    "header_text",
    "raw_header",
]

# --- charsets ------------------------------------------------------------------------------

# Names mailers use that Python's codec registry does not know, or knows as something else.
_CHARSET_ALIASES = {
    "windows-1256": "cp1256",
    "x-cp1256": "cp1256",
    "cp-1256": "cp1256",
    "arabic": "iso8859_6",
    "iso-8859-6-i": "iso8859_6",
    "iso-8859-6-e": "iso8859_6",
    "iso_8859-6": "iso8859_6",
    "asmo-708": "iso8859_6",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
}
_LATIN = {"iso8859-1", "cp1252", "iso8859-15"}


def _codec(name: str | None) -> str:
    """The Python codec for a declared charset, or "" when it is unknown or meaningless."""
    if not name:
        return ""
    key = name.strip().strip("\"'").lower()
    key = _CHARSET_ALIASES.get(key, key)
    if not key:
        return ""
    try:
        return codecs.lookup(key).name
    except LookupError:
        return ""


def _utf8(data: bytes, *, truncated_ok: bool) -> str | None:
    """UTF-8 text of data, or None when the bytes are not UTF-8. With truncated_ok, an
    incomplete character at the very end (a transfer cut short) is dropped, not fatal."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_tail = exc.end == len(data) and exc.start >= len(data) - 3
        if truncated_ok and cut_tail and exc.reason == "unexpected end of data":
            try:
                return data[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text of a body or header in whatever charset it really is in.

    A declared charset is believed, except a Latin or ASCII label on bytes that are valid
    UTF-8: Persian read as Latin-1 is the classic mojibake ("Ø³Ù„Ø§Ù…"), so UTF-8 wins there.
    Without a usable declaration, UTF-8 is tried, then windows-1256 (the legacy charset of
    Persian Windows, and what undeclared 8-bit Persian mail almost always is)."""
    if not data:
        return ""
    if data.isascii():
        return data.decode("ascii")
    declared_codec = _codec(declared)
    if declared_codec == "utf-8":
        text = _utf8(data, truncated_ok=True)
        if text is not None:
            return text
        damaged = data.decode("utf-8", "replace")
        # A declared UTF-8 body with a few broken bytes is still UTF-8; a body full of them
        # was written in a legacy charset and mislabelled.
        if damaged.count("\ufffd") * 50 < len(damaged):
            return damaged
        declared_codec = ""
    if declared_codec and declared_codec != "ascii" and declared_codec not in _LATIN:
        try:
            return data.decode(declared_codec)
        except (UnicodeDecodeError, LookupError):
            pass
    text = _utf8(data, truncated_ok=False)
    if text is not None:
        return text
    if declared_codec in _LATIN:
        return data.decode(declared_codec, "replace")
    return data.decode("cp1256", "replace")


# --- headers -------------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n[ \t]")


def has_surrogates(value: str) -> bool:
    """Whether the value carries raw 8-bit bytes, which the parser keeps as surrogates."""
    return not value.isascii() and any("\udc80" <= char <= "\udcff" for char in value)


def raw_header(msg: Message, name: str) -> str | None:
    """A header's value as received (folded, encoded words intact), or None."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def decode_value(raw: str) -> str:
    """A header value as received, decoded to text: RFC 2047 encoded words (even ones that
    split a character between them) and raw 8-bit bytes in UTF-8 or windows-1256."""
    if has_surrogates(raw):
        raw = decode_bytes(raw.encode("ascii", "surrogateescape"))
    unfolded = _FOLD.sub(" ", raw)
    if "=?" not in unfolded:
        # Without an encoded word decode_header would hand the value back as it is.
        return unfolded
    try:
        # decode_header joins adjacent encoded words of one charset before decoding them, so a
        # Persian letter split across two words survives; policy.default would not do that.
        parts = decode_header(unfolded)
        pieces: list[str] = []
        for chunk, charset in parts:
            if isinstance(chunk, str):
                pieces.append(chunk)
            else:
                pieces.append(decode_bytes(chunk, charset or "utf-8"))
        return "".join(pieces)
    except (email_errors.HeaderParseError, ValueError, LookupError):
        try:
            return str(make_header(decode_header(unfolded)))
        except Exception:  # noqa: BLE001 - fall back to the value as received
            return unfolded


def header_text(msg: Message, name: str) -> str:
    """A header decoded to text (see decode_value), or "" when the message has none."""
    raw = raw_header(msg, name)
    return "" if raw is None else decode_value(raw)


class HeaderIndex:
    """The headers of one message, looked up by name without scanning them again: the first
    value of each name as received, decoded on first use. Parsing reads a dozen headers
    and the noise checks a dozen more, some of them the same ones."""

    def __init__(self, msg: Message) -> None:
        self._raw: dict[str, str] = {}
        for key, value in msg.raw_items():
            self._raw.setdefault(key.lower(), str(value))
        self._text: dict[str, str] = {}
        self._addresses: dict[str, list[tuple[str, str]]] = {}

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._raw

    def raw(self, name: str) -> str | None:
        """The value as received (folded, encoded words intact), or None."""
        return self._raw.get(name.lower())

    def text(self, name: str) -> str:
        """The value decoded to text (see decode_value), or "" when the message has none."""
        key = name.lower()
        if key not in self._text:
            raw = self._raw.get(key)
            self._text[key] = "" if raw is None else decode_value(raw)
        return self._text[key]

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, address) pairs of an address header, [] when the message has none.
        They are split before anything is decoded, so a comma inside a quoted or encoded
        display name never splits an address; a display name is still as received."""
        key = name.lower()
        if key not in self._addresses:
            raw = self._raw.get(key)
            self._addresses[key] = [] if raw is None else getaddresses([raw])
        return self._addresses[key]


def content_params(part: Message) -> dict[str, str]:
    """A part's Content-Type parameters as text, by lower-case name (the first of each).
    An RFC 2231 value (name*=charset'lang'text) is decoded: compat32 returns it as a tuple,
    or, when the name has a hyphen ("report-type"), leaves it encoded under the starred name."""
    params: dict[str, str] = {}
    for key, value in part.get_params() or []:
        name = key.strip().lower()
        if isinstance(value, tuple):
            params.setdefault(name, collapse_rfc2231_value(value))
        elif name.endswith("*") and "-" in name:
            charset, _, encoded = decode_rfc2231(value)
            params.setdefault(name[:-1], decode_bytes(unquote_to_bytes(encoded), charset))
        else:
            params.setdefault(name, value)
    return params
