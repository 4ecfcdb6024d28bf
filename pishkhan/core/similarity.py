"""Near-duplicate detection of support requests (SPEC T-4): one request, one ticket.

At submission the new request is compared with each of the same customer's open tickets. Every
ticket keeps a *fingerprint* beside it, so a comparison never re-reads or re-parses old text.

What counts as "the same request" is decided by what the request is *about*, not how it is
written. So a fingerprint is the set of things a request talks about, each with a weight:

* identifiers (domains, e-mail addresses, IPs, invoice and service numbers), kept whole;
* content words, folded to one spelling: `persian.normalize` first (ي/ی, ك/ک, ZWNJ, digits),
  then a light suffix strip, then a synonym map that puts the common support vocabulary of both
  languages on one concept ("وب‌سایت", "website" -> site; "بالا نمیاد", "down" -> unavailable);
* nothing for greetings, thanks, urgency, or the light verbs Persian builds requests from
  ("کنید", "می‌شود"), which every ticket has and which would make any two look alike.

The weight says how much a feature tells requests apart: generic words such as "site" or
"server" are shared by most of one customer's tickets, so they weigh less than the words that
name the problem. The score is the shared weight over the weight of the two requests, lowered
when both name identifiers but share none ("example.ir" / "example.com"), or both name the thing
at issue and it differs ("RAM" / "disk" for one server), see `_Query.compare`.

Encoding (version 1), all little-endian: one version byte; six uint16 counts (features at each
of the four weight levels, identifiers, things at issue); then the features as sorted uint32
hashes. A hash carries its weight level in bits 30-31 and its kind in bits 28-29, so a score
needs nothing but the two byte strings. Decoding is one `array.frombytes`; comparing is one
C-level set intersection. The weights, stop lists and synonym map are part of the version:
changing them means a new VERSION and recomputing the stored fingerprints.
"""

from __future__ import annotations

import array
import ipaddress
import re
import struct
import sys
import zlib
from collections.abc import Iterable
from functools import lru_cache
from math import fsum
from typing import TypeVar

from pishkhan.core.persian import normalize

__all__ = ["DUPLICATE_THRESHOLD", "VERSION", "fingerprint", "rank", "score"]

K = TypeVar("K")

VERSION = 1

# The threshold with the best F1 on the tune split of tests/data/duplicates.jsonl, chosen with
# the weights below; bench/duplicates.py reports precision and recall there and on the holdout.
DUPLICATE_THRESHOLD = 0.29

# Weight of each level (the hash's top two bits). Level 0 is vocabulary nearly every ticket of
# one customer shares, and small numbers; level 1 is weak evidence (the registered domain behind
# a subdomain); level 2 is an ordinary content word or an identifier; level 3 is a concept of
# the synonym map. Concepts weigh what words weigh (heavier did not separate better on the tune
# split); what they add is one spelling across synonyms and languages, and the "thing at issue"
# mark below.
_LEVEL_WEIGHTS = (0.3, 0.6, 1.0, 1.0)
GENERIC, WEAK, WORD, CONCEPT = range(4)
# Bit 29 marks an identifier (domain, address, IP, long number), bit 28 a concept that names a
# thing rather than an action or a state (RAM, SSL, backup; not "increase", "down"), so that a
# score can tell when two requests are about different things (see _Query.compare).
_IDENTIFIER = 1 << 29
_OBJECT = 1 << 28

# Long requests (pasted logs, a 20,000-character body) would otherwise grow without bound; the
# heaviest features carry the request, and a fixed cap keeps a fingerprint under 2 KB.
_MAX_FEATURES = 400
# Logs repeat timestamps and addresses by the dozen: enough identifiers to recognise the
# request, not so many that they outweigh what the customer wrote.
_MAX_IDENTIFIERS = 24

_HEADER = struct.Struct("<B6H")
# Stored little-endian whatever the machine, so a fingerprint moves between machines.
_BIG_ENDIAN = sys.byteorder == "big"
_HASH_MASK = 0x0FFFFFFF

# A duplicate must share real content. The constant keeps two tiny texts ("SSL" / "SSL
# expired") from scoring high on one shared word, and the blend of the larger and the smaller
# weight (rather than the larger alone) lets a short restatement match a long first report.
# These four were chosen together on the tune split; neighbouring values score within a point.
_SMOOTHING = 2.0
_MAX_SHARE = 0.75
_IDENTIFIER_CONFLICT = 0.5
_OBJECT_CONFLICT = 0.4


