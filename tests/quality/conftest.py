"""What the quality tests share: a ticket resolved by alice, a supervisor, and a scorecard
written from the virtual-secretary seed (000: "online chats are evaluated by quality
supervisors to keep the quality of answering")."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from pishkhan.accounts.services import staff_user_create
from pishkhan.quality.services import scorecard_create
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from pishkhan.tickets.services import ticket_update
from tests.conftest import PASSWORD

# Seed 000: «به منظور حفظ کیفیت پاسخگویی، گفتگوی آنلاین توسط ناظران کیفیت همکال، ارزیابی میشود.»
SCORECARD_NAME = "ارزیابی کیفیت پاسخگویی"
SCORECARD_DESCRIPTION = "به منظور حفظ کیفیت پاسخگویی، گفتگو توسط ناظران کیفیت ارزیابی می‌شود."
CRITERIA = [
    {"label": "احوالپرسی و ادب", "weight": "1", "scale": "yes_no"},
    {"label": "درستی پاسخ", "weight": "3", "scale": "1_5", "comment_below": 3},
    {"label": "سرعت پاسخگویی", "weight": "2", "scale": "0_2"},
]
SURVEY_LINK = re.compile(r"https?://[^\s/]+(/survey/[\w-]+/)")


def resolve(world, ticket=None, *, assignee=None):
    """The ticket (the world's own by default), assigned to the agent, marked resolved."""
    ticket = ticket or world.ticket
    ticket_update(
        tenant=world.tenant, ticket=ticket, actor=world.owner, assignee=assignee or world.agent
    )
    ticket_update(tenant=world.tenant, ticket=ticket, actor=world.agent, status="resolved")
    ticket.refresh_from_db()
    return ticket


def survey_path_from_mail() -> str:
    """The survey page's path in the last mail sent."""
    match = SURVEY_LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def make_scorecard(world, **values):
    return scorecard_create(
        tenant=world.tenant,
        actor=world.owner,
        name=values.pop("name", SCORECARD_NAME),
        description=values.pop("description", SCORECARD_DESCRIPTION),
        criteria=values.pop("criteria", CRITERIA),
        **values,
    )


def marks_for(scorecard, *values, comments=None) -> list[dict]:
    comments = comments or {}
    return [
        {"criterion": c.pk, "value": v, "comment": comments.get(i, "")}
        for i, (c, v) in enumerate(zip(scorecard.criteria.all(), values, strict=True))
    ]


@pytest.fixture
def supervisor(alpha):
    user = staff_user_create(
        email="supervisor@alpha.example", password=PASSWORD, full_name="سارا ناظر"
    )
    membership_grant(tenant=alpha.tenant, user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def scorecard(alpha):
    return make_scorecard(alpha)


HUNDRED = Decimal("100")
