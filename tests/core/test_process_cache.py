"""The intake path keeps a tenant's support rules and service levels between requests
(process_cache): a change counts from the very next request, in this process and in
every other, a rolled-back change never counts, and one tenant's settings never answer for
another's. These tests commit (transactional database), as production does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pishkhan import process_cache
from pishkhan.policies.models import RuleSettings
from pishkhan.policies.services import rule_settings_update
from pishkhan.sla.models import SlaClock, SlaPolicy
from pishkhan.sla.services import policy_update
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Severity
from tests.conftest import GOOD_FIELDS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("kept_per_process")]

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_SUBJECT = "Website down"
ENGLISH_BODY = "Hello, our website has been down since this morning. Please check it."


def english(world, n: int = 0):
    return world.submit(f"{ENGLISH_SUBJECT} {n}", body=ENGLISH_BODY)


def rule_reads(world, n: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        english(world, n)
    return sum("policies_rulesettings" in q["sql"] for q in captured.captured_queries)


def test_kept_rules_are_not_read_again_until_they_change(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 1)

    assert rule_reads(alpha, 2) == 0
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="flag")
    assert rule_reads(alpha, 3) == 1


def test_a_rule_changed_by_an_admin_applies_from_the_next_request(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 1)
    english(alpha, 2)

    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="block")

    with pytest.raises(PolicyRefusal) as refused:
        english(alpha, 3)
    assert refused.value.code == "not_persian"
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    assert english(alpha, 4).pk


def test_one_tenants_rules_never_answer_for_another(alpha, beta):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    rule_settings_update(tenant=beta.tenant, actor=beta.owner, persian_only="block")

    for n in range(2):
        assert english(alpha, n).tenant_id == alpha.tenant.pk
        with pytest.raises(PolicyRefusal):
            english(beta, n)


def test_a_changed_service_level_applies_to_the_next_ticket(alpha, beta):
    alpha.submit("قطعی سایت")  # the tenants' service levels are now kept
    beta.submit("قطعی سایت")
    default = SlaPolicy.objects.get(tenant=alpha.tenant, is_default=True)

    policy_update(
        tenant=alpha.tenant,
        actor=alpha.owner,
        policy=default,
        targets=[{"severity": s, "first_response": "180m"} for s in Severity.values],
    )
    second = alpha.submit("قطعی دوباره سایت")
    other = beta.submit("قطعی دوباره سایت")

    def first_response(ticket) -> str:
        return SlaClock.objects.get(ticket=ticket, kind="first_response").target

    assert first_response(second) == "180m"
    assert first_response(other) == "2bd"  # the S-2 table for "other"


def test_a_change_counts_inside_its_transaction_and_not_after_its_rollback(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 1)

    refused_inside = []
    with transaction.atomic():
        rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="block")
        try:
            english(alpha, 2)
        except PolicyRefusal as refusal:
            refused_inside.append(refusal.code)
        transaction.set_rollback(True)

    assert refused_inside == ["not_persian"]
    assert RuleSettings.objects.get(tenant=alpha.tenant).persian_only == "off"
    assert english(alpha, 3).pk


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="another process shares only PostgreSQL and Redis with this one",
)
def test_a_change_committed_by_another_process_is_seen_on_the_next_request(alpha):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 1)
    english(alpha, 2)  # now kept in this process

    # Another process (a second web server, say) changes the rule through its own service.
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    script = (
        "import django; django.setup()\n"
        "from pishkhan.accounts.models import User\n"
        "from pishkhan.policies.services import rule_settings_update\n"
        "from pishkhan.tenancy.models import Tenant\n"
        f"tenant = Tenant.objects.get(pk={alpha.tenant.pk})\n"
        f"owner = User.objects.get(pk={alpha.owner.pk})\n"
        "rule_settings_update(tenant=tenant, actor=owner, persian_only='block')\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        "DJANGO_SETTINGS_MODULE": "pishkhan.settings",
    }
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=120)  # noqa: S603

    with pytest.raises(PolicyRefusal):
        english(alpha, 3)


def test_with_a_cache_of_its_own_each_request_reads_the_rules(alpha, monkeypatch, settings):
    # The embedded default: the worker and the mail receiver could not see the web server's
    # changes through a process-local cache, so nothing is kept.
    monkeypatch.setattr(process_cache, "force_enabled", None)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 1)

    assert rule_reads(alpha, 2) == 1


def test_a_new_tickets_department_is_kept_and_a_renamed_or_foreign_one_is_seen_as_it_is(
    alpha, beta
):
    from pishkhan.tickets.selectors import department_kept
    from pishkhan.tickets.services import department_update

    first = department_kept(tenant=alpha.tenant, department_id=alpha.department.pk)
    with CaptureQueriesContext(connection) as reads:
        again = department_kept(tenant=alpha.tenant, department_id=alpha.department.pk)
    assert again.name == first.name
    assert not any("tickets_department" in q["sql"] for q in reads.captured_queries)

    department_update(
        tenant=alpha.tenant, actor=alpha.owner, department=alpha.department, name="مالی و صورتحساب"
    )
    assert department_kept(tenant=alpha.tenant, department_id=alpha.department.pk).name == (
        "مالی و صورتحساب"
    )
    # another tenant's department is no department here
    assert department_kept(tenant=alpha.tenant, department_id=beta.department.pk) is None


@pytest.fixture
def reads(monkeypatch) -> list:
    """The tenant ids whose stamps were read from the shared cache, in order."""
    seen: list = []
    real = process_cache._stamps_now

    def counted(tenant_id):
        seen.append(tenant_id)
        return real(tenant_id)

    monkeypatch.setattr(process_cache, "_stamps_now", counted)
    return seen


def test_one_request_reads_the_stamps_once_and_sees_its_own_change(alpha, beta, reads):
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    with process_cache.one_reading():
        english(alpha, 1)
        english(alpha, 2)
        beta.submit("قطعی سایت")
        assert reads.count(alpha.tenant.pk) == 1
        assert reads.count(beta.tenant.pk) == 1

        # The request itself changes a rule: what it does next follows the change.
        rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="block")
        with pytest.raises(PolicyRefusal) as refused:
            english(alpha, 3)
    assert refused.value.code == "not_persian"

    # Outside a request, each reading asks again.
    reads.clear()
    rule_settings_update(tenant=alpha.tenant, actor=alpha.owner, persian_only="off")
    english(alpha, 4)
    english(alpha, 5)
    assert reads.count(alpha.tenant.pk) >= 2


def test_every_request_reads_its_stamps_once(alpha, reads):
    client = alpha.api()
    for n in range(2):
        response = client.post(
            "/api/v1/tickets",
            data={
                "department_id": alpha.department.pk,
                "customer_id": alpha.customer.pk,
                "subject": f"قطعی سایت {n}",
                "body": "سلام، سرور من از دیروز در دسترس نیست.",
                "fields": GOOD_FIELDS,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    assert reads.count(alpha.tenant.pk) == 2
