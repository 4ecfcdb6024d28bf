"""Tests for pishkhan.core.similarity: one request, one ticket (SPEC T-4, seed 002 rules 15-16).

Accuracy on the labelled set is measured by bench/duplicates.py, not asserted here: these tests
pin the behaviours a customer or an agent would notice.
"""

import json
from pathlib import Path

import pytest

from pishkhan.core.similarity import DUPLICATE_THRESHOLD, VERSION, fingerprint, rank, score

DATA = Path(__file__).resolve().parent.parent / "data" / "duplicates.jsonl"
ZWNJ = "\u200c"


def similarity(a: tuple[str, str], b: tuple[str, str]) -> float:
    return score(fingerprint(*a), fingerprint(*b))


SITE_DOWN = (
    "سایت از دسترس خارج شده",
    "سلام وقت بخیر. سایت nikanshop.ir از حدود ساعت ۱۰ صبح باز نمیشه و خطای 503 میده. "
    "لطفا سریعتر بررسی کنید چون فروش ما متوقف شده. با تشکر",
)
SITE_DOWN_REWORDED = (
    "وبسایت بالا نمیاد",
    f"درود. از صبح امروز وب{ZWNJ}سایت nikanshop.ir بالا نمی{ZWNJ}آید و پیغام "
    f"Service Unavailable نشان می{ZWNJ}دهد. مشتری{ZWNJ}ها نمی{ZWNJ}توانند سفارش ثبت کنند.",
)
HOSTING_UPGRADE = (
    "ارتقای پلن هاست",
    f"سلام، برای سایت nikanshop.ir می{ZWNJ}خواهیم پلن هاست را از برنز به نقره ارتقا بدیم. "
    f"لطفا فاکتور مابه{ZWNJ}التفاوت را صادر کنید.",
)


def test_reworded_request_is_a_duplicate():
    # Given a first report of an outage, and the same outage reported again in other words
    # (synonyms: سایت/وب‌سایت, باز نمیشه/بالا نمی‌آید)
    # When they are compared
    value = similarity(SITE_DOWN, SITE_DOWN_REWORDED)
    # Then they are the same request
    assert value >= DUPLICATE_THRESHOLD


def test_still_not_fixed_follow_up_is_a_duplicate():
    # Given a report, and a follow-up that restates it after no answer
    first = (
        "کند بودن سایت",
        "سلام. سایت ما gol-tehran.com از دیروز خیلی کند شده و صفحات بیش از ۲۰ ثانیه طول "
        "میکشه تا لود بشن. روی هاست اشتراکی هستیم. لطفا بررسی کنید مشکل از سرور هست یا نه.",
    )
    follow_up = (
        "سایت هنوز کنده",
        "سلام مجدد، مشکل کندی سایت gol-tehran.com هنوز حل نشده. صفحات همچنان خیلی دیر باز "
        "میشن، حدود 20 ثانیه. لطفا سرور رو چک کنید.",
    )
    # Then the follow-up is caught as the same request
    assert similarity(first, follow_up) >= DUPLICATE_THRESHOLD


def test_english_paraphrase_in_another_word_order_is_a_duplicate():
    first = (
        "Site very slow",
        "Hello, pages on tidewater-lodge.com take 15+ seconds to load since last week. "
        "We're on the shared Pro plan. Is the server overloaded?",
    )
    second = (
        "Slow loading tidewater-lodge.com",
        "Hi, since last week tidewater-lodge.com loads extremely slowly (over 15 sec per "
        "page). Shared Pro plan. Please check if the server is overloaded.",
    )
    assert similarity(first, second) >= DUPLICATE_THRESHOLD


