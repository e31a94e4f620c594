"""Operators' view of a Slack broadcast: `/metrics` (Prometheus text) and `/readyz` on the adapter's
own HTTP server, scraped while the fake Slack is being delivered to."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import PrometheusMetrics
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock, metrics=PrometheusMetrics()) as w:
        await w.topics("pricing")
        yield w


async def scrape(world: SlackWorld) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with aiohttp.ClientSession() as http, http.get(f"{world.adapter.base_url}/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=")
        text = await resp.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sent(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    key = (
        "partnerbot_deliveries_total",
        (("platform", "slack"), ("queue", "delivery"), ("result", "sent")),
    )
    return samples.get(key, 0.0)


async def test_the_delivery_counter_equals_the_deliveries_made_during_a_broadcast(world: SlackWorld) -> None:
    for name in ("acme", "globex", "initech"):
        await world.partner(name, tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"New price list" Prices change on 1 July.')
    before = world.fake.calls["chat.postMessage"]
    world.fake.ratelimit_next("chat.postMessage", retry_after=1)  # one 429 on the way
    queued = await scrape(world)
    assert sent(queued) == 0
    assert queued[("partnerbot_outbox_depth", (("queue", "delivery"), ("status", "pending")))] == 3

    await world.deliver()
    posted = sum(len(world.bot_posts(seat.channel)) for seat in world.seats.values())
    samples = await scrape(world)
    assert posted == 3 and sent(samples) == posted
    latency = ("partnerbot_delivery_latency_seconds_count", (("platform", "slack"), ("queue", "delivery")))
    assert samples[latency] == 3
    calls = ("partnerbot_platform_api_calls_total", (("method", "post"), ("platform", "slack")))
    throttled = ("partnerbot_platform_rate_limited_total", (("method", "post"), ("platform", "slack")))
    assert samples[calls] == world.fake.calls["chat.postMessage"] - before == 4
    assert samples[throttled] == 1
    assert ("partnerbot_outbox_depth", (("queue", "delivery"), ("status", "pending"))) not in samples
    assert samples[("partnerbot_outbox_oldest_pending_seconds", (("queue", "delivery"),))] == 0
    assert samples[("partnerbot_process_start_time_seconds", ())] > 0
    # No partner, channel or user id is a label anywhere.
    labels = {value for _, pairs in samples for _, value in pairs}
    ids = {seat.channel.id for seat in world.seats.values()} | {seat.user.id for seat in world.seats.values()}
    assert not labels & (ids | set(world.seats))


async def test_readyz_answers_200_on_the_slack_server_when_database_and_adapter_are_up(
    world: SlackWorld,
) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{world.adapter.base_url}/readyz") as resp:
        assert (resp.status, await resp.json()) == (200, {"ready": True})


async def test_readyz_is_503_once_the_socket_mode_connection_is_gone(
    sqlite_url: str, clock: FakeClock
) -> None:
    async with open_world(sqlite_url, clock, socket=True, metrics=PrometheusMetrics()) as world:
        url = f"{world.adapter.base_url}/readyz"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:
                assert (resp.status, await resp.json()) == (200, {"ready": True})
            socket = world.adapter._socket
            assert socket is not None
            await socket.client.close()  # the WebSocket closed for good (no reconnect)
            async with http.get(url) as resp:
                assert (resp.status, await resp.json()) == (
                    503,
                    {"ready": False, "reason": "slack: Socket Mode not connected"},
                )
            async with http.get(f"{world.adapter.base_url}/healthz") as resp:
                assert resp.status == 200  # alive all the same: liveness is not readiness


async def test_at_info_the_logs_carry_ids_but_no_token_and_no_message_body(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.partner("globex", tier="gold", follows=("pricing",))
    body = "Confidential-body-text-4711 for partners only."
    announcement_id = await world.broadcast(f'topic:pricing title:"Prices" {body}')
    world.fake.fail_next("chat.postMessage", error="channel_not_found")
    await world.deliver()
    assert len(world.bot_posts(acme.channel)) + len(world.bot_posts(world.seats["globex"].channel)) == 1
    (failed,) = [r for r in caplog.records if r.getMessage().startswith("delivery ") and "failed" in r.msg]
    assert failed.levelno == logging.INFO and "channel_not_found" in failed.getMessage()
    assert failed.announcement_id == announcement_id  # type: ignore[attr-defined]
    assert isinstance(failed.delivery_id, int)  # type: ignore[attr-defined]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    token = world.app.settings.slack_bot_token
    assert token and token not in logged and "Confidential-body-text-4711" not in logged
