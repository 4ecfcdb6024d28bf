"""Demo quality review and satisfaction: a Persian scorecard built on the virtual-secretary
promise [000] ("online chats are evaluated by quality supervisors to keep the quality of
answering"), a few resolved requests with their customers' ratings, and one review."""

from pishkhan.accounts.models import Customer
from pishkhan.accounts.services import customer_create
from pishkhan.quality.models import Scorecard
from pishkhan.quality.services import (
    review_create,
    scorecard_create,
    survey_answer,
    survey_request,
)
from pishkhan.tickets.services import ticket_submit, ticket_update

SCORECARD = {
    "name": "ارزیابی کیفیت پاسخگویی",
    "description": (
        "به منظور حفظ کیفیت پاسخگویی، گفت‌وگوها و تیکت‌ها توسط ناظران کیفیت ارزیابی می‌شوند."
    ),
    "criteria": [
        {"label": "احوالپرسی و رعایت ادب", "weight": "1", "scale": "yes_no"},
        {"label": "درستی و کامل بودن پاسخ", "weight": "3", "scale": "1_5", "comment_below": 3},
        {"label": "سرعت پاسخگویی", "weight": "2", "scale": "0_2", "comment_below": 1},
        {"label": "پیگیری تا حل مشکل", "weight": "2", "scale": "1_5"},
    ],
}

# (customer, email, subject, body, rating, comment)
REQUESTS = [
    (
        "نرگس توکلی",
        "narges@example.ir",
        "خطای ۵۰۰ پس از به‌روزرسانی ماژول",
        "پس از نصب نسخهٔ تازهٔ ماژول پرداخت، صفحهٔ سبد خرید خطای ۵۰۰ می‌دهد.",
        5,
        "مشکل در کمتر از یک ساعت حل شد؛ سپاسگزارم.",
    ),
    (
        "حمید رستمی",
        "hamid@example.ir",
        "کندی پنل مدیریت سایت",
        "پنل مدیریت سایت از صبح بسیار کند باز می‌شود.",
        4,
        "",
    ),
    (
        "لیلا مرادی",
        "leila@example.ir",
        "قطعی ایمیل سازمانی",
        "از دیروز ایمیل‌های سازمانی ما دریافت نمی‌شوند.",
        2,
        "پاسخ دیر رسید و دو بار اطلاعات تکراری خواستند.",
    ),
]


def seed_quality(*, tenant, owner, agent, department, fields=None) -> None:
    """A scorecard, three customers' requests to `department` resolved by `agent` and rated by
    their customers, and `owner`'s review of the first. `fields`: what the department requires
    of a request. Customers of their own, so no other demo request makes these look like
    repeats (T-4). Safe to call again: a workspace that has scorecards is left as it is."""
    if Scorecard.objects.for_tenant(tenant).exists():
        return
    scorecard = scorecard_create(tenant=tenant, actor=owner, **SCORECARD)
    tickets = []
    for name, email, subject, body, rating, comment in REQUESTS:
        customer = Customer.objects.for_tenant(tenant).filter(email=email).first()
        if customer is None:
            customer = customer_create(tenant=tenant, actor=owner, name=name, email=email)
        ticket = ticket_submit(
            tenant=tenant,
            customer=customer,
            department=department,
            actor=agent,
            channel="phone",
            subject=subject,
            body=body,
            fields=fields or {},
        )
        ticket_update(tenant=tenant, ticket=ticket, actor=owner, assignee=agent)
        ticket_update(tenant=tenant, ticket=ticket, actor=agent, status="resolved")
        # Asked here rather than by the resolution's job, so the answers below find it.
        survey = survey_request(
            tenant=tenant,
            subject_kind="ticket",
            subject_id=ticket.number,
            customer_email=customer.email or "",
            language=customer.language,
        )
        if survey is not None:
            survey_answer(tenant=tenant, token=survey.token, score=rating, comment=comment)
        tickets.append(ticket)
    marks = dict(zip([c.pk for c in scorecard.criteria.all()], (1, 4, 2, 5), strict=True))
    review_create(
        tenant=tenant,
        actor=owner,
        scorecard=scorecard,
        subject_kind="ticket",
        subject_id=tickets[0].number,
        marks=[{"criterion": pk, "value": value} for pk, value in marks.items()],
        comment="پاسخ دقیق و سریع بود؛ در پایان، پرسیدن اینکه آیا مشکل دیگری هست را فراموش نکنید.",
    )
