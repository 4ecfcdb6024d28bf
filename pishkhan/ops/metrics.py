"""Prometheus metrics at `/metrics`: request latency by route, the job queue's depth and lag, and
SLA events (at risk, breached) as the deadline sweep records them.

Several processes (web workers, job workers) each count for themselves; when
PROMETHEUS_MULTIPROC_DIR names a directory shared by the processes of one host,
`prometheus_client` keeps their figures there and `/metrics` of any web process answers for all
of them (`pishkhan serve` sets one up for the processes it starts)."""

import os
import time

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from pishkhan.core import clock

REQUEST_SECONDS = Histogram(
    "pishkhan_http_request_duration_seconds",
    "Time from a request's arrival in Django to its response, by route.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SLA_EVENTS = Counter(
    "pishkhan_sla_events",
    "SLA clocks found at risk or breached by the deadline sweep.",
    ["event"],
)


def sla_event(outcome: str) -> None:
    """Called by the deadline sweep with what it found (`at_risk` or `breach`)."""
    SLA_EVENTS.labels(event=outcome).inc()


class JobQueueCollector:
    """Read at scrape time from the jobs table, so every process reports the same truth."""

    def collect(self):
        from pishkhan.ops.jobstats import chains_alive, job_stats

        stats = job_stats(now=clock.now())
        yield GaugeMetricFamily(
            "pishkhan_jobs_ready", "Jobs due and waiting for a worker.", value=stats.ready
        )
        yield GaugeMetricFamily(
            "pishkhan_jobs_lag_seconds",
            "How long the oldest due job has waited for a worker.",
            value=stats.lag_seconds,
        )
        alive = GaugeMetricFamily(
            "pishkhan_job_chain_alive",
            "1 while a self-renewing job (SLA sweep, mail poll) has a round waiting or running.",
            labels=["chain"],
        )
        for name, found in chains_alive().items():
            if found is not None:
                alive.add_metric([name], int(found))
        yield alive


def _route(request: HttpRequest) -> str:
    # The URL pattern, not the path: one series per route however many tickets there are.
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unknown"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            method=request.method,
            route=_route(request),
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def exposition() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(SLA_EVENTS)
        ProcessCollector(registry=registry)  # this process's memory and CPU
    registry.register(JobQueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
