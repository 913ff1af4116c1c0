"""Prometheus metrics of one service: HTTP traffic per route, and what its database says on each scrape.

Each app has its own registry (tests build many apps in one process). Requests are counted and
timed per method and route *template* (``/loans/{loan_id}``), so ids never become label values.
Gauges that describe stored state (the event bus's backlog, job runs) are read from the database
by the service's probes when Prometheus scrapes ``/metrics``, so they are true for the whole
service whichever process wrote the rows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
StateProbe = Callable[[Engine], Iterable[Metric]]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )


class HttpMetricsMiddleware:
    """Pure ASGI middleware: counts and times every request by its route template."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = str(getattr(route, "path", "unmatched"))
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def job_runs(table: str) -> StateProbe:
    """Job runs per job and outcome, and the last completed business date per job, from `table`."""

    def probe(engine: Engine) -> Iterator[Metric]:
        runs = GaugeMetricFamily("job_runs", "Recorded job runs by job and status", labels=["job", "status"])
        last = GaugeMetricFamily(
            "job_last_completed_date_seconds", "Business date of the last completed run (epoch)", labels=["job"]
        )
        with engine.connect() as connection:
            for job, status, count in connection.execute(
                text(f"SELECT job, status, count(*) FROM {table} GROUP BY job, status")  # noqa: S608 - table is ours
            ):
                runs.add_metric([str(job), str(status)], int(count))
            for job, business_date in connection.execute(
                text(f"SELECT job, max(business_date) FROM {table} WHERE status = 'completed' GROUP BY job")  # noqa: S608
            ):
                if business_date is not None:
                    day = business_date if not isinstance(business_date, str) else datetime.fromisoformat(business_date)
                    last.add_metric([str(job)], datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        yield runs
        yield last

    return probe


class StoredStateCollector(Collector):
    """Runs the service's probes on each scrape; a probe that fails is logged and reported as such."""

    def __init__(self, engine: Engine, probes: Sequence[StateProbe]) -> None:
        self.engine = engine
        self.probes = list(probes)

    def collect(self) -> Iterator[Metric]:
        failures = 0
        for probe in self.probes:
            try:
                yield from list(probe(self.engine))
            except Exception:
                failures += 1
                logger.warning("metrics probe %s failed", getattr(probe, "__name__", probe), exc_info=True)
        yield GaugeMetricFamily("metrics_probe_failures", "Probes that could not read the database", value=failures)
