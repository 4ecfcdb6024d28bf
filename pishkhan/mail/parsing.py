"""One received message, read the way its sender meant it.

The standard library's `email` package does the MIME work (RFC 2047 headers, RFC 2231 file
names, quoted-printable, base64), under its compat32 policy: headers stay the text that was
received, and `headers` decodes the few that are read. The default policy's header objects
would cost most of a message's parse time, and decode split Persian encoded words and raw
8-bit values worse. What the library leaves to us is what Persian mail gets wrong in
practice: bodies in windows-1256 or ISO-8859-6, charsets that are missing or lie, HTML that
must be made safe before an agent's browser shows it, and a plain-text version for mail that
only has HTML. Nothing here touches the database: `parse` is a pure function of the bytes.

A message that cannot be read as mail at all raises `MalformedMail`; the caller keeps its raw
bytes for an admin. Everything merely unusual (a broken base64 tail, a stray header line, a
charset nobody declared) is read as far as it can be, because a customer's request must not
be lost over a mailer's sloppiness.
"""

from __future__ import annotations

import base64
import binascii
import html as html_lib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors as email_errors
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime

import nh3

from pishkhan.mail import noise, quotes
from pishkhan.mail.headers import (
    HeaderIndex,
    content_params,
    decode_bytes,
    decode_value,
    has_surrogates,
    header_text,
    raw_header,
)
from pishkhan.mail.noise import Bounce

__all__ = ["Bounce", "MalformedMail", "ParsedAttachment", "ParsedMail", "decode_bytes", "parse"]


