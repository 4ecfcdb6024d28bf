# Mail lines are kept as the clients write them, however long: they are data, not code.
# ruff: noqa: E501
"""Writes the inbound-mail corpus: the .eml files beside this script and expected.json.

Deterministic (fixed dates, ids and payloads), so running it again reproduces the committed
files byte for byte. Each message is written the way the named client writes it; the
expectations say what a reader of that message must see, independently of how the parser
gets there.

    python tests/data/mail/make_corpus.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import quopri
import re
import textwrap
import urllib.parse
from email.quoprimime import header_encode
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Support policy of a hosting company (seed 002) and a service's terms (seeds 000, 001).
POLICY_TICKET_LANGUAGE = (
    "کلیه مشتریان موظف هستند درخواست های پشتیبانی خود را به زبان و فونت فارسی از سیستم "
    "پشتیبانی ارسال نمایند."
)
POLICY_OWNER = (
    "پشتیبانی و خدمات پس از فروش فقط و فقط به مالک اصلی سرویس پس از تایید اطلاعات و هویت "
    "ثبت شده در سیستم فروش تعلق خواهد گرفت."
)
POLICY_INSTALL = (
    "نصب و راه اندازی ماژول هایی که ارائه می گردد فقط یکبار به صورت رایگان انجام خواهد شد و "
    "نصب و راه اندازی مجدد مستلزم پرداخت هزینه می باشد."
)
POLICY_MONITOR = (
    "تکنسین ها و مدیران سرورها به صورت ۲۴ ساعت کلیه سرورها را مانیتورینگ کرده و در صورت بروز "
    "هرگونه مشکل اقدام به رفع آن خواهند نمود."
)
POLICY_NEW_TICKET = (
    "مشتریان موظف می باشند برای هر درخواست پشتیبانی یک تیکت جدید باز کنند و از باز کردن "
    "تیکت های قدیمی و بسته شده خودداری کنند."
)
POLICY_PRIORITY = "مشتری موظف است اهمیت تیکت های ارسالی را با توجه به اهمیت واقعی تیکت انتخاب کند."
POLICY_INCOMPLETE = (
    "در صورتی که اطلاعات به صورت ناقص یا اشتباه ارسال شود تیکت بدون پاسخ بسته خواهد شد."
)
POLICY_QUALITY = "همکال همواره تلاش میکند بهترین کیفیت را در ارائه خدمات خود داشته باشد."
# Seed 001 is written with Arabic yeh and kaf, as ISO-8859-6 can carry it.
TERMS_ARABIC_LETTERS = (
    "هومينو متعهد به تلاش ، براي ارائهي خدمات باكيفيت است و ميكوشد تا با بهروزرساني "
    "نرمافزارها متناسب با نياز كاربران ،كيفيت و نوع خدمات ارائه شده را ارتقا بخشد."
)

# What customers write: short, concrete, about their service.
ASK_MAIL = "سلام، از دیروز ایمیل‌های دامنه ما ارسال نمی‌شوند و پیام خطا برمی‌گردد."
ASK_MODULE = "سلام، ماژول پرداخت را دوباره نصب کردم ولی خطای اتصال برطرف نشد."
ASK_INVOICE = "لطفاً فاکتور تمدید هاست را برای شرکت ما صادر کنید."
ASK_BACKUP = "نسخه پشتیبان سایت را پیوست کردم، لطفاً روی سرور جدید بازگردانی کنید."
ASK_DNS = "رکوردهای DNS دامنه را تغییر دادم ولی سایت هنوز باز نمی‌شود."
THANKS = "ممنون، مشکل حل شد و سایت دوباره در دسترس است."
STILL_BROKEN = "متأسفانه هنوز همان خطا را می‌بینم. لطفاً دوباره بررسی کنید."

CUSTOMER = "customer@example.ir"
CUSTOMER_NAME = "مریم احمدی"
SUPPORT = "support@alpha.localhost"
SUPPORT_NAME = "پشتیبانی آلفا"
THREAD_ID = "pishkhan.1.2.abc@alpha.localhost"

FILES: dict[str, bytes] = {}
EXPECTED: dict[str, dict] = {}


def legacy(text: str) -> str:
    """Persian as windows-1256 carries it: Arabic yeh for Persian yeh, Latin digits."""
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    return text.replace("ی", "ي").replace("ۀ", "ه").translate(digits)


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode().rstrip("\n")


def qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset).replace(b"\n", b"\r\n")).decode("ascii")


def word_b(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def word_q(text: str, charset: str = "utf-8") -> str:
    return header_encode(text.encode(charset), charset=charset)


def blob(name: str, size: int) -> bytes:
    """Deterministic bytes standing for a file's content."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{name}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


# A real (1x1, red) PNG, so an inline image is an image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + blob("pdf", 2000)


def received(host: str, n: int) -> str:
    return (
        f"Received: from {host} (mail.example.ir [185.55.225.{n}])\n"
        f"\tby mx.alpha.localhost (Postfix) with ESMTPS id 4T{n:03d}QxZk8z9\n"
        f"\tfor <{SUPPORT}>; Tue, 3 Oct 2023 10:{n % 60:02d}:11 +0330 (IRST)\n"
    )


def add(name: str, raw: str | bytes, expect: dict, *, crlf: bool = False) -> None:
    if isinstance(raw, str):
        raw = raw.lstrip("\n")
        if crlf:
            raw = raw.replace("\r\n", "\n").replace("\n", "\r\n")
        raw = raw.encode("utf-8")
    assert name not in FILES, name
    assert expect, f"{name} needs an expectation"
    FILES[name] = raw
    EXPECTED[name] = expect


def alt(boundary: str, plain: str, html: str, *, charset: str = "UTF-8") -> str:
    """A Gmail-like multipart/alternative body, both parts base64."""
    return (
        f"--{boundary}\n"
        f'Content-Type: text/plain; charset="{charset}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(plain.encode(charset))}\n"
        f"--{boundary}\n"
        f'Content-Type: text/html; charset="{charset}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(html.encode(charset))}\n"
        f"--{boundary}--\n"
    )


def gmail_headers(n: int, subject: str, *, extra: str = "", mid: str = "") -> str:
    mid = mid or f"CAHk7Rq{n:04d}xQ+fa=V9p@mail.gmail.com"
    return (
        f"Delivered-To: {SUPPORT}\n"
        + received("mail-lf1-f4" + str(n) + ".google.com", n)
        + "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.ir; s=google;\n"
        f"\th=mime-version:from:date:message-id:subject:to; bh=Qm9keUhhc2g{n}=;\n"
        f"\tb=U2lnbmF0dXJlT2ZUaGVNZXNzYWdl{n}=\n"
        "MIME-Version: 1.0\n"
        f"From: {word_b(CUSTOMER_NAME)} <{CUSTOMER}>\n"
        f"Date: Tue, 3 Oct 2023 10:{n:02d}:05 +0330\n"
        f"Message-ID: <{mid}>\n"
        f"Subject: {word_b(subject)}\n"
        f"To: {SUPPORT}\n"
        f"{extra}"
    )


def fa_html(*paragraphs: str, quote: str = "", signature: str = "") -> str:
    body = "".join(f'<div dir="rtl">{p}</div>' for p in paragraphs)
    if signature:
        body += (
            '<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
            f'<div dir="rtl" class="gmail_signature">{signature}</div>'
        )
    if quote:
        body += quote
    return f'<div dir="rtl">{body}</div>\n'


# --- Gmail, Persian --------------------------------------------------------------------------


