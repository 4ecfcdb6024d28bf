"""Every message of the corpus reads the way its sender meant it (C-1): the sender, the subject
decoded exactly, the Persian body without mojibake, the reply without its quoted history, the
files with their Persian names, automatic mail and bounces recognised.

The corpus (tests/data/mail/) is written by make_corpus.py there; expected.json holds, per
file, what a reader of that message must see."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pishkhan.mail.parsing import MalformedMail, ParsedMail, decode_bytes, parse

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(path.name for path in CORPUS.glob("*.eml"))
# Latin-1 readings of Arabic-script UTF-8 start with these; "\ufffd" is a decoding given up.
MOJIBAKE = re.compile("[\ufffd\u00d8\u00d9\u00da\u00db]")


def _read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _parse(name: str) -> ParsedMail:
    return parse(_read(name))


def test_the_corpus_is_large_and_every_file_has_expectations():
    assert len(FILES) >= 60
    assert sorted(EXPECTED) == FILES
    groups = {name.split("-")[0] for name in FILES}
    assert {
        "gmail",
        "outlook",
        "thunderbird",
        "apple",
        "legacy",
        "headers",
        "attachment",
        "forward",
        "reply",
        "auto",
        "bounce",
        "list",
        "malformed",
    } <= groups
    assert sum(name.startswith("malformed") for name in FILES) >= 3
    for name, expect in EXPECTED.items():
        assert expect, name


@pytest.mark.parametrize("name", FILES)
def test_corpus_message_reads_as_its_sender_meant(name):
    expect = EXPECTED[name]
    if "malformed" in expect:
        with pytest.raises(MalformedMail) as caught:
            _parse(name)
        assert expect["malformed"] in caught.value.reason
        assert caught.value.reason
        return

    mail = _parse(name)

    if "sender" in expect:
        assert mail.sender_email == expect["sender"]
    if "sender_name" in expect:
        assert mail.sender_name == expect["sender_name"]
    if "subject" in expect:
        assert mail.subject == expect["subject"]
    if "message_id" in expect:
        assert mail.message_id == expect["message_id"]
    if "in_reply_to" in expect:
        assert mail.in_reply_to == expect["in_reply_to"]
    if "references" in expect:
        assert mail.references == expect["references"]
    for address in expect.get("recipients_include", []):
        assert address in mail.recipients
    if "date" in expect:
        assert mail.date == datetime.fromisoformat(expect["date"])
    for fragment in expect.get("text_contains", []):
        assert fragment in mail.text
    for fragment in expect.get("text_excludes", []):
        assert fragment not in mail.text
    if "reply_equals" in expect:
        assert mail.reply_text == expect["reply_equals"]
    if expect.get("reply_equals_text"):
        assert mail.reply_text == mail.text
    for fragment in expect.get("reply_contains", []):
        assert fragment in mail.reply_text
    for fragment in expect.get("reply_excludes", []):
        assert fragment not in mail.reply_text
    for fragment in expect.get("html_contains", []):
        assert fragment in mail.html
    for fragment in expect.get("html_excludes", []):
        assert fragment not in mail.html
    if expect.get("html_empty"):
        assert mail.html == ""
    if "attachments" in expect:
        assert len(mail.attachments) == len(expect["attachments"])
        for got, want in zip(mail.attachments, expect["attachments"], strict=True):
            assert got.filename == want["filename"]
            assert got.content_type == want["content_type"]
            assert got.inline is want["inline"]
            if "size" in want:
                assert len(got.data) == want["size"]
            if "max_size" in want:
                assert 0 < len(got.data) <= want["max_size"]
            if "starts_with" in want:
                assert got.data.startswith(bytes.fromhex(want["starts_with"]))
            if "content_id" in want:
                assert got.content_id == want["content_id"]
    if "auto" in expect:
        assert bool(mail.auto) is expect["auto"], mail.auto
    if "auto_contains" in expect:
        assert expect["auto_contains"] in mail.auto
    if "bounce" in expect:
        if expect["bounce"] is None:
            assert mail.bounce is None
        else:
            assert mail.bounce is not None
            assert mail.bounce.failed_recipients == expect["bounce"]["failed"]
            assert expect["bounce"]["reason_contains"] in mail.bounce.reason
    if "subject_reference" in expect:
        from pishkhan.outbox.threading import parse_subject_reference

        assert parse_subject_reference(mail.subject) == expect["subject_reference"]


@pytest.mark.parametrize("name", [name for name in FILES if "malformed" not in EXPECTED[name]])
def test_persian_decodes_without_mojibake(name):
    mail = _parse(name)
    for value in (mail.subject, mail.sender_name, mail.text, mail.reply_text, mail.html):
        assert not MOJIBAKE.search(value), value[:200]
    for attachment in mail.attachments:
        assert not MOJIBAKE.search(attachment.filename)


@pytest.mark.parametrize("name", [name for name in FILES if "malformed" not in EXPECTED[name]])
def test_html_is_safe_to_show(name):
    html = _parse(name).html.lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
    assert "<style" not in html and "<iframe" not in html


@pytest.mark.parametrize("name", [name for name in FILES if "malformed" not in EXPECTED[name]])
def test_every_readable_message_has_its_basics(name):
    mail = _parse(name)
    assert mail.sender_email and mail.sender_email == mail.sender_email.lower()
    assert mail.text or mail.attachments
    assert mail.reply_text or not mail.text
    assert all("<" not in value and ">" not in value for value in mail.references)
    assert mail.date is None or mail.date.tzinfo is not None


# --- the 15 MB attachment ---------------------------------------------------------------------

LARGE_SIZE = 15 * 1024 * 1024


def _large_payload() -> bytes:
    # Deterministic and incompressible-looking, like a real archive.
    seed = hashlib.sha256(b"pishkhan-large-attachment").digest()
    block = b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(256))
    return (block * (LARGE_SIZE // len(block) + 1))[:LARGE_SIZE]


def test_a_15_mb_attachment_arrives_whole():
    payload = _large_payload()
    # encodebytes writes the 76-character lines mailers send.
    encoded = base64.encodebytes(payload).decode().rstrip("\n")
    template = (CORPUS / "large-attachment.eml.template").read_text(encoding="utf-8")
    raw = template.replace("{{PAYLOAD}}", encoded).encode()
    assert len(raw) > 20 * 1024 * 1024

    mail = parse(raw)

    assert mail.subject == "نسخه پشتیبان کامل سایت"
    assert "نسخه پشتیبان سایت را پیوست کردم" in mail.text
    (attachment,) = mail.attachments
    assert attachment.filename == "نسخه پشتیبان سایت.zip"
    assert len(attachment.data) == LARGE_SIZE
    assert hashlib.sha256(attachment.data).digest() == hashlib.sha256(payload).digest()


# --- malformed input beyond the corpus ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (b"\x00\x01\x02\x03", "header"),
        (b"Subject: nothing else\r\n\r\n", "no sender"),
    ],
)
def test_what_is_not_mail_raises_malformed_mail_with_a_reason(raw, reason):
    with pytest.raises(MalformedMail) as caught:
        parse(raw)
    assert reason in caught.value.reason


def test_an_unknown_charset_is_read_as_utf8_or_windows_1256():
    raw = (
        b"From: a@example.ir\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + "سلام دنيا".encode("cp1256")

    assert parse(raw).text == "سلام دنيا"


# --- headers beyond the corpus ---------------------------------------------------------------


def _headers_only(headers: bytes, body: bytes = b"hello\r\n") -> bytes:
    return headers + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body


@pytest.mark.parametrize(
    ("from_header", "email", "name"),
    [
        # A comma inside an encoded or a quoted name is part of the name.
        (b"=?utf-8?q?Ahmadi=2C_Maryam?= <m@example.ir>", "m@example.ir", "Ahmadi, Maryam"),
        ('"احمدی، مریم, فروش" <m@example.ir>'.encode(), "m@example.ir", "احمدی، مریم, فروش"),
        ('"احمدي, مريم" <m@example.ir>'.encode("cp1256"), "m@example.ir", "احمدي, مريم"),
        # A quote that is never closed: the address in angle brackets still counts.
        (b'"Maryam <M@example.ir>', "m@example.ir", "Maryam"),
        # The name in a comment, as old mailers write it.
        (b"m@example.ir (Maryam Ahmadi)", "m@example.ir", "Maryam Ahmadi"),
    ],
)
def test_the_sender_is_read_from_the_header_as_received(from_header, email, name):
    mail = parse(_headers_only(b"From: " + from_header + b"\r\nTo: s@alpha.localhost\r\n"))

    assert (mail.sender_email, mail.sender_name) == (email, name)


def test_recipients_survive_commas_in_names_and_missing_commas():
    raw = _headers_only(
        b"From: m@example.ir\r\n"
        b'To: "Sales, Team" <sales@alpha.localhost>, =?utf-8?q?a=2C_b?= <b@alpha.localhost>\r\n'
        b"Cc: one@example.ir two@example.ir\r\n"
    )

    assert parse(raw).recipients == [
        "sales@alpha.localhost",
        "b@alpha.localhost",
        "one@example.ir",
        "two@example.ir",
    ]


@pytest.mark.parametrize(
    "subject",
    [
        b"=?utf-8?b?2b7Yp9iz2K4g2K7ZiNiv2qnYp9ixOiDYqtmF2K/bjNiv?=",
        "پاسخ خودکار: تمدید".encode(),
        "پاسخ خودکار: تمديد".encode("cp1256"),
    ],
)
def test_a_persian_vacation_subject_is_automatic_however_it_is_encoded(subject):
    raw = _headers_only(b"From: m@example.ir\r\nTo: s@alpha.localhost\r\nSubject: " + subject)

    mail = parse(raw + b"\r\n")

    assert mail.subject.startswith("پاسخ خودکار")
    assert "vacation" in mail.auto


def test_rfc_2231_parameters_are_decoded():
    raw = (
        b"From: m@example.ir\r\nTo: s@alpha.localhost\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset*=us-ascii''windows-1256\r\n\r\n"
    ) + "سلام".encode("cp1256")
    report = (
        b"From: postmaster@mx.example.ir\r\nTo: s@alpha.localhost\r\nSubject: Report\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/report;"
        b" report-type*=us-ascii''delivery-status; boundary=x\r\n\r\n"
        b"--x\r\nContent-Type: text/plain\r\n\r\nSomething happened.\r\n--x--\r\n"
    )

    assert parse(raw).text == "سلام"
    assert parse(report).bounce is not None


# --- properties ------------------------------------------------------------------------------

PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءًٌ‌۰۱۲۳۴۵۶۷۸۹،؛؟«»"
persian_text = st.text(alphabet=PERSIAN_LETTERS + " .,:-abcXYZ0123456789", min_size=1, max_size=200)


@given(text=persian_text)
def test_utf8_persian_decodes_losslessly_declared_or_not(text):
    assert decode_bytes(text.encode(), "utf-8") == text
    assert decode_bytes(text.encode(), None) == text
    # A Latin label on UTF-8 bytes is a mislabel, not a reason for mojibake.
    assert decode_bytes(text.encode(), "iso-8859-1") == text


@given(text=st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهي،؛؟ .0123456789", min_size=1))
def test_windows_1256_persian_decodes_losslessly(text):
    assert decode_bytes(text.encode("cp1256"), "windows-1256") == text
    assert decode_bytes(text.encode("cp1256"), "cp1256") == text


@given(
    subject=persian_text.filter(lambda value: value.strip()),
    body=persian_text,
    cte=st.sampled_from(["base64", "quoted-printable", "8bit"]),
)
def test_any_persian_message_reads_back_as_written(subject, body, cte):
    message = EmailMessage()
    message["From"] = "مریم احمدی <maryam@example.ir>"
    message["To"] = "support@alpha.localhost"
    message["Subject"] = subject
    message.set_content(body, cte=cte)

    mail = parse(message.as_bytes())

    assert mail.subject == " ".join(subject.split())
    assert mail.text == body.strip().replace("\r\n", "\n")
    assert mail.sender_name == "مریم احمدی"
    assert not MOJIBAKE.search(mail.text + mail.subject)
