"""`/livez`, `/healthz` and `/metrics` as a load balancer and a Prometheus server use them: on
any host, without a login, telling which part is down; metrics only for the operator."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from pishkhan import job_worker
from pishkhan.core import clock
from pishkhan.tickets.models import Severity
from pishkhan.tickets.services import ticket_update
from tests.sla.test_jobs import SATURDAY_9, run_worker_at, tehran

CHAIN = "pishkhan_job_chain_alive"


def _metric(text: str, name: str, **labels) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"{name}(?:\{{(.*)\}})? ([0-9.e+-]+)$", line)
        if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_livez_answers_on_any_host_without_touching_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/livez", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_healthz_reports_each_part_on_any_host(db):
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True
    assert set(report["checks"]) == {"database", "jobs", "channel_layer"}
    assert all(check["ok"] for check in report["checks"].values())


def test_the_channel_layer_check_answers_inside_a_running_event_loop():
    # A caller already running an event loop in its thread (a browser driver in the same
    # process did this) must still get the layer's real verdict, not a refusal.
    from pishkhan.ops.health import CHECKS

    async def asked_from_a_loop():
        return CHECKS["channel_layer"]()

    # In a thread of its own: this test process's main thread may already run a loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        verdict = pool.submit(asyncio.run, asked_from_a_loop()).result()
    assert verdict["ok"] is True, verdict


@pytest.fixture
def stored_jobs(settings, transactional_db):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _stuck_job(minutes_ago: int) -> None:
    """A job enqueued that long ago and never taken, as when no worker runs."""
    from pishkhan.sla.tasks import clock_check

    with time_machine.travel(clock.now() - timedelta(minutes=minutes_ago), tick=False):
        clock_check.enqueue(0)


def test_healthz_fails_when_jobs_wait_too_long_and_says_which_check(settings, stored_jobs):
    settings.HEALTH_JOB_LAG_SECONDS = 300
    job_worker.keep_chains()  # the SLA sweep and the mail poll wait for their next rounds
    _stuck_job(minutes_ago=2)
    waiting = Client().get("/healthz")
    assert waiting.status_code == 200, waiting.json()  # waiting 2 minutes is fine

    _stuck_job(minutes_ago=20)
    response = Client().get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["jobs"]["ok"] is False
    assert checks["jobs"]["ready"] == 2
    assert checks["jobs"]["lag_seconds"] >= 20 * 60
    assert checks["database"]["ok"] and checks["channel_layer"]["ok"]


def test_healthz_and_metrics_tell_when_the_sla_sweep_has_no_round(stored_jobs):
    # given a worker's chains, their next rounds waiting
    job_worker.keep_chains()
    healthy = Client().get("/healthz")
    assert healthy.status_code == 200, healthy.json()
    assert healthy.json()["checks"]["jobs"]["chains"] == {"mail_poll": True, "sla_sweep": True}
    assert _metric(Client().get("/metrics").content.decode(), CHAIN, chain="sla_sweep") == 1

    # when the sweep's round failed to plan the next (the database gone at that moment)
    DBTaskResult.objects.filter(task_path="pishkhan.sla.tasks.clocks_sweep").delete()
    # then the operator sees which chain is missing, though no job waits too long
    response = Client().get("/healthz")
    assert response.status_code == 503
    jobs = response.json()["checks"]["jobs"]
    assert jobs["ok"] is False and jobs["lag_seconds"] == 0
    assert jobs["chains"] == {"mail_poll": True, "sla_sweep": False}
    metrics = Client().get("/metrics").content.decode()
    assert _metric(metrics, CHAIN, chain="sla_sweep") == 0
    assert _metric(metrics, CHAIN, chain="mail_poll") == 1

    # and once a worker's look planned it again, all is well
    assert job_worker.keep_chains() == ["sla_sweep"]
    assert Client().get("/healthz").status_code == 200


def test_a_job_deferred_to_the_future_is_not_lag(stored_jobs):
    from pishkhan.sla.tasks import clock_check

    clock_check.using(run_after=clock.now() + timedelta(hours=3)).enqueue(0)
    checks = Client().get("/healthz").json()["checks"]
    assert checks["jobs"]["ready"] == 0 and checks["jobs"]["lag_seconds"] == 0
    assert DBTaskResult.objects.count() == 1


def test_metrics_are_only_for_the_operator(db, settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    # Through a proxy, or from elsewhere, the figures of every tenant are not for the public.
    refused = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert refused.status_code == 403
    assert "METRICS_TOKEN" in refused.content.decode()
    assert "دسترسی ممنوع" in refused.content.decode()
    assert Client().get("/metrics", REMOTE_ADDR="5.6.7.8").status_code == 403

    settings.METRICS_TOKEN = "scrape-secret-1405"
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    wrong = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope", REMOTE_ADDR="5.6.7.8")
    assert wrong.status_code == 403
    # With a token set, the refusal says how to send it rather than to set it.
    assert "set METRICS_TOKEN" not in wrong.content.decode()
    assert "Authorization: Bearer" in wrong.content.decode()
    right = Client().get(
        "/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-1405", REMOTE_ADDR="5.6.7.8"
    )
    assert right.status_code == 200


def test_metrics_count_requests_by_route_not_by_path(alpha):
    before = Client().get("/metrics").content.decode()
    client = alpha.client(alpha.agent)
    for number in (alpha.ticket.number, alpha.ticket.number + 999):
        client.get(f"/agent/tickets/{number}/")
    text = Client().get("/metrics").content.decode()
    route = "agent/tickets/<int:number>/"
    name = "pishkhan_http_request_duration_seconds_count"
    found = _metric(text, name, route=route, status="2xx") - _metric(
        before, name, route=route, status="2xx"
    )
    missing = _metric(text, name, route=route, status="4xx") - _metric(
        before, name, route=route, status="4xx"
    )
    assert (found, missing) == (1, 1)
    assert f"tickets/{alpha.ticket.number + 999}/" not in text  # no label per path


def test_metrics_show_the_queue_and_sla_breaches(alpha, stored_jobs):
    ticket_update(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.owner, status="closed")
    with time_machine.travel(SATURDAY_9, tick=False):
        alpha.submit("قطعی کامل سرویس میزبانی", severity=Severity.CRITICAL)
    before = Client().get("/metrics").content.decode()
    breaches_before = _metric(before, "pishkhan_sla_events_total", event="breach")
    assert _metric(before, "pishkhan_jobs_ready") >= 1  # the "received" mail waits for a worker

    run_worker_at(tehran(2026, 11, 28, 11, 1))  # past the first-response due time
    after = Client().get("/metrics").content.decode()
    assert _metric(after, "pishkhan_sla_events_total", event="breach") == breaches_before + 1
