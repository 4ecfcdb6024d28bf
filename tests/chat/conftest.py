"""Chat fixtures: a tenant whose calendar is open around the clock (so tests do not depend on
the hour they run at), with agents online."""

import pytest

from pishkhan.accounts.services import staff_user_create
from pishkhan.chat.services import agent_connected
from pishkhan.process_cache import settings_changed
from pishkhan.sla.models import BusinessCalendar
from pishkhan.sla.services.defaults import policy_for_department
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant
from tests.conftest import PASSWORD

# The 004 seed (LiveAgent) and 000 (the virtual secretary) speak of chat with a supervisor.
VISITOR_NAME = "مریم احمدی"
VISITOR_HELLO = "سلام، می‌خواستم با سرپرست به‌صورت آنلاین گفت‌وگو کنم."
AGENT_REPLY = "سلام، در خدمتم. چطور می‌توانم کمک کنم؟"
ALL_WEEK = [[["00:00", "24:00"]]] * 7


def open_all_hours(tenant) -> None:
    policy = policy_for_department(tenant=tenant, department_id=0)
    BusinessCalendar.objects.filter(pk=policy.calendar_id).update(
        week=ALL_WEEK, official_holidays=False, day_minutes=24 * 60
    )
    settings_changed(tenant.pk)  # a queryset update sends no signal


def add_agent(world, name: str, role=Role.AGENT):
    user = staff_user_create(
        email=f"{name}@{world.tenant.slug}.example", password=PASSWORD, full_name=name
    )
    membership_grant(tenant=world.tenant, user=user, role=role)
    return user


@pytest.fixture
def open_alpha(alpha):
    open_all_hours(alpha.tenant)
    return alpha


@pytest.fixture
def open_beta(beta):
    open_all_hours(beta.tenant)
    return beta


def online(world, *users):
    for user in users:
        agent_connected(tenant=world.tenant, user=user)