# --- identifiers ------------------------------------------------------------------------------

_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
# Top-level domains seen in Iranian hosting tickets, plus the common generic ones. A whitelist,
# because a dotted word is just as often a file ("cron.php", "error.log") or a Java class.
_TLDS = frozenset(
    "ir com net org io co uk de dev app info biz me law shop online site xyz tech cloud store "
    "eu us ca au ai tv ae tr fr nl ru in edu gov ac academy agency blog".split()
)
# One pass, alternatives in priority order: at any position a URL beats the e-mail address or
# host inside it, an e-mail address beats its host, an IPv4 address beats a dotted number.
_IDENTIFIER_RE = re.compile(
    r"(?P<url>\b(?:https?|ftp)://(?P<url_host>[^\s/:?#<>«»\"']+)[^\s<>«»\"']*)"
    r"|(?P<email>\b[a-z0-9._%+\-]+@(?P<email_host>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+"
    r"[a-z]{2,})\b)"
    r"|(?P<ipv4>(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d))"
    r"|(?P<ipv6>(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:]))"
    r"|(?P<host>(?<![\w.@\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,12}(?![\w\-]))"
    # An ASCII token that holds a digit: invoice and service numbers, versions, dates, error
    # codes, "inv-2024-0193", "php8.1". Kept whole: "1403/08/12" split into three small
    # numbers would mean nothing.
    r"|(?P<code>(?<![\w.\-/])[a-z0-9_]*\d[a-z0-9_]*(?:[.\-/:][a-z0-9_]+)*)"
)