def test_arabic_letters_zwnj_and_digit_variants_are_the_same_request():
    # Given one request, and the same words typed on an Arabic keyboard (ي ك), with spaces
    # instead of ZWNJ and ASCII instead of Persian digits
    persian = (
        "تمدید سرویس ویژه",
        f"سلام، سرویس میزبانی ویژه کد ۳۳۸۷۱ امروز منقضی می{ZWNJ}شود ولی فاکتور تمدید در "
        "پنل صادر نشده است. لطفا فاکتور را صادر کنید.",
    )
    variant = (
        "تمديد سرويس ويژه",
        "سلام، سرويس ميزباني ويژه كد 33871 امروز منقضي مي شود ولي فاكتور تمديد در "
        "پنل صادر نشده است. لطفا فاكتور را صادر كنيد.",
    )
    # Then their fingerprints are identical
    assert fingerprint(*persian) == fingerprint(*variant)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            ("SSL certificate of example.ir expired", "Please renew the SSL of example.ir."),
            ("Email of example.ir not received", "No email reaches info@example.ir."),
        ),
        (
            (
                "افزایش فضای هاست",
                "با سلام. فضای هاست سایت arianteb.ir تقریبا پر شده. لطفا فضای دیسک را ۲ "
                "گیگابایت افزایش دهید و هزینه آن را اعلام کنید.",
            ),
            (
                "تمدید هاست",
                "با سلام. هاست سایت arianteb.ir تا یک هفته دیگه منقضی میشه. لطفا برای تمدید "
                "یک ساله فاکتور صادر کنید و هزینه آن را اعلام کنید.",
            ),
        ),
        (SITE_DOWN, HOSTING_UPGRADE),
    ],
)
def test_different_requests_about_the_same_domain_are_not_duplicates(first, second):
    # Given two requests of one customer about one domain, for different problems
    # Then neither blocks the other
    assert similarity(first, second) < DUPLICATE_THRESHOLD


def test_the_same_wording_for_another_domain_is_another_request():
    first = ("ثبت دامنه", "سلام، لطفا دامنه hamrahsalamat.ir را برای ۵ سال ثبت کنید.")
    second = ("ثبت دامنه", "سلام، لطفا دامنه hamrahsalamat.com را برای ۵ سال ثبت کنید.")
    assert similarity(first, second) < DUPLICATE_THRESHOLD


def test_a_shared_identifier_alone_does_not_make_a_duplicate():
    # Given two requests that share only the server's IP address
    first = ("قطعی سرور", "سرور مجازی 185.143.232.51 پینگ نمی‌دهد و SSH وصل نمی‌شود.")
    second = ("نصب مجدد سیستم عامل", "روی 185.143.232.51 لطفا Ubuntu 22.04 نصب کنید.")
    assert similarity(first, second) < DUPLICATE_THRESHOLD


def test_shared_boilerplate_does_not_make_requests_alike():
    # Given two different requests wrapped in the same greeting, thanks and signature
    greeting = "سلام وقت بخیر. خسته نباشید. با سلام و احترام، ضمن عرض خسته نباشید،"
    thanks = "پیشاپیش از همکاری شما سپاسگزارم. با تشکر و احترام. Hello, thanks, please."
    first = ("درخواست", f"{greeting} لطفا رمز عبور ایمیل admin@novinbar.ir را ریست کنید. {thanks}")
    second = ("درخواست", f"{greeting} لطفا پهنای باند هاست novinbar.ir را افزایش دهید. {thanks}")
    # Then they are not duplicates
    assert similarity(first, second) < DUPLICATE_THRESHOLD
    # And boilerplate alone is nothing to compare
    assert fingerprint("سلام", f"{greeting} {thanks}") == b""


def test_empty_text_has_an_empty_fingerprint_that_matches_nothing():
    assert fingerprint("", "") == b""
    assert fingerprint("  ", f"{ZWNJ}\n") == b""
    assert score(b"", fingerprint(*SITE_DOWN)) == 0.0
    assert rank(b"", [(1, fingerprint(*SITE_DOWN))]) == []


