"""A reply's new text, without the history and signature mail clients append (C-1)."""

import pytest

from pishkhan.mail.quotes import html_to_text, trim_reply

NEW = "متأسفانه هنوز همان خطا را می‌بینم. لطفاً دوباره بررسی کنید."
# From the hosting company's support policy (seed 002): what our earlier answer said.
OLD = "مشتری موظف است اهمیت تیکت های ارسالی را با توجه به اهمیت واقعی تیکت انتخاب کند."


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(
            f"On Tue, Oct 3, 2023 at 6:30 PM Support <s@alpha.localhost> wrote:\n> {OLD}",
            id="gmail-en",
        ),
        pytest.param(
            f"On Tue, Oct 3, 2023 at 6:30 PM Alpha Support <\ns@alpha.localhost> wrote:\n\n> {OLD}",
            id="gmail-en-two-lines",
        ),
        pytest.param(
            "\u202bدر تاریخ سه‌شنبه ۱۱ مهر ۱۴۰۲ ساعت ۱۸:۳۰ پشتیبانی <s@alpha.localhost>"
            " نوشت:\u202c\n"
            f"> {OLD}",
            id="gmail-fa",
        ),
        pytest.param(
            "در تاریخ سه‌شنبه ۱۱ مهر ۱۴۰۲ ساعت ۱۸:۳۰ پشتیبانی آلفا <\n"
            f"s@alpha.localhost> نوشت:\n> {OLD}",
            id="gmail-fa-two-lines",
        ),
        pytest.param(f"پشتیبانی آلفا نوشت:\n> {OLD}", id="short-fa-attribution"),
        pytest.param(f"Alpha Support wrote:\n> {OLD}", id="thunderbird-name-wrote"),
        pytest.param(f"On 10/4/23 6:30 PM, Alpha Support wrote:\n> {OLD}", id="thunderbird"),
        pytest.param(
            f"-----Original Message-----\nFrom: Support\nSent: today\n\n{OLD}",
            id="outlook-original",
        ),
        pytest.param(f"----- Original Message -----\n{OLD}", id="outlook-express"),
        pytest.param(
            "From: Alpha Support <s@alpha.localhost>\nSent: Tuesday, October 3, 2023 6:30 PM\n"
            f"To: Maryam\nSubject: RE: [#12]\n\n{OLD}",
            id="outlook-en-block",
        ),
        pytest.param(
            "________________________________\n"
            "از: پشتیبانی آلفا <s@alpha.localhost>\nارسال شده: سه‌شنبه، ۱۱ مهر ۱۴۰۲ ۱۸:۳۰\n"
            f"به: مریم\nموضوع: [#۱۲]\n\n{OLD}",
            id="outlook-fa-block",
        ),
        pytest.param(
            "*از:* پشتیبانی\n*فرستاده شده:* سه‌شنبه\n*به:* مریم\n*موضوع:* [#۱۲]\n\n" + OLD,
            id="outlook-fa-bold-sent",
        ),
        pytest.param(f"-- \nمریم احمدی\n{OLD}", id="signature-separator"),
        pytest.param(f"Sent from my iPhone\n\n> {OLD}", id="iphone"),
        pytest.param(f"ارسال شده از iPhone من\n\n{OLD}", id="iphone-fa"),
        pytest.param(f"ارسال شده از گوشی هوشمند سامسونگ\n{OLD}", id="android-fa"),
        pytest.param(f"> {OLD}\n> \n>> older", id="tail-quote"),
    ],
)
def test_history_and_signatures_are_cut_from_a_reply(history):
    assert trim_reply(f"{NEW}\n\n{history}\n") == NEW


def test_a_bottom_posted_reply_keeps_the_answer_below_the_quote():
    text = f"On 10/4/23 6:30 PM, Alpha Support wrote:\n> {OLD}\n\n{NEW}\n"
    assert trim_reply(text) == NEW


def test_interleaved_answers_keep_the_quotes_they_answer():
    text = f"> {OLD}\n\nاولویت را «مهم» انتخاب کردم.\n\n> بعدی\n\nاین هم پاسخ دوم.\n"
    trimmed = trim_reply(text)
    assert OLD in trimmed and "اولویت را «مهم» انتخاب کردم." in trimmed
    assert trimmed.endswith("این هم پاسخ دوم.")


def test_a_reply_of_only_quoted_text_is_kept_whole():
    text = f"در تاریخ ۱۲ مهر ۱۴۰۲ پشتیبانی <s@alpha.localhost> نوشت:\n> {OLD}\n"
    assert trim_reply(text) == text.strip()


def test_an_empty_reply_stays_empty():
    assert trim_reply("") == ""
    assert trim_reply("  \n ") == ""


@pytest.mark.parametrize(
    "sentence",
    [
        # Ordinary sentences that merely start like a marker are the customer's words.
        "ارسال شده از طرف ما یک فاکتور بود که هنوز پرداخت نشده است.",
        "از: این تاریخ به بعد سرور را ریستارت نکنید.",
        "On Monday the server was down again.",
        "Sent from my office, not from home.",
    ],
)
def test_sentences_that_look_like_markers_are_kept(sentence):
    text = f"{NEW}\n{sentence}\nبا تشکر"
    assert trim_reply(text) == text


def test_a_forward_is_content_and_is_not_trimmed():
    text = (
        f"{NEW}\n\n---------- Forwarded message ---------\n"
        "From: Sales <sales@example.ir>\nDate: Mon, Oct 2, 2023\nSubject: x\nTo: <a@example.ir>\n\n"
        f"{OLD}\n"
    )
    assert OLD in trim_reply(text)


def test_windows_line_endings_are_handled():
    assert trim_reply(f"{NEW}\r\n\r\n-----Original Message-----\r\n{OLD}\r\n") == NEW


# --- HTML ------------------------------------------------------------------------------------


def test_html_text_keeps_paragraphs_and_unescapes_entities():
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>سطر اول &amp; دوم</p><p>پاراگراف&nbsp;دوم<br>سطر بعد</p>"
        "<script>alert(1)</script><ul><li>یک</li><li>دو</li></ul></body></html>"
    )
    assert html_to_text(html) == "سطر اول & دوم\n\nپاراگراف دوم\nسطر بعد\n\n- یک\n- دو"


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(
            f'<div class="gmail_quote"><div class="gmail_attr">On … wrote:</div>'
            f'<blockquote class="gmail_quote">{OLD}</blockquote></div>',
            id="gmail",
        ),
        pytest.param(
            '<div class="moz-cite-prefix">On … wrote:<br></div>'
            f'<blockquote type="cite">{OLD}</blockquote>',
            id="thunderbird",
        ),
        pytest.param(
            f'<div id="divRplyFwdMsg"><b>از:</b> پشتیبانی</div><div>{OLD}</div>',
            id="outlook-web",
        ),
        pytest.param(
            "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
            f"<p><b>From:</b> Support</p></div><p>{OLD}</p>",
            id="outlook-desktop",
        ),
        pytest.param(f'<blockquote type="cite"><div>{OLD}</div></blockquote>', id="apple"),
        pytest.param(
            f'<div class="gmail_signature">مریم<div><div>{OLD}</div></div></div>', id="signature"
        ),
    ],
)
def test_quoted_history_containers_are_left_out_of_the_reply(history):
    html = f'<div dir="rtl"><div>{NEW}</div>{history}</div>'
    assert html_to_text(html, trim=True) == NEW
    assert OLD in html_to_text(html)


def test_broken_html_still_gives_its_text():
    assert html_to_text("<p>سلام<div><b>دنیا</p></i>").split() == ["سلام", "دنیا"]