class MalformedMail(Exception):
    """The bytes cannot be read as a mail message; `reason` says why, for an admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender_email: str = ""
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    reply_text: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    date: datetime | None = None
    auto: str = ""
    bounce: Bounce | None = None


_PARSER = BytesParser(policy=compat32)


# --- headers -------------------------------------------------------------------------------


def _collapse(value: str) -> str:
    return " ".join(value.split())


_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")


def _ids(value: str) -> list[str]:
    """Message-IDs of an In-Reply-To / References value, without angle brackets."""
    found = _BRACKETED_ID.findall(value)
    if not found:
        found = [token.strip("<>,;") for token in value.split() if "@" in token]
    result: list[str] = []
    for item in found:
        if item and item not in result:
            result.append(item)
    return result


def _message_id(value: str) -> str:
    found = _ids(value)
    if found:
        return found[0]
    token = value.strip().strip("<>").strip()
    return token if token and " " not in token else ""


_ADDRESS_IN_BRACKETS = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_BARE_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _is_address(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    # An angle bracket inside is a display name with broken quoting, read as the address; an
    # empty local part or domain is the parser's reading of addresses with no comma between.
    return bool(at and local.strip() and domain.strip()) and not ("<" in value or ">" in value)


def _addresses(headers: HeaderIndex, *names: str) -> list[str]:
    result: list[str] = []
    for name in names:
        found = [address for _, address in headers.addresses(name) if _is_address(address)]
        # Quoting or separators too broken to parse: whatever looks like an address counts.
        for address in found or _BARE_ADDRESS.findall(headers.text(name)):
            address = address.strip().lower()
            if address not in result:
                result.append(address)
    return result


def _sender(headers: HeaderIndex) -> tuple[str, str]:
    for name in ("From", "Sender", "Reply-To"):
        value = headers.text(name)
        if not value:
            continue
        mailboxes = [pair for pair in headers.addresses(name) if _is_address(pair[1])]
        if mailboxes:
            raw_display, address = mailboxes[0]
            display = decode_value(raw_display)
            # A name that does not decode cleanly is read from the whole decoded header instead.
            if "\ufffd" not in display:
                return address.strip().lower(), _collapse(display)
        display, address = parseaddr(value)
        if not _is_address(address):
            # Broken quoting around the display name: the address in angle brackets is enough.
            match = _ADDRESS_IN_BRACKETS.search(value) or _BARE_ADDRESS.search(value)
            if not match:
                continue
            address = match.group(1) if match.re.groups else match.group(0)
            display = value[: match.start()].strip().strip('"')
        return address.strip().lower(), _collapse(display.strip('"'))
    return "", ""


def _date(headers: HeaderIndex) -> datetime | None:
    value = headers.text("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        # RFC 5322 "-0000": the sender's zone is unknown, the instant is UTC.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# --- bodies --------------------------------------------------------------------------------

_HTML_ATTRIBUTES = {key: set(value) for key, value in nh3.ALLOWED_ATTRIBUTES.items()}
_HTML_ATTRIBUTES.setdefault("*", set()).update({"dir", "lang", "title"})
for _tag in ("p", "div", "td", "th", "table", "img"):
    _HTML_ATTRIBUTES.setdefault(_tag, set()).add("align")
_HTML_ATTRIBUTES.setdefault("table", set()).update({"border", "cellpadding", "cellspacing"})
# cid: keeps inline images addressable, so the viewer can point them at the stored files.
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
_INVISIBLE = {"script", "style", "head", "title", "template", "xml", "noscript"}
_RTL_ROOT = re.compile(r"<(?:html|body)\b[^>]*\bdir\s*=\s*[\"']?rtl", re.IGNORECASE)


def sanitize_html(html: str) -> str:
    """HTML an agent's browser can show: no scripts, event handlers, styles or javascript:
    links. A right-to-left document keeps its direction, which lives on <html>/<body> and
    would otherwise go with them."""
    cleaned = nh3.clean(
        html,
        attributes=_HTML_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        clean_content_tags=_INVISIBLE,
        strip_comments=True,
    ).strip()
    if not quotes.html_to_text(cleaned) and "<img" not in cleaned:
        return ""
    if _RTL_ROOT.search(html):
        cleaned = f'<div dir="rtl">{cleaned}</div>'
    return cleaned


_QUOTE_MARKS = re.compile(r">+")


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: soft line breaks (a trailing space) joined back into
    paragraphs, space-stuffing removed, quote depth kept."""
    out: list[str] = []
    current: str | None = None
    depth = 0
    for line in text.split("\n"):
        quote = _QUOTE_MARKS.match(line)
        line_depth = len(quote.group(0)) if quote else 0
        content = line[line_depth:]
        if content.startswith(" "):
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if current is not None and line_depth == depth:
            current += content
        else:
            if current is not None:
                out.append(("> " * depth if depth else "") + current)
            current, depth = content, line_depth
        if not flowed:
            out.append((">" * depth + " " if depth else "") + current)
            current = None
    if current is not None:
        out.append((">" * depth + " " if depth else "") + current)
    return "\n".join(out)


_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _base64_payload(part: Message) -> bytes | None:
    """A base64 body decoded up to its last whole group, or None when it cannot be."""
    try:
        payload = part.get_payload()
    except TypeError:
        # An 8-bit body under an RFC 2231 charset (charset*=...): compat32 hands the charset
        # to str.decode as a tuple. Such a body is no clean base64; the library decodes it.
        return None
    if not isinstance(payload, str):
        return None
    data = _NOT_BASE64.sub(b"", payload.encode("ascii", "ignore"))
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    try:
        return base64.b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


def _payload(part: Message) -> bytes | None:
    """The decoded bytes of a leaf part. A base64 body cut short (a transfer interrupted,
    a size limit on a relay) is decoded up to its last whole group: the standard library
    would hand back the undecoded text instead."""
    cte = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    if cte == "base64":
        data = _base64_payload(part)
        if data is not None:
            return data
    return part.get_payload(decode=True)