def test_fingerprint_is_deterministic_versioned_and_small():
    # Given a 20,000-character request (a long pasted log and explanation)
    body = " ".join(SITE_DOWN[1] + " " + HOSTING_UPGRADE[1] + f" #{i}" for i in range(200))
    body = body[:20_000]
    # When it is fingerprinted twice
    first, second = fingerprint("گزارش کامل", body), fingerprint("گزارش کامل", body)
    # Then the bytes are the same, start with the version, and stay under 2 KB
    assert first == second
    assert first[0] == VERSION
    assert len(first) < 2048


def test_fingerprint_of_a_realistic_request_is_a_few_hundred_bytes():
    assert 0 < len(fingerprint(*SITE_DOWN)) < 300


def test_another_version_scores_zero():
    # Given a fingerprint stored by an older algorithm (another version byte)
    current = fingerprint(*SITE_DOWN)
    older = bytes([VERSION + 1]) + current[1:]
    # Then it is never compared, even with its own request
    assert score(current, current) >= DUPLICATE_THRESHOLD
    assert score(older, current) == 0.0
    assert score(current, older) == 0.0
    assert rank(current, [("old", older)]) == []


def test_a_request_is_most_like_itself():
    for text in (SITE_DOWN, SITE_DOWN_REWORDED, HOSTING_UPGRADE):
        itself = similarity(text, text)
        assert itself >= DUPLICATE_THRESHOLD
        for other in (SITE_DOWN, SITE_DOWN_REWORDED, HOSTING_UPGRADE):
            assert similarity(text, other) <= itself


def test_score_is_symmetric_and_bounded():
    texts = [SITE_DOWN, SITE_DOWN_REWORDED, HOSTING_UPGRADE]
    for a in texts:
        for b in texts:
            forward, backward = similarity(a, b), similarity(b, a)
            assert forward == backward
            assert 0.0 <= forward <= 1.0


def test_rank_returns_matches_best_first_with_the_scores_of_score():
    # Given the open tickets of one customer: an unrelated one, a reworded duplicate and an
    # exact duplicate, plus an empty and an old-version fingerprint
    query = fingerprint(*SITE_DOWN)
    exact = fingerprint(*SITE_DOWN)
    reworded = fingerprint(*SITE_DOWN_REWORDED)
    unrelated = fingerprint(*HOSTING_UPGRADE)
    candidates = [
        ("upgrade", unrelated),
        ("reworded", reworded),
        ("empty", b""),
        ("old", bytes([VERSION + 1]) + exact[1:]),
        ("exact", exact),
    ]
    # When the new submission is ranked against them
    matches = rank(query, candidates)
    # Then the duplicates come back, best first, scored as score() scores them
    assert [key for key, _ in matches] == ["exact", "reworded"]
    assert matches[0][1] >= matches[1][1]
    assert matches[1][1] == score(query, reworded)


def test_rank_threshold_can_be_raised_or_lowered():
    query = fingerprint(*SITE_DOWN)
    candidates = [("reworded", fingerprint(*SITE_DOWN_REWORDED))]
    assert rank(query, candidates, threshold=1.01) == []
    assert [key for key, _ in rank(query, candidates, threshold=0.0)] == ["reworded"]


def test_labelled_set_has_the_promised_shape():
    # The benchmark's labelled set: big enough, both labels, well-formed lines.
    pairs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) >= 200
    labels = {pair["duplicate"] for pair in pairs}
    assert labels == {True, False}
    for pair in pairs:
        assert set(pair) <= {"a", "b", "duplicate", "lang", "note", "split"}
        for side in (pair["a"], pair["b"]):
            assert set(side) == {"subject", "body"}
            assert side["subject"].strip() and side["body"].strip()
        assert isinstance(pair["duplicate"], bool)
        assert pair["lang"] in {"fa", "en", "mixed"}
        assert pair["note"].strip()
        assert pair.get("split", "tune") in {"tune", "holdout"}
    holdout = sum(pair.get("split") == "holdout" for pair in pairs)
    assert 0.2 * len(pairs) <= holdout <= 0.4 * len(pairs)
    persian = sum(pair["lang"] == "fa" for pair in pairs)
    assert persian >= len(pairs) / 2
