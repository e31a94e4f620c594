"""Root-side operations: Prometheus metrics (prometheus-client), `/metrics`, `/readyz` and the
metrics server of `partnerbot worker` (PARTNERBOT_METRICS_PORT).

The core measures through its port (bot/ports/metrics.py); `PrometheusMetrics` implements it on a
registry of its own (no global state), and the outbox gauges are read from the database when
Prometheus scrapes, not kept up to date in between.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.registry import Collector

from storage.repositories.ops import OpsRepository, OutboxGauges

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
METRICS_PATH: Final = "/metrics"
READY_PATH: Final = "/readyz"
HEALTH_PATH: Final = "/healthz"
# Delivery and relay latency: from a second (a quiet outbox) to an hour (a big fan-out under limits).
LATENCY_BUCKETS: Final = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
WAIT_BUCKETS: Final = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class PrometheusMetrics:
    """bot.ports.metrics.Metrics on prometheus-client; `registry` holds every partnerbot_ metric."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        r = self.registry
        self.deliveries = Counter(
            "partnerbot_deliveries",
            "Outbox rows handled, by platform, queue and result (sent, retry, failed).",
            ["platform", "queue", "result"],
            registry=r,
        )
        self.delivery_latency = Histogram(
            "partnerbot_delivery_latency_seconds",
            "From when an outbox row was due (queued, scheduled time, retry) to when it was posted.",
            ["platform", "queue"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.api_calls = Counter(
            "partnerbot_platform_api_calls",
            "Calls to a platform's API by the delivery worker, by platform and method.",
            ["platform", "method"],
            registry=r,
        )
        self.throttled = Counter(
            "partnerbot_platform_rate_limited",
            "Platform API calls answered with HTTP 429, by platform and method.",
            ["platform", "method"],
            registry=r,
        )
        self.rate_waits = Histogram(
            "partnerbot_rate_limiter_wait_seconds",
            "Time a send waited for partnerbot's own rate limiter.",
            ["platform"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.relay_latency = Histogram(
            "partnerbot_relay_latency_seconds",
            "From when a question or answer was queued to when it was relayed.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.job_runs = Counter("partnerbot_job_runs", "Periodic job runs, by job.", ["job"], registry=r)
        self.job_failures = Counter(
            "partnerbot_job_failures", "Periodic job runs that failed, by job.", ["job"], registry=r
        )
        self.start_time = Gauge(
            "partnerbot_process_start_time_seconds", "When this process started (Unix time).", registry=r
        )
        self.start_time.set(time.time())

    def _child(self, metric: MetricWrapperBase, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once: prometheus-client validates and locks on every
        `labels` call, a few percent of a fan-out's CPU when done per delivery (bench/fanout.py)."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def delivered(self, *, platform: str, queue: str, result: str, latency: float | None) -> None:
        self._child(self.deliveries, platform, queue, result).inc()
        if latency is not None:
            self._child(self.delivery_latency, platform, queue).observe(latency)

    def api_call(self, *, platform: str, method: str, throttled: bool) -> None:
        self._child(self.api_calls, platform, method).inc()
        if throttled:
            self._child(self.throttled, platform, method).inc()

    def rate_wait(self, *, platform: str, seconds: float) -> None:
        self._child(self.rate_waits, platform).observe(seconds)

    def relayed(self, *, latency: float | None) -> None:
        if latency is not None:
            self.relay_latency.observe(latency)

    def job_run(self, *, job: str, failed: bool) -> None:
        self.job_runs.labels(job).inc()
        if failed:
            self.job_failures.labels(job).inc()


class OutboxCollector(Collector):
    """The outbox gauges of the latest snapshot; `Operations.metrics` takes one before each scrape
    (prometheus-client collects synchronously, the database is asynchronous)."""

    def __init__(self) -> None:
        self.snapshot: OutboxGauges | None = None

    def collect(self) -> Iterable[Metric]:
        snap = self.snapshot
        if snap is None:
            return []
        depth = GaugeMetricFamily(
            "partnerbot_outbox_depth",
            "Rows in an outbox queue, by queue and status.",
            labels=["queue", "status"],
        )
        for (queue, status), rows in sorted(snap.depth.items()):
            depth.add_metric([queue, status], rows)
        oldest = GaugeMetricFamily(
            "partnerbot_outbox_oldest_pending_seconds",
            "How long the oldest due, pending row of a queue has waited.",
            labels=["queue"],
        )
        for queue, seconds in sorted(snap.oldest_pending.items()):
            oldest.add_metric([queue], seconds)
        scheduled = GaugeMetricFamily(
            "partnerbot_scheduled_announcements", "Announcements scheduled for later."
        )
        scheduled.add_metric([], snap.scheduled_announcements)
        held = GaugeMetricFamily(
            "partnerbot_held_deliveries", "Deliveries held for a daily or weekly digest."
        )
        held.add_metric([], snap.held_deliveries)
        return [depth, oldest, scheduled, held]


class Connected(Protocol):
    """What readiness asks of each configured adapter (bot/app.py's PlatformAdapter)."""

    @property
    def not_ready(self) -> str | None:
        """None when connected; else why not, in a few words."""
        ...


class Operations:
    """The operators' endpoints: `/metrics` (Prometheus text format), `/readyz` (database answers
    and every configured adapter is connected) and `/healthz` (the process is alive)."""

    def __init__(
        self,
        metrics: PrometheusMetrics,
        ops: OpsRepository,
        now: Callable[[], datetime],
        adapters: Mapping[str, Connected] | None = None,
    ) -> None:
        self.metrics = metrics
        self._ops = ops
        self._now = now
        self.adapters: dict[str, Connected] = dict(adapters or {})
        self._outbox = OutboxCollector()
        metrics.registry.register(self._outbox)

    def routes(self) -> dict[str, Handler]:
        """GET routes for an aiohttp server (the Slack adapter's, or `serve_operations`)."""
        return {METRICS_PATH: self.handle_metrics, READY_PATH: self.handle_ready}

    async def handle_metrics(self, request: web.Request) -> web.Response:
        try:
            self._outbox.snapshot = await self._ops.gauges(now=self._now())
        except Exception as exc:  # the process's own metrics still count; the gauges are left out
            log.warning("outbox gauges unavailable: %s", type(exc).__name__)
            self._outbox.snapshot = None
        body = generate_latest(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def not_ready(self) -> str | None:
        try:
            await self._ops.ping()
        except Exception as exc:
            return f"database: {type(exc).__name__}"
        for name, adapter in self.adapters.items():
            if (why := adapter.not_ready) is not None:
                return f"{name}: {why}"
        return None

    async def handle_ready(self, request: web.Request) -> web.Response:
        why = await self.not_ready()
        if why is None:
            return web.json_response({"ready": True})
        return web.json_response({"ready": False, "reason": why}, status=503)

    async def handle_health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})


async def serve_operations(ops: Operations, host: str, port: int) -> web.AppRunner:
    """A small HTTP server with `/metrics`, `/readyz` and `/healthz` (PARTNERBOT_METRICS_PORT)."""
    web_app = web.Application()
    for path, handler in ops.routes().items():
        web_app.router.add_get(path, handler)
    web_app.router.add_get(HEALTH_PATH, ops.handle_health)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
