"""PARTNERBOT_METRICS_PORT: `partnerbot worker` (no Slack server of its own) and a Discord-only
`partnerbot run` serve /metrics, /readyz and /healthz on it, through bot.app.serve as the CLI runs it."""

from __future__ import annotations

import asyncio
import socket

import aiohttp

from bot.app import serve
from bot.config import Settings
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, ManualClock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(url: str, *, wait: float = 10.0) -> tuple[int, str]:
    """GET `url`, waiting for the server to come up."""
    deadline = asyncio.get_running_loop().time() + wait
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as resp:
                    return resp.status, await resp.text()
            except aiohttp.ClientConnectionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def test_a_slack_worker_serves_metrics_and_readiness_on_its_port(sqlite_url: str) -> None:
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            metrics_port=port,
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, deliver_only=True))
        try:
            status, body = await get(f"http://127.0.0.1:{port}/readyz")
            assert (status, body) == (200, '{"ready": true}')
            status, text = await get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200
            assert "partnerbot_process_start_time_seconds " in text
            assert "# TYPE partnerbot_outbox_oldest_pending_seconds gauge" in text
            assert (await get(f"http://127.0.0.1:{port}/healthz"))[0] == 200
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)


async def test_a_discord_run_is_ready_once_its_gateway_is_connected(sqlite_url: str) -> None:
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        fake.add_guild("Partner")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            discord_token=fake.token,
            discord_api_url=fake.base_url,
            discord_gateway_url=fake.gateway_url,
            http_host="127.0.0.1",
            metrics_port=port,
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            # 503 while the gateway session is being opened (the server starts first), then 200.
            answers = []
            deadline = asyncio.get_running_loop().time() + 15
            while not answers or answers[-1][0] != 200:
                assert asyncio.get_running_loop().time() < deadline, answers[-3:]
                answers.append(await get(f"http://127.0.0.1:{port}/readyz"))
                await asyncio.sleep(0.05)
            assert answers[-1] == (200, '{"ready": true}')
            assert {body for status, body in answers if status != 200} <= {
                '{"ready": false, "reason": "discord: gateway not connected"}'
            }
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)


async def test_partnerbot_run_serves_metrics_and_readyz_next_to_the_slack_events(sqlite_url: str) -> None:
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_signing_secret="run-secret",
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            http_port=port,  # no PARTNERBOT_METRICS_PORT: the Slack server has them
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            assert (await get(f"http://127.0.0.1:{port}/readyz")) == (200, '{"ready": true}')
            status, text = await get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and "# TYPE partnerbot_deliveries_total counter" in text
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