def _part_text(part: Message, content_type: str) -> str:
    data = _payload(part)
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    params = content_params(part)
    text = decode_bytes(data, params.get("charset"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if content_type == "text/plain" and params.get("format", "").lower() == "flowed":
        text = _unflow(text, delsp=params.get("delsp", "").lower() == "yes")
    return text


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, email_errors.HeaderParseError):
        name = ""
    if name and (has_surrogates(name) or "\ufffd" in name):
        # An 8-bit file name the parser could not decode: read its bytes ourselves.
        raw = raw_header(part, "Content-Disposition") or raw_header(part, "Content-Type") or ""
        found = re.search(r'(?:file)?name\s*=\s*"([^"]*)"', raw, re.IGNORECASE)
        if found and has_surrogates(found.group(1)):
            name = decode_bytes(found.group(1).encode("ascii", "surrogateescape"))
        else:
            name = name.replace("\ufffd", "_")
    if name and "=?" in name:
        try:
            name = _collapse(str(make_header(decode_header(name))))
        except (email_errors.HeaderParseError, ValueError, LookupError):
            pass
    # Only the last path component: a file name must never name a directory.
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _content_id(part: Message) -> str:
    value = str(part.get("Content-ID") or "").strip()
    return value.strip("<>").strip()


@dataclass
class _Body:
    text: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001 - an unreadable disposition counts as none
        return ""


def _as_received(msg: Message) -> bytes:
    # The default policy writes header lines back as they came (compat32 would refold them
    # through email.header.Header): the attached message is kept as it was sent.
    return msg.as_bytes(policy=default_policy)


def _attachment(part: Message, body: _Body) -> None:
    data = _payload(part)
    if data is None:
        payload = part.get_payload()
        if isinstance(payload, list):
            data = b"".join(_as_received(item) for item in payload if isinstance(item, Message))
        else:
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    content_type = part.get_content_type()
    content_id = _content_id(part)
    filename = _filename(part)
    if not filename:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        stem = re.sub(r"[^\w.-]+", "-", content_id.split("@")[0]).strip("-") if content_id else ""
        filename = f"{stem or 'attachment-' + str(len(body.attachments) + 1)}{extension}"
    disposition = _disposition(part)
    inline = disposition == "inline" or (bool(content_id) and disposition != "attachment")
    body.attachments.append(
        ParsedAttachment(
            filename=filename,
            content_type=content_type,
            data=bytes(data),
            content_id=content_id,
            inline=inline,
        )
    )


def _forwarded(part: Message, body: _Body) -> None:
    """A message attached as message/rfc822: its text joins the body under a header block,
    as a client shows a forward, and its files become attachments of the message."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        _attachment(part, body)
        return
    sub = _Body()
    _collect(inner, sub)
    text = "\n".join(chunk for chunk in sub.text if chunk.strip())
    if not text and sub.html:
        text = quotes.html_to_text("\n".join(sub.html))
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("From", header_text(inner, "From")),
            ("Date", header_text(inner, "Date")),
            ("Subject", _collapse(header_text(inner, "Subject"))),
            ("To", header_text(inner, "To")),
        )
        if value
    ]
    block = "---------- Forwarded message ---------\n" + "\n".join(lines)
    if body.text or not body.html:
        # (An HTML-only message carries the forward in its HTML; its text derives from that.)
        body.text.append(f"{block}\n\n{text}".strip())
    forwarded_html = "\n".join(sub.html) or (
        "<pre>" + html_lib.escape(text) + "</pre>" if text else ""
    )
    if not body.html:
        # The message itself has no HTML: its text is the whole story, the forward included.
        body.attachments.extend(sub.attachments)
        return
    body.html.append(
        "<hr><p>"
        + "<br>".join(html_lib.escape(line) for line in block.split("\n"))
        + "</p>"
        + forwarded_html
    )
    body.attachments.extend(sub.attachments)


def _collect(part: Message, body: _Body) -> None:
    content_type = part.get_content_type()
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        children = part.get_payload()
        if content_type == "multipart/report":
            # A delivery report: its first part is the human notice; the machine status and
            # the returned original are not content of ours.
            children = children[:1]
        for child in children:
            if isinstance(child, Message):
                _collect(child, body)
        return
    if content_type == "message/rfc822":
        _forwarded(part, body)
        return
    disposition = _disposition(part)
    is_body = (
        content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not _filename(part)
    )
    if is_body:
        text = _part_text(part, content_type)
        (body.html if content_type == "text/html" else body.text).append(text)
        return
    if content_type in ("message/delivery-status", "text/rfc822-headers"):
        return
    _attachment(part, body)


# --- the message ---------------------------------------------------------------------------


def _check_readable(raw: bytes, msg: Message) -> None:
    for defect in msg.defects:
        if isinstance(defect, email_errors.NoBoundaryInMultipartDefect):
            raise MalformedMail("multipart message without a boundary")
        if isinstance(defect, email_errors.StartBoundaryNotFoundDefect):
            raise MalformedMail("multipart message whose boundary never appears: no parts")
    if not list(msg.keys()):
        raise MalformedMail("no mail headers")
    has_from = any(name in msg for name in ("From", "Sender", "Reply-To"))
    separator_missing = any(
        isinstance(defect, email_errors.MissingHeaderBodySeparatorDefect) for defect in msg.defects
    )
    if separator_missing and not has_from:
        raise MalformedMail("unreadable header section: no sender before the first bad line")
    header_bytes = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    if b"\x00" in header_bytes:
        raise MalformedMail("binary data in the header section")


def parse(raw: bytes) -> ParsedMail:
    """Read a received message. Raises MalformedMail when the bytes are not a mail message."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MalformedMail("not bytes")
    raw = bytes(raw)
    if not raw.strip():
        raise MalformedMail("empty message")
    try:
        msg = _PARSER.parsebytes(raw)
    except Exception as exc:  # noqa: BLE001 - any parser failure means unreadable mail
        raise MalformedMail(f"unreadable message: {type(exc).__name__}") from exc
    if not isinstance(msg, Message):
        raise MalformedMail("unreadable message")
    _check_readable(raw, msg)
    try:
        return _parse_message(msg)
    except MalformedMail:
        raise
    except (LookupError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        # The standard library raises these on some broken structures; such mail is kept
        # for an admin instead of crashing whoever called us.
        raise MalformedMail(f"unreadable message: {type(exc).__name__}: {exc}") from exc


def _parse_message(msg: Message) -> ParsedMail:
    body = _Body()
    _collect(msg, body)
    headers = HeaderIndex(msg)
    sender_email, sender_name = _sender(headers)
    text = "\n\n".join(chunk.strip("\n") for chunk in body.text if chunk.strip()).strip()
    raw_html = "\n".join(body.html)
    html = sanitize_html(raw_html) if raw_html.strip() else ""
    if text:
        reply_text = quotes.trim_reply(text)
    elif raw_html.strip():
        text = quotes.html_to_text(raw_html)
        reply_text = quotes.trim_reply(quotes.html_to_text(raw_html, trim=True)) or ""
        reply_text = reply_text or quotes.trim_reply(text)
    else:
        reply_text = ""
    if not sender_email and not text and not body.attachments:
        raise MalformedMail("no sender and no content")
    auto, bounce = noise.classify(msg, headers)
    return ParsedMail(
        message_id=_message_id(headers.text("Message-ID")),
        in_reply_to=_ids(headers.text("In-Reply-To")),
        references=_ids(headers.text("References")),
        sender_email=sender_email,
        sender_name=sender_name,
        recipients=_addresses(headers, "To", "Cc", "Delivered-To", "X-Original-To"),
        subject=_collapse(headers.text("Subject")),
        text=text,
        html=html,
        reply_text=reply_text,
        attachments=body.attachments,
        date=_date(headers),
        auto=auto,
        bounce=bounce,
    )
