"""What operators read, on SQLite and PostgreSQL: the worker's counters, the outbox gauges taken at
scrape time, and readiness (/readyz) with its reasons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

import bot.app
from adapters.local.sender import Fault
from bot.app import operations, run_measured_job
from bot.metrics import Operations, PrometheusMetrics, serve_operations
from storage.engine import make_engine, make_sessionmaker
from storage.repositories.ops import OpsRepository
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import broadcast_and_send, setup_topics

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def measured(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await make_harness(database_url, clock, metrics=PrometheusMetrics())
    yield h
    await h.close()


async def scrape(ops: Operations) -> Samples:
    response = await ops.handle_metrics(None)  # type: ignore[arg-type]  # the handler reads no request
    assert response.body is not None and response.content_type == "text/plain"
    text = bytes(response.body).decode()  # type: ignore[arg-type]
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def depth(samples: Samples, queue: str, status: str) -> float | None:
    return samples.get(("partnerbot_outbox_depth", (("queue", queue), ("status", status))))


async def _three_followers(h: Harness) -> None:
    await setup_topics(h, "security")
    for channel in ("acme", "globex", "initech"):
        await h.subscribe(channel, "security")


async def test_outbox_gauges_are_read_at_scrape_time(measured: Harness, clock: FakeClock) -> None:
    h = measured
    ops = operations(h.app)
    await _three_followers(h)
    assert depth(await scrape(ops), "delivery", "pending") is None

    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    clock.advance(45)
    samples = await scrape(ops)
    assert depth(samples, "delivery", "pending") == 3
    assert samples[("partnerbot_outbox_oldest_pending_seconds", (("queue", "delivery"),))] == 45
    assert samples[("partnerbot_scheduled_announcements", ())] == 0

    await h.deliver()
    samples = await scrape(ops)
    assert depth(samples, "delivery", "pending") is None
    assert samples[("partnerbot_outbox_oldest_pending_seconds", (("queue", "delivery"),))] == 0
    sent = ("partnerbot_deliveries_total", (("platform", "local"), ("queue", "delivery"), ("result", "sent")))
    assert samples[sent] == 3
    latency = ("partnerbot_delivery_latency_seconds_sum", (("platform", "local"), ("queue", "delivery")))
    assert samples[latency] == 3 * 45  # each was due when sent and posted 45 s later (the fake clock)


async def test_scheduled_and_digest_held_counts(measured: Harness, clock: FakeClock) -> None:
    h = measured
    ops = operations(h.app)
    await _three_followers(h)
    assert not (await h.partner("acme", "settings mode daily")).is_error
    await broadcast_and_send(h, 'topic:security title:"Now"', "Now.")
    later = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    await broadcast_and_send(h, f'topic:security at:"{later}" title:"Later"', "Later.")
    samples = await scrape(ops)
    # acme's copy of each is held for its daily digest; the scheduled one's rows wait, not yet due.
    assert samples[("partnerbot_held_deliveries", ())] == depth(samples, "delivery", "digest") == 2
    assert samples[("partnerbot_scheduled_announcements", ())] == 1
    assert depth(samples, "delivery", "pending") == 4
    clock.advance(10)
    samples = await scrape(ops)
    assert samples[("partnerbot_outbox_oldest_pending_seconds", (("queue", "delivery"),))] == 10


async def test_failures_retries_and_429s_are_counted_by_result(measured: Harness, clock: FakeClock) -> None:
    h = measured
    ops = operations(h.app)
    await _three_followers(h)
    h.local.sender.fail_next(Fault("ratelimited", retry_after=5))
    h.local.sender.fail_next(Fault("permanent", reason="channel_not_found"))
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    clock.advance(30)
    await h.deliver()
    samples = await scrape(ops)

    def result(name: str) -> float:
        key = (
            "partnerbot_deliveries_total",
            (("platform", "local"), ("queue", "delivery"), ("result", name)),
        )
        return samples.get(key, 0)

    assert (result("sent"), result("retry"), result("failed")) == (2, 1, 1)
    calls = samples[("partnerbot_platform_api_calls_total", (("method", "post"), ("platform", "local")))]
    assert calls == h.local.sender.calls["post"] == 4
    assert (
        samples[("partnerbot_platform_rate_limited_total", (("method", "post"), ("platform", "local")))] == 1
    )
    assert (
        samples[("partnerbot_rate_limiter_wait_seconds_count", (("platform", "local"),))] == 4
    )  # one per post


class Adapter:
    def __init__(self, why: str | None) -> None:
        self.not_ready = why


async def test_readyz_reports_the_database_and_each_adapter(measured: Harness, tmp_path: Path) -> None:
    h = measured
    up = operations(h.app)
    assert await up.not_ready() is None
    up.adapters = {"slack": Adapter(None), "discord": Adapter("gateway not connected")}  # type: ignore[dict-item]
    assert await up.not_ready() == "discord: gateway not connected"

    gone = make_engine(f"sqlite:///{tmp_path}/missing/dir/bot.db")
    try:
        down = Operations(PrometheusMetrics(), OpsRepository(make_sessionmaker(gone)), h.app.clock.now)
        assert await down.not_ready() == "database: OperationalError"
        runner = await serve_operations(down, "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
                    assert (resp.status, await resp.json()) == (
                        503,
                        {"ready": False, "reason": "database: OperationalError"},
                    )
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    assert resp.status == 200  # alive, though not ready
                async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                    text = await resp.text()  # the process's own metrics, without the outbox gauges
                    assert resp.status == 200 and "partnerbot_process_start_time_seconds" in text
                    assert "partnerbot_outbox_depth" not in text
        finally:
            await runner.cleanup()
    finally:
        await gone.dispose()


async def test_job_runs_and_failures_are_counted(measured: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    metrics = PrometheusMetrics()
    assert await run_measured_job(measured.app, "digests", metrics) == ["2026-11-24T09:00Z"]
    assert await run_measured_job(measured.app, "digests", metrics) == []  # same minute: nothing ran

    async def broken(host: object, name: str) -> list[str]:
        raise RuntimeError("database went away")

    monkeypatch.setattr(bot.app, "run_job", broken)
    with pytest.raises(RuntimeError):
        await run_measured_job(measured.app, "digests", metrics)
    assert metrics.registry.get_sample_value("partnerbot_job_runs_total", {"job": "digests"}) == 2
    assert metrics.registry.get_sample_value("partnerbot_job_failures_total", {"job": "digests"}) == 1


async def test_a_relayed_question_is_counted_on_its_platform_with_its_latency(
    measured: Harness, clock: FakeClock
) -> None:
    h = measured
    ops = operations(h.app)
    await _three_followers(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    reply = await h.local.say("pat", "acme", "Is v2 affected?", thread=h.posts("acme")[0].id)
    assert reply is not None and not reply.is_error, reply
    clock.advance(12)
    await h.deliver()
    samples = await scrape(ops)
    relayed = ("partnerbot_deliveries_total", (("platform", "local"), ("queue", "relay"), ("result", "sent")))
    assert samples[relayed] == 1
    assert samples[("partnerbot_relay_latency_seconds_sum", ())] == 12
    assert not [key for key in samples if ("platform", "none") in key[1]]
