"""Demo data for live chat: settings with a Persian greeting and the tenant's own site allowed,
and one finished chat (seed 000: a customer asks to talk with a supervisor online), so the
history, the transcript and quality review have something to show. Safe to call again."""

from pishkhan.chat import services
from pishkhan.chat.models import Chat

GREETING_FA = "سلام! ما آنلاین هستیم؛ پرسش خود را بنویسید."
GREETING_EN = "Hello! We are online; type your question."
LINES = (
    ("visitor", "سلام، هرگونه ارتباط با کارشناس از طریق گفتگوی آنلاین با سوپروایزر خواهد بود؟"),
    ("agent", "سلام، بله؛ گفتگوهای آنلاین توسط سرپرستان کیفیت ارزیابی می‌شوند."),
    ("visitor", "ممنون از پاسخ سریع شما."),
)


def seed_chat(*, tenant, owner, agent, department=None) -> None:
    services.chat_settings_update(
        tenant=tenant,
        actor=owner,
        greeting_fa=GREETING_FA,
        greeting_en=GREETING_EN,
        default_department=department.pk if department else None,
    )
    if Chat.objects.for_tenant(tenant).exists():
        return
    from pishkhan.chat.models import ChatStatus
    from pishkhan.chat.services.conversation import _append
    from pishkhan.core import clock

    visitor = services.visitor_identify(
        tenant=tenant, key=None, name="مریم احمدی", email="maryam@example.ir", language="fa"
    )
    # Built directly rather than through routing: the demo has nobody online to offer it to.
    chat = Chat.objects.create(
        tenant=tenant,
        visitor=visitor,
        department=department,
        status=ChatStatus.ACTIVE,
        agent=agent,
        started_at=clock.now(),
        accepted_at=clock.now(),
    )
    for kind, text in LINES:
        _append(
            tenant=tenant,
            chat=chat,
            kind=kind,
            text=text,
            user=agent if kind == "agent" else None,
        )
    services.chat_end(tenant=tenant, chat=chat, by="agent", actor=agent)
