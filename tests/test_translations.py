"""The Persian catalogue: complete, compiled, in Persian letters, with intact placeholders, and
actually used by the pages (Persian and RTL by default, English and LTR on request)."""

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "fa" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

ARABIC_YEH = "\u064a"
ARABIC_KAF = "\u0643"

# %(name)s / %(name)r / %(n)d …, bare %s / %d, and template variables {{ name }}; "%%" is a
# literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]"
    r"|\{\{\s*[^}]+?\s*\}\}"
)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file, one per blank-line separated block:
    {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr": {index: text}}.
    Obsolete entries (#~) and the header (empty msgid) are left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        target = None  # (dict, key) the next continuation line appends to
        for line in block.strip().splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line
            ):
                keyword, index, value = match.groups()
                target = (
                    (entry["msgstr"], int(index or 0)) if keyword == "msgstr" else (entry, keyword)
                )
                target[0][target[1]] = ast.literal_eval(value)
            elif line.startswith('"') and target is not None:
                target[0][target[1]] += ast.literal_eval(line)
        if entry["msgid"]:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing"
    parsed = parse_po(PO_PATH)
    assert parsed, "the catalogue has no messages"
    return parsed


def _placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text.replace("%%", ""))


def _msgstrs(entry: dict) -> list[str]:
    return [entry["msgstr"][i] for i in sorted(entry["msgstr"])]


def test_header_declares_persian_plural_forms():
    header = PO_PATH.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: fa\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    untranslated = [
        e["msgid"] for e in entries if not all(s.strip() for s in _msgstrs(e)) or not e["msgstr"]
    ]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_compiled_catalogue_is_not_stale(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        # Without GNU gettext there is no reference compiler to compare against.
        pytest.skip("msgfmt (GNU gettext) is not installed")
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages -l fa"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(PO_PATH)], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)
    with MO_PATH.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    assert compiled._catalog == expected._catalog, (
        "django.mo does not match django.po: run compilemessages -l fa"
    )


def test_no_arabic_yeh_or_kaf_in_translations(entries):
    offending = [
        (e["msgid"], s) for e in entries for s in _msgstrs(e) if ARABIC_YEH in s or ARABIC_KAF in s
    ]
    assert offending == [], f"use Persian ی/ک, not Arabic ي/ك: {offending}"


def test_placeholders_match_between_msgid_and_msgstr(entries):
    mismatched = []
    for e in entries:
        for i, msgstr in enumerate(_msgstrs(e)):
            source = e["msgid"] if i == 0 or e["msgid_plural"] is None else e["msgid_plural"]
            wanted = Counter(_placeholders(source))
            if e["msgid_plural"] is not None:
                # A plural form may leave the count out ("one ticket"), never add a name.
                wanted_names = set(_placeholders(e["msgid"])) | set(wanted)
                if not set(_placeholders(msgstr)) <= wanted_names:
                    mismatched.append((e["msgid"], msgstr))
            elif Counter(_placeholders(msgstr)) != wanted:
                mismatched.append((e["msgid"], msgstr))
    assert mismatched == [], f"placeholders differ: {mismatched}"


def test_login_page_is_persian_and_rtl_by_default(alpha):
    response = alpha.client().get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ورود" in html
    assert 'dir="rtl"' in html
    assert 'lang="fa"' in html
    assert ">Log in<" not in html


def test_login_page_is_english_and_ltr_with_language_cookie(alpha):
    assert settings.LANGUAGE_COOKIE_NAME == "pishkhan_language"
    client = alpha.client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log in" in html
    assert 'dir="ltr"' in html
    assert 'lang="en"' in html
    assert "ورود" not in html
