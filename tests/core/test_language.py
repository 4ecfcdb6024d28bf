"""Tests for pishkhan.core.language: requests must be written in Persian (SPEC T-7, seed 002 r1).

Persian samples are copied from the seed documents beside SPEC.md (seed 002 is the support rules
this check enforces; seed 001 was typed on an Arabic keyboard) so the suite runs anywhere.
"""

import pytest

from pishkhan.core.language import LanguageVerdict, check_persian

# Verbatim from seed 002, rule 1.
SEED_002_RULE_1 = (
    "کلیه مشتریان موظف هستند درخواست های پشتیبانی خود را به زبان و فونت فارسی از سیستم "
    "پشتیبانی ارسال نمایند و از تماس با تلفن های واحد فروش ، فرم های تماس با ما و… برای "
    "پیگیری درخواست های پشتیبانی خودداری کنند."
)
# Verbatim from seed 001 (Arabic yeh and kaf throughout), paragraph 1, first sentence.
SEED_001_SENTENCE = (
    "هومينو عامل ارائه خدمات نيست ، بلكه تنها يك خدمات نرمافزاري است كه از اين طريق "
    "ارتباط بين مشتريان و متخصصين را بر انجام يك خدمت فراهم آورده و تلاش دارد تا "
    "فرايند انجام خدمات يادشده را تسهيل نمايد."
)


def assert_persian(verdict: LanguageVerdict) -> None:
    assert verdict.is_persian, verdict
    assert verdict.reason == "persian", verdict


def test_persian_request_passes():
    verdict = check_persian(SEED_002_RULE_1)
    assert_persian(verdict)
    assert verdict.persian_share == 1.0


def test_persian_typed_on_an_arabic_keyboard_is_persian():
    # Given Persian written with ي and ك (an Arabic keyboard layout)
    # Then it is Persian, not Arabic
    assert_persian(check_persian(SEED_001_SENTENCE))


def test_persian_with_urls_emails_ips_and_domains_passes():
    text = (
        "سلام، سایت https://nikanshop.ir/checkout?step=2 باز نمی‌شود. ایمیل ما info@nikanshop.ir "
        "است و سرور روی 185.143.232.51 و 2001:db8:85a3::8a2e:370:7334 قرار دارد. "
        "فایل /home/nikan/public_html/wp-config.php را هم بررسی کنید."
    )
    assert_persian(check_persian(text))


def test_persian_with_product_names_passes():
    # Given a Persian request naming half a dozen Latin-script products
    text = (
        "سلام، روی هاست cPanel ما WordPress با PHP 8.1 و MySQL نصب است. بعد از فعال کردن "
        "SSL از Let's Encrypt، سایت خطای Too Many Redirects میده. DNS روی Cloudflare است و "
        "Nginx جلوی Apache قرار دارد. DirectAdmin هم نداریم."
    )
    # Then the names do not count against it
    verdict = check_persian(text)
    assert_persian(verdict)
    assert verdict.persian_share == 1.0


def test_persian_with_a_pasted_log_passes():
    text = (
        "سلام، سایت ما خطای ۵۰۲ میده. این لاگ سرور است:\n"
        "2024/11/02 10:22:01 [error] 1234#0: *56 connect() to unix:/run/php/php8.1-fpm.sock "
        "failed (11: Resource temporarily unavailable) while connecting to upstream\n"
        "2024/11/02 10:22:05 [error] 1234#0: *57 upstream timed out while reading response\n"
        "HTTP/1.1 502 Bad Gateway\n"
        "Server: nginx\n"
        "DB_HOST=localhost DB_PORT=3306\n"
        "لطفا بررسی کنید."
    )
    assert_persian(check_persian(text))


def test_persian_with_a_stack_trace_passes():
    text = (
        "سلام، گزارش فصلی خطا میده:\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/report.py", line 118, in build\n'
        "    total = sum(row.amount for row in rows)\n"
        "AttributeError: 'NoneType' object has no attribute 'amount'\n"
        "java.lang.NullPointerException\n"
        "    at com.saman.report.QuarterlyBuilder.build(QuarterlyBuilder.java:118)\n"
        "ممنون میشم بررسی کنید."
    )
    assert_persian(check_persian(text))