def _registered_domain(host: str) -> str:
    """ "blog.shop.example.co.uk" -> "example.co.uk": what the customer owns."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in {"co", "ac", "org", "gov", "com"} else 2
    return ".".join(labels[-keep:])


class _Features:
    """feature name -> [weight level, 1 if an identifier else 0, occurrences]."""

    def __init__(self) -> None:
        self.items: dict[str, list[int]] = {}
        self.identifiers = 0

    def add(self, name: str, level: int, *, identifier: bool = False) -> None:
        entry = self.items.get(name)
        if entry is not None:
            entry[2] += 1
            return
        if identifier:
            if self.identifiers >= _MAX_IDENTIFIERS:
                return
            self.identifiers += 1
        self.items[name] = [level, int(identifier), 1]

    def host(self, host: str) -> None:
        host = host.removeprefix("www.")
        self.add("@" + host, WORD, identifier=True)
        base = _registered_domain(host)
        if base != host:
            # "shop.example.ir" and "blog.example.ir" are two sites of one customer: the
            # registered domain counts a little, the full name counts fully.
            self.add("@" + base, WEAK)


def _take_identifiers(text: str, found: _Features) -> str:
    def code(token: str) -> str:
        token = token.strip(".-/:")
        digits = sum(c.isdigit() for c in token)
        if digits >= 4 and not _CLOCK.fullmatch(token):
            # invoice, service and tracking numbers, dates: they name one thing
            found.add("#" + token, WORD, identifier=True)
        elif digits >= 3 or not token.isdigit():
            found.add("#" + token, WORD)  # error codes (403, 550), versions (8.1), times
        else:
            found.add("#" + token, GENERIC)  # quantities: "from 4 to 8 GB"
        return " "

    def take(m: re.Match[str]) -> str:
        kind = m.lastgroup
        if kind == "url":
            found.host(m.group("url_host"))
        elif kind == "email":
            found.add("@" + m.group(0), WORD, identifier=True)
            found.host(m.group("email_host"))
        elif kind == "ipv4":
            found.add("ip:" + m.group(0), WORD, identifier=True)
        elif kind == "ipv6":
            try:
                address = ipaddress.IPv6Address(m.group(0))
            except ValueError:
                return code(m.group(0))  # a clock time ("10:30:00"), not an address
            found.add("ip:" + address.compressed, WORD, identifier=True)
        elif kind == "host":
            name = m.group(0)
            if name.rsplit(".", 1)[1] not in _TLDS:
                return name  # a file or a class name: its words are read as words
            found.host(name)
        else:
            return code(m.group(0))
        return " "

    return _IDENTIFIER_RE.sub(take, text)


# --- words ------------------------------------------------------------------------------------

# Phrases first: several words that together name one thing. Matched on normalised text, so
# the patterns use normalised spellings (آ -> ا, "نمی‌آید" -> "نمیاید", no ZWNJ).
_PHRASES: tuple[tuple[str, str], ...] = (
    # courtesy that survives the stopword list because its words are content elsewhere
    # ("همکاران جدید" are new colleagues, "از همکاری شما" is thanks)
    (r"(?:از )?همکاری (?:شما|تان|تون)|خدا ?قوت|thanks? (?:you )?in advance", ""),
    # unavailable / down
    (
        r"بالا نمی ?(?:اد|اید|امد|یاد)|باز نمی ?(?:شه|شود|شد|کنه)|لود نمی ?(?:شه|شود|شد)"
        r"|از دسترس خارج|در دسترس (?:نیست|نبود|نمیباشد)|قطع (?:است|شده|هست|بوده)|is down"
        r"|went down|not loading|not responding|unreachable|service unavailable|no ping"
        r"|پینگ (?:نمی ?(?:ده|دهد)|جواب نمی ?(?:ده|دهد))",
        "c_down",
    ),
    (r"دیر (?:لود|باز)|طول می ?(?:کشه|کشد)|load(?:s|ing)? (?:extremely |very )?slow", "c_slow"),
    (r"پست الکترونیک|e-mail", "c_email"),
    (r"وب ?سایت|web ?site", "c_site"),
    (r"سرور مجازی|virtual server|virtual private server", "c_vps"),
    (r"سرور اختصاصی|dedicated server", "c_dedicated"),
    (r"پهنای باند", "c_bandwidth"),
    (r"نسخه (?:ی )?پشتیبان|پشتیبان ?گیری|بک اپ|back ?up", "c_backup"),
    (
        r"بازگشت (?:وجه|پول|مبلغ)|برگشت (?:وجه|پول)|money back|پول (?:را|رو) (?:برگردان|برگردون)"
        r"|مبلغ (?:را|رو)? ?(?:برگردان|برگردون)",
        "c_refund",
    ),
    (r"کد (?:انتقال|epp)|auth ?code|authori[sz]ation code|epp code", "c_authcode"),
    (r"نیم ?سرور|name ?server", "c_dns"),
    (r"رمز (?:عبور|ورود)|کلمه (?:ی )?عبور|گذر ?واژه", "c_password"),
    (r"یاد ?(?:م|مون|مان) رفته|فراموش", "c_reset"),
    (r"راه ?اندازی|set ?up", "c_install"),
    (r"به ?روز ?رسانی|بروز ?رسانی", "c_update"),
    (r"کیف پول", "c_wallet"),
    (r"کد تخفیف|promo code|coupon code", "c_coupon"),
    (r"پیش ?فاکتور", "c_quote"),
    (r"صورت ?حساب", "c_invoice"),
    (r"سی ?پنل|c ?panel", "c_cpanel"),
    (r"دایرکت ?ادمین|direct ?admin", "c_directadmin"),
    (r"پایگاه (?:ی )?داده", "c_database"),
    (r"کرون ?جاب|cron ?job", "c_cron"),
    (r"زیر ?دامنه|ساب ?دامین|ساب ?دامنه|sub ?domain", "c_subdomain"),
    (r"پی ?اچ ?پی", "php"),
    (r"ای ?پی(?![\u0600-\u06ff])|ip address", "c_ip"),  # not "ای پیام"
    (r"اس ?ام ?اس", "c_sms"),
    (r"دی ?داس", "c_ddos"),
    (r"اسنپ ?شات", "c_snapshot"),
    (r"ناحیه (?:ی )?کاربری|پنل کاربری|حساب کاربری|client area", "c_account"),
    (r"نام کاربری|یوزر ?نیم|user ?name", "c_username"),
    (r"اوت ?لوک", "outlook"),
    (r"وب ?میل", "c_webmail"),
    (r"دو ?بار(?!ه)|twice", "c_twice"),  # not "دوباره", again
    (r"a record|رکورد a\b", "c_a_record"),
    (r"out of office|out-of-office|auto-?reply|پاسخ خودکار", "c_autoreply"),
    (
        r"log ?in|sign ?in|وارد (?:\S+ )?(?:ن?می)?(?:ب)?(?:شوم|شم|شد|شود|شویم|بشیم|بشوم|نشد)",
        "c_login",
    ),
)
# One alternation, one pass over the text: the leftmost phrase wins, the earlier one on a tie.
# A phrase ends at a word boundary, after any Persian suffixes glued to its last word
# ("وب سایتمون", "پهنای باندش") or an English plural or tense ending ("websites", "crashed").
_PHRASE_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PHRASES))
    + r")(?:[\u0600-\u06ff]*|s|es|ed|ing)(?!\w)"
)
_PHRASE_CONCEPT = {f"p{i}": f" {concept} " for i, (_, concept) in enumerate(_PHRASES)}


def _phrase(match: re.Match[str]) -> str:
    return _PHRASE_CONCEPT[match.lastgroup or ""]


# Single words (after the suffix strip) that mean the same thing in a support ticket.
_SYNONYM_GROUPS: dict[str, str] = {
    "c_site": "سایت site websit",
    "c_host": "هاست میزبان میزبانی هاستینگ host hosting",
    "c_server": "سرور server",
    "c_vps": "vps",
    "c_domain": "دامنه دامین دومین domain",
    "c_email": "ایمیل میل email mail",
    "c_mailbox": "صندوق mailbox inbox",
    "c_down": "down offline قطع",
    "c_slow": "کند کندی slow",
    "c_error": "خطا ارور error اشکال",
    "c_login": "لاگین ورود login",
    "c_password": "رمز پسورد password passwd",
    "c_reset": "ریست بازنشان بازنشانی reset",
    "c_receive": "دریافت receiv incoming",
    "c_send": "ارسال ارسالی send sent outgo",
    "c_spam": "اسپم هرزنامه spam junk",
    "c_bounce": "bounc برگشت reject",
    "c_ssl": "ssl tls https گواهی گواهینامه certificat cert",
    "c_expire": "منقضی انقضا expir",
    "c_renew": "تمدید renew renewal",
    "c_increase": "افزایش ارتقا ارتقاء upgrad increas rais بیشتر more اضافه افزودن add",
    "c_decrease": "کاهش downgrad reduc decreas",
    "c_space": "فضا فضای دیسک هارد حجم سهمیه disk storage quota space",
    "c_ram": "رم ram حافظه memory",
    "c_cpu": "cpu پردازنده هسته core",
    "c_bandwidth": "ترافیک bandwidth traffic",
    "c_backup": "بکاپ backup",
    "c_snapshot": "snapshot",
    "c_restore": "بازگردانی بازیابی ریستور restor recover",
    "c_refund": "استرداد عودت refund",
    "c_delete": "حذف پاک delet remov",
    "c_transfer": "انتقال منتقل مهاجرت transfer migrat mov",
    "c_dns": "dns nameserver ns",
    "c_record": "رکورد record",
    "c_invoice": "فاکتور invoic bill",
    "c_quote": "quot quotat",
    "c_pay": "پرداخت واریز payment paid pay charg کسر",
    "c_cancel": "لغو کنسل cancel terminat",
    "c_install": "نصب install",
    "c_update": "اپدیت اپگرید update",
    "c_hack": "هک hack hacked defac بدافزار malwar ویروس virus الوده infect",
    "c_ddos": "ddos حمله attack",
    "c_print": "چاپ پرینت print",
    "c_report": "گزارش report",
    "c_access": "دسترسی access permission مجوز",
    "c_user": "کاربر user یوزر",
    "c_sms": "پیامک sms",
    "c_verify": "تایید verif confirm",
    "c_app": "اپلیکیشن اپ app",
    "c_crash": "کرش crash",
    "c_upload": "اپلود بارگذاری upload",
    "c_download": "دانلود download",
    "c_export": "خروجی export",
    "c_mobile": "موبایل گوشی mobil phone",
    "c_firewall": "فایروال firewall",
    "c_port": "پورت port",
    "c_redirect": "ریدایرکت redirect",
    "c_wordpress": "وردپرس wordpress wp",
    "c_database": "دیتابیس database db",
    "c_cron": "کرون cron",
    "c_ssh": "ssh",
    "c_ftp": "ftp",
    "c_cpanel": "cpanel",
    "c_owner": "مالک مالکیت owner ownership",
    "c_change": "تغییر عوض change switch replac جایگزین",
    "c_create": "ساخت ایجاد create بساز",
    "c_training": "اموزش training",
    "c_manual": "راهنما manual documentat",
    "c_coupon": "تخفیف coupon discount promo",
    "c_wallet": "wallet",
    "c_account": "account",
    "c_webmail": "webmail roundcub",
    "c_forward": "فوروارد forward",
    "c_subdomain": "subdomain",
    "c_php": "php",
    "c_ip": "ip",
}
_SYNONYMS: dict[str, str] = {
    word: concept for concept, words in _SYNONYM_GROUPS.items() for word in words.split()
}

# Concepts and words that nearly every ticket of one customer shares: they say what kind of
# ticket it is, not which request.
_GENERIC_WORDS = frozenset(
    """
    مشکل سرویس پنل صفحه فایل پورتال شرکت مشتری کار کد نسخه اطلاعات تنظیم تنظیمات نیاز ماژول
    بخش قسمت جدید سیستم برنامه اینترنت مرورگر نمایش پیغام پیام نشان ادرس فعال غیرفعال اعلام
    پیوست استفاده وضعیت شماره مبلغ هزینه عنوان موضوع مشخصات مدیریت
    problem issue service panel page file portal company customer work code version
    information setting settings module section new system browser show shows showing
    display message address attach attached enable status number amount cost subject
    """.split()
)
# Greetings, courtesy, urgency, time-of-report words and function words (both languages).
# They appear in most tickets, so they must never be the reason two tickets match.
_STOP_FA = frozenset(
    """
    و یا با به از در را رو که تا بر برای این ان اون همین همان هم نیز اگر چون چه چرا چطور
    کجا کی ایا اما ولی لیکن پس سپس هر همه چند یک یه دو سه هیچ هیچی دیگر دیگه نه بله اره
    من ما شما تو او ایشان انها خودم خودمان خودمون خود خودتان مال ام ای اش مان تان شان مون
    تون شون سلام درود علیکم وقت بخیر خسته نباشید عرض ضمن احترام باتشکر تشکر سپاس سپاسگزارم
    سپاسگزاریم متشکرم مچکرم ممنون ممنونم مرسی فراوان زحمات پیشاپیش خواهشمند خواهشمندیم خواهش
    لطفا لطفاً لطف فرمایید بفرمایید فرمایید نمایید بنمایید گرامی محترم عزیز جناب سرکار خانم اقای
    فوری فورا سریع سریعا سریعتر عاجل ضروری اضطراری مجدد مجددا دوباره هنوز همچنان باز الان اکنون
    امروز دیروز پریروز دیشب امشب فردا صبح ظهر عصر شب ساعت روز روزه دقیقه هفته ماه امسال پیش
    قبل بعد حدود تقریبا حدودا بیش کم زیاد خیلی خیلیی کلا اصلا واقعا فقط حتی البته ظاهرا مثل مثلا
    انگار احتمالا شاید باید نباید بتوانیم میتوانم نمیتوانم بتونم نمیتونم نمیتونیم میتونید
    است هست نیست بود نبود هستند هستیم هستم هستش بوده باشد باشه نباشد میباشد نمیباشد شد شده
    شدن شدند نشد نشده شود نشود بشود بشه میشه میشود نمیشه نمیشود شه کرد کرده کردم کردیم کردن
    کردند نکرده کن کنید کنین بکنید بکن کنیم کنم کنند کنه میکنم میکنیم میکنه میکند نمیکند
    نمیکنه میکنند نمیکنم نمیکنیم داد داده دادن دادیم بدید بدهید بدین بده دهید دهد میده میدهد
    نمیده نمیدهد میدن دارد داره دارم داریم دارند ندارد نداره نداریم داشت داشتم داشتیم داشته
    خواهد خواهیم خواست میخواهم میخواهیم میخوام میخوایم میخواستم خواستم امد اومد اومده امده
    میاد میاید نمیاد نمیاید اید بیاید گفت گفته گفتن گفتند میگه میگوید دیدم دیده ببینم بزنم میزنم
    میزنیم زدم زدیم بفرستید بفرستین فرستادم فرستاده مربوط مورد جهت نسبت اقدام انجام
    بررسی برسی رسیدگی چک پیگیری راهنمایی کمک لازم موجود امکان امکانش ایا چیکار چی چیزی کسی
    درخواست تیکت پاسخ جواب پاسخگویی منتظر منتظریم توجه دلیل علت صورت حالی حال طریق وسیله داخل
    روی زیر بالای بین مورد اینکه اینطوری اینطور این‌طوری طوری چیز وقتی زمانی زمان ولیکن یعنی
    بنده اینجانب عدم درست کامل کاملا
    """.split()
)
_STOP_EN = frozenset(
    """
    a an the and or but if then so of to in on at by for from with without into onto over
    under about as is are was were be been being am do does did done doing have has had having
    i me my we us our you your he she it its they them their this that these those there here
    what which who whom whose when where why how can could would should will shall may might
    must not no yes all any some each every more most other such only own same than too very
    just also again still already now today yesterday tomorrow morning evening night since
    ago hour hours minute minutes day days week weeks month months hi hello dear team sir
    madam thanks thank thx please pls regards kind best cheers sincerely hope well great
    service as always quick question nice wonderful advance much many ok okay asap urgent
    urgently help check look looking let know need needs want wants like get got getting
    issue problem seems seem looks think please kindly able unable cant can't don't doesn't
    didn't won't isn't aren't wasn't nothing anything something everything side sure via
    make made see saw tried try trying whether also follow up reply reported ticket request
    after before return returns returning right correct completely fully
    """.split()
)

# The light verbs Persian builds compound verbs from ("ارسال نمی‌شود", "تمدید کنید"): the noun
# carries the meaning, the verb only tense, person and negation. Listed as stems; every
# prefix (می/نمی/ب/ن) and ending combination of them is a stopword.
_LIGHT_VERB_STEMS = (
    "کن کرد شو شد ش ده داد د دار داشت خواه خواست خوا تون توان تونست توانست گیر گرفت گذار "
    "گذاشت زن زد رس رسید بین دید گو گفت اید اد امد اومد ای یا ا فرست فرستاد باش بود"
).split()
_VERB_PREFIXES = ("", "می", "نمی", "ب", "ن")
_VERB_ENDINGS = ("", "م", "ی", "د", "یم", "ید", "ند", "ه", "ن", "ین", "ست", "ه است", "ش")
_LIGHT_VERBS = frozenset(
    p + s + e for p in _VERB_PREFIXES for s in _LIGHT_VERB_STEMS for e in _VERB_ENDINGS
) - {"کند", "کار", "بین", "داده", "د", "ا", "ی", "ن", "ب", "ش", "ده", "دید"}

_STOP = _STOP_FA | _STOP_EN | _LIGHT_VERBS

# Concepts that say what is wanted or what is wrong, or name the kind of service a request is
# about (one customer's tickets share it); every other concept names the thing at issue.
_NOT_OBJECTS = frozenset(
    """
    c_down c_slow c_login c_reset c_receive c_send c_spam c_bounce c_expire c_renew c_increase
    c_decrease c_restore c_refund c_delete c_transfer c_cancel c_install c_update c_hack
    c_ddos c_access c_crash c_upload c_download c_export c_redirect c_create c_forward
    c_autoreply c_twice c_verify c_pay c_change c_vps c_dedicated
    """.split()
)

_GENERIC_CONCEPTS = frozenset(
    {"c_site", "c_host", "c_server", "c_domain", "c_error", "c_change", "c_user", "c_account"}
)

_WORD = re.compile(r"[^\W\d_][^\W\d]*")
_FA_LETTER = re.compile(r"[\u0600-\u06ff]")

_FA_PLURAL = ("هایی", "های", "ها")
_FA_POSSESSIVE = ("مون", "مان", "تون", "تان", "شون", "شان")


def _stem_fa(word: str) -> str:
    for prefix in ("نمی", "می"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            word = word[len(prefix) :]
            break
    for suffix in _FA_PLURAL:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
            break
    for suffix in _FA_POSSESSIVE:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) >= 6 and word.endswith("ان"):
        word = word[:-2]  # plural "کاربران"; short words ending in ان are rarely plural
    if len(word) >= 4 and word.endswith("ی"):
        word = word[:-1]  # ezafe / indefinite / adjective ی: "خطای" "ایمیلی" "کاربری"
    return word


def _stem_en(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


# After the suffix strip, words are cut to a fixed length: colloquial Persian glues pronouns
# and endings on that no short list covers ("تمدیدش", "فاکتورش", "اعتبارش"), and English
# derivations share a prefix ("certificate", "certified"). Rare collisions of long words cost
# less than the many misses without it.
_TRUNCATE_FA = 5
_TRUNCATE_EN = 6


@lru_cache(maxsize=1 << 16)
def _word_feature(word: str) -> tuple[str, int] | None:
    if word.startswith("c_"):  # a concept the phrase table already put in place
        return word, (GENERIC if word in _GENERIC_CONCEPTS else CONCEPT)
    if word in _STOP or len(word) < 2:
        return None
    concept = _SYNONYMS.get(word)
    if concept is None:
        persian = _FA_LETTER.match(word) is not None
        stem = _stem_fa(word) if persian else _stem_en(word)
        if stem in _STOP or len(stem) < 2:
            return None
        concept = _SYNONYMS.get(stem)
        if concept is None:
            stem = stem[: _TRUNCATE_FA if persian else _TRUNCATE_EN]
            concept = _SYNONYMS.get(stem, stem)
    if concept in _GENERIC:
        return concept, GENERIC
    return concept, (CONCEPT if concept.startswith("c_") else WORD)


def _reduce(word: str) -> str:
    """The form a plain word is compared in: suffixes stripped, then cut (see _TRUNCATE_FA)."""
    if _FA_LETTER.match(word):
        return _stem_fa(word)[:_TRUNCATE_FA]
    return _stem_en(word)[:_TRUNCATE_EN]


_GENERIC = _GENERIC_CONCEPTS | _GENERIC_WORDS | {_reduce(word) for word in _GENERIC_WORDS}


def _features(text: str) -> _Features:
    found = _Features()
    text = _take_identifiers(normalize(text), found)
    text = _PHRASE_RE.sub(_phrase, text)
    for word in _WORD.findall(text):
        for part in (word,) if word.startswith("c_") else word.split("_"):
            feature = _word_feature(part)
            if feature is not None:
                found.add(*feature)
    return found


def _hash(name: str, level: int, identifier: int) -> int:
    # crc32 is stable across processes and Python versions (hash() is salted per process).
    return (
        (level << 30)
        | (_IDENTIFIER if identifier else 0)
        | (_OBJECT if level == CONCEPT and name not in _NOT_OBJECTS else 0)
        | (zlib.crc32(name.encode("utf-8")) & _HASH_MASK)
    )


# --- public interface -------------------------------------------------------------------------


def fingerprint(subject: str, body: str) -> bytes:
    """The compact, deterministic form of one request, to store beside its ticket.

    b"" when the request says nothing comparable (empty, or only greetings and thanks)."""
    found = _features(f"{subject}\n{body}").items
    if not found:
        return b""
    entries = [
        (_hash(name, level, ident), level, count) for name, (level, ident, count) in found.items()
    ]
    if len(entries) > _MAX_FEATURES:
        # Heaviest first, then the most repeated; the hash breaks ties, so the choice is
        # deterministic.
        entries.sort(key=lambda entry: (-entry[1], -entry[2], entry[0]))
        del entries[_MAX_FEATURES:]
    ordered = array.array("I", sorted({entry[0] for entry in entries}))
    counts = [0, 0, 0, 0, 0, 0]
    for value in ordered:
        counts[value >> 30] += 1
        counts[4] += bool(value & _IDENTIFIER)
        counts[5] += bool(value & _OBJECT)
    if _BIG_ENDIAN:
        ordered.byteswap()
    return _HEADER.pack(VERSION, *counts) + ordered.tobytes()


def _decode(data: bytes) -> tuple[int, int, float, array.array[int]] | None:
    """(identifiers, objects, total weight, hashes), or None for b"" or another version."""
    if len(data) < _HEADER.size or data[0] != VERSION:
        return None
    _, generic, weak, word, concept, identifiers, objects = _HEADER.unpack_from(data)
    total = (
        generic * _LEVEL_WEIGHTS[0]
        + weak * _LEVEL_WEIGHTS[1]
        + word * _LEVEL_WEIGHTS[2]
        + concept * _LEVEL_WEIGHTS[3]
    )
    hashes = array.array("I")
    hashes.frombytes(memoryview(data)[_HEADER.size :])
    if _BIG_ENDIAN:
        hashes.byteswap()
    return identifiers, objects, total, hashes


class _Query:
    """One side of a comparison, prepared once: rank() compares it with many candidates."""

    __slots__ = ("identifiers", "keys", "objects", "total", "weight")

    def __init__(self, total: float, hashes: Iterable[int]) -> None:
        weights = {value: _LEVEL_WEIGHTS[value >> 30] for value in hashes}
        self.weight = weights.__getitem__
        self.keys = set(weights)
        self.total = total
        # This side's flagged hashes (None when it has none): when none of them is in the
        # intersection, the two sides share nothing of that kind.
        self.identifiers = {value for value in self.keys if value & _IDENTIFIER} or None
        self.objects = {value for value in self.keys if value & _OBJECT} or None

    def compare(self, shared: set[int], identifiers: int, objects: int, total: float) -> float:
        larger, smaller = (self.total, total) if self.total >= total else (total, self.total)
        # fsum is exact, so the result does not depend on the order a set iterates in, and
        # score(a, b) == score(b, a) to the last bit.
        value = fsum(map(self.weight, shared)) / (
            _MAX_SHARE * larger + (1 - _MAX_SHARE) * smaller + _SMOOTHING
        )
        if identifiers and self.identifiers is not None and self.identifiers.isdisjoint(shared):
            # Both name a domain, an address or a number, and not the same one: two requests
            # about two different things, however alike the wording ("register example.ir" /
            # "register example.com").
            value *= _IDENTIFIER_CONFLICT
        if objects and self.objects is not None and self.objects.isdisjoint(shared):
            # Both say what they are about, and it is not the same thing: "more RAM" and
            # "more disk" for one server are two requests.
            value *= _OBJECT_CONFLICT
        return min(1.0, value)


def score(a: bytes, b: bytes) -> float:
    """How alike two requests are, from 0.0 (nothing in common) towards 1.0. Symmetric.

    A request compared with itself scores higher the more it says (a two-word request scores
    0.5 against itself, a three-line one about 0.75, a long one over 0.95): the less there is
    to compare, the less sure a match is. `DUPLICATE_THRESHOLD` is set with that in mind.

    0.0 if either fingerprint is empty or of another version: an old fingerprint is never
    compared with a new one, it is recomputed. A memoryview (what some database drivers return
    for a BinaryField) is read like bytes."""
    left, right = _decode(a), _decode(b)
    if left is None or right is None:
        return 0.0
    query = _Query(left[2], left[3])
    identifiers, objects, total, hashes = right
    shared = query.keys.intersection(hashes)
    return query.compare(shared, identifiers, objects, total) if shared else 0.0


def rank(
    query: bytes,
    candidates: Iterable[tuple[K, bytes]],
    *,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[tuple[K, float]]:
    """The candidates that are the same request as `query` (score >= threshold), best first.

    Ties keep the candidates' order, so a caller passing newest-first gets the newest first."""
    decoded = _decode(query)
    if decoded is None:
        return []
    prepared = _Query(decoded[2], decoded[3])
    keys, weight, query_total = prepared.keys, prepared.weight, prepared.total
    query_identifiers, query_objects = prepared.identifiers, prepared.objects
    # The loop body is _Query.compare() unrolled: at a thousand candidates per submission,
    # calls and temporary objects are a good part of the cost.
    header_size, unpack, version = _HEADER.size, _HEADER.unpack_from, VERSION
    w0, w1, w2, w3 = _LEVEL_WEIGHTS
    share, rest, smoothing = _MAX_SHARE, 1 - _MAX_SHARE, _SMOOTHING
    matches: list[tuple[K, float]] = []
    for key, data in candidates:
        if len(data) < header_size or data[0] != version:
            continue
        hashes = array.array("I")
        hashes.frombytes(memoryview(data)[header_size:])
        if _BIG_ENDIAN:
            hashes.byteswap()
        shared = keys.intersection(hashes)
        if not shared:
            continue
        _, generic, weak, word, concept, identifiers, objects = unpack(data)
        total = generic * w0 + weak * w1 + word * w2 + concept * w3
        if total > query_total:
            value = fsum(map(weight, shared)) / (share * total + rest * query_total + smoothing)
        else:
            value = fsum(map(weight, shared)) / (share * query_total + rest * total + smoothing)
        if identifiers and query_identifiers is not None and query_identifiers.isdisjoint(shared):
            value *= _IDENTIFIER_CONFLICT
        if objects and query_objects is not None and query_objects.isdisjoint(shared):
            value *= _OBJECT_CONFLICT
        if value >= threshold:
            matches.append((key, min(1.0, value)))
    matches.sort(key=lambda match: -match[1])
    return matches