def gmail() -> None:
    subject = "مشکل ارسال ایمیل دامنه"
    plain = f"{ASK_MAIL}\n{POLICY_PRIORITY}\nبا تشکر\n"
    html = fa_html(ASK_MAIL, POLICY_PRIORITY, "با تشکر")
    add(
        "gmail-fa-01-new.eml",
        gmail_headers(1, subject)
        + 'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60001"\n\n'
        + alt("000000000000a1b2c3d4e5f60001", plain, html),
        {
            "sender": CUSTOMER,
            "sender_name": CUSTOMER_NAME,
            "subject": subject,
            "message_id": "CAHk7Rq0001xQ+fa=V9p@mail.gmail.com",
            "recipients_include": [SUPPORT],
            "date": "2023-10-03T10:01:05+03:30",
            "text_contains": [ASK_MAIL, POLICY_PRIORITY],
            "html_contains": ['dir="rtl"', ASK_MAIL],
            "reply_contains": [ASK_MAIL],
            "auto": False,
        },
    )

    subject = "پاسخ: [#۱۲] مشکل ارسال ایمیل دامنه"
    quoted = f"{POLICY_NEW_TICKET}\n{POLICY_INCOMPLETE}"
    attribution = (
        "در تاریخ سه‌شنبه ۱۱ مهر ۱۴۰۲ ساعت ۱۸:۳۰ پشتیبانی آلفا <support@alpha.localhost> نوشت:"
    )
    plain = (
        f"{STILL_BROKEN}\n\n\u202b{attribution}\u202c\n\n"
        + "\n".join(f"> {line}" for line in quoted.split("\n"))
        + "\n"
    )
    quote_html = (
        '<br><div class="gmail_quote"><div dir="rtl" class="gmail_attr">'
        f"{attribution}<br></div>"
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
        'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        + "<br>".join(quoted.split("\n"))
        + "</blockquote></div>"
    )
    add(
        "gmail-fa-02-reply.eml",
        gmail_headers(
            2,
            subject,
            extra=f"In-Reply-To: <{THREAD_ID}>\nReferences: <{THREAD_ID}>\n",
        )
        + 'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60002"\n\n'
        + alt("000000000000a1b2c3d4e5f60002", plain, fa_html(STILL_BROKEN, quote=quote_html)),
        {
            "sender": CUSTOMER,
            "subject": subject,
            "in_reply_to": [THREAD_ID],
            "references": [THREAD_ID],
            "text_contains": [STILL_BROKEN, POLICY_NEW_TICKET],
            "reply_equals": STILL_BROKEN,
            "reply_excludes": [POLICY_NEW_TICKET, "نوشت:"],
            "html_contains": [STILL_BROKEN, POLICY_NEW_TICKET],
        },
    )

    # Gmail wraps a long Persian attribution onto a second line in the plain part.
    subject = "Re: [#12] مشکل ارسال ایمیل دامنه"
    plain = (
        f"{THANKS}\n\n"
        "در تاریخ سه‌شنبه ۱۱ مهر ۱۴۰۲ ساعت ۱۸:۳۰ پشتیبانی آلفا <\n"
        "support@alpha.localhost> نوشت:\n\n"
        f"> {POLICY_MONITOR}\n>\n> با احترام\n"
    )
    add(
        "gmail-fa-03-reply-split-attribution.eml",
        gmail_headers(3, subject, extra=f"In-Reply-To: <{THREAD_ID}>\n")
        + 'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n'
        + b64(plain.encode())
        + "\n",
        {
            "subject": subject,
            "in_reply_to": [THREAD_ID],
            "references": [],
            "reply_equals": THANKS,
            "reply_excludes": [POLICY_MONITOR, "support@alpha.localhost"],
            "html_empty": True,
        },
    )

    subject = "فاکتور تمدید هاست"
    filename = "فاکتور رسمی ۱۴۰۲.pdf"
    add(
        "gmail-fa-04-attachment.eml",
        gmail_headers(4, subject)
        + 'Content-Type: multipart/mixed; boundary="000000000000f00d00000004"\n\n'
        "--000000000000f00d00000004\n"
        'Content-Type: multipart/alternative; boundary="000000000000f00d00000005"\n\n'
        + alt("000000000000f00d00000005", ASK_INVOICE + "\n", fa_html(ASK_INVOICE))
        + "\n--000000000000f00d00000004\n"
        f'Content-Type: application/pdf; name="{word_b(filename)}"\n'
        "Content-Disposition: attachment;\n"
        f"\tfilename*=utf-8''{urllib.parse.quote(filename.encode())}\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-ID: <f_lnb1a2c30>\n"
        "X-Attachment-Id: f_lnb1a2c30\n\n"
        f"{b64(PDF)}\n"
        "--000000000000f00d00000004--\n",
        {
            "subject": subject,
            "text_contains": [ASK_INVOICE],
            "attachments": [
                {
                    "filename": filename,
                    "content_type": "application/pdf",
                    "size": len(PDF),
                    "inline": False,
                }
            ],
        },
    )

    subject = "تصویر خطای پنل"
    html = fa_html(
        ASK_MODULE,
        '<img src="cid:ii_lnb1screen01" alt="image.png" width="320" height="200"><br>',
    )
    add(
        "gmail-fa-05-inline-image.eml",
        gmail_headers(5, subject)
        + 'Content-Type: multipart/related; boundary="000000000000beef00000006"\n\n'
        "--000000000000beef00000006\n"
        'Content-Type: multipart/alternative; boundary="000000000000beef00000007"\n\n'
        + alt("000000000000beef00000007", ASK_MODULE + "\n[image: image.png]\n", html)
        + "\n--000000000000beef00000006\n"
        'Content-Type: image/png; name="image.png"\n'
        'Content-Disposition: inline; filename="image.png"\n'
        "Content-Transfer-Encoding: base64\n"
        "Content-ID: <ii_lnb1screen01>\n"
        "X-Attachment-Id: ii_lnb1screen01\n\n"
        f"{b64(PNG)}\n"
        "--000000000000beef00000006--\n",
        {
            "subject": subject,
            "text_contains": [ASK_MODULE],
            "html_contains": ["cid:ii_lnb1screen01"],
            "attachments": [
                {
                    "filename": "image.png",
                    "content_type": "image/png",
                    "size": len(PNG),
                    "inline": True,
                    "content_id": "ii_lnb1screen01",
                }
            ],
        },
    )

    subject = "Fwd: قوانین پشتیبانی"
    fwd = (
        "---------- Forwarded message ---------\n"
        "از: واحد فروش <sales@hosting.example.ir>\n"
        "Date: شنبه ۸ مهر ۱۴۰۲ ساعت ۹:۱۵\n"
        "Subject: قوانین پشتیبانی\n"
        f"To: <{CUSTOMER}>\n\n"
        f"{POLICY_OWNER}\n"
    )
    plain = f"این پیام را واحد فروش فرستاده، لطفاً توضیح دهید.\n\n{fwd}"
    add(
        "gmail-fa-06-forward-inline.eml",
        gmail_headers(6, subject)
        + 'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n'
        + b64(plain.encode())
        + "\n",
        {
            "subject": subject,
            "text_contains": ["---------- Forwarded message ---------", POLICY_OWNER],
            # A forward is the customer's content: it stays in the reply text.
            "reply_contains": ["لطفاً توضیح دهید", POLICY_OWNER],
        },
    )

    subject = "پاسخ: [#۱۲] مشکل ارسال ایمیل دامنه"
    quote_html = (
        '<div class="gmail_quote gmail_quote_container"><div dir="rtl" class="gmail_attr">'
        "‫در تاریخ سه‌شنبه ۱۱ مهر ۱۴۰۲ ساعت ۱۸:۳۰ پشتیبانی آلفا &lt;"
        '<a href="mailto:support@alpha.localhost">support@alpha.localhost</a>&gt; نوشت:‬<br></div>'
        f'<blockquote class="gmail_quote"><div dir="rtl">{POLICY_INSTALL}</div></blockquote></div>'
    )
    add(
        "gmail-fa-07-html-only-reply.eml",
        gmail_headers(7, subject, extra=f"In-Reply-To: <{THREAD_ID}>\n")
        + 'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n'
        + b64(fa_html(STILL_BROKEN, "&nbsp;", "با سپاس &amp; احترام", quote=quote_html).encode())
        + "\n",
        {
            "subject": subject,
            "text_contains": [STILL_BROKEN, POLICY_INSTALL, "با سپاس & احترام"],
            "text_excludes": ["&amp;", "&lt;", "<div"],
            "reply_contains": [STILL_BROKEN, "با سپاس & احترام"],
            "reply_excludes": [POLICY_INSTALL, "نوشت:"],
            "html_contains": [STILL_BROKEN],
        },
    )

    subject = "درخواست بازگردانی نسخه پشتیبان"
    plain = f"{ASK_BACKUP}\n\n-- \nمریم احمدی\nمدیر فنی شرکت نمونه\nتلفن: ۰۲۱-۸۸۰۰۰۰۰۰\n"
    add(
        "gmail-fa-08-signature.eml",
        gmail_headers(8, subject)
        + 'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60008"\n\n'
        + alt(
            "000000000000a1b2c3d4e5f60008",
            plain,
            fa_html(ASK_BACKUP, signature="مریم احمدی<br>مدیر فنی شرکت نمونه"),
        ),
        {
            "subject": subject,
            "text_contains": [ASK_BACKUP, "مدیر فنی شرکت نمونه"],
            "reply_equals": ASK_BACKUP,
        },
    )


# --- Outlook ---------------------------------------------------------------------------------


def outlook_headers(n: int, subject_word: str, *, extra: str = "") -> str:
    return (
        received("EXCH01.corp.example.ir", 20 + n)
        + f"From: {word_b(legacy('علی رضایی'), 'windows-1256')} <ali.rezaei@corp.example.ir>\n"
        f"To: {word_b(legacy(SUPPORT_NAME), 'windows-1256')} <{SUPPORT}>\n"
        f"Cc: <it@corp.example.ir>\n"
        f"Subject: {subject_word}\n"
        f"Date: Wed, 4 Oct 2023 09:{n:02d}:44 +0330\n"
        f"Message-ID: <00{n}01d9f6a1$4c3b2a10$e4b17e30$@corp.example.ir>\n"
        "MIME-Version: 1.0\n"
        "X-Mailer: Microsoft Outlook 16.0\n"
        f"Thread-Index: AQHZ9qFMO2oQ5LF+MA{n}RgAbCdEfGhIjKl==\n"
        "Content-Language: fa-ir\n"
        f"{extra}"
    )


def mso(*paragraphs: str) -> str:
    inner = "".join(
        f"<p class=MsoNormal dir=RTL style='text-align:right;direction:rtl'><span lang=FA style='font-family:\"B Nazanin\"'>{p}<o:p></o:p></span></p>\n"
        for p in paragraphs
    )
    return (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
        '<head><meta http-equiv=Content-Type content="text/html; charset=windows-1256">'
        '<meta name=Generator content="Microsoft Word 15 (filtered medium)">'
        "<style><!--\n/* Font Definitions */\np.MsoNormal {margin:0cm;font-size:11.0pt;}\n--></style>"
        '<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]-->'
        '</head><body lang=EN-US link="#0563C1" vlink="#954F72" style=\'word-wrap:break-word\'>'
        f"<div class=WordSection1>{inner}</div></body></html>"
    )


def outlook_alt(boundary: str, plain: str, html: str, charset: str = "windows-1256") -> str:
    return (
        f"--{boundary}\n"
        f'Content-Type: text/plain; charset="{charset}"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(plain, charset)}\n\n"
        f"--{boundary}\n"
        f'Content-Type: text/html; charset="{charset}"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html, charset)}\n\n"
        f"--{boundary}--\n"
    )


