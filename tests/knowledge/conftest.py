"""What the knowledge-base tests share: a category and articles written from the hosting
company's support policy (seed 002)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pishkhan.knowledge.services import article_create, category_create

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Seed 002, rules 12 and 15: read the articles first; one ticket per request.
TICKET_TITLE = "چگونه یک تیکت درست باز کنیم"
TICKET_BODY = (
    "کلیه مشتریان موظف می باشند قبل از ارسال تیکت، بخش آموزش و مقالات شرکت را مطالعه کرده "
    "و در صورت عدم پیدا کردن راه حل مناسب برای رفع مشکل خود، تیکت ( درخواست پشتیبانی ) "
    "مورد نظر را ارسال کنند.\n\n"
    "مشتریان موظف می باشند برای هر درخواست پشتیبانی یک تیکت جدید باز کنند."
)
# Seed 002, rule 5: what support covers.
SCOPE_TITLE = "پشتیبانی شامل چه مواردی می‌شود؟"
SCOPE_BODY = (
    "پشتیبانی فقط شامل ماژول های طراحی شده توسط شرکت و مشکلات مربوط به آپتایم شبکه و "
    "سرورها می باشد و هیچ گونه پشتیبانی بابت مشکلات سیستم های مدیریت محتوا (cms) ارائه "
    "نمی شود."
)


def png(name: str = "نمونه.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


class Kb:
    """A world's knowledge base: one category, helpers to add articles."""

    def __init__(self, world):
        self.world = world
        self.category = category_create(
            tenant=world.tenant, actor=world.owner, name="راهنمای تیکت", name_en="Tickets"
        )

    def article(self, title=TICKET_TITLE, body=TICKET_BODY, *, publish=True, **values):
        return article_create(
            tenant=self.world.tenant,
            actor=self.world.agent,
            category=values.pop("category", self.category),
            title=title,
            body=body,
            publish=publish,
            **values,
        )


@pytest.fixture
def kb(alpha) -> Kb:
    return Kb(alpha)


@pytest.fixture
def beta_kb(beta) -> Kb:
    return Kb(beta)
