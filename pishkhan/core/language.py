"""Is a support request written in Persian? (SPEC T-7: requests must be in Persian.)

Persian support requests are full of Latin script that is not a language choice: URLs, e-mail
addresses, domains and IPs, pasted logs and stack traces, code, and the names of the products
the request is about ("WordPress", "cPanel", "PHP 8.1"). `check_persian` first takes all of that
out, then looks at the letters that are left:

* too few letters left to judge (only a URL, only a log) -> accepted, reason "too_short": we do
  not refuse what we cannot read;
* enough Arabic-script letters, and the words are Persian rather than Arabic -> "persian";
* Arabic-script, but Arabic words ("في", "الذي", "لا يعمل", ة) -> "arabic";
* otherwise the script that is left decides: "latin" (English, Finglish, any Latin-script
  language) or "other_script".

ي/ك alone never make a text Arabic: many Iranians type on an Arabic keyboard layout (seed 001 is
written that way), so only Arabic *words* count against Persian.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

__all__ = ["LanguageVerdict", "check_persian"]

# Fewer letters than this, once the technical parts are gone, is a few words at most: not
# enough to tell a language by (and "سلام" or "SSL expired" is no reason to refuse anyone).
MIN_LETTERS = 15

# A request whose letters are mostly Persian script is Persian. One where they are not may still
# be: customers paste English error messages and bounce notices longer than their own Persian
# sentence ("این پیام برگشتی میاد: ..."). So a Persian *minority* is enough when it is at least
# this share and a sentence long; an English or Finglish request with a Persian "سلام" or
# "ممنون" stays far below both.
MIN_PERSIAN_SHARE = 0.3
MIN_PERSIAN_LETTERS = 15

# In a Persian sentence, a Latin run of up to this many words is a name ("WordPress", "Let's
# Encrypt", "Internal Server Error"); longer runs are English text and count.
MAX_NAME_WORDS = 3


@dataclass(frozen=True)
class LanguageVerdict:
    is_persian: bool
    reason: str  # "persian" | "latin" | "arabic" | "other_script" | "too_short"
    persian_share: float  # Persian-script letters / letters that count (0.0 when none count)


# --- technical parts --------------------------------------------------------------------------

_FENCED = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")

# Tokens that are never prose, in any line. Order matters: a URL contains a domain and a path.
_TECHNICAL_TOKENS = re.compile(
    r"(?:https?|ftp|ssh|sftp)://\S+"
    r"|www\.\S+"
    r"|[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?(?![\w.])"
    r"|(?:[a-zA-Z0-9\-]+\.)+[a-zA-Z]{2,12}\b"  # domains, file names, dotted class names
    r"|(?:~|\.{1,2})?/[\w.\-/~]+"  # Unix paths
    r"|[a-zA-Z]:\\[\w.\-\\ ]*"  # Windows paths
    r"|\S*[\d_=\\/<>{}\[\]|$#*^~+@]\S*"  # anything with digits or code punctuation in it
)
# A token of hex groups and colons: an IPv6 address if ipaddress agrees.
_MAYBE_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![\w:])")

# A line without any Persian that matches one of these is machine output, not a sentence.
_MACHINE_LINE = re.compile(
    r"\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{1,2}:\d{2}"  # ISO-ish timestamps
    r"|^\s*\[?\d{1,2}:\d{2}:\d{2}"  # a clock at the start
    r"|^\s*\[?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d{1,2} "  # Apache/syslog dates
    r"|\b(?:ERROR|WARN|WARNING|INFO|DEBUG|FATAL|CRITICAL|NOTICE|TRACE|SEVERE)\b"
    r"|Traceback \(most recent call last\)|^\s*at [\w$.<>]+\(|^\s*File \".*\", line \d+"
    r"|^\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception)\b"
    r"|\bHTTP/\d(?:\.\d)? \d{3}\b|^\s*HTTP/"
    r"|^\s*(?:\$|#|>|PS [A-Z]:\\|\w+@[\w.\-]+[:~])"  # shell prompts
    r"|(?:\b\w+=\S+.*){2}"  # key=value pairs
    r"|[;{}]\s*$"  # code line endings
    r"|^(?: {4}|\t)\S"  # indented: code, stack frames
    r"|^\s*[\w.\[\]]+ ?[+\-*/]?= "  # assignments
    r"|^[A-Z][\w\-]*: \S+\s*$"  # a header: "Server: nginx"
    r"|\b(?:SELECT|INSERT|UPDATE|DELETE)\b.+\b(?:FROM|INTO|SET|WHERE)\b"
)

# --- scripts ----------------------------------------------------------------------------------


# Letters only: Arabic-script digits, punctuation and marks are not evidence of a language.
_ARABIC_SCRIPT_LETTER = re.compile(
    "[\u0620-\u063f\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06ee-\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_LATIN_WORD = r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff][A-Za-z\u00c0-\u024f\u1e00-\u1eff'’\-]*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ \t]+{_LATIN_WORD})*")
_ARABIC_SCRIPT_CHAR = re.compile(
    r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"
)


def _remove_technical(text: str) -> str:
    text = _FENCED.sub("\n", text)
    text = _INLINE_CODE.sub(" ", text)
    kept: list[str] = []
    for line in text.splitlines():
        persian_line = _ARABIC_SCRIPT_CHAR.search(line) is not None
        if not persian_line and _MACHINE_LINE.search(line):
            continue
        line = _MAYBE_IPV6.sub(_drop_ipv6, line)
        line = _TECHNICAL_TOKENS.sub(" | ", line)
        if persian_line:
            line = _LATIN_RUN.sub(_drop_names, line)
        kept.append(line)
    return "\n".join(kept)


def _drop_ipv6(match: re.Match[str]) -> str:
    try:
        ipaddress.IPv6Address(match.group(0))
    except ValueError:
        return match.group(0)
    return " | "


def _drop_names(match: re.Match[str]) -> str:
    run = match.group(0)
    return " | " if len(run.split()) <= MAX_NAME_WORDS else run


# --- Arabic or Persian ------------------------------------------------------------------------

# Letters Persian has and Arabic does not.
_PERSIAN_LETTERS = frozenset("پچژگ")

# ي/ك/ى -> ی/ک: the Arabic-keyboard spellings of Persian words. Just these letters, not
# persian.normalize(): this runs once per word and must stay cheap on a 20,000-character body.
_FOLD_YEH_KAF = str.maketrans("يكى", "یکی")

# Words that are common in any Persian request and do not exist (or are rare) in Arabic; words
# both languages write ("ما", "من", "به", "هم") are left out. Compared folded, so ي/ك spellings
# count too.
_PERSIAN_WORDS = frozenset(
    word
    for word in (
        "است را این که برای از با های هست نیست بود شد شده کنید کند کنم کرد دارد داریم "
        "شما اگر ولی اما چون همه تا یک دیگر هیچ چه چرا چطور نمی می سلام لطفا ممنون باشد "
        "شود میشود نمیشود بشه میشه نمیشه"
    ).split()
)

# Arabic function words and request phrases, compared as written (before ي/ك folding). Words
# Persian also writes ("بعد", "فقط", "الی", "حتی") are left out.
_ARABIC_WORDS = frozenset(
    (
        "في فى الذي التي الذين هذا هذه ذلك تلك على إلى مع لا لم لن قد كان كانت يكون هل ليس "
        "أن إن أو ثم عند منذ يرجى الرجاء شكرا شكراً مرحبا يعمل لايعمل أنا نحن هي كيف لماذا "
        "ماذا أين متى جدا جداً أيضا أيضاً عندي لدي لدينا يمكن يمكنكم اريد أريد نريد الموقع"
    ).split()
)

# Persian words that begin with ال, so that prefix is no sign of Arabic in them.
_PERSIAN_AL_WORDS = frozenset(
    word
    for word in "البته الان الزام الزامی الگو الهام البرز الماس الویت الحمدلله الکترونیک "
    "الکترونیکی".split()
)

_ARABIC_TOKEN = re.compile(r"[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]+")


def _looks_arabic(text: str) -> bool:
    persian = arabic = 0.0
    for raw in _ARABIC_TOKEN.findall(_strip_marks(text)):
        word = raw.translate(_FOLD_YEH_KAF)
        if word in _PERSIAN_WORDS or (word.startswith("می") and len(word) > 4):
            persian += 1
        elif not _PERSIAN_LETTERS.isdisjoint(raw):
            persian += 1
        if raw in _ARABIC_WORDS:
            arabic += 1
        elif "ة" in raw:
            arabic += 1
        elif raw.startswith("ال") and len(raw) >= 5 and word not in _PERSIAN_AL_WORDS:
            arabic += 0.5  # the article: weak, Persian borrows a few such words whole
    # Two Arabic signs at least, and more than the Persian ones: one "في" in a Persian text
    # ("في مابين" in seed 001) is a loan, not a language.
    return arabic >= 2 and arabic > persian


# Diacritics and tatweel would split or disguise the words compared above.
_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def _strip_marks(text: str) -> str:
    return _MARKS.sub("", text)


# --- the check --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def check_persian(text: str) -> LanguageVerdict:
    """Decide whether `text` (a request's subject and body) is written in Persian. Kept for
    the last few texts: a mailed request is asked twice (the new customer's language, then
    the Persian-only rule), and the verdict is immutable."""
    prose = _remove_technical(text)
    # Counted with regexes and C-level map: this runs on every submission, bodies included.
    letters = sum(map(str.isalpha, prose))
    persian = len(_ARABIC_SCRIPT_LETTER.findall(prose))
    latin = len(_LATIN_LETTER.findall(prose))
    other = max(0, letters - persian - latin)
    counted = persian + latin + other
    share = round(persian / counted, 3) if counted else 0.0
    if counted < MIN_LETTERS:
        return LanguageVerdict(True, "too_short", share)
    if share >= 0.5 or (share >= MIN_PERSIAN_SHARE and persian >= MIN_PERSIAN_LETTERS):
        if _looks_arabic(prose):
            return LanguageVerdict(False, "arabic", share)
        return LanguageVerdict(True, "persian", share)
    return LanguageVerdict(False, "latin" if latin >= other else "other_script", share)