def outlook() -> None:
    subject = "قطعی سرور مجازی"
    body = legacy(f"سلام\n{ASK_DNS}\n{POLICY_MONITOR}\nبا سپاس\nعلی رضایی")
    add(
        "outlook-fa-01-new.eml",
        outlook_headers(1, word_b(legacy(subject), "windows-1256"))
        + 'Content-Type: multipart/alternative;\n\tboundary="----=_NextPart_000_0011_01D9F6C7.74B1B6A0"\n\n'
        "This is a multipart message in MIME format.\n\n"
        + outlook_alt(
            "----=_NextPart_000_0011_01D9F6C7.74B1B6A0",
            body,
            mso(*legacy(f"سلام\n{ASK_DNS}\n{POLICY_MONITOR}").split("\n")),
        ),
        {
            "sender": "ali.rezaei@corp.example.ir",
            "sender_name": legacy("علی رضایی"),
            "subject": legacy(subject),
            "recipients_include": [SUPPORT, "it@corp.example.ir"],
            "text_contains": [legacy(ASK_DNS), legacy(POLICY_MONITOR)],
            "html_contains": [legacy(POLICY_MONITOR)],
            "html_excludes": ["<style", "font-family", "<o:p", "Font Definitions"],
        },
        crlf=True,
    )

    history_fa = legacy(
        "از: پشتیبانی آلفا <support@alpha.localhost>\n"
        "ارسال شده: سه‌شنبه، 11 مهر 1402 18:30\n"
        "به: علی رضایی <ali.rezaei@corp.example.ir>\n"
        "موضوع: [#12] قطعی سرور مجازی\n\n"
        f"{POLICY_OWNER}\n"
    )
    reply = legacy(f"{ASK_MODULE}\nعلی")
    add(
        "outlook-fa-02-reply-persian-header.eml",
        outlook_headers(
            2,
            word_q(legacy("پاسخ: [#12] قطعی سرور مجازی"), "windows-1256"),
            extra=f"In-Reply-To: <{THREAD_ID}>\nReferences: <{THREAD_ID}>\n",
        )
        + 'Content-Type: text/plain; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + qp(f"{reply}\n\n________________________________\n{history_fa}", "windows-1256")
        + "\n",
        {
            "subject": legacy("پاسخ: [#12] قطعی سرور مجازی"),
            "in_reply_to": [THREAD_ID],
            "text_contains": [legacy(POLICY_OWNER), legacy("ارسال شده:")],
            "reply_equals": reply,
            "reply_excludes": [legacy(POLICY_OWNER), "support@alpha.localhost"],
        },
        crlf=True,
    )

    history_en = (
        "From: Alpha Support <support@alpha.localhost>\n"
        "Sent: Tuesday, October 3, 2023 6:30 PM\n"
        "To: Ali Rezaei <ali.rezaei@corp.example.ir>\n"
        "Subject: RE: [#12] VPS outage\n\n"
        f"{legacy(POLICY_INSTALL)}\n"
    )
    reply = legacy(THANKS)
    add(
        "outlook-fa-03-reply-english-header.eml",
        outlook_headers(3, "RE: [#12] VPS outage", extra=f"In-Reply-To: <{THREAD_ID}>\n")
        + 'Content-Type: text/plain; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + qp(f"{reply}\n\n{history_en}", "windows-1256")
        + "\n",
        {
            "subject": "RE: [#12] VPS outage",
            "reply_equals": reply,
            "reply_excludes": ["Sent: Tuesday", legacy(POLICY_INSTALL)],
            "text_contains": [legacy(POLICY_INSTALL)],
        },
        crlf=True,
    )

    reply = legacy(STILL_BROKEN)
    add(
        "outlook-fa-04-original-message.eml",
        outlook_headers(4, "RE: [#12] VPS outage", extra="X-MS-Has-Attach: \n")
        + 'Content-Type: text/plain; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + qp(
            f"{reply}\n\n-----Original Message-----\n{history_en}",
            "windows-1256",
        )
        + "\n",
        {
            "reply_equals": reply,
            "reply_excludes": ["Original Message", legacy(POLICY_INSTALL)],
        },
        crlf=True,
    )

    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style type="text/css" style="display:none;">P {margin-top:0;margin-bottom:0;}</style>'
        '</head><body dir="rtl">'
        '<div style="font-family: Tahoma; font-size: 12pt;">'
        f"{THANKS}</div>"
        '<div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="rtl"><font face="Calibri" style="font-size:11pt">'
        "<b>از:</b> پشتیبانی آلفا &lt;support@alpha.localhost&gt;<br>"
        "<b>ارسال شده:</b> سه‌شنبه ۱۱ مهر ۱۴۰۲ ۱۸:۳۰<br>"
        "<b>به:</b> علی رضایی<br><b>موضوع:</b> [#۱۲] قطعی سرور مجازی</font>"
        "<div>&nbsp;</div></div>"
        f'<div dir="rtl"><p>{POLICY_OWNER}</p></div></body></html>'
    )
    add(
        "outlook-fa-05-web-html-only.eml",
        received("DB9PR01MB1234.eurprd01.prod.outlook.com", 25)
        + f"From: {word_b('علی رضایی')} <ali.rezaei@outlook.example>\n"
        f"To: {SUPPORT}\n"
        f"Subject: {word_b('پاسخ: [#۱۲] قطعی سرور مجازی')}\n"
        "Thread-Topic: [#12] =?utf-8?B?2YLYt9i524wg2LPYsdmI2LEg2YXYrNin2LLbjA==?=\n"
        "Thread-Index: AQHZ9qFMO2oQ5LF+MAWeb25AbCdEf==\n"
        "Date: Wed, 4 Oct 2023 06:05:44 +0000\n"
        "Message-ID: <DB9PR01MB1234A1B2C3D4E5F6A7B8C9D0E1F2@DB9PR01MB1234.eurprd01.prod.outlook.com>\n"
        f"In-Reply-To: <{THREAD_ID}>\n"
        "Accept-Language: fa-IR, en-US\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n\n" + b64(html.encode()) + "\n",
        {
            "sender": "ali.rezaei@outlook.example",
            "subject": "پاسخ: [#۱۲] قطعی سرور مجازی",
            "date": "2023-10-04T06:05:44+00:00",
            "text_contains": [THANKS, POLICY_OWNER],
            "reply_equals": THANKS,
            "reply_excludes": [POLICY_OWNER, "ارسال شده:"],
            "html_contains": ['dir="rtl"', THANKS],
            "html_excludes": ["<style", "Tahoma"],
        },
        crlf=True,
    )

    tnef = b"\x78\x9f\x3e\x22" + blob("winmail", 4096)
    body = legacy(f"{ASK_INVOICE}\nفایل پیوست را ببینید.")
    add(
        "outlook-fa-06-winmail.eml",
        outlook_headers(6, word_b(legacy("درخواست فاکتور"), "windows-1256"))
        + 'Content-Type: multipart/mixed;\n\tboundary="----=_NextPart_000_0066_01D9F6C7.74B1B6A0"\n\n'
        "This is a multipart message in MIME format.\n\n"
        "------=_NextPart_000_0066_01D9F6C7.74B1B6A0\n"
        'Content-Type: text/plain; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(body, 'windows-1256')}\n\n"
        "------=_NextPart_000_0066_01D9F6C7.74B1B6A0\n"
        'Content-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="winmail.dat"\n\n'
        f"{b64(tnef)}\n\n"
        "------=_NextPart_000_0066_01D9F6C7.74B1B6A0--\n",
        {
            "subject": legacy("درخواست فاکتور"),
            "text_contains": [legacy(ASK_INVOICE)],
            "attachments": [
                {
                    "filename": "winmail.dat",
                    "content_type": "application/ms-tnef",
                    "size": len(tnef),
                    "inline": False,
                }
            ],
        },
        crlf=True,
    )

    html = mso(legacy(STILL_BROKEN)).replace(
        "</div></body>",
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
        "<p class=MsoNormal dir=RTL><b>"
        + legacy("از:")
        + "</b> Alpha Support &lt;support@alpha.localhost&gt;<br><b>"
        + legacy("ارسال شده:")
        + "</b> Tuesday, October 3, 2023 6:30 PM<br><b>"
        + legacy("موضوع:")
        + "</b> [#12]</p></div>"
        f"<p class=MsoNormal dir=RTL>{legacy(POLICY_PRIORITY)}</p></div></body>",
    )
    add(
        "outlook-fa-07-html-border-top.eml",
        outlook_headers(7, "RE: [#12]", extra=f"References: <{THREAD_ID}>\n")
        + 'Content-Type: text/html; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n" + qp(html, "windows-1256") + "\n",
        {
            "references": [THREAD_ID],
            "in_reply_to": [],
            "text_contains": [legacy(STILL_BROKEN), legacy(POLICY_PRIORITY)],
            "reply_equals": legacy(STILL_BROKEN),
            "reply_excludes": [legacy(POLICY_PRIORITY)],
        },
        crlf=True,
    )

    filename = legacy("صورتحساب مهر.xlsx")
    sheet = b"PK\x03\x04" + blob("xlsx", 3000)
    add(
        "outlook-fa-08-rfc2047-filename.eml",
        outlook_headers(8, word_b(legacy("صورتحساب"), "windows-1256"))
        + 'Content-Type: multipart/mixed;\n\tboundary="----=_NextPart_000_0088_01D9F6C7.74B1B6A0"\n\n'
        "------=_NextPart_000_0088_01D9F6C7.74B1B6A0\n"
        'Content-Type: text/plain; charset="windows-1256"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(legacy(POLICY_INCOMPLETE), 'windows-1256')}\n\n"
        "------=_NextPart_000_0088_01D9F6C7.74B1B6A0\n"
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\n"
        f'\tname="{word_b(filename, "windows-1256")}"\n'
        "Content-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment;\n"
        f'\tfilename="{word_b(filename, "windows-1256")}"\n\n'
        f"{b64(sheet)}\n\n"
        "------=_NextPart_000_0088_01D9F6C7.74B1B6A0--\n",
        {
            "text_contains": [legacy(POLICY_INCOMPLETE)],
            "attachments": [
                {
                    "filename": filename,
                    "content_type": (
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    ),
                    "size": len(sheet),
                    "inline": False,
                }
            ],
        },
        crlf=True,
    )


# --- Thunderbird ---------------------------------------------------------------------------


def thunderbird_headers(n: int, subject: str, *, extra: str = "") -> str:
    return (
        received("mail.example.ir", 40 + n)
        + f"Message-ID: <{n}b7e1f2a-3c4d-4e5f-9a0b-1c2d3e4f5a6b@example.ir>\n"
        f"Date: Thu, 5 Oct 2023 11:{n:02d}:00 +0330\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        "Content-Language: fa-IR\n"
        f"To: {SUPPORT_NAME_HEADER} <{SUPPORT}>\n"
        f"From: {word_b('رضا کریمی')} <reza@example.ir>\n"
        f"Subject: {word_b(subject)}\n"
        f"{extra}"
    )


SUPPORT_NAME_HEADER = word_b(SUPPORT_NAME)


