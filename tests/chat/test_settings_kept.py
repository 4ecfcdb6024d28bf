"""A tenant's chat settings are kept in each process between visitors (process_cache),
as every visitor's start reads them: a change counts from the very next visitor. These tests
commit (transactional database), as production does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.chat.selectors import chat_settings_get
from pishkhan.chat.services import ChatError, chat_settings_update, chat_start, visitor_identify
from pishkhan.tickets.services import department_update
from tests.chat.conftest import VISITOR_HELLO, VISITOR_NAME, online, open_all_hours

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kept_per_process")]


def _start(world, n: int):
    visitor = visitor_identify(tenant=world.tenant, key=None, name=f"{VISITOR_NAME} {n}")
    return chat_start(tenant=world.tenant, visitor=visitor, text=VISITOR_HELLO)


def _settings_reads(world) -> int:
    with CaptureQueriesContext(connection) as captured:
        chat_settings_get(tenant=world.tenant)
    return sum("chat_chatsettings" in q["sql"] for q in captured.captured_queries)


def test_switching_chat_off_counts_from_the_next_visitor(alpha):
    open_all_hours(alpha.tenant)
    online(alpha, alpha.agent)
    assert _start(alpha, 1).pk  # the settings are created with their defaults here
    assert _start(alpha, 2).pk
    # kept: the next visitor's start does not read them again
    assert _settings_reads(alpha) == 0

    chat_settings_update(tenant=alpha.tenant, actor=alpha.owner, enabled=False)

    with pytest.raises(ChatError) as refused:
        _start(alpha, 3)
    assert refused.value.code == "disabled"


def test_a_default_department_switched_off_is_seen_at_once(alpha):
    chat_settings_update(
        tenant=alpha.tenant, actor=alpha.owner, default_department=alpha.department.pk
    )
    assert chat_settings_get(tenant=alpha.tenant).default_department.is_active

    department_update(
        tenant=alpha.tenant, actor=alpha.owner, department=alpha.department, is_active=False
    )

    assert not chat_settings_get(tenant=alpha.tenant).default_department.is_active
