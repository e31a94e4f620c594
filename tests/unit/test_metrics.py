"""The metrics port's Prometheus implementation (bot/metrics.py), the Sender wrapper that counts API
calls, and the JSON log format."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client import generate_latest

from adapters.local.sender import Fault, LocalSender
from adapters.local.workspace import LocalWorkspace
from bot.cli import log_formatter
from bot.domain import AnnouncementPost, ChannelRef, Outgoing, Platform
from bot.domain.outbox import DeliveryStatus, UpdateTarget, Work, WorkKind
from bot.metrics import PrometheusMetrics
from bot.ports.metrics import Metrics, NoMetrics
from bot.ports.sending import PermanentSendError, TransientSendError
from bot.services.delivery import log_ids
from bot.services.measured import MeasuredSender


def value(metrics: PrometheusMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_both_implementations_satisfy_the_port() -> None:
    ports: list[Metrics] = [NoMetrics(), PrometheusMetrics()]
    for port in ports:
        port.delivered(platform="slack", queue="delivery", result="sent", latency=1.5)
        port.api_call(platform="slack", method="post", throttled=True)
        port.rate_wait(platform="slack", seconds=0.2)
        port.relayed(latency=3.0)
        port.job_run(job="digests", failed=False)


def test_deliveries_latency_calls_and_throttles_by_label() -> None:
    metrics = PrometheusMetrics()
    metrics.delivered(platform="slack", queue="delivery", result="sent", latency=2.0)
    metrics.delivered(platform="slack", queue="delivery", result="sent", latency=40.0)
    metrics.delivered(platform="discord", queue="delivery", result="failed", latency=None)
    metrics.api_call(platform="slack", method="post", throttled=False)
    metrics.api_call(platform="slack", method="post", throttled=True)
    metrics.rate_wait(platform="slack", seconds=0.3)
    metrics.relayed(latency=7.0)
    metrics.relayed(latency=None)  # no due time known: counted nowhere

    delivered = {"platform": "slack", "queue": "delivery", "result": "sent"}
    assert value(metrics, "partnerbot_deliveries_total", **delivered) == 2
    assert (
        value(metrics, "partnerbot_deliveries_total", platform="discord", queue="delivery", result="failed")
        == 1
    )
    latency = {"platform": "slack", "queue": "delivery"}
    assert value(metrics, "partnerbot_delivery_latency_seconds_count", **latency) == 2
    assert value(metrics, "partnerbot_delivery_latency_seconds_sum", **latency) == 42
    assert value(metrics, "partnerbot_delivery_latency_seconds_bucket", **latency, le="2.5") == 1
    assert value(metrics, "partnerbot_platform_api_calls_total", platform="slack", method="post") == 2
    assert value(metrics, "partnerbot_platform_rate_limited_total", platform="slack", method="post") == 1
    assert value(metrics, "partnerbot_rate_limiter_wait_seconds_count", platform="slack") == 1
    assert value(metrics, "partnerbot_relay_latency_seconds_count") == 1
    assert (value(metrics, "partnerbot_process_start_time_seconds") or 0) > 1.7e9


def test_names_follow_the_prometheus_conventions_and_registries_are_separate() -> None:
    one, two = PrometheusMetrics(), PrometheusMetrics()  # no global registry: two apps in one test
    one.job_run(job="digests", failed=True)
    assert value(two, "partnerbot_job_runs_total", job="digests") is None
    assert value(one, "partnerbot_job_failures_total", job="digests") == 1
    text = generate_latest(one.registry).decode()
    names = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
    assert names and all(n.startswith("partnerbot_") for n in names)
    for line in text.splitlines():
        if line.startswith("# TYPE") and line.endswith(" counter"):
            assert line.split()[2].endswith("_total")
        if line.startswith("# TYPE") and line.endswith(" histogram"):
            assert line.split()[2].endswith("_seconds")


OUT = Outgoing(
    ChannelRef(Platform.LOCAL, "local", "acme"),
    AnnouncementPost(delivery_id=1, announcement_id=1, title="T", body="B", topics=("x",), urgent=False),
)


async def test_measured_sender_counts_each_call_and_each_429() -> None:
    metrics = PrometheusMetrics()
    local = LocalSender(LocalWorkspace())
    sender = MeasuredSender(local, metrics)
    await sender.post(OUT, idempotency_key="d1")
    local.fail_next(Fault("ratelimited", retry_after=3))
    with pytest.raises(TransientSendError):
        await sender.post(OUT, idempotency_key="d2")
    local.fail_next(Fault("permanent"))
    with pytest.raises(PermanentSendError):
        await sender.post(OUT, idempotency_key="d3")
    assert await sender.find_posted(OUT, idempotency_key="d1") is not None
    assert value(metrics, "partnerbot_platform_api_calls_total", platform="local", method="post") == 3
    assert value(metrics, "partnerbot_platform_rate_limited_total", platform="local", method="post") == 1
    assert value(metrics, "partnerbot_platform_api_calls_total", platform="local", method="find_posted") == 1
    assert sender.rate_keys(OUT.channel) == local.rate_keys(OUT.channel)


def _logged(kind: str, message: str, *args: object, **extra: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter(kind))
    logger = logging.getLogger("partnerbot.test.format")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_json_log_format_is_one_object_per_line_with_the_ids() -> None:
    out = _logged("json", "delivery %s failed: %s", 7, "channel_not_found", delivery_id=7, announcement_id=3)
    (line,) = out.splitlines()
    record = json.loads(line)
    assert record["message"] == "delivery 7 failed: channel_not_found"
    assert (record["level"], record["logger"]) == ("WARNING", "partnerbot.test.format")
    assert (record["delivery_id"], record["announcement_id"]) == (7, 3)
    assert record["time"]


def test_text_log_format_is_the_default() -> None:
    out = _logged("text", "plain %s", "words")
    assert out.rstrip().endswith("WARNING partnerbot.test.format: plain words")
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_log_ids_name_the_row_and_what_it_concerns() -> None:
    delivery = Work(WorkKind.DELIVERY, 7, attempts=1, ambiguous=False, announcement_id=3, channel_id=2)
    assert log_ids(delivery) == {"work_kind": "delivery", "delivery_id": 7, "announcement_id": 3}
    target = UpdateTarget(7, DeliveryStatus.SENT, "m1", ambiguous=False, abandoned=False)
    edit = Work(WorkKind.EDIT, 12, attempts=1, ambiguous=False, announcement_id=3, target=target)
    assert log_ids(edit) == {"work_kind": "edit", "update_id": 12, "delivery_id": 7, "announcement_id": 3}
    relay = Work(WorkKind.RELAY, 5, attempts=1, ambiguous=False, question_id=9)
    assert log_ids(relay) == {"work_kind": "relay", "relay_id": 5, "question_id": 9}
