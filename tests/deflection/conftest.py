"""A small knowledge base for the deflection tests, written from the seeds (002: the hosting
company's support rules)."""

from dataclasses import dataclass

import pytest

from pishkhan.knowledge.models import Language, Visibility
from pishkhan.knowledge.services import article_create, category_create

# 002 r6 and r2, as articles a customer might be pointed to.
MODULES_TITLE = "نصب و راه اندازی ماژول ها"
MODULES_BODY = (
    "<p>نصب و راه اندازی ماژول هایی که توسط سایت کام به کام ارائه می گردد فقط یکبار به صورت "
    "رایگان انجام خواهد شد و نصب و راه اندازی مجدد مستلزم پرداخت هزینه می باشد.</p>"
)
HOURS_TITLE = "ساعات پشتیبانی تلفنی"
HOURS_BODY = (
    "<p>زمان ارائه مشاوره فروش و پشتیبانی به صورت تلفنی از شنبه تا چهارشنبه از ساعت ۹ لغایت 17 "
    "می باشد.</p>"
)
MODULES_EN_TITLE = "Installing modules"
MODULES_EN_BODY = "<p>Installing the modules the company provides (ماژول) is free once.</p>"
INTERNAL_TITLE = "راهنمای داخلی نصب مجدد ماژول"
INTERNAL_BODY = "<p>برای نصب مجدد ماژول ابتدا پرداخت هزینه را بررسی کنید.</p>"
DRAFT_TITLE = "پیش نویس ماژول جدید"
DRAFT_BODY = "<p>ماژول جدید به زودی منتشر می شود.</p>"


@dataclass
class Kb:
    modules: object
    hours: object
    modules_en: object
    internal: object
    draft: object


def make_kb(world) -> Kb:
    category = category_create(tenant=world.tenant, actor=world.owner, name="راهنما")

    def article(title, body, *, language=Language.PERSIAN, publish=True, **extra):
        return article_create(
            tenant=world.tenant,
            actor=world.owner,
            publish=publish,
            title=title,
            body=body,
            language=language,
            category=category,
            **extra,
        )

    return Kb(
        modules=article(MODULES_TITLE, MODULES_BODY),
        hours=article(HOURS_TITLE, HOURS_BODY),
        modules_en=article(MODULES_EN_TITLE, MODULES_EN_BODY, language=Language.ENGLISH),
        internal=article(INTERNAL_TITLE, INTERNAL_BODY, visibility=Visibility.INTERNAL),
        draft=article(DRAFT_TITLE, DRAFT_BODY, publish=False),
    )


@pytest.fixture
def kb(alpha) -> Kb:
    return make_kb(alpha)


# Keys as the form mints them (services.visit_key_new), fixed so a test can name them.
KEY_A = "visit-key-aaaaaaaaaaaaaaaa"
KEY_B = "visit-key-bbbbbbbbbbbbbbbb"
KEY_C = "visit-key-cccccccccccccccc"