def flow(text: str, width: int = 72) -> str:
    """format=flowed: long lines broken with a trailing space (soft break)."""
    out = []
    for line in text.split("\n"):
        prefix = ""
        while line.startswith(">"):
            prefix += ">"
            line = line[1:]
        line = line.lstrip(" ") if prefix else line
        pieces = textwrap.wrap(line, width, break_long_words=False, drop_whitespace=False) or [""]
        for i, piece in enumerate(pieces):
            soft = i < len(pieces) - 1
            piece = piece.rstrip(" ") + (" " if soft else "")
            out.append((prefix + " " if prefix else "") + piece)
    return "\n".join(out)


def thunderbird() -> None:
    long_text = f"{ASK_MODULE} {POLICY_INSTALL}"
    add(
        "thunderbird-fa-01-flowed.eml",
        thunderbird_headers(1, "خطای ماژول پرداخت")
        + "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n" + flow(long_text) + "\n",
        {
            "sender": "reza@example.ir",
            "sender_name": "رضا کریمی",
            "subject": "خطای ماژول پرداخت",
            # The soft line breaks are gone: the paragraph reads as one line again.
            "text_contains": [long_text],
        },
    )

    text = (
        f"{STILL_BROKEN}\n\nOn 10/4/23 6:30 PM, {SUPPORT_NAME} wrote:\n"
        f"> {POLICY_NEW_TICKET}\n>\n> {POLICY_OWNER}\n"
    )
    add(
        "thunderbird-fa-02-reply-wrote.eml",
        thunderbird_headers(2, "Re: [#12] خطای ماژول پرداخت", extra=f"In-Reply-To: <{THREAD_ID}>\n")
        + "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n" + flow(text) + "\n",
        {
            "subject": "Re: [#12] خطای ماژول پرداخت",
            "text_contains": [POLICY_NEW_TICKET, POLICY_OWNER],
            "reply_equals": STILL_BROKEN,
            "reply_excludes": ["wrote:", POLICY_OWNER],
        },
    )

    text = f"On 10/4/23 6:30 PM, {SUPPORT_NAME} wrote:\n> {POLICY_PRIORITY}\n\n{THANKS}\n"
    add(
        "thunderbird-fa-03-bottom-post.eml",
        thunderbird_headers(3, "Re: [#12] خطای ماژول پرداخت")
        + "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n" + flow(text) + "\n",
        {"reply_equals": THANKS, "reply_excludes": [POLICY_PRIORITY]},
    )

    html = (
        "<!DOCTYPE html>\n<html><head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        '</head>\n<body dir="rtl">\n'
        f"<p>{STILL_BROKEN}</p>\n"
        '<div class="moz-cite-prefix">On 10/4/23 6:30 PM, پشتیبانی آلفا wrote:<br></div>\n'
        '<blockquote type="cite" cite="mid:pishkhan.1.2.abc@alpha.localhost">\n'
        f"<p>{POLICY_INCOMPLETE}</p>\n</blockquote>\n"
        '<pre class="moz-signature" cols="72">-- \nرضا کریمی</pre>\n</body>\n</html>\n'
    )
    add(
        "thunderbird-fa-04-html-cite.eml",
        thunderbird_headers(4, "Re: [#12] خطای ماژول پرداخت")
        + "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
        + html,
        {
            "text_contains": [STILL_BROKEN, POLICY_INCOMPLETE],
            "reply_equals": STILL_BROKEN,
            "reply_excludes": [POLICY_INCOMPLETE, "رضا کریمی"],
            "html_contains": ['<div dir="rtl">', POLICY_INCOMPLETE],
        },
    )

    text = f"{ASK_DNS}\n\n-- \nرضا کریمی\nشرکت نمونه\n"
    flowed = flow(text, 40).replace(" \n", "  \n")  # DelSp=yes: the break space is extra
    add(
        "thunderbird-fa-05-delsp-signature.eml",
        thunderbird_headers(5, "تغییر رکوردهای DNS")
        + "Content-Type: text/plain; charset=UTF-8; format=flowed; delsp=yes\n"
        "Content-Transfer-Encoding: 8bit\n\n" + flowed + "\n",
        {
            "subject": "تغییر رکوردهای DNS",
            "text_contains": [ASK_DNS, "شرکت نمونه"],
            "reply_equals": ASK_DNS,
        },
    )


# --- Apple Mail / iPhone ---------------------------------------------------------------------


def apple_headers(
    n: int, subject: str, *, extra: str = "", mailer: str = "iPhone Mail (20G75)"
) -> str:
    return (
        received("smtp.example.ir", 60 + n) + "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n"
        "Mime-Version: 1.0 (1.0)\n"
        f"Subject: {word_b(subject)}\n"
        f"From: {word_b('سارا محمدی')} <sara@example.ir>\n"
        f"Date: Fri, 6 Oct 2023 08:{n:02d}:10 +0330\n"
        f"Message-Id: <{n}A1B2C3D-4E5F-6789-ABCD-EF0123456789@example.ir>\n"
        f"To: {SUPPORT}\n"
        f"X-Mailer: {mailer}\n"
        f"{extra}"
    )


def apple() -> None:
    text = f"{ASK_MAIL}\n\nSent from my iPhone\n"
    add(
        "apple-01-sent-from-iphone.eml",
        apple_headers(1, "ایمیل دامنه") + "\n" + b64(text.encode()) + "\n",
        {
            "sender": "sara@example.ir",
            "sender_name": "سارا محمدی",
            "text_contains": ["Sent from my iPhone"],
            "reply_equals": ASK_MAIL,
        },
    )
    text = f"{THANKS}\n\nارسال شده از iPhone من\n\n> در تاریخ ۱۴ مهر ۱۴۰۲، ساعت ۱۸:۳۰، پشتیبانی آلفا <support@alpha.localhost> نوشت:\n>\n> {POLICY_MONITOR}\n"
    add(
        "apple-02-sent-from-iphone-fa.eml",
        apple_headers(2, "پاسخ: [#۱۲] ایمیل دامنه", extra=f"In-Reply-To: <{THREAD_ID}>\n")
        + "\n"
        + b64(text.encode())
        + "\n",
        {
            "subject": "پاسخ: [#۱۲] ایمیل دامنه",
            "reply_equals": THANKS,
            "reply_excludes": ["iPhone", POLICY_MONITOR],
        },
    )
    plain = (
        f"{STILL_BROKEN}\n\n> On Oct 6, 2023, at 18:30, {SUPPORT_NAME} <{SUPPORT}> wrote:\n>\n"
        f"> {POLICY_OWNER}\n"
    )
    html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body dir="auto"><div dir="rtl">' + STILL_BROKEN + '</div><div dir="ltr"><br>'
        '<blockquote type="cite">On Oct 6, 2023, at 18:30, پشتیبانی آلفا &lt;support@alpha.localhost&gt; wrote:<br><br></blockquote></div>'
        f'<blockquote type="cite"><div dir="rtl">{POLICY_OWNER}</div></blockquote></body></html>'
    )
    add(
        "apple-03-mail-reply.eml",
        apple_headers(3, "Re: ایمیل دامنه", mailer="Apple Mail (2.3731.700.6)").replace(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
            'Content-Type: multipart/alternative; boundary="Apple-Mail=_5C1A2B3D-0003"\n',
        )
        + "\n"
        + alt("Apple-Mail=_5C1A2B3D-0003", plain, html),
        {
            "reply_equals": STILL_BROKEN,
            "reply_excludes": [POLICY_OWNER],
            "html_contains": [STILL_BROKEN],
        },
    )
    pdf_name = "رسید پرداخت.pdf"
    raw = (
        apple_headers(4, "رسید پرداخت", mailer="Apple Mail (2.3731.700.6)").replace(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
            'Content-Type: multipart/mixed; boundary="Apple-Mail=_5C1A2B3D-0004"\n',
        )
        + "\n--Apple-Mail=_5C1A2B3D-0004\n"
        "Content-Transfer-Encoding: 8bit\nContent-Type: text/plain;\n\tcharset=utf-8\n\n"
        f"{ASK_INVOICE}\n\n"
        "--Apple-Mail=_5C1A2B3D-0004\n"
        "Content-Disposition: inline;\n"
        f"\tfilename*=utf-8''{urllib.parse.quote(pdf_name)}\n"
        "Content-Type: application/pdf;\n"
        f'\tx-unix-mode=0644;\n\tname="{word_b(pdf_name)}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(PDF)}\n"
        "--Apple-Mail=_5C1A2B3D-0004\n"
        "Content-Transfer-Encoding: 8bit\nContent-Type: text/plain;\n\tcharset=utf-8\n\n"
        f"{POLICY_QUALITY}\n\n"
        "--Apple-Mail=_5C1A2B3D-0004--\n"
    )
    add(
        "apple-04-inline-pdf-between-text.eml",
        raw,
        {
            # Apple Mail splits the text around an inline file: both halves are the body.
            "text_contains": [ASK_INVOICE, POLICY_QUALITY],
            "attachments": [
                {
                    "filename": pdf_name,
                    "content_type": "application/pdf",
                    "size": len(PDF),
                    "inline": True,
                }
            ],
        },
    )


# --- Legacy charsets -------------------------------------------------------------------------


def plain_headers(
    n: int, subject: str, *, sender: str = "hamid@example.ir", extra: str = ""
) -> str:
    return (
        received("old.example.ir", 80 + n) + f"From: {sender}\n"
        f"To: {SUPPORT}\n"
        f"Subject: {subject}\n"
        f"Date: Sat, 7 Oct 2023 12:{n:02d}:00 +0330\n"
        f"Message-ID: <legacy.{n}.20231007@old.example.ir>\n"
        f"{extra}"
    )