def test_persian_with_code_passes():
    text = (
        "سلام، این کد رو توی `functions.php` گذاشتم و سایت سفید شد:\n"
        "```php\n"
        "add_action('init', function() { remove_action('wp_head', 'wp_generator'); });\n"
        "// the whole site is blank after this line, even the admin area\n"
        "```\n"
        "چطور درستش کنم؟ دستور `wp plugin deactivate --all` هم کمکی نکرد."
    )
    assert_persian(check_persian(text))


def test_persian_with_a_pasted_english_bounce_message_passes():
    # Given a short Persian request quoting a longer English bounce notice
    text = (
        "سلام، ایمیل‌هایی که می‌فرستیم این پیام برگشتی رو میده:\n"
        "Your message couldn't be delivered because the recipient's mailbox is full "
        "and cannot accept any more messages at this time.\n"
        "لطفا بررسی کنید."
    )
    # Then the request is still Persian, with a Persian minority share
    verdict = check_persian(text)
    assert_persian(verdict)
    assert verdict.persian_share < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Hello, our website brightpath.io has been down since 9am, it returns 502 Bad "
        "Gateway. Customers can't place orders. Please look into it ASAP. Thanks",
        "URGENT!!! MY WEBSITE IS DOWN SINCE THIS MORNING PLEASE HELP ME NOW",
        "Bonjour, notre site ne fonctionne plus depuis ce matin. Pouvez-vous vérifier ?",
    ],
)
def test_english_and_other_latin_script_languages_are_refused(text):
    verdict = check_persian(text)
    assert not verdict.is_persian
    assert verdict.reason == "latin"
    assert verdict.persian_share == 0.0


def test_finglish_is_refused():
    # Given Persian words in Latin letters
    verdict = check_persian("salam, site man az sobh bala nemiad. lotfan barresi konid, mamnoon")
    # Then it is not Persian script, so it is refused
    assert not verdict.is_persian
    assert verdict.reason == "latin"


def test_a_persian_greeting_does_not_make_an_english_request_persian():
    text = (
        "سلام. Hello, our website is down since this morning and shows a 502 error. Please "
        "check it as soon as possible. ممنون"
    )
    verdict = check_persian(text)
    assert not verdict.is_persian
    assert verdict.reason == "latin"
    assert 0.0 < verdict.persian_share < 0.3


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا، الموقع الخاص بنا لا يعمل منذ الصباح. يرجى المساعدة في أسرع وقت ممكن. شكرا",
        "السلام عليكم، لدي مشكلة في البريد الإلكتروني، الرسائل لا تصل إلى صندوق الوارد. "
        "هل يمكنكم المساعدة؟",
        "نود تجديد الاستضافة الخاصة بنا لمدة سنة، وهذه هي المرة الثانية التي نطلب فيها ذلك.",
    ],
)
def test_arabic_is_refused(text):
    # Given Arabic: the same script as Persian, another language
    verdict = check_persian(text)
    # Then it is refused as Arabic
    assert not verdict.is_persian
    assert verdict.reason == "arabic"
    assert verdict.persian_share == 1.0  # the share counts script, the reason names language


def test_other_scripts_are_refused():
    verdict = check_persian("Здравствуйте, наш сайт не работает с утра. Пожалуйста, помогите.")
    assert not verdict.is_persian
    assert verdict.reason == "other_script"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "سلام",
        "SSL expired",
        "https://nikanshop.ir/checkout?step=2",
        "2024-11-02 10:22:01 ERROR [php-fpm] pool www: server reached pm.max_children (5)\n"
        "2024-11-02 10:22:05 ERROR [php-fpm] child 1234 exited on signal 9 (SIGKILL)",
        "```\nSELECT * FROM orders WHERE id = 45821;\n```",
    ],
)
def test_too_little_text_to_judge_passes(text):
    # Given a request with too few letters left once URLs, logs and code are set aside
    verdict = check_persian(text)
    # Then we do not refuse what we cannot judge
    assert verdict.is_persian
    assert verdict.reason == "too_short"


def test_verdict_is_immutable():
    verdict = check_persian(SEED_002_RULE_1)
    with pytest.raises(AttributeError):
        verdict.is_persian = False  # type: ignore[misc]