def legacy_charsets() -> None:
    body = legacy(f"{ASK_MAIL}\n{POLICY_TICKET_LANGUAGE}\n")
    add(
        "legacy-cp1256-01-8bit.eml",
        plain_headers(
            1,
            word_b(legacy("ایمیل"), "windows-1256"),
            extra="X-Mailer: Microsoft Outlook Express 6.00.2900.5931\nMIME-Version: 1.0\n",
        ).encode()
        + b'Content-Type: text/plain;\n\tcharset="windows-1256"\nContent-Transfer-Encoding: 8bit\n\n'
        + body.encode("cp1256"),
        {
            "sender": "hamid@example.ir",
            "sender_name": "",
            "subject": legacy("ایمیل"),
            "text_contains": [legacy(ASK_MAIL), legacy(POLICY_TICKET_LANGUAGE)],
        },
    )
    add(
        "legacy-iso8859-6-02-qp.eml",
        plain_headers(
            2,
            word_q("خدمات", "iso-8859-6"),
            extra="MIME-Version: 1.0\n",
        )
        + 'Content-Type: text/plain; charset="iso-8859-6"\nContent-Transfer-Encoding: quoted-printable\n\n'
        + qp(TERMS_ARABIC_LETTERS, "iso8859_6")
        + "\n",
        {"subject": "خدمات", "text_contains": [TERMS_ARABIC_LETTERS]},
    )
    # No charset at all, and 8-bit windows-1256 bytes: what an old web form relays.
    add(
        "legacy-cp1256-03-no-charset.eml",
        plain_headers(3, "support request", extra="MIME-Version: 1.0\n").encode()
        + b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
        + legacy(f"{ASK_DNS}\n{POLICY_INCOMPLETE}\n").encode("cp1256"),
        {"subject": "support request", "text_contains": [legacy(ASK_DNS)]},
    )
    # A raw 8-bit windows-1256 subject, no encoded words: Persian Windows mail relays still do it.
    add(
        "legacy-cp1256-04-raw-subject.eml",
        plain_headers(
            4, "@@SUBJECT@@", sender='"hamid" <hamid@example.ir>', extra="MIME-Version: 1.0\n"
        )
        .encode()
        .replace(b"@@SUBJECT@@", legacy("درخواست تمدید").encode("cp1256"))
        + b"Content-Type: text/plain; charset=windows-1256\nContent-Transfer-Encoding: 8bit\n\n"
        + legacy(ASK_INVOICE + "\n").encode("cp1256"),
        {
            "subject": legacy("درخواست تمدید"),
            "sender_name": "hamid",
            "text_contains": [legacy(ASK_INVOICE)],
        },
    )
    add(
        "legacy-iso8859-6-05-base64.eml",
        plain_headers(5, word_b("خدمات باكيفيت", "iso-8859-6"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=ISO-8859-6\nContent-Transfer-Encoding: base64\n\n"
        + b64(TERMS_ARABIC_LETTERS.encode("iso8859_6"))
        + "\n",
        {"subject": "خدمات باكيفيت", "text_contains": [TERMS_ARABIC_LETTERS]},
    )
    # Declared Latin-1, really UTF-8: reading it as declared is the classic "Ø³Ù„Ø§Ù…".
    add(
        "legacy-mislabelled-06-latin1-utf8.eml",
        plain_headers(6, "webmail", extra="MIME-Version: 1.0\n").encode()
        + b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        + (ASK_MODULE + "\n").encode(),
        {"text_contains": [ASK_MODULE]},
    )
    add(
        "legacy-cp1256-07-qp-html-only.eml",
        plain_headers(7, word_q(legacy("سرور"), "windows-1256"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: text/html; charset="windows-1256"\nContent-Transfer-Encoding: quoted-printable\n\n'
        + qp(
            f'<html dir="rtl"><body><p>{legacy(POLICY_MONITOR)}</p><p>{legacy(ASK_DNS)}<br>'
            "&#1587;&#1604;&#1575;&#1605;</p></body></html>",
            "windows-1256",
        )
        + "\n",
        {
            "subject": legacy("سرور"),
            "text_contains": [legacy(POLICY_MONITOR), legacy(ASK_DNS), "سلام"],
            "html_contains": ['<div dir="rtl">'],
        },
    )


# --- Encoded headers -------------------------------------------------------------------------


def encoded_headers() -> None:
    subject = "درخواست پشتیبانی فوری"
    add(
        "headers-01-subject-b.eml",
        plain_headers(
            1,
            word_b(subject),
            sender=f"{word_b('نیما')} <Nima.Kh@Example.IR>",
            extra="MIME-Version: 1.0\n",
        )
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        + POLICY_PRIORITY
        + "\n",
        {
            "sender": "nima.kh@example.ir",
            "sender_name": "نیما",
            "subject": subject,
            "text_contains": [POLICY_PRIORITY],
        },
    )
    add(
        "headers-02-subject-q.eml",
        plain_headers(2, word_q(subject), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp(POLICY_PRIORITY, "utf-8")
        + "\n",
        {"subject": subject, "text_contains": [POLICY_PRIORITY]},
    )
    # A mailer that cuts encoded words by bytes: one Persian letter spans two words.
    data = "پاسخ: [#۱۲] سرور مجازی از دسترس خارج شده است".encode()
    words = [data[i : i + 13] for i in range(0, len(data), 13)]
    folded = "\n ".join(f"=?UTF-8?B?{base64.b64encode(w).decode()}?=" for w in words)
    add(
        "headers-03-split-multibyte-words.eml",
        plain_headers(3, folded, extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        + STILL_BROKEN
        + "\n",
        {"subject": "پاسخ: [#۱۲] سرور مجازی از دسترس خارج شده است"},
    )
    add(
        "headers-04-mixed-words-and-ascii.eml",
        plain_headers(
            4,
            f"Re: [#12] {word_q(legacy('قطعی'), 'windows-1256')}\n {word_b('سرور مجازی')}  VPS-12",
            extra=f"MIME-Version: 1.0\nIn-Reply-To: <{THREAD_ID}>\n",
        )
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        + THANKS
        + "\n",
        {"subject": f"Re: [#12] {legacy('قطعی')}سرور مجازی VPS-12", "in_reply_to": [THREAD_ID]},
    )
    add(
        "headers-05-raw-utf8.eml",
        (
            received("smtputf8.example.ir", 95) + f'From: "{CUSTOMER_NAME}" <{CUSTOMER}>\n'
            f'To: "{SUPPORT_NAME}" <{SUPPORT}>\n'
            "Subject: سوال درباره   تمدید\n\tسرویس\n"
            "Date: Sat, 7 Oct 2023 13:05:00 +0330\n"
            "Message-ID: <raw-utf8-05@example.ir>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{POLICY_OWNER}\n"
        ),
        {
            "sender": CUSTOMER,
            "sender_name": CUSTOMER_NAME,
            "subject": "سوال درباره تمدید سرویس",
            "text_contains": [POLICY_OWNER],
        },
    )
    add(
        "headers-06-date-minus-zero.eml",
        plain_headers(6, "Invoice", extra="MIME-Version: 1.0\n").replace(
            "Date: Sat, 7 Oct 2023 12:06:00 +0330", "Date: 7 Oct 2023 08:36:00 -0000"
        )
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + ASK_INVOICE
        + "\n",
        {"date": "2023-10-07T08:36:00+00:00", "text_contains": [ASK_INVOICE]},
    )


# --- Attachments -------------------------------------------------------------------------------


def attachments() -> None:
    name = "گزارش خطای سرور.txt"
    log = "خطای ۵۵۰ در ارسال ایمیل\nerror 550 5.7.1\n".encode()
    add(
        "attachment-01-rfc2231-persian.eml",
        plain_headers(1, word_b("گزارش خطا"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_att01"\n\n'
        "--=_att01\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        f"{ASK_MAIL}\n"
        "--=_att01\n"
        "Content-Type: text/plain; charset=utf-8\n"
        f"Content-Disposition: attachment; filename*=UTF-8''{urllib.parse.quote(name)}\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(log)}\n"
        "--=_att01--\n",
        {
            "text_contains": [ASK_MAIL],
            "text_excludes": ["error 550"],
            "attachments": [
                {"filename": name, "content_type": "text/plain", "size": len(log), "inline": False}
            ],
        },
    )
    # RFC 2231 continuations: a long Persian name split into numbered, encoded pieces.
    name = "قرارداد پشتیبانی سالانه شرکت نمونه - نسخه نهایی.docx"
    quoted = urllib.parse.quote(name)
    # Pieces end on whole %XX escapes, but a Persian letter's two bytes may straddle two.
    tokens = re.findall(r"%[0-9A-F]{2}|[^%]", quoted)
    pieces = ["".join(tokens[i : i + 21]) for i in range(0, len(tokens), 21)]
    params = ";\n".join(
        f"\tfilename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{piece}"
        for i, piece in enumerate(pieces)
    )
    doc = b"PK\x03\x04" + blob("docx", 5000)
    add(
        "attachment-02-rfc2231-continuations.eml",
        plain_headers(2, word_b("قرارداد"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_att02"\n\n'
        "--=_att02\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{POLICY_OWNER}\n"
        "--=_att02\n"
        "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\n"
        f"Content-Disposition: attachment;\n{params}\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(doc)}\n"
        "--=_att02--\n",
        {
            "attachments": [
                {
                    "filename": name,
                    "content_type": (
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    ),
                    "size": len(doc),
                    "inline": False,
                }
            ]
        },
    )
    jpg = b"\xff\xd8\xff\xe0" + blob("jpg", 12000)
    csv = "ردیف,سرویس,مبلغ\n1,هاست,۲۵۰۰۰۰۰\n".encode()
    add(
        "attachment-03-several.eml",
        plain_headers(3, word_b("مدارک"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_att03"\n\n'
        "--=_att03\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{POLICY_TICKET_LANGUAGE}\n"
        "--=_att03\n"
        'Content-Type: image/jpeg; name="scan.jpg"\n'
        'Content-Disposition: attachment; filename="scan.jpg"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(jpg)}\n"
        "--=_att03\n"
        "Content-Type: text/csv; charset=utf-8\n"
        f"Content-Disposition: attachment; filename*=utf-8''{urllib.parse.quote('لیست سرویس‌ها.csv')}\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(csv)}\n"
        "--=_att03\n"
        "Content-Type: application/octet-stream\n"
        "Content-Disposition: attachment\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(b'no name')}\n"
        "--=_att03--\n",
        {
            "attachments": [
                {
                    "filename": "scan.jpg",
                    "content_type": "image/jpeg",
                    "size": len(jpg),
                    "inline": False,
                },
                {
                    "filename": "لیست سرویس‌ها.csv",
                    "content_type": "text/csv",
                    "size": len(csv),
                    "inline": False,
                },
                {
                    "filename": "attachment-3.bin",
                    "content_type": "application/octet-stream",
                    "size": 7,
                    "inline": False,
                },
            ],
            "text_contains": [POLICY_TICKET_LANGUAGE],
        },
    )
    add(
        "attachment-04-path-in-filename.eml",
        plain_headers(4, "files", extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_att04"\n\n'
        "--=_att04\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{ASK_BACKUP}\n"
        "--=_att04\n"
        'Content-Type: application/zip; name="C:\\\\Users\\\\maryam\\\\backup.zip"\n'
        'Content-Disposition: attachment; filename="..\\\\..\\\\backup.zip"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(b'PK' + blob('zip', 100))}\n"
        "--=_att04--\n",
        {
            "attachments": [
                {
                    "filename": "backup.zip",
                    "content_type": "application/zip",
                    "size": 102,
                    "inline": False,
                }
            ]
        },
    )


# --- Forwarded ---------------------------------------------------------------------------------


def forwarded() -> None:
    inner = (
        "From: =?utf-8?B?2YjYp9it2K8g2YHYsdmI2LQ=?= <sales@hosting.example.ir>\n"
        f"To: {CUSTOMER}\n"
        f"Subject: {word_b('قوانین پشتیبانی')}\n"
        "Date: Sat, 30 Sep 2023 09:15:00 +0330\n"
        "Message-ID: <inner-1@hosting.example.ir>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        f"{b64(POLICY_OWNER.encode())}\n"
    )
    add(
        "forward-01-rfc822.eml",
        gmail_headers(11, "Fwd: قوانین پشتیبانی")
        + 'Content-Type: multipart/mixed; boundary="=_fwd01"\n\n'
        "--=_fwd01\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "پیام واحد فروش را پیوست کردم.\n"
        "--=_fwd01\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n"
        f"{inner}\n"
        "--=_fwd01--\n",
        {
            "subject": "Fwd: قوانین پشتیبانی",
            "message_id": "CAHk7Rq0011xQ+fa=V9p@mail.gmail.com",
            "text_contains": [
                "پیام واحد فروش را پیوست کردم.",
                POLICY_OWNER,
                "واحد فروش <sales@hosting.example.ir>",
            ],
            "reply_contains": [POLICY_OWNER],
        },
    )
    inner2 = (
        "From: billing@hosting.example.ir\n"
        f"Subject: {word_b('صورتحساب')}\n"
        "Date: Sun, 1 Oct 2023 10:00:00 +0330\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="=_inner02"\n\n'
        "--=_inner02\nContent-Type: text/html; charset=utf-8\n\n"
        f'<p dir="rtl">{POLICY_INSTALL}</p>\n'
        "--=_inner02\n"
        "Content-Type: application/pdf\n"
        f"Content-Disposition: attachment; filename*=utf-8''{urllib.parse.quote('صورتحساب.pdf')}\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(PDF)}\n"
        "--=_inner02--\n"
    )
    add(
        "forward-02-rfc822-attachment.eml",
        gmail_headers(12, "Fwd: صورتحساب") + 'Content-Type: multipart/mixed; boundary="=_fwd02"\n\n'
        "--=_fwd02\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{ASK_INVOICE}\n"
        "--=_fwd02\nContent-Type: message/rfc822\n"
        f'Content-Disposition: attachment; filename="{word_b("صورتحساب")}.eml"\n\n'
        f"{inner2}\n"
        "--=_fwd02--\n",
        {
            "text_contains": [ASK_INVOICE, POLICY_INSTALL],
            "html_empty": True,
            "attachments": [
                {
                    "filename": "صورتحساب.pdf",
                    "content_type": "application/pdf",
                    "size": len(PDF),
                    "inline": False,
                }
            ],
        },
    )
    text = (
        "Please see the customer's message below.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Customer <customer@example.ir>\n"
        "Date: Mon, Oct 2, 2023 at 9:00 AM\n"
        "Subject: Hosting renewal\n"
        "To: <sales@alpha.localhost>\n\n"
        f"{ASK_INVOICE}\n"
    )
    add(
        "forward-03-inline-english.eml",
        plain_headers(
            8,
            "Fwd: Hosting renewal",
            sender="Sales <sales@partner.example>",
            extra="MIME-Version: 1.0\n",
        )
        + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp(text, "utf-8")
        + "\n",
        {
            "sender": "sales@partner.example",
            "sender_name": "Sales",
            "text_contains": [ASK_INVOICE],
            "reply_contains": ["Forwarded message", ASK_INVOICE],
        },
    )


# --- Replies -----------------------------------------------------------------------------------


def replies() -> None:
    text = (
        "Thanks, the DNS records are correct now.\n\n"
        "On Tue, Oct 3, 2023 at 6:30 PM Alpha Support <support@alpha.localhost> wrote:\n\n"
        "> Please check the MX records of your domain.\n> \n> Regards\n"
    )
    add(
        "reply-en-01-gmail-quote.eml",
        plain_headers(
            1,
            "Re: [#12] DNS records",
            sender="John Doe <john@example.com>",
            extra=f"MIME-Version: 1.0\nIn-Reply-To: <{THREAD_ID}>\nReferences: <pishkhan.1.1.zzz@alpha.localhost> <{THREAD_ID}>\n",
        )
        + "Content-Type: text/plain; charset=UTF-8\n\n"
        + text,
        {
            "sender": "john@example.com",
            "sender_name": "John Doe",
            "subject": "Re: [#12] DNS records",
            "in_reply_to": [THREAD_ID],
            "references": ["pishkhan.1.1.zzz@alpha.localhost", THREAD_ID],
            "reply_equals": "Thanks, the DNS records are correct now.",
        },
    )
    text = f"{STILL_BROKEN}\n\n> {POLICY_MONITOR}\n> {POLICY_PRIORITY}\n"
    add(
        "reply-fa-02-tail-quote.eml",
        plain_headers(2, word_b("پاسخ: [#۱۲] سرور"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + b64(text.encode())
        + "\n",
        {
            "subject": "پاسخ: [#۱۲] سرور",
            "reply_equals": STILL_BROKEN,
            "reply_excludes": [POLICY_MONITOR],
        },
    )
    text = (
        f"> {POLICY_PRIORITY}\n\nاولویت را «مهم» انتخاب کردم.\n\n"
        f"> {POLICY_INCOMPLETE}\n\nهمه اطلاعات را کامل فرستادم.\n"
    )
    add(
        "reply-fa-03-interleaved.eml",
        plain_headers(3, word_b("پاسخ: [#۱۲] اولویت"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + b64(text.encode())
        + "\n",
        {
            # Answers between quotes keep their quotes: without them they mean nothing.
            "reply_contains": [
                POLICY_PRIORITY,
                "اولویت را «مهم» انتخاب کردم.",
                "همه اطلاعات را کامل فرستادم.",
            ],
        },
    )
    text = (
        "در تاریخ ۱۲ مهر ۱۴۰۲، پشتیبانی آلفا <support@alpha.localhost> نوشت:\n"
        f"> {POLICY_NEW_TICKET}\n"
    )
    add(
        "reply-fa-04-only-quote.eml",
        plain_headers(4, word_b("پاسخ: [#۱۲]"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + b64(text.encode())
        + "\n",
        {
            # Nothing but the quote: the message is kept whole rather than emptied.
            "reply_contains": [POLICY_NEW_TICKET],
            "reply_equals_text": True,
        },
    )
    add(
        "reply-05-ticket-reference-en.eml",
        plain_headers(5, "Re: [#12] Hosting renewal", extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + THANKS
        + "\n",
        {
            "subject": "Re: [#12] Hosting renewal",
            "in_reply_to": [],
            "references": [],
            "subject_reference": 12,
        },
    )
    add(
        "reply-06-ticket-reference-fa.eml",
        plain_headers(6, word_b("پاسخ: [#۱۲] تمدید هاست"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + THANKS
        + "\n",
        {"subject": "پاسخ: [#۱۲] تمدید هاست", "in_reply_to": [], "subject_reference": 12},
    )
    add(
        "reply-07-references-chain.eml",
        plain_headers(
            7,
            "Re: Re: hosting",
            extra=(
                "MIME-Version: 1.0\n"
                "In-Reply-To: <pishkhan.1.2.abc@alpha.localhost> (Alpha Support's message of "
                '"Tue, 3 Oct 2023")\n'
                "References: <CAHk7Rq0001xQ+fa=V9p@mail.gmail.com>\n"
                "\t<pishkhan.1.1.zzz@alpha.localhost>\n\t<pishkhan.1.2.abc@alpha.localhost>\n"
            ),
        )
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + THANKS
        + "\n",
        {
            "in_reply_to": [THREAD_ID],
            "references": [
                "CAHk7Rq0001xQ+fa=V9p@mail.gmail.com",
                "pishkhan.1.1.zzz@alpha.localhost",
                THREAD_ID,
            ],
        },
    )
    add(
        "reply-08-no-message-id.eml",
        (
            received("cgi.example.ir", 99) + f"From: {CUSTOMER}\nTo: {SUPPORT}\n"
            f"Subject: {word_b('فرم تماس')}\n"
            "Date: Sun, 8 Oct 2023 07:00:00 +0330\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{ASK_DNS}\n"
        ),
        {"message_id": "", "sender": CUSTOMER, "text_contains": [ASK_DNS]},
    )
    text = (
        "This is the answer.\r\n\r\n"
        "-----Original Message-----\r\nFrom: Alpha Support [mailto:support@alpha.localhost]\r\n"
        "Sent: Tuesday, October 3, 2023 6:30 PM\r\nTo: John\r\nSubject: [#12]\r\n\r\nOld text here.\r\n"
    )
    add(
        "reply-en-09-outlook-original.eml",
        plain_headers(9, "RE: [#12]", sender="john@example.com", extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=us-ascii\n\n"
        + text,
        {"reply_equals": "This is the answer.", "reply_excludes": ["Old text here."]},
    )


# --- Automatic mail ----------------------------------------------------------------------------


def auto() -> None:
    def auto_mail(n: int, headers: str, subject: str = "Re: hosting", body: str = "") -> str:
        return (
            plain_headers(
                n,
                subject,
                sender="Office <office@example.ir>",
                extra="MIME-Version: 1.0\n" + headers,
            )
            + "Content-Type: text/plain; charset=utf-8\n\n"
            + (body or "در حال حاضر در مرخصی هستم و پس از بازگشت پاسخ می‌دهم.")
            + "\n"
        )

    cases = [
        (
            "auto-01-auto-submitted.eml",
            "Auto-Submitted: auto-replied (vacation)\n",
            "Auto-Submitted",
        ),
        ("auto-02-auto-generated.eml", "Auto-Submitted: auto-generated\n", "Auto-Submitted"),
        ("auto-03-precedence-bulk.eml", "Precedence: bulk\n", "Precedence"),
        ("auto-04-precedence-auto-reply.eml", "Precedence: auto_reply\n", "Precedence"),
        ("auto-05-x-autoreply.eml", "X-Autoreply: yes\n", "X-Autoreply"),
        ("auto-06-x-autorespond.eml", "X-Autorespond: Out of office\n", "X-Autorespond"),
        (
            "auto-07-x-auto-response-suppress.eml",
            "X-Auto-Response-Suppress: All\n",
            "X-Auto-Response-Suppress",
        ),
        ("auto-08-x-autogenerated.eml", "X-Autogenerated: Reply\n", "X-Autogenerated"),
        ("auto-09-x-loop.eml", "X-Loop: office@example.ir\n", "X-Loop"),
        ("auto-10-return-path-null.eml", "Return-Path: <>\n", "Return-Path"),
        (
            "auto-14-suppress-oof.eml",
            "X-Auto-Response-Suppress: DR, OOF, AutoReply\n",
            "X-Auto-Response-Suppress",
        ),
        ("auto-15-precedence-junk.eml", "Precedence: junk\n", "Precedence"),
    ]
    for i, (name, header, why) in enumerate(cases, start=1):
        add(name, auto_mail(i, header), {"auto": True, "auto_contains": why, "bounce": None})
    add(
        "auto-11-subject-automatic-reply.eml",
        auto_mail(11, "", "Automatic reply: [#12] hosting"),
        {"auto": True, "auto_contains": "vacation", "subject": "Automatic reply: [#12] hosting"},
    )
    add(
        "auto-12-subject-fa.eml",
        auto_mail(12, "", word_b("پاسخ خودکار: [#۱۲] تمدید هاست")),
        {"auto": True, "auto_contains": "vacation", "subject": "پاسخ خودکار: [#۱۲] تمدید هاست"},
    )
    add(
        "auto-13-subject-out-of-office-fa.eml",
        auto_mail(13, "", word_b("خارج از دفتر تا ۱۵ مهر")),
        {"auto": True, "auto_contains": "vacation"},
    )
    add(
        "auto-16-auto-submitted-no.eml",
        auto_mail(16, "Auto-Submitted: no\n", "Hosting renewal", ASK_INVOICE),
        # "no" is the explicit statement that a person wrote it.
        {"auto": False, "bounce": None, "text_contains": [ASK_INVOICE]},
    )
    add(
        "auto-17-mailer-daemon-sender.eml",
        auto_mail(17, "", "Warning: message delayed").replace(
            "From: Office <office@example.ir>",
            "From: MAILER-DAEMON@mx.example.ir (Mail Delivery System)",
        ),
        {"auto": True, "auto_contains": "mail system", "bounce": None},
    )


# --- Bounces -----------------------------------------------------------------------------------


def bounces() -> None:
    original = (
        f"From: {SUPPORT_NAME_HEADER} <{SUPPORT}>\n"
        "To: lost@example.ir\n"
        "Subject: [#12] =?utf-8?B?2KrbjNqp2Ko=?=\n"
        f"Message-ID: <{THREAD_ID}>\n"
    )
    add(
        "bounce-01-postfix-dsn.eml",
        "Return-Path: <>\n"
        + received("mx.alpha.localhost", 101)
        + "Date: Mon,  9 Oct 2023 10:00:01 +0330 (IRST)\n"
        "From: MAILER-DAEMON@mx.alpha.localhost (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"To: {SUPPORT}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="4S3m2k1Z9cz9sQZ.1696833001/mx.alpha.localhost"\n'
        "Message-Id: <4S3m2k1Z9cz9sQZ@mx.alpha.localhost>\n\n"
        "This is a MIME-encapsulated message.\n\n"
        "--4S3m2k1Z9cz9sQZ.1696833001/mx.alpha.localhost\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.alpha.localhost.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "                   The mail system\n\n"
        "<lost@example.ir>: host mx.example.ir[185.55.225.1] said: 550 5.1.1\n"
        "    <lost@example.ir>: Recipient address rejected: User unknown in virtual\n"
        "    mailbox table (in reply to RCPT TO command)\n\n"
        "--4S3m2k1Z9cz9sQZ.1696833001/mx.alpha.localhost\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.alpha.localhost\n"
        "X-Postfix-Queue-ID: 4S3m2k1Z9cz9sQZ\n"
        f"X-Postfix-Sender: rfc822; {SUPPORT}\n"
        "Arrival-Date: Mon,  9 Oct 2023 10:00:00 +0330 (IRST)\n\n"
        "Final-Recipient: rfc822; lost@example.ir\n"
        "Original-Recipient: rfc822;lost@example.ir\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mx.example.ir\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <lost@example.ir>: Recipient address rejected:\n"
        "    User unknown in virtual mailbox table\n\n"
        "--4S3m2k1Z9cz9sQZ.1696833001/mx.alpha.localhost\n"
        "Content-Description: Undelivered Message Headers\n"
        "Content-Type: text/rfc822-headers\n\n"
        f"{original}\n"
        "--4S3m2k1Z9cz9sQZ.1696833001/mx.alpha.localhost--\n",
        {
            "bounce": {"failed": ["lost@example.ir"], "reason_contains": "5.1.1"},
            "auto": True,
            "sender": "mailer-daemon@mx.alpha.localhost",
        },
    )
    add(
        "bounce-02-exchange-dsn.eml",
        received("EXCH01.corp.example.ir", 102)
        + "From: Microsoft Outlook\n <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@corp.example.ir>\n"
        f"To: {SUPPORT}\n"
        "Date: Mon, 9 Oct 2023 06:40:12 +0000\n"
        "Subject: Undeliverable: [#12] =?utf-8?B?2KrbjNqp2Ko=?=\n"
        "Message-ID: <2f1e3d4c-5b6a-4789-8abc-def012345678@EXCH01.corp.example.ir>\n"
        "Auto-Submitted: auto-replied\n"
        "X-MS-Exchange-Message-Is-Ndr:\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        '\tboundary="9d3c2b1a-0f1e-4d2c-8b3a-112233445566"\n\n'
        "--9d3c2b1a-0f1e-4d2c-8b3a-112233445566\n"
        "Content-Type: multipart/alternative; differences=Content-Type;\n"
        '\tboundary="7a6b5c4d-3e2f-4a1b-9c8d-aabbccddeeff"\n\n'
        "--7a6b5c4d-3e2f-4a1b-9c8d-aabbccddeeff\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Delivery has failed to these recipients or groups:\n\n"
        "Old Address (old.address@corp.example.ir)\n"
        "The email address you entered couldn't be found.\n\n"
        "--7a6b5c4d-3e2f-4a1b-9c8d-aabbccddeeff\n"
        'Content-Type: text/html; charset="us-ascii"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        '<html><body><p><b><font color=3D"#000066">Delivery has failed</font></b></p>'
        '<a href=3D"mailto:old.address@corp.example.ir">Old Address</a></body></html>\n\n'
        "--7a6b5c4d-3e2f-4a1b-9c8d-aabbccddeeff--\n\n"
        "--9d3c2b1a-0f1e-4d2c-8b3a-112233445566\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns;EXCH01.corp.example.ir\n"
        "Received-From-MTA: dns;mx.alpha.localhost\n"
        "Arrival-Date: Mon, 9 Oct 2023 06:40:10 +0000\n\n"
        "Original-Recipient: rfc822;Old.Address@corp.example.ir\n"
        "Final-Recipient: rfc822;old.address@corp.example.ir\n"
        "Action: failed\n"
        "Status: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n\n"
        "--9d3c2b1a-0f1e-4d2c-8b3a-112233445566\n"
        "Content-Type: message/rfc822\n\n"
        f"{original}\n(body)\n\n"
        "--9d3c2b1a-0f1e-4d2c-8b3a-112233445566--\n",
        {
            "bounce": {
                "failed": ["old.address@corp.example.ir"],
                "reason_contains": "RecipientNotFound",
            },
            "auto": True,
            "text_excludes": ["(body)"],
        },
    )
    add(
        "bounce-03-gmail-dsn.eml",
        received("mail-sor-f69.google.com", 103)
        + "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
        f"To: {SUPPORT}\n"
        "Auto-Submitted: auto-replied\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "Date: Mon, 09 Oct 2023 03:12:44 -0700 (PDT)\n"
        "Message-ID: <6523d5bc.050a0220.bounce.1234@mx.google.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; boundary="00000000000009a1b2c3d4e5f6"; report-type=delivery-status\n\n'
        "--00000000000009a1b2c3d4e5f6\n"
        'Content-Type: multipart/related; boundary="00000000000009a1b2c3d4e5f7"\n\n'
        "--00000000000009a1b2c3d4e5f7\n"
        'Content-Type: multipart/alternative; boundary="00000000000009a1b2c3d4e5f8"\n\n'
        "--00000000000009a1b2c3d4e5f8\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        "\n** Address not found **\n\n"
        "Your message wasn't delivered to nobody.here@gmail.com because the address couldn't be found, or is unable to receive mail.\n\n"
        "The response from the remote server was:\n"
        "550 5.1.1 The email account that you tried to reach does not exist.\n\n"
        "--00000000000009a1b2c3d4e5f8--\n"
        "--00000000000009a1b2c3d4e5f7--\n"
        "--00000000000009a1b2c3d4e5f6\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; googlemail.com\n"
        "Received-From-MTA: dns; mx.alpha.localhost\n\n"
        "Final-Recipient: rfc822; nobody.here@gmail.com\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.27.26, the server for the domain gmail.com.)\n"
        "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\n"
        "Last-Attempt-Date: Mon, 09 Oct 2023 03:12:44 -0700 (PDT)\n\n"
        "--00000000000009a1b2c3d4e5f6\n"
        "Content-Type: message/rfc822\n\n"
        f"{original}\n(body)\n"
        "--00000000000009a1b2c3d4e5f6--\n",
        {
            "bounce": {"failed": ["nobody.here@gmail.com"], "reason_contains": "5.1.1"},
            "sender": "mailer-daemon@googlemail.com",
            "date": "2023-10-09T03:12:44-07:00",
        },
    )
    add(
        "bounce-04-qmail-failure-notice.eml",
        "Return-Path: <>\n"
        + received("mail.oldhost.example", 104)
        + "Date: 9 Oct 2023 07:00:00 -0000\n"
        "From: MAILER-DAEMON@mail.oldhost.example\n"
        f"To: {SUPPORT}\n"
        "Subject: failure notice\n\n"
        "Hi. This is the qmail-send program at mail.oldhost.example.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<gone@oldhost.example>:\n"
        "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"Return-Path: <{SUPPORT}>\n"
        f"{original}\n",
        {"bounce": {"failed": ["gone@oldhost.example"], "reason_contains": "no mailbox here"}},
    )
    add(
        "bounce-05-postfix-plain.eml",
        received("relay.example.net", 105)
        + "From: Mail Delivery System <MAILER-DAEMON@relay.example.net>\n"
        f"To: {SUPPORT}\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Mon, 9 Oct 2023 11:00:00 +0330\n"
        "Message-ID: <plain-bounce-05@relay.example.net>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host relay.example.net.\n\n"
        "<full.box@example.ir>: host mx.example.ir said: 552 5.2.2 Mailbox full\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        f"{original}\n",
        {"bounce": {"failed": ["full.box@example.ir"], "reason_contains": "552 5.2.2"}},
    )
    add(
        "bounce-06-delay-dsn.eml",
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.alpha.localhost (Mail Delivery System)\n"
        "Subject: Delayed Mail (still being retried)\n"
        f"To: {SUPPORT}\n"
        "Date: Mon, 9 Oct 2023 14:00:00 +0330\n"
        "Message-ID: <delay-06@mx.alpha.localhost>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dly06"\n\n'
        "--dly06\nContent-Type: text/plain\n\nYour message has not been delivered yet.\n"
        "--dly06\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.alpha.localhost\n\n"
        "Final-Recipient: rfc822; slow@example.ir\n"
        "Action: delayed\nStatus: 4.4.1\n"
        "--dly06--\n",
        # A delay is not a failure: automatic, but the address is not marked failing.
        {"bounce": None, "auto": True, "auto_contains": "delay"},
    )


# --- Lists and other noise ---------------------------------------------------------------------


def lists() -> None:
    add(
        "list-01-newsletter.eml",
        plain_headers(
            1,
            word_b("خبرنامه مهر"),
            sender="news@hosting.example.ir",
            extra=(
                "MIME-Version: 1.0\n"
                "List-Id: Hosting news <news.hosting.example.ir>\n"
                "List-Unsubscribe: <mailto:unsubscribe@hosting.example.ir>, <https://hosting.example.ir/u/1>\n"
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
            ),
        )
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + POLICY_QUALITY
        + "\n",
        {"auto": True, "auto_contains": "list", "text_contains": [POLICY_QUALITY]},
    )
    add(
        "list-02-discussion-list.eml",
        plain_headers(
            2,
            "[hosting-users] DNS question",
            sender="someone@example.org",
            extra=(
                "MIME-Version: 1.0\n"
                "List-Id: <hosting-users.lists.example.org>\n"
                "List-Post: <mailto:hosting-users@lists.example.org>\n"
                "Sender: hosting-users-bounces@lists.example.org\n"
            ),
        )
        + "Content-Type: text/plain; charset=utf-8\n\n"
        + ASK_DNS
        + "\n",
        {"auto": True, "auto_contains": "List-Id", "sender": "someone@example.org"},
    )
    html = (
        '<html><body dir="rtl"><p onclick="steal()">' + ASK_MODULE + "</p>"
        "<script>alert('x')</script>"
        '<a href="javascript:alert(1)">لینک</a> <a href="https://alpha.localhost/t/12">تیکت</a>'
        '<img src="x" onerror="alert(2)"><iframe src="https://evil.example"></iframe>'
        '<form action="https://evil.example"><input name="password"></form>'
        '<div style="position:fixed;top:0">overlay</div></body></html>'
    )
    add(
        "html-01-hostile-markup.eml",
        plain_headers(3, word_b("صفحه پرداخت"), extra="MIME-Version: 1.0\n")
        + "Content-Type: text/html; charset=utf-8\n\n"
        + html
        + "\n",
        {
            "auto": False,
            "text_contains": [ASK_MODULE, "overlay"],
            "text_excludes": ["alert"],
            "html_contains": [ASK_MODULE, 'href="https://alpha.localhost/t/12"'],
            "html_excludes": [
                "<script",
                "onclick",
                "onerror",
                "javascript:",
                "<iframe",
                "<form",
                "position:fixed",
            ],
        },
    )


# --- Malformed ---------------------------------------------------------------------------------


def malformed() -> None:
    add(
        "malformed-01-missing-boundary.eml",
        plain_headers(1, "broken", extra="MIME-Version: 1.0\n")
        + "Content-Type: multipart/mixed\n\n"
        "--\nContent-Type: text/plain\n\nno boundary parameter anywhere\n",
        {"malformed": "boundary"},
    )
    add(
        "malformed-02-boundary-never-appears.eml",
        plain_headers(2, "broken", extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/alternative; boundary="expected-boundary"\n\n'
        "--other-boundary\nContent-Type: text/plain\n\nthe declared boundary is never used\n",
        {"malformed": "boundary"},
    )
    add(
        "malformed-03-garbage-headers.eml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR garbage \xff\xfe\x00\x01\n"
        + b"\x00\x13\x07binary: \x00\x00\n\nbody after binary junk\n",
        {"malformed": ""},
    )
    # A transfer cut mid-attachment: what arrived is kept, the customer's text is intact.
    text = f"{ASK_BACKUP}\n"
    zipdata = b"PK\x03\x04" + blob("truncated", 3000)
    encoded = b64(zipdata)
    add(
        "malformed-04-truncated-base64.eml",
        plain_headers(4, word_b("نسخه پشتیبان"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_trunc04"\n\n'
        "--=_trunc04\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        f"{b64(text.encode())}\n"
        "--=_trunc04\nContent-Type: application/zip\n"
        'Content-Disposition: attachment; filename="backup.zip"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{encoded[: len(encoded) // 2 - 3]}\n",
        {
            "text_contains": [ASK_BACKUP],
            "attachments": [
                {
                    "filename": "backup.zip",
                    "content_type": "application/zip",
                    "max_size": len(zipdata) // 2,
                    "starts_with": "504b0304",
                    "inline": False,
                }
            ],
        },
    )
    # Cut in the middle of a Persian letter: the rest of the text survives, no broken glyph.
    whole = f"{ASK_MAIL}\n".encode()
    add(
        "malformed-05-truncated-utf8-text.eml",
        plain_headers(5, "cut", extra="MIME-Version: 1.0\n")
        + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + b64(whole[:-4])
        + "\n",
        {"text_contains": [ASK_MAIL[:-3]]},
    )
    add(
        "malformed-06-no-sender-no-body.eml",
        "To: support@alpha.localhost\nSubject: empty\nMessage-ID: <empty-06@example.ir>\n\n",
        {"malformed": "no sender"},
    )
    add(
        "malformed-07-stray-header-line.eml",
        (
            f"From: {CUSTOMER}\n"
            f"To: {SUPPORT}\n"
            f"Subject: {word_b('سرور')}\n"
            "this line is not a header\n"
            "Message-ID: <stray-07@example.ir>\n\n"
            f"{POLICY_MONITOR}\n"
        ),
        # Unusual but readable: the sender and subject are known, the rest is read as body.
        {"sender": CUSTOMER, "subject": "سرور", "text_contains": [POLICY_MONITOR]},
    )
    add(
        "malformed-08-unclosed-multipart.eml",
        plain_headers(8, word_b("سرور"), extra="MIME-Version: 1.0\n")
        + 'Content-Type: multipart/mixed; boundary="=_open08"\n\n'
        "--=_open08\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{POLICY_MONITOR}\n",
        {"text_contains": [POLICY_MONITOR]},
    )


LARGE_TEMPLATE = (
    received("mail-ed1-f45.google.com", 120)
    + "MIME-Version: 1.0\n"
    + f"From: {word_b(CUSTOMER_NAME)} <{CUSTOMER}>\n"
    + "Date: Tue, 10 Oct 2023 09:00:00 +0330\n"
    + "Message-ID: <CAHk7Rq0120xQ+large=V9p@mail.gmail.com>\n"
    + f"Subject: {word_b('نسخه پشتیبان کامل سایت')}\n"
    + f"To: {SUPPORT}\n"
    + 'Content-Type: multipart/mixed; boundary="000000000000large00000120"\n\n'
    + "--000000000000large00000120\n"
    + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
    + b64(f"{ASK_BACKUP}\n".encode())
    + "\n--000000000000large00000120\n"
    + 'Content-Type: application/zip; name="backup.zip"\n'
    + "Content-Disposition: attachment;\n"
    + f"\tfilename*=UTF-8''{urllib.parse.quote('نسخه پشتیبان سایت.zip')}\n"
    + "Content-Transfer-Encoding: base64\n\n"
    + "{{PAYLOAD}}\n"
    + "--000000000000large00000120--\n"
)


def main() -> None:
    for build in (
        gmail,
        outlook,
        thunderbird,
        apple,
        legacy_charsets,
        encoded_headers,
        attachments,
        forwarded,
        replies,
        auto,
        bounces,
        lists,
        malformed,
    ):
        build()
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, raw in FILES.items():
        (HERE / name).write_bytes(raw)
    (HERE / "large-attachment.eml.template").write_text(LARGE_TEMPLATE, encoding="utf-8")
    (HERE / "expected.json").write_text(
        json.dumps(dict(sorted(EXPECTED.items())), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"{len(FILES)} messages")


if __name__ == "__main__":
    main()
